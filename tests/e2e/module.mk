# tests/e2e: a small Multiboot kernel (i386, and x86-64 behind a 32-bit
# entry) that finds a real VMI option ROM under QEMU + SeaBIOS, patches its
# own sites with the freestanding library, runs a workload of every call
# category and checks the ROM's per-call counters against the plan.
#   make e2e        the boot matrix, one line per run (part of make check)
#   make demo-e2e   one boot with vmware-like, serial output shown
E2E_DIR := $(O)/e2e
E2E_SRCS := $(sort $(wildcard tests/e2e/*.c))
E2E_HDRS := tests/e2e/e2e.h tests/e2e/romdata.h tests/e2e/hypervisor.h include/vmi/guest.h include/vmi/rom_sdk.h \
	roms/native_ops.h
# A kernel: no libc, no PIC (it runs where it is linked), no SSE, and no
# loop turned into a memcpy call by gcc's loop distribution.
E2E_CFLAGS := $(STD) $(WARN) $(INC) -Iroms -O2 -g -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-mgeneral-regs-only -fno-builtin -fno-common \
	$(if $(findstring clang,$(CC)),,-fno-tree-loop-distribute-patterns)
E2E_CFLAGS_i386 := -m32 -march=i686
E2E_CFLAGS_x86_64 := -m64 -mno-red-zone -mcmodel=small
# The multiboot header must lie in the first 8 KiB of the file.
E2E_LDFLAGS := -nostdlib -static -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
	-Wl,--no-warn-rwx-segments
E2E_ROMS_DIR := $(if $(ROMS_DIR),$(ROMS_DIR),$(O)/roms)
E2E_VMIPATCH := $(firstword $(filter %/vmipatch,$(INSTALL_BINS)))

# $(call e2e_guest,ARCH,BOOT,LDSCRIPT)
define e2e_guest
E2E_GUEST_$(1) := $(E2E_DIR)/guest-$(1).elf
E2E_OBJS_$(1) := $(E2E_SRCS:tests/e2e/%.c=$(E2E_DIR)/$(1)/%.o) $(E2E_DIR)/$(1)/$(2).o
$(E2E_DIR)/$(1)/%.o: tests/e2e/%.c $(E2E_HDRS)
	@mkdir -p $$(@D)
	$$(CC) $(E2E_CFLAGS) $(E2E_CFLAGS_$(1)) -MMD -MP -c $$< -o $$@
$(E2E_DIR)/$(1)/$(2).o: tests/e2e/$(2).S
	@mkdir -p $$(@D)
	$$(CC) $(E2E_CFLAGS_$(1)) -MMD -MP -c $$< -o $$@
$$(E2E_GUEST_$(1)): $$(E2E_OBJS_$(1)) $(LIB_$(1)) tests/e2e/$(3)
	$$(CC) $(E2E_CFLAGS_$(1)) $(E2E_LDFLAGS) -T tests/e2e/$(3) -o $$@ $$(E2E_OBJS_$(1)) $(LIB_$(1))
ALL_TARGETS += $$(E2E_GUEST_$(1))
ifneq ($(E2E_VMIPATCH),)
ifneq ($(SAMPLE_ROMS_$(1)),)
E2E_PRE_$(1) := $(E2E_DIR)/guest-$(1)-vmware-like.elf
$$(E2E_PRE_$(1)): $$(E2E_GUEST_$(1)) $(E2E_VMIPATCH) $(SAMPLE_ROMS_$(1))
	$(E2E_VMIPATCH) --rom $(E2E_ROMS_DIR)/vmware-like-$(1).rom -o $$@ $$(E2E_GUEST_$(1))
endif
endif
endef
$(eval $(call e2e_guest,i386,boot,link.ld))
$(eval $(call e2e_guest,x86_64,boot64,link64.ld))

.PHONY: e2e check-e2e demo-e2e
E2E_ALL_ROMS := $(foreach a,i386 x86_64,$(SAMPLE_ROMS_$(a)) $(VERSION_ROMS_$(a)) $(CORRUPT_ROMS_$(a)))
e2e check-e2e: $(E2E_GUEST_i386) $(E2E_GUEST_x86_64) $(E2E_PRE_i386) $(E2E_PRE_x86_64) $(E2E_ALL_ROMS)
	@$(if $(E2E_PRE_i386),,echo "e2e: no vmipatch or no sample ROMs: the pre-patched runs will fail";) \
	rc=0; \
	E2E_ARCH=i386 tests/e2e/run.sh $(E2E_GUEST_i386) $(E2E_ROMS_DIR) $(E2E_DIR)/logs-i386 $(E2E_PRE_i386) || rc=1; \
	E2E_ARCH=x86_64 tests/e2e/run.sh $(E2E_GUEST_x86_64) $(E2E_ROMS_DIR) $(E2E_DIR)/logs-x86_64 $(E2E_PRE_x86_64) || rc=1; \
	exit $$rc
demo-e2e: $(E2E_GUEST_i386) $(SAMPLE_ROMS_i386)
	@echo "== demo: boot the e2e guest under QEMU with the vmware-like ROM =="
	@tests/e2e/run.sh --demo $(E2E_GUEST_i386) $(E2E_ROMS_DIR)

CHECK_TARGETS += e2e
DEMO_TARGETS += demo-e2e
