# tools/vmilint: unannotated privileged/sensitive instructions in an image.
# With elfutils' libdw (libdw-dev) findings carry DWARF file:line.
VMILINT_HAVE_LIBDW := $(shell pkg-config --exists libdw 2>/dev/null && echo 1)
vmilint_LDLIBS := -pthread $(if $(VMILINT_HAVE_LIBDW),-ldw)
$(eval $(call VMI_TOOL_RULES,vmilint))
$(O)/tools/vmilint/lines.o: HOST_CFLAGS += $(if $(VMILINT_HAVE_LIBDW),-DVMI_HAVE_LIBDW=1)
