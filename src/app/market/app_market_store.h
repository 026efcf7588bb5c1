/*
 * app_market_store: how a market item maps to statement arguments. Private
 * to app/ (it speaks db.h types); shared by the import, the API's writes
 * and the demo, so the field order is written down once.
 */
#ifndef TB_APP_APP_MARKET_STORE_H
#define TB_APP_APP_MARKET_STORE_H

#include "app/app_tx.h"
#include "core/market/market.h"
#include "db/db.h"

/*
 * The statement arguments of an item's fields in v (room for
 * MARKET_FIELDS_MAX): integers as integers (items keep them as text), absent
 * values as NULL. Returns how many were written.
 */
size_t market_field_args(struct app_ctx *ctx, const struct market_item *it, struct db_val *v);

/* A row of a kind's LISTING_ROW / DEMAND_ROW statements into a market_item (an app_row_fn). */
extern app_row_fn *const market_item_row[MARKET__KINDS];

#endif
