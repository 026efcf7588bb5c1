/* app_refdata: region and industry use cases. */
#include "app/app_refdata.h"

#include "app/app_tx.h"
#include "core/codes.h"
#include "lib/buf.h"
#include "lib/num.h"

#include <string.h>

/* A row of REGION_ROW (stmt_core.def). */
static void region_from_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct region *g = item;
	g->code = app_col(ctx, r, COL_REGION_CODE);
	g->name = app_col(ctx, r, COL_REGION_NAME);
	g->name_en = app_col(ctx, r, COL_REGION_NAME_EN);
	g->level = app_col(ctx, r, COL_REGION_LEVEL);
	g->parent_code = app_col(ctx, r, COL_REGION_PARENT);
	g->version = db_col_i64(r, COL_REGION_VERSION);
}

/* A row of INDUSTRY_ROW (stmt_core.def). */
static void industry_from_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct industry *i = item;
	i->code = app_col(ctx, r, COL_INDUSTRY_CODE);
	i->name = app_col(ctx, r, COL_INDUSTRY_NAME);
	i->name_en = app_col(ctx, r, COL_INDUSTRY_NAME_EN);
	i->level = (int)db_col_i64(r, COL_INDUSTRY_LEVEL);
	i->parent_code = app_col(ctx, r, COL_INDUSTRY_PARENT);
	i->description = app_col(ctx, r, COL_INDUSTRY_DESCRIPTION);
	i->version = db_col_i64(r, COL_INDUSTRY_VERSION);
}

/*
 * The audit images and the stored first response of an idempotent POST use the API's JSON
 * form, so an audit record shows what a client saw.
 */
static const char *region_json(struct app_ctx *ctx, const struct region *g)
{
	struct buf b = BUF_INIT;
	region_to_json(g, &b);
	return app_keep(ctx, &b);
}

static const char *industry_json(struct app_ctx *ctx, const struct industry *i)
{
	struct buf b = BUF_INIT;
	industry_to_json(i, &b);
	return app_keep(ctx, &b);
}

/* One row by code through `st`; ERR_NOT_FOUND names what was missing. */
static enum err load_one(struct app_ctx *ctx, enum stmt st, const char *code, const char *what,
                         app_row_fn *from_row, void *out)
{
	return app_row_load(ctx, st, DB_ARGS(DB_TEXT(code)), from_row, out, what, "code", code);
}

/* The cursor keys of the lists: the records' codes. */
static const char *region_key(const void *item)
{
	return ((const struct region *)item)->code;
}

static const char *industry_key(const void *item)
{
	return ((const struct industry *)item)->code;
}

static const struct app_list region_list = {.cursor = 'r',
                                            .what = "list",
                                            .item_size = sizeof(struct region),
                                            .row = region_from_row,
                                            .key_text = region_key,
                                            .key_id = 0};
static const struct app_list industry_list = {.cursor = 'i',
                                              .what = "list",
                                              .item_size = sizeof(struct industry),
                                              .row = industry_from_row,
                                              .key_text = industry_key,
                                              .key_id = 0};

/* A page of list l from st, and its count by count_st when asked. */
/*
 * The count starts before every code (""), whatever the cursor: the total is of the whole
 * filtered list.
 */
static enum err list_rows(struct app_ctx *ctx, const struct app_list *l, enum stmt st,
                          enum stmt count_st, const struct db_val *args, size_t nargs,
                          const struct page_req *pr, struct page *out)
{
	enum err e = app_page_fetch(ctx, l, st, args, nargs, pr, out);
	if (!e && pr->count)
		e = app_list_count(ctx, count_st, args, nargs, DB_TEXT(""), &out->total);
	return e;
}

/* ---- regions ---- */

/*
 * A code is accepted in any written form (2, 4 or 6 digits) and found by its 6-digit form; one
 * that cannot be a code is not found rather than invalid, since it comes from the path.
 */
enum err app_region_get(struct app_ctx *ctx, const char *code, struct region *out)
{
	char c6[7];
	const char *level;
	char parent[7];
	if (region_derive(code, c6, &level, parent, &ctx->err))
		return APP_FAIL(ctx, ERR_NOT_FOUND, "code", "no region %s", code);
	return load_one(ctx, STMT_REGION_GET, c6, "region", region_from_row, out);
}

enum err app_region_list(struct app_ctx *ctx, const struct refdata_filter *f,
                         const struct page_req *pr, struct page *out)
{
	char after[16] = "", parent[7];
	const char *lvl = NULL, *par = NULL;
	enum err e;
	if (pr->cursor && (e = app_cursor_decode(ctx, 'r', pr->cursor, after, sizeof after)))
		return e;
	if (f->level) {
		static const char *const levels[] = {"province", "prefecture", "county"};
		for (int i = 0; i < 3; i++)
			if (!strcmp(f->level, levels[i]))
				lvl = levels[i];
		if (!lvl)
			return APP_FAIL(ctx, ERR_INVALID, "level",
			                "must be province, prefecture or county");
	}
	if (f->parent) {
		if (!region_code_normalise(f->parent, parent))
			return APP_FAIL(ctx, ERR_INVALID, "parent", "must be a region code");
		par = parent;
	}
	/* each optional filter is bound twice: the statement reads "? IS NULL OR condition" */
	const char *like = app_like_pattern(ctx, f->q);
	return list_rows(ctx, &region_list, STMT_REGION_LIST, STMT_REGION_COUNT,
	                 DB_ARGS(DB_TEXT(after), DB_TEXT(lvl), DB_TEXT(lvl), DB_TEXT(par),
	                         DB_TEXT(par), DB_TEXT(like), DB_TEXT(like), DB_TEXT(like)),
	                 pr, out);
}

/*
 * The enclosing region is looked up first so the error names it: the foreign key would refuse
 * the row too, but only as a broken store rule. The record is read back for the response and
 * the audit image, so both show what the store holds (its version).
 */
enum err app_region_create(struct app_ctx *ctx, const struct field_val v[REGION__NFIELDS],
                           struct region *out)
{
	enum err e = app_allow(ctx, ACT_REFDATA_WRITE, NULL);
	if (e)
		return e;
	char code[7], parent[7];
	const char *level;
	if ((e = region_derive(v[REGION_F_CODE].s, code, &level, parent, &ctx->err)))
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct region p;
	if (parent[0] && load_one(ctx, STMT_REGION_GET, parent, "region", region_from_row, &p))
		e = APP_FAIL(ctx, ERR_INVALID, "code", "the enclosing region %s does not exist",
		             parent);
	if (!e)
		e = db_exec(ctx->conn, STMT_REGION_INSERT,
		            DB_ARGS(DB_TEXT(code), DB_TEXT(v[REGION_F_NAME].s),
		                    DB_TEXT(v[REGION_F_NAME_EN].s), DB_TEXT(level),
		                    DB_TEXT(parent[0] ? parent : NULL)),
		            NULL);
	if (e == ERR_CONFLICT)
		e = APP_FAIL(ctx, e, "code", "region %s exists", code);
	else if (e && e != ERR_INVALID)
		e = app_db_fail(ctx, e, "region");
	const char *json = NULL;
	if (!e && !(e = load_one(ctx, STMT_REGION_GET, code, "region", region_from_row, out))) {
		json = region_json(ctx, out);
		e = app_audit(ctx, "create", "region", code, NULL, json);
	}
	return app_write_end(ctx, e, 201, json, e ? NULL : app_location(ctx, code));
}

/*
 * Only the names change: the level and the parent follow from the code, which never changes.
 * The update is conditional on the version the client read, so no changed row means another
 * writer came first: a conflict, not a silent overwrite.
 */
enum err app_region_update(struct app_ctx *ctx, const char *code, int64_t version,
                           const struct field_val v[REGION__NFIELDS], struct region *out)
{
	enum err e = app_allow(ctx, ACT_REFDATA_WRITE, NULL);
	if (e)
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct region cur;
	if ((e = app_region_get(ctx, code, &cur)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	const char *name = v[REGION_F_NAME].set ? v[REGION_F_NAME].s : cur.name;
	const char *name_en = v[REGION_F_NAME_EN].set ? v[REGION_F_NAME_EN].s : cur.name_en;
	int64_t changed = 0;
	e = db_exec(ctx->conn, STMT_REGION_UPDATE,
	            DB_ARGS(DB_TEXT(name), DB_TEXT(name_en), DB_TEXT(cur.code), DB_INT(version)),
	            &changed);
	if (e)
		e = app_db_fail(ctx, e, "region");
	else if (changed != 1)
		e = APP_FAIL(ctx, ERR_CONFLICT, "version",
		             "is stale: the region is at version %lld", (long long)cur.version);
	if (!e && !(e = app_region_get(ctx, cur.code, out)))
		e = app_audit(ctx, "update", "region", cur.code, region_json(ctx, &cur),
		              region_json(ctx, out));
	return app_write_end(ctx, e, 200, NULL, NULL);
}

/* Delete by code and version; a code still referred to is a conflict. */
/*
 * The foreign keys refuse to delete a code that organisations or other codes use
 * (ERR_INVALID): reported as a conflict naming the code, which is what the client can act on.
 */
static enum err refdata_delete(struct app_ctx *ctx, enum stmt st, const char *entity,
                               const char *code, int64_t version, const char *before)
{
	int64_t changed = 0;
	enum err e = db_exec(ctx->conn, st, DB_ARGS(DB_TEXT(code), DB_INT(version)), &changed);
	if (e == ERR_INVALID)
		return APP_FAIL(ctx, ERR_CONFLICT, "code", "other records still refer to %s %s",
		                entity, code);
	if (e)
		return app_db_fail(ctx, e, entity);
	if (changed != 1)
		return APP_FAIL(ctx, ERR_CONFLICT, "version", "is stale");
	return app_audit(ctx, "delete", entity, code, before, NULL);
}

enum err app_region_delete(struct app_ctx *ctx, const char *code, int64_t version)
{
	enum err e = app_allow(ctx, ACT_REFDATA_WRITE, NULL);
	if (e)
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct region cur;
	if (!(e = app_region_get(ctx, code, &cur)))
		e = refdata_delete(ctx, STMT_REGION_DELETE, "region", cur.code, version,
		                   region_json(ctx, &cur));
	return app_write_end(ctx, e, 204, NULL, NULL);
}

/* ---- industries ---- */

enum err app_industry_get(struct app_ctx *ctx, const char *code, struct industry *out)
{
	return load_one(ctx, STMT_INDUSTRY_GET, code, "industry", industry_from_row, out);
}

enum err app_industry_list(struct app_ctx *ctx, const struct refdata_filter *f,
                           const struct page_req *pr, struct page *out)
{
	char after[16] = "";
	int64_t level = 0;
	enum err e;
	if (pr->cursor && (e = app_cursor_decode(ctx, 'i', pr->cursor, after, sizeof after)))
		return e;
	if (f->level && !num_parse(f->level, 1, 4, &level))
		return APP_FAIL(ctx, ERR_INVALID, "level", "must be 1, 2, 3 or 4");
	const char *like = app_like_pattern(ctx, f->q);
	struct db_val lv = f->level ? DB_INT(level) : DB_NULL;
	return list_rows(ctx, &industry_list, STMT_INDUSTRY_LIST, STMT_INDUSTRY_COUNT,
	                 DB_ARGS(DB_TEXT(after), lv, lv, DB_TEXT(f->parent), DB_TEXT(f->parent),
	                         DB_TEXT(like), DB_TEXT(like), DB_TEXT(like)),
	                 pr, out);
}

/* As app_region_create: the enclosing section, division or group must exist first. */
enum err app_industry_create(struct app_ctx *ctx, const struct field_val v[INDUSTRY__NFIELDS],
                             struct industry *out)
{
	enum err e = app_allow(ctx, ACT_REFDATA_WRITE, NULL);
	if (e)
		return e;
	int level;
	char parent[6];
	const char *code = v[INDUSTRY_F_CODE].s;
	if ((e = industry_derive(code, &level, parent, &ctx->err)))
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct industry p;
	if (parent[0] &&
	    load_one(ctx, STMT_INDUSTRY_GET, parent, "industry", industry_from_row, &p))
		e = APP_FAIL(ctx, ERR_INVALID, "code", "the enclosing industry %s does not exist",
		             parent);
	if (!e)
		e = db_exec(ctx->conn, STMT_INDUSTRY_INSERT,
		            DB_ARGS(DB_TEXT(code), DB_TEXT(v[INDUSTRY_F_NAME].s),
		                    DB_TEXT(v[INDUSTRY_F_NAME_EN].s), DB_INT(level),
		                    DB_TEXT(parent[0] ? parent : NULL),
		                    DB_TEXT(v[INDUSTRY_F_DESCRIPTION].s)),
		            NULL);
	if (e == ERR_CONFLICT)
		e = APP_FAIL(ctx, e, "code", "industry %s exists", code);
	else if (e && e != ERR_INVALID)
		e = app_db_fail(ctx, e, "industry");
	const char *json = NULL;
	if (!e && !(e = app_industry_get(ctx, code, out))) {
		json = industry_json(ctx, out);
		e = app_audit(ctx, "create", "industry", code, NULL, json);
	}
	return app_write_end(ctx, e, 201, json, e ? NULL : app_location(ctx, code));
}

/*
 * As app_region_update: the names and the description change, the code and its place in the
 * tree do not.
 */
enum err app_industry_update(struct app_ctx *ctx, const char *code, int64_t version,
                             const struct field_val v[INDUSTRY__NFIELDS], struct industry *out)
{
	enum err e = app_allow(ctx, ACT_REFDATA_WRITE, NULL);
	if (e)
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct industry cur;
	if ((e = app_industry_get(ctx, code, &cur)))
		return app_write_end(ctx, e, 0, NULL, NULL);
	struct industry next = cur;
	if (v[INDUSTRY_F_NAME].set)
		next.name = v[INDUSTRY_F_NAME].s;
	if (v[INDUSTRY_F_NAME_EN].set)
		next.name_en = v[INDUSTRY_F_NAME_EN].s;
	if (v[INDUSTRY_F_DESCRIPTION].set)
		next.description = v[INDUSTRY_F_DESCRIPTION].s;
	int64_t changed = 0;
	e = db_exec(ctx->conn, STMT_INDUSTRY_UPDATE,
	            DB_ARGS(DB_TEXT(next.name), DB_TEXT(next.name_en), DB_TEXT(next.description),
	                    DB_TEXT(code), DB_INT(version)),
	            &changed);
	if (e)
		e = app_db_fail(ctx, e, "industry");
	else if (changed != 1)
		e = APP_FAIL(ctx, ERR_CONFLICT, "version",
		             "is stale: the industry is at version %lld", (long long)cur.version);
	if (!e && !(e = app_industry_get(ctx, code, out)))
		e = app_audit(ctx, "update", "industry", code, industry_json(ctx, &cur),
		              industry_json(ctx, out));
	return app_write_end(ctx, e, 200, NULL, NULL);
}

enum err app_industry_delete(struct app_ctx *ctx, const char *code, int64_t version)
{
	enum err e = app_allow(ctx, ACT_REFDATA_WRITE, NULL);
	if (e)
		return e;
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct industry cur;
	if (!(e = app_industry_get(ctx, code, &cur)))
		e = refdata_delete(ctx, STMT_INDUSTRY_DELETE, "industry", code, version,
		                   industry_json(ctx, &cur));
	return app_write_end(ctx, e, 204, NULL, NULL);
}
