// The OpenAPI document's PATCH request schemas list what the server accepts, and
// nothing else: a client generated from it sent create-only fields (a listing's
// ref, a user's username and password, an application's org_id and tier) and
// workflow fields (a market item's status) that every update refuses. For each
// PATCH operation: every listed property, sent alone with the record's current
// value, is accepted; every property of the matching create operation that the
// PATCH schema leaves out is refused by PATCH, naming it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { adminAt, call, enterprise, show, userWith } from "./authz-lib.mjs";
import { uniqueToken } from "../api/lib.mjs";

async function fresh(url, body, token, what) {
	for (let i = 0; i < 20; i++) {
		const r = await call("POST", url, { token, body: body() });
		if (r.status === 201) return r.json;
		assert.equal(r.status, 409, `${what}: ${show(r)}`);
	}
	assert.fail(`${what}: no free code`);
}

/** A record for each PATCH path: {path, token, create (the body it was created with)}. */
async function records() {
	const admin = await adminAt();
	const { org, ent } = await enterprise("320000");
	const out = {};
	const add = (tmpl, path, token, create) => (out[tmpl] = { path, token, create });

	const userBody = { username: uniqueToken("oa"), password: `pw-${uniqueToken("p")}`, display_name: "接口文档" };
	let r = await call("POST", "/api/v1/users", { token: admin, body: userBody });
	assert.equal(r.status, 201, show(r));
	add("/api/v1/users/{id}", `/api/v1/users/${r.json.id}`, admin, userBody);

	const region = await fresh("/api/v1/regions", () => ({ code: `53${randomInt(10, 100)}00`, name: "文档测试市" }), admin, "region");
	add("/api/v1/regions/{code}", `/api/v1/regions/${region.code}`, admin, { code: region.code, name: region.name });
	const industry = await fresh("/api/v1/industries", () => ({ code: `S${randomInt(10, 100)}`, name: "文档测试" }), admin, "industry");
	add("/api/v1/industries/{code}", `/api/v1/industries/${industry.code}`, admin, { code: industry.code, name: industry.name });

	add("/api/v1/organisations/{id}", `/api/v1/organisations/${org.id}`, admin, { kind: org.kind, name: org.name });

	const appBody = { org_id: org.id, tier: "innovative_sme", review: false, statement: "文档", contact: "张三 13800000000" };
	r = await call("POST", "/api/v1/applications", { token: ent.token, body: appBody });
	assert.equal(r.status, 201, show(r));
	add("/api/v1/applications/{id}", `/api/v1/applications/${r.json.id}`, ent.token, appBody);

	for (const [p, t] of [["listings", "高效储能变流器技术"], ["demands", "寻求储能变流器解决方案"]]) {
		const body = { ref: uniqueToken(p[0]), title: t, description: "储能", field: "new_energy", modes: "licence" };
		r = await call("POST", `/api/v1/${p}`, { token: ent.token, body });
		assert.equal(r.status, 201, show(r));
		add(`/api/v1/${p}/{id}`, `/api/v1/${p}/${r.json.id}`, ent.token, body);
	}

	const broker = await userWith([{ role: "broker" }]);
	const brokerBody = { user_id: broker.id, grade: "junior" };
	r = await call("POST", "/api/v1/brokers", { token: admin, body: brokerBody });
	assert.equal(r.status, 201, show(r));
	add("/api/v1/brokers/{id}", `/api/v1/brokers/${r.json.id}`, admin, brokerBody);
	return out;
}

const props = (op) => op?.requestBody?.content?.["application/json"]?.schema?.properties || {};

test("every PATCH schema lists exactly what the update accepts", async () => {
	const r = await call("GET", "/api/v1/openapi.json");
	assert.equal(r.status, 200, show(r));
	const doc = r.json;
	const recs = await records();
	const patched = Object.keys(doc.paths).filter((p) => doc.paths[p].patch);
	assert.deepEqual(patched.filter((p) => !recs[p]), [], "a record for every PATCH operation (add one here for a new route)");

	for (const tmpl of patched) {
		const rec = recs[tmpl];
		const listed = Object.keys(props(doc.paths[tmpl].patch)).filter((p) => p !== "version");
		// each listed property, alone, with the record's current value: accepted
		for (const p of listed) {
			const cur = (await call("GET", rec.path, { token: rec.token })).json;
			assert.ok(cur && p in cur, `PATCH ${tmpl}: the record shows ${p} (${JSON.stringify(cur)})`);
			const u = await call("PATCH", rec.path, { token: rec.token, body: { version: cur.version, [p]: cur[p] } });
			assert.equal(u.status, 200, `PATCH ${tmpl} lists "${p}", so the server must accept it: ${show(u)}`);
		}
		// what create takes and the PATCH schema leaves out: refused by PATCH, naming it
		const coll = tmpl.replace(/\/\{[^}]+\}$/, "");
		const created = Object.keys(props(doc.paths[coll]?.post));
		for (const p of created.filter((x) => !listed.includes(x))) {
			const cur = (await call("GET", rec.path, { token: rec.token })).json;
			const value = p in rec.create ? rec.create[p] : cur[p];
			const u = await call("PATCH", rec.path, { token: rec.token, body: { version: cur.version, [p]: value } });
			assert.equal(u.status, 422, `PATCH ${tmpl} leaves out "${p}": the server refuses it: ${show(u)}`);
			assert.ok((u.json.errors || []).some((e) => e.field === p), `the error names ${p}: ${show(u)}`);
		}
	}
	// the create-only and workflow fields the review named are not in the PATCH schemas
	const absent = {
		"/api/v1/users/{id}": ["username", "password"],
		"/api/v1/regions/{code}": ["code"],
		"/api/v1/industries/{code}": ["code"],
		"/api/v1/applications/{id}": ["org_id", "tier", "review"],
		"/api/v1/listings/{id}": ["ref", "status"],
		"/api/v1/demands/{id}": ["ref", "status"],
		"/api/v1/brokers/{id}": ["user_id"],
	};
	for (const [tmpl, names] of Object.entries(absent))
		for (const n of names) assert.ok(!(n in props(doc.paths[tmpl].patch)), `PATCH ${tmpl} must not list "${n}"`);
	// nor does a create schema list a field only the workflow sets
	for (const p of ["/api/v1/listings", "/api/v1/demands"]) assert.ok(!("status" in props(doc.paths[p].post)), `POST ${p} must not list "status"`);
	for (const p of ["/api/v1/listings/{id}", "/api/v1/demands/{id}"]) {
		const rec = recs[p];
		const cur = (await call("GET", rec.path, { token: rec.token })).json;
		const u = await call("PATCH", rec.path, { token: rec.token, body: { version: cur.version, status: "published" } });
		assert.equal(u.status, 422, show(u));
	}
});
