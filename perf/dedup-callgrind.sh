#!/usr/bin/env bash
# Instructions and simulated cache misses per message in connect-ingest's worker threads, under
# valgrind's callgrind (repeatable on a busy machine, unlike wall-clock rates): the small-message
# load with `--dedup off`, with `--dedup flag` and an index pre-filled with $PREFILL messages,
# and optionally a baseline binary built before message ids existed (BASELINE_BIN).
#
# Each case: `connect-bench --spawn --server-binary <valgrind wrapper> --workers 2 --sync none
# --payload small --connections 16 --messages $MESSAGES --seed $SEED ...`; the wrapper runs serve
# under `valgrind --tool=callgrind --cache-sim=yes --toggle-collect=<Worker.run>`, so only the
# worker threads count (not start-up, not the index's load). connect-bench's log check must pass.
# Kernel time (the TCP stack, about 70% of the server's CPU) is not seen by valgrind.
#
# Environment: MESSAGES (20000), PREFILL (10000000), CAPACITY (12000000), SEED (777),
#   BIN_DIR (this build's binaries; default: swift build -c release), BASELINE_BIN (optional
#   connect-ingest to compare with, run with no dedup flags).
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
MESSAGES="${MESSAGES:-20000}"
PREFILL="${PREFILL:-10000000}"
CAPACITY="${CAPACITY:-12000000}"
SEED="${SEED:-777}"
command -v valgrind >/dev/null || { echo "dedup-callgrind: valgrind is required" >&2; exit 2; }
if [[ -z "${BIN_DIR:-}" ]]; then
    (cd "$PROJECT_ROOT" && swift build -c release --product connect-ingest >&2 && swift build -c release --product connect-bench >&2)
    BIN_DIR="$(cd "$PROJECT_ROOT" && swift build -c release --show-bin-path)"
fi
WORK="$(mktemp -d /tmp/connect-dedup-callgrind.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

run_case() {  # name, server binary, connect-bench flags...
    local name="$1" server="$2"; shift 2
    mkdir -p "$WORK/$name"
    # valgrind cannot read the DWARF 5 debug info Swift emits: run a copy without it (symbols stay).
    strip --strip-debug -o "$WORK/$name/connect-ingest" "$server"
    server="$WORK/$name/connect-ingest"
    cat > "$WORK/$name/serve" <<WRAP
#!/bin/sh
exec valgrind --tool=callgrind --cache-sim=yes --callgrind-out-file="$WORK/$name/callgrind.out.%p" \\
    '--toggle-collect=\$s12IngestServer6WorkerC3runyyF' "$server" "\$@"
WRAP
    chmod +x "$WORK/$name/serve"
    "$BIN_DIR/connect-bench" --spawn --server-binary "$WORK/$name/serve" --workers 2 --sync none --payload small \
        --connections 16 --messages "$MESSAGES" --seed "$SEED" --timeout 600 "$@" > "$WORK/$name/report.txt" 2> "$WORK/$name/bench.err" || {
        echo "dedup-callgrind: $name failed:" >&2; tail -n 20 "$WORK/$name/report.txt" "$WORK/$name/bench.err" >&2; exit 1; }
    local totals
    totals="$(grep -h '^summary:' "$WORK/$name"/callgrind.out.* | head -1 | cut -d' ' -f2-)"
    local events
    events="$(grep -h '^events:' "$WORK/$name"/callgrind.out.* | head -1 | cut -d' ' -f2-)"
    python3 - "$name" "$MESSAGES" "$events" "$totals" "$(grep -c 'log check:  PASSED' "$WORK/$name/report.txt" || true)" <<'PY'
import sys
name, messages, events, totals, passed = sys.argv[1:]
values = dict(zip(events.split(), map(int, totals.split())))
n = int(messages)
d1 = values.get("D1mr", 0) + values.get("D1mw", 0)
ll = values.get("DLmr", 0) + values.get("DLmw", 0)
print(f"{name:<28} {values['Ir'] / n:10.0f} instructions/msg  {d1 / n:8.1f} D1 misses/msg  {ll / n:6.2f} LL misses/msg"
      f"  log check {'passed' if passed == '1' else 'FAILED'}")
PY
}

echo "user-space instructions per message in the worker threads (valgrind callgrind), $MESSAGES small messages"
[[ -n "${BASELINE_BIN:-}" ]] && run_case baseline "$BASELINE_BIN"
run_case dedup-off "$BIN_DIR/connect-ingest" --dedup off
run_case dedup-flag-prefilled "$BIN_DIR/connect-ingest" --dedup flag --dedup-capacity "$CAPACITY" --dedup-prefill "$PREFILL"
