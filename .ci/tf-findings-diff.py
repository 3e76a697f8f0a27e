#!/usr/bin/env python3
"""Which Terraform findings one linea binary adds or removes relative to another, tree by tree.
Not part of CI (the corpus lives outside the repository; timing is not a test).

    .ci/tf-findings-diff.py REFERENCE_BINARY NEW_BINARY TREE...

Each binary runs `check --select terraform -f json` inside TREE (paths relative to
it). A finding is the same in both when rule, path, span and message agree; one whose rule, path
and span agree but whose message changed is listed as changed. Exit 0 when nothing differs.
"""
import json
import subprocess
import sys
from collections import Counter


def findings(binary, tree):
    out = subprocess.run(
        [binary, "check", "--select", "terraform", "-f", "json", "."],
        cwd=tree,
        capture_output=True,
        text=True,
    )
    # 1: findings (older binaries have no --exit-zero); 2 and above: linea failed
    if out.returncode > 1:
        sys.exit(f"{binary} failed on {tree}: {out.stderr.strip()}")
    out = out.stdout
    diags = json.loads(out)["diagnostics"]
    return {
        (d["rule"], d["path"], d["start"]["line"], d["start"]["column"], d["end"]["offset"], d["message"]): d
        for d in diags
    }


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip())
        return 2
    ref_bin, new_bin, trees = sys.argv[1], sys.argv[2], sys.argv[3:]
    status = 0
    for tree in trees:
        ref, new = findings(ref_bin, tree), findings(new_bin, tree)
        removed = {k: v for k, v in ref.items() if k not in new}
        added = {k: v for k, v in new.items() if k not in ref}
        at = lambda k: k[:5]
        changed = [(r, a) for r in removed for a in added if at(r) == at(a)]
        for r, a in changed:
            removed.pop(r, None)
            added.pop(a, None)
        print(f"== {tree}: {len(ref)} -> {len(new)} Terraform findings "
              f"(+{len(added)} -{len(removed)} ~{len(changed)})")
        counts = Counter()
        for sign, group in (("+", added), ("-", removed)):
            for k in sorted(group):
                counts[(sign, k[0])] += 1
                print(f"{sign} {k[0]} {k[1]}:{k[2]}:{k[3]} {k[5]}")
        for r, a in sorted(changed):
            print(f"~ {r[0]} {r[1]}:{r[2]}:{r[3]}\n    was: {r[5]}\n    now: {a[5]}")
        if counts:
            print("   by rule: " + ", ".join(f"{s}{n} {rule}" for (s, rule), n in sorted(counts.items(), key=lambda x: x[0][1])))
        if added or removed or changed:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
