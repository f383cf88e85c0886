# tools/vmipatch: offline patching of ELF kernel images for a VMI ROM.
$(eval $(call VMI_TOOL_RULES,vmipatch))
