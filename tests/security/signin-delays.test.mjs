// Sign-in throttling must slow a guesser down, not lock the owner out.
// Before: 5 wrong passwords locked any account (admin too) for 15 minutes with
// the right password refused from everywhere; 20 failures from one address locked
// out everyone behind it; the per-account check was read-then-write (concurrent
// guesses all passed it); failures left no audit record.
// Now: growing delays per (username, address) pair, counted atomically, every
// failure audited; the right password from another address still works.
import { test } from "node:test";
import assert from "node:assert/strict";
import { adminPassword, adminToken, adminUser, api, createUser, describe, uniqueToken } from "../api/lib.mjs";
import { apiFrom, sleep } from "./signin-lib.mjs";

const signIn = (from, username, password) => apiFrom(from, "POST", "/api/v1/sessions", { body: { username, password } });

test("5 wrong passwords delay that address only: the right password from another address signs in", async () => {
	const u = await createUser({ prefix: "dl" });
	for (let i = 0; i < 5; i++) {
		const r = await signIn("127.0.0.21", u.username, `wrong-guess-${i}`);
		assert.equal(r.status, 401, describe(r, `guess ${i + 1}`));
		assert.equal(r.json.code, "signin_failed", describe(r));
	}
	const held = await signIn("127.0.0.21", u.username, u.password);
	assert.equal(held.status, 429, describe(held, "the guessing address must wait"));
	assert.equal(held.json.code, "signin_delayed", describe(held, "a code the UI can translate"));
	assert.ok(held.json.retry_after >= 1, describe(held, "retry_after in the body"));
	assert.ok(Number(held.headers["retry-after"]) >= 1, describe(held, "Retry-After header"));
	const owner = await signIn("127.0.0.22", u.username, u.password);
	assert.equal(owner.status, 201, describe(owner, "the owner, elsewhere, is not locked out"));
});

test("the admin account cannot be locked out by a guesser", async () => {
	for (let i = 0; i < 7; i++) await signIn("127.0.0.23", adminUser, `not-the-admin-password-${i}`);
	const r = await signIn("127.0.0.24", adminUser, adminPassword);
	assert.equal(r.status, 201, describe(r, "admin signs in from another address"));
});

test("many failures from one address do not lock out the others behind it", async () => {
	for (let i = 0; i < 21; i++) {
		const r = await signIn("127.0.0.25", uniqueToken("nobody"), "some-wrong-password");
		assert.equal(r.status, 401, describe(r, `failure ${i + 1} (each for another name)`));
	}
	const u = await createUser({ prefix: "nat" });
	const r = await signIn("127.0.0.25", u.username, u.password);
	assert.equal(r.status, 201, describe(r, "a colleague behind the same address"));
});

test("concurrent guesses are counted atomically; the delay doubles", async () => {
	const u = await createUser({ prefix: "race" });
	const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => signIn("127.0.0.26", u.username, `parallel-guess-${i}`)));
	const verified = rs.filter((r) => r.status === 401).length;
	const refused = rs.filter((r) => r.status === 429).length;
	assert.equal(verified + refused, 30, rs.map((r) => r.status).join(" "));
	assert.ok(verified <= 5, `${verified} of 30 parallel guesses were checked; at most 5 may be`);
	// wait out the delay: one more guess is checked, and the next wait is longer
	let first = rs.find((r) => r.json && r.json.code === "signin_delayed");
	if (!first) first = await signIn("127.0.0.26", u.username, "one-more-guess");
	assert.equal(first.json.code, "signin_delayed", describe(first));
	await sleep(first.json.retry_after * 1000 + 1100);
	const again = await signIn("127.0.0.26", u.username, "after-the-wait");
	assert.equal(again.status, 401, describe(again, "checked after the wait"));
	const next = await signIn("127.0.0.26", u.username, "too-soon-again");
	assert.equal(next.status, 429, describe(next));
	assert.ok(next.json.retry_after >= 3, describe(next, "the delay grew (2 s, then 4 s)"));
});

test("every refused sign-in is audited with the name tried and the address, never the password", async () => {
	const u = await createUser({ prefix: "aud" });
	const secret = `secret-guess-${Date.now()}`;
	await signIn("127.0.0.27", u.username, secret);
	for (let i = 0; i < 5; i++) await signIn("127.0.0.27", u.username, `${secret}-${i}`);
	const admin = await adminToken();
	const r = await api("GET", `/api/v1/audit?entity=user&entity_id=${u.id}&limit=50`, { token: admin });
	assert.equal(r.status, 200, describe(r));
	const failed = r.json.items.filter((e) => e.action === "login_failed");
	assert.ok(failed.length >= 6, describe(r, "5 wrong passwords and 1 delayed attempt"));
	const after = (e) => (typeof e.after === "string" ? JSON.parse(e.after) : e.after);
	for (const e of failed) {
		assert.equal(after(e).username, u.username, JSON.stringify(e));
		assert.equal(after(e).address, "127.0.0.27", JSON.stringify(e));
	}
	assert.ok(failed.some((e) => after(e).reason === "delayed"), "the delayed attempt is audited too");
	assert.ok(!r.text.includes(secret), "no password in the audit log");
});
