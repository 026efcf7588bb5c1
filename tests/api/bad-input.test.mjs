// Bad input against every route that takes input: always a 4xx problem+json
// (never 5xx), naming the field where there is one, and no stored data changes
// (checked through the audit log of a dedicated admin, and `audit verify`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { api, bin, createOrg, createUser, db, describe, expectProblem, login } from "./lib.mjs";

let me; // the dedicated admin of this file
let T;
let org; // a throwaway organisation
let victim; // a throwaway user
let auditBefore;

async function auditOf(username) {
	const r = await api("GET", `/api/v1/audit?actor=${username}&limit=500`, { token: T });
	assert.equal(r.status, 200, describe(r, "audit list"));
	return r.json.items;
}

before(async () => {
	me = await createUser({ prefix: "bad", roles: [{ role: "admin" }] });
	T = await login(me.username, me.password);
	org = await createOrg();
	victim = await createUser({ prefix: "badv" });
	auditBefore = await auditOf(me.username);
});

const BIG = "x".repeat(2 * 1024 * 1024);
const DEEP = `{"name":${"[".repeat(100)}${"]".repeat(100)}}`;
const LONG = "长".repeat(201);

/** Routes with a JSON body: path, a valid body's fields by kind. */
function bodyRoutes() {
	return [
		{ m: "POST", p: "/api/v1/sessions", str: "username", int: null },
		{ m: "POST", p: "/api/v1/tokens", str: "name" },
		{ m: "POST", p: "/api/v1/users", str: "username" },
		{ m: "PATCH", p: `/api/v1/users/${victim.id}`, str: "locale", patch: true },
		{ m: "POST", p: `/api/v1/users/${victim.id}/password`, str: "password" },
		{ m: "POST", p: `/api/v1/users/${victim.id}/roles`, str: "role", int: "org_id" },
		{ m: "POST", p: "/api/v1/regions", str: "name" },
		{ m: "PATCH", p: "/api/v1/regions/320000", str: "name", patch: true },
		{ m: "POST", p: "/api/v1/industries", str: "name" },
		{ m: "PATCH", p: "/api/v1/industries/C", str: "name", patch: true },
		{ m: "POST", p: "/api/v1/organisations", str: "name" },
		{ m: "PATCH", p: `/api/v1/organisations/${org.id}`, str: "name", patch: true },
		{ m: "POST", p: `/api/v1/organisations/${org.id}/members`, str: "role", int: "user_id" },
	];
}

async function send(m, p, body, headers) {
	return api(m, p, { token: T, body, headers });
}

function check(r, what, status, field) {
	assert.ok(r.status < 500, `${what}: never 5xx; ${describe(r)}`);
	expectProblem(r, status, field, what);
}

test("malformed, non-object, deep, huge, mistyped bodies on every body route", async () => {
	for (const rt of bodyRoutes()) {
		const w = `${rt.m} ${rt.p}`;
		check(await send(rt.m, rt.p, "{"), `${w} malformed JSON`, 400);
		check(await send(rt.m, rt.p, '{"name": "x",}'), `${w} trailing comma`, 400);
		check(await send(rt.m, rt.p, "[]"), `${w} JSON array`, 400);
		check(await send(rt.m, rt.p, '"text"'), `${w} JSON string`, 400);
		check(await send(rt.m, rt.p, "null"), `${w} JSON null`, 400);
		check(await send(rt.m, rt.p, ""), `${w} empty body`, [400, 422]);
		check(await send(rt.m, rt.p, DEEP), `${w} depth 100`, [400, 422]);
		check(await send(rt.m, rt.p, `{"name":"${BIG}"}`), `${w} 2 MiB body`, 413);
		check(await send(rt.m, rt.p, '{"name":"x"}', { "content-type": "text/plain" }), `${w} text/plain`, [400, 415]);
		check(await send(rt.m, rt.p, "name=x", { "content-type": "application/x-www-form-urlencoded" }), `${w} form`, [400, 415]);
		check(await send(rt.m, rt.p, '{"a":"\xff\\ud800"}'), `${w} lone surrogate`, [400, 422]);
		const v = rt.patch ? { version: 1 } : {};
		check(await send(rt.m, rt.p, { ...v, no_such_field: 1 }), `${w} unknown field`, 422, "no_such_field");
		check(await send(rt.m, rt.p, { ...v, [rt.str]: 12345 }), `${w} number for string ${rt.str}`, 422, rt.str);
		check(await send(rt.m, rt.p, { ...v, [rt.str]: { a: 1 } }), `${w} object for string ${rt.str}`, 422, rt.str);
		check(await send(rt.m, rt.p, { ...v, [rt.str]: ["a"] }), `${w} array for string ${rt.str}`, 422, rt.str);
		if (rt.int) {
			check(await send(rt.m, rt.p, { [rt.int]: "12" }), `${w} string for integer ${rt.int}`, 422, rt.int);
			check(await send(rt.m, rt.p, { [rt.int]: 1.5 }), `${w} fraction for integer ${rt.int}`, 422, rt.int);
			check(await send(rt.m, rt.p, { [rt.int]: 1e300 }), `${w} huge integer ${rt.int}`, 422, rt.int);
		}
		if (rt.patch) {
			check(await send(rt.m, rt.p, { [rt.str]: "x", version: "1" }), `${w} version as string`, [400, 422], "version");
			check(await send(rt.m, rt.p, { [rt.str]: "x", version: -1 }), `${w} negative version`, [400, 409, 422]);
			check(await send(rt.m, rt.p, { [rt.str]: null, version: 1 }), `${w} null for required ${rt.str}`, [409, 422]);
		} else if (rt.str !== "display_name") {
			check(await send(rt.m, rt.p, { [rt.str]: null }), `${w} null for required ${rt.str}`, 422, rt.str);
		}
	}
});

test("field values: too long, invalid codes and dates, bad choices", async () => {
	const O = "/api/v1/organisations";
	const base = { kind: "university", name: "bad input university" };
	const cases = [
		[O, { ...base, name: LONG }, "name"],
		[O, { ...base, name: "" }, "name"],
		[O, { ...base, kind: "cooperative" }, "kind"],
		[O, { ...base, size_class: "huge" }, "size_class"],
		[O, { ...base, region_code: "32000" }, "region_code"],
		[O, { ...base, region_code: "3200000" }, "region_code"],
		[O, { ...base, region_code: "32AB00" }, "region_code"],
		[O, { ...base, region_code: "000000" }, "region_code"],
		[O, { ...base, industry_code: "c" }, "industry_code"],
		[O, { ...base, industry_code: "U" }, "industry_code"],
		[O, { ...base, industry_code: "C348456" }, "industry_code"],
		[O, { ...base, registered_on: "2026-02-30" }, "registered_on"],
		[O, { ...base, registered_on: "21/11/2026" }, "registered_on"],
		[O, { ...base, registered_on: "2099-01-01" }, "registered_on"],
		[O, { ...base, website: "javascript:alert(1)" }, "website"],
		[O, { ...base, credit_code: "91320505MA1B2C3D4" }, "credit_code"],
		[O, { ...base, credit_code: "9132050" + "5".repeat(11) }, "credit_code"],
		["/api/v1/users", { username: "ab", password: "long-enough-1" }, "username"],
		["/api/v1/users", { username: "x".repeat(65), password: "long-enough-1" }, "username"],
		["/api/v1/users", { username: "okname1x", password: "p".repeat(129) }, "password"],
		["/api/v1/users", { username: "okname1x", password: "long-enough-1", locale: "de" }, "locale"],
		["/api/v1/users", { username: "okname1x", password: "long-enough-1", disabled: "yes" }, "disabled"],
		["/api/v1/regions", { code: "1", name: "x" }, "code"],
		["/api/v1/regions", { code: "ABCDEF", name: "x" }, "code"],
		["/api/v1/regions", { code: "320601", name: LONG }, "name"],
		["/api/v1/industries", { code: "C1", name: "x" }, "code"],
		["/api/v1/industries", { code: "Z12", name: "x" }, "code"],
		["/api/v1/tokens", { name: "x", expires_on: "2026-13-01" }, "expires_on"],
		["/api/v1/tokens", { name: "x".repeat(101) }, "name"],
		[`/api/v1/users/${victim.id}/roles`, { role: "operator", level: "province", region_code: "3200" }, "region_code"],
		[`/api/v1/organisations/${org.id}/members`, { user_id: 0, role: "org_member" }, "user_id"],
		[`/api/v1/organisations/${org.id}/members`, { user_id: victim.id, role: "owner" }, "role"],
	];
	for (const [p, body, field] of cases) {
		check(await send("POST", p, body), `POST ${p} ${JSON.stringify(body).slice(0, 120)}`, 422, field);
	}
	// Bad values in PATCH too.
	const P = `/api/v1/organisations/${org.id}`;
	check(await send("PATCH", P, { region_code: "999999", version: org.version }), "PATCH unknown region", 422, "region_code");
	check(await send("PATCH", P, { kind: null, version: org.version }), "PATCH kind null", 422, "kind");
	check(await send("PATCH", P, { credit_code: null, version: org.version }), "PATCH enterprise credit_code null", 422, "credit_code");
});

test("query parameters: unknown, limit, cursor, duplicated, bad values", async () => {
	const lists = ["/api/v1/organisations", "/api/v1/users", "/api/v1/regions", "/api/v1/industries", "/api/v1/audit"];
	for (const p of lists) {
		check(await send("GET", `${p}?nope=1`), `${p} unknown parameter`, 400, "nope");
		check(await send("GET", `${p}?limit=0`), `${p} limit=0`, 400, "limit");
		check(await send("GET", `${p}?limit=501`), `${p} limit=501`, 400, "limit");
		check(await send("GET", `${p}?limit=abc`), `${p} limit=abc`, 400, "limit");
		check(await send("GET", `${p}?limit=-1`), `${p} limit=-1`, 400, "limit");
		check(await send("GET", `${p}?limit=1e2`), `${p} limit=1e2`, 400, "limit");
		check(await send("GET", `${p}?limit=99999999999999999999`), `${p} huge limit`, 400, "limit");
		check(await send("GET", `${p}?cursor=garbage`), `${p} bad cursor`, 400, "cursor");
		check(await send("GET", `${p}?cursor=`), `${p} empty cursor`, 400, "cursor");
		check(await send("GET", `${p}?limit=1&limit=2`), `${p} duplicated limit`, 400, "limit");
		check(await send("GET", `${p}?count=maybe`), `${p} count=maybe`, 400, "count");
		check(await send("GET", `${p}?q=${"x".repeat(600)}`), `${p} 600-character parameter`, 400);
	}
	check(await send("GET", "/api/v1/organisations?kind=a&kind=b"), "duplicated kind", 400, "kind");
	check(await send("GET", "/api/v1/organisations?kind=cooperative"), "kind choice", [400, 422], "kind");
	check(await send("GET", "/api/v1/organisations?size_class=huge"), "size_class choice", [400, 422], "size_class");
	check(await send("GET", "/api/v1/organisations?region=3"), "region one digit", [400, 422], "region");
	check(await send("GET", "/api/v1/organisations?region=abcd"), "region letters", [400, 422], "region");
	check(await send("GET", "/api/v1/regions?level=planet"), "region level choice", [400, 422], "level");
	check(await send("GET", "/api/v1/industries?level=9"), "industry level choice", [400, 422], "level");
	check(await send("GET", "/api/v1/organisations?%ZZ=1"), "bad percent-encoding", 400);
	check(await send("GET", "/api/v1/me?x=1"), "parameter on a route without parameters", 400, "x");
	check(await send("DELETE", `/api/v1/organisations/${org.id}?version=abc`), "version=abc", 400, "version");
	check(await send("DELETE", `/api/v1/organisations/${org.id}?version=1&version=1`), "version twice", 400, "version");
	check(await send("DELETE", `/api/v1/organisations/${org.id}`), "DELETE without version", 400, "version");
	check(await send("POST", "/api/v1/tokens", { name: "x" }, { "idempotency-key": "k".repeat(200) }), "too long Idempotency-Key", 400, "Idempotency-Key");
});

test("a cursor of one list is rejected by another (the server says: not a cursor from this list)", async () => {
	const r = await send("GET", "/api/v1/regions?limit=1");
	assert.ok(r.json.next_cursor, describe(r));
	check(await send("GET", `/api/v1/users?cursor=${encodeURIComponent(r.json.next_cursor)}`), "regions cursor on users", 400, "cursor");
});

test("path ids: abc, 0, -1, 99999999999999999999, missing", async () => {
	const idRoutes = [
		["GET", "/api/v1/organisations/{id}"],
		["PATCH", "/api/v1/organisations/{id}", { name: "x", version: 1 }],
		["DELETE", "/api/v1/organisations/{id}?version=1"],
		["GET", "/api/v1/organisations/{id}/members"],
		["POST", "/api/v1/organisations/{id}/members", { user_id: 1, role: "org_member" }],
		["DELETE", `/api/v1/organisations/${org.id}/members/{id}`],
		["DELETE", "/api/v1/organisations/{id}/members/1"],
		["GET", "/api/v1/users/{id}"],
		["PATCH", "/api/v1/users/{id}", { display_name: "x", version: 1 }],
		["DELETE", "/api/v1/users/{id}?version=1"],
		["POST", "/api/v1/users/{id}/password", { password: "long-enough-9" }],
		["POST", "/api/v1/users/{id}/roles", { role: "broker" }],
		["DELETE", `/api/v1/users/${victim.id}/roles/{id}`],
		["DELETE", "/api/v1/tokens/{id}"],
		["GET", "/api/v1/regions/{id}"],
		["PATCH", "/api/v1/regions/{id}", { name: "x", version: 1 }],
		["DELETE", "/api/v1/regions/{id}?version=1"],
		["GET", "/api/v1/industries/{id}"],
		["PATCH", "/api/v1/industries/{id}", { name: "x", version: 1 }],
		["DELETE", "/api/v1/industries/{id}?version=1"],
	];
	for (const [m, p, body] of idRoutes) {
		for (const id of ["abc", "0", "-1", "99999999999999999999", "1.5", "%00", "999999999"]) {
			const path = p.replace("{id}", id);
			check(await send(m, path, body), `${m} ${path}`, [400, 404]);
		}
	}
});

test("unauthenticated bad input is 401 or 4xx, never 5xx", async () => {
	for (const rt of bodyRoutes()) {
		const r = await api(rt.m, rt.p, { body: "{" });
		assert.ok(r.status >= 400 && r.status < 500, describe(r, `${rt.m} ${rt.p} anonymous malformed`));
	}
	const r = await api("GET", "/api/v1/me", { headers: { authorization: "Bearer " + "x".repeat(5000) } });
	assert.ok(r.status >= 400 && r.status < 500, describe(r, "5000-character token"));
});

after(async () => {
	// Nothing above changed stored data: no audit record by this file's admin...
	const now = await auditOf(me.username);
	assert.deepEqual(
		now.map((e) => `${e.seq} ${e.action} ${e.entity} ${e.entity_id}`),
		auditBefore.map((e) => `${e.seq} ${e.action} ${e.entity} ${e.entity_id}`),
		"the bad-input battery wrote audit records (so it changed data)",
	);
	// ...the throwaway records are unchanged...
	const o = await api("GET", `/api/v1/organisations/${org.id}`);
	assert.deepEqual(o.json, org, describe(o, "the organisation is unchanged"));
	const u = await api("GET", `/api/v1/users/${victim.id}`, { token: T });
	assert.deepEqual(u.json, victim.user, describe(u, "the user is unchanged"));
	await login(victim.username, victim.password);
	// ...and the hash chain is intact.
	if (db) {
		const out = execFileSync(bin, ["--db", db, "audit", "verify"], { encoding: "utf8" });
		assert.match(out, /intact/, `audit verify: ${out}`);
	}
});
