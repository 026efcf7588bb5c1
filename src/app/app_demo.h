/*
 * app_demo: a demonstration database: users for every role and thousands of
 * plausible organisations across the provinces and industries present, so
 * that every screen has something real to show. Deterministic for a seed.
 */
#ifndef TB_APP_APP_DEMO_H
#define TB_APP_APP_DEMO_H

#include "app/app.h"

struct demo_opts {
	long enterprises; /* and about 8% more of the other kinds */
	uint64_t seed;
	const char *password; /* of every demo user */
};

struct demo_user {
	const char *username;
	const char *role; /* what it shows */
};

extern const struct demo_user demo_users[];
extern const int demo_nusers;

/* Fill an empty database; ERR_CONFLICT if it has users already. */
enum err app_demo_run(struct app_ctx *ctx, const struct demo_opts *o,
                      void (*progress)(long done, long total, void *arg), void *arg);

/*
 * The technology market of the demo: listings of universities and
 * institutes, demands of enterprises (a few under review or drafts), the
 * demo broker registered and assigned, interests with threads. Runs after
 * the organisations and users exist.
 */
enum err app_demo_market(struct app_ctx *ctx);

/* The smallest id of an organisation of `kind` into *id; ERR_NOT_FOUND if none. */
enum err app_demo_first_org(struct app_ctx *ctx, const char *kind, int64_t *id);
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
