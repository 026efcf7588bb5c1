/* app_export: the kernel's export kinds (organisations); modules add theirs (app_module.h). */
#include "app/app_module.h"
#include "app/app_org.h"

#include <stdio.h>

static const struct field_def org_filters[] = {
        {"kind", FT_TEXT, 0, 1, 32, NULL, NULL, "only this kind of organisation"},
        {"region", FT_TEXT, 0, 2, 6, NULL, NULL, "only organisations inside this region"},
        {"industry", FT_TEXT, 0, 1, 5, NULL, NULL, "only organisations in this industry"},
};

/*
 * The id, then the fields in org_fields order: the header matches the import's columns, so an
 * exported file loads back (the import ignores id).
 */
static const char *org_col(int c)
{
	return c == 0 ? "id" : org_fields[c - 1].name;
}

static enum err org_page(struct app_ctx *ctx, const char *const *filter, const struct page_req *pr,
                         struct page *out)
{
	struct org_filter f = {.kind = filter[0], .region = filter[1], .industry = filter[2]};
	return app_org_list(ctx, &f, pr, out);
}

static const char *org_cell(const void *item, int c, char *tmp, size_t n)
{
	const struct org *o = item;
	if (c == 0) {
		snprintf(tmp, n, "%lld", (long long)o->id);
		return tmp;
	}
	return o->f[c - 1];
}

static void org_json(const void *item, struct buf *out)
{
	org_to_json(item, out);
}

const struct app_export_kind app_export_kernel_kinds[] = {
        {"organisations", org_filters, sizeof org_filters / sizeof org_filters[0], ORG__NFIELDS + 1,
         org_col, sizeof(struct org), org_page, org_cell, org_json},
};
const int app_export_kernel_nkinds =
        sizeof app_export_kernel_kinds / sizeof app_export_kernel_kinds[0];
