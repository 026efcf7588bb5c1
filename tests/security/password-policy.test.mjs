// Passwords: common ones are refused, secrets are used exactly as given.
// Before: `12345678` and the published demo password were accepted; passwords
// were trimmed silently (through the API and `user add|passwd`), so
// " secret " and "secret" were the same password.
// Now: the embedded common-password list (John the Ripper's, Debian john-data)
// and the demo password are refused with 422 naming the field (code
// password_common); `demo` keeps its published password in demo databases only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { adminToken, api, bin, createUser, db, describe, login, uniqueToken } from "../api/lib.mjs";

const cli = (args, input) => spawnSync(bin, ["--db", db, ...args], { input, encoding: "utf8" });

for (const pw of ["12345678", "admin-demo-password", "Password1", "iloveyou", "PASSWORD"]) {
	test(`a common password is refused through the API: ${pw}`, async () => {
		const admin = await adminToken();
		const r = await api("POST", "/api/v1/users", { token: admin, body: { username: uniqueToken("cp"), password: pw } });
		assert.equal(r.status, 422, describe(r));
		assert.equal(r.json.code, "password_common", describe(r));
		assert.equal(r.json.errors[0].field, "password", describe(r));
	});
}

test("a common password is refused as a new password (self change and admin reset)", async () => {
	const u = await createUser({ prefix: "cpw" });
	const t = await login(u.username, u.password);
	const path = `/api/v1/users/${u.id}/password`;
	const self = await api("POST", path, { token: t, body: { old_password: u.password, password: "12345678" } });
	assert.equal(self.status, 422, describe(self));
	assert.equal(self.json.code, "password_common", describe(self));
	const reset = await api("POST", path, { token: await adminToken(), body: { password: "admin-demo-password" } });
	assert.equal(reset.status, 422, describe(reset));
	assert.equal(reset.json.errors[0].field, "password", describe(reset));
	await login(u.username, u.password); // unchanged
});

test("`user add` and `user passwd` refuse common passwords", async () => {
	const name = uniqueToken("cpcli");
	const add = cli(["user", "add", name], "12345678\n");
	assert.equal(add.status, 2, `${add.stdout}${add.stderr}`);
	assert.match(add.stderr, /password/, add.stderr);
	const ok = cli(["user", "add", name], "a-fine-long-phrase-42\n");
	assert.equal(ok.status, 0, ok.stderr);
	const pw = cli(["user", "passwd", name], "admin-demo-password\n");
	assert.equal(pw.status, 2, `${pw.stdout}${pw.stderr}`);
	assert.match(pw.stderr, /password/, pw.stderr);
});

test("secrets are not trimmed: API", async () => {
	const admin = await adminToken();
	const username = uniqueToken("sp");
	const password = "  spaced phrase 42  ";
	const c = await api("POST", "/api/v1/users", { token: admin, body: { username, password } });
	assert.equal(c.status, 201, describe(c));
	const trimmed = await api("POST", "/api/v1/sessions", { body: { username, password: password.trim() } });
	assert.equal(trimmed.status, 401, describe(trimmed, "the trimmed password is another password"));
	await login(username, password);
});

test("secrets are not trimmed: `user passwd` removes only the final newline", async () => {
	const u = await createUser({ prefix: "spc" });
	const r = cli(["user", "passwd", u.username], " leading and trailing \n");
	assert.equal(r.status, 0, r.stderr);
	const trimmed = await api("POST", "/api/v1/sessions", { body: { username: u.username, password: "leading and trailing" } });
	assert.equal(trimmed.status, 401, describe(trimmed));
	await login(u.username, " leading and trailing ");
});
