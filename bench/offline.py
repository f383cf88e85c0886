#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Offline tool benchmarks: vmipatch against cp, vmilint against objdump.

Each command runs --reps times (after one untimed warm-up, so the page
cache is equally warm for all); wall time min/median and the peak RSS of
each child (wait4) are printed with the ratio against the baseline of the
same run. Targets (issue "Measure and harden"):
  vmipatch on a 64 MiB ELF64 image with 100,000 sites: <= 1.5x cp,
  peak memory <= 1.5x the file size; vmilint >= 5x faster than objdump -d.
A missing tool or sample ROM is reported as skipped, never as a failure.
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run_timed(argv, reps, cleanup=None):
    """Run argv reps times; return (times in s, max rss in KiB, last rc)."""
    times, rss, rc = [], 0, 0
    for _ in range(reps):
        if cleanup:
            cleanup()
        t0 = time.monotonic()
        with open(os.devnull, "wb") as null:
            p = subprocess.Popen(argv, stdout=null, stderr=subprocess.PIPE)
            _, status, ru = os.wait4(p.pid, 0)
            t1 = time.monotonic()
            err = p.stderr.read().decode(errors="replace")
            p.stderr.close()
            p.returncode = os.waitstatus_to_exitcode(status)
        times.append(t1 - t0)
        rss = max(rss, ru.ru_maxrss)
        rc = p.returncode
        if rc not in (0,):
            return times, rss, rc, err
    return times, rss, rc, ""


def stat(times):
    return min(times), statistics.median(times)


def find_tool(o, name):
    for cand in [f"{o}/tools/{name}/{name}", f"{o}/tools/{name}", f"{o}/bin/{name}"]:
        if os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    hits = glob.glob(f"{o}/tools/**/{name}", recursive=True)
    hits = [h for h in hits if os.access(h, os.X_OK) and os.path.isfile(h)]
    return hits[0] if hits else None


def met(ok):
    return "met" if ok else "NOT met"


def gen(out, arch, sites, text_kib, size_mib):
    stamp = out + ".args"
    args = f"{arch} {sites} {text_kib} {size_mib} {os.path.getmtime(os.path.join(HERE, 'gen_image.py'))}"
    if os.path.exists(out) and os.path.exists(stamp) and open(stamp).read() == args:
        return
    subprocess.run([sys.executable, os.path.join(HERE, "gen_image.py"), "--arch", arch, "--sites",
                    str(sites), "--text-kib", str(text_kib), "--size-mib", str(size_mib), "-o", out],
                   check=True)
    with open(stamp, "w") as f:
        f.write(args)


def bench_vmipatch(o, d, reps, results, fallback_rom):
    tool = find_tool(o, "vmipatch")
    # the sample ROMs a hypervisor would ship (the others are broken on purpose)
    roms = [r for n in ("vmware-like", "xen-like", "hvm") for r in glob.glob(f"{o}/roms/{n}-x86_64.rom")]
    if fallback_rom:
        roms = roms or [fallback_rom]
    if not tool:
        print("vmipatch bench: skipped: vmipatch is not built (no tools/vmipatch under %s)" % o)
        results.append("RESULT|offline vmipatch 64 MiB / 100,000 sites|skipped: tool missing|||skipped")
        return
    if not roms:
        print("vmipatch bench: skipped: no sample x86-64 ROM under %s/roms" % o)
        results.append("RESULT|offline vmipatch 64 MiB / 100,000 sites|skipped: no sample ROM|||skipped")
        return
    rom = roms[0]
    img = f"{d}/big-x86_64.elf"
    gen(img, "x86_64", 100000, 16384, 64)
    size = os.path.getsize(img)
    out_cp, out_vp = f"{d}/big.cp", f"{d}/big.patched"

    def rm():
        for f in (out_cp, out_vp):
            if os.path.exists(f):
                os.unlink(f)
    vp = [tool, "--rom", rom, "-o", out_vp, img]
    vpn = [tool, "--no-sync", "--rom", rom, "-o", out_vp, img]
    cp = ["cp", img, out_cp]
    cps = ["sh", "-c", f'cp "$0" "$1" && sync "$1"', img, out_cp]
    for argv in (cp, vp):  # warm-up: page cache, and a clear error before timing
        rm()
        t, r, rc, err = run_timed(argv, 1)
        if rc != 0:
            print(f"vmipatch bench: FAILED to run {' '.join(argv)}: exit {rc}: {err.strip()}")
            results.append("RESULT|offline vmipatch 64 MiB / 100,000 sites|failed to run|||NOT met")
            return
    t_cp, _, _, _ = run_timed(cp, reps, rm)
    t_cps, _, _, _ = run_timed(cps, reps, rm)
    t_vp, rss_vp, rc, err = run_timed(vp, reps, rm)
    if rc == 0:
        t_vpn, rss_vpn, rc, err = run_timed(vpn, reps, rm)
        rss_vp = max(rss_vp, rss_vpn)
    rm()
    if rc != 0:
        print(f"vmipatch bench: FAILED: exit {rc}: {err.strip()}")
        return
    (cp_min, cp_med), (cps_min, cps_med), (vp_min, vp_med) = stat(t_cp), stat(t_cps), stat(t_vp)
    vpn_min, vpn_med = stat(t_vpn)
    # Like for like: vmipatch --no-sync and cp leave the data in the page
    # cache; vmipatch (the default) and cp+sync both wait for the disk.
    ratio_ns = vpn_min / cp_min
    ratio_s = vp_min / cps_min
    mem_ratio = rss_vp * 1024 / size
    print(f"== offline vmipatch: {size / 2**20:.1f} MiB ELF64, 100,000 sites, ROM {os.path.basename(rom)}, {reps} reps")
    print(f"  vmipatch --no-sync  min {vpn_min * 1e3:8.1f} ms  median {vpn_med * 1e3:8.1f} ms")
    print(f"  cp                  min {cp_min * 1e3:8.1f} ms  median {cp_med * 1e3:8.1f} ms  (baseline: neither syncs)")
    print(f"  vmipatch            min {vp_min * 1e3:8.1f} ms  median {vp_med * 1e3:8.1f} ms  peak RSS {rss_vp / 1024:.1f} MiB")
    print(f"  cp + sync           min {cps_min * 1e3:8.1f} ms  median {cps_med * 1e3:8.1f} ms  (baseline: both fsync)")
    print(f"  ratios: --no-sync vs cp {ratio_ns:.2f}x, default vs cp+sync {ratio_s:.2f}x, default vs cp "
          f"{vp_min / cp_min:.2f}x; peak memory {mem_ratio:.2f}x the file size")
    print(f"  target <= 1.5x cp: --no-sync {met(ratio_ns <= 1.5)}, default vs cp+sync {met(ratio_s <= 1.5)}; "
          f"target peak memory <= 1.5x file: {met(mem_ratio <= 1.5)}")
    results.append(f"RESULT|offline vmipatch --no-sync 64 MiB / 100,000 sites|{vpn_min * 1e3:.1f} ms|"
                   f"cp {cp_min * 1e3:.1f} ms|{ratio_ns:.2f}x|<= 1.5x: {met(ratio_ns <= 1.5)}")
    results.append(f"RESULT|offline vmipatch (fsync, default) 64 MiB / 100,000 sites|{vp_min * 1e3:.1f} ms|"
                   f"cp + sync {cps_min * 1e3:.1f} ms (cp alone {cp_min * 1e3:.1f} ms)|{ratio_s:.2f}x "
                   f"({vp_min / cp_min:.2f}x cp alone)|<= 1.5x: {met(ratio_s <= 1.5)}")
    results.append(f"RESULT|offline vmipatch peak memory|{rss_vp / 1024:.1f} MiB|file {size / 2**20:.1f} MiB|"
                   f"{mem_ratio:.2f}x|{met(mem_ratio <= 1.5)}")


def bench_vmilint(o, d, reps, results):
    tool = find_tool(o, "vmilint")
    if not tool:
        print("vmilint bench: skipped: vmilint is not built (no tools/vmilint under %s)" % o)
        results.append("RESULT|vmilint vs objdump -d|skipped: tool missing|||skipped")
        return
    img = f"{d}/lint-x86_64.elf"
    gen(img, "x86_64", 40000, 4096, 0)
    lint = [tool, img]
    objd = ["objdump", "-d", "--no-show-raw-insn", "-j", ".text", img]
    t, r, rc, err = run_timed(lint, 1)
    if rc not in (0,):
        print(f"vmilint bench: FAILED to run {' '.join(lint)}: exit {rc}: {err.strip()}")
        results.append("RESULT|vmilint vs objdump -d|failed to run|||NOT met")
        return
    lint1 = [tool, "--jobs", "1", img]
    t_l, rss_l, _, _ = run_timed(lint, reps)
    t_l1, _, _, _ = run_timed(lint1, reps)
    t_o, _, _, _ = run_timed(objd, reps)
    (l_min, l_med), (l1_min, l1_med), (o_min, o_med) = stat(t_l), stat(t_l1), stat(t_o)
    speedup = o_min / l_min
    ncpu = os.cpu_count() or 1
    text_mib = 4.0
    print(f"== vmilint: {text_mib:.0f} MiB of .text, 40,000 sites, {reps} reps")
    print(f"  vmilint       min {l_min * 1e3:8.1f} ms  median {l_med * 1e3:8.1f} ms  = {text_mib / l_min:.1f} MiB/s"
          f" ({min(ncpu, 8)} threads)")
    print(f"  vmilint -j1   min {l1_min * 1e3:8.1f} ms  median {l1_med * 1e3:8.1f} ms  = {text_mib / l1_min:.1f} MiB/s"
          f" (one thread: {o_min / l1_min:.1f}x objdump)")
    print(f"  objdump -d    min {o_min * 1e3:8.1f} ms  median {o_med * 1e3:8.1f} ms  = {text_mib / o_min:.1f} MiB/s (baseline)")
    print(f"  vmilint is {speedup:.1f}x faster; target >= 5x: {met(speedup >= 5)}")
    results.append(f"RESULT|vmilint 4 MiB .text|{l_min * 1e3:.1f} ms ({text_mib / l_min:.0f} MiB/s, {min(ncpu, 8)} threads; "
                   f"one thread {l1_min * 1e3:.1f} ms)|objdump -d {o_min * 1e3:.1f} ms|{speedup:.1f}x faster "
                   f"(one thread {o_min / l1_min:.1f}x)|{met(speedup >= 5)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--o", default=os.environ.get("O", "build"))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rom", help="ROM to use when no sample x86-64 ROM is built")
    a = ap.parse_args()
    d = f"{a.o}/bench"
    os.makedirs(d, exist_ok=True)
    results = []
    bench_vmipatch(a.o, d, a.reps, results, a.rom)
    bench_vmilint(a.o, d, a.reps, results)
    for r in results:
        print(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
