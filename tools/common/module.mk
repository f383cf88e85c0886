# tools/common: hosted code shared by vmipatch, vmidump and vmilint (ELF
# loading, segment mapping, annotations lookup, planning glue, atomic
# writer, ROM files, JSON, symbols, disassembly), one archive they link.
TOOLS_COMMON_SRCS := $(sort $(wildcard tools/common/*.c))
TOOLS_COMMON_OBJS := $(TOOLS_COMMON_SRCS:%.c=$(O)/%.o)
TOOLS_COMMON_LIB := $(O)/tools/common/libvmitool.a
TOOLS_LIBS := $(TOOLS_COMMON_LIB) $(LIB_HOST) $(ZYDIS_LIBS) $(CAPSTONE_LIBS) $(ELF_LIBS)

$(O)/tools/common/%.o: tools/common/%.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Itools/common -MMD -MP -c $< -o $@
$(TOOLS_COMMON_LIB): $(TOOLS_COMMON_OBJS)
	rm -f $@ && ar rcs $@ $^

# A tool: $(O)/tools/<name>/<name> from tools/<name>/*.c. --as-needed: a
# tool depends at run time only on the libraries it calls (vmipatch does
# not load Capstone: ~3 ms of every run).
define VMI_TOOL_RULES
$(1)_SRCS := $$(sort $$(wildcard tools/$(1)/*.c))
$(1)_OBJS := $$($(1)_SRCS:%.c=$$(O)/%.o)
$(1)_BIN := $$(O)/tools/$(1)/$(1)
$$(O)/tools/$(1)/%.o: tools/$(1)/%.c
	@mkdir -p $$(@D)
	$$(CC) $$(HOST_CFLAGS) -Itools/common -Itools/$(1) -MMD -MP -c $$< -o $$@
$$($(1)_BIN): $$($(1)_OBJS) $$(TOOLS_COMMON_LIB) $$(LIB_HOST)
	$$(CC) $$(HOST_LDFLAGS) -Wl,--as-needed -o $$@ $$($(1)_OBJS) $$(TOOLS_LIBS) $$($(1)_LDLIBS)
ALL_TARGETS += $$($(1)_BIN)
INSTALL_BINS += $$($(1)_BIN)
INSTALL_MANS += docs/$(1).1
endef
