#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the tools under valgrind memcheck on sample inputs: clean means no
invalid access, no use of uninitialised memory and no definite leak
(valgrind exits 99 on any of them), on the success paths and on an error
path. Tools that are not built are reported as skipped.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VG = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite",
      "--track-origins=yes"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--o", default="build")
    ap.add_argument("--rom", required=True)
    a = ap.parse_args()
    if not shutil.which("valgrind"):
        print("valgrind: skipped: valgrind is not installed")
        return 0
    work = f"{a.o}/tests/valgrind/work"
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    tool = lambda t: (f"{a.o}/tools/{t}/{t}" if os.access(f"{a.o}/tools/{t}/{t}", os.X_OK) else None)
    images = sorted(glob.glob(f"{a.o}/guest/guest-x86_64.elf"))
    if not images:
        img = f"{work}/gen.elf"
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_image.py"), "--sites", "100",
                        "-o", img], check=True)
        images = [img]
    img = images[0]
    # a sample ROM a hypervisor would ship (others under roms/ are broken on purpose)
    roms = sorted(glob.glob(f"{a.o}/roms/vmware-like-x86_64.rom")) or [a.rom]
    rom = roms[0]
    bad = f"{work}/truncated.elf"
    with open(img, "rb") as f, open(bad, "wb") as g:
        g.write(f.read()[:200])

    runs = []  # (label, argv, expected exit codes without valgrind errors)
    vp, vd, vl, mk = tool("vmipatch"), tool("vmidump"), tool("vmilint"), tool("mkrom")
    if vp:
        runs += [("vmipatch -o", [vp, "--rom", rom, "-o", f"{work}/p.elf", img], (0,)),
                 ("vmipatch --verify --json", [vp, "--rom", rom, "--verify", "--json", "-o", f"{work}/p2.elf", img], (0,)),
                 ("vmipatch --dry-run", [vp, "--rom", rom, "--dry-run", img], (0,)),
                 ("vmipatch --restore", [vp, "--restore", "-o", f"{work}/r.elf", f"{work}/p.elf"], (0,)),
                 ("vmipatch bad input", [vp, "--rom", rom, "-o", f"{work}/x.elf", bad], (1,))]
    if vd:
        runs += [("vmidump", [vd, img], (0,)), ("vmidump --rom", [vd, "--rom", rom, img], (0,)),
                 ("vmidump bad input", [vd, bad], (1,))]
    if vl:
        runs += [("vmilint --cross-check", [vl, "--cross-check", img], (0,)),
                 ("vmilint --json", [vl, "--json", img], (0,)), ("vmilint bad input", [vl, bad], (1,))]
    if mk:
        runs += [("mkrom --info", [mk, "--info", rom], (0,)), ("mkrom --info bad", [mk, "--info", bad], (1,))]
    # the ELF32 path too, when the i386 samples are built
    img32, rom32 = f"{a.o}/guest/guest-i386.elf", f"{a.o}/roms/vmware-like-i386.rom"
    if os.path.exists(img32) and os.path.exists(rom32):
        if vp:
            runs += [("vmipatch i386", [vp, "--rom", rom32, "--verify", "-o", f"{work}/p32.elf", img32], (0,))]
        if vd:
            runs += [("vmidump i386", [vd, "--rom", rom32, img32], (0,))]
        if vl:
            runs += [("vmilint i386", [vl, img32], (0,))]
    for t, p in (("vmipatch", vp), ("vmidump", vd), ("vmilint", vl), ("mkrom", mk)):
        if not p:
            print(f"valgrind: {t}: skipped: not built")
    fails = 0
    for label, argv, ok in runs:
        p = subprocess.run(VG + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
        err = p.stderr.decode(errors="replace")
        if p.returncode == 99 or "==" in err and "Invalid" in err:
            print(f"valgrind {label}: FAIL: memcheck errors:\n{err}", file=sys.stderr)
            fails += 1
        elif p.returncode not in ok:
            print(f"valgrind {label}: FAIL: exit {p.returncode}, want {ok}: {err.strip()[:300]}", file=sys.stderr)
            fails += 1
        else:
            print(f"valgrind {label}: clean")
    if fails:
        print(f"valgrind: {fails} of {len(runs)} runs failed", file=sys.stderr)
        return 1
    print(f"valgrind: {len(runs)} runs clean (no invalid access, no uninitialised use, no definite leak)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
