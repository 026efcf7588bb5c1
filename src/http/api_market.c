/* api_market: technology market handlers: listings, demands, search, matches, brokers, interests. */
#include "http/api.h"
#include "http/routes.h"

#include "app/market/app_market_items.h"
#include "app/market/app_market_people.h"
#include "core/market/market_flow.h"
#include "lib/jw.h"

#include <string.h>

/* lib/jw has key shorthands for strings, integers and booleans only; scores are doubles */
static void jw_kf64(struct jw *w, const char *key, double v)
{
	jw_key(w, key);
	jw_f64(w, v);
}

static const char *const bools[] = {"true", "false", NULL};

/*
 * The declared inputs of the market routes: server.c checks requests against them before
 * a handler runs, openapi.c publishes them. Listings and demands share each table.
 */
static const struct field_def api_market_query[] = {
        {"status", FT_TEXT, 0, 1, 16, market_statuses, NULL,
         "status (unpublished items: owners, moderators, assigned brokers)"},
        {"field", FT_TEXT, 0, 1, 32, market_tech_fields, NULL, "technical field"},
        {"region", FT_TEXT, 0, 2, 6, NULL, NULL, "region code: every item inside it"},
        {"industry", FT_TEXT, 0, 1, 5, NULL, NULL, "industry code: every item below it"},
        {"trl", FT_INT, 0, 1, 9, NULL, NULL, "listings at this TRL; demands wanting it"},
        {"mode", FT_TEXT, 0, 1, 32, market_modes, NULL, "offering or accepting this mode"},
        {"owner", FT_INT, 0, 1, INT64_MAX, NULL, NULL, "owner organisation id"},
        {"assigned", FT_TEXT, 0, 4, 5, bools, NULL, "true: only items assigned to me (brokers)"},
};

static const struct field_def api_search_query[] = {
        {"q", FT_TEXT, FD_REQUIRED | FD_FREE_TEXT, 1, 200, NULL, NULL,
         "words, codes or patent numbers"},
        {"field", FT_TEXT, 0, 1, 32, market_tech_fields, NULL, "technical field"},
        {"region", FT_TEXT, 0, 2, 6, NULL, NULL, "region code: every item inside it"},
        {"industry", FT_TEXT, 0, 1, 5, NULL, NULL, "industry code prefix"},
        {"trl", FT_INT, 0, 1, 9, NULL, NULL, "TRL"},
        {"mode", FT_TEXT, 0, 1, 32, market_modes, NULL, "transaction mode"},
};

static const struct field_def api_match_query[] = {
        {"k", FT_INT, 0, 1, 100, NULL, NULL, "how many (default 10)"},
};

enum { BODY_TRANSITION_EVENT, BODY_TRANSITION_NOTE, BODY_TRANSITION__N };
static const struct field_def api_transition_body[BODY_TRANSITION__N] = {
        [BODY_TRANSITION_EVENT] = {"event", FT_TEXT, FD_REQUIRED, 1, 16,
                                   /*
                                    * every event but "expire", which only the system fires
                                    * (market_flow.c)
                                    */
                                   (const char *const[]){"submit", "approve", "reject", "withdraw",
                                                         "renew", "reopen", NULL},
                                   NULL, "the workflow step"},
        [BODY_TRANSITION_NOTE] = {"note", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1, 2000, NULL, NULL,
                                  "reason (kept in the audit log)"},
};

enum { BODY_ASSIGN_BROKER_ID, BODY_ASSIGN__N };
static const struct field_def api_assign_body[BODY_ASSIGN__N] = {
        [BODY_ASSIGN_BROKER_ID] = {"broker_id", FT_INT, FD_REQUIRED, 1, INT64_MAX, NULL, NULL,
                                   "the broker"},
};

static const struct field_def api_interest_query[] = {
        {"listing_id", FT_INT, 0, 1, INT64_MAX, NULL, NULL, "of this listing"},
        {"demand_id", FT_INT, 0, 1, INT64_MAX, NULL, NULL, "of this demand"},
        {"status", FT_TEXT, 0, 1, 16, (const char *const[]){"open", "accepted", "declined", NULL},
         NULL, "open, accepted or declined"},
};

enum { BODY_MESSAGE_BODY, BODY_MESSAGE__N };
static const struct field_def api_message_body[BODY_MESSAGE__N] = {
        [BODY_MESSAGE_BODY] = {"body", FT_TEXT, FD_REQUIRED | FD_FREE_TEXT, 1, 4000, NULL, NULL,
                               "the message"},
};

/* Listings or demands: the kind is the first segment after /api/v1/. */
static enum market_kind kind_of(const struct req *rq)
{
	return strncmp(rq->path, "/api/v1/listings", 16) ? MARKET_DEMAND : MARKET_LISTING;
}

static void item_json(const void *item, struct buf *out)
{
	market_to_json(item, out);
}

/* Filters map one to one onto the app layer's market_filter; absent ones are NULL or 0 */
static void api_market_list(struct req *rq)
{
	const char *assigned = http_query(rq, "assigned");
	struct market_filter f = {
	        .status = http_query(rq, "status"),
	        .field = http_query(rq, "field"),
	        .region = http_query(rq, "region"),
	        .industry = http_query(rq, "industry"),
	        .trl = (int)http_query_int(rq, "trl", 0),
	        .mode = http_query(rq, "mode"),
	        .org_id = http_query_int(rq, "owner", 0),
	        .assigned = assigned && !strcmp(assigned, "true"),
	};
	struct page p;
	enum err e = app_market_item_list(rq->ctx, kind_of(rq), &f, &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct market_item), item_json);
}

static void api_market_get(struct req *rq)
{
	int64_t id;
	struct market_item it;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_market_item_get(rq->ctx, kind_of(rq), id, &it);
	if (!e)
		market_to_json(&it, &rq->out);
	http_finish(rq, e, 200);
}

static void api_market_create(struct req *rq)
{
	struct market_item it;
	enum market_kind k = kind_of(rq);
	enum err e = app_market_item_create(rq->ctx, k, rq->body, &it);
	if (!e && !rq->ctx->replayed) {
		market_to_json(&it, &rq->out);
	}
	http_finish(rq, e, 201);
}

static void api_market_update(struct req *rq)
{
	int64_t id;
	struct market_item it;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_market_item_update(rq->ctx, kind_of(rq), id, rq->version, rq->body, &it);
	if (!e)
		market_to_json(&it, &rq->out);
	http_finish(rq, e, 200);
}

static void api_market_transition(struct req *rq)
{
	int64_t id;
	struct market_item it;
	if (!http_param_id(rq, 0, &id))
		return;
	const struct field_val *nv = &rq->body[BODY_TRANSITION_NOTE];
	/* an absent note and an explicit null both mean none */
	const char *note = nv->set && !nv->null ? nv->s : NULL;
	enum err e = app_market_item_transition(rq->ctx, kind_of(rq), id, rq->version,
	                                        rq->body[BODY_TRANSITION_EVENT].s, note, &it);
	if (!e && !rq->ctx->replayed)
		market_to_json(&it, &rq->out);
	http_finish(rq, e, 200);
}

/*
 * One ranked hit: the item, its score and its explanation. The terms and
 * signals that produced the score come with it, so a user can see why an item
 * ranks where it does; signals that added nothing are left out.
 */
static void hit_json(struct jw *w, const struct market_hit *h)
{
	jw_obj_open(w);
	jw_key(w, "item");
	struct buf b = BUF_INIT;
	market_to_json(&h->item, &b);
	jw_raw(w, buf_str(&b));
	buf_free(&b);
	jw_kf64(w, "score", h->hit.score);
	jw_kf64(w, "text", h->hit.text);
	jw_key(w, "terms");
	jw_arr_open(w);
	for (int i = 0; i < h->hit.nterms; i++) {
		jw_obj_open(w);
		jw_kstr(w, "term", h->hit.terms[i].term);
		jw_kf64(w, "score", h->hit.terms[i].score);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_key(w, "signals");
	jw_arr_open(w);
	for (int s = 0; s < MARKET_SIG__MAX; s++) {
		if (h->hit.signals[s] == 0)
			continue;
		jw_obj_open(w);
		jw_kstr(w, "name", market_signals[s].name);
		jw_kf64(w, "score", h->hit.signals[s]);
		jw_kf64(w, "weight", market_signals[s].weight);
		jw_kstr(w, "doc", market_signals[s].doc);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

/* The page shape of docs/API.md plus facets, which only a search has: matches are a fixed top k */
static void found_json(struct req *rq, const struct market_found *f, bool facets)
{
	static const char *const names[FACET__MAX] = {"field", "province", "trl", "mode"};
	struct jw w;
	jw_init(&w, &rq->out);
	jw_obj_open(&w);
	jw_key(&w, "items");
	jw_arr_open(&w);
	for (int i = 0; i < f->n; i++)
		hit_json(&w, &f->hits[i]);
	jw_arr_close(&w);
	jw_kstr(&w, "next_cursor", f->next_cursor);
	jw_ki64(&w, "total", f->total);
	if (facets) {
		jw_key(&w, "facets");
		jw_obj_open(&w);
		for (int k = 0; k < FACET__MAX; k++) {
			jw_key(&w, names[k]);
			jw_arr_open(&w);
			for (const struct facet_count *c = f->facets[k]; c->value; c++) {
				jw_obj_open(&w);
				jw_kstr(&w, "value", c->value);
				jw_ki64(&w, "count", c->count);
				jw_obj_close(&w);
			}
			jw_arr_close(&w);
		}
		jw_obj_close(&w);
	}
	jw_obj_close(&w);
}

static void api_market_search(struct req *rq)
{
	struct market_filter f = {
	        .field = http_query(rq, "field"),
	        .region = http_query(rq, "region"),
	        .industry = http_query(rq, "industry"),
	        .trl = (int)http_query_int(rq, "trl", 0),
	        .mode = http_query(rq, "mode"),
	};
	struct market_found found;
	enum err e =
	        app_market_search(rq->ctx, kind_of(rq), http_query(rq, "q"), &f, &rq->page, &found);
	if (!e)
		found_json(rq, &found, true);
	http_finish(rq, e, 200);
}

/*
 * "matches": the best items of the other kind (listings for a demand and the
 * reverse); "similar": more of the same kind, text only (app_market_item_matches)
 */
static void matches(struct req *rq, bool similar)
{
	int64_t id;
	struct market_found found;
	if (!http_param_id(rq, 0, &id))
		return;
	int k = (int)http_query_int(rq, "k", 10);
	enum err e = app_market_item_matches(rq->ctx, kind_of(rq), id, similar, k, &found);
	if (!e)
		found_json(rq, &found, false);
	http_finish(rq, e, 200);
}

static void api_market_matches(struct req *rq)
{
	matches(rq, false);
}

static void api_market_similar(struct req *rq)
{
	matches(rq, true);
}

/* ---- brokers ---- */

static void broker_item_json(const void *item, struct buf *out)
{
	broker_to_json(item, out);
}

static void api_broker_list(struct req *rq)
{
	struct page p;
	enum err e = app_broker_list(rq->ctx, &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct broker), broker_item_json);
}

static void api_broker_get(struct req *rq)
{
	int64_t id;
	struct broker b;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_broker_get(rq->ctx, id, &b); /* AUTH_USER: signed in */
	if (!e)
		broker_to_json(&b, &rq->out);
	http_finish(rq, e, 200);
}

static void api_broker_create(struct req *rq)
{
	struct broker b;
	enum err e = app_broker_create(rq->ctx, rq->body, &b);
	if (!e && !rq->ctx->replayed) {
		broker_to_json(&b, &rq->out);
	}
	http_finish(rq, e, 201);
}

static void api_broker_update(struct req *rq)
{
	int64_t id;
	struct broker b;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_broker_update(rq->ctx, id, rq->version, rq->body, &b);
	if (!e)
		broker_to_json(&b, &rq->out);
	http_finish(rq, e, 200);
}

static void api_market_brokers(struct req *rq)
{
	int64_t id;
	struct page p;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_broker_assigned(rq->ctx, kind_of(rq), id, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct broker), broker_item_json);
}

/* Assigning answers 204: the assignment is a relation with no representation of its own */
static void api_market_assign(struct req *rq)
{
	int64_t id;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_broker_assign(rq->ctx, kind_of(rq), id, rq->body[BODY_ASSIGN_BROKER_ID].i,
	                               false);
	http_finish(rq, e, 204);
}

static void api_market_unassign(struct req *rq)
{
	int64_t id, broker;
	if (!http_param_id(rq, 0, &id) || !http_param_id(rq, 1, &broker))
		return;
	http_finish(rq, app_broker_assign(rq->ctx, kind_of(rq), id, broker, true), 204);
}

/* ---- interests ---- */

static void interest_item_json(const void *item, struct buf *out)
{
	interest_to_json(item, out);
}

static void api_interest_list(struct req *rq)
{
	struct page p;
	enum err e = app_interest_list(rq->ctx, http_query_int(rq, "listing_id", 0),
	                               http_query_int(rq, "demand_id", 0), http_query(rq, "status"),
	                               &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct interest), interest_item_json);
}

static void api_interest_get(struct req *rq)
{
	int64_t id;
	struct interest in;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_interest_get(rq->ctx, id, &in);
	if (!e)
		interest_to_json(&in, &rq->out);
	http_finish(rq, e, 200);
}

static void api_interest_create(struct req *rq)
{
	struct interest in;
	enum err e = app_interest_create(rq->ctx, rq->body, &in);
	if (!e && !rq->ctx->replayed) {
		interest_to_json(&in, &rq->out);
	}
	http_finish(rq, e, 201);
}

static void api_interest_accept(struct req *rq)
{
	int64_t id;
	struct interest in;
	if (!http_param_id(rq, 0, &id))
		return;
	/* accepting is deciding without a reason */
	enum err e = app_interest_decide(rq->ctx, id, rq->version, NULL, NULL, &in);
	if (!e && !rq->ctx->replayed)
		interest_to_json(&in, &rq->out);
	http_finish(rq, e, 200);
}

static void api_interest_decline(struct req *rq)
{
	int64_t id;
	struct interest in;
	if (!http_param_id(rq, 0, &id))
		return;
	const char *note = rq->body[DECLINE_F_NOTE].set && !rq->body[DECLINE_F_NOTE].null
	                           ? rq->body[DECLINE_F_NOTE].s
	                           : NULL;
	enum err e = app_interest_decide(rq->ctx, id, rq->version, rq->body[DECLINE_F_REASON].s,
	                                 note, &in);
	if (!e && !rq->ctx->replayed)
		interest_to_json(&in, &rq->out);
	http_finish(rq, e, 200);
}

static void message_json(const void *item, struct buf *out)
{
	interest_msg_to_json(item, out);
}

static void api_interest_messages(struct req *rq)
{
	int64_t id;
	struct page p;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_interest_messages(rq->ctx, id, &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct interest_msg), message_json);
}

static void api_interest_post(struct req *rq)
{
	int64_t id;
	struct interest_msg m;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_interest_post(rq->ctx, id, rq->body[BODY_MESSAGE_BODY].s, &m);
	if (!e && !rq->ctx->replayed)
		interest_msg_to_json(&m, &rq->out);
	http_finish(rq, e, 201);
}

static void stats_json(struct jw *w, const char *key, const struct interest_stats *s)
{
	jw_key(w, key);
	jw_obj_open(w);
	jw_ki64(w, "open", s->open);
	jw_ki64(w, "accepted", s->accepted);
	jw_ki64(w, "declined", s->declined);
	jw_key(w, "decline_reasons");
	jw_obj_open(w);
	for (int i = 0; i < DECLINE_REASONS; i++)
		jw_ki64(w, decline_reasons[i], s->reasons[i]);
	jw_obj_close(w);
	jw_obj_close(w);
}

/* The listing's interest outcomes next to those of all its owner's listings, for comparison */
static void api_listing_stats(struct req *rq)
{
	int64_t id;
	struct interest_stats l, o;
	if (!http_param_id(rq, 0, &id))
		return;
	enum err e = app_listing_stats(rq->ctx, id, &l, &o);
	if (!e) {
		struct jw w;
		jw_init(&w, &rq->out);
		jw_obj_open(&w);
		jw_ki64(&w, "listing_id", id);
		stats_json(&w, "listing", &l);
		stats_json(&w, "owner", &o);
		jw_obj_close(&w);
	}
	http_finish(rq, e, 200);
}

const struct route routes_market[] = {
#include "http/routes_market.def"
};
const size_t routes_market_n = sizeof routes_market / sizeof routes_market[0];
