// HTTP framing limits and headers, replayed against the shared server:
// - 113+ query parameters got no answer at all (libmicrohttpd ran out of
//   connection memory parsing them): now 431 problem+json, at any count;
// - a too long URL got 400: now 414;
// - a 200 MB body was read in full before its 413: now the 413 comes from the
//   declared Content-Length, before a byte of the body is sent;
// - a charset other than UTF-8 was accepted: now 415;
// - no CSP, frame-ancestors, Referrer-Policy, and no Cache-Control: no-store on
//   API errors: now on every answer.
import assert from "node:assert/strict";
import { test } from "node:test";
import { api, base, describe, expectProblem, adminToken } from "../api/lib.mjs";
import { rawRequest } from "./own-server.mjs";

const port = Number(new URL(base).port);
const params = (n) => Array.from({ length: n }, (_, i) => `p${i}=1`).join("&");

test("too many query parameters: 431 problem+json whatever the count", async () => {
	for (const n of [33, 113, 120, 300, 600]) {
		let r;
		try {
			r = await api("GET", `/api/v1/organisations?${n < 200 ? params(n) : Array(n).fill("a").join("&")}`);
		} catch (e) {
			assert.fail(`${n} parameters: no answer at all (${e.cause?.code || e.message})`);
		}
		expectProblem(r, 431, undefined, `${n} parameters`);
		assert.match(r.json.detail, /more than 32 query parameters/, describe(r));
	}
	// 32 is still fine (unknown names are a 400 naming the parameter)
	expectProblem(await api("GET", `/api/v1/organisations?${params(32)}`), 400, "p0");
});

test("a URL over the limit: 414 problem+json", async () => {
	const r = await api("GET", `/api/v1/organisations?name=${"x".repeat(3000)}`);
	expectProblem(r, 414, undefined, "3000-byte URL");
	const p = await api("GET", `/api/v1/${"a".repeat(2100)}`);
	expectProblem(p, 414, undefined, "2100-byte path");
});

test("a declared 200 MB body is refused (413) before any of it is sent", async () => {
	const head =
		"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
		"Content-Length: 209715200\r\n\r\n";
	const r = await rawRequest(port, head, { ms: 3000 });
	assert.equal(r.status, 413, `no 413 within 3 s without the body: ${r.raw?.slice(0, 300) ?? r.error}`);
	assert.ok(r.ms < 2000, `413 took ${r.ms} ms`);
	assert.match(r.headers["content-type"] || "", /^application\/problem\+json/);
	assert.equal((r.headers.connection || "").toLowerCase(), "close", "the unread body ends the connection");
	const j = JSON.parse(r.body);
	assert.equal(j.status, 413);
	assert.equal(j.errors?.[0]?.field, "Content-Length", r.body);
	// a client that sends its body anyway still reads the 413 (the server keeps
	// reading and discarding for a moment instead of resetting the connection)
	for (const size of [(1 << 20) + 1, 8 << 20]) {
		const big = await api("POST", "/api/v1/sessions", { body: "x".repeat(size) });
		expectProblem(big, 413, "Content-Length", `${size}-byte body`);
	}
});

test("a charset other than UTF-8 is refused with 415; UTF-8 in any spelling is accepted", async () => {
	// an organisation body with an unknown field: 422 once read, nothing written
	const token = await adminToken();
	const body = JSON.stringify({ no_such_field: 1 });
	const send = (ct) => api("POST", "/api/v1/organisations", { token, body, headers: { "content-type": ct } });
	for (const ct of ["application/json; charset=iso-8859-1", "application/json;charset=GBK", 'application/json; charset="utf-16"']) {
		const r = await send(ct);
		expectProblem(r, 415, "Content-Type", ct);
		assert.match(r.json.detail, /charset must be utf-8/, describe(r));
	}
	for (const ct of ["text/plain", "application/x-www-form-urlencoded"]) {
		expectProblem(await send(ct), 415, "Content-Type", ct);
	}
	for (const ct of ["application/json", "application/json; charset=utf-8", 'application/json; charset="UTF-8"', "Application/JSON;Charset=UTF-8"]) {
		expectProblem(await send(ct), 422, "no_such_field", ct);
	}
});

function expectSecurityHeaders(r, what, { page = false } = {}) {
	const h = (n) => r.headers.get(n) || "";
	const csp = h("content-security-policy");
	assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP with frame-ancestors; got "${csp}"`);
	if (page) {
		assert.match(csp, /script-src 'self'(;|$)/, `${what}: scripts from this origin only`);
		assert.doesNotMatch(csp, /script-src[^;]*unsafe/, `${what}: no unsafe script sources`);
	} else {
		assert.match(csp, /default-src 'none'/, `${what}: data loads nothing`);
	}
	assert.equal(h("x-frame-options"), "DENY", what);
	assert.equal(h("x-content-type-options"), "nosniff", what);
	assert.equal(h("referrer-policy"), "no-referrer", what);
}

test("security headers on every answer; no-store on API answers and errors", async () => {
	const T = await adminToken();
	const cases = [
		["GET /api/v1/me", await api("GET", "/api/v1/me", { token: T }), 200],
		["GET /api/v1/me unauthenticated", await api("GET", "/api/v1/me"), 401],
		["GET /api/v1/nothing-here", await api("GET", "/api/v1/nothing-here"), 404],
		["DELETE /api/v1/regions", await api("DELETE", "/api/v1/regions"), 405],
		["POST /api/v1/sessions malformed", await api("POST", "/api/v1/sessions", { body: "{" }), 400],
		["431", await api("GET", `/api/v1/regions?${params(200)}`), 431],
	];
	for (const [what, r, status] of cases) {
		assert.equal(r.status, status, `${what}: ${describe(r)}`);
		expectSecurityHeaders(r, what);
		assert.equal(r.headers.get("cache-control"), "no-store", `${what}: Cache-Control`);
	}
	for (const path of ["/healthz", "/readyz", "/metrics"]) {
		const r = await api("GET", path);
		expectSecurityHeaders(r, path);
	}
	const page = await fetch(`${base}/`);
	assert.equal(page.status, 200);
	assert.match(page.headers.get("content-type") || "", /^text\/html/);
	expectSecurityHeaders(page, "the web UI", { page: true });
	const html = await page.text();
	// the page must keep working under its own policy: no inline script
	assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, "inline <script> in index.html would be blocked by the CSP");
	const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html);
	if (asset) {
		const a = await fetch(base + asset[1]);
		assert.equal(a.status, 200);
		assert.equal(a.headers.get("x-content-type-options"), "nosniff");
	}
	const missing = await fetch(`${base}/assets/no-such-file.js`);
	assert.equal(missing.status, 404);
	assert.equal(missing.headers.get("cache-control"), "no-store", "errors are never cached");
	await missing.text();
});
