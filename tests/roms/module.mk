# tests/roms: the ROM SDK and its samples (CHECK target check-roms).
#   - check.sh: every sample/version ROM of both arches validates (with the
#     guest's loader via mkrom --info, and independently: signature, length
#     byte, byte sum); each corrupt ROM fails with its own status; every bad
#     spec under bad/ is rejected with one line naming the file and the
#     problem, exit 1, and no file written; a misspelt call name does not
#     compile; mkrom's usage/I/O exit codes; seeded mutations of good
#     objects (mutate.py); a ROM rebuilt from source is byte-identical.
#   - test_rom_exec (CMocka, x86-64) and exec_i386 (32-bit, standalone):
#     the sample ROMs and the SDK thunk ROM (thunks.c) executed for real.
ROMTEST_DIR := $(O)/tests/roms
ROMTEST_EXEC := $(ROMTEST_DIR)/test_rom_exec
ROMTEST_EXEC32 := $(ROMTEST_DIR)/exec_i386
ROMTEST_THUNK_ROMS := $(ROM_ARCHES:%=$(ROMTEST_DIR)/thunks-%.rom)

$(ROMTEST_EXEC): tests/roms/test_rom_exec.c $(LIB_HOST) include/vmi/rom_sdk.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(LIB_HOST) $(HOST_LDFLAGS) $(CMOCKA_LIBS)

# 32-bit and non-PIE (the register helper binds ebx); no sanitizers: their
# 32-bit runtimes are not installed everywhere.
$(ROMTEST_EXEC32): tests/roms/exec_i386.c include/vmi/rom_sdk.h
	@mkdir -p $(@D)
	$(CC) $(STD) $(WARN) $(INC) -O2 -g -D_GNU_SOURCE -m32 -fno-pie -no-pie -o $@ $<

$(ROMTEST_DIR)/thunks-%.o: tests/roms/thunks.c include/vmi/rom_sdk.h
	@mkdir -p $(@D)
	$(CC) $(ROM_CFLAGS_$*) -MMD -MP -c $< -o $@
$(ROMTEST_DIR)/thunks-%.rom: $(ROMTEST_DIR)/thunks-%.o $(MKROM)
	$(MKROM) --arch $* -o $@ $<

ALL_TARGETS += $(ROMTEST_EXEC) $(ROMTEST_EXEC32) $(ROMTEST_THUNK_ROMS)
CHECK_TARGETS += check-roms
.PHONY: check-roms
check-roms: $(ROMTEST_EXEC) $(ROMTEST_EXEC32) $(ROMTEST_THUNK_ROMS) $(MKROM) \
		$(foreach a,$(ROM_ARCHES),$(SAMPLE_ROMS_$(a)) $(VERSION_ROMS_$(a)) $(CORRUPT_ROMS_$(a)))
	@MKROM='$(MKROM)' ROMS_DIR='$(ROMS_DIR)' CC='$(CC)' WORK='$(ROMTEST_DIR)/work' \
		ROM_CFLAGS_i386='$(ROM_CFLAGS_i386)' ROM_CFLAGS_x86_64='$(ROM_CFLAGS_x86_64)' \
		tests/roms/check.sh
	VMI_ROMS_DIR='$(ROMS_DIR)' VMI_TEST_ROMS_DIR='$(ROMTEST_DIR)' $(ROMTEST_EXEC)
	@if scripts/can-exec-i386.sh '$(CC)'; then $(ROMTEST_EXEC32) '$(ROMS_DIR)' '$(ROMTEST_DIR)'; \
	else echo "check-roms: SKIP $(ROMTEST_EXEC32): this kernel cannot execute i386 programs (no IA32 emulation)"; fi
