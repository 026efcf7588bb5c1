// Helpers for the authorization and business-limit tests: requests to any server
// from any loopback address (per-address limits count only the test's own
// requests), a fresh enterprise with its own administrator, an application
// brought to public notice, and SQL behind the server's back (as
// tests/api/gradient-notice.test.mjs does).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { adminPassword, adminUser, base, db, uniqueCreditCode, uniqueToken } from "../api/lib.mjs";
import { apiFrom } from "./signin-lib.mjs";

export const isPg = /^postgres(ql)?:\/\//.test(db);

/** A loopback address other than 127.0.0.1, so per-address limits see only this test. */
export function ownAddress() {
	return `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

/**
 * One request like lib.mjs's api(), to `url` (default: the suite's server) and
 * from `from` (a local address; default the system's). Never throws on a status.
 */
export function call(method, path, { token, body, url = base, from } = {}) {
	return apiFrom(from, method, path, { token, body, url });
}

export function show(r) {
	return `${r.status} ${r.text.slice(0, 400)}`;
}

/** Sign in at url; the token. */
export async function signIn(username, password, url = base) {
	const r = await call("POST", "/api/v1/sessions", { url, body: { username, password } });
	assert.ok(r.status === 200 || r.status === 201, `sign in as ${username}: ${show(r)}`);
	return r.json.token ?? r.json.access_token;
}

const adminTokens = new Map();
export function adminAt(url = base) {
	if (!adminTokens.has(url)) adminTokens.set(url, signIn(adminUser, adminPassword, url));
	return adminTokens.get(url);
}

/** A user with the given grants; {id, username, password, token}. */
export async function userWith(roles = [], url = base) {
	const admin = await adminAt(url);
	const username = uniqueToken("az");
	const password = `pw-${uniqueToken("p")}`;
	const r = await call("POST", "/api/v1/users", { url, token: admin, body: { username, password } });
	assert.equal(r.status, 201, `create user: ${show(r)}`);
	for (const g of roles) {
		const gr = await call("POST", `/api/v1/users/${r.json.id}/roles`, { url, token: admin, body: g });
		assert.equal(gr.status, 201, `grant ${JSON.stringify(g)}: ${show(gr)}`);
	}
	return { id: r.json.id, username, password, token: await signIn(username, password, url) };
}

/** A fresh enterprise registered at `region` (6 digits) and its org_admin; {org, ent}. */
export async function enterprise(region, url = base) {
	const admin = await adminAt(url);
	const r = await call("POST", "/api/v1/organisations", {
		url,
		token: admin,
		body: { kind: "enterprise", name: uniqueToken("企业 "), credit_code: uniqueCreditCode({ region: "320505" }), region_code: region },
	});
	assert.equal(r.status, 201, `create organisation: ${show(r)}`);
	const ent = await userWith([{ role: "org_admin", org_id: r.json.id }], url);
	return { org: r.json, ent };
}

/**
 * An innovative-SME application of a fresh enterprise at `province` (registered
 * at province level: the province is its one and last step), approved into
 * public notice. {org, ent, app, reviewer, operator} (users with tokens).
 */
export async function noticeCandidate(province, url = base) {
	const { org, ent } = await enterprise(province, url);
	const reviewer = await userWith([{ role: "reviewer", level: "province", region_code: province }], url);
	const operator = await userWith([{ role: "operator", level: "province", region_code: province }], url);
	let r = await call("POST", "/api/v1/applications", { url, token: ent.token, body: { org_id: org.id, tier: "innovative_sme", statement: "异议与限额测试" } });
	assert.equal(r.status, 201, `application: ${show(r)}`);
	r = await call("POST", `/api/v1/applications/${r.json.id}/submit`, { url, token: ent.token, body: { version: r.json.version } });
	assert.equal(r.status, 200, `submit: ${show(r)}`);
	r = await call("POST", `/api/v1/applications/${r.json.id}/approve`, { url, token: reviewer.token, body: { version: r.json.version, reason: "省级审核通过" } });
	assert.equal(r.status, 200, `approve: ${show(r)}`);
	assert.equal(r.json.state, "notice", show(r));
	return { org, ent, app: r.json, reviewer, operator };
}

/** Run one SQL statement on the suite's database behind the server's back; its output lines. */
export function sql(statement) {
	const r = isPg
		? spawnSync("psql", [db, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", statement], { encoding: "utf8" })
		: spawnSync("sqlite3", ["-cmd", ".timeout 10000", db, statement], { encoding: "utf8" });
	assert.equal(r.status, 0, `${isPg ? "psql" : "sqlite3"}: ${r.error || r.stderr}`);
	return r.stdout.trim().split("\n").filter(Boolean);
}

/** Statuses of a batch of responses, counted: {201: 1, 409: 99}. */
export function tally(rs) {
	const t = {};
	for (const r of rs) t[r.status] = (t[r.status] || 0) + 1;
	return t;
}
