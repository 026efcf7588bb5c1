// Published market items were rewritten with no re-review: a moderator approved
// one text and the public then read another. A change to the content of a
// published listing or demand now sends it back to under_review (hidden from
// the public until a moderator approves it again), audited as "rereview"; a
// save that changes nothing leaves it published.
import { test } from "node:test";
import assert from "node:assert/strict";
import { adminAt, call, enterprise, show } from "./authz-lib.mjs";
import { uniqueToken } from "../api/lib.mjs";

const P = { listing: "/api/v1/listings", demand: "/api/v1/demands" };

for (const k of ["listing", "demand"]) {
	test(`a ${k}'s published content changed goes back to review`, async () => {
		const admin = await adminAt();
		const { ent } = await enterprise("320000");
		let r = await call("POST", P[k], {
			token: ent.token,
			body: { ref: uniqueToken(k[0]), title: "高效储能变流器技术", description: "储能 变流器 效率 提升", field: "new_energy", modes: "licence" },
		});
		assert.equal(r.status, 201, show(r));
		let it = r.json;
		for (const [event, token] of [["submit", ent.token], ["approve", admin]]) {
			r = await call("POST", `${P[k]}/${it.id}/transitions`, { token, body: { event, version: it.version } });
			assert.equal(r.status, 200, `${event}: ${show(r)}`);
			it = r.json;
		}
		assert.equal(it.status, "published");
		assert.equal((await call("GET", `${P[k]}/${it.id}`)).status, 200, "the public reads it");

		// saving it unchanged keeps it published
		r = await call("PATCH", `${P[k]}/${it.id}`, { token: ent.token, body: { version: it.version, title: it.title, description: it.description } });
		assert.equal(r.status, 200, show(r));
		assert.equal(r.json.status, "published", "an unchanged save is no new content");
		it = r.json;

		// the owner rewrites the approved text
		r = await call("PATCH", `${P[k]}/${it.id}`, { token: ent.token, body: { version: it.version, title: "保证收益百分之三百的投资机会" } });
		assert.equal(r.status, 200, show(r));
		assert.equal(r.json.status, "under_review", `the changed ${k} must be reviewed again: ${show(r)}`);
		assert.equal(r.json.title, "保证收益百分之三百的投资机会");
		it = r.json;
		r = await call("GET", `${P[k]}/${it.id}`);
		assert.ok([401, 403, 404].includes(r.status), `the public no longer reads it: ${show(r)}`);
		r = await call("GET", `${P[k]}?limit=100&q=${encodeURIComponent("保证收益")}`);
		assert.ok(!(r.json?.items || []).some((x) => x.id === it.id), "nor lists it");
		r = await call("GET", `/api/v1/audit?entity=${k}&entity_id=${it.id}&limit=20`, { token: admin });
		assert.equal(r.status, 200, show(r));
		assert.ok(r.json.items.some((a) => a.action === "rereview"), `the return to review is audited: ${show(r)}`);

		// the moderator approves the new text: published again
		r = await call("POST", `${P[k]}/${it.id}/transitions`, { token: admin, body: { event: "approve", version: it.version } });
		assert.equal(r.status, 200, show(r));
		assert.equal(r.json.status, "published");
		r = await call("GET", `${P[k]}/${it.id}`);
		assert.equal(r.status, 200, show(r));
		assert.equal(r.json.title, "保证收益百分之三百的投资机会");
	});
}
