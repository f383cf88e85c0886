#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run.sh - boot Linux 6.1 built with CONFIG_VMI under QEMU (TCG, SeaBIOS,
# two CPUs) once per case and judge each boot from its exit status and the
# serial log.
#
# usage: run.sh BZIMAGE INITRD ROMDIR LOGDIR [CASE...]
#        run.sh --demo BZIMAGE INITRD ROMDIR
#   BZIMAGE  arch/x86/boot/bzImage of guests/linux/build.sh
#   INITRD   the cpio holding guests/linux/init/init.c as /init
#   ROMDIR   directory with the <name>-x86_64.rom sample and test ROMs
#   LOGDIR   where each case's serial log goes (<case>.log)
#   CASE     run only these cases (default: all; names below)
# Environment: LINUX_TIMEOUT (seconds per boot, default 90), QEMU_X86_64;
#   VMIDUMP and VMLINUX (required for a matrix run): vmidump and the
#   kernel's vmlinux, to check each boot's plan against vmidump's;
#   VMIPATCH (for the offline-* cases): vmipatch, which patches VMLINUX
#   for the vmware-like ROM; QEMU boots that vmlinux itself (PVH entry).
#
# A boot passes only if QEMU exits with status 33 (/init wrote 0x10 to
# isa-debug-exit after its workload), the log holds "VMI-INIT: DONE", the
# kernel printed exactly one "vmi:" line and it says what the case expects,
# and the ROM's per-call counters are non-zero exactly for the calls the plan
# patched as CALL (minus the calls /init cannot reach before it reads them),
# and the plan /proc/vmi lists is, site for site, the one vmidump makes of
# vmlinux with the same ROM and policy (for a plan pre-applied offline: the
# one vmipatch wrote).
# Exit status: 0 every case passed, 1 a case failed, 2 usage/setup error.
set -u

QEMU_X86_64=${QEMU_X86_64:-qemu-system-x86_64}
LINUX_TIMEOUT=${LINUX_TIMEOUT:-90}
# SeaBIOS drops a ROM whose byte sum is not zero (bad-checksum, and
# truncated, whose sum covers bytes past its end): the kernel sees no ROM.
# table-oob passes SeaBIOS and is refused by the kernel's rom_loader.
# Patched as CALL but never run before /init reads /proc/vmi: HLT without
# interrupts (machine halt, panic) only.
UNREACHED_CALLS="Halt"

# SeaBIOS lists one CPU per socket in its MP table: two sockets give
# Linux (no ACPI in this config) its second CPU.
linux_qemu() { # ROM APPEND SERIAL [KERNEL]
	local rom=$1 append=$2 serial=$3 kernel=${4:-$bzimage} romarg=()
	[ -n "$rom" ] && romarg=(-option-rom "$rom")
	timeout "$LINUX_TIMEOUT" "$QEMU_X86_64" -machine pc -accel tcg -smp 2,sockets=2 -m 256 \
		-display none -serial "$serial" -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 panic=-1 $append" \
		"${romarg[@]}" </dev/null
}

if [ "${1:-}" = "--demo" ]; then
	[ $# -eq 4 ] || { echo "usage: $0 --demo BZIMAGE INITRD ROMDIR" >&2; exit 2; }
	bzimage=$2 initrd=$3
	linux_qemu "$4/vmware-like-x86_64.rom" "quiet" stdio | tr -d '\r' | grep -v '^vmi-proc: site '
	rc=${PIPESTATUS[0]}
	echo "qemu exit status $rc ($([ "$rc" = 33 ] && echo pass || echo FAIL))"
	[ "$rc" = 33 ]
	exit $?
fi

if [ $# -lt 4 ]; then
	echo "usage: $0 BZIMAGE INITRD ROMDIR LOGDIR [CASE...]" >&2
	exit 2
fi
bzimage=$1 initrd=$2 romdir=$3 logdir=$4
shift 4
[ -n "${VMIDUMP:-}" ] && [ -n "${VMLINUX:-}" ] ||
	{ echo "run.sh: set VMIDUMP and VMLINUX (vmidump and the kernel's vmlinux)" >&2; exit 2; }
here=$(dirname "$0")
for f in "$bzimage" "$initrd" "$VMIDUMP" "$VMLINUX"; do
	[ -f "$f" ] || { echo "run.sh: $f: no such file" >&2; exit 2; }
done
command -v "$QEMU_X86_64" >/dev/null ||
	{ echo "run.sh: $QEMU_X86_64 not found (scripts/deps.sh installs qemu-system-x86)" >&2; exit 2; }
mkdir -p "$logdir" || exit 2

# case name # ROM (file in ROMDIR or empty) # kernel command line # what the
# one "vmi:" line must match (extended regex) # counters: rom (must follow
# the plan) or none (the ROM never ran) # kernel: empty for bzImage,
# "offline" for vmlinux patched offline by vmipatch for vmware-like
OFFLINE_ROM=vmware-like-x86_64.rom
CASES=(
	"no-rom###vmi: no VMI ROM in 0xc0000-0xdffff .*: running native#none"
	"native#native-x86_64.rom##vmi: ROM native 1\.[0-9]+ at 0x[0-9a-f]+ features 0x[0-9a-f]+: [0-9]+ sites: call [0-9]+ #rom"
	"vmware-like#vmware-like-x86_64.rom##vmi: ROM vmware-like 1\.3 at 0x[0-9a-f]+ features 0x1f: [0-9]+ sites: call [1-9][0-9]* #rom"
	"xen-like#xen-like-x86_64.rom##vmi: ROM xen-like 1\.[0-9]+ at 0x[0-9a-f]+ features 0x[0-9a-f]+: [0-9]+ sites: call [1-9][0-9]* #rom"
	"hvm#hvm-x86_64.rom##vmi: ROM hvm 1\.[0-9]+ at 0x[0-9a-f]+ features 0x[0-9a-f]+: [0-9]+ sites: #rom"
	"old-minor#old-minor-x86_64.rom##vmi: ROM [a-z-]+ 1\.[0-9]+ at .* sites: #rom"
	"new-minor#new-minor-x86_64.rom##vmi: ROM [a-z-]+ 1\.[0-9]+ at .* sites: #rom"
	"wrong-major#wrong-major-x86_64.rom##vmi: ROM wrong-major 2\.[0-9]+ at 0x[0-9a-f]+: rom-major \(the kernel implements 1\.[0-9]+\): running native#none"
	"bad-checksum#bad-checksum-x86_64.rom##vmi: no VMI ROM in 0xc0000-0xdffff .*: running native#none"
	"truncated#truncated-x86_64.rom##vmi: no VMI ROM in 0xc0000-0xdffff .*: running native#none"
	"table-oob#table-oob-x86_64.rom##vmi: ROM at 0x[0-9a-f]+ refused \(VMI_E_ROM_TABLE_BOUNDS: .*\): running native#none"
	"vmi-off#vmware-like-x86_64.rom#vmi=off#vmi: disabled by vmi=off: running native#none"
	"policy-ident-mmu#vmware-like-x86_64.rom#vmi=ident:mmu#vmi: ROM vmware-like 1\.3 .* policy [0-9a-f]{8}: [0-9]+ sites: #rom"
	"bad-policy#vmware-like-x86_64.rom#vmi=max-minor:1,ident:nosuch#vmi: vmi=max-minor:1,ident:nosuch: bad policy item \"ident:nosuch\" at offset 12: running native#none"
	"offline#$OFFLINE_ROM##vmi: ROM vmware-like 1\.3 at 0x[0-9a-f]+ features 0x1f: [0-9]+ sites pre-applied offline: call [1-9][0-9]* #rom#offline"
	"offline-other-rom#xen-like-x86_64.rom##vmi: offline plan \(ROM crc [0-9a-f]{8}\) does not match this boot: [0-9]+ sites restored; ROM xen-like 1\.[0-9]+ at 0x[0-9a-f]+ features 0x[0-9a-f]+: [0-9]+ sites: call [1-9][0-9]* #rom#offline"
	"offline-policy#$OFFLINE_ROM#vmi=ident:mmu#vmi: offline plan \(ROM crc [0-9a-f]{8}\) does not match this boot: [0-9]+ sites restored; ROM vmware-like 1\.3 .* policy [0-9a-f]{8}: [0-9]+ sites: #rom#offline"
	"offline-no-rom###vmi: offline plan \(ROM crc [0-9a-f]{8}\) does not match this boot: [0-9]+ sites restored; no VMI ROM in 0xc0000-0xdffff .*: running native#none#offline"
)

fail=0 ran=0
result() { # CASE OK|FAIL WHY
	printf '  %-18s %s%s\n' "$1" "$2" "${3:+  ($3)}"
	[ "$2" = ok ] || fail=1
}

# Calls the plan in LOG patched as CALL, one per line, sorted.
call_sites() { awk '$1=="vmi-proc:" && $2=="site" && $5=="call" {print $4}' "$1" | sort -u; }
# Calls whose ROM counter is non-zero.
counted() { sed -n 's/^vmi-proc: counters://p' "$1" | tr ' ' '\n' | sed -n 's/=[1-9][0-9]*$//p' | sort -u; }

judge() { # CASE ROM LOG RC WANT COUNTERS
	local name=$1 rom=$2 log=$3 rc=$4 want=$5 counters=$6 lines
	case $rc in
	33) ;;
	124) result "$name" FAIL "hung: no exit within ${LINUX_TIMEOUT}s"; return ;;
	*) result "$name" FAIL "qemu exit status $rc, not 33"; return ;;
	esac
	grep -q '^VMI-INIT: DONE' "$log" || { result "$name" FAIL "/init did not finish: $(grep -m1 '^VMI-INIT: FAIL' "$log")"; return; }
	lines=$(grep -c '\] vmi: ' "$log")
	[ "$lines" = 1 ] || { result "$name" FAIL "$lines dmesg lines from vmi, not 1"; return; }
	grep '\] vmi: ' "$log" | grep -Eq "$want" ||
		{ result "$name" FAIL "vmi line is: $(grep -m1 '\] vmi: ' "$log" | sed 's/^.*\] //')"; return; }
	# /proc/vmi's status line is the dmesg line.
	[ "$(grep -m1 '\] vmi: ' "$log" | sed 's/^.*\] vmi: //')" = "$(sed -n 's/^vmi-proc: status: //p' "$log")" ] ||
		{ result "$name" FAIL "/proc/vmi status differs from dmesg"; return; }
	local calls counts missing extra
	calls=$(call_sites "$log")
	counts=$(counted "$log")
	case $counters in
	none)
		[ -z "$calls" ] || { result "$name" FAIL "CALL sites without a ROM: $calls"; return; }
		[ -z "$counts" ] || { result "$name" FAIL "counters without a ROM: $counts"; return; }
		;;
	rom)
		extra=$(comm -13 <(echo "$calls") <(echo "$counts") | tr '\n' ' ')
		[ -z "${extra// }" ] || { result "$name" FAIL "counted but not patched as CALL: $extra"; return; }
		missing=$(comm -23 <(echo "$calls") <(echo "$counts") | grep -vxF -f <(tr ' ' '\n' <<<"$UNREACHED_CALLS") | tr '\n' ' ')
		[ -z "${missing// }" ] || { result "$name" FAIL "patched as CALL, never counted: $missing"; return; }
		;;
	esac
	if [ "$name" = policy-ident-mmu ]; then
		# The policy keeps every mmu call IDENT (reason policy), where the
		# plain vmware-like boot called the ROM for them.
		grep -Eq '^vmi-proc: site [0-9a-f]+ (SetPxELong|FlushTLB|InvalPage) call ' "$log" &&
			{ result "$name" FAIL "an mmu call was patched as CALL under ident:mmu"; return; }
		grep -Eq '^vmi-proc: site [0-9a-f]+ SetPxELong ident policy$' "$log" ||
			{ result "$name" FAIL "no SetPxELong site kept IDENT by the policy"; return; }
	fi
	same_plan "$name" "$rom" "$log" "$append" || return
	result "$name" ok "$(sed -n 's/^vmi-proc: forms: //p' "$log")"
}

# The kernel's plan (/proc/vmi's site lines) is vmidump's for vmlinux with
# the ROM the kernel used (none when its loader refused the ROM or SeaBIOS
# dropped it) and the policy of its command line. A boot that planned
# nothing (vmi=off, a bad policy) lists no sites.
same_plan() { # CASE ROM LOG APPEND
	local name=$1 rom=$2 log=$3 append=$4 args=(--json -D) none=() diffs
	grep -q '^vmi-proc: site ' "$log" || return 0
	if grep -q '^vmi-proc: rom: none' "$log"; then
		none=(ident "$(sed -n 's/^vmi-proc: offer: reason \([^ ]*\) .*/\1/p' "$log")")
	else
		args+=(--rom "$rom")
		case $append in vmi=*) args+=(--policy "${append#vmi=}") ;; esac
	fi
	if grep -q '^vmi-proc: offline: .*: pre-applied ' "$log"; then
		# The plan vmipatch wrote: its dry run on the unpatched vmlinux.
		"$VMIPATCH" --rom "$rom" --dry-run --json "$VMLINUX" | python3 "$here/dump-plan.py" >"$log.vmidump" ||
			{ result "$name" FAIL "vmipatch --dry-run --rom $rom $VMLINUX failed"; return 1; }
	else
		"$VMIDUMP" "${args[@]}" "$VMLINUX" | python3 "$here/dump-plan.py" "${none[@]}" >"$log.vmidump" ||
			{ result "$name" FAIL "vmidump ${args[*]} $VMLINUX failed"; return 1; }
	fi
	diffs=$(diff <(sed -n 's/^vmi-proc: site /site /p' "$log") "$log.vmidump" | grep -c '^[<>]')
	[ "$diffs" = 0 ] ||
		{ result "$name" FAIL "$diffs plan lines differ from vmidump's (diff $log $log.vmidump)"; return 1; }
}

# The offline-* cases boot VMLINUX as vmipatch patched it for OFFLINE_ROM.
offline_vmlinux=$logdir/vmlinux.offline
offline_made=
make_offline() {
	[ -n "$offline_made" ] && return "$offline_made"
	offline_made=1
	[ -n "${VMIPATCH:-}" ] || { echo "run.sh: the offline cases need VMIPATCH (vmipatch)" >&2; return 1; }
	"$VMIPATCH" --rom "$romdir/$OFFLINE_ROM" --no-sync -o "$offline_vmlinux" "$VMLINUX" >/dev/null ||
		{ echo "run.sh: vmipatch could not patch $VMLINUX" >&2; return 1; }
	offline_made=0
}

echo "linux-e2e: $bzimage, $LINUX_TIMEOUT s per boot"
for c in "${CASES[@]}"; do
	IFS='#' read -r name rom append want counters kernel <<<"$c"
	if [ $# -gt 0 ]; then
		sel=0
		for s in "$@"; do [ "$s" = "$name" ] && sel=1; done
		[ $sel = 1 ] || continue
	fi
	ran=$((ran + 1))
	romfile=
	if [ -n "$rom" ]; then
		romfile=$romdir/$rom
		[ -f "$romfile" ] || { result "$name" FAIL "$romfile: no such ROM"; continue; }
	fi
	log=$logdir/$name.log
	kfile=$bzimage
	if [ "$kernel" = offline ]; then
		make_offline || { result "$name" FAIL "no offline-patched vmlinux"; continue; }
		kfile=$offline_vmlinux
	fi
	linux_qemu "$romfile" "$append" "file:$log.raw" "$kfile"
	rc=$?
	tr -d '\r' <"$log.raw" >"$log" && rm -f "$log.raw"
	judge "$name" "$romfile" "$log" $rc "$want" "$counters"
done
[ $ran -gt 0 ] || { echo "run.sh: no case matches: $*" >&2; exit 2; }
[ $fail = 0 ] && echo "linux-e2e: all $ran boots passed" || echo "linux-e2e: FAILED (logs in $logdir)"
exit $fail
