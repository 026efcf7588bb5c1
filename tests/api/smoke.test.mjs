// The server is up and describes itself (docs/API.md, "Operations endpoints").
import { test } from "node:test";
import assert from "node:assert/strict";
import { api } from "./lib.mjs";

test("GET /healthz answers 200", async () => {
	const r = await api("GET", "/healthz");
	assert.equal(r.status, 200);
});

test("GET /api/v1/openapi.json is an OpenAPI 3.1.0 document", async () => {
	const r = await api("GET", "/api/v1/openapi.json");
	assert.equal(r.status, 200);
	assert.match(r.headers.get("content-type") || "", /json/);
	assert.ok(r.json, "body is JSON");
	assert.equal(r.json.openapi, "3.1.0");
});
