# tests/badinput: a corpus of broken images and ROMs generated at test time
# from the good ones; every tool that accepts a file must reject it with a
# non-zero exit, one stderr line naming it, and nothing written.
CHECK_TARGETS += check-badinput
.PHONY: check-badinput

check-badinput: $(O)/bench/synth-x86_64.rom $(O)/bench/synth-i386.rom
	@python3 tests/badinput/run.py --o $(O) --rom $(O)/bench/synth-x86_64.rom \
		--rom32 $(O)/bench/synth-i386.rom
