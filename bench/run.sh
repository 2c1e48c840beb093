#!/usr/bin/env bash
# alicli benchmark suite. Usage: bench/run.sh   (see bench/README.md)
#
# Builds the release binaries, starts the local emulator, signs in once into a temporary HOME, then
# measures start-up, a cached STS call, a full sign-in, peak memory, binary size and the official
# Python SDK for comparison. Every timing goes through bench/timeit.py (standard-library Python), so
# figures are comparable on any machine. Prints a table and writes target/bench-results.json.
# Exit status: 0 when every figure with a target meets it, 1 otherwise.
#
# Environment:
#   ALICLI_BENCH_RUNS=20         timed runs per alicli figure (median; after 2 warm-up runs)
#   ALICLI_BENCH_SIGNIN_RUNS=20  timed runs of the full sign-in
#   ALICLI_BENCH_PY_RUNS=10      timed runs of the Python SDK
#   ALICLI_BENCH_PYTHON          Python with the Alibaba SDK [default: .venv/bin/python; skipped if absent]
#   ALICLI_BENCH_TIMER_PYTHON    Python that runs bench/timeit.py [default: python3]
#   ALICLI_BENCH_ONLY            space-separated subset of BENCHES below, e.g. "version sts_cached"
#   ALICLI_BENCH_NO_BUILD=1      reuse target/release as it is
#   ALICLI_BENCH_HYPERFINE=1     also run hyperfine (if installed) on a few commands, as a cross-check
#
# Adding a benchmark: write a bench_NAME function that appends rows with `timeit ...` (or
# `optional_time` for a command that may not exist yet) and add NAME to BENCHES.
# Plain bash 3.2+ (macOS) with Python 3.9+; no other tools needed (/usr/bin/time and strip are used
# when present).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BENCHES=(spawn_baseline version sts_cached signin rss binary_size python_sdk
         configure_list session_validate export_credentials)

RUNS=${ALICLI_BENCH_RUNS:-20}
SIGNIN_RUNS=${ALICLI_BENCH_SIGNIN_RUNS:-20}
PY_RUNS=${ALICLI_BENCH_PY_RUNS:-10}
TIMER_PY=${ALICLI_BENCH_TIMER_PYTHON:-python3}
SDK_PY=${ALICLI_BENCH_PYTHON:-$ROOT/.venv/bin/python}
BIN=$ROOT/target/release
ALICLI=$BIN/alicli
EMULATOR=$BIN/alicli-emulator
RESULTS=$ROOT/target/bench-results.json

WORK=$(mktemp -d "${TMPDIR:-/tmp}/alicli-bench.XXXXXX")
ROWS=$WORK/rows.jsonl
: >"$ROWS"
EMU_PID=
URL=

log() { printf '== %s\n' "$*" >&2; }

cleanup() {
    if [[ -n $EMU_PID ]]; then
        kill "$EMU_PID" 2>/dev/null || true
        wait "$EMU_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# timeit SUBCOMMAND ARGS... : run bench/timeit.py, append its row and show a one-line summary.
timeit() {
    local row
    row=$("$TIMER_PY" "$ROOT/bench/timeit.py" "$@")
    printf '%s\n' "$row" >>"$ROWS"
    "$TIMER_PY" -c 'import json, sys
print(("   %(what)s: %(value)s %(unit)s [%(status)s] %(note)s" % json.loads(sys.argv[1])).rstrip())' "$row" >&2
}

# skip NAME REASON : record a skipped figure.
skip() { timeit row --name "$1" --status skip --note "$2"; }

# Environments (as timeit.py --env arguments). The caller's ALIBABA_CLOUD_* variables are dropped.
NO_PROXY_ENV=(--env NO_PROXY=127.0.0.1,localhost --env no_proxy=127.0.0.1,localhost)
sts_env() { STS_ENV=(--env "HOME=$HOME_STS" --env "ALIBABA_CLOUD_STS_ENDPOINT=$URL" "${NO_PROXY_ENV[@]}"); }
signin_env() {
    SIGNIN_ENV=(--env "HOME=$HOME_SIGNIN" --env "ALICLI_SIGNIN_URL=$URL" --env "ALICLI_OAUTH_URL=$URL"
                --env "ALIBABA_CLOUD_STS_ENDPOINT=$URL" --env "BROWSER='$EMULATOR' browse"
                "${NO_PROXY_ENV[@]}")
}
SIGNIN_CMD=("$ALICLI" configure --profile work --mode OAuth --region cn-hangzhou --callback-port 0)

# emu_stats : the emulator's counters as JSON.
emu_stats() {
    "$TIMER_PY" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/__emulator/stats", timeout=5).read().decode())' "$URL"
}
# stat_delta BEFORE AFTER : "key=+n ..." for the counters that changed.
stat_delta() {
    "$TIMER_PY" -c 'import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(" ".join(f"{k}=+{b[k] - a.get(k, 0)}" for k in b if b[k] != a.get(k, 0)) or "none")' "$1" "$2"
}

# optional_time NAME TARGET [--env K=V ...] -- CMD... : time a command that may not exist yet; if a
# probe run fails, the figure is skipped with the error instead of failing the suite.
optional_time() {
    local name=$1 target=$2 probe why
    shift 2
    probe=$("$TIMER_PY" "$ROOT/bench/timeit.py" time --name probe --runs 1 --warmup 0 "$@")
    if [[ $probe == *'"status": "FAIL"'* ]]; then
        why=$("$TIMER_PY" -c 'import json, sys; print(json.loads(sys.argv[1])["note"])' "$probe")
        skip "$name" "not available yet: $why"
        return
    fi
    timeit time --name "$name" --runs "$RUNS" --target "$target" "$@"
}

# ---------------------------------------------------------------------------------------- setup

build() {
    if [[ ${ALICLI_BENCH_NO_BUILD:-} == 1 ]]; then
        log "reusing target/release (ALICLI_BENCH_NO_BUILD=1)"
    else
        log "cargo build --release --bins"
        cargo build --release --bins
    fi
    [[ -x $ALICLI && -x $EMULATOR ]] || { echo "missing $ALICLI or $EMULATOR" >&2; exit 2; }
}

start_emulator() {
    log "starting the emulator"
    "$EMULATOR" >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
    EMU_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        if [[ -s $WORK/emulator.out ]] && head -n1 "$WORK/emulator.out" | grep -q '}'; then
            break
        fi
        kill -0 "$EMU_PID" 2>/dev/null || { cat "$WORK/emulator.err" >&2; exit 2; }
        sleep 0.1
    done
    URL=$(head -n1 "$WORK/emulator.out" | "$TIMER_PY" -c 'import json, sys; print(json.loads(sys.stdin.readline())["url"])')
    log "emulator at $URL (pid $EMU_PID)"
}

sign_in_once() {
    HOME_STS=$WORK/home-sts
    HOME_SIGNIN=$WORK/home-signin
    mkdir -p "$HOME_STS" "$HOME_SIGNIN"
    sts_env
    signin_env
    log "signing in once (profile work in $HOME_STS)"
    local result
    result=$("$TIMER_PY" "$ROOT/bench/timeit.py" time --name sign-in --runs 1 --warmup 0 \
        "${SIGNIN_ENV[@]}" --env "HOME=$HOME_STS" -- "${SIGNIN_CMD[@]}")
    if [[ $result == *'"status": "FAIL"'* ]]; then
        echo "sign-in failed: $result" >&2
        exit 2
    fi
    [[ -s $HOME_STS/.aliyun/config.json ]] || { echo "sign-in wrote no config.json" >&2; exit 2; }
}

# ----------------------------------------------------------------------------------- benchmarks

# What the timer itself costs: spawning /bin/true (no target; subtract mentally from the others).
bench_spawn_baseline() {
    timeit time --name "timer floor: spawn true" --runs "$RUNS" -- "$(command -v true)"
}

bench_version() {
    timeit time --name "alicli --version" --runs "$RUNS" --target 2 -- "$ALICLI" --version
}

bench_sts_cached() {
    local before after
    before=$(emu_stats)
    timeit time --name "sts GetCallerIdentity (cached)" --runs "$RUNS" --target 5 "${STS_ENV[@]}" \
        -- "$ALICLI" sts GetCallerIdentity --profile work
    after=$(emu_stats)
    log "emulator calls during cached GetCallerIdentity: $(stat_delta "$before" "$after")"
}

bench_signin() {
    local before after
    before=$(emu_stats)
    timeit time --name "full sign-in (configure + browser)" --runs "$SIGNIN_RUNS" --target 150 \
        "${SIGNIN_ENV[@]}" -- "${SIGNIN_CMD[@]}"
    after=$(emu_stats)
    log "emulator calls during sign-ins: $(stat_delta "$before" "$after")"
}

bench_rss() {
    timeit rss --name "max RSS: sts GetCallerIdentity" --target 20 "${STS_ENV[@]}" \
        -- "$ALICLI" sts GetCallerIdentity --profile work
    timeit rss --name "max RSS: full sign-in (alicli)" --target 20 "${SIGNIN_ENV[@]}" \
        -- "${SIGNIN_CMD[@]}"
}

bench_binary_size() {
    if command -v strip >/dev/null; then
        strip -o "$WORK/alicli.stripped" "$ALICLI"
        timeit size --name "binary size (stripped)" --target 10 "$WORK/alicli.stripped"
    else
        timeit size --name "binary size (as built)" --target 10 --note "no strip on PATH" "$ALICLI"
    fi
}

bench_python_sdk() {
    local name="python SDK GetCallerIdentity"
    if [[ ! -x $SDK_PY ]]; then
        skip "$name" "no Python at $SDK_PY (set ALICLI_BENCH_PYTHON)"
        return
    fi
    if ! "$SDK_PY" -c 'import alibabacloud_credentials, alibabacloud_sts20150401' 2>/dev/null; then
        skip "$name" "$SDK_PY lacks alibabacloud-credentials / alibabacloud-sts20150401"
        return
    fi
    local before after
    before=$(emu_stats)
    timeit time --name "$name" --runs "$PY_RUNS" --warmup 1 "${STS_ENV[@]}" \
        --env ALIBABA_CLOUD_PROFILE=work --env ALIBABA_CLOUD_ECS_METADATA_DISABLED=true \
        --env "ALICLI_BENCH_STS_URL=$URL" \
        -- "$SDK_PY" "$ROOT/bench/python_sdk_caller_identity.py"
    after=$(emu_stats)
    log "emulator calls during Python SDK runs: $(stat_delta "$before" "$after")"
    local ratio
    ratio=$("$TIMER_PY" -c 'import json, sys
rows = {r["what"]: r for r in map(json.loads, open(sys.argv[1]))}
py, rs = rows.get(sys.argv[2], {}).get("value"), rows.get("sts GetCallerIdentity (cached)", {}).get("value")
print(f"{py / rs:.1f}" if py and rs else "")' "$ROWS" "$name")
    if [[ -n $ratio ]]; then
        timeit row --name "ratio python SDK / alicli (GetCallerIdentity)" --value "$ratio" --unit x
    else
        skip "ratio python SDK / alicli" "needs both GetCallerIdentity figures"
    fi
}

# Commands that do not exist yet are skipped with a note (see optional_time).
bench_configure_list() {
    optional_time "configure list" 5 "${STS_ENV[@]}" -- "$ALICLI" configure list
}
bench_session_validate() {
    optional_time "session validate --local" 5 "${STS_ENV[@]}" -- "$ALICLI" session validate --local --profile work
}
bench_export_credentials() {
    optional_time "export-credentials (cached)" 5 "${STS_ENV[@]}" -- "$ALICLI" export-credentials --profile work
}

# ----------------------------------------------------------------------------------------- main

main() {
    command -v "$TIMER_PY" >/dev/null || { echo "need $TIMER_PY (set ALICLI_BENCH_TIMER_PYTHON)" >&2; exit 2; }
    local selected=("${BENCHES[@]}")
    [[ -n ${ALICLI_BENCH_ONLY:-} ]] && read -r -a selected <<<"$ALICLI_BENCH_ONLY"

    build
    start_emulator
    sign_in_once

    local bench
    for bench in "${selected[@]}"; do
        if ! declare -F "bench_$bench" >/dev/null; then
            skip "$bench" "no such benchmark"
            continue
        fi
        log "bench $bench"
        "bench_$bench"
    done

    if [[ ${ALICLI_BENCH_HYPERFINE:-} == 1 ]]; then
        if command -v hyperfine >/dev/null; then
            log "hyperfine cross-check"
            env HOME="$HOME_STS" ALIBABA_CLOUD_STS_ENDPOINT="$URL" hyperfine -N --warmup 3 \
                "$ALICLI --version" "$ALICLI sts GetCallerIdentity --profile work" >&2
        else
            log "hyperfine not installed (optional: sudo apt-get install hyperfine)"
        fi
    fi

    echo
    local status=0
    "$TIMER_PY" "$ROOT/bench/timeit.py" report "$ROWS" --json-out "$RESULTS" || status=$?
    return "$status"
}

main "$@"
