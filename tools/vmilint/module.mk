# tools/vmilint: unannotated privileged/sensitive instructions in an image.
vmilint_LDLIBS := -pthread
$(eval $(call VMI_TOOL_RULES,vmilint))
