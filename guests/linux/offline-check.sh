#!/bin/bash
# SPDX-License-Identifier: MIT
#
# offline-check.sh - the offline tools on real Linux 6.1 kernels: the
# CONFIG_VMI vmlinux (its own pv-op note), the same image without .notes
# and the site table (read with the built-in 6.1 map: it must give the same
# sites) and, when Debian's archive is reachable, a stock Debian kernel
# (linux-image-*-cloud-amd64, extracted with the source tree's
# extract-vmlinux). vmidump and vmilint read the paravirt sites. vmipatch
# patches the CONFIG_VMI kernel (its link step filled the site table with
# --prepare): --verify passes, the plan is vmidump's, --restore gives the
# input back byte for byte, --prepare again changes nothing; it refuses the
# others, naming the sections it needs, and writes nothing. Corrupt notes,
# record tables and site tables get one line naming the file and the
# defect. The boot-time plan equals vmidump's, and the offline-patched
# image boots with its plan pre-applied: run.sh checks those per boot.
#
# usage: offline-check.sh VMLINUX LINUX_SRC TOOLS_DIR ROM WORKDIR
#   TOOLS_DIR  holds vmidump/vmidump, vmilint/vmilint, vmipatch/vmipatch
# Environment: VMI_STOCK_KERNEL=FILE (an extracted stock vmlinux to use
#   instead of fetching one), VMI_STOCK_FETCH=0 (do not fetch).
set -u
[ $# -eq 5 ] || { echo "usage: $0 VMLINUX LINUX_SRC TOOLS_DIR ROM WORKDIR" >&2; exit 2; }
vmlinux=$1 src=$(cd "$2" && pwd) tools=$3 rom=$4 work=$5
here=$(dirname "$0")
vmidump=$tools/vmidump/vmidump vmilint=$tools/vmilint/vmilint vmipatch=$tools/vmipatch/vmipatch
mkdir -p "$work" || exit 2
fail=0 n=0
ok() { n=$((n + 1)); printf '  %-54s ok%s\n' "$1" "${2:+  ($2)}"; }
bad() { n=$((n + 1)); printf '  %-54s FAIL  (%s)\n' "$1" "$2"; fail=1; }
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# The tools on one kernel: vmidump's sites, vmilint's reading, vmipatch's refusal.
tools_on() { # NAME IMAGE MAP [patchable]
	local name=$1 img=$2 map=$3 patchable=${4:-} out rc err
	out=$("$vmidump" --json -D --rom "$rom" "$img" 2>"$work/err") ||
		{ bad "$name: vmidump" "exit $?: $(cat "$work/err")"; return; }
	local got sites unp
	got=$(jget 'd["linux"]["map"]' <<<"$out") sites=$(jget 'd["linux"]["sites"]' <<<"$out")
	unp=$(jget 'd["linux"]["unpatched"]' <<<"$out")
	[ "$got" = "$map" ] || { bad "$name: vmidump" "pv-op map '$got', not '$map'"; return; }
	[ "$sites" -gt 0 ] && [ "$unp" = "$sites" ] ||
		{ bad "$name: vmidump" "$sites sites, $unp of them Linux's unpatched pv_ops call"; return; }
	[ "$(jget 'len(d["sites"])' <<<"$out")" = "$sites" ] || { bad "$name: vmidump" "site list length"; return; }
	ok "$name: vmidump" "$sites sites, map $map, $(jget '" ".join("%s %d" % (k, v) for k, v in d["summary"]["forms"].items())' <<<"$out")"
	out=$("$vmilint" --json "$img" 2>"$work/err")
	rc=$?
	[ $rc = 0 ] && [ "$(jget 'd["linux"]["sites"]' <<<"$out")" = "$sites" ] ||
		{ bad "$name: vmilint" "exit $rc, $(cat "$work/err")"; return; }
	ok "$name: vmilint" "$(jget 'd["summary"]["findings"]' <<<"$out") findings outside $sites sites"
	rm -f "$work/patched"
	[ -n "$patchable" ] && { patch_on "$name" "$img"; return; }
	"$vmipatch" --rom "$rom" -o "$work/patched" "$img" 2>"$work/err"
	rc=$?
	err=$(cat "$work/err")
	if [ $rc != 1 ] || [ -e "$work/patched" ] || [ "$(wc -l <"$work/err")" != 1 ] ||
		! grep -q "$img: .*(.parainstructions).*needs sections .note.vmi and vmi_sites" "$work/err"; then
		bad "$name: vmipatch refuses" "exit $rc: $err"
	else
		ok "$name: vmipatch refuses" "exit 1, nothing written"
	fi
}

# vmipatch on a CONFIG_VMI kernel: patch, verify, same plan as vmidump's
# (forms and reasons; the offline CALLs go through slots), restore, prepare.
patch_on() { # NAME IMAGE
	local name=$1 img=$2 rc p
	"$vmipatch" --rom "$rom" --verify -o "$work/patched" "$img" >"$work/out" 2>"$work/err"
	rc=$?
	[ $rc = 0 ] && grep -q '^verify: [0-9]* sites decoded, 0 not as intended' "$work/out" ||
		{ bad "$name: vmipatch --verify" "exit $rc: $(cat "$work/err")"; return; }
	cmp -s "$img" "$work/patched" && { bad "$name: vmipatch --verify" "output equals the input"; return; }
	ok "$name: vmipatch --verify" "$(grep -m1 '^forms\|^summary' "$work/out")"
	"$vmipatch" --rom "$rom" --dry-run --json "$img" | python3 "$here/dump-plan.py" >"$work/plan.vmipatch" &&
		"$vmidump" --json --rom "$rom" "$img" | python3 "$here/dump-plan.py" >"$work/plan.vmidump" &&
		"$vmidump" --json --rom "$rom" "$work/patched" | python3 "$here/dump-plan.py" >"$work/plan.patched"
	if ! cmp -s "$work/plan.vmipatch" "$work/plan.vmidump" || ! [ -s "$work/plan.vmipatch" ]; then
		bad "$name: offline plan = boot plan" "diff $work/plan.vmipatch $work/plan.vmidump"
	elif ! cmp -s "$work/plan.vmipatch" "$work/plan.patched"; then
		bad "$name: vmidump of the patched image" "diff $work/plan.vmipatch $work/plan.patched"
	else
		ok "$name: offline plan = boot plan" "$(wc -l <"$work/plan.vmipatch") sites; vmidump reads it back"
	fi
	p=$("$vmidump" --json "$work/patched" | jget 'd["guest"]["stamp"]["state"]' 2>/dev/null)
	"$vmipatch" --restore -o "$work/restored" "$work/patched" >/dev/null 2>"$work/err" &&
		cmp -s "$work/restored" "$img" && ok "$name: --restore" "byte for byte the input (stamp was $p)" ||
		bad "$name: --restore" "$(cat "$work/err"; cmp "$work/restored" "$img" 2>&1 | head -1)"
	"$vmipatch" --prepare -o "$work/prepared" "$img" >/dev/null 2>"$work/err" && cmp -s "$work/prepared" "$img" &&
		ok "$name: --prepare again" "nothing changes" ||
		bad "$name: --prepare again" "$(cat "$work/err"; cmp "$work/prepared" "$img" 2>&1 | head -1)"
	rm -f "$work/prepared"
	"$vmipatch" --prepare -o "$work/prepared" "$work/patched" 2>"$work/err"
	rc=$?
	[ $rc = 1 ] && [ ! -e "$work/prepared" ] && grep -q 'stamped patched.*--restore it first' "$work/err" &&
		ok "$name: --prepare on a patched image" "exit 1, nothing written" ||
		bad "$name: --prepare on a patched image" "exit $rc: $(cat "$work/err")"
	rm -f "$work/restored" "$work/prepared" "$work/out" "$work"/plan.*
}

echo "linux-offline: $vmlinux"
tools_on "CONFIG_VMI vmlinux" "$vmlinux" note patchable

# Without its note and site table the kernel reads as a stock one: the
# built-in map must give exactly the sites (and plan) its own note gives.
objcopy --remove-section .notes --remove-section vmi_sites --remove-section vmi_native \
	--remove-section vmi_slots "$vmlinux" "$work/vmlinux.nonote" || exit 2
tools_on "vmlinux without .notes" "$work/vmlinux.nonote" "built-in Linux 6.1 x86_64"
for img in "$vmlinux" "$work/vmlinux.nonote"; do
	"$vmidump" --json -D --rom "$rom" "$img" | python3 "$here/dump-plan.py" >"$img.plan.$$" 2>/dev/null
done
if cmp -s "$vmlinux.plan.$$" "$work/vmlinux.nonote.plan.$$" && [ -s "$vmlinux.plan.$$" ]; then
	ok "built-in 6.1 map = the kernel's note" "$(wc -l <"$vmlinux.plan.$$") sites, same plan"
else
	bad "built-in 6.1 map = the kernel's note" "plans differ: diff $vmlinux.plan.$$ $work/vmlinux.nonote.plan.$$"
fi
rm -f "$vmlinux.plan.$$" "$work/vmlinux.nonote.plan.$$"

# A stock Debian kernel: fetched once into WORKDIR/stock.
stock=${VMI_STOCK_KERNEL:-$work/stock/vmlinux}
if [ ! -s "$stock" ] && [ "${VMI_STOCK_FETCH:-1}" != 0 ]; then
	(
		set -e
		mkdir -p "$work/stock" && cd "$work/stock"
		pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' 2>/dev/null |
			awk '{print $1}' | sort -V | tail -1)
		[ -n "$pkg" ]
		rm -rf x ./*.deb
		apt-get download "$pkg" >fetch.log 2>&1
		dpkg-deb -x ./*.deb x
		sh "$src/scripts/extract-vmlinux" x/boot/vmlinuz-* >vmlinux.tmp
		mv vmlinux.tmp vmlinux && echo "$pkg" >package && rm -rf x ./*.deb
	) 2>/dev/null || rm -f "$stock"
fi
if [ -s "$stock" ]; then
	tools_on "stock $(cat "$work/stock/package" 2>/dev/null || basename "$stock")" "$stock" "built-in Linux 6.1 x86_64"
else
	echo "  SKIP stock Debian kernel: no linux-image-6.1.0-*-cloud-amd64 from the archive (set VMI_STOCK_KERNEL)"
fi

# Corrupt notes and record tables: exit 1, one line naming the file and the defect.
mkdir -p "$work/bad"
while IFS=$'\t' read -r f want; do
	for t in "$vmidump" "$vmilint"; do
		"$t" "$f" >/dev/null 2>"$work/err"
		rc=$?
		if [ $rc = 1 ] && [ "$(wc -l <"$work/err")" = 1 ] && grep -qF "$f: " "$work/err" &&
			grep -qF "$want" "$work/err"; then
			ok "$(basename "$t") $(basename "$f")"
		else
			bad "$(basename "$t") $(basename "$f")" "exit $rc: $(head -c 200 "$work/err")"
		fi
	done
done < <(python3 "$here/corrupt.py" "$vmlinux" "$work/bad")
# Corrupt site tables: vmipatch refuses, one line, nothing written.
while IFS=$'\t' read -r f want; do
	rm -f "$work/patched"
	"$vmipatch" --rom "$rom" -o "$work/patched" "$f" >/dev/null 2>"$work/err"
	rc=$?
	if [ $rc = 1 ] && [ ! -e "$work/patched" ] && [ "$(wc -l <"$work/err")" = 1 ] &&
		grep -qF "$f: " "$work/err" && grep -qF "$want" "$work/err"; then
		ok "vmipatch $(basename "$f")"
	else
		bad "vmipatch $(basename "$f")" "exit $rc: $(head -c 200 "$work/err")"
	fi
done < <(python3 "$here/corrupt.py" --table "$vmlinux" "$work/bad")
rm -rf "$work/bad" "$work/err" "$work/patched"

[ $fail = 0 ] && echo "linux-offline: all $n checks passed" || echo "linux-offline: FAILED"
exit $fail
