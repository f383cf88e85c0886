#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/roms/check.sh - black-box checks of mkrom and the built ROMs.
# Environment (from tests/roms/module.mk): MKROM ROMS_DIR CC WORK
# ROM_CFLAGS_i386 ROM_CFLAGS_x86_64.
set -u
fails=0
pass() { :; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1

# Independent of the loader: signature, length byte * 512 == file size, byte sum 0, magic.
raw_ok() {
	python3 - "$1" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
ok = len(b) >= 64 and b[0:2] == b'\x55\xaa' and b[2] * 512 == len(b) and sum(b) % 256 == 0 \
    and b[8:12] == b'VMI!' and b[3] == 0xcb
sys.exit(0 if ok else 1)
PY
}

# ---- every good ROM validates, for the arch in its name ----
for arch in i386 x86_64; do
	for name in native vmware-like xen-like hvm old-minor new-minor wrong-major; do
		rom="$ROMS_DIR/$name-$arch.rom"
		out=$("$MKROM" --info "$rom" 2>&1) || { bad "$rom does not validate: $out"; continue; }
		echo "$out" | grep -q "arch $arch," || bad "$rom: arch is not $arch"
		raw_ok "$rom" || bad "$rom: raw layout/checksum check failed"
		case $name in
		old-minor) echo "$out" | grep -q "interface 1.0," || bad "$rom: not minor 0"
			echo "$out" | grep -qE "SetDeferredMode|SetPxELong|APICRead" && bad "$rom: lists a call newer than minor 0";;
		new-minor) echo "$out" | grep -q "interface 1.9," || bad "$rom: not minor 9"
			for id in 125 126 127; do
				echo "$out" | grep -qE "^ +$id +\(unknown\) +call" || bad "$rom: call $id missing"
			done;;
		wrong-major) echo "$out" | grep -q "interface 2.3," || bad "$rom: not major 2";;
		native) n=$(echo "$out" | grep -cE "^ +[0-9]+ +[A-Za-z]+ +ident ")
			[ "$n" -ge 60 ] || bad "$rom: only $n IDENT entries";;
		esac
	done
	# JSON agrees with the text on the call count.
	"$MKROM" --info --json "$ROMS_DIR/xen-like-$arch.rom" | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["arch"] in ("i386", "x86_64") and j["vendor"] == "xen-like", j
assert "locks" in j["feature_names"] and "apic" not in j["feature_names"], j
forms = {c["name"]: c["form"] for c in j["calls"]}
assert forms["SetPxELong"] == "call" and forms["IODelay"] == "nop" and forms["GetCycleFrequency"] == "inline", forms
' || bad "xen-like-$arch --json"
done

# ---- each corrupt ROM fails with its own status ----
for arch in i386 x86_64; do
	for pair in bad-checksum:VMI_E_ROM_CHECKSUM table-oob:VMI_E_ROM_TABLE_BOUNDS truncated:VMI_E_ROM_TRUNCATED; do
		rom="$ROMS_DIR/${pair%%:*}-$arch.rom"
		err=$("$MKROM" --info "$rom" 2>&1 >/dev/null); rc=$?
		[ $rc -eq 1 ] || bad "$rom: exit $rc, want 1"
		echo "$err" | grep -q "${pair#*:}" || bad "$rom: error does not name ${pair#*:}: $err"
		[ "$(echo "$err" | wc -l)" -eq 1 ] || bad "$rom: more than one error line"
	done
done

# ---- bad specs: one line naming file and problem, exit 1, no file ----
here=$(dirname "$0")
for src in "$here"/bad/*.c; do
	base=$(basename "$src" .c)
	for arch in i386 x86_64; do
		eval flags=\"\$ROM_CFLAGS_$arch\"
		obj="$WORK/$base-$arch.o"
		cexp=$(sed -n 's/.*expect-compile-error: //p' "$src" | sed 's| \*/$||')
		if [ -n "$cexp" ]; then
			# shellcheck disable=SC2086
			if $CC $flags -c "$src" -o "$obj" 2>"$WORK/cc.err"; then
				bad "$src ($arch) compiled"
			else
				grep -q "$cexp" "$WORK/cc.err" || bad "$src ($arch): compiler error does not name $cexp"
			fi
			continue
		fi
		# shellcheck disable=SC2086
		$CC $flags -c "$src" -o "$obj" || { bad "$src ($arch) does not compile"; continue; }
		abs=R_X86_64_64; [ $arch = i386 ] && abs=R_386_32
		exp=$(sed -n 's/.*expect: //p' "$src" | sed "s/R_@ABS@/$abs/; s| \*/$||")
		mkdir -p "$WORK/out-$base-$arch"
		rom="$WORK/out-$base-$arch/x.rom"
		"$MKROM" -o "$rom" "$obj" 2>"$WORK/err"; rc=$?
		[ $rc -eq 1 ] || bad "$src ($arch): exit $rc, want 1"
		[ "$(wc -l <"$WORK/err")" -eq 1 ] || bad "$src ($arch): not exactly one error line"
		grep -qF "mkrom: $obj: $exp" "$WORK/err" || bad "$src ($arch): got '$(cat "$WORK/err")', want '$exp'"
		[ -z "$(ls -A "$WORK/out-$base-$arch")" ] || bad "$src ($arch): left a file behind"
	done
done

# ---- a failed build leaves an existing output untouched ----
echo keep >"$WORK/keep.rom"
"$MKROM" -o "$WORK/keep.rom" "$WORK/dup_call-x86_64.o" 2>/dev/null
[ "$(cat "$WORK/keep.rom")" = keep ] || bad "failed build replaced an existing output"

# ---- exit codes of the command line ----
"$MKROM" >/dev/null 2>&1; [ $? -eq 2 ] || bad "no arguments: want exit 2"
"$MKROM" --bogus >/dev/null 2>&1; [ $? -eq 2 ] || bad "unknown option: want exit 2"
"$MKROM" --help >/dev/null 2>&1 || bad "--help failed"
"$MKROM" --version | grep -q "mkrom" || bad "--version"
"$MKROM" -o "$WORK/x.rom" "$WORK/does-not-exist.o" 2>/dev/null; [ $? -eq 3 ] || bad "missing input: want exit 3"
echo "not an object" >"$WORK/junk.o"
err=$("$MKROM" -o "$WORK/x.rom" "$WORK/junk.o" 2>&1); [ $? -eq 1 ] || bad "junk object: want exit 1"
echo "$err" | grep -q "junk.o: not an ELF file" || bad "junk object: $err"
err=$("$MKROM" --arch x86_64 -o "$WORK/x.rom" "$ROMS_DIR/obj/hvm-i386.o" 2>&1); [ $? -eq 1 ] || bad "--arch mismatch: want exit 1"
echo "$err" | grep -q "object is for i386, not for x86_64" || bad "--arch mismatch: $err"
[ ! -e "$WORK/x.rom" ] || bad "a failed build wrote x.rom"
head -c 300 "$ROMS_DIR/obj/vmware-like-x86_64.o" >"$WORK/cut.o"
"$MKROM" -o "$WORK/x.rom" "$WORK/cut.o" 2>/dev/null; [ $? -eq 1 ] || bad "truncated object: want exit 1"

# ---- hostile objects: seeded mutations of good ones ----
for arch in i386 x86_64; do
	python3 "$here/mutate.py" "$MKROM" "$ROMS_DIR/obj/xen-like-$arch.o" "$WORK" 150 7 ||
		bad "mutated $arch objects"
done

# ---- reproducible: compile and build again, compare bytes ----
for arch in i386 x86_64; do
	eval flags=\"\$ROM_CFLAGS_$arch\"
	for name in vmware-like xen-like; do
		# shellcheck disable=SC2086
		$CC $flags -c "roms/$name.c" -o "$WORK/re-$name-$arch.o" &&
			"$MKROM" --arch $arch -o "$WORK/re-$name-$arch.rom" "$WORK/re-$name-$arch.o" &&
			cmp -s "$WORK/re-$name-$arch.rom" "$ROMS_DIR/$name-$arch.rom" ||
			bad "$name-$arch.rom is not reproducible"
	done
done

if [ $fails -ne 0 ]; then
	echo "check-roms: $fails failure(s)"
	exit 1
fi
echo "check-roms: all ROM checks passed"
