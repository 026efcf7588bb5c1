/* routes: the API's route table and its matcher. */
#include "http/routes.h"

#include "core/account.h"
#include "core/gradient.h"
#include "core/market.h"
#include "core/market_flow.h"
#include "core/org.h"
#include "core/refdata.h"
#include "http/api.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define FIELDS(a) a, sizeof a / sizeof a[0]
#define NONE      NULL, 0

#define ORGQ      FIELDS(api_org_query)
#define REGIONQ   FIELDS(api_region_query)
#define INDUSTRYQ FIELDS(api_industry_query)
#define USERQ     FIELDS(api_user_query)
#define AUDITQ    FIELDS(api_audit_query)
#define LOGINB    FIELDS(api_login_body)
#define PASSWORDB FIELDS(api_password_body)
#define TOKENB    FIELDS(api_token_body)
#define OTPB      FIELDS(api_otp_body)
#define MEMBERB   FIELDS(api_member_body)
/* technology market */
#define MARKETQ   FIELDS(api_market_query)
#define SEARCHQ   FIELDS(api_search_query)
#define MATCHQ    FIELDS(api_match_query)
#define TRANSB    FIELDS(api_transition_body)
#define ASSIGNB   FIELDS(api_assign_body)
#define INTERESTQ FIELDS(api_interest_query)
#define MESSAGEB  FIELDS(api_message_body)
#define MARKET_ROUTES(P, B, what)                                                                  \
	{"GET",                                                                                    \
	 "/api/v1/" P,                                                                             \
	 api_market_list,                                                                          \
	 AUTH_PUBLIC,                                                                              \
	 ROUTE_LIST,                                                                               \
	 MARKETQ,                                                                                  \
	 NONE,                                                                                     \
	 "market",                                                                                 \
	 what ": list with filters (published ones unless you may see more)"},                     \
	        {"POST",    "/api/v1/" P,      api_market_create,                                  \
	         AUTH_USER, ROUTE_BODY_CREATE, NONE,                                               \
	         B,         "market",          what ": create a draft for your organisation"},     \
	        {"GET",                                                                            \
	         "/api/v1/" P "/search",                                                           \
	         api_market_search,                                                                \
	         AUTH_PUBLIC,                                                                      \
	         ROUTE_LIST,                                                                       \
	         SEARCHQ,                                                                          \
	         NONE,                                                                             \
	         "market",                                                                         \
	         what ": ranked full-text search with facets and explanations"},                   \
	        {"GET",                                                                            \
	         "/api/v1/" P "/{id}",                                                             \
	         api_market_get,                                                                   \
	         AUTH_PUBLIC,                                                                      \
	         0,                                                                                \
	         NONE,                                                                             \
	         NONE,                                                                             \
	         "market",                                                                         \
	         what ": one (published, or yours to see)"},                                       \
	        {"PATCH",                                                                          \
	         "/api/v1/" P "/{id}",                                                             \
	         api_market_update,                                                                \
	         AUTH_USER,                                                                        \
	         ROUTE_VERSION_BODY,                                                               \
	         NONE,                                                                             \
	         B,                                                                                \
	         "market",                                                                         \
	         what ": change (status only through transitions)"},                               \
	        {"POST",                                                                           \
	         "/api/v1/" P "/{id}/transitions",                                                 \
	         api_market_transition,                                                            \
	         AUTH_USER,                                                                        \
	         ROUTE_VERSION_BODY | ROUTE_BODY_CREATE,                                           \
	         NONE,                                                                             \
	         TRANSB,                                                                           \
	         "market",                                                                         \
	         what ": workflow step: submit, approve, reject, withdraw, renew, reopen"},        \
	        {"GET",                                                                            \
	         "/api/v1/" P "/{id}/matches",                                                     \
	         api_market_matches,                                                               \
	         AUTH_PUBLIC,                                                                      \
	         0,                                                                                \
	         MATCHQ,                                                                           \
	         NONE,                                                                             \
	         "market",                                                                         \
	         what ": best published items of the other kind, explained"},                      \
	        {"GET",                                                                            \
	         "/api/v1/" P "/{id}/similar",                                                     \
	         api_market_similar,                                                               \
	         AUTH_PUBLIC,                                                                      \
	         0,                                                                                \
	         MATCHQ,                                                                           \
	         NONE,                                                                             \
	         "market",                                                                         \
	         what ": more like this (same kind)"},                                             \
	        {"GET",                                                                            \
	         "/api/v1/" P "/{id}/brokers",                                                     \
	         api_market_brokers,                                                               \
	         AUTH_PUBLIC,                                                                      \
	         0,                                                                                \
	         NONE,                                                                             \
	         NONE,                                                                             \
	         "market",                                                                         \
	         what ": assigned brokers"},                                                       \
	        {"POST",                                                                           \
	         "/api/v1/" P "/{id}/brokers",                                                     \
	         api_market_assign,                                                                \
	         AUTH_USER,                                                                        \
	         ROUTE_BODY_CREATE,                                                                \
	         NONE,                                                                             \
	         ASSIGNB,                                                                          \
	         "market",                                                                         \
	         what ": assign a broker"},                                                        \
	{                                                                                          \
		"DELETE", "/api/v1/" P "/{id}/brokers/{broker}", api_market_unassign, AUTH_USER,   \
		        0, NONE, NONE, "market", what ": unassign a broker"                        \
	}

const struct route routes[] = {
        /* operations */
        {"GET", "/healthz", api_healthz, AUTH_PUBLIC, ROUTE_RAW, NONE, NONE, "operations",
         "the process is alive"},
        {"GET", "/readyz", api_readyz, AUTH_PUBLIC, ROUTE_RAW, NONE, NONE, "operations",
         "the database is reachable"},
        {"GET", "/metrics", api_metrics, AUTH_PUBLIC, ROUTE_RAW, NONE, NONE, "operations",
         "Prometheus metrics"},
        {"GET", "/api/v1/openapi.json", api_openapi, AUTH_PUBLIC, 0, NONE, NONE, "operations",
         "this API's OpenAPI 3.1 document"},

        /* sign-in and the caller */
        {"POST", "/api/v1/sessions", api_session_create, AUTH_PUBLIC, ROUTE_BODY_CREATE, NONE,
         LOGINB, "accounts", "sign in: returns a bearer token"},
        {"DELETE", "/api/v1/sessions/current", api_session_delete, AUTH_USER, 0, NONE, NONE,
         "accounts", "sign out: revokes the token of this request"},
        {"GET", "/api/v1/me", api_me, AUTH_USER, 0, NONE, NONE, "accounts",
         "the signed-in user with roles"},
        {"GET", "/api/v1/tokens", api_token_list, AUTH_USER, 0, NONE, NONE, "accounts",
         "the caller's API tokens"},
        {"POST", "/api/v1/tokens", api_token_create, AUTH_USER, ROUTE_BODY_CREATE, NONE, TOKENB,
         "accounts", "create an API token (its secret is shown once)"},
        {"DELETE", "/api/v1/tokens/{id}", api_token_revoke, AUTH_USER, 0, NONE, NONE, "accounts",
         "revoke one of the caller's API tokens"},
        /* sign out everywhere and two-factor sign-in (api_signin.c) */
        {"DELETE", "/api/v1/sessions", api_session_delete_all, AUTH_USER, 0, NONE, NONE, "accounts",
         "sign out everywhere: revokes every session of the caller"},
        {"POST", "/api/v1/me/totp", api_totp_enroll, AUTH_USER, 0, NONE, NONE, "accounts",
         "start two-factor sign-in: a new TOTP secret and otpauth URI, shown once"},
        {"POST", "/api/v1/me/totp/confirm", api_totp_confirm, AUTH_USER, ROUTE_BODY_CREATE, NONE,
         OTPB, "accounts", "turn two-factor sign-in on with a code of the new secret"},
        {"POST", "/api/v1/me/totp/disable", api_totp_disable, AUTH_USER, ROUTE_BODY_CREATE, NONE,
         OTPB, "accounts", "turn two-factor sign-in off with a current code"},
        {"DELETE", "/api/v1/users/{id}/totp", api_user_totp_reset, AUTH_USER, 0, NONE, NONE,
         "accounts", "turn off a user's two-factor sign-in (security administrators)"},

        /* users and roles */
        {"GET", "/api/v1/users", api_user_list, AUTH_USER, ROUTE_LIST, USERQ, NONE, "accounts",
         "list users (administrators)"},
        {"POST", "/api/v1/users", api_user_create, AUTH_USER, ROUTE_BODY_CREATE, NONE,
         FIELDS(user_fields), "accounts", "create a user (administrators)"},
        {"GET", "/api/v1/users/{id}", api_user_get, AUTH_USER, 0, NONE, NONE, "accounts",
         "a user (administrators, or the user)"},
        {"PATCH", "/api/v1/users/{id}", api_user_update, AUTH_USER, ROUTE_VERSION_BODY, NONE,
         FIELDS(user_fields), "accounts", "change a user's profile"},
        {"DELETE", "/api/v1/users/{id}", api_user_delete, AUTH_USER, ROUTE_VERSION_QUERY, NONE,
         NONE, "accounts", "delete a user (administrators)"},
        {"POST", "/api/v1/users/{id}/password", api_user_password, AUTH_USER, ROUTE_BODY_CREATE,
         NONE, PASSWORDB, "accounts", "set a password"},
        {"POST", "/api/v1/users/{id}/roles", api_grant_add, AUTH_USER, ROUTE_BODY_CREATE, NONE,
         FIELDS(grant_fields), "accounts", "grant a role (administrators)"},
        {"DELETE", "/api/v1/users/{id}/roles/{grant}", api_grant_remove, AUTH_USER, 0, NONE, NONE,
         "accounts", "revoke a role (administrators)"},

        /* reference data */
        {"GET", "/api/v1/regions", api_region_list, AUTH_PUBLIC, ROUTE_LIST, REGIONQ, NONE,
         "reference", "GB/T 2260 regions"},
        {"POST", "/api/v1/regions", api_region_create, AUTH_USER, ROUTE_BODY_CREATE, NONE,
         FIELDS(region_fields), "reference", "add a region (administrators)"},
        {"GET", "/api/v1/regions/{code}", api_region_get, AUTH_PUBLIC, 0, NONE, NONE, "reference",
         "a region"},
        {"PATCH", "/api/v1/regions/{code}", api_region_update, AUTH_USER, ROUTE_VERSION_BODY, NONE,
         FIELDS(region_fields), "reference", "rename a region (administrators)"},
        {"DELETE", "/api/v1/regions/{code}", api_region_delete, AUTH_USER, ROUTE_VERSION_QUERY,
         NONE, NONE, "reference", "remove an unused region (administrators)"},
        {"GET", "/api/v1/industries", api_industry_list, AUTH_PUBLIC, ROUTE_LIST, INDUSTRYQ, NONE,
         "reference", "GB/T 4754-2017 industries"},
        {"POST", "/api/v1/industries", api_industry_create, AUTH_USER, ROUTE_BODY_CREATE, NONE,
         FIELDS(industry_fields), "reference", "add an industry (administrators)"},
        {"GET", "/api/v1/industries/{code}", api_industry_get, AUTH_PUBLIC, 0, NONE, NONE,
         "reference", "an industry"},
        {"PATCH", "/api/v1/industries/{code}", api_industry_update, AUTH_USER, ROUTE_VERSION_BODY,
         NONE, FIELDS(industry_fields), "reference", "rename an industry (administrators)"},
        {"DELETE", "/api/v1/industries/{code}", api_industry_delete, AUTH_USER, ROUTE_VERSION_QUERY,
         NONE, NONE, "reference", "remove an unused industry (administrators)"},

        /* organisations */
        {"GET", "/api/v1/organisations", api_org_list, AUTH_PUBLIC, ROUTE_LIST, ORGQ, NONE,
         "organisations", "search organisations"},
        {"POST", "/api/v1/organisations", api_org_create, AUTH_USER, ROUTE_BODY_CREATE, NONE,
         FIELDS(org_fields), "organisations", "register an organisation"},
        {"GET", "/api/v1/organisations/{id}", api_org_get, AUTH_PUBLIC, 0, NONE, NONE,
         "organisations", "an organisation's public record"},
        {"PATCH", "/api/v1/organisations/{id}", api_org_update, AUTH_USER, ROUTE_VERSION_BODY, NONE,
         FIELDS(org_fields), "organisations", "change an organisation"},
        {"DELETE", "/api/v1/organisations/{id}", api_org_delete, AUTH_USER, ROUTE_VERSION_QUERY,
         NONE, NONE, "organisations", "delete an organisation"},
        {"GET", "/api/v1/organisations/{id}/members", api_org_members, AUTH_USER, 0, NONE, NONE,
         "organisations", "the organisation's members"},
        {"POST", "/api/v1/organisations/{id}/members", api_org_member_add, AUTH_USER,
         ROUTE_BODY_CREATE, NONE, MEMBERB, "organisations", "add a member"},
        {"DELETE", "/api/v1/organisations/{id}/members/{grant}", api_org_member_remove, AUTH_USER,
         0, NONE, NONE, "organisations", "remove a member"},

        /* gradient cultivation (issue 3): facts, evaluations, applications, review, notice */
        {"GET", "/api/v1/organisations/{id}/facts", api_facts_get, AUTH_USER, 0, NONE, NONE,
         "gradient", "an enterprise's facts (spec/facts.md) with its titles"},
        {"PUT", "/api/v1/organisations/{id}/facts", api_facts_put, AUTH_USER, ROUTE_JSON, NONE,
         NONE, "gradient",
         "replace an enterprise's facts: version (0 the first time), years, ip, honors, ..."},
        {"POST", "/api/v1/organisations/{id}/evaluations", api_evaluation_create, AUTH_USER, 0,
         NONE, FIELDS(api_eval_body), "gradient", "self-evaluate on the stored facts"},
        {"GET", "/api/v1/organisations/{id}/evaluations", api_evaluation_list, AUTH_USER,
         ROUTE_LIST, NONE, NONE, "gradient", "past evaluations, newest first"},
        {"GET", "/api/v1/applications", api_application_list, AUTH_USER, ROUTE_LIST,
         FIELDS(api_app_query), NONE, "gradient", "an enterprise's applications"},
        {"POST", "/api/v1/applications", api_application_create, AUTH_USER, ROUTE_BODY_CREATE, NONE,
         FIELDS(app_fields), "gradient", "draft an application for a tier"},
        {"GET", "/api/v1/applications/{id}", api_application_get, AUTH_USER, 0, NONE, NONE,
         "gradient", "an application"},
        {"PATCH", "/api/v1/applications/{id}", api_application_update, AUTH_USER,
         ROUTE_VERSION_BODY, NONE, FIELDS(app_fields), "gradient",
         "correct a draft or returned application"},
        {"POST", "/api/v1/applications/{id}/submit", api_application_submit, AUTH_USER,
         ROUTE_VERSION_BODY, NONE, FIELDS(api_step_body), "gradient",
         "submit: evaluates and starts the review chain"},
        {"POST", "/api/v1/applications/{id}/approve", api_application_approve, AUTH_USER,
         ROUTE_VERSION_BODY, NONE, FIELDS(api_step_body), "gradient",
         "approve the current step (the last one starts the public notice)"},
        {"POST", "/api/v1/applications/{id}/return", api_application_return, AUTH_USER,
         ROUTE_VERSION_BODY, NONE, FIELDS(api_step_body), "gradient",
         "return to the enterprise for correction"},
        {"POST", "/api/v1/applications/{id}/reject", api_application_reject, AUTH_USER,
         ROUTE_VERSION_BODY, NONE, FIELDS(api_step_body), "gradient", "reject"},
        {"POST", "/api/v1/applications/{id}/withdraw", api_application_withdraw, AUTH_USER,
         ROUTE_VERSION_BODY, NONE, FIELDS(api_step_body), "gradient",
         "withdraw a draft or returned application"},
        {"GET", "/api/v1/applications/{id}/events", api_application_events, AUTH_USER, 0, NONE,
         NONE, "gradient", "the review trail"},
        {"POST", "/api/v1/applications/{id}/attachments", api_attachment_add, AUTH_USER,
         ROUTE_BODY_CREATE, NONE, FIELDS(api_attach_body), "gradient",
         "add evidence (base64, PDF/PNG/JPEG/text, 512 KiB each)"},
        {"GET", "/api/v1/applications/{id}/attachments", api_attachment_list, AUTH_USER, 0, NONE,
         NONE, "gradient", "the evidence files"},
        {"GET", "/api/v1/applications/{id}/attachments/{att}", api_attachment_get, AUTH_USER, 0,
         NONE, NONE, "gradient", "one evidence file with its data"},
        {"GET", "/api/v1/applications/{id}/objections", api_objection_list, AUTH_USER, 0, NONE,
         NONE, "gradient", "objections to a candidate"},
        {"GET", "/api/v1/reviews", api_review_queue, AUTH_USER, ROUTE_LIST, FIELDS(api_queue_query),
         NONE, "gradient", "the caller's queue at its levels and regions; overdue steps flagged"},
        {"GET", "/api/v1/notices", api_notice_list, AUTH_PUBLIC, ROUTE_LIST, NONE, NONE, "gradient",
         "candidates in public notice (公示)"},
        {"POST", "/api/v1/notices/{id}/objections", api_objection_create, AUTH_PUBLIC,
         ROUTE_BODY_CREATE, NONE, FIELDS(api_objection_body), "gradient",
         "lodge an objection (no sign-in; rate-limited): the candidate pauses"},
        {"POST", "/api/v1/objections/{id}/resolve", api_objection_resolve, AUTH_USER,
         ROUTE_BODY_CREATE, NONE, FIELDS(api_resolve_body), "gradient",
         "dismiss or uphold an objection (operators of the last level)"},
        {"POST", "/api/v1/batches", api_batch_create, AUTH_USER, ROUTE_BODY_CREATE, NONE,
         FIELDS(api_batch_body), "gradient",
         "publish a numbered batch: grant titles to candidates whose notice ended"},
        {"GET", "/api/v1/titles", api_title_list, AUTH_PUBLIC, ROUTE_LIST, FIELDS(api_title_query),
         NONE, "gradient", "granted titles"},
        {"POST", "/api/v1/titles/{id}/revoke", api_title_revoke, AUTH_USER, ROUTE_VERSION_BODY,
         NONE, FIELDS(api_revoke_body), "gradient", "revoke a title with a reason and a ban"},
        {"GET", "/api/v1/notifications", api_notification_list, AUTH_USER, ROUTE_LIST, NONE, NONE,
         "gradient", "the caller's notifications"},
        {"GET", "/api/v1/stats/gradient", api_stats_gradient, AUTH_PUBLIC, 0,
         FIELDS(api_stats_query), NONE, "gradient",
         "titles by tier, province, batch and year; growth and R&D by tier"},
        /* technology market (issue 4) */
        MARKET_ROUTES("listings", FIELDS(listing_fields), "listings"),
        {"GET", "/api/v1/listings/{id}/stats", api_listing_stats, AUTH_USER, 0, NONE, NONE,
         "market", "listings: interest outcomes and decline reasons, of it and of its owner"},
        MARKET_ROUTES("demands", FIELDS(demand_fields), "demands"),
        {"GET", "/api/v1/brokers", api_broker_list, AUTH_USER, ROUTE_LIST, NONE, NONE, "market",
         "the broker (technology manager) registry"},
        {"POST", "/api/v1/brokers", api_broker_create, AUTH_USER, ROUTE_BODY_CREATE, NONE,
         FIELDS(broker_fields), "market", "register a broker (administrators)"},
        {"GET", "/api/v1/brokers/{id}", api_broker_get, AUTH_USER, 0, NONE, NONE, "market",
         "a broker"},
        {"PATCH", "/api/v1/brokers/{id}", api_broker_update, AUTH_USER, ROUTE_VERSION_BODY, NONE,
         FIELDS(broker_fields), "market", "change a broker's grade, certificate, regions, fields"},
        {"GET", "/api/v1/interests", api_interest_list, AUTH_USER, ROUTE_LIST, INTERESTQ, NONE,
         "market", "interests you take part in, newest first"},
        {"POST", "/api/v1/interests", api_interest_create, AUTH_USER, ROUTE_BODY_CREATE, NONE,
         FIELDS(interest_fields), "market", "express interest in a listing or a demand"},
        {"GET", "/api/v1/interests/{id}", api_interest_get, AUTH_USER, 0, NONE, NONE, "market",
         "an interest"},
        {"POST", "/api/v1/interests/{id}/accept", api_interest_accept, AUTH_USER,
         ROUTE_VERSION_BODY, NONE, NONE, "market", "accept (the addressed side)"},
        {"POST", "/api/v1/interests/{id}/decline", api_interest_decline, AUTH_USER,
         ROUTE_VERSION_BODY | ROUTE_BODY_CREATE, NONE, FIELDS(decline_fields), "market",
         "decline with a reason (the addressed side)"},
        {"GET", "/api/v1/interests/{id}/messages", api_interest_messages, AUTH_USER, ROUTE_LIST,
         NONE, NONE, "market", "the thread (parties and assigned brokers)"},
        {"POST", "/api/v1/interests/{id}/messages", api_interest_post, AUTH_USER, ROUTE_BODY_CREATE,
         NONE, MESSAGEB, "market", "write to the thread"},

        /* audit */
        {"GET", "/api/v1/audit", api_audit_list, AUTH_USER, ROUTE_LIST, AUDITQ, NONE, "audit",
         "the audit log, newest first (administrators)"},
};
const size_t nroutes = sizeof routes / sizeof routes[0];
_Static_assert(sizeof routes / sizeof routes[0] <= ROUTES_MAX, "route_keys holds every route");

/* Compare one path segment against a pattern segment; {x} matches any non-empty segment. */
/*
 * Each route's first segment after /api/v1/ (its resource), worked out once:
 * a request is only matched in full against routes of its own resource, so
 * matching does not grow with the size of the table.
 */
static struct {
	const char *key;
	size_t len;
} route_keys[ROUTES_MAX];
static pthread_once_t route_keys_once = PTHREAD_ONCE_INIT;

static void route_key(const char *path, const char **key, size_t *len)
{
	const char *k = strncmp(path, "/api/v1/", 8) ? path : path + 8;
	*key = k;
	*len = strcspn(k, "/");
}

static void route_keys_init(void)
{
	for (size_t r = 0; r < nroutes && r < ROUTES_MAX; r++)
		route_key(routes[r].path, &route_keys[r].key, &route_keys[r].len);
}

/* Match path against one pattern, filling params; false if it does not fit. */
static bool route_fits(const char *pat, const char *p, const char *params[HTTP_PATH_PARAMS],
                       char *s)
{
	int np = 0;
	while (*pat && *p) {
		if (*pat == '{') {
			size_t n = strcspn(p, "/");
			if (n == 0 || np == HTTP_PATH_PARAMS)
				return false;
			memcpy(s, p, n);
			s[n] = '\0';
			params[np++] = s;
			s += n + 1;
			p += n;
			pat = strchr(pat, '}') + 1;
		} else if (*pat++ != *p++) {
			return false;
		}
	}
	return !*pat && !*p;
}

const struct route *route_match(const char *method, const char *path,
                                const char *params[HTTP_PATH_PARAMS], char *scratch,
                                size_t scratch_len, char *allow, size_t allow_len)
{
	allow[0] = '\0';
	if (strlen(path) >= scratch_len)
		return NULL;
	pthread_once(&route_keys_once, route_keys_init);
	const char *key;
	size_t len;
	route_key(path, &key, &len);
	for (size_t r = 0; r < nroutes; r++) {
		if (route_keys[r].len != len || memcmp(route_keys[r].key, key, len) ||
		    !route_fits(routes[r].path, path, params, scratch))
			continue;
		if (!strcmp(routes[r].method, method))
			return &routes[r];
		size_t used = strlen(allow);
		snprintf(allow + used, allow_len - used, "%s%s", used ? ", " : "",
		         routes[r].method);
	}
	return NULL;
}
