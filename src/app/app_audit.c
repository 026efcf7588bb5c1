/* app_audit: audit log reading and chain verification. */
#include "app/app_audit.h"

#include "app/app_tx.h"
#include "lib/buf.h"
#include "lib/jw.h"
#include "lib/num.h"

#include <stdio.h>
#include <stddef.h>
#include <string.h>

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
	if (pr->count &&
	    (e = app_list_count(ctx, one ? STMT_AUDIT_COUNT_BY_ENTITY : STMT_AUDIT_COUNT, args,
	                        NARGS, DB_INT(INT64_MAX), &out->total)))
		return e;
	return ERR_OK;
}

enum err app_audit_verify(struct app_ctx *ctx, struct audit_verdict *v,
                          void (*progress)(int64_t done, void *arg), void *arg)
{
	enum err e = app_allow(ctx, ACT_AUDIT_READ, NULL);
	if (e)
		return e;
	memset(v, 0, sizeof *v);
	char prev[AUDIT_HASH_HEX];
	memcpy(prev, audit_genesis, sizeof prev);
	int64_t expect = 1;
	enum { BATCH = 5000 };
	/* one read transaction: a consistent snapshot of log and head */
	if ((e = db_begin(ctx->conn)))
		return app_db_fail(ctx, e, "audit");
	for (;;) {
		struct db_rows *r;
		e = db_query(ctx->conn, STMT_AUDIT_SCAN, DB_ARGS(DB_INT(expect - 1), DB_INT(BATCH)),
		             &r);
		if (e)
			return app_db_fail(ctx, e, "audit");
		int got = 0;
		while (!v->broken_at && db_next(r)) {
			struct audit_entry a;
			entry_row(ctx, r, &a);
			got++;
			v->checked++;
			char h[AUDIT_HASH_HEX];
			audit_hash(&a.r, h);
			if (a.r.seq != expect)
				snprintf(v->reason, sizeof v->reason, "sequence gap: expected %lld",
				         (long long)expect);
			else if (strcmp(a.r.prev_hash ? a.r.prev_hash : "", prev))
				snprintf(v->reason, sizeof v->reason,
				         "link broken: prev_hash is not the hash of record %lld",
				         (long long)expect - 1);
			else if (strcmp(a.hash ? a.hash : "", h))
				snprintf(v->reason, sizeof v->reason,
				         "content changed: stored hash does not match the record");
			if (v->reason[0]) {
				v->broken_at = a.r.seq;
				break;
			}
			memcpy(prev, h, sizeof prev);
			expect++;
			if (progress && v->checked % 100000 == 0)
				progress(v->checked, arg);
		}
		if ((e = db_done(r)))
			return app_db_fail(ctx, e, "audit");
		arena_reset(&ctx->arena);
		if (v->broken_at || got < BATCH)
			break;
	}
	if (!v->broken_at) {
		struct db_rows *r;
		if ((e = db_query(ctx->conn, STMT_AUDIT_HEAD, DB_NOARGS, &r)))
			return app_db_fail(ctx, e, "audit");
		if (db_next(r) && (db_col_i64(r, COL_AUDIT_HEAD_SEQ) != expect - 1 ||
		                   strcmp(db_col_text(r, COL_AUDIT_HEAD_HASH), prev))) {
			v->broken_at = expect;
			snprintf(v->reason, sizeof v->reason,
			         "the chain head (seq %lld) does not match the last record (seq "
			         "%lld):"
			         " records were removed",
			         (long long)db_col_i64(r, COL_AUDIT_HEAD_SEQ),
			         (long long)expect - 1);
		}
		if ((e = db_done(r)))
			return app_db_fail(ctx, e, "audit");
	}
	db_rollback(ctx->conn);
	return ERR_OK;
}

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
