# tools/vmilint: unannotated privileged/sensitive instructions in an image.
$(eval $(call VMI_TOOL_RULES,vmilint))
