/*
 * app_market_people: the people around the market's items: the broker
 * registry (technology managers linked to users with the broker role),
 * their assignment to listings and demands, expressions of interest in
 * both directions with their message thread (assigned brokers in copy),
 * accept/decline with typed reasons, and the decline statistics.
 *
 * Ownership: results live in the ctx arena. Each change is one write
 * transaction with its audit record (app_tx).
 */
#ifndef TB_APP_APP_MARKET_PEOPLE_H
#define TB_APP_APP_MARKET_PEOPLE_H

#include "app/app.h"
#include "core/market/market.h"
#include "core/market/market_flow.h"
#include "lib/fields.h"

/* Brokers: anyone signed in may read the registry; administrators change it. */
enum err app_broker_list(struct app_ctx *ctx, const struct page_req *pr, struct page *out);
enum err app_broker_get(struct app_ctx *ctx, int64_t id, struct broker *out);
enum err app_broker_create(struct app_ctx *ctx, const struct field_val *vals, struct broker *out);
enum err app_broker_update(struct app_ctx *ctx, int64_t id, int64_t version,
                           const struct field_val *vals, struct broker *out);
/* The brokers assigned to an item the caller may see (out->items: struct broker). */
enum err app_broker_assigned(struct app_ctx *ctx, enum market_kind k, int64_t item_id,
                             struct page *out);
/* Assign (or with remove, unassign) a broker to an item: administrators, operators of its region. */
enum err app_broker_assign(struct app_ctx *ctx, enum market_kind k, int64_t item_id,
                           int64_t broker_id, bool remove);

/*
 * Express interest: the owner of the demand (to_listing) or of the listing
 * (to_demand) addresses the other side's owner. The target must be
 * published; the source must be the caller's (or the caller an admin).
 */
enum err app_interest_create(struct app_ctx *ctx, const struct field_val *vals,
                             struct interest *out);
/* An interest the caller takes part in (a party, an assigned broker, an admin). */
enum err app_interest_get(struct app_ctx *ctx, int64_t id, struct interest *out);
/* Interests the caller takes part in, newest first, optionally of one listing/demand/status. */
enum err app_interest_list(struct app_ctx *ctx, int64_t listing_id, int64_t demand_id,
                           const char *status, const struct page_req *pr, struct page *out);
/* Accept (reason NULL) or decline with a reason, by the addressed side, at version. */
enum err app_interest_decide(struct app_ctx *ctx, int64_t id, int64_t version, const char *reason,
                             const char *note, struct interest *out);
/* The thread (out->items: struct interest_msg) and a new message. */
enum err app_interest_messages(struct app_ctx *ctx, int64_t id, const struct page_req *pr,
                               struct page *out);
enum err app_interest_post(struct app_ctx *ctx, int64_t id, const char *body,
                           struct interest_msg *out);

/* Interest outcomes of a listing and of its owner: counts by status and decline reason. */
struct interest_stats {
	long open, accepted, declined;
	long reasons[DECLINE_REASONS];
};
enum err app_listing_stats(struct app_ctx *ctx, int64_t listing_id, struct interest_stats *listing,
                           struct interest_stats *owner);

#endif
