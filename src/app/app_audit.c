/* app_audit: audit log reading, chain verification, keys and signed checkpoints. */
#include "app/app_audit.h"
#include "app/app_keyfile.h"

#include "app/app_tx.h"
#include "lib/buf.h"
#include "lib/jw.h"
#include "lib/num.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A row of AUDIT_ROW (stmt_audit.def) into an entry, its text in the ctx arena. */
static void entry_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct audit_entry *a = item;
	struct arena *ar = &ctx->arena;
	memset(a, 0, sizeof *a);
	a->r.seq = db_col_i64(r, COL_AUDIT_SEQ);
	a->r.at = arena_strdup(ar, db_col_text(r, COL_AUDIT_AT));
	a->r.actor_id = db_col_null(r, COL_AUDIT_ACTOR_ID) ? 0 : db_col_i64(r, COL_AUDIT_ACTOR_ID);
	a->r.actor = arena_strdup(ar, db_col_text(r, COL_AUDIT_ACTOR));
	a->r.action = arena_strdup(ar, db_col_text(r, COL_AUDIT_ACTION));
	a->r.entity = arena_strdup(ar, db_col_text(r, COL_AUDIT_ENTITY));
	a->r.entity_id = arena_strdup(ar, db_col_text(r, COL_AUDIT_ENTITY_ID));
	a->r.before = arena_strdup(ar, db_col_text(r, COL_AUDIT_BEFORE));
	a->r.after = arena_strdup(ar, db_col_text(r, COL_AUDIT_AFTER));
	a->r.request_id = arena_strdup(ar, db_col_text(r, COL_AUDIT_REQUEST_ID));
	a->r.prev_hash = arena_strdup(ar, db_col_text(r, COL_AUDIT_PREV_HASH));
	a->hash = arena_strdup(ar, db_col_text(r, COL_AUDIT_HASH));
	a->sig = arena_strdup(ar, db_col_text(r, COL_AUDIT_SIG));
}

enum err app_audit_list(struct app_ctx *ctx, const struct audit_filter *f,
                        const struct page_req *pr, struct page *out)
{
	enum err e = app_allow(ctx, ACT_AUDIT_READ, NULL);
	if (e)
		return e;
	int64_t before_seq = INT64_MAX;
	if (pr->cursor && (e = app_cursor_id(ctx, 'a', pr->cursor, &before_seq)))
		return e;
	const struct db_val args[] = {DB_INT(before_seq),    DB_TEXT(f->entity),
	                              DB_TEXT(f->entity),    DB_TEXT(f->entity_id),
	                              DB_TEXT(f->entity_id), DB_TEXT(f->actor),
	                              DB_TEXT(f->actor)};
	enum { NARGS = sizeof args / sizeof args[0] };
	/* one record's history starts from its index; other filters walk the log */
	bool one = f->entity && f->entity_id;
	static const struct app_list list = {.cursor = 'a',
	                                     .what = "audit",
	                                     .item_size = sizeof(struct audit_entry),
	                                     .row = entry_row,
	                                     .key_id = offsetof(struct audit_entry, r.seq)};
	if ((e = app_page_fetch(ctx, &list, one ? STMT_AUDIT_LIST_BY_ENTITY : STMT_AUDIT_LIST, args,
	                        NARGS, pr, out)))
		return e;
	/*
	 * the total is of the whole filtered log: the count starts above every seq, whatever the
	 * cursor
	 */
	if (pr->count &&
	    (e = app_list_count(ctx, one ? STMT_AUDIT_COUNT_BY_ENTITY : STMT_AUDIT_COUNT, args,
	                        NARGS, DB_INT(INT64_MAX), &out->total)))
		return e;
	return ERR_OK;
}

/* The part of the chain being checked, and what was found. */
struct chain_scan {
	const struct audit_keys *keys; /* NULL: signatures are not checked */
	int64_t last_signed;           /* seq of the last record whose signature verified */
	int64_t checked, signed_records;
	int64_t broken_at;
	char reason[320];
	char prev[AUDIT_HASH_HEX]; /* hash of the last good record */
};

/* "record N" or "records A..N": where the first bad record is, given the last good point. */
/*
 * An unsigned record rewritten with its successors rehashed shows only at the next signed
 * record, whose signature no longer verifies: the first bad record lies somewhere after the
 * last good signature, so without one right before it a range is named.
 */
static void name_first_bad(char *out, size_t n, int64_t good, int64_t bad)
{
	if (good + 1 >= bad)
		snprintf(out, n, "record %lld", (long long)bad);
	else
		snprintf(out, n, "one of records %lld..%lld (unsigned)", (long long)good + 1,
		         (long long)bad);
}

/*
 * Check the records after sc->checked (whose hash is sc->prev): sequence,
 * link, hash and signature. Stops at the first bad one. Resets the ctx arena
 * between batches.
 */
static enum err scan_chain(struct app_ctx *ctx, struct chain_scan *sc,
                           void (*progress)(int64_t done, void *arg), void *arg)
{
	enum { BATCH = 5000 };
	int64_t expect = sc->checked + 1;
	for (;;) {
		struct db_rows *r;
		enum err e = db_query(ctx->conn, STMT_AUDIT_SCAN,
		                      DB_ARGS(DB_INT(expect - 1), DB_INT(BATCH)), &r);
		if (e)
			return app_db_fail(ctx, e, "audit");
		int got = 0;
		while (!sc->broken_at && db_next(r)) {
			struct audit_entry a;
			entry_row(ctx, r, &a);
			got++;
			char h[AUDIT_HASH_HEX];
			audit_hash(&a.r, h);
			if (a.r.seq != expect)
				snprintf(sc->reason, sizeof sc->reason,
				         "sequence gap: expected %lld", (long long)expect);
			else if (strcmp(a.r.prev_hash ? a.r.prev_hash : "", sc->prev))
				snprintf(sc->reason, sizeof sc->reason,
				         "link broken: prev_hash is not the hash of record %lld",
				         (long long)expect - 1);
			else if (strcmp(a.hash ? a.hash : "", h))
				snprintf(sc->reason, sizeof sc->reason,
				         "content changed: stored hash does not match the record");
			if (sc->reason[0]) {
				sc->broken_at = expect;
				break;
			}
			if (sc->keys && a.sig) {
				if (!audit_record_check(sc->keys, a.r.seq, h, a.sig)) {
					/* a rewritten or inserted record cannot carry a valid signature */
					char where[96];
					name_first_bad(where, sizeof where, sc->last_signed,
					               a.r.seq);
					snprintf(sc->reason, sizeof sc->reason,
					         "the signature of record %lld does not verify: %s "
					         "was "
					         "rewritten or inserted (or signed by an untrusted "
					         "key)",
					         (long long)a.r.seq, where);
					sc->broken_at = sc->last_signed + 1;
					break;
				}
				sc->last_signed = a.r.seq;
				sc->signed_records++;
			}
			memcpy(sc->prev, h, sizeof sc->prev);
			sc->checked++;
			expect++;
			if (progress && sc->checked % 100000 == 0)
				progress(sc->checked, arg);
		}
		if ((e = db_done(r)))
			return app_db_fail(ctx, e, "audit");
		arena_reset(&ctx->arena);
		if (sc->broken_at || got < BATCH)
			return ERR_OK;
	}
}

/* The head row must name the last record: a removed tail with an old head shows here. */
static enum err check_head(struct app_ctx *ctx, struct chain_scan *sc)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_AUDIT_HEAD, DB_NOARGS, &r);
	if (e)
		return app_db_fail(ctx, e, "audit");
	if (db_next(r) && (db_col_i64(r, COL_AUDIT_HEAD_SEQ) != sc->checked ||
	                   strcmp(db_col_text(r, COL_AUDIT_HEAD_HASH), sc->prev))) {
		sc->broken_at = sc->checked + 1;
		snprintf(sc->reason, sizeof sc->reason,
		         "the chain head (seq %lld) does not match the last record (seq %lld):"
		         " records were removed",
		         (long long)db_col_i64(r, COL_AUDIT_HEAD_SEQ), (long long)sc->checked);
	}
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "audit");
	return ERR_OK;
}

/* The seq of the last validly signed record before `seq` (the scan verified them all). */
static enum err last_signed_before(struct app_ctx *ctx, int64_t seq, int64_t *out)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_AUDIT_LAST_SIGNED, DB_ARGS(DB_INT(seq)), &r);
	if (e)
		return app_db_fail(ctx, e, "audit");
	*out = db_next(r) && !db_col_null(r, COL_AUDIT_MAX_SEQ) ? db_col_i64(r, COL_AUDIT_MAX_SEQ)
	                                                        : 0;
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "audit");
	return ERR_OK;
}

/* A checkpoint from an AUDIT_CP row, or from an AUDIT_CP_SCAN row (which begins alike). */
_Static_assert((int)COL_AUDIT_CPS_ID == (int)COL_AUDIT_CP_ID &&
                       (int)COL_AUDIT_CPS_SEQ == (int)COL_AUDIT_CP_SEQ &&
                       (int)COL_AUDIT_CPS_HEAD_HASH == (int)COL_AUDIT_CP_HEAD_HASH &&
                       (int)COL_AUDIT_CPS_AT == (int)COL_AUDIT_CP_AT &&
                       (int)COL_AUDIT_CPS_KEY_ID == (int)COL_AUDIT_CP_KEY_ID &&
                       (int)COL_AUDIT_CPS_SIGNATURE == (int)COL_AUDIT_CP_SIGNATURE,
               "a scanned checkpoint row begins as a checkpoint row");
static void cp_from_row(struct app_ctx *ctx, struct db_rows *r, struct audit_checkpoint *c)
{
	c->id = db_col_i64(r, COL_AUDIT_CP_ID);
	c->seq = db_col_i64(r, COL_AUDIT_CP_SEQ);
	c->head = app_col(ctx, r, COL_AUDIT_CP_HEAD_HASH);
	c->at = app_col(ctx, r, COL_AUDIT_CP_AT);
	c->key_id = app_col(ctx, r, COL_AUDIT_CP_KEY_ID);
	c->sig = app_col(ctx, r, COL_AUDIT_CP_SIGNATURE);
}

/*
 * Every checkpoint against the verified chain (sc->checked records, all
 * good): each must be signed by a trusted key, and the chain's hash at its
 * seq must be the head it signed. The first failure, by seq, is reported.
 */
static enum err check_checkpoints(struct app_ctx *ctx, const struct chain_scan *sc,
                                  struct audit_verdict *v)
{
	enum { BATCH = 1000 };
	int64_t after_seq = -1, after_id = 0, good = 0; /* good: last seq known authentic */
	for (;;) {
		struct db_rows *r;
		enum err e = db_query(ctx->conn, STMT_AUDIT_CP_SCAN,
		                      DB_ARGS(DB_INT(after_seq), DB_INT(after_seq),
		                              DB_INT(after_id), DB_INT(BATCH)),
		                      &r);
		if (e)
			return app_db_fail(ctx, e, "audit checkpoints");
		int got = 0;
		int64_t mismatch_seq = 0;
		while (!v->bad_checkpoint && db_next(r)) {
			struct audit_checkpoint c;
			cp_from_row(ctx, r, &c);
			const char *at_seq = c.seq == 0 ? audit_genesis
			                                : app_col(ctx, r, COL_AUDIT_CPS_LOG_HASH);
			got++;
			after_seq = c.seq, after_id = c.id;
			int ok = audit_checkpoint_check(ctx->app->audit_keys, &c);
			if (ok != 1) {
				v->bad_checkpoint = c.id;
				snprintf(v->reason, sizeof v->reason,
				         ok < 0 ? "checkpoint %lld (record %lld, %s) is signed by "
				                  "key %s,"
				                  " which is not a trusted audit key: forged"
				                : "checkpoint %lld (record %lld, %s): its "
				                  "signature does"
				                  " not verify with key %s: forged or altered",
				         (long long)c.id, (long long)c.seq, c.at ? c.at : "?",
				         c.key_id ? c.key_id : "?");
			} else if (c.seq > sc->checked) {
				v->bad_checkpoint = c.id;
				v->broken_at = sc->checked + 1;
				snprintf(v->reason, sizeof v->reason,
				         "truncated: checkpoint %lld (%s) signed %lld records, the "
				         "log"
				         " has %lld: records %lld..%lld were removed",
				         (long long)c.id, c.at, (long long)c.seq,
				         (long long)sc->checked, (long long)sc->checked + 1,
				         (long long)c.seq);
			} else if (!at_seq || strcmp(at_seq, c.head)) {
				v->bad_checkpoint = c.id;
				mismatch_seq = c.seq;
				snprintf(
				        v->reason, sizeof v->reason,
				        "the chain up to record %lld is not the one checkpoint %lld"
				        " (%s) signed: records were rewritten, inserted or removed",
				        (long long)c.seq, (long long)c.id, c.at);
			} else {
				good = c.seq;
				v->checkpoints++;
				v->anchor_id = c.id;
				v->anchor_seq = c.seq;
				snprintf(v->anchor_at, sizeof v->anchor_at, "%s", c.at);
				snprintf(v->anchor_key, sizeof v->anchor_key, "%s", c.key_id);
			}
		}
		if ((e = db_done(r)))
			return app_db_fail(ctx, e, "audit checkpoints");
		if (mismatch_seq) {
			/* the first bad record follows the last authentic point before it */
			int64_t sig_good = 0;
			if ((e = last_signed_before(ctx, mismatch_seq + 1, &sig_good)))
				return e;
			if (sig_good == mismatch_seq) /* signed yet changed: cannot happen */
				sig_good = good;
			if (sig_good > good)
				good = sig_good;
			char where[96];
			name_first_bad(where, sizeof where, good, mismatch_seq);
			size_t n = strlen(v->reason);
			snprintf(v->reason + n, sizeof v->reason - n,
			         "; the first bad record is %s", where);
			v->broken_at = good + 1;
		}
		arena_reset(&ctx->arena);
		if (v->bad_checkpoint || got < BATCH)
			return ERR_OK;
	}
}

/*
 * Checkpoints are checked only against trusted public keys: without them a forged checkpoint
 * would pass as well as a real one, so the verdict is "not verified" rather than "intact"
 * (docs/SECURITY.md).
 */
enum err app_audit_verify(struct app_ctx *ctx, struct audit_verdict *v,
                          void (*progress)(int64_t done, void *arg), void *arg)
{
	enum err e = app_allow(ctx, ACT_AUDIT_READ, NULL);
	if (e)
		return e;
	memset(v, 0, sizeof *v);
	const struct audit_keys *k = ctx->app->audit_keys;
	struct chain_scan sc = {.keys = k && k->npub ? k : NULL};
	memcpy(sc.prev, audit_genesis, sizeof sc.prev);
	/* one read transaction: a consistent snapshot of log, head and checkpoints */
	if ((e = db_begin(ctx->conn)))
		return app_db_fail(ctx, e, "audit");
	if (!(e = scan_chain(ctx, &sc, progress, arg)) && !sc.broken_at)
		e = check_head(ctx, &sc);
	v->checked = sc.checked + (sc.broken_at ? 1 : 0);
	v->signed_records = sc.signed_records;
	if (!e && sc.broken_at) {
		v->broken_at = sc.broken_at;
		snprintf(v->reason, sizeof v->reason, "%s", sc.reason);
	} else if (!e && sc.keys) {
		e = check_checkpoints(ctx, &sc, v);
	}
	db_rollback(ctx->conn);
	if (e)
		return e;
	if (v->broken_at || v->bad_checkpoint)
		v->state = AUDIT_BROKEN;
	else if (!sc.keys)
		v->state = AUDIT_NO_KEY;
	else if (!v->anchor_id)
		v->state = AUDIT_UNANCHORED;
	else
		v->state = AUDIT_INTACT;
	v->after = v->anchor_id ? sc.checked - v->anchor_seq : sc.checked;
	return ERR_OK;
}

/*
 * before and after are stored as JSON text (the records' own JSON forms) and written raw; the
 * chain fields are left to the export form, audit_entry_export_json.
 */
void audit_entry_to_json(const struct audit_entry *a, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "seq", a->r.seq);
	jw_kstr(&w, "at", a->r.at);
	jw_key(&w, "actor_id");
	if (a->r.actor_id)
		jw_i64(&w, a->r.actor_id);
	else
		jw_null(&w);
	jw_kstr(&w, "actor", a->r.actor);
	jw_kstr(&w, "action", a->r.action);
	jw_kstr(&w, "entity", a->r.entity);
	jw_kstr(&w, "entity_id", a->r.entity_id);
	jw_key(&w, "before");
	jw_raw(&w, a->r.before ? a->r.before : "null");
	jw_key(&w, "after");
	jw_raw(&w, a->r.after ? a->r.after : "null");
	jw_kstr(&w, "request_id", a->r.request_id);
	jw_kstr(&w, "hash", a->hash);
	jw_obj_close(&w);
}

void audit_entry_export_json(const struct audit_entry *a, struct buf *out)
{
	struct buf b = BUF_INIT;
	audit_entry_to_json(a, &b);
	/* the API's object with the chain fields added before its closing brace */
	if (b.len && b.data[b.len - 1] == '}')
		b.data[--b.len] = '\0';
	buf_puts(out, buf_str(&b));
	buf_free(&b);
	struct jw w;
	jw_init(&w, out);
	buf_putc(out, ','); /* a fresh writer puts no comma before its first member */
	jw_kstr(&w, "prev_hash", a->r.prev_hash);
	jw_kstr(&w, "sig", a->sig);
	buf_putc(out, '}');
}

void audit_checkpoint_to_json(const struct audit_checkpoint *c, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", c->id);
	jw_ki64(&w, "seq", c->seq);
	jw_kstr(&w, "head", c->head);
	jw_kstr(&w, "at", c->at);
	jw_kstr(&w, "key_id", c->key_id);
	jw_kstr(&w, "signature", c->sig);
	jw_obj_close(&w);
}

/*
 * A checkpoint kept off the host catches what the stored ones cannot: the newest records
 * removed together with the newest checkpoints (a rollback). A verdict of BROKEN or NOT
 * VERIFIED stands; a good external checkpoint may become the anchor.
 */
enum err app_audit_verify_external(struct app_ctx *ctx, const struct audit_checkpoint *c,
                                   const char *where, struct audit_verdict *v)
{
	enum err e = app_allow(ctx, ACT_AUDIT_READ, NULL);
	if (e || v->state == AUDIT_BROKEN || v->state == AUDIT_NO_KEY)
		return e;
	int ok = audit_checkpoint_check(ctx->app->audit_keys, c);
	if (ok != 1) {
		v->state = AUDIT_BROKEN;
		v->bad_checkpoint = c->id ? c->id : -1;
		snprintf(v->reason, sizeof v->reason,
		         ok < 0 ? "%s: the exported checkpoint %lld is signed by key %s, which is "
		                  "not"
		                  " a trusted audit key"
		                : "%s: the exported checkpoint %lld does not verify with key %s",
		         where, (long long)c->id, c->key_id ? c->key_id : "?");
		return ERR_OK;
	}
	if (c->seq > v->checked) {
		v->state = AUDIT_BROKEN;
		v->bad_checkpoint = c->id ? c->id : -1;
		v->broken_at = v->checked + 1;
		snprintf(v->reason, sizeof v->reason,
		         "%s: the exported checkpoint %lld (%s) signed %lld records, the log has "
		         "%lld:"
		         " records %lld..%lld were removed (rolled back or truncated)",
		         where, (long long)c->id, c->at, (long long)c->seq, (long long)v->checked,
		         (long long)v->checked + 1, (long long)c->seq);
		return ERR_OK;
	}
	struct db_rows *r;
	if ((e = db_query(ctx->conn, STMT_AUDIT_HASH_AT, DB_ARGS(DB_INT(c->seq)), &r)))
		return app_db_fail(ctx, e, "audit");
	const char *h = c->seq == 0  ? audit_genesis
	                : db_next(r) ? db_col_text(r, COL_AUDIT_ONE_HASH)
	                             : NULL;
	bool same = h && c->head && !strcmp(h, c->head);
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "audit");
	if (!same) {
		int64_t good = 0;
		if ((e = last_signed_before(ctx, c->seq + 1, &good)))
			return e;
		if (good == c->seq)
			good = 0;
		char at[96];
		name_first_bad(at, sizeof at, good, c->seq);
		v->state = AUDIT_BROKEN;
		v->bad_checkpoint = c->id ? c->id : -1;
		v->broken_at = good + 1;
		snprintf(v->reason, sizeof v->reason,
		         "%s: the chain up to record %lld is not the one the exported checkpoint "
		         "%lld"
		         " (%s) signed; the first bad record is %s",
		         where, (long long)c->seq, (long long)c->id, c->at, at);
		return ERR_OK;
	}
	v->external++;
	if (!v->anchor_id || c->seq > v->anchor_seq) {
		v->anchor_id = c->id ? c->id : -1;
		v->anchor_seq = c->seq;
		snprintf(v->anchor_at, sizeof v->anchor_at, "%s", c->at ? c->at : "");
		snprintf(v->anchor_key, sizeof v->anchor_key, "%s", c->key_id);
		v->after = v->checked - c->seq;
	}
	v->state = AUDIT_INTACT;
	return ERR_OK;
}

/* ---- keys ---------------------------------------------------------------------- */

/*
 * The signing key must be readable by its owner only (as ssh insists for its keys), and its
 * text is wiped from memory once parsed; a failure leaves the process without keys rather than
 * with half of them.
 */
enum err app_audit_keys_load(struct app *app, const char *key_file, const char *pub_file,
                             struct err_detail *d)
{
	if (!key_file && !pub_file)
		return ERR_OK;
	struct audit_keys *k = calloc(1, sizeof *k);
	if (!k)
		return err_set(d, ERR_INTERNAL, "", "out of memory");
	char *text = malloc(AUDIT_KEYFILE_MAX);
	char msg[160];
	enum err e = text ? ERR_OK : err_set(d, ERR_INTERNAL, "", "out of memory");
	if (!e && key_file &&
	    !(e = app_keyfile_read(key_file, "audit-key", "audit key", true, text,
	                           AUDIT_KEYFILE_MAX, d))) {
		if (!audit_keys_parse(text, true, k, msg, sizeof msg))
			e = err_set(d, ERR_INVALID, "audit-key", "%s: %s", key_file, msg);
		sodium_memzero(text, AUDIT_KEYFILE_MAX);
	}
	if (!e && pub_file &&
	    !(e = app_keyfile_read(pub_file, "audit-pubkey", "audit public key", false, text,
	                           AUDIT_KEYFILE_MAX, d)) &&
	    !audit_keys_parse(text, false, k, msg, sizeof msg))
		e = err_set(d, ERR_INVALID, "audit-pubkey", "%s: %s", pub_file, msg);
	free(text);
	if (e) {
		sodium_memzero(k, sizeof *k);
		free(k);
		return e;
	}
	app->audit_keys = k;
	return ERR_OK;
}

bool app_audit_can_sign(const struct app *app)
{
	return app->audit_keys && app->audit_keys->can_sign;
}

/*
 * Both names are checked before a key is generated, so nothing is written when either exists;
 * if the public half cannot be written the secret is removed too, leaving no key without its
 * .pub file.
 */
enum err app_audit_keygen(const char *path, char key_id[AUDIT_KEY_ID_HEX], struct err_detail *d)
{
	if (sodium_init() < 0)
		return err_set(d, ERR_INTERNAL, "", "libsodium failed to initialise");
	char pub[4096];
	int n = snprintf(pub, sizeof pub, "%s.pub", path);
	if (n < 0 || (size_t)n >= sizeof pub)
		return err_set(d, ERR_INVALID, "FILE", "the file name is too long");
	struct stat st;
	if (lstat(path, &st) == 0 || lstat(pub, &st) == 0)
		return err_set(d, ERR_CONFLICT, "FILE",
		               "%s exists: an audit key is never overwritten",
		               lstat(path, &st) == 0 ? path : pub);
	unsigned char pk[AUDIT_PK_BYTES], sk[AUDIT_SK_BYTES];
	crypto_sign_keypair(pk, sk);
	struct buf secret = BUF_INIT, public = BUF_INIT;
	audit_keys_format(pk, sk, &secret);
	audit_keys_format(pk, NULL, &public);
	sodium_memzero(sk, sizeof sk);
	enum err e = app_keyfile_create(path, "an audit key", 0600, &secret, d);
	if (!e && (e = app_keyfile_create(pub, "an audit key", 0644, &public, d)))
		unlink(path);
	if (secret.data)
		sodium_memzero(secret.data, secret.len);
	buf_free(&secret);
	buf_free(&public);
	audit_key_id(pk, key_id);
	return e;
}

/* ---- checkpoints ------------------------------------------------------------------ */

/* Whether the chain since checkpoint c (NULL: since the start) is intact up to head. */
/*
 * Only the records after the latest checkpoint are scanned, since its signature vouches for
 * the chain up to it: signing stays cheap on a long log. A mismatch at the checkpoint itself
 * needs the whole chain scanned to name the first bad record.
 */
static enum err check_since(struct app_ctx *ctx, const struct audit_checkpoint *c, int64_t head_seq,
                            const char *head_hash)
{
	struct chain_scan sc = {.keys = ctx->app->audit_keys};
	memcpy(sc.prev, audit_genesis, sizeof sc.prev);
	if (c) {
		if (c->seq > head_seq)
			return APP_FAIL(ctx, ERR_CONFLICT, "audit",
			                "the log has %lld records but checkpoint %lld signed %lld:"
			                " truncated; not signing (run audit verify)",
			                (long long)head_seq, (long long)c->id, (long long)c->seq);
		struct db_rows *r;
		enum err e = db_query(ctx->conn, STMT_AUDIT_HASH_AT, DB_ARGS(DB_INT(c->seq)), &r);
		if (e)
			return app_db_fail(ctx, e, "audit");
		const char *h = c->seq == 0  ? audit_genesis
		                : db_next(r) ? db_col_text(r, COL_AUDIT_ONE_HASH)
		                             : NULL;
		bool same = h && !strcmp(h, c->head);
		if ((e = db_done(r)))
			return app_db_fail(ctx, e, "audit");
		if (!same) {
			/* rewritten before the checkpoint: the whole chain names the record */
			int64_t good = 0;
			if (!(e = scan_chain(ctx, &sc, NULL, NULL)) && !sc.broken_at)
				e = last_signed_before(ctx, c->seq + 1, &good);
			if (e)
				return e;
			return APP_FAIL(
			        ctx, ERR_CONFLICT, "audit",
			        "the audit chain is broken at record %lld (%s): not signing",
			        (long long)(sc.broken_at ? sc.broken_at : good + 1),
			        sc.broken_at ? sc.reason
			                     : "the chain is not the one the latest checkpoint"
			                       " signed");
		}
		sc.checked = sc.last_signed = c->seq;
		snprintf(sc.prev, sizeof sc.prev, "%s", c->head);
	}
	enum err e = scan_chain(ctx, &sc, NULL, NULL);
	if (!e && !sc.broken_at && (sc.checked != head_seq || strcmp(sc.prev, head_hash))) {
		sc.broken_at = sc.checked + 1;
		snprintf(sc.reason, sizeof sc.reason,
		         "the chain head does not match the last record");
	}
	if (!e && sc.broken_at)
		return APP_FAIL(ctx, ERR_CONFLICT, "audit",
		                "the audit chain is broken at record %lld (%s): not signing",
		                (long long)sc.broken_at, sc.reason);
	return e;
}

/*
 * A chain is signed only once checked: a checkpoint over a tampered log would vouch for the
 * tampering (docs/SECURITY.md). The write transaction holds writers back, so the head signed
 * is the head that was checked.
 */
enum err app_audit_checkpoint(struct app_ctx *ctx, bool only_if_new, struct audit_cp_result *out)
{
	memset(out, 0, sizeof *out);
	enum err e = app_allow(ctx, ACT_AUDIT_READ, NULL);
	if (e)
		return e;
	const struct audit_keys *k = ctx->app->audit_keys;
	if (!k || !k->can_sign)
		return APP_FAIL(
		        ctx, ERR_USAGE, "audit-key",
		        "no audit signing key: give --audit-key FILE or TECHBRIDGE_AUDIT_KEY");
	/* the head is read FOR UPDATE (PostgreSQL) or under BEGIN IMMEDIATE: writers wait */
	if ((e = db_begin_write(ctx->conn)))
		return app_db_fail(ctx, e, "audit");
	struct db_rows *r;
	if ((e = db_query(ctx->conn, STMT_AUDIT_HEAD, DB_NOARGS, &r)))
		return app_db_fail(ctx, e, "audit");
	bool have_head = db_next(r);
	out->seq = have_head ? db_col_i64(r, COL_AUDIT_HEAD_SEQ) : 0;
	snprintf(out->head, sizeof out->head, "%s",
	         have_head ? db_col_text(r, COL_AUDIT_HEAD_HASH) : "");
	if ((e = db_done(r)) || !have_head)
		return app_db_fail(ctx, e ? e : ERR_DB, "audit head");
	struct audit_checkpoint last = {0};
	char last_head[AUDIT_HASH_HEX] = "", last_at[INSTANT_STR] = "";
	char last_key[AUDIT_KEY_ID_HEX] = "", last_sig[AUDIT_SIG_HEX] = "";
	if ((e = db_query(ctx->conn, STMT_AUDIT_CP_LATEST, DB_NOARGS, &r)))
		return app_db_fail(ctx, e, "audit checkpoints");
	bool have_last = db_next(r);
	if (have_last) {
		/* copied out of the arena: the chain scan resets it */
		last.id = db_col_i64(r, COL_AUDIT_CP_ID);
		last.seq = db_col_i64(r, COL_AUDIT_CP_SEQ);
		snprintf(last_head, sizeof last_head, "%s", db_col_text(r, COL_AUDIT_CP_HEAD_HASH));
		snprintf(last_at, sizeof last_at, "%s", db_col_text(r, COL_AUDIT_CP_AT));
		snprintf(last_key, sizeof last_key, "%s", db_col_text(r, COL_AUDIT_CP_KEY_ID));
		snprintf(last_sig, sizeof last_sig, "%s", db_col_text(r, COL_AUDIT_CP_SIGNATURE));
		last.head = last_head, last.at = last_at, last.key_id = last_key,
		last.sig = last_sig;
	}
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "audit checkpoints");
	if (have_last && audit_checkpoint_check(k, &last) != 1)
		return APP_FAIL(
		        ctx, ERR_CONFLICT, "audit",
		        "the latest checkpoint (%lld, key %s) does not verify with the trusted"
		        " keys: not signing (run audit verify)",
		        (long long)last.id, last_key);
	if (only_if_new && have_last && last.seq == out->seq) {
		db_rollback(ctx->conn);
		return ERR_OK;
	}
	if ((e = check_since(ctx, have_last ? &last : NULL, out->seq, out->head)))
		return e;
	struct audit_checkpoint c = {
	        .seq = out->seq, .head = out->head, .at = ctx->now_s, .key_id = k->id[0]};
	char sig[AUDIT_SIG_HEX];
	audit_checkpoint_sign(k, &c, sig);
	e = db_exec(ctx->conn, STMT_AUDIT_CP_INSERT,
	            DB_ARGS(DB_INT(c.seq), DB_TEXT(c.head), DB_TEXT(c.at), DB_TEXT(c.key_id),
	                    DB_TEXT(sig)),
	            NULL);
	if (!e)
		e = db_commit(ctx->conn);
	if (e)
		return app_db_fail(ctx, e, "audit checkpoint");
	out->written = true;
	snprintf(out->key_id, sizeof out->key_id, "%s", k->id[0]);
	return ERR_OK;
}

struct audit_ticker {
	struct app *app;
	int seconds;
	void (*report)(const char *line);
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
};

/* One checkpoint if there were writes since the last, reported. */
static void tick(struct audit_ticker *t)
{
	struct app_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	char line[480];
	line[0] = '\0';
	enum err e = app_ctx_begin(&ctx, t->app);
	struct audit_cp_result res;
	if (!e) {
		app_ctx_as_cli(&ctx);
		e = app_audit_checkpoint(&ctx, true, &res);
	}
	if (e)
		snprintf(line, sizeof line, "audit checkpoint failed: %s",
		         ctx.err.message[0] ? ctx.err.message : err_title(e));
	else if (res.written)
		snprintf(line, sizeof line, "audit checkpoint: %lld records, head %.16s, key %s",
		         (long long)res.seq, res.head, res.key_id);
	app_ctx_end(&ctx);
	if (line[0] && t->report)
		t->report(line);
}

/*
 * A timed wait on the condition rather than sleep: app_audit_ticker_stop wakes the thread at
 * once instead of waiting out the interval.
 */
static void *ticker_main(void *arg)
{
	struct audit_ticker *t = arg;
	pthread_mutex_lock(&t->mu);
	while (!t->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += t->seconds;
		while (!t->stop && pthread_cond_timedwait(&t->cv, &t->mu, &until) != ETIMEDOUT)
			;
		if (t->stop)
			break;
		pthread_mutex_unlock(&t->mu);
		tick(t);
		pthread_mutex_lock(&t->mu);
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

struct audit_ticker *app_audit_ticker_start(struct app *app, int seconds,
                                            void (*report)(const char *line))
{
	if (!app_audit_can_sign(app))
		return NULL;
	struct audit_ticker *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->app = app;
	t->seconds = seconds > 0 ? seconds : 60;
	t->report = report;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	/* the thread starts with every signal blocked: SIGTERM is the server's to sigwait for */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&t->thread, NULL, ticker_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->mu);
		free(t);
		return NULL;
	}
	return t;
}

void app_audit_ticker_stop(struct audit_ticker *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = true;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	tick(t); /* the writes of the last interval */
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

/* ---- exports ------------------------------------------------------------------- */

/*
 * In batches by id, with the arena reset between them: any number of checkpoints in bounded
 * memory.
 */
enum err app_audit_checkpoints_each(struct app_ctx *ctx,
                                    void (*fn)(const struct audit_checkpoint *c, void *arg),
                                    void *arg)
{
	enum err e = app_allow(ctx, ACT_AUDIT_READ, NULL);
	if (e)
		return e;
	enum { BATCH = 1000 };
	int64_t after = 0;
	for (;;) {
		struct db_rows *r;
		if ((e = db_query(ctx->conn, STMT_AUDIT_CP_LIST,
		                  DB_ARGS(DB_INT(after), DB_INT(BATCH)), &r)))
			return app_db_fail(ctx, e, "audit checkpoints");
		int got = 0;
		while (db_next(r)) {
			struct audit_checkpoint c;
			cp_from_row(ctx, r, &c);
			fn(&c, arg);
			after = c.id;
			got++;
		}
		if ((e = db_done(r)))
			return app_db_fail(ctx, e, "audit checkpoints");
		arena_reset(&ctx->arena);
		if (got < BATCH)
			return ERR_OK;
	}
}

enum err app_audit_range(struct app_ctx *ctx, const char *from, const char *to,
                         void (*fn)(const struct audit_entry *a, void *arg), void *arg)
{
	enum err e = app_allow(ctx, ACT_AUDIT_READ, NULL);
	if (e)
		return e;
	enum { BATCH = 2000 };
	int64_t after = 0;
	/* one snapshot, so the export is a consistent piece of the chain */
	if ((e = db_begin(ctx->conn)))
		return app_db_fail(ctx, e, "audit");
	for (;;) {
		struct db_rows *r;
		if ((e = db_query(ctx->conn, STMT_AUDIT_RANGE,
		                  DB_ARGS(DB_INT(after), DB_TEXT(from), DB_TEXT(to), DB_INT(BATCH)),
		                  &r)))
			return app_db_fail(ctx, e, "audit");
		int got = 0;
		while (db_next(r)) {
			struct audit_entry a;
			entry_row(ctx, r, &a);
			fn(&a, arg);
			after = a.r.seq;
			got++;
		}
		if ((e = db_done(r)))
			return app_db_fail(ctx, e, "audit");
		arena_reset(&ctx->arena);
		if (got < BATCH)
			break;
	}
	db_rollback(ctx->conn);
	return ERR_OK;
}
