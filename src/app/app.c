/* app: process setup, request contexts and authentication. */
#include "app/app.h"

#include "app/app_account.h"
#include "app/app_module.h"
#include "app/app_pii.h"
#include "core/audit_sign.h"
#include "db/db.h"
#include "lib/limits.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * libsodium is started before anything can hash a password or a token; when a module fails to
 * start, the store is closed here so the caller has nothing to undo.
 */
enum err app_open(struct app *app, const char *url, int pool, struct err_detail *d)
{
	memset(app, 0, sizeof *app);
	app->session_idle_s = LIMIT_SESSION_IDLE_S;
	if (sodium_init() < 0)
		return err_set(d, ERR_INTERNAL, "", "libsodium failed to initialise");
	enum err e = db_open(url, pool, &app->db, d);
	if (!e && (e = app_modules_init(app, d))) {
		db_close(app->db);
		app->db = NULL;
	}
	return e;
}

/* The audit keys hold the signing secret: wiped before the memory goes back to the allocator. */
void app_close(struct app *app)
{
	app_modules_free(app);
	db_close(app->db);
	app->db = NULL;
	if (app->audit_keys) {
		sodium_memzero(app->audit_keys, sizeof *app->audit_keys);
		free(app->audit_keys);
		app->audit_keys = NULL;
	}
	app_data_key_free(app);
}

/*
 * The clock is read once: every record a request writes carries the same instant, its audit
 * record included, and tests can fix it (app->fixed_now). "today" is the UTC date of that
 * instant.
 */
enum err app_ctx_begin(struct app_ctx *ctx, struct app *app)
{
	ctx->app = app;
	ctx->now = app->fixed_now ? app->fixed_now : (int64_t)time(NULL);
	instant_format(ctx->now, ctx->now_s);
	date_format((int32_t)(ctx->now / 86400), ctx->today);
	enum err e = db_acquire(app->db, &ctx->conn);
	if (e)
		return APP_FAIL(ctx, e, "", "the database is not reachable");
	return ERR_OK;
}

/*
 * A use case that returned early may have left its transaction open: it is rolled back here,
 * never committed by accident and never handed to the next borrower.
 */
void app_ctx_end(struct app_ctx *ctx)
{
	if (ctx->conn) {
		db_rollback(ctx->conn);
		db_release(ctx->conn);
		ctx->conn = NULL;
	}
	arena_free(&ctx->arena);
}

/*
 * The CLI runs on the machine, by someone who already holds the store (its file or its
 * credentials): it acts with the administrator's rights, and audit records name it "cli" with
 * no user id.
 */
void app_ctx_as_cli(struct app_ctx *ctx)
{
	memset(&ctx->actor, 0, sizeof ctx->actor);
	ctx->actor.user_id = -1; /* not a stored user: audit shows actor "cli" */
	snprintf(ctx->actor.username, sizeof ctx->actor.username, "cli");
	ctx->actor.ngrants = 1;
	ctx->actor.grants[0].role = ROLE_ADMIN;
}

void app_pool_stats(struct app *app, const char **kind, int *open, int *idle)
{
	*kind = db_kind(app->db) == DB_SQLITE ? "sqlite" : "postgres";
	db_pool_stats(app->db, open, idle);
}

void app_set_sync_full(bool full)
{
	db_set_sync(full ? DB_SYNC_FULL : DB_SYNC_NORMAL);
}

/*
 * Reachable is not enough: a store whose disk filled up still answers the ping, so the last
 * failed write counts until a write succeeds again.
 */
enum err app_ready(struct app_ctx *ctx)
{
	if (db_ping(ctx->conn))
		return APP_FAIL(ctx, ERR_UNAVAILABLE, "", "the database is not reachable");
	int64_t age;
	char msg[256];
	if (db_storage_failure(ctx->app->db, LIMIT_STORAGE_FAIL_READY_S, &age, msg, sizeof msg))
		return APP_FAIL(ctx, ERR_UNAVAILABLE, "",
		                "a write failed %llds ago (%s) and none has succeeded since",
		                (long long)age, msg);
	return ERR_OK;
}

/* Load the grants of user `uid` into ctx->actor. */
/* A role this build does not know (a newer binary wrote it) is skipped, not misread as another. */
static bool grant_from_row(struct db_rows *r, struct grant *g)
{
	memset(g, 0, sizeof *g);
	g->id = db_col_i64(r, COL_ROLE_ID);
	if (!role_parse(db_col_text(r, COL_ROLE_ROLE), &g->role))
		return false;
	if (!db_col_null(r, COL_ROLE_REGION_CODE))
		snprintf(g->region, sizeof g->region, "%s", db_col_text(r, COL_ROLE_REGION_CODE));
	if (!db_col_null(r, COL_ROLE_LEVEL))
		gov_level_parse(db_col_text(r, COL_ROLE_LEVEL), &g->level);
	g->org_id = db_col_null(r, COL_ROLE_ORG_ID) ? 0 : db_col_i64(r, COL_ROLE_ORG_ID);
	return true;
}

enum err app_grants_load(struct app_ctx *ctx, int64_t uid, struct grant *g, int *n)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_ROLE_LIST_USER, DB_ARGS(DB_INT(uid)), &r);
	if (e)
		return e;
	*n = 0;
	while (db_next(r) && *n < AUTHZ_GRANTS_MAX) {
		if (grant_from_row(r, &g[*n]))
			(*n)++;
	}
	return db_done(r);
}

/*
 * Only the token's SHA-256 is stored: the look-up is by hash and the comparison in constant
 * time. Unknown, expired, revoked and disabled tokens get the same answer, so a caller learns
 * nothing about a token it does not hold; an overlong one is refused before it is hashed.
 */
enum err app_authenticate(struct app_ctx *ctx, const char *token)
{
	char hash[TOKEN_HASH_HEX];
	if (!token || strlen(token) > 256)
		return APP_FAIL(ctx, ERR_UNAUTHENTICATED, "Authorization", "invalid token");
	app_token_hash(token, hash);
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_TOKEN_LOOKUP, DB_ARGS(DB_TEXT(hash)), &r);
	if (e)
		return APP_FAIL(ctx, e, "", "cannot check the token");
	bool found = false, ok = false, touch = false, idle = false;
	int64_t token_id = 0, uid = 0;
	if (db_next(r)) {
		found = true;
		const char *stored = db_col_text(r, COL_TOKEN_AUTH_HASH);
		const char *expires = db_col_text(r, COL_TOKEN_AUTH_EXPIRES_AT);
		const char *last = db_col_text(r, COL_TOKEN_AUTH_LAST_USED_AT);
		ok = stored && sodium_memcmp(stored, hash, TOKEN_HASH_HEX - 1) == 0 &&
		     db_col_null(r, COL_TOKEN_AUTH_REVOKED_AT) &&
		     (!expires || strcmp(expires, ctx->now_s) > 0) &&
		     db_col_i64(r, COL_TOKEN_AUTH_DISABLED) == 0;
		token_id = db_col_i64(r, COL_TOKEN_AUTH_ID);
		uid = db_col_i64(r, COL_TOKEN_AUTH_USER_ID);
		if (!strcmp(db_col_text(r, COL_TOKEN_AUTH_KIND), "api")) {
			/* API tokens record their use, at most once a minute to spare writes */
			touch = ok && (!last || strncmp(last, ctx->now_s, 16) != 0);
		} else {
			/*
			 * Sessions end after session_idle_s unused; their use is recorded
			 * often enough (a quarter of that, at most a minute apart) that
			 * an active session never looks idle.
			 */
			int64_t seen = 0, idle_s = ctx->app->session_idle_s;
			if (ok && idle_s > 0 &&
			    instant_parse(last ? last : db_col_text(r, COL_TOKEN_AUTH_CREATED_AT),
			                  &seen)) {
				int64_t every = idle_s / 4 < 60 ? idle_s / 4 : 60;
				idle = ctx->now - seen > idle_s;
				ok = !idle;
				touch = ok && ctx->now - seen >= (every > 0 ? every : 1);
			}
		}
		snprintf(ctx->actor.username, sizeof ctx->actor.username, "%s",
		         db_col_text(r, COL_TOKEN_AUTH_USERNAME));
	}
	e = db_done(r);
	if (e)
		return APP_FAIL(ctx, e, "", "cannot check the token");
	if (!found || !ok) {
		memset(&ctx->actor, 0, sizeof ctx->actor);
		if (idle)
			return APP_FAIL_CODE(
			        ctx, ERR_UNAUTHENTICATED, "session_idle", "Authorization",
			        "the session was unused for more than %d minutes: sign "
			        "in again",
			        (ctx->app->session_idle_s + 59) / 60);
		return APP_FAIL(ctx, ERR_UNAUTHENTICATED, "Authorization",
		                "the token is unknown, expired or revoked");
	}
	ctx->token_id = token_id;
	ctx->actor.user_id = uid;
	if (touch)
		db_exec(ctx->conn, STMT_TOKEN_TOUCH, DB_ARGS(DB_TEXT(ctx->now_s), DB_INT(token_id)),
		        NULL); /* best effort: a busy store must not fail the request */
	e = app_grants_load(ctx, uid, ctx->actor.grants, &ctx->actor.ngrants);
	if (e)
		return APP_FAIL(ctx, e, "", "cannot load the user's roles");
	return ERR_OK;
}

enum err app_schema_version(struct app *app, int *version)
{
	return db_schema_version(app->db, version);
}

/*
 * The unit test compares this text with sql/schema.sql, so the checked-in schema cannot go
 * stale.
 */
enum err app_schema_dump(struct app *app, struct buf *out)
{
	struct db_conn *c;
	enum err e = db_acquire(app->db, &c);
	if (e)
		return e;
	struct db_rows *r;
	if (!(e = db_query(c, STMT_SCHEMA_DUMP, DB_NOARGS, &r))) {
		while (db_next(r))
			buf_printf(out, "%s;\n\n", db_col_text(r, COL_SCHEMA_LINE));
		e = db_done(r);
	}
	db_release(c);
	return e;
}

enum err app_backup(struct app *app, const char *path, struct err_detail *d)
{
	return db_backup(app->db, path, d);
}
