/* market_module: the technology market's registration with the kernel (app/app_module.h). */
#include "app/app_module.h"
#include "app/market/app_market.h"

static enum err market_init(struct app *app, void **state, struct err_detail *d)
{
	(void)app;
	(void)d;
	*state = app_market_live_new(); /* the index itself is built on first use */
	return ERR_OK;
}

static void market_free(void *state)
{
	app_market_live_free(state);
}

/*
 * The import kinds take one function per kind without an argument: these adapters bind the
 * market kind to the shared market code.
 */
static const struct field_def *listing_import_fields(size_t *n)
{
	return market_fields(MARKET_LISTING, n);
}

static const struct field_def *demand_import_fields(size_t *n)
{
	return market_fields(MARKET_DEMAND, n);
}

static enum err listing_import(struct app_ctx *ctx, const struct field_val *v, bool *created,
                               struct err_detail *d)
{
	return app_market_import_row(ctx, MARKET_LISTING, v, created, d);
}

static enum err demand_import(struct app_ctx *ctx, const struct field_val *v, bool *created,
                              struct err_detail *d)
{
	return app_market_import_row(ctx, MARKET_DEMAND, v, created, d);
}

/* A serving process learns from the counter that its matcher index is behind. */
static enum err market_imported(struct app_ctx *ctx)
{
	return app_market_bump(ctx, NULL);
}

/* Columns of our own exports that an import takes back without using. */
static const char *const exported_cols[] = {"id", "created_at", "updated_at", "version", NULL};

static const struct app_import_kind market_imports[] = {
        {"listings", "listing", exported_cols, listing_import_fields, listing_import,
         market_imported},
        {"demands", "demand", exported_cols, demand_import_fields, demand_import, market_imported},
};

const struct app_module app_module_market = {
        .name = "market",
        .init = market_init,
        .free = market_free,
        .imports = market_imports,
        .nimports = sizeof market_imports / sizeof market_imports[0],
        .demo = app_demo_market,
};
