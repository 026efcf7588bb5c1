// `techbridge export titles`: the same titles as GET /api/v1/titles, as CSV, JSON
// Lines and XLSX, through the export machinery of `export organisations`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, bin, db } from "./lib.mjs";

function tb(args) {
	const r = spawnSync(bin, ["--db", db, ...args], { encoding: "utf8", env: { ...process.env, TECHBRIDGE_DB: "" } });
	if (r.error) throw r.error;
	return r;
}

test("export titles as CSV, JSON Lines and XLSX", { skip: !db && "TB_DB not set" }, async () => {
	const listed = (await api("GET", "/api/v1/titles?limit=500")).json.items;
	assert.ok(listed.length > 0, "the demo has titles");
	let r = tb(["export", "titles"]);
	assert.equal(r.status, 0, r.stderr);
	const lines = r.stdout.trim().split("\n");
	assert.equal(lines[0], "id,org_id,credit_code,org_name,tier,since,until,state,batch,province,ruleset,data_due,data_update_missed,revoked_reason,ban_until");
	const ids = lines.slice(1).map((l) => Number(l.split(",")[0]));
	assert.ok(listed.every((t) => ids.includes(t.id)), "every listed title is exported");
	assert.match(r.stderr, /exported \d+ titles/);

	r = tb(["export", "titles", "--format", "jsonl", "--tier", "innovative_sme"]);
	assert.equal(r.status, 0, r.stderr);
	const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
	assert.ok(rows.length > 0 && rows.every((t) => t.tier === "innovative_sme"));
	const one = listed.find((t) => t.id === rows[0].id);
	assert.equal(rows[0].data_update_missed, one.data_update_missed);
	assert.equal(rows[0].credit_code, one.credit_code);

	const dir = mkdtempSync(join(tmpdir(), "tb-export-titles-"));
	try {
		const out = join(dir, "titles.xlsx");
		r = tb(["export", "titles", "--format", "xlsx", "--output", out]);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(readFileSync(out).subarray(0, 2).toString(), "PK", "an XLSX (zip) file");
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	r = tb(["export", "licences"]);
	assert.equal(r.status, 1);
	assert.match(r.stderr, /one of organisations\|titles/);
	r = tb(["export", "titles", "--format", "xlsx"]);
	assert.equal(r.status, 1, "xlsx needs --output");
});
