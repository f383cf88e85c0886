#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a synthetic annotated guest image (ELF32 i386 or ELF64 x86-64).

The layout is the one the guest macros and the linker produce: .text with
sites (native instruction + canonical NOPs) between ordinary code,
.note.vmi, vmi_sites (16-byte entries, self-relative offsets), vmi_native,
vmi_slots, and a .data filler that brings the file to the requested size.
Used by the offline benchmarks and as seed/base input of the fuzz and
bad-input tests.

usage: gen_image.py [--arch x86_64|i386] [--sites N] [--text-kib K]
                    [--size-mib M] -o OUT
"""
import argparse
import struct
import sys

# Canonical NOPs, the bytes vmi_nop_fill() writes (largest first, <= 8).
NOPS = {
    1: b"\x90", 2: b"\x66\x90", 3: b"\x0f\x1f\x00", 4: b"\x0f\x1f\x40\x00",
    5: b"\x0f\x1f\x44\x00\x00", 6: b"\x66\x0f\x1f\x44\x00\x00",
    7: b"\x0f\x1f\x80\x00\x00\x00\x00", 8: b"\x0f\x1f\x84\x00\x00\x00\x00\x00",
}

# (call id, native bytes): the same encodings on both arches.
CALLS = [
    (32, b"\xfa"), (33, b"\xfb"), (32, b"\xfa"), (33, b"\xfb"),
    (34, b"\x9c\x58"), (14, b"\x0f\x22\xd8"), (18, b"\x0f\x20\xd8"),
    (70, b"\x0f\x01\x38"), (1, b"\x0f\xa2"), (80, b"\x0f\x31"),
    (60, b"\xe6\x80"), (36, b"\xf4"), (21, b"\x0f\x09"),
]
LENS = [6, 7, 8, 9, 10, 12, 6, 8]
# Ordinary code between sites: mov %eax,%edi; mov %eax,%esi; add $1,%eax; nop
GAP = b"\x89\xc7\x89\xc6\x83\xc0\x01\x90"

CLOBBER_I386 = 0x7          # ax cx dx
CLOBBER_X86_64 = 0xfc7      # ax cx dx si di r8-r11
NOTE_TYPE = 0x564D01
FORMAT_VERSION = 0x100
INTERFACE_MAJOR = 1


def nop_fill(n):
    out = b""
    while n > 0:
        k = min(n, 8)
        out += NOPS[k]
        n -= k
    return out


def align(v, a):
    return (v + a - 1) & ~(a - 1)


def build(arch, nsites, text_kib, size_mib):
    is64 = arch == "x86_64"
    base = 0x400000
    page = 0x1000
    # text: sites spread evenly over at least text_kib of code
    site_stride = max(len(GAP) + max(LENS), (text_kib * 1024) // max(nsites, 1))
    text = bytearray()
    native = bytearray()
    sites = []  # (text offset, native offset, id, len, native len)
    for i in range(nsites):
        cid, nat = CALLS[i % len(CALLS)]
        slen = LENS[i % len(LENS)]
        start = len(text)
        sites.append((start, len(native), cid, slen, len(nat)))
        text += nat + nop_fill(slen - len(nat))
        native += nat
        pad = site_stride - slen
        text += GAP * (pad // len(GAP)) + nop_fill(pad % len(GAP))
    while len(text) < text_kib * 1024:
        text += GAP
    text += b"\xc3"

    note_desc = struct.pack("<HHBBBBBBBBIIII", FORMAT_VERSION, 16, 2 if is64 else 1,
                            INTERFACE_MAJOR, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    note = struct.pack("<III", 4, len(note_desc), NOTE_TYPE) + b"VMI\0" + note_desc

    # file/address layout: [ehdr+phdrs] .text | .note.vmi vmi_sites vmi_native vmi_slots .data | shstrtab shdrs
    text_off = page
    ro_off = align(text_off + len(text), page)
    note_off = ro_off
    sites_off = align(note_off + len(note), 8)
    table_len = 16 * nsites
    native_off = sites_off + table_len
    slots_off = align(native_off + len(native), 8)
    slots_len = 128 * 8
    data_off = align(slots_off + slots_len, page)
    shstr = b"\0.text\0.note.vmi\0vmi_sites\0vmi_native\0vmi_slots\0.data\0.shstrtab\0"
    ehsize = 64 if is64 else 52
    shentsize = 64 if is64 else 40
    nsh = 8
    target = size_mib * 1024 * 1024
    tail = len(shstr) + 8 + nsh * shentsize
    data_len = max(page, target - data_off - tail)
    shstr_off = data_off + data_len
    sh_off = align(shstr_off + len(shstr), 8)
    addr = lambda off: base + off

    table = bytearray()
    clob = CLOBBER_X86_64 if is64 else CLOBBER_I386
    for i, (toff, noff, cid, slen, nlen) in enumerate(sites):
        entry = addr(sites_off) + 16 * i
        site_rel = addr(text_off) + toff - entry
        nat_rel = addr(native_off) + noff - (entry + 4)
        table += struct.pack("<iiHBBBBH", site_rel, nat_rel, cid, slen, nlen, 0, 0, clob)

    out = bytearray(sh_off + nsh * shentsize)
    # data filler: a repeating non-zero pattern, so the file is really that big on disk
    pattern = bytes(range(1, 256))
    out[data_off:data_off + data_len] = (pattern * (data_len // len(pattern) + 1))[:data_len]
    out[text_off:text_off + len(text)] = text
    out[note_off:note_off + len(note)] = note
    out[sites_off:sites_off + table_len] = table
    out[native_off:native_off + len(native)] = native
    out[shstr_off:shstr_off + len(shstr)] = shstr

    PF_X, PF_W, PF_R = 1, 2, 4
    phdrs = [
        (1, PF_R | PF_X, text_off, len(text), page),                         # PT_LOAD text
        (1, PF_R | PF_W, ro_off, data_off + data_len - ro_off, page),        # PT_LOAD rest
        (4, PF_R, note_off, len(note), 4),                                   # PT_NOTE
    ]
    phoff = ehsize
    phentsize = 56 if is64 else 32
    ident = b"\x7fELF" + bytes([2 if is64 else 1, 1, 1, 0]) + bytes(8)
    machine = 62 if is64 else 3
    if is64:
        eh = ident + struct.pack("<HHIQQQIHHHHHH", 2, machine, 1, addr(text_off), phoff, sh_off,
                                 0, ehsize, phentsize, len(phdrs), shentsize, nsh, 7)
    else:
        eh = ident + struct.pack("<HHIIIIIHHHHHH", 2, machine, 1, addr(text_off), phoff, sh_off,
                                 0, ehsize, phentsize, len(phdrs), shentsize, nsh, 7)
    out[0:len(eh)] = eh
    for i, (ptype, flags, off, size, al) in enumerate(phdrs):
        if is64:
            ph = struct.pack("<IIQQQQQQ", ptype, flags, off, addr(off), addr(off), size, size, al)
        else:
            ph = struct.pack("<IIIIIIII", ptype, off, addr(off), addr(off), size, size, flags, al)
        out[phoff + i * phentsize:phoff + (i + 1) * phentsize] = ph

    def name(s):
        return shstr.index(s.encode() + b"\0")
    SHF_WRITE, SHF_ALLOC, SHF_EXEC = 1, 2, 4
    shdrs = [
        (0, 0, 0, 0, 0, 0, 0),
        (name(".text"), 1, SHF_ALLOC | SHF_EXEC, text_off, len(text), 16, 0),
        (name(".note.vmi"), 7, SHF_ALLOC, note_off, len(note), 4, 0),
        (name("vmi_sites"), 1, SHF_ALLOC, sites_off, table_len, 4, 16),
        (name("vmi_native"), 1, SHF_ALLOC, native_off, len(native), 1, 0),
        (name("vmi_slots"), 1, SHF_ALLOC | SHF_WRITE, slots_off, slots_len, 8, 8),
        (name(".data"), 1, SHF_ALLOC | SHF_WRITE, data_off, data_len, 16, 0),
        (name(".shstrtab"), 3, 0, shstr_off, len(shstr), 1, 0),
    ]
    for i, (nm, typ, flags, off, size, al, entsize) in enumerate(shdrs):
        a = addr(off) if flags & SHF_ALLOC else 0
        if is64:
            sh = struct.pack("<IIQQQQIIQQ", nm, typ, flags, a, off, size, 0, 0, al, entsize)
        else:
            sh = struct.pack("<IIIIIIIIII", nm, typ, flags, a, off, size, 0, 0, al, entsize)
        out[sh_off + i * shentsize:sh_off + (i + 1) * shentsize] = sh
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", choices=["x86_64", "i386"], default="x86_64")
    ap.add_argument("--sites", type=int, default=1000)
    ap.add_argument("--text-kib", type=int, default=64)
    ap.add_argument("--size-mib", type=int, default=0)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    img = build(a.arch, a.sites, a.text_kib, a.size_mib)
    with open(a.output, "wb") as f:
        f.write(img)
    return 0


if __name__ == "__main__":
    sys.exit(main())
