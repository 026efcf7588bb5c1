// Slowloris: connections that send their request head one byte a second held
// their slots for ever (the idle timeout restarts with every byte), up to 4,096
// of them, from one address. Now one address may hold only --max-conn-per-addr
// connections, and a head (or body) not complete within its deadline ends the
// connection. A server of the test's own, with small settings so the test is fast.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ownDb, rawConnect, rawRequest, sleep, startServer, stopServer, tempDir } from "./own-server.mjs";

const PER_ADDR = 20;
const HEAD_S = 2;
const BODY_S = 3;
let tmp, srv;

before(async () => {
	tmp = tempDir();
	srv = await startServer(ownDb(tmp.dir), [
		"--max-conn-per-addr", String(PER_ADDR),
		"--header-deadline", String(HEAD_S),
		"--body-deadline", String(BODY_S),
	]);
});

after(async () => {
	if (srv) {
		const r = await stopServer(srv);
		assert.equal(r.code, 0, `server exit ${JSON.stringify(r)}: ${srv.stderr()}`);
	}
	tmp?.cleanup();
});

const GET = "GET /api/v1/regions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

/** Open n connections from 127.0.0.1 that drip a request head one byte a second. */
async function slowClients(n) {
	const head = "GET /api/v1/regions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + "a".repeat(200);
	const conns = [];
	for (let i = 0; i < n; i++) conns.push(await rawConnect(srv.port));
	let stop = false;
	const drip = (async () => {
		for (let k = 0; !stop && k < head.length; k++) {
			for (const c of conns) if (!c.closed && !c.refused) c.sock.write(head[k]);
			await sleep(1000);
		}
	})();
	return {
		conns,
		end: async () => {
			stop = true;
			await drip;
			for (const c of conns) c.sock.destroy();
		},
	};
}

test("slow heads: a normal client is served at once, the slow connections are cut at the deadline", async () => {
	const t0 = Date.now();
	const slow = await slowClients(3 * PER_ADDR);
	try {
		await sleep(300);
		// the address over its limit: the connections past it are closed at once
		const open = slow.conns.filter((c) => !c.closed && !c.refused).length;
		assert.ok(open <= PER_ADDR, `${open} slow connections open from one address (limit ${PER_ADDR})`);
		// another client address is served promptly meanwhile
		const r = await rawRequest(srv.port, GET, { localAddress: "127.0.0.2" });
		assert.equal(r.status, 200, `a normal request during the flood: ${r.raw?.slice(0, 200) ?? r.error}`);
		assert.ok(r.ms < 1000, `a normal request took ${r.ms} ms during the flood`);
		// every slow connection is closed by the server once the head deadline has passed
		await Promise.race([Promise.all(slow.conns.map((c) => c.closedPromise)), sleep((HEAD_S + 2) * 1000)]);
		const still = slow.conns.filter((c) => !c.closed).length;
		assert.equal(still, 0, `${still} slow connections still open ${Date.now() - t0} ms after the flood began`);
		const late = Math.max(...slow.conns.map((c) => c.closedAt - t0));
		assert.ok(late < (HEAD_S + 1.5) * 1000, `the last slow connection closed after ${late} ms`);
		for (const c of slow.conns) assert.equal(c.data, "", "a cut connection gets no answer");
		// the address's slots are free again
		const again = await rawRequest(srv.port, GET);
		assert.equal(again.status, 200, `after the flood: ${again.raw?.slice(0, 200) ?? again.error}`);
	} finally {
		await slow.end();
	}
});

test("a slow body is cut at the body deadline; a prompt one on the same terms is answered", async () => {
	const head = "POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n";
	const c = await rawConnect(srv.port);
	const t0 = Date.now();
	c.sock.write(head);
	for (let i = 0; i < BODY_S + 3 && !c.closed; i++) {
		c.sock.write(" ");
		await sleep(1000);
	}
	assert.ok(c.closed, "a body sent one byte a second was never cut");
	const took = c.closedAt - t0;
	assert.ok(took >= BODY_S * 1000 - 300 && took < (BODY_S + 1.5) * 1000, `cut after ${took} ms (deadline ${BODY_S} s)`);
	c.sock.destroy();
	const body = JSON.stringify({ username: "", password: "" }).padEnd(40, " ");
	const r = await rawRequest(srv.port, head.replace("HTTP/1.1\r\n", "HTTP/1.1\r\nConnection: close\r\n") + body);
	assert.ok(r.status >= 400 && r.status < 500, `a prompt body: ${r.raw?.slice(0, 200) ?? r.error}`);
});

test("an idle keep-alive connection ends at the head deadline", async () => {
	const c = await rawConnect(srv.port);
	c.sock.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	const t0 = Date.now();
	await Promise.race([c.closedPromise, sleep((HEAD_S + 3) * 1000)]);
	assert.match(c.data, /^HTTP\/1\.1 200/);
	assert.ok(c.closed, "the idle connection is still open");
	assert.ok(c.closedAt - t0 < (HEAD_S + 1.5) * 1000, `closed after ${c.closedAt - t0} ms`);
	c.sock.destroy();
});
