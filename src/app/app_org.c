/* app_org: organisation use cases. */
#include "app/app_org.h"

#include "app/app_tx.h"
#include "lib/buf.h"
#include "lib/limits.h"
#include "lib/num.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* A row of ORG_ROW (stmt_org.def) into o, its text in the ctx arena. */
static void org_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct org *o = item;
	static const int field_col[ORG__NFIELDS] = {
	        [ORG_KIND] = COL_ORG_KIND,
	        [ORG_CREDIT_CODE] = COL_ORG_CREDIT_CODE,
	        [ORG_NAME] = COL_ORG_NAME,
	        [ORG_NAME_EN] = COL_ORG_NAME_EN,
	        [ORG_REGION_CODE] = COL_ORG_REGION_CODE,
	        [ORG_INDUSTRY_CODE] = COL_ORG_INDUSTRY_CODE,
	        [ORG_REGISTERED_ON] = COL_ORG_REGISTERED_ON,
	        [ORG_SIZE_CLASS] = COL_ORG_SIZE_CLASS,
	        [ORG_ADDRESS] = COL_ORG_ADDRESS,
	        [ORG_WEBSITE] = COL_ORG_WEBSITE,
	};
	memset(o, 0, sizeof *o);
	o->id = db_col_i64(r, COL_ORG_ID);
	for (int i = 0; i < ORG__NFIELDS; i++)
		o->f[i] = app_col(ctx, r, field_col[i]);
	o->region_name = app_col(ctx, r, COL_ORG_REGION_NAME);
	o->industry_name = app_col(ctx, r, COL_ORG_INDUSTRY_NAME);
	o->region_name_en = app_col(ctx, r, COL_ORG_REGION_NAME_EN);
	o->industry_name_en = app_col(ctx, r, COL_ORG_INDUSTRY_NAME_EN);
	o->created_at = app_col(ctx, r, COL_ORG_CREATED_AT);
	o->updated_at = app_col(ctx, r, COL_ORG_UPDATED_AT);
	o->version = db_col_i64(r, COL_ORG_VERSION);
}

enum err app_org_load(struct app_ctx *ctx, int64_t id, struct org *out)
{
	return app_row_load(ctx, STMT_ORG_GET, DB_ARGS(DB_INT(id)), org_row, out, "organisation",
	                    "id", app_id_str(ctx, id));
}

/*
 * An organisation's record is public (the benchmark path, docs/ARCHITECTURE.md): no
 * authorization, one statement.
 */
enum err app_org_get(struct app_ctx *ctx, int64_t id, struct org *out)
{
	return app_org_load(ctx, id, out);
}

/* The list's variants by the filter they start from (stmt_org.def, stmt_filter.h). */
enum org_start { START_ANY, START_REGION, START_INDUSTRY, START__N };
static const enum stmt list_rows[START__N] = {STMT_ORG_LIST, STMT_ORG_LIST_BY_REGION,
                                              STMT_ORG_LIST_BY_INDUSTRY};
static const enum stmt count_rows[START__N] = {STMT_ORG_COUNT, STMT_ORG_COUNT_BY_REGION,
                                               STMT_ORG_COUNT_BY_INDUSTRY};

/*
 * Where a list starts: a region below a province or an industry below a
 * section matches few rows, so from that column's index (sorting them is
 * cheap); a wider filter matches often, so walking the ids and filtering fills
 * a page sooner. A count reads every match: any region or industry serves it.
 */
static enum org_start org_start(const char *rlo, const char *ilo, bool count)
{
	if (rlo && (count || strlen(rlo) > 2))
		return START_REGION;
	if (ilo && (count || strlen(ilo) > 1))
		return START_INDUSTRY;
	return START_ANY;
}

enum err app_org_list(struct app_ctx *ctx, const struct org_filter *f, const struct page_req *pr,
                      struct page *out)
{
	char rlo[7], rhi[7], ilo[6], ihi[6];
	int64_t after_id = 0;
	enum err e;
	if (pr->cursor && (e = app_cursor_id(ctx, 'o', pr->cursor, &after_id)))
		return e;
	if ((e = app_code_ranges(ctx, f->region, f->industry, rlo, rhi, ilo, ihi)))
		return e;
	const char *like = app_like_pattern(ctx, f->q);
	const char *rl = f->region ? rlo : NULL, *il = f->industry ? ilo : NULL;
	/* one filter a line, as the list statements take them */
	/* clang-format off */
	const struct db_val args[] = {
		DB_INT(after_id),
		DB_TEXT(f->kind), DB_TEXT(f->kind),
		DB_TEXT(rl), DB_TEXT(rl), DB_TEXT(rhi),
		DB_TEXT(il), DB_TEXT(il), DB_TEXT(ihi),
		DB_TEXT(f->size_class), DB_TEXT(f->size_class),
		DB_TEXT(f->credit_code), DB_TEXT(f->credit_code),
		DB_TEXT(like), DB_TEXT(like), DB_TEXT(like), DB_TEXT(like),
	};
	/* clang-format on */
	enum { NARGS = sizeof args / sizeof args[0] };
	static const struct app_list list = {.cursor = 'o',
	                                     .what = "organisations",
	                                     .item_size = sizeof(struct org),
	                                     .row = org_row,
	                                     .key_id = offsetof(struct org, id)};
	if ((e = app_page_fetch(ctx, &list, list_rows[org_start(rl, il, false)], args, NARGS, pr,
	                        out)))
		return e;
	if (pr->count)
		/*
		 * the count starts from id 0, whatever the cursor: the total is of the whole
		 * filtered list
		 */
		return app_list_count(ctx, count_rows[org_start(rl, il, true)], args, NARGS,
		                      DB_INT(0), &out->total);
	return ERR_OK;
}

/* The referenced region and industry must exist: name the field if not. */
static enum err org_check_refs(struct app_ctx *ctx, const struct org *o)
{
	static const struct {
		int field;
		enum stmt st;
		const char *what;
	} refs[] = {{ORG_REGION_CODE, STMT_REGION_GET, "region"},
	            {ORG_INDUSTRY_CODE, STMT_INDUSTRY_GET, "industry"}};
	for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
		const char *code = o->f[refs[i].field];
		if (!code)
			continue;
		bool found;
		enum err e = app_row_find(ctx, refs[i].st, DB_ARGS(DB_TEXT(code)), NULL, NULL,
		                          refs[i].what, &found);
		if (e)
			return e;
		if (!found)
			return APP_FAIL(ctx, ERR_INVALID, org_fields[refs[i].field].name,
			                "no %s with code %s (import it first)", refs[i].what, code);
	}
	return ERR_OK;
}

/* Arguments of ORG_INSERT / ORG_UPDATE for the field values of o. */
#define ORG_VALUE_ARGS(o)                                                                          \
	DB_TEXT((o)->f[ORG_KIND]), DB_TEXT((o)->f[ORG_CREDIT_CODE]), DB_TEXT((o)->f[ORG_NAME]),    \
	        DB_TEXT((o)->f[ORG_NAME_EN]), DB_TEXT((o)->f[ORG_REGION_CODE]),                    \
	        DB_TEXT((o)->f[ORG_INDUSTRY_CODE]), DB_TEXT((o)->f[ORG_REGISTERED_ON]),            \
	        DB_TEXT((o)->f[ORG_SIZE_CLASS]), DB_TEXT((o)->f[ORG_ADDRESS]),                     \
	        DB_TEXT((o)->f[ORG_WEBSITE])

static const char *org_json(struct app_ctx *ctx, const struct org *o)
{
	struct buf b = BUF_INIT;
	org_to_json(o, &b);
	return app_keep(ctx, &b);
}

/*
 * Checked and authorized before the transaction opens, so a refused request never takes the
 * write lock; the organisation's region decides the authorization (a regional operator
 * registers within the region). The record is read back for the response and the audit image:
 * names of the codes, version, instants as stored.
 */
enum err app_org_create(struct app_ctx *ctx, const struct field_val vals[ORG__NFIELDS],
                        struct org *out)
{
	struct org o = {0};
	org_apply(&o, vals);
	enum err e = org_validate(&o, ctx->today, &ctx->err);
	if (e)
		return e;
	struct target t = {.region = o.f[ORG_REGION_CODE]};
	if ((e = app_allow(ctx, ACT_ORG_CREATE, &t)))
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	if ((e = org_check_refs(ctx, &o)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	int64_t id = 0;
	e = app_row_i64(ctx, STMT_ORG_INSERT,
	                DB_ARGS(ORG_VALUE_ARGS(&o), DB_TEXT(ctx->now_s), DB_TEXT(ctx->now_s)),
	                COL_ID, &id, "organisation");
	if (e) {
		if (e == ERR_CONFLICT)
			e = APP_FAIL(ctx, e, "credit_code",
			             "an organisation with this credit code exists");
		return app_write_end(ctx, e, 0, NULL, NULL);
	}
	if (!(e = app_org_load(ctx, id, out))) {
		const char *json = org_json(ctx, out);
		e = app_audit(ctx, "create", "organisation", app_id_str(ctx, id), NULL, json);
		if (!e)
			return app_write_end(ctx, e, 201, json,
			                     app_location(ctx, app_id_str(ctx, id)));
	}
	return app_write_end(ctx, e, 0, NULL, NULL);
}

/*
 * A scoped grant covers an organisation by its region or its id, so the record is loaded
 * before the authorization is decided.
 */
enum err app_org_allow(struct app_ctx *ctx, int64_t id, enum action act, struct org *out)
{
	enum err e = app_org_load(ctx, id, out);
	if (e)
		return e;
	struct target t = {.region = out->f[ORG_REGION_CODE], .org_id = id};
	return app_allow(ctx, act, &t);
}

/* Load for a change: not found, then authorization on the record, then stale version. */
static enum err org_load_for_change(struct app_ctx *ctx, int64_t id, int64_t version,
                                    enum action act, struct org *cur)
{
	enum err e = app_org_allow(ctx, id, act, cur);
	if (e)
		return e;
	if (cur->version != version)
		return APP_FAIL(ctx, ERR_CONFLICT, "version",
		                "is %lld, the record is at version %lld: reload and retry",
		                (long long)version, (long long)cur->version);
	return ERR_OK;
}

/*
 * The version is compared twice: on load, to answer a stale request before its values are
 * checked, and in the UPDATE's WHERE, so a change committed between the two still fails as
 * stale.
 */
enum err app_org_update(struct app_ctx *ctx, int64_t id, int64_t version,
                        const struct field_val vals[ORG__NFIELDS], struct org *out)
{
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct org cur, next;
	if ((e = org_load_for_change(ctx, id, version, ACT_ORG_UPDATE, &cur)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	next = cur;
	org_apply(&next, vals);
	/* moving a record to another region needs the right there too */
	struct target t = {.region = next.f[ORG_REGION_CODE], .org_id = id};
	if (!(e = org_validate(&next, ctx->today, &ctx->err)) &&
	    !(e = app_allow(ctx, ACT_ORG_UPDATE, &t)) && !(e = org_check_refs(ctx, &next))) {
		int64_t changed = 0;
		e = db_exec(ctx->conn, STMT_ORG_UPDATE,
		            DB_ARGS(ORG_VALUE_ARGS(&next), DB_TEXT(ctx->now_s), DB_INT(id),
		                    DB_INT(version)),
		            &changed);
		if (e == ERR_CONFLICT)
			e = APP_FAIL(ctx, e, "credit_code",
			             "an organisation with this credit code exists");
		else if (e)
			e = app_db_fail(ctx, e, "organisation");
		else if (changed != 1)
			e = APP_FAIL(ctx, ERR_CONFLICT, "version", "the record changed meanwhile");
	}
	if (!e && !(e = app_org_load(ctx, id, out))) {
		const char *after = org_json(ctx, out);
		e = app_audit(ctx, "update", "organisation", app_id_str(ctx, id),
		              org_json(ctx, &cur), after);
	}
	return app_write_end(ctx, e, 200, NULL, NULL);
}

/*
 * An organisation with a history (market items, applications, titles) stays: the foreign
 * keys refuse the delete, reported as a conflict rather than a broken rule. Its grants and
 * facts go with it (ON DELETE CASCADE).
 */
enum err app_org_delete(struct app_ctx *ctx, int64_t id, int64_t version)
{
	enum err e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct org cur;
	if ((e = org_load_for_change(ctx, id, version, ACT_ORG_DELETE, &cur)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	int64_t changed = 0;
	e = db_exec(ctx->conn, STMT_ORG_DELETE, DB_ARGS(DB_INT(id), DB_INT(version)), &changed);
	if (e == ERR_INVALID)
		e = APP_FAIL(ctx, ERR_CONFLICT, "id",
		             "other records still refer to this organisation");
	else if (e)
		e = app_db_fail(ctx, e, "organisation");
	else if (changed != 1)
		e = APP_FAIL(ctx, ERR_CONFLICT, "version", "the record changed meanwhile");
	if (!e)
		e = app_audit(ctx, "delete", "organisation", app_id_str(ctx, id),
		              org_json(ctx, &cur), NULL);
	return app_write_end(ctx, e, 204, NULL, NULL);
}

/*
 * Not paged: an organisation has few grants, so the whole list comes back and its total is its
 * length.
 */
enum err app_org_members(struct app_ctx *ctx, int64_t org_id, struct page *out)
{
	struct org o;
	enum err e = app_org_allow(ctx, org_id, ACT_ORG_MEMBERS_READ, &o);
	if (e)
		return e;
	struct db_rows *r;
	if ((e = db_query(ctx->conn, STMT_ROLE_LIST_ORG, DB_ARGS(DB_INT(org_id)), &r)))
		return app_db_fail(ctx, e, "members");
	int cap = 16, n = 0;
	struct org_member *m = arena_alloc(&ctx->arena, sizeof *m * (size_t)cap);
	while (db_next(r)) {
		if (n == cap) {
			struct org_member *bigger =
			        arena_alloc(&ctx->arena, sizeof *m * (size_t)cap * 2);
			memcpy(bigger, m, sizeof *m * (size_t)n);
			m = bigger;
			cap *= 2;
		}
		m[n].grant_id = db_col_i64(r, COL_MEMBER_GRANT_ID);
		m[n].user_id = db_col_i64(r, COL_MEMBER_USER_ID);
		m[n].role = app_col(ctx, r, COL_MEMBER_ROLE);
		m[n].username = app_col(ctx, r, COL_MEMBER_USERNAME);
		m[n].display_name = app_col(ctx, r, COL_MEMBER_DISPLAY_NAME);
		n++;
	}
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "members");
	out->items = m;
	out->n = n;
	out->next_cursor = NULL;
	out->total = n;
	return ERR_OK;
}
