// Helpers for the sign-in attacks: requests from another loopback address (the
// server tells addresses apart; Linux routes all of 127.0.0.0/8 to lo), a server
// of the test's own (for flags like --session-idle, and for floods that must not
// disturb the shared server), and TOTP codes (RFC 6238) computed independently.
import http from "node:http";
import net from "node:net";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { base, bin, db } from "../api/lib.mjs";

/**
 * One request to `url` (default: the shared server) from local address `from`.
 * Returns {status, headers (plain object), json, text}.
 */
export function apiFrom(from, method, path, { token, body, url = base } = {}) {
	const u = new URL(url + path);
	const payload = body === undefined ? undefined : JSON.stringify(body);
	const headers = { accept: "application/json" };
	if (token) headers.authorization = `Bearer ${token}`;
	if (payload !== undefined) {
		headers["content-type"] = "application/json";
		headers["content-length"] = Buffer.byteLength(payload);
	}
	return new Promise((resolve, reject) => {
		const req = http.request(
			{ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, localAddress: from, agent: false },
			(res) => {
				const chunks = [];
				res.on("data", (c) => chunks.push(c));
				res.on("end", () => {
					const text = Buffer.concat(chunks).toString("utf8");
					let json = null;
					try {
						json = text ? JSON.parse(text) : null;
					} catch {
						json = null;
					}
					resolve({ status: res.statusCode, headers: res.headers, json, text });
				});
			},
		);
		req.on("error", reject);
		req.setTimeout(60000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
		if (payload !== undefined) req.write(payload);
		req.end();
	});
}

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on("error", reject);
		s.listen(0, "127.0.0.1", () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

/**
 * A server of the test's own on the shared database (TB_DB), with extra serve
 * flags. Returns {url, stop()}; stop() sends SIGTERM and waits for the exit.
 */
export async function startServer(flags = []) {
	for (let attempt = 0; attempt < 3; attempt++) {
		const port = await freePort();
		const url = `http://127.0.0.1:${port}`;
		const child = spawn(bin, ["--db", db, "serve", "--listen", `127.0.0.1:${port}`, "--workers", "2", "--access-log", "off", ...flags], {
			stdio: ["ignore", "ignore", "pipe"],
		});
		let stderr = "";
		child.stderr.on("data", (c) => (stderr += c));
		const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
		const deadline = Date.now() + 15000;
		while (Date.now() < deadline && child.exitCode === null) {
			try {
				const r = await fetch(`${url}/healthz`);
				if (r.status === 200) {
					return {
						url,
						stop: async () => {
							child.kill("SIGTERM");
							const t = setTimeout(() => child.kill("SIGKILL"), 10000);
							await exited;
							clearTimeout(t);
						},
					};
				}
			} catch {
				/* not up yet */
			}
			await new Promise((r) => setTimeout(r, 100));
		}
		child.kill("SIGKILL");
		await exited;
		if (attempt === 2) throw new Error(`server did not start: ${stderr}`);
	}
	throw new Error("unreachable");
}

function base32Decode(s) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	let bits = 0;
	let value = 0;
	const out = [];
	for (const ch of s.replace(/=+$/, "").toUpperCase()) {
		const v = alphabet.indexOf(ch);
		if (v < 0) throw new Error(`not base32: ${ch}`);
		value = (value << 5) | v;
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

/** The RFC 6238 code (6 digits, 30 s, SHA-1) of a base32 secret at unix second `at`. */
export function totpCode(secret, at = Date.now() / 1000) {
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(Math.floor(at / 30)));
	const h = createHmac("sha1", base32Decode(secret)).update(counter).digest();
	const off = h[h.length - 1] & 0xf;
	const n = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
	return String(n % 1000000).padStart(6, "0");
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
