# tests/roms: the ROM SDK and its samples (CHECK target check-roms).
#   - check.sh: every sample/version ROM of both arches validates (with the
#     guest's loader via mkrom --info, and independently: signature, length
#     byte, byte sum); each corrupt ROM fails with its own status; every bad
#     spec under bad/ is rejected with one line naming the file and the
#     problem, exit 1, and no file written; a misspelt call name does not
#     compile; mkrom's usage/I/O exit codes; a ROM rebuilt from source is
#     byte-identical.
#   - test_rom_exec: the x86-64 sample ROMs executed in this process.
ROMTEST_EXEC := $(O)/tests/roms/test_rom_exec

$(ROMTEST_EXEC): tests/roms/test_rom_exec.c $(LIB_HOST) include/vmi/rom_sdk.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(LIB_HOST) $(HOST_LDFLAGS) $(CMOCKA_LIBS)

ALL_TARGETS += $(ROMTEST_EXEC)
CHECK_TARGETS += check-roms
.PHONY: check-roms
check-roms: $(ROMTEST_EXEC) $(MKROM) $(foreach a,$(ROM_ARCHES),$(SAMPLE_ROMS_$(a)) $(VERSION_ROMS_$(a)) $(CORRUPT_ROMS_$(a)))
	@MKROM='$(MKROM)' ROMS_DIR='$(ROMS_DIR)' CC='$(CC)' WORK='$(O)/tests/roms/work' \
		ROM_CFLAGS_i386='$(ROM_CFLAGS_i386)' ROM_CFLAGS_x86_64='$(ROM_CFLAGS_x86_64)' \
		tests/roms/check.sh
	VMI_ROMS_DIR='$(ROMS_DIR)' $(ROMTEST_EXEC)
