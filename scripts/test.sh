#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need
# and is missing (the pre-commit framework, into .venv; a git identity), then
# runs cargo test. CI runs exactly this script (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pre-commit >/dev/null 2>&1; then
    if [ ! -x .venv/bin/pre-commit ]; then
        python3 -m venv .venv
        .venv/bin/pip install --quiet --disable-pip-version-check pre-commit
    fi
    export PATH="$PWD/.venv/bin:$PATH"
fi

# Microsoft's SARIF multitool validates the SARIF report (the schema check
# runs without it). Best effort: without npm or the registry, that one check
# says it did not run.
if [ -z "${SARIF_MULTITOOL:-}" ] && [ "$(uname -sm)" = "Linux x86_64" ] && command -v npm >/dev/null 2>&1; then
    tool=.tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
    if [ ! -x "$tool" ]; then
        npm install --silent --no-audit --no-fund --prefix .tools @microsoft/sarif-multitool-linux@5.7.0 >/dev/null 2>&1 || true
        [ -f "$tool" ] && chmod +x "$tool"
    fi
    [ -x "$tool" ] && export SARIF_MULTITOOL="$PWD/$tool"
fi

# Tests commit in scratch repositories; git refuses without an identity.
git config --global user.name >/dev/null 2>&1 || git config --global user.name "commitguard tests"
git config --global user.email >/dev/null 2>&1 || git config --global user.email "tests@commitguard.invalid"

# `cargo metadata --offline` (the licence tests read this crate's graph)
# needs every package of the lockfile, all platforms, in cargo's cache.
cargo fetch --locked --quiet

cargo test --locked "$@"
