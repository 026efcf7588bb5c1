// Business limits under concurrency: every limit the code checks, hit by 100
// parallel requests. Each was checked, then inserted, under PostgreSQL's READ
// COMMITTED, so parallel requests all counted the same rows and all inserted:
// 6 open applications for one enterprise and tier (limit 1), 54 API tokens (50),
// 9.2 MB of attachments (8 MiB), 6 objections an hour from one address (5).
// Now each locks what it counts under first (the parent row, or the address),
// so exactly the limit succeeds and the rest are refused. SQLite serialises
// writers already; the test runs on both stores. The server is one of the
// test's own with 16 workers, so the requests really run side by side; where
// the limit is above 1, all but one of it is used up first, one request at a
// time, so the 100 parallel requests all meet at the limit itself.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { call, enterprise, noticeCandidate, ownAddress, show, tally, userWith } from "./authz-lib.mjs";
import { ownDb, startServer, stopServer, tempDir } from "./own-server.mjs";

const N = 100;
// Rounds per limit, each on fresh records: a round of the old code overshot
// in about half the runs, three catch it nearly always.
const ROUNDS = 3;
const rounds = (name, f) =>
	test(name, async () => {
	for (let i = 0; i < ROUNDS; i++) await f();
});
// src/lib/limits.h
const TOKENS_PER_USER = 50;
const ATTACHMENTS_PER_APP = 20;
const ATTACHMENT_TOTAL = 8 << 20;
const OBJECTIONS_PER_HOUR = 5;

let srv, url, cleanup;
before(async () => {
	const t = tempDir("tb-limits-");
	cleanup = t.cleanup;
	srv = await startServer(ownDb(t.dir), [], { workers: 16 });
	url = srv.url;
});
after(async () => {
	if (srv) await stopServer(srv);
	if (cleanup) cleanup();
});

const parallel = (f) => Promise.all(Array.from({ length: N }, (_, i) => f(i)));

function refusedWith(rs, ok, okStatus, statuses, what) {
	const t = tally(rs);
	assert.equal(t[okStatus] || 0, ok, `${what}: exactly ${ok} succeed (statuses ${JSON.stringify(t)}); e.g. ${show(rs.find((r) => r.status !== okStatus) || rs[0])}`);
	const other = rs.filter((r) => r.status !== okStatus && !statuses.includes(r.status));
	assert.equal(other.length, 0, `${what}: the rest are ${statuses.join(" or ")}: ${other.slice(0, 2).map(show).join("; ")}`);
}

rounds("one open application per enterprise and tier, 100 at once", async () => {
	const { org, ent } = await enterprise("540000", url);
	const rs = await parallel(() => call("POST", "/api/v1/applications", { url, token: ent.token, body: { org_id: org.id, tier: "innovative_sme" } }));
	refusedWith(rs, 1, 201, [409], "applications");
	const r = await call("GET", `/api/v1/applications?org_id=${org.id}&limit=100`, { url, token: ent.token });
	assert.equal(r.status, 200, show(r));
	assert.equal(r.json.items.filter((a) => a.tier === "innovative_sme").length, 1, "one application is stored");
});

rounds(`at most ${TOKENS_PER_USER} API tokens per user, the last raced by 100`, async () => {
	const u = await userWith([], url);
	const create = (name) => call("POST", "/api/v1/tokens", { url, token: u.token, body: { name } });
	for (let i = 0; i < TOKENS_PER_USER - 1; i++) assert.equal((await create(`before ${i}`)).status, 201);
	const rs = await parallel((i) => create(`race ${i}`));
	refusedWith(rs, 1, 201, [409, 422, 429], "tokens");
	const r = await call("GET", "/api/v1/tokens", { url, token: u.token });
	assert.equal(r.status, 200, show(r));
	assert.equal(r.json.items.length, TOKENS_PER_USER, "the user holds exactly the limit");
});

async function draft(region) {
	const { org, ent } = await enterprise(region, url);
	const r = await call("POST", "/api/v1/applications", { url, token: ent.token, body: { org_id: org.id, tier: "innovative_sme" } });
	assert.equal(r.status, 201, show(r));
	return { app: r.json, ent };
}

rounds("at most 8 MiB of attachments per application, the last 500 kB file raced by 100", async () => {
	const { app, ent } = await draft("540000");
	const size = 500000;
	const data = Buffer.alloc(size, "年报数据 ").toString("base64");
	const fit = Math.floor(ATTACHMENT_TOTAL / size); // 16, below the count limit
	const add = (name) => call("POST", `/api/v1/applications/${app.id}/attachments`, { url, token: ent.token, body: { name, content_type: "text/plain", data } });
	for (let i = 0; i < fit - 1; i++) assert.equal((await add(`f${i}.txt`)).status, 201);
	const rs = await parallel((i) => add(`r${i}.txt`));
	refusedWith(rs, 1, 201, [409, 413, 422], "attachment bytes");
	const r = await call("GET", `/api/v1/applications/${app.id}/attachments`, { url, token: ent.token });
	assert.equal(r.status, 200, show(r));
	assert.equal(r.json.items.length, fit);
	assert.ok(r.json.items.reduce((s, a) => s + a.size, 0) <= ATTACHMENT_TOTAL, "the stored total is within the limit");
});

rounds(`at most ${ATTACHMENTS_PER_APP} attachments per application, the last file raced by 100`, async () => {
	const { app, ent } = await draft("540000");
	const data = Buffer.from("evidence").toString("base64");
	const add = (name) => call("POST", `/api/v1/applications/${app.id}/attachments`, { url, token: ent.token, body: { name, content_type: "text/plain", data } });
	for (let i = 0; i < ATTACHMENTS_PER_APP - 1; i++) assert.equal((await add(`f${i}.txt`)).status, 201);
	const rs = await parallel((i) => add(`s${i}.txt`));
	refusedWith(rs, 1, 201, [409, 413, 422], "attachment count");
	const r = await call("GET", `/api/v1/applications/${app.id}/attachments`, { url, token: ent.token });
	assert.equal(r.json.items.length, ATTACHMENTS_PER_APP);
});

rounds(`at most ${OBJECTIONS_PER_HOUR} objections an hour from one address, the last raced by 100`, async () => {
	const c = await noticeCandidate("540000", url);
	const path = `/api/v1/notices/${c.app.id}/objections`;
	// a first objection from elsewhere pauses the notice, so the race is on the limit alone
	let r = await call("POST", path, { url, from: ownAddress(), body: { contact: "甲 13800000001", text: "第一条异议，请核实。" } });
	assert.equal(r.status, 201, show(r));
	const from = ownAddress();
	const object = (i) => call("POST", path, { url, from, body: { contact: "乙 13800000002", text: `并发异议第 ${i} 条，请核实。` } });
	for (let i = 0; i < OBJECTIONS_PER_HOUR - 1; i++) assert.equal((await object(1000 + i)).status, 201);
	const rs = await parallel(object);
	refusedWith(rs, 1, 201, [429], "objections");
	r = await call("POST", path, { url, from: ownAddress(), body: { contact: "丙 13800000003", text: "另一地址的异议，请核实。" } });
	assert.equal(r.status, 201, `another address is not limited: ${show(r)}`);
	r = await call("GET", `/api/v1/applications/${c.app.id}/objections`, { url, token: c.operator.token });
	assert.equal(r.json.items.length, OBJECTIONS_PER_HOUR + 2, "stored: the first, the limit, the last");
});
