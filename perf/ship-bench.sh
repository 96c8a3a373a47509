#!/usr/bin/env bash
# Measures `connect-ingest ship` on this machine (issue 14) and prints the figures with the exact
# commands it ran:
#   1. ship's rate from a pre-filled log of RECORDS small records into a 1-node R1 stream and
#      into a 3-node R3 stream (nats-server processes on 127.0.0.1, file storage);
#   2. the rate of the same publishes from a stock client, nats-py (PyPI; installed into a
#      virtualenv under the build folder), on the same servers;
#   3. ship's lag (its per-second summary lines) while connect-bench floods `serve` at its
#      default --sync (batch), shipping into the 1-node R1 stream and into the 3-node R3 stream.
# Every ship run is checked afterwards: the stream holds exactly the log's records.
#
# Environment (all optional):
#   RECORDS       records in the pre-filled log (default 1000000)
#   FLOOD_SECONDS connect-bench duration for the lag run (default 20)
#   CONNECTIONS   connect-bench connections for the lag run (default 64)
#   BIN_DIR       folder with release connect-ingest and connect-bench (default: build them)
#   NATS_SERVER   nats-server binary (default: nats-server on PATH, then /usr/sbin/nats-server)
#   SKIP_NATSPY   1 to skip the nats-py runs
#   MAX_IN_FLIGHT ship's --max-in-flight (default: ship's default, 4096)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RECORDS="${RECORDS:-1000000}"
FLOOD_SECONDS="${FLOOD_SECONDS:-20}"
CONNECTIONS="${CONNECTIONS:-64}"
NATS_SERVER="${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}"
if [ -z "${BIN_DIR:-}" ]; then
    (cd "$ROOT" && swift build -c release --product connect-ingest >/dev/null && swift build -c release --product connect-bench >/dev/null)
    BIN_DIR="$ROOT/.build/release"
fi
INGEST="$BIN_DIR/connect-ingest"
BENCH="$BIN_DIR/connect-bench"
WORK="$(mktemp -d /tmp/connect-ship-bench.XXXXXX)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Output names paths relative to the project root (results files are committed).
say() { local text="$*"; text="${text//$ROOT\//}"; printf '%s\n' "${text//$WORK\//WORK/}"; }
run() { say "\$ $*"; "$@"; }

# start_servers NAME N: N nats-server nodes (a cluster when N > 1); sets URLS.
start_servers() {
    local name="$1" n="$2" i j routes ports=() cports=()
    for ((i = 0; i < n; i++)); do ports+=("$(free_port)"); cports+=("$(free_port)"); done
    URLS=""
    for ((i = 0; i < n; i++)); do
        local dir="$WORK/$name-n$i"
        mkdir -p "$dir/store"
        {
            echo "server_name: $name-n$i"
            echo "listen: 127.0.0.1:${ports[$i]}"
            echo "jetstream { store_dir: \"$dir/store\", max_file_store: 17179869184 }"
            if [ "$n" -gt 1 ]; then
                routes=""
                for ((j = 0; j < n; j++)); do [ "$j" != "$i" ] && routes="$routes nats-route://127.0.0.1:${cports[$j]}"; done
                echo "cluster { name: $name, listen: 127.0.0.1:${cports[$i]}, routes: [$(echo $routes | tr ' ' ',')] }"
            fi
        } > "$dir/server.conf"
        "$NATS_SERVER" -c "$dir/server.conf" > "$dir/server.log" 2>&1 &
        PIDS+=($!)
        disown $! 2>/dev/null || true  # no "Killed" notice when the next section kills it
        URLS="${URLS:+$URLS,}nats://127.0.0.1:${ports[$i]}"
    done
    sleep 3  # route connections and the JetStream meta leader election
}

# ship_rate STREAM REPLICAS: ships the pre-filled log, prints records/s, checks the stream.
ship_rate() {
    local stream="$1" replicas="$2" log="$WORK/ship-$1.err" start end pid
    rm -f "$WORK/$stream.checkpoint"
    say "\$ $INGEST ship --log-dir $WORK/log --nats $URLS --stream $stream --create-stream --replicas $replicas --instance bench --checkpoint $WORK/$stream.checkpoint"
    start=$(date +%s.%N)
    "$INGEST" ship --log-dir "$WORK/log" --nats "$URLS" --stream "$stream" --create-stream --replicas "$replicas" \
        --instance bench --checkpoint "$WORK/$stream.checkpoint" ${MAX_IN_FLIGHT:+--max-in-flight $MAX_IN_FLIGHT} 2> "$log" &
    pid=$!
    PIDS+=($pid)
    while [ "$(cat "$WORK/$stream.checkpoint" 2>/dev/null || echo 0)" -lt "$RECORDS" ]; do
        kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
        sleep 0.05
    done
    end=$(date +%s.%N)
    local cpu
    cpu=$(awk '{printf "%.1f", ($14 + $15) / 100}' "/proc/$pid/stat")
    kill -TERM "$pid"; wait "$pid" || true
    say "ship $stream (R$replicas): $RECORDS records in $(python3 -c "print(round($end - $start, 2))") s = $(python3 -c "print(round($RECORDS / ($end - $start)))") records/s; ship CPU ${cpu} s"
    grep "event=ship_stopped" "$log" || true
}

stream_messages() {  # stream_messages STREAM: via the project's own client is not scriptable; ask nats-py
    "$PY" - "$URLS" "$1" <<'PYEOF'
import asyncio, sys, nats
async def main():
    nc = await nats.connect(servers=sys.argv[1].split(","))
    info = await nc.jetstream().stream_info(sys.argv[2])
    print(info.state.messages)
    await nc.close()
asyncio.run(main())
PYEOF
}

natspy_rate() {
    local stream="$1" replicas="$2"
    say "\$ $PY perf/ship_natspy.py --servers $URLS --stream $stream --prefix py --replicas $replicas --input log.jsonl"
    "$PY" "$ROOT/perf/ship_natspy.py" --servers "$URLS" --stream "$stream" --prefix py --replicas "$replicas" --input "$WORK/log.jsonl"
}

# lag_run LABEL REPLICAS: floods a fresh serve while ship follows its log into stream LAG.
lag_run() {
    local label="$1" replicas="$2" KEY="perf-ship-bench-key" SERVE SHIP PORT STORED
    say; say "## lag during a flood of serve (default --sync), shipping into the $label"
    rm -rf "$WORK/flood"; mkdir -p "$WORK/flood"
    CONNECT_HMAC_KEYS="$KEY" "$INGEST" serve --host 127.0.0.1 --port 0 --log-dir "$WORK/flood" > "$WORK/serve.out" 2> "$WORK/serve.err" &
    SERVE=$!; PIDS+=($SERVE)
    for _ in $(seq 100); do grep -q "listening on" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
    PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$WORK/serve.out")
    "$INGEST" ship --log-dir "$WORK/flood" --nats "$URLS" --stream LAG --subject 'lag.{accountId}.{configurationId}.{event}' \
        --create-stream --replicas "$replicas" --instance flood ${MAX_IN_FLIGHT:+--max-in-flight $MAX_IN_FLIGHT} 2> "$WORK/lag.err" &
    SHIP=$!; PIDS+=($SHIP)
    say "\$ CONNECT_HMAC_KEYS=... $INGEST serve --host 127.0.0.1 --port 0 --log-dir flood   (default --sync batch)"
    say "\$ $INGEST ship --log-dir flood --nats $URLS --stream LAG --subject 'lag.{accountId}.{configurationId}.{event}' --create-stream --replicas $replicas"
    run "$BENCH" --url "http://127.0.0.1:$PORT/webhooks/docusign" --hmac-key "$KEY" --connections "$CONNECTIONS" --duration "$FLOOD_SECONDS" --payload small | grep -E "throughput|latency|result"
    say "load average after the flood: $(cut -d' ' -f1-3 /proc/loadavg)"
    sleep 3
    kill -TERM "$SHIP"; wait "$SHIP" || true
    kill -TERM "$SERVE"; wait "$SERVE" || true
    STORED=$("$INGEST" read --log-dir "$WORK/flood" --format raw | wc -l)
    say "serve stored $STORED messages; stream LAG holds $(stream_messages LAG)"
    python3 - "$WORK/lag.err" <<'PYEOF'
import re, sys, statistics
lags, records = [], []
for line in open(sys.argv[1]):
    if "event=ship_summary" in line:
        lags.append(float(re.search(r"lag_seconds=([0-9.]+)", line).group(1)))
        records.append(int(re.search(r"lag_records=([0-9]+)", line).group(1)))
if lags:
    print("ship lag during the flood (%d per-second summary lines): lag_seconds median %.3f, max %.3f; lag_records median %d, max %d"
          % (len(lags), statistics.median(lags), max(lags), statistics.median(records), max(records)))
PYEOF
    grep "event=ship_stopped" "$WORK/lag.err" || true
}

say "# connect-ingest ship benchmark, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
say "# nats-server $("$NATS_SERVER" --version)"
PY="$ROOT/.build/perf-venv/bin/python"
if [ ! -x "$PY" ]; then python3 -m venv "$ROOT/.build/perf-venv" && "$ROOT/.build/perf-venv/bin/pip" install -q nats-py; fi
say "# nats-py $("$PY" -c 'import importlib.metadata as m; print(m.version("nats-py"))')"

run "$BENCH" fill-log --log-dir "$WORK/log" --records "$RECORDS"
if [ "${SKIP_NATSPY:-0}" != 1 ]; then "$INGEST" read --log-dir "$WORK/log" --format jsonl > "$WORK/log.jsonl"; fi

say; say "## 1-node server, R1 streams"
start_servers r1 1
ship_rate SHIP 1
[ "$(stream_messages SHIP)" = "$RECORDS" ] && say "check: stream SHIP holds $RECORDS messages" || say "CHECK FAILED: stream SHIP holds $(stream_messages SHIP)"
if [ "${SKIP_NATSPY:-0}" != 1 ]; then natspy_rate PY 1; fi
lag_run "1-node R1 stream" 1
for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done; PIDS=()

say; say "## 3-node cluster, R3 streams"
start_servers r3 3
ship_rate SHIP 3
[ "$(stream_messages SHIP)" = "$RECORDS" ] && say "check: stream SHIP holds $RECORDS messages" || say "CHECK FAILED: stream SHIP holds $(stream_messages SHIP)"
if [ "${SKIP_NATSPY:-0}" != 1 ]; then natspy_rate PY 3; fi
lag_run "3-node R3 stream" 3
