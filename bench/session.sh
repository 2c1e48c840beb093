#!/usr/bin/env bash
# Benchmark: `alicli session validate --local`, whole process, median of N runs (target ≤ 3 ms).
#
# Self-contained: builds the release binaries, starts the local emulator on 127.0.0.1, signs a
# profile in inside a temporary HOME, then times N runs of the command with bash's
# EPOCHREALTIME (no helper process inside the timed interval). Nothing touches the internet.
#
#   bench/session.sh            # N=50
#   RUNS=200 bench/session.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-50}"
TARGET="${CARGO_TARGET_DIR:-target}"

echo "building release binaries (lto; this takes a while the first time)..." >&2
cargo build --release --quiet --bin alicli --bin alicli-emulator
ALICLI="$TARGET/release/alicli"
EMULATOR="$TARGET/release/alicli-emulator"

WORK="$(mktemp -d)"
EMULATOR_PID=""
cleanup() {
  if [ -n "$EMULATOR_PID" ]; then kill "$EMULATOR_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$EMULATOR" >"$WORK/emulator.out" 2>/dev/null &
EMULATOR_PID=$!
for _ in $(seq 100); do [ -s "$WORK/emulator.out" ] && break; sleep 0.05; done
URL="$(head -1 "$WORK/emulator.out" | sed -E 's/.*"url":"([^"]+)".*/\1/')"

# A clean environment, as a user's shell would have: HOME and the emulator's endpoints only.
run() {
  env -i PATH="$PATH" HOME="$WORK/home" \
    ALICLI_SIGNIN_URL="$URL" ALICLI_OAUTH_URL="$URL" ALIBABA_CLOUD_STS_ENDPOINT="$URL" \
    BROWSER="$EMULATOR browse" "$@"
}
run "$ALICLI" configure --profile bench --mode OAuth --region cn-hangzhou --callback-port 0 2>/dev/null
CONFIG="$WORK/home/.aliyun/config.json"
validate() { "$ALICLI" session validate --local --profile bench --config-path "$CONFIG" >/dev/null 2>&1; }
validate # warm the page cache

# Each sample is one whole process: fork, exec, run, exit, as a script calling it would pay.
times=()
for _ in $(seq "$RUNS"); do
  start=$EPOCHREALTIME
  validate
  end=$EPOCHREALTIME
  times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) * 1000 }')")
done
# The floor: the same fork and exec of a process that does nothing.
floor=()
for _ in $(seq "$RUNS"); do
  start=$EPOCHREALTIME
  /bin/true
  end=$EPOCHREALTIME
  floor+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) * 1000 }')")
done

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f", m }'; }
minimum() { printf '%s\n' "$@" | sort -n | head -1; }

echo "alicli session validate --local, whole process, $RUNS runs:"
echo "  median $(median "${times[@]}") ms   (min $(minimum "${times[@]}") ms)"
echo "  for scale, /bin/true: median $(median "${floor[@]}") ms"
echo "  target: ≤ 3 ms median"
