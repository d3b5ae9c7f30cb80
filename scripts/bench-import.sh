#!/usr/bin/env bash
# The cut-over import's benchmark (make bench-import): `mottak import-legacy` (release) bringing
# BENCH_PLANS plans of the old service (FOLLOW_UP_PLAN_LPS_V1, PDFs of 50–200 KB that do not
# compress, as real PDFs) into a migrated database, beside a plain COPY of the same rows between
# the same two databases in the same run (binary COPY piped from one psql to another: the floor
# for moving those bytes through this PostgreSQL). Then a second run of the import (nothing to
# write: the cost of resuming or re-checking). Both databases live in one throwaway cluster, so
# the figures are the import's own cost, not a network's.
#
# Runs inside scripts/throwaway-postgres.sh (DATABASE_URL set). Ends with RESULT lines.
#   BENCH_PLANS       plans in the old database (default 10000)
#   BENCH_BATCH_SIZE  the import's --batch-size (default 100)
set -euo pipefail
cd "$(dirname "$0")/.."

plans=${BENCH_PLANS:-10000}
batch=${BENCH_BATCH_SIZE:-100}
mottak=.build/release/mottak
: "${DATABASE_URL:?run me through scripts/throwaway-postgres.sh}"
base=${DATABASE_URL%/*}
legacy_url="$base/bench_legacy"
ours_url="$base/bench_ours"
work=$(mktemp -d /tmp/mottak-bench-import.XXXXXX)
trap 'rm -rf "$work"' EXIT

psql -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "DROP DATABASE IF EXISTS bench_legacy" -c "DROP DATABASE IF EXISTS bench_ours" \
    -c "CREATE DATABASE bench_legacy" -c "CREATE DATABASE bench_ours"

echo "== the old database: its own migrations V1–V15, then $plans plans"
for file in $(ls Tests/MottakAppTests/CutOver/LegacySchema/V*.sql | sort -t V -k 2 -n); do
    psql -q -v ON_ERROR_STOP=1 "$legacy_url" -f "$file" >/dev/null
done
psql -q -v ON_ERROR_STOP=1 "$legacy_url" <<SQL
-- 400 KB of random bytes; each PDF is a random slice of 50–200 KB of it (not compressible).
CREATE TEMP TABLE noise AS
    SELECT decode(string_agg(md5(random()::text) || md5(random()::text), ''), 'hex') AS bytes FROM generate_series(1, 12500);
INSERT INTO follow_up_plan_lps_v1 (
    uuid, organization_number, employee_identification_number, typical_workday, tasks_that_can_still_be_done,
    tasks_that_can_not_be_done, previous_facilitation, planned_facilitation, follow_up, evaluation_date, needs_help_from_nav,
    needs_help_from_nav_description, contact_person_full_name, contact_person_phone_number, contact_person_email,
    employee_has_contributed_to_plan, pdf, send_plan_to_nav, sent_to_nav_at, send_plan_to_general_practitioner,
    sent_to_general_practitioner_at, lps_name, lps_orgnumber, created_at, last_updated_at)
SELECT gen_random_uuid(), '123456789', lpad((10000000000 + i)::text, 11, '0'), repeat('Kontorarbeid. ', 20), 'Lette oppgaver',
    'Tunge løft', 'Hjemmekontor', 'Gradert sykmelding', 'Samtale hver fjortende dag', date '2026-01-15', i % 3 = 0,
    CASE WHEN i % 3 = 0 THEN 'Trenger hjelp' END, 'Kari Nordmann', '+47 22 22 22 22', 'kari@example.no', true,
    '%PDF-1.7 '::bytea || substring(noise.bytes FROM 1 + (random() * 200000)::int FOR 50000 + (random() * 150000)::int),
    true, timestamp '2025-06-01 08:00' + i * interval '1 minute', i % 2 = 0,
    CASE WHEN i % 2 = 0 THEN timestamp '2025-06-01 08:00' + i * interval '1 minute' END, 'Visma HRM', '987654321',
    timestamp '2025-06-01 08:00' + i * interval '1 minute', timestamp '2025-06-01 08:00' + i * interval '1 minute'
FROM generate_series(1, $plans) AS i, noise;
ANALYZE follow_up_plan_lps_v1;
SQL
pdf_bytes=$(psql -qtA "$legacy_url" -c "SELECT sum(octet_length(pdf)) FROM follow_up_plan_lps_v1")
echo "   $plans plans, $((pdf_bytes / 1000000)) MB of PDF"

DATABASE_URL="$ours_url" LOG_LEVEL=warning "$mottak" migrate >/dev/null

seconds() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }

echo "== baseline: COPY (binary) of the same rows from the old database into a table of the same shape in ours"
pg_dump --schema-only -t follow_up_plan_lps_v1 "$legacy_url" | psql -q -v ON_ERROR_STOP=1 "$ours_url" >/dev/null
start=$(date +%s.%N)
psql -v ON_ERROR_STOP=1 "$legacy_url" -c "\\copy follow_up_plan_lps_v1 TO STDOUT (FORMAT binary)" \
    | psql -q -v ON_ERROR_STOP=1 "$ours_url" -c "\\copy follow_up_plan_lps_v1 FROM STDIN (FORMAT binary)"
copy_seconds=$(seconds "$start" "$(date +%s.%N)")
psql -q "$ours_url" -c "DROP TABLE follow_up_plan_lps_v1" >/dev/null

echo "== mottak import-legacy (batch size $batch)"
start=$(date +%s.%N)
DATABASE_URL="$ours_url" LEGACY_DATABASE_URL="$legacy_url" LOG_LEVEL=warning \
    /usr/bin/time -f "%M %U %S" -o "$work/time" "$mottak" import-legacy --batch-size "$batch" >"$work/first.txt"
import_seconds=$(seconds "$start" "$(date +%s.%N)")
tail -n 14 "$work/first.txt"
copy_phase=$(grep -m1 -oP 'copied in \K[0-9.]+' "$work/first.txt")
verify_phase=$(grep -m1 -oP 'verified in \K[0-9.]+' "$work/first.txt")
read -r rss_kb user_s sys_s <"$work/time"

echo "== mottak import-legacy again (nothing to write)"
start=$(date +%s.%N)
DATABASE_URL="$ours_url" LEGACY_DATABASE_URL="$legacy_url" LOG_LEVEL=warning "$mottak" import-legacy --batch-size "$batch" >"$work/second.txt"
again_seconds=$(seconds "$start" "$(date +%s.%N)")
grep -E "written|Nothing changed" "$work/second.txt" | head -3

python3 - "$plans" "$pdf_bytes" "$copy_seconds" "$import_seconds" "$again_seconds" "$rss_kb" "$user_s" "$sys_s" "$copy_phase" "$verify_phase" <<'PY'
import sys
plans, pdf, copy, imp, again, rss, user, system = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:6]), int(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
copy_phase, verify_phase = float(sys.argv[9]), float(sys.argv[10])
mb = pdf / 1e6
print(f"RESULT import-legacy-copy-phase plans={plans} seconds={copy_phase:.2f} plans_per_s={plans / copy_phase:.0f} pdf_mb_per_s={mb / copy_phase:.1f} vs_copy={copy_phase / copy:.2f}x")
print(f"RESULT import-legacy-verify-phase plans={plans} seconds={verify_phase:.2f} pdf_mb_per_s={mb / verify_phase:.1f} (both servers hash every PDF)")
print(f"RESULT import-legacy-baseline-copy plans={plans} seconds={copy:.2f} plans_per_s={plans / copy:.0f} pdf_mb_per_s={mb / copy:.1f}")
print(f"RESULT import-legacy plans={plans} seconds={imp:.2f} plans_per_s={plans / imp:.0f} pdf_mb_per_s={mb / imp:.1f} "
      f"vs_copy={imp / copy:.2f}x max_rss_mb={rss / 1024:.0f} cpu_s={user + system:.1f} (includes the verification)")
print(f"RESULT import-legacy-again plans={plans} seconds={again:.2f} plans_per_s={plans / again:.0f} (nothing written; fingerprints and the verification)")
PY
