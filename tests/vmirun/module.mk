# tests/vmirun: the guest workloads vmirun runs (an x86-64 shared object
# built with vmi/guest.h), two bad guests, and check-vmirun: equivalence of
# every form, hypervisor-entry counts, the pushf/popf hole, bad input.
VMIRUN_GUEST_CFLAGS := $(STD) $(WARN) $(INC) -Itools/vmirun -Itests/vmirun/guest -O2 -fPIC -m64 -mno-red-zone \
	-mgeneral-regs-only -fno-stack-protector -ffreestanding -fno-builtin -fvisibility=hidden \
	-fno-asynchronous-unwind-tables -fno-unwind-tables
VMIRUN_GUEST_LDFLAGS := -shared -nostdlib -Wl,-z,noexecstack -Wl,--build-id=none
VMIRUN_GUEST_SRCS := $(sort $(wildcard tests/vmirun/guest/*.c))
VMIRUN_GUEST_OBJS := $(VMIRUN_GUEST_SRCS:tests/vmirun/%.c=$(O)/tests/vmirun/%.o)
VMIRUN_BAD_DIR := $(O)/tests/vmirun
VMIRUN_BAD_GUESTS := $(VMIRUN_BAD_DIR)/noann.so $(VMIRUN_BAD_DIR)/badinsn.so

$(O)/tests/vmirun/%.o: tests/vmirun/%.c tests/vmirun/guest/wl.h tools/vmirun/guest_abi.h include/vmi/guest.h
	@mkdir -p $(@D)
	$(CC) $(VMIRUN_GUEST_CFLAGS) -MMD -MP -c $< -o $@
# Linked without -Werror flags: the link step only takes the layout flags.
$(VMIRUN_GUEST): $(VMIRUN_GUEST_OBJS)
	@mkdir -p $(@D)
	$(CC) $(VMIRUN_GUEST_LDFLAGS) -o $@ $^
$(VMIRUN_BAD_DIR)/noann.so: $(O)/tests/vmirun/bad/noann.o
	$(CC) $(VMIRUN_GUEST_LDFLAGS) -o $@ $^
$(VMIRUN_BAD_DIR)/badinsn.so: $(O)/tests/vmirun/bad/badinsn.o $(O)/tests/vmirun/guest/sections.o
	$(CC) $(VMIRUN_GUEST_LDFLAGS) -o $@ $^

# A ROM that makes an unknown hypercall, built like the sample ROMs.
VMIRUN_BAD_ROM := $(VMIRUN_BAD_DIR)/bad-hc-x86_64.rom
$(VMIRUN_BAD_DIR)/roms/bad-hc-x86_64.o: tests/vmirun/roms/bad-hc.c roms/rom_common.h include/vmi/rom_sdk.h
	@mkdir -p $(@D)
	$(CC) $(ROM_CFLAGS_x86_64) -MMD -MP -c $< -o $@
$(VMIRUN_BAD_ROM): $(VMIRUN_BAD_DIR)/roms/bad-hc-x86_64.o $(MKROM)
	$(MKROM) --arch x86_64 -o $@ $<

ALL_TARGETS += $(VMIRUN_GUEST) $(VMIRUN_BAD_GUESTS) $(VMIRUN_BAD_ROM)
CHECK_TARGETS += check-vmirun
DEMO_TARGETS += demo-vmirun
BENCH_TARGETS += bench-vmirun
.PHONY: check-vmirun demo-vmirun bench-vmirun
check-vmirun: $(VMIRUN_BIN) $(VMIRUN_GUEST) $(VMIRUN_BAD_GUESTS) $(VMIRUN_BAD_ROM) $(BLOB_x86_64) $(SAMPLE_ROMS_x86_64) \
		$(CORRUPT_ROMS_x86_64)
	@VMIRUN=$(VMIRUN_BIN) BAD_DIR=$(VMIRUN_BAD_DIR) ROMS="$(SAMPLE_ROMS_x86_64)" \
		CORRUPT_ROMS="$(CORRUPT_ROMS_x86_64)" sh tests/vmirun/check.sh
demo-vmirun: $(VMIRUN_BIN) $(VMIRUN_GUEST) $(BLOB_x86_64) $(SAMPLE_ROMS_x86_64) \
		$(VMIRUN32_BIN) $(VMIRUN32_GUEST) $(BLOB_i386) $(SAMPLE_ROMS_i386)
	@echo "== vmirun: what each form costs (trap-and-emulate vs ROM CALL / INLINE vs native)"
	@$(VMIRUN_BIN) --bench $(addprefix --rom ,$(filter %vmware-like-x86_64.rom %xen-like-x86_64.rom,$(SAMPLE_ROMS_x86_64)))
	@echo "== vmirun-i386: the same for i386 guests (regparm(3) ROM calls, PAE page tables)"
	@$(VMIRUN32_BIN) --bench $(addprefix --rom ,$(filter %vmware-like-i386.rom %xen-like-i386.rom,$(SAMPLE_ROMS_i386)))
bench-vmirun: demo-vmirun

# ---- i386 guests (tools/vmirun/module.mk builds vmirun-i386) ----
VMIRUN32_GUEST_CFLAGS := $(filter-out -m64 -mno-red-zone,$(VMIRUN_GUEST_CFLAGS)) -m32 -march=i686
VMIRUN32_GUEST_LDFLAGS := -m32 $(VMIRUN_GUEST_LDFLAGS)
VMIRUN32_GUEST_OBJS := $(VMIRUN_GUEST_SRCS:tests/vmirun/%.c=$(O)/vmirun-i386/tests/vmirun/%.o)
VMIRUN32_BAD_GUESTS := $(VMIRUN_BAD_DIR)/noann-i386.so $(VMIRUN_BAD_DIR)/badinsn-i386.so
VMIRUN32_BAD_ROM := $(VMIRUN_BAD_DIR)/bad-hc-i386.rom

$(O)/vmirun-i386/tests/vmirun/%.o: tests/vmirun/%.c tests/vmirun/guest/wl.h tools/vmirun/guest_abi.h include/vmi/guest.h
	@mkdir -p $(@D)
	$(CC) $(VMIRUN32_GUEST_CFLAGS) -MMD -MP -c $< -o $@
$(VMIRUN32_GUEST): $(VMIRUN32_GUEST_OBJS)
	@mkdir -p $(@D)
	$(CC) $(VMIRUN32_GUEST_LDFLAGS) -o $@ $^
$(VMIRUN_BAD_DIR)/noann-i386.so: $(O)/vmirun-i386/tests/vmirun/bad/noann.o
	@mkdir -p $(@D)
	$(CC) $(VMIRUN32_GUEST_LDFLAGS) -o $@ $^
$(VMIRUN_BAD_DIR)/badinsn-i386.so: $(O)/vmirun-i386/tests/vmirun/bad/badinsn.o \
		$(O)/vmirun-i386/tests/vmirun/guest/sections.o
	@mkdir -p $(@D)
	$(CC) $(VMIRUN32_GUEST_LDFLAGS) -o $@ $^
$(VMIRUN_BAD_DIR)/roms/bad-hc-i386.o: tests/vmirun/roms/bad-hc.c roms/rom_common.h include/vmi/rom_sdk.h
	@mkdir -p $(@D)
	$(CC) $(ROM_CFLAGS_i386) -MMD -MP -c $< -o $@
$(VMIRUN32_BAD_ROM): $(VMIRUN_BAD_DIR)/roms/bad-hc-i386.o $(MKROM)
	@mkdir -p $(@D)
	$(MKROM) --arch i386 -o $@ $<

.PHONY: check-vmirun-i386
check-vmirun-i386: $(VMIRUN32_BIN) $(VMIRUN32_GUEST) $(VMIRUN32_BAD_GUESTS) $(VMIRUN32_BAD_ROM) $(BLOB_i386) \
		$(SAMPLE_ROMS_i386) $(CORRUPT_ROMS_i386)
	@if scripts/can-exec-i386.sh '$(CC)'; then \
		ARCH=i386 VMIRUN=$(VMIRUN32_BIN) BAD_DIR=$(VMIRUN_BAD_DIR) ROMS="$(SAMPLE_ROMS_i386)" \
		CORRUPT_ROMS="$(CORRUPT_ROMS_i386)" sh tests/vmirun/check.sh; \
	else echo "check-vmirun-i386: SKIP: this kernel cannot execute i386 programs (no IA32 emulation)"; fi

ALL_TARGETS += $(VMIRUN32_GUEST) $(VMIRUN32_BAD_GUESTS) $(VMIRUN32_BAD_ROM)
CHECK_TARGETS += check-vmirun-i386
