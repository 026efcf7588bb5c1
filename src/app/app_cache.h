/*
 * app_cache: a small cache of JSON answers kept by a process, for figures
 * too costly to aggregate for each caller (statistics of public pages). An
 * entry is found by an integer key (a year, say) while it is younger than
 * the cache's ttl and no change was signalled since it was computed:
 * app_cache_changed moves the cache's generation, and an entry computed
 * under an older generation is never served. Thread-safe; the oldest entry
 * makes room.
 */
#ifndef TB_APP_APP_CACHE_H
#define TB_APP_APP_CACHE_H

#include "app/app.h"

#include <pthread.h>
#include <stdatomic.h>

enum { APP_CACHE_SLOTS = 8 };

struct app_cache {
	pthread_mutex_t mu;
	int64_t ttl_s;
	_Atomic uint64_t gen;
	struct {
		int64_t key;
		uint64_t gen;
		int64_t at; /* ctx->now when it was computed; 0 = empty */
		char *json;
	} slot[APP_CACHE_SLOTS];
};

void app_cache_init(struct app_cache *c, int64_t ttl_s);
void app_cache_free(struct app_cache *c);
/* The generation to pass to app_cache_put: read it before computing the answer. */
uint64_t app_cache_gen(struct app_cache *c);
/* The fresh entry for key, copied into ctx's arena; NULL if none. */
const char *app_cache_get(struct app_cache *c, struct app_ctx *ctx, int64_t key);
/* Keep json for key, computed under generation gen (stale at once if gen moved since). */
void app_cache_put(struct app_cache *c, struct app_ctx *ctx, int64_t key, uint64_t gen,
                   const char *json);
/* Something the cached answers depend on changed: none of them is served again. */
void app_cache_changed(struct app_cache *c);

#endif
