#!/bin/bash
# SPDX-License-Identifier: MIT
#
# offline-check.sh - the offline tools on real Linux 6.1 kernels: the
# CONFIG_VMI vmlinux (its own pv-op note), the same image without .notes
# (read with the built-in 6.1 map: it must give the same sites) and, when
# Debian's archive is reachable, a stock Debian kernel (linux-image-*-cloud-
# amd64, extracted with the source tree's extract-vmlinux). vmidump and
# vmilint read the paravirt sites; vmipatch refuses, naming the sections it
# needs, and writes nothing; corrupt notes and record tables get one line
# naming the file and the defect. The boot-time plan equals vmidump's:
# run.sh checks that per boot.
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
tools_on() { # NAME IMAGE MAP
	local name=$1 img=$2 map=$3 out rc err
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

echo "linux-offline: $vmlinux"
tools_on "CONFIG_VMI vmlinux" "$vmlinux" note

# Without its note the kernel reads as a stock one: the built-in map must
# give exactly the sites (and plan) its own note gives.
objcopy --remove-section .notes "$vmlinux" "$work/vmlinux.nonote" || exit 2
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
rm -rf "$work/bad" "$work/err" "$work/patched"

[ $fail = 0 ] && echo "linux-offline: all $n checks passed" || echo "linux-offline: FAILED"
exit $fail
