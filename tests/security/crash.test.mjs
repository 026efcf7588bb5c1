// kill -9 under load: 8 clients create and rename organisations through the
// API, each keeping what was acknowledged; the server is killed with SIGKILL
// at a random moment and started again, three times. Every acknowledged write
// must be there and the audit chain must verify. On SQLite a copy of the
// shared database; on PostgreSQL the shared database itself (only the
// techbridge server of the test's own is killed, never PostgreSQL).
// tools/crashtest runs more rounds.
import assert from "node:assert/strict";
import { test } from "node:test";
import { crashRounds } from "./crash-lib.mjs";
import { isPg, ownDb, tempDir } from "./own-server.mjs";

test(`kill -9 under load, 3 rounds (${isPg ? "PostgreSQL" : "SQLite"}): no acknowledged write lost, audit chain intact`, async () => {
	const tmp = tempDir();
	try {
		const r = await crashRounds(ownDb(tmp.dir), { rounds: 3, clients: 8 });
		assert.deepEqual(r.lost, [], `acknowledged writes lost (of ${r.writes})`);
		assert.deepEqual(r.errors, [], "5xx answers under load");
		assert.ok(r.writes >= 24, `only ${r.writes} acknowledged writes in 3 rounds: the test proved little`);
		assert.ok(r.audit.ok, `audit verify (exit ${r.audit.status}): ${r.audit.out}`);
	} finally {
		tmp.cleanup();
	}
});
