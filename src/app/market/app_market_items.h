/*
 * app_market_items: the technology market's listings and demands through
 * the API: read with visibility (the public sees published items; owners,
 * operators of the region, assigned brokers and administrators see the
 * rest), list with filters, create, change, the status workflow
 * (core/market_flow), full-text search with facets, matches in the other
 * kind and "more like this" in the same kind, from the live index.
 *
 * Ownership: everything returned lives in the ctx arena. Every change runs
 * in one write transaction with its audit record and moves the store's
 * market generation; the live index is updated after the commit.
 */
#ifndef TB_APP_APP_MARKET_ITEMS_H
#define TB_APP_APP_MARKET_ITEMS_H

#include "app/app.h"
#include "core/market/index.h"
#include "core/market/market.h"
#include "lib/fields.h"

struct market_filter {
	const char *status, *field, *region, *industry, *mode; /* NULL: any */
	int64_t org_id;                                        /* 0: any owner */
	int trl;                                               /* 0: any; demands: in range */
	bool assigned; /* only items the caller (a broker) is assigned to */
};

/*
 * A listing's contact (personal data, app/app_pii.h) whole only to those who
 * may read all of the item: its owner, moderators, an assigned broker; masked
 * in *it for everyone else. Every answer that shows items calls it.
 */
enum err app_market_contact_shown(struct app_ctx *ctx, enum market_kind k, struct market_item *it);

/* The item of kind k with this id, if the caller may see it (ERR_NOT_FOUND otherwise). */
enum err app_market_item_get(struct app_ctx *ctx, enum market_kind k, int64_t id,
                             struct market_item *out);
/*
 * Items the caller may see that pass f, by id; out->items is a struct
 * market_item array. Without a status filter the public sees published
 * items and signed-in users also their own and those they moderate.
 */
enum err app_market_item_list(struct app_ctx *ctx, enum market_kind k,
                              const struct market_filter *f, const struct page_req *pr,
                              struct page *out);
/* Create a draft owned by vals' org_id (default: the caller's organisation). */
enum err app_market_item_create(struct app_ctx *ctx, enum market_kind k,
                                const struct field_val *vals, struct market_item *out);
/* Change the set fields of an item at `version` (status only through the workflow). */
enum err app_market_item_update(struct app_ctx *ctx, enum market_kind k, int64_t id,
                                int64_t version, const struct field_val *vals,
                                struct market_item *out);
/*
 * Apply a workflow event (submit, approve, reject, withdraw, renew, reopen)
 * at `version`; ERR_CONFLICT naming "event" when the status does not allow
 * it. Approval and renewal set a new expiry (market_state.publish_days).
 */
enum err app_market_item_transition(struct app_ctx *ctx, enum market_kind k, int64_t id,
                                    int64_t version, const char *event, const char *note,
                                    struct market_item *out);

/* A ranked item with its explanation (terms and signals), all in the arena. */
struct market_hit {
	struct market_item item;
	struct ix_hit hit;
};

enum market_facet { FACET_FIELD, FACET_PROVINCE, FACET_TRL, FACET_MODE, FACET__MAX };
struct facet_count {
	const char *value;
	long count;
};
struct market_found {
	struct market_hit *hits;
	int n;
	long total; /* hits that pass the filters (at most IX_TOP_MAX are ranked) */
	const char *next_cursor;
	struct facet_count *facets[FACET__MAX]; /* value NULL ends each list */
};

/*
 * Published items of kind k ranked for the text q, filtered by f, one page
 * (cursor = offset), with facet counts over every ranked hit.
 */
enum err app_market_search(struct app_ctx *ctx, enum market_kind k, const char *q,
                           const struct market_filter *f, const struct page_req *pr,
                           struct market_found *out);
/*
 * The best `top` published items for item id of kind k: of the other kind
 * (similar false: structured signals included) or of the same kind, the
 * item itself left out (similar true: "more like this", text only).
 */
enum err app_market_item_matches(struct app_ctx *ctx, enum market_kind k, int64_t id, bool similar,
                                 int top, struct market_found *out);

/* The item's access target: region, owner and whether the caller is an assigned broker. */
enum err app_market_item_target(struct app_ctx *ctx, enum market_kind k,
                                const struct market_item *it, struct target *t);
/* Load by id inside the current transaction, no visibility check. */
enum err app_market_item_load(struct app_ctx *ctx, enum market_kind k, int64_t id,
                              struct market_item *out);

/* Move published items whose expires_at has passed to expired (audited); any actor. */
enum err app_market_expire_due(struct app_ctx *ctx);

#endif
