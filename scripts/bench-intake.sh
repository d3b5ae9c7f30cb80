#!/usr/bin/env bash
# The intake benchmark (make bench-intake): POST /api/v1/followupplan throughput and latency at
# 1, 32 and 128 concurrent clients (wrk, keep-alive, on loopback), and pgbench running the very
# statement the intake runs for that plan (`mottak-dev bench-statement`) at the same concurrency,
# in the same run, against the same PostgreSQL. Tables are emptied before every measurement.
#
# Runs inside scripts/throwaway-postgres.sh (DATABASE_URL set). Ends with RESULT lines.
#   BENCH_DURATION  seconds per measurement (default 10)
#   BENCH_CLIENTS   concurrency levels (default "1 32 128")
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${BENCH_DURATION:-10}
clients=${BENCH_CLIENTS:-1 32 128}
port=${BENCH_PORT:-18080}
body=scripts/examples/followupplan.json
mottak_dev=.build/release/mottak-dev
work=$(mktemp -d /tmp/mottak-bench.XXXXXX)
: "${DATABASE_URL:?run me through scripts/throwaway-postgres.sh}"

server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill -INT "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# The intake alone, as it runs in its own Deployment: the embedded Kafka and the local
# Maskinporten stand in for the cluster's; the pool has room for 128 waiting requests' queries.
APPLICATION_PORT=$port LOG_LEVEL=warning DATABASE_MAX_CONNECTIONS=${BENCH_POOL:-16} \
    "$mottak_dev" --role intake >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/internal/is_ready" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.5
done
curl -fs "http://127.0.0.1:$port/internal/is_ready" >/dev/null || { echo "the intake did not become ready" >&2; cat "$work/server.log" >&2; exit 1; }

BENCH_TOKEN=$("$mottak_dev" token --org 123456789 --lifetime 7200)
export BENCH_TOKEN BENCH_BODY=$body
"$mottak_dev" bench-statement --body "$body" --org 123456789 >"$work/statement.sql"

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
-- The intake's own work: validate, store, answer 202. Waiting for the pipeline's outcome (the
-- default answer mode) costs the intake no CPU, only the caller's time; no pipeline runs here.
wrk.headers["Prefer"] = "respond-async"
local file = io.open(os.getenv("BENCH_BODY"), "r")
wrk.body = file:read("*a")
file:close()
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %.6f %.3f %.3f\n", summary.requests, e.connect + e.read + e.write + e.timeout, e.status,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

empty_tables() { PGOPTIONS="-c client_min_messages=warning" psql -q "$DATABASE_URL" -c "TRUNCATE followup_plan, outbox CASCADE" >/dev/null; }

# Warm-up: connections, JIT-free code paths, the key cache.
empty_tables
wrk -t1 -c4 -d2s -s "$work/post.lua" "http://127.0.0.1:$port/api/v1/followupplan" >/dev/null

results=()
printf '\n%-8s %14s %12s %12s %14s %10s\n' clients intake_tps p50_ms p99_ms pgbench_tps ratio
for c in $clients; do
    threads=$((c < 2 ? 1 : 2))
    empty_tables
    read -r _ requests socket_errors status_errors seconds p50 p99 < <(
        wrk -t"$threads" -c"$c" -d"${duration}s" --latency -s "$work/post.lua" "http://127.0.0.1:$port/api/v1/followupplan" | tee "$work/wrk-$c.txt" | grep "^WRK ")
    if ((socket_errors + status_errors > 0)); then
        echo "intake at $c clients: $status_errors error answers, $socket_errors socket errors" >&2
        exit 1
    fi
    stored=$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM followup_plan")
    intake_tps=$(awk -v n="$requests" -v s="$seconds" 'BEGIN { printf "%.1f", n / s }')

    empty_tables
    pgbench -n -M extended -c "$c" -j "$threads" -T "$duration" -f "$work/statement.sql" "$DATABASE_URL" >"$work/pgbench-$c.txt" 2>&1
    pgbench_tps=$(awk '/^tps = / { print $3 }' "$work/pgbench-$c.txt")
    pgbench_latency=$(awk '/^latency average = / { print $4 }' "$work/pgbench-$c.txt")
    ratio=$(awk -v a="$intake_tps" -v b="$pgbench_tps" 'BEGIN { printf "%.2f", a / b }')
    printf '%-8s %14s %12s %12s %14s %10s   (%s plans stored)\n' "$c" "$intake_tps" "$p50" "$p99" "$pgbench_tps" "$ratio" "$stored"
    results+=("RESULT intake_tps_c$c $intake_tps" "RESULT intake_p50_ms_c$c $p50" "RESULT intake_p99_ms_c$c $p99"
        "RESULT pgbench_tps_c$c $pgbench_tps" "RESULT pgbench_latency_avg_ms_c$c $pgbench_latency" "RESULT intake_tps_ratio_vs_pgbench_c$c $ratio")
done
echo
printf '%s\n' "${results[@]}"
