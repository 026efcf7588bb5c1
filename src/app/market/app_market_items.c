/* app_market_items: listings and demands through the API, the workflow, search and matches. */
#include "app/market/app_market_items.h"

#include "app/market/app_market.h"
#include "app/market/app_market_store.h"
#include "app/app_org.h"
#include "app/app_refdata.h"
#include "app/app_pii.h"
#include "app/app_tx.h"
#include "core/codes.h"
#include "core/market/market_flow.h"
#include "lib/jw.h"
#include "lib/num.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* An integer kept as text in an item (0 when absent). */
static int64_t id_of(const char *s)
{
	int64_t v;
	return s && num_parse(s, 0, INT64_MAX, &v) ? v : 0;
}

static const enum stmt by_id[MARKET__KINDS] = {STMT_LISTING_BY_ID, STMT_DEMAND_BY_ID};
static const enum stmt create_row[MARKET__KINDS] = {STMT_LISTING_CREATE, STMT_DEMAND_CREATE};
static const enum stmt save_row[MARKET__KINDS] = {STMT_LISTING_SAVE, STMT_DEMAND_SAVE};
static const enum stmt status_row[MARKET__KINDS] = {STMT_LISTING_STATUS, STMT_DEMAND_STATUS};
static const enum stmt due_rows[MARKET__KINDS] = {STMT_LISTING_DUE, STMT_DEMAND_DUE};
/* The lists' variants by the filter they start from (stmt_market.def, stmt_filter.h). */
enum list_start { START_ANY, START_STATUS, START_REGION, START_OWNER, START_ASSIGNED, START__N };
static const enum stmt list_rows[MARKET__KINDS][START__N] = {
        {STMT_LISTING_LIST, STMT_LISTING_LIST_BY_STATUS, STMT_LISTING_LIST_BY_REGION,
         STMT_LISTING_LIST_BY_OWNER, STMT_LISTING_LIST_BY_ASSIGNED},
        {STMT_DEMAND_LIST, STMT_DEMAND_LIST_BY_STATUS, STMT_DEMAND_LIST_BY_REGION,
         STMT_DEMAND_LIST_BY_OWNER, STMT_DEMAND_LIST_BY_ASSIGNED}};
static const enum stmt count_rows[MARKET__KINDS][START__N] = {
        {STMT_LISTING_COUNT, STMT_LISTING_COUNT_BY_STATUS, STMT_LISTING_COUNT_BY_REGION,
         STMT_LISTING_COUNT_BY_OWNER, STMT_LISTING_COUNT_BY_ASSIGNED},
        {STMT_DEMAND_COUNT, STMT_DEMAND_COUNT_BY_STATUS, STMT_DEMAND_COUNT_BY_REGION,
         STMT_DEMAND_COUNT_BY_OWNER, STMT_DEMAND_COUNT_BY_ASSIGNED}};
static const char *const kind_name[MARKET__KINDS] = {"listing", "demand"};
static const char *const kind_path[MARKET__KINDS] = {"listings", "demands"};

enum err app_market_item_load(struct app_ctx *ctx, enum market_kind k, int64_t id,
                              struct market_item *out)
{
	return app_row_load(ctx, by_id[k], DB_ARGS(DB_INT(id)), market_item_row[k], out,
	                    kind_name[k], "id", app_id_str(ctx, id));
}

static int64_t item_org(const struct market_item *it)
{
	return id_of(it->f[MARKET_F_ORG_ID]);
}

/*
 * A broker's right over an item comes from an assignment, a row rather than a grant: it is
 * looked up only for brokers, so other callers pay no query.
 */
enum err app_market_item_target(struct app_ctx *ctx, enum market_kind k,
                                const struct market_item *it, struct target *t)
{
	memset(t, 0, sizeof *t);
	t->region = it->f[MARKET_F_REGION_CODE];
	t->org_id = item_org(it);
	if (!authz_has_role(&ctx->actor, ROLE_BROKER))
		return ERR_OK;
	int64_t n = 0;
	enum err e = app_row_i64(
	        ctx, STMT_ASSIGN_IS,
	        DB_ARGS(DB_INT(ctx->actor.user_id), DB_TEXT(kind_name[k]), DB_INT(it->id)),
	        COL_COUNT, &n, "assignments");
	t->assigned = n > 0;
	return e;
}

/* Whether the caller may see the item: published ones are public. */
/*
 * An item the caller may not see is "not found": unpublished items are not disclosed, not even
 * by their ids.
 */
static enum err item_visible(struct app_ctx *ctx, enum market_kind k, const struct market_item *it)
{
	if (it->f[MARKET_F_STATUS] && !strcmp(it->f[MARKET_F_STATUS], "published"))
		return ERR_OK;
	struct target t;
	enum err e = app_market_item_target(ctx, k, it, &t);
	if (e)
		return e;
	if (!authz_allows(&ctx->actor, ACT_MARKET_READ_ALL, &t))
		return APP_FAIL(ctx, ERR_NOT_FOUND, "id", "no %s %lld", kind_name[k],
		                (long long)it->id);
	return ERR_OK;
}

enum err app_market_contact_shown(struct app_ctx *ctx, enum market_kind k, struct market_item *it)
{
	if (k != MARKET_LISTING || !it->f[LISTING_F_CONTACT])
		return ERR_OK;
	struct target t;
	enum err e = app_market_item_target(ctx, k, it, &t);
	if (!e && !authz_allows(&ctx->actor, ACT_MARKET_READ_ALL, &t))
		it->f[LISTING_F_CONTACT] = app_pii_mask(ctx, it->f[LISTING_F_CONTACT]);
	return e;
}

enum err app_market_item_get(struct app_ctx *ctx, enum market_kind k, int64_t id,
                             struct market_item *out)
{
	enum err e = app_market_item_load(ctx, k, id, out);
	if (!e)
		e = item_visible(ctx, k, out);
	return e ? e : app_market_contact_shown(ctx, k, out);
}

/* The first operator grant's region as a code range, for the visibility filter. */
static void operator_range(const struct actor *a, char lo[7], char hi[7], bool *all)
{
	lo[0] = hi[0] = '\0';
	for (int i = 0; i < a->ngrants; i++) {
		const struct grant *g = &a->grants[i];
		if (g->role == ROLE_ADMIN ||
		    (g->role == ROLE_OPERATOR && g->level == LEVEL_NATIONAL))
			*all = true;
		else if (g->role == ROLE_OPERATOR && g->region[0] && !lo[0])
			region_code_range(g->region, lo, hi);
	}
}

/*
 * The filters of *_LIST and *_COUNT by name; MARKET_FILTER_ARGS (stmt_market.def)
 * lays them out in the statements' order, repeating those the SQL tests twice.
 */
struct market_list_args {
	struct db_val status, field;
	struct db_val region_lo, region_hi, industry_lo, industry_hi;
	struct db_val org, trl, mode, assigned;
	struct db_val all, user, operator_lo, operator_hi; /* who sees unpublished items */
};

/* The list statements' arguments: the cursor key, then the filters in their order. */
struct list_args {
	char rlo[7], rhi[7], ilo[6], ihi[6], olo[7], ohi[7];
	struct db_val v[1 + 24];
	size_t n;
};

static enum err list_args_make(struct app_ctx *ctx, const struct market_filter *f,
                               struct list_args *la)
{
	memset(la, 0, sizeof *la);
	enum err e =
	        app_code_ranges(ctx, f->region, f->industry, la->rlo, la->rhi, la->ilo, la->ihi);
	if (e)
		return e;
	bool all = false;
	operator_range(&ctx->actor, la->olo, la->ohi, &all);
	struct db_val me = DB_INT(ctx->actor.user_id);
	/* the statement frames the stored modes with commas too: one mode never matches inside another */
	const struct market_list_args a = {
	        .status = DB_TEXT(f->status),
	        .field = DB_TEXT(f->field),
	        .region_lo = DB_TEXT(f->region ? la->rlo : NULL),
	        .region_hi = DB_TEXT(la->rhi),
	        .industry_lo = DB_TEXT(f->industry ? la->ilo : NULL),
	        .industry_hi = DB_TEXT(la->ihi),
	        .org = f->org_id ? DB_INT(f->org_id) : DB_NULL,
	        .trl = f->trl ? DB_INT(f->trl) : DB_NULL,
	        .mode = DB_TEXT(f->mode ? arena_printf(&ctx->arena, "%%,%s,%%", f->mode) : NULL),
	        .assigned = f->assigned ? me : DB_NULL,
	        .all = DB_INT(all ? 1 : 0),
	        .user = me,
	        .operator_lo = DB_TEXT(la->olo[0] ? la->olo : NULL),
	        .operator_hi = DB_TEXT(la->olo[0] ? la->ohi : NULL),
	};
#define MARKET_ARG(name) a.name,
	const struct db_val v[] = {MARKET_FILTER_ARGS(MARKET_ARG)};
#undef MARKET_ARG
	_Static_assert(sizeof v / sizeof v[0] + 1 == sizeof la->v / sizeof la->v[0],
	               "room for the cursor key and every filter argument");
	memcpy(la->v + 1, v, sizeof v);
	la->n = 1 + sizeof v / sizeof v[0];
	return ERR_OK;
}

/*
 * Where a list starts: from the most selective filter it has (an owner's items,
 * a broker's assignments, a status: its index also keeps ids in order, a region
 * below a province), else the ids in order. A count reads every match, so any
 * region filter serves it.
 */
static enum list_start list_start(const struct market_filter *f, const struct list_args *la,
                                  bool count)
{
	if (f->org_id)
		return START_OWNER;
	if (f->assigned)
		return START_ASSIGNED;
	if (f->status)
		return START_STATUS;
	if (f->region && (count || strlen(la->rlo) > 2))
		return START_REGION;
	return START_ANY;
}

enum err app_market_item_list(struct app_ctx *ctx, enum market_kind k,
                              const struct market_filter *f, const struct page_req *pr,
                              struct page *out)
{
	int64_t after = 0;
	enum err e;
	struct list_args la;
	if (pr->cursor &&
	    (e = app_cursor_id(ctx, k == MARKET_LISTING ? 'l' : 'd', pr->cursor, &after)))
		return e;
	if ((e = list_args_make(ctx, f, &la)))
		return e;
	la.v[0] = DB_INT(after);
	const struct app_list list = {.cursor = k == MARKET_LISTING ? 'l' : 'd',
	                              .what = kind_path[k],
	                              .item_size = sizeof(struct market_item),
	                              .row = market_item_row[k],
	                              .key_id = offsetof(struct market_item, id)};
	if ((e = app_page_fetch(ctx, &list, list_rows[k][list_start(f, &la, false)], la.v, la.n, pr,
	                        out)))
		return e;
	for (int i = 0; i < out->n && !e; i++)
		e = app_market_contact_shown(ctx, k, &((struct market_item *)out->items)[i]);
	if (e)
		return e;
	if (pr->count)
		/*
		 * the count starts from id 0, whatever the cursor: the total is of the whole
		 * filtered list
		 */
		return app_list_count(ctx, count_rows[k][list_start(f, &la, true)], la.v, la.n,
		                      DB_INT(0), &out->total);
	return ERR_OK;
}

/* ---- changes ---- */

static const char *item_json(struct app_ctx *ctx, const struct market_item *it)
{
	struct buf b = BUF_INIT;
	market_to_json(it, &b);
	return app_keep(ctx, &b);
}

/* Apply API values to an item: status refused (the workflow owns it). */
static enum err apply_vals(struct app_ctx *ctx, struct market_item *it,
                           const struct field_val *vals)
{
	if (vals[MARKET_F_STATUS].set)
		return APP_FAIL(ctx, ERR_INVALID, "status",
		                "changes only through the workflow (POST .../transitions)");
	market_apply(it, vals, &ctx->arena);
	return market_validate(it, &ctx->err);
}

/* Map a failed insert or update of an item. */
static enum err save_fail(struct app_ctx *ctx, enum err e, enum market_kind k)
{
	if (e == ERR_INVALID)
		return APP_FAIL(ctx, e, "org_id",
		                "org_id, region_code or industry_code names no stored record");
	if (e == ERR_CONFLICT)
		return APP_FAIL(ctx, e, "ref", "is used by another %s", kind_name[k]);
	return app_db_fail(ctx, e, kind_name[k]);
}

/*
 * The records an item refers to exist. Checked before writing so the error
 * names the field: the store's foreign-key failure cannot say which, and on
 * PostgreSQL it aborts the transaction, so nothing could be probed after it.
 */
static enum err refs_check(struct app_ctx *ctx, const struct market_item *it)
{
	struct region r;
	struct industry ind;
	struct org o;
	const char *rc = it->f[MARKET_F_REGION_CODE], *ic = it->f[MARKET_F_INDUSTRY_CODE];
	if (rc && app_region_get(ctx, rc, &r))
		return APP_FAIL(ctx, ERR_INVALID, "region_code", "names no region");
	if (ic && app_industry_get(ctx, ic, &ind))
		return APP_FAIL(ctx, ERR_INVALID, "industry_code", "names no industry");
	if (it->f[MARKET_F_ORG_ID] && app_org_load(ctx, item_org(it), &o))
		return APP_FAIL(ctx, ERR_INVALID, "org_id", "names no organisation");
	return ERR_OK;
}

/* The caller's first organisation, for items created without an owner. */
static int64_t own_org(const struct actor *a)
{
	for (int i = 0; i < a->ngrants; i++)
		if (a->grants[i].org_id)
			return a->grants[i].org_id;
	return 0;
}

/* Audit the change, bump the generation, commit; then update the live index. */
static enum err finish_change(struct app_ctx *ctx, enum market_kind k, const char *action,
                              const char *before, const struct market_item *after, int status,
                              bool created)
{
	int64_t gen = 0;
	const char *json = item_json(ctx, after);
	enum err e = app_audit(ctx, action, kind_name[k], app_id_str(ctx, after->id), before, json);
	if (!e)
		e = app_market_bump(ctx, &gen);
	const char *loc = created ? app_location(ctx, app_id_str(ctx, after->id)) : NULL;
	e = app_write_end(ctx, e, status, json, loc);
	if (!e)
		app_market_changed(ctx, k, after, gen);
	return e;
}

/*
 * An item without an owner belongs to the caller's first organisation, and sits in its owner's
 * region unless it names one: authorization is decided on where the item will be. The
 * references are checked before the transaction opens, so a refused item never takes the write
 * lock.
 */
enum err app_market_item_create(struct app_ctx *ctx, enum market_kind k,
                                const struct field_val *vals, struct market_item *out)
{
	struct market_item it = {.kind = k};
	enum err e = apply_vals(ctx, &it, vals);
	if (e)
		return e;
	if (!it.f[MARKET_F_ORG_ID] && own_org(&ctx->actor))
		it.f[MARKET_F_ORG_ID] = app_id_str(ctx, own_org(&ctx->actor));
	it.f[MARKET_F_STATUS] = "draft";
	struct org o; /* an item sits where its owner does unless it says otherwise */
	if (!it.f[MARKET_F_REGION_CODE] && it.f[MARKET_F_ORG_ID] &&
	    !app_org_load(ctx, id_of(it.f[MARKET_F_ORG_ID]), &o))
		it.f[MARKET_F_REGION_CODE] = o.f[ORG_REGION_CODE];
	ctx->err = (struct err_detail){0};
	struct target t = {.region = it.f[MARKET_F_REGION_CODE], .org_id = item_org(&it)};
	if ((e = app_allow(ctx, ACT_MARKET_CREATE, &t)) || (e = refs_check(ctx, &it)))
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct db_val args[MARKET_FIELDS_MAX + 2];
	size_t na = market_field_args(ctx, &it, args);
	args[na++] = DB_TEXT(ctx->now_s);
	args[na++] = DB_TEXT(ctx->now_s);
	int64_t id = 0;
	e = app_row_i64(ctx, create_row[k], args, na, COL_ID, &id, kind_name[k]);
	if (e)
		return app_write_end(ctx, save_fail(ctx, e, k), 0, NULL, NULL);
	if ((e = app_market_item_load(ctx, k, id, out)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	return finish_change(ctx, k, "create", NULL, out, 201, true);
}

/* Load for a change: not found (also when invisible), then authorization, then version. */
static enum err load_for_change(struct app_ctx *ctx, enum market_kind k, int64_t id,
                                int64_t version, enum action act, struct market_item *cur)
{
	struct target t;
	enum err e = app_market_item_get(ctx, k, id, cur);
	if (!e)
		e = app_market_item_target(ctx, k, cur, &t);
	if (!e && act != ACT__MAX)
		e = app_allow(ctx, act, &t);
	if (!e && cur->version != version)
		e = APP_FAIL(ctx, ERR_CONFLICT, "version",
		             "is %lld, the record is at version %lld: reload and retry",
		             (long long)version, (long long)cur->version);
	return e;
}

/*
 * Every field of an item is shown to the public once it is published, and a
 * moderator approved what they read: a change to a published (or expired, which
 * a renewal publishes again) item's content sends it back to under_review, in
 * the same transaction and with its own audit record, until a moderator
 * approves it again. `saved` is the item as just written; it is reloaded.
 */
static enum err rereview(struct app_ctx *ctx, enum market_kind k, const struct market_item *cur,
                         struct market_item *saved)
{
	const char *st = cur->f[MARKET_F_STATUS];
	if (!st || (strcmp(st, "published") && strcmp(st, "expired")))
		return ERR_OK;
	struct market_item a = *cur, b = *saved;
	a.version = b.version = 0; /* the content, without the bookkeeping */
	a.f[MARKET_F_STATUS] = b.f[MARKET_F_STATUS];
	a.updated_at = b.updated_at;
	const char *was = item_json(ctx, &a), *now = item_json(ctx, &b);
	if (!strcmp(was, now))
		return ERR_OK;
	int64_t changed = 0;
	enum err e = db_exec(ctx->conn, status_row[k],
	                     DB_ARGS(DB_TEXT("under_review"), DB_NULL, DB_NULL, DB_TEXT(ctx->now_s),
	                             DB_INT(saved->id), DB_INT(saved->version)),
	                     &changed);
	if (e)
		return app_db_fail(ctx, e, kind_name[k]);
	if (changed != 1)
		return APP_FAIL(ctx, ERR_CONFLICT, "version", "the record changed meanwhile");
	if ((e = app_market_item_load(ctx, k, saved->id, saved)))
		return e;
	return app_audit(ctx, "rereview", kind_name[k], app_id_str(ctx, saved->id),
	                 arena_printf(&ctx->arena, "{\"status\":\"%s\"}", st),
	                 "{\"status\":\"under_review\",\"why\":\"published content changed\"}");
}

enum err app_market_item_update(struct app_ctx *ctx, enum market_kind k, int64_t id,
                                int64_t version, const struct field_val *vals,
                                struct market_item *out)
{
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct market_item cur, next;
	if ((e = load_for_change(ctx, k, id, version, ACT_MARKET_EDIT, &cur)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	next = cur;
	if ((e = apply_vals(ctx, &next, vals)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	if (item_org(&next) != item_org(&cur)) { /* handing it over needs the right there too */
		struct target t = {.region = next.f[MARKET_F_REGION_CODE],
		                   .org_id = item_org(&next)};
		if ((e = app_allow(ctx, ACT_MARKET_CREATE, &t)))
			return app_write_end(ctx, e, 0, NULL, NULL);
	}
	if ((e = refs_check(ctx, &next)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	struct db_val args[MARKET_FIELDS_MAX + 3];
	size_t na = market_field_args(ctx, &next, args);
	args[na++] = DB_TEXT(ctx->now_s);
	args[na++] = DB_INT(id);
	args[na++] = DB_INT(version);
	int64_t changed = 0;
	e = db_exec(ctx->conn, save_row[k], args, na, &changed);
	if (e)
		e = save_fail(ctx, e, k);
	else if (changed != 1)
		e = APP_FAIL(ctx, ERR_CONFLICT, "version", "the record changed meanwhile");
	if (!e)
		e = app_market_item_load(ctx, k, id, out);
	if (!e)
		e = rereview(ctx, k, &cur, out);
	if (e)
		return app_write_end(ctx, e, 0, NULL, NULL);
	return finish_change(ctx, k, "update", item_json(ctx, &cur), out, 200, false);
}

/* Write a transition of cur (in the open transaction) and reload it into out. */
/*
 * Publishing stamps published_at and the expiry from the publication period kept in the store
 * (market_state), one setting for every process.
 */
static enum err apply_transition(struct app_ctx *ctx, const struct market_item *cur,
                                 const struct market_transition *tr, struct market_item *out)
{
	char expires[INSTANT_STR];
	int64_t days = 0;
	enum err e = ERR_OK;
	if (tr->publishes && (e = app_market_publish_days(ctx, &days)))
		return e;
	instant_format(ctx->now + days * 86400, expires);
	int64_t changed = 0;
	e = db_exec(ctx->conn, status_row[cur->kind],
	            DB_ARGS(DB_TEXT(market_statuses[tr->to]),
	                    DB_TEXT(tr->publishes ? ctx->now_s : NULL),
	                    DB_TEXT(tr->publishes ? expires : NULL), DB_TEXT(ctx->now_s),
	                    DB_INT(cur->id), DB_INT(cur->version)),
	            &changed);
	if (e)
		return app_db_fail(ctx, e, kind_name[cur->kind]);
	if (changed != 1)
		return APP_FAIL(ctx, ERR_CONFLICT, "version", "the record changed meanwhile");
	return app_market_item_load(ctx, cur->kind, cur->id, out);
}

static int event_of(const char *s)
{
	for (int i = 0; s && market_events[i]; i++)
		if (!strcmp(market_events[i], s))
			return i;
	return -1;
}

/*
 * "expire" is the sweep's event, never a client's. Who may fire an event comes from the flow
 * table (tr->who), decided on the item as it stands.
 */
enum err app_market_item_transition(struct app_ctx *ctx, enum market_kind k, int64_t id,
                                    int64_t version, const char *event, const char *note,
                                    struct market_item *out)
{
	int ev = event_of(event);
	if (ev < 0 || ev == MARKET_EV_EXPIRE)
		return APP_FAIL(ctx, ERR_INVALID, "event",
		                "must be submit, approve, reject, withdraw, renew or reopen");
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct market_item cur;
	if ((e = load_for_change(ctx, k, id, version, ACT__MAX, &cur)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	const struct market_transition *tr = market_flow_find(
	        market_status_parse(cur.f[MARKET_F_STATUS]), (enum market_event)ev);
	struct target t;
	if (!tr)
		e = APP_FAIL(ctx, ERR_CONFLICT, "event", "cannot %s a %s %s", event,
		             cur.f[MARKET_F_STATUS], kind_name[k]);
	else if (!(e = app_market_item_target(ctx, k, &cur, &t)))
		e = app_allow(ctx, tr->who, &t);
	if (!e)
		e = apply_transition(ctx, &cur, tr, out);
	if (e)
		return app_write_end(ctx, e, 0, NULL, NULL);
	const char *before = item_json(ctx, &cur);
	if (note) { /* the moderator's or owner's reason goes into the audit record */
		struct buf b = BUF_INIT;
		struct jw w;
		jw_init(&w, &b);
		jw_obj_open(&w);
		jw_key(&w, "item");
		jw_raw(&w, before);
		jw_kstr(&w, "note", note);
		jw_obj_close(&w);
		before = app_keep(ctx, &b);
	}
	return finish_change(ctx, k, event, before, out, 200, false);
}

/* Expire one kind's due items; each is audited and moves the generation. */
/*
 * At most 64 per sweep, each in its own transaction, so the reader whose request runs the
 * sweep never holds the write lock for long; the rest go at the next sweep.
 */
static enum err expire_kind(struct app_ctx *ctx, enum market_kind k)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, due_rows[k], DB_ARGS(DB_TEXT(ctx->now_s)), &r);
	if (e)
		return app_db_fail(ctx, e, kind_name[k]);
	int64_t ids[64];
	int n = 0;
	while (db_next(r) && n < 64)
		ids[n++] = db_col_i64(r, COL_DUE_ID);
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, kind_name[k]);
	const struct market_transition *tr =
	        market_flow_find(MARKET_STATUS_PUBLISHED, MARKET_EV_EXPIRE);
	for (int i = 0; i < n && !e; i++) {
		struct market_item cur, out;
		int64_t gen = 0;
		if ((e = app_write_begin(ctx)))
			break;
		e = app_market_item_load(ctx, k, ids[i], &cur);
		if (!e)
			e = apply_transition(ctx, &cur, tr, &out);
		if (!e)
			e = app_audit(ctx, "expire", kind_name[k], app_id_str(ctx, cur.id),
			              item_json(ctx, &cur), item_json(ctx, &out));
		if (!e)
			e = app_market_bump(ctx, &gen);
		if (!(e = app_write_end(ctx, e, 200, NULL, NULL)))
			app_market_changed(ctx, k, &out, gen);
	}
	return e;
}

enum err app_market_expire_due(struct app_ctx *ctx)
{
	const char *key = ctx->idem_key; /* a sweep is not the request's idempotent write */
	ctx->idem_key = NULL;
	enum err e = expire_kind(ctx, MARKET_LISTING);
	if (!e)
		e = expire_kind(ctx, MARKET_DEMAND);
	ctx->idem_key = key;
	return e;
}
