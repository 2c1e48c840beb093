# Sourced by the bench scripts: a scratch directory and the local emulator for one benchmark run.
# Needs BIN (the directory of the release binaries) and python3; sets WORK, URL and EMU_PID, and
# removes both when the script exits. Usage: start_emulator NAME
start_emulator() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/alicli-$1.XXXXXX")
    EMU_PID=
    trap stop_emulator EXIT
    "$BIN/alicli-emulator" >"$WORK/emulator.json" 2>/dev/null &
    EMU_PID=$!
    for _ in $(seq 100); do [[ -s $WORK/emulator.json ]] && break; sleep 0.05; done
    URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$WORK/emulator.json")
}

stop_emulator() {
    if [[ -n $EMU_PID ]]; then kill "$EMU_PID" 2>/dev/null || true; wait "$EMU_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
