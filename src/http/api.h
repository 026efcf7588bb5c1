/* api: the handlers of the route table, one file per domain (api_*.c). */
#ifndef TB_HTTP_API_H
#define TB_HTTP_API_H

#include "http/http.h"

/* api_ops.c */
void api_healthz(struct req *rq);
void api_readyz(struct req *rq);
void api_metrics(struct req *rq);
void api_openapi(struct req *rq);

/* api_org.c */
enum { API_ORG_NQUERY = 6 };
extern const struct field_def api_org_query[API_ORG_NQUERY];
void api_org_list(struct req *rq);
void api_org_get(struct req *rq);
void api_org_create(struct req *rq);
void api_org_update(struct req *rq);
void api_org_delete(struct req *rq);
enum { BODY_MEMBER_USER_ID, BODY_MEMBER_ROLE, BODY_MEMBER__N };
extern const struct field_def api_member_body[BODY_MEMBER__N];
void api_org_members(struct req *rq);
void api_org_member_add(struct req *rq);
void api_org_member_remove(struct req *rq);

/* api_refdata.c */
enum { API_REGION_NQUERY = 3 };
extern const struct field_def api_region_query[API_REGION_NQUERY];
enum { API_INDUSTRY_NQUERY = 3 };
extern const struct field_def api_industry_query[API_INDUSTRY_NQUERY];
void api_region_list(struct req *rq);
void api_region_get(struct req *rq);
void api_region_create(struct req *rq);
void api_region_update(struct req *rq);
void api_region_delete(struct req *rq);
void api_industry_list(struct req *rq);
void api_industry_get(struct req *rq);
void api_industry_create(struct req *rq);
void api_industry_update(struct req *rq);
void api_industry_delete(struct req *rq);

/* api_account.c */
enum { BODY_LOGIN_USERNAME, BODY_LOGIN_PASSWORD, BODY_LOGIN_OTP, BODY_LOGIN__N };
extern const struct field_def api_login_body[BODY_LOGIN__N];
enum { BODY_PASSWORD_OLD, BODY_PASSWORD_NEW, BODY_PASSWORD__N };
extern const struct field_def api_password_body[BODY_PASSWORD__N];
enum { BODY_TOKEN_NAME, BODY_TOKEN_EXPIRES_ON, BODY_TOKEN__N };
extern const struct field_def api_token_body[BODY_TOKEN__N];
enum { API_USER_NQUERY = 1 };
extern const struct field_def api_user_query[API_USER_NQUERY];
void api_session_create(struct req *rq);
void api_session_delete(struct req *rq);
/* api_signin.c: sign out everywhere and two-factor sign-in */
enum { BODY_OTP_CODE, BODY_OTP__N };
extern const struct field_def api_otp_body[BODY_OTP__N];
void api_session_delete_all(struct req *rq);
void api_totp_enroll(struct req *rq);
void api_totp_confirm(struct req *rq);
void api_totp_disable(struct req *rq);
void api_user_totp_reset(struct req *rq);
void api_me(struct req *rq);
void api_user_list(struct req *rq);
void api_user_get(struct req *rq);
void api_user_create(struct req *rq);
void api_user_update(struct req *rq);
void api_user_delete(struct req *rq);
void api_user_password(struct req *rq);
void api_grant_add(struct req *rq);
void api_grant_remove(struct req *rq);
void api_token_list(struct req *rq);
void api_token_create(struct req *rq);
void api_token_revoke(struct req *rq);
void api_notification_list(struct req *rq);

/* api_audit.c */
enum { API_AUDIT_NQUERY = 3 };
extern const struct field_def api_audit_query[API_AUDIT_NQUERY];
void api_audit_list(struct req *rq);

#endif
