/*
 * gradient_module: the gradient cultivation's registration with the kernel
 * (app/app_module.h): its process state, the facts import, the titles export
 * and its part of the demo.
 */
#include "app/app_module.h"
#include "app/gradient/app_apply.h"
#include "app/gradient/gradient_module.h"
#include "app/gradient/app_facts.h"
#include "app/gradient/app_notice.h"
#include "lib/num.h"

#include <stdio.h>
#include <stdlib.h>

/* The public notice lasts 5 working days; tests set TECHBRIDGE_NOTICE_DAYS=0 to grant at once. */
static enum err gradient_init(struct app *app, void **state, struct err_detail *d)
{
	(void)app;
	(void)d;
	struct app_gradient_state *s = xcalloc(1, sizeof *s);
	s->notice_days = 5;
	const char *nd = getenv("TECHBRIDGE_NOTICE_DAYS");
	int64_t days;
	if (nd && *nd && num_parse(nd, 0, 60, &days))
		s->notice_days = (int)days;
	/* statistics are cached for a minute at most (docs/ARCHITECTURE.md, Statistics) */
	app_cache_init(&s->all_figures, 60);
	app_cache_init(&s->answers, 60);
	*state = s;
	return ERR_OK;
}

static void gradient_free(void *state)
{
	struct app_gradient_state *s = state;
	app_cache_free(&s->all_figures);
	app_cache_free(&s->answers);
	free(s);
}

struct app_gradient_state *app_gradient_state(const struct app_ctx *ctx)
{
	return app_module_state(ctx->app, APP_MOD_GRADIENT);
}

/*
 * columns a facts file commonly carries beside the figures, accepted and ignored:
 * rows are matched to their enterprise by credit code alone
 */
static const char *const facts_ignored[] = {"name", "org_id", NULL};

static const struct app_import_kind gradient_imports[] = {
        {"facts", "facts", facts_ignored, facts_import_fields, app_facts_import_row, NULL},
};

/* ---- the titles export ---- */

static const struct field_def title_filters[] = {
        {"tier", FT_TEXT, 0, 1, 32, NULL, NULL, "only titles of this tier"},
};

static const char *const title_cols[] = {"id",
                                         "org_id",
                                         "credit_code",
                                         "org_name",
                                         "tier",
                                         "since",
                                         "until",
                                         "state",
                                         "batch",
                                         "province",
                                         "ruleset",
                                         "data_due",
                                         "data_update_missed",
                                         "revoked_reason",
                                         "ban_until"};
enum { TITLE_NCOLS = sizeof title_cols / sizeof title_cols[0] };

static const char *title_col(int c)
{
	return title_cols[c];
}

static enum err title_page(struct app_ctx *ctx, const char *const *filter,
                           const struct page_req *pr, struct page *out)
{
	return app_title_list(ctx, filter[0], 0, pr, out);
}

/*
 * Columns 0 and 1 are numbers, formatted into tmp; the others are the title's own strings, in
 * title_cols order.
 */
static const char *title_cell(const void *item, int c, char *tmp, size_t n)
{
	const struct title *t = item;
	const char *const cells[TITLE_NCOLS] = {NULL,
	                                        NULL,
	                                        t->credit_code,
	                                        t->org_name,
	                                        t->tier,
	                                        t->since,
	                                        t->until,
	                                        t->state,
	                                        t->batch,
	                                        t->province,
	                                        t->ruleset,
	                                        t->data_due,
	                                        t->data_missed ? "true" : "false",
	                                        t->revoked_reason,
	                                        t->ban_until};
	if (c > 1)
		return cells[c];
	snprintf(tmp, n, "%lld", (long long)(c == 0 ? t->id : t->org_id));
	return tmp;
}

static void title_json(const void *item, struct buf *out)
{
	gradient_title_to_json(item, out);
}

static const struct app_export_kind gradient_exports[] = {
        {"titles", title_filters, sizeof title_filters / sizeof title_filters[0], TITLE_NCOLS,
         title_col, sizeof(struct title), title_page, title_cell, title_json},
};

const struct app_module app_module_gradient = {
        .name = "gradient",
        .init = gradient_init,
        .free = gradient_free,
        .imports = gradient_imports,
        .nimports = sizeof gradient_imports / sizeof gradient_imports[0],
        .exports = gradient_exports,
        .nexports = sizeof gradient_exports / sizeof gradient_exports[0],
        .demo = app_demo_gradient,
};
