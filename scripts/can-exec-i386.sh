#!/bin/sh
# Exit 0 when this machine's kernel runs i386 executables (IA32 emulation),
# 1 when it does not. Some hosts (e.g. microVM kernels) are built without
# it: their checks of 32-bit user-space programs are skipped with a message,
# not failed; the i386 code is still built, and QEMU still boots it.
#   scripts/can-exec-i386.sh [CC]
cc=${1:-${CC:-gcc}}
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
printf 'int main(void) { return 42; }\n' > "$dir/p.c"
"$cc" -m32 -o "$dir/p" "$dir/p.c" 2>/dev/null || exit 1
"$dir/p" 2>/dev/null
[ $? = 42 ]
