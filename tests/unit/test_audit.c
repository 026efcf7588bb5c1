/*
 * Unit tests of the audit log's signatures: the key file format and the
 * signed texts (core/audit_sign), and on a real SQLite file the checkpoints:
 * signed records and checkpoints, verification states, truncation, forged
 * checkpoints, and a checkpoint refused over a broken chain (app/app_audit).
 */
#include "app/app_audit.h"
#include "app/app_org.h"
#include "core/audit_sign.h"
#include "db/db_backend.h"
#include "unit.h"

#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fixed key pair (seed i repeated): tests need no randomness. */
static void key_pair(int i, unsigned char pk[AUDIT_PK_BYTES], unsigned char sk[AUDIT_SK_BYTES])
{
	unsigned char seed[crypto_sign_SEEDBYTES];
	memset(seed, i, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
}

static void key_files_round_trip(void)
{
	CHECK(sodium_init() >= 0);
	unsigned char pk[AUDIT_PK_BYTES], sk[AUDIT_SK_BYTES];
	key_pair(1, pk, sk);
	struct buf secret = BUF_INIT, public = BUF_INIT;
	audit_keys_format(pk, sk, &secret);
	audit_keys_format(pk, NULL, &public);
	CHECK(strstr(buf_str(&secret), "\nsecret ed25519:") != NULL);
	CHECK(strstr(buf_str(&public), "secret") == NULL);
	char msg[160];
	struct audit_keys k = {0};
	CHECK(audit_keys_parse(buf_str(&secret), true, &k, msg, sizeof msg));
	CHECK(k.can_sign && k.npub == 1 && !memcmp(k.pub[0], pk, sizeof pk));
	/* the id: the first 8 bytes of SHA-256 of the public key, in hex */
	unsigned char h[32];
	char want[AUDIT_KEY_ID_HEX];
	crypto_hash_sha256(h, pk, sizeof pk);
	sodium_bin2hex(want, sizeof want, h, 8);
	CHECK_STR(k.id[0], want);
	/* a public key file holds no secret; the signing key file also serves as one */
	struct audit_keys p = {0};
	CHECK(audit_keys_parse(buf_str(&public), false, &p, msg, sizeof msg));
	CHECK(!p.can_sign && p.npub == 1);
	struct audit_keys p2 = {0};
	CHECK(audit_keys_parse(buf_str(&secret), false, &p2, msg, sizeof msg) && !p2.can_sign);
	CHECK(!audit_keys_parse(buf_str(&public), true, &p2, msg, sizeof msg));
	/* several trusted public keys (a rotation) */
	unsigned char pk2[AUDIT_PK_BYTES], sk2[AUDIT_SK_BYTES];
	key_pair(2, pk2, sk2);
	struct buf two = BUF_INIT;
	audit_keys_format(pk, NULL, &two);
	audit_keys_format(pk2, NULL, &two);
	struct audit_keys t = {0};
	CHECK(audit_keys_parse(buf_str(&two), false, &t, msg, sizeof msg) && t.npub == 2);
	buf_free(&two);
	buf_free(&secret);
	buf_free(&public);
}

static void key_files_refuse_bad_text(void)
{
	unsigned char pk[AUDIT_PK_BYTES], sk[AUDIT_SK_BYTES], pk2[AUDIT_PK_BYTES],
	        sk2[AUDIT_SK_BYTES];
	key_pair(1, pk, sk);
	key_pair(2, pk2, sk2);
	char hp[65], hs[129], hp2[65], text[512], msg[160];
	sodium_bin2hex(hp, sizeof hp, pk, sizeof pk);
	sodium_bin2hex(hs, sizeof hs, sk, sizeof sk);
	sodium_bin2hex(hp2, sizeof hp2, pk2, sizeof pk2);
	struct {
		const char *fmt;
		bool secret;
	} bad[] = {
	        {"public ed25519:%s\n", true},     /* no secret */
	        {"public ed25519:%.63s\n", false}, /* short */
	        {"public rsa:%s\n", false},        /* other algorithm */
	        {"publickey ed25519:%s\n", false}, /* unknown line */
	        {"# only a comment %s\n", false},  /* no public line */
	        {"public ed25519:%sXX\n", false},  /* trailing junk */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct audit_keys k = {0};
		snprintf(text, sizeof text, bad[i].fmt, hp);
		CHECK(!audit_keys_parse(text, bad[i].secret, &k, msg, sizeof msg));
		CHECK(msg[0] != '\0');
	}
	/* a secret key with another key's public line */
	struct audit_keys k = {0};
	snprintf(text, sizeof text, "public ed25519:%s\nsecret ed25519:%s\n", hp2, hs);
	CHECK(!audit_keys_parse(text, true, &k, msg, sizeof msg));
	CHECK(!k.can_sign);
	snprintf(text, sizeof text, "# c\n\npublic ed25519:%s\r\nsecret ed25519:%s\n", hp, hs);
	CHECK(audit_keys_parse(text, true, &k, msg, sizeof msg));
}

static void signatures_cover_what_they_say(void)
{
	unsigned char pk[AUDIT_PK_BYTES], sk[AUDIT_SK_BYTES];
	key_pair(3, pk, sk);
	struct buf kt = BUF_INIT;
	audit_keys_format(pk, sk, &kt);
	struct audit_keys k = {0}, other = {0};
	char msg[160];
	CHECK(audit_keys_parse(buf_str(&kt), true, &k, msg, sizeof msg));
	buf_free(&kt);
	key_pair(4, pk, sk);
	audit_keys_format(pk, sk, &kt);
	CHECK(audit_keys_parse(buf_str(&kt), true, &other, msg, sizeof msg));
	buf_free(&kt);

	const char *h = "1111111111111111111111111111111111111111111111111111111111111111";
	char sig[AUDIT_SIG_HEX];
	audit_record_sign(&k, 7, h, sig);
	CHECK_INT(strlen(sig), 128);
	CHECK(audit_record_check(&k, 7, h, sig));
	CHECK(!audit_record_check(&k, 8, h, sig));
	CHECK(!audit_record_check(&k, 7, audit_genesis, sig));
	CHECK(!audit_record_check(&other, 7, h, sig));
	CHECK(!audit_record_check(&k, 7, h, "00"));
	CHECK(!audit_record_check(&k, 7, h, NULL));

	struct audit_checkpoint c = {
	        .id = 1, .seq = 7, .head = h, .at = "2026-12-04T10:00:00Z", .key_id = k.id[0]};
	struct buf t = BUF_INIT;
	audit_checkpoint_text(&c, &t);
	char want[256];
	snprintf(
	        want, sizeof want,
	        "techbridge-audit-checkpoint v1\nseq 7\nhead %s\nat 2026-12-04T10:00:00Z\nkey %s\n",
	        h, k.id[0]);
	CHECK_STR(buf_str(&t), want);
	buf_free(&t);
	audit_checkpoint_sign(&k, &c, sig);
	c.sig = sig;
	CHECK_INT(audit_checkpoint_check(&k, &c), 1);
	c.seq = 6;
	CHECK_INT(audit_checkpoint_check(&k, &c), 0);
	c.seq = 7;
	CHECK_INT(audit_checkpoint_check(&other, &c), -1); /* a key it does not trust */
	c.key_id = other.id[0];
	CHECK_INT(audit_checkpoint_check(&other, &c), 0);
}

/* ---- on a SQLite file -------------------------------------------------------------- */

static char dbpath[64], keypath[64];

static void fresh(void)
{
	snprintf(dbpath, sizeof dbpath, "/tmp/tb-unit-audit-%d.db", (int)getpid());
	snprintf(keypath, sizeof keypath, "/tmp/tb-unit-audit-%d.key", (int)getpid());
	char p[96];
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", dbpath, suffix[i]);
		unlink(p);
	}
	unlink(keypath);
	snprintf(p, sizeof p, "%s.pub", keypath);
	unlink(p);
}

static void begin(struct app *app, struct app_ctx *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	CHECK(app_ctx_begin(ctx, app) == ERR_OK);
	app_ctx_as_cli(ctx);
}

static void add_org(struct app *app, const char *name)
{
	struct app_ctx ctx;
	begin(app, &ctx);
	struct field_val v[ORG__NFIELDS] = {0};
	v[ORG_KIND] = (struct field_val){.set = true, .s = "university"};
	v[ORG_NAME] = (struct field_val){.set = true, .s = name};
	struct org o;
	CHECK(app_org_create(&ctx, v, &o) == ERR_OK);
	app_ctx_end(&ctx);
}

static void verify(struct app *app, struct audit_verdict *vd)
{
	struct app_ctx ctx;
	begin(app, &ctx);
	CHECK(app_audit_verify(&ctx, vd, NULL, NULL) == ERR_OK);
	app_ctx_end(&ctx);
}

static enum err checkpoint(struct app *app, bool only_if_new, struct audit_cp_result *res)
{
	struct app_ctx ctx;
	begin(app, &ctx);
	enum err e = app_audit_checkpoint(&ctx, only_if_new, res);
	app_ctx_end(&ctx);
	return e;
}

static void script(struct app *app, const char *sql)
{
	struct app_ctx ctx;
	begin(app, &ctx);
	CHECK(db_exec_script(ctx.conn, sql) == ERR_OK);
	app_ctx_end(&ctx);
}

static void checkpoints_anchor_the_chain(void)
{
	fresh();
	struct err_detail d = {0};
	char id[AUDIT_KEY_ID_HEX];
	CHECK(app_audit_keygen(keypath, id, &d) == ERR_OK);
	struct stat st;
	CHECK(stat(keypath, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(app_audit_keygen(keypath, id, &d) == ERR_CONFLICT); /* never overwritten */

	struct app app;
	CHECK(app_open(&app, dbpath, 2, &d) == ERR_OK);
	/* without a key: the chain holds but nothing is checked against one */
	add_org(&app, "一");
	struct audit_verdict vd;
	verify(&app, &vd);
	CHECK_INT(vd.state, AUDIT_NO_KEY);
	struct audit_cp_result res;
	CHECK(checkpoint(&app, false, &res) == ERR_USAGE);
	CHECK(app_audit_keys_load(&app, keypath, NULL, &d) == ERR_OK);
	CHECK(app_audit_can_sign(&app));
	add_org(&app, "二");
	add_org(&app, "三");
	verify(&app, &vd);
	CHECK_INT(vd.state, AUDIT_UNANCHORED);
	CHECK_INT(vd.checked, 3);
	CHECK_INT(vd.signed_records, 2); /* the first was written without the key */

	CHECK(checkpoint(&app, true, &res) == ERR_OK);
	CHECK(res.written && res.seq == 3);
	CHECK_STR(res.key_id, id);
	CHECK(checkpoint(&app, true, &res) == ERR_OK && !res.written); /* nothing new */
	add_org(&app, "四");
	verify(&app, &vd);
	CHECK_INT(vd.state, AUDIT_INTACT);
	CHECK_INT(vd.anchor_seq, 3);
	CHECK_INT(vd.after, 1);
	CHECK(checkpoint(&app, true, &res) == ERR_OK && res.written && res.seq == 4);
	verify(&app, &vd);
	CHECK_INT(vd.state, AUDIT_INTACT);
	CHECK_INT(vd.after, 0);
	CHECK_INT(vd.checkpoints, 2);

	/* the tail removed, head moved back: the checkpoint still says 4 */
	script(&app,
	       "DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_no_update;"
	       "DROP TRIGGER audit_checkpoints_no_delete;"
	       "DELETE FROM audit_log WHERE seq = 4;"
	       "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3)");
	verify(&app, &vd);
	CHECK_INT(vd.state, AUDIT_BROKEN);
	CHECK_INT(vd.broken_at, 4);
	CHECK(strstr(vd.reason, "truncated") != NULL);
	/* ...and no checkpoint is signed over it */
	CHECK(checkpoint(&app, false, &res) == ERR_CONFLICT);

	/* without its checkpoints the chain is unanchored, not intact */
	script(&app, "DELETE FROM audit_checkpoints");
	verify(&app, &vd);
	CHECK_INT(vd.state, AUDIT_UNANCHORED);

	/* a record changed after it was signed is named by its signature */
	CHECK(checkpoint(&app, false, &res) == ERR_OK && res.seq == 3);
	add_org(&app, "五");
	script(&app, "UPDATE audit_log SET sig = (SELECT sig FROM audit_log WHERE seq = 2)"
	             " WHERE seq = 4");
	verify(&app, &vd);
	CHECK_INT(vd.state, AUDIT_BROKEN);
	CHECK_INT(vd.broken_at, 4);
	/* the checkpoint's writer checks the records since the last one first */
	CHECK(checkpoint(&app, false, &res) == ERR_CONFLICT);
	app_close(&app);
}

static void forged_checkpoints_are_reported(void)
{
	fresh();
	struct err_detail d = {0};
	char id[AUDIT_KEY_ID_HEX];
	CHECK(app_audit_keygen(keypath, id, &d) == ERR_OK);
	struct app app;
	CHECK(app_open(&app, dbpath, 2, &d) == ERR_OK);
	CHECK(app_audit_keys_load(&app, keypath, NULL, &d) == ERR_OK);
	add_org(&app, "一");
	struct audit_cp_result res;
	CHECK(checkpoint(&app, false, &res) == ERR_OK);
	char sql[512];
	snprintf(sql, sizeof sql,
	         "INSERT INTO audit_checkpoints (seq, head_hash, at, key_id, signature)"
	         " SELECT seq, hash, '2030-01-01T00:00:00Z', '%s', '%0128d' FROM audit_head",
	         id, 7);
	script(&app, sql);
	struct audit_verdict vd;
	verify(&app, &vd);
	CHECK_INT(vd.state, AUDIT_BROKEN);
	CHECK(vd.bad_checkpoint == 2);
	CHECK(strstr(vd.reason, "does not verify") != NULL);
	/* a key file others can read is refused */
	CHECK(chmod(keypath, 0644) == 0);
	struct app app2;
	CHECK(app_open(&app2, dbpath, 1, &d) == ERR_OK);
	CHECK(app_audit_keys_load(&app2, keypath, NULL, &d) == ERR_INVALID);
	CHECK(strstr(d.message, "read by others") != NULL);
	/* the public key alone verifies */
	char pub[96];
	snprintf(pub, sizeof pub, "%s.pub", keypath);
	CHECK(app_audit_keys_load(&app2, NULL, pub, &d) == ERR_OK);
	CHECK(!app_audit_can_sign(&app2));
	verify(&app2, &vd);
	CHECK_INT(vd.state, AUDIT_BROKEN);
	app_close(&app2);
	app_close(&app);
	fresh();
}

UNIT_MAIN(UNIT_CASE(key_files_round_trip), UNIT_CASE(key_files_refuse_bad_text),
          UNIT_CASE(signatures_cover_what_they_say), UNIT_CASE(checkpoints_anchor_the_chain),
          UNIT_CASE(forged_checkpoints_are_reported))
