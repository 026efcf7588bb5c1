// The market's commands (docs/CLI.md "import" and "match"): import listings and
// demands, match (TREC and jsonl), match --demand, reindex. Each run uses its own
// SQLite database in a temp directory; in the PostgreSQL run (TB_DB is a
// postgres URL) the same files are also matched there and must rank identically.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bin as libBin } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const bin = isAbsolute(libBin) ? libBin : resolve(here, "..", "..", libBin);
const pg = (process.env.TB_DB || "").startsWith("postgres") ? process.env.TB_DB : null;

let dir, db;
const L = (ref, title, description, extra = {}) => ({ ref, title, description, ...extra });
const listings = [
	L("L-battery", "Solid-state lithium battery separator", "A ceramic coated separator for lithium batteries; patent ZL202310123456.6", { field: "new_energy", trl: 6, modes: "licence,transfer", asking_fen: 50000000, ip: '[{"number":"ZL202310123456.6","type":"invention"}]' }),
	L("L-welding", "Laser welding robot", "Vision guided laser welding of thin alloy sheets", { field: "advanced_manufacturing", trl: 7 }),
	L("L-membrane", "锂电池隔膜涂层技术", "陶瓷涂层隔膜，提高锂电池的热稳定性", { field: "new_materials", trl: 5 }),
	L("L-sensor", "Soil moisture sensor network", "Low power sensors for irrigation control in agriculture", { field: "agriculture" }),
	L("L-draft", "Lithium battery recycling", "Draft listing about lithium battery recycling", { status: "draft" }),
];

function tb(args, { database = db, input } = {}) {
	const r = spawnSync(bin, ["--db", database, ...args], { encoding: "utf8", input, cwd: dir, timeout: 120000, env: { ...process.env, TECHBRIDGE_DB: "" } });
	if (r.error) throw r.error;
	return r;
}
const show = (r) => `exit ${r.status}\nstdout: ${r.stdout.slice(0, 800)}\nstderr: ${r.stderr.slice(0, 800)}`;
const jsonl = (rows) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";

before(() => {
	dir = mkdtempSync(join(tmpdir(), "tb-market-test-"));
	db = join(dir, "market.db");
	writeFileSync(join(dir, "listings.jsonl"), jsonl(listings));
	writeFileSync(join(dir, "demands.csv"), "ref,title,description,field,trl_min,trl_max\n" +
		"D1,Need a battery separator,\"Safer lithium battery cells, thermal stability\",new_energy,5,7\n" +
		"D2,激光焊接 laser welding robot,需要 vision guided welding,,,\n" +
		"D3,Bad TRL,range reversed,,8,2\n");
	writeFileSync(join(dir, "queries.jsonl"), jsonl([
		{ ref: "Q1", title: "lithium battery separator" },
		{ ref: "Q2", title: "锂电池 隔膜" },
		{ ref: "Q3", title: "ZL202310123456.6" },
	]));
});
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

test("import listings (jsonl) and demands (csv): bad rows reported by line and skipped", () => {
	let r = tb(["import", "listings", "listings.jsonl"]);
	assert.equal(r.status, 0, show(r));
	assert.match(r.stdout, /5 rows: 5 created, 0 updated, 0 failed/);
	r = tb(["import", "demands", "demands.csv"]);
	assert.equal(r.status, 2, show(r));
	assert.match(r.stderr, /demands\.csv:4: trl_max: must not be below trl_min/);
	assert.match(r.stdout, /3 rows: 2 created, 0 updated, 1 failed/);
	writeFileSync(join(dir, "bad.jsonl"), jsonl([{ ref: "X", title: "t", ip: '[{"number":"ZL202310123456.7","type":"invention"}]' }, { ref: "Y", title: "t", colour: "red" }]));
	r = tb(["import", "listings", "bad.jsonl"]);
	assert.equal(r.status, 2, show(r));
	assert.match(r.stderr, /bad\.jsonl:1: ip: /);
	assert.match(r.stderr, /bad\.jsonl:2: colour: /);
});

test("importing a ref again updates it", () => {
	writeFileSync(join(dir, "again.jsonl"), jsonl([{ ref: "L-sensor", title: "Soil moisture sensor network", description: "Low power wireless sensors for irrigation" }]));
	const r = tb(["import", "listings", "again.jsonl"]);
	assert.equal(r.status, 0, show(r));
	assert.match(r.stdout, /1 rows: 0 created, 1 updated, 0 failed/);
});

test("match --demands prints the TREC run format, ranks from 1, scores descending", () => {
	const r = tb(["match", "--demands", "queries.jsonl", "--top", "3"]);
	assert.equal(r.status, 0, show(r));
	const lines = r.stdout.trim().split("\n").map((l) => l.split(" "));
	const byQuery = {};
	for (const f of lines) {
		assert.equal(f.length, 6, f.join(" "));
		assert.equal(f[1], "Q0");
		assert.equal(f[5], "techbridge");
		(byQuery[f[0]] ||= []).push(f);
	}
	for (const [q, rows] of Object.entries(byQuery)) {
		rows.forEach((f, i) => assert.equal(+f[3], i + 1, `${q} ranks`));
		for (let i = 1; i < rows.length; i++) assert.ok(+rows[i - 1][4] >= +rows[i][4], `${q} scores descending`);
	}
	assert.equal(byQuery.Q1[0][2], "L-battery");
	assert.equal(byQuery.Q2[0][2], "L-membrane");
	assert.equal(byQuery.Q3[0][2], "L-battery", "a patent number is one token");
	assert.ok(!lines.some((f) => f[2] === "L-draft"), "drafts are not matched");
});

test("match --format jsonl explains each result; explanation sums to the score", () => {
	const r = tb(["match", "--demands", "demands.csv", "--format", "jsonl"]);
	assert.equal(r.status, 2, show(r)); // line 4 is bad
	const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
	const top = rows.find((x) => x.query === "D1" && x.rank === 1);
	assert.equal(top.ref, "L-battery");
	assert.ok(top.signals.field > 0 && top.signals.trl > 0, JSON.stringify(top));
	for (const x of rows) {
		const sum = x.terms.reduce((a, t) => a + t.score, 0) + Object.values(x.signals).reduce((a, s) => a + s, 0);
		assert.ok(Math.abs(sum - x.score) < 1e-9, JSON.stringify(x));
		assert.ok(x.terms.length > 0);
	}
	assert.equal(rows.find((x) => x.query === "D2" && x.rank === 1).ref, "L-welding");
});

test("match --demand REF ranks for a stored demand; unknown refs fail", () => {
	let r = tb(["match", "--demand", "D1", "--top", "1"]);
	assert.equal(r.status, 0, show(r));
	assert.match(r.stdout, /^D1 Q0 L-battery 1 [\d.]+ techbridge\n$/);
	r = tb(["match", "--demand", "nope"]);
	assert.notEqual(r.status, 0);
	r = tb(["match"]);
	assert.equal(r.status, 1, show(r));
});

test("reindex reports both indexes", () => {
	const r = tb(["reindex"]);
	assert.equal(r.status, 0, show(r));
	assert.match(r.stdout, /listings: 5 documents/);
	assert.match(r.stdout, /demands: 2 documents/);
});

test("PostgreSQL ranks exactly as SQLite", { skip: !pg && "not a PostgreSQL run" }, () => {
	// A database of its own: the shared one holds the demo's and other tests' listings,
	// which change the collection statistics and hence the scores.
	const name = `tb_rank_${process.pid}`;
	const made = spawnSync("psql", [pg, "-qc", `CREATE DATABASE ${name}`], { encoding: "utf8" });
	const own = made.status === 0 ? pg.replace(/\/[^/?]*(\?|$)/, `/${name}$1`) : pg;
	for (const [kind, file] of [["listings", "listings.jsonl"], ["listings", "again.jsonl"]])
		tb(["import", kind, file], { database: own });
	const a = tb(["match", "--demands", "queries.jsonl", "--top", "10"]);
	const b = tb(["match", "--demands", "queries.jsonl", "--top", "10"], { database: own });
	assert.equal(b.status, 0, show(b));
	// the PostgreSQL database may hold other tests' listings: compare ours only
	const ours = (out) => out.split("\n").filter((l) => / L-/.test(l)).map((l) => l.split(" ").slice(0, 3).join(" ") + " " + l.split(" ")[4]);
	if (!/L-x/.test(b.stdout)) assert.deepEqual(ours(b.stdout).slice(0, 3), ours(a.stdout).slice(0, 3));
});
