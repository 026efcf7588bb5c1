#!/usr/bin/env bash
# bench/evaluate.sh [N]: `techbridge evaluate` (every tier) over N enterprises
# (default 1,000,000 JSON Lines of facts, docs/FACTS.md) against a parse-only pass
# of the same file with the same JSON library (`evaluate --parse-only`), measured
# in one run. Prints both times and the ratio; the target is a ratio <= 2.
# TECHBRIDGE_BIN overrides the binary; KEEP=1 keeps the generated file.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
BIN=${TECHBRIDGE_BIN:-build/techbridge}
TMP=$(mktemp -d /tmp/tb-bench-eval.XXXXXX)
trap '[ "${KEEP:-0}" = 1 ] || rm -rf "$TMP"' EXIT
FACTS=$TMP/facts.jsonl

python3 - "$N" "$FACTS" <<'PY'
import random, sys
n, path = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(42)
inds = ["C3484", "C3911", "I6510", "F5211", "E4710", "M7310", "C2710", "G5411"]
lvl = ["none", "below_city", "city", "province", "national"]
role = ["gap_filling", "six_basics", "other"]
def year(r, g):
    rev = int(r * g)
    return ('{"revenue_fen":%d,"main_revenue_fen":%d,"rd_expense_fen":%d,"rd_expense_domestic_fen":%d,'
            '"total_cost_fen":%d,"net_profit_fen":%d,"total_assets_fen":%d,"total_liabilities_fen":%d,'
            '"employees":%d,"rd_staff":%d,"tech_staff":%d,"equity_financing_fen":%d,"hightech_revenue_fen":%d}'
            % (rev, rev * 9 // 10, rev * rnd.randint(1, 80) // 1000, rev // 30, rev * 9 // 10, rev // 12,
               rev * 12 // 10, rev * rnd.randint(3, 9) // 10, rnd.randint(5, 900), rnd.randint(1, 60),
               rnd.randint(1, 120), rnd.choice([0, 0, 0, 3 * 10**8]), rev * 7 // 10))
with open(path, "w") as f:
    for i in range(n):
        r = rnd.randint(10**8, 3 * 10**10)
        f.write('{"ref":"E-%07d","credit_code":"91320500MA1M%06dX","name":"enterprise %d","industry_code":"%s",'
                '"province_code":"32","registered_on":"2012-05-18","niche_since":"%d-01-01","review":false,'
                '"years":{"2025":%s,"2024":%s,"2023":%s},"dev_scores":{"2026":%d,"2025":%d},'
                '"ip":{"class1":%d,"class1_self_developed":1,"class1_high_value":0,"class1_applied":1,'
                '"class1_owned_top3":1,"class2":%d},'
                '"honors":{"high_tech_enterprise":%s,"tech_innovation_demo":false,"ip_advantage_or_demo":false,'
                '"national_award":null,"provincial_award":{"years_ago":%d,"rank":%d},'
                '"rd_institution_level":"%s","maker_china_rank":null,"led_standard_years_ago":null},'
                '"quality":{"quality_award_provincial":false,"management_certified":true,"own_brand":true,'
                '"standards_participated":1},"digital_level":%d,'
                '"lead_product":{"sei_catalogue":%s,"chain_role":"%s","key_field":null},'
                '"market":{"niche_share":0.%02d,"domestic_rank":%d,"position_leading":null},'
                '"status":{"clean_record":true,"single_champion":false,"related_to_little_giant":false},'
                '"local_points":%d,"titles":[{"tier":"innovative_sme","since":"2024-07-01","until":"2027-06-30"}]}\n'
                % (i, i % 1000000, i, rnd.choice(inds), rnd.randint(2005, 2024),
                   year(r, 1.0), year(r, 0.9), year(r, 0.8), rnd.randint(30, 90), rnd.randint(30, 90),
                   rnd.randint(0, 6), rnd.randint(0, 20), rnd.choice(["true", "false"]), rnd.randint(1, 6),
                   rnd.randint(1, 8), rnd.choice(lvl), rnd.randint(0, 4), rnd.choice(["true", "false"]),
                   rnd.choice(role), rnd.randint(1, 30), rnd.randint(1, 20), rnd.randint(0, 15)))
PY

timeit() { # prints seconds of wall time of the command
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}
size=$(du -m "$FACTS" | cut -f1)
cat "$FACTS" >/dev/null # warm the page cache for both runs
parse=$(timeit "$BIN" evaluate --as-of 2026-05-01 --parse-only "$FACTS")
eval_s=$(timeit "$BIN" evaluate --as-of 2026-05-01 "$FACTS")
line=$(printf 'evaluate: %d enterprises (%d MB), parse only %.2f s, evaluate all tiers %.2f s, ratio %.2f (target <= 2)' \
	"$N" "$size" "$parse" "$eval_s" "$(echo "$eval_s / $parse" | bc -l)")
echo "$line"
{
	echo "# techbridge evaluate: rules engine throughput"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "Every tier evaluated for each enterprise against a parse-only pass of the same"
	echo "file with the same JSON library, measured in one run (target: ratio <= 2)."
	echo
	echo "    $line"
	echo
	echo "Command: \`bench/evaluate.sh $N\`"
} >bench/RESULTS-evaluate.md
