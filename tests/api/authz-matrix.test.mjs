// The access policy, route by route: every route of `techbridge routes` is called
// anonymously and as each demo role with a harmless request, and the status must
// be the one the policy (src/core/authz.c) implies. A route missing from MATRIX
// fails the coverage test, so a new route forces an update here.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomInt } from "node:crypto";
import {
	api,
	adminToken,
	bin,
	createOrg,
	createUser,
	db,
	describe,
	login,
	demoPassword,
	tokenFor,
	uniqueToken,
} from "./lib.mjs";
import { MARKET_MATRIX } from "./market-matrix.mjs";

const CALLERS = ["anon", "admin", "operator", "ministry", "reviewer", "expert", "broker", "enterprise", "staff"];
const ROLES = CALLERS.filter((c) => c !== "anon");

let admin;
let target; // a throwaway user the callers act on
let org1; // demo organisation 1 (Jiangsu; enterprise is its org_admin, staff its member)

before(async () => {
	admin = await adminToken();
	target = await createUser({ prefix: "mx" });
	const r = await api("GET", "/api/v1/organisations/1");
	assert.equal(r.status, 200, describe(r, "demo organisation 1"));
	org1 = r.json;
	assert.equal(org1.region_code.slice(0, 2), "32", describe(r, "organisation 1 is in Jiangsu"));
});

/** Expectation helpers: a map caller -> status (or array of statuses). */
const all = (s) => Object.fromEntries(CALLERS.map((c) => [c, s]));
const users = (s, anon = 401) => ({ ...all(s), anon });
const only = (allowed, ok, deny = 403) => ({
	...users(deny),
	...Object.fromEntries(allowed.map((c) => [c, ok])),
});
const HIDDEN = [403, 404];
const NOPE = 987654321; // an id no record has // denied, or not shown to the caller (spec: 404 allowed)

async function tok(caller) {
	return caller === "anon" ? undefined : tokenFor(caller);
}

async function fresh(path) {
	const r = await api("GET", path, { token: admin });
	assert.equal(r.status, 200, describe(r, `admin GET ${path}`));
	return r.json;
}

function randomRegion() {
	// A prefecture of Jiangsu the product does not ship (shipping: provinces only).
	return `32${String(randomInt(60, 100))}00`;
}
function randomIndustry() {
	return `T${String(randomInt(10, 100))}`;
}
async function createRegion() {
	for (let i = 0; i < 20; i++) {
		const r = await api("POST", "/api/v1/regions", { token: admin, body: { code: randomRegion(), name: "矩阵测试市" } });
		if (r.status === 201) return r.json;
		assert.equal(r.status, 409, describe(r, "create region"));
	}
	assert.fail("no free region code");
}
async function createIndustry() {
	for (let i = 0; i < 20; i++) {
		const r = await api("POST", "/api/v1/industries", { token: admin, body: { code: randomIndustry(), name: "矩阵测试" } });
		if (r.status === 201) return r.json;
		assert.equal(r.status, 409, describe(r, "create industry"));
	}
	assert.fail("no free industry code");
}

/**
 * MATRIX["METHOD PATH"]: cases; each case {name, expect, run(caller, token)}.
 * run makes the request (creating throwaway targets as admin first where the call
 * would otherwise destroy shared data) and returns the response.
 */
const MATRIX = {
	"GET /healthz": [{ expect: all(200), run: (c, t) => api("GET", "/healthz", { token: t }) }],
	"GET /readyz": [{ expect: all(200), run: (c, t) => api("GET", "/readyz", { token: t }) }],
	"GET /metrics": [{ expect: all(200), run: (c, t) => api("GET", "/metrics", { token: t }) }],
	"GET /api/v1/openapi.json": [{ expect: all(200), run: (c, t) => api("GET", "/api/v1/openapi.json", { token: t }) }],
	"POST /api/v1/sessions": [
		{
			name: "sign in as the throwaway user",
			expect: all(201),
			run: (c, t) => api("POST", "/api/v1/sessions", { token: t, body: { username: target.username, password: target.password } }),
		},
	],
	"DELETE /api/v1/sessions/current": [
		{
			name: "sign out a fresh session",
			expect: users(204),
			run: async (c) => api("DELETE", "/api/v1/sessions/current", { token: c === "anon" ? undefined : await login(c, demoPassword) }),
		},
	],
	"GET /api/v1/me": [{ expect: users(200), run: (c, t) => api("GET", "/api/v1/me", { token: t }) }],
	// sign out everywhere and two-factor sign-in: each caller acts on its own account,
	// with a fresh session of a throwaway user (the demo users' shared sessions stay)
	"DELETE /api/v1/sessions": [
		{
			name: "sign out everywhere (a throwaway user's sessions)",
			expect: users(204),
			run: async (c) => {
				if (c === "anon") return api("DELETE", "/api/v1/sessions");
				const u = await createUser({ prefix: "mxso" });
				return api("DELETE", "/api/v1/sessions", { token: await login(u.username, u.password) });
			},
		},
	],
	"POST /api/v1/me/totp": [
		{
			name: "start enrolling (a throwaway user)",
			expect: users(201),
			run: async (c) => {
				if (c === "anon") return api("POST", "/api/v1/me/totp");
				const u = await createUser({ prefix: "mxtp" });
				return api("POST", "/api/v1/me/totp", { token: await login(u.username, u.password) });
			},
		},
	],
	"POST /api/v1/me/totp/confirm": [
		{
			name: "confirm without enrolling",
			expect: users(409),
			run: async (c) => {
				if (c === "anon") return api("POST", "/api/v1/me/totp/confirm", { body: { otp: "123456" } });
				const u = await createUser({ prefix: "mxtc" });
				return api("POST", "/api/v1/me/totp/confirm", { token: await login(u.username, u.password), body: { otp: "123456" } });
			},
		},
	],
	"POST /api/v1/me/totp/disable": [
		{
			name: "disable with a wrong code",
			expect: users(422),
			run: (c, t) => api("POST", "/api/v1/me/totp/disable", { token: t, body: { otp: "000000" } }),
		},
	],
	"DELETE /api/v1/users/{id}/totp": [
		{
			name: "turn off another user's two-factor sign-in",
			expect: only(["admin"], 204, HIDDEN),
			run: (c, t) => api("DELETE", `/api/v1/users/${target.id}/totp`, { token: t }),
		},
	],
	"GET /api/v1/tokens": [{ expect: users(200), run: (c, t) => api("GET", "/api/v1/tokens", { token: t }) }],
	"POST /api/v1/tokens": [
		{
			expect: users(201),
			run: async (c, t) => {
				const r = await api("POST", "/api/v1/tokens", { token: t, body: { name: "authz matrix" } });
				if (r.status === 201) await api("DELETE", `/api/v1/tokens/${r.json.id}`, { token: t });
				return r;
			},
		},
	],
	"DELETE /api/v1/tokens/{id}": [
		{
			name: "revoke one's own token",
			expect: users(204),
			run: async (c, t) => {
				const owner = t ?? admin;
				const k = await api("POST", "/api/v1/tokens", { token: owner, body: { name: "authz matrix" } });
				assert.equal(k.status, 201, describe(k));
				const r = await api("DELETE", `/api/v1/tokens/${k.json.id}`, { token: t });
				if (!t) await api("DELETE", `/api/v1/tokens/${k.json.id}`, { token: admin });
				return r;
			},
		},
		{
			name: "revoke the throwaway user's token",
			expect: { ...users(404) },
			run: async (c, t) => {
				const tt = await login(target.username, target.password);
				const k = await api("POST", "/api/v1/tokens", { token: tt, body: { name: "not yours" } });
				assert.equal(k.status, 201, describe(k));
				const r = await api("DELETE", `/api/v1/tokens/${k.json.id}`, { token: t });
				await api("DELETE", `/api/v1/tokens/${k.json.id}`, { token: tt });
				await api("DELETE", "/api/v1/sessions/current", { token: tt });
				return r;
			},
		},
	],
	"GET /api/v1/users": [{ expect: only(["admin"], 200), run: (c, t) => api("GET", "/api/v1/users?limit=5", { token: t }) }],
	"POST /api/v1/users": [
		{
			expect: only(["admin"], 201),
			run: (c, t) =>
				api("POST", "/api/v1/users", { token: t, body: { username: uniqueToken("mxnew"), password: "matrix-pass-1" } }),
		},
	],
	"GET /api/v1/users/{id}": [
		{ name: "another user", expect: only(["admin"], 200, HIDDEN), run: (c, t) => api("GET", `/api/v1/users/${target.id}`, { token: t }) },
		{
			name: "oneself",
			expect: users(200),
			run: async (c, t) => {
				if (!t) return api("GET", "/api/v1/users/1");
				const me = await api("GET", "/api/v1/me", { token: t });
				return api("GET", `/api/v1/users/${me.json.id}`, { token: t });
			},
		},
	],
	"PATCH /api/v1/users/{id}": [
		{
			name: "another user's display_name",
			expect: only(["admin"], 200, HIDDEN),
			run: async (c, t) => {
				const u = await fresh(`/api/v1/users/${target.id}`);
				return api("PATCH", `/api/v1/users/${target.id}`, { token: t, body: { display_name: `by ${c}`, version: u.version } });
			},
		},
		{
			name: "one's own display_name (unchanged value)",
			expect: users(200),
			run: async (c, t) => {
				const id = t ? (await api("GET", "/api/v1/me", { token: t })).json.id : target.id;
				const u = await fresh(`/api/v1/users/${id}`);
				return api("PATCH", `/api/v1/users/${id}`, { token: t, body: { display_name: u.display_name, version: u.version } });
			},
		},
	],
	"DELETE /api/v1/users/{id}": [
		{
			name: "a throwaway user",
			expect: only(["admin"], 204, HIDDEN),
			run: async (c, t) => {
				const u = await createUser({ prefix: "mxdel" });
				return api("DELETE", `/api/v1/users/${u.id}?version=${u.user.version}`, { token: t });
			},
		},
	],
	"POST /api/v1/users/{id}/password": [
		{
			name: "reset another user's password",
			expect: only(["admin"], 204, HIDDEN),
			run: (c, t) => api("POST", `/api/v1/users/${target.id}/password`, { token: t, body: { password: target.password } }),
		},
	],
	"POST /api/v1/users/{id}/roles": [
		{
			name: "grant broker",
			expect: only(["admin"], 201),
			run: async (c, t) => {
				const r = await api("POST", `/api/v1/users/${target.id}/roles`, { token: t, body: { role: "broker" } });
				if (r.status === 201) await api("DELETE", `/api/v1/users/${target.id}/roles/${r.json.id}`, { token: admin });
				return r;
			},
		},
	],
	"DELETE /api/v1/users/{id}/roles/{grant}": [
		{
			name: "revoke a grant",
			expect: only(["admin"], 204),
			run: async (c, t) => {
				const g = await api("POST", `/api/v1/users/${target.id}/roles`, { token: admin, body: { role: "expert" } });
				assert.equal(g.status, 201, describe(g));
				const r = await api("DELETE", `/api/v1/users/${target.id}/roles/${g.json.id}`, { token: t });
				if (r.status !== 204) await api("DELETE", `/api/v1/users/${target.id}/roles/${g.json.id}`, { token: admin });
				return r;
			},
		},
	],
	"GET /api/v1/regions": [{ expect: all(200), run: (c, t) => api("GET", "/api/v1/regions?limit=5", { token: t }) }],
	"GET /api/v1/regions/{code}": [{ expect: all(200), run: (c, t) => api("GET", "/api/v1/regions/320000", { token: t }) }],
	"POST /api/v1/regions": [
		{
			expect: only(["admin"], 201),
			run: async (c, t) => {
				for (let i = 0; i < 20; i++) {
					const r = await api("POST", "/api/v1/regions", { token: t, body: { code: randomRegion(), name: "矩阵" } });
					if (r.status !== 409) return r;
				}
				assert.fail("no free region code");
			},
		},
	],
	"PATCH /api/v1/regions/{code}": [
		{
			expect: only(["admin"], 200),
			run: async (c, t) => {
				const g = await createRegion();
				return api("PATCH", `/api/v1/regions/${g.code}`, { token: t, body: { name_en: "Matrix", version: g.version } });
			},
		},
	],
	"DELETE /api/v1/regions/{code}": [
		{
			expect: only(["admin"], 204),
			run: async (c, t) => {
				const g = await createRegion();
				return api("DELETE", `/api/v1/regions/${g.code}?version=${g.version}`, { token: t });
			},
		},
	],
	"GET /api/v1/industries": [{ expect: all(200), run: (c, t) => api("GET", "/api/v1/industries?limit=5", { token: t }) }],
	"GET /api/v1/industries/{code}": [{ expect: all(200), run: (c, t) => api("GET", "/api/v1/industries/C", { token: t }) }],
	"POST /api/v1/industries": [
		{
			expect: only(["admin"], 201),
			run: async (c, t) => {
				for (let i = 0; i < 20; i++) {
					const r = await api("POST", "/api/v1/industries", { token: t, body: { code: randomIndustry(), name: "矩阵" } });
					if (r.status !== 409) return r;
				}
				assert.fail("no free industry code");
			},
		},
	],
	"PATCH /api/v1/industries/{code}": [
		{
			expect: only(["admin"], 200),
			run: async (c, t) => {
				const g = await createIndustry();
				return api("PATCH", `/api/v1/industries/${g.code}`, { token: t, body: { name_en: "Matrix", version: g.version } });
			},
		},
	],
	"DELETE /api/v1/industries/{code}": [
		{
			expect: only(["admin"], 204),
			run: async (c, t) => {
				const g = await createIndustry();
				return api("DELETE", `/api/v1/industries/${g.code}?version=${g.version}`, { token: t });
			},
		},
	],
	"GET /api/v1/organisations": [{ expect: all(200), run: (c, t) => api("GET", "/api/v1/organisations?limit=5", { token: t }) }],
	"GET /api/v1/organisations/{id}": [{ expect: all(200), run: (c, t) => api("GET", "/api/v1/organisations/1", { token: t }) }],
	"POST /api/v1/organisations": [
		{
			name: "in Jiangsu (320000)",
			expect: only(["admin", "operator", "ministry"], 201),
			run: (c, t) =>
				api("POST", "/api/v1/organisations", {
					token: t,
					body: { kind: "university", name: uniqueToken("矩阵大学 "), region_code: "320000" },
				}),
		},
		{
			name: "in Beijing (110000)",
			expect: only(["admin", "ministry"], 201),
			run: (c, t) =>
				api("POST", "/api/v1/organisations", {
					token: t,
					body: { kind: "university", name: uniqueToken("矩阵大学 "), region_code: "110000" },
				}),
		},
		{
			name: "without a region",
			expect: only(["admin", "ministry"], 201),
			run: (c, t) =>
				api("POST", "/api/v1/organisations", { token: t, body: { kind: "university", name: uniqueToken("矩阵大学 ") } }),
		},
	],
	"PATCH /api/v1/organisations/{id}": [
		{
			name: "organisation 1 (Jiangsu; enterprise's own)",
			expect: only(["admin", "operator", "ministry", "enterprise"], 200),
			run: async (c, t) => {
				const o = await fresh("/api/v1/organisations/1");
				return api("PATCH", "/api/v1/organisations/1", { token: t, body: { website: o.website, version: o.version } });
			},
		},
		{
			// registry fields (credit code, kind, region) are for operators and administrators:
			// organisation 1's own administrator is refused before anything is checked; the
			// others reach the region check (no such region: nothing is written)
			name: "organisation 1 moved to another region (a registry field)",
			expect: { ...only(["admin", "operator", "ministry"], 422), enterprise: 403 },
			run: async (c, t) => {
				const o = await fresh("/api/v1/organisations/1");
				return api("PATCH", "/api/v1/organisations/1", { token: t, body: { region_code: "329999", version: o.version } });
			},
		},
		{
			name: "a Beijing organisation",
			expect: only(["admin", "ministry"], 200),
			run: async (c, t) => {
				const o = await createOrg({ region_code: "110000" });
				return api("PATCH", `/api/v1/organisations/${o.id}`, { token: t, body: { address: "北京", version: o.version } });
			},
		},
		{
			name: "a Jiangsu organisation other than 1",
			expect: only(["admin", "operator", "ministry"], 200),
			run: async (c, t) => {
				const o = await createOrg({ region_code: "320000" });
				return api("PATCH", `/api/v1/organisations/${o.id}`, { token: t, body: { address: "江苏", version: o.version } });
			},
		},
	],
	"DELETE /api/v1/organisations/{id}": [
		{
			name: "a Jiangsu throwaway",
			expect: only(["admin", "operator", "ministry"], 204),
			run: async (c, t) => {
				const o = await createOrg({ region_code: "320000" });
				return api("DELETE", `/api/v1/organisations/${o.id}?version=${o.version}`, { token: t });
			},
		},
		{
			name: "a Beijing throwaway",
			expect: only(["admin", "ministry"], 204),
			run: async (c, t) => {
				const o = await createOrg({ region_code: "110000" });
				return api("DELETE", `/api/v1/organisations/${o.id}?version=${o.version}`, { token: t });
			},
		},
		{
			name: "organisation 1 with a stale version (never deleted)",
			expect: only(["admin", "operator", "ministry"], 409),
			run: (c, t) => api("DELETE", "/api/v1/organisations/1?version=999999", { token: t }),
		},
	],
	"GET /api/v1/organisations/{id}/members": [
		{
			name: "organisation 1",
			expect: only(["admin", "operator", "ministry", "enterprise", "staff"], 200, HIDDEN),
			run: (c, t) => api("GET", "/api/v1/organisations/1/members", { token: t }),
		},
		{
			name: "a Beijing organisation",
			expect: only(["admin", "ministry"], 200, HIDDEN),
			run: async (c, t) => {
				const o = await createOrg({ region_code: "110000" });
				return api("GET", `/api/v1/organisations/${o.id}/members`, { token: t });
			},
		},
	],
	"POST /api/v1/organisations/{id}/members": [
		{
			name: "add a throwaway user to organisation 1",
			expect: only(["admin", "enterprise"], 201, HIDDEN),
			run: async (c, t) => {
				const u = await createUser({ prefix: "mxm" });
				const r = await api("POST", "/api/v1/organisations/1/members", { token: t, body: { user_id: u.id, role: "org_member" } });
				if (r.status === 201) await api("DELETE", `/api/v1/organisations/1/members/${r.json.id}`, { token: admin });
				return r;
			},
		},
	],
	"DELETE /api/v1/organisations/{id}/members/{grant}": [
		{
			name: "remove a throwaway member of organisation 1",
			expect: only(["admin", "enterprise"], 204, HIDDEN),
			run: async (c, t) => {
				const u = await createUser({ prefix: "mxm" });
				const a = await api("POST", "/api/v1/organisations/1/members", { token: admin, body: { user_id: u.id, role: "org_member" } });
				assert.equal(a.status, 201, describe(a));
				const r = await api("DELETE", `/api/v1/organisations/1/members/${a.json.id}`, { token: t });
				if (r.status !== 204) await api("DELETE", `/api/v1/organisations/1/members/${a.json.id}`, { token: admin });
				return r;
			},
		},
	],
	"GET /api/v1/audit": [{ expect: only(["admin"], 200), run: (c, t) => api("GET", "/api/v1/audit?limit=1", { token: t }) }],

	// gradient cultivation; NOPE is an id no record has
	"GET /api/v1/organisations/{id}/facts": [
		{ expect: only(["admin", "operator", "ministry", "reviewer", "enterprise", "staff"], 200), run: (c, t) => api("GET", "/api/v1/organisations/1/facts", { token: t }) },
	],
	"PUT /api/v1/organisations/{id}/facts": [
		{
			name: "a stale version (never written)",
			expect: only(["admin", "operator", "ministry", "enterprise"], 409),
			run: (c, t) => api("PUT", "/api/v1/organisations/1/facts", { token: t, body: { version: 999999 } }),
		},
	],
	"POST /api/v1/organisations/{id}/evaluations": [
		{ expect: only(["admin", "operator", "ministry", "enterprise"], 201), run: (c, t) => api("POST", "/api/v1/organisations/1/evaluations", { token: t, body: { tiers: "innovative_sme" } }) },
	],
	"GET /api/v1/organisations/{id}/evaluations": [
		{ expect: only(["admin", "operator", "ministry", "reviewer", "enterprise", "staff"], 200), run: (c, t) => api("GET", "/api/v1/organisations/1/evaluations?limit=1", { token: t }) },
	],
	"GET /api/v1/applications": [
		{ expect: only(["admin", "operator", "ministry", "reviewer", "enterprise", "staff"], 200), run: (c, t) => api("GET", "/api/v1/applications?org_id=1", { token: t }) },
	],
	"POST /api/v1/applications": [
		{
			name: "for a Beijing organisation nobody here administers",
			expect: only([], 201),
			run: async (c, t) => {
				const o = await createOrg({ region_code: "110000" });
				return api("POST", "/api/v1/applications", { token: t, body: { org_id: o.id, tier: "innovative_sme" } });
			},
		},
	],
	"GET /api/v1/applications/{id}": [{ expect: users(404), run: (c, t) => api("GET", `/api/v1/applications/${NOPE}`, { token: t }) }],
	"PATCH /api/v1/applications/{id}": [{ expect: users(404), run: (c, t) => api("PATCH", `/api/v1/applications/${NOPE}`, { token: t, body: { version: 1, statement: "x" } }) }],
	"POST /api/v1/applications/{id}/submit": [{ expect: users(404), run: (c, t) => api("POST", `/api/v1/applications/${NOPE}/submit`, { token: t, body: { version: 1 } }) }],
	"POST /api/v1/applications/{id}/approve": [{ expect: users(404), run: (c, t) => api("POST", `/api/v1/applications/${NOPE}/approve`, { token: t, body: { version: 1, reason: "x" } }) }],
	"POST /api/v1/applications/{id}/return": [{ expect: users(404), run: (c, t) => api("POST", `/api/v1/applications/${NOPE}/return`, { token: t, body: { version: 1, reason: "x" } }) }],
	"POST /api/v1/applications/{id}/reject": [{ expect: users(404), run: (c, t) => api("POST", `/api/v1/applications/${NOPE}/reject`, { token: t, body: { version: 1, reason: "x" } }) }],
	"POST /api/v1/applications/{id}/withdraw": [{ expect: users(404), run: (c, t) => api("POST", `/api/v1/applications/${NOPE}/withdraw`, { token: t, body: { version: 1 } }) }],
	"GET /api/v1/applications/{id}/events": [{ expect: users(404), run: (c, t) => api("GET", `/api/v1/applications/${NOPE}/events`, { token: t }) }],
	"POST /api/v1/applications/{id}/attachments": [{ expect: users(404), run: (c, t) => api("POST", `/api/v1/applications/${NOPE}/attachments`, { token: t, body: { name: "a.txt", content_type: "text/plain", data: "YQ==" } }) }],
	"GET /api/v1/applications/{id}/attachments": [{ expect: users(404), run: (c, t) => api("GET", `/api/v1/applications/${NOPE}/attachments`, { token: t }) }],
	"GET /api/v1/applications/{id}/attachments/{att}": [{ expect: users(404), run: (c, t) => api("GET", `/api/v1/applications/${NOPE}/attachments/1`, { token: t }) }],
	"GET /api/v1/applications/{id}/objections": [{ expect: users(404), run: (c, t) => api("GET", `/api/v1/applications/${NOPE}/objections`, { token: t }) }],
	"GET /api/v1/reviews": [{ expect: users(200), run: (c, t) => api("GET", "/api/v1/reviews?limit=1", { token: t }) }],
	"GET /api/v1/notices": [{ expect: all(200), run: (c, t) => api("GET", "/api/v1/notices?limit=1", { token: t }) }],
	"POST /api/v1/notices/{id}/objections": [{ expect: all(404), run: (c, t) => api("POST", `/api/v1/notices/${NOPE}/objections`, { token: t, body: { contact: "someone 123", text: "an objection text" } }) }],
	"POST /api/v1/objections/{id}/resolve": [{ expect: users(404), run: (c, t) => api("POST", `/api/v1/objections/${NOPE}/resolve`, { token: t, body: { decision: "dismiss", reason: "x" } }) }],
	"POST /api/v1/batches": [
		{
			name: "Beijing, province level, nothing to grant",
			expect: only(["admin"], 409),
			run: (c, t) => api("POST", "/api/v1/batches", { token: t, body: { tier: "innovative_sme", level: "province", region_code: "110000" } }),
		},
	],
	"GET /api/v1/titles": [{ expect: all(200), run: (c, t) => api("GET", "/api/v1/titles?limit=1", { token: t }) }],
	"POST /api/v1/titles/{id}/revoke": [{ expect: users(404), run: (c, t) => api("POST", `/api/v1/titles/${NOPE}/revoke`, { token: t, body: { version: 1, reason: "x" } }) }],
	"GET /api/v1/notifications": [{ expect: users(200), run: (c, t) => api("GET", "/api/v1/notifications?limit=1", { token: t }) }],
	"GET /api/v1/stats/gradient": [{ expect: all(200), run: (c, t) => api("GET", "/api/v1/stats/gradient", { token: t }) }],
	...MARKET_MATRIX, // technology market
};

function serverRoutes() {
	const out = execFileSync(bin, ["--db", db || ":memory:", "routes"], { encoding: "utf8" });
	return out
		.split("\n")
		.map((l) => l.trim().replace(/\s+/g, " "))
		.filter(Boolean);
}

test("every route of `techbridge routes` has expectations here (and no stale ones)", () => {
	const routes = serverRoutes();
	assert.ok(routes.length > 10, `routes output: ${routes.join("; ")}`);
	const missing = routes.filter((r) => !(r in MATRIX));
	const stale = Object.keys(MATRIX).filter((k) => !routes.includes(k));
	assert.deepEqual(missing, [], `routes without an authz expectation in authz-matrix.test.mjs: ${missing.join(", ")}`);
	assert.deepEqual(stale, [], `expectations for routes the server no longer has: ${stale.join(", ")}`);
});

for (const [route, cases] of Object.entries(MATRIX)) {
	test(`authz: ${route}`, async () => {
		const failures = [];
		for (const cs of cases) {
			for (const caller of CALLERS) {
				const want = cs.expect[caller];
				const r = await cs.run(caller, await tok(caller));
				const ok = Array.isArray(want) ? want.includes(r.status) : r.status === want;
				if (!ok) {
					failures.push(`${caller}${cs.name ? ` [${cs.name}]` : ""}: expected ${want}, got ${r.status} ${r.text.slice(0, 200)}`);
				} else if (r.status >= 400) {
					const ct = r.headers.get("content-type") || "";
					if (!ct.startsWith("application/problem+json") || !r.json || r.json.status !== r.status) {
						failures.push(`${caller}${cs.name ? ` [${cs.name}]` : ""}: ${r.status} is not a problem+json: ${ct} ${r.text.slice(0, 200)}`);
					}
				}
			}
		}
		assert.deepEqual(failures, [], `${route}:\n  ${failures.join("\n  ")}`);
	});
}

test("a revoked or unknown bearer token is 401 even on a public route's unsafe method", async () => {
	const r = await api("POST", "/api/v1/organisations", {
		token: "tb_invalid",
		body: { kind: "university", name: uniqueToken("x ") },
	});
	assert.equal(r.status, 401, describe(r));
	for (const role of ROLES) assert.ok(await tokenFor(role));
});
