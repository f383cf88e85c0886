# tests/tools: end-to-end tests of vmipatch, vmidump and vmilint on the
# sample guest (both arches) with ROMs written by mkromfile (romgen) and,
# when the ROM SDK has built them, the sample ROMs.
TOOLS_TEST_DIR := $(O)/tests/tools
TOOLS_MKROMFILE := $(TOOLS_TEST_DIR)/mkromfile
TOOLS_TEST_ROM_KINDS := mix old-minor wrong-major bad-checksum bad-stub ret-stub jmp-stub
TOOLS_TEST_ROMS := $(foreach a,i386 x86_64,$(foreach k,$(TOOLS_TEST_ROM_KINDS),$(TOOLS_TEST_DIR)/roms/$(k)-$(a).rom))

$(TOOLS_MKROMFILE): tests/tools/mkromfile.c tests/unit/helpers/romgen.c tests/unit/helpers/romgen.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Itests/unit -o $@ tests/tools/mkromfile.c tests/unit/helpers/romgen.c $(HOST_LDFLAGS)

$(TOOLS_TEST_DIR)/roms/%.rom: $(TOOLS_MKROMFILE)
	@mkdir -p $(@D)
	$(TOOLS_MKROMFILE) $@ $(lastword $(subst -, ,$*)) $(patsubst %-$(lastword $(subst -, ,$*)),%,$*)

TOOLS_TEST_DEPS := $(vmipatch_BIN) $(vmidump_BIN) $(vmilint_BIN) $(GUEST_i386) $(GUEST_x86_64) \
	$(GUEST_CLEAN_x86_64) $(TOOLS_TEST_ROMS)

# The ROM SDK's ROMs (roms/module.mk), when that fragment is there: sample
# and version ROMs are patched like the test ROMs, corrupt ones must be refused.
TOOLS_SDK_ROMS := $(SAMPLE_ROMS_i386) $(SAMPLE_ROMS_x86_64) $(VERSION_ROMS_i386) $(VERSION_ROMS_x86_64)
TOOLS_SDK_BAD_ROMS := $(CORRUPT_ROMS_i386) $(CORRUPT_ROMS_x86_64)

# CMocka unit tests of tools/common.
TOOLS_TEST_COMMON := $(TOOLS_TEST_DIR)/test_common
$(TOOLS_TEST_COMMON): tests/tools/test_common.c $(TOOLS_COMMON_LIB) $(LIB_HOST)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Itools/common -o $@ $< $(HOST_LDFLAGS) $(TOOLS_LIBS) $(CMOCKA_LIBS)
ALL_TARGETS += $(TOOLS_TEST_COMMON)

CHECK_TARGETS += check-tools
.PHONY: check-tools
check-tools: $(TOOLS_TEST_DEPS) $(TOOLS_SDK_ROMS) $(TOOLS_SDK_BAD_ROMS) $(TOOLS_TEST_COMMON)
	@VMI_TEST_GUEST_X86_64=$(GUEST_x86_64) $(TOOLS_TEST_COMMON)
	@python3 tests/tools/run.py --bin $(O)/tools --guest $(O)/guest --roms $(TOOLS_TEST_DIR)/roms \
		--work $(TOOLS_TEST_DIR)/work $(foreach r,$(TOOLS_SDK_ROMS),--sample-rom $(r)) \
		$(foreach r,$(TOOLS_SDK_BAD_ROMS),--bad-rom $(r))

# make demo: vmilint, vmidump and vmipatch on the sample guest with each sample ROM.
DEMO_TARGETS += demo-tools
.PHONY: demo-tools
demo-tools: $(vmipatch_BIN) $(vmidump_BIN) $(vmilint_BIN) $(GUEST_i386) $(GUEST_x86_64) \
		$(SAMPLE_ROMS_i386) $(SAMPLE_ROMS_x86_64)
	@python3 tests/tools/demo.py --bin $(O)/tools --guest $(O)/guest --work $(O)/demo/tools \
		$(SAMPLE_ROMS_x86_64) $(SAMPLE_ROMS_i386)
