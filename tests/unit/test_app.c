/* Unit tests of app/'s kernel helpers that need no database: the answer cache, the module list. */
#include "app/app_cache.h"
#include "app/app_module.h"
#include "unit.h"

#include <stdio.h>

static void cache_serves_fresh_entries_of_the_current_generation(void)
{
	struct app_cache c;
	app_cache_init(&c, 60);
	struct app_ctx ctx = {.now = 1000};
	CHECK(app_cache_get(&c, &ctx, 2025) == NULL);
	app_cache_put(&c, &ctx, 2025, app_cache_gen(&c), "{\"a\":1}");
	CHECK_STR(app_cache_get(&c, &ctx, 2025), "{\"a\":1}");
	CHECK(app_cache_get(&c, &ctx, 2024) == NULL);
	ctx.now = 1059;
	CHECK_STR(app_cache_get(&c, &ctx, 2025), "{\"a\":1}");
	ctx.now = 1060; /* the ttl passed */
	CHECK(app_cache_get(&c, &ctx, 2025) == NULL);
	/* an answer computed before a change is never served */
	uint64_t gen = app_cache_gen(&c);
	app_cache_changed(&c);
	app_cache_put(&c, &ctx, 2025, gen, "{\"stale\":true}");
	CHECK(app_cache_get(&c, &ctx, 2025) == NULL);
	app_cache_put(&c, &ctx, 2025, app_cache_gen(&c), "{\"b\":2}");
	CHECK_STR(app_cache_get(&c, &ctx, 2025), "{\"b\":2}");
	app_cache_changed(&c);
	CHECK(app_cache_get(&c, &ctx, 2025) == NULL);
	arena_free(&ctx.arena);
	app_cache_free(&c);
}

static void cache_makes_room_by_dropping_the_oldest(void)
{
	struct app_cache c;
	app_cache_init(&c, 1000);
	struct app_ctx ctx = {0};
	char json[32];
	for (int k = 0; k <= APP_CACHE_SLOTS; k++) {
		ctx.now = 100 + k;
		snprintf(json, sizeof json, "%d", k);
		app_cache_put(&c, &ctx, k, app_cache_gen(&c), json);
	}
	CHECK(app_cache_get(&c, &ctx, 0) == NULL); /* the oldest went */
	CHECK_STR(app_cache_get(&c, &ctx, 1), "1");
	CHECK_STR(app_cache_get(&c, &ctx, APP_CACHE_SLOTS), "8");
	arena_free(&ctx.arena);
	app_cache_free(&c);
}

static void modules_are_registered_with_their_kinds(void)
{
	for (int i = 0; i < APP_MODULES; i++)
		CHECK(app_modules[i] && app_modules[i]->name);
	CHECK(app_import_kind_find("organisations") != NULL);
	CHECK(app_import_kind_find("listings") != NULL);
	CHECK(app_import_kind_find("facts") != NULL);
	CHECK(app_import_kind_find("nothing") == NULL);
	CHECK(app_export_kind_find("titles") != NULL);
	struct buf names = BUF_INIT;
	app_import_kind_names(&names);
	CHECK_STR(buf_str(&names), "regions|industries|organisations|facts|listings|demands");
	buf_free(&names);
}

UNIT_MAIN(UNIT_CASE(cache_serves_fresh_entries_of_the_current_generation),
          UNIT_CASE(cache_makes_room_by_dropping_the_oldest),
          UNIT_CASE(modules_are_registered_with_their_kinds))
