#!/usr/bin/env bash
# Runs each fuzz target for a fixed time. Usage: fuzz/run.sh [SECONDS] [TARGET...]
#   SECONDS  per target (default 60)
#   TARGET   names from `cargo +nightly fuzz list` (default: all)
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). New inputs go to
# fuzz/corpus/TARGET (not committed), starting from the committed seeds in fuzz/seeds/TARGET.
# Environment: FUZZ_SANITIZER=address|none (default address; none builds and runs faster),
# FUZZ_TARGET_DIR (default fuzz/target), FUZZ_CODEGEN_UNITS (default 16: a faster build, a little
# slower fuzzing than cargo-fuzz's 1), FUZZ_SEED (libFuzzer's -seed; default random. A fixed seed
# replays the same mutations from the same corpus: CI uses one so its verdict is reproducible).
# A crash makes the exit status 1 and leaves the input in fuzz/artifacts/TARGET/: make it a regular
# test (see fuzz/README.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

seconds=${1:-60}
shift || true
sanitizer=${FUZZ_SANITIZER:-address}
target_dir=${FUZZ_TARGET_DIR:-$PWD/target}
flags=(--sanitizer "$sanitizer" --target-dir "$target_dir" --codegen-units "${FUZZ_CODEGEN_UNITS:-16}")
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

# One build for all targets, so the timed runs below are fuzzing, not compiling.
started=$SECONDS
if [ "${#targets[@]}" -eq 1 ]; then
    cargo +nightly fuzz build "${flags[@]}" "${targets[0]}"
else
    cargo +nightly fuzz build "${flags[@]}"
fi
printf '== fuzz targets built in %s s\n' "$((SECONDS - started))"

status=0
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    printf '== fuzz %s for %s s\n' "$target" "$seconds"
    if ! cargo +nightly fuzz run "${flags[@]}" "$target" "corpus/$target" "seeds/$target" -- \
        ${FUZZ_SEED:+-seed="$FUZZ_SEED"} -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        2>"corpus/$target.log"; then
        grep -A6 'panicked at' "corpus/$target.log" | head -n 20 >&2 || true
        tail -n 25 "corpus/$target.log" >&2
        printf 'fuzz %s: FAILED; the input is in fuzz/artifacts/%s/\n' "$target" "$target" >&2
        status=1
    else
        grep -E '^stat::number_of_executed_units|^#[0-9]+ +DONE' "corpus/$target.log" | tail -n 2 || true
    fi
done
exit "$status"
