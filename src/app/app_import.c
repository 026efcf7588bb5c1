/* app_import: bulk import with per-row atomicity and per-batch audit. */
#include "app/app_import.h"

#include "app/app_module.h"
#include "app/app_org.h"
#include "app/app_tx.h"
#include "core/org.h"
#include "core/refdata.h"
#include "lib/buf.h"
#include "lib/jw.h"
#include "lib/limits.h"
#include "lib/strmap.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum {
	IMPORT_BATCH = LIMIT_IMPORT_BATCH,
	IMPORT_FIELDS_MAX = LIMIT_IMPORT_FIELDS,
	COL_IGNORED = -1,
	COL_SECTION = -2
};
_Static_assert((int)ORG__NFIELDS <= IMPORT_FIELDS_MAX &&
                       (int)REGION__NFIELDS <= IMPORT_FIELDS_MAX &&
                       (int)INDUSTRY__NFIELDS <= IMPORT_FIELDS_MAX,
               "import rows fit");

struct importer {
	struct app_ctx *ctx;
	const struct app_import_kind *kind;
	const char *source;
	const struct field_def *defs;
	size_t ndefs;
	int ncol;
	int col_field[LIMIT_CSV_COLUMNS];
	bool has_kind;
	/* known codes for organisation rows: sorted, for bsearch */
	char (*regions)[7];
	size_t nregions;
	char (*industries)[6];
	size_t nindustries;
	/*
	 * A first load into an empty table is one transaction, with the secondary
	 * indexes rebuilt at the end and ids chosen here; otherwise each batch
	 * commits on its own.
	 */
	bool bulk;
	char *saved_indexes;
	int64_t next_id;
	struct strmap codes; /* credit code -> id of the rows this bulk load wrote */
	bool savepoints;     /* the store aborts a transaction on a failed statement */
	bool in_tx;
	/* the open batch */
	bool in_batch;
	long batch_rows, first_line, last_line, batch_created, batch_updated;
	crypto_generichash_state digest; /* BLAKE2b-256 of the applied rows */
	struct import_stats st;
	struct import_row *scratch; /* for app_import_row */
};

struct import_row {
	long line;
	int n;
	enum err err; /* ERR_OK: checked; otherwise why the row was refused */
	struct err_detail d;
	struct field_val vals[IMPORT_FIELDS_MAX];
	const char **raw; /* the values as read, pointing into block */
	char *block;
	size_t block_len;
	unsigned char hash[32]; /* BLAKE2b of line and values, for the batch digest */
	struct arena mem;
};

static enum err bulk_begin(struct importer *imp);

/* The kernel's kinds; a module registers its own (app/app_module.h). */
enum { KERNEL_REGIONS, KERNEL_INDUSTRIES, KERNEL_ORGANISATIONS };

static const struct field_def *region_import_fields(size_t *n)
{
	*n = REGION__NFIELDS;
	return region_fields;
}

static const struct field_def *industry_import_fields(size_t *n)
{
	*n = INDUSTRY__NFIELDS;
	return industry_fields;
}

static const struct field_def *org_import_fields(size_t *n)
{
	*n = ORG__NFIELDS;
	return org_fields;
}

/* Columns of common public files that carry nothing the code does not already say. */
static const char *const region_ignored[] = {"provinceCode", "cityCode", "parent_code", "level",
                                             NULL};
static const char *const industry_ignored[] = {"level", "level_name",  "division", "group",
                                               "class", "parent_code", "note",     NULL};
static const char *const org_ignored[] = {"id",
                                          "region_name",
                                          "region_name_en",
                                          "industry_name",
                                          "industry_name_en",
                                          "created_at",
                                          "updated_at",
                                          "version",
                                          NULL};

/* The kernel's rows are written below (apply_row), not through apply. */
const struct app_import_kind app_import_kernel_kinds[] = {
        [KERNEL_REGIONS] = {"regions", "region", region_ignored, region_import_fields, NULL, NULL},
        [KERNEL_INDUSTRIES] = {"industries", "industry", industry_ignored, industry_import_fields,
                               NULL, NULL},
        [KERNEL_ORGANISATIONS] = {"organisations", "organisation", org_ignored, org_import_fields,
                                  NULL, NULL},
};
const int app_import_kernel_nkinds =
        sizeof app_import_kernel_kinds / sizeof app_import_kernel_kinds[0];

const struct app_import_kind *app_import_organisations =
        &app_import_kernel_kinds[KERNEL_ORGANISATIONS];

static bool kind_is(const struct importer *imp, int kernel_kind)
{
	return imp->kind == &app_import_kernel_kinds[kernel_kind];
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Load every code of `st` into a sorted array of fixed-width strings. */
/*
 * Organisation rows check their region and industry against these arrays by binary search, in
 * memory: a query per row would cost a million round trips on a first load.
 */
static enum err load_codes(struct app_ctx *ctx, enum stmt st, size_t width, void **out, size_t *n)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, st, DB_NOARGS, &r);
	if (e)
		return app_db_fail(ctx, e, "codes");
	size_t cap = 1024, k = 0;
	char *codes = xmalloc(cap * width);
	while (db_next(r)) {
		if (k == cap)
			codes = xrealloc(codes, (cap *= 2) * width);
		snprintf(codes + k * width, width, "%s", db_col_text(r, COL_CODE));
		k++;
	}
	if ((e = db_done(r))) {
		free(codes);
		return app_db_fail(ctx, e, "codes");
	}
	qsort(codes, k, width, cmp_code);
	*out = codes;
	*n = k;
	return ERR_OK;
}

/*
 * Importing is for administrators even where the action alone would be allowed (a scoped grant
 * may create organisations): a file writes across every region at once, audited per batch
 * rather than per record.
 */
enum err app_import_begin(struct app_ctx *ctx, const struct app_import_kind *kind,
                          const char *source, struct importer **out)
{
	bool orgs = kind == app_import_organisations;
	enum action act = orgs ? ACT_ORG_CREATE : ACT_REFDATA_WRITE;
	if (!authz_allows(&ctx->actor, act, NULL) || !authz_has_role(&ctx->actor, ROLE_ADMIN))
		return APP_FAIL(ctx, ERR_FORBIDDEN, "", "only administrators may import");
	struct importer *imp = xcalloc(1, sizeof *imp);
	imp->ctx = ctx;
	imp->kind = kind;
	imp->source = source;
	imp->defs = kind->fields(&imp->ndefs);
	enum err e = ERR_OK;
	if (imp->ndefs > IMPORT_FIELDS_MAX) /* a module's field table outgrew the row */
		e = APP_FAIL(ctx, ERR_INTERNAL, "", "%s: more than %d columns", kind->name,
		             IMPORT_FIELDS_MAX);
	/* a bulk load reads the code sets inside its transaction: they cannot change under it */
	if (!e && orgs && !(e = bulk_begin(imp)) &&
	    !(e = load_codes(ctx, STMT_REGION_ALL_CODES, 7, (void **)&imp->regions,
	                     &imp->nregions)))
		e = load_codes(ctx, STMT_INDUSTRY_ALL_CODES, 6, (void **)&imp->industries,
		               &imp->nindustries);
	if (e) {
		app_import_abort(imp);
		return e;
	}
	/* pre-validated bulk rows need none; elsewhere only a store that aborts needs them */
	imp->savepoints = !imp->bulk && !db_statement_undo(ctx->conn);
	*out = imp;
	return ERR_OK;
}

/*
 * The header is checked once for the file: an unknown or repeated column refuses the whole
 * file, not every row. The known extra columns of public files and of our own exports are
 * accepted and ignored.
 */
enum err app_import_columns(struct importer *imp, const char *const *names, int n,
                            struct err_detail *d)
{
	if (n > LIMIT_CSV_COLUMNS)
		return err_set(d, ERR_INVALID, "", "more than %d columns", LIMIT_CSV_COLUMNS);
	bool seen[IMPORT_FIELDS_MAX] = {0};
	imp->ncol = n;
	for (int i = 0; i < n; i++) {
		int f = fields_find(imp->defs, imp->ndefs, names[i]);
		if (f >= 0) {
			if (seen[f])
				return err_set(d, ERR_INVALID, names[i], "is a repeated column");
			seen[f] = true;
			imp->col_field[i] = f;
			continue;
		}
		imp->col_field[i] = COL_IGNORED;
		if (kind_is(imp, KERNEL_INDUSTRIES) && !strcmp(names[i], "section")) {
			imp->col_field[i] = COL_SECTION;
			continue;
		}
		const char *const *ig = imp->kind->ignored;
		while (ig && *ig && strcmp(*ig, names[i]))
			ig++;
		if (!ig || !*ig)
			return err_set(d, ERR_INVALID, names[i], "is not a column of %s",
			               imp->kind->name);
	}
	for (size_t f = 0; f < imp->ndefs; f++) {
		bool required = imp->defs[f].flags & FD_REQUIRED;
		if (kind_is(imp, KERNEL_ORGANISATIONS) && f == ORG_KIND)
			required = false; /* defaults to enterprise */
		if (required && !seen[f])
			return err_set(d, ERR_INVALID, imp->defs[f].name, "column is missing");
	}
	imp->has_kind = kind_is(imp, KERNEL_ORGANISATIONS) && seen[ORG_KIND];
	return ERR_OK;
}

static enum err tx_begin(struct importer *imp)
{
	enum err e = db_begin_write(imp->ctx->conn);
	if (e)
		return app_db_fail(imp->ctx, e, "import");
	imp->in_tx = true;
	return ERR_OK;
}

static void batch_begin(struct importer *imp, long line)
{
	imp->in_batch = true;
	imp->batch_rows = imp->batch_created = imp->batch_updated = 0;
	imp->first_line = line;
	crypto_generichash_init(&imp->digest, NULL, 0, 32);
}

/* The audit record of the open batch: source, lines, counts, digest of the rows. */
static enum err batch_audit(struct importer *imp)
{
	unsigned char h[32];
	char hex[2 * sizeof h + 1];
	crypto_generichash_final(&imp->digest, h, sizeof h);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b);
	jw_obj_open(&w);
	jw_kstr(&w, "source", imp->source);
	jw_ki64(&w, "first_line", imp->first_line);
	jw_ki64(&w, "last_line", imp->last_line);
	jw_ki64(&w, "rows", imp->batch_rows);
	jw_ki64(&w, "created", imp->batch_created);
	jw_ki64(&w, "updated", imp->batch_updated);
	jw_kstr(&w, "rows_blake2b", hex);
	jw_kbool(&w, "bulk", imp->bulk);
	jw_obj_close(&w);
	enum err e = app_audit(imp->ctx, "import", imp->kind->entity, "*", NULL, buf_str(&b));
	buf_free(&b);
	if (!e && imp->kind->batch_done)
		e = imp->kind->batch_done(imp->ctx);
	return e;
}

/* Close the open batch: audit it, and commit it unless this is a bulk load. */
static enum err batch_close(struct importer *imp)
{
	struct app_ctx *ctx = imp->ctx;
	enum err e = ERR_OK;
	/* a bulk load's deferred rows fail here, if at all: that ends the load */
	if (imp->bulk && imp->in_tx && db_flush(ctx->conn))
		return app_db_fail(ctx, ERR_DB, "import");
	if (imp->in_batch) {
		imp->in_batch = false;
		imp->st.created += imp->batch_created;
		imp->st.updated += imp->batch_updated;
		if (imp->batch_rows)
			e = batch_audit(imp);
	}
	if (!imp->bulk && imp->in_tx) {
		imp->in_tx = false;
		if (!e && (e = db_commit(ctx->conn)))
			e = app_db_fail(ctx, e, "import commit");
		if (e)
			db_rollback(ctx->conn);
	}
	/*
	 * the context's arena would otherwise grow with the file: a batch's strings are not needed
	 * after it
	 */
	arena_reset(&ctx->arena);
	return e;
}

/*
 * An empty organisation table takes the fast path: one transaction, indexes
 * dropped now and rebuilt (sorted, not row by row) at the end, ids chosen
 * here and duplicate credit codes found in memory.
 */
static enum err bulk_begin(struct importer *imp)
{
	struct app_ctx *ctx = imp->ctx;
	struct db_rows *r;
	int64_t any = 1;
	enum err e = db_query(ctx->conn, STMT_ORG_ANY, DB_NOARGS, &r);
	if (e)
		return app_db_fail(ctx, e, "import");
	if (db_next(r))
		any = db_col_i64(r, COL_COUNT);
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "import");
	if (any)
		return ERR_OK;
	db_bulk_tune(ctx->conn, true); /* before the transaction: some settings need that */
	imp->bulk = true;
	if ((e = tx_begin(imp)))
		return e;
	if ((e = db_query(ctx->conn, STMT_ORG_MAX_ID, DB_NOARGS, &r)))
		return app_db_fail(ctx, e, "import");
	imp->next_id = (db_next(r) ? db_col_i64(r, COL_MAX_ID) : 0) + 1;
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "import");
	if ((e = db_indexes_drop(ctx->conn, "organisations", &imp->saved_indexes)))
		return app_db_fail(ctx, e, "import indexes");
	return ERR_OK;
}

/* Finish a bulk load: rebuild the indexes, move the id sequence, commit. */
/*
 * On PostgreSQL the identity sequence still stands where it was, since the ids were chosen
 * here: ORG_ID_SYNC moves it past them so later inserts do not collide (a no-op on SQLite).
 */
static enum err bulk_end(struct importer *imp)
{
	struct app_ctx *ctx = imp->ctx;
	enum err e = db_indexes_create(ctx->conn, imp->saved_indexes);
	if (e)
		return app_db_fail(ctx, e, "import indexes");
	struct db_rows *r;
	if ((e = db_query(ctx->conn, STMT_ORG_ID_SYNC, DB_NOARGS, &r)))
		return app_db_fail(ctx, e, "import");
	while (db_next(r))
		;
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "import");
	imp->in_tx = false;
	if ((e = db_commit(ctx->conn)))
		return app_db_fail(ctx, e, "import commit");
	return ERR_OK;
}

static bool has_code(const void *codes, size_t n, size_t width, const char *code)
{
	char key[8] = {0};
	snprintf(key, sizeof key, "%s", code);
	return bsearch(key, codes, n, width, cmp_code) != NULL;
}

/* The value of field f in this row, NULL if the file has no such column. */
static const char *row_value(const struct importer *imp, const char *const *values, int n, int f)
{
	for (int i = 0; i < n && i < imp->ncol; i++)
		if (imp->col_field[i] == f)
			return values[i];
	return NULL;
}

/* Validate row text into vals; columns the file lacks stay unset. */
static enum err row_fields(const struct importer *imp, const char *const *values, int n,
                           struct field_val *vals, struct arena *mem, struct err_detail *d)
{
	memset(vals, 0, sizeof *vals * imp->ndefs);
	for (int i = 0; i < n && i < imp->ncol; i++) {
		int f = imp->col_field[i];
		if (f < 0 || !values[i])
			continue;
		const char *v = values[i];
		/*
		 * public industry files give the section letter in its own column and the code as
		 * digits: put the letter back in front
		 */
		if (kind_is(imp, KERNEL_INDUSTRIES) && f == INDUSTRY_F_CODE) {
			const char *section = row_value(imp, values, n, COL_SECTION);
			if (section && v[0] >= '0' && v[0] <= '9')
				v = arena_printf(mem, "%s%s", section, v);
		}
		enum err e = fields_set_text(&imp->defs[f], v, &vals[f], mem, d);
		if (e)
			return e;
	}
	return fields_require(imp->defs, imp->ndefs, vals, d);
}

/* Whether `st` (a get-by-code statement) finds `code`. */
static enum err code_exists(struct importer *imp, enum stmt st, const char *code, bool *found)
{
	struct db_rows *r;
	enum err e = db_query(imp->ctx->conn, st, DB_ARGS(DB_TEXT(code)), &r);
	if (e)
		return e;
	*found = db_next(r);
	return db_done(r);
}

/*
 * The look-up only tells created from updated for the counts; the upsert writes either way. A
 * missing enclosing region is the foreign key refusing the row (ERR_INVALID), hence the advice
 * on the order of imports.
 */
static enum err apply_region(struct importer *imp, struct field_val *v, struct err_detail *d)
{
	char code[7], parent[7];
	const char *level;
	enum err e = region_derive(v[REGION_F_CODE].s, code, &level, parent, d);
	if (e)
		return e;
	bool existed;
	if ((e = code_exists(imp, STMT_REGION_GET, code, &existed)))
		return e;
	e = db_exec(imp->ctx->conn, STMT_REGION_UPSERT,
	            DB_ARGS(DB_TEXT(code), DB_TEXT(v[REGION_F_NAME].s),
	                    DB_TEXT(v[REGION_F_NAME_EN].s), DB_TEXT(level),
	                    DB_TEXT(parent[0] ? parent : NULL)),
	            NULL);
	if (e == ERR_INVALID)
		return err_set(d, e, "code",
		               "the enclosing region %s is not loaded: import it first", parent);
	if (!e)
		*(existed ? &imp->batch_updated : &imp->batch_created) += 1;
	return e;
}

/* As apply_region, for the industry code tree. */
static enum err apply_industry(struct importer *imp, struct field_val *v, struct err_detail *d)
{
	int level;
	char parent[6];
	enum err e = industry_derive(v[INDUSTRY_F_CODE].s, &level, parent, d);
	if (e)
		return e;
	bool existed;
	if ((e = code_exists(imp, STMT_INDUSTRY_GET, v[INDUSTRY_F_CODE].s, &existed)))
		return e;
	e = db_exec(imp->ctx->conn, STMT_INDUSTRY_UPSERT,
	            DB_ARGS(DB_TEXT(v[INDUSTRY_F_CODE].s), DB_TEXT(v[INDUSTRY_F_NAME].s),
	                    DB_TEXT(v[INDUSTRY_F_NAME_EN].s), DB_INT(level),
	                    DB_TEXT(parent[0] ? parent : NULL),
	                    DB_TEXT(v[INDUSTRY_F_DESCRIPTION].s)),
	            NULL);
	if (e == ERR_INVALID)
		return err_set(d, e, "code",
		               "the enclosing industry %s is not loaded: import it first", parent);
	if (!e)
		*(existed ? &imp->batch_updated : &imp->batch_created) += 1;
	return e;
}

#define ORG_ROW_ARGS(o)                                                                            \
	DB_TEXT((o)->f[ORG_KIND]), DB_TEXT((o)->f[ORG_CREDIT_CODE]), DB_TEXT((o)->f[ORG_NAME]),    \
	        DB_TEXT((o)->f[ORG_NAME_EN]), DB_TEXT((o)->f[ORG_REGION_CODE]),                    \
	        DB_TEXT((o)->f[ORG_INDUSTRY_CODE]), DB_TEXT((o)->f[ORG_REGISTERED_ON]),            \
	        DB_TEXT((o)->f[ORG_SIZE_CLASS]), DB_TEXT((o)->f[ORG_ADDRESS]),                     \
	        DB_TEXT((o)->f[ORG_WEBSITE])

/*
 * The id of the organisation with this credit code, or 0. In a bulk load the
 * table held nothing but what this load wrote, so the map answers, and *slot
 * is the code's entry, for the caller to fill once the row is written.
 */
static enum err org_by_code(struct importer *imp, const char *code, int64_t *id, int64_t **slot)
{
	*id = 0;
	*slot = NULL;
	if (!code)
		return ERR_OK;
	if (imp->bulk) {
		bool added;
		*slot = strmap_upsert(&imp->codes, code, 0, &added);
		*id = **slot;
		return ERR_OK;
	}
	struct db_rows *r;
	enum err e = db_query(imp->ctx->conn, STMT_ORG_ID_BY_CREDIT, DB_ARGS(DB_TEXT(code)), &r);
	if (e)
		return e;
	if (db_next(r))
		*id = db_col_i64(r, COL_ID);
	return db_done(r);
}

/* Update organisation id, or insert a new one (its id in *id). */
/*
 * The inserts outside a bulk load use the statement without RETURNING: nothing needs the new
 * id, and a RETURNING row per inserted row costs time on a large file.
 */
static enum err org_write(struct importer *imp, const struct org *o, int64_t *id)
{
	struct app_ctx *ctx = imp->ctx;
	struct db_conn *c = ctx->conn;
	enum err e;
	if (*id) {
		e = db_exec(c, STMT_ORG_IMPORT_UPDATE,
		            DB_ARGS(ORG_ROW_ARGS(o), DB_TEXT(ctx->now_s), DB_INT(*id)), NULL);
		imp->batch_updated += !e;
	} else if (imp->bulk) {
		/* checked rows into an empty table: the store's answer can wait (batch_close) */
		e = db_exec_deferred(c, STMT_ORG_INSERT_ID,
		                     DB_ARGS(DB_INT(imp->next_id), ORG_ROW_ARGS(o),
		                             DB_TEXT(ctx->now_s), DB_TEXT(ctx->now_s)));
		if (e)
			e = ERR_DB; /* this row's or an earlier one's: either way the load ends */
		if (!e)
			*id = imp->next_id++;
		imp->batch_created += !e;
	} else {
		e = db_exec(c, STMT_ORG_INSERT_NORET,
		            DB_ARGS(ORG_ROW_ARGS(o), DB_TEXT(ctx->now_s), DB_TEXT(ctx->now_s)),
		            NULL);
		imp->batch_created += !e;
	}
	return e;
}

/*
 * The file's columns are applied over the stored record (or a new one) and the result is
 * validated whole, so the cross-field rules see exactly what will be stored.
 */
static enum err apply_org(struct importer *imp, struct field_val *v, struct err_detail *d)
{
	struct app_ctx *ctx = imp->ctx;
	int64_t id = 0, *slot;
	const char *code =
	        v[ORG_CREDIT_CODE].set && !v[ORG_CREDIT_CODE].null ? v[ORG_CREDIT_CODE].s : NULL;
	enum err e = org_by_code(imp, code, &id, &slot);
	if (e)
		return e;
	struct org o = {0};
	if (id) {
		/* an update keeps what the file does not mention */
		if ((e = app_org_load(ctx, id, &o)))
			return e;
	} else if (!imp->has_kind) {
		o.f[ORG_KIND] = "enterprise";
	}
	org_apply(&o, v);
	if ((e = org_validate(&o, ctx->today, d)))
		return e;
	if (id && code && o.f[ORG_CREDIT_CODE] && strcmp(code, o.f[ORG_CREDIT_CODE]))
		return err_set(d, ERR_INVALID, "credit_code", "cannot change on import");
	e = org_write(imp, &o, &id);
	if (slot && !e)
		*slot = id; /* later rows with this code update this organisation */
	if (e == ERR_CONFLICT)
		return err_set(d, e, "credit_code", "is used by another organisation");
	return e;
}

/* A module's row, written by its kind's apply. */
static enum err apply_module(struct importer *imp, struct field_val *v, struct err_detail *d)
{
	bool created;
	enum err e = imp->kind->apply(imp->ctx, v, &created, d);
	if (!e)
		*(created ? &imp->batch_created : &imp->batch_updated) += 1;
	return e;
}

/* Codes a row refers to must be loaded (checked here, before any write). */
static enum err org_refs(const struct importer *imp, const struct field_val *v,
                         struct err_detail *d)
{
	const struct field_val *rg = &v[ORG_REGION_CODE], *in = &v[ORG_INDUSTRY_CODE];
	if (rg->set && !rg->null && !has_code(imp->regions, imp->nregions, 7, rg->s))
		return err_set(d, ERR_INVALID, "region_code", "no region %s (import regions first)",
		               rg->s);
	if (in->set && !in->null && !has_code(imp->industries, imp->nindustries, 6, in->s))
		return err_set(d, ERR_INVALID, "industry_code",
		               "no industry %s (import industries first)", in->s);
	return ERR_OK;
}

/* Hash a row's line and values; done while checking, off the writing thread. */
static void row_hash(struct import_row *row)
{
	crypto_generichash_state st;
	int64_t line = row->line;
	crypto_generichash_init(&st, NULL, 0, sizeof row->hash);
	crypto_generichash_update(&st, (const unsigned char *)&line, sizeof line);
	crypto_generichash_update(&st, (const unsigned char *)row->block, row->block_len);
	crypto_generichash_final(&st, row->hash, sizeof row->hash);
}

struct import_row *import_row_new(void)
{
	return xcalloc(1, sizeof(struct import_row));
}

void import_row_free(struct import_row *row)
{
	if (!row)
		return;
	arena_free(&row->mem);
	free(row);
}

/*
 * Runs on the reader thread (app_import_pipe.c): it reads only what app_import_columns and
 * app_import_begin fixed (column map, code sets) and never touches the connection.
 */
void app_import_prepare(const struct importer *imp, long line, const char *const *values, int n,
                        struct import_row *row)
{
	arena_reset(&row->mem);
	row->line = line;
	row->n = n;
	err_clear(&row->d);
	/* one block holds the values, NUL-terminated (0x1E for an absent one): one copy, one hash */
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += values[i] ? strlen(values[i]) + 1 : 1;
	row->raw = arena_alloc(&row->mem, sizeof *row->raw * (size_t)(n ? n : 1));
	char *q = row->block = arena_alloc(&row->mem, total ? total : 1);
	row->block_len = total;
	for (int i = 0; i < n; i++) {
		if (!values[i]) {
			row->raw[i] = NULL;
			*q++ = '\x1e';
			continue;
		}
		size_t len = strlen(values[i]) + 1;
		memcpy(q, values[i], len);
		row->raw[i] = q;
		q += len;
	}
	if (n != imp->ncol)
		row->err = err_set(&row->d, ERR_INVALID, "", "has %d fields, the header has %d", n,
		                   imp->ncol);
	else if (!(row->err = row_fields(imp, row->raw, n, row->vals, &row->mem, &row->d)) &&
	         kind_is(imp, KERNEL_ORGANISATIONS))
		row->err = org_refs(imp, row->vals, &row->d);
	row->d.line = line;
	row_hash(row);
}

/* Run a checked row's statements, undoing them all if any fails. */
static enum err apply_row(struct importer *imp, struct import_row *row, struct err_detail *d)
{
	struct app_ctx *ctx = imp->ctx;
	enum err e;
	if (imp->savepoints && (e = db_exec(ctx->conn, STMT_SAVEPOINT, DB_NOARGS, NULL)))
		return app_db_fail(ctx, e, "import");
	enum err res;
	if (imp->kind->apply)
		res = apply_module(imp, row->vals, d);
	else if (kind_is(imp, KERNEL_REGIONS))
		res = apply_region(imp, row->vals, d);
	else if (kind_is(imp, KERNEL_INDUSTRIES))
		res = apply_industry(imp, row->vals, d);
	else
		res = apply_org(imp, row->vals, d);
	if (res && !d->message[0])
		err_set(d, res, "", "%s", db_last_error(ctx->conn));
	if (imp->savepoints) {
		if (res && (e = db_exec(ctx->conn, STMT_SAVEPOINT_ROLLBACK, DB_NOARGS, NULL)))
			return app_db_fail(ctx, e, "import");
		if ((e = db_exec(ctx->conn, STMT_SAVEPOINT_RELEASE, DB_NOARGS, NULL)))
			return app_db_fail(ctx, e, "import");
	} else if (res && imp->bulk && (res == ERR_DB || res == ERR_UNAVAILABLE)) {
		return res; /* a bulk load has no savepoints: a store failure ends it */
	}
	/* a store failure on one row (SQLite undid the statement) skips the row */
	return res == ERR_DB || res == ERR_IO || res == ERR_UNAVAILABLE ? ERR_INVALID : res;
}

/* Add an applied row to the batch digest (a hash of the rows' hashes, in order). */
static void digest_row(struct importer *imp, const struct import_row *row)
{
	crypto_generichash_update(&imp->digest, row->hash, sizeof row->hash);
}

/*
 * A store failure that ends the import (ERR_DB, ERR_UNAVAILABLE) is not counted as a failed
 * row: it is not the row's fault, and nothing more will be applied.
 */
enum err app_import_apply(struct importer *imp, struct import_row *row, struct err_detail *d)
{
	enum err e;
	err_clear(d);
	d->line = row->line;
	imp->st.rows++;
	if (row->err) {
		*d = row->d;
		imp->st.failed++;
		return row->err;
	}
	if (!imp->in_tx && (e = tx_begin(imp)))
		return e;
	if (!imp->in_batch)
		batch_begin(imp, row->line);
	if ((e = apply_row(imp, row, d))) {
		d->line = row->line;
		if (e != ERR_DB && e != ERR_UNAVAILABLE)
			imp->st.failed++;
		return e;
	}
	digest_row(imp, row);
	unsigned long changed = fields_changed(row->vals, imp->ndefs);
	imp->st.text_changed += (long)changed;
	imp->st.text_rows += changed > 0;
	imp->batch_rows++;
	imp->last_line = row->line;
	if (imp->batch_rows >= IMPORT_BATCH && (e = batch_close(imp))) {
		*d = imp->ctx->err;
		d->line = row->line;
		return e;
	}
	return ERR_OK;
}

/*
 * The one-thread path (JSON Lines, the demo data): one scratch row, prepared and applied in
 * turn.
 */
enum err app_import_row(struct importer *imp, long line, const char *const *values, int n,
                        struct err_detail *d)
{
	if (!imp->scratch)
		imp->scratch = import_row_new();
	app_import_prepare(imp, line, values, n, imp->scratch);
	return app_import_apply(imp, imp->scratch, d);
}

enum err app_import_end(struct importer *imp, struct import_stats *stats)
{
	enum err e = batch_close(imp);
	if (!e && imp->bulk)
		e = bulk_end(imp);
	*stats = imp->st;
	app_import_abort(imp);
	return e;
}

void app_import_abort(struct importer *imp)
{
	if (!imp)
		return;
	if (imp->in_tx)
		db_rollback(imp->ctx->conn);
	if (imp->bulk)
		db_bulk_tune(imp->ctx->conn, false); /* after the transaction ended */
	free(imp->regions);
	free(imp->industries);
	free(imp->saved_indexes);
	strmap_free(&imp->codes);
	import_row_free(imp->scratch);
	free(imp);
}
