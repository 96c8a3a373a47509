#!/usr/bin/env bash
# Server instructions per message (callgrind, user space) for the credential cases of
# perf/credentials-bench.sh: global key, account key among 1,000 decoy accounts, bearer token.
# Instruction counts do not depend on the machine's load, unlike throughput on a shared machine.
#
# Method: connect-bench --spawn starts connect-ingest under callgrind (through a wrapper given
# as --server-binary), sends exactly N messages, stops it and checks the log exactly-once.
# Each case runs with N1 and N2 messages; (Ir(N2) - Ir(N1)) / (N2 - N1) removes start-up
# (key preparation, JWKS load), the first token verification, and shutdown.
#
# Environment: BIN_DIR (release binaries, default .build/release), N1 (default 4000),
# N2 (default 24000), CASES (default "global account bearer"), KEEP_WORK=1 keeps the callgrind files.
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN_DIR="${BIN_DIR:-$SCRIPT_DIR/../.build/release}"
N1="${N1:-4000}"
N2="${N2:-24000}"
CASES="${CASES:-global account bearer}"
command -v valgrind >/dev/null || { echo "credentials-callgrind: valgrind is required" >&2; exit 2; }
WORK="$(mktemp -d)"
if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "work folder: $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi

# valgrind cannot read the Swift binary's debug info; instruction counts do not need it.
strip -o "$WORK/connect-ingest" "$BIN_DIR/connect-ingest"
# Only `serve` runs under callgrind; connect-bench's log read-back (`read`) runs natively.
cat > "$WORK/server-under-callgrind" <<WRAP
#!/usr/bin/env bash
if [[ "\$1" != serve ]]; then exec "$BIN_DIR/connect-ingest" "\$@"; fi
exec valgrind --tool=callgrind --callgrind-out-file="\$CG_OUT" "$WORK/connect-ingest" "\$@" 2>>"$WORK/valgrind.log"
WRAP
chmod +x "$WORK/server-under-callgrind"

flags_for() {
    case "$1" in
        global) echo "" ;;
        account) echo "--decoy-accounts 1000" ;;
        bearer) echo "--oauth" ;;
    esac
}

total_ir() { grep -E '^(summary|totals):' "$1" | head -1 | awk '{print $2}'; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A per_message
for case in $CASES; do
    declare -A ir=()
    for n in "$N1" "$N2"; do
        export CG_OUT="$WORK/$case-$n.cg"
        # shellcheck disable=SC2046
        "$BIN_DIR/connect-bench" --spawn --server-binary "$WORK/server-under-callgrind" --workers 1 --sync none \
            --payload small --messages "$n" --connections 8 --seed 7 --timeout 120 $(flags_for "$case") \
            > "$WORK/$case-$n.out" 2>&1 || { cat "$WORK/$case-$n.out"; exit 1; }
        grep -q "log check:  PASSED" "$WORK/$case-$n.out" || { cat "$WORK/$case-$n.out"; exit 1; }
        ir[$n]=$(total_ir "$CG_OUT")
        echo "  $case N=$n: $(printf "%'d" "${ir[$n]}") instructions in total"
    done
    per_message[$case]=$(( (ir[$N2] - ir[$N1]) / (N2 - N1) ))
    echo "$case: $(printf "%'d" "${per_message[$case]}") instructions per message"
done
base=""
for case in $CASES; do
    if [[ -z "$base" ]]; then base=${per_message[$case]}; fi
    python3 -c "import sys; b, v = int(sys.argv[1]), int(sys.argv[2]); print(f'  {sys.argv[3]:8s} {v:8d} instr/msg  ({v / b:.4f}x, {v - b:+d})')" \
        "$base" "${per_message[$case]}" "$case"
done
