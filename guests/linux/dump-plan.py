#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""dump-plan.py - vmidump --json on stdin -> one "site ADDR CALL FORM REASON"
line per site, the form /proc/vmi of a CONFIG_VMI kernel prints its plan in,
so run.sh can compare the two. Without a ROM, vmidump plans nothing: FORM
and REASON are then given on the command line (what the kernel says for
every site when it has no ROM)."""
import json
import sys

form, reason = (sys.argv[1:3] + [None, None])[:2]
doc = json.load(sys.stdin)
for s in doc["sites"]:
    addr = int(s["addr"], 16)
    print("site %x %s %s %s" % (addr, s["call"], s["form"] or form, s["reason"] or reason))
