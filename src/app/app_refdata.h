/*
 * app_refdata: regions and industries. Anyone may read them; only an
 * administrator may change them (or the CLI's import). Results in ctx's arena.
 */
#ifndef TB_APP_APP_REFDATA_H
#define TB_APP_APP_REFDATA_H

#include "app/app.h"
#include "core/refdata.h"

struct refdata_filter {
	const char *level;  /* regions: province|prefecture|county; industries: 1-4 */
	const char *parent; /* children of this code */
	const char *q;      /* text in the Chinese or English name */
};

enum err app_region_get(struct app_ctx *ctx, const char *code, struct region *out);
/* out->items: struct region */
enum err app_region_list(struct app_ctx *ctx, const struct refdata_filter *f,
                         const struct page_req *pr, struct page *out);
enum err app_region_create(struct app_ctx *ctx, const struct field_val v[REGION__NFIELDS],
                           struct region *out);
enum err app_region_update(struct app_ctx *ctx, const char *code, int64_t version,
                           const struct field_val v[REGION__NFIELDS], struct region *out);
enum err app_region_delete(struct app_ctx *ctx, const char *code, int64_t version);

enum err app_industry_get(struct app_ctx *ctx, const char *code, struct industry *out);
/* out->items: struct industry */
enum err app_industry_list(struct app_ctx *ctx, const struct refdata_filter *f,
                           const struct page_req *pr, struct page *out);
enum err app_industry_create(struct app_ctx *ctx, const struct field_val v[INDUSTRY__NFIELDS],
                             struct industry *out);
enum err app_industry_update(struct app_ctx *ctx, const char *code, int64_t version,
                             const struct field_val v[INDUSTRY__NFIELDS], struct industry *out);
enum err app_industry_delete(struct app_ctx *ctx, const char *code, int64_t version);

#endif
