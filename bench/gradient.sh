#!/usr/bin/env bash
# bench/gradient.sh: the reviewer's queue and the statistics page of the
# gradient cultivation with 1,000,000 enterprises (facts for two years) and
# 100,000 applications: p50/p90/p99 latency from wrk, 8 connections, 10 s each.
# Target: under 100 ms at p95 (we report p99 as the upper bound).
#
#   bench/gradient.sh [ROWS]      (default 1000000; data cached in bench/out/)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=${TECHBRIDGE:-$ROOT/build/techbridge}
ROWS=${1:-1000000}
OUT=$ROOT/bench/out
mkdir -p "$OUT"
CSV=$OUT/gradient-orgs-$ROWS.csv
DB=$OUT/gradient-$ROWS.db
say() { printf '[gradient %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

[ -f "$CSV" ] || { say "generating $ROWS enterprises"; python3 bench/gen-orgs.py "$ROWS" "$CSV"; }
if [ ! -f "$DB" ]; then
	say "importing and adding facts, titles and 100,000 applications"
	rm -f "$DB"*
	echo gradient-bench-password | "$BIN" --db "$DB" user add rev --role reviewer --region 320000 --level province >/dev/null
	"$BIN" --db "$DB" import organisations "$CSV" >/dev/null
	sqlite3 "$DB" <<'SQL'
PRAGMA foreign_keys = OFF;
BEGIN;
INSERT INTO org_fact_years (org_id, fiscal_year, revenue_fen, main_revenue_fen, rd_expense_fen,
                            total_assets_fen, total_liabilities_fen, employees)
SELECT id, y.y, 100000000 + (id * 7919) % 900000000, 90000000 + (id * 7919) % 800000000,
       3000000 + (id * 104729) % 40000000, 200000000 + (id * 31) % 900000000,
       100000000 + (id * 17) % 400000000, 20 + id % 480
FROM organisations, (SELECT 2024 AS y UNION ALL SELECT 2025) y;
INSERT INTO applications (org_id, tier, state, region_code, step, step_level, step_due,
                         final_level, created_at, updated_at)
SELECT id, CASE id % 3 WHEN 0 THEN 'innovative_sme' WHEN 1 THEN 'specialized_sme' ELSE 'little_giant' END,
       CASE (id / 10) % 5 WHEN 0 THEN 'draft' WHEN 1 THEN 'notice' ELSE 'under_review' END,
       region_code, 1, 'province', '2026-12-01', 'province', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'
FROM organisations WHERE id % 10 = 0 AND region_code IS NOT NULL;
INSERT INTO titles (org_id, tier, since, until, province_code)
SELECT id, CASE id % 3 WHEN 0 THEN 'innovative_sme' WHEN 1 THEN 'specialized_sme' ELSE 'little_giant' END,
       '2025-07-01', '2028-06-30', substr(region_code, 1, 2)
FROM organisations WHERE id % 50 = 0 AND region_code IS NOT NULL;
COMMIT;
ANALYZE;
SQL
fi
say "$(sqlite3 "$DB" 'SELECT count(*) FROM organisations') enterprises, $(sqlite3 "$DB" 'SELECT count(*) FROM applications') applications, $(sqlite3 "$DB" 'SELECT count(*) FROM titles') titles"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" --db "$DB" serve --listen 127.0.0.1:$PORT --workers 2 --access-log off 2>/dev/null &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
TOKEN=$(curl -s -X POST "http://127.0.0.1:$PORT/api/v1/sessions" -H 'Content-Type: application/json' \
	-d '{"username":"rev","password":"gradient-bench-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
LUA=$(mktemp --suffix=.lua)
cat >"$LUA" <<EOF2
wrk.headers["Authorization"] = "Bearer $TOKEN"
EOF2
measure() { # name path
	curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$2" || { say "$1: request failed"; return 1; }
	wrk -t2 -c8 -d10s --latency -s "$LUA" "http://127.0.0.1:$PORT$2" |
		awk -v n="$1" '/Requests\/sec/{r=$2} / 50%/{a=$2} / 90%/{b=$2} / 99%/{c=$2} END{printf "%-32s %10s req/s  p50 %8s  p90 %8s  p99 %8s\n", n, r, a, b, c}'
}
RES=$ROOT/bench/RESULTS-gradient.md
{
	echo "# Gradient cultivation: queue, notices, statistics"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
	echo "load average $(cut -d' ' -f1-3 /proc/loadavg). Data: $(sqlite3 "$DB" 'SELECT count(*) FROM organisations')"
	echo "enterprises with facts for 2024-2025, $(sqlite3 "$DB" 'SELECT count(*) FROM applications')"
	echo "applications, $(sqlite3 "$DB" 'SELECT count(*) FROM titles') titles. \`wrk -t2 -c8 -d10s --latency\` against"
	echo "\`techbridge serve --workers 2\`, signed in as a Jiangsu province reviewer."
	echo "Target: p95 under 100 ms; p99 is shown as its upper bound."
	echo
	echo '```'
	measure "reviewer queue (Jiangsu)" "/api/v1/reviews?state=pending"
	measure "public notices" "/api/v1/notices"
	measure "statistics" "/api/v1/stats/gradient?year=2025"
	echo '```'
	echo
	echo "Command: \`bench/gradient.sh $ROWS\`"
} | tee "$RES"
rm -f "$LUA"
