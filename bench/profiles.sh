#!/usr/bin/env bash
# Profile benchmarks (issue #3 "Speed"). Usage: bench/profiles.sh
#
#   renew32   32 concurrent `alicli sts GetCallerIdentity` on one profile whose STS credentials and
#             access token have both expired: wall time from the first start to the last exit.
#             Target <= 300 ms; each run must make exactly 1 token refresh and 1 exchange.
#   cached32  the same 32 processes with valid credentials (no renewal), for comparison.
#   list100   `alicli configure list` over 100 profiles, whole process. Target <= 5 ms.
#   list100j  the same with `--output json`.
#   version   `alicli --version`: the floor any command pays (exec, loader, argument parsing).
#
# Wall times on a busy machine are mostly waiting for a CPU; the list rows also show the CPU time
# each process used (user+sys), which is what the command itself costs.
#
# Builds release binaries, starts the local emulator on 127.0.0.1 in a temporary HOME, signs in
# once, and prints median/min/max over the runs (after warm-up runs). Nothing leaves loopback.
# Needs bash and Python 3.9+ (standard library only). Exit 0 when both targets are met, else 1.
#
# Environment:
#   ALICLI_BENCH_RUNS=20       timed runs of each figure (at least 20)
#   ALICLI_BENCH_NO_BUILD=1    reuse the release binaries as they are
#   CARGO_TARGET_DIR           where the binaries are [default: target]

set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release
if [[ ${ALICLI_BENCH_NO_BUILD:-} != 1 ]]; then
    printf '== building release binaries\n' >&2
    cargo build --release --quiet --bin alicli --bin alicli-emulator
fi
exec python3 - "$ROOT/bench" "$BIN/alicli" "$BIN/alicli-emulator" "${ALICLI_BENCH_RUNS:-20}" <<'PY'
import json, os, resource, sys
sys.path.insert(0, sys.argv[1])
from harness import Harness, summary

ALICLI, EMULATOR, RUNS = sys.argv[2], sys.argv[3], max(20, int(sys.argv[4]))
h = Harness(ALICLI, EMULATOR)
config, stats, spawn_all = h.config, h.stats, h.spawn_all

def edit(name, patch):
    h.edit({name: patch})

try:
    h.sign_in("work")
    results = []

    # renew32: every run starts from expired STS credentials and an expired access token.
    samples, per_run = [], set()
    for i in range(RUNS + 2):
        edit("work", {"sts_expiration": 0, "oauth_access_token_expire": 0})
        before = stats()
        elapsed = spawn_all(["sts", "GetCallerIdentity"], 32)
        after = stats()
        per_run.add((after["token_refresh"] - before["token_refresh"],
                     after["exchange"] - before["exchange"]))
        if i >= 2:
            samples.append(elapsed)
    if per_run != {(1, 1)}:
        sys.exit(f"expected 1 refresh and 1 exchange per run, saw (refreshes, exchanges) {per_run}")
    results.append(summary("renew32", samples, 300, "(1 refresh + 1 exchange per run)"))

    samples = [spawn_all(["sts", "GetCallerIdentity"], 32) for _ in range(RUNS + 2)][2:]
    summary("cached32", samples, None, "(no renewal)")

    # list100: 100 profiles of the modes a real file holds, OAuth ones fully signed in.
    with open(config) as f:
        data = json.load(f)
    work = next(p for p in data["profiles"] if p["name"] == "work")
    profiles = []
    for i in range(100):
        if i % 4 == 3:
            profiles.append({"name": f"ak-{i}", "mode": "AK", "access_key_id": f"LTAI{i:020d}",
                             "access_key_secret": "s" * 30, "region_id": "cn-beijing",
                             "output_format": "json", "language": "en"})
        else:
            profiles.append(dict(work, name=f"oauth-{i}"))
    data["profiles"], data["current"] = profiles, "oauth-0"
    with open(config, "w") as f:
        json.dump(data, f, indent=2)
    print(f"          (config.json: 100 profiles, {os.path.getsize(config)} bytes)")
    for name, args, target in (("list100", ["configure", "list"], 5),
                               ("list100j", ["configure", "list", "--output", "json"], 5),
                               ("version", ["--version"], None)):
        for _ in range(3):
            spawn_all(args, 1)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples = [spawn_all(args, 1) for _ in range(RUNS)]
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000 / RUNS
        ok = summary(name, samples, target, f"(cpu {cpu:.2f} ms/run)")
        if name == "list100":
            results.append(ok)
    sys.exit(0 if all(results) else 1)
finally:
    h.__exit__(None, None, None)
PY
