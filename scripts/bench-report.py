#!/usr/bin/env python3
"""Writes the report of a `make bench` run: DIR/report.md (every headline figure in Markdown
tables) and DIR/latency.png (intake p50/p99 and pgbench's average latency against the number of
clients, drawn by gnuplot), from the RESULT lines in DIR/results.txt.

    scripts/bench-report.py DIR
"""
import os
import re
import subprocess
import sys

out = sys.argv[1]
results = {}
for line in open(os.path.join(out, "results.txt")):
    parts = line.split()
    if len(parts) == 3 and parts[0] == "RESULT":
        results[parts[1]] = parts[2]

clients = sorted({int(m.group(1)) for name in results if (m := re.fullmatch(r"intake_tps_c(\d+)", name))})
roles = [m.group(1) for name in results if (m := re.fullmatch(r"rss_idle_mib_(\w+)", name))]
get = lambda name: results.get(name, "–")

lines = [f"# make bench: {os.path.basename(out.rstrip('/'))}", ""]
lines += ["## Intake beside pgbench (the same insert statement)", "",
          "| clients | intake plans/s | p50 ms | p99 ms | pgbench tps | pgbench avg ms | ratio |", "|---:|---:|---:|---:|---:|---:|---:|"]
for c in clients:
    lines.append(f"| {c} | {get(f'intake_tps_c{c}')} | {get(f'intake_p50_ms_c{c}')} | {get(f'intake_p99_ms_c{c}')} | "
                 f"{get(f'pgbench_tps_c{c}')} | {get(f'pgbench_latency_avg_ms_c{c}')} | {get(f'intake_tps_ratio_vs_pgbench_c{c}')} |")
lines += ["", "## End to end (POST to COMPLETED), key-ordered concurrent consumers against one at a time", "",
          "| setting | concurrent | one at a time (baseline) |", "|---|---:|---:|",
          f"| plans/s, every role in one process, stand-ins at 0 ms | {get('pipeline_plans_per_s_0ms_one_process')} | {get('pipeline_plans_per_s_0ms_one_process_baseline')} |",
          f"| plans/s, one process per role, stand-ins at 0 ms | {get('pipeline_plans_per_s_0ms_process_per_role')} | |",
          f"| plans/s, one member per group, stand-ins at 20 ms | {get('pipeline_plans_per_s_20ms')} | {get('pipeline_plans_per_s_20ms_baseline')} |",
          f"| plans/s, one member per group, stand-ins at 200 ms | {get('pipeline_plans_per_s_200ms')} | {get('pipeline_plans_per_s_200ms_baseline')} |",
          f"| synchronous burst at 200 ms: answered 200 | {get('pipeline_burst_200ms_sync_answered_200')} | {get('pipeline_burst_200ms_sync_answered_200_baseline')} |",
          f"| synchronous burst at 200 ms: POST p99 s | {get('pipeline_burst_200ms_post_p99_s')} | |",
          f"| head-of-line, others' p50/p99 s, no failure | {get('pipeline_hol_others_p50_p99_s_no_failure')} | |",
          f"| head-of-line, others' p50/p99 s, one plan failing 60 s | {get('pipeline_hol_others_p50_p99_s_one_failing')} | {get('pipeline_hol_others_p50_p99_s_one_failing_baseline')} |"]
lines += ["", "## Resident memory per role (one process per role, release build)", "",
          "| role | idle MiB | peak under load MiB |", "|---|---:|---:|"]
for role in roles:
    lines.append(f"| {role.replace('_', '-')} | {get(f'rss_idle_mib_{role}')} | {get(f'rss_load_mib_{role}')} |")
lines += ["", "![latency against concurrency](latency.png)", ""]
open(os.path.join(out, "report.md"), "w").write("\n".join(lines))

with open(os.path.join(out, "latency.dat"), "w") as data:
    data.write("# clients intake_p50_ms intake_p99_ms pgbench_avg_ms\n")
    for c in clients:
        data.write(f"{c} {get(f'intake_p50_ms_c{c}')} {get(f'intake_p99_ms_c{c}')} {get(f'pgbench_latency_avg_ms_c{c}')}\n")
script = f"""
set terminal pngcairo size 900,560 font ',11'
set output '{out}/latency.png'
set title 'POST /api/v1/followupplan latency against concurrency (pgbench: the same insert)'
set xlabel 'concurrent clients'
set ylabel 'milliseconds'
set logscale x 2
set logscale y 10
set xtics ({', '.join(str(c) for c in clients)})
set xrange [0.7:{max(clients) * 1.4}]
set grid
set key top left
plot '{out}/latency.dat' using 1:2 with linespoints lw 2 title 'intake p50', \\
     '' using 1:3 with linespoints lw 2 title 'intake p99', \\
     '' using 1:4 with linespoints lw 2 dt 2 title 'pgbench average'
"""
subprocess.run(["gnuplot"], input=script.encode(), check=True)
print(f"wrote {out}/report.md and {out}/latency.png")
