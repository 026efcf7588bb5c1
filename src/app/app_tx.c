/* app_tx: write transactions, audit records, idempotency, cursors, list filters. */
#include "app/app_tx.h"

#include "app/app_pii.h"

#include "core/audit.h"
#include "core/audit_sign.h"
#include "core/codes.h"
#include "lib/b64.h"
#include "lib/buf.h"
#include "lib/jw.h"
#include "lib/limits.h"
#include "lib/num.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum { IDEM_HASH_HEX = 2 * crypto_hash_sha256_BYTES + 1 };

/*
 * Keys are scoped per user, so two users cannot replay each other's responses; the anonymous
 * caller and the CLI share user 0.
 */
static int64_t idem_user(const struct app_ctx *ctx)
{
	return ctx->actor.user_id > 0 ? ctx->actor.user_id : 0;
}

/* The hex SHA-256 of the request body (of nothing, when it has none). */
static void idem_body_hash(const struct app_ctx *ctx, char hex[IDEM_HASH_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)(ctx->body ? ctx->body : ""),
	                   ctx->body ? ctx->body_len : 0);
	sodium_bin2hex(hex, IDEM_HASH_HEX, h, sizeof h);
}

/*
 * The key is looked up inside the write transaction, so the check and the stored response
 * commit or roll back with the change. The same key with another method, path or body is a
 * conflict, not a replay: the client meant a different request. On a replay or a conflict the
 * transaction ends here and nothing is written.
 */
enum err app_write_begin(struct app_ctx *ctx)
{
	ctx->break_glass_audited = false;
	enum err e = db_begin_write(ctx->conn);
	if (e)
		return app_db_fail(ctx, e, "begin");
	if (!ctx->idem_key)
		return ERR_OK;
	struct db_rows *r;
	e = db_query(ctx->conn, STMT_IDEM_GET,
	             DB_ARGS(DB_INT(idem_user(ctx)), DB_TEXT(ctx->idem_key)), &r);
	if (e)
		return app_db_fail(ctx, e, "idempotency");
	const char *mismatch = NULL;
	if (db_next(r)) {
		char hash[IDEM_HASH_HEX];
		idem_body_hash(ctx, hash);
		if (strcmp(db_col_text(r, COL_IDEM_METHOD), ctx->method ? ctx->method : "") ||
		    strcmp(db_col_text(r, COL_IDEM_PATH), ctx->path ? ctx->path : ""))
			mismatch = "was already used for a different request";
		/* NULL: stored before bodies were hashed (migration 0006) */
		else if (!db_col_null(r, COL_IDEM_BODY_SHA256) &&
		         strcmp(db_col_text(r, COL_IDEM_BODY_SHA256), hash))
			mismatch = "was already used with a different request body";
		ctx->replayed = !mismatch;
		ctx->replay_status = (int)db_col_i64(r, COL_IDEM_STATUS);
		ctx->replay_location = arena_strdup(&ctx->arena, db_col_text(r, COL_IDEM_LOCATION));
		ctx->replay_body = app_pii_open(ctx, PII_IDEM_BODY, db_col_text(r, COL_IDEM_BODY));
	}
	e = db_done(r);
	if (e)
		return app_db_fail(ctx, e, "idempotency");
	if (mismatch || ctx->replayed)
		db_rollback(ctx->conn);
	if (mismatch)
		return APP_FAIL(ctx, ERR_CONFLICT, "Idempotency-Key", "%s", mismatch);
	return ERR_OK;
}

const char *app_location(struct app_ctx *ctx, const char *key)
{
	if (!ctx->path || !key)
		return NULL;
	ctx->location = arena_printf(&ctx->arena, "%s/%s", ctx->path, key);
	return ctx->location;
}

/*
 * The response is stored in the change's own transaction: no crash can leave a committed
 * change whose key would run it a second time.
 */
enum err app_write_end(struct app_ctx *ctx, enum err e, int status, const char *body,
                       const char *location)
{
	if (!e && ctx->idem_key) {
		char hash[IDEM_HASH_HEX];
		idem_body_hash(ctx, hash);
		e = db_exec(ctx->conn, STMT_IDEM_INSERT,
		            DB_ARGS(DB_INT(idem_user(ctx)), DB_TEXT(ctx->idem_key),
		                    DB_TEXT(ctx->method ? ctx->method : ""),
		                    DB_TEXT(ctx->path ? ctx->path : ""), DB_INT(status),
		                    DB_TEXT(location),
		                    DB_TEXT(app_pii_seal(ctx, PII_IDEM_BODY, body ? body : "")),
		                    DB_TEXT(ctx->now_s), DB_TEXT(hash)),
		            NULL);
		if (e)
			e = app_db_fail(ctx, e, "idempotency");
	}
	if (!e) {
		e = db_commit(ctx->conn);
		if (e)
			e = app_db_fail(ctx, e, "commit");
		return e;
	}
	db_rollback(ctx->conn);
	return e;
}

static enum err audit_append(struct app_ctx *ctx, const char *action, const char *entity,
                             const char *entity_id, const char *before, const char *after);

/*
 * admin is the break-glass role: each write transaction of a signed-in admin
 * starts its audit records with one "break_glass" record naming the request,
 * so such uses stand out and can be reviewed. The CLI (the local operator)
 * is not a break-glass use.
 */
enum err app_audit(struct app_ctx *ctx, const char *action, const char *entity,
                   const char *entity_id, const char *before, const char *after)
{
	if (ctx->actor.user_id > 0 && !ctx->break_glass_audited &&
	    authz_has_role(&ctx->actor, ROLE_ADMIN)) {
		struct buf b = BUF_INIT;
		struct jw w;
		jw_init(&w, &b);
		jw_obj_open(&w);
		jw_kstr(&w, "method", ctx->method);
		jw_kstr(&w, "path", ctx->path);
		jw_kstr(&w, "action", action);
		jw_obj_close(&w);
		enum err e = audit_append(ctx, "break_glass", entity, entity_id, NULL,
		                          app_keep(ctx, &b));
		if (e)
			return e;
		ctx->break_glass_audited = true;
	}
	return audit_append(ctx, action, entity, entity_id, before, after);
}

/*
 * Reading and updating the one-row audit_head in this transaction serialises writers on both
 * stores (FOR UPDATE on PostgreSQL, the write lock on SQLite), so sequence numbers and the
 * hash chain never fork. A missing head is a store failure: migrations create the row, and a
 * chain is never restarted.
 */
static enum err audit_append(struct app_ctx *ctx, const char *action, const char *entity,
                             const char *entity_id, const char *before, const char *after)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_AUDIT_HEAD, DB_NOARGS, &r);
	if (e)
		return app_db_fail(ctx, e, "audit");
	struct audit_record rec = {0};
	char prev[AUDIT_HASH_HEX] = "";
	before = app_pii_image(ctx, before); /* personal data masked (app_pii.h) */
	after = app_pii_image(ctx, after);
	if (db_next(r)) {
		rec.seq = db_col_i64(r, COL_AUDIT_HEAD_SEQ) + 1;
		snprintf(prev, sizeof prev, "%s", db_col_text(r, COL_AUDIT_HEAD_HASH));
	}
	if ((e = db_done(r)) || !rec.seq)
		return app_db_fail(ctx, e ? e : ERR_DB, "audit head");
	rec.at = ctx->now_s;
	rec.actor_id = ctx->actor.user_id > 0 ? ctx->actor.user_id : 0;
	rec.actor = ctx->actor.username[0] ? ctx->actor.username : "anonymous";
	rec.action = action;
	rec.entity = entity;
	rec.entity_id = entity_id;
	rec.before = before;
	rec.after = after;
	rec.request_id = ctx->request_id;
	rec.prev_hash = prev;
	char hash[AUDIT_HASH_HEX];
	audit_hash(&rec, hash);
	/* a process with an audit key signs each record: verify can then name a rewritten one */
	const struct audit_keys *k = ctx->app->audit_keys;
	char sig[AUDIT_SIG_HEX];
	if (k && k->can_sign)
		audit_record_sign(k, rec.seq, hash, sig);
	e = db_exec(ctx->conn, STMT_AUDIT_INSERT,
	            DB_ARGS(DB_INT(rec.seq), DB_TEXT(rec.at),
	                    rec.actor_id ? DB_INT(rec.actor_id) : DB_NULL, DB_TEXT(rec.actor),
	                    DB_TEXT(action), DB_TEXT(entity), DB_TEXT(entity_id), DB_TEXT(before),
	                    DB_TEXT(after), DB_TEXT(rec.request_id), DB_TEXT(prev), DB_TEXT(hash),
	                    DB_TEXT(k && k->can_sign ? sig : NULL)),
	            NULL);
	if (!e)
		e = db_exec(ctx->conn, STMT_AUDIT_HEAD_SET, DB_ARGS(DB_INT(rec.seq), DB_TEXT(hash)),
		            NULL);
	return e ? app_db_fail(ctx, e, "audit") : ERR_OK;
}

/*
 * Anonymous callers get ERR_UNAUTHENTICATED (401) rather than ERR_FORBIDDEN: signing in might
 * allow the action, while a signed-in user's answer is final.
 */
enum err app_allow(struct app_ctx *ctx, enum action act, const struct target *t)
{
	if (authz_allows(&ctx->actor, act, t))
		return ERR_OK;
	if (ctx->actor.user_id == 0)
		return APP_FAIL(ctx, ERR_UNAUTHENTICATED, "", "sign in to %s", action_name(act));
	return APP_FAIL(ctx, ERR_FORBIDDEN, "", "your roles do not allow %s here",
	                action_name(act));
}

/*
 * Each message says whether anything was written and who can act: a full disk needs an
 * operator, an I/O error or a busy store may pass on a retry.
 */
enum err app_db_fail(struct app_ctx *ctx, enum err e, const char *what)
{
	const char *msg = ctx->conn ? db_last_error(ctx->conn) : "";
	if (e == ERR_CONFLICT)
		return APP_FAIL(ctx, e, what, "conflicts with an existing record (%s)", msg);
	if (e == ERR_INVALID)
		return APP_FAIL(ctx, e, what, "breaks a rule of the store (%s)", msg);
	if (e == ERR_UNAVAILABLE)
		return APP_FAIL(ctx, e, "", "the database is busy; try again");
	if (e == ERR_STORAGE_FULL)
		return APP_FAIL(ctx, e, "",
		                "the database's disk is full (%s, in %s): nothing was"
		                " written; an operator must free space",
		                msg, what);
	if (e == ERR_STORAGE_IO)
		return APP_FAIL(ctx, e, "",
		                "the database's disk failed (%s, in %s): nothing was"
		                " written; try again later",
		                msg, what);
	return APP_FAIL(ctx, e ? e : ERR_DB, "", "database failure in %s: %s", what, msg);
}

const char *app_col(struct app_ctx *ctx, struct db_rows *r, int c)
{
	return arena_strdup(&ctx->arena, db_col_text(r, c));
}

const char *app_id_str(struct app_ctx *ctx, int64_t id)
{
	return arena_printf(&ctx->arena, "%lld", (long long)id);
}

const char *app_keep(struct app_ctx *ctx, struct buf *b)
{
	const char *s = arena_strdup(&ctx->arena, buf_str(b));
	buf_free(b);
	return s;
}

/* base64url, so a cursor travels in a query string untouched and reads as opaque to clients. */
const char *app_cursor_encode(struct app_ctx *ctx, char list, const char *key)
{
	size_t n = strlen(key) + 2;
	char *raw = arena_alloc(&ctx->arena, n + 1);
	raw[0] = list;
	raw[1] = ':';
	memcpy(raw + 2, key, n - 2);
	char *out = arena_alloc(&ctx->arena, b64url_encoded_len(n) + 1);
	b64url_encode(raw, n, out);
	return out;
}

/*
 * The key becomes a statement argument as text: a NUL byte or an overlong key is refused as
 * malformed rather than cut short.
 */
enum err app_cursor_decode(struct app_ctx *ctx, char list, const char *cursor, char *out,
                           size_t cap)
{
	size_t n;
	unsigned char raw[256];
	if (!b64url_decode(cursor, raw, sizeof raw - 1, &n) || n < 2 ||
	    raw[0] != (unsigned char)list || raw[1] != ':' || n - 2 >= cap || memchr(raw, 0, n))
		return APP_FAIL(ctx, ERR_MALFORMED, "cursor", "is not a cursor from this list");
	memcpy(out, raw + 2, n - 2);
	out[n - 2] = '\0';
	return ERR_OK;
}

enum err app_cursor_id(struct app_ctx *ctx, char list, const char *cursor, int64_t *id)
{
	char key[24];
	if (app_cursor_decode(ctx, list, cursor, key, sizeof key) ||
	    !num_parse(key, 0, INT64_MAX, id))
		return APP_FAIL(ctx, ERR_MALFORMED, "cursor", "is not a cursor from this list");
	return ERR_OK;
}

enum err app_row_find(struct app_ctx *ctx, enum stmt st, const struct db_val *args, size_t nargs,
                      app_row_fn *row, void *out, const char *what, bool *found)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, st, args, nargs, &r);
	if (e)
		return app_db_fail(ctx, e, what);
	*found = db_next(r);
	if (*found && row)
		row(ctx, r, out);
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, what);
	return ERR_OK;
}

enum err app_row_load(struct app_ctx *ctx, enum stmt st, const struct db_val *args, size_t nargs,
                      app_row_fn *row, void *out, const char *what, const char *field,
                      const char *key)
{
	bool found;
	enum err e = app_row_find(ctx, st, args, nargs, row, out, what, &found);
	if (!e && !found)
		e = APP_FAIL(ctx, ERR_NOT_FOUND, field, "no %s %s", what, key);
	return e;
}

enum err app_row_i64(struct app_ctx *ctx, enum stmt st, const struct db_val *args, size_t nargs,
                     int col, int64_t *v, const char *what)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, st, args, nargs, &r);
	if (e)
		return app_db_fail(ctx, e, what);
	*v = db_next(r) ? db_col_i64(r, col) : 0;
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, what);
	return ERR_OK;
}

/* The list arguments and the limit after them, in args (room for LIST_ARGS_MAX). */
enum { LIST_ARGS_MAX = 32 }; /* the market lists take 25 */
static enum err with_limit(struct app_ctx *ctx, const struct db_val *in, size_t n,
                           struct db_val limit, struct db_val *args)
{
	if (n + 1 > LIST_ARGS_MAX)
		return APP_FAIL(ctx, ERR_INTERNAL, "", "list: %zu arguments, room for %d", n,
		                LIST_ARGS_MAX - 1);
	memcpy(args, in, sizeof *args * n);
	args[n] = limit;
	return ERR_OK;
}

enum err app_rows_all(struct app_ctx *ctx, enum stmt st, const struct db_val *args, size_t nargs,
                      size_t item_size, app_row_fn *row, const char *what, struct page *out)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, st, args, nargs, &r);
	if (e)
		return app_db_fail(ctx, e, what);
	char *items = NULL;
	int n = 0, cap = 0;
	while (db_next(r)) {
		if (n == cap) { /* doubling in the arena: the old array is left to it */
			char *more = arena_alloc(&ctx->arena,
			                         item_size * (size_t)(cap = cap ? 2 * cap : 16));
			if (n)
				memcpy(more, items, item_size * (size_t)n);
			items = more;
		}
		row(ctx, r, items + item_size * (size_t)n++);
	}
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, what);
	*out = (struct page){.items = items, .n = n, .total = n};
	return ERR_OK;
}

enum err app_page_fetch(struct app_ctx *ctx, const struct app_list *l, enum stmt st,
                        const struct db_val *args, size_t nargs, const struct page_req *pr,
                        struct page *out)
{
	struct db_val all[LIST_ARGS_MAX];
	enum err e = with_limit(ctx, args, nargs, DB_INT(pr->limit + 1), all);
	struct db_rows *r;
	if (e || (e = db_query(ctx->conn, st, all, nargs + 1, &r)))
		return e ? e : app_db_fail(ctx, e, l->what);
	char *items = arena_alloc(&ctx->arena, l->item_size * (size_t)(pr->limit + 1));
	int n = 0;
	while (n <= pr->limit && db_next(r))
		l->row(ctx, r, items + l->item_size * (size_t)n++);
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, l->what);
	*out = (struct page){.items = items, .n = n > pr->limit ? pr->limit : n, .total = -1};
	/* the cursor is the last record shown, not the extra row: the next page starts after it */
	if (n > pr->limit) {
		const char *last = items + l->item_size * (size_t)(pr->limit - 1);
		int64_t id;
		memcpy(&id, last + l->key_id, sizeof id);
		out->next_cursor = app_cursor_encode(
		        ctx, l->cursor, l->key_text ? l->key_text(last) : app_id_str(ctx, id));
	}
	return ERR_OK;
}

enum err app_list_count(struct app_ctx *ctx, enum stmt st, const struct db_val *list_args,
                        size_t nargs, struct db_val start, int64_t *total)
{
	if (nargs < 1 || nargs > LIST_ARGS_MAX)
		return APP_FAIL(ctx, ERR_INTERNAL, "", "count: bad argument list");
	struct db_val args[LIST_ARGS_MAX];
	memcpy(args, list_args, sizeof args[0] * nargs);
	args[0] = start;
	return app_row_i64(ctx, st, args, nargs, COL_COUNT, total, "count");
}

/*
 * A province or city code covers every code below it, and those codes sort as one contiguous
 * text range: the list statements compare with >= and <, which the code indexes serve.
 */
enum err app_code_ranges(struct app_ctx *ctx, const char *region, const char *industry, char rlo[7],
                         char rhi[7], char ilo[6], char ihi[6])
{
	char code[7];
	const char *why;
	rlo[0] = rhi[0] = ilo[0] = ihi[0] = '\0';
	if (region) {
		if (!region_code_normalise(region, code))
			return APP_FAIL(ctx, ERR_INVALID, "region", "must be a region code");
		region_code_range(code, rlo, rhi);
	}
	if (industry) {
		if (!industry_code_check(industry, &why))
			return APP_FAIL(ctx, ERR_INVALID, "industry", "%s", why);
		industry_code_range(industry, ilo, ihi);
	}
	return ERR_OK;
}

/*
 * The user's % and _ would otherwise be wildcards: they are escaped with the backslash the
 * list statements declare (ESCAPE '\').
 */
const char *app_like_pattern(struct app_ctx *ctx, const char *q)
{
	if (!q || !*q)
		return NULL;
	struct buf b = BUF_INIT;
	buf_putc(&b, '%');
	for (const char *p = q; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, *p);
	}
	buf_putc(&b, '%');
	return app_keep(ctx, &b);
}
