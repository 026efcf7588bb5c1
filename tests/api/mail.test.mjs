// `techbridge mail drain`: the e-mail outbox handed to an SMTP relay. A tiny fake
// SMTP server records the dialogue; a rejected recipient stays queued with its error
// and is tried again by the next drain.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { spawn } from "node:child_process";
import { api, bin, db, login, createOrg, createUser, uniqueToken } from "./lib.mjs";

let server;
let port;
const sessions = []; // one array of {cmd} / {data} per connection
const rejected = new Set(); // recipients the fake relay refuses

before(async () => {
	server = net.createServer((sock) => {
		const log = [];
		sessions.push(log);
		let buf = "";
		let inData = false;
		sock.setEncoding("utf8");
		sock.write("220 fake.smtp ESMTP ready\r\n");
		sock.on("data", (chunk) => {
			buf += chunk;
			for (;;) {
				if (inData) {
					const end = buf.indexOf("\r\n.\r\n");
					if (end < 0) return;
					log.push({ data: buf.slice(0, end + 2) });
					buf = buf.slice(end + 5);
					inData = false;
					sock.write("250 2.0.0 queued\r\n");
					continue;
				}
				const nl = buf.indexOf("\r\n");
				if (nl < 0) return;
				const line = buf.slice(0, nl);
				buf = buf.slice(nl + 2);
				log.push({ cmd: line });
				const verb = line.slice(0, 4).toUpperCase();
				if (verb === "RCPT" && [...rejected].some((r) => line.includes(r))) sock.write("550 5.1.1 no such user here\r\n");
				else if (verb === "DATA") { inData = true; sock.write("354 end with .\r\n"); }
				else if (verb === "QUIT") { sock.end("221 bye\r\n"); return; }
				else sock.write(verb === "HELO" ? "250-fake.smtp\r\n250 hello\r\n" : "250 ok\r\n");
			}
		});
		sock.on("error", () => {});
	});
	await new Promise((res) => server.listen(0, "127.0.0.1", res));
	port = server.address().port;
});

after(() => server && server.close());

function drain(args = []) {
	return new Promise((resolve, reject) => {
		const p = spawn(bin, ["--db", db, "mail", "drain", "--smtp", `127.0.0.1:${port}`, ...args],
			{ env: { ...process.env, TECHBRIDGE_DB: "" } });
		let stderr = "";
		p.stderr.on("data", (d) => { stderr += d; });
		p.on("error", reject);
		p.on("close", (status) => resolve({ status, stderr }));
	});
}

// An enterprise whose administrator has an e-mail address, and an application a
// reviewer returns with a reason: one notification, one mail in the outbox.
async function queueMail(email, reason) {
	const org = await createOrg();
	const u = await createUser({ prefix: "mail", roles: [{ role: "org_admin", org_id: org.id }], fields: { email } });
	const ent = await login(u.username, u.password);
	let r = await api("POST", "/api/v1/applications", { token: ent, body: { org_id: org.id, tier: "innovative_sme" } });
	assert.equal(r.status, 201, r.text);
	r = await api("POST", `/api/v1/applications/${r.json.id}/submit`, { token: ent, body: { version: r.json.version } });
	assert.equal(r.status, 200, r.text);
	const rev = await login("reviewer", process.env.TB_ADMIN_PASSWORD || "admin-demo-password");
	r = await api("POST", `/api/v1/applications/${r.json.id}/return`, { token: rev, body: { version: r.json.version, reason } });
	assert.equal(r.status, 200, r.text);
}

test("mail drain speaks SMTP, encodes the subject, dot-stuffs, keeps failures queued", { skip: !db && "TB_DB not set" }, async () => {
	const good = `${uniqueToken("ok")}@example.com`;
	const bad = `${uniqueToken("no")}@example.com`;
	rejected.add(bad);
	await queueMail(good, "请补充材料\n.这一行以点开头");
	await queueMail(bad, "请补充审计报告");

	let r = await drain(["--from", "noreply@techbridge.example"]);
	assert.equal(r.status, 3, `a refused recipient makes the exit status 3\n${r.stderr}`);
	assert.match(r.stderr, /no such user here/);
	const log = sessions.at(-1);
	const cmds = log.filter((x) => x.cmd).map((x) => x.cmd);
	assert.equal(cmds[0], "HELO techbridge");
	assert.ok(cmds.includes("MAIL FROM:<noreply@techbridge.example>"));
	assert.ok(cmds.includes(`RCPT TO:<${good}>`));
	assert.ok(cmds.includes(`RCPT TO:<${bad}>`));
	assert.ok(cmds.includes("RSET"), "a refusal resets the session for the next mail");
	assert.equal(cmds.at(-1), "QUIT");
	const msg = log.find((x) => x.data && x.data.includes(`To: ${good}`)).data;
	assert.match(msg, /^From: noreply@techbridge\.example\r\n/m);
	assert.match(msg, /^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\r\n/m);
	assert.match(msg, /^Message-ID: <outbox-\d+\.\d+@techbridge>\r\n/m);
	assert.match(msg, /^Content-Type: text\/plain; charset=UTF-8\r\n/m);
	const subject = /^Subject: (.*(?:\r\n .*)*)\r\n/m.exec(msg)[1];
	assert.doesNotMatch(subject, /[^\x20-\x7e\r\n]/, "the subject header is ASCII on the wire");
	const words = [...subject.matchAll(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=/g)].map((m) => Buffer.from(m[1], "base64"));
	assert.equal(Buffer.concat(words).toString("utf8"), "[技术桥 techbridge] return");
	assert.match(msg, /\r\n\.\.这一行以点开头\r\n/, "a line starting with a dot is dot-stuffed");
	assert.doesNotMatch(msg, /[^\r]\n/, "every line ends in CRLF");

	// the sent mail is done; the refused one is tried again
	r = await drain();
	const again = sessions.at(-1).filter((x) => x.cmd).map((x) => x.cmd);
	assert.ok(again.includes(`RCPT TO:<${bad}>`), "the failure stayed queued");
	assert.ok(!again.includes(`RCPT TO:<${good}>`), "the sent mail is not sent twice");
	rejected.delete(bad);
	r = await drain();
	assert.ok(sessions.at(-1).some((x) => x.cmd === `RCPT TO:<${bad}>`));
	assert.ok(!r.stderr.includes(bad), r.stderr);

	// an empty queue needs no relay; an unreachable relay loses nothing
	const closed = net.createServer();
	await new Promise((res) => closed.listen(0, "127.0.0.1", res));
	const deadPort = closed.address().port;
	await new Promise((res) => closed.close(res));
	const dead = (extra = []) => new Promise((res) => {
		const p = spawn(bin, ["--db", db, "mail", "drain", "--smtp", `127.0.0.1:${deadPort}`, ...extra],
			{ env: { ...process.env, TECHBRIDGE_DB: "" } });
		let err = "";
		p.stderr.on("data", (d) => { err += d; });
		p.on("close", (status) => res({ status, stderr: err }));
	});
	r = await dead();
	assert.equal(r.status, 0, `an empty queue needs no relay\n${r.stderr}`);
	const late = `${uniqueToken("late")}@example.com`;
	await queueMail(late, "请补充材料");
	r = await dead();
	assert.equal(r.status, 3, r.stderr);
	assert.match(r.stderr, /cannot connect/);
	r = await drain();
	assert.equal(r.status, 0, r.stderr);
	assert.ok(sessions.at(-1).some((x) => x.cmd === `RCPT TO:<${late}>`), "kept and sent later");
});

test("mail drain refuses bad flags", { skip: !db && "TB_DB not set" }, async () => {
	const p = spawn(bin, ["--db", db, "mail", "drain"], { env: { ...process.env, TECHBRIDGE_DB: "" } });
	assert.equal(await new Promise((res) => p.on("close", res)), 1);
	const q = spawn(bin, ["--db", db, "mail", "drain", "--smtp", "127.0.0.1:25", "--from", "a b"], { env: { ...process.env, TECHBRIDGE_DB: "" } });
	assert.equal(await new Promise((res) => q.on("close", res)), 1);
});
