// A full disk gave a misleading 500 ("cannot rollback - no transaction is
// active": the automatic rollback of the failed commit hid its cause) while
// /readyz said ready. Now a write that cannot be stored answers 507 with the
// real cause, nothing is written, reads go on, /readyz answers 503 naming the
// failure (without writing anything itself), and both recover once space is
// freed. SQLite on a small tmpfs of the test's own (mounting needs root: the
// test is skipped, saying why, where it cannot mount); on either store's run.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { adminPassword, adminUser, bin, uniqueCreditCode, uniqueToken } from "../api/lib.mjs";
import { startServer, stopServer, tempDir } from "./own-server.mjs";

/** Fill the file system of dir: write a filler until ENOSPC; returns its path. */
function fill(dir) {
	const path = join(dir, "filler");
	const fd = openSync(path, "w");
	for (const size of [1 << 20, 1 << 12, 1 << 9, 1]) {
		const chunk = Buffer.alloc(size, 1);
		try {
			for (;;) writeSync(fd, chunk);
		} catch (e) {
			if (e.code !== "ENOSPC") throw e;
		}
	}
	closeSync(fd);
	return path;
}

async function call(url, method, path, { token, body } = {}) {
	const headers = { accept: "application/json" };
	if (token) headers.authorization = `Bearer ${token}`;
	if (body) headers["content-type"] = "application/json";
	const r = await fetch(url + path, { method, headers, body: body && JSON.stringify(body) });
	const text = await r.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {
		// not JSON
	}
	return { status: r.status, json, text, headers: r.headers };
}

test("disk full: 507 with the cause, nothing written, /readyz 503, both recover", async (t) => {
	const tmp = tempDir();
	const mnt = join(tmp.dir, "mnt");
	mkdirSync(mnt);
	const m = spawnSync("mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", mnt], { encoding: "utf8" });
	if (m.status !== 0) {
		tmp.cleanup();
		t.skip(`cannot mount a tmpfs (needs root): ${m.stderr.trim()}`);
		return;
	}
	let srv;
	try {
		const db = join(mnt, "full.db");
		const demo = spawnSync(bin, ["--db", db, "demo", "--small"], { encoding: "utf8", env: { ...process.env } });
		assert.equal(demo.status, 0, `demo --small: ${demo.stderr}`);
		srv = await startServer(db);
		const login = await call(srv.url, "POST", "/api/v1/sessions", { body: { username: adminUser, password: adminPassword } });
		assert.equal(login.status, 201, login.text);
		const token = login.json.token;
		const org = () => ({ kind: "enterprise", name: uniqueToken("Full "), credit_code: uniqueCreditCode({ region: "320505" }), region_code: "320000" });
		assert.equal((await call(srv.url, "GET", "/readyz")).status, 200);

		const filler = fill(mnt);
		const body = org();
		const r = await call(srv.url, "POST", "/api/v1/organisations", { token, body });
		assert.equal(r.status, 507, `a write on a full disk: ${r.status} ${r.text}`);
		assert.match(r.headers.get("content-type") || "", /^application\/problem\+json/);
		assert.match(r.json.detail, /disk is full/, r.text);
		assert.doesNotMatch(r.json.detail, /cannot rollback|no transaction/, r.text);
		assert.equal(r.headers.get("cache-control"), "no-store");

		// reads go on; liveness is fine; readiness names the failure
		const list = await call(srv.url, "GET", `/api/v1/organisations?q=${encodeURIComponent(body.name)}`, { token });
		assert.ok(list.status === 200 || list.status === 400, `a read on a full disk: ${list.status} ${list.text}`);
		assert.equal((await call(srv.url, "GET", "/healthz")).status, 200);
		const ready = await call(srv.url, "GET", "/readyz");
		assert.equal(ready.status, 503, `/readyz after a failed write: ${ready.text}`);
		assert.match(ready.json.detail, /write failed .*storage full/, ready.text);

		// space freed: the write goes through, readiness comes back
		rmSync(filler);
		const ok = await call(srv.url, "POST", "/api/v1/organisations", { token, body: org() });
		assert.equal(ok.status, 201, `after freeing space: ${ok.text}`);
		assert.equal((await call(srv.url, "GET", "/readyz")).status, 200, "ready again after a successful write");
		// the refused organisation was never written
		const again = await call(srv.url, "POST", "/api/v1/organisations", { token, body });
		assert.equal(again.status, 201, `the refused organisation was stored after all: ${again.text}`);
		const stop = await stopServer(srv);
		srv = null;
		assert.equal(stop.code, 0, JSON.stringify(stop));
		const v = spawnSync(bin, ["--db", db, "audit", "verify"], { encoding: "utf8" });
		assert.doesNotMatch(v.stdout + v.stderr, /broken|mismatch|tamper/i, v.stdout + v.stderr);
	} finally {
		if (srv) await stopServer(srv, 2000);
		spawnSync("umount", ["-l", mnt]);
		tmp.cleanup();
	}
});
