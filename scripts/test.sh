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

# Tests commit in scratch repositories; git refuses without an identity.
git config --global user.name >/dev/null 2>&1 || git config --global user.name "commitguard tests"
git config --global user.email >/dev/null 2>&1 || git config --global user.email "tests@commitguard.invalid"

cargo test --locked "$@"
