#!/bin/sh
# tests/fuzz/extra_seeds.sh TARGET SEEDDIR O - add the project's real
# inputs to a generated seed corpus: the sample ROMs for the ROM target,
# the sample guest images and small generated images for the ELF target,
# and for both the bad-input corpus's broken files.
# Inputs that are not built yet are simply not added.
set -eu
t=$1; dir=$2; o=$3
case $t in
fuzz_rom)
	for f in "$o"/roms/*.rom; do [ -f "$f" ] && cp "$f" "$dir/"; done
	# and the bad-input corpus's broken ROMs (tests/badinput)
	python3 tests/badinput/run.py --o "$o" --emit rom "$dir" >/dev/null
	;;
fuzz_elf)
	for f in "$o"/guest/*.elf; do [ -f "$f" ] && cp "$f" "$dir/"; done
	python3 bench/gen_image.py --arch x86_64 --sites 24 --text-kib 1 -o "$dir/gen-x86_64.elf"
	python3 bench/gen_image.py --arch i386 --sites 24 --text-kib 1 -o "$dir/gen-i386.elf"
	python3 tests/badinput/run.py --o "$o" --emit elf "$dir" >/dev/null
	;;
esac
exit 0
