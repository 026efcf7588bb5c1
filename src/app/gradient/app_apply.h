/*
 * app_apply: applications for a gradient tier: drafts, evidence
 * attachments, submission (with an evaluation stored alongside), the review
 * chain's steps, the reviewer's queue, and the notifications that tell the
 * enterprise what happened. The transitions are core/gradient's table.
 * Results live in ctx's arena.
 */
#ifndef TB_APP_APP_APPLY_H
#define TB_APP_APP_APPLY_H

#include "app/app.h"
#include "app/app_notify.h"
#include "core/gradient/gradient.h"

enum err app_application_create(struct app_ctx *ctx, const struct field_val vals[GRADIENT_AF__N],
                                struct application *out);
enum err app_application_get(struct app_ctx *ctx, int64_t id, struct application *out);
/* Change the statement or contact while the application is a draft or returned. */
enum err app_application_update(struct app_ctx *ctx, int64_t id, int64_t version,
                                const struct field_val vals[GRADIENT_AF__N],
                                struct application *out);
/* An enterprise's applications, newest first (out->items: struct application). */
enum err app_application_list(struct app_ctx *ctx, int64_t org_id, const struct page_req *pr,
                              struct page *out);
/*
 * Fire `event` ("submit", "approve", "return", "reject", "withdraw") with the
 * version the caller read and a written reason where the table asks for one.
 */
enum err app_application_act(struct app_ctx *ctx, int64_t id, int64_t version, const char *event,
                             const char *reason, struct application *out);
/* The trail of transitions (out->items: struct gradient_event). */
enum err app_application_events(struct app_ctx *ctx, int64_t id, struct page *out);

/* Add evidence: `data` is base64; type and size bounded by LIMIT_ATTACHMENT_*. */
enum err app_attachment_add(struct app_ctx *ctx, int64_t app_id, const char *name,
                            const char *content_type, const char *data, struct attachment *out);
enum err app_attachment_list(struct app_ctx *ctx, int64_t app_id, struct page *out);
enum err app_attachment_get(struct app_ctx *ctx, int64_t app_id, int64_t id,
                            struct attachment *out);
extern const char *const attachment_types[]; /* NULL-terminated */

/*
 * The caller's queue: `state` "pending" (steps at the caller's levels and
 * regions), "notice" or "objected" (candidates whose last level is the
 * caller's). Overdue steps are flagged.
 */
enum err app_review_queue(struct app_ctx *ctx, const char *state, const struct page_req *pr,
                          struct page *out);

/* Load an application inside the current transaction (for app_notice). */
enum err app_application_load(struct app_ctx *ctx, int64_t id, struct application *out);
/* Write a transition of `a` (already checked): state, trail, audit, notification. */
enum err app_application_move(struct app_ctx *ctx, struct application *a,
                              enum gradient_app_event ev, enum gradient_app_state to,
                              const char *reason);

/*
 * The gradient cultivation of the demo: facts for fiscal years 2023-2025 of
 * the first enterprises and of ten in Jiangsu (sized by their size class);
 * applications there in every state (draft, under review, one overdue,
 * returned, at the ministry, in notice) and titles granted in numbered
 * batches, in Jiangsu (the first enterprise holds an innovative-SME title)
 * and a few other provinces. Runs after the users exist; deterministic.
 */
enum err app_demo_gradient(struct app_ctx *ctx);

#endif
