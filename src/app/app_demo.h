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
 * The first *n organisations of `kind` by id, with their regions ("" when
 * none); *n gets how many there were. For the modules' demo steps.
 */
enum err app_demo_orgs(struct app_ctx *ctx, const char *kind, int64_t *ids, char (*regions)[7],
                       int *n);
/* The smallest id of an organisation of `kind` into *id; ERR_NOT_FOUND if none. */
enum err app_demo_first_org(struct app_ctx *ctx, const char *kind, int64_t *id);

#endif
