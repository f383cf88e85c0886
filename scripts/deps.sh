#!/bin/sh
# Install the Debian packages vmipatch needs, only those missing.
# apt-get as root, sudo otherwise; a clear message when neither works.
set -e
PKGS="gcc gcc-multilib clang make binutils libc6-dev-i386 libcmocka-dev libelf-dev libcapstone-dev \
libzydis-dev qemu-system-x86 nasm valgrind python3 libclang-rt-dev"
PKGS="$PKGS libdw-dev pkg-config dpkg-dev debhelper fakeroot lintian python3-jsonschema bash-completion man-db"
# The Linux guest (guests/linux): the kernel source and what building it takes.
PKGS="$PKGS linux-source-6.1 flex bison bc libssl-dev libelf-dev xz-utils patch cpio kmod"
# vmirun-i386 links the i386 Zydis: Multi-Arch packages beside the amd64 ones.
PKGS_I386="libzydis-dev:i386 libzycore-dev:i386"
missing=""
for p in $PKGS $PKGS_I386; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
if [ "$(id -u)" = 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO="sudo"
else
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root or with sudo: apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
case $missing in
*:i386*)
	dpkg --print-foreign-architectures | grep -qx i386 || $SUDO dpkg --add-architecture i386 || {
		echo "deps: dpkg --add-architecture i386 failed" >&2; exit 1; } ;;
esac
# A mirror caught mid-sync fails one index (seen with the i386 security
# index); apt keeps the others, so only the install decides.
$SUDO apt-get update -qq >/dev/null || echo "deps: apt-get update reported errors; installing anyway" >&2
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
	echo "deps: apt-get install failed for:$missing" >&2; exit 1; }
echo "deps: done"
