#!/bin/sh
# tests/install/install-check.sh - make install into a scratch DESTDIR, use
# what was installed the way a user would, then make uninstall.
#   1. every file lands where the layout says (headers, libs, pc, man, completion)
#   2. a hosted program built with `pkg-config --cflags --libs vmipatch`
#      against the staged tree reads ROMs as the installed mkrom does
#   3. a small guest built with the installed freestanding lib (pkg-config
#      variable lib_x86_64) is read, linted and patched by the installed tools
#   4. each man page renders with `man -l` and no warnings
#   5. the installed bash completion offers each tool's flags
#   6. make uninstall leaves no file behind
# Environment: MAKE, O (build dir), CC, ROMS (dir of the sample ROMs), HOST_FLAGS
# (what hosted code is built with: the sanitizers of a SAN=1 build).
set -eu
: "${MAKE:=make}" "${O:?}" "${CC:=cc}" "${ROMS:?}"
W=$O/tests/install
D=$(pwd)/$W/root
P=/usr
fail() { echo "install-check: FAIL: $*" >&2; exit 1; }
rm -rf "$W/root" "$W/work" && mkdir -p "$W/work"

# 1. install
$MAKE -s --no-print-directory O="$O" CC="$CC" PREFIX=$P DESTDIR="$D" install >"$W/work/install.log" 2>&1 ||
	{ cat "$W/work/install.log" >&2; fail "make install"; }
for f in bin/vmipatch bin/vmidump bin/vmilint bin/mkrom include/vmi/vmi.h include/vmi/guest.h lib/libvmipatch.a \
	lib/pkgconfig/vmipatch.pc lib/vmipatch/i386/libvmipatch.a lib/vmipatch/x86_64/libvmipatch.a \
	lib/vmipatch/i386/patcher.bin lib/vmipatch/x86_64/patcher.bin share/man/man1/vmilint.1 \
	share/bash-completion/completions/vmipatch share/bash-completion/completions/vmilint \
	share/vmipatch/schema/vmilint.v1.schema.json share/vmipatch/schema/common.v1.schema.json; do
	[ -e "$D$P/$f" ] || fail "make install did not install $P/$f"
done
# Nothing outside PREFIX, nothing from the build tree's internals.
[ -z "$(find "$D" -mindepth 1 -maxdepth 1 ! -name usr)" ] || fail "files outside $P: $(ls "$D")"
[ ! -e "$D$P/include/vmi/internal" ] || fail "internal headers installed"
nfiles=$(find "$D" ! -type d | wc -l)

# 2. pkg-config: the staged tree, relocated by --define-variable=prefix
PC="pkg-config --define-variable=prefix=$D$P"
export PKG_CONFIG_PATH="$D$P/lib/pkgconfig" PKG_CONFIG_LIBDIR="$D$P/lib/pkgconfig"
$PC --exists vmipatch || fail "pkg-config does not find vmipatch.pc"
[ "$($PC --modversion vmipatch)" = "$("$D$P/bin/vmipatch" --version | awk '{print $2}')" ] ||
	fail "vmipatch.pc version differs from vmipatch --version"
cflags=$($PC --cflags vmipatch) libs=$($PC --libs vmipatch)
case $cflags in *"-I$D$P/include"*) ;; *) fail "cflags '$cflags' miss $D$P/include" ;; esac
# shellcheck disable=SC2086 # word splitting of the flags is wanted
$CC -std=c11 -Wall -Werror ${HOST_FLAGS:-} $cflags -o "$W/work/romcheck" tests/install/romcheck.c $libs ||
	fail "cannot build against the installed headers and libvmipatch.a ($cflags $libs)"
good=$ROMS/vmware-like-x86_64.rom bad=$ROMS/bad-checksum-x86_64.rom
out=$("$W/work/romcheck" "$good" "$bad") || fail "romcheck exited $?"
"$D$P/bin/mkrom" --info --json "$good" >"$W/work/info.json"
want=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
print("vendor \"%s\" interface %d.%d arch %s" % (r["vendor"], r["major"], r["minor"], r["arch"]))' "$W/work/info.json")
echo "$out" | grep -qF "$good: $want calls" || fail "romcheck says '$out', mkrom --info says '$want'"
echo "$out" | grep -q "^$bad: refused: ." || fail "romcheck accepted $bad: '$out'"

# 3. a guest linked with the installed freestanding library
lib64=$D$($PC --variable=lib_x86_64 vmipatch | sed "s|^$D||")
[ -f "$lib64" ] || fail "lib_x86_64 = $lib64 does not exist"
[ -f "$D$($PC --variable=patcher_x86_64 vmipatch | sed "s|^$D||")" ] || fail "patcher_x86_64 missing"
fscflags=$($PC --variable=freestanding_cflags vmipatch)
# shellcheck disable=SC2086
$CC -std=c11 -O2 -m64 -mno-red-zone -fno-pie $fscflags $cflags -c -o "$W/work/guest.o" tests/install/guest.c &&
	$CC -m64 -nostdlib -static -Wl,--build-id=none -o "$W/work/guest.elf" "$W/work/guest.o" "$lib64" ||
	fail "cannot build a guest with the installed freestanding library"
nm "$W/work/guest.elf" | grep -q ' vmi_plan_workspace_size$' || fail "guest did not link the library's code"
"$D$P/bin/vmidump" --json "$W/work/guest.elf" >"$W/work/dump.json" || fail "installed vmidump failed"
nsites=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["sites"]))' "$W/work/dump.json")
nsrc=$(grep -cE '^[[:space:]]+(unsigned long flags = )?vmi_(save|restore)?_?(cli|flags)\(' tests/install/guest.c)
[ "$nsites" = "$nsrc" ] || fail "vmidump reads $nsites sites, guest.c has $nsrc"
rc=0; "$D$P/bin/vmilint" --fail-on error "$W/work/guest.elf" >"$W/work/lint.txt" || rc=$?
[ $rc = 4 ] || fail "installed vmilint --fail-on error exited $rc, want 4 (one raw sgdt)"
[ "$(grep -c ": error: " "$W/work/lint.txt")" = 1 ] && grep -q ": error: sensitive instruction .sgdt.*install_unannotated" "$W/work/lint.txt" ||
	fail "vmilint: $(cat "$W/work/lint.txt")"
"$D$P/bin/vmipatch" --rom "$good" --verify --no-sync -o "$W/work/guest.vmw" "$W/work/guest.elf" >/dev/null ||
	fail "installed vmipatch failed"
! cmp -s "$W/work/guest.elf" "$W/work/guest.vmw" || fail "vmipatch changed nothing"
"$D$P/bin/vmipatch" --restore --no-sync -o "$W/work/guest.nat" "$W/work/guest.vmw" >/dev/null
cmp -s "$W/work/guest.elf" "$W/work/guest.nat" || fail "--restore does not give the input back"

# 4. man pages
nman=0
for m in "$D$P"/share/man/man1/*.1; do
	w=$(MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null) || fail "man -l $m failed"
	[ -z "$w" ] || fail "man -l $m: $w"
	MANWIDTH=80 man -l "$m" 2>/dev/null | grep -q '^NAME' || fail "$m renders without a NAME section"
	nman=$((nman + 1))
done
[ $nman -ge 5 ] || fail "only $nman man pages installed"

# 5. bash completion, as bash-completion would load it
for t in vmipatch vmilint mkrom; do
	got=$(PATH="$D$P/bin:$PATH" bash -c '. "$1"; COMP_WORDS=("$2" --); COMP_CWORD=1; COMP_LINE="$2 --"
		COMP_POINT=${#COMP_LINE}; _vmipatch_complete "$2" -- "$2"; printf "%s\n" "${COMPREPLY[@]}"' sh \
		"$D$P/share/bash-completion/completions/$t" "$t")
	for f in $("$D$P/bin/$t" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
		echo "$got" | grep -qx -- "$f" || fail "completion for $t does not offer $f"
	done
done

# 6. uninstall
$MAKE -s --no-print-directory O="$O" CC="$CC" PREFIX=$P DESTDIR="$D" uninstall >"$W/work/uninstall.log" 2>&1 ||
	{ cat "$W/work/uninstall.log" >&2; fail "make uninstall"; }
left=$(find "$D" ! -type d)
[ -z "$left" ] || fail "make uninstall left: $left"
[ -z "$(find "$D" -type d -name 'vmi*')" ] || fail "make uninstall left directories: $(find "$D" -type d -name 'vmi*')"
echo "install-check: ok ($nfiles files installed and removed; pkg-config build, guest, tools, $nman man pages, completion)"
