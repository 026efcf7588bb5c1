// A server of the test's own, for the tests that must kill, stop or starve one
// (drain, slowloris, crash, disk full): started on a port of its own with the
// flags the test gives, stopped by the test. Raw HTTP helpers for requests that
// fetch cannot send (a slow head, a declared body never sent).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { bin, db as sharedDb } from "../api/lib.mjs";

export const isPg = /^postgres(ql)?:\/\//.test(sharedDb);
/* the binary by an absolute path: a server may run in a directory of its own */
const exe = isAbsolute(bin) ? bin : resolve(bin);

/** A free TCP port on 127.0.0.1. */
export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.once("error", reject);
		srv.listen(0, "127.0.0.1", () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/** A temporary directory, removed by the returned cleanup function. */
export function tempDir(prefix = "tb-sec-") {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A database for a server of the test's own: on SQLite a copy of the shared one
 * (an online backup, so the shared server is not disturbed), on PostgreSQL the
 * shared database itself (a second server process on it is ordinary).
 */
export function ownDb(dir) {
	if (isPg) return sharedDb;
	const path = join(dir, "copy.db");
	const r = spawnSync(bin, ["--db", sharedDb, "backup", path], { encoding: "utf8" });
	if (r.status !== 0) throw new Error(`backup of ${sharedDb} failed: ${r.stderr}`);
	return path;
}

/**
 * Start `techbridge --db DB serve` with extra flags (and, when given, its own
 * environment and working directory); resolves once /healthz answers.
 * Returns {url, port, proc, exited (a promise of {code, signal}), stderr()}.
 */
export async function startServer(db, flags = [], { workers = 2, env, cwd } = {}) {
	const port = await freePort();
	const args = ["--db", db, "serve", "--listen", `127.0.0.1:${port}`, "--workers", String(workers), "--access-log", "off", ...flags];
	const proc = spawn(exe, args, { stdio: ["ignore", "ignore", "pipe"], env: env ?? process.env, cwd });
	let err = "";
	proc.stderr.on("data", (d) => (err += d));
	const exited = new Promise((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
	let done = false;
	exited.then(() => (done = true));
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 15000;
	while (Date.now() < deadline) {
		if (done) throw new Error(`server exited at start: ${err}`);
		try {
			const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
			if (r.status === 200) return { url, port, proc, exited, stderr: () => err };
		} catch {
			// not up yet
		}
		await sleep(100);
	}
	proc.kill("SIGKILL");
	throw new Error(`server did not answer /healthz within 15 s: ${err}`);
}

/** Stop a server: SIGTERM, then SIGKILL after ms; resolves to its {code, signal}. */
export async function stopServer(srv, ms = 10000) {
	if (srv.proc.exitCode !== null || srv.proc.signalCode !== null) return srv.exited;
	srv.proc.kill("SIGTERM");
	const t = setTimeout(() => srv.proc.kill("SIGKILL"), ms);
	const r = await srv.exited;
	clearTimeout(t);
	return r;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A raw TCP connection to port (from localAddress, default 127.0.0.1) that
 * records what the server sends and when it closes. Resolves once connected,
 * or with {refused: true, error} when the connection fails.
 */
export function rawConnect(port, { localAddress } = {}) {
	return new Promise((resolve) => {
		const sock = net.connect({ host: "127.0.0.1", port, localAddress });
		const c = { sock, data: "", closed: false, closedAt: 0, error: null, refused: false };
		c.closedPromise = new Promise((r) => sock.on("close", () => {
			c.closed = true;
			c.closedAt = Date.now();
			r();
		}));
		sock.on("data", (d) => (c.data += d.toString("latin1")));
		sock.on("error", (e) => {
			c.error = e;
			if (!c.connected) {
				c.refused = true;
				resolve(c);
			}
		});
		sock.on("connect", () => {
			c.connected = true;
			resolve(c);
		});
	});
}

/** Wait until c's received text matches re (or it closes, or ms pass); true if it matched. */
export async function waitFor(c, re, ms = 3000) {
	const until = Date.now() + ms;
	while (Date.now() < until && !re.test(c.data) && !c.closed) await sleep(10);
	return re.test(c.data);
}

/** One HTTP/1.1 request over a fresh connection from localAddress; {status, headers, body, ms}. */
export async function rawRequest(port, text, { localAddress, ms = 3000 } = {}) {
	const t0 = Date.now();
	const c = await rawConnect(port, { localAddress });
	if (c.refused) return { status: 0, error: c.error, ms: Date.now() - t0 };
	c.sock.write(text);
	await waitFor(c, /\r\n\r\n[\s\S]*$/, ms);
	// wait for the whole body when a length is given
	const until = Date.now() + ms;
	while (Date.now() < until && !c.closed) {
		const m = /content-length: *(\d+)/i.exec(c.data);
		const head = c.data.indexOf("\r\n\r\n");
		if (m && head >= 0 && c.data.length - head - 4 >= Number(m[1])) break;
		await sleep(10);
	}
	c.sock.destroy();
	return { ...parseResponse(c.data), ms: Date.now() - t0, error: c.error };
}

/** Parse the first response in raw text: {status, headers (lower-case keys), body}. */
export function parseResponse(text) {
	const head = text.indexOf("\r\n\r\n");
	if (!text.startsWith("HTTP/") || head < 0) return { status: 0, headers: {}, body: "", raw: text };
	const lines = text.slice(0, head).split("\r\n");
	const status = Number(lines[0].split(" ")[1]);
	const headers = {};
	for (const l of lines.slice(1)) {
		const i = l.indexOf(":");
		headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
	}
	return { status, headers, body: text.slice(head + 4), raw: text };
}
