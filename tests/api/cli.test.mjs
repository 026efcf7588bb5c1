// The command line (docs/CLI.md) against its own fresh SQLite database in a temp
// directory (never TB_DB), so it runs the same in the SQLite and PostgreSQL runs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bin as libBin, db as TB_DB, uniqueCreditCode } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const bin = isAbsolute(libBin) ? libBin : resolve(repo, libBin);
const data = resolve(repo, "..", "shared", "data", "china");
const regions = join(data, "admin_divisions");
const industries = join(data, "industry_gbt4754", "gbt4754_2017.csv");
const haveRegions = ["provinces.csv", "cities.csv", "areas.csv"].every((f) => existsSync(join(regions, f)));
const haveIndustries = existsSync(industries);
const NO_DATA = `reference data absent (${regions}, ${industries})`;
const fixtures = join(here, "fixtures");

let dir;
let dbPath;

before(() => {
	dir = mkdtempSync(join(tmpdir(), "tb-cli-test-"));
	dbPath = join(dir, "cli.db");
});
after(() => {
	if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Run the binary; returns {status, stdout, stderr}. */
function tb(args, { db = dbPath, input } = {}) {
	const full = db ? ["--db", db, ...args] : args;
	const r = spawnSync(bin, full, { encoding: "utf8", input, cwd: dir, timeout: 120000, env: { ...process.env, TECHBRIDGE_DB: "" } });
	if (r.error) throw r.error;
	return { status: r.status, stdout: r.stdout, stderr: r.stderr, args: full.join(" ") };
}
function show(r) {
	return `techbridge ${r.args} -> exit ${r.status}\nstdout: ${r.stdout.slice(0, 800)}\nstderr: ${r.stderr.slice(0, 800)}`;
}
function summary(r, file) {
	// "FILE: N rows: C created, U updated, F failed"
	const line = r.stdout.split("\n").find((l) => l.startsWith(`${file}:`));
	assert.ok(line, `a summary line for ${file}; ${show(r)}`);
	const m = line.match(/(\d+) rows: (\d+) created, (\d+) updated, (\d+) failed/);
	assert.ok(m, `summary format "N rows: C created, U updated, F failed": ${line}`);
	return { rows: +m[1], created: +m[2], updated: +m[3], failed: +m[4] };
}

test("import regions: areas before cities is reported by line with exit 2", { skip: !haveRegions && NO_DATA }, () => {
	const db = join(dir, "order.db");
	const areas = join(regions, "areas.csv");
	const r = tb(["import", "regions", areas], { db });
	assert.equal(r.status, 2, show(r));
	const s = summary(r, areas);
	assert.ok(s.failed > 2000, `most rows fail: ${JSON.stringify(s)}`);
	assert.equal(s.rows, s.created + s.updated + s.failed, JSON.stringify(s));
	const lines = r.stderr.split("\n").filter(Boolean);
	assert.equal(lines.length, s.failed, `one stderr line per failed row; ${show(r)}`);
	for (const l of lines.slice(0, 50)) {
		assert.ok(l.startsWith(`${areas}:`), `FILE:LINE: field: message: ${l}`);
		assert.match(l.slice(areas.length), /^:\d+: [a-z_]+: .+/, `FILE:LINE: field: message: ${l}`);
	}
	assert.match(lines[0], /:2: /, "the first data row is line 2");
});

test("import regions: provinces, cities, areas", { skip: !haveRegions && NO_DATA }, () => {
	const files = ["provinces.csv", "cities.csv", "areas.csv"].map((f) => join(regions, f));
	const r = tb(["import", "regions", ...files]);
	assert.equal(r.status, 0, show(r));
	const want = {};
	for (const f of files) want[f] = readFileSync(f, "utf8").split("\n").filter((l) => l.trim()).length - 1;
	for (const f of files) {
		const s = summary(r, f);
		assert.equal(s.rows, want[f], `${f}: rows`);
		assert.equal(s.created + s.updated, want[f], `${f}: every row applied; ${show(r)}`);
		assert.equal(s.failed, 0, `${f}: none failed`);
	}
	// The product ships the 31 provinces: loading them again only updates.
	assert.equal(summary(r, files[0]).updated, 31, show(r));
	assert.ok(summary(r, files[1]).created >= 300, show(r));
	assert.equal(r.stderr.trim().split("\n").filter((l) => /:\d+: /.test(l)).length, 0, show(r));
	// Importing again updates and creates nothing.
	const again = tb(["import", "regions", files[0]]);
	assert.equal(again.status, 0, show(again));
	const s = summary(again, files[0]);
	assert.equal(s.created, 0, show(again));
	assert.equal(s.updated + s.failed, s.rows, show(again));
	assert.equal(s.failed, 0, show(again));
});

test("import industries: GB/T 4754-2017, 1971 rows, the 20 shipped sections updated", { skip: !haveIndustries && NO_DATA }, () => {
	const r = tb(["import", "industries", industries]);
	assert.equal(r.status, 0, show(r));
	const s = summary(r, industries);
	assert.deepEqual(s, { rows: 1971, created: 1951, updated: 20, failed: 0 }, show(r));
});

const orgCsv = join(fixtures, "organisations.csv");
const orgJsonl = join(fixtures, "organisations.jsonl");
const needData = (!haveRegions || !haveIndustries) && NO_DATA;

test("import organisations (CSV): bad rows by FILE:LINE: field: message, exit 2, good rows applied", { skip: needData }, () => {
	const r = tb(["import", "organisations", orgCsv]);
	assert.equal(r.status, 2, show(r));
	assert.deepEqual(summary(r, orgCsv), { rows: 6, created: 3, updated: 0, failed: 3 }, show(r));
	const errs = r.stderr.split("\n").filter((l) => l.startsWith(orgCsv));
	assert.deepEqual(
		errs.map((l) => l.slice(orgCsv.length).match(/^:(\d+): ([a-z_]+): /)?.slice(1, 3).join(" ")),
		["3 credit_code", "5 region_code", "6 kind"],
		show(r),
	);
	const x = tb(["export", "organisations", "--format", "jsonl"]);
	assert.equal(x.status, 0, show(x));
	const rows = x.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
	assert.equal(rows.length, 3, show(x));
	const sz = rows.find((o) => o.name === "苏州测试精密机械有限公司");
	assert.ok(sz, show(x));
	assert.equal(sz.address, "苏州市虎丘区, 科技城", "quoted CSV field with a comma");
	assert.equal(sz.industry_code, "C3484");
	assert.equal(rows.find((o) => o.region_code === "440305").name_en, 'Shenzhen "Test" Electronics', "doubled quotes");

	const again = tb(["import", "organisations", orgCsv]);
	assert.equal(again.status, 2, show(again));
	assert.deepEqual(summary(again, orgCsv), { rows: 6, created: 0, updated: 3, failed: 3 }, `re-import updates; ${show(again)}`);
});

test("import organisations (JSON Lines): the same rules", { skip: needData }, () => {
	const r = tb(["import", "organisations", orgJsonl]);
	assert.equal(r.status, 2, show(r));
	assert.deepEqual(summary(r, orgJsonl), { rows: 5, created: 0, updated: 2, failed: 3 }, show(r));
	const errs = r.stderr.split("\n").filter((l) => l.startsWith(orgJsonl));
	assert.deepEqual(
		errs.map((l) => l.slice(orgJsonl.length).match(/^:(\d+): ([a-z_]+): /)?.slice(1, 3).join(" ")),
		["2 credit_code", "4 region_code", "5 registered_on"],
		show(r),
	);
	// A malformed JSON line is one bad row, not the end of the file.
	const f = join(dir, "broken.jsonl");
	writeFileSync(f, '{"kind":"university","name":"JSONL 大学 一"}\n{"kind": \n{"kind":"university","name":"JSONL 大学 二","nope":1}\n{"kind":"research_institute","name":"JSONL 研究所"}\n');
	const b = tb(["import", "organisations", f]);
	assert.equal(b.status, 2, show(b));
	const s = summary(b, f);
	assert.equal(s.failed, 2, show(b));
	assert.equal(s.created, 2, show(b));
	assert.match(b.stderr, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: `), show(b));
	assert.match(b.stderr, /:3: nope: /, show(b));
});

test("import: a missing file or an unknown kind is exit 1 or 3, never 0", () => {
	const m = tb(["import", "organisations", join(dir, "nope.csv")]);
	assert.ok(m.status === 2 || m.status === 3, `missing file: ${show(m)}`);
	const k = tb(["import", "planets", orgCsv]);
	assert.equal(k.status, 1, `unknown kind is a usage error: ${show(k)}`);
});

test("export organisations --format csv | jsonl | xlsx", { skip: needData }, () => {
	const c = tb(["export", "organisations", "--format", "csv"]);
	assert.equal(c.status, 0, show(c));
	const lines = c.stdout.trim().split("\n");
	assert.match(lines[0], /^id,kind,credit_code,name,/, show(c));
	assert.ok(lines.length >= 4, show(c));
	const j = tb(["export", "organisations", "--format", "jsonl", "--region", "32"]);
	assert.equal(j.status, 0, show(j));
	const rows = j.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
	assert.ok(rows.length >= 1 && rows.every((o) => o.region_code.startsWith("32")), show(j));
	const out = join(dir, "orgs.xlsx");
	const x = tb(["export", "organisations", "--format", "xlsx", "--output", out]);
	assert.equal(x.status, 0, show(x));
	const head = readFileSync(out).subarray(0, 2).toString("latin1");
	assert.equal(head, "PK", "an XLSX file is a ZIP archive");
	const nox = tb(["export", "organisations", "--format", "xlsx"]);
	assert.notEqual(nox.status, 0, `xlsx without --output: ${show(nox)}`);
	const bad = tb(["export", "organisations", "--format", "pdf"]);
	assert.equal(bad.status, 1, `unknown format: ${show(bad)}`);
});

function sqliteAvailable() {
	const r = spawnSync("sqlite3", ["-version"], { encoding: "utf8" });
	return !r.error && r.status === 0;
}

function sqlite(db, sql) {
	const r = spawnSync("sqlite3", [db, sql], { encoding: "utf8" });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim();
}

/** A CSV of n enterprises in shipped provinces and sections; the last row repeats the first code. */
function bulkCsv(file, n) {
	const codes = Array.from({ length: n }, () => uniqueCreditCode({ region: "320000" }));
	const rows = codes.map((c, i) => `enterprise,${c},批量企业${i},,320000,C,2019-01-01,small`);
	rows.push(`enterprise,${codes[0]},批量企业改名,,110000,,,`);
	writeFileSync(file, ["kind,credit_code,name,name_en,region_code,industry_code,registered_on,size_class", ...rows].join("\n") + "\n");
	return codes;
}

test("import into an empty table (the bulk path): indexes rebuilt, duplicates update, WAL kept", { skip: !sqliteAvailable() && "no sqlite3 tool" }, async () => {
	const db = join(dir, "bulk.db");
	const f = join(dir, "bulk.csv");
	const codes = bulkCsv(f, 50);
	const r = tb(["import", "organisations", f], { db });
	assert.equal(r.status, 0, show(r));
	assert.deepEqual(summary(r, f), { rows: 51, created: 50, updated: 1, failed: 0 }, show(r));
	assert.equal(sqlite(db, "PRAGMA journal_mode"), "wal", "the load ran with a rollback journal, then went back to WAL");
	assert.equal(sqlite(db, "PRAGMA integrity_check"), "ok");
	const idx = sqlite(db, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='organisations' AND sql IS NOT NULL ORDER BY name)");
	assert.equal(idx, "organisations_credit_code,organisations_industry,organisations_region");
	assert.equal(sqlite(db, `SELECT id || '|' || name || '|' || region_code || '|' || quote(industry_code) FROM organisations WHERE credit_code='${codes[0]}'`), "1|批量企业改名|110000|NULL", "the repeated code updated row 1 (an empty cell clears)");
	// CHECK constraints are on again for later writes on this file (they are per connection,
	// so a fresh one sees them: the point is that the bulk load leaves none of its settings).
	assert.match(spawnSync("sqlite3", [db, "INSERT INTO organisations (kind, name, created_at, updated_at) VALUES ('planet', 'x', 'a', 'b')"], { encoding: "utf8" }).stderr, /CHECK constraint failed/);

	// Another connection holding the file open: the load keeps the WAL and still succeeds.
	const db2 = join(dir, "bulk-held.db");
	assert.equal(tb(["migrate"], { db: db2 }).status, 0);
	const holder = spawn("sqlite3", [db2], { stdio: ["pipe", "pipe", "inherit"] });
	try {
		await new Promise((ok) => {
			holder.stdout.once("data", ok);
			holder.stdin.write("BEGIN; SELECT count(*) FROM organisations;\n");
		});
		const held = tb(["import", "organisations", f], { db: db2 });
		assert.equal(held.status, 0, show(held));
		assert.deepEqual(summary(held, f), { rows: 51, created: 50, updated: 1, failed: 0 }, show(held));
	} finally {
		holder.stdin.end("COMMIT;\n");
		await new Promise((ok) => holder.on("close", ok));
	}
	assert.equal(sqlite(db2, "PRAGMA journal_mode"), "wal");
	assert.equal(sqlite(db2, "SELECT count(*) FROM organisations"), "50");
});

const onPostgres = TB_DB.startsWith("postgres");
function psql(url, sql) {
	const r = spawnSync("psql", [url, "-XAtqc", sql], { encoding: "utf8" });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim();
}

test("PostgreSQL: a bulk load pipelines its rows and reads between them", { skip: !onPostgres && "the PostgreSQL run only" }, () => {
	// A database of its own (the run's is not empty, and the bulk path needs an empty table).
	const name = `tb_bulk_${process.pid}`;
	const url = TB_DB.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
	psql(TB_DB, `DROP DATABASE IF EXISTS ${name}`);
	psql(TB_DB, `CREATE DATABASE ${name}`);
	try {
		assert.equal(tb(["migrate"], { db: url }).status, 0);
		const indexes = `SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'organisations'`;
		const before = psql(url, indexes);
		const f = join(dir, "bulk-pg.csv");
		const codes = bulkCsv(f, 600); // several pipeline batches; the repeated code reads mid-pipeline
		const r = tb(["import", "organisations", f], { db: url });
		assert.equal(r.status, 0, show(r));
		assert.deepEqual(summary(r, f), { rows: 601, created: 600, updated: 1, failed: 0 }, show(r));
		assert.equal(psql(url, "SELECT count(*), min(id), max(id) FROM organisations"), "600|1|600");
		assert.equal(psql(url, `SELECT id || '|' || name || '|' || region_code FROM organisations WHERE credit_code='${codes[0]}'`), "1|批量企业改名|110000");
		assert.equal(psql(url, `SELECT name FROM organisations WHERE credit_code='${codes[599]}'`), "批量企业599");
		assert.equal(psql(url, indexes), before, "the dropped indexes are back");
		// the id sequence moved past the loaded rows: a new organisation gets 601
		const more = join(dir, "bulk-pg-more.csv");
		writeFileSync(more, `kind,credit_code,name,region_code\nenterprise,${uniqueCreditCode({ region: "320000" })},后来企业,320000\n`);
		const m = tb(["import", "organisations", more], { db: url });
		assert.equal(m.status, 0, show(m));
		assert.equal(psql(url, "SELECT max(id) FROM organisations"), "601");
		assert.equal(tb(["audit", "verify"], { db: url }).status, 0);

		// A row the store refuses in the middle of a pipeline batch ends the load and
		// undoes all of it (a constraint stricter than the importer's own checks).
		psql(url, "TRUNCATE organisations CASCADE");
		psql(url, "ALTER TABLE organisations ADD CONSTRAINT test_no_300 CHECK (name <> '批量企业300')");
		const bad = tb(["import", "organisations", f], { db: url });
		assert.notEqual(bad.status, 0, show(bad));
		assert.match(bad.stderr, /import failed: .*test_no_300/, show(bad));
		assert.equal(psql(url, "SELECT count(*) FROM organisations"), "0", "nothing of the failed load stays");
		assert.equal(psql(url, indexes), before, "the indexes are back after the rollback");
	} finally {
		psql(TB_DB, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
	}
});

test("audit verify: intact, then tampered record 3 is named with exit 2; a backup verifies", () => {
	// Make sure there are a few records even without reference data.
	const f = join(dir, "few.jsonl");
	writeFileSync(f, ['{"kind":"university","name":"审计 一"}', '{"kind":"university","name":"审计 二"}', '{"kind":"university","name":"审计 三"}'].join("\n") + "\n");
	const db = join(dir, "audit.db");
	// an audit key of this test's own: imports sign their records and end with a checkpoint
	const key = join(dir, "audit.key");
	assert.equal(tb(["audit", "keygen", key], { db: null }).status, 0);
	const k = ["--audit-key", key];
	for (let i = 0; i < 3; i++) assert.equal(tb([...k, "import", "organisations", f], { db }).status, 0);
	const ok = tb([...k, "audit", "verify"], { db });
	assert.equal(ok.status, 0, show(ok));
	assert.match(ok.stdout + ok.stderr, /intact/, show(ok));
	// without a key the chain is not called intact
	const env = { ...process.env, TECHBRIDGE_DB: "", TECHBRIDGE_AUDIT_KEY: "", TECHBRIDGE_AUDIT_PUBKEY: "" };
	const nokey = spawnSync(bin, ["--db", db, "audit", "verify"], { encoding: "utf8", cwd: dir, env });
	assert.equal(nokey.status, 3, nokey.stdout + nokey.stderr);
	assert.match(nokey.stdout, /NOT VERIFIED/, nokey.stdout);

	const backup = join(dir, "backup.db");
	const b = tb(["backup", backup], { db });
	assert.equal(b.status, 0, show(b));
	assert.ok(existsSync(backup), "the backup file exists");
	const bv = tb([...k, "audit", "verify"], { db: backup });
	assert.equal(bv.status, 0, show(bv));
	assert.match(bv.stdout + bv.stderr, /intact/, show(bv));

	if (!sqliteAvailable()) {
		assert.fail("the sqlite3 command-line tool is needed for the tamper test");
	}
	const s = spawnSync("sqlite3", [db, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor='mallory' WHERE seq=3;"], { encoding: "utf8" });
	assert.equal(s.status, 0, `sqlite3: ${s.stderr}`);
	const bad = tb([...k, "audit", "verify"], { db });
	assert.equal(bad.status, 2, show(bad));
	assert.match(bad.stdout + bad.stderr, /BROKEN at record 3\b/, show(bad));
	// The backup taken before is still intact.
	assert.equal(tb([...k, "audit", "verify"], { db: backup }).status, 0);
});

test("the audit log refuses UPDATE and DELETE (triggers)", { skip: !sqliteAvailable() && "no sqlite3 tool" }, () => {
	const db = join(dir, "trig.db");
	const f = join(dir, "one.jsonl");
	writeFileSync(f, '{"kind":"university","name":"触发器"}\n');
	assert.equal(tb(["import", "organisations", f], { db }).status, 0);
	const u = spawnSync("sqlite3", [db, "UPDATE audit_log SET actor='mallory' WHERE seq=1;"], { encoding: "utf8" });
	assert.notEqual(u.status, 0, "UPDATE of audit_log must fail");
	const d = spawnSync("sqlite3", [db, "DELETE FROM audit_log WHERE seq=1;"], { encoding: "utf8" });
	assert.notEqual(d.status, 0, "DELETE from audit_log must fail");
});

test("migrate --schema equals sql/schema.sql", (t) => {
	const file = join(repo, "sql", "schema.sql");
	if (!existsSync(file)) {
		t.skip("sql/schema.sql absent (generate: build/techbridge --db /tmp/x.db migrate --schema > sql/schema.sql)");
		return;
	}
	const r = tb(["migrate", "--schema"], { db: join(dir, "schema.db") });
	assert.equal(r.status, 0, show(r));
	assert.equal(r.stdout, readFileSync(file, "utf8"), "sql/schema.sql is stale: regenerate it");
});

/** The commands listed by `techbridge --help`: "  name [sub]   description". */
function commands() {
	const r = tb(["--help"], { db: null });
	assert.equal(r.status, 0, show(r));
	const out = [];
	let inList = false;
	for (const line of r.stdout.split("\n")) {
		if (/^commands:/.test(line)) {
			inList = true;
			continue;
		}
		if (!inList) continue;
		const m = line.match(/^ {2}(\S+(?: [a-z]+)?)\s{2,}\S/);
		if (m) out.push(m[1].split(" "));
	}
	return out;
}

test("--help of every command exits 0; --version exits 0", () => {
	const cmds = commands();
	assert.ok(cmds.length >= 10, `commands parsed from --help: ${JSON.stringify(cmds)}`);
	for (const c of cmds) {
		const r = tb([...c, "--help"], { db: join(dir, "help.db") });
		assert.equal(r.status, 0, show(r));
		assert.match(r.stdout + r.stderr, /usage/i, show(r));
	}
	const v = tb(["--version"], { db: null });
	assert.equal(v.status, 0, show(v));
	assert.match(v.stdout, /\d+\.\d+/, show(v));
});

test("an unknown command or flag exits 1", () => {
	const r = tb(["frobnicate"], { db: join(dir, "u.db") });
	assert.equal(r.status, 1, show(r));
	assert.ok(r.stderr.length > 0, "a message on stderr");
	const f = tb(["export", "organisations", "--no-such-flag"], { db: join(dir, "u.db") });
	assert.equal(f.status, 1, show(f));
	const n = tb([], { db: null });
	assert.equal(n.status, 1, `no command: ${show(n)}`);
});
