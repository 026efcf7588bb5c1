// Helpers for the API tests (node --test). tests/run starts a server on a fresh
// database and sets:
//   TB_URL             base URL of the server, e.g. http://127.0.0.1:27001
//   TB_DB              the database URL the server uses (SQLite path or postgresql://...)
//   TB_BIN             path of the techbridge binary (for CLI round trips)
//   TB_ADMIN_USER      admin user created by `techbridge demo` (default "admin")
//   TB_ADMIN_PASSWORD  its password (default "admin-demo-password")
import { randomInt } from "node:crypto";

export const base = (process.env.TB_URL || "http://127.0.0.1:8080").replace(/\/+$/, "");
export const db = process.env.TB_DB || "";
export const bin = process.env.TB_BIN || "build/techbridge";
export const adminUser = process.env.TB_ADMIN_USER || "admin";
export const adminPassword = process.env.TB_ADMIN_PASSWORD || "admin-demo-password";

/**
 * One HTTP request. body: an object (sent as JSON), a string or a Buffer (sent as
 * is). Never throws on an HTTP status; redirects are not followed.
 * Returns {status, headers (a Headers), json (parsed body or null), text}.
 */
export async function api(method, path, { token, body, headers = {} } = {}) {
	const h = { accept: "application/json", ...headers };
	if (token) h.authorization = `Bearer ${token}`;
	let payload;
	if (body !== undefined) {
		if (typeof body === "string" || body instanceof Uint8Array) {
			payload = body;
		} else {
			payload = JSON.stringify(body);
		}
		if (!Object.keys(h).some((k) => k.toLowerCase() === "content-type")) {
			h["content-type"] = "application/json";
		}
	}
	const res = await fetch(base + path, { method, headers: h, body: payload, redirect: "manual" });
	const text = await res.text();
	let json = null;
	if (text !== "") {
		try {
			json = JSON.parse(text);
		} catch {
			json = null;
		}
	}
	return { status: res.status, headers: res.headers, json, text };
}

/** Logs in (POST /api/v1/sessions) and returns the bearer token; throws on failure. */
export async function login(username, password) {
	const r = await api("POST", "/api/v1/sessions", { body: { username, password } });
	const token = r.json && (r.json.token ?? r.json.access_token);
	if ((r.status !== 200 && r.status !== 201) || typeof token !== "string") {
		throw new Error(`login as ${username} failed: ${r.status} ${r.text.slice(0, 300)}`);
	}
	return token;
}

let adminTokenPromise = null;

/** The admin's token, logged in once per test process. */
export function adminToken() {
	if (!adminTokenPromise) {
		adminTokenPromise = login(adminUser, adminPassword);
		adminTokenPromise.catch(() => {
			adminTokenPromise = null; // let a later call retry
		});
	}
	return adminTokenPromise;
}

// Unified social credit code (GB 32100-2015):
//   1     registration department   ("9": market regulation)
//   2     organisation type         ("1": enterprise)
//   3-8   administrative region (GB/T 2260)
//   9-17  organisation code (GB 11714), whose 9th character is its own check digit
//   18    check character over 1-17
const USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"; // no I, O, Z, S, V
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];
const REGIONS = ["320505", "110108", "440305", "330106", "310115", "420111"];

/** GB 11714 value of a character: digits 0-9, letters A=10 ... Z=35. */
function orgValue(ch) {
	return /[0-9]/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55;
}

/** The GB 11714 check digit for an 8-character organisation code body. */
export function orgCheckDigit(body8) {
	let sum = 0;
	for (let i = 0; i < 8; i++) sum += orgValue(body8[i]) * ORG_WEIGHTS[i];
	const c = 11 - (sum % 11);
	return c === 10 ? "X" : c === 11 ? "0" : String(c);
}

/** The GB 32100 check character for the first 17 characters of a code. */
export function creditCheckChar(first17) {
	let sum = 0;
	for (let i = 0; i < 17; i++) {
		const v = USCC_CHARSET.indexOf(first17[i]);
		if (v < 0) throw new Error(`invalid credit code character ${first17[i]}`);
		sum += v * USCC_WEIGHTS[i];
	}
	const c = 31 - (sum % 31);
	return USCC_CHARSET[c === 31 ? 0 : c];
}

/** True when code is a well-formed unified social credit code with both check characters right. */
export function isValidCreditCode(code) {
	if (typeof code !== "string" || !/^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) {
		return false;
	}
	return orgCheckDigit(code.slice(8, 16)) === code[16] && creditCheckChar(code.slice(0, 17)) === code[17];
}

// Unique per process: a random start in the 31^8 space of organisation code
// bodies, then a counter; parallel test processes start far apart.
const ORG_SPACE = 31 ** 8;
let orgSeq = randomInt(0, 2 ** 47) % ORG_SPACE;

/**
 * A valid, unique 18-character unified social credit code, e.g. "91320505MA1B2C3D4K".
 * options.prefix: the 2 registration characters (default "91"); options.region: 6 digits
 * (default: one of a few real district codes).
 */
export function uniqueCreditCode({ prefix = "91", region } = {}) {
	region = region ?? REGIONS[randomInt(0, REGIONS.length)];
	let n = orgSeq;
	orgSeq = (orgSeq + 1) % ORG_SPACE;
	let body = "";
	for (let i = 0; i < 8; i++) {
		body = USCC_CHARSET[n % 31] + body;
		n = Math.floor(n / 31);
	}
	const first17 = prefix + region + body + orgCheckDigit(body);
	return first17 + creditCheckChar(first17);
}

// ---- helpers shared by the API test files ---------------------------------------
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

/** Every demo user's password is the admin's (techbridge demo). */
export const demoPassword = adminPassword;

/** A short unique token (lower case letters and digits) for names and usernames. */
export function uniqueToken(prefix = "t") {
	return `${prefix}${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
}

/** One line describing a response, for assertion messages. */
export function describe(r, what = "") {
	return `${what ? what + ": " : ""}got ${r.status} ${r.text.slice(0, 600)}`;
}

/** Assert r has the given status (a number or an array of numbers). */
export function expectStatus(r, status, what = "") {
	const ok = Array.isArray(status) ? status.includes(r.status) : r.status === status;
	assert.ok(ok, `${what ? what + ": " : ""}expected ${status}, ${describe(r)}`);
	return r;
}

/**
 * Assert r is an RFC 9457 problem with this status (number or array); when field
 * is given, errors[] must name it.
 */
export function expectProblem(r, status, field, what = "") {
	expectStatus(r, status, what);
	const w = `${what ? what + ": " : ""}${describe(r)}`;
	assert.match(r.headers.get("content-type") || "", /^application\/problem\+json/, `content type; ${w}`);
	assert.ok(r.json && typeof r.json === "object", `problem body is JSON; ${w}`);
	assert.equal(r.json.status, r.status, `problem "status" equals the HTTP status; ${w}`);
	assert.equal(typeof r.json.title, "string", `problem has a title; ${w}`);
	assert.equal(typeof r.json.type, "string", `problem has a type; ${w}`);
	if (field !== undefined) {
		const fields = (r.json.errors || []).map((e) => e.field);
		assert.ok(fields.includes(field), `errors[] names "${field}" (names: ${JSON.stringify(fields)}); ${w}`);
	}
	return r;
}

const tokenCache = new Map();

/** A cached session token for a demo user (one login per user per process). */
export function tokenFor(username, password = demoPassword) {
	if (username === adminUser && password === adminPassword) return adminToken();
	const key = `${username}\0${password}`;
	if (!tokenCache.has(key)) {
		const p = login(username, password);
		p.catch(() => tokenCache.delete(key));
		tokenCache.set(key, p);
	}
	return tokenCache.get(key);
}

/**
 * Create a user as admin with a unique username; roles: grant bodies to add.
 * Returns {id, username, password, user, grants}.
 */
export async function createUser({ prefix = "u", roles = [], fields = {} } = {}) {
	const admin = await adminToken();
	const username = uniqueToken(prefix);
	const password = `pw-${randomBytes(6).toString("hex")}`;
	const r = await api("POST", "/api/v1/users", { token: admin, body: { username, password, ...fields } });
	expectStatus(r, 201, `create user ${username}`);
	const grants = [];
	for (const g of roles) {
		const gr = await api("POST", `/api/v1/users/${r.json.id}/roles`, { token: admin, body: g });
		expectStatus(gr, 201, `grant ${JSON.stringify(g)} to ${username}`);
		grants.push(gr.json);
	}
	return { id: r.json.id, username, password, user: r.json, grants };
}

/** Create an organisation (as admin unless token is given); returns the 201 body. */
export async function createOrg(fields = {}, token) {
	token = token ?? (await adminToken());
	const body = {
		kind: "enterprise",
		name: uniqueToken("Org "),
		credit_code: uniqueCreditCode({ region: "320505" }),
		region_code: "320000",
		...fields,
	};
	const r = await api("POST", "/api/v1/organisations", { token, body });
	expectStatus(r, 201, `create organisation ${JSON.stringify(body)}`);
	return r.json;
}
