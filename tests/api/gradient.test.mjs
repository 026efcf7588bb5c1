// Gradient cultivation: facts, self-evaluation, an application from draft to
// title through every demo role, permissions, bad input and version conflicts.
// The server runs with TECHBRIDGE_NOTICE_DAYS=0 (tests/run), so a notice ends at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, login, adminToken, adminPassword } from "./lib.mjs";

const who = {};
async function as(name) {
	if (!who[name]) who[name] = await login(name, adminPassword);
	return who[name];
}
const ORG = 1; // the demo enterprise, Jiangsu (320000), org_admin: "enterprise"

const facts = {
	years: {
		2025: { revenue_fen: 86e8, main_revenue_fen: 81e8, rd_expense_fen: 5.2e8, employees: 310,
			total_assets_fen: 98e8, total_liabilities_fen: 41e8 },
		2024: { revenue_fen: 70e8, main_revenue_fen: 66e8, rd_expense_fen: 4e8, employees: 290 },
		2023: { revenue_fen: 60e8, rd_expense_fen: 3e8 },
	},
	niche_since: "2014-01-01",
	ip: { class1: 5, class2: 12 },
	digital_level: 3,
	status: { clean_record: true, single_champion: false, related_to_little_giant: false },
};

test("facts: read, write with versions, refuse bad input and strangers", async () => {
	const ent = await as("enterprise");
	let r = await api("GET", `/api/v1/organisations/${ORG}/facts`, { token: ent });
	assert.equal(r.status, 200, r.text);
	const v = r.json.version;
	r = await api("PUT", `/api/v1/organisations/${ORG}/facts`, { token: ent, body: { ...facts, version: v + 7 } });
	assert.equal(r.status, 409, r.text);
	r = await api("PUT", `/api/v1/organisations/${ORG}/facts`, { token: ent, body: { ...facts, version: v, credit_code: "x" } });
	assert.equal(r.status, 422);
	assert.equal(r.json.errors[0].field, "credit_code");
	r = await api("PUT", `/api/v1/organisations/${ORG}/facts`, {
		token: ent, body: { version: v, years: { 2025: { revenue_fen: -1 } } } });
	assert.equal(r.status, 422);
	assert.equal(r.json.errors[0].field, "years.2025.revenue_fen");
	r = await api("PUT", `/api/v1/organisations/${ORG}/facts`, { token: ent, body: { version: v, digital_level: "three" } });
	assert.equal(r.status, 422, r.text);
	r = await api("PUT", `/api/v1/organisations/${ORG}/facts`, { token: await as("reviewer"), body: { ...facts, version: v } });
	assert.equal(r.status, 403);
	r = await api("PUT", `/api/v1/organisations/${ORG}/facts`, { token: await as("staff"), body: { ...facts, version: v } });
	assert.equal(r.status, 403);
	r = await api("GET", `/api/v1/organisations/${ORG}/facts`);
	assert.equal(r.status, 401);
	r = await api("PUT", `/api/v1/organisations/${ORG}/facts`, { token: ent, body: { ...facts, version: v } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.version, v + 1);
	assert.equal(r.json.years["2025"].revenue_fen, 86e8);
	r = await api("GET", `/api/v1/organisations/${ORG}/facts`, { token: await as("staff") });
	assert.equal(r.status, 200);
	assert.equal(r.json.ip.class1, 5);
	r = await api("GET", `/api/v1/audit?entity=facts&entity_id=${ORG}`, { token: await adminToken() });
	assert.ok(r.json.items.length >= 1);
});

test("self-evaluation: stored with ruleset, outcome, criteria and gaps", async () => {
	const ent = await as("enterprise");
	let r = await api("POST", `/api/v1/organisations/${ORG}/evaluations`, {
		token: ent, body: { tiers: "specialized_sme,little_giant", as_of: "2026-06-01" } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.items.length, 2);
	const ev = r.json.items[0];
	assert.equal(ev.tier, "specialized_sme");
	assert.equal(ev.ruleset, "gradient-2026");
	assert.ok(["qualified", "not_qualified", "needs_review"].includes(ev.outcome));
	assert.ok(Array.isArray(ev.result.results[0].criteria));
	r = await api("POST", `/api/v1/organisations/${ORG}/evaluations`, { token: ent, body: { tiers: "gold_medal" } });
	assert.equal(r.status, 422);
	r = await api("POST", `/api/v1/organisations/${ORG}/evaluations`, { token: ent, body: { as_of: "yesterday" } });
	assert.equal(r.status, 422);
	r = await api("POST", `/api/v1/organisations/${ORG}/evaluations`, { token: await as("reviewer"), body: {} });
	assert.equal(r.status, 403);
	r = await api("GET", `/api/v1/organisations/${ORG}/evaluations?limit=1`, { token: ent });
	assert.equal(r.status, 200);
	assert.equal(r.json.items.length, 1);
	assert.ok(r.json.next_cursor);
});

test("an application from draft to title through every role", async () => {
	const ent = await as("enterprise"), op = await as("operator"), rev = await as("reviewer");
	const min = await as("ministry"), admin = await adminToken();
	let r = await api("POST", "/api/v1/applications", { token: op, body: { org_id: ORG, tier: "little_giant" } });
	assert.equal(r.status, 403, "an operator does not apply for an enterprise");
	r = await api("POST", "/api/v1/applications", { token: ent, body: { org_id: ORG, tier: "gold" } });
	assert.equal(r.status, 422);
	r = await api("POST", "/api/v1/applications", {
		token: ent, body: { org_id: ORG, tier: "little_giant", statement: "精密部件", contact: "张三 13800000000" } });
	assert.equal(r.status, 201, r.text);
	let a = r.json;
	assert.equal(a.state, "draft");
	assert.equal(a.final_level, "national");
	r = await api("POST", "/api/v1/applications", { token: ent, body: { org_id: ORG, tier: "little_giant" } });
	assert.equal(r.status, 409, "one open application per tier");

	r = await api("PATCH", `/api/v1/applications/${a.id}`, { token: ent, body: { version: a.version + 1, statement: "x" } });
	assert.equal(r.status, 409);
	r = await api("PATCH", `/api/v1/applications/${a.id}`, { token: ent, body: { version: a.version, statement: "精密部件，国内第二" } });
	assert.equal(r.status, 200, r.text);
	a = r.json;

	const data = Buffer.from("annual report 2025").toString("base64");
	r = await api("POST", `/api/v1/applications/${a.id}/attachments`, { token: ent, body: { name: "r.txt", content_type: "text/plain", data } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.size, 18);
	r = await api("POST", `/api/v1/applications/${a.id}/attachments`, { token: ent, body: { name: "r.exe", content_type: "application/x-msdownload", data } });
	assert.equal(r.status, 422);
	r = await api("POST", `/api/v1/applications/${a.id}/attachments`, { token: ent, body: { name: "r.txt", content_type: "text/plain", data: "@@@@" } });
	assert.equal(r.status, 422);
	r = await api("GET", `/api/v1/applications/${a.id}/attachments`, { token: rev });
	assert.equal(r.json.items.length, 1);

	r = await api("POST", `/api/v1/applications/${a.id}/approve`, { token: rev, body: { version: a.version, reason: "ok" } });
	assert.equal(r.status, 409, "a draft cannot be approved");
	r = await api("POST", `/api/v1/applications/${a.id}/submit`, { token: ent, body: { version: a.version } });
	assert.equal(r.status, 200, r.text);
	a = r.json;
	assert.equal(a.state, "under_review");
	assert.equal(a.step_level, "province"); // registered at province level: no city step
	assert.ok(a.evaluation_id);
	assert.ok(a.step_due > "2026-01-01");

	r = await api("GET", "/api/v1/reviews?state=pending", { token: rev });
	assert.ok(r.json.items.some((x) => x.id === a.id), "the province reviewer sees it");
	r = await api("GET", "/api/v1/reviews?state=pending", { token: min });
	assert.ok(!r.json.items.some((x) => x.id === a.id), "not yet at the ministry");
	r = await api("POST", `/api/v1/applications/${a.id}/approve`, { token: min, body: { version: a.version, reason: "ok" } });
	assert.equal(r.status, 403, "the ministry is not this step's level");
	r = await api("POST", `/api/v1/applications/${a.id}/return`, { token: op, body: { version: a.version } });
	assert.equal(r.status, 422, "a return needs a reason");
	r = await api("POST", `/api/v1/applications/${a.id}/return`, { token: op, body: { version: a.version, reason: "请补充审计报告" } });
	assert.equal(r.status, 200, r.text);
	a = r.json;
	assert.equal(a.state, "returned");

	r = await api("POST", `/api/v1/applications/${a.id}/submit`, { token: ent, body: { version: a.version } });
	a = r.json;
	r = await api("POST", `/api/v1/applications/${a.id}/approve`, { token: rev, body: { version: a.version, reason: "省级审核通过" } });
	assert.equal(r.status, 200, r.text);
	a = r.json;
	assert.equal(a.step_level, "national");
	r = await api("POST", `/api/v1/applications/${a.id}/approve`, { token: min, body: { version: a.version, reason: "部级审核通过" } });
	assert.equal(r.status, 200, r.text);
	a = r.json;
	assert.equal(a.state, "notice");

	r = await api("GET", "/api/v1/notices");
	assert.equal(r.status, 200);
	assert.ok(r.json.items.some((x) => x.id === a.id));
	r = await api("POST", `/api/v1/notices/${a.id}/objections`, { body: { contact: "李四 13900000000", text: "该企业研发费用数据存疑，请核实。" } });
	assert.equal(r.status, 201, r.text);
	const objection = r.json.id;
	r = await api("GET", `/api/v1/applications/${a.id}`, { token: ent });
	assert.equal(r.json.state, "objected");
	r = await api("POST", "/api/v1/batches", { token: min, body: { tier: "little_giant", level: "national" } });
	assert.equal(r.status, 409, "a paused candidate is not granted");
	r = await api("POST", `/api/v1/objections/${objection}/resolve`, { token: op, body: { decision: "dismiss", reason: "x" } });
	assert.equal(r.status, 403, "only the last level resolves");
	r = await api("POST", `/api/v1/objections/${objection}/resolve`, { token: min, body: { decision: "dismiss", reason: "经核实，数据属实" } });
	assert.equal(r.status, 200, r.text);
	r = await api("POST", "/api/v1/batches", { token: min, body: { tier: "little_giant", level: "national" } });
	assert.equal(r.status, 201, r.text);
	assert.match(r.json.number, /^\d{4}-CN-little_giant-\d+$/);
	const title = r.json.titles.find((t) => t.org_id === ORG);
	assert.ok(title);
	r = await api("GET", `/api/v1/applications/${a.id}`, { token: ent });
	assert.equal(r.json.state, "granted");
	r = await api("GET", `/api/v1/organisations/${ORG}/facts`, { token: ent });
	assert.ok(r.json.titles.some((t) => t.tier === "little_giant"), "the engine's titles come from grants");
	r = await api("GET", `/api/v1/applications/${a.id}/events`, { token: admin });
	assert.deepEqual(r.json.items.map((e) => e.event),
		["submit", "return", "submit", "approve", "approve", "object", "dismiss", "grant"]);
	r = await api("GET", "/api/v1/notifications", { token: ent });
	assert.ok(r.json.items.length >= 4);
	r = await api("GET", "/api/v1/stats/gradient");
	assert.equal(r.status, 200);
	assert.ok(r.json.titles.some((x) => x.tier === "little_giant"));

	// revocation with a ban blocks new applications
	r = await api("POST", `/api/v1/titles/${title.id}/revoke`, { token: ent, body: { version: title.version, reason: "x" } });
	assert.equal(r.status, 403);
	r = await api("POST", `/api/v1/titles/${title.id}/revoke`, { token: op, body: { version: title.version, reason: "研发数据造假", fraud: true } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.state, "revoked");
	r = await api("POST", "/api/v1/applications", { token: ent, body: { org_id: ORG, tier: "specialized_sme" } });
	assert.equal(r.status, 422);
	assert.equal(r.json.errors[0].field, "org_id");
});
