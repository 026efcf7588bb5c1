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
enum { API_MEMBER_NBODY = 2 };
extern const struct field_def api_member_body[API_MEMBER_NBODY];
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
enum { API_LOGIN_NBODY = 3 };
extern const struct field_def api_login_body[API_LOGIN_NBODY];
enum { API_PASSWORD_NBODY = 2 };
extern const struct field_def api_password_body[API_PASSWORD_NBODY];
enum { API_TOKEN_NBODY = 2 };
extern const struct field_def api_token_body[API_TOKEN_NBODY];
enum { API_USER_NQUERY = 1 };
extern const struct field_def api_user_query[API_USER_NQUERY];
void api_session_create(struct req *rq);
void api_session_delete(struct req *rq);
/* api_signin.c: sign out everywhere and two-factor sign-in */
enum { API_OTP_NBODY = 1 };
extern const struct field_def api_otp_body[API_OTP_NBODY];
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

/* api_audit.c */
enum { API_AUDIT_NQUERY = 3 };
extern const struct field_def api_audit_query[API_AUDIT_NQUERY];
void api_audit_list(struct req *rq);

/* api_gradient.c: gradient cultivation (issue 3) */
enum {
	API_EVAL_NBODY = 2,
	API_APP_NQUERY = 1,
	API_STEP_NBODY = 1,
	API_ATTACH_NBODY = 3,
	API_QUEUE_NQUERY = 1,
	API_OBJECTION_NBODY = 2,
	API_RESOLVE_NBODY = 2,
	API_BATCH_NBODY = 3,
	API_TITLE_NQUERY = 2,
	API_REVOKE_NBODY = 2,
	API_STATS_NQUERY = 1,
};
extern const struct field_def api_eval_body[API_EVAL_NBODY];
extern const struct field_def api_app_query[API_APP_NQUERY];
extern const struct field_def api_step_body[API_STEP_NBODY];
extern const struct field_def api_attach_body[API_ATTACH_NBODY];
extern const struct field_def api_queue_query[API_QUEUE_NQUERY];
extern const struct field_def api_objection_body[API_OBJECTION_NBODY];
extern const struct field_def api_resolve_body[API_RESOLVE_NBODY];
extern const struct field_def api_batch_body[API_BATCH_NBODY];
extern const struct field_def api_title_query[API_TITLE_NQUERY];
extern const struct field_def api_revoke_body[API_REVOKE_NBODY];
extern const struct field_def api_stats_query[API_STATS_NQUERY];
void api_facts_get(struct req *rq);
void api_facts_put(struct req *rq);
void api_evaluation_create(struct req *rq);
void api_evaluation_list(struct req *rq);
void api_application_list(struct req *rq);
void api_application_create(struct req *rq);
void api_application_get(struct req *rq);
void api_application_update(struct req *rq);
void api_application_submit(struct req *rq);
void api_application_approve(struct req *rq);
void api_application_return(struct req *rq);
void api_application_reject(struct req *rq);
void api_application_withdraw(struct req *rq);
void api_application_events(struct req *rq);
void api_attachment_add(struct req *rq);
void api_attachment_list(struct req *rq);
void api_attachment_get(struct req *rq);
void api_review_queue(struct req *rq);
void api_notice_list(struct req *rq);
void api_objection_create(struct req *rq);
void api_objection_list(struct req *rq);
void api_objection_resolve(struct req *rq);
void api_batch_create(struct req *rq);
void api_title_list(struct req *rq);
void api_title_revoke(struct req *rq);
void api_notification_list(struct req *rq);
void api_stats_gradient(struct req *rq);
/* api_market.c: the technology market (issue 4) */
enum { API_MARKET_NQUERY = 8, API_SEARCH_NQUERY = 6, API_MATCH_NQUERY = 1 };
enum { API_TRANSITION_NBODY = 2, API_ASSIGN_NBODY = 1, API_INTEREST_NQUERY = 3 };
enum { API_MESSAGE_NBODY = 1 };
extern const struct field_def api_market_query[API_MARKET_NQUERY];
extern const struct field_def api_search_query[API_SEARCH_NQUERY];
extern const struct field_def api_match_query[API_MATCH_NQUERY];
extern const struct field_def api_transition_body[API_TRANSITION_NBODY];
extern const struct field_def api_assign_body[API_ASSIGN_NBODY];
extern const struct field_def api_interest_query[API_INTEREST_NQUERY];
extern const struct field_def api_message_body[API_MESSAGE_NBODY];
void api_market_list(struct req *rq);
void api_market_get(struct req *rq);
void api_market_create(struct req *rq);
void api_market_update(struct req *rq);
void api_market_transition(struct req *rq);
void api_market_search(struct req *rq);
void api_market_matches(struct req *rq);
void api_market_similar(struct req *rq);
void api_market_brokers(struct req *rq);
void api_market_assign(struct req *rq);
void api_market_unassign(struct req *rq);
void api_listing_stats(struct req *rq);
void api_broker_list(struct req *rq);
void api_broker_get(struct req *rq);
void api_broker_create(struct req *rq);
void api_broker_update(struct req *rq);
void api_interest_list(struct req *rq);
void api_interest_get(struct req *rq);
void api_interest_create(struct req *rq);
void api_interest_accept(struct req *rq);
void api_interest_decline(struct req *rq);
void api_interest_messages(struct req *rq);
void api_interest_post(struct req *rq);

#endif
