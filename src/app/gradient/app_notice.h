/*
 * app_notice: after the last review step: the public notice (公示) of
 * candidates, objections from anyone, numbered batches that grant titles,
 * the titles' lifecycle (revocation with a ban) and the statistics of the
 * gradient module.
 * Results live in ctx's arena.
 */
#ifndef TB_APP_APP_NOTICE_H
#define TB_APP_APP_NOTICE_H

#include "app/app.h"
#include "core/gradient/gradient.h"

struct batch_result {
	int64_t id;
	const char *number;
	int ntitles;
	struct title *titles;
};

/* Candidates in notice (or paused by an objection), public: out->items struct application. */
enum err app_notice_list(struct app_ctx *ctx, const struct page_req *pr, struct page *out);
/* Anyone lodges an objection (rate-limited per client address): the candidate pauses. */
enum err app_objection_create(struct app_ctx *ctx, int64_t app_id, const char *contact,
                              const char *text, struct objection *out);
/* Objections of an application (whoever may read it). */
enum err app_objection_list(struct app_ctx *ctx, int64_t app_id, struct page *out);
/* An operator at the last level decides: "dismiss" (back to notice) or "uphold" (rejected). */
enum err app_objection_resolve(struct app_ctx *ctx, int64_t id, const char *decision,
                               const char *reason, struct objection *out);
/*
 * Publish a numbered batch of `tier` for the caller's `level` and region:
 * every candidate whose notice has ended without an open objection gets a
 * title valid GRADIENT_TITLE_YEARS years.
 */
enum err app_batch_create(struct app_ctx *ctx, const char *tier, const char *level,
                          const char *region, struct batch_result *out);
/* Titles, public (out->items struct title); filters may be NULL / 0. */
enum err app_title_list(struct app_ctx *ctx, const char *tier, int64_t org_id,
                        const struct page_req *pr, struct page *out);
/* Revoke with a reason; a ban of 3 years for data fraud, 1 otherwise. */
enum err app_title_revoke(struct app_ctx *ctx, int64_t id, int64_t version, const char *reason,
                          bool fraud, struct title *out);
/*
 * Whether the active title `id` missed a yearly data update (facts saved by
 * 31 May each year after the grant, gradient_data_deadlines): *missed is the
 * deadline missed, or NULL. Inside the caller's transaction.
 */
enum err app_title_data_missed(struct app_ctx *ctx, int64_t id, const char **missed);

/*
 * The statistics of the gradient module for fiscal year `year` (0: last
 * year), as JSON. Answers are cached in the process until a title changes
 * here (app_gradient_stats_changed) or a minute passes.
 */
enum err app_gradient_stats(struct app_ctx *ctx, int year, const char **json);
/* Titles were granted or revoked: drop the cached statistics. */
void app_gradient_stats_changed(struct app_ctx *ctx);

#endif
