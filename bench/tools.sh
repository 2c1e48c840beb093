#!/usr/bin/env bash
# Whole-process timings of what scripts and shell prompts run all the time, with valid cached
# credentials: `export-credentials` (target ≤ 3 ms), `prompt` (≤ 2 ms) and the overhead `exec`
# adds to its command (≤ 5 ms). Self-contained: builds release binaries, starts the emulator on
# 127.0.0.1, signs in once through it, then prints the median of RUNS runs (default 50) of each.
# Needs python3 (for the timer only). Usage: bench/tools.sh [RUNS]
#   BASELINE=/dir/with/an/older/alicli bench/tools.sh   also times that build, runs interleaved
#   ALICLI_BENCH_NO_BUILD=1                             reuses target/release as it is
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-${RUNS:-50}}"

if [ "${ALICLI_BENCH_NO_BUILD:-}" != 1 ]; then cargo build --release --bins --quiet; fi
target_dir="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
ALICLI="$target_dir/release/alicli"
EMULATOR="$target_dir/release/alicli-emulator"

work="$(mktemp -d)"
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$EMULATOR" >"$work/emulator.out" 2>/dev/null &
emulator_pid=$!
for _ in $(seq 100); do [ -s "$work/emulator.out" ] && break; sleep 0.05; done
url="$(head -n1 "$work/emulator.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')"

export HOME="$work/home" ALICLI_SIGNIN_URL="$url" ALICLI_OAUTH_URL="$url" \
  ALIBABA_CLOUD_STS_ENDPOINT="$url" BROWSER="$EMULATOR browse"
mkdir -p "$HOME"
"$ALICLI" configure --profile work --mode OAuth --region cn-hangzhou --callback-port 0 >/dev/null 2>&1

python3 - "$RUNS" "$ALICLI" "$url" "${BASELINE:+$BASELINE/alicli}" <<'PY'
import json, os, statistics, sys, urllib.request
sys.path.insert(0, "bench")
from harness import wall_and_cpu_ms

runs, alicli, url, baseline = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
true = "/bin/true" if os.path.exists("/bin/true") else "/usr/bin/true"
once = wall_and_cpu_ms

def median_ms(argvs):
    """Medians (wall, cpu) of each command, their runs interleaved so that a change in the
    machine's load hits every command alike."""
    for argv in argvs:
        for _ in range(3):
            once(argv)  # warm the page cache
    samples = [[] for _ in argvs]
    for _ in range(runs):
        for i, argv in enumerate(argvs):
            samples[i].append(once(argv))
    return [tuple(statistics.median(s[i] for s in column) for i in (0, 1)) for column in samples]

def stats():
    with urllib.request.urlopen(f"{url}/__emulator/stats") as response:
        return json.load(response)

builds = [("this build", alicli)] + ([("baseline", baseline)] if baseline else [])
commands = {
    "export-credentials --format env": ["export-credentials", "--format", "env"],
    "  --families alibaba": ["export-credentials", "--format", "env", "--families", "alibaba"],
    "export-credentials --format external": ["export-credentials", "--format", "external"],
    "prompt": ["prompt"],
    "exec -- true": ["exec", "--", true],
}
before = stats()
results = {}
for name, args in commands.items():
    # The baseline may predate --families: that row is this build's alone.
    only_this = name.startswith("  ")
    argvs = [[binary] + args for _, binary in builds[: 1 if only_this else None]]
    results[name] = median_ms(argvs) + [None] * (len(builds) - len(argvs))
results["true (baseline)"] = median_ms([[true]]) * len(builds)
after = stats()
print(f"median of {runs} whole-process runs, valid cached credentials; load {os.getloadavg()[0]:.1f}")
header = "".join(f" {label:>22s}" for label, _ in builds)
print(f"  {'':40s}{header}")
print(f"  {'':40s}" + "".join(f" {'wall':>10s} {'cpu':>11s}" for _ in builds))
def row(name, values):
    cells = "".join(
        f" {v[0]:7.2f} ms {v[1]:8.2f} ms" if v else f" {'-':>10s} {'-':>11s}" for v in values
    )
    print(f"  {name:40s}{cells}")
for name, values in results.items():
    row(name, values)
overheads = [
    (e[0] - t[0], e[1] - t[1]) for e, t in zip(results["exec -- true"], results["true (baseline)"])
]
row("exec overhead (exec -- true minus true)", overheads)
requests = sum(after[k] - before[k] for k in ("token_refresh", "exchange"))
print(f"  token/exchange requests during the runs: {requests}")
overhead = overheads[0][0]
checks = [
    ("export-credentials ≤ 3 ms", results["export-credentials --format env"][0][0] <= 3.0),
    ("prompt ≤ 2 ms", results["prompt"][0][0] <= 2.0),
    ("exec overhead ≤ 5 ms", overhead <= 5.0),
]
for name, ok in checks:
    print(f"  {'ok  ' if ok else 'SLOW'} {name} (wall time; a loaded machine inflates it, cpu does not)")
PY
