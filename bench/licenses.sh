#!/usr/bin/env bash
# Time of a licence check of this repository (and of the licence zoo
# fixture) with a warm cargo cache: `commitguard licenses` beside
# `cargo deny check licenses`, same deny.toml, same machine, same run.
#
#   bench/licenses.sh [RUNS]     (default 15 runs each; the median is shown)
#
# Both tools run `cargo metadata --offline` first; a run before the timed
# ones warms the cargo cache and the file cache for both.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/licenses-common.sh
runs="${1:-15}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r tests/fixtures/licenses/zoo "$work/zoo"
cargo fetch --quiet --manifest-path "$work/zoo/Cargo.toml"

# Median wall time in milliseconds of `runs` runs of the command.
median_ms() {
    local dir="$1"
    shift
    (cd "$dir" && "$@") >/dev/null 2>&1 || true
    local times=()
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s%N)
        (cd "$dir" && "$@") >/dev/null 2>&1 || true
        end=$(date +%s%N)
        times+=($(((end - start) / 1000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { printf "%.1f", t[int((NR + 1) / 2)] / 1000 }'
}

printf '%-22s %14s %14s %8s\n' input "cargo-deny ms" "commitguard ms" ratio
bench() {
    local name="$1" dir="$2"
    local deny ours
    deny=$(median_ms "$dir" "$CARGO_DENY" --offline check licenses)
    ours=$(median_ms "$dir" "$COMMITGUARD" licenses --offline)
    printf '%-22s %14s %14s %7.1fx\n' "$name" "$deny" "$ours" "$(awk -v a="$deny" -v b="$ours" 'BEGIN { print a / b }')"
}
bench "commitguard (itself)" "$PWD"
bench "licence zoo" "$work/zoo"
echo "median of $runs runs each, $(nproc) cores; both include cargo metadata --offline" >&2
