// Gradient cultivation: the yearly data update (facts saved by 31 May every year
// after the grant). The demo grants two Jiangsu titles in January: the first
// holder saved its facts before 31 May, the second did not, so its title is
// flagged and a re-review (复核) is refused with the reason; bad input writes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, login, adminToken, createUser } from "./lib.mjs";

async function titles() {
	const r = await api("GET", "/api/v1/titles?limit=500");
	assert.equal(r.status, 200, r.text);
	return r.json.items;
}

test("titles filter by enterprise and by tier, with counts, as the whole list says", async () => {
	const all = await titles();
	assert.ok(all.length > 0, "the demo has titles");
	for (const org of [...new Set(all.map((t) => t.org_id))]) {
		const want = all.filter((t) => t.org_id === org).map((t) => t.id);
		const r = await api("GET", `/api/v1/titles?org_id=${org}&limit=500&count=true`);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.items.map((t) => t.id), want, `org_id=${org}`);
		const tier = all.find((t) => t.org_id === org).tier;
		const both = await api("GET", `/api/v1/titles?org_id=${org}&tier=${tier}&limit=1`);
		assert.deepEqual(both.json.items.map((t) => t.id), all.filter((t) => t.org_id === org && t.tier === tier).slice(0, 1).map((t) => t.id));
	}
	const none = await api("GET", "/api/v1/titles?org_id=999999999&limit=5");
	assert.equal(none.status, 200, none.text);
	assert.deepEqual(none.json.items, []);
});

test("titles flag a missed data update; a re-review is then refused", async () => {
	const all = await titles();
	for (const t of all) {
		assert.equal(typeof t.data_update_missed, "boolean");
		assert.match(t.data_due, /^\d{4}-05-31$/);
	}
	const missed = all.find((t) => t.data_update_missed && t.state === "active");
	assert.ok(missed, "the demo has a title whose data update was missed");
	assert.match(missed.data_update_missed_due, /^\d{4}-05-31$/);
	assert.ok(missed.data_update_missed_due > missed.since);
	const onTime = all.find((t) => t.org_id === 1 && t.tier === "innovative_sme");
	assert.ok(onTime, "the first demo enterprise holds an innovative-SME title");
	assert.equal(onTime.data_update_missed, false);
	assert.equal(onTime.data_update_missed_due, null);

	// an administrator of the late enterprise asks for a re-review
	const u = await createUser({ prefix: "late", roles: [{ role: "org_admin", org_id: missed.org_id }] });
	const tok = await login(u.username, u.password);
	const before = await api("GET", `/api/v1/applications?org_id=${missed.org_id}&limit=500`, { token: tok });
	assert.equal(before.status, 200, before.text);
	let r = await api("POST", "/api/v1/applications", {
		token: tok, body: { org_id: missed.org_id, tier: missed.tier, review: true } });
	assert.equal(r.status, 422, r.text);
	assert.equal(r.json.errors[0].field, "review");
	assert.match(r.json.errors[0].message, /data update due \d{4}-05-31 was not made/);
	assert.match(r.json.errors[0].message, /re-review/);

	// saving the facts now does not undo a missed deadline
	const f = await api("GET", `/api/v1/organisations/${missed.org_id}/facts`, { token: tok });
	assert.equal(f.status, 200, f.text);
	r = await api("PUT", `/api/v1/organisations/${missed.org_id}/facts`, {
		token: tok, body: { version: f.json.version, years: f.json.years, digital_level: 2 } });
	assert.equal(r.status, 200, r.text);
	r = await api("POST", "/api/v1/applications", {
		token: tok, body: { org_id: missed.org_id, tier: missed.tier, review: true } });
	assert.equal(r.status, 422, r.text);
	assert.equal(r.json.errors[0].field, "review");
	const still = (await titles()).find((t) => t.id === missed.id);
	assert.equal(still.data_update_missed, true);

	// a re-review of a tier not held names the field too; nothing was written
	r = await api("POST", "/api/v1/applications", {
		token: tok, body: { org_id: missed.org_id, tier: "little_giant", review: true } });
	assert.equal(r.status, 422, r.text);
	assert.equal(r.json.errors[0].field, "review");
	const after = await api("GET", `/api/v1/applications?org_id=${missed.org_id}&limit=500`, { token: tok });
	assert.equal(after.json.items.length, before.json.items.length);
	const audit = await api("GET", `/api/v1/audit?entity=application&limit=500`, { token: await adminToken() });
	assert.equal(audit.status, 200);
	assert.ok(!audit.json.items.some((a) => a.actor === u.username), "refused applications leave no audit record");
});
