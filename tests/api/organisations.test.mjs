// Organisations: create, read, filters, cursor pagination, update with versions,
// duplicates, validation, delete, members (docs/API.md "Conventions" and "Errors").
import { test, before } from "node:test";
import assert from "node:assert/strict";
import {
	api,
	adminToken,
	createOrg,
	createUser,
	describe,
	login,
	expectProblem,
	expectStatus,
	uniqueCreditCode,
	uniqueToken,
} from "./lib.mjs";

let admin;
// A token that appears only in the names of this file's organisations.
const tag = uniqueToken("zq");
const orgs = []; // created by the "filters" set-up, each {json, spec}

// Varied organisations, all carrying `tag` in their name.
const SPECS = [
	{ kind: "enterprise", region_code: "320000", industry_code: "C", size_class: "small" },
	{ kind: "enterprise", region_code: "320000", industry_code: "C", size_class: "micro" },
	{ kind: "enterprise", region_code: "110000", industry_code: "I", size_class: "medium" },
	{ kind: "university", region_code: "110000", industry_code: "M" },
	{ kind: "research_institute", region_code: "320000", industry_code: "M" },
	{ kind: "enterprise", region_code: "440000", industry_code: "C", size_class: "large" },
	{ kind: "service_institution", region_code: "320000", industry_code: "L" },
];

before(async () => {
	admin = await adminToken();
	for (let i = 0; i < SPECS.length; i++) {
		const s = SPECS[i];
		const body = { name: `${tag} organisation ${i}`, name_en: `${tag} org ${i}`, ...s };
		if (s.kind === "enterprise") body.credit_code = uniqueCreditCode({ region: "320505" });
		const r = await api("POST", "/api/v1/organisations", { token: admin, body });
		expectStatus(r, 201, `create ${JSON.stringify(body)}`);
		orgs.push({ json: r.json, spec: body });
	}
});

/** All pages of a list, following next_cursor; returns the items. */
async function walk(query, limit) {
	const items = [];
	let cursor = null;
	for (let page = 0; page < 100; page++) {
		const q = new URLSearchParams(query);
		q.set("limit", String(limit));
		if (cursor) q.set("cursor", cursor);
		const r = await api("GET", `/api/v1/organisations?${q}`);
		expectStatus(r, 200, `GET organisations?${q}`);
		assert.ok(Array.isArray(r.json.items), describe(r, "items is an array"));
		assert.ok(r.json.items.length <= limit, describe(r, `at most ${limit} items`));
		items.push(...r.json.items);
		cursor = r.json.next_cursor;
		if (cursor === null || cursor === undefined) return items;
		assert.equal(typeof cursor, "string", describe(r, "next_cursor is a string or null"));
	}
	assert.fail(`more than 100 pages for ${JSON.stringify(query)}`);
}

/** The ids of the organisations of this file matching a filter on the tag. */
async function taggedIds(filter) {
	const items = await walk({ q: tag, ...filter }, 500);
	return items.map((o) => o.id).sort((a, b) => a - b);
}

function expectedIds(pred) {
	return orgs
		.filter((o) => pred(o.spec))
		.map((o) => o.json.id)
		.sort((a, b) => a - b);
}

test("POST /organisations returns 201, a Location header and the record", async () => {
	const code = uniqueCreditCode({ region: "320505" });
	const body = {
		kind: "enterprise",
		credit_code: code,
		name: uniqueToken("创建测试 "),
		name_en: "Create Test Co., Ltd.",
		region_code: "320000",
		industry_code: "C",
		registered_on: "2019-03-15",
		size_class: "small",
		address: "苏州市虎丘区科技城",
		website: "https://example.cn",
	};
	const r = await api("POST", "/api/v1/organisations", { token: admin, body });
	expectStatus(r, 201, "create");
	assert.match(r.headers.get("content-type") || "", /application\/json/);
	assert.equal(typeof r.json.id, "number", describe(r));
	assert.equal(r.headers.get("location"), `/api/v1/organisations/${r.json.id}`, describe(r, "Location"));
	for (const [k, v] of Object.entries(body)) assert.equal(r.json[k], v, describe(r, `field ${k}`));
	assert.equal(r.json.version, 1, describe(r, "version"));
	assert.equal(r.json.region_name, "江苏省", describe(r, "region_name"));
	assert.equal(typeof r.json.industry_name, "string", describe(r, "industry_name"));

	const g = await api("GET", `/api/v1/organisations/${r.json.id}`);
	expectStatus(g, 200, "anonymous GET of the new organisation");
	assert.deepEqual(g.json, r.json, "GET returns what POST returned");
});

test("GET /organisations/{id} of a missing id is 404 problem+json", async () => {
	expectProblem(await api("GET", "/api/v1/organisations/999999999"), 404);
});

test("filter kind", async () => {
	for (const kind of ["enterprise", "university", "research_institute", "service_institution", "platform_operator"]) {
		assert.deepEqual(
			await taggedIds({ kind }),
			expectedIds((s) => s.kind === kind),
			`kind=${kind}`,
		);
	}
});

test("filter region matches everything inside a code (2, 4 or 6 digits)", async () => {
	const js = expectedIds((s) => s.region_code === "320000");
	assert.ok(js.length >= 3);
	for (const region of ["32", "3200", "320000"]) {
		assert.deepEqual(await taggedIds({ region }), js, `region=${region}`);
	}
	assert.deepEqual(await taggedIds({ region: "11" }), expectedIds((s) => s.region_code === "110000"), "region=11");
	assert.deepEqual(await taggedIds({ region: "31" }), [], "region=31 (Shanghai: none of ours)");
	// Every item of an untagged region filter lies in the region.
	const r = await api("GET", "/api/v1/organisations?region=32&limit=100");
	expectStatus(r, 200);
	for (const o of r.json.items) assert.match(o.region_code, /^32/, `region=32 returned ${JSON.stringify(o)}`);
});

test("filter industry matches everything below a code", async () => {
	for (const industry of ["C", "M", "I", "L", "A"]) {
		assert.deepEqual(
			await taggedIds({ industry }),
			expectedIds((s) => s.industry_code === industry),
			`industry=${industry}`,
		);
	}
});

/** POST a new reference code (region or industry) drawn by `draw`, retrying on the 409 of one that exists. */
async function newCode(path, draw, name) {
	for (let i = 0; i < 30; i++) {
		const r = await api("POST", path, { token: admin, body: { code: draw(), name } });
		if (r.status === 201) return r.json.code;
		expectStatus(r, 409, `POST ${path}`);
	}
	throw new Error(`no free code for ${path}`);
}

test("narrow region and industry filters (served from their indexes): pages and counts", async () => {
	const pref = await newCode("/api/v1/regions", () => `65${40 + Math.floor(Math.random() * 50)}00`, "过滤测试市");
	const county = await newCode("/api/v1/regions", () => `${pref.slice(0, 4)}${String(1 + Math.floor(Math.random() * 98)).padStart(2, "0")}`, "过滤测试县");
	const division = await newCode("/api/v1/industries", () => `T${10 + Math.floor(Math.random() * 90)}`, "过滤测试类");
	const made = [];
	for (const [region_code, industry_code, kind] of [
		[county, division, "enterprise"],
		[county, "C", "university"],
		[county, division, "enterprise"],
		[pref, division, "research_institute"],
	]) {
		const body = { kind, name: uniqueToken("Narrow "), region_code, industry_code };
		if (kind === "enterprise") body.credit_code = uniqueCreditCode({ region: "650100" });
		made.push(await createOrg(body));
	}
	const ids = (list) => list.map((o) => o.id);
	const inCounty = ids(made.slice(0, 3));
	// a page of one item at a time: the cursor must carry on along the index too
	assert.deepEqual(ids(await walk({ region: county }, 1)), inCounty, `region=${county}`);
	assert.deepEqual(ids(await walk({ region: pref.slice(0, 4) }, 2)), ids(made), `region=${pref.slice(0, 4)}`);
	assert.deepEqual(ids(await walk({ industry: division }, 2)), [made[0].id, made[2].id, made[3].id], `industry=${division}`);
	assert.deepEqual(ids(await walk({ region: county, industry: division }, 5)), [made[0].id, made[2].id]);
	assert.deepEqual(ids(await walk({ region: county, kind: "university" }, 5)), [made[1].id]);
	for (const [q, total] of [
		[`region=${county}`, 3],
		[`region=${pref}`, 4],
		[`industry=${division}`, 3],
		[`region=${county}&industry=${division}`, 2],
		[`region=${county}&kind=enterprise`, 2],
	]) {
		const r = await api("GET", `/api/v1/organisations?${q}&count=true&limit=1`);
		expectStatus(r, 200, q);
		assert.equal(r.json.total, total, describe(r, `total of ${q}`));
	}
});

test("filter size_class", async () => {
	for (const size_class of ["large", "medium", "small", "micro"]) {
		assert.deepEqual(
			await taggedIds({ size_class }),
			expectedIds((s) => s.size_class === size_class),
			`size_class=${size_class}`,
		);
	}
});

test("filters combine (kind and region)", async () => {
	assert.deepEqual(
		await taggedIds({ kind: "enterprise", region: "32" }),
		expectedIds((s) => s.kind === "enterprise" && s.region_code === "320000"),
	);
});

test("filter credit_code is exact; q finds a credit code too", async () => {
	const ent = orgs.find((o) => o.spec.credit_code);
	const code = ent.spec.credit_code;
	let r = await api("GET", `/api/v1/organisations?credit_code=${code}`);
	expectStatus(r, 200);
	assert.deepEqual(r.json.items.map((o) => o.id), [ent.json.id], describe(r, `credit_code=${code}`));
	r = await api("GET", `/api/v1/organisations?q=${code}`);
	expectStatus(r, 200);
	assert.deepEqual(r.json.items.map((o) => o.id), [ent.json.id], describe(r, `q=${code}`));
	r = await api("GET", `/api/v1/organisations?credit_code=${code.slice(0, 17)}`);
	expectStatus(r, 200);
	assert.deepEqual(r.json.items, [], describe(r, "credit_code is not a prefix match"));
});

test("q matches the name and the English name", async () => {
	assert.deepEqual(await taggedIds({}), expectedIds(() => true), `q=${tag}`);
	const one = orgs[3];
	let r = await api("GET", `/api/v1/organisations?q=${encodeURIComponent(one.spec.name)}`);
	expectStatus(r, 200);
	assert.deepEqual(r.json.items.map((o) => o.id), [one.json.id], describe(r, "q=full name"));
	r = await api("GET", `/api/v1/organisations?q=${encodeURIComponent(`${tag} org 3`)}`);
	expectStatus(r, 200);
	assert.deepEqual(r.json.items.map((o) => o.id), [one.json.id], describe(r, "q=English name"));
});

test("cursor pagination walks a filtered set without duplicates or gaps", async () => {
	for (const limit of [1, 2, 3]) {
		const items = await walk({ q: tag }, limit);
		const ids = items.map((o) => o.id);
		assert.equal(new Set(ids).size, ids.length, `limit=${limit}: duplicates in ${ids}`);
		assert.deepEqual([...ids].sort((a, b) => a - b), expectedIds(() => true), `limit=${limit}: the set`);
	}
	// The first page of 2 has a cursor; a full page of the exact size does not lie.
	const r = await api("GET", `/api/v1/organisations?q=${tag}&limit=${SPECS.length}`);
	expectStatus(r, 200);
	assert.equal(r.json.items.length, SPECS.length, describe(r));
	assert.ok(r.json.next_cursor === null || (await walk({ q: tag, cursor: r.json.next_cursor }, 2)).length === 0,
		describe(r, "after the last page nothing is left"));
});

test("count=true returns total of the filtered set", async () => {
	const r = await api("GET", `/api/v1/organisations?q=${tag}&limit=2&count=true`);
	expectStatus(r, 200);
	assert.equal(r.json.total, SPECS.length, describe(r, "total"));
	assert.equal(r.json.items.length, 2, describe(r));
	const k = await api("GET", `/api/v1/organisations?q=${tag}&kind=university&count=true`);
	expectStatus(k, 200);
	assert.equal(k.json.total, 1, describe(k, "total with kind=university"));
});

test("PATCH with the version updates; a stale version is 409 and changes nothing", async () => {
	const o = await createOrg({ name: uniqueToken("Patch ") });
	const p = await api("PATCH", `/api/v1/organisations/${o.id}`, {
		token: admin,
		body: { name: `${o.name} renamed`, size_class: "medium", version: o.version },
	});
	expectStatus(p, 200, "PATCH");
	assert.equal(p.json.name, `${o.name} renamed`, describe(p));
	assert.equal(p.json.size_class, "medium", describe(p));
	assert.equal(p.json.version, o.version + 1, describe(p, "version incremented"));
	assert.equal(p.json.credit_code, o.credit_code, describe(p, "unchanged fields stay"));

	const s = await api("PATCH", `/api/v1/organisations/${o.id}`, {
		token: admin,
		body: { name: "stale write", version: o.version },
	});
	expectProblem(s, 409, "version", "stale PATCH");
	const g = await api("GET", `/api/v1/organisations/${o.id}`);
	assert.equal(g.json.name, `${o.name} renamed`, describe(g, "stale PATCH changed nothing"));
	assert.equal(g.json.version, o.version + 1, describe(g));

	const nv = await api("PATCH", `/api/v1/organisations/${o.id}`, { token: admin, body: { name: "no version" } });
	expectProblem(nv, [400, 422], "version", "PATCH without version");

	const cl = await api("PATCH", `/api/v1/organisations/${o.id}`, {
		token: admin,
		body: { website: null, size_class: null, version: g.json.version },
	});
	expectStatus(cl, 200, "PATCH null clears a nullable field");
	assert.equal(cl.json.size_class, null, describe(cl));
});

test("a duplicate credit code is 409 naming credit_code (create and update)", async () => {
	const a = await createOrg();
	const b = await createOrg();
	const r = await api("POST", "/api/v1/organisations", {
		token: admin,
		body: { kind: "enterprise", name: uniqueToken("Dup "), credit_code: a.credit_code, region_code: "320000" },
	});
	expectProblem(r, 409, "credit_code", "duplicate on create");
	const p = await api("PATCH", `/api/v1/organisations/${b.id}`, {
		token: admin,
		body: { credit_code: a.credit_code, version: b.version },
	});
	expectProblem(p, 409, "credit_code", "duplicate on update");
});

test("a credit code with a wrong check character is 422 naming credit_code", async () => {
	const good = uniqueCreditCode({ region: "320505" });
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	const wrong = chars[(chars.indexOf(good[17]) + 1) % chars.length];
	const r = await api("POST", "/api/v1/organisations", {
		token: admin,
		body: { kind: "enterprise", name: uniqueToken("Bad code "), credit_code: good.slice(0, 17) + wrong },
	});
	expectProblem(r, 422, "credit_code");
	const lower = await api("POST", "/api/v1/organisations", {
		token: admin,
		body: { kind: "enterprise", name: uniqueToken("Bad code "), credit_code: good.slice(0, 17) + "O" },
	});
	expectProblem(lower, 422, "credit_code", "a character outside the code's charset");
	const missing = await api("POST", "/api/v1/organisations", {
		token: admin,
		body: { kind: "enterprise", name: uniqueToken("No code ") },
	});
	expectProblem(missing, 422, "credit_code", "an enterprise needs a credit code");
});

test("an unknown region is 422 naming region_code; an unknown industry names industry_code", async () => {
	for (const region_code of ["999999", "320599", "12345"]) {
		const r = await api("POST", "/api/v1/organisations", {
			token: admin,
			body: { kind: "university", name: uniqueToken("Bad region "), region_code },
		});
		expectProblem(r, 422, "region_code", `region_code=${region_code}`);
	}
	for (const industry_code of ["Z", "C9999", "C1"]) {
		const r = await api("POST", "/api/v1/organisations", {
			token: admin,
			body: { kind: "university", name: uniqueToken("Bad industry "), industry_code },
		});
		expectProblem(r, 422, "industry_code", `industry_code=${industry_code}`);
	}
});

test("DELETE with a stale version is 409, with the right one 204, then GET 404", async () => {
	const o = await createOrg();
	const upd = await api("PATCH", `/api/v1/organisations/${o.id}`, {
		token: admin,
		body: { address: "somewhere", version: o.version },
	});
	expectStatus(upd, 200);
	expectProblem(await api("DELETE", `/api/v1/organisations/${o.id}?version=${o.version}`, { token: admin }), 409, "version");
	expectStatus(await api("GET", `/api/v1/organisations/${o.id}`), 200, "still there after a stale DELETE");
	const d = await api("DELETE", `/api/v1/organisations/${o.id}?version=${upd.json.version}`, { token: admin });
	expectStatus(d, 204, "DELETE");
	assert.equal(d.text, "", "204 has no body");
	expectProblem(await api("GET", `/api/v1/organisations/${o.id}`), 404, undefined, "GET after DELETE");
	expectProblem(
		await api("DELETE", `/api/v1/organisations/${o.id}?version=${upd.json.version}`, { token: admin }),
		404,
		undefined,
		"DELETE twice",
	);
	const r = await api("GET", `/api/v1/organisations?credit_code=${o.credit_code}`);
	assert.deepEqual(r.json.items, [], describe(r, "gone from the list"));
});

test("members: list, add, remove", async () => {
	const o = await createOrg();
	const u = await createUser({ prefix: "mem" });
	const v = await createUser({ prefix: "mem" });
	let l = await api("GET", `/api/v1/organisations/${o.id}/members`, { token: admin });
	expectStatus(l, 200, "members of a new organisation");
	assert.deepEqual(l.json.items, [], describe(l));

	const a = await api("POST", `/api/v1/organisations/${o.id}/members`, {
		token: admin,
		body: { user_id: u.id, role: "org_admin" },
	});
	expectStatus(a, 201, "add org_admin");
	assert.equal(a.json.user_id, u.id, describe(a));
	assert.equal(a.json.role, "org_admin", describe(a));
	assert.equal(a.json.username, u.username, describe(a));

	// The new org_admin may add a member and then sees both.
	const ut = await login(u.username, u.password);
	const b = await api("POST", `/api/v1/organisations/${o.id}/members`, {
		token: ut,
		body: { user_id: v.id, role: "org_member" },
	});
	expectStatus(b, 201, "org_admin adds a member");
	l = await api("GET", `/api/v1/organisations/${o.id}/members`, { token: ut });
	expectStatus(l, 200);
	assert.deepEqual(
		l.json.items.map((m) => [m.user_id, m.role]).sort(),
		[[u.id, "org_admin"], [v.id, "org_member"]].sort(),
		describe(l),
	);
	// The member's /me shows the grant.
	const vt = await login(v.username, v.password);
	const me = await api("GET", "/api/v1/me", { token: vt });
	assert.ok(me.json.roles.some((g) => g.role === "org_member" && g.org_id === o.id), describe(me, "/me roles"));

	const bad = await api("POST", `/api/v1/organisations/${o.id}/members`, {
		token: admin,
		body: { user_id: v.id, role: "admin" },
	});
	expectProblem(bad, 422, "role", "role must be org_admin or org_member");
	const nouser = await api("POST", `/api/v1/organisations/${o.id}/members`, {
		token: admin,
		body: { user_id: 999999999, role: "org_member" },
	});
	expectProblem(nouser, [404, 422], undefined, "unknown user");

	const rm = await api("DELETE", `/api/v1/organisations/${o.id}/members/${b.json.id}`, { token: ut });
	expectStatus(rm, 204, "remove member");
	l = await api("GET", `/api/v1/organisations/${o.id}/members`, { token: admin });
	assert.deepEqual(l.json.items.map((m) => m.user_id), [u.id], describe(l, "after remove"));
	expectProblem(
		await api("DELETE", `/api/v1/organisations/${o.id}/members/${b.json.id}`, { token: admin }),
		404,
		undefined,
		"remove twice",
	);
	// The removed member lost access to the member list.
	expectProblem(await api("GET", `/api/v1/organisations/${o.id}/members`, { token: vt }), [403, 404]);
	// A grant of another organisation cannot be removed through this one.
	const other = await createOrg();
	expectProblem(
		await api("DELETE", `/api/v1/organisations/${other.id}/members/${a.json.id}`, { token: admin }),
		404,
		undefined,
		"grant id of another organisation",
	);
});
