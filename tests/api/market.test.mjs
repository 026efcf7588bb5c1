// The technology market's API beyond the authorization matrix: bad input on
// every endpoint (a 4xx problem naming the field, and nothing written), stale
// versions, Idempotency-Key replays, the whole workflow table, who sees
// unpublished items, interests in both directions and the decline statistics.
// Every test works on organisations and users of its own, so that the other
// test files (running at the same time) cannot change what it counts.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import {
	api, adminToken, createOrg, createUser, describe, expectProblem, expectStatus, login, tokenFor, uniqueToken,
} from "./lib.mjs";

const P = { listing: "/api/v1/listings", demand: "/api/v1/demands" };
let admin;
let ent; // {org, user, token}: an enterprise in Jiangsu (320000)
let uni; // {org, user, token}: a university in Jiangsu
let far; // {org, user, token}: an enterprise in Guangdong (440000)
let brokerId;

/** A new organisation with an org_admin user signed in. */
async function party(kind, region) {
	const org = await createOrg({ kind, region_code: region });
	const user = await createUser({ prefix: "mk", roles: [{ role: "org_admin", org_id: org.id }] });
	return { org, user, token: await login(user.username, user.password) };
}

/** A listing or demand of `who`, moved to `status` (moderated by the admin). */
async function item(k, who, status = "draft", extra = {}) {
	const body = {
		ref: uniqueToken(k[0]),
		title: k === "listing" ? "高效储能变流器技术" : "寻求储能变流器解决方案",
		description: "储能 变流器 效率 提升",
		field: "new_energy",
		modes: "licence",
		...extra,
	};
	const r = await api("POST", P[k], { token: who.token, body });
	expectStatus(r, 201, `create ${k}`);
	let it = r.json;
	const steps = { draft: [], under_review: ["submit"], published: ["submit", "approve"], withdrawn: ["withdraw"] }[status];
	for (const event of steps) {
		const s = await api("POST", `${P[k]}/${it.id}/transitions`, {
			token: event === "approve" ? admin : who.token,
			body: { event, version: it.version },
		});
		expectStatus(s, 200, `${event} ${k}`);
		it = s.json;
	}
	return it;
}

async function get(k, id, token = admin) {
	const r = await api("GET", `${P[k]}/${id}`, { token });
	expectStatus(r, 200, `get ${k} ${id}`);
	return r.json;
}

async function count(k, who) {
	const r = await api("GET", `${P[k]}?owner=${who.org.id}&count=true&limit=1`, { token: admin });
	expectStatus(r, 200);
	return r.json.total;
}

before(async () => {
	admin = await adminToken();
	ent = await party("enterprise", "320000");
	uni = await party("university", "320000");
	far = await party("enterprise", "440000");
	const b = await api("GET", "/api/v1/brokers", { token: admin });
	expectStatus(b, 200);
	brokerId = b.json.items.find((x) => x.username === "broker").id;
});

test("bad input on listing and demand endpoints is a problem naming the field; nothing is written", async () => {
	const l = await item("listing", uni);
	const d = await item("demand", ent);
	const before = { l: await count("listing", uni), d: await count("demand", ent) };
	const bad = [
		// lists and search: query parameters
		["GET", `${P.listing}?trl=10`, null, 400, "trl"],
		["GET", `${P.listing}?field=bogus`, null, 400, "field"],
		["GET", `${P.demand}?status=open`, null, 400, "status"],
		["GET", `${P.demand}?mode=barter`, null, 400, "mode"],
		["GET", `${P.listing}?region=3a`, null, 422, "region"],
		["GET", `${P.listing}?industry=Z99`, null, 422, "industry"],
		["GET", `${P.listing}?owner=x`, null, 400, "owner"],
		["GET", `${P.listing}?assigned=yes`, null, 400, "assigned"],
		["GET", `${P.listing}?colour=red`, null, 400, "colour"],
		["GET", `${P.listing}/search`, null, 400, "q"],
		["GET", `${P.demand}/search?q=${"储".repeat(201)}`, null, 400, "q"],
		["GET", `${P.demand}/search?q=x&trl=0`, null, 400, "trl"],
		["GET", `${P.listing}/${l.id}/matches?k=0`, null, 400, "k"],
		["GET", `${P.demand}/${d.id}/similar?k=101`, null, 400, "k"],
		["GET", `${P.listing}/abc`, null, 404, "id"],
		// create
		["POST", P.listing, { title: "无编号" }, 422, "ref"],
		["POST", P.listing, { ref: uniqueToken("b") }, 422, "title"],
		["POST", P.listing, { ref: uniqueToken("b"), title: "t", trl: 10 }, 422, "trl"],
		["POST", P.listing, { ref: uniqueToken("b"), title: "t", trl: "5" }, 422, "trl"],
		["POST", P.listing, { ref: uniqueToken("b"), title: "t", field: "alchemy" }, 422, "field"],
		["POST", P.listing, { ref: uniqueToken("b"), title: "t", modes: "licence,barter" }, 422, "modes"],
		["POST", P.listing, { ref: uniqueToken("b"), title: "t", region_code: "999999" }, 422, "region_code"],
		["POST", P.listing, { ref: uniqueToken("b"), title: "t", industry_code: "Q9" }, 422, "industry_code"],
		["POST", P.listing, { ref: uniqueToken("b"), title: "t", industry_code: "T9999" }, 422, "industry_code"],
		["POST", P.listing, { ref: uniqueToken("b"), title: "t", org_id: 999999999 }, 422, "org_id"],
		["POST", P.listing, { ref: uniqueToken("b"), title: "t", asking_fen: -1 }, 422, "asking_fen"],
		["POST", P.listing, { ref: uniqueToken("b"), title: "t", ip: '[{"number":"ZL202310123456.7","type":"invention"}]' }, 422, "ip"],
		["POST", P.listing, { ref: uniqueToken("b"), title: "t", ip: '[{"number":"x","type":"poem"}]' }, 422, "ip"],
		["POST", P.listing, { ref: uniqueToken("b"), title: "t", status: "published" }, 422, "status"],
		["POST", P.listing, { ref: uniqueToken("b"), title: "t", colour: "red" }, 422, "colour"],
		["POST", P.listing, { ref: l.ref, title: "同一编号" }, 409, "ref"],
		["POST", P.demand, { ref: uniqueToken("b"), title: "t", trl_min: 7, trl_max: 3 }, 422, "trl_max"],
		["POST", P.demand, { ref: uniqueToken("b"), title: "t", budget_min_fen: 500, budget_max_fen: 100 }, 422, "budget_max_fen"],
		["POST", P.demand, { ref: uniqueToken("b"), title: "t", deadline: "2026-02-30" }, 422, "deadline"],
		["POST", P.demand, { ref: uniqueToken("b"), title: "t", type: "wish" }, 422, "type"],
		// change
		["PATCH", `${P.listing}/${l.id}`, { title: "无版本" }, 422, "version"],
		["PATCH", `${P.listing}/${l.id}`, { version: l.version, trl: 0 }, 422, "trl"],
		["PATCH", `${P.listing}/${l.id}`, { version: l.version, status: "published" }, 422, "status"],
		["PATCH", `${P.demand}/${d.id}`, { version: d.version, trl_min: 9, trl_max: 1 }, 422, "trl_max"],
		["PATCH", `${P.demand}/${d.id}`, { version: d.version, ref: "changed" }, 422, "ref"],
		["PATCH", `${P.demand}/${d.id}`, { version: d.version, region_code: "999999" }, 422, "region_code"],
		["POST", `${P.listing}/${l.id}/transitions`, { event: "publish", version: l.version }, 422, "event"],
		["POST", `${P.listing}/${l.id}/transitions`, { event: "expire", version: l.version }, 422, "event"],
		["POST", `${P.listing}/${l.id}/transitions`, { event: "submit" }, 422, "version"],
		["POST", `${P.demand}/${d.id}/transitions`, { version: d.version }, 422, "event"],
		["POST", `${P.demand}/${d.id}/brokers`, {}, 422, "broker_id"],
		["POST", `${P.demand}/${d.id}/brokers`, { broker_id: 999999 }, 404, "id"],
		["DELETE", `${P.demand}/${d.id}/brokers/${brokerId}`, undefined, 404, "broker_id"],
		["GET", `${P.listing}/999999999/stats`, null, 404, "id"],
	];
	for (const [method, path, body, status, field] of bad) {
		const token = method === "GET" ? undefined : method === "POST" && path === P.demand ? ent.token : admin;
		const r = await api(method, path, { token: token ?? admin, body: body ?? undefined });
		expectProblem(r, status, field, `${method} ${path} ${JSON.stringify(body)}`);
	}
	// nothing changed
	assert.equal(await count("listing", uni), before.l);
	assert.equal(await count("demand", ent), before.d);
	const l2 = await get("listing", l.id);
	const d2 = await get("demand", d.id);
	assert.deepEqual(l2, l);
	assert.deepEqual(d2, d);
	const br = await api("GET", `${P.demand}/${d.id}/brokers`, { token: admin });
	assert.equal(br.json.items.length, 0);
});

test("bad input on brokers and interests is a problem naming the field; nothing is written", async () => {
	const l = await item("listing", uni, "published");
	const d = await item("demand", ent, "published");
	const draft = await item("listing", uni);
	const i = await api("POST", "/api/v1/interests", {
		token: ent.token,
		body: { listing_id: l.id, demand_id: d.id, direction: "to_listing" },
	});
	expectStatus(i, 201);
	const plain = await createUser({ prefix: "nb" });
	const bad = [
		[admin, "POST", "/api/v1/brokers", { user_id: plain.id, grade: "senior" }, 422, "user_id"],
		[admin, "POST", "/api/v1/brokers", { user_id: plain.id, grade: "guru" }, 422, "grade"],
		[admin, "POST", "/api/v1/brokers", { user_id: plain.id, grade: "junior", regions: "32" }, 422, "regions"],
		[admin, "POST", "/api/v1/brokers", { user_id: plain.id, grade: "junior", fields: "magic" }, 422, "fields"],
		[admin, "POST", "/api/v1/brokers", { grade: "junior" }, 422, "user_id"],
		[admin, "PATCH", `/api/v1/brokers/${brokerId}`, { grade: "senior" }, 422, "version"],
		[admin, "PATCH", `/api/v1/brokers/${brokerId}`, { version: 1, grade: "guru" }, 422, "grade"],
		[ent.token, "GET", "/api/v1/interests?status=pending", null, 400, "status"],
		[ent.token, "GET", "/api/v1/interests?listing_id=x", null, 400, "listing_id"],
		[ent.token, "POST", "/api/v1/interests", { listing_id: l.id, demand_id: d.id }, 422, "direction"],
		[ent.token, "POST", "/api/v1/interests", { listing_id: l.id, demand_id: d.id, direction: "sideways" }, 422, "direction"],
		[ent.token, "POST", "/api/v1/interests", { demand_id: d.id, direction: "to_listing" }, 422, "listing_id"],
		[ent.token, "POST", "/api/v1/interests", { listing_id: draft.id, demand_id: d.id, direction: "to_listing" }, 422, "listing_id"],
		[ent.token, "POST", "/api/v1/interests", { listing_id: l.id, demand_id: 999999999, direction: "to_listing" }, 422, "demand_id"],
		[ent.token, "POST", "/api/v1/interests", { listing_id: l.id, demand_id: d.id, direction: "to_listing" }, 409, "listing_id"],
		[uni.token, "POST", `/api/v1/interests/${i.json.id}/decline`, { version: i.json.version }, 422, "reason"],
		[uni.token, "POST", `/api/v1/interests/${i.json.id}/decline`, { version: i.json.version, reason: "bored" }, 422, "reason"],
		[uni.token, "POST", `/api/v1/interests/${i.json.id}/decline`, { reason: "price" }, 422, "version"],
		[uni.token, "POST", `/api/v1/interests/${i.json.id}/accept`, {}, 422, "version"],
		[uni.token, "POST", `/api/v1/interests/${i.json.id}/messages`, {}, 422, "body"],
		[uni.token, "POST", `/api/v1/interests/${i.json.id}/messages`, { body: "长".repeat(4001) }, 422, "body"],
		[uni.token, "POST", `/api/v1/interests/${i.json.id}/messages`, { body: 42 }, 422, "body"],
		[uni.token, "GET", "/api/v1/interests/999999999", null, 404, "id"],
	];
	for (const [token, method, path, body, status, field] of bad) {
		const r = await api(method, path, { token, body: body ?? undefined });
		expectProblem(r, status, field, `${method} ${path} ${JSON.stringify(body)}`);
	}
	const after = await api("GET", `/api/v1/interests/${i.json.id}`, { token: admin });
	assert.deepEqual(after.json, i.json, "the interest is unchanged");
	const msgs = await api("GET", `/api/v1/interests/${i.json.id}/messages`, { token: admin });
	assert.equal(msgs.json.items.length, 0, "no message written");
	const brokers = await api("GET", "/api/v1/brokers?limit=500", { token: admin });
	assert.ok(!brokers.json.items.some((b) => b.user_id === plain.id), "no broker registered");
});

test("stale versions are 409 naming version, and change nothing", async () => {
	const l = await item("listing", uni);
	const ok = await api("PATCH", `${P.listing}/${l.id}`, { token: uni.token, body: { version: l.version, title: "新标题" } });
	expectStatus(ok, 200);
	assert.equal(ok.json.version, l.version + 1);
	const stale = [
		["PATCH", `${P.listing}/${l.id}`, { version: l.version, title: "旧版本上的修改" }],
		["POST", `${P.listing}/${l.id}/transitions`, { version: l.version, event: "submit" }],
	];
	for (const [method, path, body] of stale) {
		expectProblem(await api(method, path, { token: uni.token, body }), 409, "version", `${method} ${path}`);
	}
	assert.deepEqual(await get("listing", l.id), ok.json);

	const b = (await api("GET", `/api/v1/brokers/${brokerId}`, { token: admin })).json;
	expectProblem(await api("PATCH", `/api/v1/brokers/${brokerId}`, { token: admin, body: { version: b.version + 5, grade: "junior" } }), 409, "version");
	assert.deepEqual((await api("GET", `/api/v1/brokers/${brokerId}`, { token: admin })).json, b);

	const pl = await item("listing", uni, "published");
	const pd = await item("demand", ent, "published");
	const i = (await api("POST", "/api/v1/interests", { token: ent.token, body: { listing_id: pl.id, demand_id: pd.id, direction: "to_listing" } })).json;
	expectProblem(await api("POST", `/api/v1/interests/${i.id}/accept`, { token: uni.token, body: { version: i.version + 1 } }), 409, "version");
	expectProblem(await api("POST", `/api/v1/interests/${i.id}/decline`, { token: uni.token, body: { version: i.version + 1, reason: "price" } }), 409, "version");
	const now = (await api("GET", `/api/v1/interests/${i.id}`, { token: admin })).json;
	assert.equal(now.status, "open");
	assert.equal(now.version, i.version);
	// once decided, a second decision is refused
	expectStatus(await api("POST", `/api/v1/interests/${i.id}/accept`, { token: uni.token, body: { version: i.version } }), 200);
	expectProblem(await api("POST", `/api/v1/interests/${i.id}/decline`, { token: uni.token, body: { version: i.version + 1, reason: "price" } }), 409, "status");
});

test("Idempotency-Key: a repeated POST returns the first response; the key on another request is 409", async () => {
	const key = uniqueToken("idem");
	const body = { ref: uniqueToken("i"), title: "幂等创建的成果" };
	const first = await api("POST", P.listing, { token: uni.token, body, headers: { "Idempotency-Key": key } });
	expectStatus(first, 201);
	const n = await count("listing", uni);
	const again = await api("POST", P.listing, { token: uni.token, body, headers: { "Idempotency-Key": key } });
	expectStatus(again, 201);
	assert.equal(again.headers.get("idempotent-replayed"), "true");
	assert.equal(again.json.id, first.json.id);
	assert.equal(await count("listing", uni), n, "no second listing");
	// the key on another endpoint is a conflict (the server compares method and path, not bodies)
	expectProblem(await api("POST", P.demand, { token: uni.token, body, headers: { "Idempotency-Key": key } }), 409, "Idempotency-Key");
	assert.equal(await count("demand", uni), 0);

	// a workflow step replays too, instead of failing on the now stale version
	const tkey = uniqueToken("step");
	const step = { event: "submit", version: first.json.version };
	const s1 = await api("POST", `${P.listing}/${first.json.id}/transitions`, { token: uni.token, body: step, headers: { "Idempotency-Key": tkey } });
	expectStatus(s1, 200);
	const s2 = await api("POST", `${P.listing}/${first.json.id}/transitions`, { token: uni.token, body: step, headers: { "Idempotency-Key": tkey } });
	expectStatus(s2, 200);
	assert.equal(s2.headers.get("idempotent-replayed"), "true");
	assert.deepEqual(s2.json, s1.json);
	assert.equal((await get("listing", first.json.id)).version, s1.json.version);

	// and an interest: one row, one first message
	const pl = await item("listing", uni, "published");
	const pd = await item("demand", ent, "published");
	const ikey = uniqueToken("int");
	const ib = { listing_id: pl.id, demand_id: pd.id, direction: "to_listing", message: "只发一次" };
	const i1 = await api("POST", "/api/v1/interests", { token: ent.token, body: ib, headers: { "Idempotency-Key": ikey } });
	const i2 = await api("POST", "/api/v1/interests", { token: ent.token, body: ib, headers: { "Idempotency-Key": ikey } });
	expectStatus(i1, 201);
	expectStatus(i2, 201);
	assert.equal(i2.json.id, i1.json.id);
	const m = await api("GET", `/api/v1/interests/${i1.json.id}/messages`, { token: ent.token });
	assert.equal(m.json.items.length, 1);
	// the key is the user's: another user with the same key makes their own request
	const other = await api("POST", P.demand, { token: ent.token, body: { ref: uniqueToken("o"), title: "另一个用户" }, headers: { "Idempotency-Key": key } });
	expectStatus(other, 201);
});

// src/core/market_flow.c: from x event -> to, and who. `expired` needs a clock
// past the publication period and is covered by the unit tests.
const FLOW = {
	draft: { submit: "under_review", withdraw: "withdrawn" },
	under_review: { approve: "published", reject: "draft", withdraw: "withdrawn" },
	published: { withdraw: "withdrawn", renew: "published" },
	withdrawn: { reopen: "draft" },
};
const EVENTS = ["submit", "approve", "reject", "withdraw", "renew", "reopen"];
const MODERATED = new Set(["approve", "reject"]);

for (const k of ["listing", "demand"]) {
	test(`every ${k} workflow step from every status: allowed ones move it, the others are 409`, async () => {
		const who = k === "listing" ? uni : ent;
		for (const [from, allowed] of Object.entries(FLOW)) {
			for (const event of EVENTS) {
				const it = await item(k, who, from);
				const token = MODERATED.has(event) ? await tokenFor("operator") : who.token;
				const r = await api("POST", `${P[k]}/${it.id}/transitions`, { token, body: { event, version: it.version, note: "测试" } });
				if (allowed[event]) {
					expectStatus(r, 200, `${from} ${event}`);
					assert.equal(r.json.status, allowed[event], `${from} ${event}`);
					assert.equal(r.json.version, it.version + 1);
					if (allowed[event] === "published") {
						assert.ok(r.json.published_at && r.json.expires_at > r.json.published_at, "a publication period");
					}
				} else {
					expectProblem(r, 409, "event", `${from} ${event}`);
					assert.deepEqual(await get(k, it.id), it, `${from} ${event} changed nothing`);
				}
			}
		}
	});
}

test("workflow steps are taken by the right people", async () => {
	const d = await item("demand", ent, "under_review");
	// the owner cannot approve its own demand, nor can the far province's operator see it
	expectProblem(await api("POST", `${P.demand}/${d.id}/transitions`, { token: ent.token, body: { event: "approve", version: d.version } }), 403);
	// a moderator does not submit others' drafts
	const draft = await item("demand", ent);
	expectProblem(await api("POST", `${P.demand}/${draft.id}/transitions`, { token: await tokenFor("operator"), body: { event: "submit", version: draft.version } }), 403);
	// a broker moderates what is assigned to them, and only that
	const broker = await tokenFor("broker");
	expectProblem(await api("POST", `${P.demand}/${d.id}/transitions`, { token: broker, body: { event: "approve", version: d.version } }), 404);
	expectStatus(await api("POST", `${P.demand}/${d.id}/brokers`, { token: admin, body: { broker_id: brokerId } }), 204);
	const r = await api("POST", `${P.demand}/${d.id}/transitions`, { token: broker, body: { event: "reject", version: d.version, note: "预算不明确" } });
	expectStatus(r, 200);
	assert.equal(r.json.status, "draft");
	// and the operator of another province cannot moderate a Guangdong demand's ... Jiangsu one
	const g = await item("demand", far, "under_review");
	expectProblem(await api("POST", `${P.demand}/${g.id}/transitions`, { token: await tokenFor("operator"), body: { event: "approve", version: g.version } }), 404);
	expectStatus(await api("POST", `${P.demand}/${g.id}/transitions`, { token: await tokenFor("ministry"), body: { event: "approve", version: g.version } }), 200);
});

test("unpublished items: hidden from the public and strangers, seen by the owner, the region's operators and assigned brokers", async () => {
	const callers = {
		anon: undefined,
		owner: ent.token,
		operator: await tokenFor("operator"),
		ministry: await tokenFor("ministry"),
		broker: await tokenFor("broker"),
		stranger: await tokenFor("enterprise"),
		farOwner: far.token,
	};
	const seen = async (k, it) => {
		const out = {};
		for (const [c, token] of Object.entries(callers)) {
			const r = await api("GET", `${P[k]}/${it.id}`, { token });
			assert.ok([200, 404].includes(r.status), describe(r, c));
			out[c] = r.status;
			const list = await api("GET", `${P[k]}?owner=${it.org_id}&limit=500`, { token });
			expectStatus(list, 200);
			assert.equal(list.json.items.some((x) => x.id === it.id), r.status === 200, `${c}: the list agrees with the record`);
		}
		return out;
	};
	for (const k of ["listing", "demand"]) {
		for (const status of ["draft", "under_review", "withdrawn"]) {
			const it = await item(k, ent, status);
			assert.deepEqual(await seen(k, it), {
				anon: 404, owner: 200, operator: 200, ministry: 200, broker: 404, stranger: 404, farOwner: 404,
			}, `${k} ${status}`);
			expectStatus(await api("POST", `${P[k]}/${it.id}/brokers`, { token: admin, body: { broker_id: brokerId } }), 204);
			const r = await api("GET", `${P[k]}/${it.id}`, { token: callers.broker });
			expectStatus(r, 200, `assigned broker sees the ${status} ${k}`);
			const mine = await api("GET", `${P[k]}?assigned=true&limit=500`, { token: callers.broker });
			assert.ok(mine.json.items.some((x) => x.id === it.id), "in the broker's assigned list");
			// no search, match or interest reaches it
			const s = await api("GET", `${P[k]}/search?q=${encodeURIComponent("储能变流器")}&limit=100`);
			assert.ok(!s.json.items.some((h) => h.item.id === it.id), `${status} ${k} is not in public search`);
		}
		// the Jiangsu operator does not see a Guangdong draft; the national one does
		const g = await item(k, far);
		const og = await api("GET", `${P[k]}/${g.id}`, { token: callers.operator });
		expectProblem(og, 404, "id");
		expectStatus(await api("GET", `${P[k]}/${g.id}`, { token: callers.ministry }), 200);
		// published: everyone
		const pub = await item(k, ent, "published");
		const all = await seen(k, pub);
		assert.ok(Object.values(all).every((s) => s === 200), JSON.stringify(all));
	}
});

test("list filters that start from an index (status, owner, narrow region, assignment) agree with the plain walk", async () => {
	for (const k of ["listing", "demand"]) {
		// a county of the owner's province that only this test uses
		let county;
		for (let i = 0; !county && i < 30; i++) {
			const pref = `32${60 + Math.floor(Math.random() * 40)}00`;
			const r = await api("POST", "/api/v1/regions", { token: admin, body: { code: pref, name: "列表测试市" } });
			if (r.status === 409) continue;
			expectStatus(r, 201, "create a prefecture");
			county = `${pref.slice(0, 4)}01`;
			expectStatus(await api("POST", "/api/v1/regions", { token: admin, body: { code: county, name: "列表测试县" } }), 201);
		}
		const made = {
			draft: await item(k, ent, "draft", { region_code: county }),
			under_review: await item(k, ent, "under_review", { region_code: county }),
			published: await item(k, ent, "published", { region_code: county }),
		};
		expectStatus(await api("POST", `${P[k]}/${made.draft.id}/brokers`, { token: admin, body: { broker_id: brokerId } }), 204);
		// every item of the owner, walked without a starting filter (kind of each as the reference)
		const walk = async (q, token) => {
			const ids = [];
			let cursor = null;
			do {
				const r = await api("GET", `${P[k]}?${q}&limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token });
				expectStatus(r, 200, q);
				ids.push(...r.json.items.map((x) => x.id));
				cursor = r.json.next_cursor;
			} while (cursor);
			return ids;
		};
		const total = async (q, token) => {
			const r = await api("GET", `${P[k]}?${q}&count=true&limit=1`, { token });
			expectStatus(r, 200, q);
			return r.json.total;
		};
		const ours = [made.draft.id, made.under_review.id, made.published.id];
		assert.deepEqual(await walk(`region=${county}`, ent.token), ours, `${k}: region=${county} (owner)`);
		assert.equal(await total(`region=${county}`, ent.token), 3);
		assert.deepEqual(await walk(`region=${county}`), [made.published.id], `${k}: the public sees the published one`);
		assert.equal(await total(`region=${county}`), 1);
		for (const st of Object.keys(made)) {
			const ids = await walk(`owner=${ent.org.id}&status=${st}`, ent.token);
			assert.ok(ids.includes(made[st].id), `${k}: owner and status=${st}`);
			for (const other of Object.keys(made)) if (other !== st) assert.ok(!ids.includes(made[other].id));
			assert.deepEqual(await walk(`status=${st}&region=${county}`, ent.token), [made[st].id], `${k}: status=${st}, region`);
			assert.equal(await total(`status=${st}&region=${county}`, ent.token), 1);
		}
		const assigned = await walk(`assigned=true&region=${county}`, await tokenFor("broker"));
		assert.deepEqual(assigned, [made.draft.id], `${k}: the broker's assignment`);
		assert.equal(await total(`assigned=true&region=${county}`, await tokenFor("broker")), 1);
	}
});

test("interests in both directions: the addressed side decides, both parties and assigned brokers share the thread", async () => {
	const l = await item("listing", uni, "published");
	const d = await item("demand", ent, "published");
	const stranger = await tokenFor("enterprise");
	const broker = await tokenFor("broker");

	// demand -> listing: the enterprise asks the university
	const a = await api("POST", "/api/v1/interests", { token: ent.token, body: { listing_id: l.id, demand_id: d.id, direction: "to_listing", message: "想了解许可条件" } });
	expectStatus(a, 201);
	assert.match(a.headers.get("location") || "", new RegExp(`/api/v1/interests/${a.json.id}$`));
	assert.equal(a.json.from_org_id, ent.org.id);
	assert.equal(a.json.to_org_id, uni.org.id);
	assert.equal(a.json.status, "open");
	// the sender cannot decide, a stranger cannot even see it
	expectProblem(await api("POST", `/api/v1/interests/${a.json.id}/accept`, { token: ent.token, body: { version: a.json.version } }), 403);
	expectProblem(await api("GET", `/api/v1/interests/${a.json.id}`, { token: stranger }), 404, "id");
	expectProblem(await api("GET", `/api/v1/interests/${a.json.id}/messages`, { token: stranger }), 404, "id");
	expectProblem(await api("POST", `/api/v1/interests/${a.json.id}/messages`, { token: stranger, body: { body: "插话" } }), 404, "id");
	expectProblem(await api("GET", `/api/v1/interests/${a.json.id}`), 401);
	// the thread: both sides write and read
	expectStatus(await api("POST", `/api/v1/interests/${a.json.id}/messages`, { token: uni.token, body: { body: "可以，先签保密协议" } }), 201);
	// an assigned broker reads the thread and writes in it
	expectProblem(await api("GET", `/api/v1/interests/${a.json.id}/messages`, { token: broker }), 404);
	expectStatus(await api("POST", `${P.listing}/${l.id}/brokers`, { token: admin, body: { broker_id: brokerId } }), 204);
	expectStatus(await api("POST", `/api/v1/interests/${a.json.id}/messages`, { token: broker, body: { body: "我来协调" } }), 201);
	const thread = await api("GET", `/api/v1/interests/${a.json.id}/messages`, { token: ent.token });
	assert.deepEqual(thread.json.items.map((m) => m.body), ["想了解许可条件", "可以，先签保密协议", "我来协调"]);
	// the broker relays but does not decide
	expectProblem(await api("POST", `/api/v1/interests/${a.json.id}/accept`, { token: broker, body: { version: a.json.version } }), [403, 404]);
	const acc = await api("POST", `/api/v1/interests/${a.json.id}/accept`, { token: uni.token, body: { version: a.json.version } });
	expectStatus(acc, 200);
	assert.equal(acc.json.status, "accepted");
	// both sides list it
	for (const token of [ent.token, uni.token, broker]) {
		const mine = await api("GET", `/api/v1/interests?listing_id=${l.id}`, { token });
		assert.ok(mine.json.items.some((x) => x.id === a.json.id));
	}
	const none = await api("GET", `/api/v1/interests?listing_id=${l.id}`, { token: stranger });
	assert.equal(none.json.items.length, 0);

	// listing -> demand: the university offers to the enterprise, which declines
	const d2 = await item("demand", ent, "published");
	const b = await api("POST", "/api/v1/interests", { token: uni.token, body: { listing_id: l.id, demand_id: d2.id, direction: "to_demand" } });
	expectStatus(b, 201);
	assert.equal(b.json.from_org_id, uni.org.id);
	assert.equal(b.json.to_org_id, ent.org.id);
	expectProblem(await api("POST", `/api/v1/interests/${b.json.id}/decline`, { token: uni.token, body: { version: b.json.version, reason: "price" } }), 403);
	const dec = await api("POST", `/api/v1/interests/${b.json.id}/decline`, { token: ent.token, body: { version: b.json.version, reason: "too_early", note: "明年再议" } });
	expectStatus(dec, 200);
	assert.equal(dec.json.status, "declined");
	assert.equal(dec.json.decline_reason, "too_early");
	assert.equal(dec.json.note, "明年再议");
	const open = await api("GET", `/api/v1/interests?status=declined&demand_id=${d2.id}`, { token: ent.token });
	assert.deepEqual(open.json.items.map((x) => x.id), [b.json.id]);
	// one may not speak for another organisation's item
	expectProblem(await api("POST", "/api/v1/interests", { token: uni.token, body: { listing_id: l.id, demand_id: d.id, direction: "to_listing" } }), 403, "demand_id");
});

test("decline reasons are counted per listing and per owner in /stats", async () => {
	const l1 = await item("listing", uni, "published");
	const l2 = await item("listing", uni, "published");
	const stats = async (id, token = uni.token) => {
		const r = await api("GET", `${P.listing}/${id}/stats`, { token });
		expectStatus(r, 200);
		return r.json;
	};
	const before = await stats(l1.id);
	assert.deepEqual(before.listing, {
		open: 0, accepted: 0, declined: 0,
		decline_reasons: { too_early: 0, benefit_unclear: 0, route_unclear: 0, price: 0, ip_unclear: 0, other: 0 },
	});
	const plan = [[l1, "price"], [l1, "price"], [l1, "ip_unclear"], [l2, "other"], [l1, null], [l2, "accept"]];
	for (const [l, reason] of plan) {
		const d = await item("demand", ent, "published");
		const i = (await api("POST", "/api/v1/interests", { token: ent.token, body: { listing_id: l.id, demand_id: d.id, direction: "to_listing" } })).json;
		if (reason === "accept") {
			expectStatus(await api("POST", `/api/v1/interests/${i.id}/accept`, { token: uni.token, body: { version: i.version } }), 200);
		} else if (reason) {
			expectStatus(await api("POST", `/api/v1/interests/${i.id}/decline`, { token: uni.token, body: { version: i.version, reason } }), 200);
		}
	}
	const s1 = await stats(l1.id);
	assert.equal(s1.listing_id, l1.id);
	assert.deepEqual(s1.listing, {
		open: 1, accepted: 0, declined: 3,
		decline_reasons: { too_early: 0, benefit_unclear: 0, route_unclear: 0, price: 2, ip_unclear: 1, other: 0 },
	});
	// the owner's figures cover both listings (and nothing of other owners)
	assert.equal(s1.owner.declined, before.owner.declined + 4);
	assert.equal(s1.owner.accepted, before.owner.accepted + 1);
	assert.equal(s1.owner.open, before.owner.open + 1);
	assert.equal(s1.owner.decline_reasons.price, before.owner.decline_reasons.price + 2);
	assert.equal(s1.owner.decline_reasons.other, before.owner.decline_reasons.other + 1);
	const s2 = await stats(l2.id, admin);
	assert.deepEqual(s2.owner, s1.owner);
	assert.equal(s2.listing.accepted, 1);
	// strangers do not read a listing's statistics
	expectProblem(await api("GET", `${P.listing}/${l1.id}/stats`, { token: await tokenFor("enterprise") }), 403);
	expectProblem(await api("GET", `${P.listing}/${l1.id}/stats`), 401);
});

test("many searches at once share the live index safely", async () => {
	// Readers share one index; a data race here used to corrupt the heap and
	// kill the server within a few hundred parallel requests.
	const queries = ["储能变流器", "battery storage", "机器人 视觉", "laser welding", "新材料", "传感器 芯片"];
	for (let round = 0; round < 12; round++) {
		const batch = [];
		for (let i = 0; i < 50; i++) {
			const k = i % 2 ? "listing" : "demand";
			batch.push(api("GET", `${P[k]}/search?q=${encodeURIComponent(queries[i % queries.length])}&limit=20`));
		}
		for (const r of await Promise.all(batch)) {
			expectStatus(r, 200, "search");
			assert.ok(Array.isArray(r.json.items));
		}
	}
	expectStatus(await api("GET", "/healthz"), 200, "healthz after the searches");
});
