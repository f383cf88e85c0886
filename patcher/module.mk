# patcher/: plan -> apply -> unpatch, x86 encoders, NOP tables (freestanding).
CORE_SRCS += $(sort $(wildcard patcher/*.c))

# The compiler may call memcpy/memset on its own even with -ffreestanding;
# the freestanding libraries carry weak fallbacks, the host library uses libc.
$(LIB_i386): $(O)/i386/patcher/fs/freestanding_mem.o
$(LIB_x86_64): $(O)/x86_64/patcher/fs/freestanding_mem.o

# patcher.bin: header + core, linked flat at a base, then raw bytes.
# Built at base 0 (the shipped blob) and at VMI_BLOB_BASE2 for the
# base-independence check.
VMI_BLOB_BASE2 := 0x12345000
VMI_LDEMU_i386 := elf_i386
VMI_LDEMU_x86_64 := elf_x86_64
VMI_BLOB_LD = ld -m $(VMI_LDEMU_$(1)) -static -nostdlib --build-id=none -z noexecstack \
	-T patcher/patcher.ld --defsym=__vmi_blob_base=$(2)

define VMI_BLOB_RULES
$(O)/$(1)/patcher/blob_header.o: patcher/blob_header.S
	@mkdir -p $$(@D)
	$$(CC) $$(FS_CFLAGS) $$(FS_CFLAGS_$(1)) -c $$< -o $$@
$(O)/$(1)/patcher-base%.elf: $(O)/$(1)/patcher/blob_header.o $(LIB_$(1)) patcher/patcher.ld
	$$(call VMI_BLOB_LD,$(1),$$*) -o $$@ $(O)/$(1)/patcher/blob_header.o --start-group $(LIB_$(1)) --end-group
$(O)/$(1)/patcher-base%.bin: $(O)/$(1)/patcher-base%.elf
	objcopy -O binary $$< $$@
$(BLOB_$(1)): $(O)/$(1)/patcher-base0.bin
	cp $$< $$@
endef
$(eval $(call VMI_BLOB_RULES,i386))
$(eval $(call VMI_BLOB_RULES,x86_64))
.SECONDARY: $(O)/i386/patcher-base0.elf $(O)/x86_64/patcher-base0.elf \
	$(O)/i386/patcher-base$(VMI_BLOB_BASE2).elf $(O)/x86_64/patcher-base$(VMI_BLOB_BASE2).elf \
	$(O)/i386/patcher-base0.bin $(O)/x86_64/patcher-base0.bin

ALL_TARGETS += $(BLOB_i386) $(BLOB_x86_64)

# The freestanding proof: PC-relative relocations only, nothing undefined,
# no writable data, patcher.bin identical at two bases.
CHECK_TARGETS += check-freestanding
.PHONY: check-freestanding
check-freestanding: $(LIB_i386) $(LIB_x86_64) $(BLOB_i386) $(BLOB_x86_64) \
		$(O)/i386/patcher-base$(VMI_BLOB_BASE2).bin $(O)/x86_64/patcher-base$(VMI_BLOB_BASE2).bin
	scripts/check-freestanding.sh i386 $(LIB_i386) $(BLOB_i386) $(O)/i386/patcher-base$(VMI_BLOB_BASE2).bin
	scripts/check-freestanding.sh x86_64 $(LIB_x86_64) $(BLOB_x86_64) $(O)/x86_64/patcher-base$(VMI_BLOB_BASE2).bin

# test_blob loads the real x86-64 patcher.bin.
$(O)/tests/unit/test_blob: $(BLOB_x86_64)
$(O)/tests/unit/test_blob: HOST_CFLAGS += -DVMI_TEST_BLOB='"$(BLOB_x86_64)"'
