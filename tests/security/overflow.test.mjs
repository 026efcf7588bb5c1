// One enterprise could take the public statistics down: a revenue of 2^63-1 in its
// facts was accepted, and GET /api/v1/stats/gradient then answered 500 for everyone
// (the SUM overflowed 64 bits). Amounts and head counts now have documented bounds
// (src/lib/limits.h, docs/FACTS.md "Bounds"), enforced on input with 422 naming the
// field, and the statistics sum in floating point.
import { test } from "node:test";
import assert from "node:assert/strict";
import { adminToken, api, createOrg, expectProblem, expectStatus, uniqueToken } from "../api/lib.mjs";

const FEN_MAX = 10 ** 15; // LIMIT_FEN_MAX: 10 trillion yuan
const HEADCOUNT_MAX = 10 ** 7; // LIMIT_HEADCOUNT_MAX
// Fiscal years no other test or the demo uses, so the "all enterprises" line is ours
// alone (random, so a rerun on the same database finds its own; the answer per year is
// cached for a minute).
const Y = 2041 + Math.floor(Math.random() * 60);
const P = Y - 1;

const put = (token, id, body) =>
	api("PUT", `/api/v1/organisations/${id}/facts`, {
		token,
		body: typeof body === "string" ? body : JSON.stringify(body),
		headers: { "content-type": "application/json" },
	});

test("2^63-1 and other amounts beyond the bounds are refused with 422 naming the field", async () => {
	const admin = await adminToken();
	const org = await createOrg();
	let r = await put(admin, org.id, `{"version":0,"years":{"${Y}":{"revenue_fen":9223372036854775807}}}`);
	expectProblem(r, 422, `years.${Y}.revenue_fen`, "revenue 2^63-1");
	r = await put(admin, org.id, { version: 0, years: { [Y]: { total_assets_fen: FEN_MAX + 1 } } });
	expectProblem(r, 422, `years.${Y}.total_assets_fen`, "one fen above the bound");
	r = await put(admin, org.id, { version: 0, years: { [Y]: { net_profit_fen: -FEN_MAX - 1 } } });
	expectProblem(r, 422, `years.${Y}.net_profit_fen`, "a loss beyond the bound");
	r = await put(admin, org.id, { version: 0, years: { [Y]: { employees: HEADCOUNT_MAX + 1 } } });
	expectProblem(r, 422, `years.${Y}.employees`, "more employees than any employer");
	r = await api("GET", `/api/v1/organisations/${org.id}/facts`, { token: admin });
	expectStatus(r, 200);
	assert.equal(r.json.version, 0, "nothing was written");

	r = await api("POST", "/api/v1/listings", { token: admin, body: { ref: uniqueToken("ov"), title: "t", asking_fen: FEN_MAX + 1 } });
	expectProblem(r, 422, "asking_fen", "an asking price beyond the bound");
	r = await api("POST", "/api/v1/demands", { token: admin, body: { ref: uniqueToken("ov"), title: "t", budget_max_fen: 2 ** 62 } });
	expectProblem(r, 422, "budget_max_fen", "a budget beyond the bound");
	r = await api("POST", "/api/v1/listings", { token: admin, body: { ref: uniqueToken("ov"), title: "t", asking_fen: FEN_MAX } });
	expectStatus(r, 201, "the largest asking price");
});

test("the largest accepted amounts for several enterprises: statistics answer 200 with correct sums", async () => {
	const admin = await adminToken();
	// the attack: one enterprise saves revenues of 2^63-1 in both years
	const attacker = await createOrg();
	const attack = await put(
		admin,
		attacker.id,
		`{"version":0,"years":{"${Y}":{"revenue_fen":9223372036854775807,"rd_expense_fen":0},"${P}":{"revenue_fen":9223372036854775807}}}`,
	);
	const n = 6;
	let cur = 0;
	let prev = 0;
	let rd = 0;
	for (let i = 0; i < n; i++) {
		const org = await createOrg();
		const c = FEN_MAX - i * 10 ** 12; // the largest accepted, and a little less
		const p = FEN_MAX / 2 - i * 10 ** 11;
		const d = FEN_MAX - i;
		const r = await put(admin, org.id, {
			version: 0,
			years: {
				[Y]: { revenue_fen: c, rd_expense_fen: d, total_assets_fen: FEN_MAX, net_profit_fen: -FEN_MAX, employees: HEADCOUNT_MAX },
				[P]: { revenue_fen: p },
			},
		});
		expectStatus(r, 200, `facts of enterprise ${i} at the bounds`);
		cur += c;
		prev += p;
		rd += d;
	}
	const r = await api("GET", `/api/v1/stats/gradient?year=${Y}`);
	expectStatus(r, 200, "statistics after the largest amounts (and the attack)");
	expectProblem(attack, 422, `years.${Y}.revenue_fen`, "the attack was refused");
	const all = r.json.finance.find((f) => f.group === "all");
	assert.ok(all, `an "all enterprises" line: ${r.text.slice(0, 500)}`);
	assert.equal(all.enterprises, n);
	assert.ok(Math.abs(all.revenue_growth - (cur / prev - 1)) < 1e-12, `growth ${all.revenue_growth}, want ${cur / prev - 1}`);
	assert.ok(Math.abs(all.rd_intensity - rd / cur) < 1e-12, `R&D intensity ${all.rd_intensity}, want ${rd / cur}`);
});
