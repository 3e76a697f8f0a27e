#!/usr/bin/env bash
# Whether a change to linea kept its findings: run a reference binary and this checkout's on the
# same trees and compare the JSON reports, findings sorted, timing dropped. Not part of CI (the
# corpus lives outside the repository); tests/scale.rs compares on a generated repository.
#
#   .ci/same-findings.sh REFERENCE_BINARY [TREE]...        (default tree: ../shared/corpus)
#
# Build the reference once from the commit to compare against, outside this worktree:
#   git worktree add /tmp/linea-base <commit>
#   (cd /tmp/linea-base && CARGO_TARGET_DIR=/tmp/linea-base-target cargo build --release)
#   .ci/same-findings.sh /tmp/linea-base-target/release/linea
# Environment: LINEA (the binary under test, default target/release/linea built here), ARGS
# (extra `check` arguments, e.g. "--select DF"). Exit 0 when identical, 1 with a diff otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n '2,13p' "$0"; exit 2; }
REF=$1
shift
TREES=("$@")
[ ${#TREES[@]} -eq 0 ] && TREES=(../shared/corpus)
if [ -z "${LINEA:-}" ]; then
  cargo build --release --quiet || exit 2
  LINEA=$PWD/target/release/linea
fi
OUT=${OUT:-target/same-findings}
mkdir -p "$OUT"

normalize() { # the JSON report on stdin, its findings sorted and its timing dropped, on stdout
  python3 -c '
import json, sys
d = json.load(sys.stdin)
d.get("summary", {}).pop("elapsed_ms", None)
key = lambda x: (x["path"], x["start"]["offset"], x["end"]["offset"], x["rule"], x["message"])
d["diagnostics"] = sorted(d["diagnostics"], key=key)
d["internal_errors"] = sorted(d.get("internal_errors", []))
json.dump(d, sys.stdout, indent=1, sort_keys=True)
print()
print(len(d["diagnostics"]), "findings", file=sys.stderr)
'
}

status=0
for tree in "${TREES[@]}"; do
  name=$(basename "$tree")
  # shellcheck disable=SC2086
  "$REF" check -f json --exit-zero ${ARGS:-} "$tree" 2>/dev/null | normalize > "$OUT/$name.ref.json" || exit 2
  # shellcheck disable=SC2086
  "$LINEA" check -f json --exit-zero ${ARGS:-} "$tree" 2>/dev/null | normalize > "$OUT/$name.new.json" || exit 2
  if diff -u "$OUT/$name.ref.json" "$OUT/$name.new.json" > "$OUT/$name.diff"; then
    echo "same findings: $tree ($(grep -c '"rule":' "$OUT/$name.new.json") findings)"
  else
    echo "DIFFERENT findings: $tree (see $OUT/$name.diff)"
    head -n 40 "$OUT/$name.diff"
    status=1
  fi
done
exit $status
