/*
 * app_market: the technology market's use cases so far: import rows of
 * listings and demands (called by app_import inside its per-row
 * savepoint), read them, build the matcher's indexes from the store, and
 * match a demand against listings or a listing against demands.
 *
 * Ownership: a struct market_engine (both indexes and an analyzer) is
 * created by app_market_load and freed by app_market_engine_free; it is
 * derived from the rows and can be rebuilt at any time. Items returned by
 * app_market_get live in the ctx arena. Match results are the caller's
 * (ix_result_free); their refs borrow from the engine.
 */
#ifndef TB_APP_APP_MARKET_H
#define TB_APP_APP_MARKET_H

#include <pthread.h>

#include "app/app.h"
#include "core/market/index.h"
#include "core/market/market.h"
#include "lib/fields.h"

struct market_engine {
	struct ix *ix[MARKET__KINDS]; /* indexed by the kind of the documents */
	struct text_analyzer *ta;     /* serves one thread at a time: see app_market_ix_search */
	pthread_mutex_t ta_mu;
	double load_ms[MARKET__KINDS]; /* reading rows and indexing them */
};

/*
 * Apply one validated import row of kind k: insert, or update the item with
 * the same ref keeping what the row does not mention. *created tells which.
 * Runs in the caller's transaction; ERR_INVALID with d naming the field.
 */
enum err app_market_import_row(struct app_ctx *ctx, enum market_kind k,
                               const struct field_val *vals, bool *created, struct err_detail *d);

/* The stored item of kind k with this ref; ERR_NOT_FOUND if none. */
enum err app_market_get(struct app_ctx *ctx, enum market_kind k, const char *ref,
                        struct market_item *out);

/* Build both indexes from every stored listing and demand, in ref order. */
enum err app_market_load(struct app_ctx *ctx, struct market_engine **out);
/* The same, also giving the store's generation read in the same transaction. */
enum err app_market_load_gen(struct app_ctx *ctx, struct market_engine **out, int64_t *gen);
void app_market_engine_free(struct market_engine *e);

/*
 * Search index k of e. Safe from several readers of the live engine at once:
 * the indexes are read only, the shared analyzer is taken under e->ta_mu.
 */
void app_market_ix_search(struct market_engine *e, enum market_kind k, const struct ix_query *q,
                          struct ix_result *out);

/* The index document of an item: title and English title; description, English and advantage. */
void app_market_doc(const struct market_item *it, struct ix_doc *doc);

/*
 * Rank the published items of the other kind for `it` (a demand ranks
 * listings, a listing ranks demands), top n, with explanations. The item
 * need not be stored.
 */
void app_market_match(struct market_engine *e, const struct market_item *it, int top,
                      struct ix_result *out);

/* ---- the live index of a serving process (the market module's state) ---- */

/*
 * The index is built on first use from the store and kept current: every
 * change made through app_market_* bumps the store's generation counter in
 * its transaction and, after commit, is applied to the index under the
 * write lock. A reader compares the store's counter with the index's and
 * rebuilds when another process (a CLI import, another server) moved it.
 */
struct market_live *app_market_live_new(void);
void app_market_live_free(struct market_live *l);

/*
 * Read-lock the live index, (re)building it first when it is missing or
 * behind the store; also expires publications whose time has passed (at
 * most once a minute). Pair with app_market_read_done.
 */
enum err app_market_read(struct app_ctx *ctx, struct market_engine **out);
void app_market_read_done(struct app_ctx *ctx);

/* Bump the store's generation inside the open transaction; *gen gets the new value (may be NULL). */
enum err app_market_bump(struct app_ctx *ctx, int64_t *gen);
/* The publication period in days (market_state.publish_days). */
enum err app_market_publish_days(struct app_ctx *ctx, int64_t *days);
/*
 * After a commit that moved the generation to `gen`: put `it` (its new
 * state; the index filters by status) into the index of kind k. One that missed
 * a change is left behind, so the next reader rebuilds it.
 */
void app_market_changed(struct app_ctx *ctx, enum market_kind k, const struct market_item *it,
                        int64_t gen);

/* Move published items whose expires_at has passed to expired (audited); any actor. */
enum err app_market_expire_due(struct app_ctx *ctx);

struct db_rows;
/* Read one row of *_BY_ID / *_LIST / *_BY_REF into it, strings in the ctx arena. */
void app_market_item_row(struct app_ctx *ctx, struct db_rows *r, enum market_kind k,
                         struct market_item *it);

/*
 * The technology market of the demo: listings of universities and
 * institutes, demands of enterprises (a few under review or drafts), the
 * demo broker registered and assigned, interests with threads. Runs after
 * the organisations and users exist.
 */
enum err app_demo_market(struct app_ctx *ctx);

#endif
