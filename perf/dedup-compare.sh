#!/usr/bin/env bash
# Compares `serve --dedup flag` (its index pre-filled with 10 million messages) with
# `serve --dedup off` on the small-message benchmark, in interleaved rounds on this machine, and
# writes perf/results/YYYY-MM-DD-dedup-<host>.md with every command, every run's numbers, the
# load averages, and the medians. Issue 13's goal: flag within 3% of off.
#
# Each run is `connect-bench --spawn --workers 2 --sync none --payload small --connections 64
# --duration $DURATION --json --seed $SEED`, plus for flag `--dedup flag --dedup-capacity
# $CAPACITY --dedup-prefill $PREFILL` (the index starts with PREFILL synthetic entries), for off
# `--dedup off`. Both modes compute and store every message's id; only flag consults the index.
# connect-bench's log check (exactly once, byte-exact, message ids and duplicate marks) must
# pass in every run. `--sync none` is the most sensitive setting: with `batch`, the wait for
# fdatasync dominates and hides CPU costs.
#
# Environment (all optional):
#   ROUNDS (5), WORKERS (2), DURATION (10), PREFILL (10000000), CAPACITY (12000000), DUPLICATE_RATE (0),
#   TAG (appended to the results file name), SEED (12345), BIN_DIR (binaries; default: build with swift build -c release),
#   RESULTS_DIR (default: results/ next to this script)
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
ROUNDS="${ROUNDS:-5}"
WORKERS="${WORKERS:-2}"
DURATION="${DURATION:-10}"
PREFILL="${PREFILL:-10000000}"
CAPACITY="${CAPACITY:-12000000}"
DUPLICATE_RATE="${DUPLICATE_RATE:-0}"
SEED="${SEED:-12345}"
RESULTS_DIR="${RESULTS_DIR:-$SCRIPT_DIR/results}"
log() { printf '[dedup-compare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [[ -z "${BIN_DIR:-}" ]]; then
    log "building (swift build -c release)"
    (cd "$PROJECT_ROOT" && swift build -c release --product connect-ingest >&2 && swift build -c release --product connect-bench >&2)
    BIN_DIR="$(cd "$PROJECT_ROOT" && swift build -c release --show-bin-path)"
fi
WORK="$(mktemp -d /tmp/connect-dedup-compare.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
common=(--spawn --workers "$WORKERS" --sync none --payload small --connections 64 --duration "$DURATION" --json --seed "$SEED"
        --duplicate-rate "$DUPLICATE_RATE")
flag=(--dedup flag --dedup-capacity "$CAPACITY" --dedup-prefill "$PREFILL")
off=(--dedup off)
start_load="$(cut -d' ' -f1-3 /proc/loadavg)"
for (( round = 1; round <= ROUNDS; round++ )); do
    for mode in flag off; do
        # Alternate which mode goes first, so neither always follows the other.
        if (( round % 2 == 0 )); then [[ $mode == flag ]] && mode=off || mode=flag; fi
        if [[ $mode == flag ]]; then extra=("${flag[@]}"); else extra=("${off[@]}"); fi
        load="$(cut -d' ' -f1 /proc/loadavg)"
        log "round $round, --dedup $mode (load $load)"
        "$BIN_DIR/connect-bench" "${common[@]}" "${extra[@]}" > "$WORK/$round-$mode.json" 2> "$WORK/$round-$mode.err" || {
            log "connect-bench failed: $(tail -3 "$WORK/$round-$mode.err")"; exit 1; }
        printf '%s\n' "$load" > "$WORK/$round-$mode.load"
    done
done
end_load="$(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$RESULTS_DIR"
out="$RESULTS_DIR/$(date +%Y-%m-%d)-dedup-$(hostname -s)${TAG:+-$TAG}.md"
python3 - "$WORK" "$ROUNDS" "$out" "$start_load" "$end_load" "$(git -C "$PROJECT_ROOT" rev-parse --short HEAD)" \
    "$(printf '%q ' connect-bench "${common[@]}")" "$(printf '%q ' "${flag[@]}")" "$(printf '%q ' "${off[@]}")" <<'PY'
import json, statistics, sys
work, rounds, out, start_load, end_load, commit, common, flag, off = sys.argv[1:]
rows = []
for r in range(1, int(rounds) + 1):
    for mode in ("flag", "off"):
        report = json.load(open(f"{work}/{r}-{mode}.json"))
        load = open(f"{work}/{r}-{mode}.load").read().strip()
        ok = report["logCheck"]["passed"] and report.get("duplicateCheck", {}).get("passed", True) and not report["failures"]
        rows.append((r, mode, report["acceptedPerSecond"], report["server"]["cpuMicrosecondsPerMessage"],
                     report["latency"]["p99"] / 1000, load, ok, report["logCheck"]["acknowledged"]))
def med(mode, i): return statistics.median(row[i] for row in rows if row[1] == mode)
rate_flag, rate_off = med("flag", 2), med("off", 2)
cpu_flag, cpu_off = med("flag", 3), med("off", 3)
with open(out, "w") as f:
    f.write(f"# --dedup flag vs --dedup off, small messages (issue 13)\n\n")
    f.write(f"Commit {commit}. Load average {start_load} at the start, {end_load} at the end "
            f"(2 cores shared with other work; the `load` column is the 1-minute load before each run).\n\n")
    f.write(f"Every run: `{common.strip()}` plus, for flag, `{flag.strip()}` and, for off, `{off.strip()}`.\n")
    f.write("Rounds alternate which mode goes first. Written by `perf/dedup-compare.sh`.\n\n")
    f.write("| round | mode | msgs/s (200) | server CPU µs/msg | p99 ms | load | checks |\n| ---: | --- | ---: | ---: | ---: | ---: | --- |\n")
    for r, mode, rate, cpu, p99, load, ok, acked in rows:
        f.write(f"| {r} | {mode} | {rate:,.0f} | {cpu:.2f} | {p99:.2f} | {load} | {'pass' if ok else 'FAIL'} ({acked:,}) |\n")
    f.write(f"\nMedians: flag {rate_flag:,.0f} msgs/s, off {rate_off:,.0f} msgs/s: flag/off = {rate_flag / rate_off:.3f}. "
            f"Server CPU per message: flag {cpu_flag:.2f} µs, off {cpu_off:.2f} µs (+{cpu_flag - cpu_off:.2f} µs, "
            f"{(cpu_flag / cpu_off - 1) * 100:+.1f}%).\n")
print(open(out).read())
PY
log "wrote $out"
