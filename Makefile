# vmipatch - one entry point: all, check, demo, bench, fuzz, install, clean.
#
# Every component keeps its rules in its own fragment (*/module.mk) and
# appends to the lists below; this file holds only what they share.
#   make            build the freestanding libraries (i386, x86-64),
#                   patcher.bin for both, the tools and the sample ROMs
#   make check      install missing packages, build, run every test
#   make check SAN=1  the same with ASan + UBSan on all hosted code
#   make demo       the end-to-end tour with the sample ROMs
#   make bench      benchmarks (ratios against baselines of the same run)

SAN ?=
O ?= build$(if $(SAN),-san)
CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
INCLUDEDIR ?= $(PREFIX)/include
LIBDIR ?= $(PREFIX)/lib
PKGLIBDIR ?= $(PREFIX)/lib/vmipatch
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MAN1DIR ?= $(PREFIX)/share/man/man1
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SCHEMADIR ?= $(PREFIX)/share/vmipatch/schema
INSTALL_SCHEMAS = $(wildcard docs/schema/*.schema.json)
INSTALL_ARCHES := i386 x86_64
INSTALL_HDRS = $(wildcard include/vmi/*.h)
# vmipatch.pc names directories under PREFIX as ${prefix}/..., so
# pkg-config --define-variable=prefix=DIR relocates it (a staged install).
pc_rel = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
INSTALL_VERSION = $(shell sed -n 's/^\#define VMI_VERSION_STRING "\(.*\)"/\1/p' include/vmi/vmi.h)
FUZZ_SECONDS ?= 10

# ---- flags ----
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
STD := -std=c11
INC := -Iinclude

# Freestanding core: no libc, no allocation, position-independent code,
# no SSE/red zone (kernel context), hidden symbols. clang turns switches
# returning strings into tables of absolute pointers unless jump tables are off.
# It runs on a kernel's early stack: no frame may pass 5 KiB (the planner's,
# with its per-call memo, is ~4.5 KiB; the whole boot path ~5.3 KiB).
FS_CFLAGS := $(STD) $(WARN) $(INC) -O2 -g -ffreestanding -fno-stack-protector \
	-fPIE -fvisibility=hidden -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-mgeneral-regs-only -fno-common -fno-builtin -DVMI_FREESTANDING=1 -Wframe-larger-than=5120 \
	$(if $(findstring clang,$(CC)),-fno-jump-tables,-fno-tree-loop-distribute-patterns)
FS_CFLAGS_i386 := -m32 -march=i686
FS_CFLAGS_x86_64 := -m64 -mno-red-zone

comma := ,
SAN_FLAGS := $(if $(SAN),-fsanitize=address$(comma)undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
HOST_CFLAGS := $(STD) $(WARN) $(INC) -O2 -g -D_GNU_SOURCE $(SAN_FLAGS) $(EXTRA_CFLAGS)
HOST_LDFLAGS := $(SAN_FLAGS) $(EXTRA_LDFLAGS)
ZYDIS_LIBS := -lZydis -lZycore
CAPSTONE_LIBS := -lcapstone
ELF_LIBS := -lelf
CMOCKA_LIBS := -lcmocka

# ---- lists the fragments append to ----
CORE_SRCS :=        # freestanding sources (annotations/, rom_loader/, patcher/)
ALL_TARGETS :=      # what `make` builds besides the libraries
CHECK_TARGETS :=    # phony targets `make check` runs, in order
DEMO_TARGETS :=     # phony targets `make demo` runs, in order
BENCH_TARGETS :=
FUZZ_TARGETS :=
INSTALL_BINS :=
INSTALL_MANS :=

# Library paths every fragment may use.
LIB_HOST := $(O)/host/libvmipatch.a
LIB_i386 := $(O)/i386/libvmipatch.a
LIB_x86_64 := $(O)/x86_64/libvmipatch.a
BLOB_i386 := $(O)/i386/patcher.bin
BLOB_x86_64 := $(O)/x86_64/patcher.bin

.PHONY: all check demo bench fuzz install uninstall clean deps
all: # default goal; prerequisites added below

include $(sort $(wildcard annotations/module.mk rom_loader/module.mk patcher/module.mk))
include $(sort $(wildcard tools/*/module.mk))
# roms/ uses $(MKROM) from tools/mkrom/module.mk in its rules: include it after.
include $(wildcard roms/module.mk)
include $(sort $(wildcard tests/*/module.mk bench/module.mk docs/module.mk))
include $(sort $(wildcard guests/*/module.mk))

# ---- the core library, three ways: i386 and x86-64 freestanding, host ----
CORE_OBJS_i386 := $(CORE_SRCS:%.c=$(O)/i386/%.o)
CORE_OBJS_x86_64 := $(CORE_SRCS:%.c=$(O)/x86_64/%.o)
CORE_OBJS_HOST := $(CORE_SRCS:%.c=$(O)/host/%.o)

$(O)/i386/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(FS_CFLAGS) $(FS_CFLAGS_i386) -MMD -MP -c $< -o $@
$(O)/x86_64/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(FS_CFLAGS) $(FS_CFLAGS_x86_64) -MMD -MP -c $< -o $@
$(O)/host/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(LIB_i386): $(CORE_OBJS_i386)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(LIB_x86_64): $(CORE_OBJS_x86_64)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(LIB_HOST): $(CORE_OBJS_HOST)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

all: $(LIB_i386) $(LIB_x86_64) $(LIB_HOST) $(ALL_TARGETS)

# Clean under clang as well as gcc: everything built again with clang
# (-Werror), then the freestanding proof and the unit tests on its objects.
CHECK_TARGETS += check-clang
.PHONY: check-clang
check-clang:
	@$(MAKE) -s --no-print-directory CC=clang O=$(O)-clang all
	@$(MAKE) --no-print-directory CC=clang O=$(O)-clang check-freestanding check-unit

deps:
	@scripts/deps.sh

check: deps
	$(MAKE) all
	@set -e; for t in $(CHECK_TARGETS); do $(MAKE) --no-print-directory $$t; done
	@echo "make check: all test groups passed ($(words $(CHECK_TARGETS)) groups$(if $(SAN), with ASan+UBSan))"

demo: deps
	@echo "demo: building (quietly; make all shows the commands)"
	@$(MAKE) -s --no-print-directory all
	@set -e; for t in $(DEMO_TARGETS); do $(MAKE) --no-print-directory $$t; done

bench: deps
	$(MAKE) all
	@set -e; for t in $(BENCH_TARGETS); do $(MAKE) --no-print-directory $$t; done

fuzz: deps
	@set -e; for t in $(FUZZ_TARGETS); do $(MAKE) --no-print-directory $$t; done

# Install layout (GNU names; DESTDIR for staged installs, as Debian's):
# the tools, man pages and bash completion; the headers, the host
# libvmipatch.a and vmipatch.pc; the freestanding libraries, patcher.bin
# and vmirun's guest under $(PKGLIBDIR)/<arch>/ (pkg-config variables
# lib_<arch>, patcher_<arch>). `make uninstall` removes exactly these.
INSTALL_FILES = $(LIB_HOST) $(foreach a,$(INSTALL_ARCHES),$(LIB_$(a)) $(BLOB_$(a))) $(INSTALL_BINS) \
	$(VMIRUN_GUEST) $(VMIRUN32_GUEST)
.PHONY: installable
installable: $(INSTALL_FILES)
install: installable
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCLUDEDIR)/vmi $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(MAN1DIR) $(DESTDIR)$(BASHCOMPDIR) $(INSTALL_ARCHES:%=$(DESTDIR)$(PKGLIBDIR)/%)
	install -m 644 $(INSTALL_HDRS) $(DESTDIR)$(INCLUDEDIR)/vmi/
	install -m 644 $(LIB_HOST) $(DESTDIR)$(LIBDIR)/libvmipatch.a
	$(foreach a,$(INSTALL_ARCHES),install -m 644 $(LIB_$(a)) $(BLOB_$(a)) $(DESTDIR)$(PKGLIBDIR)/$(a)/ && ) true
	$(if $(VMIRUN_GUEST),install -m 644 $(VMIRUN_GUEST) $(DESTDIR)$(PKGLIBDIR)/x86_64/vmirun-guest.so)
	$(if $(VMIRUN32_GUEST),install -m 644 $(VMIRUN32_GUEST) $(DESTDIR)$(PKGLIBDIR)/i386/vmirun-guest.so)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@INCLUDEDIR@|$(call pc_rel,$(INCLUDEDIR))|g' \
		-e 's|@LIBDIR@|$(call pc_rel,$(LIBDIR))|g' -e 's|@PKGLIBDIR@|$(call pc_rel,$(PKGLIBDIR))|g' \
		-e 's|@VERSION@|$(INSTALL_VERSION)|g' packaging/vmipatch.pc.in \
		> $(DESTDIR)$(PKGCONFIGDIR)/vmipatch.pc && chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/vmipatch.pc
	$(if $(INSTALL_BINS),install -m 755 $(INSTALL_BINS) $(DESTDIR)$(BINDIR)/)
	$(if $(INSTALL_MANS),install -m 644 $(INSTALL_MANS) $(DESTDIR)$(MAN1DIR)/)
	install -m 644 completion/vmipatch.bash $(DESTDIR)$(BASHCOMPDIR)/vmipatch
	install -d $(DESTDIR)$(SCHEMADIR) && install -m 644 $(INSTALL_SCHEMAS) $(DESTDIR)$(SCHEMADIR)/
	$(foreach t,$(filter-out vmipatch,$(notdir $(INSTALL_BINS))),ln -sf vmipatch $(DESTDIR)$(BASHCOMPDIR)/$(t) && ) true

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(INSTALL_BINS))) \
		$(addprefix $(DESTDIR)$(MAN1DIR)/,$(notdir $(INSTALL_MANS))) \
		$(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(notdir $(INSTALL_BINS))) \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/vmi/,$(notdir $(INSTALL_HDRS))) \
		$(DESTDIR)$(LIBDIR)/libvmipatch.a $(DESTDIR)$(PKGCONFIGDIR)/vmipatch.pc \
		$(foreach a,$(INSTALL_ARCHES),$(addprefix $(DESTDIR)$(PKGLIBDIR)/$(a)/,libvmipatch.a patcher.bin vmirun-guest.so)) \
		$(addprefix $(DESTDIR)$(SCHEMADIR)/,$(notdir $(INSTALL_SCHEMAS)))
	rmdir $(DESTDIR)$(INCLUDEDIR)/vmi $(INSTALL_ARCHES:%=$(DESTDIR)$(PKGLIBDIR)/%) $(DESTDIR)$(PKGLIBDIR) \
		$(DESTDIR)$(SCHEMADIR) $(DESTDIR)$(dir $(SCHEMADIR)) 2>/dev/null || true

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(O) -path $(O)/linux -prune -o -name '*.d' -type f -print 2>/dev/null)
