/* app_notice: public notice, objections, batches, titles, notifications, statistics, outbox. */
#include "app/gradient/app_notice.h"

#include "app/app_cache.h"

#include "app/gradient/app_apply.h"
#include "app/gradient/gradient_module.h"
#include "app/app_pii.h"
#include "app/app_tx.h"
#include "core/codes.h"
#include "lib/date.h"
#include "lib/jw.h"
#include "lib/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

/* A candidate on public notice: what the public sees, not the statement or contact. */
static void notice_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct application *a = item;
	memset(a, 0, sizeof *a);
	a->id = db_col_i64(r, COL_APPLICATION_ID);
	a->org_id = db_col_i64(r, COL_APPLICATION_ORG_ID);
	a->org_name = app_col(ctx, r, COL_APPLICATION_ORG_NAME);
	a->tier = app_col(ctx, r, COL_APPLICATION_TIER);
	gradient_app_state_parse(db_col_text(r, COL_APPLICATION_STATE), &a->state);
	a->region = app_col(ctx, r, COL_APPLICATION_REGION_CODE);
	gov_level_parse(db_col_text(r, COL_APPLICATION_FINAL_LEVEL), &a->final_level);
	a->notice_from = app_col(ctx, r, COL_APPLICATION_NOTICE_FROM);
	a->notice_until = app_col(ctx, r, COL_APPLICATION_NOTICE_UNTIL);
	a->version = db_col_i64(r, COL_APPLICATION_VERSION);
}

/*
 * No authorization: the notice exists to be read by anyone, and notice_row keeps only what the
 * public may see.
 */
enum err app_notice_list(struct app_ctx *ctx, const struct page_req *pr, struct page *out)
{
	int64_t after = 0;
	enum err e;
	if (pr->cursor && (e = app_cursor_id(ctx, 'n', pr->cursor, &after)))
		return e;
	static const struct app_list list = {.cursor = 'n',
	                                     .what = "notices",
	                                     .item_size = sizeof(struct application),
	                                     .row = notice_row,
	                                     .key_id = offsetof(struct application, id)};
	return app_page_fetch(ctx, &list, STMT_APP_NOTICES, DB_ARGS(DB_INT(after)), pr, out);
}

static void obj_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct objection *o = item;
	*o = (struct objection){.id = db_col_i64(r, COL_OBJ_ID),
	                        .application_id = db_col_i64(r, COL_OBJ_APPLICATION_ID),
	                        .contact = app_pii_open(ctx, PII_OBJECTION_CONTACT,
	                                                db_col_text(r, COL_OBJ_CONTACT)),
	                        .text = app_col(ctx, r, COL_OBJ_TEXT),
	                        .state = app_col(ctx, r, COL_OBJ_STATE),
	                        .resolution = app_col(ctx, r, COL_OBJ_RESOLUTION),
	                        .created_at = app_col(ctx, r, COL_OBJ_CREATED_AT),
	                        .resolved_at = app_col(ctx, r, COL_OBJ_RESOLVED_AT)};
}

static enum err objection_load(struct app_ctx *ctx, int64_t id, struct objection *o)
{
	return app_row_load(ctx, STMT_OBJ_GET, DB_ARGS(DB_INT(id)), obj_row, o, "objection", "id",
	                    app_id_str(ctx, id));
}

/*
 * At most LIMIT_OBJECTIONS_PER_HOUR from one address in an hour. Anyone may object without
 * signing in, so the limit is per client address, counted in the store so that it holds
 * across server processes.
 */
static enum err objection_rate(struct app_ctx *ctx)
{
	char since[INSTANT_STR];
	instant_format(ctx->now - 3600, since);
	const char *addr = ctx->client_addr ? ctx->client_addr : "";
	int64_t n = 0, locked = 0;
	/* one address's objections are counted in turn (an advisory lock on PostgreSQL) */
	enum err e = app_row_i64(ctx, STMT_OBJ_ADDR_LOCK, DB_ARGS(DB_TEXT(addr)), COL_ID, &locked,
	                         "objections");
	if (!e)
		e = app_row_i64(ctx, STMT_OBJ_RECENT, DB_ARGS(DB_TEXT(addr), DB_TEXT(since)),
		                COL_COUNT, &n, "objections");
	if (e)
		return e;
	if (n >= LIMIT_OBJECTIONS_PER_HOUR)
		return APP_FAIL(ctx, ERR_RATE_LIMITED, "",
		                "too many objections from this address: "
		                "try again in an hour");
	return ERR_OK;
}

/*
 * Only the first objection moves the application (notice -> objected, pausing the notice);
 * later ones are recorded against the paused notice. The audit record names the application;
 * the text and the contact stay in the objection's row.
 */
enum err app_objection_create(struct app_ctx *ctx, int64_t app_id, const char *contact,
                              const char *text, struct objection *out)
{
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct application a;
	const struct gradient_app_transition *tr = NULL;
	if (!(e = app_application_load(ctx, app_id, &a)) &&
	    !(tr = gradient_transition(a.state, GRADIENT_EV_OBJECT)))
		e = APP_FAIL(ctx, ERR_NOT_FOUND, "id", "application %lld is not in public notice",
		             (long long)app_id);
	if (!e)
		e = objection_rate(ctx);
	struct db_rows *r;
	int64_t id = 0;
	if (!e &&
	    !(e = db_query(ctx->conn, STMT_OBJ_INSERT,
	                   DB_ARGS(DB_INT(app_id),
	                           DB_TEXT(app_pii_seal(ctx, PII_OBJECTION_CONTACT, contact)),
	                           DB_TEXT(text), DB_TEXT(ctx->client_addr), DB_TEXT(ctx->now_s)),
	                   &r))) {
		if (db_next(r))
			id = db_col_i64(r, COL_ID);
		if ((e = db_done(r)))
			e = app_db_fail(ctx, e, "objection");
	}
	if (!e && !(e = objection_load(ctx, id, out)))
		e = app_audit(
		        ctx, "create", "objection", app_id_str(ctx, id), NULL,
		        arena_printf(&ctx->arena, "{\"application_id\":%lld}", (long long)app_id));
	if (!e && a.state == GRADIENT_APP_NOTICE)
		e = app_application_move(ctx, &a, GRADIENT_EV_OBJECT, tr->to,
		                         "an objection was lodged");
	return app_write_end(ctx, e, 201, NULL, NULL);
}

/*
 * Whoever may read the application reads its objections, the enterprise included, but the
 * objector's contact only those who screen them (below). Not paged: they are few, read whole.
 */
enum err app_objection_list(struct app_ctx *ctx, int64_t app_id, struct page *out)
{
	struct application a;
	enum err e = app_application_get(ctx, app_id, &a);
	if (e)
		return e;
	if ((e = app_rows_all(ctx, STMT_OBJ_LIST_APP, DB_ARGS(DB_INT(app_id)),
	                      sizeof(struct objection), obj_row, "objections", out)))
		return e;
	struct objection *items = out->items;
	/*
	 * the objector's contact is for those who screen objections (operators of the
	 * chain's last level, administrators); the enterprise under objection and the
	 * other readers see the text and the state only: not even masked, as the name
	 * alone tells the enterprise who objected (app_pii.h)
	 */
	struct target t = {.region = a.region, .org_id = a.org_id, .level = a.final_level};
	if (!authz_allows(&ctx->actor, ACT_GRADIENT_MANAGE, &t))
		for (int i = 0; i < out->n; i++)
			items[i].contact = NULL;
	return ERR_OK;
}

static enum err open_objections(struct app_ctx *ctx, int64_t app_id, int64_t *n)
{
	return app_row_i64(ctx, STMT_OBJ_OPEN_COUNT, DB_ARGS(DB_INT(app_id)), COL_COUNT, n,
	                   "objections");
}

/*
 * Decided at the application's final level, who grants the title. Upholding one objection ends
 * the notice at once; dismissing resumes it only when no other objection is open, with the
 * working days it had left (app_apply.c, notice_resume).
 */
enum err app_objection_resolve(struct app_ctx *ctx, int64_t id, const char *decision,
                               const char *reason, struct objection *out)
{
	bool uphold = !strcmp(decision, "uphold");
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct objection cur;
	struct application a;
	int64_t changed = 0, open = 0;
	if (!(e = objection_load(ctx, id, &cur)) &&
	    !(e = app_application_load(ctx, cur.application_id, &a))) {
		struct target t = {.region = a.region, .org_id = a.org_id, .level = a.final_level};
		e = app_allow(ctx, ACT_GRADIENT_MANAGE, &t);
	}
	if (!e && strcmp(cur.state, "open"))
		e = APP_FAIL(ctx, ERR_CONFLICT, "state", "the objection is %s already", cur.state);
	if (!e && (e = db_exec(ctx->conn, STMT_OBJ_RESOLVE,
	                       DB_ARGS(DB_TEXT(uphold ? "upheld" : "dismissed"), DB_TEXT(reason),
	                               DB_TEXT(ctx->now_s), DB_INT(id)),
	                       &changed)))
		e = app_db_fail(ctx, e, "objection");
	else if (!e && changed != 1)
		e = APP_FAIL(ctx, ERR_CONFLICT, "state", "the objection changed meanwhile");
	if (!e && !(e = open_objections(ctx, a.id, &open)) && a.state == GRADIENT_APP_OBJECTED &&
	    (uphold || open == 0)) {
		enum gradient_app_event ev = uphold ? GRADIENT_EV_UPHOLD : GRADIENT_EV_DISMISS;
		e = app_application_move(ctx, &a, ev, gradient_transition(a.state, ev)->to, reason);
	}
	if (!e && !(e = objection_load(ctx, id, out)))
		e = app_audit(ctx, "resolve", "objection", app_id_str(ctx, id), NULL,
		              arena_printf(&ctx->arena, "{\"state\":\"%s\"}", out->state));
	return app_write_end(ctx, e, 200, NULL, NULL);
}

/* ---- batches and titles ---- */

static void title_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct title *t = item;
	*t = (struct title){.id = db_col_i64(r, COL_TITLE_ID),
	                    .org_id = db_col_i64(r, COL_TITLE_ORG_ID),
	                    .org_name = app_col(ctx, r, COL_TITLE_ORG_NAME),
	                    .tier = app_col(ctx, r, COL_TITLE_TIER),
	                    .since = app_col(ctx, r, COL_TITLE_SINCE),
	                    .until = app_col(ctx, r, COL_TITLE_UNTIL),
	                    .state = app_col(ctx, r, COL_TITLE_STATE),
	                    .batch = app_col(ctx, r, COL_TITLE_BATCH),
	                    .province = app_col(ctx, r, COL_TITLE_PROVINCE),
	                    .ruleset = app_col(ctx, r, COL_TITLE_RULESET),
	                    .revoked_reason = app_col(ctx, r, COL_TITLE_REVOKED_REASON),
	                    .ban_until = app_col(ctx, r, COL_TITLE_BAN_UNTIL),
	                    .application_id = db_col_null(r, COL_TITLE_APPLICATION_ID)
	                                              ? 0
	                                              : db_col_i64(r, COL_TITLE_APPLICATION_ID),
	                    .version = db_col_i64(r, COL_TITLE_VERSION),
	                    .credit_code = app_col(ctx, r, COL_TITLE_CREDIT_CODE)};
	/* the yearly data update: the next 31 May (data_missed is checked separately) */
	char due[DATE_STR];
	int first, last;
	if (!gradient_data_deadlines(t->since, ctx->today, &first, &last, due))
		due[0] = 0;
	t->data_due = due[0] ? arena_strdup(&ctx->arena, due) : NULL;
}

static enum err title_load(struct app_ctx *ctx, int64_t id, struct title *t)
{
	return app_row_load(ctx, STMT_TITLE_GET, DB_ARGS(DB_INT(id)), title_row, t, "title", "id",
	                    app_id_str(ctx, id));
}

/* Fill t->data_missed: the first yearly deadline since the grant without a facts update. */
static enum err title_data_check(struct app_ctx *ctx, struct title *t)
{
	int first, last;
	char next[DATE_STR];
	t->data_missed = NULL;
	if (strcmp(t->state, "active") ||
	    !gradient_data_deadlines(t->since, ctx->today, &first, &last, next))
		return ERR_OK;
	for (int y = first; y <= last; y++) {
		char from[DATE_STR], until[DATE_STR];
		gradient_data_window(t->since, y, from, until);
		int64_t n = 0;
		enum err e = app_row_i64(
		        ctx, STMT_FACTS_UPDATES_IN,
		        DB_ARGS(DB_TEXT(app_id_str(ctx, t->org_id)), DB_TEXT(from), DB_TEXT(until)),
		        COL_COUNT, &n, "facts");
		if (e)
			return e;
		if (!n) {
			char due[DATE_STR];
			date_format(
			        date_from_ymd(y, GRADIENT_DATA_DUE_MONTH, GRADIENT_DATA_DUE_DAY),
			        due);
			t->data_missed = arena_strdup(&ctx->arena, due);
			break;
		}
	}
	return ERR_OK;
}

enum err app_title_data_missed(struct app_ctx *ctx, int64_t id, const char **missed)
{
	struct title t;
	enum err e = title_load(ctx, id, &t);
	if (!e)
		e = title_data_check(ctx, &t);
	*missed = e ? NULL : t.data_missed;
	return e;
}

/* "2026-32-little_giant-1": year, region (CN for the nation), tier, the batch's number. */
/*
 * Counted from the batches with the same prefix, in the write transaction: numbers run 1, 2,
 * ... per year, place and tier.
 */
static enum err batch_number(struct app_ctx *ctx, const char *tier, const char *region,
                             enum gov_level level, const char **out)
{
	const char *where =
	        level == LEVEL_NATIONAL ? "CN" : arena_printf(&ctx->arena, "%.2s", region);
	const char *prefix = arena_printf(&ctx->arena, "%.4s-%s-%s-", ctx->today, where, tier);
	int64_t n = 0;
	enum err e = app_row_i64(ctx, STMT_BATCH_COUNT,
	                         DB_ARGS(DB_TEXT(arena_printf(&ctx->arena, "%s%%", prefix))),
	                         COL_COUNT, &n, "batch");
	if (e)
		return e;
	*out = arena_printf(&ctx->arena, "%s%lld", prefix, (long long)n + 1);
	return ERR_OK;
}

/*
 * Only the ids are read, to the end, before anything is written: grant_one reloads each
 * candidate whole and moves it.
 */
static enum err grantable(struct app_ctx *ctx, const char *tier, enum gov_level level,
                          const char *region, struct application **items, int *n)
{
	char lo[7] = "000000", hi[7] = "999999";
	if (level != LEVEL_NATIONAL)
		region_code_range(region, lo, hi);
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_APP_GRANTABLE,
	                      DB_ARGS(DB_TEXT(tier), DB_TEXT(gov_level_name(level)), DB_TEXT(lo),
	                              DB_TEXT(hi), DB_TEXT(ctx->today)),
	                      &r);
	if (e)
		return app_db_fail(ctx, e, "candidates");
	int cap = 64;
	*n = 0;
	*items = arena_alloc(&ctx->arena, sizeof **items * (size_t)cap);
	while (db_next(r)) {
		if (*n == cap) {
			struct application *more =
			        arena_alloc(&ctx->arena, sizeof **items * (size_t)cap * 2);
			memcpy(more, *items, sizeof **items * (size_t)cap);
			*items = more;
			cap *= 2;
		}
		struct application *a = &(*items)[(*n)++];
		a->id = db_col_i64(r, COL_APPLICATION_ID); /* reloaded whole before it moves */
	}
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "candidates");
	return ERR_OK;
}

/* The ruleset the application's evaluation used (NULL when none). */
/*
 * The title records the ruleset of the evaluation made at submission, so a grant can be traced
 * to the rules it was judged by.
 */
static const char *eval_ruleset(struct app_ctx *ctx, int64_t eval_id)
{
	struct db_rows *r;
	const char *rs = NULL;
	if (!eval_id || db_query(ctx->conn, STMT_EVAL_GET, DB_ARGS(DB_INT(eval_id)), &r))
		return NULL;
	if (db_next(r))
		rs = app_col(ctx, r, COL_EVAL_RULESET);
	db_done(r);
	return rs;
}

/* Grant one candidate its title in batch `batch_id`. */
/*
 * A title runs GRADIENT_TITLE_YEARS from today and ends the day before the anniversary; 29
 * February counts as the 28th.
 */
static enum err grant_one(struct app_ctx *ctx, int64_t app_id, int64_t batch_id, struct title *t)
{
	struct application a;
	enum err e = app_application_load(ctx, app_id, &a);
	if (e)
		return e;
	int32_t today = (int32_t)(ctx->now / 86400);
	int y = 0, m = 0, d = 0;
	date_to_ymd(today, &y, &m, &d);
	char until[DATE_STR];
	date_format(date_from_ymd(y + GRADIENT_TITLE_YEARS, m, d > 28 && m == 2 ? 28 : d) - 1,
	            until);
	struct db_rows *r;
	int64_t tid = 0;
	e = db_query(ctx->conn, STMT_TITLE_INSERT,
	             DB_ARGS(DB_INT(a.org_id), DB_TEXT(a.tier), DB_TEXT(ctx->today), DB_TEXT(until),
	                     DB_TEXT(eval_ruleset(ctx, a.evaluation_id)), DB_INT(batch_id),
	                     DB_INT(a.id), DB_TEXT(arena_printf(&ctx->arena, "%.2s", a.region))),
	             &r);
	if (!e) {
		if (db_next(r))
			tid = db_col_i64(r, COL_ID);
		e = db_done(r);
	}
	if (e)
		return app_db_fail(ctx, e, "title");
	a.batch_id = batch_id;
	a.title_id = tid;
	if ((e = app_application_move(ctx, &a, GRADIENT_EV_GRANT, GRADIENT_APP_GRANTED, NULL)) ||
	    (e = title_load(ctx, tid, t)))
		return e;
	struct buf b = BUF_INIT;
	gradient_title_to_json(t, &b);
	return app_audit(ctx, "create", "title", app_id_str(ctx, tid), NULL, app_keep(ctx, &b));
}

/*
 * Every candidate of the tier whose notice has ended, within the level and region given (and
 * allowed), gets its title in one transaction: a batch is granted whole or not at all. The
 * statistics caches are dropped only once the batch is committed.
 */
enum err app_batch_create(struct app_ctx *ctx, const char *tier, const char *level,
                          const char *region, struct batch_result *out)
{
	enum gov_level lv;
	char reg[7] = "000000";
	if (!gov_level_parse(level, &lv))
		return APP_FAIL(ctx, ERR_INVALID, "level",
		                "must be county, city, province or national");
	if (lv != LEVEL_NATIONAL && (!region || !region_code_normalise(region, reg)))
		return APP_FAIL(ctx, ERR_INVALID, "region_code",
		                "is required below national level");
	struct target t = {.region = reg, .level = lv};
	enum err e = app_allow(ctx, ACT_GRADIENT_MANAGE, &t);
	if (e || (e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct application *cand = NULL;
	int n = 0;
	if (!(e = grantable(ctx, tier, lv, reg, &cand, &n)) && n == 0)
		e = APP_FAIL(ctx, ERR_CONFLICT, "tier",
		             "no %s candidate here has finished its public notice", tier);
	struct db_rows *r;
	if (!e && !(e = batch_number(ctx, tier, reg, lv, &out->number)) &&
	    !(e = db_query(ctx->conn, STMT_BATCH_INSERT,
	                   DB_ARGS(DB_TEXT(out->number), DB_TEXT(tier), DB_TEXT(level),
	                           DB_TEXT(reg), DB_TEXT(ctx->today), DB_TEXT(ctx->actor.username)),
	                   &r))) {
		out->id = db_next(r) ? db_col_i64(r, COL_ID) : 0;
		if ((e = db_done(r)))
			e = app_db_fail(ctx, e, "batch");
	}
	if (!e) {
		out->titles = arena_alloc(&ctx->arena, sizeof *out->titles * (size_t)n);
		out->ntitles = n;
		for (int i = 0; i < n && !e; i++)
			e = grant_one(ctx, cand[i].id, out->id, &out->titles[i]);
	}
	if (!e)
		e = app_audit(ctx, "create", "batch", app_id_str(ctx, out->id), NULL,
		              arena_printf(&ctx->arena, "{\"number\":\"%s\",\"titles\":%d}",
		                           out->number, n));
	e = app_write_end(ctx, e, 201, NULL, NULL);
	if (!e)
		app_gradient_stats_changed(ctx); /* titles changed: cached statistics are stale */
	return e;
}

/*
 * Public, like the titles themselves. Each title of the page is checked for a missed yearly
 * data update, which the list shows.
 */
enum err app_title_list(struct app_ctx *ctx, const char *tier, int64_t org_id,
                        const struct page_req *pr, struct page *out)
{
	int64_t after = 0;
	enum err e;
	if (pr->cursor && (e = app_cursor_id(ctx, 't', pr->cursor, &after)))
		return e;
	struct db_val org = org_id ? DB_INT(org_id) : DB_NULL;
	static const struct app_list list = {.cursor = 't',
	                                     .what = "titles",
	                                     .item_size = sizeof(struct title),
	                                     .row = title_row,
	                                     .key_id = offsetof(struct title, id)};
	if ((e = app_page_fetch(ctx, &list, org_id ? STMT_TITLE_LIST_BY_ORG : STMT_TITLE_LIST,
	                        DB_ARGS(DB_INT(after), DB_TEXT(tier), DB_TEXT(tier), org, org), pr,
	                        out)))
		return e;
	struct title *items = out->items;
	for (int i = 0; i < out->n && !e; i++)
		e = title_data_check(ctx, &items[i]);
	return e;
}

/*
 * Who granted a title decides its revocation: the operators of the last level
 * of the tier's review chain in the title's province (a national little giant
 * is revoked by the ministry, a provincial title by that province). The last
 * level never depends on the region below the province, so the province is
 * enough; a tier with no chain leaves LEVEL_NONE, which only an administrator
 * passes.
 */
static const struct target *title_granter(struct app_ctx *ctx, const struct title *t)
{
	struct target *g = arena_alloc(&ctx->arena, sizeof *g);
	const char *reg = arena_printf(&ctx->arena, "%.2s0000", t->province ? t->province : "");
	struct gradient_review_chain ch;
	*g = (struct target){.region = reg, .org_id = t->org_id, .level = LEVEL_NONE};
	if (gradient_chain(t->tier, reg, &ch))
		g->level = ch.level[ch.nsteps - 1];
	return g;
}

/*
 * Decided by the level that granted the title (title_granter). The ban on new applications
 * runs from today, longer for fraud than for other reasons; check_ban enforces it and the
 * enterprise is told.
 */
enum err app_title_revoke(struct app_ctx *ctx, int64_t id, int64_t version, const char *reason,
                          bool fraud, struct title *out)
{
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct title cur;
	int64_t changed = 0;
	if (!(e = title_load(ctx, id, &cur)))
		e = app_allow(ctx, ACT_GRADIENT_MANAGE, title_granter(ctx, &cur));
	if (!e && strcmp(cur.state, "active"))
		e = APP_FAIL(ctx, ERR_CONFLICT, "state", "the title is %s already", cur.state);
	else if (!e && cur.version != version)
		e = APP_FAIL(ctx, ERR_CONFLICT, "version", "is %lld, the title is at version %lld",
		             (long long)version, (long long)cur.version);
	if (!e) {
		int y, m, d;
		date_to_ymd((int32_t)(ctx->now / 86400), &y, &m, &d);
		char ban[DATE_STR];
		date_format(date_from_ymd(y + (fraud ? GRADIENT_BAN_FRAUD_YEARS
		                                     : GRADIENT_BAN_OTHER_YEARS),
		                          m, d > 28 && m == 2 ? 28 : d),
		            ban);
		if ((e = db_exec(ctx->conn, STMT_TITLE_REVOKE,
		                 DB_ARGS(DB_TEXT(reason), DB_TEXT(ctx->now_s), DB_TEXT(ban),
		                         DB_INT(id), DB_INT(version)),
		                 &changed)))
			e = app_db_fail(ctx, e, "title");
		else if (changed != 1)
			e = APP_FAIL(ctx, ERR_CONFLICT, "version", "the title changed meanwhile");
	}
	if (!e && !(e = title_load(ctx, id, out)) &&
	    !(e = app_notify_org(ctx, out->org_id, "revoked",
	                         arena_printf(&ctx->arena,
	                                      "Title %s revoked: %s; no application "
	                                      "before %s",
	                                      out->tier, reason, out->ban_until),
	                         NULL))) {
		struct buf a = BUF_INIT, b = BUF_INIT;
		gradient_title_to_json(&cur, &a);
		gradient_title_to_json(out, &b);
		e = app_audit(ctx, "revoke", "title", app_id_str(ctx, id), app_keep(ctx, &a),
		              app_keep(ctx, &b));
	}
	e = app_write_end(ctx, e, 200, NULL, NULL);
	if (!e)
		app_gradient_stats_changed(ctx); /* titles changed: cached statistics are stale */
	return e;
}

/* ---- statistics ---- */

static enum err stats_titles(struct app_ctx *ctx, struct jw *w)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_STATS_TITLES, DB_NOARGS, &r);
	if (e)
		return app_db_fail(ctx, e, "statistics");
	jw_key(w, "titles");
	jw_arr_open(w);
	while (db_next(r)) {
		jw_obj_open(w);
		jw_kstr(w, "tier", db_col_text(r, COL_STATS_TITLES_TIER));
		jw_kstr(w, "province_code", db_col_text(r, COL_STATS_TITLES_PROVINCE));
		const char *batch = db_col_text(r, COL_STATS_TITLES_BATCH);
		jw_kstr(w, "batch", batch && *batch ? batch : NULL);
		jw_kstr(w, "year", db_col_text(r, COL_STATS_TITLES_YEAR));
		jw_ki64(w, "count", db_col_i64(r, COL_STATS_TITLES_COUNT));
		jw_obj_close(w);
	}
	jw_arr_close(w);
	return (e = db_done(r)) ? app_db_fail(ctx, e, "statistics") : ERR_OK;
}

/* Aggregate revenue growth (sum Y / sum Y-1 - 1) and R&D intensity (sum R&D / sum revenue). */
static enum err stats_fin(struct app_ctx *ctx, enum stmt st, int year, struct jw *w)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, st, DB_ARGS(DB_INT(year - 1), DB_INT(year)), &r);
	if (e)
		return app_db_fail(ctx, e, "statistics");
	while (db_next(r)) {
		int64_t n = db_col_i64(r, COL_STATS_FIN_COUNT);
		if (!n)
			continue;
		double rev = db_col_f64(r, COL_STATS_FIN_REVENUE),
		       prev = db_col_f64(r, COL_STATS_FIN_REVENUE_PREV),
		       rd = db_col_f64(r, COL_STATS_FIN_RD);
		jw_obj_open(w);
		jw_kstr(w, "group", db_col_text(r, COL_STATS_FIN_TIER));
		jw_ki64(w, "enterprises", n);
		jw_key(w, "revenue_growth");
		prev > 0 ? jw_f64(w, rev / prev - 1) : jw_null(w);
		jw_key(w, "rd_intensity");
		rev > 0 ? jw_f64(w, rd / rev) : jw_null(w);
		jw_obj_close(w);
	}
	return (e = db_done(r)) ? app_db_fail(ctx, e, "statistics") : ERR_OK;
}

/*
 * The comparison group "all enterprises" aggregates every enterprise's facts
 * (a million rows), so each year's figures are kept for a minute
 * and shared by all callers of the process: that line may be a minute
 * behind, and no request pays for more than one such aggregation a minute.
 * The titles and the per-tier figures are cached with the whole answer
 * (app_gradient_stats). From the cache or aggregated (then cached).
 */
static enum err stats_all(struct app_ctx *ctx, int year, struct jw *w)
{
	struct app_cache *cache = &app_gradient_state(ctx)->all_figures;
	uint64_t gen = app_cache_gen(cache);
	const char *cached = app_cache_get(cache, ctx, year);
	if (cached) {
		if (*cached)
			jw_raw(w, cached);
		return ERR_OK;
	}
	struct buf part = BUF_INIT;
	struct jw pw;
	jw_init(&pw, &part);
	jw_arr_open(&pw); /* a scratch array gives the fragment its own separators */
	enum err e = stats_fin(ctx, STMT_STATS_FIN_ALL, year, &pw);
	jw_arr_close(&pw);
	if (!e) {
		/* keep the element without the brackets: "" when there were no figures */
		const char *frag = arena_strndup(&ctx->arena, part.data + 1, part.len - 2);
		app_cache_put(cache, ctx, year, gen, frag);
		if (*frag)
			jw_raw(w, frag);
	}
	buf_free(&part);
	return e;
}

/*
 * Whole answers are kept too, per year, until a title changes in this
 * process (app_gradient_stats_changed) or a minute passes: the per-tier
 * figures join every title holder's facts, too slow to redo for each visitor
 * of a public page.
 */
void app_gradient_stats_changed(struct app_ctx *ctx)
{
	app_cache_changed(&app_gradient_state(ctx)->answers);
}

/* Without a year, the last complete fiscal year (the year before today's). */
enum err app_gradient_stats(struct app_ctx *ctx, int year, const char **json)
{
	if (!year)
		year = (ctx->today[0] - '0') * 1000 + (ctx->today[1] - '0') * 100 +
		       (ctx->today[2] - '0') * 10 + (ctx->today[3] - '0') - 1;
	struct app_cache *cache = &app_gradient_state(ctx)->answers;
	uint64_t gen = app_cache_gen(cache);
	if ((*json = app_cache_get(cache, ctx, year)))
		return ERR_OK;
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b);
	jw_obj_open(&w);
	jw_ki64(&w, "fiscal_year", year);
	enum err e = stats_titles(ctx, &w);
	if (!e) {
		jw_key(&w, "finance");
		jw_arr_open(&w);
		if (!(e = stats_fin(ctx, STMT_STATS_FIN_TIER, year, &w)))
			e = stats_all(ctx, year, &w);
		jw_arr_close(&w);
	}
	jw_obj_close(&w);
	*json = app_keep(ctx, &b);
	if (!e)
		app_cache_put(cache, ctx, year, gen, *json);
	return e;
}
