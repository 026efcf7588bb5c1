// The crash test's rounds, shared by tests/security/crash.test.mjs (three
// rounds in the suite) and tools/crashtest (as many as asked): concurrent
// clients create and rename organisations through the API, each keeping the
// writes that were acknowledged (2xx); the server is killed with SIGKILL at a
// random moment and started again; every acknowledged write must be there.
import { spawnSync } from "node:child_process";
import { adminPassword, adminUser, bin, uniqueCreditCode, uniqueToken } from "../api/lib.mjs";
import { sleep, startServer } from "./own-server.mjs";

async function call(url, method, path, { token, body } = {}) {
	const headers = { accept: "application/json" };
	if (token) headers.authorization = `Bearer ${token}`;
	if (body) headers["content-type"] = "application/json";
	const r = await fetch(url + path, {
		method,
		headers,
		body: body && JSON.stringify(body),
		signal: AbortSignal.timeout(10000),
	});
	const text = await r.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {
		// not JSON
	}
	return { status: r.status, json, text };
}

/** One client: create an organisation, rename it twice, again, until stopped. */
async function client(url, token, acked, state) {
	while (!state.stop) {
		try {
			const body = { kind: "enterprise", name: uniqueToken("Crash "), credit_code: uniqueCreditCode({ region: "320505" }), region_code: "320000" };
			const c = await call(url, "POST", "/api/v1/organisations", { token, body });
			if (c.status !== 201) {
				if (c.status >= 500) state.errors.push(`create: ${c.status} ${c.text.slice(0, 200)}`);
				continue;
			}
			acked.set(c.json.id, { name: c.json.name, version: c.json.version });
			state.writes++;
			let version = c.json.version;
			for (let i = 0; i < 2 && !state.stop; i++) {
				const name = uniqueToken("Renamed ");
				const p = await call(url, "PATCH", `/api/v1/organisations/${c.json.id}`, { token, body: { version, name } });
				if (p.status !== 200) {
					if (p.status >= 500) state.errors.push(`rename: ${p.status} ${p.text.slice(0, 200)}`);
					break;
				}
				version = p.json.version;
				acked.set(c.json.id, { name: p.json.name, version });
				state.writes++;
			}
		} catch {
			// the server was killed under this request: not acknowledged, not counted
			await sleep(20);
		}
	}
}

/** Every acknowledged write is in the store: the record, at its acknowledged version or later. */
async function checkAcked(url, token, acked) {
	const lost = [];
	for (const [id, want] of acked) {
		const r = await call(url, "GET", `/api/v1/organisations/${id}`, { token });
		if (r.status !== 200) lost.push(`organisation ${id}: ${r.status}`);
		else if (r.json.version < want.version) lost.push(`organisation ${id}: version ${r.json.version}, acknowledged ${want.version}`);
		else if (r.json.version === want.version && r.json.name !== want.name) lost.push(`organisation ${id}: name ${r.json.name}, acknowledged ${want.name}`);
	}
	return lost;
}

/**
 * Whether `techbridge audit verify` found the chain whole. Exit 0 is whole; a
 * chain without a signed checkpoint may be reported "unanchored" with a non-zero
 * status, which says nothing about breakage: accepted when nothing says broken.
 */
export function auditVerify(db) {
	const r = spawnSync(bin, ["--db", db, "audit", "verify"], { encoding: "utf8" });
	const out = `${r.stdout}${r.stderr}`;
	const broken = /broken|mismatch|tamper|missing|forged/i.test(out);
	const ok = !broken && (r.status === 0 || /unanchored|intact|unbroken/i.test(out));
	return { ok, status: r.status, out: out.trim() };
}

/**
 * Run `rounds` kill -9 rounds on the database `db` with `clients` clients each.
 * flags: extra serve flags (e.g. ["--sync", "full"]). Returns
 * {rounds, writes, lost: [...], errors: [...], audit}.
 */
export async function crashRounds(db, { rounds = 3, clients = 8, flags = [], minMs = 300, maxMs = 1500, log = () => {} } = {}) {
	const acked = new Map();
	const result = { rounds, writes: 0, lost: [], errors: [], audit: null };
	let token = null;
	for (let round = 1; round <= rounds; round++) {
		const srv = await startServer(db, flags);
		if (!token) {
			const l = await call(srv.url, "POST", "/api/v1/sessions", { body: { username: adminUser, password: adminPassword } });
			if (l.status !== 201) throw new Error(`sign-in: ${l.status} ${l.text}`);
			token = l.json.token;
		}
		// what earlier rounds acknowledged survived their kill
		result.lost.push(...(await checkAcked(srv.url, token, acked)).map((x) => `before round ${round}: ${x}`));
		const state = { stop: false, writes: 0, errors: result.errors };
		const running = Array.from({ length: clients }, () => client(srv.url, token, acked, state));
		const at = minMs + Math.floor(Math.random() * (maxMs - minMs));
		await sleep(at);
		srv.proc.kill("SIGKILL");
		await srv.exited;
		state.stop = true;
		await Promise.all(running);
		result.writes += state.writes;
		log(`round ${round}: killed after ${at} ms, ${state.writes} acknowledged writes`);
	}
	const srv = await startServer(db, flags);
	result.lost.push(...(await checkAcked(srv.url, token, acked)).map((x) => `after the last round: ${x}`));
	srv.proc.kill("SIGTERM");
	await srv.exited;
	result.audit = auditVerify(db);
	return result;
}
