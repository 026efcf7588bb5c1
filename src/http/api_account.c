/* api_account: sessions, users, role grants and API tokens. */
#include "http/api.h"

#include "app/app_account.h"
#include "app/app_notify.h"
#include "core/codes.h"
#include "lib/jw.h"
#include "lib/limits.h"
#include "lib/workq.h"

#include <string.h>

/*
 * Sign-in accepts any non-empty password: the rules of password_check apply
 * when a password is set, not when one is tried
 */
const struct field_def api_login_body[BODY_LOGIN__N] = {
        [BODY_LOGIN_USERNAME] = {"username", FT_TEXT, FD_REQUIRED, 1, 64, NULL, NULL, "login name"},
        [BODY_LOGIN_PASSWORD] = {"password", FT_TEXT, FD_REQUIRED | FD_SECRET, 1,
                                 LIMIT_PASSWORD_MAX, NULL, NULL, "password"},
        [BODY_LOGIN_OTP] =
                {"otp", FT_TEXT, FD_SECRET, 6, 6, NULL, NULL,
                 "the 6-digit code of the authenticator app, when two-factor sign-in is on"},
};

const struct field_def api_password_body[BODY_PASSWORD__N] = {
        /*
         * not required by the table: whether it is needed depends on who changes whose
         * password, which the app layer decides
         */
        [BODY_PASSWORD_OLD] =
                {"old_password", FT_TEXT, FD_SECRET, 1, LIMIT_PASSWORD_MAX, NULL, NULL,
                 "the current password (not needed when an administrator resets another user's)"},
        [BODY_PASSWORD_NEW] = {"password", FT_TEXT, FD_REQUIRED | FD_SECRET, LIMIT_PASSWORD_MIN,
                               LIMIT_PASSWORD_MAX, NULL, password_check, "the new password"},
};

const struct field_def api_token_body[BODY_TOKEN__N] = {
        [BODY_TOKEN_NAME] = {"name", FT_TEXT, FD_REQUIRED | FD_FREE_TEXT, 1, 100, NULL, NULL,
                             "what the token is for"},
        [BODY_TOKEN_EXPIRES_ON] = {"expires_on", FT_TEXT, FD_NULLABLE, 10, 10, NULL, date_check,
                                   "last day of validity (none: until revoked)"},
};

const struct field_def api_user_query[API_USER_NQUERY] = {
        {"q", FT_TEXT, FD_FREE_TEXT, 1, 100, NULL, NULL, "text in the username or display name"},
};

/* The answer to a sign-in, once its password was verified off the request workers. */
static void session_resume(struct req *rq, void *job)
{
	if (!rq->ctx->conn) { /* the server could not get a connection: it answers 503 */
		app_login_job_free(job);
		return;
	}
	struct token_info t;
	struct user u;
	enum err e = app_login_finish(rq->ctx, job, &t, &u);
	if (e)
		return http_problem(rq, e);
	struct jw w;
	struct buf ub = BUF_INIT;
	user_to_json(&u, &ub);
	buf_reset(&rq->out);
	jw_init(&w, &rq->out);
	jw_obj_open(&w);
	jw_kstr(&w, "token", t.secret);
	jw_kstr(&w, "expires_at", t.expires_at);
	jw_key(&w, "user");
	jw_raw(&w, buf_str(&ub));
	jw_obj_close(&w);
	buf_free(&ub);
	http_json(rq, 201);
}

/*
 * Sign in. The password is verified (argon2id: about 70 ms and 64 MiB) on
 * the server's few hashing threads, never on a request worker, so a flood of
 * sign-ins cannot slow other requests; when all hashing slots are taken the
 * answer is 429 (code signin_busy) at once.
 */
void api_session_create(struct req *rq)
{
	if (rq->hashq && !workq_reserve(rq->hashq)) {
		err_set_code(&rq->ctx->err, ERR_RATE_LIMITED, "signin_busy", "",
		             "too many sign-ins at once: try again in a second");
		rq->ctx->err.retry_after = 1;
		return http_problem(rq, ERR_RATE_LIMITED);
	}
	struct login_job *job;
	const struct field_val *ov = &rq->body[BODY_LOGIN_OTP];
	const char *otp = ov->set && !ov->null ? ov->s : NULL;
	enum err e = app_login_start(rq->ctx, rq->body[BODY_LOGIN_USERNAME].s,
	                             rq->body[BODY_LOGIN_PASSWORD].s, otp, &job);
	if (e) {
		if (rq->hashq)
			workq_release(rq->hashq);
		return http_problem(rq, e);
	}
	if (rq->hashq)
		return http_defer(rq, app_login_verify, job, session_resume);
	app_login_verify(job);
	session_resume(rq, job);
}

/* Signing out revokes the token the request was made with */
void api_session_delete(struct req *rq)
{
	http_finish(rq, app_logout(rq->ctx, rq->token), 204);
}

/*
 * http_page renders items through an untyped callback: these adapters give the
 * core JSON writers that signature
 */
static void user_item_json(const void *item, struct buf *out)
{
	user_to_json(item, out);
}

/* The signed-in user's own record, whatever the user's roles */
void api_me(struct req *rq)
{
	struct user u;
	enum err e = app_user_get(rq->ctx, rq->ctx->actor.user_id, &u);
	if (!e)
		user_to_json(&u, &rq->out);
	http_finish(rq, e, 200);
}

void api_user_list(struct req *rq)
{
	struct page p;
	enum err e = app_user_list(rq->ctx, http_query(rq, "q"), &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct user), user_item_json);
}

void api_user_get(struct req *rq)
{
	int64_t id;
	struct user u;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_user_get(rq->ctx, id, &u);
	if (!e)
		user_to_json(&u, &rq->out);
	http_finish(rq, e, 200);
}

/*
 * A replayed request answers with the stored response (http_finish), so
 * nothing is rendered for it; the other write handlers follow the same pattern
 */
void api_user_create(struct req *rq)
{
	struct user u;
	enum err e = app_user_create(rq->ctx, rq->body, &u);
	if (!e && !rq->ctx->replayed) {
		user_to_json(&u, &rq->out);
	}
	http_finish(rq, e, 201);
}

void api_user_update(struct req *rq)
{
	int64_t id;
	struct user u;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_user_update(rq->ctx, id, rq->version, rq->body, &u);
	if (!e)
		user_to_json(&u, &rq->out);
	http_finish(rq, e, 200);
}

void api_user_delete(struct req *rq)
{
	int64_t id;
	if (!http_param_id(rq, 0, &id))
		return;
	http_finish(rq, app_user_delete(rq->ctx, id, rq->version), 204);
}

void api_user_password(struct req *rq)
{
	int64_t id;
	if (!http_param_id(rq, 0, &id))
		return;
	http_finish(rq,
	            app_user_set_password(rq->ctx, id, rq->body[BODY_PASSWORD_OLD].s,
	                                  rq->body[BODY_PASSWORD_NEW].s),
	            204);
}

void api_grant_add(struct req *rq)
{
	int64_t id;
	struct grant g;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_grant_add(rq->ctx, id, rq->body, &g);
	if (!e && !rq->ctx->replayed) {
		struct jw w;
		jw_init(&w, &rq->out);
		grant_to_json(&g, &w);
	}
	http_finish(rq, e, 201);
}

void api_grant_remove(struct req *rq)
{
	int64_t id, grant;
	if (!http_param_id(rq, 0, &id) || !http_param_id(rq, 1, &grant))
		return;
	http_finish(rq, app_grant_remove(rq->ctx, id, grant), 204);
}

static void token_item_json(const void *item, struct buf *out)
{
	token_to_json(item, out);
}

void api_token_list(struct req *rq)
{
	struct page p;
	enum err e = app_token_list(rq->ctx, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct token_info), token_item_json);
}

/* A token for the signed-in user; its secret is in this answer only (core/account.h) */
void api_token_create(struct req *rq)
{
	struct token_info t;
	const struct field_val *exp = &rq->body[BODY_TOKEN_EXPIRES_ON];
	enum err e = app_token_create(rq->ctx, rq->ctx->actor.user_id, rq->body[BODY_TOKEN_NAME].s,
	                              exp->null ? NULL : exp->s, &t);
	if (!e && !rq->ctx->replayed)
		token_to_json(&t, &rq->out);
	http_finish(rq, e, 201);
}

void api_token_revoke(struct req *rq)
{
	int64_t id;
	if (!http_param_id(rq, 0, &id))
		return;
	http_finish(rq, app_token_revoke(rq->ctx, id), 204);
}

static void notification_json(const void *item, struct buf *out)
{
	notification_to_json(item, out);
}

void api_notification_list(struct req *rq)
{
	struct page p;
	enum err e = app_notification_list(rq->ctx, &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct notification), notification_json);
}
