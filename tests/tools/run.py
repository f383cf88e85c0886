#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of vmipatch, vmidump and vmilint (make check-tools).

Every expectation is computed here from an independent source, never from
the tool's own output: the site table, note and segments are parsed from
the ELF by this script; call categories come from include/vmi/calls.h;
ROM versions and CRC-32 from the ROM bytes (zlib); CALL encodings from
the x86 encoding of `call *disp32(%rip)` / `call *abs32`; symbols from nm;
instruction addresses from objdump.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import struct
import subprocess
import sys
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAILS = []
CHECKS = [0]


def check(cond, what):
    CHECKS[0] += 1
    if not cond:
        FAILS.append(what)
        print("FAIL: " + what)
    return cond


def run(args, **kw):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    return p.returncode, p.stdout, p.stderr


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# ---- an ELF reader of our own (independent of libelf and the tools) ----
class Image:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.d = f.read()
        d = self.d
        self.is64 = d[4] == 2
        if self.is64:
            phoff, shoff = struct.unpack_from("<QQ", d, 32)
            phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", d, 54)
        else:
            phoff, shoff = struct.unpack_from("<II", d, 28)
            phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", d, 42)
        self.secs = []
        for i in range(shnum):
            o = shoff + i * shentsize
            if self.is64:
                name, typ, flags, addr, off, size = struct.unpack_from("<IIQQQQ", d, o)
            else:
                name, typ, flags, addr, off, size = struct.unpack_from("<IIIIII", d, o)
            self.secs.append(dict(name=name, type=typ, flags=flags, addr=addr, off=off, size=size, hdr=o))
        st = self.secs[shstrndx]
        for s in self.secs:
            s["name"] = d[st["off"] + s["name"]:].split(b"\0", 1)[0].decode()
        self.loads = []
        for i in range(phnum):
            o = phoff + i * phentsize
            if self.is64:
                typ, flags, off, vaddr, _, filesz = struct.unpack_from("<IIQQQQ", d, o)
            else:
                typ, off, vaddr, _, filesz, _, flags = struct.unpack_from("<IIIIIII", d, o)
            if typ == 1:
                self.loads.append(dict(off=off, vaddr=vaddr, filesz=filesz, flags=flags))
        note = self.sec(".note.vmi")
        namesz = struct.unpack_from("<I", d, note["off"])[0]
        self.desc_off = note["off"] + 12 + ((namesz + 3) & ~3)
        self.entry_size = struct.unpack_from("<H", d, self.desc_off + 2)[0]
        sites = self.sec("vmi_sites")
        self.slots_addr = self.sec("vmi_slots")["addr"]
        self.sites = []
        for i in range(sites["size"] // self.entry_size):
            o = sites["off"] + i * self.entry_size
            soff, noff, cid, slen, nlen, mminor, flags, clob = struct.unpack_from("<iiHBBBBH", d, o)
            a = sites["addr"] + i * self.entry_size
            self.sites.append(dict(index=i, addr=a + soff, native=a + 4 + noff, id=cid, len=slen,
                                   nlen=nlen, min_minor=mminor))
        for s in self.sites:
            s["off"] = self.offset(s["addr"])

    def sec(self, name):
        for s in self.secs:
            if s["name"] == name:
                return s
        return None

    def offset(self, addr):
        for g in self.loads:
            if g["vaddr"] <= addr < g["vaddr"] + g["filesz"]:
                return g["off"] + addr - g["vaddr"]
        return None


def categories():
    """call id -> category name, from the X-macro rows of calls.h."""
    names = {"CPU": "cpu", "IRQ": "irq", "IO": "io", "MMU": "mmu", "TIME": "time", "DEFER": "defer",
             "APIC": "apic", "LOCK": "lock", "SHOOTDOWN": "shootdown"}
    out = {}
    with open(os.path.join(ROOT, "include/vmi/calls.h")) as f:
        for m in re.finditer(r"X\((\d+), (\w+), VMI_CAT_(\w+),", f.read()):
            out[int(m.group(1))] = names[m.group(3)]
    return out


def masked_equal(a, b, ranges):
    """a and b equal everywhere outside the [start, end) ranges."""
    if len(a) != len(b):
        return False
    pos = 0
    for s, e in sorted(ranges):
        if a[pos:s] != b[pos:s]:
            return False
        pos = max(pos, e)
    return a[pos:] == b[pos:]


class Ctx:
    def __init__(self, args):
        self.bin = {t: os.path.join(args.bin, t, t) for t in ("vmipatch", "vmidump", "vmilint")}
        self.guest = {a: os.path.join(args.guest, "guest-%s.elf" % a) for a in ("i386", "x86_64")}
        self.clean = os.path.join(args.guest, "guest-clean-x86_64.elf")
        self.roms = args.roms
        self.work = args.work
        self.samples = args.sample_rom or []
        self.bad_roms = args.bad_rom or []
        self.cats = categories()

    def rom(self, kind, arch):
        return os.path.join(self.roms, "%s-%s.rom" % (kind, arch))


# ---- vmipatch: patch, verify, byte compare, stamp, encodings, restore ----
def test_patch(c, arch, rom, kind):
    img = Image(c.guest[arch])
    out = os.path.join(c.work, "patched-%s-%s.elf" % (arch, os.path.basename(rom)))
    before = sha(img.path)
    rc, so, se = run([c.bin["vmipatch"], "--json", "--verify", "--rom", rom, "-o", out, img.path])
    tag = "vmipatch %s %s" % (arch, os.path.basename(rom))
    if not check(rc == 0, "%s: exit %d (%s)" % (tag, rc, se.strip())):
        return
    check(sha(img.path) == before, tag + ": input changed")
    j = json.loads(so)
    n = len(img.sites)
    check(j["summary"]["sites"] == n and len(j["sites"]) == n, tag + ": site count %d" % n)
    check(sum(j["summary"]["forms"].values()) == n, tag + ": forms do not add up")
    check(j["verify"] == {"checked": n, "failed": 0}, tag + ": verify %r" % (j["verify"],))
    with open(out, "rb") as f:
        new = f.read()
    with open(rom, "rb") as f:
        romb = f.read()
    romb = romb[:romb[2] * 512]
    stamp = (img.desc_off + 8, img.desc_off + 28)
    ranges = [(s["off"], s["off"] + s["len"]) for s in img.sites] + [stamp]
    check(masked_equal(img.d, new, ranges), tag + ": bytes outside the sites and the stamp changed")
    changed = sum(1 for s in img.sites if new[s["off"]:s["off"] + s["len"]] != img.d[s["off"]:s["off"] + s["len"]])
    check(changed == j["summary"]["changed"], tag + ": %d sites changed, summary says %d" % (changed, j["summary"]["changed"]))
    st_state, st_major, st_minor, _, st_feat, st_crc, _ = struct.unpack_from("<BBBBIII", new, stamp[0])
    check(st_state == 1 and st_major == romb[0x0C], tag + ": stamp state/major %d/%d" % (st_state, st_major))
    check(st_minor == min(romb[0x0D], 255), tag + ": stamp minor %d, ROM minor %d" % (st_minor, romb[0x0D]))
    check(st_crc == zlib.crc32(romb), tag + ": stamp crc 0x%08x, ROM crc 0x%08x" % (st_crc, zlib.crc32(romb)))
    bysite = {s["index"]: s for s in j["sites"]}
    for s in img.sites:
        d = bysite[s["index"]]
        b = new[s["off"]:s["off"] + s["len"]]
        if d["form"] == "ident":
            check(b == img.d[s["off"]:s["off"] + s["len"]], tag + ": ident site %d changed" % s["index"])
        elif d["form"] == "call":
            slot = img.slots_addr + 8 * s["id"]
            if arch == "x86_64":
                want = struct.pack("<BBi", 0xff, 0x15, slot - (s["addr"] + 6))
            else:
                want = struct.pack("<BBI", 0xff, 0x15, slot)
            check(b[:6] == want, tag + ": call site %d is %s, not call through slot 0x%x" % (s["index"], b[:6].hex(), slot))
        elif d["form"] == "nop":
            check(b[:1] in (b"\x90", b"\x66", b"\x0f"), tag + ": nop site %d starts %s" % (s["index"], b[:2].hex()))
    # old/wrong ROMs: decisions follow from the versions alone
    if kind == "wrong-major":
        check(all(d["form"] == "ident" and d["reason"] == "rom-major" for d in j["sites"]), tag + ": not all rom-major")
        check(masked_equal(img.d, new, [stamp]), tag + ": wrong-major image differs beyond the stamp")
    if kind == "old-minor":
        for s in img.sites:
            if s["min_minor"] > romb[0x0D]:
                d = bysite[s["index"]]
                check(d["form"] == "ident" and d["reason"] == "rom-minor-too-old",
                      tag + ": site %d needs minor %d: %s/%s" % (s["index"], s["min_minor"], d["form"], d["reason"]))
    # restore gives the input back, byte for byte
    back = out + ".restored"
    rc, _, se = run([c.bin["vmipatch"], "--restore", "--verify", "-o", back, out])
    check(rc == 0 and sha(back) == before, tag + ": --restore is not byte-identical (%d %s)" % (rc, se.strip()))
    return j


def test_policy(c, arch):
    img = Image(c.guest[arch])
    rom = c.rom("mix", arch)
    tag = "vmipatch %s policy" % arch
    rc, so, _ = run([c.bin["vmipatch"], "--json", "-n", "--rom", rom, img.path])
    base = {d["index"]: d for d in json.loads(so)["sites"]}
    irq = [s for s in img.sites if c.cats.get(s["id"]) == "irq"]
    check(any(base[s["index"]]["form"] != "ident" for s in irq), tag + ": mix ROM changes no irq site")
    out = os.path.join(c.work, "policy-%s.elf" % arch)
    rc, so, se = run([c.bin["vmipatch"], "--json", "--verify", "--policy", "ident:irq", "--rom", rom, "-o", out, img.path])
    if not check(rc == 0, tag + ": exit %d %s" % (rc, se.strip())):
        return
    j = json.loads(so)
    by = {d["index"]: d for d in j["sites"]}
    with open(out, "rb") as f:
        new = f.read()
    for s in irq:
        check(by[s["index"]]["form"] == "ident" and by[s["index"]]["reason"] == "policy",
              tag + ": irq site %d is %s" % (s["index"], by[s["index"]]["form"]))
        check(new[s["off"]:s["off"] + s["len"]] == img.d[s["off"]:s["off"] + s["len"]], tag + ": irq site bytes changed")
    others = [s for s in img.sites if c.cats.get(s["id"]) != "irq"]
    check(all(by[s["index"]]["form"] == base[s["index"]]["form"] for s in others), tag + ": ident:irq changed a non-irq site")
    check(struct.unpack_from("<I", new, img.desc_off + 20)[0] != 0, tag + ": policy hash not stamped")
    rc, so, _ = run([c.bin["vmipatch"], "--json", "-n", "--policy", "ident", "--rom", rom, img.path])
    check(rc == 0 and json.loads(so)["summary"]["changed"] == 0, tag + ": --policy ident changes sites")
    rc, _, se = run([c.bin["vmipatch"], "-n", "--policy", "ident:nonsense", "--rom", rom, img.path])
    check(rc == 2 and len(se.splitlines()) == 1, tag + ": bad policy gives %d %r" % (rc, se))


def test_dry_run_and_in_place(c, arch):
    img = c.guest[arch]
    rom = c.rom("mix", arch)
    tag = "vmipatch %s" % arch
    d = os.path.join(c.work, "dry-%s" % arch)
    os.makedirs(d)
    out = os.path.join(d, "out.elf")
    before = sha(img)
    rc, so, _ = run([c.bin["vmipatch"], "--dry-run", "--rom", rom, "-o", out, img])
    check(rc == 0 and os.listdir(d) == [] and sha(img) == before, tag + ": --dry-run wrote something")
    check(len(re.findall(r"^\s+\d+\s+0x[0-9a-f]+\s", so, re.M)) == len(Image(img).sites), tag + ": --dry-run does not list every site")
    d = os.path.join(c.work, "inplace-%s" % arch)
    os.makedirs(d)
    tgt = os.path.join(d, "kernel.elf")
    shutil.copy(img, tgt)
    os.chmod(tgt, 0o640)
    rc, _, se = run([c.bin["vmipatch"], "--in-place", "--rom", rom, tgt])
    check(rc == 0 and sha(tgt) != before, tag + ": --in-place did not patch (%s)" % se.strip())
    check(os.stat(tgt).st_mode & 0o777 == 0o640, tag + ": --in-place lost the file mode")
    check(os.listdir(d) == ["kernel.elf"], tag + ": --in-place left files behind: %r" % os.listdir(d))
    rc, so, _ = run([c.bin["vmidump"], "--json", tgt])
    check(rc == 0 and json.loads(so)["guest"]["stamp"]["state"] == "patched", tag + ": vmidump does not see the stamp")
    # -o with and without fsync, and --in-place: the same bytes
    outs = [os.path.join(c.work, "sync-%s.elf" % arch), os.path.join(c.work, "nosync-%s.elf" % arch)]
    rc1, _, _ = run([c.bin["vmipatch"], "--rom", rom, "-o", outs[0], img])
    rc2, _, _ = run([c.bin["vmipatch"], "--no-sync", "--rom", rom, "-o", outs[1], img])
    check(rc1 == 0 and rc2 == 0 and sha(outs[0]) == sha(outs[1]) == sha(tgt),
          tag + ": -o, --no-sync -o and --in-place wrote different bytes")
    rc, _, _ = run([c.bin["vmipatch"], "--restore", "--in-place", tgt])
    check(rc == 0 and sha(tgt) == before, tag + ": --restore --in-place not identical")


def test_repatch_and_no_slots(c, arch):
    """Re-patching a patched image for another ROM equals patching the
    original for it (apply writes whole sites from the native copies); an
    image without vmi_slots keeps every CALL site native and says why."""
    img = Image(c.guest[arch])
    tag = "vmipatch %s" % arch
    a, b = c.rom("mix", arch), c.rom("old-minor", arch)
    p1, p2, p3 = (os.path.join(c.work, "re-%s-%d.elf" % (arch, i)) for i in range(3))
    run([c.bin["vmipatch"], "--rom", a, "-o", p1, img.path])
    rc, _, se = run([c.bin["vmipatch"], "--verify", "--rom", b, "-o", p2, p1])
    run([c.bin["vmipatch"], "--rom", b, "-o", p3, img.path])
    check(rc == 0 and sha(p2) == sha(p3), tag + ": re-patching differs from patching the original (%s)" % se.strip())
    noslots = bytearray(img.d)
    shstr = img.secs[[s["name"] for s in img.secs].index(".shstrtab")]
    i = noslots.find(b"vmi_slots\0", shstr["off"])
    noslots[i:i + 9] = b"vmi_slotz"
    path = os.path.join(c.work, "noslots-%s.elf" % arch)
    with open(path, "wb") as f:
        f.write(noslots)
    rc, so, se = run([c.bin["vmipatch"], "--rom", a, "-o", path + ".out", path])
    check(rc == 0 and "CALL sites stay native: the image has no vmi_slots section" in so,
          tag + ": no-slots image: %d %r" % (rc, se))
    rc, so, _ = run([c.bin["vmipatch"], "--json", "-n", "--rom", a, path])
    j = json.loads(so)
    check(j["summary"]["forms"]["call"] == 0 and j["summary"]["reasons"]["out-of-range"] > 0,
          tag + ": no-slots image has call sites: %r" % j["summary"])
    # Slots the guest could not write, or that lie in code, are not used.
    slots = img.sec("vmi_slots")
    for what, flags, why in (("read-only", 0x2, "is not writable data"),
                             ("in-text", 0x7, "lies inside executable code")):
        bad = bytearray(img.d)
        fo = slots["hdr"] + 8
        struct.pack_into("<Q" if img.is64 else "<I", bad, fo, flags)  # SHF_ALLOC [| WRITE | EXECINSTR]
        path = os.path.join(c.work, "slots-%s-%s.elf" % (what, arch))
        with open(path, "wb") as f:
            f.write(bad)
        rc, so, se = run([c.bin["vmipatch"], "--rom", a, "-o", path + ".out", path])
        check(rc == 0 and "CALL sites stay native: section vmi_slots " + why in so,
              tag + ": %s slots: %d %r %r" % (what, rc, so[-300:], se))
        rc, so, _ = run([c.bin["vmipatch"], "--json", "-n", "--rom", a, path])
        check(rc == 0 and json.loads(so)["summary"]["forms"]["call"] == 0,
              tag + ": %s slots: CALL sites planned" % what)


# ---- vmidump ----
def nm_symbols(path):
    rc, so, _ = run(["nm", "-n", path])
    syms = []
    for line in so.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "tT":
            syms.append((int(p[0], 16), p[2]))
    return syms


def enclosing(syms, addr):
    best = None
    for a, n in syms:
        if a <= addr:
            best = n
        else:
            break
    return best


def test_dump(c, arch):
    img = Image(c.guest[arch])
    rom = c.rom("mix", arch)
    tag = "vmidump %s" % arch
    n = len(img.sites)
    rc, so, se = run([c.bin["vmidump"], "--rom", rom, img.path])
    if not check(rc == 0, tag + ": exit %d %s" % (rc, se.strip())):
        return
    rows = re.findall(r"^\s+\d+\s+0x[0-9a-f]+\s+\S+\s+\S+\s+\d+\s+(ident|inline|call|nop)\s+[a-z-]+$", so, re.M)
    check(len(rows) == n, tag + ": %d decision rows for %d sites" % (len(rows), n))
    check(so.count("before:") == n and so.count("after:") == n, tag + ": before/after disassembly missing")
    check("call qword ptr [rip" in so if arch == "x86_64" else "call dword ptr [0x" in so, tag + ": no slot call in the disassembly")
    rc, so, _ = run([c.bin["vmidump"], "--json", "--rom", rom, img.path])
    j = json.loads(so)
    rc2, so2, _ = run([c.bin["vmipatch"], "--json", "-n", "--rom", rom, img.path])
    p = {d["index"]: (d["form"], d["reason"]) for d in json.loads(so2)["sites"]}
    check(all(p[d["index"]] == (d["form"], d["reason"]) for d in j["sites"]), tag + ": decisions differ from vmipatch's")
    syms = nm_symbols(img.path)
    bad = [d for d in j["sites"] if d["symbol"] != enclosing(syms, int(d["addr"], 16))]
    check(not bad, tag + ": %d sites with a wrong symbol, e.g. %r" % (len(bad), bad[:1]))
    want = {}
    for s in img.sites:
        want[c.cats[s["id"]]] = want.get(c.cats[s["id"]], 0) + 1
    got = {k: v for k, v in j["categories"].items() if v}
    check(got == want, tag + ": categories %r, expected %r" % (got, want))
    check(sum(j["summary"]["reasons"].values()) == n, tag + ": reasons do not add up")
    rc, so, _ = run([c.bin["vmidump"], img.path])
    check(rc == 0 and so.count("bytes:") == n and "before:" not in so, tag + ": without a ROM")


# ---- vmilint ----
SENSITIVE = {"cli", "sti", "hlt", "rdmsr", "wrmsr", "rdtsc", "clts", "wbinvd", "invlpg", "in", "out",
             "pushf", "popf", "sgdt", "sidt", "sldt", "smsw", "str", "lgdt", "lidt", "cpuid"}


def test_lint(c, arch):
    img = Image(c.guest[arch])
    tag = "vmilint %s" % arch
    rc, so, se = run([c.bin["vmilint"], "--json", img.path])
    if not check(rc == 0, tag + ": exit %d %s" % (rc, se.strip())):
        return
    j = json.loads(so)
    f = j["findings"]
    check(len(f) == 2 and all(x["symbol"] == "vmi_sample_unannotated" for x in f), tag + ": findings %r" % (f,))
    check(sorted(x["mnemonic"] for x in f) == ["pushf" + ("q" if arch == "x86_64" else "d"), "sgdt"], tag + ": mnemonics")
    # objdump's view: every sensitive instruction is inside a site or a finding
    rc, dis, _ = run(["objdump", "-d", "--no-show-raw-insn", img.path])
    spans = sorted((s["addr"], s["addr"] + s["len"]) for s in img.sites)
    found = {int(x["addr"], 16) for x in f}
    loose = set()
    for m in re.finditer(r"^\s*([0-9a-f]+):\s+(\w+)\s*([^\n]*)", dis, re.M):
        a, mn, ops = int(m.group(1), 16), m.group(2), m.group(3)
        base = re.sub(r"[lqwb]$", "", mn) if mn not in SENSITIVE else mn
        if base not in SENSITIVE and not (mn.startswith("mov") and "%cr" in ops):
            continue
        if not any(s <= a < e for s, e in spans):
            loose.add(a)
    check(loose == found, tag + ": objdump sees unannotated %s, vmilint reports %s" %
          (sorted(hex(x) for x in loose), sorted(hex(x) for x in found)))
    rc, so, se = run([c.bin["vmilint"], "--strict", img.path])
    check(rc == 4 and len(se.splitlines()) == 1 and img.path in se, tag + ": --strict exit %d %r" % (rc, se))
    check("vmi_sample_unannotated" in so, tag + ": text output lacks the symbol")
    rc, so, se = run([c.bin["vmilint"], "--json", "--cross-check", img.path])
    jx = json.loads(so) if rc == 0 else {}
    check(rc == 0 and jx["cross_check"]["compared"] > 1000 and jx["cross_check"]["disagreements"] == 0,
          tag + ": --cross-check %d %s" % (rc, jx.get("cross_check")))


def test_lint_symbol_map(c):
    """A stripped image with an nm listing as --symbols names the same symbol."""
    g = c.guest["x86_64"]
    stripped = os.path.join(c.work, "stripped.elf")
    nmap = os.path.join(c.work, "stripped.map")
    run(["strip", "--strip-all", "-o", stripped, g])
    rc, so, _ = run(["nm", "-n", g])
    with open(nmap, "w") as f:
        f.write(so)
    rc, so, _ = run([c.bin["vmilint"], "--json", stripped])
    check(rc == 0 and all(x["symbol"] is None for x in json.loads(so)["findings"]), "vmilint stripped: symbols without a map")
    rc, so, se = run([c.bin["vmilint"], "--json", "--symbols", nmap, stripped])
    f = json.loads(so)["findings"] if rc == 0 else []
    check(len(f) == 2 and all(x["symbol"] == "vmi_sample_unannotated" for x in f), "vmilint --symbols: %d %r %s" % (rc, f, se))
    check(any(x["asm"].startswith("sgdt ") for x in f), "vmilint: no disassembly of the sgdt finding: %r" % f)
    rc, _, se = run([c.bin["vmilint"], "--symbols", c.rom("mix", "x86_64"), stripped])
    check(rc == 1 and len(se.splitlines()) == 1 and "no symbols" in se, "vmilint --symbols with a non-map: %d %r" % (rc, se))


def test_lint_jobs(c):
    """Threads change nothing: an unannotated 3 MiB text (its pieces start
    inside instructions of the generator's filler) gives the same report
    for any --jobs, and every native instruction is a finding."""
    img = os.path.join(c.work, "lint-jobs.elf")
    bare = os.path.join(c.work, "lint-jobs-bare.elf")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_image.py"), "--sites", "30000",
                    "--text-kib", "3072", "-o", img], check=True)
    # without the note the image is an unannotated kernel: every site's native instruction counts
    rc, _, se = run(["objcopy", "--remove-section=.note.vmi", "--remove-section=vmi_sites", img, bare])
    if not check(rc == 0, "vmilint --jobs: objcopy failed: %s" % se.strip()):
        return
    outs = {}
    for jobs in ("1", "2", "3", "8"):
        rc, so, se = run([c.bin["vmilint"], "--json", "--jobs", jobs, bare])
        check(rc == 0, "vmilint --jobs %s: exit %d %s" % (jobs, rc, se.strip()))
        outs[jobs] = so
    one = json.loads(outs["1"]) if outs.get("1") else {}
    check(one and one["summary"]["findings"] > 20000, "vmilint --jobs: too few findings in the bare image: %r" %
          (one.get("summary"),))
    check(all(outs[j] == outs["1"] for j in outs), "vmilint --jobs: reports differ between thread counts")
    rc, _, se = run([c.bin["vmilint"], "--jobs", "0", bare])
    check(rc == 2 and "--jobs" in se, "vmilint --jobs 0: exit %d %r" % (rc, se))


def test_lint_jobs_never_in_step(c):
    """The fallback when pieces never fall into step: a text of one NOP and
    then only EB EB (jmp -21, two bytes). Decoded whole, instructions start
    at 0 and then at odd offsets; every piece starts at an even offset
    (size // n * k), decodes even offsets and never meets the piece before
    it, so the sweep must redo the text on one thread. The counts are
    exact: one NOP and (size - 1) / 2 jumps, nothing undecodable."""
    raw = os.path.join(c.work, "never-in-step.bin")
    img = os.path.join(c.work, "never-in-step.elf")
    size = 3 * 1024 * 1024 + 1
    with open(raw, "wb") as f:
        f.write(b"\x90" + b"\xeb" * (size - 1))
    rc, _, se = run(["objcopy", "-I", "binary", "-O", "elf64-x86-64", "-B", "i386:x86-64",
                     "--rename-section", ".data=.text,alloc,load,readonly,code,contents", raw, img])
    if not check(rc == 0, "vmilint never in step: objcopy failed: %s" % se.strip()):
        return
    for jobs in ("1", "2", "3", "8"):
        rc, so, se = run([c.bin["vmilint"], "--json", "--jobs", jobs, img])
        r = json.loads(so) if rc == 0 else {}
        check(r.get("text_bytes") == size and r.get("instructions") == 1 + (size - 1) // 2 and
              r.get("undecodable_bytes") == 0,
              "vmilint never in step, --jobs %s: exit %d %r %s" %
              (jobs, rc, {k: r.get(k) for k in ("text_bytes", "instructions", "undecodable_bytes")}, se.strip()))


def test_lint_clean(c):
    rc, so, se = run([c.bin["vmilint"], "--strict", "--json", c.clean])
    check(rc == 0 and json.loads(so)["summary"]["findings"] == 0, "vmilint clean: exit %d %s" % (rc, se.strip()))


# ---- bad inputs ----
def test_bad_inputs(c):
    w = os.path.join(c.work, "bad")
    os.makedirs(w)
    g64, g32 = c.guest["x86_64"], c.guest["i386"]
    with open(g64, "rb") as f:
        good = f.read()
    img = Image(g64)

    def make(name, data):
        p = os.path.join(w, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    notelf = make("notelf.elf", b"this is not an ELF file\n" * 40)
    trunc = make("trunc.elf", good[:2000])
    nosites = bytearray(good)
    shstr = img.secs[[s["name"] for s in img.secs].index(".shstrtab")]
    i = nosites.find(b"vmi_sites\0", shstr["off"])
    nosites[i:i + 9] = b"vmi_sitez"
    nosites = make("nosites.elf", nosites)
    entsz = bytearray(good)
    struct.pack_into("<H", entsz, img.desc_off + 2, 24)
    entsz = make("entsize.elf", entsz)
    outside = bytearray(good)
    so = img.sec("vmi_sites")["off"]
    struct.pack_into("<i", outside, so, struct.unpack_from("<i", outside, so)[0] + 0x10000000)
    outside = make("outside.elf", outside)
    afile = make("afile", b"x")
    badrom = c.rom("bad-checksum", "x86_64")
    rom = c.rom("mix", "x86_64")
    outdir = os.path.join(w, "out")
    os.makedirs(outdir)
    out = os.path.join(outdir, "o.elf")
    cases = [
        # (name, argv, exit, file the line must name, "needle" in the message)
        ("not ELF", ["vmipatch", "--rom", rom, "-o", out, notelf], 1, notelf, "not an ELF"),
        ("not ELF", ["vmidump", notelf], 1, notelf, "not an ELF"),
        ("not ELF", ["vmilint", notelf], 1, notelf, "not an ELF"),
        ("truncated", ["vmipatch", "--rom", rom, "-o", out, trunc], 1, trunc, "truncated"),
        ("truncated", ["vmidump", trunc], 1, trunc, "truncated"),
        ("truncated", ["vmilint", trunc], 1, trunc, "truncated"),
        ("wrong class", ["vmipatch", "--arch", "x86_64", "--rom", rom, "-o", out, g32], 1, g32, "class"),
        ("wrong class", ["vmilint", "--arch", "x86_64", g32], 1, g32, "class"),
        ("wrong class", ["vmidump", "--arch", "i386", g64], 1, g64, "class"),
        ("no vmi_sites", ["vmipatch", "--rom", rom, "-o", out, nosites], 1, nosites, "vmi_sites"),
        ("no vmi_sites", ["vmidump", nosites], 1, nosites, "vmi_sites"),
        ("entry size", ["vmipatch", "--rom", rom, "-o", out, entsz], 1, entsz, "entry size 24"),
        ("entry size", ["vmidump", entsz], 1, entsz, "entry size 24"),
        ("site outside", ["vmipatch", "--rom", rom, "-o", out, outside], 1, outside, "site 0 at 0x"),
        ("site outside", ["vmidump", outside], 1, outside, "site 0 at 0x"),
        ("unwritable", ["vmipatch", "--rom", rom, "-o", os.path.join(w, "no-such-dir", "o.elf"), g64], 3,
         os.path.join(w, "no-such-dir", "o.elf"), "temporary file"),
        ("unwritable", ["vmipatch", "--rom", rom, "-o", os.path.join(afile, "o.elf"), g64], 3,
         os.path.join(afile, "o.elf"), "temporary file"),
        ("corrupt ROM", ["vmipatch", "--rom", badrom, "-o", out, g64], 1, badrom, "CHECKSUM"),
        ("corrupt ROM", ["vmidump", "--rom", badrom, g64], 1, badrom, "CHECKSUM"),
        ("missing ROM", ["vmipatch", "--rom", badrom + ".none", "-o", out, g64], 3, badrom + ".none", "open"),
        ("ROM for the other arch", ["vmipatch", "--rom", c.rom("mix", "i386"), "-o", out, g64], 1,
         c.rom("mix", "i386"), "ROM is for i386"),
        # Stubs that cannot be inlined are refused when the ROM is read,
        # --verify or not: garbage, a ret, a jump past the stub's end.
        ("bad stub", ["vmipatch", "--rom", c.rom("bad-stub", "x86_64"), "-o", out, g64], 1,
         c.rom("bad-stub", "x86_64"), "cannot be inlined: inline stub of DisableInterrupts"),
        ("bad stub", ["vmipatch", "--verify", "--rom", c.rom("bad-stub", "i386"), "-o", out, g32], 1,
         c.rom("bad-stub", "i386"), "does not start a whole instruction"),
        ("ret stub", ["vmipatch", "--rom", c.rom("ret-stub", "x86_64"), "-o", out, g64], 1,
         c.rom("ret-stub", "x86_64"), "ret at byte 1 leaves the site"),
        ("jmp stub", ["vmidump", "--rom", c.rom("jmp-stub", "i386"), g32], 1,
         c.rom("jmp-stub", "i386"), "jmp at byte 1 jumps out of the stub"),
    ]
    for name, argv, code, fname, needle in cases:
        inputs = [a for a in argv[1:] if os.path.isfile(a)]
        sums = {p: sha(p) for p in inputs}
        rc, _, se = run([c.bin[argv[0]]] + argv[1:])
        lines = se.splitlines()
        tag = "bad input %s (%s)" % (name, argv[0])
        check(rc == code, tag + ": exit %d, expected %d (%s)" % (rc, code, se.strip()))
        check(len(lines) == 1 and fname in lines[0] and needle.lower() in lines[0].lower(),
              tag + ": stderr %r" % se)
        check(all(sha(p) == s for p, s in sums.items()), tag + ": input changed")
        check(os.listdir(outdir) == [], tag + ": output left behind: %r" % os.listdir(outdir))
        check(sorted(os.listdir(w)) == sorted(["notelf.elf", "trunc.elf", "nosites.elf", "entsize.elf",
                                               "outside.elf", "afile", "out"]), tag + ": stray file in %s" % w)
    # the ROM SDK's corrupt ROMs: refused by the library's validation, one line naming the ROM
    for r in c.bad_roms:
        arch = "i386" if r.endswith("-i386.rom") else "x86_64"
        for argv in (["vmipatch", "--rom", r, "-o", out, c.guest[arch]], ["vmidump", "--rom", r, c.guest[arch]]):
            before = sha(c.guest[arch])
            rc, _, se = run([c.bin[argv[0]]] + argv[1:])
            check(rc == 1 and len(se.splitlines()) == 1 and r in se and "validation" in se
                  and sha(c.guest[arch]) == before and os.listdir(outdir) == [],
                  "corrupt ROM %s (%s): exit %d %r" % (os.path.basename(r), argv[0], rc, se))
    # usage errors
    for argv in (["vmipatch"], ["vmipatch", "--bogus", g64], ["vmipatch", "--restore", "--rom", rom, "-n", g64],
                 ["vmipatch", "--rom", rom, g64], ["vmidump"], ["vmilint", g64, g32], ["vmilint", "--arch", "arm", g64],
                 ["vmipatch", "--prepare", "--rom", rom, "-n", g64], ["vmipatch", "--prepare", "--json", "-n", g64],
                 ["vmipatch", "--prepare", "--restore", "-n", g64], ["vmipatch", "--prepare", g64]):
        rc, _, se = run([c.bin[argv[0]]] + argv[1:])
        check(rc == 2 and len(se.splitlines()) == 1, "usage %r: exit %d %r" % (argv, rc, se))
    # --prepare is for a CONFIG_VMI Linux kernel: an annotated guest is refused, nothing written
    for g in (g64, g32):
        before = sha(g)
        rc, _, se = run([c.bin["vmipatch"], "--prepare", "-o", out, g])
        check(rc == 1 and len(se.splitlines()) == 1 and g in se and "section .parainstructions is missing" in se
              and sha(g) == before and os.listdir(outdir) == [],
              "--prepare on %s: exit %d %r" % (os.path.basename(g), rc, se))
    for t in ("vmipatch", "vmidump", "vmilint"):
        rc, so, _ = run([c.bin[t], "--help"])
        check(rc == 0 and "usage:" in so and "Exit:" in so, t + " --help")
        rc, so, _ = run([c.bin[t], "--version"])
        check(rc == 0 and re.match(r"^%s \d+\.\d+\.\d+$" % t, so.strip()), t + " --version")


# ---- hardening (issue 16): output paths, signals, order of work, holes, FIFOs, long names, messages ----
def tool(c, name):
    return c.bin.get(name) or os.path.join(os.path.dirname(os.path.dirname(c.bin["vmipatch"])), name, name)


def test_output_paths(c):
    """-o through a symbolic link writes its target and keeps the link;
    -o onto a device or a FIFO is refused and leaves it as it was (as root
    too: /dev/null stays the null device); -o - writes the image to stdout;
    --in-place through a link keeps the link, owner, group and mode."""
    w = os.path.join(c.work, "outpaths")
    os.makedirs(w)
    g, rom = c.guest["x86_64"], c.rom("mix", "x86_64")
    ref = os.path.join(w, "ref.elf")
    rc, _, se = run([c.bin["vmipatch"], "--rom", rom, "-o", ref, g])
    if not check(rc == 0, "outpaths: reference patch: %d %s" % (rc, se.strip())):
        return
    tgt, link = os.path.join(w, "target.elf"), os.path.join(w, "link.elf")
    with open(tgt, "wb") as f:
        f.write(b"old")
    os.symlink("target.elf", link)
    rc, _, se = run([c.bin["vmipatch"], "--rom", rom, "-o", link, g])
    check(rc == 0 and os.path.islink(link) and os.readlink(link) == "target.elf" and sha(tgt) == sha(ref),
          "outpaths: -o symlink: %d link=%s %s" % (rc, os.path.islink(link), se.strip()))
    dangling = os.path.join(w, "dangling.elf")
    os.symlink("missing.elf", dangling)
    rc, _, se = run([c.bin["vmipatch"], "--rom", rom, "-o", dangling, g])
    check(rc == 3 and len(se.splitlines()) == 1 and "missing file" in se and not os.path.exists(os.path.join(w, "missing.elf")),
          "outpaths: dangling link: %d %r" % (rc, se))
    # devices and FIFOs: refused, untouched, no hang
    null_before = os.stat("/dev/null")
    fifo = os.path.join(w, "fifo")
    os.mkfifo(fifo)
    for dev, kind in (("/dev/null", "character device"), (fifo, "FIFO")):
        entries = sorted(os.listdir(os.path.dirname(dev)))
        rc, _, se = run([c.bin["vmipatch"], "--rom", rom, "-o", dev, g], timeout=30)
        check(rc == 3 and len(se.splitlines()) == 1 and dev in se and kind in se,
              "outpaths: -o %s: %d %r" % (dev, rc, se))
        check(sorted(os.listdir(os.path.dirname(dev))) == entries, "outpaths: -o %s left a file beside it" % dev)
    st = os.stat("/dev/null")
    check(stat.S_ISCHR(st.st_mode) and st.st_rdev == null_before.st_rdev and st.st_ino == null_before.st_ino,
          "outpaths: /dev/null was replaced")
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "outpaths: the FIFO was replaced")
    rc, _, se = run([c.bin["vmipatch"], "--rom", rom, "-o", w, g])
    check(rc == 3 and "Is a directory" in se and len(se.splitlines()) == 1, "outpaths: -o DIR: %d %r" % (rc, se))
    # -o -: the image on stdout, byte for byte the file -o writes; the report on stderr
    p = subprocess.run([c.bin["vmipatch"], "--rom", rom, "-o", "-", g], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with open(ref, "rb") as f:
        refb = f.read()
    check(p.returncode == 0 and p.stdout == refb and b"sites" in p.stderr,
          "outpaths: -o - gives %d, %d bytes (want %d)" % (p.returncode, len(p.stdout), len(refb)))
    p = subprocess.run([c.bin["vmipatch"], "--json", "--rom", rom, "-o", "-", g], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(p.returncode == 0 and p.stdout == refb and json.loads(p.stderr)["output"] == "-",
          "outpaths: -o - --json: %d" % p.returncode)
    # --in-place through a link: the target patched; link, owner, group, mode kept
    real, ilink = os.path.join(w, "kernel.real"), os.path.join(w, "kernel.link")
    shutil.copy(g, real)
    os.symlink("kernel.real", ilink)
    owner = (4321, 8765) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    os.chown(real, *owner)
    os.chmod(real, 0o2751 if os.geteuid() == 0 else 0o751)
    mode = stat.S_IMODE(os.stat(real).st_mode)
    rc, _, se = run([c.bin["vmipatch"], "--rom", rom, "--in-place", ilink])
    st = os.stat(real)
    check(rc == 0 and os.path.islink(ilink) and os.readlink(ilink) == "kernel.real" and sha(real) == sha(ref),
          "outpaths: --in-place through a link: %d %s" % (rc, se.strip()))
    check((st.st_uid, st.st_gid) == owner and stat.S_IMODE(st.st_mode) == mode,
          "outpaths: --in-place changed owner/mode to %d:%d %o (was %d:%d %o)" %
          (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode), owner[0], owner[1], mode))
    check(not [e for e in os.listdir(w) if e.startswith(".vmi")], "outpaths: temporary file left: %r" % os.listdir(w))
    # mkrom writes through the same writer: its ROM onto /dev/null is refused too
    rc, _, se = run([tool(c, "mkrom"), "--corrupt", "checksum", "-o", "/dev/null", rom])
    check(rc == 3 and "character device" in se and stat.S_ISCHR(os.stat("/dev/null").st_mode),
          "outpaths: mkrom -o /dev/null: %d %r" % (rc, se))


def test_signals(c):
    """SIGTERM or SIGINT while vmipatch writes a large sparse image: it dies
    of that signal, leaves no temporary file and no output, and the input
    is unchanged."""
    w = os.path.join(c.work, "signals")
    os.makedirs(w)
    img = os.path.join(w, "big.elf")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_image.py"), "--sites", "300000",
                    "--text-kib", "16384", "-o", img], check=True)
    os.truncate(img, 4 << 30)  # 4 GiB, the rest a hole
    before = sha(img)
    rom = c.rom("mix", "x86_64")
    for sig in (signal.SIGTERM, signal.SIGINT):
        out = os.path.join(w, "out.elf")
        caught = False
        for attempt in range(5):
            p = subprocess.Popen([c.bin["vmipatch"], "--verify", "--rom", rom, "-o", out, img],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while p.poll() is None:
                if any(e.startswith(".vmi") for e in os.listdir(w)):
                    p.send_signal(sig)
                    caught = True
                    break
                time.sleep(0.0005)
            rc = p.wait()
            if caught:
                break
            if os.path.exists(out):
                os.unlink(out)
        if not check(caught, "signals: never saw vmipatch's temporary file"):
            return
        check(rc == -sig, "signals: %s: exit %d, not killed by the signal" % (sig.name, rc))
        check(sorted(os.listdir(w)) == ["big.elf"], "signals: %s left %r" % (sig.name, sorted(os.listdir(w))))
    check(sha(img) == before, "signals: the input changed")


def test_order_of_work(c):
    """Every input is checked before anything is created: a bad ROM, a bad
    policy or a bad site with a large image leave the output directory as
    it was (not even a temporary file created and removed: its mtime
    stays)."""
    w = os.path.join(c.work, "order")
    outdir = os.path.join(w, "out")
    os.makedirs(outdir)
    img = os.path.join(w, "big.elf")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_image.py"), "--sites", "1000",
                    "--text-kib", "64", "-o", img], check=True)
    os.truncate(img, 1 << 30)
    badsite = os.path.join(w, "badsite.elf")
    shutil.copy(img, badsite)
    im = Image(badsite)
    so = im.sec("vmi_sites")["off"]
    with open(badsite, "r+b") as f:
        f.seek(so)
        f.write(struct.pack("<i", 0x7ffffff0))
    cases = [("bad ROM", [c.bin["vmipatch"], "--rom", c.rom("bad-checksum", "x86_64"), "-o", os.path.join(outdir, "o"), img], 1),
             ("bad policy", [c.bin["vmipatch"], "--rom", c.rom("mix", "x86_64"), "--policy", "ident:x", "-o", os.path.join(outdir, "o"), img], 2),
             ("bad site", [c.bin["vmipatch"], "--rom", c.rom("mix", "x86_64"), "-o", os.path.join(outdir, "o"), badsite], 1),
             ("ROM for the other arch", [c.bin["vmipatch"], "--rom", c.rom("mix", "i386"), "-o", os.path.join(outdir, "o"), img], 1),
             ("bad site in place", [c.bin["vmipatch"], "--rom", c.rom("mix", "x86_64"), "--in-place", badsite], 1)]
    for name, argv, code in cases:
        d = outdir if "--in-place" not in argv else w
        m0 = os.stat(d).st_mtime_ns
        time.sleep(0.01)
        rc, _, se = run(argv)
        check(rc == code and len(se.splitlines()) == 1, "order: %s: exit %d %r" % (name, rc, se))
        check(os.stat(d).st_mtime_ns == m0 and (os.listdir(outdir) == []),
              "order: %s: something was created in %s" % (name, d))


def test_sparse(c):
    """A sparse image keeps its holes: a hole inside the file (a large
    zero section dug out) and one at its end (4 GiB); the output takes
    about the blocks the input takes, and its bytes are the dense image's
    patched bytes."""
    w = os.path.join(c.work, "sparse")
    os.makedirs(w)
    g, rom = c.guest["x86_64"], c.rom("mix", "x86_64")
    zeros = os.path.join(w, "zeros")
    with open(zeros, "wb") as f:
        f.truncate(64 << 20)
    dense = os.path.join(w, "dense.elf")
    rc, _, se = run(["objcopy", "--add-section", ".pad=" + zeros, g, dense])
    if not check(rc == 0, "sparse: objcopy: %s" % se.strip()):
        return
    size = os.path.getsize(dense)
    sparse = os.path.join(w, "sparse.elf")
    shutil.copy(dense, sparse)
    rc, _, se = run(["fallocate", "--dig-holes", sparse])
    if not check(rc == 0, "sparse: fallocate --dig-holes: %s" % se.strip()):
        return
    os.truncate(sparse, 4 << 30)
    sin = os.stat(sparse)
    check(sin.st_blocks * 512 < 8 << 20, "sparse: the input is not sparse (%d blocks)" % sin.st_blocks)
    ref, out = os.path.join(w, "dense.out"), os.path.join(w, "sparse.out")
    rc1, _, se1 = run([c.bin["vmipatch"], "--rom", rom, "-o", ref, dense])
    rc2, _, se2 = run([c.bin["vmipatch"], "--rom", rom, "-o", out, sparse])
    if not check(rc1 == 0 and rc2 == 0, "sparse: vmipatch: %d %d %s %s" % (rc1, rc2, se1.strip(), se2.strip())):
        return
    so = os.stat(out)
    check(so.st_size == 4 << 30, "sparse: output size %d" % so.st_size)
    check(so.st_blocks <= sin.st_blocks + 256, "sparse: output takes %d blocks, input %d" % (so.st_blocks, sin.st_blocks))
    with open(out, "rb") as f, open(ref, "rb") as r:
        same = f.read(size) == r.read()
        # nothing but holes after the dense part
        try:
            nxt = os.lseek(f.fileno(), size, os.SEEK_DATA)
        except OSError:
            nxt = None
        tail_zero = nxt is None or (nxt < size + 4096 and f.read(4096).strip(b"\0") == b"")
    check(same and tail_zero, "sparse: output bytes differ from the dense image's (%s, tail %s)" % (same, tail_zero))
    rc, _, se = run([c.bin["vmipatch"], "--rom", rom, "--in-place", sparse])
    check(rc == 0 and os.stat(sparse).st_blocks <= sin.st_blocks + 256,
          "sparse: --in-place filled the holes (%d blocks, was %d) %s" % (os.stat(sparse).st_blocks, sin.st_blocks, se.strip()))


def test_fifo_inputs(c):
    """A FIFO (no writer) or a directory as any tool's input: refused at
    once with 'expected a regular file' / 'Is a directory', never a hang."""
    w = os.path.join(c.work, "fifo")
    os.makedirs(w)
    fifo = os.path.join(w, "in.fifo")
    os.mkfifo(fifo)
    g, rom = c.guest["x86_64"], c.rom("mix", "x86_64")
    out = os.path.join(w, "o.elf")
    runs = [[c.bin["vmipatch"], "--rom", rom, "-o", out, "%s"], [c.bin["vmipatch"], "--rom", "%s", "-o", out, g],
            [c.bin["vmipatch"], "--restore", "--in-place", "%s"], [c.bin["vmidump"], "%s"],
            [c.bin["vmidump"], "--rom", "%s", g], [c.bin["vmilint"], "%s"], [c.bin["vmilint"], "--symbols", "%s", g],
            [tool(c, "mkrom"), "--info", "%s"], [tool(c, "mkrom"), "-o", out, "%s"]]
    for argv in runs:
        for bad, needle in ((fifo, "expected a regular file, found a FIFO"), (w, "Is a directory")):
            a = [x.replace("%s", bad) for x in argv]
            try:
                rc, _, se = run(a, timeout=20)
            except subprocess.TimeoutExpired:
                check(False, "fifo: %r hangs" % a)
                continue
            check(rc == 3 and len(se.splitlines()) == 1 and bad in se and needle in se,
                  "fifo: %s: exit %d %r" % (" ".join(os.path.basename(x) for x in a), rc, se))
    check(sorted(os.listdir(w)) == ["in.fifo"], "fifo: left %r" % os.listdir(w))


def test_long_names(c):
    """An output name of 255 bytes (NAME_MAX) works, with -o and in place,
    and leaves no temporary file."""
    w = os.path.join(c.work, "long")
    os.makedirs(w)
    g, rom = c.guest["x86_64"], c.rom("mix", "x86_64")
    for n in (248, 254, 255):
        name = os.path.join(w, ("k" * (n - 4)) + ".elf")
        rc, _, se = run([c.bin["vmipatch"], "--rom", rom, "-o", name, g])
        check(rc == 0 and os.path.isfile(name), "long names: -o of %d bytes: %d %s" % (n, rc, se.strip()))
        rc, _, se = run([c.bin["vmipatch"], "--restore", "--in-place", name])
        check(rc == 0 and sha(name) == sha(g), "long names: --in-place of %d bytes: %d %s" % (n, rc, se.strip()))
    check(len(os.listdir(w)) == 3, "long names: %d entries, not 3" % len(os.listdir(w)))


def test_messages(c):
    """Each refusal names the file (or option), the item and why."""
    w = os.path.join(c.work, "messages")
    os.makedirs(w)
    g, rom = c.guest["x86_64"], c.rom("mix", "x86_64")
    img = Image(g)
    with open(g, "rb") as f:
        good = f.read()
    for pol, item, why in (("ident:nonsense", "ident:nonsense", "unknown category or call 'nonsense'"),
                           ("no-nop,max-minor:300", "max-minor:300", "'300' is not a minor version"),
                           ("ident,bogus:1", "bogus:1", "unknown policy 'bogus'"),
                           ("no-feature:warp", "no-feature:warp", "unknown feature 'warp'"),
                           ("no-nop:x", "no-nop:x", "no-nop takes no argument"),
                           ("ident,", "", "empty item")):
        for t in ("vmipatch", "vmidump"):
            rc, _, se = run([c.bin[t], "-n", "--rom", rom, "--policy", pol, g] if t == "vmipatch" else
                            [c.bin[t], "--rom", rom, "--policy", pol, g])
            check(rc == 2 and len(se.splitlines()) == 1 and "--policy: item '%s'" % item in se and why in se
                  and (pol == item or pol not in se),
                  "messages: %s --policy %s: %d %r" % (t, pol, rc, se))
    is64 = good[4] == 2
    shnum_off, shstrndx_off = (60, 62) if is64 else (48, 50)
    shnum = struct.unpack_from("<H", good, shnum_off)[0]
    bad = bytearray(good); struct.pack_into("<H", bad, shstrndx_off, shnum + 5)
    past = os.path.join(w, "shstrndx-past.elf")
    with open(past, "wb") as f:
        f.write(bad)
    text_idx = [i for i, s in enumerate(img.secs) if s["name"] == ".text"][0]
    bad = bytearray(good); struct.pack_into("<H", bad, shstrndx_off, text_idx)
    notstr = os.path.join(w, "shstrndx-text.elf")
    with open(notstr, "wb") as f:
        f.write(bad)
    for p, why in ((past, "e_shstrndx %d names no section" % (shnum + 5)),
                   (notstr, "e_shstrndx %d names section %d of type 1, not a string table" % (text_idx, text_idx))):
        for argv in ([c.bin["vmipatch"], "--rom", rom, "-o", os.path.join(w, "o"), p], [c.bin["vmidump"], p],
                     [c.bin["vmilint"], p]):
            rc, _, se = run(argv)
            check(rc == 1 and len(se.splitlines()) == 1 and p in se and why in se and ".note.vmi" not in se,
                  "messages: %s %s: %d %r" % (os.path.basename(argv[0]), os.path.basename(p), rc, se))
    src = os.path.join(w, "mod.c")
    with open(src, "w") as f:
        f.write("int vmi_mod_init(void) { return 0; }\n")
    obj = os.path.join(w, "mod.ko")
    rc, _, se = run(["cc", "-c", "-o", obj, src])
    if check(rc == 0, "messages: cc -c: %s" % se.strip()):
        for argv in ([c.bin["vmipatch"], "--rom", rom, "-o", os.path.join(w, "o"), obj], [c.bin["vmidump"], obj]):
            rc, _, se = run(argv)
            check(rc == 1 and len(se.splitlines()) == 1 and obj in se and "relocatable object" in se
                  and "linked executable" in se, "messages: %s on a .ko: %d %r" % (os.path.basename(argv[0]), rc, se))
    rc, _, se = run([c.bin["vmipatch"], "--rom", w, "-o", os.path.join(w, "o"), g])
    check(rc == 3 and len(se.splitlines()) == 1 and w in se and "Is a directory" in se,
          "messages: --rom DIR: %d %r" % (rc, se))
    check(not os.path.exists(os.path.join(w, "o")), "messages: an output was written")


def test_output_hygiene(c):
    """Issue 16 item 10: ROM vendor bytes are escaped, unknown stamp states named unknown."""
    w = os.path.join(c.work, "hygiene")
    os.makedirs(w)
    g, rom = c.guest["x86_64"], c.rom("mix", "x86_64")
    with open(rom, "rb") as f:
        r = bytearray(f.read())
    r[0x2C:0x3C] = b"ev\x1b[31m\x07il\\\"\xff\0\0\0\0\0"[:16]
    r[-1] = 0
    r[-1] = (-sum(r)) & 0xff
    evil = os.path.join(w, "evil.rom")
    with open(evil, "wb") as f:
        f.write(r)
    want = 'ev\\x1b[31m\\x07il\\\\\\"\\xff'
    mkrom = os.path.join(os.path.dirname(os.path.dirname(c.bin["vmipatch"])), "mkrom", "mkrom")
    for argv in ([c.bin["vmipatch"], "-n", "--rom", evil, g], [c.bin["vmidump"], "--rom", evil, g],
                 [mkrom, "--info", evil]):
        rc, so, se = run(argv)
        check(rc == 0 and "\x1b" not in so and "\x07" not in so and ('"%s"' % want) in so,
              "hygiene: %s text vendor: %d %r" % (os.path.basename(argv[0]), rc, so[:400]))
    for argv in ([c.bin["vmipatch"], "-n", "--json", "--rom", evil, g], [c.bin["vmidump"], "--json", "--rom", evil, g],
                 [mkrom, "--info", "--json", evil]):
        rc, so, se = run(argv)
        check(rc == 0 and "\x1b" not in so and "\\u001b" in so, "hygiene: %s json raw bytes: %r" % (argv[0], so[:300]))
    img = Image(g)
    with open(g, "rb") as f:
        b = bytearray(f.read())
    b[img.desc_off + 8] = 7  # stamp_state: neither native (0) nor patched (1)
    odd = os.path.join(w, "stamp7.elf")
    with open(odd, "wb") as f:
        f.write(b)
    rc, so, se = run([c.bin["vmidump"], odd])
    check(rc == 0 and "stamp: unknown state 7" in so and "stamp: native" not in so,
          "hygiene: unknown stamp text: %d %r" % (rc, so[:300]))
    rc, so, se = run([c.bin["vmidump"], "--json", odd])
    ok = rc == 0
    try:
        ok = ok and json.loads(so)["guest"]["stamp"]["state"] == "unknown"
    except (ValueError, KeyError, TypeError):
        ok = False
    check(ok, "hygiene: unknown stamp json: %d %r" % (rc, so[:300]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--roms", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--sample-rom", action="append")
    ap.add_argument("--bad-rom", action="append")
    c = Ctx(ap.parse_args())
    shutil.rmtree(c.work, ignore_errors=True)
    os.makedirs(c.work)
    for arch in ("i386", "x86_64"):
        roms = [(c.rom(k, arch), k) for k in ("mix", "old-minor", "wrong-major")]
        for r in c.samples:
            m = re.match(r"(.*)-%s\.rom$" % arch, os.path.basename(r))
            if m:
                roms.append((r, m.group(1) if m.group(1) in ("old-minor", "wrong-major") else "sample"))
        for rom, kind in roms:
            test_patch(c, arch, rom, kind)
        test_policy(c, arch)
        test_dry_run_and_in_place(c, arch)
        test_repatch_and_no_slots(c, arch)
        test_dump(c, arch)
        test_lint(c, arch)
    test_lint_clean(c)
    test_lint_jobs(c)
    test_lint_jobs_never_in_step(c)
    test_lint_symbol_map(c)
    test_bad_inputs(c)
    test_output_paths(c)
    test_signals(c)
    test_order_of_work(c)
    test_sparse(c)
    test_fifo_inputs(c)
    test_long_names(c)
    test_messages(c)
    test_output_hygiene(c)
    print("check-tools: %d checks, %d failed (%d SDK ROMs patched, %d corrupt ROMs refused)" %
          (CHECKS[0], len(FAILS), len(c.samples), len(c.bad_roms)))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
