// Accounts: sessions, /me, users, passwords, API tokens, role grants.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import {
	api,
	adminToken,
	createUser,
	describe,
	expectProblem,
	expectStatus,
	login,
	tokenFor,
	uniqueToken,
} from "./lib.mjs";

let admin;
before(async () => {
	admin = await adminToken();
});

test("sign in returns 201 {token, expires_at, user}; sign out revokes the token", async () => {
	const u = await createUser({ prefix: "sess" });
	const r = await api("POST", "/api/v1/sessions", { body: { username: u.username, password: u.password } });
	expectStatus(r, 201, "sign in");
	assert.equal(typeof r.json.token, "string", describe(r));
	assert.ok(!Number.isNaN(Date.parse(r.json.expires_at)), describe(r, "expires_at is an instant"));
	assert.ok(Date.parse(r.json.expires_at) > Date.now(), describe(r, "expires_at is in the future"));
	assert.equal(r.json.user.username, u.username, describe(r));
	assert.equal(r.json.user.password, undefined, describe(r, "no password in the user"));
	const t = r.json.token;
	const me = await api("GET", "/api/v1/me", { token: t });
	expectStatus(me, 200, "/me");
	assert.equal(me.json.id, u.id, describe(me));
	assert.equal(me.json.username, u.username, describe(me));
	assert.ok(Array.isArray(me.json.roles), describe(me, "roles"));

	// A second session is independent of the first.
	const t2 = await login(u.username, u.password);
	expectStatus(await api("DELETE", "/api/v1/sessions/current", { token: t }), 204, "sign out");
	expectProblem(await api("GET", "/api/v1/me", { token: t }), 401, undefined, "revoked token");
	expectProblem(await api("DELETE", "/api/v1/sessions/current", { token: t }), 401, undefined, "sign out twice");
	expectStatus(await api("GET", "/api/v1/me", { token: t2 }), 200, "the other session still works");
});

test("/me without or with a bad token is 401", async () => {
	expectProblem(await api("GET", "/api/v1/me"), 401);
	expectProblem(await api("GET", "/api/v1/me", { token: "tb_not-a-real-token" }), 401);
	expectProblem(await api("GET", "/api/v1/me", { headers: { authorization: "Basic YWRtaW46eA==" } }), 401);
});

test("sign in with a missing field is 422 naming it (no login attempt counted)", async () => {
	expectProblem(await api("POST", "/api/v1/sessions", { body: { username: "admin" } }), 422, "password");
	expectProblem(await api("POST", "/api/v1/sessions", { body: { password: "x" } }), 422, "username");
});

test("the demo users have their documented roles", async () => {
	const want = {
		admin: (g) => g.role === "admin",
		operator: (g) => g.role === "operator" && g.level === "province" && g.region_code === "320000",
		ministry: (g) => g.role === "operator" && g.level === "national",
		reviewer: (g) => g.role === "reviewer" && g.region_code === "320000",
		expert: (g) => g.role === "expert",
		broker: (g) => g.role === "broker",
		enterprise: (g) => g.role === "org_admin" && g.org_id === 1,
		staff: (g) => g.role === "org_member" && g.org_id === 1,
		university: (g) => g.role === "org_admin" && g.org_id > 1,
	};
	for (const [name, pred] of Object.entries(want)) {
		const me = await api("GET", "/api/v1/me", { token: await tokenFor(name) });
		expectStatus(me, 200, name);
		assert.ok(me.json.roles.some(pred), describe(me, `${name}'s roles`));
	}
});

test("users CRUD by admin", async () => {
	const username = uniqueToken("crud");
	const c = await api("POST", "/api/v1/users", {
		token: admin,
		body: { username, password: "first-password-1", display_name: "测试用户", email: `${username}@example.cn`, locale: "en" },
	});
	expectStatus(c, 201, "create");
	assert.equal(c.headers.get("location"), `/api/v1/users/${c.json.id}`, describe(c, "Location"));
	assert.equal(c.json.username, username, describe(c));
	assert.equal(c.json.locale, "en", describe(c));
	assert.equal(c.json.disabled, false, describe(c));
	assert.equal(c.json.password, undefined, describe(c, "no password echoed"));
	assert.ok(!c.text.includes("first-password-1"), describe(c, "password not in the response"));
	const id = c.json.id;

	const g = await api("GET", `/api/v1/users/${id}`, { token: admin });
	expectStatus(g, 200);
	assert.deepEqual(g.json, c.json);

	const l = await api("GET", `/api/v1/users?q=${username}`, { token: admin });
	expectStatus(l, 200);
	assert.deepEqual(l.json.items.map((x) => x.id), [id], describe(l, "list q=username"));

	expectProblem(
		await api("POST", "/api/v1/users", { token: admin, body: { username, password: "first-password-1" } }),
		409,
		"username",
		"duplicate username",
	);
	expectProblem(
		await api("POST", "/api/v1/users", { token: admin, body: { username: uniqueToken("pw"), password: "short" } }),
		422,
		"password",
		"short password",
	);
	expectProblem(
		await api("POST", "/api/v1/users", { token: admin, body: { username: "Bad Name!", password: "first-password-1" } }),
		422,
		"username",
		"bad username",
	);
	expectProblem(
		await api("POST", "/api/v1/users", { token: admin, body: { username: uniqueToken("em"), password: "first-password-1", email: "nope" } }),
		422,
		"email",
		"bad email",
	);

	const p = await api("PATCH", `/api/v1/users/${id}`, { token: admin, body: { display_name: "改名", version: c.json.version } });
	expectStatus(p, 200, "PATCH");
	assert.equal(p.json.display_name, "改名", describe(p));
	assert.equal(p.json.version, c.json.version + 1, describe(p));
	expectProblem(
		await api("PATCH", `/api/v1/users/${id}`, { token: admin, body: { display_name: "x", version: c.json.version } }),
		409,
		"version",
		"stale PATCH",
	);
	expectProblem(
		await api("PATCH", `/api/v1/users/${id}`, { token: admin, body: { username: "renamed", version: p.json.version } }),
		422,
		"username",
		"username is create-only",
	);

	expectProblem(await api("DELETE", `/api/v1/users/${id}?version=${c.json.version}`, { token: admin }), 409, "version", "stale DELETE");
	expectStatus(await api("DELETE", `/api/v1/users/${id}?version=${p.json.version}`, { token: admin }), 204, "DELETE");
	expectProblem(await api("GET", `/api/v1/users/${id}`, { token: admin }), 404, undefined, "GET after DELETE");
});

test("a user may PATCH their own locale; not another user's profile", async () => {
	const u = await createUser({ prefix: "self" });
	const other = await createUser({ prefix: "other" });
	const t = await login(u.username, u.password);
	const p = await api("PATCH", `/api/v1/users/${u.id}`, { token: t, body: { locale: "en", version: u.user.version } });
	expectStatus(p, 200, "self PATCH locale");
	assert.equal(p.json.locale, "en", describe(p));
	expectStatus(await api("GET", `/api/v1/users/${u.id}`, { token: t }), 200, "self GET");
	expectProblem(
		await api("PATCH", `/api/v1/users/${u.id}`, { token: t, body: { locale: "fr", version: p.json.version } }),
		422,
		"locale",
		"unknown locale",
	);
	const d = await api("PATCH", `/api/v1/users/${u.id}`, { token: t, body: { disabled: true, version: p.json.version } });
	expectProblem(d, [403, 422], undefined, "a user cannot disable themselves (admin only)");
	const o = await api("PATCH", `/api/v1/users/${other.id}`, {
		token: t,
		body: { locale: "en", version: other.user.version },
	});
	expectProblem(o, [403, 404], undefined, "PATCH another user");
	const g = await api("GET", `/api/v1/users/${other.id}`, { token: admin });
	assert.equal(g.json.locale, other.user.locale, describe(g, "the other user is unchanged"));
	expectProblem(await api("GET", `/api/v1/users/${other.id}`, { token: t }), [403, 404], undefined, "GET another user");
	expectProblem(await api("GET", "/api/v1/users", { token: t }), 403, undefined, "list users as non-admin");
});

test("a disabled user cannot sign in and their sessions stop working", async () => {
	const u = await createUser({ prefix: "dis" });
	const t = await login(u.username, u.password);
	const p = await api("PATCH", `/api/v1/users/${u.id}`, { token: admin, body: { disabled: true, version: u.user.version } });
	expectStatus(p, 200, "disable");
	assert.equal(p.json.disabled, true, describe(p));
	// One failed login, on purpose (counted in the per-address budget).
	const r = await api("POST", "/api/v1/sessions", { body: { username: u.username, password: u.password } });
	expectProblem(r, [401, 403], undefined, "login of a disabled user");
	assert.equal(r.json && r.json.token, undefined, describe(r));
	expectProblem(await api("GET", "/api/v1/me", { token: t }), 401, undefined, "the session of a disabled user");
	const e = await api("PATCH", `/api/v1/users/${u.id}`, { token: admin, body: { disabled: false, version: p.json.version } });
	expectStatus(e, 200, "enable");
	await login(u.username, u.password);
});

test("password change: old password needed for self; admin resets others", async () => {
	const u = await createUser({ prefix: "pwd" });
	const t = await login(u.username, u.password);
	const path = `/api/v1/users/${u.id}/password`;
	expectProblem(await api("POST", path, { token: t, body: { password: "new-password-42" } }), 422, "old_password", "no old password");
	expectProblem(
		await api("POST", path, { token: t, body: { old_password: "wrong-password", password: "new-password-42" } }),
		422,
		"old_password",
		"wrong old password",
	);
	expectProblem(
		await api("POST", path, { token: t, body: { old_password: u.password, password: "aaaaaaaaaa" } }),
		422,
		"password",
		"one repeated character",
	);
	expectStatus(await api("POST", path, { token: t, body: { old_password: u.password, password: "new-password-42" } }), [200, 204], "self change");
	await login(u.username, "new-password-42");

	expectStatus(await api("GET", "/api/v1/me", { token: t }), 200, "a self change keeps the session it was made from");
	expectStatus(await api("POST", path, { token: admin, body: { password: "admin-set-pass-7" } }), [200, 204], "admin reset");
	expectProblem(await api("GET", "/api/v1/me", { token: t }), 401, undefined, "an admin reset ends the user's sessions");
	const t2 = await login(u.username, "admin-set-pass-7");

	const other = await createUser({ prefix: "pwo" });
	const o = await api("POST", `/api/v1/users/${other.id}/password`, {
		token: t2,
		body: { old_password: other.password, password: "hijack-pass-99" },
	});
	expectProblem(o, [403, 404], undefined, "change another user's password");
	await login(other.username, other.password);
});

test("API tokens: created with the secret once, usable as Bearer, listed without it, revoked", async () => {
	const u = await createUser({ prefix: "tok" });
	const t = await login(u.username, u.password);
	const c = await api("POST", "/api/v1/tokens", { token: t, body: { name: "ci integration", expires_on: "2027-12-31" } });
	expectStatus(c, 201, "create token");
	const secret = c.json.token;
	assert.equal(typeof secret, "string", describe(c, "the secret"));
	assert.ok(secret.length >= 20, describe(c));
	assert.equal(c.json.name, "ci integration", describe(c));
	assert.equal(c.json.kind, "api", describe(c));

	const me = await api("GET", "/api/v1/me", { token: secret });
	expectStatus(me, 200, "the API token works as Bearer");
	assert.equal(me.json.id, u.id, describe(me));

	const l = await api("GET", "/api/v1/tokens", { token: t });
	expectStatus(l, 200);
	const item = l.json.items.find((x) => x.id === c.json.id);
	assert.ok(item, describe(l, "the token is listed"));
	assert.equal(item.token, undefined, describe(l, "no secret in the list"));
	assert.ok(!l.text.includes(secret), describe(l, "secret nowhere in the list"));
	assert.ok(item.last_used_at !== undefined, describe(l));

	// Another user neither sees nor revokes it.
	const v = await createUser({ prefix: "tok" });
	const vt = await login(v.username, v.password);
	const vl = await api("GET", "/api/v1/tokens", { token: vt });
	assert.ok(!vl.json.items.some((x) => x.id === c.json.id), describe(vl, "another user's list"));
	expectProblem(await api("DELETE", `/api/v1/tokens/${c.json.id}`, { token: vt }), [403, 404], undefined, "revoke another's token");
	expectStatus(await api("GET", "/api/v1/me", { token: secret }), 200, "still valid");

	expectProblem(await api("POST", "/api/v1/tokens", { token: t, body: { name: "" } }), 422, "name", "empty name");
	expectProblem(
		await api("POST", "/api/v1/tokens", { token: t, body: { name: "x", expires_on: "2027-02-30" } }),
		422,
		"expires_on",
		"bad date",
	);

	expectStatus(await api("DELETE", `/api/v1/tokens/${c.json.id}`, { token: t }), 204, "revoke");
	expectProblem(await api("GET", "/api/v1/me", { token: secret }), 401, undefined, "revoked API token");
	expectStatus(await api("DELETE", `/api/v1/tokens/${c.json.id}`, { token: t }), [204, 404], "revoke twice");
});

test("role grants: scope validation names the field", async () => {
	const u = await createUser({ prefix: "grant" });
	const path = `/api/v1/users/${u.id}/roles`;
	const bad = [
		[{ role: "operator" }, "level", "operator without level"],
		[{ role: "operator", level: "province" }, "region_code", "province level without region"],
		[{ role: "operator", level: "province", region_code: "320500" }, "region_code", "province level with a city code"],
		[{ role: "operator", level: "national", region_code: "320000" }, "region_code", "national level with a region"],
		[{ role: "operator", level: "galaxy", region_code: "320000" }, "level", "unknown level"],
		[{ role: "org_admin" }, "org_id", "org_admin without org_id"],
		[{ role: "org_member", org_id: 1, level: "province", region_code: "320000" }, "level", "org role with a level"],
		[{ role: "broker", org_id: 1 }, "org_id", "org_id on a non-org role"],
		[{ role: "emperor" }, "role", "unknown role"],
		[{ role: "org_admin", org_id: "one" }, "org_id", "org_id not an integer"],
	];
	for (const [body, field, what] of bad) {
		expectProblem(await api("POST", path, { token: admin, body }), 422, field, `${what}: ${JSON.stringify(body)}`);
	}
	const nonexist = await api("POST", path, { token: admin, body: { role: "org_admin", org_id: 999999999 } });
	expectProblem(nonexist, [404, 422], undefined, "org_admin of a missing organisation");

	const ok = [
		{ role: "operator", level: "province", region_code: "320000" },
		{ role: "operator", level: "national" },
		{ role: "reviewer", level: "province", region_code: "110000" },
		{ role: "org_member", org_id: 1 },
		{ role: "broker" },
	];
	const ids = [];
	for (const body of ok) {
		const r = await api("POST", path, { token: admin, body });
		expectStatus(r, 201, `grant ${JSON.stringify(body)}`);
		assert.equal(r.json.role, body.role, describe(r));
		ids.push(r.json.id);
	}
	const g = await api("GET", `/api/v1/users/${u.id}`, { token: admin });
	assert.deepEqual(g.json.roles.map((x) => x.id).sort((a, b) => a - b), [...ids].sort((a, b) => a - b), describe(g, "roles"));

	// A non-admin cannot grant (not even to themselves).
	const t = await login(u.username, u.password);
	expectProblem(await api("POST", path, { token: t, body: { role: "admin" } }), 403, undefined, "self-grant admin");
	expectProblem(await api("DELETE", `${path}/${ids[0]}`, { token: t }), 403, undefined, "revoke as non-admin");

	expectStatus(await api("DELETE", `${path}/${ids[0]}`, { token: admin }), 204, "revoke grant");
	expectProblem(await api("DELETE", `${path}/${ids[0]}`, { token: admin }), 404, undefined, "revoke twice");
	const me = await api("GET", "/api/v1/me", { token: t });
	assert.ok(!me.json.roles.some((x) => x.id === ids[0]), describe(me, "revoked grant gone from /me"));
});

test("login delays: after 5 failures the same user and address wait (429 with Retry-After)", async () => {
	const u = await createUser({ prefix: "rl" });
	for (let i = 0; i < 5; i++) {
		const r = await api("POST", "/api/v1/sessions", { body: { username: u.username, password: `wrong-${i}-password` } });
		expectProblem(r, 401, undefined, `failure ${i + 1}`);
	}
	const r = await api("POST", "/api/v1/sessions", { body: { username: u.username, password: u.password } });
	expectProblem(r, 429, undefined, "the right password after 5 failures, from the same address");
	assert.ok(r.headers.get("retry-after"), describe(r, "Retry-After header"));
	assert.equal(r.json.code, "signin_delayed", describe(r, "the code a UI translates"));
	// Other accounts are unaffected.
	const v = await createUser({ prefix: "rl" });
	await login(v.username, v.password);
});
