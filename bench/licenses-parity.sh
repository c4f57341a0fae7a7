#!/usr/bin/env bash
# Parity of `commitguard licenses` with `cargo deny check licenses` (issue 6).
#
# For each case, both tools check the same workspace with the same deny.toml
# and the sets of failing packages (`name version`) are compared, with each
# other and with the expected list kept as a test fixture
# (tests/fixtures/licenses/*-expected-failing.txt, which
# tests/cli/licenses.rs asserts commitguard still produces).
#
#   bench/licenses-parity.sh            compare; exit 1 on any difference
#   bench/licenses-parity.sh --update   rewrite the expected lists from cargo-deny
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/licenses-common.sh

update=false
[ "${1:-}" = "--update" ] && update=true

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r tests/fixtures/licenses/zoo "$work/zoo"
cargo fetch --quiet --manifest-path "$work/zoo/Cargo.toml"

# cargo-deny prints one JSON diagnostic per line on stderr; a package fails
# when an error-level diagnostic names it.
deny_failing() {
    python3 -c '
import json, sys
out = set()
for line in sys.stdin:
    try:
        d = json.loads(line)
    except ValueError:
        continue
    f = d.get("fields", {})
    if d.get("type") == "diagnostic" and f.get("severity") == "error":
        for g in f.get("graphs", []):
            k = g.get("Krate")
            if k:
                out.add(k["name"] + " " + k["version"])
print("\n".join(sorted(out)))'
}

commitguard_failing() {
    python3 -c '
import json, sys
doc = json.load(sys.stdin)
out = {f["package"] + " " + f["version"] for f in doc["findings"]
       if f["level"] == "error" and "package" in f}
print("\n".join(sorted(out)))'
}

status=0
compare() {
    local name="$1" dir="$2" config="$3" expected="$4"
    local deny ours
    # Both exit non-zero when a package fails; only their reports matter.
    (cd "$dir" && "$CARGO_DENY" --offline --format json --config "$config" check licenses) \
        >/dev/null 2>"$work/deny.json" || true
    (cd "$dir" && "$COMMITGUARD" licenses --offline --config "$config" --format json) \
        >"$work/ours.json" || [ $? -eq 1 ]
    deny="$(deny_failing <"$work/deny.json")"
    ours="$(commitguard_failing <"$work/ours.json")"
    if $update && [ -n "$expected" ]; then
        if [ -n "$deny" ]; then printf '%s\n' "$deny" >"$expected"; else : >"$expected"; fi
    fi
    local want="-" result=same
    if [ -n "$expected" ]; then
        want="$(grep -c . "$expected" || true)"
        [ "$(grep . "$expected" || true)" = "$deny" ] || result="cargo-deny differs from $expected"
    fi
    if [ "$deny" != "$ours" ]; then
        result=DIFFERENT
        diff <(printf '%s\n' "$deny") <(printf '%s\n' "$ours") | sed 's/^/    /' >&2 || true
    fi
    [ "$result" = same ] || status=1
    printf '%-28s %10s %12s %9s  %s\n' "$name" "$(grep -c . <<<"$deny" || true)" \
        "$(grep -c . <<<"$ours" || true)" "$want" "$result"
}

printf '%-28s %10s %12s %9s  %s\n' case cargo-deny commitguard expected result
compare "zoo (many licences)" "$work/zoo" "$work/zoo/deny.toml" tests/fixtures/licenses/zoo-expected-failing.txt
compare "zoo, include-dev, no build" "$work/zoo" "$work/zoo/deny-dev.toml" \
    tests/fixtures/licenses/zoo-dev-expected-failing.txt
compare "zoo, [graph] exclude" "$work/zoo" "$work/zoo/deny-exclude.toml" \
    tests/fixtures/licenses/zoo-exclude-expected-failing.txt
compare "commitguard, own deny.toml" "$PWD" "$PWD/deny.toml" tests/fixtures/licenses/self-expected-failing.txt
# The strict policy has no fixture: its failures follow this repository's
# dependency graph, which changes with every dependency added.
compare "commitguard, MIT/Apache only" "$PWD" "$PWD/tests/fixtures/licenses/self-strict.deny.toml" ""
exit $status
