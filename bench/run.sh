#!/usr/bin/env bash
# Throughput and hook-latency benchmark for `commitguard secrets`.
#
#   bench/run.sh [CORPUS_DIR]
#
# The corpus is real code nobody here wrote: this project's own dependency
# sources, brought in with `cargo vendor` (default:
# ~/.cache/commitguard-bench/vendor, made on first use). The script prints,
# from one invocation:
#   1. whole tree: commitguard `secrets --all-files` with every built-in rule
#      beside ripgrep's plain literal search of the same tree (`rg -c -F` of
#      a string that never occurs, hidden files included and .gitignore
#      honoured outside git as commitguard does) — the practical ceiling;
#      bytes and files scanned, wall and CPU time, MB/s, peak memory,
#      findings, and the ratio;
#   2. start-up: `secrets --staged` with nothing staged, beside `git diff
#      --cached --quiet` (a process that reads the same index);
#   3. the hook path: `secrets --staged` on a staged change of 10 files and
#      500 added lines, beside the same git reference.
# RUNS (default 5) sets how many runs each median is taken over.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-${COMMITGUARD_BENCH_DIR:-$HOME/.cache/commitguard-bench}/vendor}
runs=${RUNS:-5}

# cargo puts the binary under CARGO_TARGET_DIR when it is set (a relative
# one is taken from the current directory, as cargo takes it).
target_dir=${CARGO_TARGET_DIR:-$root/target}
case $target_dir in /*) ;; *) target_dir=$PWD/$target_dir ;; esac
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$target_dir/release/commitguard"
if [ ! -d "$corpus" ]; then
    echo "preparing the corpus: cargo vendor into $corpus" >&2
    (cd "$root" && cargo vendor --locked --quiet "$corpus" >/dev/null)
fi
command -v rg >/dev/null 2>&1 || cargo install ripgrep --locked --quiet

# Read the tree once so that both tools find it in the page cache.
rg --hidden --no-require-git -c -F "warm the page cache" "$corpus" >/dev/null || true
echo "commit measured: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo '+dirty')"
# One run for the counts (exit 1 just means findings).
report=$(mktemp)
(cd "$corpus" && "$bin" -v secrets --all-files --format json >"$report" 2>"$report.log") || true
read -r files bytes < <(sed -n 's/.*scanned \([0-9]*\) files (\([0-9]*\) bytes).*/\1 \2/p' "$report.log")
findings=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$report")
echo
echo "== whole tree: $corpus"
echo "   $files files, $bytes bytes scanned by commitguard; $findings findings"
python3 "$root/bench/measure.py" <<JSON
{"runs": $runs, "bytes": $bytes, "commands": [
  {"name": "ripgrep (literal, ceiling)", "cwd": "$corpus",
   "argv": ["rg", "--hidden", "--no-require-git", "-c", "-F", "commitguard-absent-literal-4a1f", "."]},
  {"name": "commitguard --all-files", "cwd": "$corpus",
   "argv": ["$bin", "secrets", "--all-files", "--format", "json"]}
]}
JSON

# A scratch repository with a staged change: 10 files from the corpus, 500
# added lines among them.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
git -C "$scratch" init -q
mapfile -t sources < <(cd "$corpus" && find . -name '*.rs' -size +20k | sort | head -n 10)
for i in "${!sources[@]}"; do
    head -n 300 "$corpus/${sources[$i]}" > "$scratch/file$i.rs"
done
git -C "$scratch" add -A
git -C "$scratch" -c user.name=bench -c user.email=bench@invalid commit -qm base
# `secrets --staged` in the scratch repository beside a git process reading
# the same index.
staged_beside_git() {
    python3 "$root/bench/measure.py" <<JSON
{"runs": $((runs * 4)), "commands": [
  {"name": "git diff --cached --quiet", "cwd": "$scratch", "argv": ["git", "diff", "--cached", "--quiet"]},
  {"name": "commitguard --staged", "cwd": "$scratch", "argv": ["$bin", "secrets", "--staged"]}
]}
JSON
}

echo
echo "== start-up: nothing staged"
staged_beside_git
for i in "${!sources[@]}"; do
    sed -n '301,350p' "$corpus/${sources[$i]}" >> "$scratch/file$i.rs"
done
git -C "$scratch" add -A
added=$(git -C "$scratch" diff --cached --numstat | awk '{s += $1} END {print s}')
echo
echo "== hook path: 10 files, $added added lines staged"
staged_beside_git
