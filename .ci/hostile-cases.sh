#!/usr/bin/env bash
# The hostile repositories of issue 15, generated, and the cost of linting each: peak RSS and
# wall time, one row per case. Not part of CI (tests/hostile.rs holds the assertions); this is
# the table of the issue, reproducible against any build.
#
#   .ci/hostile-cases.sh [LINEA [DIR]]
#
# LINEA: the binary (default target/release/linea). DIR: where the cases are generated
# (default target/hostile-cases; regenerated on every run). Each run is killed after TIMEOUT
# seconds (default 60) and limited to LIMIT_KB of virtual memory (default 8000000, ulimit -v),
# so that a build that still explodes cannot take the machine down with it.
set -uo pipefail
cd "$(dirname "$0")/.."
LINEA=$(realpath "${1:-target/release/linea}")
DIR=${2:-target/hostile-cases}
TIMEOUT=${TIMEOUT:-60}
LIMIT_KB=${LIMIT_KB:-8000000}
[ -x "$LINEA" ] || { echo "no linea binary at $LINEA" >&2; exit 2; }
rm -rf "$DIR" && mkdir -p "$DIR"
DIR=$(realpath "$DIR")

# a repository: `new NAME` makes $DIR/NAME with a .git, and cds into it
new() { mkdir -p "$DIR/$1/.git" && cd "$DIR/$1" || exit 2; }

python3 - "$DIR" <<'EOF'
import os, sys
root = sys.argv[1]
def write(case, path, text):
    p = os.path.join(root, case, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)
    os.makedirs(os.path.join(root, case, ".git"), exist_ok=True)

# 40 locals, each twice the one before: 2^40 bytes if evaluated naively
tf = ['locals {', '  l0 = "ab"']
tf += ['  l%d = "${local.l%d}${local.l%d}"' % (i, i - 1, i - 1) for i in range(1, 40)]
tf += ['}', 'output "o" { value = local.l39 }', '']
write("tf-doubling-locals", "main.tf", "\n".join(tf))

# 1,500 documents, each copying about 90,000 nodes through aliases: under a per-document bound
doc = "---\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
for i, n in [(1, 10), (2, 10), (3, 10), (4, 7)]:
    doc += "a%d: &a%d [%s]\n" % (i, i, ", ".join(["*a%d" % (i - 1)] * n))
write("yaml-alias-stream", "k8s/stream.yaml", doc * 1500)

def nested(size):
    levels = size // len('echo "$()" ')
    return 'echo "$(' * levels + "echo $TOKEN" + ')"' * levels

write("dockerfile-nested-substitutions", "Dockerfile",
      "FROM alpine:3.19\nRUN %s\nUSER app\n" % nested(240 * 1024))
write("workflow-nested-substitutions", ".github/workflows/ci.yml",
      "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
      "      - run: |\n          %s\n" % nested(120 * 1024))

# TF127 on four 4 MB files of storage accounts and their network rules
for f in range(4):
    parts, i = [], 0
    while sum(map(len, parts)) < 4 * 1024 * 1024:
        parts.append(
            'resource "azurerm_storage_account" "s%d_%d" {\n  name = "st%d%d"\n'
            '  resource_group_name = "rg"\n  location = "westeurope"\n  account_tier = "Standard"\n'
            '  account_replication_type = "LRS"\n}\n'
            'resource "azurerm_storage_account_network_rules" "n%d_%d" {\n'
            '  storage_account_id = azurerm_storage_account.s%d_%d.id\n  default_action = "Allow"\n}\n'
            % (f, i, f, i, f, i, f, i))
        i += 1
    write("tf127-four-4mb-files", "infra/storage%d.tf" % f, "".join(parts))

# 16,000 objects: 8,000 production Deployments and their 8,000 Services
objs = []
for i in range(8000):
    objs.append(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w%d, namespace: shop}\n"
        "spec:\n  replicas: 3\n  selector: {matchLabels: {app: w%d}}\n  template:\n"
        "    metadata: {labels: {app: w%d}}\n    spec:\n      containers:\n"
        "        - {name: app, image: \"shop/w:1.%d\", ports: [{containerPort: 8080}]}\n" % (i, i, i, i))
    objs.append(
        "apiVersion: v1\nkind: Service\nmetadata: {name: w%d, namespace: shop}\n"
        "spec: {selector: {app: w%d}, ports: [{port: 80, targetPort: 8081}]}\n" % (i, i))
write("k8s-16000-objects", "k8s/prod/all.yaml", "---\n".join(objs))

# merge() folded over a 300 KB file: each step copies the map before it
tf = ["locals {", "  m0 = {}"]
i = 0
while sum(map(len, tf)) < 300 * 1024:
    i += 1
    tf.append('  m%d = merge(local.m%d, { k%d = "v%d" })' % (i, i - 1, i, i))
tf += ["}", 'output "m" { value = local.m%d }' % i, ""]
write("tf-merge-300kb", "main.tf", "\n".join(tf))

# a 100 KB glob, in the repository's config and in a .gitignore, over a few hundred files (a
# literal one compiles, and every path was matched against it: over a minute; a long `*a*a…`
# only failed to compile)
glob = "a" * (100 * 1024)
for case, path, text in [("exclude-glob-100kb", "linea.toml", 'exclude = ["%s"]\n' % glob),
                         ("gitignore-pattern-100kb", ".gitignore", glob + "\n")]:
    write(case, path, text)
    for d in range(300):
        write(case, "svc%03d/Dockerfile" % d, "FROM alpine:3.19\nUSER app\n")

# 200 KB of `a | a | …` ending in an option before a pipe: the shell parser's error recovery
# walks every open stage (quadratic time and memory), and every command was looked for in every
# stage
write("dockerfile-pipe-chain", "Dockerfile",
      "FROM alpine:3.19\nRUN %sa -f | b\nUSER app\n" % ("a | " * (200 * 1024 // 4)))

# a 300 KB chain of string concatenations in Python
write("python-concatenation-chain", "app/query.py",
      'QUERY = "select" + %s\n' % " + ".join(['"x"'] * (300 * 1024 // 6)))

# a custom rule whose message repeats `{value}` 20 times, on a 5 MB value
rule = ("id: ORG100\nslug: config-blob-unexpected\nseverity: warning\nsummary: A config blob\n"
        "help: shorten it\ndocs: |\n  ## Why is this bad?\n  It is long.\ncheck:\n"
        "  target: k8s.object\n  kind: ConfigMap\n  assert:\n    path: data.blob\n"
        "    equals: short\n  message: \"%s\"\n" % ("{value}" * 20))
write("custom-rule-value-repeated", "policy/ORG100.yaml", rule)
write("custom-rule-value-repeated", "linea.toml", 'rules = ["policy"]\n')
write("custom-rule-value-repeated", "k8s/cm.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: shop}\ndata:\n"
      "  blob: %s\n" % ("x" * (5 * 1024 * 1024)))

# valid BuildKit heredocs (the Docker reference's forms): PARSE001 lost every finding
write("dockerfile-buildkit-heredocs", "Dockerfile",
      "FROM alpine:latest\nRUN <<EOF\napk add curl\nEOF\nRUN python3 <<X\nprint('hi')\nX\n"
      "RUN <<FILE1 cat > file1 && <<FILE2 cat > file2\nI am\nfirst\nFILE1\nI am\nsecond\nFILE2\n"
      "ADD https://example.com/app.tar.gz /srv/\n")

# a rules directory the repository's linea.toml names
for case in ["rules-fifo", "rules-dev-zero", "rules-link-out", "rules-self-links"]:
    write(case, "policy/ORG100.yaml", rule)
    write(case, "linea.toml", 'rules = ["policy"]\n')
    write(case, "Dockerfile", "FROM alpine:latest\n")
EOF

# files outside every case, that a link can point at
mkdir -p "$DIR/outside" && printf '*\n' > "$DIR/outside/.gitignore"

# special files
new fifo-gitignore && mkfifo .gitignore && printf 'FROM alpine:3.19\nUSER app\n' > Dockerfile
new gitignore-dev-zero && ln -s /dev/zero .gitignore && printf 'FROM alpine:3.19\nUSER app\n' > Dockerfile
new ignore-fifo && mkfifo .ignore && printf 'FROM alpine:latest\n' > Dockerfile
new git-info-exclude-fifo && mkdir -p .git/info && mkfifo .git/info/exclude && printf 'FROM alpine:latest\n' > Dockerfile
new gitignore-link-out && ln -s ../outside/.gitignore .gitignore && printf 'FROM alpine:latest\n' > Dockerfile
cd "$DIR/rules-fifo" && mkfifo policy/fifo.yaml
cd "$DIR/rules-dev-zero" && ln -s /dev/zero policy/zero.yaml
cd "$DIR/rules-link-out" && ln -s ../../outside policy/out
cd "$DIR/rules-self-links" && ln -s . policy/a && ln -s . policy/b
# a linea.toml above the repository's .git that excludes everything
mkdir -p "$DIR/config-above-git/repo/.git" && printf 'exclude = ["**"]\n' > "$DIR/config-above-git/linea.toml"
printf 'FROM alpine:latest\n' > "$DIR/config-above-git/repo/Dockerfile"

# case, and the rules it is about (empty: all)
CASES=(
  "tf-doubling-locals|"
  "yaml-alias-stream|"
  "dockerfile-nested-substitutions|"
  "workflow-nested-substitutions|"
  "fifo-gitignore|"
  "gitignore-dev-zero|"
  "tf127-four-4mb-files|TF127"
  "k8s-16000-objects|K8S022,K8S025,K8S026"
  "tf-merge-300kb|"
  "exclude-glob-100kb|"
  "gitignore-pattern-100kb|"
  "ignore-fifo|"
  "git-info-exclude-fifo|"
  "gitignore-link-out|"
  "rules-fifo|"
  "rules-dev-zero|"
  "rules-link-out|"
  "rules-self-links|"
  "config-above-git/repo|"
  "dockerfile-buildkit-heredocs|"
  "dockerfile-pipe-chain|"
  "python-concatenation-chain|"
  "custom-rule-value-repeated|"
)

printf '| case | exit | wall s | peak RSS MiB | findings | stdout KiB | first line of stderr |\n|---|--:|--:|--:|--:|--:|---|\n'
for c in "${CASES[@]}"; do
  name=${c%%|*}
  rules=${c#*|}
  cd "$DIR/$name" || exit 2
  args=(check -f concise)
  [ -n "$rules" ] && args+=(--select "$rules")
  (
    ulimit -v "$LIMIT_KB"
    /usr/bin/time -f 'TIME %e %M' -o "$DIR/$name.time" timeout "$TIMEOUT" "$LINEA" "${args[@]}" . \
      >"$DIR/$name.out" 2>"$DIR/$name.err"
    echo $? >"$DIR/$name.rc"
  )
  rc=$(cat "$DIR/$name.rc")
  read -r _ wall rss < <(grep '^TIME' "$DIR/$name.time" || echo "TIME - 0")
  [ "$rc" = 124 ] && wall=">$TIMEOUT (killed)"
  findings=$(grep -c ': [A-Z][A-Z0-9]*[0-9] ' "$DIR/$name.out")
  err=$(grep -v '^TIME' "$DIR/$name.err" | head -n1 | cut -c1-90 | tr '|' '/')
  out_kib=$(( $(wc -c <"$DIR/$name.out") / 1024 ))
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$rc" "$wall" "$(awk -v k="$rss" 'BEGIN{printf "%.0f", k/1024}')" "$findings" "$out_kib" "$err"
done
