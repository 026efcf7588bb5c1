// Helpers for the sign-in attacks: requests from another loopback address (the
// server tells addresses apart; Linux routes all of 127.0.0.0/8 to lo), a server
// of the test's own (for flags like --session-idle, and for floods that must not
// disturb the shared server), and TOTP codes (RFC 6238) computed independently.
import http from "node:http";
import { createHmac } from "node:crypto";
import { base, db } from "../api/lib.mjs";
import { startServer as startOwnServer, stopServer } from "./own-server.mjs";

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

/**
 * A server of the test's own on the shared database (TB_DB), with extra serve
 * flags. Returns {url, stop()}; stop() sends SIGTERM and waits for the exit.
 */
export async function startServer(flags = []) {
	const srv = await startOwnServer(db, flags);
	return { url: srv.url, stop: () => stopServer(srv) };
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
