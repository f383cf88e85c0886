#!/bin/sh
# check-vmirun: run the guest workloads under trap-and-emulate and under
# every sample ROM, and assert what must hold:
#   - final states the workload source itself implies (register values,
#     device contents, translations), not values copied from a run;
#   - every form ends in the same state as trap-and-emulate (--matrix, and
#     an independent line-by-line comparison here);
#   - the pushf/popf hole: visible without patched Get/SetInterruptMask
#     sites, gone with them;
#   - deferred mode: N page-table updates reach the hypervisor as 1 batch;
#   - bad input: one clear line, the documented exit code, no hang.
# Environment: VMIRUN (binary), BAD_DIR (bad guests), ROMS (sample ROMs),
# CORRUPT_ROMS (ROMs that must fail validation), ARCH (x86_64, the default,
# or i386 for vmirun-i386 and its guests).
set -u
V=${VMIRUN:?}
BAD=${BAD_DIR:?}
ARCH=${ARCH:-x86_64}
# What differs on i386, from the guest sources: PAE has no PML4, so
# building the tables links 2 entries, not 3; a native PAE entry store is
# two 32-bit movs (high half, then low), each its own trap; the vCPU is not
# in long mode (EFER without LME/LMA); rel32 reaches everything (no --far).
if [ "$ARCH" = i386 ]; then
	SUF=-i386; ARCHNAME=i386; STORES=2; LINKS=2; EFER=0x800
else
	SUF=; ARCHNAME=x86-64; STORES=1; LINKS=3; EFER=0xd00
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
pass=0

ok() { pass=$((pass + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run NAME ARGS...: stdout to $T/NAME.out, stderr to $T/NAME.err, rc to $T/NAME.rc
run() {
	name=$1; shift
	timeout 60 "$V" "$@" >"$T/$name.out" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
}
rc_is() { [ "$(cat "$T/$1.rc")" = "$2" ] && ok || fail "$1: exit $(cat "$T/$1.rc"), expected $2; stderr: $(cat "$T/$1.err")"; }
has() { grep -qF -- "$2" "$T/$1.out" && ok || fail "$1: no line '$2' in output"; }
err_has() { grep -qF -- "$2" "$T/$1.err" && ok || fail "$1: stderr lacks '$2': $(cat "$T/$1.err")"; }
one_err_line() { [ "$(wc -l <"$T/$1.err")" -eq 1 ] && ok || fail "$1: expected one line on stderr, got: $(cat "$T/$1.err")"; }
states() { grep '^state ' "$T/$1.out"; }

# ---- pure trap-and-emulate: what each workload's source implies ----
for w in irq irq-hole cr msr io pt pt-deferred tlb tsc emul; do
	run "none-$w" --workload "$w" --stats
	rc_is "none-$w" 0
done
# irq: 64 x outl(1) to the counter; ends with cli.
has none-irq "state if=0"
has none-irq "state counter=0x40"
# irq-hole: the restore of a flags word saved with IF=0 never reaches the
# hypervisor (popf does not trap in user mode): IF stays 1 = the hole.
has none-irq-hole "state if=1"
# cr: clts undoes TS; CR3 = the page-table area's address 0x100000;
# DR0-3 = 0x1000..0x4000, DR7 = 0x455 | bit 10; CR4's PGE toggled 64 times.
has none-cr "state cr0=0x80050033 cr2=0xdeb0f000 cr3=0x100000 cr4=0x20"
has none-cr "state dr0=0x1000 dr1=0x2000 dr2=0x3000 dr3=0x4000 dr6=0xffff0ff0 dr7=0x455"
# msr: EFER |= NXE (over LME|LMA on x86-64); SYSENTER_CS = 0x10.
has none-msr "state msr[0xc0000080]=$EFER"
has none-msr "state msr[0x174]=0x10"
# io: each PIC line toggled 4 times (masks back to ff); counter =
# sum(1..64) + sum(0..63) = 4096; the serial text.
has none-io "state pic imr=ff/ff last-cmd=20/20 eois=32/32"
has none-io "state counter=0x1000"
has none-io 'text="vmirun io workload\x0a"'
# pt: 3 table links (i386: 2) + 64 leaf writes + 32 updates trap one by
# one (i386: two stores each); after invlpg the last 16 probes hold even
# pages at generation 2, odd at 1.
has none-pt "pt-traps=$(((LINKS + 64 + 32) * STORES))"
has none-pt "vpn=0x4003e pfn=0xa003e"
has none-pt "vpn=0x4003f pfn=0x9003f"
has none-pt-deferred "pt-traps=$(((LINKS + 64) * STORES))"
has none-pt-deferred "batches=0"
# Without a ROM each of the 64 updates in the window is its own exit (each
# store of it on i386).
W=$((64 * STORES))
has none-pt-deferred "stats window entries=$W batches=0 batched-ops=0 pt-writes=$W"
has none-pt "stats window entries=$W batches=0 batched-ops=0 pt-writes=$W"
has none-tsc "state results=2"
# emul: every ISA check in tests/vmirun/guest/emul.c passed (8 bits).
has none-emul "state counter=0xff"

# ---- every sample ROM: same state as trap-and-emulate ----
if [ -z "${ROMS:-}" ]; then
	echo "check-vmirun: no sample ROMs in this tree (SAMPLE_ROMS_$ARCH empty): ROM cases not run"
fi
for rom in ${ROMS:-}; do
	r=$(basename "$rom" .rom)
	for w in irq cr msr io pt pt-deferred tlb tsc; do
		run "$r-$w" --rom "$rom" --workload "$w" --stats
		rc_is "$r-$w" 0
		if states "none-$w" >"$T/a" && states "$r-$w" >"$T/b" && cmp -s "$T/a" "$T/b"; then
			ok
		else
			fail "$r: workload $w ends in another state than trap-and-emulate:"
			diff "$T/a" "$T/b" | head -5
		fi
	done
	if [ "$ARCH" = i386 ]; then
		# rel32 wraps around 4 GiB: there is no far placement to test.
		run "$r-far" --rom "$rom" --far --workload pt
		rc_is "$r-far" 2
		err_has "$r-far" "within rel32 reach on i386"
	else
	run "$r-far" --rom "$rom" --far --workload pt --stats
	rc_is "$r-far" 0
	states none-pt >"$T/a"; states "$r-far" >"$T/b"
	cmp -s "$T/a" "$T/b" && ok || fail "$r --far: pt ends in another state"
	# Out of rel32 reach every CALL site goes through a slot.
	if grep -q "stats forms .* call=0 " "$T/$r-far.out"; then ok; else
		has "$r-far" "stats calls rel32=0 slot="
		grep -q "stats calls rel32=0 slot=0" "$T/$r-far.out" && fail "$r --far: no slot calls"
	fi
	fi
	# The policy mixes, near and far (vmirun's own comparison).
	run "$r-matrix" --matrix --rom "$rom"
	rc_is "$r-matrix" 0
	has "$r-matrix" "0 mismatches"
	# Forcing the irq sites IDENT brings the hole back.
	run "$r-hole-ident" --rom "$rom" --policy ident:irq --workload irq-hole
	has "$r-hole-ident" "state if=1"
	run "$r-hole" --rom "$rom" --workload irq-hole --stats
	rc_is "$r-hole" 0
	# A ROM that leaves Get/SetInterruptMask native cannot close the hole.
	if grep -q "stats form GetInterruptMask=ident" "$T/$r-hole.out" ||
	   grep -q "stats form SetInterruptMask=ident" "$T/$r-hole.out"; then
		has "$r-hole" "state if=1"
	else
		has "$r-hole" "state if=0"
	fi
done

# ---- deferred mode: N updates between SetDeferredMode and the flush reach
# the hypervisor as one batch with the batching ROMs (one entry in the
# window), and as N entries without deferred mode ----
for rom in ${ROMS:-}; do
	case $rom in *xen-like*|*vmware-like*) ;; *) continue ;; esac
	r=$(basename "$rom" .rom)
	run "$r-defer" --rom "$rom" --workload pt-deferred --iterations 32 --stats
	rc_is "$r-defer" 0
	has "$r-defer" "stats window entries=1 batches=1 batched-ops=32 pt-writes=32"
	run "$r-nodefer" --rom "$rom" --workload pt --iterations 32 --stats
	rc_is "$r-nodefer" 0
	has "$r-nodefer" "stats window entries=32 "
	has "$r-nodefer" "pt-writes=32"
done

# ---- bench: one run, JSON; a ROM call that stays in the ROM (cli keeps
# the flag in the data area) must beat a trap, and trap-and-emulate must
# cost something (each trap is a signal round trip: microseconds) ----
for rom in ${ROMS:-}; do
	case $rom in *vmware-like*) ;; *) continue ;; esac
	run bench --bench --json --rom "$rom"
	rc_is bench 0
	if python3 - "$T/bench.out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ops = {o["op"]: o["ns"] for o in d["roms"][0]["ops"]}
trap, call = ops["cli"][0], ops["cli"][1]
assert trap > 100, trap
assert call is not None and call * 10 < trap, (trap, call)
# batching: deferred SetPxELong costs less per update than one by one
assert ops["set_pxe_deferred"][1] * 5 < ops["set_pxe"][1], ops
PY
	then ok; else fail "bench: trap-and-emulate not dearer than the ROM call (see $T/bench.out)"; fi
done

# ---- bad input ----
if [ -n "${ROMS:-}" ]; then
	set -- $ROMS
	# Flip one byte in the middle of a sample ROM: the checksum fails.
	python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[len(b)//2]^=0x5a; open(sys.argv[2],'wb').write(b)" "$1" "$T/flipped.rom"
	run badrom --rom "$T/flipped.rom" --workload irq
	rc_is badrom 1
	err_has badrom "flipped.rom: ROM rejected"
	one_err_line badrom
	head -c 100 "$1" >"$T/trunc.rom"
	run truncrom --rom "$T/trunc.rom"
	rc_is truncrom 1
	err_has truncrom "VMI_E_ROM_TRUNCATED"
fi
# The corrupt ROMs roms/ builds (bad checksum, table out of bounds, truncated).
for rom in ${CORRUPT_ROMS:-}; do
	r=$(basename "$rom" .rom)
	run "$r" --rom "$rom" --workload irq
	rc_is "$r" 1
	err_has "$r" "ROM rejected: VMI_E_ROM_"
	one_err_line "$r"
done
# A ROM making a hypercall the model does not define: reported, exit 6.
run badhc --rom "$BAD/bad-hc-$ARCH.rom" --workload irq
rc_is badhc 6
err_has badhc "ROM made hypercall 99 (a0=0x1234), which the model does not know, called from "
one_err_line badhc
printf 'VMIP' >"$T/patcher.bin"
run badblob --patcher "$T/patcher.bin" --workload irq
rc_is badblob 1
err_has badblob "not a usable $ARCHNAME patcher.bin"
run noann --guest "$BAD/noann$SUF.so" --workload irq
rc_is noann 1
err_has noann "the guest carries no annotations"
one_err_line noann
# ltr %ax is 0f 00 d8 (Intel SDM: 0F 00 /3); the model does not emulate it.
run ltr --guest "$BAD/badinsn$SUF.so" --workload irq
rc_is ltr 6
err_has ltr "unhandled instruction 'ltr %ax' at vmi_wl_irq+0x"
err_has ltr "bytes 0f 00 d8"
# wrmsr (0f 30) to an MSR the vCPU lacks is a #GP, reported, not skipped.
run badmsr --guest "$BAD/badinsn$SUF.so" --workload msr
rc_is badmsr 6
err_has badmsr "guest #GP: wrmsr 0x1 to MSR 0x12345678"
err_has badmsr "bytes 0f 30"
run help --help
rc_is help 0
has help "usage: vmirun"
run version --version
rc_is version 0
has version "vmirun "
run list --list
has list "pt-deferred"
run jsonalone --json
rc_is jsonalone 2
run usage --workload nosuch
rc_is usage 2
run badpol --policy "ident:nosuch" --workload irq
rc_is badpol 2

echo "check-vmirun ($ARCH): $pass assertions passed, $fails failed"
[ "$fails" -eq 0 ]
