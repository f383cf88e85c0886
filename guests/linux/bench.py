#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make linux-bench: what VMI costs and saves in a real Linux boot.

usage: bench.py RUN_SH BZIMAGE INITRD ROMDIR LOGDIR VMIRUN

Boots the CONFIG_VMI kernel once per ROM (run.sh, which also judges each
boot) and reports, from each boot's /proc/vmi and serial log:
  - in-kernel patching per site, vmipatch against Linux's own
    apply_paravirt() on the same kernel in the same boot (TSC cycles): at
    first use (text written) and steady (planning again / Linux's pass
    replayed into a scratch buffer);
  - boot to /init (printk time of the last "Freeing unused kernel image"
    line, just before the kernel execs /init);
  - for the /init workload, the ROM's per-call counters times vmirun's
    per-call costs for that ROM (ns/op, trap-and-emulate vs VMI call): the
    time the patched calls spent against what the same operations would
    cost trapped, per call and per feature group.
A benchmark, not a test: the figures are printed, not judged (run.sh
judges the boots). Ratios are against baselines measured in the same run.
"""
import json
import os
import re
import subprocess
import sys

ROMS = ["native", "vmware-like", "xen-like", "hvm"]
GROUPS = {  # VMI call -> the feature it belongs to, for the savings summary
    "SetPxELong": "MMU updates", "InvalPage": "TLB flushes", "FlushTLB": "TLB flushes",
    "SetCR3": "MMU updates", "GetCR3": "MMU updates", "GetCR2": "MMU updates",
    "DisableInterrupts": "interrupt masking", "EnableInterrupts": "interrupt masking",
    "GetInterruptMask": "interrupt masking", "SafeHalt": "halt", "Halt": "halt",
}


def proc(log, key):
    for line in log:
        if line.startswith("vmi-proc: " + key + ":"):
            return line[len("vmi-proc: " + key + ":"):].strip()
    return ""


def kv(text):
    it = text.split()
    return {it[i]: it[i + 1] for i in range(0, len(it) - 1, 2)}


def main():
    run_sh, bz, initrd, romdir, logdir, vmirun = sys.argv[1:7]
    os.makedirs(logdir, exist_ok=True)
    cases = ["no-rom"] + ROMS
    r = subprocess.run([run_sh, bz, initrd, romdir, logdir] + cases)
    if r.returncode:
        print("linux-bench: a boot failed (logs in %s)" % logdir)
        return 1
    print("\nlinux-bench: %s, TCG, %d host CPUs; cycles are the guest's TSC" % (bz, os.cpu_count()))
    print("\n%-12s %6s %7s | %12s %12s %6s | %11s %11s %6s | %9s" % (
        "ROM", "sites", "records", "vmipatch/st", "linux/rec", "ratio", "plan/site", "replay/rec",
        "ratio", "to /init"))
    rows = {}
    for c in cases:
        log = open(os.path.join(logdir, c + ".log")).read().splitlines()
        t = kv(proc(log, "time"))
        sites, recs = int(t.get("sites", 0)), int(t.get("records", 0))
        first = (int(t["build-cold"]) + int(t["apply"])) / max(sites, 1)
        linux = int(t["linux-boot"]) / max(recs, 1)
        steady = int(t["build"]) / max(sites, 1)
        replay = int(t["linux-replay"]) / max(recs, 1)
        init = [float(m.group(1)) for line in log
                for m in [re.match(r"\[\s*([0-9.]+)\] Freeing unused kernel image", line)] if m]
        rows[c] = log
        print("%-12s %6d %7d | %12.0f %12.0f %6.2f | %11.0f %11.0f %6.1f | %8.3fs" % (
            c, sites, recs, first, linux, first / linux if linux else 0, steady, replay,
            steady / replay if replay else 0, init[-1] if init else float("nan")))
    print("(first use: vmipatch's first plan + apply per site vs Linux's apply_paravirt() per record;"
          "\n steady: vmipatch's second plan per site vs Linux's pass replayed, per record; ratio > 1: vmipatch slower)")

    for rom in ROMS:
        counters = kv(proc(rows[rom], "counters").replace("=", " "))
        if not counters:
            print("\n%s: no ROM calls counted" % rom)
            continue
        out = subprocess.run([vmirun, "--bench", "--json", "--rom",
                              os.path.join(romdir, rom + "-x86_64.rom")],
                             stdout=subprocess.PIPE, check=True, text=True).stdout
        ops = json.loads(out)["roms"][0]["ops"]
        cost, deferred = {}, {}
        for op in ops:  # first op of each call: the plain (not deferred) use
            cost.setdefault(op["call"], op["ns"])
            if op["op"].endswith("_deferred") and op["ns"][1] is not None:
                deferred[op["call"]] = op["ns"][1]
        print("\n%s: /init workload, ROM counters x vmirun ns/op (trap-and-emulate vs VMI call)" % rom)
        print("  %-20s %9s %10s %10s %12s %12s %8s" % ("call", "count", "trap ns", "call ns",
                                                     "trapped ms", "as call ms", "saved"))
        groups = {}
        for name, n in sorted(counters.items(), key=lambda x: -int(x[1])):
            n = int(n)
            ns = cost.get(name)
            if not ns or ns[0] is None or ns[1] is None:
                print("  %-20s %9d %10s %10s   (vmirun has no trap/call pair for it)" % (name, n, "-", "-"))
                continue
            trap, call = ns[0] * n / 1e6, ns[1] * n / 1e6
            g = groups.setdefault(GROUPS.get(name, "other"), [0.0, 0.0])
            g[0] += trap
            g[1] += call
            print("  %-20s %9d %10.1f %10.1f %12.3f %12.3f %7.1fx" % (
                name, n, ns[0], ns[1], trap, call, trap / call if call else 0))
        for name, ns in sorted(deferred.items()):
            n = int(counters.get(name, 0))
            if n and cost.get(name) and cost[name][1]:
                # The 6.1 guest maps no lazy-MMU hooks, so it never queues.
                print("  %-20s queued (deferred MMU, vmirun %s_deferred %.1f ns): %.3f ms instead of "
                      "%.3f ms, %.1fx less; the guest does not use it yet" % (
                          name, "set_pxe", ns, n * ns / 1e6, n * cost[name][1] / 1e6,
                          cost[name][1] / ns))
        for g, (trap, call) in sorted(groups.items()):
            print("  %-20s trapped %.3f ms, as VMI calls %.3f ms: %.3f ms saved (%.1fx)" % (
                g, trap, call, trap - call, trap / call if call else 0))
    return 0


sys.exit(main())
