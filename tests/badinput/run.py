#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Bad-input corpus: every broken file must give one clear error line.

The corpus is generated at test time from good inputs (images written by
bench/gen_image.py, the sample guest images, the synthetic and sample
ROMs): truncations, wrong magic/class/machine, headers and sections
pointing outside the file, wrong entry sizes, bad notes, out-of-bounds,
overlapping and mis-sized sites; for ROMs every field the loader checks.
Each file goes through every tool that accepts it and must give:
  - a non-zero exit (and not a crash: no signal, no sanitizer report),
  - exactly one line on stderr, naming the file,
  - nothing written: the output directory stays empty, the input is
    unchanged, and --in-place leaves no file beside the input; nothing
    is even created and removed (the directories' mtimes stay), since
    every input is checked before anything is written.
Site-level cases (bounds, overlap, lengths: the planner's rules) go to
the tools that plan (vmipatch, vmidump), not to vmilint, which only reads
the table to know what is covered.
A tool that is not built is reported as skipped. known-failures.txt lists
"tool case" pairs that are known tool bugs: they are printed as KNOWN BUG
on every run and do not fail it; a pair that no longer fails fails the run
until it is removed from the list (so the list cannot go stale).
"""
import argparse
import glob
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


# ---- a minimal ELF reader for the mutations ----
class Elf:
    def __init__(self, data):
        self.d = bytearray(data)
        self.is64 = self.d[4] == 2
        if self.is64:
            (self.phoff, self.shoff) = struct.unpack_from("<QQ", self.d, 32)
            (self.phentsize, self.phnum, self.shentsize, self.shnum, self.shstrndx) = \
                struct.unpack_from("<HHHHH", self.d, 54)
        else:
            (self.phoff, self.shoff) = struct.unpack_from("<II", self.d, 28)
            (self.phentsize, self.phnum, self.shentsize, self.shnum, self.shstrndx) = \
                struct.unpack_from("<HHHHH", self.d, 42)

    def sh(self, i):
        o = self.shoff + i * self.shentsize
        if self.is64:
            name, typ, flags, addr, off, size = struct.unpack_from("<IIQQQQ", self.d, o)
        else:
            name, typ, flags, addr, off, size = struct.unpack_from("<IIIIII", self.d, o)
        return dict(name=name, type=typ, addr=addr, off=off, size=size, hdr=o)

    def section(self, want):
        strtab = self.sh(self.shstrndx)
        for i in range(self.shnum):
            s = self.sh(i)
            n = self.d[strtab["off"] + s["name"]:].split(b"\0", 1)[0].decode(errors="replace")
            if n == want:
                return s
        return None

    def set_sh(self, s, field, value):
        o = s["hdr"]
        if self.is64:
            pos = {"off": (24, "<Q"), "size": (32, "<Q"), "addr": (16, "<Q"), "flags": (8, "<Q")}[field]
        else:
            pos = {"off": (16, "<I"), "size": (20, "<I"), "addr": (12, "<I"), "flags": (8, "<I")}[field]
        struct.pack_into(pos[1], self.d, o + pos[0], value)

    def set_ph(self, i, field, value):
        o = self.phoff + i * self.phentsize
        if self.is64:
            pos = {"offset": (8, "<Q"), "filesz": (32, "<Q"), "memsz": (40, "<Q")}[field]
        else:
            pos = {"offset": (4, "<I"), "filesz": (16, "<I"), "memsz": (20, "<I")}[field]
        struct.pack_into(pos[1], self.d, o + pos[0], value)

    def ptload(self):
        for i in range(self.phnum):
            (t,) = struct.unpack_from("<I", self.d, self.phoff + i * self.phentsize)
            if t == 1:
                return i
        return None

    def note_desc_off(self):
        s = self.section(".note.vmi")
        if not s:
            return None
        namesz, descsz, typ = struct.unpack_from("<III", self.d, s["off"])
        return s["off"] + 12 + ((namesz + 3) & ~3)


def elf_cases(name, data):
    """(case name, bytes) for every way an image can be broken."""
    out = []
    add = lambda n, b: out.append((f"{name}-{n}", bytes(b)))
    add("empty", b"")
    add("trunc-4", data[:4])
    add("trunc-40", data[:40])
    add("trunc-half", data[:len(data) // 2])
    add("not-elf", b"this is not an ELF image\n" * 8)
    e = Elf(data)
    b = bytearray(data); b[0:4] = b"\x7fELG"; add("bad-magic", b)
    b = bytearray(data); b[4] = 7; add("bad-class", b)
    b = bytearray(data); struct.pack_into("<H", b, 18, 40); add("bad-machine", b)  # EM_ARM
    b = Elf(data)
    if b.is64:
        struct.pack_into("<Q", b.d, 40, len(data) + 4096)
    else:
        struct.pack_into("<I", b.d, 32, len(data) + 4096)
    add("shoff-past-end", b.d)
    b = Elf(data)
    if b.is64:
        struct.pack_into("<Q", b.d, 32, len(data) - 8)
    else:
        struct.pack_into("<I", b.d, 28, len(data) - 8)
    add("phoff-past-end", b.d)
    shstrndx_off = 62 if e.is64 else 50
    b = bytearray(data); struct.pack_into("<H", b, shstrndx_off, e.shnum + 7); add("shstrndx-past-end", b)
    b = bytearray(data); struct.pack_into("<H", b, shstrndx_off, 1 if e.shstrndx != 1 else 2); add("shstrndx-not-strtab", b)
    b = bytearray(data); struct.pack_into("<H", b, 16, 1); add("et-rel", b)  # ET_REL: a .o or .ko
    b = bytearray(data); struct.pack_into("<H", b, 16, 4); add("et-core", b)
    b = Elf(data); i = b.ptload()
    if i is not None:
        b.set_ph(i, "filesz", len(data) * 4); add("load-past-end", b.d)
        b = Elf(data); b.set_ph(i, "memsz", (1 << (64 if b.is64 else 32)) - 1); add("memsz-huge", b.d)
        b = Elf(data); b.set_ph(i, "memsz", 0); add("memsz-below-filesz", b.d)
    sites = e.section("vmi_sites")
    if sites:
        b = Elf(data); b.set_sh(b.section("vmi_sites"), "off", len(data) + 16); add("sites-off-past-end", b.d)
        b = Elf(data); b.set_sh(b.section("vmi_sites"), "size", 30); add("sites-size-not-multiple", b.d)
        b = Elf(data); b.set_sh(b.section("vmi_sites"), "size", len(data) * 2); add("sites-size-past-end", b.d)
        so = sites["off"]
        b = bytearray(data); struct.pack_into("<i", b, so, 0x7ffffff0); add("site-out-of-bounds", b)
        b = bytearray(data); struct.pack_into("<i", b, so + 4, -0x7ffffff0); add("native-out-of-bounds", b)
        if sites["size"] >= 32:
            b = bytearray(data)
            (s0,) = struct.unpack_from("<i", b, so)
            struct.pack_into("<i", b, so + 16, s0 - 16)  # entry 1 points at entry 0's site
            add("sites-overlap", b)
        b = bytearray(data); b[so + 10] = 2; add("site-too-short", b)
        b = bytearray(data); b[so + 10] = 40; add("site-too-long", b)
        b = bytearray(data); b[so + 11] = b[so + 10] + 1; add("native-longer-than-site", b)
        # Annotations that lie about the code (in bounds, so only the
        # site check sees them): the native copy one byte off, the site
        # one byte off, and code not marked executable.
        (s0, n0) = struct.unpack_from("<ii", data, so)
        b = bytearray(data); struct.pack_into("<i", b, so + 4, n0 + 1); add("native-copy-wrong", b)
        b = bytearray(data); struct.pack_into("<i", b, so, s0 + 1); add("site-offset-wrong", b)
        t = e.section(".text")
        if t:
            b = Elf(data); b.set_sh(t, "flags", 2); add("text-not-execinstr", b.d)  # SHF_ALLOC only
    do = e.note_desc_off()
    if do is not None:
        b = bytearray(data); struct.pack_into("<H", b, do, 0x900); add("note-format-major", b)
        b = bytearray(data); struct.pack_into("<H", b, do + 2, 8); add("note-entry-size-small", b)
        b = bytearray(data); struct.pack_into("<H", b, do + 2, 4096); add("note-entry-size-huge", b)
        b = bytearray(data); b[do + 4] = 1 if e.is64 else 2; add("note-arch-mismatch", b)
        b = bytearray(data); b[do + 4] = 9; add("note-arch-unknown", b)
        b = Elf(data); b.set_sh(b.section(".note.vmi"), "size", 8); add("note-truncated", b.d)
        # Format 1.1 promises a site count the 28-byte descriptor lacks.
        b = bytearray(data); struct.pack_into("<H", b, do, 0x101); add("note-1.1-without-count", b)
    return out


# Object kinds vmilint reads on its own terms (relocatable objects), not
# refused as the tools that patch a linked image refuse them.
LINKED_ONLY = ("et-rel", "et-core")

SITE_LEVEL = ("site-out-of-bounds", "native-out-of-bounds", "sites-overlap", "site-too-short",
              "site-too-long", "native-longer-than-site", "native-copy-wrong", "site-offset-wrong",
              "text-not-execinstr")


def rom_cases(name, data):
    out = []

    def fix(b):
        b[-1] = 0
        b[-1] = (-sum(b)) & 0xff
        return b

    def add(n, b, keep_sum=False):
        b = bytearray(b)
        out.append((f"{name}-{n}", bytes(b if keep_sum else fix(b))))
    out.append((f"{name}-empty", b""))
    out.append((f"{name}-trunc-header", data[:0x20]))
    out.append((f"{name}-trunc-declared", data[:len(data) - 512]))
    b = bytearray(data); b[0] = 0x56; add("bad-signature", b)
    b = bytearray(data); b[2] = 0; out.append((f"{name}-length-zero", bytes(b)))
    b = bytearray(data); b[5] ^= 0x5a; out.append((f"{name}-bad-checksum", bytes(b)))
    b = bytearray(data); b[8:12] = b"VMI?"; add("bad-magic", b)
    b = bytearray(data); struct.pack_into("<H", b, 0x0e, 0x20); add("header-size-small", b)
    b = bytearray(data); struct.pack_into("<H", b, 0x0e, 0xfff0); add("header-size-past-end", b)
    b = bytearray(data); struct.pack_into("<H", b, 0x16, 8); add("entry-size-small", b)
    b = bytearray(data); struct.pack_into("<H", b, 0x18, 0x40); add("pci-pointer-set", b)
    b = bytearray(data); struct.pack_into("<H", b, 0x1c, 0); add("count-zero", b)
    b = bytearray(data); struct.pack_into("<H", b, 0x1c, 4000); add("count-huge", b)
    b = bytearray(data); struct.pack_into("<I", b, 0x20, len(data) - 8); add("table-past-end", b)
    b = bytearray(data); struct.pack_into("<I", b, 0x24, len(data) + 64); add("init-past-end", b)
    (table,) = struct.unpack_from("<I", data, 0x20)
    (count,) = struct.unpack_from("<H", data, 0x1c)
    b = bytearray(data); b[table + 2] = 9; add("entry-bad-form", b)
    b = bytearray(data); struct.pack_into("<I", b, table + 8, len(data) + 100); add("entry-off-past-end", b)
    for k in range(count):
        e = table + 16 * k
        if data[e + 3]:
            b = bytearray(data); struct.pack_into("<I", b, e + 4, len(data) - 2); add("stub-past-end", b)
            break
    if count >= 2:
        b = bytearray(data); b[table + 16:table + 18] = data[table:table + 2]; add("duplicate-call", b)
    b = bytearray(data); struct.pack_into("<H", b, table + 14, 0x10); add("clobbers-sp", b)
    # The code-area and header rules (vmi/rom.h): code is neither header,
    # table nor checksum; init16 is retf + zeros; reserved bytes are zero.
    b = bytearray(data); b[3] = 0xC3; add("init16-not-retf", b)
    b = bytearray(data); b[0x1E] = 1; add("reserved1-set", b)
    b = bytearray(data); struct.pack_into("<I", b, 0x24, 0x10); add("init-in-header", b)
    b = bytearray(data); struct.pack_into("<I", b, 0x24, len(data) - 1); add("init-on-checksum", b)
    for k in range(count):
        e = table + 16 * k
        if data[e + 3]:
            b = bytearray(data); struct.pack_into("<I", b, e + 4, table); add("stub-in-table", b)
            break
    return out


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load_known():
    known = {}
    path = os.path.join(HERE, "known-failures.txt")
    if os.path.exists(path):
        for line in open(path):
            line = line.split("#", 1)[0].split()
            if len(line) == 2:
                known[(line[0], line[1])] = False
    return known


class Runner:
    def __init__(self, work):
        self.work = work
        self.fails = []
        self.known = load_known()
        self.count = 0

    def is_known(self, tool, label):
        for (t, case) in self.known:
            if t == tool and label.endswith(case):
                return (t, case)
        return None

    def check(self, tool, argv, bad, outdir, label):
        """Run argv; @bad is the broken file that must be named."""
        self.count += 1
        before = sha(bad)
        inputs_dir = sorted(os.listdir(os.path.dirname(bad)))
        # Every input is checked before anything is written: not even a
        # temporary file is created and removed (a directory's mtime
        # changes with each entry made or removed in it).
        mtimes = {x: os.stat(x).st_mtime_ns for x in (os.path.dirname(bad), outdir) if x}
        p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        err = p.stderr.decode(errors="replace")
        lines = err.splitlines()
        why = []
        if p.returncode == 0:
            why.append("exit 0")
        elif p.returncode < 0 or p.returncode > 5:
            why.append(f"exit {p.returncode} (crash or sanitizer report)")
        if len(lines) != 1:
            why.append(f"{len(lines)} lines on stderr")
        elif os.path.basename(bad) not in lines[0]:
            why.append("stderr does not name the file")
        if outdir and os.listdir(outdir):
            why.append(f"wrote {os.listdir(outdir)}")
        if sha(bad) != before:
            why.append("input changed")
        if sorted(os.listdir(os.path.dirname(bad))) != inputs_dir:
            why.append("left a file beside the input")
        touched = [x for x, m in mtimes.items() if os.stat(x).st_mtime_ns != m]
        if touched:
            why.append(f"created a file in {touched} before refusing")
        k = self.is_known(tool, label)
        if why and k:
            self.known[k] = True
            print(f"KNOWN BUG {tool} {label}: {', '.join(why)}")
        elif why:
            self.fails.append(f"{tool} {label}: {', '.join(why)}; stderr: {err.strip()[:300]!r}")



def find_tool(o, name):
    p = f"{o}/tools/{name}/{name}"
    return p if os.access(p, os.X_OK) else None


def build_corpus(o, work, rom, rom32):
    """Every ("elf"|"rom", case name, bytes), from the good inputs under @o."""
    gen = os.path.join(ROOT, "bench", "gen_image.py")
    goods = []
    for arch in ("x86_64", "i386"):
        p = f"{work}/gen-{arch}.elf"
        subprocess.run([sys.executable, gen, "--arch", arch, "--sites", "40", "--text-kib", "2", "-o", p],
                       check=True)
        goods.append(p)
    goods += sorted(glob.glob(f"{o}/guest/guest-*.elf"))
    # good ROMs only as bases (roms/ also holds samples broken on purpose)
    roms = [r for r in (rom, rom32) if r] + [r for n in ("vmware-like", "xen-like", "hvm", "native")
                                             for r in sorted(glob.glob(f"{o}/roms/{n}-*.rom"))]

    cases = []
    for g in goods:
        with open(g, "rb") as f:
            cases += [("elf", n, d) for n, d in elf_cases(os.path.basename(g).replace(".elf", ""), f.read())]
    for r in roms:
        with open(r, "rb") as f:
            cases += [("rom", n, d) for n, d in rom_cases(os.path.basename(r).replace(".rom", ""), f.read())]
    return cases


def case_path(work, kind, name):
    return f"{work}/in/{name}/{name}.{kind}"


def valgrind_runs(tools, cases, work, rom):
    """One base of each kind under valgrind memcheck: the same broken files,
    now checked for invalid accesses, uninitialised use and leaks (the SAN=1
    build runs the whole corpus under ASan instead)."""
    vg = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite"]
    fails, n = [], 0
    for kind, name, _ in cases:
        if not (name.startswith("gen-x86_64-") or name.startswith("xen-like-x86_64-")):
            continue
        path = case_path(work, kind, name)  # written by the main run
        runs = ([[tools["vmipatch"], "--rom", rom, "--dry-run", path], [tools["vmidump"], path]]
                if kind == "elf" else [[tools["mkrom"], "--info", path]])
        for argv in runs:
            if not argv[0]:
                continue
            n += 1
            p = subprocess.run(vg + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
            if p.returncode == 99 or p.returncode == 0:
                fails.append(f"valgrind {os.path.basename(argv[0])} {name}: exit {p.returncode}: "
                             + p.stderr.decode(errors="replace").strip()[:400])
    return n, fails


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--o", default="build")
    ap.add_argument("--rom", help="a good x86-64 ROM (synthetic)")
    ap.add_argument("--rom32", help="a good i386 ROM (synthetic)")
    ap.add_argument("--emit", nargs=2, metavar=("KIND", "DIR"),
                    help="write the corpus's elf or rom cases into DIR (fuzz seeds) and exit")
    ap.add_argument("--valgrind", action="store_true", help="also run one base of each kind under valgrind")
    a = ap.parse_args()
    if a.emit:
        kind, d = a.emit
        os.makedirs(d, exist_ok=True)
        n = 0
        with tempfile.TemporaryDirectory() as tmp:
            for k, name, data in build_corpus(a.o, tmp, a.rom, a.rom32):
                if k == kind and data:
                    with open(os.path.join(d, f"bad-{name}"), "wb") as f:
                        f.write(data)
                    n += 1
        print(f"badinput: wrote {n} {kind} cases to {d}")
        return 0
    if not a.rom or not a.rom32:
        ap.error("--rom and --rom32 are required")
    work = f"{a.o}/tests/badinput"
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(f"{work}/in")
    cases = build_corpus(a.o, work, a.rom, a.rom32)

    tools = {t: find_tool(a.o, t) for t in ("vmipatch", "vmidump", "vmilint", "mkrom")}
    for t, p in tools.items():
        if not p:
            print(f"badinput: {t}: skipped: not built ({a.o}/tools/{t}/{t} missing)")
    r = Runner(work)
    for kind, name, data in cases:
        bad = case_path(work, kind, name)
        os.makedirs(os.path.dirname(bad))
        with open(bad, "wb") as f:
            f.write(data)
        out = f"{work}/out"
        os.makedirs(out, exist_ok=True)
        if kind == "elf":
            if tools["vmipatch"]:
                r.check("vmipatch", [tools["vmipatch"], "--rom", a.rom, "-o", f"{out}/o.elf", bad], bad, out, name)
                r.check("vmipatch --in-place", [tools["vmipatch"], "--rom", a.rom, "--in-place", bad], bad, out, name)
                r.check("vmipatch --restore", [tools["vmipatch"], "--restore", "-o", f"{out}/o.elf", bad], bad, out, name)
            if tools["vmidump"]:
                r.check("vmidump", [tools["vmidump"], bad], bad, out, name)
            if tools["vmilint"] and not name.endswith(SITE_LEVEL + LINKED_ONLY):
                r.check("vmilint", [tools["vmilint"], bad], bad, out, name)
        else:
            good = f"{work}/gen-x86_64.elf"
            if tools["vmipatch"]:
                r.check("vmipatch --rom", [tools["vmipatch"], "--rom", bad, "-o", f"{out}/o.elf", good], bad, out, name)
            if tools["mkrom"]:
                r.check("mkrom --info", [tools["mkrom"], "--info", bad], bad, out, name)
        shutil.rmtree(out)
    for (t, case), hit in r.known.items():
        if not hit and tools.get(t):
            r.fails.append(f"{t} {case}: listed in known-failures.txt but passes now: remove the line")
    print(f"badinput: {len(cases)} broken files, {r.count} tool runs")
    if a.valgrind:
        if shutil.which("valgrind"):
            n, vfails = valgrind_runs(tools, cases, work, a.rom)
            r.fails += vfails
            print(f"badinput: {n} runs under valgrind memcheck, {len(vfails)} with errors")
        else:
            print("badinput: valgrind: skipped: valgrind is not installed")
    if r.fails:
        for f in r.fails:
            print("FAIL " + f, file=sys.stderr)
        print(f"badinput: {len(r.fails)} of {r.count} runs misbehaved", file=sys.stderr)
        return 1
    nknown = sum(1 for hit in r.known.values() if hit)
    print("badinput: every run failed cleanly: non-zero exit, one line naming the file, nothing written"
          + (f" (except {nknown} known bug(s) listed in tests/badinput/known-failures.txt)" if nknown else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
