#!/usr/bin/env bash
# Times commitguard deps beside cargo-audit on the same lockfiles with the
# same RustSec snapshot, in the same run: this repository's Cargo.lock and
# the 500+ package parity fixture. commitguard runs with a warm index (one
# untimed run first builds it); both tools run RUNS times (default 30) and
# the mean wall time per run is printed with the ratio.
#
#   bench/deps.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

runs=${1:-30}
export COMMITGUARD_CACHE_DIR=$(mktemp -d)
trap 'rm -rf "$COMMITGUARD_CACHE_DIR"' EXIT

# Mean milliseconds per run of the command, over $runs runs.
mean_ms() {
    local start end
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do
        "$@" >/dev/null 2>&1 || true
    done
    end=$(date +%s%N)
    python3 -c "print(f'{($end - $start) / $runs / 1e6:.2f}')"
}

printf '%-34s %8s %12s %12s %8s\n' lockfile packages commitguard cargo-audit speedup
for lock in Cargo.lock "$FIXTURES/large/Cargo.lock"; do
    packages=$(grep -c '^\[\[package\]\]' "$lock")
    "$COMMITGUARD" deps --db "$RUSTSEC_DB" --format json "$lock" >/dev/null 2>&1 || true # warm the index
    ours=$(mean_ms "$COMMITGUARD" deps --db "$RUSTSEC_DB" --format json "$lock")
    theirs=$(mean_ms "$CARGO_AUDIT" audit --db "$RUSTSEC_DB" --no-fetch --json -f "$lock")
    ratio=$(python3 -c "print(f'{$theirs / $ours:.1f}x')")
    printf '%-34s %8s %9s ms %9s ms %8s\n' "$lock" "$packages" "$ours" "$theirs" "$ratio"
done
echo "(mean wall time over $runs runs each; commitguard with a warm index)"
