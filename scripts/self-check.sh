#!/usr/bin/env bash
# commitguard checks its own repository, as CI does after the tests
# (.ci/run): secrets in every file git tracks or does not ignore, advisories,
# bans and sources of its own Cargo.lock, and the licences of its dependency
# graph, all under its own deny.toml. Any error-level finding (exit 1) or
# failure (exit 2) fails the script; every step runs and reports first.
#
# The advisory database is the RustSec snapshot in
# ../shared/data/advisory-db, or COMMITGUARD_TEST_ADVISORY_DB.
set -uo pipefail
cd "$(dirname "$0")/.."

db=${COMMITGUARD_TEST_ADVISORY_DB:-../shared/data/advisory-db}
if [ ! -d "$db/rustsec/crates" ]; then
    echo "self-check: no RustSec advisory database at $db (set COMMITGUARD_TEST_ADVISORY_DB)" >&2
    exit 2
fi

cargo build --locked --quiet || exit 2
bin=${CARGO_TARGET_DIR:-target}/debug/commitguard

failed=()
step() {
    local name=$1
    shift
    echo "-- self-check: $name: commitguard $*"
    "$bin" "$@"
    local status=$?
    if [ $status -eq 0 ]; then
        echo "-- self-check: $name: clean"
    else
        echo "-- self-check: $name: FAILED (exit $status)"
        failed+=("$name")
    fi
}

# The deps fixtures under tests/fixtures/deps/ are vulnerable on purpose:
# name our own lockfile so that only it is checked.
step secrets secrets --all-files
step deps deps Cargo.lock --config deny.toml --db "$db"
step licenses licenses --config deny.toml --manifest-path Cargo.toml --offline --locked

if [ ${#failed[@]} -gt 0 ]; then
    echo "self-check: failed: ${failed[*]}" >&2
    exit 1
fi
echo "self-check: secrets, deps and licenses clean"
