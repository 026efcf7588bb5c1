// Privacy of objectors: whoever objects to a candidate in public notice leaves a
// name and a phone number. The enterprise under objection (and its staff, and the
// reviewers) read the objection's text and state, never who lodged it; only the
// operators who screen objections (the chain's last level) and administrators
// see the contact. Before the fix the enterprise read the objector's phone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { adminAt, call, noticeCandidate, ownAddress, show, userWith } from "./authz-lib.mjs";

const PROVINCE = "530000"; // Yunnan: no other test's candidates
const CONTACT = "匿名群众 13912345678";

test("the enterprise under objection reads the objection without the objector's contact", async () => {
	const c = await noticeCandidate(PROVINCE);
	// from an address of its own: the suite's other objections share 127.0.0.1's hourly limit
	let r = await call("POST", `/api/v1/notices/${c.app.id}/objections`, {
		from: ownAddress(),
		body: { contact: CONTACT, text: "该企业研发投入数据与年报不符。" },
	});
	assert.equal(r.status, 201, show(r));

	const staff = await userWith([{ role: "org_member", org_id: c.org.id }]);
	const path = `/api/v1/applications/${c.app.id}/objections`;
	for (const [who, token] of [["the enterprise's administrator", c.ent.token], ["its member", staff.token], ["the province reviewer", c.reviewer.token]]) {
		r = await call("GET", path, { token });
		assert.equal(r.status, 200, `${who}: ${show(r)}`);
		assert.equal(r.json.items.length, 1, `${who}: ${show(r)}`);
		const o = r.json.items[0];
		assert.equal(o.text, "该企业研发投入数据与年报不符。", `${who} reads the text`);
		assert.equal(o.state, "open", `${who} reads the state`);
		assert.ok(o.contact == null, `${who} must not read the objector's contact: ${show(r)}`);
		assert.ok(!r.text.includes("13912345678"), `${who}: no phone anywhere in ${r.text}`);
	}
	for (const [who, token] of [["the province operator (the last level)", c.operator.token], ["an administrator", await adminAt()]]) {
		r = await call("GET", path, { token });
		assert.equal(r.status, 200, `${who}: ${show(r)}`);
		assert.equal(r.json.items[0].contact, CONTACT, `${who} screens objections and sees the contact`);
	}
	// an operator of another province is not shown the application at all
	const other = await userWith([{ role: "operator", level: "province", region_code: "620000" }]);
	r = await call("GET", path, { token: other.token });
	assert.ok([403, 404].includes(r.status), show(r));
});
