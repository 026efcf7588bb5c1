/* app_account: users, grants, sessions, tokens. */
#include "app/app_account.h"

#include "app/app_org.h"
#include "app/app_pii.h"
#include "app/app_totp.h"
#include "app/app_tx.h"
#include "core/password.h"
#include "lib/embed.h"
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
void app_token_hash(const char *token, char out[TOKEN_HASH_HEX])
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
 * The separation of administrator roles also protects the administrators:
 * only admin (break-glass, or the CLI) disables, deletes or resets the
 * password of another user holding admin, sysadmin, secadmin or auditadmin,
 * so a system administrator cannot take over the security administrator.
 */
static enum err admin_target_guard(struct app_ctx *ctx, const struct user *u)
{
	if (u->id == ctx->actor.user_id || ctx->actor.user_id < 0 ||
	    authz_has_role(&ctx->actor, ROLE_ADMIN))
		return ERR_OK;
	for (int k = 0; k < u->ngrants; k++) {
		enum role r = u->grants[k].role;
		if (r == ROLE_ADMIN || r == ROLE_SYSADMIN || r == ROLE_SECADMIN ||
		    r == ROLE_AUDITADMIN)
			return APP_FAIL_CODE(ctx, ERR_FORBIDDEN, "role_separation", "id",
			                     "the user is %s: only an admin may do this",
			                     role_name(r));
	}
	return ERR_OK;
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
 * Refuse a common password (the embedded list, the demo password) with the
 * code password_common; `demo` sets ctx->demo_password_ok to keep its
 * published password, knowingly, in the demo databases it makes.
 */
static enum err password_policy(struct app_ctx *ctx, const char *field, const char *pw)
{
	const struct embed_file *list = embed_find("passwords/common.txt");
	if (ctx->demo_password_ok || !pw ||
	    !password_is_common(pw, list ? (const char *)list->data : "", list ? list->len : 0))
		return ERR_OK;
	return APP_FAIL_CODE(ctx, ERR_INVALID, "password_common", field,
	                     "is a commonly used password: choose another");
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
	if ((e = password_policy(ctx, "password", v[USER_PASSWORD].s)))
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
	if (v[USER_DISABLED].set && (e = admin_target_guard(ctx, &cur)))
		return app_write_end(ctx, e, 0, NULL, NULL);
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
	if ((e = admin_target_guard(ctx, &cur)))
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
	if ((e = password_policy(ctx, "password", new_pw)))
		return e;
	struct user u;
	if ((e = user_load(ctx, id, &u)))
		return e;
	if ((e = admin_target_guard(ctx, &u)))
		return e;
	if (!admin || id == ctx->actor.user_id) {
		int64_t uid;
		const char *hash = NULL;
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
	/*
	 * Every session and API token of the user ends with the old password,
	 * but for the session of a user changing their own password, which
	 * proved it just now: signing them out of the tab they used would only
	 * make them sign in again with the new one.
	 */
	int64_t keep = id == ctx->actor.user_id ? ctx->token_id : 0;
	int64_t revoked = 0;
	if (!e)
		e = db_exec(
		        ctx->conn, STMT_TOKEN_REVOKE_USER,
		        DB_ARGS(DB_TEXT(ctx->now_s), DB_INT(id), DB_INT(keep), DB_NULL, DB_NULL),
		        &revoked);
	if (e) {
		e = app_db_fail(ctx, e, "user");
	} else {
		const char *after =
		        arena_printf(&ctx->arena, "{\"tokens_revoked\":%lld}", (long long)revoked);
		e = app_audit(ctx, "set_password", "user", app_id_str(ctx, id), NULL, after);
	}
	return app_write_end(ctx, e, 204, NULL, NULL);
}

/* ---- sign-in ---- */

/*
 * A sign-in between its checks (on a request worker) and the verification of
 * its password (anywhere, app_login_verify): everything it needs is copied
 * here, so it does not depend on the request's memory.
 */
struct login_job {
	char username[65];
	char addr[64];
	char key[160]; /* the (username, address) pair of the growing delays */
	char *password, *otp, *hash, *totp_secret;
	int64_t uid, totp_last_step;
	bool disabled, totp_enabled;
	bool ok; /* app_login_verify: the password matched an enabled user */
};

void app_login_job_free(struct login_job *j)
{
	if (!j)
		return;
	if (j->password) {
		sodium_memzero(j->password, strlen(j->password));
		free(j->password);
	}
	if (j->otp)
		free(j->otp);
	if (j->totp_secret) {
		sodium_memzero(j->totp_secret, strlen(j->totp_secret));
		free(j->totp_secret);
	}
	free(j->hash);
	free(j);
}

void app_login_verify(void *arg)
{
	struct login_job *j = arg;
	/* verify against a dummy hash for unknown users so timing does not tell */
	static const char dummy[crypto_pwhash_STRBYTES] =
	        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
	        "dGhpc2lzbm90YXJlYWxoYXNoYnV0aXRpc2xvbmdlbm91Z2g";
	j->ok = crypto_pwhash_str_verify(j->hash ? j->hash : dummy, j->password,
	                                 strlen(j->password)) == 0 &&
	        j->hash && !j->disabled;
}

/*
 * Audit a refused sign-in in its own transaction: the name tried, the
 * address and why (never the password). The refusal stands even when the
 * record cannot be written.
 */
static void login_audit_failure(struct app_ctx *ctx, const struct login_job *j, const char *reason)
{
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b);
	jw_obj_open(&w);
	jw_kstr(&w, "username", j->username);
	jw_kstr(&w, "address", j->addr);
	jw_kstr(&w, "reason", reason);
	jw_obj_close(&w);
	const char *after = app_keep(ctx, &b);
	struct err_detail keep = ctx->err;
	const char *idem = ctx->idem_key;
	ctx->idem_key = NULL;
	if (!db_begin_write(ctx->conn)) {
		if (app_audit(ctx, "login_failed", "user", j->uid ? app_id_str(ctx, j->uid) : NULL,
		              NULL, after) ||
		    db_commit(ctx->conn))
			db_rollback(ctx->conn);
	}
	ctx->idem_key = idem;
	ctx->err = keep;
}

/*
 * Count one attempt of the pair and let it through, in one statement (so
 * concurrent guesses cannot all pass a check before any is counted), or
 * refuse it with the seconds it must still wait. A success clears the pair
 * (app_login_finish); a failure leaves the attempt counted.
 */
static enum err login_claim(struct app_ctx *ctx, const struct login_job *j, int *wait_s)
{
	*wait_s = 0;
	enum err e = db_begin_write(ctx->conn);
	if (e)
		return app_db_fail(ctx, e, "sign-in");
	struct db_rows *r;
	const struct db_val free_fails = DB_INT(LIMIT_SIGNIN_FREE_FAILS),
	                    cap = DB_INT(LIMIT_SIGNIN_DELAY_MAX_S),
	                    base = DB_INT(LIMIT_SIGNIN_DELAY_S), now = DB_INT(ctx->now);
	e = db_query(ctx->conn, STMT_LOGIN_DELAY_CLAIM,
	             DB_ARGS(DB_TEXT(j->key), now, now, free_fails, cap, base, now, free_fails, cap,
	                     base, now, now),
	             &r);
	bool through = false;
	if (!e) {
		through = db_next(r);
		e = db_done(r);
	}
	/* pairs quiet for a day are forgotten, so the table stays small */
	if (!e)
		e = db_exec(ctx->conn, STMT_LOGIN_DELAY_PURGE,
		            DB_ARGS(DB_INT(ctx->now - LIMIT_SIGNIN_FORGET_S)), NULL);
	if (!e && !through &&
	    !(e = db_query(ctx->conn, STMT_LOGIN_DELAY_GET, DB_ARGS(DB_TEXT(j->key)), &r))) {
		if (db_next(r))
			*wait_s = (int)(db_col_i64(r, COL_LOGIN_DELAY_NEXT_AT) - ctx->now);
		e = db_done(r);
		if (*wait_s < 1)
			*wait_s = 1;
	}
	if (!e)
		e = db_commit(ctx->conn);
	if (e) {
		db_rollback(ctx->conn);
		return app_db_fail(ctx, e, "sign-in");
	}
	return ERR_OK;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

enum err app_login_start(struct app_ctx *ctx, const char *username, const char *password,
                         const char *otp, struct login_job **job)
{
	*job = NULL;
	if (!username || !password)
		return APP_FAIL(ctx, ERR_INVALID, username ? "password" : "username",
		                "is required");
	ctx->idem_key = NULL; /* a session secret is never stored: sign-ins are not replayed */
	struct login_job *j = xcalloc(1, sizeof *j);
	snprintf(j->username, sizeof j->username, "%s", username);
	snprintf(j->addr, sizeof j->addr, "%s", ctx->client_addr ? ctx->client_addr : "-");
	snprintf(j->key, sizeof j->key, "%s\n%s", j->username, j->addr);
	j->password = xstrdup(password);
	j->otp = dup_or_null(otp);
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_USER_AUTH, DB_ARGS(DB_TEXT(username)), &r);
	if (e) {
		e = app_db_fail(ctx, e, "user");
	} else {
		if (db_next(r)) {
			j->uid = db_col_i64(r, COL_USER_AUTH_ID);
			j->hash = dup_or_null(db_col_text(r, COL_USER_AUTH_PASSWORD_HASH));
			j->disabled = db_col_i64(r, COL_USER_AUTH_DISABLED) != 0;
			/* opened with the data key when it was stored sealed (app_pii.h) */
			j->totp_secret = dup_or_null(app_pii_open(
			        ctx, PII_TOTP_SECRET, db_col_text(r, COL_USER_AUTH_TOTP_SECRET)));
			j->totp_enabled = db_col_i64(r, COL_USER_AUTH_TOTP_ENABLED) != 0;
			j->totp_last_step = db_col_i64(r, COL_USER_AUTH_TOTP_LAST_STEP);
		}
		if ((e = db_done(r)))
			e = app_db_fail(ctx, e, "user");
	}
	int wait_s = 0;
	if (!e)
		e = login_claim(ctx, j, &wait_s);
	if (!e && wait_s) {
		login_audit_failure(ctx, j, "delayed");
		e = APP_FAIL_CODE(ctx, ERR_RATE_LIMITED, "signin_delayed", "password",
		                  "too many failed sign-ins for %s from this address: try again "
		                  "in %d seconds",
		                  j->username, wait_s);
		ctx->err.retry_after = wait_s;
	}
	if (e) {
		app_login_job_free(j);
		return e;
	}
	*job = j;
	return ERR_OK;
}

/* Does a role of the user (grants in ctx->actor) require a second factor? */
static bool login_needs_otp(const struct app_ctx *ctx)
{
	for (int k = 0; k < ctx->actor.ngrants; k++)
		if (ctx->app->require_2fa & (1u << ctx->actor.grants[k].role))
			return true;
	return false;
}

enum err app_login_finish(struct app_ctx *ctx, struct login_job *j, struct token_info *tok,
                          struct user *user)
{
	enum err e = ERR_OK;
	int64_t step = 0;
	ctx->idem_key = NULL;
	if (!j->ok) {
		login_audit_failure(ctx, j,
		                    !j->hash      ? "unknown_user"
		                    : j->disabled ? "disabled"
		                                  : "password");
		e = APP_FAIL_CODE(ctx, ERR_UNAUTHENTICATED, "signin_failed", "password",
		                  "wrong username or password, or the account is disabled");
		goto out;
	}
	ctx->actor.user_id = j->uid;
	snprintf(ctx->actor.username, sizeof ctx->actor.username, "%s", j->username);
	if ((e = app_grants_load(ctx, j->uid, ctx->actor.grants, &ctx->actor.ngrants))) {
		e = app_db_fail(ctx, e, "roles");
		goto out;
	}
	if (j->totp_enabled || login_needs_otp(ctx)) {
		const char *reason = NULL;
		if (!j->totp_enabled) {
			reason = "otp_not_enrolled";
			e = APP_FAIL_CODE(ctx, ERR_UNAUTHENTICATED, "otp_enrollment_required",
			                  "otp",
			                  "your role requires two-factor sign-in and you have not "
			                  "enrolled: ask an administrator (techbridge user totp)");
		} else if (!j->otp) {
			reason = "otp_required";
			e = APP_FAIL_CODE(ctx, ERR_UNAUTHENTICATED, "otp_required", "otp",
			                  "is required: the code of your authenticator app");
		} else if (!totp_check(j->totp_secret, j->otp, ctx->now, j->totp_last_step,
		                       &step)) {
			reason = "otp_invalid";
			e = APP_FAIL_CODE(ctx, ERR_UNAUTHENTICATED, "otp_invalid", "otp",
			                  "is wrong, expired or already used");
		}
		if (e) {
			memset(&ctx->actor, 0, sizeof ctx->actor);
			login_audit_failure(ctx, j, reason);
			goto out;
		}
	}
	const char *secret = token_new(ctx);
	char th[TOKEN_HASH_HEX];
	app_token_hash(secret, th);
	char expires[INSTANT_STR];
	instant_format(ctx->now + LIMIT_SESSION_TTL_S, expires);
	if ((e = app_write_begin(ctx)))
		goto out;
	db_exec(ctx->conn, STMT_LOGIN_DELAY_CLEAR, DB_ARGS(DB_TEXT(j->key)), NULL);
	db_exec(ctx->conn, STMT_TOKEN_PURGE_SESSIONS, DB_ARGS(DB_TEXT(ctx->now_s)), NULL);
	int64_t changed = 1;
	if (step && (e = db_exec(ctx->conn, STMT_USER_TOTP_STEP,
	                         DB_ARGS(DB_INT(step), DB_INT(j->uid), DB_INT(step)), &changed))) {
		e = app_write_end(ctx, app_db_fail(ctx, e, "otp"), 0, NULL, NULL);
		goto out;
	}
	if (!changed) { /* the same code, used meanwhile by another sign-in */
		app_write_end(ctx, ERR_CONFLICT, 0, NULL, NULL);
		login_audit_failure(ctx, j, "otp_invalid");
		e = APP_FAIL_CODE(ctx, ERR_UNAUTHENTICATED, "otp_invalid", "otp",
		                  "is wrong, expired or already used");
		goto out;
	}
	struct db_rows *r;
	e = db_query(ctx->conn, STMT_TOKEN_INSERT,
	             DB_ARGS(DB_INT(j->uid), DB_TEXT("session"), DB_NULL, DB_TEXT(th),
	                     DB_TEXT(ctx->now_s), DB_TEXT(expires)),
	             &r);
	if (!e) {
		memset(tok, 0, sizeof *tok);
		if (db_next(r))
			tok->id = db_col_i64(r, COL_ID);
		e = db_done(r);
	}
	if (e) {
		e = app_write_end(ctx, app_db_fail(ctx, e, "session"), 0, NULL, NULL);
		goto out;
	}
	tok->user_id = j->uid;
	tok->kind = "session";
	tok->secret = secret;
	tok->created_at = arena_strdup(&ctx->arena, ctx->now_s);
	tok->expires_at = arena_strdup(&ctx->arena, expires);
	e = user_load(ctx, j->uid, user);
	if (!e)
		e = app_audit(ctx, "login", "user", app_id_str(ctx, j->uid), NULL, NULL);
	e = app_write_end(ctx, e, 201, NULL, NULL);
out:
	app_login_job_free(j);
	return e;
}

enum err app_login(struct app_ctx *ctx, const char *username, const char *password, const char *otp,
                   struct token_info *tok, struct user *user)
{
	struct login_job *j;
	enum err e = app_login_start(ctx, username, password, otp, &j);
	if (e)
		return e;
	app_login_verify(j);
	return app_login_finish(ctx, j, tok, user);
}

/* Only the presented token is revoked: the user's other sessions and API tokens stay valid. */
enum err app_logout(struct app_ctx *ctx, const char *token)
{
	if (ctx->actor.user_id <= 0 || !token)
		return APP_FAIL(ctx, ERR_UNAUTHENTICATED, "Authorization", "not signed in");
	char th[TOKEN_HASH_HEX];
	app_token_hash(token, th);
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

enum err app_logout_all(struct app_ctx *ctx)
{
	if (ctx->actor.user_id <= 0)
		return APP_FAIL(ctx, ERR_UNAUTHENTICATED, "Authorization", "not signed in");
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	int64_t revoked = 0;
	e = db_exec(ctx->conn, STMT_TOKEN_REVOKE_USER,
	            DB_ARGS(DB_TEXT(ctx->now_s), DB_INT(ctx->actor.user_id), DB_INT(0),
	                    DB_TEXT("session"), DB_TEXT("session")),
	            &revoked);
	if (e)
		e = app_db_fail(ctx, e, "session");
	else
		e = app_audit(ctx, "logout_all", "user", app_id_str(ctx, ctx->actor.user_id), NULL,
		              arena_printf(&ctx->arena, "{\"sessions_revoked\":%lld}",
		                           (long long)revoked));
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

static bool separated_role(enum role r)
{
	return r == ROLE_SYSADMIN || r == ROLE_SECADMIN || r == ROLE_AUDITADMIN;
}

/*
 * The separation of the administrator roles: only admin (break-glass) grants
 * admin; nobody but admin grants roles to themself; no user holds two of
 * sysadmin, secadmin and auditadmin.
 */
static enum err grant_separation(struct app_ctx *ctx, int64_t user_id, const struct grant *g)
{
	bool admin = authz_has_role(&ctx->actor, ROLE_ADMIN) || ctx->actor.user_id < 0;
	if (!admin && g->role == ROLE_ADMIN)
		return APP_FAIL_CODE(ctx, ERR_FORBIDDEN, "role_separation", "role",
		                     "only an admin may grant admin");
	if (!admin && user_id == ctx->actor.user_id)
		return APP_FAIL_CODE(ctx, ERR_FORBIDDEN, "role_separation", "role",
		                     "you may not grant roles to yourself");
	if (!separated_role(g->role))
		return ERR_OK;
	struct grant held[AUTHZ_GRANTS_MAX];
	int n = 0;
	enum err e = app_grants_load(ctx, user_id, held, &n);
	if (e)
		return app_db_fail(ctx, e, "roles");
	for (int k = 0; k < n; k++)
		if (separated_role(held[k].role) && held[k].role != g->role)
			return APP_FAIL_CODE(
			        ctx, ERR_CONFLICT, "role_separation", "role",
			        "the user is %s already: sysadmin, secadmin and auditadmin "
			        "are held by different people",
			        role_name(held[k].role));
	return ERR_OK;
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
	e = grant_separation(ctx, user_id, out);
	if (!e)
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
	if (g.role == ROLE_ADMIN && ctx->actor.user_id > 0 &&
	    !authz_has_role(&ctx->actor, ROLE_ADMIN))
		return APP_FAIL_CODE(ctx, ERR_FORBIDDEN, "role_separation", "role",
		                     "only an admin may revoke admin");
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
	int64_t count = 0, locked = 0; /* the user's row: concurrent creations count in turn */
	e = app_row_i64(ctx, STMT_USER_LOCK, DB_ARGS(DB_INT(user_id)), COL_ID, &locked, "user");
	if (!e)
		e = app_row_i64(ctx, STMT_TOKEN_COUNT_USER, DB_ARGS(DB_INT(user_id)), COL_COUNT,
		                &count, "token");
	if (!e && count >= LIMIT_TOKENS_PER_USER)
		e = APP_FAIL(ctx, ERR_CONFLICT, "name",
		             "you hold %d tokens already: revoke one first", LIMIT_TOKENS_PER_USER);
	const char *secret = token_new(ctx);
	char th[TOKEN_HASH_HEX];
	app_token_hash(secret, th);
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
