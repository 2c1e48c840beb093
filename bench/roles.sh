#!/usr/bin/env bash
# Role benchmarks (issue 11). Usage: bench/roles.sh
#
#   oauth      `alicli sts GetCallerIdentity -p work`: a signed-in OAuth profile with cached STS.
#   role       the same for `prod`, a ChainableRamRoleArn role on `work` with cached credentials.
#              The two are timed in alternation, so both see the same machine; the ratio
#              role/oauth must be <= 1.5.
#   export-*   `alicli export-credentials --format json` of each: no request at all.
#   version    `alicli --version`, the floor every command pays.
#   uncached   the role's credentials and the source's STS credentials both due: exchange the
#              source's access token, then AssumeRole, then the call (each run checked: exactly 1
#              exchange and 1 AssumeRole).
#   uncached+r the same with the source's access token due too: refresh, exchange, AssumeRole.
#   assume     only the role due (the source is fresh): AssumeRole, then the call.
#
# Builds release binaries, starts the local emulator on 127.0.0.1 in a temporary HOME, signs in
# once, and prints median/min/max (after warm-up runs). Nothing leaves loopback. Needs bash and
# Python 3.9+ (standard library only). Exit 0 when the ratio target is met, else 1.
#
# Environment:
#   ALICLI_BENCH_RUNS=40       timed runs of each figure (at least 20)
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
exec python3 - "$ROOT/bench" "$BIN/alicli" "$BIN/alicli-emulator" "${ALICLI_BENCH_RUNS:-40}" <<'PY'
import statistics, sys
sys.path.insert(0, sys.argv[1])
from harness import Harness, summary

ALICLI, EMULATOR, RUNS = sys.argv[2], sys.argv[3], max(20, int(sys.argv[4]))

def alternate(h, a, b):
    """Times a and b in alternation, after warm-up runs of each, so both see the same machine."""
    for _ in range(3):
        h.once(*a), h.once(*b)
    xs, ys = [], []
    for _ in range(RUNS):
        xs.append(h.once(*a))
        ys.append(h.once(*b))
    return xs, ys

COUNTERS = ("token_refresh", "exchange", "assume_role")

def uncached(h, patch, expect):
    """Runs the role's call with `patch` applied before each run; checks the requests made."""
    samples, seen = [], set()
    for i in range(RUNS + 2):
        h.edit(patch)
        before = h.stats()
        elapsed = h.once("sts", "GetCallerIdentity", "-p", "prod")
        after = h.stats()
        seen.add(tuple(after[k] - before[k] for k in COUNTERS))
        if i >= 2:
            samples.append(elapsed)
    if seen != {expect}:
        sys.exit(f"expected (refresh, exchange, AssumeRole) = {expect} per run, saw {seen}")
    return samples

with Harness(ALICLI, EMULATOR) as h:
    h.sign_in("work")
    h.run("configure", "set", "--profile", "prod", "--mode", "ChainableRamRoleArn",
          "--source-profile", "work", "--ram-role-arn", "acs:ram::2222222222222222:role/admin",
          "--role-session-name", "bench")
    h.once("sts", "GetCallerIdentity", "-p", "prod")  # assumes the role once; cached from here on

    before = h.stats()
    oauth, role = alternate(h, ("sts", "GetCallerIdentity", "-p", "work"),
                            ("sts", "GetCallerIdentity", "-p", "prod"))
    after = h.stats()
    moved = {k: after[k] - before[k] for k in COUNTERS}
    if any(moved.values()):
        sys.exit(f"the cached runs renewed something: {moved}")
    summary("oauth", oauth, note="(cached STS, one signed call)")
    summary("role", role, note="(cached role credentials, one signed call)")
    ratio = statistics.median(role) / statistics.median(oauth)
    ok = ratio <= 1.5
    print(f"ratio       role/oauth {ratio:.2f}  target <= 1.5: {'ok' if ok else 'MISSED'}")

    e_oauth, e_role = alternate(h, ("export-credentials", "-p", "work", "--format", "json"),
                                ("export-credentials", "-p", "prod", "--format", "json"))
    summary("export-oauth", e_oauth, note="(no request)")
    summary("export-role", e_role, note="(no request)")
    summary("version", [h.once("--version") for _ in range(RUNS)])

    summary("assume", uncached(h, {"prod": {"sts_expiration": 0}}, (0, 0, 1)),
            note="(AssumeRole, then the call)")
    summary("uncached", uncached(h, {"prod": {"sts_expiration": 0}, "work": {"sts_expiration": 0}},
                                 (0, 1, 1)), note="(exchange, AssumeRole, then the call)")
    summary("uncached+r", uncached(h, {"prod": {"sts_expiration": 0},
                                       "work": {"sts_expiration": 0, "oauth_access_token_expire": 0}},
                                   (1, 1, 1)), note="(refresh, exchange, AssumeRole, then the call)")
sys.exit(0 if ok else 1)
PY
