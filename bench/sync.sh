#!/usr/bin/env bash
# The cost of `serve --sync full` (SQLite synchronous=FULL: each commit on disk
# before it is acknowledged) against the default (WAL, synchronous=NORMAL), in
# the same run: 8 clients create organisations through the API for SECONDS each
# round, rounds alternating normal / full, ROUNDS of each. The database lives
# under bench/out/ (a real disk: on tmpfs an fsync costs nothing).
#
#   bench/sync.sh [SECONDS] [ROUNDS]      (default 5 2)
#
# Writes bench/RESULTS-sync.md and the summary line in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}
ROUNDS=${2:-2}
BIN=${TECHBRIDGE_BIN:-build/techbridge}
OUT=bench/out/sync
rm -rf "$OUT"
mkdir -p "$OUT"
"$BIN" --db "$OUT/sync.db" demo --small >"$OUT/demo.log" 2>&1

load() { # MODE: one round; prints "writes/s p50-ms p99-ms"
	local port pid
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$BIN" --db "$OUT/sync.db" serve --listen "127.0.0.1:$port" --workers 2 --access-log off \
		--sync "$1" 2>>"$OUT/server.log" &
	pid=$!
	for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
	TB_URL="http://127.0.0.1:$port" SECS=$SECS node --input-type=module -e '
		const url = process.env.TB_URL, ms = Number(process.env.SECS) * 1000;
		const post = (p, b, t) => fetch(url + p, { method: "POST", body: JSON.stringify(b),
			headers: { "content-type": "application/json", ...(t ? { authorization: `Bearer ${t}` } : {}) } });
		const s = await (await post("/api/v1/sessions", { username: process.env.TB_ADMIN_USER || "admin",
			password: process.env.TB_ADMIN_PASSWORD || "admin-demo-password" })).json();
		const lat = []; let n = 0, seq = 0; const end = Date.now() + ms;
		const C = "0123456789ABCDEFGHJKLMNPQRTUWXY", W = [1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28], O = [3,7,9,10,5,8,4,2];
		const ov = (c) => /[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55;
		const code = () => { let k = (process.pid * 100000 + seq++) % 31 ** 8, b = "";
			for (let i = 0; i < 8; i++) { b = C[k % 31] + b; k = Math.floor(k / 31); }
			let s8 = 0; for (let i = 0; i < 8; i++) s8 += ov(b[i]) * O[i];
			const c8 = 11 - (s8 % 11), f = "91320505" + b + (c8 === 10 ? "X" : c8 === 11 ? "0" : String(c8));
			let s17 = 0; for (let i = 0; i < 17; i++) s17 += C.indexOf(f[i]) * W[i];
			const c = 31 - (s17 % 31); return f + C[c === 31 ? 0 : c]; };
		await Promise.all(Array.from({ length: 8 }, async () => {
			while (Date.now() < end) {
				const t0 = performance.now();
				const r = await post("/api/v1/organisations", { kind: "enterprise", name: `Sync ${code()}`,
					credit_code: code(), region_code: "320000" }, s.token);
				await r.text();
				if (r.status === 201) { n++; lat.push(performance.now() - t0); }
			}
		}));
		lat.sort((a, b) => a - b);
		const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2);
		console.log(`${(n / (ms / 1000)).toFixed(0)} ${q(0.5)} ${q(0.99)}`);'
	kill -TERM "$pid"
	wait "$pid"
}

declare -A RUNS=()
for r in $(seq "$ROUNDS"); do
	for mode in normal full; do
		line=$(load "$mode")
		echo "round $r $mode: $line (writes/s p50 ms p99 ms)"
		RUNS[$mode]+="$line;"
	done
done
summary=$(python3 - "${RUNS[normal]}" "${RUNS[full]}" "$SECS" "$ROUNDS" <<'PY'
import statistics, sys
def parse(s): return [list(map(float, x.split())) for x in s.strip(";").split(";")]
n, f = parse(sys.argv[1]), parse(sys.argv[2])
med = lambda rows, i: statistics.median(r[i] for r in rows)
ratio = med(f, 0) / med(n, 0)
print(f"| serve --sync full vs default (normal), SQLite: writes/s, 8 clients creating organisations "
      f"| {med(f,0):.0f} (p50 {med(f,1):.2f} ms, p99 {med(f,2):.2f} ms) "
      f"| {med(n,0):.0f} (p50 {med(n,1):.2f} ms, p99 {med(n,2):.2f} ms) | {ratio:.2f} "
      f"| {sys.argv[4]} runs of {sys.argv[3]} s each, alternating; full: "
      + ", ".join(f"{r[0]:.0f}" for r in f) + "; normal: " + ", ".join(f"{r[0]:.0f}" for r in n) + " |")
PY
)
{
	echo "# serve --sync full: its cost"
	echo
	echo "Run on $(date -u '+%Y-%m-%d %H:%M') UTC by \`bench/sync.sh $SECS $ROUNDS\`, commit $(git rev-parse --short HEAD)."
	echo "Database on $(df -T "$OUT" | awk 'NR==2 {print $2}'); the machine is shared, so only the ratio"
	echo "in the same run means anything."
	echo
	echo "| measure | full | default (normal) | ratio | runs |"
	echo "| --- | --- | --- | --- | --- |"
	echo "$summary"
} >bench/RESULTS-sync.md
# the line in RESULTS.md, replacing the previous one (bench/report.py keeps it)
python3 - "$summary" <<'PY'
import re, sys
p = "bench/RESULTS.md"
s = open(p).read()
cells = [c.strip() for c in sys.argv[1].strip().strip("|").split(" | ")]
line = (f"- `bench/sync.sh`: `serve --sync full` on SQLite, 8 clients creating organisations: "
        f"{cells[1]} writes/s against the default's {cells[2]} in the same run, "
        f"ratio {cells[3]} ({cells[4]}; [RESULTS-sync.md](RESULTS-sync.md))")
s = re.sub(r"^- `bench/sync\.sh`:.*\n", "", s, flags=re.M)
s = s.replace("## The other benchmarks\n\n", "## The other benchmarks\n\n" + line + "\n", 1)
open(p, "w").write(s)
PY
cat bench/RESULTS-sync.md
