#!/usr/bin/env bash
# Runs every fuzz target of fuzz/fuzz_targets/, sharing FUZZ_SECONDS (default
# 600: ten minutes of fuzzing for all targets together) equally between them.
# CI calls it from .ci/run.
#
# Exits 1 when a target crashes, panics, hangs (one input over
# FUZZ_TIMEOUT seconds) or runs out of memory; the input that did it is
# kept under fuzz/artifacts/TARGET/. Exits 0 without fuzzing, saying why,
# when cargo-fuzz cannot be had or the toolchain cannot build for it.
#
#   bash fuzz/run.sh                      # all targets, 10 minutes together
#   FUZZ_SECONDS=60 bash fuzz/run.sh      # a quick pass
#   bash fuzz/run.sh lockfile_cargo ...   # only these targets
#
# Corpora live in fuzz/corpus/TARGET/ (ignored by git); each run seeds them
# from fuzz/seeds/TARGET/ and from matching files of the repository.
set -uo pipefail
cd "$(dirname "$0")"
fuzz_dir=$PWD
repo=$(cd .. && pwd)

budget=${FUZZ_SECONDS:-600}
timeout=${FUZZ_TIMEOUT:-30}
# Build outside the main target directory: the instrumented build shares
# nothing with the normal one.
target_dir=${FUZZ_TARGET_DIR:-$fuzz_dir/target}
# cargo-fuzz passes nightly-only flags (-Z, sanitizer coverage) to rustc;
# the stable toolchain accepts them when told it is bootstrapping itself.
export RUSTC_BOOTSTRAP=1

skip() {
    echo "fuzz: skipped: $*"
    exit 0
}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install --locked --quiet cargo-fuzz --version 0.13.2 \
        || skip "cargo-fuzz could not be installed (no registry access, or no C++ compiler for libFuzzer)"
fi
if ! echo 'fn main() {}' | rustc -Z unstable-options --print sysroot - >/dev/null 2>&1; then
    skip "this rustc refuses -Z flags even with RUSTC_BOOTSTRAP=1; cargo-fuzz needs them"
fi

if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no targets found" >&2; exit 1; }
per=$((budget / ${#targets[@]}))
[ "$per" -ge 1 ] || per=1

# Seeds: hand-made ones, then files of the repository in the format.
seed() {
    local target=$1 corpus=$fuzz_dir/corpus/$1
    mkdir -p "$corpus"
    if [ -d "seeds/$target" ]; then cp -f "seeds/$target"/* "$corpus"/ 2>/dev/null; fi
    case $target in
        lockfile_cargo) find "$repo" -name Cargo.lock -not -path '*/target/*' -not -path "$fuzz_dir/*" -size -200k -exec cp -f --backup=numbered {} "$corpus"/ \; ;;
        deny_advisories | deny_licenses) find "$repo" -name '*deny*.toml' -not -path '*/target/*' -not -path "$fuzz_dir/*" -exec cp -f --backup=numbered {} "$corpus"/ \; ;;
        rules_toml) cp -f "$repo"/rules/*.toml "$corpus"/ ;;
        secrets_scan | secrets_scan_ranges | secrets_scan_shift)
            # A text dense with rule keywords, so the fuzzer starts where the
            # regexes run. Built from pieces: this script itself must stay
            # clean under `commitguard secrets`.
            local k=AWS_SECRET_ACCESS_KEY p=pass
            printf '\001\000\002\000export %s=%s\ntoken: %s_%s\n-----BEGIN RSA %s KEY-----\nMIIB\n-----END RSA %s KEY-----\n%sword = "%s"\n' \
                "$k" wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz ghp 0123456789abcdefghijklmnopqrstuvwxyz PRIVATE PRIVATE "$p" hunter2hunter2 >"$corpus/keywords" ;;
        advisory_db)
            local db=${COMMITGUARD_TEST_ADVISORY_DB:-$repo/../shared/data/advisory-db}
            local f
            for f in $(find "$db/rustsec/crates" -name '*.md' 2>/dev/null | head -20); do
                { printf '\000'; cat "$f"; } >"$corpus/rustsec-$(basename "$f")"
            done
            for f in $(find "$db/pypa" -name '*.yaml' 2>/dev/null | head -20); do
                { printf '\002'; cat "$f"; } >"$corpus/osv-$(basename "$f")"
            done ;;
    esac
}

echo "fuzz: building ${#targets[@]} targets"
# No sanitizer: the crate forbids unsafe code, so AddressSanitizer would
# only slow the runs; overflow checks and debug assertions stay on.
if ! cargo fuzz build --sanitizer none --debug-assertions --target-dir "$target_dir" >build.log 2>&1; then
    tail -40 build.log >&2
    echo "fuzz: building the targets failed (whole log: fuzz/build.log)" >&2
    exit 1
fi

echo "fuzz: ${per}s for each of ${#targets[@]} targets"
failed=()
for target in "${targets[@]}"; do
    seed "$target"
    log=$fuzz_dir/corpus/$target.log
    cargo fuzz run --sanitizer none --debug-assertions --target-dir "$target_dir" "$target" \
        "$fuzz_dir/corpus/$target" -- \
        -max_total_time="$per" -timeout="$timeout" -rss_limit_mb=4096 -max_len=65536 \
        -print_final_stats=1 >"$log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ $status -ne 0 ]; then
        failed+=("$target")
        echo "fuzz: $target: FAILED after ${runs:-?} runs (exit $status)"
        grep -E 'panicked|ERROR: libFuzzer|SUMMARY|Test unit written|Running: ' "$log" | head -20
    else
        echo "fuzz: $target: ok, ${runs:-?} runs in ${per}s"
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]} (inputs under fuzz/artifacts/, logs under fuzz/corpus/)" >&2
    exit 1
fi
echo "fuzz: ${#targets[@]} targets ran clean"
