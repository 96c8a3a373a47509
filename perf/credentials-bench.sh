#!/usr/bin/env bash
# Credentials cost under load (issue 12): the small-message benchmark with
#   global  one global HMAC key (the baseline),
#   account the run's key as a key of the run's account, among 1,000 other accounts with 2 keys
#           each (--decoy-accounts 1000): one hash pass per message, plus the account lookup,
#   bearer  one global key plus a cached RS256 bearer token (~1 KB) on every request (--oauth),
# in interleaved rounds (global, account, bearer, global, ...) on one machine, and prints each
# round and the medians of throughput and server CPU per message. Every run is also checked
# exactly-once by connect-bench (a failed check fails this script).
#
# Environment (all optional):
#   BIN_DIR    folder with release connect-ingest and connect-bench (default: .build/release)
#   ROUNDS     interleaved rounds (default 5)
#   DURATION   seconds per run (default 5)
#   WORKERS    server workers (default 2)
#   SYNC       --sync of the server (default none: isolates CPU cost from fsync latency)
#   CASES      default "global account bearer"
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN_DIR="${BIN_DIR:-$SCRIPT_DIR/../.build/release}"
ROUNDS="${ROUNDS:-5}"
DURATION="${DURATION:-5}"
WORKERS="${WORKERS:-2}"
SYNC="${SYNC:-none}"
CASES="${CASES:-global account bearer}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

flags_for() {
    case "$1" in
        global) echo "" ;;
        account) echo "--decoy-accounts 1000" ;;
        bearer) echo "--oauth" ;;
        *) echo "unknown case $1" >&2; exit 2 ;;
    esac
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
    for case in $CASES; do
        out="$WORK/$case-$round.json"
        # shellcheck disable=SC2046
        "$BIN_DIR/connect-bench" --spawn --workers "$WORKERS" --sync "$SYNC" --payload small \
            --duration "$DURATION" --json $(flags_for "$case") > "$out" 2> "$WORK/$case-$round.stderr" \
            || { echo "round $round $case failed:"; cat "$WORK/$case-$round.stderr" "$out"; exit 1; }
        python3 - "$out" "$case" "$round" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["logCheck"]["passed"], "log check failed"
print(f"round {sys.argv[3]} {sys.argv[2]:8s} {r['acceptedPerSecond']:10.0f} msg/s  "
      f"{r['server']['cpuMicrosecondsPerMessage']:6.2f} us CPU/msg  load {open('/proc/loadavg').read().split()[0]}")
PY
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WORK" $CASES <<'PY'
import glob, json, statistics, sys
work, cases = sys.argv[1], sys.argv[2:]
medians = {}
for case in cases:
    runs = [json.load(open(p)) for p in sorted(glob.glob(f"{work}/{case}-*.json"))]
    rate = statistics.median(r["acceptedPerSecond"] for r in runs)
    cpu = statistics.median(r["server"]["cpuMicrosecondsPerMessage"] for r in runs)
    medians[case] = (rate, cpu)
base_rate, base_cpu = medians[cases[0]]
print(f"\nmedians over {len(runs)} rounds:")
for case in cases:
    rate, cpu = medians[case]
    print(f"  {case:8s} {rate:10.0f} msg/s ({rate / base_rate:6.3f}x {cases[0]})  "
          f"{cpu:6.2f} us CPU/msg ({cpu - base_cpu:+.2f} us vs {cases[0]})")
PY
