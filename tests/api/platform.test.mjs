// Platform behaviour: idempotency, request ids, operations endpoints, the OpenAPI
// document against the route table, the web UI, unknown paths and methods.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { api, adminToken, base, bin, createUser, db, describe, expectProblem, expectStatus, login, uniqueCreditCode, uniqueToken } from "./lib.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
let admin;
before(async () => {
	admin = await adminToken();
});

function routeSet() {
	const out = execFileSync(bin, ["--db", db || ":memory:", "routes"], { encoding: "utf8" });
	return new Set(out.split("\n").map((l) => l.trim().replace(/\s+/g, " ")).filter(Boolean));
}

function openapiSet(doc) {
	const s = new Set();
	for (const [path, item] of Object.entries(doc.paths || {})) {
		for (const m of Object.keys(item)) {
			if (["get", "post", "put", "patch", "delete", "head", "options"].includes(m)) s.add(`${m.toUpperCase()} ${path}`);
		}
	}
	return s;
}

function diff(a, b) {
	return [...a].filter((x) => !b.has(x)).sort();
}

test("idempotency: a replay returns the first response and creates nothing", async () => {
	const u = await createUser({ prefix: "idem", roles: [{ role: "admin" }] });
	const t = await login(u.username, u.password);
	const key = uniqueToken("key-");
	const body = { kind: "enterprise", name: uniqueToken("Idem "), credit_code: uniqueCreditCode(), region_code: "320000" };
	const a = await api("POST", "/api/v1/organisations", { token: t, body, headers: { "idempotency-key": key } });
	expectStatus(a, 201, "first POST");
	assert.equal(a.headers.get("idempotent-replayed"), null, describe(a, "the first response is not a replay"));
	const b = await api("POST", "/api/v1/organisations", { token: t, body, headers: { "idempotency-key": key } });
	expectStatus(b, 201, "replayed POST");
	assert.equal(b.headers.get("idempotent-replayed"), "true", describe(b, "Idempotent-Replayed header"));
	assert.equal(b.json && b.json.id, a.json.id, describe(b, "same id"));
	assert.equal(b.headers.get("location"), a.headers.get("location"), "same Location");
	const l = await api("GET", `/api/v1/organisations?credit_code=${body.credit_code}&count=true`);
	assert.equal(l.json.items.length, 1, describe(l, "one record"));
	const au = await api("GET", `/api/v1/audit?actor=${u.username}`, { token: admin });
	assert.equal(au.json.items.filter((e) => e.action === "create").length, 1, describe(au, "one audit record"));

	// The same key on another path is 409, and creates nothing.
	const uname = uniqueToken("idemx");
	const c = await api("POST", "/api/v1/users", {
		token: t,
		body: { username: uname, password: "idem-pass-123" },
		headers: { "idempotency-key": key },
	});
	expectProblem(c, 409, "Idempotency-Key", "same key on another path");
	const ul = await api("GET", `/api/v1/users?q=${uname}`, { token: admin });
	assert.deepEqual(ul.json.items, [], describe(ul, "no user created"));

	// Keys belong to their user: another user may use the same key.
	const v = await createUser({ prefix: "idem" });
	const vt = await login(v.username, v.password);
	const d = await api("POST", "/api/v1/tokens", { token: vt, body: { name: "idem" }, headers: { "idempotency-key": key } });
	expectStatus(d, 201, "another user's same key");
	assert.equal(d.headers.get("idempotent-replayed"), null, describe(d));
});

test("idempotency on token creation: the replay returns the same token, no second one", async () => {
	const u = await createUser({ prefix: "idemt" });
	const t = await login(u.username, u.password);
	const key = uniqueToken("tkey-");
	const a = await api("POST", "/api/v1/tokens", { token: t, body: { name: "once" }, headers: { "idempotency-key": key } });
	expectStatus(a, 201);
	const b = await api("POST", "/api/v1/tokens", { token: t, body: { name: "once" }, headers: { "idempotency-key": key } });
	expectStatus(b, 201);
	assert.equal(b.headers.get("idempotent-replayed"), "true", describe(b, "Idempotent-Replayed header"));
	assert.equal(b.json && b.json.id, a.json.id, describe(b, `same token id as the first (${a.json.id})`));
	const l = await api("GET", "/api/v1/tokens", { token: t });
	assert.equal(l.json.items.filter((x) => x.kind === "api").length, 1, describe(l, "one API token"));
});

test("idempotency: the same key with another body is 409 and creates nothing; the first body still replays", async () => {
	const u = await createUser({ prefix: "idemb", roles: [{ role: "admin" }] });
	const t = await login(u.username, u.password);
	const key = uniqueToken("bkey-");
	const first = { kind: "enterprise", name: uniqueToken("Body A "), credit_code: uniqueCreditCode(), region_code: "320000" };
	const other = { ...first, name: uniqueToken("Body B "), credit_code: uniqueCreditCode() };
	const a = await api("POST", "/api/v1/organisations", { token: t, body: first, headers: { "idempotency-key": key } });
	expectStatus(a, 201, "first POST");

	// Same method, path, user and key, another body: not a retry of the first request.
	const b = await api("POST", "/api/v1/organisations", { token: t, body: other, headers: { "idempotency-key": key } });
	expectProblem(b, 409, "Idempotency-Key", "same key, another body");
	assert.equal(b.headers.get("idempotent-replayed"), null, describe(b, "a refused request is not a replay"));
	assert.match(b.json.errors.find((e) => e.field === "Idempotency-Key").message, /different request body/, describe(b));
	const lb = await api("GET", `/api/v1/organisations?credit_code=${other.credit_code}&count=true`);
	assert.equal(lb.json.total, 0, describe(lb, "the second body created nothing"));

	// The first body, byte for byte, still replays the first response.
	const d = await api("POST", "/api/v1/organisations", { token: t, body: first, headers: { "idempotency-key": key } });
	expectStatus(d, 201, "replay of the first body");
	assert.equal(d.headers.get("idempotent-replayed"), "true", describe(d, "Idempotent-Replayed header"));
	assert.equal(d.json.id, a.json.id, describe(d, "the first response"));
	const la = await api("GET", `/api/v1/organisations?credit_code=${first.credit_code}&count=true`);
	assert.equal(la.json.total, 1, describe(la, "one record"));
	const au = await api("GET", `/api/v1/audit?actor=${u.username}`, { token: admin });
	assert.equal(au.json.items.filter((e) => e.action === "create").length, 1, describe(au, "one audit record"));
});

test("a failed POST does not consume its Idempotency-Key", async () => {
	const key = uniqueToken("fkey-");
	const bad = await api("POST", "/api/v1/organisations", { token: admin, body: { kind: "university" }, headers: { "idempotency-key": key } });
	expectProblem(bad, 422, "name");
	const ok = await api("POST", "/api/v1/organisations", {
		token: admin,
		body: { kind: "university", name: uniqueToken("After fail ") },
		headers: { "idempotency-key": key },
	});
	expectStatus(ok, 201, "the corrected request with the same key");
});

test("X-Request-Id: echoed when sent, generated otherwise, also on errors", async () => {
	const id = uniqueToken("req-");
	for (const p of ["/healthz", "/api/v1/organisations?limit=1", "/api/v1/nope", "/api/v1/me"]) {
		const r = await api("GET", p, { headers: { "x-request-id": id } });
		assert.equal(r.headers.get("x-request-id"), id, describe(r, `echo on ${p}`));
	}
	const a = await api("GET", "/healthz");
	const b = await api("GET", "/healthz");
	const ga = a.headers.get("x-request-id");
	const gb = b.headers.get("x-request-id");
	assert.ok(ga && gb, "generated ids");
	assert.notEqual(ga, gb, "generated ids differ");
	const e = await api("GET", "/api/v1/me");
	assert.equal(e.json.request_id, e.headers.get("x-request-id"), describe(e, "problem carries the request id"));
});

test("/healthz and /readyz answer 200", async () => {
	expectStatus(await api("GET", "/healthz"), 200);
	expectStatus(await api("GET", "/readyz"), 200);
});

test("/metrics is Prometheus text with techbridge_http_requests_total", async () => {
	await api("GET", "/healthz");
	const r = await api("GET", "/metrics");
	expectStatus(r, 200);
	assert.match(r.headers.get("content-type") || "", /^text\/plain/, describe(r));
	assert.match(r.text, /^# TYPE techbridge_http_requests_total counter$/m, "TYPE line");
	assert.match(r.text, /^techbridge_http_requests_total\{[^}]*route="\/healthz"[^}]*\} \d+/m, "a sample for /healthz");
	for (const line of r.text.split("\n")) {
		if (line === "" || line.startsWith("#")) continue;
		assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEinfNa]+$/, `a sample line: ${line}`);
	}
	// Paths with ids are reported by route, not by raw path (bounded cardinality).
	await api("GET", "/api/v1/organisations/1");
	const m = await api("GET", "/metrics");
	assert.ok(!m.text.includes('route="/api/v1/organisations/1"'), "raw ids not used as labels");
});

test("OpenAPI: GET /api/v1/openapi.json has exactly the routes of `techbridge routes`", async () => {
	const r = await api("GET", "/api/v1/openapi.json");
	expectStatus(r, 200);
	assert.equal(r.json.openapi, "3.1.0");
	const doc = openapiSet(r.json);
	const routes = routeSet();
	assert.deepEqual(diff(routes, doc), [], "routes missing from /api/v1/openapi.json");
	assert.deepEqual(diff(doc, routes), [], "operations in /api/v1/openapi.json the server does not have");
	const cli = JSON.parse(execFileSync(bin, ["--db", db || ":memory:", "openapi"], { encoding: "utf8" }));
	assert.deepEqual(cli, r.json, "`techbridge openapi` prints the served document");
});

test("OpenAPI: docs/openapi.json (checked in) equals the served document", async (t) => {
	const file = join(repo, "docs", "openapi.json");
	if (!existsSync(file)) {
		t.skip("docs/openapi.json does not exist yet (generate: build/techbridge openapi > docs/openapi.json)");
		return;
	}
	const checked = JSON.parse(readFileSync(file, "utf8"));
	const r = await api("GET", "/api/v1/openapi.json");
	assert.deepEqual(diff(routeSet(), openapiSet(checked)), [], "routes missing from docs/openapi.json");
	assert.deepEqual(diff(openapiSet(checked), routeSet()), [], "stale operations in docs/openapi.json");
	assert.deepEqual(checked, r.json, "docs/openapi.json is stale: regenerate with build/techbridge openapi > docs/openapi.json");
});

test("web UI: / is HTML and an SPA route serves the same page", async () => {
	const a = await api("GET", "/", { headers: { accept: "text/html" } });
	expectStatus(a, 200, "GET /");
	assert.match(a.headers.get("content-type") || "", /^text\/html/, describe(a));
	assert.match(a.text, /<html/i);
	const b = await api("GET", "/some/spa/route", { headers: { accept: "text/html" } });
	expectStatus(b, 200, "GET /some/spa/route");
	assert.match(b.headers.get("content-type") || "", /^text\/html/, describe(b));
	assert.equal(b.text, a.text, "the same index page");
});

test("unknown API path is 404 problem+json; a wrong method is 405 with Allow", async () => {
	expectProblem(await api("GET", "/api/v1/nope"), 404);
	expectProblem(await api("GET", "/api/v1/organisations/1/nope"), 404);
	expectProblem(await api("POST", "/api/v1/nope", { body: {} }), 404);
	const r = await api("PUT", "/api/v1/organisations", { token: admin, body: {} });
	expectProblem(r, 405, undefined, "PUT /api/v1/organisations");
	const allow = (r.headers.get("allow") || "").toUpperCase();
	assert.ok(allow.includes("GET") && allow.includes("POST"), describe(r, `Allow header: "${allow}"`));
	expectProblem(await api("DELETE", "/api/v1/me", { token: admin }), 405, undefined, "DELETE /api/v1/me");
	expectProblem(await api("POST", "/healthz"), 405, undefined, "POST /healthz");
});

test("count=true returns total on every list", async () => {
	const lists = ["/api/v1/organisations", "/api/v1/users", "/api/v1/regions", "/api/v1/industries", "/api/v1/audit"];
	const missing = [];
	for (const p of lists) {
		const r = await api("GET", `${p}?limit=1&count=true`, { token: admin });
		expectStatus(r, 200, p);
		if (!Number.isInteger(r.json.total) || r.json.total < r.json.items.length) missing.push(`${p}: ${r.text.slice(0, 150)}`);
	}
	assert.deepEqual(missing, [], "lists without total for count=true");
});

test("responses carry security headers; the API base URL is what tests think", async () => {
	const r = await api("GET", "/api/v1/organisations?limit=1");
	assert.equal(r.headers.get("x-content-type-options"), "nosniff", describe(r));
	assert.ok(base.startsWith("http"), base);
});

test("a required query parameter is enforced by the server: 400 naming it, for every operation that declares one", async () => {
	const doc = (await api("GET", "/api/v1/openapi.json")).json;
	const token = await adminToken();
	let checked = 0;
	for (const [path, ops] of Object.entries(doc.paths)) {
		for (const [method, op] of Object.entries(ops)) {
			const required = (op.parameters || []).filter((p) => p.in === "query" && p.required);
			if (!required.length || method !== "get") continue;
			const url = path.replace(/\{[^}]+\}/g, "1");
			const r = await api("GET", url, { token });
			expectProblem(r, 400, required[0].name, `GET ${url} without ${required[0].name}`);
			checked++;
		}
	}
	assert.ok(checked >= 2, "the applications list and the searches declare required parameters");
});
