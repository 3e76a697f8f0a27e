#!/usr/bin/env bash
# Helm statistics for the issue note: which template functions real charts use (and whether
# linea implements each), which charts render without a PARSE003/PARSE004 finding, how long each
# chart takes, and the wall time of one run over all the trees. Not part of CI (the charts live
# outside the repository).
#
#   .ci/helm-stats.sh [TREE]...      (default: CORPUS=../shared/corpus, and /tmp/charts/* when present)
#
# Every directory with a `Chart.yaml` that is not a subchart (`<chart>/charts/<name>/`) is a
# chart; `linea check <chart> -f json` runs on each. The implemented functions come from the
# engine itself (`cargo run --example template_funcs`), not from a list kept here.
# Environment: LINEA (binary, default target/release/linea built here), OUT (default
# target/helm-stats), RUNS (whole-tree runs timed, median, default 3).
# Writes OUT/funcs.tsv (name, uses, charts, implemented), OUT/charts.tsv (chart, ms, PARSE003
# count, other findings, first failure), OUT/summary.txt; prints the summary.
set -uo pipefail
TREES=()
for t in "$@"; do TREES+=("$(cd "$t" && pwd)") || exit 2; done
cd "$(dirname "$0")/.."
if [ ${#TREES[@]} -eq 0 ]; then
  # ../shared is next to the main checkout; a worktree finds it through the common git dir
  CORPUS=${CORPUS:-../shared/corpus}
  [ -d "$CORPUS" ] || CORPUS=$(git rev-parse --path-format=absolute --git-common-dir)/../../shared/corpus
  TREES=("$(cd "$CORPUS" && pwd)")
  for d in /tmp/charts/*/; do [ -d "$d" ] && TREES+=("${d%/}"); done
fi
OUT=${OUT:-target/helm-stats}
RUNS=${RUNS:-3}
mkdir -p "$OUT"
if [ -z "${LINEA:-}" ]; then
  cargo build --release --quiet || exit 2
  LINEA=$PWD/target/release/linea
fi
cargo run --quiet --example template_funcs >"$OUT/registry.tsv" || exit 2

python3 - "$LINEA" "$OUT" "$RUNS" "${TREES[@]}" <<'PY'
import json, os, re, statistics, subprocess, sys, time
from collections import Counter, defaultdict

linea, out, runs, trees = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
registry = {}
for line in open(os.path.join(out, "registry.tsv")):
    name, yes = line.rstrip("\n").split("\t")
    registry[name] = yes == "yes"

# --- charts ---------------------------------------------------------------------------------
chart_dirs = []
for tree in trees:
    for root, dirs, files in os.walk(tree):
        dirs[:] = [d for d in dirs if d != ".git"]
        if "Chart.yaml" in files:
            chart_dirs.append(os.path.normpath(root))
chart_set = set(chart_dirs)
def is_subchart(d):
    parent = os.path.dirname(d)
    return os.path.basename(parent) == "charts" and os.path.dirname(parent) in chart_set
top = sorted(d for d in chart_dirs if not is_subchart(d))

def is_library(d):
    try:
        text = open(os.path.join(d, "Chart.yaml"), encoding="utf-8", errors="replace").read()
    except OSError:
        return False
    return re.search(r"^type:\s*['\"]?library", text, re.M) is not None

# --- function use ---------------------------------------------------------------------------
KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block", "break",
            "continue", "nil", "true", "false"}
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NUMBER = re.compile(r"[+-]?(0[xX][0-9a-fA-F_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9]+)?i?)")

def actions(text):
    """The text of every `{{ … }}` action, comments left out, strings kept whole."""
    i, n = 0, len(text)
    while True:
        i = text.find("{{", i)
        if i < 0:
            return
        j = i + 2
        if text.startswith("-", j) and j + 1 < n and text[j + 1] in " \t\r\n":
            j += 1
        k = j
        while k < n and text[k] in " \t\r\n":
            k += 1
        if text.startswith("/*", k):
            e = text.find("*/", k + 2)
            i = n if e < 0 else e + 2
            continue
        start, q = j, j
        while q < n and not text.startswith("}}", q):
            c = text[q]
            if c in "\"'":
                q += 1
                while q < n and text[q] != c and text[q] != "\n":
                    q += 2 if text[q] == "\\" else 1
            elif c == "`":
                e = text.find("`", q + 1)
                q = n if e < 0 else e
            q += 1
        yield text[start:q]
        i = q + 2

def functions(action):
    """Identifiers in function position: every bare word of an action that is not a field
    (`.x`), a variable (`$x`), a keyword or a constant; in Go templates a bare word is always
    a function, called with the arguments after it or the pipeline before `|`."""
    i, n = 0, len(action)
    while i < n:
        c = action[i]
        if c in "\"'":
            i += 1
            while i < n and action[i] != c:
                i += 2 if action[i] == "\\" else 1
            i += 1
        elif c == "`":
            e = action.find("`", i + 1)
            i = n if e < 0 else e + 1
        elif c.isdigit():
            m = NUMBER.match(action, i)
            i = m.end() if m else i + 1
        elif c == "$" or c == ".":
            m = IDENT.match(action, i + 1)
            i = m.end() if m else i + 1
        elif c.isalpha() or c == "_":
            m = IDENT.match(action, i)
            word = m.group(0)
            prev = action[i - 1] if i > 0 else " "
            if word not in KEYWORDS and prev not in ".$":
                yield word
            i = m.end()
        else:
            i += 1

uses, charts_using = Counter(), defaultdict(set)
seen = set()
for d in chart_dirs:
    owner = next((t for t in top if d == t or d.startswith(t + "/")), d)
    tdir = os.path.join(d, "templates")
    for root, _, files in os.walk(tdir):
        for f in files:
            p = os.path.realpath(os.path.join(root, f))
            if p in seen:
                continue
            seen.add(p)
            try:
                text = open(p, encoding="utf-8", errors="replace").read()
            except OSError:
                continue
            for a in actions(text):
                for w in functions(a):
                    uses[w] += 1
                    charts_using[w].add(owner)

with open(os.path.join(out, "funcs.tsv"), "w") as f:
    f.write("function\tuses\tcharts\timplemented\n")
    for name, count in sorted(uses.items(), key=lambda kv: (-kv[1], kv[0])):
        impl = "yes" if registry.get(name) else ("no" if name in registry else "unknown")
        f.write(f"{name}\t{count}\t{len(charts_using[name])}\t{impl}\n")

# --- rendering ------------------------------------------------------------------------------
rows = []
for d in top:
    t0 = time.perf_counter()
    p = subprocess.run([linea, "check", d, "-f", "json", "--exit-zero"], capture_output=True, text=True)
    ms = (time.perf_counter() - t0) * 1000
    try:
        report = json.loads(p.stdout)
        diags = report["diagnostics"]
    except (ValueError, KeyError):
        rows.append((d, ms, -1, 0, f"linea exited {p.returncode}: {p.stderr.strip()[:200]}"))
        continue
    fails = [x for x in diags if x["rule"] in ("PARSE003", "PARSE004")]
    # PARSE003 notes of kustomize or informational notes do not count as render failures
    fails = [x for x in fails if x["severity"] != "info"]
    first = ""
    if fails:
        x = fails[0]
        first = f'{os.path.relpath(x["path"], d)}:{x["start"]["line"]}: {x["message"]}'
    rows.append((d, ms, len(fails), len(diags) - len(fails), first))

with open(os.path.join(out, "charts.tsv"), "w") as f:
    f.write("chart\tms\tfailures\tother_findings\tfirst_failure\n")
    for d, ms, nf, no, first in rows:
        f.write(f"{d}\t{ms:.0f}\t{nf}\t{no}\t{first}\n")

# --- whole-tree wall time -------------------------------------------------------------------
def wall(paths):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([linea, "check", *paths, "-f", "json", "--exit-zero"], capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)

walls = [(t, wall([t])) for t in trees]
walls.append(("all trees", wall(trees)))

# --- summary --------------------------------------------------------------------------------
libs = [d for d in top if is_library(d)]
rendered = [r for r in rows if r[0] not in libs]
clean = [r for r in rendered if r[2] == 0]
ms = sorted(r[1] for r in rendered)
lines = []
lines.append(f"linea: {linea}")
lines.append(f"charts: {len(top)} ({len(libs)} library charts, rendered only through their users), "
             f"{len(chart_dirs) - len(top)} subcharts rendered with their parent")
lines.append(f"render clean (no PARSE003/PARSE004): {len(clean)} of {len(rendered)}")
if ms:
    lines.append(f"time per chart (linea check <chart>, wall): median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms")
for t, s in walls:
    lines.append(f"wall time, median of {runs}: {t}: {s:.3f} s")
used = len(uses)
impl = sum(1 for n in uses if registry.get(n))
lines.append(f"functions used: {used} distinct, {sum(uses.values())} uses; implemented {impl}; "
             f"not implemented: " + ", ".join(f"{n} ({uses[n]})" for n in sorted(uses, key=lambda n: -uses[n]) if not registry.get(n)))
lines.append("failures:")
for d, _, nf, _, first in rendered:
    if nf:
        lines.append(f"  {d} [{nf}] {first}")
text = "\n".join(lines) + "\n"
open(os.path.join(out, "summary.txt"), "w").write(text)
print(text, end="")
PY
