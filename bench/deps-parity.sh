#!/usr/bin/env bash
# Compares the advisory ids commitguard deps reports with cargo-audit's, on
# the parity lockfiles under tests/fixtures/deps/, with the same RustSec
# snapshot. Each fixture is a scratch crate pinned to old releases of
# popular crates.
#
#   bench/deps-parity.sh               compare on the committed lockfiles
#   bench/deps-parity.sh --regenerate  first re-resolve each Cargo.toml with
#                                      `cargo generate-lockfile` (needs the
#                                      crates.io index) and rewrite the
#                                      lockfile and expected-ids.txt from
#                                      cargo-audit's answer
#
# Exits 1 when the sets differ for any lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

regenerate=false
[ "${1:-}" = "--regenerate" ] && regenerate=true

status=0
for dir in "$FIXTURES"/*/; do
    name=$(basename "$dir")
    [ -f "$dir/Cargo.toml" ] || continue
    if $regenerate; then
        scratch=$(mktemp -d)
        mkdir -p "$scratch/src"
        cp "$dir/Cargo.toml" "$scratch/"
        printf '\n[workspace]\n' >>"$scratch/Cargo.toml"
        : >"$scratch/src/lib.rs"
        (cd "$scratch" && cargo generate-lockfile --quiet)
        cp "$scratch/Cargo.lock" "$dir/Cargo.lock"
        audit_ids "$dir/Cargo.lock" >"$dir/expected-ids.txt"
        rm -rf "$scratch"
    fi
    packages=$(grep -c '^\[\[package\]\]' "$dir/Cargo.lock")
    audit=$(audit_ids "$dir/Cargo.lock")
    ours=$(commitguard_ids "$dir/Cargo.lock")
    expected=$(cat "$dir/expected-ids.txt")
    count=$(printf '%s\n' "$audit" | grep -c . || true)
    if [ "$audit" = "$ours" ] && [ "$audit" = "$expected" ]; then
        echo "$name: $packages packages, $count advisory ids, equal"
    else
        echo "$name: $packages packages: DIFFERENT"
        diff <(echo "$audit") <(echo "$ours") | sed 's/^/  cargo-audit < > commitguard  /' || true
        [ "$audit" = "$expected" ] || echo "  (expected-ids.txt is out of date: run with --regenerate)"
        status=1
    fi
done
exit $status
