# tests/valgrind: the tools under valgrind memcheck on sample inputs, on
# success and error paths. ASan and valgrind cannot share a process, so a
# SAN=1 build skips this group (ASan covers it there).
CHECK_TARGETS += check-valgrind
.PHONY: check-valgrind

ifneq ($(SAN),)
check-valgrind:
	@echo "check-valgrind: skipped: SAN=1 builds the tools with ASan, which cannot run under valgrind (ASan checks them instead)"
else
check-valgrind: $(O)/bench/synth-x86_64.rom
	@python3 tests/valgrind/run.py --o $(O) --rom $(O)/bench/synth-x86_64.rom
endif
