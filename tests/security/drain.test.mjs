// A graceful stop cut keep-alive requests instead of draining them: the
// listening socket stayed open (new clients waited in its backlog until the
// process died), idle keep-alive connections lingered, and a request still in
// flight was answered without Connection: close. Now SIGTERM closes the
// listening socket at once, closes idle connections, lets the request in
// flight finish with Connection: close, and exits 0 within 10 s.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ownDb, rawConnect, parseResponse, sleep, startServer, stopServer, tempDir, waitFor } from "./own-server.mjs";

test("SIGTERM drains: listener closed, idle connections closed, the request in flight finishes", async () => {
	const tmp = tempDir();
	const srv = await startServer(ownDb(tmp.dir));
	try {
		// an idle keep-alive connection, after one answered request
		const idle = await rawConnect(srv.port);
		idle.sock.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
		assert.ok(await waitFor(idle, /\r\n\r\n\{"status":"ok"\}/), `no answer on the idle connection: ${idle.data}`);
		// a request in flight: its head and half its body sent
		const body = JSON.stringify({ no_such_field: "x".repeat(200) });
		const busy = await rawConnect(srv.port);
		busy.sock.write(
			"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
				`Content-Length: ${body.length}\r\n\r\n` + body.slice(0, 100),
		);
		await sleep(300);
		const t0 = Date.now();
		srv.proc.kill("SIGTERM");
		// the idle connection is closed promptly, not at the end
		await Promise.race([idle.closedPromise, sleep(3000)]);
		assert.ok(idle.closed, "the idle keep-alive connection is still open 3 s after SIGTERM");
		assert.ok(idle.closedAt - t0 < 1500, `idle connection closed ${idle.closedAt - t0} ms after SIGTERM`);
		// new clients are refused at once rather than queued
		const late = await rawConnect(srv.port);
		if (!late.refused) {
			late.sock.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
			await Promise.race([late.closedPromise, sleep(1000)]);
		}
		assert.ok(late.refused || (late.closed && late.data === ""), `a new connection after SIGTERM was accepted: ${late.data}`);
		late.sock.destroy();
		assert.ok(late.refused, `a new connection after SIGTERM was not refused (${late.error?.code ?? "accepted"})`);
		// the request in flight completes, told that the connection ends
		busy.sock.write(body.slice(100));
		assert.ok(await waitFor(busy, /\r\n\r\n\{[\s\S]*\}$/, 5000), `the request in flight got no answer: "${busy.data}"`);
		const r = parseResponse(busy.data);
		assert.ok(r.status >= 400 && r.status < 500, `in-flight answer: ${busy.data.slice(0, 300)}`);
		assert.equal((r.headers.connection || "").toLowerCase(), "close", `no Connection: close while draining: ${busy.data.slice(0, 300)}`);
		await Promise.race([busy.closedPromise, sleep(2000)]);
		assert.ok(busy.closed, "the drained connection stays open after its answer");
		const exit = await Promise.race([srv.exited, sleep(10000).then(() => null)]);
		assert.ok(exit, "still running 10 s after SIGTERM");
		assert.equal(exit.code, 0, `exit after SIGTERM: ${JSON.stringify(exit)}; ${srv.stderr()}`);
		assert.ok(Date.now() - t0 < 10000);
		idle.sock.destroy();
		busy.sock.destroy();
	} finally {
		await stopServer(srv, 1000);
		tmp.cleanup();
	}
});
