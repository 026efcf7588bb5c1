// Gradient cultivation: an objection pauses the public notice (公示), and its
// dismissal gives the public the working days the pause took: the notice's end
// moves by them. The suite's server runs with a notice of 0 working days and the
// real clock, so the test moves the notice and the objection into the past in
// the database (sqlite3 or psql on TB_DB): as if the notice had started 15 days
// ago with 3 working days left when the objection came 14 days ago.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { api, createOrg, createUser, db, describe, expectStatus, login } from "./lib.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const REGION = "510000"; // Sichuan: no other test's candidates, so a batch here sees only ours
const TIER = "innovative_sme"; // city -> province; registered at province level: one step

// ---- the working-day calendar of src/core/workdays.c, from rules/holidays/*.json
const DAY_MS = 86400000;
const dayNum = (iso) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
const isoDay = (n) => new Date(n * DAY_MS).toISOString().slice(0, 10);
const off = new Set();
const on = new Set();
for (const f of readdirSync(join(repo, "rules", "holidays"))) {
	if (!/^\d{4}\.json$/.test(f)) continue;
	const y = JSON.parse(readFileSync(join(repo, "rules", "holidays", f), "utf8"));
	for (const h of y.holidays || []) for (let d = dayNum(h.from); d <= dayNum(h.to); d++) off.add(d);
	for (const w of y.workdays || []) on.add(dayNum(w));
}
function working(d) {
	if (off.has(d)) return false;
	const wd = new Date(d * DAY_MS).getUTCDay(); // 0 = Sunday
	return wd === 0 || wd === 6 ? on.has(d) : true;
}
function addWorkdays(d, n) {
	while (n > 0) if (working(++d)) n--;
	return d;
}
function workdaysBetween(from, to) {
	let n = 0;
	for (let d = from + 1; d <= to; d++) n += working(d) ? 1 : 0;
	return n;
}

// Run one SQL statement on the server's database, behind its back.
function sql(statement) {
	const pg = db.startsWith("postgres");
	const r = pg
		? spawnSync("psql", [db, "-q", "-v", "ON_ERROR_STOP=1", "-c", statement], { encoding: "utf8" })
		: spawnSync("sqlite3", ["-cmd", ".timeout 10000", db, statement], { encoding: "utf8" });
	assert.equal(r.status, 0, `${pg ? "psql" : "sqlite3"}: ${r.error || r.stderr}`);
}

test("a dismissed objection extends the notice by the working days it was paused", { skip: !db && "TB_DB not set" }, async () => {
	const org = await createOrg({ region_code: REGION });
	const ent = await createUser({ prefix: "ntc", roles: [{ role: "org_admin", org_id: org.id }] });
	const rev = await createUser({ prefix: "ntcr", roles: [{ role: "reviewer", level: "province", region_code: REGION }] });
	const op = await createUser({ prefix: "ntco", roles: [{ role: "operator", level: "province", region_code: REGION }] });
	const [te, tr, to] = await Promise.all([ent, rev, op].map((u) => login(u.username, u.password)));

	// draft -> under review -> (the province is the last level) -> notice
	let r = await api("POST", "/api/v1/applications", { token: te, body: { org_id: org.id, tier: TIER, statement: "公示期测试", contact: "王五 13700000000" } });
	expectStatus(r, 201, "application");
	let a = r.json;
	r = await api("POST", `/api/v1/applications/${a.id}/submit`, { token: te, body: { version: a.version } });
	expectStatus(r, 200, "submit");
	a = r.json;
	assert.equal(a.step_level, "province", describe(r));
	r = await api("POST", `/api/v1/applications/${a.id}/approve`, { token: tr, body: { version: a.version, reason: "省级审核通过" } });
	expectStatus(r, 200, "approve");
	a = r.json;
	assert.equal(a.state, "notice", describe(r));

	// the public objects: the notice is paused
	r = await api("POST", `/api/v1/notices/${a.id}/objections`, { body: { contact: "赵六 13600000000", text: "公示期内提出的异议，请核实。" } });
	expectStatus(r, 201, "objection");
	const objection = r.json.id;
	r = await api("GET", "/api/v1/notices?limit=500");
	const listed = r.json.items.find((x) => x.id === a.id);
	assert.ok(listed && listed.paused === true, describe(r, "the notice shows the candidate as paused"));

	// Move it into the past: noticed 15 days ago, the objection 14 days ago with
	// 3 working days of the notice left.
	const today = dayNum(new Date().toISOString().slice(0, 10));
	const paused = today - 14;
	const from = isoDay(paused - 1);
	const until = isoDay(addWorkdays(paused, 3));
	sql(`UPDATE applications SET notice_from = '${from}', notice_until = '${until}' WHERE id = ${a.id}`);
	sql(`UPDATE application_events SET at = '${isoDay(paused)}T03:00:00Z' WHERE application_id = ${a.id} AND event = 'object'`);
	await new Promise((done) => setTimeout(done, 200)); // SQLite readers see other processes' writes within 50 ms
	r = await api("GET", `/api/v1/applications/${a.id}`, { token: te });
	assert.equal(r.json.notice_until, until, describe(r, "the notice as moved"));

	// Dismissed today: the 3 working days left run from today, so the end moved by
	// exactly the working days of the pause.
	r = await api("POST", `/api/v1/objections/${objection}/resolve`, { token: to, body: { decision: "dismiss", reason: "经核实，异议不成立" } });
	expectStatus(r, 200, "dismiss");
	const resumed = dayNum(r.json.resolved_at.slice(0, 10)); // the server's today
	r = await api("GET", `/api/v1/applications/${a.id}`, { token: te });
	expectStatus(r, 200);
	assert.equal(r.json.state, "notice", describe(r));
	assert.equal(r.json.notice_from, from, describe(r, "the notice keeps its start"));
	const want = isoDay(addWorkdays(resumed, 3));
	assert.equal(r.json.notice_until, want, describe(r, `the notice ends 3 working days after the resume (was ${until})`));
	const lost = workdaysBetween(paused, resumed);
	assert.ok(lost > 3, `the pause took ${lost} working days`);
	assert.equal(workdaysBetween(dayNum(until), dayNum(r.json.notice_until)), lost, "extended by the working days of the pause");
	r = await api("GET", "/api/v1/notices?limit=500");
	const back = r.json.items.find((x) => x.id === a.id);
	assert.ok(back && back.paused === false && back.notice_until === want, describe(r, "the public notice shows the new end"));

	// the public still has those days: no title is granted before the new end
	r = await api("POST", "/api/v1/batches", { token: to, body: { tier: TIER, level: "province", region_code: REGION } });
	assert.equal(r.status, 409, describe(r, "a batch today grants nothing: the notice runs on"));
	r = await api("GET", `/api/v1/applications/${a.id}`, { token: te });
	assert.equal(r.json.state, "notice", describe(r));
});
