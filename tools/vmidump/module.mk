# tools/vmidump: an image's note, sites, symbols and (with a ROM) decisions.
$(eval $(call VMI_TOOL_RULES,vmidump))
