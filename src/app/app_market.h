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

#include "app/app.h"
#include "core/index.h"
#include "core/market.h"
#include "lib/fields.h"

struct market_engine {
	struct ix *ix[MARKET__KINDS]; /* indexed by the kind of the documents */
	struct text_analyzer *ta;
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
void app_market_engine_free(struct market_engine *e);

/* The index document of an item: title and English title; description, English and advantage. */
void app_market_doc(const struct market_item *it, struct ix_doc *doc);

/*
 * Rank the published items of the other kind for `it` (a demand ranks
 * listings, a listing ranks demands), top n, with explanations. The item
 * need not be stored.
 */
void app_market_match(struct market_engine *e, const struct market_item *it, int top,
                      struct ix_result *out);

#endif
