#!/usr/bin/env bash
# Runs the connect-ingest benchmark suite on this machine and writes
# perf/results/YYYY-MM-DD-<host>.md (see perf/README.md for the method and how to read it).
#
# Everything is measured with the project's generator, connect-bench, and cross-checked with wrk:
# ROUNDS interleaved rounds of {nginx `return 200`, connect-ingest --sync none, --sync batch} x
# {small, summary} with 2 workers, each once with connect-bench (spawned server, log checked
# exactly-once afterwards) and once with wrk (one fixed signed body, `connect-bench wrk-script`;
# the log is verified and must hold every 200); then the rest of the matrix (other payloads and
# worker counts) once; OPEN_RUNS open-loop runs each for none and batch at half their closed-loop
# small rates (and nginx on the none schedule); the micro-benchmarks. Targets (issue 16) are
# judged on the medians of the rounds; a missed one is profiled briefly (perf stat, perf record,
# strace -c) and the findings go into the results file.
#
# Environment (all optional):
#   PROJECT_ROOT      package root to build and run (default: the folder above this script)
#   BIN_DIR           use the connect-ingest/connect-bench binaries in this folder; skip the build
#   SWIFT_BUILD_FLAGS extra flags for `swift build -c release`, e.g. "--build-path /tmp/b"
#   DURATION          seconds per closed-loop and open-loop run (default 10)
#   DOC_DURATION      seconds per `documents` run (default: the smaller of DURATION and 3; each
#                     1 MiB message costs ~12 ms in the log read-back that follows the run)
#   CONNECTIONS       connections for small/summary/mix (default 64)
#   DOC_CONNECTIONS   connections for documents (default 8)
#   THREADS           generator threads (default 1, connect-bench's default)
#   WORKERS_LIST      server worker counts (default "1 2")
#   PAYLOADS          default "small summary mix documents"; `summary` bodies have
#                     SUMMARY_RECIPIENTS signers (default 6: 5.6-6.8 KB, about 6.4 KB)
#   ROUNDS            interleaved rounds of the small/summary comparison (default 3)
#   OPEN_RUNS         open-loop runs each for none and batch (default 5)
#   WRK               auto (use wrk when installed) | off
#   SYNCS             default "none batch"
#   NGINX_WORKERS     nginx worker_processes (default 2, the workers of the ratio row)
#   MICRO_SECONDS     minimum seconds per micro-benchmark (default 2; 0 skips micro mode)
#   PROFILE           auto (profile cases that miss a target) | always | off   (default auto)
#   PROFILE_SECONDS   seconds per perf stat / perf record window (default 3)
#   RESULTS_DIR       where the .md goes (default: results/ next to this script)
#   NGINX             nginx binary (default: nginx on PATH, then /usr/sbin/nginx)
#   KEEP_WORK         1 keeps the temporary folder of raw outputs (its path is printed)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(cd "${PROJECT_ROOT:-$SCRIPT_DIR/..}" && pwd)"
DURATION="${DURATION:-10}"
if [[ -z "${DOC_DURATION:-}" ]]; then
    DOC_DURATION=$(( DURATION < 3 ? DURATION : 3 ))
fi
CONNECTIONS="${CONNECTIONS:-64}"
DOC_CONNECTIONS="${DOC_CONNECTIONS:-8}"
THREADS="${THREADS:-1}"
WORKERS_LIST="${WORKERS_LIST:-1 2}"
PAYLOADS="${PAYLOADS:-small summary mix documents}"
SYNCS="${SYNCS:-none batch}"
NGINX_WORKERS="${NGINX_WORKERS:-2}"
SUMMARY_RECIPIENTS="${SUMMARY_RECIPIENTS:-6}"
ROUNDS="${ROUNDS:-3}"
OPEN_RUNS="${OPEN_RUNS:-5}"
WRK="${WRK:-auto}"
MICRO_SECONDS="${MICRO_SECONDS:-2}"
PROFILE="${PROFILE:-auto}"
PROFILE_SECONDS="${PROFILE_SECONDS:-3}"
RESULTS_DIR="${RESULTS_DIR:-$SCRIPT_DIR/results}"
SWIFT_BUILD_FLAGS="${SWIFT_BUILD_FLAGS:-}"
RENDER="$SCRIPT_DIR/render_results.py"

log() { printf '[run-suite %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# Whether a virtio balloon reports freed guest memory to the host (feature bit 5). Where it
# does, freeing a lot of memory stalls the virtual disk for a while (README, Sizing).
free_page_reporting() {
    local dev features
    for dev in /sys/bus/virtio/devices/*; do
        [[ "$(cat "$dev/device" 2>/dev/null)" == 0x0005 ]] || continue
        features=$(cat "$dev/features" 2>/dev/null)
        [[ "${features:5:1}" == 1 ]] && { echo "on (virtio-balloon)"; return; }
        echo "off (virtio-balloon without it)"; return
    done
    echo "no virtio balloon"
}
# Joins a command's words into one shell-quoted line (what the results file shows).
quote_cmd() { local out="" w; for w in "$@"; do out+="${out:+ }$(printf '%q' "$w")"; done; printf '%s' "$out"; }

command -v python3 >/dev/null || { echo "run-suite: python3 is required" >&2; exit 2; }

WORK="$(mktemp -d /tmp/connect-perf.XXXXXX)"
NGINX_PID=""
SERVER_PID=""
STRACE_PID=""
BENCH_PID=""
# connect-bench has no signal handling: if it is stopped mid-run, the server it spawned (in its
# own process group, with a log folder named after connect-bench's pid) lives on. Stop both.
stop_bench() {
    [[ -n "$BENCH_PID" ]] || return 0
    local tmp="${TMPDIR:-/tmp}" spawned pid i
    spawned="$(pgrep -f -- "--log-dir ${tmp%/}/connect-bench-$BENCH_PID-" || true)"
    # shellcheck disable=SC2086
    kill -TERM "$BENCH_PID" $spawned 2>/dev/null || true
    wait "$BENCH_PID" 2>/dev/null || true
    for pid in $spawned; do
        for (( i = 0; i < 50; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    rm -rf "${tmp%/}/connect-bench-$BENCH_PID-"*
    BENCH_PID=""
}
cleanup() {
    local pid
    stop_bench
    for pid in "$STRACE_PID" "$SERVER_PID" "$NGINX_PID"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    if [[ "${KEEP_WORK:-0}" == 1 ]]; then
        echo "run-suite: raw files kept in $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SUITE_START=$(date +%s)

# ---------------------------------------------------------------------------------------------
# Build (or take BIN_DIR).
# ---------------------------------------------------------------------------------------------
if [[ -z "${BIN_DIR:-}" ]]; then
    # shellcheck disable=SC2086  # SWIFT_BUILD_FLAGS is a list of flags on purpose
    (
        cd "$PROJECT_ROOT"
        log "building connect-ingest and connect-bench (swift build -c release) in $PROJECT_ROOT"
        # One --product per call: with several, SwiftPM builds only the last one.
        swift build -c release $SWIFT_BUILD_FLAGS --product connect-ingest >&2
        swift build -c release $SWIFT_BUILD_FLAGS --product connect-bench >&2
    )
    # shellcheck disable=SC2086
    BIN_DIR="$(cd "$PROJECT_ROOT" && swift build -c release $SWIFT_BUILD_FLAGS --show-bin-path)"
fi
BENCH="$BIN_DIR/connect-bench"
SERVER="$BIN_DIR/connect-ingest"
[[ -x "$BENCH" && -x "$SERVER" ]] || { echo "run-suite: no connect-bench/connect-ingest in $BIN_DIR" >&2; exit 2; }

# ---------------------------------------------------------------------------------------------
# The machine.
# ---------------------------------------------------------------------------------------------
git_info() {
    # The package root, else the repository its Sources folder links into (scratch mirrors).
    local r c dirty
    for r in "$PROJECT_ROOT" "$(readlink -f "$PROJECT_ROOT/Sources" 2>/dev/null || echo /nonexistent)/.."; do
        if c=$(git -C "$r" rev-parse --short HEAD 2>/dev/null); then
            dirty=$(git --no-optional-locks -C "$r" status --porcelain --untracked-files=no 2>/dev/null | wc -l)
            if [[ "$dirty" -gt 0 ]]; then
                echo "$c (plus uncommitted changes in $dirty tracked files)"
            else
                echo "$c"
            fi
            return
        fi
    done
    echo unknown
}
HOST_NAME="$(hostname -s 2>/dev/null || true)"
HOST_NAME="${HOST_NAME:-machine}"
{
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host=$HOST_NAME"
    echo "nproc=$(nproc)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "kernel=$(uname -srm)"
    echo "memory=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "free_page_reporting=$(free_page_reporting)"
    echo "commit=$(git_info)"
    echo "swift=$(swift --version 2>&1 | head -1 || echo unknown)"
    echo "project_root=$PROJECT_ROOT"
    echo "bin_dir=$BIN_DIR"
    echo "load_start=$(loadavg)"
    echo "duration=$DURATION"
    echo "doc_duration=$DOC_DURATION"
    echo "connections=$CONNECTIONS"
    echo "doc_connections=$DOC_CONNECTIONS"
    echo "threads=$THREADS"
    echo "nginx_workers=$NGINX_WORKERS"
    echo "summary_recipients=$SUMMARY_RECIPIENTS"
    echo "rounds=$ROUNDS"
    echo "open_runs=$OPEN_RUNS"
} > "$WORK/machine.txt"
log "machine: $(nproc) cores, load $(loadavg), commit $(grep '^commit=' "$WORK/machine.txt" | cut -d= -f2-)"

# ---------------------------------------------------------------------------------------------
# nginx baseline server.
# ---------------------------------------------------------------------------------------------
find_nginx() {
    if [[ -n "${NGINX:-}" ]]; then echo "$NGINX"; return; fi
    command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true
}
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_port() { # port timeout-seconds
    local i
    for (( i = 0; i < $2 * 20; i++ )); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    return 1
}

NGINX_BIN="$(find_nginx)"
if [[ -z "$NGINX_BIN" ]]; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        log "nginx missing: apt-get install -y nginx-light"
        if apt-get install -y nginx-light >&2 || { apt-get update >&2 && apt-get install -y nginx-light >&2; }; then
            NGINX_BIN="$(find_nginx)"
        fi
    fi
fi
NGINX_NOTE=""
NGINX_PORT=""
if [[ -z "$NGINX_BIN" ]]; then
    NGINX_NOTE="nginx is not installed and could not be installed (needs root and apt-get): baseline skipped."
    log "$NGINX_NOTE"
else
    NGINX_PORT="$(free_port)"
    mkdir -p "$WORK/nginx"
    cat > "$WORK/nginx/nginx.conf" <<EOF
# Written by perf/run-suite.sh: a do-nothing ceiling on the same path as connect-ingest.
worker_processes $NGINX_WORKERS;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 75s;
    server {
        listen 127.0.0.1:$NGINX_PORT reuseport;
        client_max_body_size 0;
        # return discards the request body (reads and drops it), whatever its size.
        location = /webhooks/docusign { return 200; }
    }
}
EOF
    "$NGINX_BIN" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx/" 2>>"$WORK/nginx/error.log" &
    NGINX_PID=$!
    if ! wait_port "$NGINX_PORT" 10; then
        NGINX_NOTE="nginx did not start (see its error log below): baseline skipped."
        log "$NGINX_NOTE"; cat "$WORK/nginx/error.log" >&2 || true
        kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true
        NGINX_PID=""; NGINX_PORT=""
    fi
fi
{
    echo "nginx=${NGINX_BIN:-none} $([[ -n "$NGINX_BIN" ]] && "$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //')"
    echo "nginx_note=$NGINX_NOTE"
} >> "$WORK/machine.txt"
[[ -f "$WORK/nginx/nginx.conf" ]] && cp "$WORK/nginx/nginx.conf" "$WORK/nginx.conf.used"

# ---------------------------------------------------------------------------------------------
# Runs. Each run gets a folder: meta.txt (key=value), out.json (connect-bench --json), err.txt.
# ---------------------------------------------------------------------------------------------
RUN_N=0
ROUND=""
HMAC_KEY="perf-suite-$(date +%s)-$RANDOM"
echo "$HMAC_KEY" > "$WORK/hmac.key"
run_bench() { # kind workers payload sync connections duration rate -- connect-bench args...
    local kind=$1 workers=$2 payload=$3 sync=$4 conns=$5 dur=$6 rate=$7
    shift 8
    RUN_N=$((RUN_N + 1))
    local dir; dir="$WORK/runs/$(printf '%02d' "$RUN_N")-$kind-w$workers-$payload-$sync"
    mkdir -p "$dir"
    local cmd; cmd="$(quote_cmd "$BENCH" "$@")"
    {
        echo "kind=$kind"; echo "workers=$workers"; echo "payload=$payload"; echo "sync=$sync"
        echo "connections=$conns"; echo "duration=$dur"; echo "rate=$rate"; echo "round=$ROUND"
        echo "load_before=$(loadavg)"; echo "command=$cmd"
    } > "$dir/meta.txt"
    log "run $RUN_N: $kind workers=$workers payload=$payload sync=$sync conns=$conns ${rate:+rate=$rate }${ROUND:+round $ROUND }(${dur}s), load $(loadavg)"
    local rc=0 mark0
    cpu_mark; mark0="$CPU_MARK"
    # In the background and waited for, so that a signal reaches the trap at once.
    "$BENCH" "$@" > "$dir/out.json" 2> "$dir/err.txt" &
    BENCH_PID=$!
    wait "$BENCH_PID" || rc=$?
    BENCH_PID=""
    cpu_mark
    echo "cpu_marks=$mark0 $CPU_MARK $(getconf CLK_TCK)" >> "$dir/meta.txt"
    echo "rc=$rc" >> "$dir/meta.txt"
    echo "load_after=$(loadavg)" >> "$dir/meta.txt"
    if [[ $rc -ne 0 ]]; then
        log "  connect-bench exited $rc; last lines of its output:"; tail -5 "$dir/err.txt" >&2 || true
    fi
    LAST_RUN_DIR="$dir"
}

# CPU that is not ours, to tell a slow run from a busy machine: the machine's user+nice ticks,
# minus the user time of the script's reaped children (connect-bench, with the server and the log
# reader it spawned and waited for; `times` must run in this shell, not in a $(...) subshell,
# hence the file), minus nginx's (running, not reaped, so read from /proc).
machine_user_ticks() { awk '/^cpu / { print $2 + $3 }' /proc/stat; }
nginx_ticks() { # "user-ticks user+system-ticks" of the nginx master and workers
    local user=0 total=0 pid u st
    if [[ -n "$NGINX_PID" ]]; then
        for pid in "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true); do
            [[ -r "/proc/$pid/stat" ]] || continue
            read -r u st < <(awk '{ sub(/^.*\) /, ""); print $12, $13 }' "/proc/$pid/stat") || continue
            user=$((user + u)); total=$((total + u + st))
        done
    fi
    echo "$user $total"
}
cpu_mark() { # sets CPU_MARK="epoch machine-user-ticks children-user-seconds nginx-user-ticks nginx-cpu-ticks"
    times > "$WORK/times.txt"
    CPU_MARK="$(date +%s.%N) $(machine_user_ticks) $(awk 'NR == 2 { split($1, a, /[ms]/); printf "%.3f", a[1] * 60 + a[2] }' "$WORK/times.txt") $(nginx_ticks)"
}

conns_for() { [[ "$1" == documents ]] && echo "$DOC_CONNECTIONS" || echo "$CONNECTIONS"; }
dur_for() { [[ "$1" == documents ]] && echo "$DOC_DURATION" || echo "$DURATION"; }
# connect-bench's payload flags: `summary` means envelope summaries with SUMMARY_RECIPIENTS signers.
payload_args() { if [[ "$1" == summary ]]; then echo "--payload summary --recipients $SUMMARY_RECIPIENTS"; else echo "--payload $1"; fi; }
has_payload() { [[ " $PAYLOADS " == *" $1 "* ]]; }

# wrk, with one signed body per payload (the same bodies connect-bench builds).
WRK_BIN=""
if [[ "$WRK" != off ]] && command -v wrk >/dev/null; then WRK_BIN="$(command -v wrk)"; fi
if [[ -n "$WRK_BIN" ]]; then
    for payload in small summary; do
        if [[ "$payload" == summary ]]; then
            "$BENCH" wrk-script --payload summary --recipients "$SUMMARY_RECIPIENTS" --min-bytes 6400 --hmac-key "$HMAC_KEY" > "$WORK/wrk-$payload.lua"
        else
            "$BENCH" wrk-script --payload small --hmac-key "$HMAC_KEY" > "$WORK/wrk-$payload.lua"
        fi
    done
    echo "wrk=$WRK_BIN $("$WRK_BIN" --version 2>&1 | head -1 | awk '{print $1, $2}')" >> "$WORK/machine.txt"
else
    echo "wrk_note=wrk is not installed (or WRK=off): no wrk cross-check." >> "$WORK/machine.txt"
fi
server_ticks() { # pid... -> user+system ticks of those processes
    local total=0 pid u st
    for pid in "$@"; do
        [[ -r "/proc/$pid/stat" ]] || continue
        read -r u st < <(awk '{ sub(/^.*\) /, ""); print $12, $13 }' "/proc/$pid/stat") || continue
        total=$((total + u + st))
    done
    echo "$total"
}
# wrk against nginx or a connect-ingest started here (2 workers, fresh log). Folder: meta.txt,
# wrk.txt, and for connect-ingest serve.err and verify.txt (the log after the run: every 200 must
# be in it). render_results.py turns it into an out.json like connect-bench's.
run_wrk() { # target(nginx|ingest) payload sync
    local target=$1 payload=$2 sync=$3
    RUN_N=$((RUN_N + 1))
    local dir; dir="$WORK/runs/$(printf '%02d' "$RUN_N")-wrk-$target-w2-$payload-$sync"
    mkdir -p "$dir"
    local port pids server_cmd=""
    if [[ "$target" == nginx ]]; then
        port="$NGINX_PORT"; pids="$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')"
    else
        "$SERVER" serve --host 127.0.0.1 --port 0 --workers 2 --sync "$sync" --log-dir "$dir/log" \
            --hmac-key-file "$WORK/hmac.key" > "$dir/serve.out" 2> "$dir/serve.err" &
        SERVER_PID=$!
        server_cmd="$(quote_cmd "$SERVER" serve --host 127.0.0.1 --port 0 --workers 2 --sync "$sync" --log-dir LOGDIR --hmac-key-file KEYFILE)"
        local i
        for (( i = 0; i < 200; i++ )); do
            port="$(grep -o 'listening on [^ ]*' "$dir/serve.out" 2>/dev/null | sed 's/.*://' || true)"
            [[ -n "$port" ]] && break
            sleep 0.05
        done
        pids="$SERVER_PID"
    fi
    local args=(-t2 "-c$CONNECTIONS" "-d${DURATION}s" --latency -s "$WORK/wrk-$payload.lua" "http://127.0.0.1:$port/webhooks/docusign")
    {
        echo "kind=wrk-$target"; echo "workers=2"; echo "payload=$payload"; echo "sync=$sync"
        echo "connections=$CONNECTIONS"; echo "duration=$DURATION"; echo "rate="; echo "round=$ROUND"
        echo "load_before=$(loadavg)"; echo "command=$(quote_cmd "$WRK_BIN" "${args[@]}")"
        echo "server_command=$server_cmd"
    } > "$dir/meta.txt"
    log "run $RUN_N: wrk $target payload=$payload sync=$sync ${ROUND:+round $ROUND }(${DURATION}s), load $(loadavg)"
    local mark0 t0 t1 rc=0
    # shellcheck disable=SC2086
    t0="$(server_ticks $pids)"
    cpu_mark; mark0="$CPU_MARK"
    "$WRK_BIN" "${args[@]}" > "$dir/wrk.txt" 2> "$dir/wrk.err" || rc=$?
    cpu_mark
    # shellcheck disable=SC2086
    t1="$(server_ticks $pids)"
    {
        echo "cpu_marks=$mark0 $CPU_MARK $(getconf CLK_TCK)"
        echo "server_ticks=$t0 $t1 $(getconf CLK_TCK)"
        echo "rc=$rc"; echo "load_after=$(loadavg)"
    } >> "$dir/meta.txt"
    if [[ "$target" == ingest ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
        "$SERVER" verify --log-dir "$dir/log" > "$dir/verify.txt" 2>&1 || true
        rm -rf "$dir/log"
    fi
    python3 "$RENDER" wrk-json "$dir" > "$dir/out.json" || true
}

# The comparison the targets are judged on: ROUNDS interleaved rounds, 2 workers.
for (( r = 1; r <= ROUNDS; r++ )); do
    ROUND=$r
    for payload in small summary; do
        has_payload "$payload" || continue
        # shellcheck disable=SC2046
        if [[ -n "$NGINX_PORT" ]]; then
            run_bench nginx "$NGINX_WORKERS" "$payload" - "$CONNECTIONS" "$DURATION" "" -- \
                --url "http://127.0.0.1:$NGINX_PORT/webhooks/docusign" --hmac-key "$HMAC_KEY" \
                $(payload_args "$payload") --connections "$CONNECTIONS" --threads "$THREADS" --duration "$DURATION" --json
        fi
        for sync in $SYNCS; do
            # shellcheck disable=SC2046
            run_bench ingest 2 "$payload" "$sync" "$CONNECTIONS" "$DURATION" "" -- \
                --spawn --workers 2 --sync "$sync" $(payload_args "$payload") \
                --connections "$CONNECTIONS" --threads "$THREADS" --duration "$DURATION" --json
        done
        if [[ -n "$WRK_BIN" ]]; then
            [[ -n "$NGINX_PORT" ]] && run_wrk nginx "$payload" -
            for sync in $SYNCS; do run_wrk ingest "$payload" "$sync"; done
        fi
    done
done
ROUND=""

# The rest of the matrix, once: the other payloads with 2 workers, and every payload with the
# other worker counts (workers from most to fewest, each payload right after its nginx row).
WORKERS_ORDER="$(tr ' ' '\n' <<< "$WORKERS_LIST" | grep -v '^$' | sort -rn | tr '\n' ' ')"
for payload in $PAYLOADS; do
    conns="$(conns_for "$payload")"; dur="$(dur_for "$payload")"
    in_rounds=0
    [[ "$payload" == small || "$payload" == summary ]] && (( ROUNDS > 0 )) && in_rounds=1
    # shellcheck disable=SC2046
    if [[ -n "$NGINX_PORT" && $in_rounds == 0 ]]; then
        run_bench nginx "$NGINX_WORKERS" "$payload" - "$conns" "$dur" "" -- \
            --url "http://127.0.0.1:$NGINX_PORT/webhooks/docusign" --hmac-key "$HMAC_KEY" \
            $(payload_args "$payload") --connections "$conns" --threads "$THREADS" --duration "$dur" --json
    fi
    for workers in $WORKERS_ORDER; do
        [[ $in_rounds == 1 && "$workers" == 2 ]] && continue
        for sync in $SYNCS; do
            # shellcheck disable=SC2046
            run_bench ingest "$workers" "$payload" "$sync" "$conns" "$dur" "" -- \
                --spawn --workers "$workers" --sync "$sync" $(payload_args "$payload") \
                --connections "$conns" --threads "$THREADS" --duration "$dur" --json
        done
    done
done

# Open loop at half the closed-loop small rates (medians of the rounds): OPEN_RUNS runs each for
# none and batch, interleaved, then nginx on the none schedule.
OPEN_RATE_NONE="$(python3 "$RENDER" half-rate "$WORK" small none || true)"
OPEN_RATE_BATCH="$(python3 "$RENDER" half-rate "$WORK" small batch || true)"
for (( r = 1; r <= OPEN_RUNS; r++ )); do
    ROUND=$r
    for sync in $SYNCS; do
        rate="$OPEN_RATE_NONE"; [[ "$sync" == batch ]] && rate="$OPEN_RATE_BATCH"
        [[ -n "$rate" && "$rate" -gt 0 ]] || continue
        run_bench open 2 small "$sync" "$CONNECTIONS" "$DURATION" "$rate" -- \
            --spawn --workers 2 --sync "$sync" --payload small --connections "$CONNECTIONS" \
            --threads "$THREADS" --rate "$rate" --duration "$DURATION" --json
    done
done
ROUND=""
if [[ -n "$NGINX_PORT" && -n "$OPEN_RATE_NONE" && "$OPEN_RATE_NONE" -gt 0 ]]; then
    # The same schedule against nginx: what the machine and the generator add to the latency.
    run_bench nginx-open "$NGINX_WORKERS" small - "$CONNECTIONS" "$DURATION" "$OPEN_RATE_NONE" -- \
        --url "http://127.0.0.1:$NGINX_PORT/webhooks/docusign" --hmac-key "$HMAC_KEY" \
        --payload small --connections "$CONNECTIONS" --threads "$THREADS" \
        --rate "$OPEN_RATE_NONE" --duration "$DURATION" --json
fi
[[ -z "$OPEN_RATE_NONE" ]] && log "no small/none/2-workers closed-loop rate: open-loop runs skipped"

# Micro-benchmarks.
if [[ "$MICRO_SECONDS" != 0 ]]; then
    log "micro: connect-bench micro --seconds $MICRO_SECONDS --json"
    echo "$(quote_cmd "$BENCH" micro --seconds "$MICRO_SECONDS" --json)" > "$WORK/micro.cmd"
    rc=0
    "$BENCH" micro --seconds "$MICRO_SECONDS" --json > "$WORK/micro.jsonl" 2> "$WORK/micro.err" &
    BENCH_PID=$!
    wait "$BENCH_PID" || rc=$?
    BENCH_PID=""
    echo "$rc" > "$WORK/micro.rc"
fi

# ---------------------------------------------------------------------------------------------
# Where the time goes, for the cases that miss a target.
# ---------------------------------------------------------------------------------------------
proc_cpu_ticks() { # pid -> "utime stime" in clock ticks (whole process)
    awk '{ sub(/^.*\) /, ""); print $12, $13 }' "/proc/$1/stat"
}
start_load() { # out.json err.txt connect-bench-args... : starts it, returns once it is sending
    local out=$1 err=$2 i
    shift 2
    "$BENCH" "$@" > "$out" 2> "$err" &
    BENCH_PID=$!
    for (( i = 0; i < 600; i++ )); do
        grep -q 'connect-bench: sending' "$err" 2>/dev/null && break
        kill -0 "$BENCH_PID" 2>/dev/null || break
        sleep 0.05
    done
    sleep 0.5
}
profile_case() { # payload sync rate(or empty) reason
    local payload=$1 sync=$2 rate=$3 reason=$4
    local conns; conns="$(conns_for "$payload")"
    local dir; dir="$WORK/profiles/$payload-$sync${rate:+-rate$rate}"
    mkdir -p "$dir/log"
    echo "$HMAC_KEY" > "$dir/key"
    {
        echo "payload=$payload"; echo "sync=$sync"; echo "rate=$rate"; echo "connections=$conns"
        echo "reason=$reason"; echo "window=$PROFILE_SECONDS"; echo "load_before=$(loadavg)"
    } > "$dir/meta.txt"
    log "profiling $payload sync=$sync ${rate:+rate=$rate }($reason)"
    "$SERVER" serve --host 127.0.0.1 --port 0 --workers 2 --sync "$sync" --log-dir "$dir/log" \
        --hmac-key-file "$dir/key" > "$dir/serve.out" 2> "$dir/serve.err" &
    SERVER_PID=$!
    local port="" i
    for (( i = 0; i < 200; i++ )); do
        port="$(grep -o 'listening on [^ ]*' "$dir/serve.out" 2>/dev/null | sed 's/.*://' || true)"
        [[ -n "$port" ]] && break
        sleep 0.05
    done
    if [[ -z "$port" ]]; then
        log "  server did not start"; kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; return
    fi
    echo "server_command=$(quote_cmd "$SERVER" serve --host 127.0.0.1 --port 0 --workers 2 --sync "$sync" --log-dir LOGDIR --hmac-key-file KEYFILE)" >> "$dir/meta.txt"
    # base: closed loop; args: with the rate when the case is about open-loop latency.
    local base=(--url "http://127.0.0.1:$port/webhooks/docusign" --hmac-key "$HMAC_KEY"
                $(payload_args "$payload") --connections "$conns" --threads "$THREADS" --pool-mb 32 --json)
    local args=("${base[@]}")
    [[ -n "$rate" ]] && args+=(--rate "$rate")
    # The window opens half a second after the generator starts sending (it first builds its
    # request pool) and closes a second and a half before it stops.
    local load_dur=$((PROFILE_SECONDS + 2))

    # 1. perf stat and the user/kernel split from /proc over the same window.
    start_load "$dir/stat-bench.json" "$dir/stat-bench.err" "${args[@]}" --duration "$load_dur"
    local t0; t0="$(proc_cpu_ticks "$SERVER_PID")"
    perf stat -x, -e task-clock,context-switches,cpu-migrations -o "$dir/perfstat.csv" \
        -p "$SERVER_PID" -- sleep "$PROFILE_SECONDS" 2> "$dir/perfstat.err" || true
    local t1; t1="$(proc_cpu_ticks "$SERVER_PID")"
    wait "$BENCH_PID" || true; BENCH_PID=""
    echo "ticks=$t0 $t1 $(getconf CLK_TCK)" >> "$dir/meta.txt"
    echo "stat_command=$(quote_cmd perf stat -e task-clock,context-switches,cpu-migrations -p SERVERPID -- sleep "$PROFILE_SECONDS")" >> "$dir/meta.txt"
    echo "bench_command=$(quote_cmd "$BENCH" "${args[@]}" --duration "$load_dur")" >> "$dir/meta.txt"

    # 2. perf record: top symbols.
    start_load "$dir/record-bench.json" "$dir/record-bench.err" "${args[@]}" --duration "$load_dur"
    perf record -g -F 1999 -o "$dir/perf.data" -p "$SERVER_PID" -- sleep "$PROFILE_SECONDS" \
        > "$dir/record.err" 2>&1 || true
    wait "$BENCH_PID" || true; BENCH_PID=""
    echo "record_command=$(quote_cmd perf record -g -F 1999 -p SERVERPID -- sleep "$PROFILE_SECONDS")" >> "$dir/meta.txt"
    if [[ -s "$dir/perf.data" ]]; then
        local demangle=cat
        command -v swift-demangle >/dev/null && demangle="swift-demangle --simplified"
        perf report -i "$dir/perf.data" --no-children --sort sym -g none --stdio 2>/dev/null \
            | $demangle > "$dir/report-sym.txt" || true
        perf report -i "$dir/perf.data" --no-children --sort dso -g none --stdio 2>/dev/null \
            > "$dir/report-dso.txt" || true
        rm -f "$dir/perf.data"
    fi

    # 3. strace -c: syscalls per request over a fixed number of messages.
    local n=20000
    case "$payload" in summary) n=10000 ;; mix) n=10000 ;; documents) n=200 ;; esac
    [[ "$sync" != none ]] && n=$((n / 4))
    strace -c -f -o "$dir/strace.txt" -p "$SERVER_PID" 2> "$dir/strace.err" &
    STRACE_PID=$!
    sleep 1
    # Closed loop here whatever the case: strace slows the server down, and a fixed rate would
    # only pile up a backlog; what is wanted is the syscalls per request, not a rate.
    local sargs=("${base[@]}")
    "$BENCH" "${sargs[@]}" --messages "$n" > "$dir/strace-bench.json" 2>/dev/null &
    BENCH_PID=$!
    wait "$BENCH_PID" || true
    BENCH_PID=""
    kill -INT "$STRACE_PID" 2>/dev/null || true
    wait "$STRACE_PID" 2>/dev/null || true; STRACE_PID=""
    echo "strace_messages=$n" >> "$dir/meta.txt"
    echo "strace_command=$(quote_cmd strace -c -f -p SERVERPID) (during $(quote_cmd "$BENCH" "${sargs[@]}" --messages "$n"))" >> "$dir/meta.txt"

    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
    rm -rf "$dir/log"
}

if [[ "$PROFILE" != off ]]; then
    if ! command -v perf >/dev/null || ! command -v strace >/dev/null; then
        log "perf or strace missing: no profiles"
        echo "profile_note=perf or strace is not installed: no profiles." >> "$WORK/machine.txt"
    else
        # One line per case to profile: payload sync rate reason
        python3 "$RENDER" targets "$WORK" "$PROFILE" > "$WORK/to-profile.txt"
        while read -r p s r reason; do
            [[ -z "$p" ]] && continue
            [[ "$r" == - ]] && r=""
            profile_case "$p" "$s" "$r" "$reason"
        done < "$WORK/to-profile.txt"
    fi
fi

# ---------------------------------------------------------------------------------------------
# Results.
# ---------------------------------------------------------------------------------------------
{
    echo "load_end=$(loadavg)"
    echo "total_seconds=$(( $(date +%s) - SUITE_START ))"
} >> "$WORK/machine.txt"
mkdir -p "$RESULTS_DIR"
OUT="$RESULTS_DIR/$(date +%Y-%m-%d)-$HOST_NAME.md"
python3 "$RENDER" render "$WORK" "$OUT"
# Results are kept in the repository: paths inside the project are written relative to its root,
# so no tracked file names a folder outside it (Tests/ProjectTests/SelfContainedTests).
python3 - "$PROJECT_ROOT" "$OUT" <<'PY'
import sys
root, out = sys.argv[1].rstrip("/"), sys.argv[2]
text = open(out).read()
text = text.replace(root + "/", "./").replace(root.replace("/", "\\/") + "\\/", ".\\/")
open(out, "w").write(text)
PY
log "wrote $OUT"
python3 "$RENDER" headline "$WORK"
