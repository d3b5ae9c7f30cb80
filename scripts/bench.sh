#!/usr/bin/env bash
# make bench: every benchmark in one go on the embedded stack, in one throwaway PostgreSQL
# (release build): (a) intake throughput and p50/p99 at 1/32/128 clients beside pgbench on the
# same statement (bench-intake.sh); (b) the pipeline from POST to COMPLETED at 0/20/200 ms
# stand-ins, a synchronous burst and head-of-line, against the one-at-a-time baseline
# (bench-pipeline.py); (c) resident memory per role, idle and under
# load, one process per role (bench-rss.py). Writes results/<UTC time>/ (git-ignored):
# the outputs, results.txt (RESULT lines), report.md and latency.png; ends with the RESULT lines.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?run me through scripts/throwaway-postgres.sh}"

out=${BENCH_RESULTS:-results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
scripts/bench-intake.sh | tee "$out/intake.txt"
PGOPTIONS="-c client_min_messages=warning" psql -q "$DATABASE_URL" -c "TRUNCATE followup_plan, outbox CASCADE" >/dev/null
scripts/bench-pipeline.py | tee "$out/pipeline.txt"
PGOPTIONS="-c client_min_messages=warning" psql -q "$DATABASE_URL" -c "TRUNCATE followup_plan, outbox CASCADE" >/dev/null
MOTTAK=.build/release/mottak scripts/bench-rss.py | tee "$out/rss.txt"
grep -h '^RESULT ' "$out/intake.txt" "$out/pipeline.txt" "$out/rss.txt" >"$out/results.txt"
scripts/bench-report.py "$out"
echo
cat "$out/report.md"
echo
cat "$out/results.txt"
