// Invisible and control characters, one rule for the API and the import
// (docs/SECURITY.md, "Input"): in free text (names, descriptions, messages) a
// control character becomes a space and a bidi override or zero-width character is
// removed, and the answer says how many (X-Text-Changed; the import's report); in an
// identifier (refs, usernames, codes) any of them is refused with 422 naming the
// field. Before, a form feed in a description was refused (the CACM collection lost
// two rows to it) while a right-to-left override or a zero-width space went into
// names, refs and usernames unchanged.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { adminToken, api, bin as libBin, createOrg, expectProblem, expectStatus, uniqueCreditCode, uniqueToken } from "../api/lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const bin = isAbsolute(libBin) ? libBin : resolve(repo, libBin);
const cacm = resolve(repo, "..", "shared", "data", "ir", "cacm", "docs.tsv");

const RLO = "\u202E"; // right-to-left override
const ZWSP = "\u200B"; // zero-width space

let dir;
before(() => {
	dir = mkdtempSync(join(tmpdir(), "tb-input-text-"));
});
after(() => {
	if (dir) rmSync(dir, { recursive: true, force: true });
});

test("API: free text is cleaned and the change counted in X-Text-Changed", async () => {
	const admin = await adminToken();
	const name = uniqueToken("Org ");
	const r = await api("POST", "/api/v1/organisations", {
		token: admin,
		body: { kind: "enterprise", credit_code: uniqueCreditCode(), name: `${name}${RLO}gpj.exe\f`, address: `a${ZWSP}b\u0085c` },
	});
	expectStatus(r, 201, "a name with a bidi override and a form feed");
	assert.equal(r.json.name, `${name}gpj.exe`);
	assert.equal(r.json.address, "ab c");
	assert.equal(r.headers.get("x-text-changed"), "4", "RLO, form feed, zero-width space, NEL");

	const l = await api("POST", "/api/v1/listings", {
		token: admin,
		body: { ref: uniqueToken("it"), title: "Separator", description: `line 1\fline 2${RLO}\n\tnext` },
	});
	expectStatus(l, 201, "a description with a form feed and a bidi override");
	assert.equal(l.json.description, "line 1 line 2\n\tnext", "tab and newline kept in multi-line text");
	assert.equal(l.headers.get("x-text-changed"), "2");

	const clean = await api("POST", "/api/v1/listings", { token: admin, body: { ref: uniqueToken("it"), title: "Plain" } });
	expectStatus(clean, 201);
	assert.equal(clean.headers.get("x-text-changed"), null, "nothing changed, no header");

	const org = await createOrg();
	const p = await api("PATCH", `/api/v1/organisations/${org.id}`, {
		token: admin,
		body: { version: org.version, name_en: `Acme${ZWSP}${ZWSP} Ltd` },
	});
	expectStatus(p, 200);
	assert.equal(p.json.name_en, "Acme Ltd");
	assert.equal(p.headers.get("x-text-changed"), "2");
});

test("API: identifiers with invisible or control characters are refused, naming the field", async () => {
	const admin = await adminToken();
	let r = await api("POST", "/api/v1/users", {
		token: admin,
		body: { username: `ab${ZWSP}cd`, password: "a-Long-enough-pw-9" },
	});
	expectProblem(r, 422, "username", "a username with a zero-width space");
	assert.match(r.json.errors[0].message, /invisible/);

	r = await api("POST", "/api/v1/sessions", { body: { username: `admin${ZWSP}`, password: "whatever-password" } });
	expectProblem(r, 422, "username", "signing in with a zero-width space in the username");

	r = await api("POST", "/api/v1/listings", { token: admin, body: { ref: `${uniqueToken("r")}${RLO}`, title: "t" } });
	expectProblem(r, 422, "ref", "a ref with a bidi override");
	r = await api("POST", "/api/v1/listings", { token: admin, body: { ref: `${uniqueToken("r")}\f`, title: "t" } });
	expectProblem(r, 422, "ref", "a ref with a form feed");
	assert.match(r.json.errors[0].message, /control character/);

	r = await api("GET", `/api/v1/organisations?credit_code=${encodeURIComponent("91" + ZWSP)}`, { token: admin });
	expectProblem(r, 400, "credit_code", "a query code with a zero-width space");
});

/** techbridge on a fresh SQLite database in dir; {status, stdout, stderr}. */
function tb(db, args) {
	const r = spawnSync(bin, ["--db", db, ...args], {
		encoding: "utf8",
		cwd: dir,
		timeout: 120000,
		env: { ...process.env, TECHBRIDGE_DB: "", TECHBRIDGE_AUDIT_KEY: "" },
	});
	if (r.error) throw r.error;
	return r;
}
const csvCell = (s) => `"${s.replaceAll('"', '""')}"`;

test("CLI import: a form feed and a bidi override in a description import, counted in the report", () => {
	const db = join(dir, "import.db");
	const file = join(dir, "listings.csv");
	const rows = [
		["ref", "title", "description"],
		["L-1", "Queueing networks", `evaluated with the size of\f the network${RLO} such that`],
		["L-2", "Plain", "nothing to clean"],
		[`L-3${ZWSP}`, "Bad ref", "refused"],
	];
	writeFileSync(file, rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n");
	const r = tb(db, ["import", "listings", file]);
	const out = r.stdout + r.stderr;
	assert.match(out, /3 rows: 2 created, 0 updated, 1 failed/, out);
	assert.match(out, /ref/, `the failed row names ref: ${out}`);
	assert.match(out, /2 characters changed in 1 rows/, out);
	const q = spawnSync("sqlite3", [db, "SELECT description FROM listings WHERE ref = 'L-1'"], { encoding: "utf8" });
	assert.equal(q.status, 0, q.stderr);
	assert.equal(q.stdout.replace(/\n$/, ""), "evaluated with the size of  the network such that");
});

test("CLI import: the CACM rows with a control character import", { skip: !existsSync(cacm) && `no ${cacm}` }, () => {
	const db = join(dir, "cacm.db");
	const file = join(dir, "cacm.jsonl");
	const docs = readFileSync(cacm, "utf8")
		.split("\n")
		.filter((l) => /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(l))
		.map((l) => l.split("\t"));
	assert.ok(docs.length >= 2, "the collection has the rows with a control character");
	writeFileSync(file, docs.map(([ref, title, text]) => JSON.stringify({ ref, title, description: text })).join("\n") + "\n");
	const r = tb(db, ["import", "listings", file]);
	const out = r.stdout + r.stderr;
	assert.equal(r.status, 0, out);
	assert.match(out, new RegExp(`${docs.length} rows: ${docs.length} created, 0 updated, 0 failed`), out);
	assert.match(out, /characters changed in \d+ rows/, out);
});
