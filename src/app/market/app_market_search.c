/* app_market_search: search with facets, matches and "more like this" from the live index. */
#include "app/market/app_market.h"
#include "app/market/app_market_items.h"
#include "app/market/app_market_store.h"
#include "app/app_tx.h"
#include "core/codes.h"

#include <stdio.h>
#include <string.h>

/* Copy a hit out of the index into the arena (the index may change after the read lock). */
static void hit_keep(struct app_ctx *ctx, const struct ix_hit *h, struct ix_hit *out)
{
	*out = *h;
	out->ref = arena_strdup(&ctx->arena, h->ref);
	out->terms = arena_alloc(&ctx->arena, sizeof *out->terms * (size_t)(h->nterms + 1));
	for (int i = 0; i < h->nterms; i++) {
		out->terms[i].term = arena_strdup(&ctx->arena, h->terms[i].term);
		out->terms[i].score = h->terms[i].score;
	}
}

/* Fill out->hits[i].item from the store by ref (hits were ranked among published items). */
static enum err hits_load(struct app_ctx *ctx, enum market_kind k, struct market_found *out)
{
	int kept = 0;
	for (int i = 0; i < out->n; i++) {
		enum stmt st = k == MARKET_LISTING ? STMT_LISTING_BY_REF : STMT_DEMAND_BY_REF;
		bool found;
		enum err e =
		        app_row_find(ctx, st, DB_ARGS(DB_TEXT(out->hits[i].hit.ref)),
		                     market_item_row[k], &out->hits[kept].item, "market", &found);
		if (e)
			return e;
		if (found && (e = app_market_contact_shown(ctx, k, &out->hits[kept].item)))
			return e;
		if (found) /* a row removed since the index saw it is left out */
			out->hits[kept++].hit = out->hits[i].hit;
	}
	out->n = kept;
	return ERR_OK;
}

/* Does a hit's document pass the filters the index does not apply itself? */
static bool attrs_pass(const struct market_attrs *a, enum market_kind k,
                       const struct market_filter *f, int mode_bit)
{
	if (!a)
		return false;
	if (f->trl && (a->trl_lo == 0 || f->trl < a->trl_lo || f->trl > a->trl_hi))
		return false;
	if (f->industry && strncmp(a->industry, f->industry, strlen(f->industry)))
		return false;
	(void)k;
	return mode_bit < 0 || (a->modes & (1u << mode_bit));
}

static int list_index(const char *const *list, const char *s)
{
	for (int i = 0; s && list[i]; i++)
		if (!strcmp(list[i], s))
			return i;
	return -1;
}

struct tally {
	long field[16], trl[10], mode[8];
	char prov[40][3];
	long prov_n[40];
	int nprov;
};

/*
 * Facets count every hit that passed the filters, not only the page shown, so the counts do
 * not change as the client pages.
 */
static void tally_add(struct tally *t, const struct market_attrs *a)
{
	t->field[a->field < 16 ? a->field : 0]++;
	for (int v = a->trl_lo; v && v <= a->trl_hi && v <= 9; v++)
		t->trl[v]++;
	for (int b = 0; b < 8; b++)
		if (a->modes & (1u << b))
			t->mode[b]++;
	if (!a->region[0])
		return;
	int i = 0;
	while (i < t->nprov && memcmp(t->prov[i], a->region, 2))
		i++;
	if (i == t->nprov && t->nprov < 40)
		memcpy(t->prov[t->nprov++], a->region, 2);
	if (i < t->nprov)
		t->prov_n[i]++;
}

/* The facet lists of a tally, zero counts left out, in a fixed order. */
static void tally_facets(struct app_ctx *ctx, const struct tally *t, struct market_found *out)
{
	struct facet_count *f;
	int n = 0;
	f = out->facets[FACET_FIELD] = arena_alloc(&ctx->arena, sizeof *f * 13);
	for (int i = 1; market_tech_fields[i - 1]; i++)
		if (t->field[i])
			f[n++] = (struct facet_count){market_tech_fields[i - 1], t->field[i]};
	f[n].value = NULL;
	f = out->facets[FACET_TRL] = arena_alloc(&ctx->arena, sizeof *f * 10);
	n = 0;
	for (int v = 1; v <= 9; v++)
		if (t->trl[v])
			f[n++] =
			        (struct facet_count){arena_printf(&ctx->arena, "%d", v), t->trl[v]};
	f[n].value = NULL;
	f = out->facets[FACET_MODE] = arena_alloc(&ctx->arena, sizeof *f * 9);
	n = 0;
	for (int b = 0; market_modes[b]; b++)
		if (t->mode[b])
			f[n++] = (struct facet_count){market_modes[b], t->mode[b]};
	f[n].value = NULL;
	f = out->facets[FACET_PROVINCE] = arena_alloc(&ctx->arena, sizeof *f * 41);
	n = 0;
	for (int i = 0; i < t->nprov; i++) /* by code, so both stores and every run agree */
		f[n++] = (struct facet_count){arena_printf(&ctx->arena, "%.2s0000", t->prov[i]),
		                              t->prov_n[i]};
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strcmp(f[j - 1].value, f[j].value) > 0; j--) {
			struct facet_count x = f[j];
			f[j] = f[j - 1];
			f[j - 1] = x;
		}
	f[n].value = NULL;
}

/*
 * Search serves the public and asks the index for published items only: any other status is
 * refused rather than silently ignored.
 */
static enum err search_check(struct app_ctx *ctx, const struct market_filter *f, char region[7],
                             int *field, int *mode_bit)
{
	const char *why;
	*field = f->field ? list_index(market_tech_fields, f->field) + 1 : 0;
	*mode_bit = f->mode ? list_index(market_modes, f->mode) : -1;
	if (f->region && !region_code_normalise(f->region, region))
		return APP_FAIL(ctx, ERR_INVALID, "region", "must be a region code");
	if (f->industry && !industry_code_check(f->industry, &why))
		return APP_FAIL(ctx, ERR_INVALID, "industry", "%s", why);
	if (f->status && strcmp(f->status, "published"))
		return APP_FAIL(ctx, ERR_INVALID, "status", "search covers published items only");
	return ERR_OK;
}

/* The region prefix the index filters by: "32" for 320000, "3205" for 320500. */
static const char *region_prefix(struct app_ctx *ctx, const char *region)
{
	size_t n = strlen(region);
	while (n > 2 && region[n - 1] == '0' && region[n - 2] == '0')
		n -= 2;
	return arena_printf(&ctx->arena, "%.*s", (int)n, region);
}

/*
 * The cursor is an offset into the ranked hits: a ranking has no stable key to continue from,
 * and the query is run again for each page (top IX_TOP_MAX). The read lock is released before
 * the hits are loaded from the store, so slow loads never hold back a rebuild.
 */
enum err app_market_search(struct app_ctx *ctx, enum market_kind k, const char *q,
                           const struct market_filter *f, const struct page_req *pr,
                           struct market_found *out)
{
	char region[7];
	int field, mode_bit;
	int64_t offset = 0;
	memset(out, 0, sizeof *out);
	enum err e = search_check(ctx, f, region, &field, &mode_bit);
	if (!e && pr->cursor)
		e = app_cursor_id(ctx, 's', pr->cursor, &offset);
	struct market_engine *eng;
	if (e || (e = app_market_read(ctx, &eng)))
		return e;
	struct ix_query iq = {.k = IX_TOP_MAX, .status_mask = 1u << MARKET_STATUS_PUBLISHED};
	iq.text[IX_BODY][0] = q;
	iq.field = (uint8_t)field;
	iq.region_prefix = f->region ? region_prefix(ctx, region) : NULL;
	struct ix_result res;
	app_market_ix_search(eng, k, &iq, &res);
	struct tally t = {0};
	out->hits = arena_alloc(&ctx->arena, sizeof *out->hits * (size_t)(pr->limit + 1));
	for (int i = 0; i < res.n; i++) {
		const struct market_attrs *a = ix_attrs(eng->ix[k], res.hits[i].ref);
		if (!attrs_pass(a, k, f, mode_bit))
			continue;
		tally_add(&t, a);
		if (out->total >= offset && out->n < pr->limit)
			hit_keep(ctx, &res.hits[i], &out->hits[out->n++].hit);
		out->total++;
	}
	ix_result_free(&res);
	app_market_read_done(ctx);
	tally_facets(ctx, &t, out);
	if (offset + out->n < out->total)
		out->next_cursor =
		        app_cursor_encode(ctx, 's', app_id_str(ctx, offset + (int64_t)out->n));
	return hits_load(ctx, k, out);
}

/*
 * Matches look on the other side (demands for a listing), "similar" on the same side without
 * the item itself; both from the live index, published items only.
 */
enum err app_market_item_matches(struct app_ctx *ctx, enum market_kind k, int64_t id, bool similar,
                                 int top, struct market_found *out)
{
	struct market_item it;
	memset(out, 0, sizeof *out);
	enum err e = app_market_item_get(ctx, k, id, &it);
	struct market_engine *eng;
	if (e || (e = app_market_read(ctx, &eng)))
		return e;
	struct ix_result res;
	if (similar) {
		struct ix_doc doc;
		app_market_doc(&it, &doc);
		struct ix_query q = {.k = top,
		                     .status_mask = 1u << MARKET_STATUS_PUBLISHED,
		                     .exclude_ref = it.f[MARKET_F_REF]};
		memcpy(q.text, doc.text, sizeof q.text);
		app_market_ix_search(eng, k, &q, &res);
	} else {
		app_market_match(eng, &it, top, &res);
	}
	out->hits = arena_alloc(&ctx->arena, sizeof *out->hits * (size_t)(res.n + 1));
	for (int i = 0; i < res.n; i++)
		hit_keep(ctx, &res.hits[i], &out->hits[out->n++].hit);
	out->total = res.n;
	ix_result_free(&res);
	app_market_read_done(ctx);
	for (int f = 0; f < FACET__MAX; f++) {
		out->facets[f] = arena_alloc(&ctx->arena, sizeof *out->facets[f]);
		out->facets[f][0].value = NULL;
	}
	enum market_kind other =
	        similar ? k : (k == MARKET_LISTING ? MARKET_DEMAND : MARKET_LISTING);
	return hits_load(ctx, other, out);
}
