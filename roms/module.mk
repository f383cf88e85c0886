# roms/: the sample VMI ROMs, each built for i386 and x86-64 with mkrom
# (mkrom records the arch in the header), plus the interface-evolution and
# corrupt test ROMs the loader/patcher tests use.
#
#   $(O)/roms/<name>-<arch>.rom
#     samples:   native vmware-like xen-like hvm
#     versions:  old-minor (vmware-like, minor 0, minor-0 calls only),
#                new-minor (vmware-like, minor 9, plus calls 125..127 no
#                catalog knows), wrong-major (vmware-like, major 2)
#     corrupt:   bad-checksum, table-oob, truncated: a built vmware-like ROM
#                damaged by `mkrom --corrupt=checksum|table-oob|truncate`
#                (fail vmi_rom_validate with VMI_E_ROM_CHECKSUM,
#                VMI_E_ROM_TABLE_BOUNDS, VMI_E_ROM_TRUNCATED)
#
# Other fragments use ROMS_DIR, MKROM (tools/mkrom/module.mk),
# SAMPLE_ROMS_<arch>, VERSION_ROMS_<arch>, CORRUPT_ROMS_<arch>, ROM_CFLAGS_<arch>.

ROMS_DIR := $(O)/roms
# Also set by tools/mkrom/module.mk, which the top Makefile includes after
# this file: rule prerequisites below are expanded now, so name it here too.
MKROM := $(O)/tools/mkrom/mkrom
ROM_ARCHES := i386 x86_64
SAMPLE_ROM_NAMES := native vmware-like xen-like hvm
VERSION_ROM_NAMES := old-minor new-minor wrong-major
CORRUPT_ROM_NAMES := bad-checksum table-oob truncated

# ROM code: freestanding, position-independent, no SSE, no unwind tables,
# hidden symbols (so nothing goes through a GOT), no libc calls.
ROM_CFLAGS := $(STD) $(WARN) $(INC) -Iroms -DVMI_ROM_BUILD -O2 -ffreestanding -fno-builtin \
	-fno-stack-protector -fPIC -fvisibility=hidden -fno-plt -fno-common -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	$(if $(findstring clang,$(CC)),,-fno-tree-loop-distribute-patterns)
ROM_CFLAGS_i386 := $(ROM_CFLAGS) -m32 -march=i686 -mregparm=3
ROM_CFLAGS_x86_64 := $(ROM_CFLAGS) -m64 -mno-red-zone

# Extra defines of the variants built from another sample's source.
ROM_SRC_old-minor := vmware-like
ROM_DEFS_old-minor := -DVMI_SAMPLE_MINOR=0 -DVMI_SAMPLE_VENDOR='"old-minor"'
ROM_SRC_new-minor := vmware-like
ROM_DEFS_new-minor := -DVMI_SAMPLE_MINOR=9 -DVMI_SAMPLE_FUTURE=1 -DVMI_SAMPLE_VENDOR='"new-minor"'
ROM_SRC_wrong-major := vmware-like
ROM_DEFS_wrong-major := -DVMI_SAMPLE_MAJOR=2 -DVMI_SAMPLE_VENDOR='"wrong-major"'
ROM_CORRUPT_bad-checksum := checksum
ROM_CORRUPT_table-oob := table-oob
ROM_CORRUPT_truncated := truncate

define VMI_ROM_ARCH_RULES
SAMPLE_ROMS_$(1) := $$(SAMPLE_ROM_NAMES:%=$$(ROMS_DIR)/%-$(1).rom)
VERSION_ROMS_$(1) := $$(VERSION_ROM_NAMES:%=$$(ROMS_DIR)/%-$(1).rom)
CORRUPT_ROMS_$(1) := $$(CORRUPT_ROM_NAMES:%=$$(ROMS_DIR)/%-$(1).rom)

$$(ROMS_DIR)/obj/%-$(1).o: roms/%.c roms/rom_common.h roms/native_ops.h include/vmi/rom_sdk.h
	@mkdir -p $$(@D)
	$$(CC) $$(ROM_CFLAGS_$(1)) -MMD -MP -c $$< -o $$@

$$(VERSION_ROM_NAMES:%=$$(ROMS_DIR)/obj/%-$(1).o): $$(ROMS_DIR)/obj/%-$(1).o: roms/vmware-like.c roms/rom_common.h roms/native_ops.h include/vmi/rom_sdk.h
	@mkdir -p $$(@D)
	$$(CC) $$(ROM_CFLAGS_$(1)) $$(ROM_DEFS_$$*) -MMD -MP -c $$< -o $$@

$$(SAMPLE_ROMS_$(1)) $$(VERSION_ROMS_$(1)): $$(ROMS_DIR)/%-$(1).rom: $$(ROMS_DIR)/obj/%-$(1).o $$(MKROM)
	$$(MKROM) --arch $(1) -o $$@ $$<

$$(CORRUPT_ROMS_$(1)): $$(ROMS_DIR)/%-$(1).rom: $$(ROMS_DIR)/vmware-like-$(1).rom $$(MKROM)
	$$(MKROM) --corrupt=$$(ROM_CORRUPT_$$*) -o $$@ $$<

ALL_TARGETS += $$(SAMPLE_ROMS_$(1)) $$(VERSION_ROMS_$(1)) $$(CORRUPT_ROMS_$(1))
endef
$(foreach a,$(ROM_ARCHES),$(eval $(call VMI_ROM_ARCH_RULES,$(a))))

DEMO_TARGETS += demo-roms
.PHONY: demo-roms
demo-roms: $(SAMPLE_ROMS_x86_64) $(MKROM)
	@set -e; for r in $(SAMPLE_ROMS_x86_64); do echo "== mkrom --info $$r"; $(MKROM) --info $$r; echo; done
