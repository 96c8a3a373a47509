#!/usr/bin/env python3
"""Turns the raw output of perf/run-suite.sh into the results Markdown (standard library only).

Usage (run-suite.sh calls these; WORK is its temporary folder):
  render_results.py half-rate WORK PAYLOAD SYNC  half the median messages/s of the 2-worker
                                            connect-bench runs of PAYLOAD/SYNC, as an int
  render_results.py wrk-json RUN_DIR        a wrk run's folder as connect-bench-like JSON
  render_results.py targets WORK MODE       cases to profile, one "payload sync rate|- reason" per line
                                            (MODE auto: the ones missing a target; always: all)
  render_results.py render WORK OUT_MD      the results file
  render_results.py headline WORK           the headline table on standard output

Targets (issue 16, for a 2-core machine with the generator on the same cores, on the medians of
the interleaved rounds, 2 workers, 64 connections):
  small, sync none >= 1.0 x nginx; summary (6.4 KB) sync none >= 0.75 x nginx and <= 15 us of
  server CPU per message; sync batch >= 0.6 x sync none (small); open loop at half the closed-loop
  rate, sync none: p99 < 2 ms and p99.9 < 5 ms in every run; the JSON scanner >= 2.5 GB/s on the
  envelope-summary micro-benchmarks.
"""
import glob
import json
import os
import re
import sys

SMALL_RATIO = 1.0
SUMMARY_RATIO = 0.75
SUMMARY_CPU_US = 15.0
OPEN_P99_US = 2000.0
OPEN_P999_US = 5000.0
BATCH_RATIO = 0.6
SCANNER_GBPS = 2.5
PAYLOAD_ORDER = ["small", "summary", "mix", "documents"]


# ----------------------------------------------------------------------------------- loading
def read_kv(path):
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" in line:
                k, v = line.split("=", 1)
                out[k] = v
    return out


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
        return json.loads(text) if text else None
    except (OSError, ValueError):
        return None


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def load_runs(work):
    runs = []
    for d in sorted(glob.glob(os.path.join(work, "runs", "*"))):
        meta = read_kv(os.path.join(d, "meta.txt"))
        meta["dir"] = d
        meta["result"] = read_json(os.path.join(d, "out.json"))
        meta["raw"] = read_text(os.path.join(d, "out.json")).strip()
        meta["stderr"] = read_text(os.path.join(d, "err.txt"))
        meta["workers"] = int(meta.get("workers", "0") or 0)
        runs.append(meta)
    return runs


def find_all(runs, kind, payload, workers=None, sync=None):
    out = []
    for r in runs:
        if r.get("kind") != kind or r.get("payload") != payload:
            continue
        if workers is not None and r["workers"] != workers:
            continue
        if sync is not None and r.get("sync") != sync:
            continue
        out.append(r)
    return out


def find(runs, kind, payload, workers=None, sync=None):
    """The run with the median messages/s among the matching ones (the rounds), or None."""
    found = [r for r in find_all(runs, kind, payload, workers, sync) if mps(r) is not None]
    if not found:
        return None
    found.sort(key=mps)
    return found[(len(found) - 1) // 2]


def median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def server_cpu(run):
    if run is None or run["result"] is None:
        return None
    return (run["result"].get("server") or {}).get("cpuMicrosecondsPerMessage")


def median_of(runs, kind, payload, value, workers=None, sync=None):
    return median([value(r) for r in find_all(runs, kind, payload, workers, sync)])


def mps(run):
    if run is None or run["result"] is None:
        return None
    return run["result"].get("messagesPerSecond")


# ----------------------------------------------------------------------------------- targets
def evaluate(runs, micro=None):
    """A list of dicts: name, value text, target text, met (True/False/None = not measurable)."""
    checks = []
    for payload, want in (("small", SMALL_RATIO), ("summary", SUMMARY_RATIO)):
        a = median_of(runs, "ingest", payload, mps, 2, "none")
        b = median_of(runs, "nginx", payload, mps)
        ratio = a / b if a and b else None
        n = len(find_all(runs, "ingest", payload, 2, "none"))
        checks.append({
            "name": f"{payload}, sync none vs nginx (median of {n})",
            "value": f"{ratio:.3f}x ({a:,.0f} / {b:,.0f} msgs/s)" if ratio else "not measured",
            "target": f">= {want:.2f}x",
            "met": None if ratio is None else ratio >= want,
            "profile": (payload, "none", "-", f"{payload}-ratio-{ratio:.2f}x" if ratio else ""),
        })
        wa = median_of(runs, "wrk-ingest", payload, mps, 2, "none")
        wb = median_of(runs, "wrk-nginx", payload, mps)
        if wa and wb:
            checks.append({
                "name": f"{payload}, sync none vs nginx, wrk (median of {len(find_all(runs, 'wrk-ingest', payload, 2, 'none'))})",
                "value": f"{wa / wb:.3f}x ({wa:,.0f} / {wb:,.0f} msgs/s)", "target": f">= {want:.2f}x",
                "met": wa / wb >= want, "profile": None})
    cpu = median_of(runs, "ingest", "summary", server_cpu, 2, "none")
    checks.append({
        "name": "summary, sync none: server CPU per message (median)",
        "value": f"{cpu:.1f} µs" if cpu is not None else "not measured",
        "target": f"<= {SUMMARY_CPU_US:.0f} µs",
        "met": None if cpu is None else cpu <= SUMMARY_CPU_US,
        "profile": ("summary", "none", "-", f"summary-cpu-{cpu:.0f}us" if cpu else ""),
    })
    for generator, kind in (("connect-bench", "ingest"), ("wrk", "wrk-ingest")):
        n = median_of(runs, kind, "small", mps, 2, "none")
        b = median_of(runs, kind, "small", mps, 2, "batch")
        if n is None or b is None:
            continue
        checks.append({
            "name": f"small, sync batch vs none ({generator}, medians)",
            "value": f"{b / n:.3f}x ({b:,.0f} / {n:,.0f} msgs/s)",
            "target": f">= {BATCH_RATIO:.2f}x",
            "met": b / n >= BATCH_RATIO,
            "profile": ("small", "batch", "-", f"batch-vs-none-small-{b / n:.2f}x") if kind == "ingest" else None,
        })
    opens = [r for r in find_all(runs, "open", "small", 2, "none") if r["result"]]
    if opens:
        p99s = [r["result"]["latency"]["p99"] for r in opens]
        p999s = [r["result"]["latency"]["p999"] for r in opens]
        rate = opens[0].get("rate", "?")
        checks.append({
            "name": f"open loop, sync none, {rate} msgs/s: p99 < 2 ms in every run",
            "value": f"{sum(p < OPEN_P99_US for p in p99s)} of {len(p99s)} (p99 " + ", ".join(f"{p / 1000:.2f}" for p in p99s) + " ms)",
            "target": f"< {OPEN_P99_US / 1000:.0f} ms, all runs",
            "met": all(p < OPEN_P99_US for p in p99s),
            "profile": ("small", "none", rate, "open-loop-p99"),
        })
        checks.append({
            "name": f"open loop, sync none, {rate} msgs/s: p99.9 < 5 ms in every run",
            "value": f"{sum(p < OPEN_P999_US for p in p999s)} of {len(p999s)} (p99.9 " + ", ".join(f"{p / 1000:.2f}" for p in p999s) + " ms)",
            "target": f"< {OPEN_P999_US / 1000:.0f} ms, all runs",
            "met": all(p < OPEN_P999_US for p in p999s),
            "profile": ("small", "none", rate, "open-loop-p99.9"),
        })
    for x in micro or []:
        if x.get("suite") == "json" and "summary" in x.get("name", ""):
            g = x.get("gigabytesPerSecond", 0)
            checks.append({"name": x["name"], "value": f"{g:.2f} GB/s", "target": f">= {SCANNER_GBPS:.1f} GB/s",
                           "met": g >= SCANNER_GBPS, "profile": None})
    return checks


def wrk_result(d):
    """A wrk run's folder as the parts of connect-bench's JSON the tables use: messagesPerSecond,
    responses, latency percentiles in µs, statuses, server CPU per message, and for connect-ingest
    a log check (`verify` clean and holding at least every 200)."""
    meta = read_kv(os.path.join(d, "meta.txt"))
    text = read_text(os.path.join(d, "wrk.txt"))
    def seconds_us(v):
        m = re.match(r"([0-9.]+)(us|ms|s|m)$", v)
        if not m:
            return None
        return float(m.group(1)) * {"us": 1, "ms": 1e3, "s": 1e6, "m": 6e7}[m.group(2)]
    out = {"generator": "wrk", "latency": {}, "statuses": {}}
    m = re.search(r"Requests/sec:\s+([0-9.]+)", text)
    out["messagesPerSecond"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([0-9.]+)(\w+)", text)
    total = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    bad = int(m.group(1)) if m else 0
    out["responses"] = total
    out["statuses"] = {"200": total - bad} if not bad else {"200": total - bad, "other": bad}
    for pct, key in (("50", "p50"), ("90", "p90"), ("99", "p99")):
        m = re.search(r"^\s+" + pct + r"(?:\.000)?%\s+(\S+)", text, re.M)
        if m:
            out["latency"][key] = seconds_us(m.group(1))
    m = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", text)
    if m:
        out["latency"]["max"] = seconds_us(m.group(1))
    ticks = meta.get("server_ticks", "").split()
    if len(ticks) == 3 and total:
        t0, t1, hz = (float(x) for x in ticks)
        out["server"] = {"cpuMicrosecondsPerMessage": (t1 - t0) / hz / total * 1e6}
    verify = read_text(os.path.join(d, "verify.txt"))
    if verify:
        m = re.search(r"^records (\d+)", verify, re.M)
        records = int(m.group(1)) if m else -1
        dm = re.search(r"^damage (\d+)", verify, re.M)
        damage = int(dm.group(1)) if dm else -1
        ok = damage == 0 and records >= total - bad
        out["logCheck"] = {"passed": ok, "acknowledged": total - bad, "recordsRead": records,
                           "missing": max(0, (total - bad) - records), "damage": damage}
    return out


def cmd_targets(work, mode):
    runs = load_runs(work)
    chosen = []
    seen = set()
    batch_done = False
    for c in evaluate(runs):
        if c["met"] is None or c.get("profile") is None:
            continue
        if mode != "always" and c["met"]:
            continue
        payload, sync, rate, reason = c["profile"]
        if sync == "batch":
            # One batch profile is enough: the cost is the sync itself, not the payload.
            if batch_done:
                continue
            batch_done = True
            payload = "small" if find(runs, "ingest", "small", 2, "batch") else payload
        key = (payload, sync, rate)
        if key in seen:
            continue
        seen.add(key)
        chosen.append(f"{payload} {sync} {rate} {reason}")
    print("\n".join(chosen))


# ----------------------------------------------------------------------------------- formatting
def ms(us):
    return "-" if us is None else f"{us / 1000:.2f}"


def num(v, digits=0):
    return "-" if v is None else f"{v:,.{digits}f}"


def log_check(run):
    res = run["result"]
    if res is None:
        return f"no result (exit {run.get('rc', '?')})"
    lc = res.get("logCheck")
    failures = res.get("failures") or []
    if lc is None:
        return "n/a"
    if lc.get("passed"):
        text = f"pass ({lc.get('acknowledged', 0):,})"
    else:
        bits = [f"{k} {lc[k]}" for k in ("missing", "duplicated", "unexpected", "forgedStored",
                                         "storedWithoutAcknowledgement") if lc.get(k)]
        text = "FAIL " + ", ".join(bits)
    if failures:
        text += "; " + "; ".join(str(f) for f in failures)
    return text


def statuses(run):
    res = run["result"]
    if res is None:
        return f"no result (exit {run.get('rc', '?')})"
    st = res.get("statuses", {})
    errs = res.get("errors", {})
    other = {k: v for k, v in st.items() if k != "200"}
    text = "all 200" if not other and st else ", ".join(f"{k}: {v}" for k, v in st.items())
    if errs:
        text += "; errors " + ", ".join(f"{k}: {v}" for k, v in errs.items())
    return text


def cpu_marks(run):
    """((epoch, machine user ticks, children user s, nginx user ticks, nginx cpu ticks) before,
    the same after, clock ticks per second), or None."""
    try:
        parts = [float(p) for p in run.get("cpu_marks", "").split()]
    except ValueError:
        return None
    if len(parts) != 11:
        return None
    return tuple(parts[0:5]), tuple(parts[5:10]), parts[10]


def nginx_cpu_per_message(run):
    """nginx's user+system CPU over the run per response, in µs (the run's whole wall time, but
    nginx does nothing outside the load)."""
    marks = cpu_marks(run)
    res = run["result"] or {}
    n = res.get("responses")
    if marks is None or not n:
        return None
    before, after, hz = marks
    return (after[4] - before[4]) / hz / n * 1e6


def others_cores(run):
    """User CPU of everything outside the suite during the run, in cores (None if unknown)."""
    marks = cpu_marks(run)
    if marks is None:
        return None
    (t0, m0, c0, n0, _), (t1, m1, c1, n1, _), hz = marks
    wall = t1 - t0
    if wall <= 0:
        return None
    other = (m1 - m0) / hz - (c1 - c0) - (n1 - n0) / hz
    return max(other, 0.0) / wall


def others(run):
    v = others_cores(run)
    return "-" if v is None else f"{v:.2f}"


def run_row(r):
    res = r["result"] or {}
    lat = res.get("latency", {})
    server = res.get("server") or {}
    return [str(r["workers"]), r.get("payload", ""), r.get("sync", ""), r.get("connections", ""),
            num(res.get("messagesPerSecond")), num(res.get("megabytesPerSecond"), 1),
            ms(lat.get("p50")), ms(lat.get("p99")), ms(lat.get("p999")),
            num(server.get("cpuMicrosecondsPerMessage"), 1), log_check(r),
            r.get("load_before", "").split(" ")[0], others(r)]


def table(headers, rows, align=None):
    align = align or ["---"] * len(headers)
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def sort_key(r):
    p = r.get("payload", "")
    return (PAYLOAD_ORDER.index(p) if p in PAYLOAD_ORDER else 9, r["workers"], r.get("sync", ""))


def headline_md(runs):
    rows = []
    for p in PAYLOAD_ORDER:
        ngx = find(runs, "nginx", p)
        none = find(runs, "ingest", p, 2, "none")
        batch = find(runs, "ingest", p, 2, "batch")
        if not (ngx or none or batch):
            continue
        a, b = mps(none), mps(ngx)
        p99 = none["result"]["latency"]["p99"] if none and none["result"] else None
        cpu = ((none["result"] or {}).get("server") or {}).get("cpuMicrosecondsPerMessage") if none else None
        rows.append([p, (none or ngx or batch).get("connections", ""), num(b), num(a),
                     f"{a / b:.3f}x" if a and b else "-", num(mps(batch)),
                     f"{mps(batch) / a:.3f}x" if a and mps(batch) else "-", ms(p99), num(cpu, 1),
                     num(nginx_cpu_per_message(ngx), 1) if ngx else "-"])
        if p in ("small", "summary"):
            wn, wa, wb = (find(runs, "wrk-nginx", p), find(runs, "wrk-ingest", p, 2, "none"),
                          find(runs, "wrk-ingest", p, 2, "batch"))
            if wn or wa:
                x, y = mps(wa), mps(wn)
                rows.append([f"{p} (wrk)", (wa or wn).get("connections", ""), num(y), num(x),
                             f"{x / y:.3f}x" if x and y else "-", num(mps(wb)),
                             f"{mps(wb) / x:.3f}x" if x and mps(wb) else "-",
                             ms(((wa or {}).get("result") or {}).get("latency", {}).get("p99")),
                             num(server_cpu(wa), 1), num(server_cpu(wn), 1)])
    md = table(["payload", "conns", "nginx msgs/s", "connect-ingest none msgs/s", "ratio vs nginx",
                "batch msgs/s", "batch / none", "p99 ms (none)", "server CPU µs/msg (none)",
                "nginx CPU µs/msg"],
               rows, ["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"])
    for sync in ("none", "batch"):
        opens = [r for r in find_all(runs, "open", "small", 2, sync) if r["result"]]
        if not opens:
            continue
        lats = [r["result"]["latency"] for r in opens]
        md += (f"\n\nOpen loop, small, sync {sync}, 2 workers, {opens[0]['rate']} msgs/s offered "
               f"(half the closed-loop {sync} rate), {len(opens)} runs: p50 "
               + ", ".join(ms(l['p50']) for l in lats) + " ms; p99 " + ", ".join(ms(l['p99']) for l in lats)
               + " ms; p99.9 " + ", ".join(ms(l['p999']) for l in lats) + " ms; max "
               + ", ".join(ms(l['max']) for l in lats) + " ms.")
        ngo = find(runs, "nginx-open", "small")
        if sync == "none" and ngo and ngo["result"]:
            nl = ngo["result"]["latency"]
            md += (f" nginx on the same schedule: p50 {ms(nl['p50'])} ms, p99 {ms(nl['p99'])} ms, "
                   f"p99.9 {ms(nl['p999'])} ms.")
    return md


# ----------------------------------------------------------------------------------- profiles
def parse_perfstat(path):
    out = {}
    for line in read_text(path).splitlines():
        parts = line.split(",")
        if len(parts) >= 3 and parts[2] in ("task-clock", "context-switches", "cpu-migrations"):
            try:
                out[parts[2]] = float(parts[0])
            except ValueError:
                pass
    return out


def parse_report(path, limit):
    rows = []
    for line in read_text(path).splitlines():
        m = re.match(r"\s*([0-9.]+)%\s+(\[[k.]\])\s+(.*)$", line)
        if m:
            rows.append((float(m.group(1)), m.group(2), m.group(3).strip()))
    kernel = sum(p for p, mode, _ in rows if mode == "[k]")
    user = sum(p for p, mode, _ in rows if mode == "[.]")
    return rows[:limit], kernel, user


def parse_dso(path, limit):
    rows = []
    for line in read_text(path).splitlines():
        m = re.match(r"\s*([0-9.]+)%\s+(\S.*)$", line)
        if m and not line.lstrip().startswith("#"):
            rows.append((float(m.group(1)), m.group(2).strip()))
    return rows[:limit]


def parse_strace(path):
    rows, total = [], None
    for line in read_text(path).splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("%") or parts[0].startswith("-"):
            continue
        try:
            if parts[-1] == "total":
                calls = int(parts[3]) if len(parts) >= 5 else None
                total = calls
                continue
            # % time, seconds, usecs/call, calls, [errors], syscall
            calls = int(parts[3])
            errors = int(parts[4]) if len(parts) == 6 else 0
            rows.append((parts[-1], calls, errors, float(parts[1])))
        except (ValueError, IndexError):
            continue
    return rows, total


def profile_md(pdir):
    meta = read_kv(os.path.join(pdir, "meta.txt"))
    window = float(meta.get("window", "3") or 3)
    out = []
    title = f"#### {meta.get('payload')} — sync {meta.get('sync')}, 2 workers"
    if meta.get("rate"):
        title += f", open loop {meta['rate']} msgs/s"
    out.append(title)
    out.append(f"\nWhy: `{meta.get('reason')}`. Load average before: {meta.get('load_before')}. "
               f"Server: `{meta.get('server_command', '?')}`; load from `{meta.get('bench_command', '?')}`.\n")
    bench = read_json(os.path.join(pdir, "stat-bench.json")) or {}
    rate = bench.get("messagesPerSecond")
    msgs = rate * window if rate else None
    ps = parse_perfstat(os.path.join(pdir, "perfstat.csv"))
    ticks = meta.get("ticks", "").split()
    lines = [f"- Load during the window: {num(rate)} msgs/s (connect-bench), so ~{num(msgs)} messages in {window:g} s."]
    if ps:
        tc = ps.get("task-clock")
        cs = ps.get("context-switches")
        mig = ps.get("cpu-migrations")
        per = f", {tc * 1000 / msgs:.1f} µs CPU/msg" if tc and msgs else ""
        lines.append(f"- `perf stat`: task-clock {num(tc, 0)} ms ({tc / 1000 / window:.2f} CPUs){per}; "
                     f"context switches {num(cs)} ({cs / msgs:.2f}/msg); cpu-migrations {num(mig)}."
                     if tc and cs is not None and msgs else f"- `perf stat`: {ps}")
    else:
        lines.append(f"- `perf stat`: no counters ({read_text(os.path.join(pdir, 'perfstat.err')).strip()[:200]})")
    if len(ticks) == 5:
        u = int(ticks[2]) - int(ticks[0])
        s = int(ticks[3]) - int(ticks[1])
        if u + s > 0:
            lines.append(f"- User vs kernel (/proc/PID/stat over the same window): user {100 * u / (u + s):.0f}%, "
                         f"kernel {100 * s / (u + s):.0f}%.")
    sym, kernel, user = parse_report(os.path.join(pdir, "report-sym.txt"), 20)
    if sym:
        lines.append(f"- `perf record -g` samples: kernel [k] {kernel:.0f}%, user [.] {user:.0f}%.")
    out.append("\n".join(lines))
    if sym:
        out.append("\nTop symbols (self time, `perf report --no-children --sort sym`):\n")
        out.append(table(["self %", "mode", "symbol"],
                         [[f"{p:.2f}", m.strip("[]") or ".", s.replace("|", "\\|")[:110]] for p, m, s in sym],
                         ["---:", "---", "---"]))
    dso = parse_dso(os.path.join(pdir, "report-dso.txt"), 6)
    if dso:
        out.append("\nBy object: " + "; ".join(f"{d} {p:.1f}%" for p, d in dso) + ".")
    srows, stotal = parse_strace(os.path.join(pdir, "strace.txt"))
    n = int(meta.get("strace_messages", "0") or 0)
    sb = read_json(os.path.join(pdir, "strace-bench.json")) or {}
    if srows and n:
        srows.sort(key=lambda r: -r[1])
        total = stotal or sum(r[1] for r in srows)
        out.append(f"\n`strace -c -f` over {n:,} closed-loop messages ({num(sb.get('messagesPerSecond'))} msgs/s "
                   f"under strace): {total / n:.2f} syscalls per message in all.\n")
        out.append(table(["syscall", "calls", "per message", "errors", "seconds"],
                         [[name, f"{c:,}", f"{c / n:.3f}", f"{e:,}", f"{sec:.3f}"] for name, c, e, sec in srows[:12]],
                         ["---", "---:", "---:", "---:", "---:"]))
    elif n:
        out.append(f"\n`strace -c`: no output ({read_text(os.path.join(pdir, 'strace.err')).strip()[:200]})")
    return "\n".join(out)


# ----------------------------------------------------------------------------------- render
def cmd_render(work, out_path):
    m = read_kv(os.path.join(work, "machine.txt"))
    runs = load_runs(work)
    ingest = sorted([r for r in runs if r.get("kind") == "ingest"], key=sort_key)
    nginx = [r for r in runs if r.get("kind") == "nginx"]
    opens = [r for r in runs if r.get("kind") in ("open", "nginx-open")]
    md = []
    md.append(f"# connect-ingest performance — {m.get('date', '?')[:10]} on {m.get('host', 'machine')}\n")
    md.append("Written by `perf/run-suite.sh`; how to read it: `perf/README.md`.\n")
    md.append("## Machine\n")
    md.append("```")
    for k, label in (("date", "date (UTC)"), ("host", "host"), ("nproc", "nproc"), ("cpu", "CPU"),
                     ("memory", "memory"), ("free_page_reporting", "free page reporting"),
                     ("kernel", "kernel"), ("commit", "git commit"),
                     ("swift", "swift"), ("nginx", "nginx"), ("load_start", "load average at start"),
                     ("load_end", "load average at end"), ("total_seconds", "suite wall time (s)")):
        md.append(f"{label:22} {m.get(k, '?')}")
    md.append("```")
    md.append(f"\nSettings: {m.get('duration')} s per run ({m.get('doc_duration')} s for documents), "
              f"{m.get('connections')} connections ({m.get('doc_connections')} for documents: each "
              f"request is ~1.4 MB on the wire and the log read-back after each run costs ~12 ms per "
              f"message), {m.get('threads')} generator thread(s), nginx with {m.get('nginx_workers')} "
              f"worker processes. The generator runs on the same {m.get('nproc')} cores as the server. "
              f"Other work on this machine shows in the last two columns of the tables: `load` is the "
              f"1-minute load average just before the run (it includes the suite's own previous run), "
              f"`others` is the user CPU of every process outside the suite during the run, in cores "
              f"(machine user+nice time minus the generator's, the server's and nginx's).\n")
    if m.get("nginx_note"):
        md.append(f"**Baseline:** {m['nginx_note']}\n")

    md.append("## Headline (2 workers)\n")
    md.append(headline_md(runs) + "\n")

    micro = []
    for line in read_text(os.path.join(work, "micro.jsonl")).splitlines():
        try:
            micro.append(json.loads(line))
        except ValueError:
            pass
    md.append("## Targets (issue 16)\n")
    md.append("Judged on the medians of the interleaved rounds (2 workers, 64 connections); "
              "the per-round figures are in the next section.\n")
    checks = evaluate(runs, micro)
    md.append(table(["target", "measured", "wanted", "met"],
                    [[c["name"], c["value"], c["target"],
                      "n/a" if c["met"] is None else ("yes" if c["met"] else "**no**")] for c in checks],
                    ["---", "---", "---", "---"]) + "\n")

    md.append("## Rounds (2 workers, interleaved)\n")
    rounds = sorted({r.get("round") for r in runs if r.get("round") and r.get("kind") in
                     ("nginx", "ingest", "wrk-nginx", "wrk-ingest")}, key=lambda x: int(x))
    if rounds:
        md.append("Each round ran nginx, connect-ingest `--sync none` and `--sync batch` back to back, "
                  "first with connect-bench, then with wrk (one fixed signed body per payload: "
                  "`connect-bench wrk-script`). msgs/s, then server (or nginx) CPU µs per message.\n")
        rows = []
        for p in ("small", "summary"):
            for kind, label in (("nginx", "nginx"), ("ingest", "none"), ("ingest", "batch"),
                                ("wrk-nginx", "nginx (wrk)"), ("wrk-ingest", "none (wrk)"),
                                ("wrk-ingest", "batch (wrk)")):
                sync = "batch" if "batch" in label else ("none" if "none" in label else None)
                found = {r.get("round"): r for r in find_all(runs, kind, p, None, sync) if r.get("round")}
                if not found:
                    continue
                def cpu(r):
                    return nginx_cpu_per_message(r) if kind == "nginx" else server_cpu(r)
                cells = [p, label]
                for rd in rounds:
                    r = found.get(rd)
                    cells.append(f"{num(mps(r))} / {num(cpu(r), 1)}" if r else "-")
                cells.append(num(median(mps(r) for r in found.values())))
                cells.append(num(median(cpu(r) for r in found.values()), 1))
                cells.append(", ".join(r.get("load_before", "").split(" ")[0] for r in found.values()))
                rows.append(cells)
        md.append(table(["payload", "server"] + [f"round {rd}" for rd in rounds]
                        + ["median msgs/s", "median CPU µs/msg", "load"], rows,
                        ["---", "---"] + ["---:"] * len(rounds) + ["---:", "---:", "---"]) + "\n")
        wrk_checks = [r for r in runs if r.get("kind") == "wrk-ingest"]
        if wrk_checks:
            md.append("wrk runs' log check (`connect-ingest verify` after the run; every 200 must be "
                      "stored): " + "; ".join(f"{r['payload']}/{r['sync']} r{r.get('round')}: {log_check(r)}"
                                              for r in wrk_checks) + ".\n")
    else:
        md.append("No rounds (ROUNDS=0).\n")

    md.append("## All connect-ingest runs (closed loop, `--spawn`)\n")
    md.append("msgs/s: responses per second; MB/s: request bodies; latency in ms from the request's "
              "send to its response; server CPU: the server process's user+system time over the run "
              "divided by the messages; log check: connect-bench read the log back after the run "
              "(every 200 stored exactly once, byte-exact).\n")
    hdr = ["workers", "payload", "sync", "conns", "msgs/s", "MB/s", "p50 ms", "p99 ms", "p99.9 ms",
           "server CPU µs/msg", "log check", "load", "others"]
    al = ["---:", "---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---", "---:", "---:"]
    md.append(table(hdr, [run_row(r) for r in ingest], al) + "\n")

    md.append("## nginx baseline (same generator, `return 200`)\n")
    if nginx:
        rows = []
        for r in nginx:
            res = r["result"] or {}
            lat = res.get("latency", {})
            rows.append([r["workers"], r["payload"] + (f" r{r['round']}" if r.get("round") else ""), r["connections"], num(res.get("messagesPerSecond")),
                         num(res.get("megabytesPerSecond"), 1), ms(lat.get("p50")), ms(lat.get("p99")),
                         ms(lat.get("p999")), num(nginx_cpu_per_message(r), 1), statuses(r),
                         r.get("load_before", "").split(" ")[0], others(r)])
        md.append(table(["nginx workers", "payload", "conns", "msgs/s", "MB/s", "p50 ms", "p99 ms",
                         "p99.9 ms", "nginx CPU µs/msg", "responses", "load", "others"], rows,
                        ["---:", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---", "---:",
                         "---:"]) + "\n")
        rows = []
        for p in PAYLOAD_ORDER:
            ngx = find(runs, "nginx", p)
            if not ngx:
                continue
            cells = [p, num(mps(ngx))]
            for w in (2, 1):
                a = mps(find(runs, "ingest", p, w, "none"))
                cells += [num(a), f"{a / mps(ngx):.3f}x" if a and mps(ngx) else "-"]
            rows.append(cells)
        md.append(f"Ratio connect-ingest / nginx (sync none; nginx has {m.get('nginx_workers')} workers):\n")
        md.append(table(["payload", "nginx msgs/s", "2 workers msgs/s", "ratio (2 vs 2)",
                         "1 worker msgs/s", "ratio (1 vs 2)"], rows,
                        ["---", "---:", "---:", "---:", "---:", "---:"]) + "\n")
    else:
        md.append("No baseline in this run.\n")

    md.append("## Open loop (latency without coordinated omission)\n")
    if opens:
        md.append("A fixed arrival schedule; each latency runs from the request's scheduled time, so a "
                  "stall is charged to every request that should have been sent during it. The nginx "
                  "row is the same schedule against the `return 200` baseline: the latency that the "
                  "machine and the generator alone add.\n")
        rows = []
        for r in opens:
            res = r["result"] or {}
            lat = res.get("latency", {})
            server = "connect-ingest" if r["kind"] == "open" else "nginx"
            rows.append([server, r["workers"], r["payload"], r["sync"], r["connections"], r["rate"],
                         num(res.get("messagesPerSecond")), ms(lat.get("p50")), ms(lat.get("p90")),
                         ms(lat.get("p99")), ms(lat.get("p999")), ms(lat.get("max")),
                         num(res.get("unsentBacklog")),
                         log_check(r) if r["kind"] == "open" else statuses(r),
                         r.get("load_before", "").split(" ")[0], others(r)])
        md.append(table(["server", "workers", "payload", "sync", "conns", "offered msgs/s", "achieved msgs/s",
                         "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "unsent backlog", "check", "load",
                         "others"],
                        rows, ["---", "---:", "---", "---", "---:", "---:", "---:", "---:", "---:", "---:",
                               "---:", "---:", "---:", "---", "---:", "---:"]) + "\n")
    else:
        md.append("Not run.\n")

    md.append("## Micro-benchmarks (`connect-bench micro`)\n")
    micro_cmd = read_text(os.path.join(work, "micro.cmd")).strip()
    if micro:
        md.append(table(["suite", "benchmark", "ns/op", "ops/s", "GB/s", "check"],
                        [[x.get("suite", ""), x.get("name", ""), num(x.get("nanosecondsPerOperation"), 1),
                          num(x.get("operationsPerSecond")), f"{x.get('gigabytesPerSecond', 0):.2f}",
                          x.get("note", "")] for x in micro],
                        ["---", "---", "---:", "---:", "---:", "---"]) + "\n")
        rc = read_text(os.path.join(work, "micro.rc")).strip()
        if rc and rc != "0":
            md.append(f"connect-bench micro exited {rc}.\n")
    else:
        md.append("Not run." + (f" (exit {read_text(os.path.join(work, 'micro.rc')).strip()})" if micro_cmd else "") + "\n")

    pdirs = sorted(glob.glob(os.path.join(work, "profiles", "*")))
    md.append("## Where the time goes\n")
    if pdirs:
        md.append("Profiled because a target was missed (or PROFILE=always). Each profile starts its own "
                  "server (2 workers), loads it with connect-bench for the window, and attaches the tool "
                  "to the server process only; the generator is not in these numbers.\n")
        for d in pdirs:
            md.append(profile_md(d) + "\n")
    else:
        md.append("No profile: " + (m.get("profile_note") or "every target was met (or PROFILE=off).") + "\n")
    notes = read_text(os.path.join(work, "findings.md")).strip()
    if notes:
        md.append(notes + "\n")

    md.append("## Commands\n")
    md.append("Exactly as run (the HMAC key is a throwaway made up for the run):\n")
    md.append("```")
    for r in runs:
        md.append(r.get("command", ""))
    if micro_cmd:
        md.append(micro_cmd)
    md.append("```")
    conf = read_text(os.path.join(work, "nginx.conf.used")).strip()
    if conf:
        md.append("\nnginx configuration (paths are the run's temporary folder):\n\n```nginx\n" + conf + "\n```")

    md.append("\n<details><summary>Raw JSON (one connect-bench --json object per run, then micro)</summary>\n")
    md.append("```json")
    for r in runs:
        md.append(r["raw"] if r["raw"] else f'{{"missing": "{r.get("kind")} {r.get("payload")} exit {r.get("rc")}"}}')
    for x in micro:
        md.append(json.dumps(x, sort_keys=True))
    md.append("```\n</details>\n")
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(md))


def cmd_headline(work):
    runs = load_runs(work)
    micro = []
    for line in read_text(os.path.join(work, "micro.jsonl")).splitlines():
        try:
            micro.append(json.loads(line))
        except ValueError:
            pass
    print(headline_md(runs))
    print()
    for c in evaluate(runs, micro):
        met = "n/a" if c["met"] is None else ("met" if c["met"] else "MISSED")
        print(f"  {met:6} {c['name']}: {c['value']} (want {c['target']})")


def main(argv):
    if len(argv) == 4 and argv[0] == "half-rate":
        rate = median_of(load_runs(argv[1]), "ingest", argv[2], mps, 2, argv[3])
        if not rate:
            return 1
        print(int(rate / 2))
        return 0
    if len(argv) == 2 and argv[0] == "wrk-json":
        print(json.dumps(wrk_result(argv[1]), sort_keys=True))
        return 0
    if len(argv) == 3 and argv[0] == "targets":
        cmd_targets(argv[1], argv[2])
        return 0
    if len(argv) == 3 and argv[0] == "render":
        cmd_render(argv[1], argv[2])
        return 0
    if len(argv) == 2 and argv[0] == "headline":
        cmd_headline(argv[1])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
