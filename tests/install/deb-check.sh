#!/bin/sh
# tests/install/deb-check.sh - build the Debian packages from a copy of the
# tree (the source stays clean), check them with lintian (no errors or
# warnings), unpack them with dpkg-deb -x into a scratch root and run the
# tools from there.
# Environment: O (build dir), ROMS, GUEST (an ELF guest with sites).
set -eu
: "${O:?}" "${ROMS:?}" "${GUEST:?}"
W=$(pwd)/$O/tests/install/deb
fail() { echo "deb-check: FAIL: $*" >&2; exit 1; }
for t in dpkg-buildpackage dh lintian dpkg-deb; do
	command -v $t >/dev/null || fail "$t is not installed (scripts/deps.sh installs it)"
done
rm -rf "$W" && mkdir -p "$W/src" "$W/root"
# The tree as it is (tracked and new files), without build output.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -c -o --exclude-standard | grep -zv '^debian/build' | tar --null -T - -cf - | tar -C "$W/src" -xf -
else
	tar --exclude='./build*' --exclude=./debian/build --exclude='*.o' --exclude='*.d' -cf - . | tar -C "$W/src" -xf -
fi
start=$(date +%s)
(cd "$W/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -b -us -uc) >"$W/build.log" 2>&1 ||
	{ tail -30 "$W/build.log" >&2; fail "dpkg-buildpackage failed (log: $W/build.log)"; }
secs=$(($(date +%s) - start))
ver=$(cd "$W/src" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
tools=$W/vmipatch_${ver}_$arch.deb dev=$W/libvmipatch-dev_${ver}_$arch.deb
[ -f "$tools" ] && [ -f "$dev" ] || fail "missing packages: $(ls "$W")"
lintian --tag-display-limit 0 "$W/vmipatch_${ver}_$arch.changes" >"$W/lintian.log" 2>&1 || true
! grep -E '^(E|W): ' "$W/lintian.log" || fail "lintian (log: $W/lintian.log)"
# Contents: each package holds its half.
dpkg-deb -c "$tools" >"$W/tools.list" && dpkg-deb -c "$dev" >"$W/dev.list"
grep -q './usr/bin/vmilint$' "$W/tools.list" || fail "vmipatch.deb lacks vmilint"
grep -q './usr/share/bash-completion/completions/vmipatch$' "$W/tools.list" || fail "no completion"
grep -q './usr/lib/vmipatch/i386/patcher.bin$' "$W/dev.list" || fail "libvmipatch-dev lacks patcher.bin"
grep -q './usr/lib/[a-z0-9_-]*/pkgconfig/vmipatch.pc$' "$W/dev.list" || fail "libvmipatch-dev lacks vmipatch.pc"
grep -q './usr/include/vmi/guest.h$' "$W/dev.list" || fail "libvmipatch-dev lacks the headers"
dpkg-deb -x "$tools" "$W/root" && dpkg-deb -x "$dev" "$W/root"
R=$W/root/usr
export LD_LIBRARY_PATH="" PATH="$R/bin:$PATH"
for t in vmipatch vmidump vmilint mkrom vmirun; do
	v=$("$R/bin/$t" --version) || fail "$t --version"
	case $v in "$t $ver" | "$t (vmipatch) $ver"*) ;; *) fail "$t --version says '$v', the package is $ver" ;; esac
	"$R/bin/$t" --help | grep -q . || fail "$t --help prints nothing"
	[ -f "$R/share/man/man1/$t.1.gz" ] || fail "no man page for $t"
	w=$(MANWIDTH=80 man --warnings -l "$R/share/man/man1/$t.1.gz" 2>&1 >/dev/null)
	[ -z "$w" ] || fail "man $t: $w"
done
# A real operation: patch and restore a guest with the packaged vmipatch,
# its sites read back by the packaged vmidump, a ROM described by mkrom.
rom=$ROMS/vmware-like-x86_64.rom
vmipatch --rom "$rom" --verify --no-sync -o "$W/g.vmw" "$GUEST" >/dev/null || fail "packaged vmipatch"
vmidump --rom "$rom" --json "$W/g.vmw" | python3 -c 'import json,sys
d=json.load(sys.stdin); assert d["guest"]["stamp"]["state"]=="patched", d["guest"]' || fail "vmidump of the patched guest"
vmipatch --restore --no-sync -o "$W/g.nat" "$W/g.vmw" >/dev/null && cmp -s "$GUEST" "$W/g.nat" || fail "restore"
[ "$(mkrom --info --json "$rom" | python3 -c 'import json,sys; print(json.load(sys.stdin)["vendor"])')" = vmware-like ] ||
	fail "packaged mkrom --info"
# vmirun's defaults are the packaged paths; from the scratch root they are given.
vmirun --help | grep -q "/usr/lib/vmipatch/x86_64/vmirun-guest.so" || fail "vmirun's default guest is not the packaged one"
vmirun --guest "$R/lib/vmipatch/x86_64/vmirun-guest.so" --patcher "$R/lib/vmipatch/x86_64/patcher.bin" --rom "$rom" \
	--iterations 2 >/dev/null || fail "packaged vmirun with the packaged guest and patcher.bin"
# pkg-config from the package, relocated to the scratch root
pc=$(PKG_CONFIG_LIBDIR="$(echo "$R"/lib/*/pkgconfig)" pkg-config --define-variable=prefix="$R" --variable=patcher_x86_64 vmipatch)
[ -f "$pc" ] || fail "vmipatch.pc's patcher_x86_64 ($pc) is not in the package"
echo "deb-check: ok (dpkg-buildpackage ${secs}s, lintian clean, $(wc -l <"$W/tools.list")+$(wc -l <"$W/dev.list") entries, tools run from the package)"
