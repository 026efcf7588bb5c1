// Personal data at rest and on display (docs/SECURITY.md, "Personal data"): with a
// data key (--data-key), e-mail addresses and contacts (telephone numbers) are stored
// as XChaCha20-Poly1305 envelopes, so the database file / table holds no plaintext
// copy of them, not in the records, the audit images or the stored Idempotency-Key
// responses; the API shows them whole to the record's owner and administrators and
// masked to everyone else. Before, they were stored as given and the audit images
// and every reader of a published listing got them whole.
//
// A second server runs with a fresh data key on the suite's database (TB_DB), beside
// the suite's own; the records made here are read only here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { adminPassword, adminUser, bin as libBin, db as TB_DB, uniqueCreditCode } from "../api/lib.mjs";
import { startServer, stopServer } from "./own-server.mjs";
import { totpCode } from "./signin-lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const bin = isAbsolute(libBin) ? libBin : resolve(repo, libBin);
const onPostgres = /^postgres(ql)?:\/\//.test(TB_DB);
const sqlitePath = onPostgres ? "" : TB_DB.replace(/^sqlite:/, "");
const NO_DB = !TB_DB && "no TB_DB (run through tests/run)";

const uniq = randomBytes(4).toString("hex");
const EMAIL = `alice.${uniq}@example.org`;
const PHONE = `139${String(parseInt(uniq, 16) % 100000000).padStart(8, "0")}`;
const CONTACT = `张三 ${PHONE} zs${uniq}@example.net`;

let dir;
let key;
let srv; // {url, proc, exited, log}

function run(cmd, args, opts = {}) {
	const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28, ...opts });
	if (r.error) throw r.error;
	return r;
}

async function serve() {
	const env = { ...process.env, TECHBRIDGE_DB: "", TECHBRIDGE_DATA_KEY: key };
	return startServer(TB_DB, [], { env, cwd: dir });
}

async function call(method, path, { token, body, headers = {} } = {}) {
	const h = { accept: "application/json", ...headers };
	if (token) h.authorization = `Bearer ${token}`;
	if (body !== undefined) h["content-type"] = "application/json";
	const res = await fetch(srv.url + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await res.text();
	let json = null;
	try {
		json = text ? JSON.parse(text) : null;
	} catch {}
	return { status: res.status, json, text };
}
const ok = (r, status, what) => assert.equal(r.status, status, `${what}: ${r.status} ${r.text.slice(0, 400)}`);
async function signIn(username, password) {
	const r = await call("POST", "/api/v1/sessions", { body: { username, password } });
	ok(r, 201, `sign in as ${username}`);
	return r.json.token;
}

/** Every stored copy of the database as bytes (SQLite) or the rows of the tables that hold personal data (PostgreSQL). */
function storedText() {
	if (!onPostgres)
		return [sqlitePath, `${sqlitePath}-wal`]
			.filter((f) => existsSync(f))
			.map((f) => readFileSync(f).toString("latin1"))
			.join("\n");
	const tables = ["users", "listings", "audit_log", "idempotency_keys", "mail_outbox", "notifications"];
	return tables
		.map((t) => {
			const r = run("psql", [TB_DB, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", `SELECT t::text FROM ${t} t`]);
			assert.equal(r.status, 0, r.stderr);
			return r.stdout;
		})
		.join("\n");
}
function column(sql) {
	const r = onPostgres ? run("psql", [TB_DB, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql]) : run("sqlite3", [sqlitePath, sql]);
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim();
}

before(async () => {
	if (NO_DB) return;
	dir = mkdtempSync(join(tmpdir(), "tb-personal-data-"));
	key = join(dir, "data.key");
	const g = run(bin, ["data", "keygen", key]);
	assert.equal(g.status, 0, g.stderr);
	srv = await serve();
});
after(async () => {
	if (srv) await stopServer(srv);
	if (dir) rmSync(dir, { recursive: true, force: true });
});

test("with a data key: no plaintext e-mail or phone in the store, masked to others, whole to the owner", { skip: NO_DB }, async () => {
	assert.match(srv.stderr(), /personal data encrypted with data key [0-9a-f]{16}/);
	const admin = await signIn(adminUser, adminPassword);

	// a user with an e-mail address, created with an Idempotency-Key (its response is stored)
	const password = `pw-${uniq}-Secret`;
	let r = await call("POST", "/api/v1/users", {
		token: admin,
		body: { username: `pd${uniq}`, password, email: EMAIL },
		headers: { "idempotency-key": `pd-${uniq}` },
	});
	ok(r, 201, "create a user with an e-mail address");
	assert.equal(r.json.email, EMAIL, "the administrator sees it whole");
	const userId = r.json.id;

	// an enterprise of which that user is the administrator, and its listing with a contact
	r = await call("POST", "/api/v1/organisations", { token: admin, body: { kind: "enterprise", name: `个人数据${uniq}`, credit_code: uniqueCreditCode(), region_code: "320000" } });
	ok(r, 201, "create an organisation");
	const orgId = r.json.id;
	ok(await call("POST", `/api/v1/users/${userId}/roles`, { token: admin, body: { role: "org_admin", org_id: orgId } }), 201, "grant org_admin");
	const owner = await signIn(`pd${uniq}`, password);
	r = await call("GET", `/api/v1/users/${userId}`, { token: owner });
	ok(r, 200, "the user reads itself");
	assert.equal(r.json.email, EMAIL, "the owner sees the e-mail address whole");

	r = await call("POST", "/api/v1/listings", { token: owner, body: { ref: `pd-${uniq}`, title: `个人数据加密测试 zq${uniq}7`, contact: CONTACT } });
	ok(r, 201, "create a listing with a contact");
	let item = r.json;
	assert.equal(item.contact, CONTACT, "its owner sees the contact whole");
	for (const event of ["submit", "approve"]) {
		r = await call("POST", `/api/v1/listings/${item.id}/transitions`, { token: event === "approve" ? admin : owner, body: { event, version: item.version } });
		ok(r, 200, event);
		item = r.json;
	}

	// another reader (anonymous, and another signed-in user) sees it masked
	const masked = `张三 ${PHONE.slice(0, 3)}****${PHONE.slice(-4)} z***@example.net`;
	r = await call("GET", `/api/v1/listings/${item.id}`);
	ok(r, 200, "the public reads the published listing");
	assert.equal(r.json.contact, masked);
	r = await call("GET", `/api/v1/listings?owner=${orgId}`);
	ok(r, 200, "the public lists the listings");
	assert.equal(r.json.items.find((i) => i.id === item.id)?.contact, masked);
	r = await call("GET", `/api/v1/listings/search?q=zq${uniq}7`);
	ok(r, 200, "the public searches");
	const hit = (r.json.items || r.json.hits || []).find((h) => (h.item || h).id === item.id);
	assert.ok(hit, `the search finds the listing: ${r.text.slice(0, 300)}`);
	assert.equal((hit.item || hit).contact, masked, "search results mask it too");
	r = await call("GET", `/api/v1/listings/${item.id}`, { token: owner });
	assert.equal(r.json.contact, CONTACT, "the owner still sees it whole");
	r = await call("GET", `/api/v1/listings/${item.id}`, { token: admin });
	assert.equal(r.json.contact, CONTACT, "an administrator sees it whole");

	// the store: envelopes, and no plaintext copy anywhere
	assert.match(column(`SELECT email FROM users WHERE id = ${userId}`), /^enc:v1:[A-Za-z0-9+/=]+$/);
	assert.match(column(`SELECT contact FROM listings WHERE id = ${item.id}`), /^enc:v1:/);
	const stored = storedText();
	assert.ok(stored.length > 0);
	assert.ok(!stored.includes(EMAIL), "no plaintext e-mail address in the store");
	assert.ok(!stored.includes(PHONE), "no plaintext telephone number in the store");
	assert.ok(!stored.includes(`zs${uniq}@example.net`), "no plaintext e-mail address of the contact");

	// a second factor's shared secret is sealed too, and still checks codes
	r = await call("POST", "/api/v1/me/totp", { token: owner });
	ok(r, 201, "enroll a second factor");
	const secret = r.json.secret;
	assert.match(column(`SELECT totp_secret FROM users WHERE id = ${userId}`), /^enc:v1:/);
	assert.ok(!storedText().includes(secret), "no plaintext TOTP secret in the store");
	const step = Math.floor(Date.now() / 30000);
	r = await call("POST", "/api/v1/me/totp/confirm", { token: owner, body: { otp: totpCode(secret, step * 30) } });
	ok(r, 204, "the sealed secret confirms a code");

	// the audit images hold them masked
	const images = column(`SELECT after_json FROM audit_log WHERE entity = 'user' AND entity_id = '${userId}' AND action = 'create'`);
	assert.match(images, new RegExp(`"email":"a\\*\\*\\*@example\\.org"`), images);

	// a repeated Idempotency-Key replays the stored (encrypted) response whole
	r = await call("POST", "/api/v1/users", {
		token: admin,
		body: { username: `pd${uniq}`, password, email: EMAIL },
		headers: { "idempotency-key": `pd-${uniq}` },
	});
	ok(r, 201, "replay");
	assert.equal(r.json.email, EMAIL);
});

test("data encrypt: plaintext stored before the key is encrypted; a second run changes nothing", { skip: NO_DB || (onPostgres && "the SQLite copy is enough") }, () => {
	const db = join(dir, "copy.db");
	let r = run(bin, ["--db", sqlitePath, "backup", db], { env: { ...process.env, TECHBRIDGE_DB: "" } });
	assert.equal(r.status, 0, r.stderr);
	const env = { ...process.env, TECHBRIDGE_DB: "", TECHBRIDGE_DATA_KEY: "" };
	run("sqlite3", [db, `UPDATE users SET email = 'plain${uniq}@example.org' WHERE id = (SELECT min(id) FROM users)`]);
	r = run(bin, ["--db", db, "--data-key", key, "data", "encrypt"], { env });
	assert.equal(r.status, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /[1-9]\d* values encrypted now/);
	r = run(bin, ["--db", db, "--data-key", key, "data", "encrypt"], { env });
	assert.equal(r.status, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /: 0 values encrypted now, [1-9]\d* were encrypted already/);
	r = run("sqlite3", [db, `SELECT count(*) FROM users WHERE email IS NOT NULL AND email NOT LIKE 'enc:v1:%'`]);
	assert.equal(r.stdout.trim(), "0");
	r = run(bin, ["--db", db, "data", "encrypt"], { env });
	assert.notEqual(r.status, 0, "without a key it refuses");
	assert.match(r.stderr, /data-key/);
});
