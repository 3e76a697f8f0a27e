#!/usr/bin/env python3
"""linea and Checkov side by side, rule by rule: for every linea rule whose `sources` name a
Checkov check, the resources each tool flags on the same tree (same file, linea's finding inside
the resource Checkov reports), and the wall time of both. Not part of CI: the trees live outside
the repository and Checkov is installed separately (`pip install checkov`).

    .ci/checkov-compare.py [--linea BIN] [--framework terraform|kubernetes|...] [--rules ID,...]
                           [--show N] TREE

Prints one row per (linea rule, Checkov check): resources both flag, only linea, only Checkov;
then up to N examples of each disagreement, to be read (a disagreement is where one of the two is
wrong: the point of the table is to look at them).
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import time


def run(cmd):
    start = time.monotonic()
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return out.stdout, time.monotonic() - start


def checkov_failed(tree, framework):
    out, secs = run(["checkov", "-d", tree, "--framework", framework, "-o", "json", "--quiet", "--compact",
                     "--skip-download", "--download-external-modules", "false"])
    try:
        data = json.loads(out or "[]")
    except json.JSONDecodeError:
        sys.exit("checkov printed no JSON report")
    reports = data if isinstance(data, list) else [data]
    failed = []
    for r in reports:
        for c in r.get("results", {}).get("failed_checks", []):
            path = os.path.normpath(os.path.join(tree, c.get("file_path", "").lstrip("/")))
            lines = c.get("file_line_range") or [0, 0]
            failed.append((c["check_id"], path, lines[0], lines[1], c.get("resource", "")))
    return failed, secs


def linea_findings(binary, tree, rules):
    cmd = [binary, "check", "-f", "json", "--exit-zero", tree]
    if rules:
        cmd[2:2] = ["--select", ",".join(sorted(rules))]
    out, secs = run(cmd)
    data = json.loads(out)
    found = []
    for d in data["diagnostics"]:
        path = os.path.normpath(d["path"] if os.path.isabs(d["path"]) else os.path.join(os.getcwd(), d["path"]))
        found.append((d["rule"], path, d["start"]["line"], d["message"]))
    return found, secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tree")
    ap.add_argument("--linea", default="target/release/linea")
    ap.add_argument("--framework", default="terraform")
    ap.add_argument("--rules", default="", help="linea rule ids to compare (default: all with a Checkov source)")
    ap.add_argument("--show", type=int, default=3)
    a = ap.parse_args()
    tree = os.path.abspath(a.tree)

    meta = json.loads(subprocess.run([a.linea, "rules", "--format", "json"], stdout=subprocess.PIPE,
                                     text=True, check=True).stdout)
    wanted = {r for r in a.rules.split(",") if r}
    pairs = collections.defaultdict(set)  # linea rule -> checkov ids
    for r in meta:
        if wanted and r["id"] not in wanted:
            continue
        for s in r.get("sources", []):
            if s.get("tool") == "checkov" and s.get("id", "").startswith("CKV"):
                pairs[r["id"]].add(s["id"])
    if not pairs:
        sys.exit("no linea rule with a Checkov source")

    failed, ck_secs = checkov_failed(tree, a.framework)
    found, ln_secs = linea_findings(a.linea, tree, set(pairs))
    print(f"tree {tree}\nwall: linea {ln_secs:.2f} s, checkov {ck_secs:.2f} s ({ck_secs / max(ln_secs, 1e-3):.0f}x)\n")

    by_check = collections.defaultdict(list)
    for check, path, lo, hi, res in failed:
        by_check[check].append((path, lo, hi, res))
    by_rule = collections.defaultdict(list)
    for rule, path, line, msg in found:
        by_rule[rule].append((path, line, msg))

    print(f"{'linea':8} {'checkov':14} {'both':>5} {'linea only':>10} {'checkov only':>12}")
    examples = []
    for rule in sorted(pairs):
        for check in sorted(pairs[rule]):
            ck = by_check.get(check, [])
            ln = by_rule.get(rule, [])
            hit = lambda f, c: f[0] == c[0] and c[1] <= f[1] <= c[2]
            both = [c for c in ck if any(hit(f, c) for f in ln)]
            ck_only = [c for c in ck if c not in both]
            ln_only = [f for f in ln if not any(hit(f, c) for c in ck)]
            if not (ck or ln):
                continue
            print(f"{rule:8} {check:14} {len(both):5} {len(ln_only):10} {len(ck_only):12}")
            rel = lambda p: os.path.relpath(p, tree)
            for f in ln_only[: a.show]:
                examples.append(f"  {rule} only linea:   {rel(f[0])}:{f[1]}  {f[2]}")
            for c in ck_only[: a.show]:
                examples.append(f"  {check} only checkov: {rel(c[0])}:{c[1]}-{c[2]}  {c[3]}")
    if examples:
        print("\ndisagreements (examples):")
        print("\n".join(examples))


if __name__ == "__main__":
    main()
