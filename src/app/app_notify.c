/* app_notify: in-app notifications and the e-mail outbox. */
#include "app/app_notify.h"

#include "app/app_pii.h"
#include "app/app_tx.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Written in the caller's transaction: a notification and its mail exist exactly when the
 * change that caused them committed. The outbox is only queued here; sending is left to `mail
 * drain`, so no request waits on an SMTP server.
 */
enum err app_notify_org(struct app_ctx *ctx, int64_t org_id, const char *kind, const char *text,
                        const char *link)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_ORG_ADMINS, DB_ARGS(DB_INT(org_id)), &r);
	if (e)
		return app_db_fail(ctx, e, "notifications");
	/* every administrator, however many (the rows are read before the writes) */
	struct admin {
		int64_t id;
		const char *mail;
	} *admins = NULL;
	int n = 0, cap = 0;
	while (db_next(r)) {
		if (n == cap) {
			struct admin *more = arena_alloc(
			        &ctx->arena, sizeof *more * (size_t)(cap = cap ? 2 * cap : 16));
			if (n)
				memcpy(more, admins, sizeof *more * (size_t)n);
			admins = more;
		}
		admins[n++] = (struct admin){db_col_i64(r, COL_ORG_ADMIN_ID),
		                             app_col(ctx, r, COL_ORG_ADMIN_EMAIL)};
	}
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "notifications");
	for (int i = 0; i < n && !e; i++) {
		e = db_exec(ctx->conn, STMT_NOTIF_INSERT,
		            DB_ARGS(DB_INT(admins[i].id), DB_TEXT(ctx->now_s), DB_TEXT(kind),
		                    DB_TEXT(text), DB_TEXT(link)),
		            NULL);
		if (!e && admins[i].mail && *admins[i].mail)
			e = db_exec(ctx->conn, STMT_MAIL_INSERT,
			            DB_ARGS(DB_TEXT(admins[i].mail),
			                    DB_TEXT(arena_printf(&ctx->arena,
			                                         "[技术桥 techbridge] %s", kind)),
			                    DB_TEXT(arena_printf(&ctx->arena, "%s\n\n%s\n", text,
			                                         link ? link : "")),
			                    DB_TEXT(ctx->now_s)),
			            NULL);
	}
	return e ? app_db_fail(ctx, e, "notifications") : ERR_OK;
}

static void notification_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	*(struct notification *)item = (struct notification){
	        db_col_i64(r, COL_NOTIF_ID),     app_col(ctx, r, COL_NOTIF_AT),
	        app_col(ctx, r, COL_NOTIF_KIND), app_col(ctx, r, COL_NOTIF_TEXT),
	        app_col(ctx, r, COL_NOTIF_LINK), app_col(ctx, r, COL_NOTIF_READ_AT)};
}

/*
 * Only stored users have notifications. Newest first by id, so the cursor is the last id shown
 * and the next page takes the smaller ones.
 */
enum err app_notification_list(struct app_ctx *ctx, const struct page_req *pr, struct page *out)
{
	int64_t before = INT64_MAX;
	enum err e;
	if (ctx->actor.user_id <= 0)
		return APP_FAIL(ctx, ERR_UNAUTHENTICATED, "", "sign in to read notifications");
	if (pr->cursor && (e = app_cursor_id(ctx, 'm', pr->cursor, &before)))
		return e;
	static const struct app_list list = {.cursor = 'm',
	                                     .what = "notifications",
	                                     .item_size = sizeof(struct notification),
	                                     .row = notification_row,
	                                     .key_id = offsetof(struct notification, id)};
	return app_page_fetch(ctx, &list, STMT_NOTIF_LIST,
	                      DB_ARGS(DB_INT(ctx->actor.user_id), DB_INT(before)), pr, out);
}

/*
 * Oldest first; a mail that failed five times is no longer offered (STMT_MAIL_PENDING), so one
 * bad address cannot hold up the outbox for ever.
 */
enum err app_mail_pending(struct app_ctx *ctx, int max, struct mail *out, int *n)
{
	struct db_rows *r;
	*n = 0;
	enum err e = db_query(ctx->conn, STMT_MAIL_PENDING, DB_ARGS(DB_INT(max)), &r);
	if (e)
		return app_db_fail(ctx, e, "outbox");
	while (db_next(r) && *n < max) {
		out[*n] = (struct mail){
		        db_col_i64(r, COL_MAIL_ID),
		        app_pii_open(ctx, PII_USER_EMAIL, db_col_text(r, COL_MAIL_TO)),
		        app_col(ctx, r, COL_MAIL_SUBJECT), app_col(ctx, r, COL_MAIL_BODY)};
		(*n)++;
	}
	return (e = db_done(r)) ? app_db_fail(ctx, e, "outbox") : ERR_OK;
}

/* Both outcomes count an attempt; a failure keeps its error text for the operator. */
enum err app_mail_mark(struct app_ctx *ctx, int64_t id, const char *error)
{
	enum err e = error ? db_exec(ctx->conn, STMT_MAIL_FAILED,
	                             DB_ARGS(DB_TEXT(error), DB_INT(id)), NULL)
	                   : db_exec(ctx->conn, STMT_MAIL_DONE,
	                             DB_ARGS(DB_TEXT(ctx->now_s), DB_INT(id)), NULL);
	return e ? app_db_fail(ctx, e, "outbox") : ERR_OK;
}
