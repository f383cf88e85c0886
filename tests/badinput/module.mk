# tests/badinput: a corpus of broken images and ROMs generated at test time
# from the good ones; every tool that accepts a file must reject it with a
# non-zero exit, one stderr line naming it, and nothing written. A plain
# build also runs one base of each kind under valgrind memcheck; a SAN=1
# build runs the whole corpus with ASan + UBSan in the tools.
CHECK_TARGETS += check-badinput
.PHONY: check-badinput

# The tools are prerequisites: under -j the run must not start while one is
# still being linked (it would run none of it, or a half-written binary).
check-badinput: $(O)/bench/synth-x86_64.rom $(O)/bench/synth-i386.rom \
		$(vmipatch_BIN) $(vmidump_BIN) $(vmilint_BIN) $(mkrom_BIN)
	@python3 tests/badinput/run.py --o $(O) --rom $(O)/bench/synth-x86_64.rom \
		--rom32 $(O)/bench/synth-i386.rom $(if $(SAN),,--valgrind)
