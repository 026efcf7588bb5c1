/* api_signin: sign out everywhere and two-factor sign-in (TOTP). */
#include "http/api.h"

#include "app/app_account.h"
#include "app/app_totp.h"
#include "lib/jw.h"

const struct field_def api_otp_body[BODY_OTP__N] = {
        [BODY_OTP_CODE] = {"otp", FT_TEXT, FD_REQUIRED | FD_SECRET, 6, 6, NULL, NULL,
                           "the 6-digit code of the authenticator app"},
};

void api_session_delete_all(struct req *rq)
{
	http_finish(rq, app_logout_all(rq->ctx), 204);
}

void api_totp_enroll(struct req *rq)
{
	const char *secret, *uri;
	enum err e = app_totp_enroll(rq->ctx, rq->ctx->actor.user_id, &secret, &uri);
	if (e)
		return http_problem(rq, e);
	struct jw w;
	jw_init(&w, &rq->out);
	jw_obj_open(&w);
	jw_kstr(&w, "secret", secret);
	jw_kstr(&w, "otpauth_uri", uri);
	jw_obj_close(&w);
	http_json(rq, 201);
}

void api_totp_confirm(struct req *rq)
{
	http_finish(rq, app_totp_confirm(rq->ctx, rq->body[BODY_OTP_CODE].s), 204);
}

void api_totp_disable(struct req *rq)
{
	http_finish(rq,
	            app_totp_disable(rq->ctx, rq->ctx->actor.user_id, rq->body[BODY_OTP_CODE].s),
	            204);
}

void api_user_totp_reset(struct req *rq)
{
	int64_t id;
	if (!http_param_id(rq, 0, &id))
		return;
	http_finish(rq, app_totp_disable(rq->ctx, id, NULL), 204);
}
