# tests/stress: live re-patching under load (CHECK target check-stress).
#   - poke_stress: threads (one per online CPU, at least 2) run 16 sites in
#     an RWX page while the main thread flips them between two forms 10,000
#     times through vmi_poke_batch (int3 protocol, membarrier SYNC_CORE as
#     the sync, SIGTRAP handler via vmi_poke_trap_target); every execution
#     must be counted once and nothing may crash. A forked negative control
#     flips with plain copies and is expected to break. x86-64 hosts only
#     (skips elsewhere); about 2-5 s, also with SAN=1.
STRESS_DIR := $(O)/tests/stress
STRESS_POKE := $(STRESS_DIR)/poke_stress

$(STRESS_POKE): tests/stress/poke_stress.c $(LIB_HOST) include/vmi/poke.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -pthread -o $@ $< $(LIB_HOST) $(HOST_LDFLAGS) -pthread

ALL_TARGETS += $(STRESS_POKE)
CHECK_TARGETS += check-stress
.PHONY: check-stress
check-stress: $(STRESS_POKE)
	$(STRESS_POKE)
