/* app_apply: applications, attachments, review steps and the reviewer's queue. */
#include "app/gradient/app_apply.h"
#include "app/gradient/gradient_module.h"
#include "app/gradient/app_notice.h"

#include "app/gradient/app_facts.h"
#include "app/app_org.h"
#include "app/app_pii.h"
#include "app/app_tx.h"
#include "core/codes.h"
#include "core/workdays.h"
#include "lib/date.h"
#include "lib/jw.h"
#include "lib/limits.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

const char *const attachment_types[] = {"application/pdf", "image/png", "image/jpeg", "text/plain",
                                        NULL};

/* A row of APPLICATION_ROW (stmt_gradient.def). */
static void application_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct application *a = item;
	memset(a, 0, sizeof *a);
	a->id = db_col_i64(r, COL_APPLICATION_ID);
	a->org_id = db_col_i64(r, COL_APPLICATION_ORG_ID);
	a->org_name = app_col(ctx, r, COL_APPLICATION_ORG_NAME);
	a->tier = app_col(ctx, r, COL_APPLICATION_TIER);
	a->review = db_col_i64(r, COL_APPLICATION_REVIEW) != 0;
	a->title_id = db_col_null(r, COL_APPLICATION_TITLE_ID)
	                      ? 0
	                      : db_col_i64(r, COL_APPLICATION_TITLE_ID);
	gradient_app_state_parse(db_col_text(r, COL_APPLICATION_STATE), &a->state);
	a->region = app_col(ctx, r, COL_APPLICATION_REGION_CODE);
	a->step = (int)db_col_i64(r, COL_APPLICATION_STEP);
	gov_level_parse(db_col_text(r, COL_APPLICATION_STEP_LEVEL), &a->step_level);
	a->step_due = app_col(ctx, r, COL_APPLICATION_STEP_DUE);
	gov_level_parse(db_col_text(r, COL_APPLICATION_FINAL_LEVEL), &a->final_level);
	a->statement = app_col(ctx, r, COL_APPLICATION_STATEMENT);
	a->contact =
	        app_pii_open(ctx, PII_APPLICATION_CONTACT, db_col_text(r, COL_APPLICATION_CONTACT));
	a->evaluation_id = db_col_null(r, COL_APPLICATION_EVALUATION_ID)
	                           ? 0
	                           : db_col_i64(r, COL_APPLICATION_EVALUATION_ID);
	a->notice_from = app_col(ctx, r, COL_APPLICATION_NOTICE_FROM);
	a->notice_until = app_col(ctx, r, COL_APPLICATION_NOTICE_UNTIL);
	a->batch_id = db_col_null(r, COL_APPLICATION_BATCH_ID)
	                      ? 0
	                      : db_col_i64(r, COL_APPLICATION_BATCH_ID);
	a->submitted_at = app_col(ctx, r, COL_APPLICATION_SUBMITTED_AT);
	a->created_at = app_col(ctx, r, COL_APPLICATION_CREATED_AT);
	a->updated_at = app_col(ctx, r, COL_APPLICATION_UPDATED_AT);
	a->version = db_col_i64(r, COL_APPLICATION_VERSION);
	/*
	 * computed as read, against today: no sweep has to update the store when a due date passes
	 */
	a->overdue = a->state == GRADIENT_APP_UNDER_REVIEW && a->step_due &&
	             strcmp(a->step_due, ctx->today) < 0;
}

enum err app_application_load(struct app_ctx *ctx, int64_t id, struct application *out)
{
	return app_row_load(ctx, STMT_APP_GET, DB_ARGS(DB_INT(id)), application_row, out,
	                    "application", "id", app_id_str(ctx, id));
}

/* Whoever may read it: the enterprise, and operators and reviewers of its region. */
/*
 * A signed-in caller who may not read the application gets "not found", so its existence is
 * not disclosed; an anonymous one gets 401, as signing in may help.
 */
static enum err app_readable(struct app_ctx *ctx, int64_t id, struct application *a)
{
	enum err e = app_application_load(ctx, id, a);
	if (e)
		return e;
	struct target t = {.region = a->region, .org_id = a->org_id};
	if (!authz_allows(&ctx->actor, ACT_APPLICATION_READ, &t)) {
		if (ctx->actor.user_id == 0)
			return app_allow(ctx, ACT_APPLICATION_READ, &t);
		return APP_FAIL(ctx, ERR_NOT_FOUND, "id", "no application %lld", (long long)id);
	}
	return ERR_OK;
}

enum err app_application_get(struct app_ctx *ctx, int64_t id, struct application *out)
{
	return app_readable(ctx, id, out);
}

static const char *app_json(struct app_ctx *ctx, const struct application *a)
{
	struct buf b = BUF_INIT;
	gradient_app_to_json(a, &b);
	return app_keep(ctx, &b);
}

/* A ban from a revocation blocks new applications until it ends. */
static enum err check_ban(struct app_ctx *ctx, int64_t org_id)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_TITLE_BAN,
	                      DB_ARGS(DB_INT(org_id), DB_TEXT(ctx->today)), &r);
	if (e)
		return app_db_fail(ctx, e, "titles");
	const char *until = db_next(r) ? app_col(ctx, r, COL_BAN_UNTIL) : NULL;
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "titles");
	if (until)
		return APP_FAIL(
		        ctx, ERR_INVALID, "org_id",
		        "the enterprise is barred from applying until %s (a title was revoked)",
		        until);
	return ERR_OK;
}

/* For a re-review: the enterprise's active title of the tier. */
static enum err review_title(struct app_ctx *ctx, int64_t org_id, const char *tier, int64_t *id)
{
	struct db_rows *r;
	*id = 0;
	enum err e = db_query(ctx->conn, STMT_TITLE_OF_ORG, DB_ARGS(DB_INT(org_id)), &r);
	if (e)
		return app_db_fail(ctx, e, "titles");
	while (db_next(r))
		if (!strcmp(db_col_text(r, COL_TITLE_TIER), tier) &&
		    !strcmp(db_col_text(r, COL_TITLE_STATE), "active"))
			*id = db_col_i64(r, COL_TITLE_ID);
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "titles");
	if (!*id)
		return APP_FAIL(ctx, ERR_INVALID, "review", "the enterprise holds no %s title",
		                tier);
	/* a holder that skipped a yearly data update loses the re-review (复核) */
	const char *missed;
	if ((e = app_title_data_missed(ctx, *id, &missed)))
		return e;
	if (missed)
		return APP_FAIL(ctx, ERR_INVALID, "review",
		                "the yearly data update due %s was not made: the %s title has lost"
		                " its re-review eligibility",
		                missed, tier);
	return ERR_OK;
}

/* Checks of a new application inside the transaction; fills the chain's last level. */
static enum err create_checks(struct app_ctx *ctx, const struct org *o, const char *tier,
                              bool review, int64_t *title_id, struct gradient_review_chain *ch)
{
	struct target t = {.region = o->f[ORG_REGION_CODE], .org_id = o->id};
	enum err e = app_allow(ctx, ACT_APPLICATION_WRITE, &t);
	if (e)
		return e;
	if (strcmp(o->f[ORG_KIND], "enterprise"))
		return APP_FAIL(ctx, ERR_INVALID, "org_id", "is not an enterprise");
	if (!o->f[ORG_REGION_CODE] || !gradient_chain(tier, o->f[ORG_REGION_CODE], ch))
		return APP_FAIL(ctx, ERR_INVALID, "org_id",
		                "has no region code: the review chain cannot be chosen");
	if ((e = check_ban(ctx, o->id)) ||
	    (review && (e = review_title(ctx, o->id, tier, title_id))))
		return e;
	int64_t open = 0, locked = 0;
	/* the organisation's row, locked: concurrent applications are counted in turn */
	if ((e = app_row_i64(ctx, STMT_ORG_LOCK, DB_ARGS(DB_INT(o->id)), COL_ID, &locked,
	                     "organisation")) ||
	    (e = app_row_i64(ctx, STMT_APP_OPEN_OF_ORG, DB_ARGS(DB_INT(o->id), DB_TEXT(tier)),
	                     COL_COUNT, &open, "applications")))
		return e;
	if (open)
		return APP_FAIL(ctx, ERR_CONFLICT, "tier",
		                "the enterprise has an open application for %s", tier);
	return ERR_OK;
}

/*
 * Every rule (the ban, the title a re-review needs, one open application per tier) is checked
 * inside the transaction that inserts, against the state it commits on. The chain's last level
 * is stored: it decides who grants the title (GRADIENT_WHO_FINAL).
 */
enum err app_application_create(struct app_ctx *ctx, const struct field_val v[GRADIENT_AF__N],
                                struct application *out)
{
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct org o;
	struct gradient_review_chain ch;
	int64_t title_id = 0, id = 0;
	const char *tier = v[GRADIENT_AF_TIER].s;
	bool review = v[GRADIENT_AF_REVIEW].set && v[GRADIENT_AF_REVIEW].b;
	if (!(e = app_org_load(ctx, v[GRADIENT_AF_ORG_ID].i, &o)))
		e = create_checks(ctx, &o, tier, review, &title_id, &ch);
	if (e == ERR_NOT_FOUND)
		e = APP_FAIL(ctx, ERR_INVALID, "org_id", "no organisation %lld",
		             (long long)v[GRADIENT_AF_ORG_ID].i);
	if (!e) {
		const char *stmt = v[GRADIENT_AF_STATEMENT].set ? v[GRADIENT_AF_STATEMENT].s : NULL;
		const char *contact = v[GRADIENT_AF_CONTACT].set ? v[GRADIENT_AF_CONTACT].s : NULL;
		e = app_row_i64(
		        ctx, STMT_APP_INSERT,
		        DB_ARGS(DB_INT(o.id), DB_TEXT(tier), DB_INT(review),
		                title_id ? DB_INT(title_id) : DB_NULL,
		                DB_TEXT(o.f[ORG_REGION_CODE]),
		                DB_TEXT(gov_level_name(ch.level[ch.nsteps - 1])), DB_TEXT(stmt),
		                DB_TEXT(app_pii_seal(ctx, PII_APPLICATION_CONTACT, contact)),
		                DB_TEXT(ctx->now_s), DB_TEXT(ctx->now_s)),
		        COL_ID, &id, "application");
	}
	if (!e && !(e = app_application_load(ctx, id, out))) {
		const char *json = app_json(ctx, out);
		if (!(e = app_audit(ctx, "create", "application", app_id_str(ctx, id), NULL, json)))
			return app_write_end(ctx, e, 201, json,
			                     app_location(ctx, app_id_str(ctx, id)));
	}
	return app_write_end(ctx, e, 0, NULL, NULL);
}

/* Load for the enterprise's own change: found, allowed, at this version. */
/* version 0 skips the version check: attachments are added without one. */
static enum err load_own(struct app_ctx *ctx, int64_t id, int64_t version, struct application *a)
{
	enum err e = app_readable(ctx, id, a);
	if (e)
		return e;
	struct target t = {.region = a->region, .org_id = a->org_id};
	if ((e = app_allow(ctx, ACT_APPLICATION_WRITE, &t)))
		return e;
	if (version && a->version != version)
		return APP_FAIL(ctx, ERR_CONFLICT, "version",
		                "is %lld, the application is at version %lld: reload and retry",
		                (long long)version, (long long)a->version);
	return ERR_OK;
}

/*
 * Only the texts change, and only while draft or returned: once submitted, the application is
 * what was evaluated and is being reviewed.
 */
enum err app_application_update(struct app_ctx *ctx, int64_t id, int64_t version,
                                const struct field_val v[GRADIENT_AF__N], struct application *out)
{
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct application cur;
	if (!(e = load_own(ctx, id, version, &cur)) && cur.state != GRADIENT_APP_DRAFT &&
	    cur.state != GRADIENT_APP_RETURNED)
		e = APP_FAIL(ctx, ERR_CONFLICT, "state", "an application that is %s cannot change",
		             gradient_app_state_name(cur.state));
	if (!e) {
		const char *st =
		        v[GRADIENT_AF_STATEMENT].set ? v[GRADIENT_AF_STATEMENT].s : cur.statement;
		const char *co =
		        v[GRADIENT_AF_CONTACT].set ? v[GRADIENT_AF_CONTACT].s : cur.contact;
		int64_t changed = 0;
		e = db_exec(ctx->conn, STMT_APP_UPDATE_TEXT,
		            DB_ARGS(DB_TEXT(st),
		                    DB_TEXT(app_pii_seal(ctx, PII_APPLICATION_CONTACT, co)),
		                    DB_TEXT(ctx->now_s), DB_INT(id), DB_INT(version)),
		            &changed);
		if (e)
			e = app_db_fail(ctx, e, "application");
		else if (changed != 1)
			e = APP_FAIL(ctx, ERR_CONFLICT, "version", "the record changed meanwhile");
	}
	if (!e && !(e = app_application_load(ctx, id, out)))
		e = app_audit(ctx, "update", "application", app_id_str(ctx, id),
		              app_json(ctx, &cur), app_json(ctx, out));
	return app_write_end(ctx, e, 200, NULL, NULL);
}

enum err app_application_list(struct app_ctx *ctx, int64_t org_id, const struct page_req *pr,
                              struct page *out)
{
	struct org o;
	int64_t before = INT64_MAX;
	enum err e;
	if (pr->cursor && (e = app_cursor_id(ctx, 'a', pr->cursor, &before)))
		return e;
	if ((e = app_org_allow(ctx, org_id, ACT_APPLICATION_READ, &o)))
		return e;
	static const struct app_list list = {.cursor = 'a',
	                                     .what = "applications",
	                                     .item_size = sizeof(struct application),
	                                     .row = application_row,
	                                     .key_id = offsetof(struct application, id)};
	return app_page_fetch(ctx, &list, STMT_APP_LIST_ORG,
	                      DB_ARGS(DB_INT(org_id), DB_INT(before)), pr, out);
}

/*
 * A dismissed objection ends the pause of a notice: its end moves by the
 * working days of the pause (core/gradient), counted from the day the
 * objection that paused it was lodged.
 */
static enum err notice_resume(struct app_ctx *ctx, struct application *a, const struct workdays *wd,
                              int32_t today)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_EVENT_LAST_FROM,
	                      DB_ARGS(DB_INT(a->id),
	                              DB_TEXT(gradient_app_event_name(GRADIENT_EV_OBJECT)),
	                              DB_TEXT(gradient_app_state_name(GRADIENT_APP_NOTICE))),
	                      &r);
	if (e)
		return app_db_fail(ctx, e, "application events");
	int64_t at = 0;
	bool paused = db_next(r) && instant_parse(db_col_text(r, COL_EVENT_AT_AT), &at);
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "application events");
	int32_t until;
	if (!paused || !a->notice_until || !date_parse(a->notice_until, &until))
		return ERR_OK; /* no pause on record: the notice keeps its end */
	char day[DATE_STR];
	date_format(gradient_notice_resume(wd, until, (int32_t)(at / 86400), today), day);
	a->notice_until = arena_strdup(&ctx->arena, day);
	return ERR_OK;
}

/* The state, step and dates after `ev`; the evaluation of a submission is stored first. */
static enum err next_position(struct app_ctx *ctx, struct application *a,
                              enum gradient_app_event ev, enum gradient_app_state to)
{
	struct gradient_review_chain ch;
	const struct workdays *wd = app_workdays();
	int32_t today = (int32_t)(ctx->now / 86400);
	char day[DATE_STR];
	if (!gradient_chain(a->tier, a->region, &ch))
		return APP_FAIL(ctx, ERR_INVALID, "tier", "no review chain for %s", a->tier);
	if (ev == GRADIENT_EV_SUBMIT || ev == GRADIENT_EV_APPROVE) {
		a->step = ev == GRADIENT_EV_SUBMIT ? 0 : a->step + 1;
		a->step_level = ch.level[a->step];
		/*
		 * due dates and the notice's end count working days of the embedded calendar, not
		 * calendar days
		 */
		date_format(workdays_add(wd, today, ch.days[a->step]), day);
		a->step_due = arena_strdup(&ctx->arena, day);
	} else {
		a->step_level = LEVEL_NONE;
		a->step_due = NULL;
	}
	if (ev == GRADIENT_EV_APPROVE_LAST) {
		a->notice_from = ctx->today;
		date_format(workdays_add(wd, today, app_gradient_state(ctx)->notice_days), day);
		a->notice_until = arena_strdup(&ctx->arena, day);
	}
	if (ev == GRADIENT_EV_DISMISS) {
		enum err e = notice_resume(ctx, a, wd, today);
		if (e)
			return e;
	}
	if (ev == GRADIENT_EV_SUBMIT) {
		struct evaluation evr;
		enum err e = app_evaluate_in_tx(ctx, a->org_id, a->tier, a->review, a->id, &evr);
		if (e)
			return e;
		a->evaluation_id = evr.id;
		a->submitted_at = ctx->now_s;
	}
	a->state = to;
	return ERR_OK;
}

/*
 * The state, the trail row, the notification and the audit record are written in the caller's
 * transaction (docs/ARCHITECTURE.md, Gradient cultivation). Submit and withdraw notify no one:
 * the enterprise fired them itself. The trail records the level that acted: the step's, else
 * the final one.
 */
enum err app_application_move(struct app_ctx *ctx, struct application *a,
                              enum gradient_app_event ev, enum gradient_app_state to,
                              const char *reason)
{
	const char *before = app_json(ctx, a);
	enum gradient_app_state from = a->state;
	enum gov_level level = a->step_level != LEVEL_NONE ? a->step_level : a->final_level;
	int64_t version = a->version, changed = 0;
	enum err e = next_position(ctx, a, ev, to);
	if (e)
		return e;
	e = db_exec(ctx->conn, STMT_APP_MOVE,
	            DB_ARGS(DB_TEXT(gradient_app_state_name(a->state)), DB_INT(a->step),
	                    DB_TEXT(gov_level_name(a->step_level)), DB_TEXT(a->step_due),
	                    a->evaluation_id ? DB_INT(a->evaluation_id) : DB_NULL,
	                    DB_TEXT(a->notice_from), DB_TEXT(a->notice_until),
	                    DB_TEXT(a->submitted_at), a->batch_id ? DB_INT(a->batch_id) : DB_NULL,
	                    a->title_id ? DB_INT(a->title_id) : DB_NULL, DB_TEXT(ctx->now_s),
	                    DB_INT(a->id), DB_INT(version)),
	            &changed);
	if (!e && changed != 1)
		return APP_FAIL(ctx, ERR_CONFLICT, "version", "the application changed meanwhile");
	if (!e)
		e = db_exec(ctx->conn, STMT_EVENT_INSERT,
		            DB_ARGS(DB_INT(a->id), DB_TEXT(ctx->now_s),
		                    DB_TEXT(ctx->actor.username),
		                    DB_TEXT(gradient_app_event_name(ev)),
		                    DB_TEXT(gradient_app_state_name(from)),
		                    DB_TEXT(gradient_app_state_name(a->state)),
		                    DB_TEXT(gov_level_name(level)), DB_TEXT(reason)),
		            NULL);
	if (e)
		return app_db_fail(ctx, e, "application");
	const char *link =
	        arena_printf(&ctx->arena, "/gradient/applications/%lld", (long long)a->id);
	if (ev != GRADIENT_EV_SUBMIT && ev != GRADIENT_EV_WITHDRAW &&
	    (e = app_notify_org(ctx, a->org_id, gradient_app_event_name(ev),
	                        arena_printf(&ctx->arena, "Application %lld (%s): %s -> %s%s%s",
	                                     (long long)a->id, a->tier,
	                                     gradient_app_state_name(from),
	                                     gradient_app_state_name(a->state), reason ? ": " : "",
	                                     reason ? reason : ""),
	                        link)))
		return e;
	if ((e = app_application_load(ctx, a->id, a)))
		return e;
	return app_audit(ctx, gradient_app_event_name(ev), "application", app_id_str(ctx, a->id),
	                 before, app_json(ctx, a));
}

/* Who the table says may fire the event, on this application. */
static enum err allow_who(struct app_ctx *ctx, const struct application *a,
                          enum gradient_app_who who)
{
	struct target t = {.region = a->region, .org_id = a->org_id};
	switch (who) {
	case GRADIENT_WHO_APPLICANT: return app_allow(ctx, ACT_APPLICATION_WRITE, &t);
	case GRADIENT_WHO_STEP: t.level = a->step_level; return app_allow(ctx, ACT_REVIEW_STEP, &t);
	case GRADIENT_WHO_FINAL:
		t.level = a->final_level;
		return app_allow(ctx, ACT_GRADIENT_MANAGE, &t);
	default: return ERR_OK;
	}
}

/*
 * Clients name one approve event; whether it approves the last step (and opens the notice) is
 * decided here from the chain, so no client can skip a step. A reason is required where the
 * transition table says so, so the enterprise is told why.
 */
enum err app_application_act(struct app_ctx *ctx, int64_t id, int64_t version, const char *event,
                             const char *reason, struct application *out)
{
	enum gradient_app_event ev;
	if (!gradient_app_event_parse(event, &ev) ||
	    (ev != GRADIENT_EV_SUBMIT && ev != GRADIENT_EV_APPROVE && ev != GRADIENT_EV_RETURN &&
	     ev != GRADIENT_EV_REJECT && ev != GRADIENT_EV_WITHDRAW))
		return APP_FAIL(ctx, ERR_NOT_FOUND, "", "no such step: %s", event);
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	if ((e = app_readable(ctx, id, out)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	struct gradient_review_chain ch;
	if (ev == GRADIENT_EV_APPROVE && gradient_chain(out->tier, out->region, &ch) &&
	    out->step + 1 >= ch.nsteps)
		ev = GRADIENT_EV_APPROVE_LAST;
	const struct gradient_app_transition *tr = gradient_transition(out->state, ev);
	if (!tr)
		e = APP_FAIL(ctx, ERR_CONFLICT, "state", "cannot %s an application that is %s",
		             event, gradient_app_state_name(out->state));
	else if (!(e = allow_who(ctx, out, tr->who)) && out->version != version)
		e = APP_FAIL(ctx, ERR_CONFLICT, "version",
		             "is %lld, the application is at version %lld: reload and retry",
		             (long long)version, (long long)out->version);
	if (!e && tr->reason && (!reason || !*reason))
		e = APP_FAIL(ctx, ERR_INVALID, "reason", "is required: write why");
	if (!e)
		e = app_application_move(ctx, out, ev, tr->to, reason);
	return app_write_end(ctx, e, 200, NULL, NULL);
}

/* A row of EVENT_LIST: one step of an application's trail. */
static void event_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	*(struct gradient_event *)item = (struct gradient_event){
	        db_col_i64(r, COL_EVENT_ID),           app_col(ctx, r, COL_EVENT_AT),
	        app_col(ctx, r, COL_EVENT_ACTOR),      app_col(ctx, r, COL_EVENT_EVENT),
	        app_col(ctx, r, COL_EVENT_FROM_STATE), app_col(ctx, r, COL_EVENT_TO_STATE),
	        app_col(ctx, r, COL_EVENT_LEVEL),      app_col(ctx, r, COL_EVENT_REASON)};
}

/* Not paged: an application's trail is a handful of steps, read whole. */
enum err app_application_events(struct app_ctx *ctx, int64_t id, struct page *out)
{
	struct application a;
	enum err e = app_readable(ctx, id, &a);
	if (e)
		return e;
	return app_rows_all(ctx, STMT_EVENT_LIST, DB_ARGS(DB_INT(id)),
	                    sizeof(struct gradient_event), event_row, "events", out);
}

static bool type_allowed(const char *t)
{
	for (int i = 0; attachment_types[i]; i++)
		if (!strcmp(attachment_types[i], t))
			return true;
	return false;
}

/* The decoded size and SHA-256 of base64 `data`, or an error naming "data". */
/*
 * The size is bounded from the base64 length before decoding, so an oversized file never costs
 * an allocation of its size.
 */
static enum err decode_data(struct app_ctx *ctx, const char *data, size_t *size, char hex[65])
{
	size_t len = strlen(data), cap = len / 4 * 3 + 3;
	if (cap > LIMIT_ATTACHMENT_BYTES + 3)
		return APP_FAIL(ctx, ERR_TOO_LARGE, "data", "the file is over %d bytes",
		                LIMIT_ATTACHMENT_BYTES);
	unsigned char *bin = arena_alloc(&ctx->arena, cap);
	if (sodium_base642bin(bin, cap, data, len, NULL, size, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    *size == 0)
		return APP_FAIL(ctx, ERR_INVALID, "data", "must be non-empty standard base64");
	if (*size > LIMIT_ATTACHMENT_BYTES)
		return APP_FAIL(ctx, ERR_TOO_LARGE, "data", "the file is over %d bytes",
		                LIMIT_ATTACHMENT_BYTES);
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, bin, *size);
	sodium_bin2hex(hex, 65, h, sizeof h);
	return ERR_OK;
}

/*
 * The limits per application (files and bytes, lib/limits.h) are read in the inserting
 * transaction, after the application's row is locked, so concurrent additions are counted
 * in turn (PostgreSQL's READ COMMITTED would otherwise let each count the same rows).
 */
static enum err room_for(struct app_ctx *ctx, int64_t app_id, size_t size)
{
	struct db_rows *r;
	int64_t locked = 0;
	enum err e = app_row_i64(ctx, STMT_APP_LOCK, DB_ARGS(DB_INT(app_id)), COL_ID, &locked,
	                         "application");
	if (e)
		return e;
	e = db_query(ctx->conn, STMT_ATT_TOTALS, DB_ARGS(DB_INT(app_id)), &r);
	if (e)
		return app_db_fail(ctx, e, "attachments");
	int64_t n = 0, total = 0;
	if (db_next(r)) {
		n = db_col_i64(r, COL_ATT_TOTALS_COUNT);
		total = db_col_i64(r, COL_ATT_TOTALS_SIZE);
	}
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "attachments");
	if (n >= LIMIT_ATTACHMENTS_PER_APP || total + (int64_t)size > LIMIT_ATTACHMENT_TOTAL)
		return APP_FAIL(ctx, ERR_TOO_LARGE, "data",
		                "an application holds at most %d files and %d bytes",
		                LIMIT_ATTACHMENTS_PER_APP, LIMIT_ATTACHMENT_TOTAL);
	return ERR_OK;
}

/*
 * Evidence is added only while draft or returned: after submission the evaluated files are
 * fixed. The file is stored as the base64 text it came in (the same on both stores); the audit
 * record holds its size and SHA-256, which identify it without copying it into the log.
 */
enum err app_attachment_add(struct app_ctx *ctx, int64_t app_id, const char *name,
                            const char *content_type, const char *data, struct attachment *out)
{
	size_t size;
	char hex[65];
	if (!type_allowed(content_type))
		return APP_FAIL(ctx, ERR_INVALID, "content_type",
		                "must be application/pdf, image/png, image/jpeg or text/plain");
	enum err e = decode_data(ctx, data, &size, hex);
	if (e || (e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct application a;
	if (!(e = load_own(ctx, app_id, 0, &a)) && a.state != GRADIENT_APP_DRAFT &&
	    a.state != GRADIENT_APP_RETURNED)
		e = APP_FAIL(ctx, ERR_CONFLICT, "state", "evidence is added while %s or %s",
		             "draft", "returned");
	if (!e)
		e = room_for(ctx, app_id, size);
	struct db_rows *r;
	if (!e && !(e = db_query(ctx->conn, STMT_ATT_INSERT,
	                         DB_ARGS(DB_INT(app_id), DB_TEXT(name), DB_TEXT(content_type),
	                                 DB_INT((int64_t)size), DB_TEXT(hex), DB_TEXT(data),
	                                 DB_TEXT(ctx->now_s)),
	                         &r))) {
		*out = (struct attachment){.application_id = app_id,
		                           .size = (int64_t)size,
		                           .name = name,
		                           .content_type = content_type,
		                           .sha256 = arena_strdup(&ctx->arena, hex),
		                           .created_at = ctx->now_s};
		if (db_next(r))
			out->id = db_col_i64(r, COL_ID);
		e = db_done(r);
		if (e)
			e = app_db_fail(ctx, e, "attachment");
	}
	if (!e)
		e = app_audit(
		        ctx, "create", "attachment", app_id_str(ctx, out->id), NULL,
		        arena_printf(&ctx->arena,
		                     "{\"application_id\":%lld,\"size\":%zu,\"sha256\":\"%s\"}",
		                     (long long)app_id, size, hex));
	return app_write_end(ctx, e, 201, NULL, NULL);
}

/* A row of ATT_LIST, or the first columns of ATT_GET's, which are the same. */
_Static_assert(COL_ATT_DATA_ID == (int)COL_ATT_ID && (int)COL_ATT_DATA_NAME == (int)COL_ATT_NAME &&
                       (int)COL_ATT_DATA_CONTENT_TYPE == (int)COL_ATT_CONTENT_TYPE &&
                       (int)COL_ATT_DATA_SIZE == (int)COL_ATT_SIZE &&
                       (int)COL_ATT_DATA_SHA256 == (int)COL_ATT_SHA256 &&
                       (int)COL_ATT_DATA_CREATED_AT == (int)COL_ATT_CREATED_AT,
               "an attachment's row with its data starts with the row without");
static void att_from_row(struct app_ctx *ctx, struct db_rows *r, int64_t app_id,
                         struct attachment *a)
{
	*a = (struct attachment){.id = db_col_i64(r, COL_ATT_ID),
	                         .application_id = app_id,
	                         .name = app_col(ctx, r, COL_ATT_NAME),
	                         .content_type = app_col(ctx, r, COL_ATT_CONTENT_TYPE),
	                         .size = db_col_i64(r, COL_ATT_SIZE),
	                         .sha256 = app_col(ctx, r, COL_ATT_SHA256),
	                         .created_at = app_col(ctx, r, COL_ATT_CREATED_AT)};
}

enum err app_attachment_list(struct app_ctx *ctx, int64_t app_id, struct page *out)
{
	struct application a;
	enum err e = app_readable(ctx, app_id, &a);
	if (e)
		return e;
	struct db_rows *r;
	if ((e = db_query(ctx->conn, STMT_ATT_LIST, DB_ARGS(DB_INT(app_id)), &r)))
		return app_db_fail(ctx, e, "attachments");
	struct attachment *items =
	        arena_alloc(&ctx->arena, sizeof *items * LIMIT_ATTACHMENTS_PER_APP);
	int n = 0;
	while (db_next(r) && n < LIMIT_ATTACHMENTS_PER_APP)
		att_from_row(ctx, r, app_id, &items[n++]);
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "attachments");
	*out = (struct page){.items = items, .n = n, .total = n};
	return ERR_OK;
}

/* A row of ATT_GET: the attachment (but its application) and its data. */
static void att_data_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct attachment *a = item;
	att_from_row(ctx, r, 0, a);
	a->data = app_col(ctx, r, COL_ATT_DATA_DATA);
}

/*
 * Reading an attachment is reading its application: the id is looked up only within the
 * application the caller may read.
 */
enum err app_attachment_get(struct app_ctx *ctx, int64_t app_id, int64_t id, struct attachment *out)
{
	struct application a;
	enum err e = app_readable(ctx, app_id, &a);
	if (e)
		return e;
	e = app_row_load(ctx, STMT_ATT_GET, DB_ARGS(DB_INT(app_id), DB_INT(id)), att_data_row, out,
	                 "attachment", "id", app_id_str(ctx, id));
	if (!e)
		out->application_id = app_id;
	return e;
}

/* One grant's slice of the queue: rows after `after`, up to limit + 1. */
/*
 * A national grant sees every region; any other the codes below its region, as a code range.
 * limit + 1 rows per grant: after the merge, the extra row still tells whether a next page
 * exists.
 */
static enum err queue_grant(struct app_ctx *ctx, const struct grant *g, enum stmt st,
                            const char *state, int64_t after, int limit, struct application *items,
                            int *n)
{
	char lo[7] = "000000", hi[7] = "999999";
	if (g->level != LEVEL_NATIONAL)
		region_code_range(g->region, lo, hi);
	struct db_rows *r;
	enum err e = db_query(ctx->conn, st,
	                      DB_ARGS(DB_TEXT(state), DB_TEXT(gov_level_name(g->level)),
	                              DB_TEXT(lo), DB_TEXT(hi), DB_INT(after), DB_INT(limit + 1)),
	                      &r);
	if (e)
		return app_db_fail(ctx, e, "queue");
	while (db_next(r) && *n < (limit + 1) * LIMIT_QUEUE_GRANTS)
		application_row(ctx, r, &items[(*n)++]);
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "queue");
	return ERR_OK;
}

static int cmp_app_id(const void *a, const void *b)
{
	int64_t x = ((const struct application *)a)->id, y = ((const struct application *)b)->id;
	return (x > y) - (x < y);
}

/*
 * The queue is the union over the actor's grants (each a level and a region): read grant by
 * grant, merged by id and deduplicated. Reviewers see only pending steps; the other states are
 * the final level's queues, for operators.
 */
enum err app_review_queue(struct app_ctx *ctx, const char *state, const struct page_req *pr,
                          struct page *out)
{
	int64_t after = 0;
	enum err e;
	if (pr->cursor && (e = app_cursor_id(ctx, 'q', pr->cursor, &after)))
		return e;
	bool pending = !state || !strcmp(state, "pending");
	const char *db_state = pending ? "under_review" : state;
	int cap = (pr->limit + 1) * LIMIT_QUEUE_GRANTS, n = 0, used = 0;
	struct application *items = arena_alloc(&ctx->arena, sizeof *items * (size_t)cap);
	for (int k = 0; k < ctx->actor.ngrants && used < LIMIT_QUEUE_GRANTS; k++) {
		const struct grant *g = &ctx->actor.grants[k];
		bool fits = g->level != LEVEL_NONE &&
		            (g->role == ROLE_OPERATOR || (pending && g->role == ROLE_REVIEWER));
		if (!fits || (g->level != LEVEL_NATIONAL && !g->region[0]))
			continue;
		used++;
		if ((e = queue_grant(ctx, g, pending ? STMT_APP_QUEUE_STEP : STMT_APP_QUEUE_FINAL,
		                     db_state, after, pr->limit, items, &n)))
			return e;
	}
	qsort(items, (size_t)n, sizeof *items, cmp_app_id);
	int w = 0; /* two grants may see the same application */
	for (int i = 0; i < n; i++)
		if (!w || items[w - 1].id != items[i].id)
			items[w++] = items[i];
	out->items = items;
	out->n = w > pr->limit ? pr->limit : w;
	out->next_cursor =
	        w > pr->limit
	                ? app_cursor_encode(ctx, 'q', app_id_str(ctx, items[pr->limit - 1].id))
	                : NULL;
	out->total = -1;
	return ERR_OK;
}
