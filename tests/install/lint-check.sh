#!/bin/sh
# tests/install/lint-check.sh - vmilint as a build step (docs/vmilint-build.md):
#   - exit codes of --fail-on error|warning|none and --strict
#   - file:line: severity: lines from DWARF; IMAGE:0xADDR without it
#   - --write-baseline / --baseline: only new findings print and fail;
#     stale entries are counted
#   - relocatable objects: vmilint on each .o of the sample guest reports
#     exactly the findings (symbol, mnemonic, source line) it reports on
#     the linked image, and none inside annotated sites (relocations applied)
#   - object kinds it cannot read get their own message
# Environment: VMILINT, GUEST (linked x86-64 sample guest), CLEAN (clean
# variant), OBJS (the guest's objects, both arches), W (scratch dir).
set -eu
: "${VMILINT:?}" "${GUEST:?}" "${CLEAN:?}" "${OBJS:?}" "${W:?}"
fail() { echo "lint-check: FAIL: $*" >&2; exit 1; }
rm -rf "$W" && mkdir -p "$W"
n=0
ok() { n=$((n + 1)); }
run() { rc=0; "$VMILINT" "$@" >"$W/out" 2>"$W/err" || rc=$?; }
json() { python3 -c "import json,sys; d=json.load(open('$W/out')); print($1)"; }

# exit codes: the guest has sensitive findings (errors), no privileged ones
run --json "$GUEST"; [ $rc = 0 ] || fail "default exit $rc"
nerr=$(json 'sum(f["severity"]=="error" for f in d["findings"])')
nwarn=$(json 'sum(f["severity"]=="warning" for f in d["findings"])')
[ "$nerr" -gt 0 ] || fail "the sample guest has no error findings"
json 'all((f["severity"]=="error")==(f["kind"]=="sensitive") for f in d["findings"])' | grep -qx True ||
	fail "severity does not follow kind"
for sev in error warning; do
	run --fail-on $sev "$GUEST"; [ $rc = 4 ] || fail "--fail-on $sev exit $rc"
	[ "$(wc -l <"$W/err")" = 1 ] && grep -q "$GUEST" "$W/err" || fail "--fail-on $sev stderr: $(cat "$W/err")"
	ok
done
run --fail-on none "$GUEST"; [ $rc = 0 ] || fail "--fail-on none exit $rc"
run --strict "$GUEST"; [ $rc = 4 ] || fail "--strict exit $rc"
run --fail-on warning "$CLEAN"; [ $rc = 0 ] || fail "--fail-on warning on the clean guest exit $rc"
run --fail-on bogus "$GUEST"; [ $rc = 2 ] && grep -q -- --fail-on "$W/err" || fail "--fail-on bogus: $rc"
ok

# file:line: severity: one line per finding, the line from DWARF matches addr2line
run "$GUEST"
nl=$(grep -cE '^[^ :]+:[0-9]+: (error|warning): ' "$W/out" || true)
[ "$nl" = $((nerr + nwarn)) ] || fail "$nl file:line lines for $((nerr + nwarn)) findings: $(cat "$W/out")"
run --json "$GUEST"
json '"\n".join("%s %s:%d" % (f["addr"], f["file"], f["line"]) for f in d["findings"])' >"$W/lines"
while read -r addr where; do
	a2l=$(addr2line -e "$GUEST" "$addr" | sed 's/ (discriminator.*//')
	case $a2l in *"$where") ;; *) fail "vmilint places $addr at $where, addr2line at $a2l" ;; esac
done <"$W/lines"
strip -g -o "$W/nodebug.elf" "$GUEST"
"$VMILINT" "$W/nodebug.elf" >"$W/out" || true
nl=$(grep -cE "^$W/nodebug.elf:0x[0-9a-f]+: (error|warning): " "$W/out" || true)
[ "$nl" = $((nerr + nwarn)) ] || fail "without DWARF: $nl IMAGE:0xADDR lines for $((nerr + nwarn)) findings"
ok

# baseline: accept all, then one finding more than accepted fails
run --write-baseline "$W/base" "$GUEST"; [ $rc = 0 ] || fail "--write-baseline exit $rc"
[ "$(grep -vc '^#' "$W/base")" = $((nerr + nwarn)) ] || fail "baseline has not one line per finding"
run --baseline "$W/base" --fail-on warning "$GUEST"
[ $rc = 0 ] || fail "--baseline of every finding still exits $rc"
! grep -qE ': (error|warning): ' "$W/out" || fail "accepted findings are printed: $(cat "$W/out")"
grep -v '^#' "$W/base" | sed 1d >"$W/base-1"
run --baseline "$W/base-1" --fail-on warning --json "$GUEST"
[ $rc = 4 ] || fail "a finding missing from the baseline does not fail ($rc)"
[ "$(json 'd["summary"]["new"]')" = 1 ] || fail "new findings: $(json 'd["summary"]')"
{ cat "$W/base"; echo "no_such_function sgdt"; } >"$W/base+1"
run --baseline "$W/base+1" --json "$GUEST"
[ "$(json 'd["baseline"]["stale"]')" = 1 ] || fail "stale entries: $(json 'd["baseline"]')"
echo "just-one-word" >"$W/bad-base"
run --baseline "$W/bad-base" "$GUEST"
[ $rc = 1 ] && grep -q "bad-base: line 1" "$W/err" || fail "a malformed baseline: $rc $(cat "$W/err")"
ok

# relocatable objects: the same findings as the linked image, object by object
run --json "$GUEST"
json '"\n".join(sorted("%s %s %s:%d" % (f["symbol"], f["mnemonic"], f["file"], f["line"]) for f in d["findings"]))' \
	>"$W/linked"
: >"$W/objs"
for o in $OBJS; do
	case $o in */x86_64/*) ;; *) continue ;; esac
	run --json "$o"; [ $rc = 0 ] || fail "vmilint $o exit $rc: $(cat "$W/err")"
	[ "$(json 'd["object"] and d["relocations"] > 0')" = True ] || fail "$o: not read as a relocated object"
	json '"\n".join("%s %s %s:%d" % (f["symbol"], f["mnemonic"], f["file"], f["line"]) for f in d["findings"])' \
		| sed '/^$/d' >>"$W/objs"
done
sort -o "$W/objs" "$W/objs"
cmp -s "$W/linked" "$W/objs" || fail "objects' findings differ from the linked image's: $(diff "$W/linked" "$W/objs")"
for o in $OBJS; do
	case $o in */i386/*) run --fail-on error "$o"; [ $rc = 0 ] || [ $rc = 4 ] || fail "i386 $o: exit $rc" ;; esac
done
ok

# object kinds vmilint cannot read
ar rc "$W/lib.a" $(echo "$OBJS" | tr ' ' '\n' | head -1)
run "$W/lib.a"; [ $rc = 1 ] && grep -q "ar archive" "$W/err" || fail "archive: $rc $(cat "$W/err")"
printf 'BC\300\336rest' >"$W/bitcode.o"
run "$W/bitcode.o"; [ $rc = 1 ] && grep -q "LLVM bitcode" "$W/err" || fail "bitcode: $rc $(cat "$W/err")"
echo 'int f(void) { return 1; }' >"$W/lto.c"
if cc -flto -fno-fat-lto-objects -c -o "$W/lto.o" "$W/lto.c" 2>/dev/null; then
	run "$W/lto.o"; [ $rc = 1 ] && grep -q "LTO object" "$W/err" || fail "LTO object: $rc $(cat "$W/err")"
fi
ok
# the make snippet of docs/vmilint-build.md, as written there
mkdir -p "$W/snippet"
sed -n '/^## Make snippet/,/^```$/p' docs/vmilint-build.md | sed '1,/^```make$/d; $d' >"$W/snippet/Makefile"
grep -q vmilint "$W/snippet/Makefile" || fail "no make snippet in docs/vmilint-build.md"
inc=$(pwd)/include
cat >"$W/snippet/a.c" <<'EOC'
#include <vmi/guest.h>
VMI_GUEST_NOTE(1, 0);
void _start(void);
void b(void);
void _start(void) { for (;;) { vmi_cli(); b(); } }
EOC
cat >"$W/snippet/b.c" <<'EOC'
volatile unsigned long sink;
void b(void);
void b(void)
{
	unsigned long f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	sink = f;
}
EOC
mk() { make -s -C "$W/snippet" VMILINT="$(cd "$(dirname "$VMILINT")" && pwd)/vmilint" OBJS="a.o b.o" LD="cc -nostdlib -static -Wl,--build-id=none" \
	CFLAGS="-O2 -ffreestanding -fno-pie -mgeneral-regs-only -I$inc" "$@" >"$W/snippet/log" 2>&1; }
rc=0; mk vmlinux || rc=$?
[ $rc != 0 ] || fail "the snippet's build passes with a raw pushfq in b.c"
grep -q '^b.c:6: error: sensitive instruction .pushfq' "$W/snippet/log" || fail "snippet: $(cat "$W/snippet/log")"
[ ! -e "$W/snippet/vmlinux" ] || fail "the snippet linked vmlinux after a failing object"
"$VMILINT" --write-baseline "$W/snippet/vmilint.baseline" "$W/snippet/b.o" >/dev/null
rm -f "$W/snippet/b.o"
mk vmlinux || fail "the snippet's build fails with the finding in the baseline: $(cat "$W/snippet/log")"
[ -x "$W/snippet/vmlinux" ] || fail "the snippet did not link vmlinux"
ok
echo "lint-check: ok ($n groups: exit codes, file:line, baseline, relocatable objects, object kinds, the make snippet of docs/vmilint-build.md)"
