/* api_org: organisation handlers. */
#include "http/api.h"

#include "app/app_account.h"
#include "app/app_org.h"
#include "lib/jw.h"

const struct field_def api_org_query[API_ORG_NQUERY] = {
        {"kind", FT_TEXT, 0, 1, 32, org_kinds, NULL, "organisation kind"},
        /*
         * region and industry are prefixes (2-6 digits, a section or longer code): the
         * app layer turns them into code ranges (core/codes.h), so a province finds
         * its counties' organisations
         */
        {"region", FT_TEXT, 0, 2, 6, NULL, NULL, "region code: every organisation inside it"},
        {"industry", FT_TEXT, 0, 1, 5, NULL, NULL, "industry code: every organisation below it"},
        {"size_class", FT_TEXT, 0, 1, 16, org_size_classes, NULL, "SME size class"},
        {"credit_code", FT_TEXT, 0, 1, 18, NULL, NULL, "exact unified social credit code"},
        {"q", FT_TEXT, FD_FREE_TEXT, 1, 100, NULL, NULL,
         "text in the name, English name or credit code"},
};

/* only the two organisation roles: membership is a grant scoped to this organisation */
const struct field_def api_member_body[BODY_MEMBER__N] = {
        [BODY_MEMBER_USER_ID] = {"user_id", FT_INT, FD_REQUIRED, 1, INT64_MAX, NULL, NULL,
                                 "the user to add"},
        [BODY_MEMBER_ROLE] = {"role", FT_TEXT, FD_REQUIRED, 1, 16,
                              (const char *const[]){"org_admin", "org_member", NULL}, NULL,
                              "org_admin or org_member"},
};

static void org_item_json(const void *item, struct buf *out)
{
	org_to_json(item, out);
}

void api_org_list(struct req *rq)
{
	struct org_filter f = {
	        .kind = http_query(rq, "kind"),
	        .region = http_query(rq, "region"),
	        .industry = http_query(rq, "industry"),
	        .size_class = http_query(rq, "size_class"),
	        .credit_code = http_query(rq, "credit_code"),
	        .q = http_query(rq, "q"),
	};
	struct page p;
	enum err e = app_org_list(rq->ctx, &f, &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct org), org_item_json);
}

void api_org_get(struct req *rq)
{
	int64_t id;
	struct org o;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_org_get(rq->ctx, id, &o);
	if (!e)
		org_to_json(&o, &rq->out);
	http_finish(rq, e, 200);
}

void api_org_create(struct req *rq)
{
	struct org o;
	enum err e = app_org_create(rq->ctx, rq->body, &o);
	if (!e && !rq->ctx->replayed) {
		org_to_json(&o, &rq->out);
	}
	http_finish(rq, e, 201);
}

void api_org_update(struct req *rq)
{
	int64_t id;
	struct org o;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_org_update(rq->ctx, id, rq->version, rq->body, &o);
	if (!e)
		org_to_json(&o, &rq->out);
	http_finish(rq, e, 200);
}

void api_org_delete(struct req *rq)
{
	int64_t id;
	if (!http_param_id(rq, 0, &id))
		return;
	http_finish(rq, app_org_delete(rq->ctx, id, rq->version), 204);
}

static void member_json(const void *item, struct buf *out)
{
	org_member_to_json(item, out);
}

void api_org_members(struct req *rq)
{
	int64_t id;
	struct page p;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_org_members(rq->ctx, id, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct org_member), member_json);
}

void api_org_member_add(struct req *rq)
{
	int64_t id;
	struct org_member m;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_org_member_add(rq->ctx, id, rq->body[BODY_MEMBER_USER_ID].i,
	                                rq->body[BODY_MEMBER_ROLE].s, &m);
	if (!e && !rq->ctx->replayed)
		member_json(&m, &rq->out);
	http_finish(rq, e, 201);
}

/* The second path id is the grant's, the "id" of the member list: membership is a role grant */
void api_org_member_remove(struct req *rq)
{
	int64_t id, grant;
	if (!http_param_id(rq, 0, &id) || !http_param_id(rq, 1, &grant))
		return;
	http_finish(rq, app_org_member_remove(rq->ctx, id, grant), 204);
}
