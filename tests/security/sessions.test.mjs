// Sessions and tokens must not outlive the password they were obtained with.
// Before: a password change or an admin reset left every session and API token
// working; there was no "sign out everywhere"; sessions had no idle timeout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { adminToken, api, createUser, describe, login } from "../api/lib.mjs";
import { sleep, startServer } from "./signin-lib.mjs";

const me = (token, url) => (url ? fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }).then(async (r) => ({ status: r.status, json: await r.json() })) : api("GET", "/api/v1/me", { token }));

test("a password change revokes the other sessions and the API tokens; the current session stays", async () => {
	const u = await createUser({ prefix: "rv" });
	const s1 = await login(u.username, u.password);
	const s2 = await login(u.username, u.password);
	const k = await api("POST", "/api/v1/tokens", { token: s1, body: { name: "script" } });
	assert.equal(k.status, 201, describe(k));
	assert.equal((await me(k.json.token)).status, 200);
	const c = await api("POST", `/api/v1/users/${u.id}/password`, { token: s1, body: { old_password: u.password, password: "a-new-phrase-77" } });
	assert.equal(c.status, 204, describe(c));
	assert.equal((await me(s1)).status, 200, "the session the change was made from");
	assert.equal((await me(s2)).status, 401, "another session (a stolen one, say)");
	assert.equal((await me(k.json.token)).status, 401, "an API token");
});

test("an admin reset revokes every session and API token of the user", async () => {
	const u = await createUser({ prefix: "rva" });
	const s = await login(u.username, u.password);
	const k = await api("POST", "/api/v1/tokens", { token: s, body: { name: "script" } });
	const r = await api("POST", `/api/v1/users/${u.id}/password`, { token: await adminToken(), body: { password: "reset-phrase-88" } });
	assert.equal(r.status, 204, describe(r));
	assert.equal((await me(s)).status, 401);
	assert.equal((await me(k.json.token)).status, 401);
	await login(u.username, "reset-phrase-88");
});

test("DELETE /api/v1/sessions signs out everywhere (API tokens stay)", async () => {
	const u = await createUser({ prefix: "soe" });
	const s1 = await login(u.username, u.password);
	const s2 = await login(u.username, u.password);
	const k = await api("POST", "/api/v1/tokens", { token: s1, body: { name: "script" } });
	const r = await api("DELETE", "/api/v1/sessions", { token: s2 });
	assert.equal(r.status, 204, describe(r));
	assert.equal((await me(s1)).status, 401);
	assert.equal((await me(s2)).status, 401);
	assert.equal((await me(k.json.token)).status, 200, "API tokens are revoked one by one");
});

test("a session unused longer than --session-idle is refused with code session_idle", async () => {
	const srv = await startServer(["--session-idle", "2"]);
	try {
		const u = await createUser({ prefix: "idle" });
		const sr = await fetch(`${srv.url}/api/v1/sessions`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ username: u.username, password: u.password }),
		});
		const s = (await sr.json()).token;
		const k = await api("POST", "/api/v1/tokens", { token: s, body: { name: "script" } });
		for (let i = 0; i < 3; i++) {
			await sleep(1000);
			assert.equal((await me(s, srv.url)).status, 200, `in use, second ${i + 1}`);
		}
		await sleep(3500);
		const r = await me(s, srv.url);
		assert.equal(r.status, 401, JSON.stringify(r.json));
		assert.equal(r.json.code, "session_idle", JSON.stringify(r.json));
		assert.equal((await me(k.json.token, srv.url)).status, 200, "API tokens have no idle timeout");
	} finally {
		await srv.stop();
	}
});
