# tools/vmirun: a user-space trap-and-emulate hypervisor model that runs
# guest workloads under every form and measures what each costs
# (docs/vmirun.1). Its default guest object is built by tests/vmirun.
VMIRUN_SRCS := $(sort $(wildcard tools/vmirun/*.c))
# Inputs are opened as every tool opens them (tools/common/fileio.c: no
# hang on a FIFO, only regular files); vmirun compiles that file itself.
VMIRUN_OBJS := $(VMIRUN_SRCS:%.c=$(O)/%.o) $(O)/tools/common/fileio.o
VMIRUN_BIN := $(O)/tools/vmirun/vmirun
VMIRUN_GUEST := $(O)/tools/vmirun/vmirun-guest.so
# Defaults point into the build tree; --patcher/--guest override them.
VMIRUN_DEFS := -DVMI_RUN_DEFAULT_PATCHER='"$(abspath $(BLOB_x86_64))"' \
	-DVMI_RUN_DEFAULT_GUEST='"$(abspath $(VMIRUN_GUEST))"'

$(O)/tools/vmirun/%.o: tools/vmirun/%.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(VMIRUN_DEFS) -Itools/vmirun -Itools/common -MMD -MP -c $< -o $@
$(VMIRUN_BIN): $(VMIRUN_OBJS) $(LIB_HOST)
	$(CC) $(HOST_LDFLAGS) -o $@ $(VMIRUN_OBJS) $(LIB_HOST) $(ZYDIS_LIBS) -ldl

ALL_TARGETS += $(VMIRUN_BIN)
INSTALL_BINS += $(VMIRUN_BIN)
INSTALL_MANS += docs/vmirun.1

# ---- the i386 build: the same sources with -m32, run against i386 guests,
# the i386 sample ROMs and the i386 patcher.bin. It links a host i386 build
# of the core (host-i386/) and Zydis:i386 (scripts/deps.sh installs it). ----
VMIRUN32_CFLAGS = $(HOST_CFLAGS) -m32 -march=i686
LIB_HOST_i386 := $(O)/host-i386/libvmipatch.a
CORE_OBJS_HOST_i386 = $(CORE_SRCS:%.c=$(O)/host-i386/%.o)
VMIRUN32_OBJS := $(VMIRUN_SRCS:%.c=$(O)/vmirun-i386/%.o) $(O)/vmirun-i386/tools/common/fileio.o
VMIRUN32_BIN := $(O)/tools/vmirun/vmirun-i386
VMIRUN32_GUEST := $(O)/tools/vmirun/vmirun-guest-i386.so
VMIRUN32_DEFS := -DVMI_RUN_DEFAULT_PATCHER='"$(abspath $(BLOB_i386))"' \
	-DVMI_RUN_DEFAULT_GUEST='"$(abspath $(VMIRUN32_GUEST))"'

$(O)/host-i386/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VMIRUN32_CFLAGS) -MMD -MP -c $< -o $@
$(LIB_HOST_i386): $(CORE_SRCS:%.c=$(O)/host-i386/%.o)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(O)/vmirun-i386/tools/vmirun/%.o: tools/vmirun/%.c
	@mkdir -p $(@D)
	$(CC) $(VMIRUN32_CFLAGS) $(VMIRUN32_DEFS) -Itools/vmirun -Itools/common -MMD -MP -c $< -o $@
$(O)/vmirun-i386/tools/common/%.o: tools/common/%.c
	@mkdir -p $(@D)
	$(CC) $(VMIRUN32_CFLAGS) -Itools/common -MMD -MP -c $< -o $@
$(VMIRUN32_BIN): $(VMIRUN32_OBJS) $(LIB_HOST_i386)
	$(CC) -m32 $(HOST_LDFLAGS) -o $@ $(VMIRUN32_OBJS) $(LIB_HOST_i386) $(ZYDIS_LIBS) -ldl

ALL_TARGETS += $(VMIRUN32_BIN)
INSTALL_BINS += $(VMIRUN32_BIN)
