# tools/vmirun: a user-space trap-and-emulate hypervisor model that runs
# guest workloads under every form and measures what each costs
# (docs/vmirun.1). Its default guest object is built by tests/vmirun.
VMIRUN_SRCS := $(sort $(wildcard tools/vmirun/*.c))
VMIRUN_OBJS := $(VMIRUN_SRCS:%.c=$(O)/%.o)
VMIRUN_BIN := $(O)/tools/vmirun/vmirun
VMIRUN_GUEST := $(O)/tools/vmirun/vmirun-guest.so
# Defaults point into the build tree; --patcher/--guest override them.
VMIRUN_DEFS := -DVMI_RUN_DEFAULT_PATCHER='"$(abspath $(BLOB_x86_64))"' \
	-DVMI_RUN_DEFAULT_GUEST='"$(abspath $(VMIRUN_GUEST))"'

$(O)/tools/vmirun/%.o: tools/vmirun/%.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(VMIRUN_DEFS) -Itools/vmirun -MMD -MP -c $< -o $@
$(VMIRUN_BIN): $(VMIRUN_OBJS) $(LIB_HOST)
	$(CC) $(HOST_LDFLAGS) -o $@ $(VMIRUN_OBJS) $(LIB_HOST) $(ZYDIS_LIBS) -ldl

ALL_TARGETS += $(VMIRUN_BIN)
INSTALL_BINS += $(VMIRUN_BIN)
INSTALL_MANS += docs/vmirun.1
