#!/usr/bin/env python3
"""Turns bench/run.sh's JSON lines into bench/RESULTS.md (medians of the runs, side by side)."""
import json, os, statistics, sys
from collections import defaultdict

results_path, micro_path, runs = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(l) for l in open(results_path) if l.strip()]
groups = defaultdict(list)
for r in rows:
    if r.get("target") == "nginx" and "memory" not in r:
        groups[(r["client"], r["concurrency"])].append(r)

def med(client, c, key):
    vals = [r[key] for r in groups.get((client, c), [])]
    return statistics.median(vals) if vals else float("nan")

def cpu_us(client, c):
    vals = [r["cpu_seconds"] * 1e6 / r["requests"] for r in groups.get((client, c), [])]
    return statistics.median(vals) if vals else float("nan")

out = []
out.append("# Benchmark results\n")
out.append("Produced by `bash bench/run.sh` in one run: nginx (1 worker, TLS, keep-alive) pinned to core 0, "
           f"the clients and wrk pinned to core 1; medians of {runs} runs per cell. "
           "CPU µs/call is the client process's user+system time divided by its calls. "
           "The bench program, like wrk, keeps latencies in a fixed log-linear histogram (percentiles within 1 %; "
           "no memory that grows with the run in the peak RSS it reports). "
           "`async` uses the client's default pool (at most 25 connections, opened at most 4 at a time: calls beyond that queue in the "
           "client); `async-c` is the same client with one connection per concurrent call, as wrk and the "
           "blocking client (one blocking_client per thread) have.\n")
out.append("| concurrency | client | rps | p50 µs | p99 µs | CPU µs/call | peak RSS KiB | errors |")
out.append("|---|---|---|---|---|---|---|---|")
concs = sorted({c for (_, c) in groups})
for c in concs:
    for client in ("wrk", "async", "async-c", "blocking"):
        if (client, c) not in groups:
            continue
        out.append(f"| {c} | {client} | {med(client, c, 'rps'):,.0f} | {med(client, c, 'p50_us'):,.0f} | "
                   f"{med(client, c, 'p99_us'):,.0f} | {cpu_us(client, c):.1f} | {med(client, c, 'peak_rss_kb'):,.0f} | "
                   f"{med(client, c, 'errors'):.0f} |")
out.append("")
out.append("| concurrency | async/wrk rps | async/wrk CPU per call | async/blocking rps | async/blocking peak RSS |")
out.append("|---|---|---|---|---|")
for c in concs:
    out.append(f"| {c} | {med('async', c, 'rps') / med('wrk', c, 'rps'):.2f} | {cpu_us('async', c) / cpu_us('wrk', c):.2f} | "
               f"{med('async', c, 'rps') / med('blocking', c, 'rps'):.2f} | "
               f"{med('async', c, 'peak_rss_kb') / med('blocking', c, 'peak_rss_kb'):.3f} |")
    if ('async-c', c) in groups:
        out.append(f"| {c} (async-c) | {med('async-c', c, 'rps') / med('wrk', c, 'rps'):.2f} | "
                   f"{cpu_us('async-c', c) / cpu_us('wrk', c):.2f} | {med('async-c', c, 'rps') / med('blocking', c, 'rps'):.2f} | "
                   f"{med('async-c', c, 'peak_rss_kb') / med('blocking', c, 'peak_rss_kb'):.3f} |")
out.append("")
mem = {r["memory"]: r for r in rows if "memory" in r}
if "base" in mem and "10000" in mem:
    per = (mem["10000"]["peak_rss_kb"] - mem["base"]["peak_rss_kb"]) * 1024 / 10000
    out.append(f"Memory: 10,000 concurrent calls through 64 connections peak at {mem['10000']['peak_rss_kb']:,} KiB "
               f"against {mem['base']['peak_rss_kb']:,} KiB for one call at a time: **{per:,.0f} bytes per in-flight call** "
               f"({mem['10000']['errors']} errors).\n")
for r in rows:
    if r.get("target") == "local":
        out.append(f"Local endpoint (SigV4 verified on every request), async, concurrency {r['concurrency']}: "
                   f"{r['rps']:,.0f} rps, p50 {r['p50_us']} µs, p99 {r['p99_us']} µs, "
                   f"{r['cpu_seconds'] * 1e6 / r['requests']:.1f} client CPU µs/call, {r['errors']} errors.\n")
# Before/after: the baseline commit's clients, run in the same loop (BASELINE=REV bash bench/run.sh).
base_rev = os.environ.get("BASELINE_REV", "")
if base_rev and any(k[0] == "async-base" for k in groups):
    out.append(f"## Before ({base_rev}) and after, side by side in this run\n")
    out.append("Each ratio as the targets define it, for the baseline commit's clients and this commit's, "
               "measured in the same loop against the same nginx and the same wrk runs; the change is after/before.\n")
    out.append("| ratio | before | after | change |")
    out.append("|---|---|---|---|")
    def row(name, before, after):
        out.append(f"| {name} | {before:.3f} | {after:.3f} | {after / before - 1:+.1%} |")
    for c in (16, 64, 256):
        row(f"async/wrk CPU per call, c={c}", cpu_us('async-base', c) / cpu_us('wrk', c), cpu_us('async', c) / cpu_us('wrk', c))
    for c in (1, 64, 256):
        row(f"async/wrk rps, c={c}", med('async-base', c, 'rps') / med('wrk', c, 'rps'), med('async', c, 'rps') / med('wrk', c, 'rps'))
    row("async/blocking rps, c=256", med('async-base', 256, 'rps') / med('blocking-base', 256, 'rps'),
        med('async', 256, 'rps') / med('blocking', 256, 'rps'))
    row("async/blocking peak RSS, c=256", med('async-base', 256, 'peak_rss_kb') / med('blocking-base', 256, 'peak_rss_kb'),
        med('async', 256, 'peak_rss_kb') / med('blocking', 256, 'peak_rss_kb'))
    if all(k in mem for k in ("base", "10000", "base-base", "10000-base")):
        per_base = (mem["10000-base"]["peak_rss_kb"] - mem["base-base"]["peak_rss_kb"]) * 1024 / 10000
        per_now = (mem["10000"]["peak_rss_kb"] - mem["base"]["peak_rss_kb"]) * 1024 / 10000
        out.append(f"| bytes per waiting call at 10,000 | {per_base:,.0f} | {per_now:,.0f} | {per_now / per_base - 1:+.1%} |")
    out.append("")
# The targets of the benchmark issue, checked against this run.
def check(ok):
    return "met" if ok else "**missed**"
out.append("## Targets\n")
out.append("| target | measured | status |")
out.append("|---|---|---|")
def also_c(text):  # the one-connection-per-call figure, where the run has it
    return f" (async-c: {text})"
for c in (16, 64, 256):
    r = cpu_us('async', c) / cpu_us('wrk', c)
    extra = also_c(f"{cpu_us('async-c', c) / cpu_us('wrk', c):.2f}×") if ('async-c', c) in groups else ""
    out.append(f"| async CPU per call ≤ 1.5× wrk's at concurrency {c} | {r:.2f}×{extra} | {check(r <= 1.5)} |")
for c in (64, 256):
    r = med('async', c, 'rps') / med('wrk', c, 'rps')
    extra = also_c(f"{med('async-c', c, 'rps') / med('wrk', c, 'rps'):.0%}") if ('async-c', c) in groups else ""
    out.append(f"| async ≥ 80% of wrk's rps at concurrency {c} | {r:.0%}{extra} | {check(r >= 0.8)} |")
r = med('async', 1, 'rps') / med('wrk', 1, 'rps')
out.append(f"| async ≥ 90% of wrk's rps at concurrency 1 | {r:.0%} | {check(r >= 0.9)} |")
r = med('async', 256, 'rps') / med('blocking', 256, 'rps')
m = med('async', 256, 'peak_rss_kb') / med('blocking', 256, 'peak_rss_kb')
extra = also_c(f"{med('async-c', 256, 'rps') / med('blocking', 256, 'rps'):.2f}×, "
               f"{med('async-c', 256, 'peak_rss_kb') / med('blocking', 256, 'peak_rss_kb'):.2f}") if ('async-c', 256) in groups else ""
out.append(f"| async ≥ 2× blocking rps at concurrency 256, at ≤ 1/4 of its peak RSS | {r:.2f}×, {m:.3f} of its RSS{extra} | "
           f"{check(r >= 2)} (rps), {check(m <= 0.25)} (RSS) |")
if "base" in mem and "10000" in mem:
    out.append(f"| ≤ 2 KiB per waiting call at 10,000 concurrent calls | {per:,.0f} bytes | {check(per <= 2048)} |")
try:
    micro0 = {b['name']: b for b in json.load(open(micro_path))["benchmarks"]}
    # The client's path: the fixed-shape signer writing the request, then the response parsed
    # into a reused object (bench/micro.cpp sign_build_parse).
    ns = micro0['sign_build_parse']['real_time']
    allocs = micro0['sign_build_parse'].get('allocs/op', 0)
    out.append(f"| sign + build + parse ≤ 3 µs and ≤ 4 heap allocations | {ns / 1000:.2f} µs, {allocs:.0f} allocations | "
               f"{check(ns <= 3000)} (time), {check(allocs <= 4)} (allocations) |")
except Exception:
    pass
out.append("")
out.append(open(__file__.replace("report.py", "ANALYSIS.md")).read())
try:
    micro = json.load(open(micro_path))
    out.append("Micro-benchmarks of the sans-io core (Google Benchmark): `sign` and `build` are the generic "
               "signer and Beast message (the reference, and the path for requests off the fixed shape); "
               "`write_request` is the client's signer and writer; `sign_build_parse` is one attempt's work "
               "(write_request, then parse a 202 body into a response object used before).\n")
    out.append("| benchmark | ns/op | heap allocations/op |")
    out.append("|---|---|---|")
    for b in micro["benchmarks"]:
        out.append(f"| {b['name']} | {b['real_time']:,.0f} | {b.get('allocs/op', float('nan')):.1f} |")
    out.append("")
except Exception as e:  # noqa
    out.append(f"(micro-benchmarks unavailable: {e})\n")
print("\n".join(out))
