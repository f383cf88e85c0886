#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fault injection for the offline writer (vmipatch -o and --in-place).

Each file operation of the atomic write (mkstemp, write, a short write,
copy_file_range, fchmod, fsync, close, rename) is made to fail once through the LD_PRELOAD
shim (shim.c), and a file-size limit (RLIMIT_FSIZE, as `ulimit -f` sets
it) is imposed; every time the tool must exit 3 (I/O error) with one
line on stderr, leave the input byte for byte as it was and leave no
file at all in the output directory (no partial output, no temp file).
A control run with the shim loaded but no fault must succeed, and each
fault must really have been injected (the shim drops a marker file).
vmipatch copies the input into the temporary file with copy_file_range
and patches the copy through a shared mapping, so data writes happen only
where copy_file_range is missing: those faults (write, short) and the
size limit also run with copy_file_range failing ENOSYS ("nocopy", the
shim's VMI_FAULT_NOCOPY), and a nocopy control run must write the same
bytes as the normal one.
known-failures.txt names cases that are known tool bugs: printed as KNOWN
BUG, not failing the run, and failing it once they pass (remove the line).
"""
import argparse
import hashlib
import os
import resource
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OPS = ["mkstemp", "copy", "fchmod", "fsync", "close", "rename"]
NOCOPY_OPS = ["write", "short"]


def sha(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--o", default="build")
    ap.add_argument("--shim", required=True)
    ap.add_argument("--rom", required=True)
    a = ap.parse_args()
    tool = f"{a.o}/tools/vmipatch/vmipatch"
    if not os.access(tool, os.X_OK):
        print(f"faultinject: skipped: vmipatch is not built ({tool} missing)")
        return 0
    work = os.path.abspath(f"{a.o}/tests/faultinject/work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    image = f"{work}/image.elf"
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_image.py"), "--sites", "200",
                    "--text-kib", "256", "-o", image], check=True)
    good = sha(image)
    env0 = dict(os.environ)
    # An ASan build's runtime must come first unless told otherwise; the shim only wraps calls.
    env0["ASAN_OPTIONS"] = (env0.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0").lstrip(":")
    env0["LD_PRELOAD"] = os.path.abspath(a.shim)
    fails, runs = [], 0
    known = {}
    kf = os.path.join(HERE, "known-failures.txt")
    if os.path.exists(kf):
        for line in open(kf):
            line = line.split("#", 1)[0].strip()
            if line:
                known[line] = False

    outputs = {}

    def run(label, mode, op=None, fsize=None, expect_ok=False, nocopy=False):
        nonlocal runs
        runs += 1
        case = f"{work}/{label}"
        indir, outdir = f"{case}/in", f"{case}/out"
        os.makedirs(indir)
        os.makedirs(outdir)
        inp = f"{indir}/kernel.elf"
        shutil.copyfile(image, inp)
        env = dict(env0)
        marker = f"{case}/fault-hit"
        if op:
            env.update(VMI_FAULT_OP=op, VMI_FAULT_N="1", VMI_FAULT_HIT=marker)
        if nocopy:
            env.update(VMI_FAULT_NOCOPY="1", VMI_FAULT_NOCOPY_HIT=marker + "-nocopy")
        argv = [tool, "--rom", a.rom]
        argv += ["--in-place", inp] if mode == "in-place" else ["-o", f"{outdir}/patched.elf", inp]
        pre = (lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))) if fsize else None
        p = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           preexec_fn=pre, timeout=60)
        err = p.stderr.decode(errors="replace").strip()
        why = []
        if expect_ok:
            if p.returncode != 0:
                why.append(f"exit {p.returncode}")
            if nocopy and not os.path.exists(marker + "-nocopy"):
                why.append("the tool never tried copy_file_range")
            listing = os.listdir(outdir if mode == "out" else indir)
            if listing != (["patched.elf"] if mode == "out" else ["kernel.elf"]):
                why.append(f"directory holds {listing}")
            if mode == "in-place" and sha(inp) == good:
                why.append("in-place run did not change the image")
            result = inp if mode == "in-place" else f"{outdir}/patched.elf"
            if os.path.exists(result):
                outputs[label] = sha(result)
        else:
            if p.returncode != 3:
                why.append(f"exit {p.returncode}, want 3 (I/O error)"
                           + (" - killed by a signal" if p.returncode < 0 else ""))
            if len(err.splitlines()) != 1 or "kernel.elf" not in err and "patched.elf" not in err:
                why.append("stderr is not one line naming the file")
            if os.listdir(outdir):
                why.append(f"output dir holds {os.listdir(outdir)}")
            if os.listdir(indir) != ["kernel.elf"]:
                why.append(f"input dir holds {os.listdir(indir)}")
            if sha(inp) != good:
                why.append("input changed")
            if op and not os.path.exists(marker):
                why.append("the fault was never injected (the tool did not reach that call)")
            # Under a size limit the writer's ftruncate to the full size
            # fails before any copy starts, with or without copy_file_range.
            if nocopy and fsize is None and not os.path.exists(marker + "-nocopy"):
                why.append("the tool never tried copy_file_range")
        if why and label in known:
            known[label] = True
            print(f"faultinject {label:24s} KNOWN BUG: {'; '.join(why)}")
            return
        if not why and label in known:
            why.append("listed in known-failures.txt but passes now: remove the line")
        status = "ok" if not why else "FAIL"
        print(f"faultinject {label:24s} {status}" + (f": {'; '.join(why)}; stderr: {err!r}" if why else
                                                      (f" ({err})" if err else "")))
        if why:
            fails.append(label)

    run("control-out", "out", expect_ok=True)
    run("control-in-place", "in-place", expect_ok=True)
    run("nocopy-out", "out", nocopy=True, expect_ok=True)
    run("nocopy-in-place", "in-place", nocopy=True, expect_ok=True)
    for m in ("out", "in-place"):
        if outputs.get(f"nocopy-{m}") != outputs.get(f"control-{m}"):
            print(f"faultinject nocopy-{m:17s} FAIL: output differs from the control run's")
            fails.append(f"nocopy-{m}")
    for op in OPS:
        run(f"{op}-out", "out", op)
        run(f"{op}-in-place", "in-place", op)
    for op in NOCOPY_OPS:
        run(f"{op}-nocopy-out", "out", op, nocopy=True)
        run(f"{op}-nocopy-in-place", "in-place", op, nocopy=True)
    run("rlimit-fsize-out", "out", fsize=64 * 1024)
    run("rlimit-fsize-in-place", "in-place", fsize=64 * 1024)
    run("rlimit-fsize-nocopy-out", "out", fsize=64 * 1024, nocopy=True)
    if fails:
        print(f"faultinject: {len(fails)} of {runs} runs failed: {', '.join(fails)}", file=sys.stderr)
        return 1
    nknown = sum(1 for hit in known.values() if hit)
    print(f"faultinject: {runs} runs: every injected failure left the input intact and no output"
          + (f" (except {nknown} known bug(s) in tests/faultinject/known-failures.txt)" if nknown else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
