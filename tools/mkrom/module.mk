# tools/mkrom: the ROM SDK's builder (see docs/mkrom.1). Built with the
# shared tool rules; MKROM is what roms/ and tests/roms/ run.
$(eval $(call VMI_TOOL_RULES,mkrom))
MKROM := $(mkrom_BIN)
