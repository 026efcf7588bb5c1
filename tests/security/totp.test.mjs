// Two-factor sign-in (TOTP, RFC 6238), as GB/T 22239-2019 level 3 asks.
// Before: there was none. Now: opt-in per user (enroll, confirm with a code,
// disable with a code), required per role by `serve --require-2fa`;
// POST /api/v1/sessions takes `otp` and answers 401 with code otp_required when
// one is needed; a code works once; the secret is never readable after enrolling.
import { test } from "node:test";
import assert from "node:assert/strict";
import { adminToken, api, createUser, demoPassword, describe, login } from "../api/lib.mjs";
import { sleep, startServer, totpCode } from "./signin-lib.mjs";

const signIn = (body, url) =>
	url
		? fetch(`${url}/api/v1/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: await r.json() }))
		: api("POST", "/api/v1/sessions", { body });

/**
 * A code for a step after `used` (codes work once): the server accepts one step
 * of drift either way, so the next step's code works at once; past that, wait.
 */
async function codeAfter(secret, used) {
	const step = () => Math.floor(Date.now() / 1000 / 30);
	while (used + 1 > step() + 1) await sleep(1000);
	const s = Math.max(used + 1, step());
	return { code: totpCode(secret, s * 30), step: s };
}
const stepNow = () => Math.floor(Date.now() / 1000 / 30);

test("a user enrolls and signs in with a code, once", async () => {
	const u = await createUser({ prefix: "otp" });
	const t = await login(u.username, u.password);
	const e = await api("POST", "/api/v1/me/totp", { token: t });
	assert.equal(e.status, 201, describe(e));
	const { secret, otpauth_uri: uri } = e.json;
	assert.match(secret, /^[A-Z2-7]{32}$/, describe(e));
	assert.ok(uri.startsWith("otpauth://totp/") && uri.includes(`secret=${secret}`), uri);

	// not in force before it is confirmed
	await login(u.username, u.password);
	const bad = await api("POST", "/api/v1/me/totp/confirm", { token: t, body: { otp: totpCode(secret) === "000000" ? "111111" : "000000" } });
	assert.equal(bad.status, 422, describe(bad));
	const confirmed = stepNow();
	const ok = await api("POST", "/api/v1/me/totp/confirm", { token: t, body: { otp: totpCode(secret, confirmed * 30) } });
	assert.equal(ok.status, 204, describe(ok));

	// the secret is never readable again
	for (const path of [`/api/v1/users/${u.id}`, "/api/v1/me"]) {
		const r = await api("GET", path, { token: await adminToken() });
		assert.ok(!r.text.includes(secret), `${path} shows no secret`);
	}
	const again = await api("POST", "/api/v1/me/totp", { token: t });
	assert.equal(again.status, 409, describe(again, "enrolling again while it is on"));

	const none = await signIn({ username: u.username, password: u.password });
	assert.equal(none.status, 401, describe(none));
	assert.equal(none.json.code, "otp_required", describe(none));
	const wrong = await signIn({ username: u.username, password: u.password, otp: totpCode(secret, Date.now() / 1000 - 3600) });
	assert.equal(wrong.status, 401, describe(wrong));
	assert.equal(wrong.json.code, "otp_invalid", describe(wrong));

	const { code } = await codeAfter(secret, confirmed);
	const good = await signIn({ username: u.username, password: u.password, otp: code });
	assert.equal(good.status, 201, describe(good));
	const replay = await signIn({ username: u.username, password: u.password, otp: code });
	assert.equal(replay.status, 401, describe(replay, "the same code a second time"));
	assert.equal(replay.json.code, "otp_invalid", describe(replay));
});

test("turning two-factor sign-in off takes a current code", async () => {
	const u = await createUser({ prefix: "otpd" });
	const t = await login(u.username, u.password);
	const { secret } = (await api("POST", "/api/v1/me/totp", { token: t })).json;
	const confirmed = stepNow();
	assert.equal((await api("POST", "/api/v1/me/totp/confirm", { token: t, body: { otp: totpCode(secret, confirmed * 30) } })).status, 204);
	const wrong = await api("POST", "/api/v1/me/totp/disable", { token: t, body: { otp: totpCode(secret, confirmed * 30) } });
	assert.equal(wrong.status, 422, describe(wrong, "a code already used"));
	const off = await api("POST", "/api/v1/me/totp/disable", { token: t, body: { otp: (await codeAfter(secret, confirmed)).code } });
	assert.equal(off.status, 204, describe(off));
	await login(u.username, u.password);
});

test("--require-2fa: a role without an enrolled user is refused; demo users sign in as before", async () => {
	const srv = await startServer(["--require-2fa", "broker"]);
	try {
		const b = await signIn({ username: "broker", password: demoPassword }, srv.url);
		assert.equal(b.status, 401, JSON.stringify(b.json));
		assert.equal(b.json.code, "otp_enrollment_required", JSON.stringify(b.json));
		const o = await signIn({ username: "operator", password: demoPassword }, srv.url);
		assert.equal(o.status, 201, JSON.stringify(o.json));
	} finally {
		await srv.stop();
	}
	// the shared server requires none: the quick start's demo sign-in works
	await login("broker", demoPassword);
});

test("--require-2fa: an enrolled user of the role signs in with a code", async () => {
	const u = await createUser({ prefix: "otpr", roles: [{ role: "expert" }] });
	const t = await login(u.username, u.password);
	const { secret } = (await api("POST", "/api/v1/me/totp", { token: t })).json;
	const confirmed = stepNow();
	assert.equal((await api("POST", "/api/v1/me/totp/confirm", { token: t, body: { otp: totpCode(secret, confirmed * 30) } })).status, 204);
	const srv = await startServer(["--require-2fa", "expert,secadmin"]);
	try {
		const none = await signIn({ username: u.username, password: u.password }, srv.url);
		assert.equal(none.json.code, "otp_required", JSON.stringify(none.json));
		const ok = await signIn({ username: u.username, password: u.password, otp: (await codeAfter(secret, confirmed)).code }, srv.url);
		assert.equal(ok.status, 201, JSON.stringify(ok.json));
	} finally {
		await srv.stop();
	}
});
