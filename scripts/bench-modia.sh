#!/usr/bin/env bash
# The Modia routes' benchmark (make bench-modia): latency (p50/p99) and throughput of the case
# workers' list (GET /api/internad/v1/oppfolgingsplan/lps) and PDF (…/lps/{uuid}) at 1 and 32
# concurrent case workers (wrk, keep-alive, on loopback), beside the LPS status query
# (GET /api/v1/followupplan/{uuid}/sendingstatus: one indexed read, no outside call) in the same
# run against the same PostgreSQL. The Modia routes ask istilgangskontroll (the stand-in, inside
# the same process, answering after BENCH_LATENCIES ms) and write an audit record over TCP to
# the local collector on every request; the on-behalf-of token is cached per case worker's token.
#
# The person has BENCH_PLANS plans to NAV (PDFs of BENCH_PDF_KB KB, the old service's are 50–200
# KB), one to the GP only and one without a PDF.
#
# Runs inside scripts/throwaway-postgres.sh (DATABASE_URL set). Ends with RESULT lines.
#   BENCH_DURATION   seconds per measurement (default 10)
#   BENCH_CLIENTS    concurrency levels (default "1 32")
#   BENCH_LATENCIES  the stand-ins' answer delay in ms, one server each (default "0 20")
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${BENCH_DURATION:-10}
clients=${BENCH_CLIENTS:-1 32}
latencies=${BENCH_LATENCIES:-0 20}
plans=${BENCH_PLANS:-5}
pdf_kb=${BENCH_PDF_KB:-100}
port=${BENCH_PORT:-18081}
person=01019012345
mottak_dev=.build/release/mottak-dev
work=$(mktemp -d /tmp/mottak-bench-modia.XXXXXX)
: "${DATABASE_URL:?run me through scripts/throwaway-postgres.sh}"

server_pid=
stop_server() {
    if [ -n "$server_pid" ]; then kill -INT "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    server_pid=
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT

start_server() {  # $1: the stand-ins' latency in ms
    env -u AUDIT_LOG_ADDRESS LOCAL_STANDINS_LATENCY_MS=$1 APPLICATION_PORT=$port LOG_LEVEL=warning \
        "$mottak_dev" --role status-query >"$work/server-$1.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 120); do
        curl -fs "http://127.0.0.1:$port/internal/is_ready" >/dev/null 2>&1 && return 0
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/server-$1.log" >&2; exit 1; }
        sleep 0.5
    done
    echo "the status-query role did not become ready" >&2; cat "$work/server-$1.log" >&2; exit 1
}

seed() {
    psql -q "$DATABASE_URL" >/dev/null <<SQL
TRUNCATE followup_plan CASCADE;
INSERT INTO followup_plan (uuid, employer_org_number, lps_org_number, submitted_via, employee_identification_number, typical_workday,
    tasks_that_can_still_be_done, tasks_that_can_not_be_done, previous_facilitation, planned_facilitation, follow_up, evaluation_date,
    send_plan_to_nav, needs_help_from_nav, needs_help_from_nav_description, send_plan_to_general_practitioner, contact_person_full_name,
    contact_person_phone_number, contact_person_email, employee_has_contributed_to_plan, employee_has_not_contributed_to_plan_description, lps_name)
SELECT gen_random_uuid(), '123456789', '123456789', 'HTTP', '$person', 'x', 'x', 'x', 'x', 'x', 'x', '2027-01-01',
       n <= $plans + 1, CASE WHEN n <= $plans + 1 THEN true END, CASE WHEN n <= $plans + 1 THEN 'help' END, n > $plans, 'x', 'x', 'x', true, '', 'LPS'
FROM generate_series(1, $plans + 2) AS n;
INSERT INTO plan_status (plan_uuid, state, nav_state, gp_state)
SELECT uuid, 'COMPLETED', CASE WHEN send_plan_to_nav THEN 'SENT' ELSE 'NOT_REQUESTED' END,
       CASE WHEN send_plan_to_general_practitioner THEN 'SENT' ELSE 'NOT_REQUESTED' END FROM followup_plan;
-- A PDF for every plan but one of those to NAV ("not yet built").
INSERT INTO plan_pdf (plan_uuid, pdf)
SELECT uuid, convert_to('%PDF-1.4 ', 'UTF8') || decode(repeat('00', $pdf_kb * 1024), 'hex')
FROM (SELECT uuid, row_number() OVER (ORDER BY uuid) AS n FROM followup_plan WHERE send_plan_to_nav) AS p WHERE n <= $plans
UNION ALL SELECT uuid, convert_to('%PDF-1.4 gp', 'UTF8') FROM followup_plan WHERE NOT send_plan_to_nav;
SQL
}

wrk_script() {  # $1: file, $2: token variable, $3: extra header line (or empty)
    cat >"$1" <<LUA
wrk.headers["Authorization"] = "Bearer " .. os.getenv("$2")
$3
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %.6f %.3f %.3f\n", summary.requests, e.connect + e.read + e.write + e.timeout, e.status,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
}

# The migrations run on the first start; the rows go in once the schema is there.
start_server 0
seed
status_uuid=$(psql -qtA "$DATABASE_URL" -c "SELECT uuid FROM followup_plan ORDER BY uuid LIMIT 1")
pdf_uuid=$(psql -qtA "$DATABASE_URL" -c "SELECT plan_uuid FROM plan_pdf WHERE octet_length(pdf) > 1000 ORDER BY plan_uuid LIMIT 1")
listed=$(psql -qtA "$DATABASE_URL" -c "SELECT count(*) FROM followup_plan p JOIN plan_pdf d ON d.plan_uuid = p.uuid WHERE p.send_plan_to_nav")
BENCH_LPS_TOKEN=$("$mottak_dev" token --org 123456789 --lifetime 7200)
BENCH_STAFF_TOKEN=$("$mottak_dev" token --veileder Z990000 --lifetime 7200)
export BENCH_LPS_TOKEN BENCH_STAFF_TOKEN
wrk_script "$work/status.lua" BENCH_LPS_TOKEN ""
wrk_script "$work/list.lua" BENCH_STAFF_TOKEN "wrk.headers[\"nav-personident\"] = \"$person\""
wrk_script "$work/pdf.lua" BENCH_STAFF_TOKEN ""
base="http://127.0.0.1:$port"
check() {  # $1: what, $2: expected status, curl arguments after
    local what=$1 expected=$2; shift 2
    local got; got=$(curl -s -o "$work/check.out" -w '%{http_code}' "$@")
    [ "$got" = "$expected" ] || { echo "$what answered $got, not $expected: $(head -c 300 "$work/check.out")" >&2; exit 1; }
}

audit_before=$(wc -l <.mottak-dev/audit.log 2>/dev/null || echo 0)
results=()
printf '\n%-12s %-8s %-8s %12s %10s %10s\n' route latency clients requests_s p50_ms p99_ms
for latency in $latencies; do
    [ -n "$server_pid" ] || start_server "$latency"
    check status 200 -H "Authorization: Bearer $BENCH_LPS_TOKEN" "$base/api/v1/followupplan/$status_uuid/sendingstatus"
    check list 200 -H "Authorization: Bearer $BENCH_STAFF_TOKEN" -H "nav-personident: $person" "$base/api/internad/v1/oppfolgingsplan/lps"
    [ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/check.out")" = "$listed" ] || { echo "the list is not the $listed plans" >&2; exit 1; }
    check pdf 200 -H "Authorization: Bearer $BENCH_STAFF_TOKEN" "$base/api/internad/v1/oppfolgingsplan/lps/$pdf_uuid"
    for c in $clients; do
        threads=$((c < 2 ? 1 : 2))
        for route in status list pdf; do
            case $route in
                status) url="$base/api/v1/followupplan/$status_uuid/sendingstatus" ;;
                list) url="$base/api/internad/v1/oppfolgingsplan/lps" ;;
                pdf) url="$base/api/internad/v1/oppfolgingsplan/lps/$pdf_uuid" ;;
            esac
            # The status query makes no outside call: measured once, at the first latency.
            if [ "$route" = status ] && [ "$latency" != "${latencies%% *}" ]; then continue; fi
            read -r _ requests socket_errors status_errors seconds p50 p99 < <(
                wrk -t"$threads" -c"$c" -d"${duration}s" --latency -s "$work/$route.lua" "$url" | tee "$work/wrk-$route-$latency-$c.txt" | grep "^WRK ")
            if ((socket_errors + status_errors > 0)); then
                echo "$route at $c clients: $status_errors error answers, $socket_errors socket errors" >&2
                exit 1
            fi
            rps=$(awk -v n="$requests" -v s="$seconds" 'BEGIN { printf "%.1f", n / s }')
            label=$([ "$route" = status ] && echo "status" || echo "${route}_${latency}ms")
            printf '%-12s %-8s %-8s %12s %10s %10s\n' "$route" "${latency}ms" "$c" "$rps" "$p50" "$p99"
            results+=("RESULT modia_${label}_rps_c$c $rps" "RESULT modia_${label}_p50_ms_c$c $p50" "RESULT modia_${label}_p99_ms_c$c $p99")
        done
    done
    stop_server
done
echo
echo "audit records written by this run (.mottak-dev/audit.log): $(($(wc -l <.mottak-dev/audit.log) - audit_before))"
printf '%s\n' "${results[@]}"
