#!/usr/bin/env python3
"""check-schemas: every tool's --json output against its schema in docs/schema/.

Runs each tool on real inputs (the sample guests, the sample ROMs, objects)
in the modes that change the output's shape, and validates each document
with python3-jsonschema (Draft 2020-12). The per-tool schemas refer to
common.v1.schema.json; that file's definitions are bundled in first, so
any validator version resolves them without network or file access. A
negative control (a required field removed, a wrong type) must fail, so a
validator that accepts everything cannot pass this test.
"""
import argparse
import copy
import json
import os
import subprocess
import sys

import jsonschema

SCHEMA_DIR = "docs/schema"
COMMON = "common.v1.schema.json"


def bundle(schema, common):
    """schema with common's $defs inlined as #/$defs/common.NAME"""
    def rewrite(node, prefix_local):
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if k == "$ref" and isinstance(v, str):
                    if v.startswith(COMMON + "#/$defs/"):
                        v = "#/$defs/common." + v[len(COMMON + "#/$defs/"):]
                    elif prefix_local and v.startswith("#/$defs/"):
                        v = "#/$defs/common." + v[len("#/$defs/"):]
                out[k] = rewrite(v, prefix_local)
            return out
        if isinstance(node, list):
            return [rewrite(x, prefix_local) for x in node]
        return node
    s = rewrite(copy.deepcopy(schema), False)
    defs = s.setdefault("$defs", {})
    for name, d in common["$defs"].items():
        defs["common." + name] = rewrite(d, True)
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--o", required=True)
    ap.add_argument("--image", action="append", default=[],
                    help="also validate vmidump and vmilint on this image (a Linux kernel)")
    a = ap.parse_args()
    o = a.o
    tool = lambda t: os.path.join(o, "tools", t, t)
    roms = os.path.join(o, "roms")
    g64, g32 = os.path.join(o, "guest", "guest-x86_64.elf"), os.path.join(o, "guest", "guest-i386.elf")
    work = os.path.join(o, "tests", "install", "schema")
    os.makedirs(work, exist_ok=True)
    rom64, rom32 = os.path.join(roms, "vmware-like-x86_64.rom"), os.path.join(roms, "xen-like-i386.rom")
    obj = os.path.join(o, "guest", "x86_64", "cpu.o")
    base = os.path.join(work, "baseline")
    patched = os.path.join(work, "g.vmw")

    with open(os.path.join(SCHEMA_DIR, COMMON)) as f:
        common = json.load(f)
    schemas = {}
    for name in sorted(os.listdir(SCHEMA_DIR)):
        if name.endswith(".schema.json") and name != COMMON:
            with open(os.path.join(SCHEMA_DIR, name)) as f:
                raw = json.load(f)
            jsonschema.Draft202012Validator.check_schema(raw)
            schemas[name] = jsonschema.Draft202012Validator(bundle(raw, common))
    jsonschema.Draft202012Validator.check_schema(common)

    subprocess.run([tool("vmilint"), "--write-baseline", base, g64], check=True, stdout=subprocess.DEVNULL)
    runs = [
        ("vmipatch.v1", [tool("vmipatch"), "--rom", rom64, "--dry-run", "--json", g64]),
        ("vmipatch.v1", [tool("vmipatch"), "--rom", rom32, "--dry-run", "--json", "--policy", "no-inline,ident:mmu", g32]),
        ("vmipatch.v1", [tool("vmipatch"), "--rom", rom64, "--verify", "--no-sync", "--json", "-o", patched, g64]),
        ("vmipatch.v1", [tool("vmipatch"), "--restore", "--no-sync", "--json", "-o", patched + ".nat", patched]),
        ("vmidump.v1", [tool("vmidump"), "--json", g64]),
        ("vmidump.v1", [tool("vmidump"), "--json", "--rom", rom64, g64]),
        ("vmidump.v1", [tool("vmidump"), "--json", "--no-disasm", "--rom", rom32, "--policy", "ident", g32]),
        ("vmidump.v1", [tool("vmidump"), "--json", patched]),
        ("vmilint.v1", [tool("vmilint"), "--json", g64]),
        ("vmilint.v1", [tool("vmilint"), "--json", "--cross-check", g32]),
        ("vmilint.v1", [tool("vmilint"), "--json", "--baseline", base, "--fail-on", "error", g64]),
        ("vmilint.v1", [tool("vmilint"), "--json", obj]),
        ("mkrom-info.v1", [tool("mkrom"), "--info", "--json", rom64]),
        ("mkrom-info.v1", [tool("mkrom"), "--info", "--json", rom32]),
        ("vmirun-bench.v1", [tool("vmirun"), "--bench", "--json", "--rom", rom64]),
    ]
    for img in a.image:
        runs += [
            ("vmidump.v1", [tool("vmidump"), "--json", "--no-disasm", img]),
            ("vmidump.v1", [tool("vmidump"), "--json", "--rom", rom64, img]),
            ("vmilint.v1", [tool("vmilint"), "--json", img]),
        ]
    failed, seen = 0, set()
    docs = {}
    for name, cmd in runs:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        short = " ".join(os.path.basename(c) if os.sep in c else c for c in cmd)
        try:
            doc = json.loads(p.stdout)
        except ValueError as e:
            print("check-schemas: FAIL: %s (exit %d): not JSON: %s %s" % (short, p.returncode, e, p.stderr.strip()))
            failed += 1
            continue
        errs = sorted(schemas[name + ".schema.json"].iter_errors(doc), key=lambda e: list(e.path))
        for e in errs[:5]:
            print("check-schemas: FAIL: %s: %s at /%s" % (short, e.message, "/".join(map(str, e.path))))
        failed += bool(errs)
        seen.add(name)
        docs.setdefault(name, doc)
    missing = {n[:-len(".schema.json")] for n in schemas} - seen
    if missing:
        print("check-schemas: FAIL: schemas no run validates: %s" % sorted(missing))
        failed += 1
    # negative controls: each schema must reject a broken copy of a real document
    for name, doc in docs.items():
        v = schemas[name + ".schema.json"]
        broken = copy.deepcopy(doc)
        broken.pop(sorted(broken)[0])
        wrong = copy.deepcopy(doc)
        k = sorted(wrong)[-1]
        wrong[k] = {"unexpected": True} if not isinstance(wrong[k], dict) else 12345
        for what, d in (("a required field removed", broken), ("a wrong type", wrong)):
            if v.is_valid(d):
                print("check-schemas: FAIL: %s accepts a document with %s" % (name, what))
                failed += 1
    if failed:
        return 1
    print("check-schemas: ok (%d outputs of %d tools valid against %d schemas; controls rejected)" %
          (len(runs), len(seen), len(schemas)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
