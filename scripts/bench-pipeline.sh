#!/usr/bin/env bash
# The pipeline benchmark (make bench-pipeline): plans per second from POST to COMPLETED, on the
# embedded stack with every role and the stand-ins of NAV's APIs:
#   (a) stand-ins answering at once, one member per consumer group;
#   (b) stand-ins answering after 20 ms, one member per group, then three (two more processes
#       with the consuming roles join the groups; every topic has 6 partitions).
# Each measurement submits BENCH_PLANS plans (default 300; curl, 16 at a time) of the example
# plan (employee 01019012345: lookup passes, NAV journal post, Modia task and GP message) and
# waits until all are COMPLETED. Runs inside scripts/throwaway-postgres.sh. Ends with RESULT lines.
set -euo pipefail
cd "$(dirname "$0")/.."

plans=${BENCH_PLANS:-300}
mottak=.build/release/mottak
body=scripts/examples/followupplan.json
work=$(mktemp -d /tmp/mottak-pipeline-bench.XXXXXX)
http=18180
standins=18190
: "${DATABASE_URL:?run me through scripts/throwaway-postgres.sh}"

pids=()
stop_all() {
    for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT

sql() { PGOPTIONS="-c client_min_messages=warning" psql -qtA "$DATABASE_URL" -c "$1"; }

wait_ready() {
    for _ in $(seq 1 240); do
        curl -fs "http://127.0.0.1:$1/internal/is_ready" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "process on port $1 did not become ready" >&2
    cat "$work"/*.log >&2
    exit 1
}

# The process with every role, the embedded Kafka, the stand-ins and the local Maskinporten.
start_main() {
    APPLICATION_PORT=$http LOCAL_STANDINS_PORT=$standins LOCAL_STANDINS_LATENCY_MS=$1 LOG_LEVEL=warning \
        "$mottak" dev >"$work/main.log" 2>&1 &
    pids+=($!)
    wait_ready $http
    kafka=$(grep -m1 'Kafka:' "$work/main.log" | awk '{ print $2 }')
}

# A process with the consuming roles only, joining the main process's groups.
start_member() {
    local base="http://127.0.0.1:$standins"
    APPLICATION_PORT=$((http + $1)) KAFKA_BROKERS=$kafka LOG_LEVEL=info \
        AZURE_OPENID_CONFIG_TOKEN_ENDPOINT=$base/azuread/token AZURE_APP_CLIENT_ID=bench AZURE_APP_CLIENT_SECRET=bench \
        AAREG_URL=$base/aareg AAREG_SCOPE=aareg PDL_URL=$base/pdl/graphql PDL_SCOPE=pdl KRR_PROXY_URL=$base/krr KRR_PROXY_SCOPE=krr \
        OP_PDFGEN_URL=$base/pdfgen EREG_URL=$base/ereg EREG_SCOPE=ereg DOKARKIV_URL=$base/dokarkiv DOKARKIV_SCOPE=dokarkiv \
        ISDIALOGMELDING_URL=$base/isdialogmelding ISDIALOGMELDING_CLIENT_ID=isdialogmelding \
        "$mottak" dev --role lookup,router,nav-channel,gp-channel,status-updater >"$work/member-$1.log" 2>&1 &
    pids+=($!)
    wait_ready $((http + $1))
}

# Submits $1 plans (default BENCH_PLANS) and prints plans per second until the last one is COMPLETED.
measure() {
    local plans=${1:-$plans}
    sql "TRUNCATE followup_plan, outbox CASCADE" >/dev/null
    for _ in $(seq 1 120); do [ "$(sql "SELECT count(*) FROM sykmelding_period")" -ge 3 ] && break; sleep 0.5; done
    local token started finished done_count submitted
    token=$("$mottak" dev token --org 123456789)
    started=$(date +%s.%N)
    # Prefer: respond-async: the submitters do not wait for each outcome, so the pipeline has
    # every plan to work on and its own rate is measured.
    seq "$plans" | xargs -P 16 -I{} curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -H 'Prefer: respond-async' --data @"$body" "http://127.0.0.1:$http/api/v1/followupplan" >"$work/codes.txt"
    if [ "$(grep -c '^202$' "$work/codes.txt")" -ne "$plans" ]; then
        echo "submissions failed: $(sort "$work/codes.txt" | uniq -c | tr '\n' ' ')" >&2; exit 1
    fi
    submitted=$plans
    for _ in $(seq 1 3000); do
        done_count=$(sql "SELECT count(*) FROM plan_status WHERE state = 'COMPLETED'")
        [ "$done_count" -ge "$submitted" ] && break
        sleep 0.1
    done
    finished=$(date +%s.%N)
    [ "$done_count" -ge "$submitted" ] || { echo "only $done_count of $submitted plans completed" >&2; exit 1; }
    awk -v n="$submitted" -v a="$started" -v b="$finished" 'BEGIN { printf "%.1f", n / (b - a) }'
}


start_main 0
zero=$(measure)
echo "stand-ins at 0 ms, 1 member per group:  $zero plans/s"
stop_all

start_main 20
one=$(measure)
echo "stand-ins at 20 ms, 1 member per group: $one plans/s"
start_member 1
start_member 2
# Measure only once both new members own partitions in each of their five groups.
for _ in $(seq 1 240); do
    joined=$(cat "$work"/member-*.log | grep -c 'partitions assigned' || true)
    [ "$joined" -ge 10 ] && break
    sleep 0.5
done
echo "new members' groups with partitions: $joined of 10"
# Cooperative rebalancing moves partitions in more than one round: a small unmeasured batch
# lets the groups settle, so the measurement is of three members, not of a rebalance.
measure 30 >/dev/null
three=$(measure)
echo "stand-ins at 20 ms, 3 members per group: $three plans/s"
ratio=$(awk -v a="$three" -v b="$one" 'BEGIN { printf "%.2f", a / b }')

echo
echo "RESULT pipeline_plans_per_s_standins_0ms $zero"
echo "RESULT pipeline_plans_per_s_standins_20ms_1_member $one"
echo "RESULT pipeline_plans_per_s_standins_20ms_3_members $three"
echo "RESULT pipeline_scaling_ratio_3_vs_1_members $ratio"
