#!/usr/bin/env bash
# Native TLS against nginx, with one generator (connect-bench --tls) for every case, in the same
# run, interleaved rounds, medians. Writes perf/results/YYYY-MM-DD-tls-<host>.md.
#
#   (a) connect-ingest terminating TLS itself (serve --tls-cert --tls-key)
#   (b) nginx terminating TLS and proxying to a plain connect-ingest: the README's tested
#       recipe (the block after `<!-- tested: TLSProxyExampleTests -->`), verbatim
#   (c) nginx terminating TLS and answering `return 200`: a do-nothing ceiling
#
# Throughput: 64 keep-alive connections, small messages, closed loop, DURATION seconds per case,
# ROUNDS rounds, the order of a/b/c rotating each round. Handshakes: the same three with
# `--connection-close` (one connection, one handshake, one message), with and without session
# resumption. connect-ingest runs with --workers WORKERS --sync SYNC in (a) and behind (b); nginx
# with worker_processes WORKERS. Everything shares this machine's cores with the generator.
#
# Environment (all optional):
#   PROJECT_ROOT       package root (default: the folder above this script)
#   BIN_DIR            use connect-ingest/connect-bench from here; skip the build
#   SWIFT_BUILD_FLAGS  extra flags for `swift build -c release`
#   DURATION           seconds per throughput case (default 10)
#   HS_DURATION        seconds per handshake case (default 5)
#   ROUNDS             interleaved rounds (default 3)
#   CONNECTIONS        throughput connections (default 64)
#   HS_CONNECTIONS     handshake-case connections (default 16)
#   WORKERS            connect-ingest workers and nginx worker_processes (default 2)
#   SYNC               connect-ingest --sync (default none: the comparison is about transport)
#   THREADS            generator threads (default 1)
#   NGINX              nginx binary (default: nginx on PATH, then /usr/sbin/nginx)
#   RESULTS_DIR        where the .md goes (default: results/ next to this script)
#   KEEP_WORK          1 keeps the temporary folder
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(cd "${PROJECT_ROOT:-$SCRIPT_DIR/..}" && pwd)"
DURATION="${DURATION:-10}"
HS_DURATION="${HS_DURATION:-5}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-64}"
HS_CONNECTIONS="${HS_CONNECTIONS:-16}"
WORKERS="${WORKERS:-2}"
SYNC="${SYNC:-none}"
THREADS="${THREADS:-1}"
RESULTS_DIR="${RESULTS_DIR:-$SCRIPT_DIR/results}"
SWIFT_BUILD_FLAGS="${SWIFT_BUILD_FLAGS:-}"

log() { printf '[tls-compare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
quote_cmd() { local out="" w; for w in "$@"; do out+="${out:+ }$(printf '%q' "$w")"; done; printf '%s' "$out"; }
command -v python3 >/dev/null || { echo "tls-compare: python3 is required" >&2; exit 2; }
command -v openssl >/dev/null || { echo "tls-compare: the openssl command is required" >&2; exit 2; }

WORK="$(mktemp -d /tmp/connect-tls-perf.XXXXXX)"
NGINX_PID=""
UPSTREAM_PID=""
BENCH_PID=""
cleanup() {
    local pid
    for pid in "$BENCH_PID" "$UPSTREAM_PID" "$NGINX_PID"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    done
    if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "tls-compare: raw files kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z "${BIN_DIR:-}" ]]; then
    # shellcheck disable=SC2086
    (
        cd "$PROJECT_ROOT"
        log "building (swift build -c release) in $PROJECT_ROOT"
        swift build -c release $SWIFT_BUILD_FLAGS --product connect-ingest >&2
        swift build -c release $SWIFT_BUILD_FLAGS --product connect-bench >&2
    )
    # shellcheck disable=SC2086
    BIN_DIR="$(cd "$PROJECT_ROOT" && swift build -c release $SWIFT_BUILD_FLAGS --show-bin-path)"
fi
BENCH="$BIN_DIR/connect-bench"
SERVER="$BIN_DIR/connect-ingest"
[[ -x "$BENCH" && -x "$SERVER" ]] || { echo "tls-compare: no connect-bench/connect-ingest in $BIN_DIR" >&2; exit 2; }
NGINX_BIN="${NGINX:-$(command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true)}"
[[ -n "$NGINX_BIN" ]] || { echo "tls-compare: nginx is required (Debian: apt-get install nginx-light)" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { local i; for (( i = 0; i < $2 * 20; i++ )); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# A CA and a server certificate for 127.0.0.1 (EC P-256, like the tests), made now.
CERTS="$WORK/certs"; mkdir -p "$CERTS"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=tls-compare CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
    -keyout "$CERTS/ca.key" -out "$CERTS/ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$CERTS/server.key" -out "$CERTS/server.csr" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$CERTS/server.ext"
openssl x509 -req -in "$CERTS/server.csr" -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca.key" -CAcreateserial -days 2 \
    -extfile "$CERTS/server.ext" -out "$CERTS/server.pem" 2>/dev/null
cat "$CERTS/server.pem" "$CERTS/ca.pem" > "$CERTS/chain.pem"
HMAC_KEY="tls-compare-$(date +%s)-$RANDOM"
echo "$HMAC_KEY" > "$WORK/hmac.key"

# The plain connect-ingest behind nginx (b): its own log, restarted for every (b) case.
UPSTREAM_PORT="$(free_port)"
start_upstream() {
    rm -rf "$WORK/upstream-log"
    "$SERVER" serve --host 127.0.0.1 --port "$UPSTREAM_PORT" --workers "$WORKERS" --sync "$SYNC" \
        --log-dir "$WORK/upstream-log" --hmac-key-file "$WORK/hmac.key" > "$WORK/upstream.out" 2>> "$WORK/upstream.err" &
    UPSTREAM_PID=$!
    wait_port "$UPSTREAM_PORT" 20 || { log "upstream connect-ingest did not start"; cat "$WORK/upstream.err" >&2; exit 1; }
}
stop_upstream() {
    [[ -n "$UPSTREAM_PID" ]] || return 0
    kill -TERM "$UPSTREAM_PID" 2>/dev/null || true; wait "$UPSTREAM_PID" 2>/dev/null || true; UPSTREAM_PID=""
}

# nginx: the README recipe on PROXY_PORT (b) and `return 200` over TLS on CEILING_PORT (c).
PROXY_PORT="$(free_port)"; CEILING_PORT="$(free_port)"
README_BLOCK="$(python3 - "$PROJECT_ROOT/README.md" <<'EOF'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
i = next(n for n, l in enumerate(lines) if l.strip() == "<!-- tested: TLSProxyExampleTests -->")
o = next(n for n in range(i + 1, len(lines)) if lines[n].startswith("```"))
c = next(n for n in range(o + 1, len(lines)) if lines[n].strip() == "```")
print("\n".join(lines[o + 1:c]))
EOF
)"
README_BLOCK="${README_BLOCK//__CERT__/$CERTS/chain.pem}"
README_BLOCK="${README_BLOCK//__KEY__/$CERTS/server.key}"
README_BLOCK="${README_BLOCK//__LISTEN_PORT__/127.0.0.1:$PROXY_PORT reuseport}"
README_BLOCK="${README_BLOCK//__UPSTREAM_PORT__/$UPSTREAM_PORT}"
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<EOF
# Written by perf/tls-compare.sh.
worker_processes $WORKERS;
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

    # (b) the README's nginx block, placeholders filled in:
$README_BLOCK

    # (c) the ceiling: the same TLS settings, no upstream.
    server {
        listen 127.0.0.1:$CEILING_PORT ssl reuseport;
        ssl_certificate     $CERTS/chain.pem;
        ssl_certificate_key $CERTS/server.key;
        ssl_protocols       TLSv1.2 TLSv1.3;
        ssl_session_cache   shared:ceiling_tls:10m;
        ssl_session_timeout 1h;
        client_max_body_size 0;
        location = /webhooks/docusign { return 200; }
    }
}
EOF
"$NGINX_BIN" -t -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx/" 2>"$WORK/nginx/test.log" || { cat "$WORK/nginx/test.log" >&2; exit 1; }
"$NGINX_BIN" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx/" 2>>"$WORK/nginx/error.log" &
NGINX_PID=$!
wait_port "$CEILING_PORT" 10 || { cat "$WORK/nginx/error.log" >&2; exit 1; }
cp "$WORK/nginx/nginx.conf" "$WORK/nginx.conf.used"

{
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host=$(hostname -s 2>/dev/null || echo machine)"
    echo "nproc=$(nproc)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "kernel=$(uname -srm)"
    echo "commit=$(git -C "$PROJECT_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "openssl=$(openssl version)"
    echo "nginx=$("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //')"
    echo "load_start=$(loadavg)"
    echo "duration=$DURATION"; echo "hs_duration=$HS_DURATION"; echo "rounds=$ROUNDS"
    echo "connections=$CONNECTIONS"; echo "hs_connections=$HS_CONNECTIONS"
    echo "workers=$WORKERS"; echo "sync=$SYNC"; echo "threads=$THREADS"
} > "$WORK/machine.txt"
log "machine: $(nproc) cores, load $(loadavg)"

# CPU ticks (user+system) of nginx's processes and of the upstream connect-ingest, to put a
# CPU cost per message next to (b) and (c) (connect-bench measures it for the server it spawns).
proc_ticks() { [[ -r "/proc/$1/stat" ]] && awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" || echo 0; }
proxy_ticks() {
    local total=0 pid
    for pid in "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true) ${UPSTREAM_PID:-}; do total=$((total + $(proc_ticks "$pid"))); done
    echo "$total"
}

N=0
run() { # case-name round -- connect-bench args...
    local name=$1 round=$2; shift 3
    N=$((N + 1))
    local dir; dir="$WORK/runs/$(printf '%02d' "$N")-$name-r$round"; mkdir -p "$dir"
    { echo "case=$name"; echo "round=$round"; echo "load_before=$(loadavg)"
      echo "command=$(quote_cmd "$BENCH" "$@")"; } > "$dir/meta.txt"
    log "run $N: $name (round $round), load $(loadavg)"
    local rc=0 before after
    before="$(proxy_ticks)"
    "$BENCH" "$@" > "$dir/out.json" 2> "$dir/err.txt" & BENCH_PID=$!
    wait "$BENCH_PID" || rc=$?; BENCH_PID=""
    after="$(proxy_ticks)"
    echo "rc=$rc" >> "$dir/meta.txt"
    echo "proxy_cpu_seconds=$(python3 -c "print(($after - $before) / $(getconf CLK_TCK))")" >> "$dir/meta.txt"
    [[ $rc -eq 0 ]] || { log "  connect-bench exited $rc:"; tail -5 "$dir/err.txt" >&2 || true; }
}
case_a() { # round extra-args...
    local round=$1; shift
    run "$CASE" "$round" -- --spawn --workers "$WORKERS" --sync "$SYNC" --payload small --threads "$THREADS" \
        --tls --tls-ca "$CERTS/ca.pem" --json "$@" -- --tls-cert "$CERTS/chain.pem" --tls-key "$CERTS/server.key"
}
case_b() {
    local round=$1; shift
    start_upstream
    run "$CASE" "$round" -- --url "http://127.0.0.1:$PROXY_PORT/webhooks/docusign" --hmac-key "$HMAC_KEY" \
        --payload small --threads "$THREADS" --tls --tls-ca "$CERTS/ca.pem" --json "$@"
    stop_upstream
}
case_c() {
    local round=$1; shift
    run "$CASE" "$round" -- --url "http://127.0.0.1:$CEILING_PORT/webhooks/docusign" --hmac-key "$HMAC_KEY" \
        --payload small --threads "$THREADS" --tls --tls-ca "$CERTS/ca.pem" --json "$@"
}
run_case() { # a|b|c name round extra-args...
    local which=$1; CASE=$2; shift 2
    "case_$which" "$@"
}

ORDERS=("a b c" "b c a" "c a b")
for (( round = 1; round <= ROUNDS; round++ )); do
    for which in ${ORDERS[$(( (round - 1) % 3 ))]}; do
        run_case "$which" "$which-throughput" "$round" --connections "$CONNECTIONS" --duration "$DURATION"
    done
    for resume in on off; do
        for which in ${ORDERS[$(( (round - 1) % 3 ))]}; do
            run_case "$which" "$which-handshake-resume-$resume" "$round" --connections "$HS_CONNECTIONS" \
                --duration "$HS_DURATION" --connection-close --tls-resume "$resume" --pool-mb 32
        done
    done
done
echo "load_end=$(loadavg)" >> "$WORK/machine.txt"

mkdir -p "$RESULTS_DIR"
OUT="$RESULTS_DIR/$(date -u +%Y-%m-%d)-tls-$(hostname -s 2>/dev/null || echo machine).md"
python3 - "$WORK" "$PROJECT_ROOT" > "$OUT" <<'EOF'
import json, os, statistics, sys
work, root = sys.argv[1], sys.argv[2]
def kv(path):
    d = {}
    for line in open(path, encoding="utf-8"):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1); d[k] = v
    return d
machine = kv(os.path.join(work, "machine.txt"))
runs = []
for name in sorted(os.listdir(os.path.join(work, "runs"))):
    d = os.path.join(work, "runs", name)
    meta = kv(os.path.join(d, "meta.txt"))
    try:
        out = json.load(open(os.path.join(d, "out.json")))
    except Exception:
        out = None
    if out is not None and not out.get("server") and float(meta.get("proxy_cpu_seconds", "0")) > 0 and out.get("responses"):
        # (b)/(c): nginx (and, for b, the connect-ingest behind it) measured by this script.
        out["server"] = {"cpuMicrosecondsPerMessage": float(meta["proxy_cpu_seconds"]) / out["responses"] * 1e6}
    runs.append((meta, out))
def rel(s): return s.replace(root + "/", "").replace(work, "$WORK")
cases = {}
for meta, out in runs:
    cases.setdefault(meta["case"], []).append((meta, out))
def med(case, key):
    vals = [o[key] for _, o in cases.get(case, []) if o and o.get(key) is not None]
    return statistics.median(vals) if vals else None
def fmt(x, d=0): return "–" if x is None else f"{x:,.{d}f}"
print(f"# Native TLS vs nginx, {machine['date'][:10]} ({machine['host']})\n")
print(f"Machine: {machine['nproc']} cores, {machine['cpu']}, {machine['kernel']}; {machine['openssl']}; nginx {machine['nginx']}; "
      f"commit {machine['commit']}. Load average at start {machine['load_start']}, at end {machine.get('load_end','?')}. "
      f"Generator: connect-bench --tls ({machine['threads']} thread), the same for every case, on the same cores. "
      f"connect-ingest --workers {machine['workers']} --sync {machine['sync']}; nginx worker_processes {machine['workers']}. "
      f"{machine['rounds']} interleaved rounds (order rotating), medians.\n")
print("## Throughput: 64 keep-alive connections, small messages\n")
print("| case | messages/s (median) | runs | p50 µs | p99 µs | server-side CPU µs/msg | errors |")
print("|---|---:|---:|---:|---:|---:|---|")
labels = {"a": "(a) connect-ingest native TLS", "b": "(b) nginx TLS → connect-ingest (README recipe)", "c": "(c) nginx TLS `return 200`"}
for w in "abc":
    case = f"{w}-throughput"
    rs = [o for _, o in cases.get(case, []) if o]
    rates = ", ".join(fmt(o["messagesPerSecond"]) for o in rs)
    cpu = [o["server"]["cpuMicrosecondsPerMessage"] for o in rs if o.get("server") and o["server"].get("cpuMicrosecondsPerMessage")]
    errs = sum(sum(o["errors"].values()) + o["lostInFlight"] for o in rs)
    print(f"| {labels[w]} | {fmt(med(case, 'messagesPerSecond'))} | {rates} | {fmt(statistics.median([o['latency']['p50'] for o in rs]) if rs else None)} | "
          f"{fmt(statistics.median([o['latency']['p99'] for o in rs]) if rs else None)} | {fmt(statistics.median(cpu), 1) if cpu else '–'} | {errs} |")
a, b, c = (med(f"{w}-throughput", "messagesPerSecond") for w in "abc")
if a and b and c:
    print(f"\nRatios of medians: (a)/(b) = **{a/b:.2f}×** (target ≥ 1.5×), (a)/(c) = **{a/c:.2f}×** (target ≥ 0.8×).\n")
checks = [o["logCheck"]["passed"] for _, o in cases.get("a-throughput", []) if o and o.get("logCheck")]
if checks:
    print(f"(a) log check (every 200 in the log exactly once, byte-exact): {sum(checks)} of {len(checks)} runs passed.\n")
print("## Handshakes: one connection, one TLS handshake, one message (`--connection-close`)\n")
print(f"{machine['hs_connections']} concurrent connections, {machine['hs_duration']} s per case.\n")
print("| case | resumption on: handshakes/s | resumed | resumption off: handshakes/s | server CPU µs/handshake (on / off) |")
print("|---|---:|---:|---:|---:|")
for w in "abc":
    on, off = f"{w}-handshake-resume-on", f"{w}-handshake-resume-off"
    ons = [o for _, o in cases.get(on, []) if o]
    resumed = sum(o.get("tlsResumed") or 0 for o in ons); total = sum(o.get("tlsHandshakes") or 0 for o in ons)
    def cpu(case):
        v = [o["server"]["cpuMicrosecondsPerMessage"] for _, o in cases.get(case, []) if o and o.get("server") and o["server"].get("cpuMicrosecondsPerMessage")]
        return fmt(statistics.median(v), 0) if v else "–"
    print(f"| {labels[w]} | {fmt(med(on, 'handshakesPerSecond'))} | {resumed} of {total} | {fmt(med(off, 'handshakesPerSecond'))} | {cpu(on)} / {cpu(off)} |")
print("\nServer CPU per message: (a) connect-ingest's own user+system time, measured by connect-bench; (b) nginx's processes plus the "
      "connect-ingest behind it, (c) nginx's processes, both from /proc by this script over the same window. Not the generator's.\n")
print("## Every run\n")
print("| # | case | round | load before | msgs/s | handshakes/s | exit | command |")
print("|---:|---|---:|---|---:|---:|---:|---|")
for i, (meta, o) in enumerate(runs, 1):
    print(f"| {i} | {meta['case']} | {meta['round']} | {meta['load_before']} | {fmt(o['messagesPerSecond']) if o else '–'} | "
          f"{fmt(o.get('handshakesPerSecond')) if o and o.get('handshakesPerSecond') is not None else '–'} | {meta.get('rc','?')} | `{rel(meta['command'])}` |")
print("\n## nginx configuration used\n")
print("```nginx\n" + rel(open(os.path.join(work, "nginx.conf.used")).read()).rstrip() + "\n```")
EOF
log "wrote $OUT"
cat "$OUT"
