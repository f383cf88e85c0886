# bench/: benchmarks that print each figure next to a baseline measured in
# the same run (min/median over repetitions) and whether each target was
# met. A slow machine never fails the build: only a bench that cannot run
# does. Every bench prints RESULT| lines; bench-report turns them into
# $(O)/bench/RESULTS.md (the table bench/RESULTS.md and the README keep).

BENCH_DIR := $(O)/bench
BENCH_SYNTH := bench/synth.c tests/unit/helpers/romgen.c
BENCH_PATCH_HOST := $(BENCH_DIR)/patch_throughput
BENCH_PATCH_FS64 := $(BENCH_DIR)/patch_throughput_fs64

$(BENCH_PATCH_HOST): bench/patch_throughput.c $(BENCH_SYNTH) bench/synth.h $(LIB_HOST)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Ibench -Itests/unit -o $@ bench/patch_throughput.c $(BENCH_SYNTH) $(LIB_HOST) $(HOST_LDFLAGS)

# The same bench linked against the freestanding x86-64 build: the code
# that really runs at boot (no sanitizers, kernel flags), driven from a
# hosted main.
$(BENCH_PATCH_FS64): bench/patch_throughput.c $(BENCH_SYNTH) bench/synth.h $(LIB_x86_64)
	@mkdir -p $(@D)
	$(CC) $(STD) $(WARN) $(INC) -O2 -g -D_GNU_SOURCE -Ibench -Itests/unit -o $@ bench/patch_throughput.c \
		$(BENCH_SYNTH) $(LIB_x86_64)

$(BENCH_DIR)/synth_rom: bench/synth_rom.c $(BENCH_SYNTH) bench/synth.h $(LIB_HOST)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Ibench -Itests/unit -o $@ bench/synth_rom.c $(BENCH_SYNTH) $(LIB_HOST) $(HOST_LDFLAGS)

$(BENCH_DIR)/synth-%.rom: $(BENCH_DIR)/synth_rom
	$< $* $@

# Live re-patching (vmi/poke.h): int3 protocol vs plain memcpy.
BENCH_POKE := $(BENCH_DIR)/poke_latency
$(BENCH_POKE): bench/poke_latency.c $(LIB_HOST) include/vmi/poke.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ bench/poke_latency.c $(LIB_HOST) $(HOST_LDFLAGS)

ALL_TARGETS += $(BENCH_PATCH_HOST) $(BENCH_PATCH_FS64) $(BENCH_DIR)/synth_rom $(BENCH_POKE)

# Kernel-sized. Debian 12's linux-image-6.1.0-56-amd64 (6.1.192) has a
# .parainstructions section of 61,568 bytes = 3,848 paravirt patch sites
# (16-byte struct paravirt_patch_site), and 4,667 .altinstructions entries
# (12 bytes each): 8,515 runtime-patched sites. We run the measured
# paravirt count and 30,000, the issue's "tens of thousands" and 3.5x the
# kernel's whole runtime-patched set (see bench/RESULTS.md).
BENCH_KERNEL_SITES ?= 30000
BENCH_DISTRO_SITES ?= 3848

# $(call BENCH_RUN,command,log): run, show and append to log, keep the
# command's exit status (a pipe into tee would hide a bench that failed).
BENCH_RUN = $(1) > $(BENCH_DIR)/last.tmp; rc=$$?; cat $(BENCH_DIR)/last.tmp; \
	cat $(BENCH_DIR)/last.tmp >> $(2); exit $$rc

BENCH_TARGETS += bench-patch bench-offline bench-poke bench-report
.PHONY: bench-patch bench-offline bench-poke bench-report

bench-patch: $(BENCH_PATCH_HOST) $(BENCH_PATCH_FS64)
	@mkdir -p $(BENCH_DIR)
	@rm -f $(BENCH_DIR)/patch.out
	@echo "== boot-time patching, 1,000,000 sites (host build of the core)"
	@$(call BENCH_RUN,$(BENCH_PATCH_HOST) --sites 1000000 --reps 7 --label "boot 1M (host lib)" \
		--max-ns-per-site 10 --max-ratio 4,$(BENCH_DIR)/patch.out)
	@echo "== boot-time patching, 1,000,000 sites (freestanding x86-64 core)"
	@$(call BENCH_RUN,$(BENCH_PATCH_FS64) --sites 1000000 --reps 7 --label "boot 1M (freestanding lib)" \
		--max-ns-per-site 10 --max-ratio 4,$(BENCH_DIR)/patch.out)
	@echo "== boot-time patching, 1,000,000 sites, caches evicted before each run (freestanding x86-64 core)"
	@$(call BENCH_RUN,$(BENCH_PATCH_FS64) --sites 1000000 --reps 7 --cold --label "boot 1M cold (freestanding lib)" \
		--max-ns-per-site 10 --max-ratio 4,$(BENCH_DIR)/patch.out)
	@echo "== distribution kernel: $(BENCH_DISTRO_SITES) sites, plan + apply (freestanding x86-64 core)"
	@$(call BENCH_RUN,$(BENCH_PATCH_FS64) --sites $(BENCH_DISTRO_SITES) --reps 51 --label "Debian 6.1 kernel $(BENCH_DISTRO_SITES)" \
		--max-total-us 500,$(BENCH_DIR)/patch.out)
	@echo "== kernel-sized: $(BENCH_KERNEL_SITES) sites, plan + apply (freestanding x86-64 core)"
	@$(call BENCH_RUN,$(BENCH_PATCH_FS64) --sites $(BENCH_KERNEL_SITES) --reps 51 --label "kernel $(BENCH_KERNEL_SITES)" \
		--max-total-us 500,$(BENCH_DIR)/patch.out)

bench-offline: $(BENCH_DIR)/synth-x86_64.rom
	@rm -f $(BENCH_DIR)/offline.out
	@$(call BENCH_RUN,python3 bench/offline.py --o $(O) --rom $(BENCH_DIR)/synth-x86_64.rom,$(BENCH_DIR)/offline.out)

bench-poke: $(BENCH_POKE)
	@mkdir -p $(BENCH_DIR)
	@rm -f $(BENCH_DIR)/poke.out
	@echo "== live re-patching: int3 protocol (3 syncs) vs plain memcpy, 1k and 100k sites"
	@$(call BENCH_RUN,$(BENCH_POKE) --sites 1000 --reps 51,$(BENCH_DIR)/poke.out)
	@$(call BENCH_RUN,$(BENCH_POKE) --sites 100000 --reps 11,$(BENCH_DIR)/poke.out)

bench-report:
	@CC="$(CC)" sh bench/report.sh $(BENCH_DIR) > $(BENCH_DIR)/RESULTS.md
	@echo "bench: results table in $(BENCH_DIR)/RESULTS.md"
