# tests/faultinject: make each step of vmipatch's atomic write fail (an
# LD_PRELOAD shim) and impose RLIMIT_FSIZE; the input must stay intact and
# no partial output may remain. The shim is built without sanitizers so it
# can be preloaded into an ASan build too.
FAULT_SHIM := $(O)/tests/faultinject/libvmifault.so

$(FAULT_SHIM): tests/faultinject/shim.c
	@mkdir -p $(@D)
	$(CC) $(STD) $(WARN) -O2 -g -fPIC -shared -o $@ $< -ldl

ALL_TARGETS += $(FAULT_SHIM)
CHECK_TARGETS += check-faultinject
.PHONY: check-faultinject

check-faultinject: $(FAULT_SHIM) $(O)/bench/synth-x86_64.rom
	@python3 tests/faultinject/run.py --o $(O) --shim $(FAULT_SHIM) --rom $(O)/bench/synth-x86_64.rom
