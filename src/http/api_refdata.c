/* api_refdata: region and industry handlers. */
#include "http/api.h"

#include "app/app_refdata.h"

const struct field_def api_region_query[API_REGION_NQUERY] = {
        {"level", FT_TEXT, 0, 1, 16,
         (const char *const[]){"province", "prefecture", "county", NULL}, NULL,
         "province, prefecture or county"},
        {"parent", FT_TEXT, 0, 2, 6, NULL, NULL, "children of this region code"},
        {"q", FT_TEXT, FD_FREE_TEXT, 1, 100, NULL, NULL, "text in the Chinese or English name"},
};

const struct field_def api_industry_query[API_INDUSTRY_NQUERY] = {
        {"level", FT_TEXT, 0, 1, 1, (const char *const[]){"1", "2", "3", "4", NULL}, NULL,
         "1 section, 2 division, 3 group, 4 class"},
        {"parent", FT_TEXT, 0, 1, 5, NULL, NULL, "children of this industry code"},
        {"q", FT_TEXT, FD_FREE_TEXT, 1, 100, NULL, NULL, "text in the Chinese or English name"},
};

static void region_item_json(const void *item, struct buf *out)
{
	region_to_json(item, out);
}

static void industry_item_json(const void *item, struct buf *out)
{
	industry_to_json(item, out);
}

static struct refdata_filter filter_of(struct req *rq)
{
	return (struct refdata_filter){http_query(rq, "level"), http_query(rq, "parent"),
	                               http_query(rq, "q")};
}

void api_region_list(struct req *rq)
{
	struct refdata_filter f = filter_of(rq);
	struct page p;
	enum err e = app_region_list(rq->ctx, &f, &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct region), region_item_json);
}

/*
 * Reference records are addressed by their code, not a numeric id; a short code
 * (2 or 4 digits) names the same region as its 6-digit form (region_derive)
 */
void api_region_get(struct req *rq)
{
	struct region r;
	enum err e = app_region_get(rq->ctx, rq->path_params[0], &r);
	if (!e)
		region_to_json(&r, &rq->out);
	http_finish(rq, e, 200);
}

void api_region_create(struct req *rq)
{
	struct region r;
	enum err e = app_region_create(rq->ctx, rq->body, &r);
	if (!e && !rq->ctx->replayed) {
		region_to_json(&r, &rq->out);
	}
	http_finish(rq, e, 201);
}

void api_region_update(struct req *rq)
{
	struct region r;
	enum err e = app_region_update(rq->ctx, rq->path_params[0], rq->version, rq->body, &r);
	if (!e)
		region_to_json(&r, &rq->out);
	http_finish(rq, e, 200);
}

void api_region_delete(struct req *rq)
{
	http_finish(rq, app_region_delete(rq->ctx, rq->path_params[0], rq->version), 204);
}

void api_industry_list(struct req *rq)
{
	struct refdata_filter f = filter_of(rq);
	struct page p;
	enum err e = app_industry_list(rq->ctx, &f, &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct industry), industry_item_json);
}

void api_industry_get(struct req *rq)
{
	struct industry i;
	enum err e = app_industry_get(rq->ctx, rq->path_params[0], &i);
	if (!e)
		industry_to_json(&i, &rq->out);
	http_finish(rq, e, 200);
}

void api_industry_create(struct req *rq)
{
	struct industry i;
	enum err e = app_industry_create(rq->ctx, rq->body, &i);
	if (!e && !rq->ctx->replayed) {
		industry_to_json(&i, &rq->out);
	}
	http_finish(rq, e, 201);
}

void api_industry_update(struct req *rq)
{
	struct industry i;
	enum err e = app_industry_update(rq->ctx, rq->path_params[0], rq->version, rq->body, &i);
	if (!e)
		industry_to_json(&i, &rq->out);
	http_finish(rq, e, 200);
}

void api_industry_delete(struct req *rq)
{
	http_finish(rq, app_industry_delete(rq->ctx, rq->path_params[0], rq->version), 204);
}
