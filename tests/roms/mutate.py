#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hostile-object check for mkrom: feed it N seeded random mutations of a
good ROM object (byte changes, truncation) and require, for every one,
exit 0 or 1, exactly one printable error line on failure, no sanitizer
report, and no output file after a failure.

usage: mutate.py MKROM OBJECT WORKDIR COUNT SEED
"""
import os
import random
import subprocess
import sys


def main():
    mkrom, obj, work, count, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    src = open(obj, 'rb').read()
    rng = random.Random(seed)
    bad = 0
    for i in range(count):
        b = bytearray(src)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        if rng.random() < 0.1:
            b = b[:rng.randrange(len(b))]
        mobj = os.path.join(work, 'mut.o')
        rom = os.path.join(work, 'mut.rom')
        open(mobj, 'wb').write(b)
        if os.path.exists(rom):
            os.unlink(rom)
        r = subprocess.run([mkrom, '-o', rom, mobj], capture_output=True, text=True, errors='replace')
        err = r.stderr
        problem = None
        if r.returncode not in (0, 1):
            problem = 'exit %d' % r.returncode
        elif 'Sanitizer' in err or 'runtime error' in err:
            problem = 'sanitizer report'
        elif r.returncode == 1 and (err.count('\n') != 1 or not err.startswith('mkrom: ')):
            problem = 'not one error line'
        elif any((ord(c) < 32 and c != '\n') or c == '\ufffd' for c in err):
            problem = 'unprintable error text'
        elif r.returncode == 1 and os.path.exists(rom):
            problem = 'output written after failure'
        if problem:
            bad += 1
            keep = os.path.join(work, 'mut-fail-%d.o' % i)
            open(keep, 'wb').write(b)
            print('FAIL: mutation %d of %s: %s (kept as %s): %s' % (i, obj, problem, keep, err[:200]))
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
