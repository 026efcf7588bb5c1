/* app_account: users, grants, sessions, tokens. */
#include "app/app_account.h"

#include "app/app_org.h"
#include "app/app_pii.h"
#include "app/app_tx.h"
#include "lib/b64.h"
#include "lib/buf.h"
#include "lib/limits.h"
#include "lib/num.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/*
 * SHA-256 rather than a slow hash: a token carries 256 random bits, so slowing a guess gains
 * nothing, while every request pays for the hash.
 */
void token_hash(const char *token, char out[TOKEN_HASH_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, TOKEN_HASH_HEX, h, sizeof h);
}

/* "tb_" + 256 random bits in base64url. */
static const char *token_new(struct app_ctx *ctx)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	char *s = arena_alloc(&ctx->arena, 3 + b64url_encoded_len(sizeof raw) + 1);
	memcpy(s, "tb_", 3);
	b64url_encode(raw, sizeof raw, s + 3);
	sodium_memzero(raw, sizeof raw);
	return s;
}

/* ---- users ---- */

static enum err load_user_grants(struct app_ctx *ctx, struct user *u)
{
	u->grants = arena_alloc(&ctx->arena, sizeof *u->grants * AUTHZ_GRANTS_MAX);
	enum err e = app_grants_load(ctx, u->id, u->grants, &u->ngrants);
	return e ? app_db_fail(ctx, e, "roles") : ERR_OK;
}

/* A row of USER_ROW (stmt_user.def) into u, its text in the ctx arena. */
static void user_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct user *u = item;
	memset(u, 0, sizeof *u);
	u->id = db_col_i64(r, COL_USER_ID);
	u->username = app_col(ctx, r, COL_USER_USERNAME);
	u->display_name = app_col(ctx, r, COL_USER_DISPLAY_NAME);
	u->email = app_pii_open(ctx, PII_USER_EMAIL, db_col_text(r, COL_USER_EMAIL));
	u->locale = app_col(ctx, r, COL_USER_LOCALE);
	u->disabled = db_col_i64(r, COL_USER_DISABLED) != 0;
	u->created_at = app_col(ctx, r, COL_USER_CREATED_AT);
	u->updated_at = app_col(ctx, r, COL_USER_UPDATED_AT);
	u->version = db_col_i64(r, COL_USER_VERSION);
}

static enum err user_load(struct app_ctx *ctx, int64_t id, struct user *out)
{
	enum err e = app_row_load(ctx, STMT_USER_GET, DB_ARGS(DB_INT(id)), user_row, out, "user",
	                          "id", app_id_str(ctx, id));
	return e ? e : load_user_grants(ctx, out);
}

static const char *user_json(struct app_ctx *ctx, const struct user *u)
{
	struct buf b = BUF_INIT;
	user_to_json(u, &b);
	return app_keep(ctx, &b);
}

/*
 * A user the actor may not read is "not found" rather than forbidden, so the ids of other
 * accounts are not disclosed.
 */
enum err app_user_get(struct app_ctx *ctx, int64_t id, struct user *out)
{
	struct target t = {.user_id = id};
	enum err e = app_allow(ctx, ACT_USER_READ, &t);
	if (e)
		return e == ERR_FORBIDDEN
		               ? APP_FAIL(ctx, ERR_NOT_FOUND, "id", "no user %lld", (long long)id)
		               : e;
	return user_load(ctx, id, out);
}

/* The id of a USER_AUTH row. */
static void user_id_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	(void)ctx;
	*(int64_t *)item = db_col_i64(r, COL_USER_AUTH_ID);
}

enum err app_user_find(struct app_ctx *ctx, const char *username, int64_t *id)
{
	return app_row_load(ctx, STMT_USER_AUTH, DB_ARGS(DB_TEXT(username)), user_id_row, id,
	                    "user", "username", username);
}

enum err app_user_list(struct app_ctx *ctx, const char *q, const struct page_req *pr,
                       struct page *out)
{
	enum err e = app_allow(ctx, ACT_USER_LIST, NULL);
	if (e)
		return e;
	int64_t after_id = 0;
	if (pr->cursor && (e = app_cursor_id(ctx, 'u', pr->cursor, &after_id)))
		return e;
	const char *like = app_like_pattern(ctx, q);
	const struct db_val args[] = {DB_INT(after_id), DB_TEXT(like), DB_TEXT(like),
	                              DB_TEXT(like)};
	enum { NARGS = sizeof args / sizeof args[0] };
	static const struct app_list list = {.cursor = 'u',
	                                     .what = "users",
	                                     .item_size = sizeof(struct user),
	                                     .row = user_row,
	                                     .key_id = offsetof(struct user, id)};
	if ((e = app_page_fetch(ctx, &list, STMT_USER_LIST, args, NARGS, pr, out)))
		return e;
	struct user *items = out->items;
	for (int i = 0; i < out->n; i++)
		if ((e = load_user_grants(ctx, &items[i])))
			return e;
	if (pr->count &&
	    (e = app_list_count(ctx, STMT_USER_COUNT, args, NARGS, DB_INT(0), &out->total)))
		return e;
	return ERR_OK;
}

/* argon2id, interactive limits: about 0.1 s and 64 MiB per hash. */
static enum err password_hash(struct app_ctx *ctx, const char *pw, char out[crypto_pwhash_STRBYTES])
{
	if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return APP_FAIL(ctx, ERR_INTERNAL, "password", "cannot hash the password");
	return ERR_OK;
}

/*
 * The password is hashed before the transaction opens: argon2id takes about 0.1 s, which the
 * write lock should not wait for. A user created disabled is updated at once (version 1) in
 * the same transaction, as the insert takes no disabled column.
 */
enum err app_user_create(struct app_ctx *ctx, const struct field_val v[USER__NFIELDS],
                         struct user *out)
{
	enum err e = app_allow(ctx, ACT_USER_CREATE, NULL);
	if (e)
		return e;
	char hash[crypto_pwhash_STRBYTES];
	if ((e = password_hash(ctx, v[USER_PASSWORD].s, hash)))
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	const char *locale = v[USER_LOCALE].set ? v[USER_LOCALE].s : "zh-CN";
	int64_t id = 0;
	e = app_row_i64(ctx, STMT_USER_INSERT,
	                DB_ARGS(DB_TEXT(v[USER_USERNAME].s), DB_TEXT(v[USER_DISPLAY_NAME].s),
	                        DB_TEXT(app_pii_seal(ctx, PII_USER_EMAIL, v[USER_EMAIL].s)),
	                        DB_TEXT(hash), DB_TEXT(locale), DB_TEXT(ctx->now_s),
	                        DB_TEXT(ctx->now_s)),
	                COL_ID, &id, "user");
	sodium_memzero(hash, sizeof hash);
	if (e == ERR_CONFLICT)
		e = APP_FAIL(ctx, e, "username", "is taken");
	if (!e && v[USER_DISABLED].set && v[USER_DISABLED].b)
		e = db_exec(ctx->conn, STMT_USER_UPDATE,
		            DB_ARGS(DB_TEXT(v[USER_DISPLAY_NAME].s),
		                    DB_TEXT(app_pii_seal(ctx, PII_USER_EMAIL, v[USER_EMAIL].s)),
		                    DB_TEXT(locale), DB_INT(1), DB_TEXT(ctx->now_s), DB_INT(id),
		                    DB_INT(1)),
		            NULL);
	if (!e && !(e = user_load(ctx, id, out))) {
		const char *json = user_json(ctx, out);
		if (!(e = app_audit(ctx, "create", "user", app_id_str(ctx, id), NULL, json)))
			return app_write_end(ctx, e, 201, json,
			                     app_location(ctx, app_id_str(ctx, id)));
	}
	return app_write_end(ctx, e, 0, NULL, NULL);
}

/*
 * Users may change their own profile, but enabling or disabling an account is an
 * administrator's right, even on one's own.
 */
enum err app_user_update(struct app_ctx *ctx, int64_t id, int64_t version,
                         const struct field_val v[USER__NFIELDS], struct user *out)
{
	struct target t = {.user_id = id};
	enum err e = app_allow(ctx, ACT_USER_UPDATE, &t);
	if (e)
		return e == ERR_FORBIDDEN
		               ? APP_FAIL(ctx, ERR_NOT_FOUND, "id", "no user %lld", (long long)id)
		               : e;
	if (v[USER_DISABLED].set && (e = app_allow(ctx, ACT_USER_ADMINISTER, &t)))
		return APP_FAIL(ctx, e, "disabled", "only an administrator may disable a user");
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct user cur;
	if ((e = user_load(ctx, id, &cur)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	if (cur.version != version)
		return app_write_end(ctx,
		                     APP_FAIL(ctx, ERR_CONFLICT, "version",
		                              "is stale: the user is at version %lld",
		                              (long long)cur.version),
		                     0, NULL, NULL);
	struct user next = cur;
	if (v[USER_DISPLAY_NAME].set)
		next.display_name = v[USER_DISPLAY_NAME].null ? NULL : v[USER_DISPLAY_NAME].s;
	if (v[USER_EMAIL].set)
		next.email = v[USER_EMAIL].null ? NULL : v[USER_EMAIL].s;
	if (v[USER_LOCALE].set)
		next.locale = v[USER_LOCALE].s;
	if (v[USER_DISABLED].set)
		next.disabled = v[USER_DISABLED].b;
	int64_t changed = 0;
	e = db_exec(ctx->conn, STMT_USER_UPDATE,
	            DB_ARGS(DB_TEXT(next.display_name),
	                    DB_TEXT(app_pii_seal(ctx, PII_USER_EMAIL, next.email)),
	                    DB_TEXT(next.locale), DB_INT(next.disabled), DB_TEXT(ctx->now_s),
	                    DB_INT(id), DB_INT(version)),
	            &changed);
	if (e)
		e = app_db_fail(ctx, e, "user");
	else if (changed != 1)
		e = APP_FAIL(ctx, ERR_CONFLICT, "version", "the user changed meanwhile");
	if (!e && !(e = user_load(ctx, id, out)))
		e = app_audit(ctx, "update", "user", app_id_str(ctx, id), user_json(ctx, &cur),
		              user_json(ctx, out));
	return app_write_end(ctx, e, 200, NULL, NULL);
}

enum err app_user_delete(struct app_ctx *ctx, int64_t id, int64_t version)
{
	struct target t = {.user_id = id};
	enum err e = app_allow(ctx, ACT_USER_ADMINISTER, &t);
	if (e)
		return e;
	if (id == ctx->actor.user_id)
		return APP_FAIL(ctx, ERR_CONFLICT, "id", "you cannot delete yourself");
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct user cur;
	if ((e = user_load(ctx, id, &cur)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	int64_t changed = 0;
	e = db_exec(ctx->conn, STMT_USER_DELETE, DB_ARGS(DB_INT(id), DB_INT(version)), &changed);
	if (e)
		e = app_db_fail(ctx, e, "user");
	else if (changed != 1)
		e = APP_FAIL(ctx, ERR_CONFLICT, "version", "is stale: the user is at version %lld",
		             (long long)cur.version);
	if (!e)
		e = app_audit(ctx, "delete", "user", app_id_str(ctx, id), user_json(ctx, &cur),
		              NULL);
	return app_write_end(ctx, e, 204, NULL, NULL);
}

struct user_auth {
	int64_t id;
	const char *hash;
	bool disabled;
};

static void user_auth_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct user_auth *a = item;
	a->id = db_col_i64(r, COL_USER_AUTH_ID);
	a->hash = app_col(ctx, r, COL_USER_AUTH_PASSWORD_HASH);
	a->disabled = db_col_i64(r, COL_USER_AUTH_DISABLED) != 0;
}

/* The stored argon2id hash of user id (in the arena), or NULL. */
static enum err stored_hash(struct app_ctx *ctx, const char *username, int64_t *id,
                            const char **hash, bool *disabled)
{
	struct user_auth a = {0};
	bool found;
	enum err e = app_row_find(ctx, STMT_USER_AUTH, DB_ARGS(DB_TEXT(username)), user_auth_row,
	                          &a, "user", &found);
	*hash = NULL;
	if (!e && found) {
		*id = a.id;
		*hash = a.hash;
		*disabled = a.disabled;
	}
	return e;
}

/*
 * An administrator resets another user's password without the old one; everyone else, an
 * administrator on their own account included, proves the old one, so a stolen session alone
 * cannot take the account over.
 */
enum err app_user_set_password(struct app_ctx *ctx, int64_t id, const char *old_pw,
                               const char *new_pw)
{
	struct target t = {.user_id = id};
	bool admin = authz_allows(&ctx->actor, ACT_USER_ADMINISTER, &t);
	enum err e;
	if (!admin && (e = app_allow(ctx, ACT_USER_UPDATE, &t)))
		return e;
	const char *why;
	if (!new_pw || !password_check(new_pw, &why))
		return APP_FAIL(ctx, ERR_INVALID, "password", "%s", new_pw ? why : "is required");
	struct user u;
	if ((e = user_load(ctx, id, &u)))
		return e;
	if (!admin || id == ctx->actor.user_id) {
		int64_t uid;
		const char *hash;
		bool disabled;
		if ((e = stored_hash(ctx, u.username, &uid, &hash, &disabled)))
			return e;
		if (!old_pw || !hash || crypto_pwhash_str_verify(hash, old_pw, strlen(old_pw)) != 0)
			return APP_FAIL(ctx, ERR_INVALID, "old_password", "does not match");
	}
	char hash[crypto_pwhash_STRBYTES];
	if ((e = password_hash(ctx, new_pw, hash)))
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	e = db_exec(ctx->conn, STMT_USER_SET_PASSWORD,
	            DB_ARGS(DB_TEXT(hash), DB_TEXT(ctx->now_s), DB_INT(id)), NULL);
	sodium_memzero(hash, sizeof hash);
	if (e)
		e = app_db_fail(ctx, e, "user");
	else
		e = app_audit(ctx, "set_password", "user", app_id_str(ctx, id), NULL, NULL);
	return app_write_end(ctx, e, 204, NULL, NULL);
}

/* ---- sign-in ---- */

/* Failures recorded for key in the current window. */
/* A failed read counts as none: the limiter fails open, and the password check still applies. */
static int64_t login_failures(struct app_ctx *ctx, const char *key, int64_t window_start_min)
{
	struct db_rows *r;
	int64_t n = 0;
	if (db_query(ctx->conn, STMT_LOGIN_FAIL_GET, DB_ARGS(DB_TEXT(key)), &r))
		return 0;
	if (db_next(r)) {
		int64_t start;
		if (instant_parse(db_col_text(r, COL_LOGIN_FAIL_WINDOW_START), &start) &&
		    start >= window_start_min)
			n = db_col_i64(r, COL_LOGIN_FAIL_FAILURES);
	}
	db_done(r);
	return n;
}

/* Count one more failure for key, in its own committed transaction. */
/*
 * Committed in its own transaction, although the sign-in fails: the failure must count
 * whatever happens next. The window starts at the first failure and keeps its start while it
 * lasts.
 */
static void login_fail_record(struct app_ctx *ctx, const char *key)
{
	int64_t window_min = ctx->now - LIMIT_LOGIN_WINDOW_S;
	if (db_begin_write(ctx->conn))
		return;
	int64_t n = login_failures(ctx, key, window_min);
	struct db_rows *r;
	char start[INSTANT_STR];
	snprintf(start, sizeof start, "%s", ctx->now_s);
	if (n > 0 && !db_query(ctx->conn, STMT_LOGIN_FAIL_GET, DB_ARGS(DB_TEXT(key)), &r)) {
		if (db_next(r))
			snprintf(start, sizeof start, "%s",
			         db_col_text(r, COL_LOGIN_FAIL_WINDOW_START));
		db_done(r);
	}
	if (db_exec(ctx->conn, STMT_LOGIN_FAIL_SET,
	            DB_ARGS(DB_TEXT(key), DB_TEXT(start), DB_INT(n + 1)), NULL) ||
	    db_commit(ctx->conn))
		db_rollback(ctx->conn);
}

/*
 * Both limits are checked before the password, so a caller over the limit learns nothing and
 * costs no argon2 work. Success clears the account's count but not the address's: one valid
 * password must not reset a spray over many accounts from that address.
 */
enum err app_login(struct app_ctx *ctx, const char *username, const char *password,
                   struct token_info *tok, struct user *user)
{
	if (!username || !password)
		return APP_FAIL(ctx, ERR_INVALID, username ? "password" : "username",
		                "is required");
	const char *ukey = arena_printf(&ctx->arena, "user:%s", username);
	const char *akey =
	        arena_printf(&ctx->arena, "addr:%s", ctx->client_addr ? ctx->client_addr : "-");
	int64_t window_min = ctx->now - LIMIT_LOGIN_WINDOW_S;
	if (login_failures(ctx, ukey, window_min) >= LIMIT_LOGIN_FAILS_ACCOUNT ||
	    login_failures(ctx, akey, window_min) >= LIMIT_LOGIN_FAILS_ADDRESS)
		return APP_FAIL(ctx, ERR_RATE_LIMITED, "username",
		                "too many failed sign-ins; try again in 15 minutes");
	int64_t uid = 0;
	const char *hash;
	bool disabled = false;
	ctx->idem_key = NULL; /* a session secret is never stored: sign-ins are not replayed */
	enum err e = stored_hash(ctx, username, &uid, &hash, &disabled);
	if (e)
		return e;
	/* verify against a dummy hash for unknown users so timing does not tell */
	static const char dummy[crypto_pwhash_STRBYTES] =
	        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
	        "dGhpc2lzbm90YXJlYWxoYXNoYnV0aXRpc2xvbmdlbm91Z2g";
	bool ok = crypto_pwhash_str_verify(hash ? hash : dummy, password, strlen(password)) == 0 &&
	          hash && !disabled;
	if (!ok) {
		login_fail_record(ctx, ukey);
		login_fail_record(ctx, akey);
		return APP_FAIL(ctx, ERR_UNAUTHENTICATED, "password",
		                "wrong username or password, or the account is disabled");
	}
	ctx->actor.user_id = uid;
	snprintf(ctx->actor.username, sizeof ctx->actor.username, "%s", username);
	const char *secret = token_new(ctx);
	char th[TOKEN_HASH_HEX];
	token_hash(secret, th);
	char expires[INSTANT_STR];
	instant_format(ctx->now + LIMIT_SESSION_TTL_S, expires);
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	db_exec(ctx->conn, STMT_LOGIN_FAIL_CLEAR, DB_ARGS(DB_TEXT(ukey)), NULL);
	db_exec(ctx->conn, STMT_TOKEN_PURGE_SESSIONS, DB_ARGS(DB_TEXT(ctx->now_s)), NULL);
	memset(tok, 0, sizeof *tok);
	e = app_row_i64(ctx, STMT_TOKEN_INSERT,
	                DB_ARGS(DB_INT(uid), DB_TEXT("session"), DB_NULL, DB_TEXT(th),
	                        DB_TEXT(ctx->now_s), DB_TEXT(expires)),
	                COL_ID, &tok->id, "session");
	if (e)
		return app_write_end(ctx, e, 0, NULL, NULL);
	tok->user_id = uid;
	tok->kind = "session";
	tok->secret = secret;
	tok->created_at = arena_strdup(&ctx->arena, ctx->now_s);
	tok->expires_at = arena_strdup(&ctx->arena, expires);
	e = user_load(ctx, uid, user);
	if (!e)
		e = app_audit(ctx, "login", "user", app_id_str(ctx, uid), NULL, NULL);
	return app_write_end(ctx, e, 201, NULL, NULL);
}

/* Only the presented token is revoked: the user's other sessions and API tokens stay valid. */
enum err app_logout(struct app_ctx *ctx, const char *token)
{
	if (ctx->actor.user_id <= 0 || !token)
		return APP_FAIL(ctx, ERR_UNAUTHENTICATED, "Authorization", "not signed in");
	char th[TOKEN_HASH_HEX];
	token_hash(token, th);
	int64_t id = 0;
	enum err e = app_row_i64(ctx, STMT_TOKEN_LOOKUP, DB_ARGS(DB_TEXT(th)), COL_TOKEN_AUTH_ID,
	                         &id, "session");
	if (e)
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	e = db_exec(ctx->conn, STMT_TOKEN_REVOKE, DB_ARGS(DB_TEXT(ctx->now_s), DB_INT(id)), NULL);
	if (e)
		e = app_db_fail(ctx, e, "session");
	else
		e = app_audit(ctx, "logout", "user", app_id_str(ctx, ctx->actor.user_id), NULL,
		              NULL);
	return app_write_end(ctx, e, 204, NULL, NULL);
}

/* ---- grants ---- */

static const char *grant_json(struct app_ctx *ctx, const struct grant *g)
{
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b);
	grant_to_json(g, &w);
	return app_keep(ctx, &b);
}

/* Insert a grant inside an open write transaction and audit it. */
/*
 * The region and organisation are looked up first so the error names the field (region_code,
 * org_id); the foreign keys would refuse them too, but without saying which.
 */
static enum err grant_insert(struct app_ctx *ctx, int64_t user_id, struct grant *g)
{
	struct user u;
	enum err e = user_load(ctx, user_id, &u);
	if (e)
		return e;
	if (g->region[0]) {
		bool found;
		if ((e = app_row_find(ctx, STMT_REGION_GET, DB_ARGS(DB_TEXT(g->region)), NULL, NULL,
		                      "region", &found)))
			return e;
		if (!found)
			return APP_FAIL(ctx, ERR_INVALID, "region_code", "no region %s", g->region);
	}
	if (g->org_id) {
		struct org o;
		if ((e = app_org_load(ctx, g->org_id, &o)))
			return APP_FAIL(ctx, ERR_INVALID, "org_id", "no organisation %lld",
			                (long long)g->org_id);
	}
	e = app_row_i64(ctx, STMT_ROLE_INSERT,
	                DB_ARGS(DB_INT(user_id), DB_TEXT(role_name(g->role)),
	                        DB_TEXT(g->region[0] ? g->region : NULL),
	                        DB_TEXT(gov_level_name(g->level)),
	                        g->org_id ? DB_INT(g->org_id) : DB_NULL, DB_TEXT(ctx->now_s)),
	                COL_ID, &g->id, "role");
	if (e == ERR_CONFLICT)
		return APP_FAIL(ctx, e, "role", "the user already holds this role here");
	if (e)
		return e;
	return app_audit(ctx, "grant", "user", app_id_str(ctx, user_id), NULL, grant_json(ctx, g));
}

enum err app_grant_add(struct app_ctx *ctx, int64_t user_id,
                       const struct field_val v[GRANT__NFIELDS], struct grant *out)
{
	enum err e = app_allow(ctx, ACT_ROLE_GRANT, NULL);
	if (e)
		return e;
	if ((e = grant_from_fields(v, out, &ctx->err)))
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	e = grant_insert(ctx, user_id, out);
	const char *body = e ? NULL : grant_json(ctx, out);
	return app_write_end(ctx, e, 201, body, NULL);
}

/* A grant with the user holding it (a row of ROLE_ROW). */
struct owned_grant {
	struct grant g;
	int64_t owner;
};

static void owned_grant_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	(void)ctx;
	struct owned_grant *o = item;
	struct grant *g = &o->g;
	g->id = db_col_i64(r, COL_ROLE_ID);
	o->owner = db_col_i64(r, COL_ROLE_USER_ID);
	role_parse(db_col_text(r, COL_ROLE_ROLE), &g->role);
	if (!db_col_null(r, COL_ROLE_REGION_CODE))
		snprintf(g->region, sizeof g->region, "%s", db_col_text(r, COL_ROLE_REGION_CODE));
	if (!db_col_null(r, COL_ROLE_LEVEL))
		gov_level_parse(db_col_text(r, COL_ROLE_LEVEL), &g->level);
	g->org_id = db_col_null(r, COL_ROLE_ORG_ID) ? 0 : db_col_i64(r, COL_ROLE_ORG_ID);
}

/* Remove grant_id of user_id (inside an open transaction), auditing it. */
/*
 * The grant must belong to the given user or organisation (0: not checked): a grant id of
 * another account reads as not found, so ids cannot be probed across them.
 */
static enum err grant_delete(struct app_ctx *ctx, int64_t user_id, int64_t grant_id, int64_t org_id)
{
	struct owned_grant o = {0};
	bool found;
	enum err e = app_row_find(ctx, STMT_ROLE_GET, DB_ARGS(DB_INT(grant_id)), owned_grant_row,
	                          &o, "role", &found);
	if (e)
		return e;
	struct grant g = o.g;
	int64_t owner = o.owner;
	if (!found || (user_id && owner != user_id) || (org_id && g.org_id != org_id))
		return APP_FAIL(ctx, ERR_NOT_FOUND, "id", "no such role grant");
	if ((e = db_exec(ctx->conn, STMT_ROLE_DELETE, DB_ARGS(DB_INT(grant_id)), NULL)))
		return app_db_fail(ctx, e, "role");
	return app_audit(ctx, "revoke", "user", app_id_str(ctx, owner), grant_json(ctx, &g), NULL);
}

enum err app_grant_remove(struct app_ctx *ctx, int64_t user_id, int64_t grant_id)
{
	enum err e = app_allow(ctx, ACT_ROLE_GRANT, NULL);
	if (e)
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	e = grant_delete(ctx, user_id, grant_id, 0);
	return app_write_end(ctx, e, 204, NULL, NULL);
}

/*
 * An organisation's administrators give only the two organisation roles, and only in their own
 * organisation; every other role is granted through app_grant_add.
 */
enum err app_org_member_add(struct app_ctx *ctx, int64_t org_id, int64_t user_id, const char *role,
                            struct org_member *out)
{
	struct org o;
	enum err e = app_org_allow(ctx, org_id, ACT_ORG_MEMBERS_WRITE, &o);
	if (e)
		return e;
	struct grant g = {.org_id = org_id};
	if (!role || !role_parse(role, &g.role) ||
	    (g.role != ROLE_ORG_ADMIN && g.role != ROLE_ORG_MEMBER))
		return APP_FAIL(ctx, ERR_INVALID, "role", "must be org_admin or org_member");
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct user u;
	if (!(e = grant_insert(ctx, user_id, &g)) && !(e = user_load(ctx, user_id, &u))) {
		out->grant_id = g.id;
		out->user_id = user_id;
		out->role = role_name(g.role);
		out->username = u.username;
		out->display_name = u.display_name;
	}
	return app_write_end(ctx, e, 201, NULL, NULL);
}

enum err app_org_member_remove(struct app_ctx *ctx, int64_t org_id, int64_t grant_id)
{
	struct org o;
	enum err e = app_org_allow(ctx, org_id, ACT_ORG_MEMBERS_WRITE, &o);
	if (e)
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	e = grant_delete(ctx, 0, grant_id, org_id);
	return app_write_end(ctx, e, 204, NULL, NULL);
}

/* ---- API tokens ---- */

static void token_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct token_info *t = item;
	memset(t, 0, sizeof *t);
	t->id = db_col_i64(r, COL_TOKEN_ID);
	t->user_id = db_col_i64(r, COL_TOKEN_USER_ID);
	t->kind = app_col(ctx, r, COL_TOKEN_KIND);
	t->name = app_col(ctx, r, COL_TOKEN_NAME);
	t->created_at = app_col(ctx, r, COL_TOKEN_CREATED_AT);
	t->expires_at = app_col(ctx, r, COL_TOKEN_EXPIRES_AT);
	t->last_used_at = app_col(ctx, r, COL_TOKEN_LAST_USED_AT);
	t->revoked = !db_col_null(r, COL_TOKEN_REVOKED_AT);
}

/* Not paged: a user holds at most LIMIT_TOKENS_PER_USER tokens (app_token_create). */
enum err app_token_list(struct app_ctx *ctx, struct page *out)
{
	enum err e = app_allow(ctx, ACT_TOKEN_MANAGE, NULL);
	if (e)
		return e;
	struct db_rows *r;
	if ((e = db_query(ctx->conn, STMT_TOKEN_LIST_USER, DB_ARGS(DB_INT(ctx->actor.user_id)),
	                  &r)))
		return app_db_fail(ctx, e, "tokens");
	struct token_info *items = arena_alloc(&ctx->arena, sizeof *items * LIMIT_TOKENS_PER_USER);
	int n = 0;
	while (db_next(r) && n < LIMIT_TOKENS_PER_USER)
		token_row(ctx, r, &items[n++]);
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "tokens");
	out->items = items;
	out->n = n;
	out->next_cursor = NULL;
	out->total = n;
	return ERR_OK;
}

/*
 * An administrator may create a token for another user; anyone else only for themselves. The
 * expiry is a date: the token ends as that day begins (UTC).
 */
enum err app_token_create(struct app_ctx *ctx, int64_t user_id, const char *name,
                          const char *expires_on, struct token_info *out)
{
	struct target t = {.user_id = user_id};
	enum err e = user_id == ctx->actor.user_id ? app_allow(ctx, ACT_TOKEN_MANAGE, &t)
	                                           : app_allow(ctx, ACT_USER_ADMINISTER, &t);
	if (e)
		return e;
	const char *expires = NULL;
	if (expires_on) {
		if (strcmp(expires_on, ctx->today) <= 0)
			return APP_FAIL(ctx, ERR_INVALID, "expires_on", "must be after today");
		expires = arena_printf(&ctx->arena, "%sT00:00:00Z", expires_on);
	}
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	int64_t count = 0;
	e = app_row_i64(ctx, STMT_TOKEN_COUNT_USER, DB_ARGS(DB_INT(user_id)), COL_COUNT, &count,
	                "token");
	if (!e && count >= LIMIT_TOKENS_PER_USER)
		e = APP_FAIL(ctx, ERR_CONFLICT, "name",
		             "you hold %d tokens already: revoke one first", LIMIT_TOKENS_PER_USER);
	const char *secret = token_new(ctx);
	char th[TOKEN_HASH_HEX];
	token_hash(secret, th);
	if (!e) {
		memset(out, 0, sizeof *out);
		e = app_row_i64(ctx, STMT_TOKEN_INSERT,
		                DB_ARGS(DB_INT(user_id), DB_TEXT("api"), DB_TEXT(name), DB_TEXT(th),
		                        DB_TEXT(ctx->now_s), DB_TEXT(expires)),
		                COL_ID, &out->id, "token");
	}
	if (e)
		return app_write_end(ctx, e, 0, NULL, NULL);
	out->user_id = user_id;
	out->kind = "api";
	out->name = name;
	out->created_at = arena_strdup(&ctx->arena, ctx->now_s);
	out->expires_at = expires;
	/* rendered before the secret is set: neither the audit nor a replay ever holds it */
	struct buf b = BUF_INIT;
	token_to_json(out, &b);
	const char *json = app_keep(ctx, &b);
	e = app_audit(ctx, "create", "token", app_id_str(ctx, out->id), NULL, json);
	out->secret = secret;
	return app_write_end(ctx, e, 201, json, NULL);
}

/*
 * Only one's own API tokens: any other id reads as not found, so the ids of others' tokens are
 * not disclosed. A session ends by signing out.
 */
enum err app_token_revoke(struct app_ctx *ctx, int64_t id)
{
	enum err e = app_allow(ctx, ACT_TOKEN_MANAGE, NULL);
	if (e)
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct token_info t = {0};
	bool found;
	e = app_row_find(ctx, STMT_TOKEN_GET, DB_ARGS(DB_INT(id)), token_row, &t, "token", &found);
	if (!e && (!found || t.user_id != ctx->actor.user_id || strcmp(t.kind, "api") || t.revoked))
		e = APP_FAIL(ctx, ERR_NOT_FOUND, "id", "no token %lld", (long long)id);
	if (!e && (e = db_exec(ctx->conn, STMT_TOKEN_REVOKE,
	                       DB_ARGS(DB_TEXT(ctx->now_s), DB_INT(id)), NULL)))
		e = app_db_fail(ctx, e, "token");
	if (!e)
		e = app_audit(ctx, "revoke", "token", app_id_str(ctx, id), NULL, NULL);
	return app_write_end(ctx, e, 204, NULL, NULL);
}
