#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make demo (demo-tools): vmilint, vmidump and vmipatch on the sample guest
with each sample ROM, and what differs between the ROMs."""
import argparse
import filecmp
import json
import os
import subprocess
import sys

CALLS = ["DisableInterrupts", "GetInterruptMask", "SetCR3", "RDMSR", "INB", "IODelay",
         "SetPxELong", "SetPTE", "FlushDeferredCalls", "APICRead", "SpinWait", "FlushTLBOthers"]


def sh(args, show=True, lines=None):
    if show:
        print("$ " + " ".join(args))
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = p.stdout.splitlines()
    if show:
        if lines and len(out) > lines[0] + lines[1]:
            out = out[:lines[0]] + ["    ... (%d lines left out)" % (len(out) - lines[0] - lines[1])] + out[-lines[1]:]
        print("\n".join(out))
    if p.returncode not in (0, 4):
        sys.exit("demo: %s failed with exit %d" % (args[0], p.returncode))
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("roms", nargs="*")
    a = ap.parse_args()
    tool = lambda t: os.path.join(a.bin, t, t)
    os.makedirs(a.work, exist_ok=True)
    for arch in ("x86_64", "i386"):
        guest = os.path.join(a.guest, "guest-%s.elf" % arch)
        roms = [r for r in a.roms if r.endswith("-%s.rom" % arch)]
        print("\n==== %s sample guest ====\n" % arch)
        print("-- vmilint: privileged/sensitive instructions no annotation covers")
        sh([tool("vmilint"), "--cross-check", guest])
        if roms:
            pick = ([r for r in roms if "vmware" in r] or roms)[0]
            print("\n-- vmidump with %s (abbreviated)" % os.path.basename(pick))
            sh([tool("vmidump"), "--rom", pick, guest], lines=(14, 4))
        rows, forms = [], {}
        for rom in roms:
            name = os.path.basename(rom)[:-len("-%s.rom" % arch)]
            out = os.path.join(a.work, "guest-%s.%s.elf" % (arch, name))
            print("\n-- vmipatch for %s" % name)
            sh([tool("vmipatch"), "--verify", "--rom", rom, "-o", out, guest], lines=(0, 8))
            j = json.loads(sh([tool("vmipatch"), "--json", "-n", "--rom", rom, guest], show=False))
            s = j["summary"]
            rows.append((name, s["forms"], s["changed"], s["sites"]))
            by = {}
            for d in j["sites"]:
                by.setdefault(d["call"], set()).add(d["form"] + ("" if d["reason"] == "ok" else "(" + d["reason"] + ")"))
            forms[name] = by
            back = out + ".restored"
            subprocess.run([tool("vmipatch"), "--restore", "-o", back, out], stdout=subprocess.DEVNULL, check=True)
            print("restore: %s" % ("byte-identical to the input" if filecmp.cmp(back, guest, shallow=False) else "DIFFERS"))
        if not rows:
            print("(no sample ROMs for %s)" % arch)
            continue
        print("\n-- %s: the same image, one ROM per row" % arch)
        print("%-14s %6s %6s %6s %6s %8s" % ("ROM", "ident", "inline", "call", "nop", "changed"))
        for name, f, changed, n in rows:
            print("%-14s %6d %6d %6d %6d %5d/%d" % (name, f["ident"], f["inline"], f["call"], f["nop"], changed, n))
        print("\n-- %s: what each ROM makes of some calls" % arch)
        names = [r[0] for r in rows]
        print("%-20s " % "call" + " ".join("%-22s" % n for n in names))
        for call in CALLS:
            if not any(call in forms[n] for n in names):
                continue
            print("%-20s " % call + " ".join("%-22s" % ",".join(sorted(forms[n].get(call, {"-"}))) for n in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
