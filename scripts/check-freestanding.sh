#!/bin/sh
# SPDX-License-Identifier: MIT
# check-freestanding.sh ARCH LIB BLOB BLOB_AT_OTHER_BASE
#
# Proves the freestanding core can run anywhere without a loader:
#   1. every relocation in the loaded sections is PC-relative (an absolute
#      one would be wrong as soon as the code moves);
#   2. the objects linked together leave nothing undefined (no libc);
#   3. no object has writable data (.data/.bss): the core holds no state;
#   4. patcher.bin linked at two bases is byte-identical.
# Each failure names the object and, for relocations, the symbol.
set -eu
arch=$1 lib=$2 blob=$3 blob2=$4
case $arch in
i386) ok='R_386_PC32|R_386_PLT32|R_386_GOTPC|R_386_GOTOFF' emu=elf_i386 und='_GLOBAL_OFFSET_TABLE_' ;;
x86_64) ok='R_X86_64_PC32|R_X86_64_PLT32' emu=elf_x86_64 und='' ;;
*) echo "check-freestanding: unknown arch $arch" >&2; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
case $lib in /*) ;; *) lib=$PWD/$lib ;; esac
(cd "$tmp" && ar x "$lib")
for o in "$tmp"/*.o; do
	name=$(basename "$o")
	# Relocations of non-allocated sections (.debug_*) never reach memory.
	bad=$(readelf -rW "$o" | awk -v ok="^($ok)\$" '
		/^Relocation section/ { sec = $3; gsub(/\047/, "", sec); next }
		sec ~ /\.debug|\.comment/ { next }
		NF >= 3 && $3 ~ /^R_/ && $3 !~ ok { print sec ": " $3 " against " ($5 == "" ? "(section)" : $5) }')
	if [ -n "$bad" ]; then
		echo "check-freestanding: $arch/$name: absolute relocation(s):" >&2
		echo "$bad" | sed 's/^/    /' >&2
		fail=1
	fi
	# Allocated + writable sections with any size: mutable state.
	wr=$(readelf -SW "$o" | sed 's/^ *\[ *[0-9]*\] *//' | awk '
		$1 ~ /^\./ && $0 ~ / WA/ && $5 !~ /^0+$/ { print $1 " (0x" $5 " bytes)" }')
	if [ -n "$wr" ]; then
		echo "check-freestanding: $arch/$name: writable data: $(echo $wr)" >&2
		fail=1
	fi
done
ld -m "$emu" -r -o "$tmp/all.o" "$tmp"/*.o
undef=$(nm -u "$tmp/all.o" | awk '{print $2}' | grep -vxE "${und:-^$}" || true)
if [ -n "$undef" ]; then
	echo "check-freestanding: $arch: undefined symbols after ld -r: $(echo $undef)" >&2
	fail=1
fi
if ! cmp -s "$blob" "$blob2"; then
	echo "check-freestanding: $arch: $blob and $blob2 (linked at another base) differ:" >&2
	cmp -l "$blob" "$blob2" | head -5 >&2 || true
	fail=1
fi
if [ "$fail" = 0 ]; then
	echo "check-freestanding: $arch: $(ls "$tmp"/*.o | wc -l) objects PC-relative only, nothing undefined, no writable data; $(basename "$blob") $(wc -c < "$blob") bytes, identical at two bases"
fi
exit "$fail"
