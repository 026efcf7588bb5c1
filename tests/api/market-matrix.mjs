// The technology market's rows of the authz matrix (authz-matrix.test.mjs):
// one harmless request per route and caller; statuses follow src/core/authz.c.
import assert from "node:assert/strict";
import { api, adminToken, createUser, describe, tokenFor, uniqueToken } from "./lib.mjs";

const CALLERS = ["anon", "admin", "operator", "ministry", "reviewer", "expert", "broker", "enterprise", "staff"];
const all = (s) => Object.fromEntries(CALLERS.map((c) => [c, s]));
const users = (s, anon = 401) => ({ ...all(s), anon });
const only = (allowed, ok, deny = 403, anon = 401) => ({
	...users(deny, anon),
	...Object.fromEntries(allowed.map((c) => [c, ok])),
});
const OWNERS = ["admin", "enterprise", "staff"];
const SEERS = ["admin", "operator", "ministry", "enterprise", "staff"];

const path = (k) => (k === "listing" ? "listings" : "demands");

/** A listing or demand of demo organisation 1 (Jiangsu), moved to `status` by the admin. */
export async function marketItem(k, status = "draft", { org = 1, title } = {}) {
	const admin = await adminToken();
	const ent = await tokenFor("enterprise");
	const body = {
		ref: uniqueToken(k[0]),
		title: title || (k === "listing" ? "高效光伏组件封装技术" : "光伏组件封装工艺改进需求"),
		description: "封装 光伏 组件 EVA 胶膜",
		field: "new_energy",
	};
	if (org) body.org_id = org;
	const r = await api("POST", `/api/v1/${path(k)}`, { token: org === 1 ? ent : admin, body });
	assert.equal(r.status, 201, describe(r, `create ${k}`));
	let it = r.json;
	const steps = { draft: [], under_review: ["submit"], published: ["submit", "approve"], withdrawn: ["withdraw"] }[status];
	for (const event of steps) {
		const s = await api("POST", `/api/v1/${path(k)}/${it.id}/transitions`, { token: admin, body: { event, version: it.version } });
		assert.equal(s.status, 200, describe(s, `${event} ${k}`));
		it = s.json;
	}
	return it;
}

export async function demoBroker() {
	const admin = await adminToken();
	const r = await api("GET", "/api/v1/brokers", { token: admin });
	assert.equal(r.status, 200, describe(r));
	const b = r.json.items.find((x) => x.username === "broker");
	assert.ok(b, "the demo registers user broker as a broker");
	return b;
}

/** An open interest addressed to demo organisation 1 (to its demand, from an unowned listing). */
export async function interestTo1() {
	const admin = await adminToken();
	const d = await marketItem("demand", "published");
	const l = await marketItem("listing", "published", { org: 0 });
	const r = await api("POST", "/api/v1/interests", {
		token: admin,
		body: { listing_id: l.id, demand_id: d.id, direction: "to_demand", message: "我们的技术可以满足贵方需求" },
	});
	assert.equal(r.status, 201, describe(r, "interest"));
	return r.json;
}

function kindRows(k) {
	const p = `/api/v1/${path(k)}`;
	return {
		[`GET ${p}`]: [{ expect: all(200), run: (c, t) => api("GET", `${p}?limit=1`, { token: t }) }],
		[`POST ${p}`]: [
			{
				expect: only(OWNERS, 201),
				run: (c, t) =>
					api("POST", p, { token: t, body: { ref: uniqueToken("mx"), title: "矩阵测试", org_id: 1 } }),
			},
		],
		[`GET ${p}/search`]: [{ expect: all(200), run: (c, t) => api("GET", `${p}/search?q=${encodeURIComponent("光伏")}`, { token: t }) }],
		[`GET ${p}/{id}`]: [
			{
				name: "a draft of organisation 1",
				expect: only(SEERS, 200, 404, 404),
				run: async (c, t) => api("GET", `${p}/${(await marketItem(k)).id}`, { token: t }),
			},
		],
		[`PATCH ${p}/{id}`]: [
			{
				name: "a draft of organisation 1",
				expect: { ...only(OWNERS, 200, 404), operator: 403, ministry: 403 },
				run: async (c, t) => {
					const it = await marketItem(k);
					return api("PATCH", `${p}/${it.id}`, { token: t, body: { version: it.version, title: "改过的标题" } });
				},
			},
		],
		[`POST ${p}/{id}/transitions`]: [
			{
				name: "submit a draft of organisation 1",
				expect: { ...only(OWNERS, 200, 404), operator: 403, ministry: 403 },
				run: async (c, t) => {
					const it = await marketItem(k);
					return api("POST", `${p}/${it.id}/transitions`, { token: t, body: { event: "submit", version: it.version } });
				},
			},
			{
				name: "approve one under review (region Jiangsu)",
				expect: { ...only(["admin", "operator", "ministry"], 200, 404), enterprise: 403, staff: 403 },
				run: async (c, t) => {
					const it = await marketItem(k, "under_review");
					return api("POST", `${p}/${it.id}/transitions`, { token: t, body: { event: "approve", version: it.version } });
				},
			},
		],
		[`GET ${p}/{id}/matches`]: [{ expect: all(200), run: async (c, t) => api("GET", `${p}/${(await marketItem(k, "published")).id}/matches`, { token: t }) }],
		[`GET ${p}/{id}/similar`]: [{ expect: all(200), run: async (c, t) => api("GET", `${p}/${(await marketItem(k, "published")).id}/similar?k=3`, { token: t }) }],
		[`GET ${p}/{id}/brokers`]: [{ expect: all(200), run: async (c, t) => api("GET", `${p}/${(await marketItem(k, "published")).id}/brokers`, { token: t }) }],
		[`POST ${p}/{id}/brokers`]: [
			{
				expect: only(["admin", "operator", "ministry"], 204),
				run: async (c, t) => {
					const b = await demoBroker();
					const it = await marketItem(k, "published");
					return api("POST", `${p}/${it.id}/brokers`, { token: t, body: { broker_id: b.id } });
				},
			},
		],
		[`DELETE ${p}/{id}/brokers/{broker}`]: [
			{
				expect: only(["admin", "operator", "ministry"], 204),
				run: async (c, t) => {
					const b = await demoBroker();
					const it = await marketItem(k, "published");
					const a = await api("POST", `${p}/${it.id}/brokers`, { token: await adminToken(), body: { broker_id: b.id } });
					assert.equal(a.status, 204, describe(a));
					return api("DELETE", `${p}/${it.id}/brokers/${b.id}`, { token: t });
				},
			},
		],
	};
}

export const MARKET_MATRIX = {
	...kindRows("listing"),
	"GET /api/v1/listings/{id}/stats": [
		{ expect: only(SEERS, 200), run: async (c, t) => api("GET", `/api/v1/listings/${(await marketItem("listing", "published")).id}/stats`, { token: t }) },
	],
	...kindRows("demand"),
	"GET /api/v1/brokers": [{ expect: users(200), run: (c, t) => api("GET", "/api/v1/brokers", { token: t }) }],
	"POST /api/v1/brokers": [
		{
			expect: only(["admin"], 201),
			run: async (c, t) => {
				const u = await createUser({ prefix: "mxb", roles: [{ role: "broker" }] });
				return api("POST", "/api/v1/brokers", { token: t, body: { user_id: u.id, grade: "junior" } });
			},
		},
	],
	"GET /api/v1/brokers/{id}": [{ expect: users(200), run: async (c, t) => api("GET", `/api/v1/brokers/${(await demoBroker()).id}`, { token: t }) }],
	"PATCH /api/v1/brokers/{id}": [
		{
			expect: only(["admin"], 200),
			run: async (c, t) => {
				const b = await demoBroker();
				return api("PATCH", `/api/v1/brokers/${b.id}`, { token: t, body: { version: b.version, grade: b.grade } });
			},
		},
	],
	"GET /api/v1/interests": [{ expect: users(200), run: (c, t) => api("GET", "/api/v1/interests?limit=2", { token: t }) }],
	"POST /api/v1/interests": [
		{
			name: "from organisation 1's demand to an unowned listing",
			expect: only(OWNERS, 201),
			run: async (c, t) => {
				const d = await marketItem("demand", "published");
				const l = await marketItem("listing", "published", { org: 0 });
				return api("POST", "/api/v1/interests", { token: t, body: { listing_id: l.id, demand_id: d.id, direction: "to_listing" } });
			},
		},
	],
	"GET /api/v1/interests/{id}": [{ expect: only(OWNERS, 200, 404), run: async (c, t) => api("GET", `/api/v1/interests/${(await interestTo1()).id}`, { token: t }) }],
	"POST /api/v1/interests/{id}/accept": [
		{
			expect: only(OWNERS, 200, 404),
			run: async (c, t) => {
				const i = await interestTo1();
				return api("POST", `/api/v1/interests/${i.id}/accept`, { token: t, body: { version: i.version } });
			},
		},
	],
	"POST /api/v1/interests/{id}/decline": [
		{
			expect: only(OWNERS, 200, 404),
			run: async (c, t) => {
				const i = await interestTo1();
				return api("POST", `/api/v1/interests/${i.id}/decline`, { token: t, body: { version: i.version, reason: "price" } });
			},
		},
	],
	"GET /api/v1/interests/{id}/messages": [{ expect: only(OWNERS, 200, 404), run: async (c, t) => api("GET", `/api/v1/interests/${(await interestTo1()).id}/messages`, { token: t }) }],
	"POST /api/v1/interests/{id}/messages": [
		{ expect: only(OWNERS, 201, 404), run: async (c, t) => api("POST", `/api/v1/interests/${(await interestTo1()).id}/messages`, { token: t, body: { body: "您好" } }) },
	],
};
