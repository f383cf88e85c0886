#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run.sh - boot the end-to-end guest under QEMU (TCG, SeaBIOS) once per case
# and judge each run from its exit status and serial output.
#
# usage: run.sh GUEST ROMDIR LOGDIR [PREPATCHED]
#        run.sh --demo GUEST ROMDIR
#   GUEST       the tests/e2e guest (ELF32 multiboot kernel)
#   ROMDIR      directory holding the <name>-$E2E_ARCH.rom sample ROMs
#   LOGDIR      where each case's serial log goes (<case>.log)
#   PREPATCHED  the same guest patched offline by vmipatch for vmware-like;
#               without it the pre-patched cases fail with a message
#   --demo      one boot with vmware-like, serial output on stdout
# Environment: E2E_ARCH (i386 | x86_64: which guest, ROMs and QEMU),
# E2E_TIMEOUT (seconds per boot, default 20), QEMU_I386, QEMU_X86_64.
#
# A run passes only if QEMU exits with status 33 (the guest wrote 0x10 to
# isa-debug-exit), the log says "RESULT: PASS" and every expectation of the
# case matches. Status 0 means a triple fault (-no-reboot), 124 a hang.
# Exit status: 0 every case passed, 1 a case failed, 2 usage/setup error.
set -u

QEMU_I386=${QEMU_I386:-qemu-system-i386}
QEMU_X86_64=${QEMU_X86_64:-qemu-system-x86_64}
E2E_TIMEOUT=${E2E_TIMEOUT:-20}
E2E_ARCH=${E2E_ARCH:-i386}
case $E2E_ARCH in
i386) qemu_main=$QEMU_I386 ;;
x86_64) qemu_main=$QEMU_X86_64 ;; # long mode needs the 64-bit QEMU
*) echo "run.sh: E2E_ARCH=$E2E_ARCH: i386 or x86_64" >&2; exit 2 ;;
esac

vmi_e2e_qemu() { # QEMU MACHINE IMAGE ROM APPEND SERIAL [EXTRA...]
	local qemu=$1 machine=$2 image=$3 rom=$4 append=$5 serial=$6
	shift 6
	local romarg=()
	[ -n "$rom" ] && romarg=(-option-rom "$rom")
	timeout "$E2E_TIMEOUT" "$qemu" -machine "$machine" -accel tcg -display none -serial "$serial" \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" \
		-kernel "$image" "${romarg[@]}" -append "$append" </dev/null
}

if [ "${1:-}" = "--demo" ]; then
	[ $# -eq 3 ] || { echo "usage: $0 --demo GUEST ROMDIR" >&2; exit 2; }
	vmi_e2e_qemu "$qemu_main" pc "$2" "$3/vmware-like-$E2E_ARCH.rom" "" stdio | tr -d '\r'
	rc=${PIPESTATUS[0]}
	echo "qemu exit status $rc ($([ "$rc" = 33 ] && echo pass || echo FAIL))"
	[ "$rc" = 33 ]
	exit $?
fi

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	echo "usage: $0 GUEST ROMDIR LOGDIR [PREPATCHED]" >&2
	exit 2
fi
guest=$1 romdir=$2 logdir=$3 prepatched=${4:-}
[ -f "$guest" ] || { echo "run.sh: $guest: no such guest image" >&2; exit 2; }
command -v "$qemu_main" >/dev/null || { echo "run.sh: $qemu_main not found (scripts/deps.sh installs qemu-system-x86)" >&2; exit 2; }
mkdir -p "$logdir" || exit 2

failed=0 total=0 xfails=0

# expect LOG EXPECT... -> prints why the first unmet expectation fails
vmi_e2e_expect() {
	local log=$1 e
	shift
	for e in "$@"; do
		case $e in
		!*) ! grep -Eq -- "${e#!}" "$log" || { echo "unexpected line matching /${e#!}/"; return; } ;;
		*) grep -Eq -- "$e" "$log" || { echo "expected a line matching /$e/"; return; } ;;
		esac
	done
}

# case NAME IMAGE ROM APPEND MACHINE QEMU EXPECT... : EXPECT are extended
# regexps that must each match a line of the serial log; one starting with
# '!' must match none. want_rc/want_result (set for one call) turn a case
# into a negative control that must end in that status and RESULT; xfail
# marks a case that fails because of a known bug elsewhere (not counted).
vmi_e2e_case() {
	local name=$1 image=$2 rom=$3 append=$4 machine=$5 qemu=$6
	shift 6
	local log=$logdir/$name.log why="" rc
	total=$((total + 1))
	if [ "$image" = "-" ]; then
		why="no pre-patched image: tools/vmipatch was not built"
	elif [ -n "$rom" ] && [ ! -f "$romdir/$rom-$E2E_ARCH.rom" ]; then
		why="$romdir/$rom-$E2E_ARCH.rom: no such ROM"
	fi
	if [ -z "$why" ]; then
		local extra=()
		[ "$machine" = nodefaults ] && { machine=pc; extra=(-nodefaults); }
		rm -f "$log"
		vmi_e2e_qemu "$qemu" "$machine" "$image" "${rom:+$romdir/$rom-$E2E_ARCH.rom}" "$append" \
			"file:$log.raw" "${extra[@]}" >"$log.qemu" 2>&1
		rc=$?
		tr -d '\r' <"$log.raw" >"$log" 2>/dev/null
		rm -f "$log.raw"
		if [ "${want_rc:-33}" != 33 ]; then
			# a negative control: the guest must detect the planted fault
			[ "$rc" = "$want_rc" ] || why="QEMU exit status $rc, want $want_rc (a planted fault went unnoticed)"
			rc=33
		fi
		case $rc in
		33) ;;
		0) why="QEMU exit status 0: triple fault or reset" ;;
		124) why="timed out after ${E2E_TIMEOUT}s: the guest hung" ;;
		3) why="the guest reported FAIL" ;;
		*) why="QEMU exit status $rc: $(head -c 200 "$log.qemu")" ;;
		esac
		[ -z "$why" ] && ! grep -qx "RESULT: ${want_result:-PASS}" "$log" && why="no 'RESULT: ${want_result:-PASS}' line"
		[ -z "$why" ] && why=$(vmi_e2e_expect "$log" "$@")
	fi
	local dec xf=${xfail:-}
	if [ -n "$xf" ]; then
		# A known bug outside tests/e2e: not counted as long as the run fails
		# exactly the known way (one failed check, the one xfail_check names);
		# loud when it goes away.
		if [ -z "$why" ]; then
			printf 'e2e: %-31s XPASS known bug gone (%s): drop the xfail in tests/e2e/run.sh\n' \
				"$E2E_ARCH/$name" "$xf"
			return
		fi
		if [ "$(grep -c '^check FAILED' "$log")" = 1 ] && grep -qF "check FAILED: $xfail_check" "$log" &&
			grep -qx 'RESULT: FAIL' "$log" && ! grep -q 'differ from the plan' "$log" &&
			[ -z "$(vmi_e2e_expect "$log" "$@")" ]; then
			xfails=$((xfails + 1))
			printf 'e2e: %-31s XFAIL known: %s\n' "$E2E_ARCH/$name" "$xf"
			return
		fi
		why="$why (and not only the known failure)"
	fi
	dec=$(sed -n 's/^decisions: sites \([0-9]*\) \(.*\)$/sites \1: \2/p' "$log" 2>/dev/null | head -1)
	if [ -z "$why" ]; then
		printf 'e2e: %-31s PASS  (%s)\n' "$E2E_ARCH/$name" "$dec"
	else
		failed=$((failed + 1))
		printf 'e2e: %-31s FAIL  %s\n' "$E2E_ARCH/$name" "$why"
		[ -f "$log" ] && tail -n 15 "$log" | sed 's/^/    | /'
	fi
}

ALL_IDENT='^decisions: sites [1-9][0-9]* call 0 inline 0 nop 0 ident [1-9]'
SOME_CALL='^decisions: sites [0-9]+ call [1-9]'
COUNTED='^counters: total [1-9]'
FOUND='^rom: [A-Za-z]'
NOT_PRE='^prepatched: 0$'
NONE='^rom: none'

i=$qemu_main
vmi_e2e_case no-rom "$guest" "" "" pc "$i" "$NONE" "$ALL_IDENT" '^reasons: no-rom=' "$NOT_PRE"
vmi_e2e_case native "$guest" native "" pc "$i" "$FOUND" "$ALL_IDENT" '^vmi-init: ok' "$NOT_PRE"
vmi_e2e_case vmware-like "$guest" vmware-like "" pc "$i" "$FOUND" "$SOME_CALL" "$COUNTED" "$NOT_PRE" \
	'^deferred: [1-9][0-9]* queued before flush' '^decisions: .* inline [1-9]' '^cycle-hz: 2000000000 \(long site\)'
vmi_e2e_case xen-like "$guest" xen-like "" pc "$i" "$FOUND" "$SOME_CALL" "$COUNTED" "$NOT_PRE"
vmi_e2e_case hvm "$guest" hvm "" pc "$i" "$FOUND" '^vmi-init: ok' "$NOT_PRE"
vmi_e2e_case old-minor "$guest" old-minor "" pc "$i" "$FOUND" 'rom-minor-too-old=[1-9]' "$SOME_CALL" "$COUNTED" "$NOT_PRE"
vmi_e2e_case new-minor "$guest" new-minor "" pc "$i" "$FOUND" "$SOME_CALL" "$COUNTED" "$NOT_PRE"
vmi_e2e_case wrong-major "$guest" wrong-major "" pc "$i" "$FOUND" "$ALL_IDENT" '^reasons: rom-major=[0-9]+$'
vmi_e2e_case bad-checksum "$guest" bad-checksum "" pc "$i" "$NONE" "$ALL_IDENT"
vmi_e2e_case table-oob "$guest" table-oob "" pc "$i" '^rom: none \(candidate at 0x[0-9a-f]+ rejected: VMI_E_ROM_TABLE_BOUNDS' "$ALL_IDENT"
vmi_e2e_case truncated "$guest" truncated "" pc "$i" "$NONE" "$ALL_IDENT"
vmi_e2e_case policy-ident "$guest" vmware-like "vmi=ident" pc "$i" "$FOUND" "$ALL_IDENT" '^reasons: policy=[0-9]+$'
vmi_e2e_case policy-mixed "$guest" vmware-like "vmi=ident:io,no-feature:deferred" pc "$i" "$FOUND" \
	"$SOME_CALL" '^reasons: .*policy=[1-9]' "$COUNTED" \
	'!^counters:.* (INB|INW|INL|OUTB|OUTW|OUTL|IODelay|SetDeferredMode|FlushDeferredCalls)='
want_rc=3 want_result=FAIL vmi_e2e_case skew-must-fail "$guest" vmware-like "e2e-skew" pc "$i" \
	'^counters: 1 call ids differ from the plan'
HV='^hypercalls: rom ([0-9]+), hypervisor \1 .*unhandled 0$'
vmi_e2e_case hypercall-xen-like "$guest" xen-like "hypercall" pc "$i" "$FOUND" "$SOME_CALL" "$COUNTED" "$HV"
vmi_e2e_case hypercall-hvm "$guest" hvm "hypercall" pc "$i" "$FOUND" "$HV"
vmi_e2e_case hypercall-vmware-like "$guest" vmware-like "hypercall" pc "$i" "$FOUND" "$SOME_CALL" "$COUNTED" "$HV"
vmi_e2e_case q35-vmware-like "$guest" vmware-like "" q35 "$i" "$FOUND" "$SOME_CALL" "$COUNTED"
vmi_e2e_case nodefaults-vmware-like "$guest" vmware-like "" nodefaults "$i" '^rom: .* at 0xc0000 ' "$SOME_CALL" "$COUNTED"
if [ "$E2E_ARCH" = i386 ] && command -v "$QEMU_X86_64" >/dev/null; then
	vmi_e2e_case x86_64-qemu-vmware-like "$guest" vmware-like "" pc "$QEMU_X86_64" "$FOUND" "$SOME_CALL" "$COUNTED"
fi
pre=${prepatched:--}
vmi_e2e_case prepatched-vmware-like "$pre" vmware-like "" pc "$i" "$FOUND" '^prepatched: 1$' "$SOME_CALL" "$COUNTED"
vmi_e2e_case prepatched-on-xen-like "$pre" xen-like "" pc "$i" "$FOUND" "$NOT_PRE" "$SOME_CALL" "$COUNTED"
vmi_e2e_case prepatched-no-rom "$pre" "" "" pc "$i" "$NONE" "$NOT_PRE" "$ALL_IDENT"

echo "e2e: $E2E_ARCH: $((total - failed - xfails)) of $total runs passed, $xfails known failures (logs in $logdir)"
[ "$failed" = 0 ] || exit 1
