#!/bin/sh
# Build Linux 6.1 (Debian's linux-source-6.1) with CONFIG_VMI, out of tree.
#   guests/linux/build.sh [OUT]      OUT defaults to build/linux
# OUT/src is the kernel tree (extracted and patched again only when the
# tarball or the patch changed; overlay files are copied only when their
# content changed, so an unchanged tree builds nothing), OUT/obj the build.
# VMIPATCH_LIB: the freestanding x86_64 libvmipatch.a linked into the kernel.
# VMIPATCH: the vmipatch tool; the link step runs `vmipatch --prepare` on
# vmlinux to fill the site table the kernel reserves (offline patching).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/guests/linux
out=${1:-$top/build/linux}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
lib=${VMIPATCH_LIB:-$top/build/x86_64/libvmipatch.a}
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
tarball=${LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
src=$out/src
obj=$out/obj

die() { echo "linux: $*" >&2; exit 1; }
[ -r "$tarball" ] || die "$tarball is missing: install Debian's linux-source-6.1 (make deps does)"
[ -r "$lib" ] || die "$lib is missing: run make first"
tool=${VMIPATCH:-$top/build/tools/vmipatch/vmipatch}
case $tool in /*) ;; *) tool=$(pwd)/$tool ;; esac
[ -x "$tool" ] || die "$tool is missing: run make first"

key=$( { stat -c '%s %Y' "$tarball"; cat "$here/linux-6.1-vmi.patch"; } | sha256sum | cut -c1-16)
if [ "$(cat "$src/.vmi-key" 2>/dev/null)" != "$key" ]; then
	echo "linux: extracting $tarball and applying the VMI patch into $src"
	rm -rf "$src" "$obj"
	mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1
	patch -d "$src" -p1 --quiet --forward < "$here/linux-6.1-vmi.patch" ||
		die "the VMI patch does not apply to $tarball"
	echo "$key" > "$src/.vmi-key"
fi
(cd "$here/overlay" && find . -type f) | while read -r f; do
	if ! cmp -s "$here/overlay/$f" "$src/$f"; then
		mkdir -p "$(dirname "$src/$f")"
		cp "$here/overlay/$f" "$src/$f"
	fi
done

mkdir -p "$obj"
cfgkey=$(sha256sum < "$here/config.fragment" | cut -c1-16)
if [ "$(cat "$obj/.vmi-cfg" 2>/dev/null)" != "$cfgkey" ] || [ ! -f "$obj/.config" ]; then
	make -s -C "$src" O="$obj" tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$here/config.fragment" >/dev/null
	make -s -C "$src" O="$obj" olddefconfig >/dev/null
	# Every line of the fragment must have survived Kconfig's dependencies.
	grep '^CONFIG_' "$here/config.fragment" | while IFS== read -r name val; do
		case $val in
		n) ! grep -q "^$name=" "$obj/.config" || die "$name is set; the fragment says n" ;;
		*) grep -qx "$name=$val" "$obj/.config" || die "$name=$val did not stick (Kconfig dependencies)" ;;
		esac
	done
	echo "$cfgkey" > "$obj/.vmi-cfg"
fi
make -s -C "$src" O="$obj" -j"$(nproc)" VMIPATCH_LIB="$lib" VMIPATCH_INC="$top/include" VMIPATCH="$tool" \
	KBUILD_BUILD_TIMESTAMP='2026-01-01 00:00 UTC' KBUILD_BUILD_USER=vmi KBUILD_BUILD_HOST=vmi bzImage
echo "linux: $obj/arch/x86/boot/bzImage"
