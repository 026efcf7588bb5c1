/* app_market: import, read, index and match listings and demands. */
#include "app/market/app_market.h"
#include "app/market/app_market_items.h"

#include "app/app_module.h"
#include "app/market/app_market_store.h"

#include "app/app_pii.h"
#include "app/app_tx.h"
#include "db/db.h"
#include "lib/num.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const enum stmt by_ref[MARKET__KINDS] = {STMT_LISTING_BY_REF, STMT_DEMAND_BY_REF};
static const enum stmt all_rows[MARKET__KINDS] = {STMT_LISTING_ALL, STMT_DEMAND_ALL};
static const enum stmt insert_row[MARKET__KINDS] = {STMT_LISTING_INSERT, STMT_DEMAND_INSERT};
static const enum stmt update_row[MARKET__KINDS] = {STMT_LISTING_UPDATE, STMT_DEMAND_UPDATE};

/*
 * Where an item's values sit in a row of its kind (LISTING_ROW / DEMAND_ROW in
 * stmt_market.def): each field by its field enum, then the record's own columns.
 */
static const struct item_cols {
	int field[MARKET_FIELDS_MAX];
	int id, created_at, updated_at, version, published_at, expires_at, org_name;
} item_cols[MARKET__KINDS] = {
        [MARKET_LISTING] =
                {
                        .field =
                                {
                                        [MARKET_F_REF] = COL_LISTING_REF,
                                        [MARKET_F_TITLE] = COL_LISTING_TITLE,
                                        [MARKET_F_TITLE_EN] = COL_LISTING_TITLE_EN,
                                        [MARKET_F_DESCRIPTION] = COL_LISTING_DESCRIPTION,
                                        [MARKET_F_DESCRIPTION_EN] = COL_LISTING_DESCRIPTION_EN,
                                        [MARKET_F_FIELD] = COL_LISTING_FIELD,
                                        [MARKET_F_INDUSTRY_CODE] = COL_LISTING_INDUSTRY_CODE,
                                        [MARKET_F_REGION_CODE] = COL_LISTING_REGION_CODE,
                                        [MARKET_F_MODES] = COL_LISTING_MODES,
                                        [MARKET_F_STATUS] = COL_LISTING_STATUS,
                                        [MARKET_F_ORG_ID] = COL_LISTING_ORG_ID,
                                        [LISTING_F_TRL] = COL_LISTING_TRL,
                                        [LISTING_F_IP] = COL_LISTING_IP,
                                        [LISTING_F_ADVANTAGE] = COL_LISTING_ADVANTAGE,
                                        [LISTING_F_COMMERCIAL_ROUTE] = COL_LISTING_COMMERCIAL_ROUTE,
                                        [LISTING_F_ASKING_FEN] = COL_LISTING_ASKING_FEN,
                                        [LISTING_F_CONTACT] = COL_LISTING_CONTACT,
                                },
                        .id = COL_LISTING_ID,
                        .created_at = COL_LISTING_CREATED_AT,
                        .updated_at = COL_LISTING_UPDATED_AT,
                        .version = COL_LISTING_VERSION,
                        .published_at = COL_LISTING_PUBLISHED_AT,
                        .expires_at = COL_LISTING_EXPIRES_AT,
                        .org_name = COL_LISTING_ORG_NAME,
                },
        [MARKET_DEMAND] =
                {
                        .field =
                                {
                                        [MARKET_F_REF] = COL_DEMAND_REF,
                                        [MARKET_F_TITLE] = COL_DEMAND_TITLE,
                                        [MARKET_F_TITLE_EN] = COL_DEMAND_TITLE_EN,
                                        [MARKET_F_DESCRIPTION] = COL_DEMAND_DESCRIPTION,
                                        [MARKET_F_DESCRIPTION_EN] = COL_DEMAND_DESCRIPTION_EN,
                                        [MARKET_F_FIELD] = COL_DEMAND_FIELD,
                                        [MARKET_F_INDUSTRY_CODE] = COL_DEMAND_INDUSTRY_CODE,
                                        [MARKET_F_REGION_CODE] = COL_DEMAND_REGION_CODE,
                                        [MARKET_F_MODES] = COL_DEMAND_MODES,
                                        [MARKET_F_STATUS] = COL_DEMAND_STATUS,
                                        [MARKET_F_ORG_ID] = COL_DEMAND_ORG_ID,
                                        [DEMAND_F_TYPE] = COL_DEMAND_TYPE,
                                        [DEMAND_F_TRL_MIN] = COL_DEMAND_TRL_MIN,
                                        [DEMAND_F_TRL_MAX] = COL_DEMAND_TRL_MAX,
                                        [DEMAND_F_BUDGET_MIN_FEN] = COL_DEMAND_BUDGET_MIN_FEN,
                                        [DEMAND_F_BUDGET_MAX_FEN] = COL_DEMAND_BUDGET_MAX_FEN,
                                        [DEMAND_F_DEADLINE] = COL_DEMAND_DEADLINE,
                                },
                        .id = COL_DEMAND_ID,
                        .created_at = COL_DEMAND_CREATED_AT,
                        .updated_at = COL_DEMAND_UPDATED_AT,
                        .version = COL_DEMAND_VERSION,
                        .published_at = COL_DEMAND_PUBLISHED_AT,
                        .expires_at = COL_DEMAND_EXPIRES_AT,
                        .org_name = COL_DEMAND_ORG_NAME,
                },
};
/* the writes bind the fields in field order (market_field_args): so must the rows list them */
_Static_assert(COL_LISTING_CONTACT == (int)LISTING_F_CONTACT &&
                       (int)COL_DEMAND_DEADLINE == (int)DEMAND_F_DEADLINE &&
                       (int)COL_LISTING_ID == (int)LISTING__NFIELDS &&
                       (int)COL_DEMAND_ID == (int)DEMAND__NFIELDS,
               "a row lists the fields in field order, then the record's columns");

/* A row of a kind's statements into it; strings copied into a when a is given. */
/*
 * Without an arena the strings point into the current row and last until the next one: the
 * index load (load_kind) needs nothing longer, as ix_put analyses the text and copies the ref
 * at once.
 */
static void item_from_row(struct db_rows *r, enum market_kind k, struct market_item *it,
                          struct arena *a)
{
	const struct item_cols *c = &item_cols[k];
	size_t n;
	market_fields(k, &n);
	memset(it, 0, sizeof *it);
	it->kind = k;
	for (size_t i = 0; i < n; i++) {
		const char *s = db_col_text(r, c->field[i]);
		it->f[i] = a ? arena_strdup(a, s) : s;
	}
	it->id = db_col_i64(r, c->id);
	it->created_at = a ? arena_strdup(a, db_col_text(r, c->created_at)) : NULL;
	it->updated_at = a ? arena_strdup(a, db_col_text(r, c->updated_at)) : NULL;
	it->version = db_col_i64(r, c->version);
	if (a) {
		it->published_at = arena_strdup(a, db_col_text(r, c->published_at));
		it->expires_at = arena_strdup(a, db_col_text(r, c->expires_at));
		it->org_name = arena_strdup(a, db_col_text(r, c->org_name));
	}
}

static void listing_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct market_item *it = item;
	item_from_row(r, MARKET_LISTING, it, &ctx->arena);
	it->f[LISTING_F_CONTACT] = app_pii_open(ctx, PII_LISTING_CONTACT, it->f[LISTING_F_CONTACT]);
}

static void demand_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	item_from_row(r, MARKET_DEMAND, item, &ctx->arena);
}

app_row_fn *const market_item_row[MARKET__KINDS] = {listing_row, demand_row};

enum err app_market_get(struct app_ctx *ctx, enum market_kind k, const char *ref,
                        struct market_item *out)
{
	bool found;
	enum err e = app_row_find(ctx, by_ref[k], DB_ARGS(DB_TEXT(ref)), market_item_row[k], out,
	                          "market", &found);
	if (!e && !found)
		e = APP_FAIL(ctx, ERR_NOT_FOUND, "ref", "no %s %s",
		             k == MARKET_LISTING ? "listing" : "demand", ref);
	return e;
}

/* Integer fields (TRL, amounts) are bound as integers, so both stores compare them as numbers. */
size_t market_field_args(struct app_ctx *ctx, const struct market_item *it, struct db_val *v)
{
	size_t n;
	market_fields(it->kind, &n);
	for (size_t i = 0; i < n; i++) {
		int64_t x;
		if (!it->f[i])
			v[i] = DB_NULL;
		else if (market_field_is_int(it->kind, (int)i) &&
		         num_parse(it->f[i], INT64_MIN, INT64_MAX, &x))
			v[i] = DB_INT(x);
		else if (it->kind == MARKET_LISTING && i == LISTING_F_CONTACT) /* personal data */
			v[i] = DB_TEXT(app_pii_seal(ctx, PII_LISTING_CONTACT, it->f[i]));
		else
			v[i] = DB_TEXT(it->f[i]);
	}
	return n;
}

/* The statement arguments of an import: the fields, then the instants and the id. */
static size_t item_args(struct app_ctx *ctx, const struct market_item *it, struct db_val *v,
                        bool insert)
{
	const char *now = ctx->now_s;
	size_t n = market_field_args(ctx, it, v);
	v[n++] = DB_TEXT(now);
	if (insert)
		v[n++] = DB_TEXT(now);
	else
		v[n++] = DB_INT(it->id);
	return n;
}

/*
 * The look-up's "not found" is the normal case of a new ref: ctx->err is restored so it does
 * not reach the report. Rows are not audited one by one: the import audits each batch
 * (app_import.c), and the kind's batch_done moves the generation so servers rebuild their
 * index.
 */
enum err app_market_import_row(struct app_ctx *ctx, enum market_kind k,
                               const struct field_val *vals, bool *created, struct err_detail *d)
{
	struct market_item it = {.kind = k};
	enum err e = ERR_OK;
	const char *ref = vals[MARKET_F_REF].s;
	struct err_detail keep = ctx->err;
	e = app_market_get(ctx, k, ref, &it);
	ctx->err = keep;
	if (e && e != ERR_NOT_FOUND)
		return e;
	*created = e == ERR_NOT_FOUND;
	it.kind = k;
	market_apply(&it, vals, &ctx->arena);
	if (!it.f[MARKET_F_STATUS])
		it.f[MARKET_F_STATUS] =
		        "published"; /* imports load collections that are public already */
	if ((e = market_validate(&it, d)))
		return e;
	struct db_val args[MARKET_FIELDS_MAX + 2];
	size_t na = item_args(ctx, &it, args, *created);
	e = db_exec(ctx->conn, *created ? insert_row[k] : update_row[k], args, na, NULL);
	if (e == ERR_INVALID)
		return err_set(d, e, "",
		               "org_id, region_code or industry_code names no stored record");
	if (e == ERR_CONFLICT)
		return err_set(d, e, "ref", "is used by another item");
	return e;
}

/*
 * The index sees both languages of the title and the description; a listing's advantage counts
 * as description text.
 */
void app_market_doc(const struct market_item *it, struct ix_doc *doc)
{
	memset(doc, 0, sizeof *doc);
	doc->ref = it->f[MARKET_F_REF];
	doc->text[IX_TITLE][0] = it->f[MARKET_F_TITLE];
	doc->text[IX_TITLE][1] = it->f[MARKET_F_TITLE_EN];
	doc->text[IX_BODY][0] = it->f[MARKET_F_DESCRIPTION];
	doc->text[IX_BODY][1] = it->f[MARKET_F_DESCRIPTION_EN];
	if (it->kind == MARKET_LISTING)
		doc->text[IX_BODY][2] = it->f[LISTING_F_ADVANTAGE];
	market_attrs_of(it, &doc->attrs);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * Rows are indexed as they are read, without a copy per item (item_from_row without an arena):
 * memory stays flat while a million rows load.
 */
static enum err load_kind(struct app_ctx *ctx, struct market_engine *e, enum market_kind k)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct db_rows *r;
	enum err err = db_query(ctx->conn, all_rows[k], DB_NOARGS, &r);
	if (err)
		return app_db_fail(ctx, err, "market index");
	while (db_next(r)) {
		struct market_item it;
		struct ix_doc doc;
		item_from_row(r, k, &it, NULL);
		app_market_doc(&it, &doc);
		ix_put(e->ix[k], &doc);
	}
	if ((err = db_done(r)))
		return app_db_fail(ctx, err, "market index");
	ix_finish(e->ix[k]);
	e->load_ms[k] = ms_since(&t0);
	return ERR_OK;
}

void app_market_item_row(struct app_ctx *ctx, struct db_rows *r, enum market_kind k,
                         struct market_item *it)
{
	item_from_row(r, k, it, &ctx->arena);
	if (k == MARKET_LISTING)
		it->f[LISTING_F_CONTACT] =
		        app_pii_open(ctx, PII_LISTING_CONTACT, it->f[LISTING_F_CONTACT]);
}

/*
 * Run a one-row statement on market_state: *gen gets the generation, *days (if
 * not NULL) the publication period in days.
 */
static enum err state_row(struct app_ctx *ctx, enum stmt id, int64_t *gen, int64_t *days)
{
	_Static_assert(COL_MARKET_STATE_GENERATION == (int)COL_MARKET_GEN,
	               "the state's row and the bump's start with the generation");
	struct db_rows *r;
	enum err e = db_query(ctx->conn, id, DB_NOARGS, &r);
	if (e)
		return app_db_fail(ctx, e, "market state");
	bool got = db_next(r);
	*gen = got ? db_col_i64(r, COL_MARKET_STATE_GENERATION) : 0;
	if (days)
		*days = got ? db_col_i64(r, COL_MARKET_STATE_PUBLISH_DAYS) : 180;
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "market state");
	return ERR_OK;
}

static enum err market_state(struct app_ctx *ctx, int64_t *gen)
{
	return state_row(ctx, STMT_MARKET_STATE, gen, NULL);
}

enum err app_market_publish_days(struct app_ctx *ctx, int64_t *days)
{
	int64_t gen;
	return state_row(ctx, STMT_MARKET_STATE, &gen, days);
}

enum err app_market_load(struct app_ctx *ctx, struct market_engine **out)
{
	int64_t gen;
	return app_market_load_gen(ctx, out, &gen);
}

/*
 * One read transaction: the generation and the rows come from the same snapshot, so the index
 * is exactly as current as the generation it claims.
 */
enum err app_market_load_gen(struct app_ctx *ctx, struct market_engine **out, int64_t *gen)
{
	struct market_engine *e = xcalloc(1, sizeof *e);
	e->ta = text_new();
	pthread_mutex_init(&e->ta_mu, NULL);
	for (int k = 0; k < MARKET__KINDS; k++)
		e->ix[k] = ix_new((enum market_kind)k, NULL);
	enum err err = db_begin(ctx->conn);
	if (err) {
		app_market_engine_free(e);
		return app_db_fail(ctx, err, "market index");
	}
	err = market_state(ctx, gen);
	for (int k = 0; k < MARKET__KINDS && !err; k++)
		err = load_kind(ctx, e, (enum market_kind)k);
	db_rollback(ctx->conn); /* read only */
	if (err) {
		app_market_engine_free(e);
		return err;
	}
	*out = e;
	return ERR_OK;
}

void app_market_engine_free(struct market_engine *e)
{
	if (!e)
		return;
	for (int k = 0; k < MARKET__KINDS; k++)
		ix_free(e->ix[k]);
	text_free(e->ta);
	pthread_mutex_destroy(&e->ta_mu);
	free(e);
}

/*
 * The analyzer (libstemmer state, a stem cache) serves one thread at a time: the engine's
 * mutex covers the search itself only, while filtering and loading the hits run in parallel
 * (docs/ARCHITECTURE.md).
 */
void app_market_ix_search(struct market_engine *e, enum market_kind k, const struct ix_query *q,
                          struct ix_result *out)
{
	pthread_mutex_lock(&e->ta_mu);
	ix_search(e->ix[k], e->ta, q, out);
	pthread_mutex_unlock(&e->ta_mu);
}

/*
 * An item is matched against the other side's published items, with its own text and
 * structured attributes as the query.
 */
void app_market_match(struct market_engine *e, const struct market_item *it, int top,
                      struct ix_result *out)
{
	struct ix_doc doc;
	app_market_doc(it, &doc);
	struct ix_query q = {.k = top, .use_attrs = true, .attrs = doc.attrs};
	memcpy(q.text, doc.text, sizeof q.text);
	q.status_mask = 1u << MARKET_STATUS_PUBLISHED;
	enum market_kind other = it->kind == MARKET_LISTING ? MARKET_DEMAND : MARKET_LISTING;
	app_market_ix_search(e, other, &q, out);
}

/* ---- the live index ---- */

struct market_live {
	pthread_rwlock_t lock;
	struct market_engine *eng; /* NULL until first use */
	int64_t gen;               /* the store's generation eng reflects */
	pthread_mutex_t expiry_mu;
	int64_t next_expiry; /* unix seconds of the next expiry sweep */
};

struct market_live *app_market_live_new(void)
{
	struct market_live *l = xcalloc(1, sizeof *l);
	pthread_rwlock_init(&l->lock, NULL);
	pthread_mutex_init(&l->expiry_mu, NULL);
	return l;
}

void app_market_live_free(struct market_live *l)
{
	if (!l)
		return;
	app_market_engine_free(l->eng);
	pthread_rwlock_destroy(&l->lock);
	pthread_mutex_destroy(&l->expiry_mu);
	free(l);
}

/* Expire due publications at most once a minute per process (cheap when none are due). */
static enum err expiry_sweep(struct app_ctx *ctx, struct market_live *l)
{
	pthread_mutex_lock(&l->expiry_mu);
	bool due = ctx->now >= l->next_expiry;
	if (due)
		l->next_expiry = ctx->now + 60;
	pthread_mutex_unlock(&l->expiry_mu);
	return due ? app_market_expire_due(ctx) : ERR_OK;
}

/*
 * Returns holding the read lock (app_market_read_done releases it). When the store's
 * generation, read in the request's transaction, is ahead of the index, the first reader
 * rebuilds under the write lock while the others wait; the lock is then dropped and taken
 * again for reading, as a rwlock cannot be downgraded.
 */
enum err app_market_read(struct app_ctx *ctx, struct market_engine **out)
{
	struct market_live *l = app_module_state(ctx->app, APP_MOD_MARKET);
	int64_t gen;
	enum err e = expiry_sweep(ctx, l);
	if (!e)
		e = market_state(ctx, &gen);
	if (e)
		return e;
	pthread_rwlock_rdlock(&l->lock);
	if (l->eng && l->gen == gen) {
		*out = l->eng;
		return ERR_OK;
	}
	pthread_rwlock_unlock(&l->lock);
	pthread_rwlock_wrlock(&l->lock);
	if (!l->eng || l->gen != gen) { /* another thread may have rebuilt it meanwhile */
		struct market_engine *fresh;
		int64_t got;
		e = app_market_load_gen(ctx, &fresh, &got);
		if (!e) {
			app_market_engine_free(l->eng);
			l->eng = fresh;
			l->gen = got;
		}
	}
	pthread_rwlock_unlock(&l->lock);
	if (e)
		return e;
	pthread_rwlock_rdlock(&l->lock);
	*out = l->eng;
	return ERR_OK;
}

void app_market_read_done(struct app_ctx *ctx)
{
	struct market_live *l = app_module_state(ctx->app, APP_MOD_MARKET);
	pthread_rwlock_unlock(&l->lock);
}

/*
 * Called inside the change's write transaction, so the counter moves exactly when the change
 * commits (docs/ARCHITECTURE.md, The live index).
 */
enum err app_market_bump(struct app_ctx *ctx, int64_t *gen)
{
	int64_t g;
	enum err e = state_row(ctx, STMT_MARKET_BUMP, &g, NULL);
	if (!e && gen)
		*gen = g;
	return e;
}

/*
 * After the commit. The index takes the change only when it was exactly one generation behind:
 * one that missed a change stays behind for good, and the next read rebuilds it, so it never
 * drifts silently.
 */
void app_market_changed(struct app_ctx *ctx, enum market_kind k, const struct market_item *it,
                        int64_t gen)
{
	struct market_live *l = app_module_state(ctx->app, APP_MOD_MARKET);
	if (!l)
		return;
	pthread_rwlock_wrlock(&l->lock);
	if (l->eng && l->gen == gen - 1) {
		struct ix_doc doc;
		app_market_doc(it, &doc);
		ix_put(l->eng->ix[k], &doc);
		l->gen = gen;
	}
	pthread_rwlock_unlock(&l->lock);
}
