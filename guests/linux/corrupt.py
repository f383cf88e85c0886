#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""corrupt.py [--table] VMLINUX OUTDIR - write bad copies of a CONFIG_VMI
vmlinux, one defect each, for the Linux reader's bad-input tests
(offline-check.sh): its pv-op note and records (read by vmidump and
vmilint), or with --table the site table --prepare filled (read by
vmipatch). Prints "FILE EXPECTED-MESSAGE-FRAGMENT" per copy. ELF64
little-endian only."""
import os
import struct
import sys

NOTE_TYPE = 0x564D02
GUEST_NOTE_TYPE = 0x564D01


def sections(b):
    shoff, = struct.unpack_from("<Q", b, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", b, 0x3A)
    hdrs = [struct.unpack_from("<IIQQQQIIQQ", b, shoff + i * shentsize) for i in range(shnum)]
    stroff = hdrs[shstrndx][4]
    out = {}
    for i, h in enumerate(hdrs):
        end = b.index(b"\0", stroff + h[0])
        out[b[stroff + h[0]:end].decode()] = (shoff + i * shentsize, h)
    return out


def pv_desc(b, secs, want=NOTE_TYPE):
    _, h = secs[".notes"]
    off, size = h[4], h[5]
    p = 0
    while p + 12 <= size:
        namesz, descsz, typ = struct.unpack_from("<III", b, off + p)
        desc = p + 12 + ((namesz + 3) & ~3)
        if typ == want and b[off + p + 12:off + p + 12 + namesz] == b"VMI\0":
            return off + desc, descsz
        p = desc + ((descsz + 3) & ~3)
    sys.exit("corrupt.py: no VMI note of type %#x in .notes" % want)


def main():
    table = sys.argv[1:2] == ["--table"]
    src, outdir = sys.argv[1 + table], sys.argv[2 + table]
    orig = open(src, "rb").read()
    secs = sections(orig)
    desc, dlen = pv_desc(orig, secs)
    cases = []

    def emit(name, expect, edit):
        b = bytearray(orig)
        edit(b)
        path = os.path.join(outdir, name)
        with open(path, "wb") as f:
            f.write(b)
        cases.append((path, expect))

    if table:
        gdesc, glen = pv_desc(orig, secs, GUEST_NOTE_TYPE)
        count, = struct.unpack_from("<I", orig, gdesc + 28)
        _, sh = secs["vmi_sites"]
        cap = sh[5] // 16
        sites = sh[4]
        emit("table-empty.vmlinux", "is empty: fill it from .parainstructions with vmipatch --prepare",
             lambda b: struct.pack_into("<I", b, gdesc + 28, 0))
        emit("table-count.vmlinux", "the note counts %d sites but vmi_sites holds %d entries" % (cap + 1, cap),
             lambda b: struct.pack_into("<I", b, gdesc + 28, cap + 1))
        emit("table-short.vmlinux", "differs from .parainstructions (%d sites) at entry %d" % (count, count - 1),
             lambda b: struct.pack_into("<I", b, gdesc + 28, count - 1))
        emit("table-stale.vmlinux", "differs from .parainstructions (%d sites) at entry 0" % count,
             lambda b: struct.pack_into("<H", b, sites + 8, 0x7fff))
        for path, expect in cases:
            print(path, expect, sep="\t")
        return
    emit("note-version.vmlinux", "Linux pv-op note version 9",
         lambda b: struct.pack_into("<I", b, desc, 9))
    emit("note-count.vmlinux", "does not hold its",
         lambda b: struct.pack_into("<H", b, desc + 10, (dlen - 44) // 4 + 1))
    emit("note-record.vmlinux", "impossible record",
         lambda b: struct.pack_into("<H", b, desc + 4, 7))
    emit("note-clbr-sp.vmlinux", "stack pointer",
         lambda b: struct.pack_into("<H", b, desc + 12, 1 << 4))
    first_type = struct.unpack_from("<H", orig, desc + 44)[0]
    emit("note-dup-type.vmlinux", "mapped twice",
         lambda b: struct.pack_into("<H", b, desc + 48, first_type))
    emit("note-type-range.vmlinux", "not a byte",
         lambda b: struct.pack_into("<H", b, desc + 44, 300))
    shdr, h = secs[".parainstructions"]
    emit("records-size.vmlinux", "is not a multiple of the record size",
         lambda b: struct.pack_into("<Q", b, shdr + 0x20, h[5] - 1))
    for path, expect in cases:
        print(path, expect, sep="\t")


main()
