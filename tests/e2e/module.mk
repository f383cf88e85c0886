# tests/e2e: a small i386 Multiboot kernel that finds a real VMI option ROM
# under QEMU + SeaBIOS, patches its own sites with the freestanding library
# and checks the ROM's per-call counters against the plan.
#   make e2e        the boot matrix, one line per run (part of make check)
#   make demo-e2e   one boot with vmware-like, serial output shown
E2E_DIR := $(O)/e2e
E2E_GUEST := $(E2E_DIR)/guest-i386.elf
E2E_PREPATCHED := $(E2E_DIR)/guest-i386-vmware-like.elf
E2E_SRCS := $(sort $(wildcard tests/e2e/*.c))
E2E_OBJS := $(E2E_SRCS:tests/e2e/%.c=$(E2E_DIR)/%.o) $(E2E_DIR)/boot.o
# A kernel: no libc, no PIC (it runs where it is linked), no SSE, and no
# loop turned into a memcpy call by gcc's loop distribution.
E2E_CFLAGS := $(STD) $(WARN) $(INC) -m32 -march=i686 -O2 -g -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-mgeneral-regs-only -fno-builtin -fno-common \
	$(if $(findstring clang,$(CC)),,-fno-tree-loop-distribute-patterns)
# The multiboot header must lie in the first 8 KiB of the file.
E2E_LDFLAGS := -m32 -nostdlib -static -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
	-Wl,--no-warn-rwx-segments -T tests/e2e/link.ld
E2E_ROMS_DIR := $(if $(ROMS_DIR),$(ROMS_DIR),$(O)/roms)
E2E_ROMS := $(if $(SAMPLE_ROMS_i386),$(SAMPLE_ROMS_i386))
E2E_VMIPATCH := $(firstword $(filter %/vmipatch,$(INSTALL_BINS)))

$(E2E_DIR)/%.o: tests/e2e/%.c tests/e2e/e2e.h tests/e2e/romdata.h include/vmi/guest.h
	@mkdir -p $(@D)
	$(CC) $(E2E_CFLAGS) -c $< -o $@
$(E2E_DIR)/boot.o: tests/e2e/boot.S
	@mkdir -p $(@D)
	$(CC) -m32 -c $< -o $@
$(E2E_GUEST): $(E2E_OBJS) $(LIB_i386) tests/e2e/link.ld
	$(CC) $(E2E_LDFLAGS) -o $@ $(E2E_OBJS) $(LIB_i386)

ifneq ($(E2E_VMIPATCH),)
$(E2E_PREPATCHED): $(E2E_GUEST) $(E2E_VMIPATCH) $(E2E_ROMS)
	$(E2E_VMIPATCH) --rom $(E2E_ROMS_DIR)/vmware-like-i386.rom -o $@ $(E2E_GUEST)
E2E_PRE_ARG := $(E2E_PREPATCHED)
else
E2E_PREPATCHED :=
E2E_PRE_ARG :=
endif

ALL_TARGETS += $(E2E_GUEST)

.PHONY: e2e check-e2e demo-e2e
e2e check-e2e: $(E2E_GUEST) $(E2E_PREPATCHED) $(E2E_ROMS)
	@$(if $(E2E_VMIPATCH),,echo "e2e: tools/vmipatch is not built: the pre-patched runs will fail";) \
	tests/e2e/run.sh $(E2E_GUEST) $(E2E_ROMS_DIR) $(E2E_DIR)/logs $(E2E_PRE_ARG)
demo-e2e: $(E2E_GUEST) $(E2E_ROMS)
	@echo "== demo: boot the e2e guest under QEMU with the vmware-like ROM =="
	@tests/e2e/run.sh --demo $(E2E_GUEST) $(E2E_ROMS_DIR)

CHECK_TARGETS += e2e
DEMO_TARGETS += demo-e2e
