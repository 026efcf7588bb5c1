/*
 * app_org: organisations (enterprises and the other kinds): read, search,
 * create, update, delete, and their members. Results live in ctx's arena.
 */
#ifndef TB_APP_APP_ORG_H
#define TB_APP_APP_ORG_H

#include "app/app.h"
#include "core/org.h"

struct org_filter {
	const char *kind;
	const char *region;   /* any region code: matches every org inside it */
	const char *industry; /* any industry code: matches every org below it */
	const char *size_class;
	const char *credit_code;
	const char *q; /* text in name, English name or credit code */
};

/* A member: a user holding org_admin or org_member for the organisation. */
/* Anyone may read the public registration data of an organisation. */
enum err app_org_get(struct app_ctx *ctx, int64_t id, struct org *out);
/* out->items is a struct org array. */
enum err app_org_list(struct app_ctx *ctx, const struct org_filter *f, const struct page_req *pr,
                      struct page *out);
enum err app_org_create(struct app_ctx *ctx, const struct field_val vals[ORG__NFIELDS],
                        struct org *out);
/* Update with the version the caller read; ERR_CONFLICT when it is stale. */
enum err app_org_update(struct app_ctx *ctx, int64_t id, int64_t version,
                        const struct field_val vals[ORG__NFIELDS], struct org *out);
enum err app_org_delete(struct app_ctx *ctx, int64_t id, int64_t version);

/* out->items is a struct org_member array (no paging: memberships are few). */
enum err app_org_members(struct app_ctx *ctx, int64_t org_id, struct page *out);
/* Grant `role` ("org_admin" or "org_member") of org_id to user_id. */
enum err app_org_member_add(struct app_ctx *ctx, int64_t org_id, int64_t user_id, const char *role,
                            struct org_member *out);
enum err app_org_member_remove(struct app_ctx *ctx, int64_t org_id, int64_t grant_id);

/* Read an organisation by id inside the current transaction (for other app modules). */
enum err app_org_load(struct app_ctx *ctx, int64_t id, struct org *out);
/* app_org_load, then authorization of act on the record (its region and itself). */
enum err app_org_allow(struct app_ctx *ctx, int64_t id, enum action act, struct org *out);

#endif
