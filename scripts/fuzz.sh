#!/usr/bin/env bash
# make fuzz: schemathesis (PyPI, pinned, in a venv under .build/) against the OpenAPI document
# the service serves (/openapi.yaml), with a valid token, on `mottak-dev` (debug build, every
# role, throwaway PostgreSQL, embedded Kafka, stand-ins). Checks: no 5xx, status codes,
# content types, headers and bodies as the spec says, schema-invalid input refused
# (negative_data_rejection), and every error an ApiError naming its status (fuzz_hooks.py).
# Not checked: positive_data_acceptance, because the contract refuses some schema-valid plans
# by rules OpenAPI 3.0 cannot state (a description required when needsHelpFromNav, at least
# one receiver, evaluation date ahead, ...): those 400s are right.
#   FUZZ_MAX_EXAMPLES  cases per operation and phase (default 200);  FUZZ_SEED  repeat a run
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.build/fuzz-venv
port=${FUZZ_PORT:-18480}
work=$(mktemp -d /tmp/mottak-fuzz.XXXXXX)
if [ ! -x "$venv/bin/st" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q schemathesis==4.32.5
fi

APPLICATION_PORT=$port LOG_LEVEL=warning SUBMISSION_WAIT_MS=2000 .build/debug/mottak-dev >"$work/mottak.log" 2>&1 &
server=$!
trap 'kill -INT $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 240); do
    curl -fs "http://127.0.0.1:$port/internal/is_ready" >/dev/null 2>&1 && break
    kill -0 $server 2>/dev/null || { cat "$work/mottak.log" >&2; exit 1; }
    sleep 0.5
done
token=$(.build/debug/mottak-dev token --org 123456789 --lifetime 7200)

set +e
SCHEMATHESIS_HOOKS=fuzz_hooks PYTHONPATH=scripts "$venv/bin/st" run "http://127.0.0.1:$port/openapi.yaml" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection,missing_required_header,unsupported_method \
    --max-examples "${FUZZ_MAX_EXAMPLES:-200}" ${FUZZ_SEED:+--seed "$FUZZ_SEED"} --workers 4 --no-color \
    --report junit --report-junit-path "$work/junit.xml" --generation-database none | tee "$work/st.txt"
status=${PIPESTATUS[0]}
set -e
cases=$(grep -oE '[0-9]+ generated' "$work/st.txt" | tail -1 | awk '{ print $1 }')
failures=$(python3 -c "import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); print(sum(int(s.get('failures',0))+int(s.get('errors',0)) for s in r.iter('testsuite')))" "$work/junit.xml")
echo
echo "RESULT fuzz_schemathesis_cases ${cases:-0}"
echo "RESULT fuzz_schemathesis_failures $failures"
exit "$status"
