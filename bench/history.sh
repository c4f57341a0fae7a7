#!/usr/bin/env bash
# History-scan benchmark for `commitguard secrets --history`.
#
#   bench/history.sh
#
# Prints, for this repository's own history and for a larger real one, the
# commits walked, wall and CPU time, peak memory and findings, beside
# `git log -p` over the same history (git computing the same diffs) as the
# reference. The larger history is built from real data nobody here wrote:
# successive crates.io releases of a few large crates, fetched with cargo
# (`cargo vendor` of a scratch crate pinned to each version) and committed
# one after another, so every commit is a real upgrade diff. It is cached in
# ~/.cache/commitguard-bench/releases-history (COMMITGUARD_BENCH_DIR moves it).
# RUNS (default 3) sets how many runs each median is taken over.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${COMMITGUARD_BENCH_DIR:-$HOME/.cache/commitguard-bench}
history="$cache/releases-history"
runs=${RUNS:-3}

# cargo puts the binary under CARGO_TARGET_DIR when it is set (a relative
# one is taken from the current directory, as cargo takes it).
target_dir=${CARGO_TARGET_DIR:-$root/target}
case $target_dir in /*) ;; *) target_dir=$PWD/$target_dir ;; esac
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$target_dir/release/commitguard"

# name and versions, oldest first.
releases=(
    "regex 1.0.0 1.1.0 1.2.0 1.3.0 1.4.0 1.5.0 1.6.0 1.7.0 1.8.0 1.9.0 1.10.0 1.11.0"
    "syn 1.0.0 1.0.20 1.0.40 1.0.60 1.0.80 1.0.100 2.0.0 2.0.20 2.0.40 2.0.60 2.0.80 2.0.100"
    "serde_json 1.0.0 1.0.20 1.0.40 1.0.60 1.0.80 1.0.100 1.0.120 1.0.140"
    "tokio 1.0.0 1.10.0 1.20.0 1.30.0 1.40.0"
)

build_history() {
    local scratch
    scratch=$(mktemp -d)
    git init -q "$history.tmp"
    for line in "${releases[@]}"; do
        read -r name versions <<<"$line"
        for version in $versions; do
            mkdir -p "$scratch/p/src"
            printf '[package]\nname = "p"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\n%s = "=%s"\n' \
                "$name" "$version" > "$scratch/p/Cargo.toml"
            : > "$scratch/p/src/lib.rs"
            rm -rf "$scratch/vendor" "$scratch/p/Cargo.lock"
            if ! (cd "$scratch/p" && cargo vendor --quiet --versioned-dirs "$scratch/vendor" >/dev/null 2>&1); then
                echo "skipping $name $version: cargo could not fetch it" >&2
                continue
            fi
            rm -rf "$history.tmp/$name"
            cp -r "$scratch/vendor/$name-$version" "$history.tmp/$name"
            git -C "$history.tmp" add -A
            git -C "$history.tmp" -c user.name=bench -c user.email=bench@invalid \
                commit -q -m "$name $version" --allow-empty
        done
    done
    rm -rf "$scratch"
    mv "$history.tmp" "$history"
}

if [ ! -d "$history/.git" ]; then
    echo "building $history from crates.io releases (once)" >&2
    rm -rf "$history.tmp"
    mkdir -p "$cache"
    build_history
fi

bench_repo() {
    local repo=$1 label=$2 commits findings report
    commits=$(git -C "$repo" rev-list --count HEAD)
    report=$(mktemp)
    (cd "$repo" && "$bin" secrets --history --no-baseline --format json >"$report" 2>/dev/null) || true
    findings=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$report")
    echo
    echo "== $label: $commits commits, $(du -sh "$repo/.git" | cut -f1) of git objects; $findings findings"
    python3 "$root/bench/measure.py" <<JSON
{"runs": $runs, "commands": [
  {"name": "git log -p (reference)", "cwd": "$repo", "argv": ["git", "log", "-p", "--first-parent", "-q", "--no-color", "--output=/dev/null"]},
  {"name": "commitguard --history", "cwd": "$repo", "argv": ["$bin", "secrets", "--history", "--no-baseline", "--format", "json"]}
]}
JSON
}

echo "commit measured: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo '+dirty')"
bench_repo "$root" "this repository"
bench_repo "$history" "crates.io releases history"
