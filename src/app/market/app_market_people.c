/* app_market_people: brokers, assignments, interests, threads and decline statistics. */
#include "app/market/app_market_people.h"

#include "app/market/app_market_items.h"
#include "app/app_tx.h"
#include "lib/num.h"

#include <stddef.h>
#include <string.h>

/* An integer kept as text in an item (0 when absent). */
static int64_t id_of(const char *s)
{
	int64_t v;
	return s && num_parse(s, 0, INT64_MAX, &v) ? v : 0;
}

static const char *const kind_name[MARKET__KINDS] = {"listing", "demand"};

static void broker_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct broker *b = item;
	memset(b, 0, sizeof *b);
	b->id = db_col_i64(r, COL_BROKER_ID);
	b->user_id = db_col_i64(r, COL_BROKER_USER_ID);
	b->f[BROKER_F_GRADE] = app_col(ctx, r, COL_BROKER_GRADE);
	b->f[BROKER_F_CERTIFICATION] = app_col(ctx, r, COL_BROKER_CERTIFICATION);
	b->f[BROKER_F_REGIONS] = app_col(ctx, r, COL_BROKER_REGIONS);
	b->f[BROKER_F_FIELDS] = app_col(ctx, r, COL_BROKER_FIELDS);
	b->created_at = app_col(ctx, r, COL_BROKER_CREATED_AT);
	b->updated_at = app_col(ctx, r, COL_BROKER_UPDATED_AT);
	b->version = db_col_i64(r, COL_BROKER_VERSION);
	b->username = app_col(ctx, r, COL_BROKER_USERNAME);
	b->display_name = app_col(ctx, r, COL_BROKER_DISPLAY_NAME);
}

static const struct app_list broker_list = {.cursor = 'b',
                                            .what = "brokers",
                                            .item_size = sizeof(struct broker),
                                            .row = broker_row,
                                            .key_id = offsetof(struct broker, id)};

/*
 * The registry is for signed-in users only: its entries name people (users, their grades and
 * regions of work).
 */
enum err app_broker_list(struct app_ctx *ctx, const struct page_req *pr, struct page *out)
{
	int64_t after = 0;
	enum err e;
	if (ctx->actor.user_id <= 0)
		return APP_FAIL(ctx, ERR_UNAUTHENTICATED, "",
		                "sign in to read the broker registry");
	if (pr->cursor && (e = app_cursor_id(ctx, 'b', pr->cursor, &after)))
		return e;
	return app_page_fetch(ctx, &broker_list, STMT_BROKER_LIST, DB_ARGS(DB_INT(after)), pr, out);
}

enum err app_broker_get(struct app_ctx *ctx, int64_t id, struct broker *out)
{
	return app_row_load(ctx, STMT_BROKER_GET, DB_ARGS(DB_INT(id)), broker_row, out, "broker",
	                    "id", app_id_str(ctx, id));
}

static const char *broker_json(struct app_ctx *ctx, const struct broker *b)
{
	struct buf buf = BUF_INIT;
	broker_to_json(b, &buf);
	return app_keep(ctx, &buf);
}

/* The value of a set text field, or the current one. */
static const char *val_or(const struct field_val *v, const char *cur)
{
	return !v->set ? cur : v->null ? NULL : v->s;
}

/*
 * A registry entry describes someone the grants already make a broker: the user must hold the
 * broker role first.
 */
enum err app_broker_create(struct app_ctx *ctx, const struct field_val *vals, struct broker *out)
{
	enum err e = app_allow(ctx, ACT_BROKER_MANAGE, NULL);
	if (e || (e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct db_rows *r;
	int64_t uid = vals[BROKER_F_USER_ID].i, id = 0, has = 0;
	if (!(e = db_query(ctx->conn, STMT_BROKER_HAS_ROLE, DB_ARGS(DB_INT(uid)), &r))) {
		has = db_next(r) ? db_col_i64(r, COL_COUNT) : 0;
		e = db_done(r);
	}
	if (!e && !has)
		e = APP_FAIL(ctx, ERR_INVALID, "user_id", "must name a user with the broker role");
	if (!e && !(e = db_query(ctx->conn, STMT_BROKER_INSERT,
	                         DB_ARGS(DB_INT(uid), DB_TEXT(vals[BROKER_F_GRADE].s),
	                                 DB_TEXT(val_or(&vals[BROKER_F_CERTIFICATION], NULL)),
	                                 DB_TEXT(val_or(&vals[BROKER_F_REGIONS], NULL)),
	                                 DB_TEXT(val_or(&vals[BROKER_F_FIELDS], NULL)),
	                                 DB_TEXT(ctx->now_s), DB_TEXT(ctx->now_s)),
	                         &r))) {
		id = db_next(r) ? db_col_i64(r, COL_ID) : 0;
		e = db_done(r);
		if (e == ERR_CONFLICT)
			e = APP_FAIL(ctx, e, "user_id", "is registered as a broker already");
		else if (e)
			e = app_db_fail(ctx, e, "broker");
	}
	if (!e)
		e = app_broker_get(ctx, id, out);
	const char *json = e ? NULL : broker_json(ctx, out);
	if (!e)
		e = app_audit(ctx, "create", "broker", app_id_str(ctx, id), NULL, json);
	return app_write_end(ctx, e, 201, json, e ? NULL : app_location(ctx, app_id_str(ctx, id)));
}

enum err app_broker_update(struct app_ctx *ctx, int64_t id, int64_t version,
                           const struct field_val *vals, struct broker *out)
{
	enum err e = app_allow(ctx, ACT_BROKER_MANAGE, NULL);
	if (e || (e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct broker cur;
	int64_t changed = 0;
	if (!(e = app_broker_get(ctx, id, &cur)) && cur.version != version)
		e = APP_FAIL(ctx, ERR_CONFLICT, "version", "is %lld, the record is at version %lld",
		             (long long)version, (long long)cur.version);
	if (!e)
		e = db_exec(
		        ctx->conn, STMT_BROKER_UPDATE,
		        DB_ARGS(DB_TEXT(val_or(&vals[BROKER_F_GRADE], cur.f[BROKER_F_GRADE])),
		                DB_TEXT(val_or(&vals[BROKER_F_CERTIFICATION],
		                               cur.f[BROKER_F_CERTIFICATION])),
		                DB_TEXT(val_or(&vals[BROKER_F_REGIONS], cur.f[BROKER_F_REGIONS])),
		                DB_TEXT(val_or(&vals[BROKER_F_FIELDS], cur.f[BROKER_F_FIELDS])),
		                DB_TEXT(ctx->now_s), DB_INT(id), DB_INT(version)),
		        &changed);
	if (!e && changed != 1)
		e = APP_FAIL(ctx, ERR_CONFLICT, "version", "the record changed meanwhile");
	if (!e)
		e = app_broker_get(ctx, id, out);
	if (!e)
		e = app_audit(ctx, "update", "broker", app_id_str(ctx, id), broker_json(ctx, &cur),
		              broker_json(ctx, out));
	return app_write_end(ctx, e, 200, NULL, NULL);
}

/*
 * Readable by whoever can see the item; an item has few brokers, so one page of 100 holds them
 * all.
 */
enum err app_broker_assigned(struct app_ctx *ctx, enum market_kind k, int64_t item_id,
                             struct page *out)
{
	struct market_item it;
	enum err e = app_market_item_get(ctx, k, item_id, &it);
	if (e)
		return e;
	const struct page_req all = {.limit = 100};
	return app_page_fetch(ctx, &broker_list, STMT_ASSIGN_OF_ITEM,
	                      DB_ARGS(DB_TEXT(kind_name[k]), DB_INT(item_id)), &all, out);
}

/*
 * An assignment is what gives a broker rights over an item (app_market_item_target). The audit
 * record names the broker and the item, as the "after" of an assignment and the "before" of
 * its removal.
 */
enum err app_broker_assign(struct app_ctx *ctx, enum market_kind k, int64_t item_id,
                           int64_t broker_id, bool remove)
{
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct market_item it;
	struct broker b;
	struct target t;
	int64_t changed = 0;
	if (!(e = app_market_item_get(ctx, k, item_id, &it)) &&
	    !(e = app_market_item_target(ctx, k, &it, &t)) &&
	    !(e = app_allow(ctx, ACT_BROKER_ASSIGN, &t)) &&
	    !(e = app_broker_get(ctx, broker_id, &b)))
		e = remove ? db_exec(ctx->conn, STMT_ASSIGN_DELETE,
		                     DB_ARGS(DB_INT(broker_id), DB_TEXT(kind_name[k]),
		                             DB_INT(item_id)),
		                     &changed)
		           : db_exec(ctx->conn, STMT_ASSIGN_INSERT,
		                     DB_ARGS(DB_INT(broker_id), DB_TEXT(kind_name[k]),
		                             DB_INT(item_id), DB_TEXT(ctx->now_s)),
		                     &changed);
	if (e == ERR_CONFLICT && !remove)
		e = APP_FAIL(ctx, e, "broker_id", "is assigned already");
	else if (!e && remove && changed == 0)
		e = APP_FAIL(ctx, ERR_NOT_FOUND, "broker_id", "is not assigned to this %s",
		             kind_name[k]);
	if (!e) {
		const char *rec =
		        arena_printf(&ctx->arena, "{\"broker_id\": %lld, \"%s_id\": %lld}",
		                     (long long)broker_id, kind_name[k], (long long)item_id);
		e = app_audit(ctx, remove ? "unassign" : "assign", kind_name[k],
		              app_id_str(ctx, item_id), remove ? rec : NULL, remove ? NULL : rec);
	}
	return app_write_end(ctx, e, remove ? 204 : 201, NULL, NULL);
}

/* ---- interests ---- */

static void interest_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct interest *it = item;
	memset(it, 0, sizeof *it);
	it->id = db_col_i64(r, COL_INTEREST_ID);
	it->listing_id = db_col_i64(r, COL_INTEREST_LISTING_ID);
	it->demand_id = db_col_i64(r, COL_INTEREST_DEMAND_ID);
	it->direction = app_col(ctx, r, COL_INTEREST_DIRECTION);
	it->from_org_id = db_col_i64(r, COL_INTEREST_FROM_ORG_ID);
	it->to_org_id = db_col_i64(r, COL_INTEREST_TO_ORG_ID);
	it->created_by = db_col_i64(r, COL_INTEREST_CREATED_BY);
	it->status = app_col(ctx, r, COL_INTEREST_STATUS);
	it->decline_reason = app_col(ctx, r, COL_INTEREST_DECLINE_REASON);
	it->note = app_col(ctx, r, COL_INTEREST_NOTE);
	it->created_at = app_col(ctx, r, COL_INTEREST_CREATED_AT);
	it->updated_at = app_col(ctx, r, COL_INTEREST_UPDATED_AT);
	it->version = db_col_i64(r, COL_INTEREST_VERSION);
	it->listing_title = app_col(ctx, r, COL_INTEREST_LISTING_TITLE);
	it->demand_title = app_col(ctx, r, COL_INTEREST_DEMAND_TITLE);
}

static enum err interest_load(struct app_ctx *ctx, int64_t id, struct interest *out)
{
	return app_row_load(ctx, STMT_INTEREST_GET, DB_ARGS(DB_INT(id)), interest_row, out,
	                    "interest", "id", app_id_str(ctx, id));
}

/* May the caller act (act) on the interest as a party or an assigned broker? */
/*
 * The addressed side; for reading also the sender and a broker assigned to either item. The
 * sender asking to decide gets 403 (only the addressed side decides); anyone else "not found",
 * as an interest between others is not theirs to know of.
 */
static enum err interest_allow(struct app_ctx *ctx, const struct interest *in, enum action act,
                               bool as_sender_too)
{
	struct target t = {.org_id = in->to_org_id};
	if (authz_allows(&ctx->actor, act, &t))
		return ERR_OK;
	t.org_id = in->from_org_id;
	if (as_sender_too && authz_allows(&ctx->actor, act, &t))
		return ERR_OK;
	struct market_item it;
	t.org_id = 0;
	for (int k = 0; k < MARKET__KINDS && as_sender_too; k++) {
		enum err e = app_market_item_load(
		        ctx, (enum market_kind)k,
		        k == MARKET_LISTING ? in->listing_id : in->demand_id, &it);
		if (!e)
			e = app_market_item_target(ctx, (enum market_kind)k, &it, &t);
		if (e)
			return e;
		t.org_id = 0;
		t.region = NULL;
		if (authz_allows(&ctx->actor, act, &t))
			return ERR_OK;
	}
	if (act == ACT_INTEREST_DECIDE && as_sender_too == false &&
	    authz_allows(&ctx->actor, ACT_INTEREST_READ,
	                 &(struct target){.org_id = in->from_org_id}))
		return APP_FAIL(ctx, ERR_FORBIDDEN, "", "only the addressed side decides");
	return APP_FAIL(ctx, ctx->actor.user_id > 0 ? ERR_NOT_FOUND : ERR_UNAUTHENTICATED, "id",
	                "no interest %lld", (long long)in->id);
}

enum err app_interest_get(struct app_ctx *ctx, int64_t id, struct interest *out)
{
	enum err e = interest_load(ctx, id, out);
	return e ? e : interest_allow(ctx, out, ACT_INTEREST_READ, true);
}

static const char *interest_json(struct app_ctx *ctx, const struct interest *in)
{
	struct buf b = BUF_INIT;
	interest_to_json(in, &b);
	return app_keep(ctx, &b);
}

/* The two items of a new interest: the caller's source and the published target. */
/*
 * The source must be the caller's organisation's own item (its broker relays but does not
 * speak for it); the target must be published, so an interest never reveals an unpublished
 * item.
 */
static enum err interest_sides(struct app_ctx *ctx, const struct field_val *vals,
                               struct market_item *src, struct market_item *dst, bool *to_listing)
{
	*to_listing = !strcmp(vals[INTEREST_F_DIRECTION].s, "to_listing");
	enum market_kind sk = *to_listing ? MARKET_DEMAND : MARKET_LISTING;
	enum market_kind dk = *to_listing ? MARKET_LISTING : MARKET_DEMAND;
	int64_t sid = vals[*to_listing ? INTEREST_F_DEMAND_ID : INTEREST_F_LISTING_ID].i;
	int64_t did = vals[*to_listing ? INTEREST_F_LISTING_ID : INTEREST_F_DEMAND_ID].i;
	const char *sname = *to_listing ? "demand_id" : "listing_id";
	const char *dname = *to_listing ? "listing_id" : "demand_id";
	struct target t;
	enum err e = app_market_item_get(ctx, sk, sid, src);
	if (e == ERR_NOT_FOUND)
		return APP_FAIL(ctx, ERR_INVALID, sname, "names no %s you can see", kind_name[sk]);
	if (e || (e = app_market_item_target(ctx, sk, src, &t)))
		return e;
	t.assigned = false; /* brokers relay; the owners speak */
	if (!authz_allows(&ctx->actor, ACT_INTEREST_CREATE, &t))
		return APP_FAIL(ctx, ERR_FORBIDDEN, sname, "is not your organisation's %s",
		                kind_name[sk]);
	e = app_market_item_get(ctx, dk, did, dst);
	if (e == ERR_NOT_FOUND || (!e && strcmp(dst->f[MARKET_F_STATUS], "published")))
		return APP_FAIL(ctx, ERR_INVALID, dname, "names no published %s", kind_name[dk]);
	return e;
}

/*
 * The first message, when given, is written with the interest in one transaction; a second
 * interest between the same listing and demand is refused by the store's unique key.
 */
enum err app_interest_create(struct app_ctx *ctx, const struct field_val *vals,
                             struct interest *out)
{
	enum err e;
	struct market_item src, dst;
	bool to_listing;
	if (ctx->actor.user_id <= 0)
		return APP_FAIL(ctx, ERR_UNAUTHENTICATED, "", "sign in to express interest");
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	if ((e = interest_sides(ctx, vals, &src, &dst, &to_listing)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	int64_t from = id_of(src.f[MARKET_F_ORG_ID]);
	int64_t to = id_of(dst.f[MARKET_F_ORG_ID]);
	int64_t id = 0;
	e = app_row_i64(
	        ctx, STMT_INTEREST_INSERT,
	        DB_ARGS(DB_INT(to_listing ? dst.id : src.id), DB_INT(to_listing ? src.id : dst.id),
	                DB_TEXT(vals[INTEREST_F_DIRECTION].s), from ? DB_INT(from) : DB_NULL,
	                to ? DB_INT(to) : DB_NULL, DB_INT(ctx->actor.user_id), DB_TEXT(ctx->now_s),
	                DB_TEXT(ctx->now_s)),
	        COL_ID, &id, "interest");
	if (e == ERR_CONFLICT)
		e = APP_FAIL(ctx, e, "listing_id",
		             "an interest between this listing and demand exists");
	if (!e && vals[INTEREST_F_MESSAGE].set && !vals[INTEREST_F_MESSAGE].null)
		e = db_exec(ctx->conn, STMT_MESSAGE_INSERT,
		            DB_ARGS(DB_INT(id), DB_INT(ctx->actor.user_id),
		                    DB_TEXT(vals[INTEREST_F_MESSAGE].s), DB_TEXT(ctx->now_s)),
		            NULL);
	if (!e)
		e = interest_load(ctx, id, out);
	const char *json = e ? NULL : interest_json(ctx, out);
	if (!e)
		e = app_audit(ctx, "create", "interest", app_id_str(ctx, id), NULL, json);
	return app_write_end(ctx, e, 201, json, e ? NULL : app_location(ctx, app_id_str(ctx, id)));
}

/*
 * Administrators (ACT_INTEREST_READ without a target) see every interest; anyone else those
 * of their organisations and of the items assigned to them, which the statement filters by
 * the caller's id: the same rule as opening one (interest_allow).
 */
enum err app_interest_list(struct app_ctx *ctx, int64_t listing_id, int64_t demand_id,
                           const char *status, const struct page_req *pr, struct page *out)
{
	int64_t before = INT64_MAX;
	enum err e;
	if (ctx->actor.user_id <= 0)
		return APP_FAIL(ctx, ERR_UNAUTHENTICATED, "", "sign in to see interests");
	if (pr->cursor && (e = app_cursor_id(ctx, 'i', pr->cursor, &before)))
		return e;
	/*
	 * every interest only for those who may open any (interest.read in any
	 * scope: administrators); operators moderate items, not the parties'
	 * negotiations, so they list what they could open, like everyone else
	 */
	bool all = authz_allows(&ctx->actor, ACT_INTEREST_READ, &(struct target){0});
	struct db_val l = listing_id ? DB_INT(listing_id) : DB_NULL;
	struct db_val d = demand_id ? DB_INT(demand_id) : DB_NULL;
	struct db_val me = DB_INT(ctx->actor.user_id);
	/* newest first: the cursor is the last id seen, rows below it */
	static const struct app_list list = {.cursor = 'i',
	                                     .what = "interests",
	                                     .item_size = sizeof(struct interest),
	                                     .row = interest_row,
	                                     .key_id = offsetof(struct interest, id)};
	return app_page_fetch(ctx, &list, STMT_INTEREST_LIST,
	                      DB_ARGS(DB_INT(before), l, l, d, d, DB_TEXT(status), DB_TEXT(status),
	                              DB_INT(all ? 1 : 0), me, me, me),
	                      pr, out);
}

/*
 * Only the addressed side decides, and only while the interest is open; a reason declines,
 * none accepts. The decline reasons feed the owner's statistics (app_listing_stats).
 */
enum err app_interest_decide(struct app_ctx *ctx, int64_t id, int64_t version, const char *reason,
                             const char *note, struct interest *out)
{
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct interest cur;
	int64_t changed = 0;
	if (!(e = interest_load(ctx, id, &cur)) &&
	    (e = interest_allow(ctx, &cur, ACT_INTEREST_READ, true)))
		; /* invisible: not found */
	else if (!e)
		e = interest_allow(ctx, &cur, ACT_INTEREST_DECIDE, false);
	if (!e && cur.version != version)
		e = APP_FAIL(ctx, ERR_CONFLICT, "version", "is %lld, the record is at version %lld",
		             (long long)version, (long long)cur.version);
	if (!e && strcmp(cur.status, "open"))
		e = APP_FAIL(ctx, ERR_CONFLICT, "status", "the interest is %s already", cur.status);
	if (!e)
		e = db_exec(ctx->conn, STMT_INTEREST_DECIDE,
		            DB_ARGS(DB_TEXT(reason ? "declined" : "accepted"), DB_TEXT(reason),
		                    DB_TEXT(note), DB_TEXT(ctx->now_s), DB_INT(id),
		                    DB_INT(version)),
		            &changed);
	if (!e && changed != 1)
		e = APP_FAIL(ctx, ERR_CONFLICT, "version", "the record changed meanwhile");
	if (!e)
		e = interest_load(ctx, id, out);
	if (!e)
		e = app_audit(ctx, reason ? "decline" : "accept", "interest", app_id_str(ctx, id),
		              interest_json(ctx, &cur), interest_json(ctx, out));
	return app_write_end(ctx, e, 200, e ? NULL : interest_json(ctx, out), NULL);
}

static void message_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	*(struct interest_msg *)item =
	        (struct interest_msg){.id = db_col_i64(r, COL_MESSAGE_ID),
	                              .interest_id = db_col_i64(r, COL_MESSAGE_INTEREST_ID),
	                              .author_id = db_col_i64(r, COL_MESSAGE_AUTHOR_ID),
	                              .author = app_col(ctx, r, COL_MESSAGE_AUTHOR),
	                              .body = app_col(ctx, r, COL_MESSAGE_BODY),
	                              .created_at = app_col(ctx, r, COL_MESSAGE_CREATED_AT)};
}

enum err app_interest_messages(struct app_ctx *ctx, int64_t id, const struct page_req *pr,
                               struct page *out)
{
	struct interest in;
	int64_t after = 0;
	enum err e = app_interest_get(ctx, id, &in);
	if (!e && pr->cursor)
		e = app_cursor_id(ctx, 'm', pr->cursor, &after);
	static const struct app_list list = {.cursor = 'm',
	                                     .what = "messages",
	                                     .item_size = sizeof(struct interest_msg),
	                                     .row = message_row,
	                                     .key_id = offsetof(struct interest_msg, id)};
	if (e)
		return e;
	return app_page_fetch(ctx, &list, STMT_MESSAGE_LIST, DB_ARGS(DB_INT(id), DB_INT(after)), pr,
	                      out);
}

/*
 * Any party who may read the interest may write in its thread (a broker on either item
 * included); each message is audited like any other write.
 */
enum err app_interest_post(struct app_ctx *ctx, int64_t id, const char *body,
                           struct interest_msg *out)
{
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct interest in;
	struct db_rows *r;
	int64_t mid = 0;
	if (!(e = app_interest_get(ctx, id, &in)) &&
	    !(e = db_query(ctx->conn, STMT_MESSAGE_INSERT,
	                   DB_ARGS(DB_INT(id), DB_INT(ctx->actor.user_id), DB_TEXT(body),
	                           DB_TEXT(ctx->now_s)),
	                   &r))) {
		mid = db_next(r) ? db_col_i64(r, COL_ID) : 0;
		if ((e = db_done(r)))
			e = app_db_fail(ctx, e, "message");
	}
	*out = (struct interest_msg){.id = mid,
	                             .interest_id = id,
	                             .author_id = ctx->actor.user_id,
	                             .author = ctx->actor.username,
	                             .body = body,
	                             .created_at = ctx->now_s};
	struct buf b = BUF_INIT;
	interest_msg_to_json(out, &b);
	const char *json = app_keep(ctx, &b);
	if (!e)
		e = app_audit(ctx, "message", "interest", app_id_str(ctx, id), NULL, json);
	return app_write_end(ctx, e, 201, json, NULL);
}

static enum err stats_rows(struct app_ctx *ctx, enum stmt st, int64_t arg, struct interest_stats *s)
{
	struct db_rows *r;
	memset(s, 0, sizeof *s);
	enum err e = db_query(ctx->conn, st, DB_ARGS(DB_INT(arg)), &r);
	if (e)
		return app_db_fail(ctx, e, "statistics");
	while (db_next(r)) {
		const char *status = db_col_text(r, COL_DECISION_STATUS),
		           *reason = db_col_text(r, COL_DECISION_REASON);
		long n = (long)db_col_i64(r, COL_DECISION_COUNT);
		if (!strcmp(status, "open"))
			s->open += n;
		else if (!strcmp(status, "accepted"))
			s->accepted += n;
		else
			s->declined += n;
		for (int i = 0; i < DECLINE_REASONS; i++)
			if (reason && !strcmp(reason, decline_reasons[i]))
				s->reasons[i] += n;
	}
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "statistics");
	return ERR_OK;
}

/*
 * For those who may read the listing's unpublished data (its owner, a broker on it, an
 * operator): the listing's decisions, and its owner's over all listings, so one listing
 * compares with the rest.
 */
enum err app_listing_stats(struct app_ctx *ctx, int64_t listing_id, struct interest_stats *listing,
                           struct interest_stats *owner)
{
	struct market_item it;
	struct target t;
	enum err e = app_market_item_get(ctx, MARKET_LISTING, listing_id, &it);
	if (!e && !(e = app_market_item_target(ctx, MARKET_LISTING, &it, &t)))
		e = app_allow(ctx, ACT_MARKET_READ_ALL, &t);
	if (!e)
		e = stats_rows(ctx, STMT_STATS_LISTING, listing_id, listing);
	memset(owner, 0, sizeof *owner);
	if (!e && t.org_id)
		e = stats_rows(ctx, STMT_STATS_OWNER, t.org_id, owner);
	return e;
}
