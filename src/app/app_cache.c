/* app_cache: a process's cache of costly JSON answers, by key, ttl and generation. */
#include "app/app_cache.h"

#include "lib/buf.h"

#include <stdlib.h>

void app_cache_init(struct app_cache *c, int64_t ttl_s)
{
	*c = (struct app_cache){.ttl_s = ttl_s};
	pthread_mutex_init(&c->mu, NULL);
}

void app_cache_free(struct app_cache *c)
{
	for (int i = 0; i < APP_CACHE_SLOTS; i++)
		free(c->slot[i].json);
	pthread_mutex_destroy(&c->mu);
}

uint64_t app_cache_gen(struct app_cache *c)
{
	return atomic_load(&c->gen);
}

/*
 * The entry is copied into the arena under the lock: once it is released, a put may free the
 * slot's text.
 */
const char *app_cache_get(struct app_cache *c, struct app_ctx *ctx, int64_t key)
{
	const char *json = NULL;
	uint64_t gen = atomic_load(&c->gen);
	pthread_mutex_lock(&c->mu);
	for (int i = 0; i < APP_CACHE_SLOTS && !json; i++)
		if (c->slot[i].json && c->slot[i].key == key && c->slot[i].gen == gen &&
		    ctx->now - c->slot[i].at < c->ttl_s)
			json = arena_strdup(&ctx->arena, c->slot[i].json);
	pthread_mutex_unlock(&c->mu);
	return json;
}

void app_cache_put(struct app_cache *c, struct app_ctx *ctx, int64_t key, uint64_t gen,
                   const char *json)
{
	pthread_mutex_lock(&c->mu);
	int k = 0; /* the key's slot, else the oldest (an empty one is oldest) */
	for (int i = 0; i < APP_CACHE_SLOTS; i++) {
		if (c->slot[i].json && c->slot[i].key == key) {
			k = i;
			break;
		}
		if (c->slot[i].at < c->slot[k].at)
			k = i;
	}
	free(c->slot[k].json);
	c->slot[k].key = key;
	c->slot[k].gen = gen;
	c->slot[k].at = ctx->now;
	c->slot[k].json = xstrdup(json);
	pthread_mutex_unlock(&c->mu);
}

/*
 * Nothing is freed or looked up: moving the generation makes every entry stale at once,
 * without taking the lock.
 */
void app_cache_changed(struct app_cache *c)
{
	atomic_fetch_add(&c->gen, 1);
}
