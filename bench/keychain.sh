#!/usr/bin/env bash
# Keychain storage (issue 15): `export-credentials --format external` (what the official SDKs run
# for an External profile) on a keychain profile (target ≤ 20 ms on Linux's Secret Service) and on
# a file profile (unchanged: the file path opens no keychain), plus `prompt` and a cached
# `sts GetCallerIdentity` on both. Medians of whole-process runs with valid cached credentials.
#
#   bench/keychain.sh                     # build release binaries, measure them
#   BASELINE=/path/to/release/dir bench/keychain.sh
#                                         # also measure another build's alicli on the file profile
# Environment: RUNS (default 50), ALICLI_BENCH_NO_BUILD=1 (reuse target/release).
# Needs bash, python3 (standard library only), dbus-run-session and gnome-keyring-daemon (Debian:
# dbus-daemon, gnome-keyring). It runs on a private session bus with a throw-away keyring, so your
# own keyring is never touched. Loopback only.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export RUNS=${RUNS:-50}
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release

for tool in dbus-run-session gnome-keyring-daemon dbus-send python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "keychain bench: skipped: $tool is not installed (apt-get install dbus-daemon dbus-bin gnome-keyring)" >&2
        exit 0
    fi
done
if [[ ${ALICLI_BENCH_NO_BUILD:-} != 1 ]]; then
    cargo build --release --bins >&2
fi

# shellcheck source=bench/emulator.sh
source "$ROOT/bench/emulator.sh"
start_emulator keychain

export HOME=$WORK/home XDG_DATA_HOME=$WORK/keyring ALICLI_SIGNIN_URL=$URL ALICLI_OAUTH_URL=$URL
export ALIBABA_CLOUD_STS_ENDPOINT=$URL BROWSER="'$BIN/alicli-emulator' browse" BIN ROOT
export BASELINE=${BASELINE:-}
unset RUST_LOG HTTPS_PROXY HTTP_PROXY https_proxy http_proxy ALIBABA_CLOUD_CA_BUNDLE
mkdir -p "$HOME" "$XDG_DATA_HOME"

# The measuring script, written out so that the session's shell command below needs no quoting.
cat >"$WORK/measure.py" <<'PY'
import json, os, statistics, subprocess, sys, urllib.request
sys.path.insert(0, os.path.join(os.environ["ROOT"], "bench"))
from harness import wall_and_cpu_ms

runs, bin_dir, baseline = int(os.environ["RUNS"]), os.environ["BIN"], os.environ["BASELINE"]
alicli = os.path.join(bin_dir, "alicli")
once = wall_and_cpu_ms

def measure(argv):
    for _ in range(3):
        once(argv)
    samples = [once(argv) for _ in range(runs)]
    walls = [s[0] for s in samples]
    return statistics.median(walls), min(walls), statistics.median(s[1] for s in samples)

def stats():
    with urllib.request.urlopen(os.environ["ALICLI_SIGNIN_URL"] + "/__emulator/stats") as r:
        return json.load(r)

rows = [
    ("alicli --version", [alicli, "--version"]),
    ("export-credentials external, file", [alicli, "export-credentials", "-p", "file", "--format", "external"]),
    ("export-credentials external, keychain", [alicli, "export-credentials", "-p", "kc", "--format", "external"]),
    ("prompt, file", [alicli, "prompt", "-p", "file"]),
    ("prompt, keychain", [alicli, "prompt", "-p", "kc"]),
    ("sts GetCallerIdentity, file", [alicli, "sts", "GetCallerIdentity", "-p", "file"]),
    ("sts GetCallerIdentity, keychain", [alicli, "sts", "GetCallerIdentity", "-p", "kc"]),
]
if baseline:
    old = os.path.join(baseline, "alicli")
    rows.insert(2, ("BASELINE export-credentials external, file",
                    [old, "export-credentials", "-p", "file", "--format", "external"]))
before = stats()
results = {name: measure(argv) for name, argv in rows}
after = stats()
print(f"median of {runs} whole-process runs, valid cached credentials; load {os.getloadavg()[0]:.1f}")
print(f"  {'':45s} {'median':>9s} {'min':>9s} {'cpu':>9s}")
for name, (median, low, cpu) in results.items():
    print(f"  {name:45s} {median:6.2f} ms {low:6.2f} ms {cpu:6.2f} ms")
renewals = sum(after[k] - before[k] for k in ("token_refresh", "exchange"))
print(f"  token/exchange requests during the runs: {renewals} (0: every run used cached credentials)")
version = results["alicli --version"][0]
for name in ("export-credentials external, file", "export-credentials external, keychain"):
    print(f"  {name}: {results[name][0] / version:.2f}x alicli --version")
keychain = results["export-credentials external, keychain"][0]
print(f"  {'ok  ' if keychain <= 20 else 'SLOW'} export-credentials on a keychain profile <= 20 ms "
      "(wall time; a loaded machine inflates it)")
PY
export WORK

dbus-run-session -- bash -euo pipefail -c '
printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
until dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q true; do sleep 0.1; done
sign_in() { "$BIN/alicli" configure --mode OAuth --region cn-hangzhou --callback-port 0 "$@" 2>/dev/null; }
sign_in --profile file --storage file
sign_in --profile kc --storage keychain
python3 "$WORK/measure.py"
'
