/*
 * app_market_store: how a market item maps to statement arguments. Private
 * to app/ (it speaks db.h types); shared by the import, the API's writes
 * and the demo, so the field order is written down once.
 */
#ifndef TB_APP_APP_MARKET_STORE_H
#define TB_APP_APP_MARKET_STORE_H

#include "core/market/market.h"
#include "db/db.h"

/*
 * The statement arguments of an item's fields in v (room for
 * MARKET_FIELDS_MAX): integers as integers (items keep them as text), absent
 * values as NULL. Returns how many were written.
 */
size_t market_field_args(struct app_ctx *ctx, const struct market_item *it, struct db_val *v);

#endif
