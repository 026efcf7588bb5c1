// A flood of anonymous sign-ins must not starve the server.
// Before: argon2id (about 70 ms and 64 MiB each) ran on the request workers, so
// 10 sign-ins a second took a plain GET from 0.1 ms to a median of seconds.
// Now: passwords are verified on a few hashing threads with a bounded queue; a
// sign-in that finds it full is answered 429 (code signin_busy, Retry-After) at
// once, and other requests keep their pace. The flood runs against a server of
// the test's own (same database), so the shared server's other tests are not
// refused meanwhile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describe, uniqueToken } from "../api/lib.mjs";
import { apiFrom, sleep, startServer } from "./signin-lib.mjs";

test("50 concurrent wrong sign-ins do not slow a normal GET", async () => {
	const srv = await startServer();
	let stop = false;
	const seen = { 401: 0, 429: 0, other: [] };
	let busy = null;
	// each flooder from its own address, each attempt for another name: no
	// per-address or per-account limit stops the hashing, only the queue does
	async function flooder(_, i) {
		const from = `127.0.1.${i + 1}`;
		while (!stop) {
			try {
				const r = await apiFrom(from, "POST", "/api/v1/sessions", {
					url: srv.url,
					body: { username: uniqueToken("flood"), password: "not-the-password" },
				});
				const text = r.text;
				if (r.status === 401) seen[401]++;
				else if (r.status === 429) {
					seen[429]++;
					if (!busy) busy = { text, retryAfter: r.headers["retry-after"] };
					await sleep(5);
				} else seen.other.push(`${r.status} ${text.slice(0, 200)}`);
			} catch (e) {
				if (!stop) seen.other.push(String(e));
			}
		}
	}
	const flood = Array.from({ length: 50 }, flooder);
	try {
		await sleep(500); // let the flood build up
		const times = [];
		const deadline = Date.now() + 30000;
		while (times.length < 15 && Date.now() < deadline) {
			const t0 = performance.now();
			const r = await fetch(`${srv.url}/api/v1/organisations/1`);
			await r.text();
			times.push(performance.now() - t0);
			assert.equal(r.status, 200);
			await sleep(100);
		}
		times.sort((a, b) => a - b);
		const median = times[Math.floor(times.length / 2)];
		assert.ok(times.length >= 15 && median < 200, `GET /api/v1/organisations/1 during the flood: median ${median.toFixed(1)} ms over ${times.length} requests (${times.map((t) => t.toFixed(0)).join(" ")})`);
	} finally {
		stop = true;
		await Promise.all(flood);
		await srv.stop();
	}
	assert.deepEqual(seen.other, [], "only 401 and 429 answers");
	assert.ok(seen[401] > 0, "some sign-ins were checked");
	assert.ok(busy, "a full hashing queue answers 429 at once");
	const j = JSON.parse(busy.text);
	assert.equal(j.code, "signin_busy", describe({ status: 429, text: busy.text }));
	assert.ok(Number(busy.retryAfter) >= 1, "with Retry-After");
});
