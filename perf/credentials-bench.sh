#!/usr/bin/env bash
# Credentials cost under load (issue 12): the small-message benchmark with
#   global  one global HMAC key (the baseline),
#   account the run's key as a key of the run's account, among 1,000 other accounts with 2 keys
#           each (--decoy-accounts 1000): one hash pass per message, plus the account lookup,
#   bearer  one global key plus a cached RS256 bearer token (~1 KB) on every request (--oauth),
# in interleaved rounds on one machine (odd rounds in the order given, even rounds reversed, so a
# drift in the machine's load does not favour one case), and prints each round, the medians of
# throughput and server CPU per message, and the median of the per-round ratios to the first
# case (paired: each ratio compares runs seconds apart). Every run is also checked exactly-once
# by connect-bench (a failed check fails this script).
#
# Environment (all optional):
#   BIN_DIR    folder with release connect-ingest and connect-bench (default: .build/release)
#   ROUNDS     interleaved rounds (default 5)
#   DURATION   seconds per run (default 5)
#   WORKERS    server workers (default 2)
#   SYNC       --sync of the server (default none: isolates CPU cost from fsync latency)
#   CASES      default "global account bearer"; "global global-again" is an A/A control: its
#              paired ratio shows how far apart two identical configurations land on this machine
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
        global|global-again) echo "" ;;   # global-again: an A/A control that shows the noise
        account) echo "--decoy-accounts 1000" ;;
        bearer) echo "--oauth" ;;
        *) echo "unknown case $1" >&2; exit 2 ;;
    esac
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
REVERSED="$(echo "$CASES" | tr ' ' '\n' | tac | tr '\n' ' ')"
for round in $(seq 1 "$ROUNDS"); do
    order="$CASES"
    if (( round % 2 == 0 )); then order="$REVERSED"; fi
    for case in $order; do
        out="$WORK/$case-$round.json"
        # shellcheck disable=SC2046
        "$BIN_DIR/connect-bench" --spawn --workers "$WORKERS" --sync "$SYNC" --payload small \
            --duration "$DURATION" --json $(flags_for "$case") > "$out" 2> "$WORK/$case-$round.stderr" \
            || { echo "round $round $case failed:"; cat "$WORK/$case-$round.stderr" "$out"; exit 1; }
        python3 - "$out" "$case" "$round" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["logCheck"]["passed"], "log check failed"
print(f"round {sys.argv[3]} {sys.argv[2]:12s} {r['acceptedPerSecond']:10.0f} msg/s  "
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
    runs = [json.load(open(p)) for p in sorted(glob.glob(f"{work}/{case}-[0-9]*.json"))]
    rate = statistics.median(r["acceptedPerSecond"] for r in runs)
    cpu = statistics.median(r["server"]["cpuMicrosecondsPerMessage"] for r in runs)
    medians[case] = (rate, cpu)
def run(case, i):
    return json.load(open(f"{work}/{case}-{i}.json"))
rounds = len(glob.glob(f"{work}/{cases[0]}-[0-9]*.json"))
print(f"\nmedians over {rounds} rounds (paired: median of the per-round ratio or difference to {cases[0]}):")
for case in cases:
    rate, cpu = medians[case]
    ratios = [run(case, i)["acceptedPerSecond"] / run(cases[0], i)["acceptedPerSecond"] for i in range(1, rounds + 1)]
    deltas = [run(case, i)["server"]["cpuMicrosecondsPerMessage"] - run(cases[0], i)["server"]["cpuMicrosecondsPerMessage"]
              for i in range(1, rounds + 1)]
    print(f"  {case:12s} {rate:10.0f} msg/s (paired ratio {statistics.median(ratios):6.3f})  "
          f"{cpu:6.2f} us CPU/msg (paired difference {statistics.median(deltas):+.2f} us)")
PY
