/* app_totp: TOTP enrollment, confirmation, disabling and code checks (liboath). */
#include "app/app_totp.h"

#include "app/app_pii.h"

#include "app/app_tx.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum { TOTP_STEP_S = 30, TOTP_DIGITS = 6, TOTP_SECRET_BYTES = 20 };

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;

static void oath_start(void)
{
	oath_init();
}

bool totp_check(const char *secret, const char *otp, int64_t now, int64_t last_step, int64_t *step)
{
	pthread_once(&oath_once, oath_start);
	if (!secret || !otp || strlen(otp) != TOTP_DIGITS ||
	    strspn(otp, "0123456789") != TOTP_DIGITS)
		return false;
	char *raw = NULL;
	size_t rawlen = 0;
	if (oath_base32_decode(secret, strlen(secret), &raw, &rawlen) != OATH_OK)
		return false;
	int pos = 0;
	int rc = oath_totp_validate2(raw, rawlen, (time_t)now, TOTP_STEP_S, 0, 1, &pos, otp);
	sodium_memzero(raw, rawlen);
	free(raw);
	if (rc < 0)
		return false;
	*step = now / TOTP_STEP_S + pos;
	return *step > last_step;
}

/* The user's secret, whether it is in force, and the last step used. */
static enum err totp_load(struct app_ctx *ctx, int64_t uid, const char **secret, bool *enabled,
                          int64_t *last_step)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_USER_TOTP_GET, DB_ARGS(DB_INT(uid)), &r);
	if (e)
		return app_db_fail(ctx, e, "user");
	bool found = db_next(r);
	if (found) {
		/* sealed with the data key when one is configured (app_pii.h) */
		*secret = app_pii_open(ctx, PII_TOTP_SECRET, db_col_text(r, COL_USER_TOTP_SECRET));
		*enabled = db_col_i64(r, COL_USER_TOTP_ENABLED) != 0;
		*last_step = db_col_i64(r, COL_USER_TOTP_LAST_STEP);
	}
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "user");
	return found ? ERR_OK : APP_FAIL(ctx, ERR_NOT_FOUND, "id", "no user %lld", (long long)uid);
}

/* The caller itself, or anyone for an administrator of security settings. */
static enum err totp_allow(struct app_ctx *ctx, int64_t uid)
{
	struct target t = {.user_id = uid};
	if (uid == ctx->actor.user_id && ctx->actor.user_id > 0)
		return ERR_OK;
	return app_allow(ctx, ACT_SECURITY_MANAGE, &t);
}

enum err app_totp_enroll(struct app_ctx *ctx, int64_t user_id, const char **secret,
                         const char **uri)
{
	pthread_once(&oath_once, oath_start);
	enum err e = totp_allow(ctx, user_id);
	if (e)
		return e;
	ctx->idem_key = NULL; /* the answer holds a secret: it is never stored for a replay */
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	const char *cur;
	bool enabled = false;
	int64_t last;
	const char *uname = NULL;
	if (!(e = totp_load(ctx, user_id, &cur, &enabled, &last)) && enabled)
		e = APP_FAIL_CODE(ctx, ERR_CONFLICT, "otp_already_enabled", "otp",
		                  "two-factor sign-in is on already: disable it first");
	struct db_rows *r;
	if (!e && !(e = db_query(ctx->conn, STMT_USER_GET, DB_ARGS(DB_INT(user_id)), &r))) {
		if (db_next(r))
			uname = app_col(ctx, r, COL_USER_USERNAME);
		e = db_done(r);
	}
	unsigned char raw[TOTP_SECRET_BYTES];
	char *b32 = NULL;
	size_t b32len = 0;
	randombytes_buf(raw, sizeof raw);
	if (!e && oath_base32_encode((const char *)raw, sizeof raw, &b32, &b32len) != OATH_OK)
		e = APP_FAIL(ctx, ERR_INTERNAL, "otp", "cannot encode the secret");
	sodium_memzero(raw, sizeof raw);
	if (!e) {
		*secret = arena_strdup(&ctx->arena, b32);
		*uri = arena_printf(&ctx->arena,
		                    "otpauth://totp/techbridge:%s?secret=%s&issuer=techbridge"
		                    "&algorithm=SHA1&digits=%d&period=%d",
		                    uname ? uname : "user", b32, TOTP_DIGITS, TOTP_STEP_S);
		e = db_exec(ctx->conn, STMT_USER_TOTP_SET,
		            DB_ARGS(DB_TEXT(app_pii_seal(ctx, PII_TOTP_SECRET, b32)), DB_INT(0),
		                    DB_INT(0), DB_TEXT(ctx->now_s), DB_INT(user_id)),
		            NULL);
		if (e)
			e = app_db_fail(ctx, e, "user");
	}
	if (b32) {
		sodium_memzero(b32, b32len);
		free(b32);
	}
	if (!e) /* the secret itself never goes into the audit log */
		e = app_audit(ctx, "totp_enroll", "user", app_id_str(ctx, user_id), NULL, NULL);
	return app_write_end(ctx, e, 201, NULL, NULL);
}

enum err app_totp_confirm(struct app_ctx *ctx, const char *otp)
{
	int64_t uid = ctx->actor.user_id;
	if (uid <= 0)
		return APP_FAIL(ctx, ERR_UNAUTHENTICATED, "Authorization", "sign in first");
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	const char *secret = NULL;
	bool enabled = false;
	int64_t last = 0, step = 0;
	if (!(e = totp_load(ctx, uid, &secret, &enabled, &last))) {
		if (enabled)
			e = APP_FAIL_CODE(ctx, ERR_CONFLICT, "otp_already_enabled", "otp",
			                  "two-factor sign-in is on already");
		else if (!secret)
			e = APP_FAIL_CODE(ctx, ERR_CONFLICT, "otp_not_enrolled", "otp",
			                  "enroll first (POST /api/v1/me/totp)");
		else if (!totp_check(secret, otp, ctx->now, last, &step))
			e = APP_FAIL_CODE(ctx, ERR_INVALID, "otp_invalid", "otp",
			                  "is wrong or expired");
	}
	if (!e && (e = db_exec(ctx->conn, STMT_USER_TOTP_SET,
	                       DB_ARGS(DB_TEXT(app_pii_seal(ctx, PII_TOTP_SECRET, secret)),
	                               DB_INT(1), DB_INT(step), DB_TEXT(ctx->now_s), DB_INT(uid)),
	                       NULL)))
		e = app_db_fail(ctx, e, "user");
	if (!e)
		e = app_audit(ctx, "totp_enable", "user", app_id_str(ctx, uid), NULL, NULL);
	return app_write_end(ctx, e, 204, NULL, NULL);
}

enum err app_totp_disable(struct app_ctx *ctx, int64_t user_id, const char *otp)
{
	enum err e;
	bool self = user_id == ctx->actor.user_id && user_id > 0;
	struct target t = {.user_id = user_id};
	if (!self || !otp) {
		if ((e = app_allow(ctx, ACT_SECURITY_MANAGE, &t)))
			return self ? APP_FAIL_CODE(ctx, ERR_INVALID, "otp_required", "otp",
			                            "is required: a current code")
			            : e;
	}
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	const char *secret = NULL;
	bool enabled = false;
	int64_t last = 0, step = 0;
	if (!(e = totp_load(ctx, user_id, &secret, &enabled, &last)) && self && otp &&
	    !(enabled && totp_check(secret, otp, ctx->now, last, &step)))
		e = APP_FAIL_CODE(ctx, ERR_INVALID, "otp_invalid", "otp",
		                  "is wrong, expired or already used");
	if (!e && (e = db_exec(ctx->conn, STMT_USER_TOTP_SET,
	                       DB_ARGS(DB_NULL, DB_INT(0), DB_INT(step > last ? step : last),
	                               DB_TEXT(ctx->now_s), DB_INT(user_id)),
	                       NULL)))
		e = app_db_fail(ctx, e, "user");
	if (!e)
		e = app_audit(ctx, "totp_disable", "user", app_id_str(ctx, user_id), NULL, NULL);
	return app_write_end(ctx, e, 204, NULL, NULL);
}
