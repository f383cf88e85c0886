# tests/fuzz: libFuzzer targets (clang, ASan + UBSan) built in their own
# directory from the core SOURCES (not $(LIB_HOST), which may be gcc-built).
#   make fuzz FUZZ_SECONDS=N   run every target N seconds
#   check-fuzz                 replay tests/fuzz/regressions, then a short
#                              run of each target (FUZZ_CHECK_SECONDS)
# A crash copies the input to tests/fuzz/regressions/<target>/ and fails.
# AFL++: see tests/fuzz/README.md.

FUZZ_CC ?= clang
FUZZ_O ?= build-fuzz
FUZZ_CHECK_SECONDS ?= 10
FUZZ_ENGINE ?= -fsanitize=fuzzer
FUZZ_CFLAGS := $(STD) -Wall -Wextra -Iinclude -Ibench -Itests/unit -Itests/fuzz -D_GNU_SOURCE \
	-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_NOLINK := $(FUZZ_ENGINE:fuzzer=fuzzer-no-link)

# fuzz_elf links the tools' ELF and ROM input paths (tools/common) when
# they exist, with Zydis (reading a ROM decodes its inline stubs); not
# Capstone, which only the listings use.
FUZZ_ELF_SRCS := $(filter-out tools/common/disasm.c,$(sort $(wildcard tools/common/*.c)))
FUZZ_ELF_OBJS := $(patsubst %.c,$(FUZZ_O)/obj/%.o,$(FUZZ_ELF_SRCS))
FUZZ_ELF_LIBS := $(ELF_LIBS) $(ZYDIS_LIBS)
FUZZ_NAMES := fuzz_rom fuzz_annotations $(if $(wildcard tools/common/toolplan.h),fuzz_elf)
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_O)/%)
FUZZ_HELPER_SRCS := bench/synth.c tests/unit/helpers/romgen.c
FUZZ_OBJS := $(patsubst %.c,$(FUZZ_O)/obj/%.o,$(CORE_SRCS) $(FUZZ_HELPER_SRCS))
FUZZ_HAVE_CC := $(shell command -v $(FUZZ_CC) 2>/dev/null)

$(FUZZ_O)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_NOLINK) -MMD -MP -c $< -o $@

$(FUZZ_O)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_ENGINE) -o $@ $< $(FUZZ_OBJS)

$(FUZZ_O)/fuzz_elf: tests/fuzz/fuzz_elf.c tests/fuzz/fuzz_common.h $(FUZZ_OBJS) $(FUZZ_ELF_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools/common $(FUZZ_ENGINE) -o $@ $< $(FUZZ_OBJS) $(FUZZ_ELF_OBJS) \
		$(FUZZ_ELF_LIBS)

$(FUZZ_O)/obj/tools/common/%.o: tools/common/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools/common $(FUZZ_NOLINK) -MMD -MP -c $< -o $@

# Seed corpora, generated: each target writes its synthetic seeds; the
# sample ROMs and images join when they have been built.
$(FUZZ_O)/seeds/%/.done: $(FUZZ_O)/%
	@rm -rf $(@D) && mkdir -p $(@D)
	@VMI_FUZZ_SEEDS=$(@D) $<
	@sh tests/fuzz/extra_seeds.sh $* $(@D) $(O)
	@touch $@

FUZZ_TARGETS += fuzz-run
CHECK_TARGETS += check-fuzz
.PHONY: fuzz-run check-fuzz fuzz-build

fuzz-build: $(FUZZ_BINS) $(FUZZ_NAMES:%=$(FUZZ_O)/seeds/%/.done)

fuzz-run:
	@if [ -z "$(FUZZ_HAVE_CC)" ]; then echo "fuzz: skipped: $(FUZZ_CC) not installed"; exit 0; fi; \
	$(MAKE) --no-print-directory fuzz-build && \
	sh tests/fuzz/run.sh $(FUZZ_O) $(FUZZ_SECONDS) $(FUZZ_NAMES)

check-fuzz:
	@if [ -z "$(FUZZ_HAVE_CC)" ]; then echo "check-fuzz: skipped: $(FUZZ_CC) not installed"; exit 0; fi; \
	$(MAKE) --no-print-directory fuzz-build && \
	sh tests/fuzz/run.sh $(FUZZ_O) $(FUZZ_CHECK_SECONDS) $(FUZZ_NAMES)

-include $(shell find $(FUZZ_O)/obj -name '*.d' 2>/dev/null)
