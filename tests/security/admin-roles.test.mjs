// Separation of the system, security and audit administrators (三权分立).
// Before: one `admin` role did everything and its use was not marked.
// Now: sysadmin (users, organisations, reference data), secadmin (roles and
// grants, security settings), auditadmin (audit read) are separate, no user holds
// two of them, nobody but admin grants admin or grants to themself, and every
// change an admin makes is audited as a break-glass use.
import { test } from "node:test";
import assert from "node:assert/strict";
import { adminToken, api, createOrg, createUser, describe, login, uniqueToken } from "../api/lib.mjs";

async function asRole(role) {
	const u = await createUser({ prefix: role.slice(0, 4), roles: [{ role }] });
	return { ...u, token: await login(u.username, u.password) };
}

test("sysadmin runs users and organisations, but grants no roles and reads no audit", async () => {
	const sys = await asRole("sysadmin");
	const c = await api("POST", "/api/v1/users", { token: sys.token, body: { username: uniqueToken("bysys"), password: "created-by-sysadmin" } });
	assert.equal(c.status, 201, describe(c));
	await createOrg({}, sys.token);
	const g = await api("POST", `/api/v1/users/${c.json.id}/roles`, { token: sys.token, body: { role: "broker" } });
	assert.equal(g.status, 403, describe(g));
	assert.equal((await api("GET", "/api/v1/audit", { token: sys.token })).status, 403);
});

test("secadmin grants roles, but not admin, not to themself, and creates no users", async () => {
	const sec = await asRole("secadmin");
	const u = await createUser({ prefix: "tgt" });
	const g = await api("POST", `/api/v1/users/${u.id}/roles`, { token: sec.token, body: { role: "broker" } });
	assert.equal(g.status, 201, describe(g));
	const a = await api("POST", `/api/v1/users/${u.id}/roles`, { token: sec.token, body: { role: "admin" } });
	assert.equal(a.status, 403, describe(a));
	assert.equal(a.json.code, "role_separation", describe(a));
	const self = await api("POST", `/api/v1/users/${sec.id}/roles`, { token: sec.token, body: { role: "broker" } });
	assert.equal(self.status, 403, describe(self));
	const c = await api("POST", "/api/v1/users", { token: sec.token, body: { username: uniqueToken("bysec"), password: "created-by-secadmin" } });
	assert.equal(c.status, 403, describe(c));
	assert.equal((await api("GET", "/api/v1/audit", { token: sec.token })).status, 403);
});

test("auditadmin reads the audit log and changes nothing", async () => {
	const aud = await asRole("auditadmin");
	assert.equal((await api("GET", "/api/v1/audit?limit=5", { token: aud.token })).status, 200);
	const c = await api("POST", "/api/v1/users", { token: aud.token, body: { username: uniqueToken("byaud"), password: "created-by-auditadmin" } });
	assert.equal(c.status, 403, describe(c));
});

test("a sysadmin cannot take over another administrator; a secadmin cannot strip admin", async () => {
	const sys = await asRole("sysadmin");
	const sec = await asRole("secadmin");
	const pw = await api("POST", `/api/v1/users/${sec.id}/password`, { token: sys.token, body: { password: "taken-over-phrase-1" } });
	assert.equal(pw.status, 403, describe(pw, "reset the security administrator's password"));
	assert.equal(pw.json.code, "role_separation", describe(pw));
	const off = await api("PATCH", `/api/v1/users/${sec.id}`, { token: sys.token, body: { version: sec.user.version, disabled: true } });
	assert.equal(off.status, 403, describe(off, "disable the security administrator"));
	await login(sec.username, sec.password);
	// an ordinary user is the sysadmin's to manage
	const u = await createUser({ prefix: "plain" });
	const ok = await api("POST", `/api/v1/users/${u.id}/password`, { token: sys.token, body: { password: "reset-by-sysadmin-2" } });
	assert.equal(ok.status, 204, describe(ok));
	// a secadmin may not revoke the break-glass admin role
	const adm = await createUser({ prefix: "adm", roles: [{ role: "admin" }] });
	const rv = await api("DELETE", `/api/v1/users/${adm.id}/roles/${adm.grants[0].id}`, { token: sec.token });
	assert.equal(rv.status, 403, describe(rv));
	assert.equal(rv.json.code, "role_separation", describe(rv));
});

test("no user holds two of sysadmin, secadmin and auditadmin", async () => {
	const sys = await asRole("sysadmin");
	const r = await api("POST", `/api/v1/users/${sys.id}/roles`, { token: await adminToken(), body: { role: "auditadmin" } });
	assert.equal(r.status, 409, describe(r));
	assert.equal(r.json.code, "role_separation", describe(r));
});

test("every change by an admin is audited as break-glass", async () => {
	const admin = await adminToken();
	const u = await createUser({ prefix: "bg" });
	const r = await api("PATCH", `/api/v1/users/${u.id}`, { token: admin, body: { version: u.user.version, display_name: "break glass" } });
	assert.equal(r.status, 200, describe(r));
	const a = await api("GET", `/api/v1/audit?entity=user&entity_id=${u.id}&limit=10`, { token: admin });
	const bg = a.json.items.filter((e) => e.action === "break_glass");
	assert.ok(bg.some((e) => e.after.method === "PATCH" && e.after.action === "update"), describe(a, "a break_glass record for the PATCH"));
	// a sysadmin's change is an ordinary one
	const sys = await asRole("sysadmin");
	const v = await createUser({ prefix: "nbg" });
	await api("PATCH", `/api/v1/users/${v.id}`, { token: sys.token, body: { version: v.user.version, display_name: "routine" } });
	const b = await api("GET", `/api/v1/audit?entity=user&entity_id=${v.id}&limit=10`, { token: admin });
	const upd = b.json.items.filter((e) => e.action === "update");
	assert.equal(upd.length, 1, describe(b));
	assert.equal(upd[0].actor, sys.username);
	assert.ok(!b.json.items.some((e) => e.action === "break_glass" && e.actor === sys.username), describe(b));
});
