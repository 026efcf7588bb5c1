// The audit log against an intruder who can write the database (and drops the
// append-only triggers): rewriting a record and recomputing every later hash and the
// head, truncating the tail, inserting a record, deleting the checkpoints and
// forging one must all be reported by `techbridge audit verify` with the public key
// alone, naming the first bad record. Before signed records and checkpoints, each
// of these verified as "intact".
//
// The tampering is done on copies of the server's database (SQLite: `backup`;
// PostgreSQL: pg_dump into scratch databases), never on the database other tests
// use. The key is the suite's (TECHBRIDGE_AUDIT_KEY, which tests/run sets; else the
// demo's DB.auditkey beside a SQLite database).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { adminPassword, adminUser, bin as libBin, db as TB_DB } from "../api/lib.mjs";
import { startServer, stopServer } from "./own-server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const bin = isAbsolute(libBin) ? libBin : resolve(repo, libBin);
const onPostgres = /^postgres(ql)?:\/\//.test(TB_DB);
const sqlitePath = onPostgres ? "" : TB_DB.replace(/^sqlite:/, "");
const pgBin = existsSync("/usr/lib/postgresql/15/bin/pg_dump") ? "/usr/lib/postgresql/15/bin/" : "";
const suiteKey = process.env.TECHBRIDGE_AUDIT_KEY || (sqlitePath ? `${sqlitePath}.auditkey` : "");
const NO_DB = !TB_DB && "no TB_DB (run through tests/run)";

let dir;
let base; // the baseline copy: the server's database plus a checkpoint over all of it
const scratch = []; // PostgreSQL databases to drop
let nCopies = 0;

function run(cmd, args, opts = {}) {
	const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28, ...opts });
	if (r.error) throw r.error;
	return r;
}

/** techbridge with the given keys (none by default); {status, out, args}. */
function tb(db, args, { key, pubkey } = {}) {
	const full = ["--db", db];
	if (key) full.push("--audit-key", key);
	if (pubkey) full.push("--audit-pubkey", pubkey);
	full.push(...args);
	const env = { ...process.env, TECHBRIDGE_DB: "", TECHBRIDGE_AUDIT_KEY: "", TECHBRIDGE_AUDIT_PUBKEY: "" };
	const r = run(bin, full, { cwd: dir, env, timeout: 120000 });
	return { status: r.status, out: r.stdout + r.stderr, args: full.join(" ") };
}
const show = (r) => `techbridge ${r.args} -> exit ${r.status}\n${r.out.slice(0, 1500)}`;

/** Run SQL on a copy; returns stdout. */
function sql(db, text) {
	const r = onPostgres
		? run("psql", [db, "-XAtq", "-v", "ON_ERROR_STOP=1", "-f", "-"], { input: text })
		: run("sqlite3", ["-bail", db], { input: text });
	assert.equal(r.status, 0, `${onPostgres ? "psql" : "sqlite3"}: ${r.stderr}`);
	return r.stdout.trim();
}
/** Rows of a SELECT as objects. */
function rows(db, select) {
	if (onPostgres) {
		const out = sql(db, `SELECT coalesce(json_agg(t), '[]') FROM (${select}) t;`);
		return JSON.parse(out);
	}
	const r = run("sqlite3", ["-json", db, select]);
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}
const q = (v) => (v === null || v === undefined ? "NULL" : typeof v === "number" ? String(v) : `'${String(v).replace(/'/g, "''")}'`);

/** A new copy of `from` (the server's database or a copy); returns its URL or path. */
function copyOf(from) {
	const n = ++nCopies;
	if (!onPostgres) {
		const path = join(dir, `copy${n}.db`);
		const r = tb(from, ["backup", path]);
		assert.equal(r.status, 0, show(r));
		return path;
	}
	const name = `tb_auditf_${process.pid}_${n}`;
	const url = TB_DB.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
	const admin = TB_DB;
	assert.equal(run("psql", [admin, "-XAtqc", `DROP DATABASE IF EXISTS ${name}`]).status, 0);
	assert.equal(run("psql", [admin, "-XAtqc", `CREATE DATABASE ${name}`]).status, 0);
	scratch.push(name);
	const dump = run(`${pgBin}pg_dump`, ["--no-owner", "--no-privileges", from]);
	assert.equal(dump.status, 0, `pg_dump: ${dump.stderr}`);
	const load = run("psql", [url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-f", "-"], { input: dump.stdout });
	assert.equal(load.status, 0, `psql restore: ${load.stderr}`);
	return url;
}

/** What an intruder runs first. */
function dropTriggers(db) {
	sql(db, onPostgres
		? "DROP TRIGGER audit_log_no_change ON audit_log; DROP TRIGGER IF EXISTS audit_checkpoints_no_change ON audit_checkpoints;"
		: "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; DROP TRIGGER IF EXISTS audit_checkpoints_no_update; DROP TRIGGER IF EXISTS audit_checkpoints_no_delete;");
}

// The chain hash as docs/SECURITY.md documents it: SHA-256 over the fields, each
// framed as "<byte length>:<bytes>;" ("-;" for NULL), hex.
const COLS = "seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, request_id, prev_hash, hash";
function chainHash(r, prev) {
	const h = createHash("sha256");
	const put = (s) => {
		if (s === null || s === undefined) return h.update("-;");
		const b = Buffer.from(String(s), "utf8");
		h.update(`${b.length}:`);
		h.update(b);
		h.update(";");
	};
	for (const f of [r.seq, r.at, r.actor_id ?? 0, r.actor, r.action, r.entity, r.entity_id, r.before_json, r.after_json, r.request_id, prev]) put(f);
	return h.digest("hex");
}
const records = (db, fromSeq) => rows(db, `SELECT ${COLS}, sig FROM audit_log WHERE seq >= ${fromSeq} ORDER BY seq`).map((r) => ({ ...r, seq: Number(r.seq), actor_id: r.actor_id === null ? null : Number(r.actor_id) }));
const count = (db) => Number(rows(db, "SELECT count(*) AS n FROM audit_log")[0].n);

/**
 * Replace the records from `list[0].seq` on by `list` (renumbered from there),
 * recomputing every prev_hash and hash and the head exactly as the code does.
 */
function rewriteFrom(db, list) {
	const start = list[0].seq;
	let prev = start === 1 ? "0".repeat(64) : rows(db, `SELECT hash FROM audit_log WHERE seq = ${start - 1}`)[0].hash;
	const stmts = [onPostgres ? "BEGIN;" : "BEGIN;", `DELETE FROM audit_log WHERE seq >= ${start};`];
	list.forEach((r, i) => {
		const rec = { ...r, seq: start + i };
		const h = chainHash(rec, prev);
		stmts.push(`INSERT INTO audit_log (${COLS}, sig) VALUES (${[rec.seq, rec.at, rec.actor_id, rec.actor, rec.action, rec.entity, rec.entity_id, rec.before_json, rec.after_json, rec.request_id, prev, h, rec.sig].map(q).join(", ")});`);
		prev = h;
	});
	stmts.push(`UPDATE audit_head SET seq = ${start + list.length - 1}, hash = ${q(prev)} WHERE id = 1;`, "COMMIT;");
	sql(db, stmts.join("\n"));
}

/** The libsodium key file's keys as node KeyObjects. */
function loadKey(path) {
	const text = readFileSync(path, "utf8");
	const pub = Buffer.from(text.match(/^public ed25519:([0-9a-f]{64})$/m)[1], "hex");
	const sec = text.match(/^secret ed25519:([0-9a-f]{128})$/m);
	const id = createHash("sha256").update(pub).digest("hex").slice(0, 16);
	const publicKey = createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), pub]), format: "der", type: "spki" });
	const privateKey = sec && createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(sec[1], "hex").subarray(0, 32)]), format: "der", type: "pkcs8" });
	return { id, publicKey, privateKey };
}
const checkpointText = (c) => `techbridge-audit-checkpoint v1\nseq ${c.seq}\nhead ${c.head}\nat ${c.at}\nkey ${c.key_id}\n`;

before(() => {
	if (!TB_DB) return;
	dir = mkdtempSync(join(tmpdir(), "tb-audit-forgery-"));
	assert.ok(suiteKey && existsSync(suiteKey), `the suite's audit key (TECHBRIDGE_AUDIT_KEY or DB.auditkey) exists: ${suiteKey}`);
	base = copyOf(TB_DB);
	const c = tb(base, ["audit", "checkpoint"], { key: suiteKey });
	assert.equal(c.status, 0, show(c));
});
after(() => {
	for (const name of scratch) run("psql", [TB_DB, "-XAtqc", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
	if (dir) rmSync(dir, { recursive: true, force: true });
});

test("a correct database with a checkpoint verifies with the public key alone: exit 0", { skip: NO_DB }, () => {
	const r = tb(base, ["audit", "verify"], { pubkey: `${suiteKey}.pub` });
	assert.equal(r.status, 0, show(r));
	assert.match(r.out, /audit chain intact: (\d+) records .*; 0 records after the last checkpoint/, show(r));
	// with the signing key file too
	assert.equal(tb(base, ["audit", "verify"], { key: suiteKey }).status, 0);
});

test("a rewritten record with every later hash and the head recomputed is named", { skip: NO_DB }, () => {
	const db = copyOf(base);
	const n = count(db);
	assert.ok(n >= 40, `enough records to tamper with (${n})`);
	const k = Math.floor(n / 2);
	dropTriggers(db);
	const list = records(db, k);
	assert.ok(list[0].sig, `record ${k} was signed when written`);
	list[0] = { ...list[0], actor: "mallory", after_json: list[0].after_json };
	rewriteFrom(db, list);
	const r = tb(db, ["audit", "verify"], { pubkey: `${suiteKey}.pub` });
	assert.equal(r.status, 2, show(r));
	assert.match(r.out, new RegExp(`BROKEN at record ${k}\\b`), show(r));
	assert.doesNotMatch(r.out, /intact/, show(r));
	// the key's owner refuses to sign a checkpoint over it
	const c = tb(db, ["audit", "checkpoint"], { key: suiteKey });
	assert.notEqual(c.status, 0, show(c));
	assert.match(c.out, new RegExp(`record ${k}\\b.*not signing`), show(c));
});

test("a rewritten record whose signatures were removed as well is still named", { skip: NO_DB }, () => {
	const db = copyOf(base);
	const k = Math.floor(count(db) / 3);
	dropTriggers(db);
	const list = records(db, k).map((r) => ({ ...r, sig: null }));
	list[0] = { ...list[0], entity_id: `${list[0].entity_id}0` };
	rewriteFrom(db, list);
	const r = tb(db, ["audit", "verify"], { pubkey: `${suiteKey}.pub` });
	assert.equal(r.status, 2, show(r));
	assert.match(r.out, new RegExp(`BROKEN at record ${k}\\b`), show(r));
	assert.match(r.out, /not the one checkpoint \d+ .*signed/, show(r));
});

test("the last 20 records removed (head moved back too): truncation is reported", { skip: NO_DB }, () => {
	const db = copyOf(base);
	const n = count(db);
	dropTriggers(db);
	const keep = rows(db, `SELECT hash FROM audit_log WHERE seq = ${n - 20}`)[0].hash;
	sql(db, `DELETE FROM audit_log WHERE seq > ${n - 20}; UPDATE audit_head SET seq = ${n - 20}, hash = ${q(keep)} WHERE id = 1;`);
	const r = tb(db, ["audit", "verify"], { pubkey: `${suiteKey}.pub` });
	assert.equal(r.status, 2, show(r));
	assert.match(r.out, new RegExp(`BROKEN at record ${n - 19}\\b.*truncated.*signed ${n} records, the log has ${n - 20}`), show(r));
});

test("one record inserted before the checkpoint (later ones renumbered and rehashed) is named", { skip: NO_DB }, () => {
	const db = copyOf(base);
	const n = count(db);
	const k = n - 10;
	dropTriggers(db);
	const list = records(db, k);
	const forged = { ...list[0], actor: "mallory", action: "delete", entity_id: "1", before_json: null, after_json: null, sig: null };
	rewriteFrom(db, [forged, ...list]);
	assert.equal(count(db), n + 1);
	const r = tb(db, ["audit", "verify"], { pubkey: `${suiteKey}.pub` });
	assert.equal(r.status, 2, show(r));
	assert.match(r.out, new RegExp(`BROKEN at record ${k}\\b`), show(r));
});

test("with the checkpoints deleted the chain is UNANCHORED, with a non-zero exit", { skip: NO_DB }, () => {
	const db = copyOf(base);
	dropTriggers(db);
	sql(db, "DELETE FROM audit_checkpoints;");
	const r = tb(db, ["audit", "verify"], { pubkey: `${suiteKey}.pub` });
	assert.equal(r.status, 3, show(r));
	assert.match(r.out, /UNANCHORED/, show(r));
	assert.doesNotMatch(r.out, /intact/, show(r));
});

test("a rollback (tail and its checkpoints deleted) is caught by the checkpoints exported off-host", { skip: NO_DB }, () => {
	const offhost = join(dir, "offhost.jsonl");
	const x = tb(base, ["audit", "checkpoint", "export", "--output", offhost]);
	assert.equal(x.status, 0, show(x));
	const db = copyOf(base);
	const n = count(db);
	dropTriggers(db);
	const keep = rows(db, `SELECT hash FROM audit_log WHERE seq = ${n - 20}`)[0].hash;
	sql(db, `DELETE FROM audit_log WHERE seq > ${n - 20}; DELETE FROM audit_checkpoints WHERE seq > ${n - 20}; UPDATE audit_head SET seq = ${n - 20}, hash = ${q(keep)} WHERE id = 1;`);
	// the database alone cannot tell (no checkpoint left above the cut)...
	const alone = tb(db, ["audit", "verify"], { pubkey: `${suiteKey}.pub` });
	assert.notEqual(alone.status, 2, show(alone));
	// ...the export can
	const r = tb(db, ["audit", "verify", "--checkpoints", offhost], { pubkey: `${suiteKey}.pub` });
	assert.equal(r.status, 2, show(r));
	assert.match(r.out, new RegExp(`BROKEN at record ${n - 19}\\b.*signed ${n} records, the log has ${n - 20}.*rolled back`), show(r));

	// an intact log whose checkpoint rows were deleted is anchored again by the export
	const db2 = copyOf(base);
	dropTriggers(db2);
	sql(db2, "DELETE FROM audit_checkpoints;");
	const a = tb(db2, ["audit", "verify", "--checkpoints", offhost], { pubkey: `${suiteKey}.pub` });
	assert.equal(a.status, 0, show(a));
	assert.match(a.out, /intact: .*; 0 records after the last checkpoint; [1-9]\d* exported checkpoints match/, show(a));
	// a line that is not a checkpoint is refused by line
	const bad = join(dir, "bad.jsonl");
	writeFileSync(bad, `${readFileSync(offhost, "utf8")}{"seq":"x"}\n`);
	const b = tb(db2, ["audit", "verify", "--checkpoints", bad], { pubkey: `${suiteKey}.pub` });
	assert.equal(b.status, 2, show(b));
	assert.match(b.out, /bad\.jsonl:\d+: not a checkpoint/, show(b));
});

test("a forged checkpoint (bad signature, or signed by another key) is reported", { skip: NO_DB }, () => {
	const own = loadKey(suiteKey);
	const head = rows(base, "SELECT seq, hash FROM audit_head")[0];
	const cp = { seq: Number(head.seq), head: head.hash, at: "2030-01-01T00:00:00Z" };

	// the right key id, a signature that is not its
	let db = copyOf(base);
	sql(db, `INSERT INTO audit_checkpoints (seq, head_hash, at, key_id, signature) VALUES (${cp.seq}, ${q(cp.head)}, ${q(cp.at)}, ${q(own.id)}, ${q("ab".repeat(64))});`);
	let r = tb(db, ["audit", "verify"], { pubkey: `${suiteKey}.pub` });
	assert.equal(r.status, 2, show(r));
	assert.match(r.out, /FORGED: checkpoint \d+ .*does not verify/, show(r));

	// a valid signature by a key the verifier does not trust
	const other = join(dir, "intruder.key");
	assert.equal(tb(base, ["audit", "keygen", other]).status, 0);
	const mallory = loadKey(other);
	const c = { ...cp, key_id: mallory.id };
	const sig = sign(null, Buffer.from(checkpointText(c)), mallory.privateKey).toString("hex");
	db = copyOf(base);
	sql(db, `INSERT INTO audit_checkpoints (seq, head_hash, at, key_id, signature) VALUES (${c.seq}, ${q(c.head)}, ${q(c.at)}, ${q(c.key_id)}, ${q(sig)});`);
	r = tb(db, ["audit", "verify"], { pubkey: `${suiteKey}.pub` });
	assert.equal(r.status, 2, show(r));
	assert.match(r.out, new RegExp(`FORGED: checkpoint \\d+ .*signed by key ${mallory.id}, which is not a trusted audit key`), show(r));
});

test("audit keygen: mode 0600, a public key file beside it, never overwrites", { skip: NO_DB }, () => {
	const f = join(dir, "new.key");
	const r = tb(base, ["audit", "keygen", f]);
	assert.equal(r.status, 0, show(r));
	assert.equal(statSync(f).mode & 0o777, 0o600);
	assert.match(readFileSync(`${f}.pub`, "utf8"), /^public ed25519:[0-9a-f]{64}$/m);
	assert.doesNotMatch(readFileSync(`${f}.pub`, "utf8"), /secret/);
	const before = readFileSync(f, "utf8");
	const again = tb(base, ["audit", "keygen", f]);
	assert.notEqual(again.status, 0, show(again));
	assert.match(again.out, /exists/, show(again));
	assert.equal(readFileSync(f, "utf8"), before, "the key is unchanged");
	// a key others can read is refused
	const loose = join(dir, "loose.key");
	writeFileSync(loose, before, { mode: 0o644 });
	const l = tb(base, ["audit", "checkpoint"], { key: loose });
	assert.notEqual(l.status, 0, show(l));
	assert.match(l.out, /can be read by others/, show(l));
});

test("audit checkpoint export: JSON Lines whose signatures verify with the public key", { skip: NO_DB }, () => {
	const out = join(dir, "checkpoints.jsonl");
	const r = tb(base, ["audit", "checkpoint", "export", "--output", out]);
	assert.equal(r.status, 0, show(r));
	const lines = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
	assert.ok(lines.length >= 1, "at least the baseline's checkpoint");
	const own = loadKey(suiteKey);
	for (const c of lines) {
		assert.deepEqual(Object.keys(c), ["id", "seq", "head", "at", "key_id", "signature"]);
		assert.equal(c.key_id, own.id);
		assert.ok(verify(null, Buffer.from(checkpointText(c)), own.publicKey, Buffer.from(c.signature, "hex")), `checkpoint ${c.id} verifies`);
	}
	const head = rows(base, "SELECT seq, hash FROM audit_head")[0];
	assert.equal(lines.at(-1).seq, Number(head.seq));
	assert.equal(lines.at(-1).head, head.hash);
});

test("audit export of a date range: JSON Lines and CSV, with the chain fields", { skip: NO_DB }, () => {
	const all = rows(base, "SELECT seq, at FROM audit_log ORDER BY seq");
	const day = all.at(-1).at.slice(0, 10);
	const want = all.filter((r) => r.at.slice(0, 10) === day).map((r) => Number(r.seq));
	const j = join(dir, "day.jsonl");
	let r = tb(base, ["audit", "export", "--from", day, "--to", day, "--output", j]);
	assert.equal(r.status, 0, show(r));
	const lines = readFileSync(j, "utf8").trim().split("\n").map((l) => JSON.parse(l));
	assert.deepEqual(lines.map((l) => l.seq), want);
	for (const l of lines) assert.match(`${l.prev_hash} ${l.hash}`, /^[0-9a-f]{64} [0-9a-f]{64}$/);
	const c = join(dir, "day.csv");
	r = tb(base, ["audit", "export", "--from", day, "--to", day, "--format", "csv", "--output", c]);
	assert.equal(r.status, 0, show(r));
	const csv = readFileSync(c, "utf8");
	assert.match(csv, /^seq,at,actor_id,actor,action,entity,entity_id,before,after,request_id,prev_hash,hash,sig\n/);
	// a range with nothing in it, and bad dates
	r = tb(base, ["audit", "export", "--from", "2001-01-01", "--to", "2001-01-02"]);
	assert.equal(r.status, 0, show(r));
	assert.equal(r.out.trim(), "");
	r = tb(base, ["audit", "export", "--from", "2001-02-30", "--to", "2001-03-01"]);
	assert.equal(r.status, 2, show(r));
	assert.match(r.out, /--from: not a date/, show(r));
});

/** Serve `db` with the suite's key and checkpoint interval (own-server.mjs). */
async function serve(db, seconds) {
	const env = { ...process.env, TECHBRIDGE_DB: "", TECHBRIDGE_AUDIT_KEY: suiteKey, TECHBRIDGE_AUDIT_CHECKPOINT_SECONDS: String(seconds) };
	return startServer(db, [], { env, cwd: dir });
}
async function write(url) {
	const s = await fetch(`${url}/api/v1/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: adminUser, password: adminPassword }) });
	assert.equal(s.status, 201);
	const { token } = await s.json();
	const r = await fetch(`${url}/api/v1/organisations`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ kind: "university", name: `审计定时${process.pid}` }) });
	assert.equal(r.status, 201, await r.text());
}
const latest = (db) => rows(db, "SELECT (SELECT seq FROM audit_head) AS head, (SELECT max(seq) FROM audit_checkpoints) AS cp")[0];

test("serve signs a checkpoint on its timer while there were writes, and when it stops", { skip: NO_DB }, async () => {
	const db = copyOf(base);
	// at stop: a timer too long to fire
	let s = await serve(db, 3600);
	await write(s.url);
	assert.equal((await stopServer(s)).code, 0, s.stderr());
	let l = latest(db);
	assert.equal(Number(l.cp), Number(l.head), `the stop's checkpoint covers every record: ${JSON.stringify(l)}; ${s.stderr()}`);
	// on the timer, while it runs
	s = await serve(db, 1);
	try {
		await write(s.url);
		const want = Number(latest(db).head);
		for (let i = 0; i < 50 && Number(latest(db).cp) < want; i++) await new Promise((r) => setTimeout(r, 200));
		l = latest(db);
		assert.equal(Number(l.cp), want, `a checkpoint within a few seconds: ${JSON.stringify(l)}; ${s.stderr()}`);
	} finally {
		await stopServer(s);
	}
	const v = tb(db, ["audit", "verify"], { pubkey: `${suiteKey}.pub` });
	assert.equal(v.status, 0, show(v));
	assert.match(v.out, /; 0 records after the last checkpoint/, show(v));
});
