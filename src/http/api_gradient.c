/* api_gradient: handlers of the gradient-cultivation routes (docs/API.md). */
#include "http/api.h"
#include "http/routes.h"

#include "app/gradient/app_apply.h"
#include "app/gradient/app_facts.h"
#include "app/gradient/app_notice.h"
#include "lib/jw.h"
#include "lib/limits.h"

#include <string.h>

/*
 * The declared inputs of the gradient routes: server.c checks every request against
 * them before a handler runs (so handlers read rq->body and rq->query already
 * valid), and openapi.c publishes them. The enums name the positions handlers read.
 */
enum { BODY_EVAL_AS_OF, BODY_EVAL_TIERS, BODY_EVAL__N };
static const struct field_def api_eval_body[BODY_EVAL__N] = {
        [BODY_EVAL_AS_OF] = {"as_of", FT_TEXT, FD_NULLABLE, 10, 10, NULL, NULL,
                             "evaluation date (default today)"},
        [BODY_EVAL_TIERS] =
                {"tiers", FT_TEXT, FD_NULLABLE, 1, 200, NULL, NULL,
                 "comma-separated tiers (default innovative_sme,specialized_sme,little_giant)"},
};
static const struct field_def api_app_query[] = {
        {"org_id", FT_INT, FD_REQUIRED, 1, INT64_MAX, NULL, NULL, "the enterprise"},
};
enum { BODY_STEP_REASON, BODY_STEP__N };
static const struct field_def api_step_body[BODY_STEP__N] = {
        [BODY_STEP_REASON] = {"reason", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1, LIMIT_TEXT_LONG,
                              NULL, NULL,
                              "the written reason (required to approve, return or reject)"},
};
enum { BODY_ATTACH_NAME, BODY_ATTACH_CONTENT_TYPE, BODY_ATTACH_DATA, BODY_ATTACH__N };
static const struct field_def api_attach_body[BODY_ATTACH__N] = {
        [BODY_ATTACH_NAME] = {"name", FT_TEXT, FD_REQUIRED | FD_FREE_TEXT, 1, LIMIT_TEXT_SHORT,
                              NULL, NULL, "file name"},
        [BODY_ATTACH_CONTENT_TYPE] = {"content_type", FT_TEXT, FD_REQUIRED, 1, 64, attachment_types,
                                      NULL, "media type"},
        /*
         * the base64 length of the largest file allowed: an oversized one is refused
         * by its length, before it is decoded
         */
        [BODY_ATTACH_DATA] = {"data", FT_TEXT, FD_REQUIRED, 4, (LIMIT_ATTACHMENT_BYTES / 3 + 1) * 4,
                              NULL, NULL, "the file, standard base64"},
};
static const struct field_def api_queue_query[] = {
        {"state", FT_TEXT, 0, 1, 16, (const char *const[]){"pending", "notice", "objected", NULL},
         NULL, "pending (default), notice or objected"},
};
enum { BODY_OBJECTION_CONTACT, BODY_OBJECTION_TEXT, BODY_OBJECTION__N };
static const struct field_def api_objection_body[BODY_OBJECTION__N] = {
        [BODY_OBJECTION_CONTACT] = {"contact", FT_TEXT, FD_REQUIRED | FD_FREE_TEXT, 3,
                                    LIMIT_TEXT_SHORT, NULL, NULL,
                                    "how to reach you (name and telephone or e-mail)"},
        [BODY_OBJECTION_TEXT] = {"text", FT_TEXT, FD_REQUIRED | FD_FREE_TEXT, 10, LIMIT_TEXT_LONG,
                                 NULL, NULL, "the objection"},
};
enum { BODY_RESOLVE_DECISION, BODY_RESOLVE_REASON, BODY_RESOLVE__N };
static const struct field_def api_resolve_body[BODY_RESOLVE__N] = {
        [BODY_RESOLVE_DECISION] = {"decision", FT_TEXT, FD_REQUIRED, 1, 16,
                                   (const char *const[]){"dismiss", "uphold", NULL}, NULL,
                                   "dismiss (back to notice) or uphold (rejected)"},
        [BODY_RESOLVE_REASON] = {"reason", FT_TEXT, FD_REQUIRED | FD_FREE_TEXT, 1, LIMIT_TEXT_LONG,
                                 NULL, NULL, "why"},
};
enum { BODY_BATCH_TIER, BODY_BATCH_LEVEL, BODY_BATCH_REGION_CODE, BODY_BATCH__N };
static const struct field_def api_batch_body[BODY_BATCH__N] = {
        [BODY_BATCH_TIER] = {"tier", FT_TEXT, FD_REQUIRED, 1, 32, gradient_tiers, NULL, "the tier"},
        [BODY_BATCH_LEVEL] = {"level", FT_TEXT, FD_REQUIRED, 1, 16, level_names, NULL,
                              "the level publishing"},
        [BODY_BATCH_REGION_CODE] = {"region_code", FT_TEXT, FD_NULLABLE, 2, 6, NULL, NULL,
                                    "its region (below national)"},
};
static const struct field_def api_title_query[] = {
        {"tier", FT_TEXT, 0, 1, 32, NULL, NULL, "only this tier"},
        {"org_id", FT_INT, 0, 1, INT64_MAX, NULL, NULL, "only this enterprise"},
};
enum { BODY_REVOKE_REASON, BODY_REVOKE_FRAUD, BODY_REVOKE__N };
static const struct field_def api_revoke_body[BODY_REVOKE__N] = {
        [BODY_REVOKE_REASON] = {"reason", FT_TEXT, FD_REQUIRED | FD_FREE_TEXT, 1, LIMIT_TEXT_LONG,
                                NULL, NULL, "why"},
        [BODY_REVOKE_FRAUD] = {"fraud", FT_BOOL, 0, 0, 1, NULL, NULL,
                               "data fraud: a 3-year ban (else 1 year)"},
};
static const struct field_def api_stats_query[] = {
        {"year", FT_INT, 0, 1990, 2100, NULL, NULL, "fiscal year (default last year)"},
};

/* Page renderers: the records' JSON forms are core/gradient's. */
static void event_json(const void *item, struct buf *out)
{
	gradient_event_to_json(item, out);
}

static void attachment_json(const void *item, struct buf *out)
{
	gradient_attachment_to_json(item, out);
}

static void notice_json(const void *item, struct buf *out)
{
	gradient_notice_to_json(item, out);
}

static void objection_json(const void *item, struct buf *out)
{
	gradient_objection_to_json(item, out);
}

/*
 * The facts document is stored and served as the JSON the client sent
 * (docs/FACTS.md), not rebuilt from a struct
 */
static void api_facts_get(struct req *rq)
{
	int64_t id;
	struct facts_doc d;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_facts_get(rq->ctx, id, &d);
	if (!e)
		buf_puts(&rq->out, d.json);
	http_finish(rq, e, 200);
}

static void api_facts_put(struct req *rq)
{
	int64_t id;
	struct facts_doc d;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_facts_put(rq->ctx, id, rq->json, &d);
	if (!e && !rq->ctx->replayed)
		buf_puts(&rq->out, d.json);
	http_finish(rq, e, 200);
}

static void eval_json(const void *item, struct buf *out)
{
	gradient_evaluation_to_json(item, out);
}

static void api_evaluation_create(struct req *rq)
{
	int64_t id;
	struct page p;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_evaluate(rq->ctx, id, rq->body[BODY_EVAL_AS_OF].s,
	                          rq->body[BODY_EVAL_TIERS].s, &p);
	if (e || rq->ctx->replayed)
		return http_finish(rq, e, 201);
	http_page(rq, &p, sizeof(struct evaluation), eval_json);
	/*
	 * a list of the evaluations made, in the page shape, but created: 201 rather
	 * than http_page's 200
	 */
	rq->status = 201;
}

static void api_evaluation_list(struct req *rq)
{
	int64_t id;
	struct page p;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_evaluation_list(rq->ctx, id, &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct evaluation), eval_json);
}

static void app_item_json(const void *item, struct buf *out)
{
	gradient_app_to_json(item, out);
}

static void api_application_list(struct req *rq)
{
	struct page p;
	enum err e = app_application_list(rq->ctx, http_query_int(rq, "org_id", 0), &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct application), app_item_json);
}

static void api_application_create(struct req *rq)
{
	struct application a;
	enum err e = app_application_create(rq->ctx, rq->body, &a);
	if (!e && !rq->ctx->replayed) {
		gradient_app_to_json(&a, &rq->out);
	}
	http_finish(rq, e, 201);
}

static void api_application_get(struct req *rq)
{
	int64_t id;
	struct application a;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_application_get(rq->ctx, id, &a);
	if (!e)
		gradient_app_to_json(&a, &rq->out);
	http_finish(rq, e, 200);
}

static void api_application_update(struct req *rq)
{
	int64_t id;
	struct application a;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_application_update(rq->ctx, id, rq->version, rq->body, &a);
	if (!e)
		gradient_app_to_json(&a, &rq->out);
	http_finish(rq, e, 200);
}

/*
 * The workflow steps share one handler: the event name picks the transition in
 * core/gradient's table and the app layer decides whether this actor may fire it
 */
static void step(struct req *rq, const char *event)
{
	int64_t id;
	struct application a;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_application_act(rq->ctx, id, rq->version, event,
	                                 rq->body[BODY_STEP_REASON].s, &a);
	if (!e && !rq->ctx->replayed)
		gradient_app_to_json(&a, &rq->out);
	http_finish(rq, e, 200);
}

static void api_application_submit(struct req *rq)
{
	step(rq, "submit");
}
static void api_application_approve(struct req *rq)
{
	step(rq, "approve");
}
static void api_application_return(struct req *rq)
{
	step(rq, "return");
}
static void api_application_reject(struct req *rq)
{
	step(rq, "reject");
}
static void api_application_withdraw(struct req *rq)
{
	step(rq, "withdraw");
}

static void api_application_events(struct req *rq)
{
	int64_t id;
	struct page p;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_application_events(rq->ctx, id, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct gradient_event), event_json);
}

static void api_attachment_add(struct req *rq)
{
	int64_t id;
	struct attachment a;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_attachment_add(rq->ctx, id, rq->body[BODY_ATTACH_NAME].s,
	                                rq->body[BODY_ATTACH_CONTENT_TYPE].s,
	                                rq->body[BODY_ATTACH_DATA].s, &a);
	if (!e && !rq->ctx->replayed)
		attachment_json(&a, &rq->out);
	http_finish(rq, e, 201);
}

static void api_attachment_list(struct req *rq)
{
	int64_t id;
	struct page p;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_attachment_list(rq->ctx, id, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct attachment), attachment_json);
}

static void api_attachment_get(struct req *rq)
{
	int64_t id, att;
	struct attachment a;
	if (!http_param_id(rq, 0, &id) || !http_param_id(rq, 1, &att))
		return;
	enum err e = app_attachment_get(rq->ctx, id, att, &a);
	if (!e)
		attachment_json(&a, &rq->out);
	http_finish(rq, e, 200);
}

static void api_review_queue(struct req *rq)
{
	struct page p;
	enum err e = app_review_queue(rq->ctx, http_query(rq, "state"), &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct application), app_item_json);
}

static void api_notice_list(struct req *rq)
{
	struct page p;
	enum err e = app_notice_list(rq->ctx, &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct application), notice_json);
}

static void api_objection_create(struct req *rq)
{
	int64_t id;
	struct objection o;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_objection_create(rq->ctx, id, rq->body[BODY_OBJECTION_CONTACT].s,
	                                  rq->body[BODY_OBJECTION_TEXT].s, &o);
	if (!e && !rq->ctx->replayed) {
		/* the public gets a receipt, not the stored record */
		struct jw w;
		jw_init(&w, &rq->out);
		jw_obj_open(&w);
		jw_ki64(&w, "id", o.id);
		jw_ki64(&w, "application_id", o.application_id);
		jw_kstr(&w, "state", o.state);
		jw_kstr(&w, "created_at", o.created_at);
		jw_obj_close(&w);
	}
	http_finish(rq, e, 201);
}

static void api_objection_list(struct req *rq)
{
	int64_t id;
	struct page p;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_objection_list(rq->ctx, id, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct objection), objection_json);
}

static void api_objection_resolve(struct req *rq)
{
	int64_t id;
	struct objection o;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_objection_resolve(rq->ctx, id, rq->body[BODY_RESOLVE_DECISION].s,
	                                   rq->body[BODY_RESOLVE_REASON].s, &o);
	if (!e && !rq->ctx->replayed)
		objection_json(&o, &rq->out);
	http_finish(rq, e, 200);
}

static void title_item_json(const void *item, struct buf *out)
{
	gradient_title_to_json(item, out);
}

static void api_batch_create(struct req *rq)
{
	struct batch_result b;
	enum err e =
	        app_batch_create(rq->ctx, rq->body[BODY_BATCH_TIER].s, rq->body[BODY_BATCH_LEVEL].s,
	                         rq->body[BODY_BATCH_REGION_CODE].s, &b);
	if (!e && !rq->ctx->replayed) {
		/* one object, not a page: the batch and every title it granted */
		buf_printf(&rq->out, "{\"id\":%lld,\"number\":", (long long)b.id);
		struct jw w;
		jw_init(&w, &rq->out);
		jw_str(&w, b.number);
		buf_puts(&rq->out, ",\"titles\":[");
		for (int i = 0; i < b.ntitles; i++) {
			if (i)
				buf_putc(&rq->out, ',');
			gradient_title_to_json(&b.titles[i], &rq->out);
		}
		buf_puts(&rq->out, "]}");
	}
	http_finish(rq, e, 201);
}

static void api_title_list(struct req *rq)
{
	struct page p;
	enum err e = app_title_list(rq->ctx, http_query(rq, "tier"),
	                            http_query_int(rq, "org_id", 0), &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct title), title_item_json);
}

static void api_title_revoke(struct req *rq)
{
	int64_t id;
	struct title t;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_title_revoke(
	        rq->ctx, id, rq->version, rq->body[BODY_REVOKE_REASON].s,
	        rq->body[BODY_REVOKE_FRAUD].set && rq->body[BODY_REVOKE_FRAUD].b, &t);
	if (!e && !rq->ctx->replayed)
		gradient_title_to_json(&t, &rq->out);
	http_finish(rq, e, 200);
}

/* The app layer returns the statistics as ready JSON (cached, see app_gradient_stats) */
static void api_stats_gradient(struct req *rq)
{
	const char *json;
	enum err e = app_gradient_stats(rq->ctx, (int)http_query_int(rq, "year", 0), &json);
	if (!e)
		buf_puts(&rq->out, json);
	http_finish(rq, e, 200);
}

/* This module's rows of the route table, joined to the others through http/routes_modules.def */
const struct route routes_gradient[] = {
#include "http/routes_gradient.def"
};
const size_t routes_gradient_n = sizeof routes_gradient / sizeof routes_gradient[0];
