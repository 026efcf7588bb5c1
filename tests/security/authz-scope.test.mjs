// Authorization scope, replayed as the review found it:
// - a title's revocation was always checked at province level: a province
//   operator revoked a national little-giant title and the ministry could revoke
//   none. The level that granted (the tier's last review level) decides.
// - an organisation's own administrator rewrote its credit code, kind and
//   region (and so chose the province that reviews it): those are for operators
//   and administrators; the organisation may edit the rest.
// - the national operator listed every interest but could open none: the list
//   now follows the same policy as the record (interest.read: the two parties,
//   assigned brokers, administrators).
import { test } from "node:test";
import assert from "node:assert/strict";
import { adminAt, call, enterprise, show, sql, userWith } from "./authz-lib.mjs";
import { db, uniqueCreditCode } from "../api/lib.mjs";

test("a title is revoked by the level that granted it", { skip: !db && "TB_DB not set" }, async () => {
	const { org } = await enterprise("320000");
	const ministry = await userWith([{ role: "operator", level: "national" }]);
	const province = await userWith([{ role: "operator", level: "province", region_code: "320000" }]);
	const other = await userWith([{ role: "operator", level: "province", region_code: "330000" }]);
	// titles as batches grant them: a national little giant and a provincial innovative SME
	const grant = (tier) =>
		Number(sql(`INSERT INTO titles (org_id, tier, since, until, province_code) VALUES (${org.id}, '${tier}', '2026-01-05', '2029-01-04', '32') RETURNING id`)[0]);
	const national = grant("little_giant");
	const provincial = grant("innovative_sme");
	const revoke = (id, token) => call("POST", `/api/v1/titles/${id}/revoke`, { token, body: { version: 1, reason: "复核不符合条件" } });

	let r = await revoke(national, province.token);
	assert.equal(r.status, 403, `a province operator must not revoke a national title: ${show(r)}`);
	r = await revoke(provincial, ministry.token);
	assert.equal(r.status, 403, `the ministry does not revoke what a province granted: ${show(r)}`);
	r = await revoke(provincial, other.token);
	assert.equal(r.status, 403, `another province's operator: ${show(r)}`);
	r = await revoke(national, ministry.token);
	assert.equal(r.status, 200, `the ministry revokes the national title: ${show(r)}`);
	assert.equal(r.json.state, "revoked");
	r = await revoke(provincial, province.token);
	assert.equal(r.status, 200, `the province revokes its own title: ${show(r)}`);
	assert.equal(r.json.state, "revoked");
});

test("an organisation's administrator cannot rewrite its credit code, kind or region", async () => {
	const { org, ent } = await enterprise("320000");
	const path = `/api/v1/organisations/${org.id}`;
	const cur = async () => (await call("GET", path, { token: ent.token })).json;
	const changes = {
		credit_code: uniqueCreditCode({ region: "110108" }),
		kind: "university",
		region_code: "110000", // Beijing: it would choose who reviews it
	};
	for (const [field, value] of Object.entries(changes)) {
		const o = await cur();
		const r = await call("PATCH", path, { token: ent.token, body: { version: o.version, [field]: value } });
		assert.ok(r.status === 403 || r.status === 422, `${field}: ${show(r)}`);
		assert.ok((r.json.errors || []).some((e) => e.field === field), `the error names ${field}: ${show(r)}`);
		const after = await cur();
		assert.equal(after[field], o[field], `${field} is unchanged`);
		assert.equal(after.version, o.version, "nothing was written");
	}
	// the same values sent back unchanged, and the other fields, are the organisation's to edit
	let o = await cur();
	let r = await call("PATCH", path, {
		token: ent.token,
		body: { version: o.version, credit_code: o.credit_code, kind: o.kind, region_code: o.region_code, address: "苏州工业园区星湖街 1 号", website: "https://example.com" },
	});
	assert.equal(r.status, 200, show(r));
	assert.equal(r.json.address, "苏州工业园区星湖街 1 号");
	// an operator of the organisation's province and an administrator may change them
	const op = await userWith([{ role: "operator", level: "province", region_code: "320000" }]);
	o = r.json;
	r = await call("PATCH", path, { token: op.token, body: { version: o.version, credit_code: changes.credit_code } });
	assert.equal(r.status, 200, `the operator corrects the credit code: ${show(r)}`);
	r = await call("PATCH", path, { token: await adminAt(), body: { version: r.json.version, region_code: "330000" } });
	assert.equal(r.status, 200, `the administrator moves it: ${show(r)}`);
	assert.equal(r.json.region_code, "330000");
});

test("interests: what a caller lists, it can open", async () => {
	const admin = await adminAt();
	let r = await call("GET", "/api/v1/interests?limit=5", { token: admin });
	assert.equal(r.status, 200, show(r));
	assert.ok(r.json.items.length > 0, "the demo has interests");
	const some = r.json.items[0];
	const callers = {
		"the national operator": await userWith([{ role: "operator", level: "national" }]),
		"a province operator": await userWith([{ role: "operator", level: "province", region_code: "320000" }]),
		"a party's member": await userWith([{ role: "org_member", org_id: some.from_org_id }]),
	};
	for (const [who, u] of Object.entries(callers)) {
		r = await call("GET", "/api/v1/interests?limit=20", { token: u.token });
		assert.equal(r.status, 200, `${who}: ${show(r)}`);
		for (const it of r.json.items) {
			const g = await call("GET", `/api/v1/interests/${it.id}`, { token: u.token });
			assert.equal(g.status, 200, `${who} lists interest ${it.id} and must be able to open it: ${show(g)}`);
		}
		const g = await call("GET", `/api/v1/interests/${some.id}`, { token: u.token });
		const listed = (await call("GET", `/api/v1/interests?limit=100`, { token: u.token })).json.items.some((x) => x.id === some.id);
		assert.equal(g.status === 200, listed, `${who}: opening interest ${some.id} (${g.status}) agrees with the list (${listed})`);
	}
	const party = await call("GET", `/api/v1/interests/${some.id}`, { token: callers["a party's member"].token });
	assert.equal(party.status, 200, `a party opens its interest: ${show(party)}`);
});
