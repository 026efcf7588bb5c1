/*
 * fuzz_index: core/index under a script of changes and searches. The input
 * is lines; the first byte of each says what it does:
 *   +RA title|body   put document R (its ref: one of 16) with attribute byte A
 *   -R               remove document R
 *   !                ix_finish
 *   ?F text|text     search (title|body of the query), flag byte F:
 *                    1 signals, 2 feedback, 4 published only, 8 field 2,
 *                    16 region 44, 32 leave out ref "A", k = 1 + 3 x (F >> 6)
 *   #A w1 w2 ...     put (or replace) BULK documents "z000".., each with a
 *                    subset of the words (a title every third), attribute
 *                    bytes from A: enough postings for several blocks
 *   _A               remove the bulk documents whose number is a multiple of
 *                    2 + A % 7
 *   D (first line)   an index of demands instead of listings
 * Other lines are ignored. Invariants of every search (abort on a breach):
 *   - hits are sorted by score descending, then ref ascending; refs are
 *     distinct, live and pass the filters; at most k;
 *   - each hit's score is exactly its text plus its signals summed in
 *     signal order, its text exactly the sum of its terms' scores, each
 *     term's score > 0, and the text within 0..1 (normalised);
 *   - the top k equals the first k of an exhaustive search (k above the
 *     number of documents: nothing pruned) of the same index;
 *   - without feedback, the exhaustive search finds exactly the live
 *     documents that pass the filters and share a term with the query;
 *   - the top k (and the exhaustive list) equal those of an index rebuilt
 *     from scratch with the same live documents, put in ref order, with and
 *     without ix_finish: same refs, bitwise the same scores.
 */
#include "core/market/index.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* documents "A".."P" one by one, "z000".. in bulk; ALL: k of the exhaustive runs */
enum { SINGLE = 16, BULK = 400, REFS = SINGLE + BULK, OPS_MAX = 64, ALL = REFS };

struct doc {
	bool live;
	char ref[5];
	char *title, *body; /* NULL: none */
	struct market_attrs attrs;
};

static struct text_analyzer *ta;

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		abort();
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Split "title|body" (no '|': all body); empty parts are NULL. */
static void split(const char *s, size_t n, char **title, char **body)
{
	const char *bar = memchr(s, '|', n);
	size_t tl = bar ? (size_t)(bar - s) : 0;
	const char *b = bar ? bar + 1 : s;
	size_t bl = n - (size_t)(b - s);
	*title = tl ? dup_n(s, tl) : NULL;
	*body = bl ? dup_n(b, bl) : NULL;
}

static void attrs_of(uint8_t a, struct market_attrs *m)
{
	memset(m, 0, sizeof *m);
	m->status = (a & 3) == 3 ? MARKET_STATUS_DRAFT : MARKET_STATUS_PUBLISHED;
	m->field = (uint8_t)((a >> 2) & 3); /* 0: unknown */
	m->trl_lo = m->trl_hi = (uint8_t)((a >> 4) % 10);
	snprintf(m->region, sizeof m->region, "%s", a & 0x40 ? "440300" : a & 0x20 ? "110000" : "");
	snprintf(m->industry, sizeof m->industry, "%s", a & 0x80 ? "C3484" : "C34");
	m->modes = (uint8_t)(a >> 5);
	m->price_lo = m->price_hi = a & 0x10 ? (int64_t)a * 1000 : -1;
}

static bool same_attrs(const struct market_attrs *a, const struct market_attrs *b)
{
	return a->field == b->field && a->status == b->status && a->trl_lo == b->trl_lo &&
	       a->trl_hi == b->trl_hi && a->modes == b->modes &&
	       !strcmp(a->industry, b->industry) && !strcmp(a->region, b->region) &&
	       a->price_lo == b->price_lo && a->price_hi == b->price_hi;
}

static struct ix_doc ix_doc_of(const struct doc *d)
{
	struct ix_doc x = {.ref = d->ref, .attrs = d->attrs};
	x.text[IX_TITLE][0] = d->title;
	x.text[IX_BODY][0] = d->body;
	return x;
}

static struct ix *rebuild(enum market_kind kind, const struct doc *docs, bool finish)
{
	struct ix *ix = ix_new(kind, NULL);
	for (int r = 0; r < REFS; r++)
		if (docs[r].live) {
			struct ix_doc x = ix_doc_of(&docs[r]);
			ix_put(ix, &x);
		}
	if (finish)
		ix_finish(ix);
	return ix;
}

/* The bulk documents: document i has the words whose bit is set in a hash of i. */
static void bulk_put(struct ix *ix, struct doc *docs, uint8_t a, const char *s, size_t n)
{
	const char *w[16];
	size_t wl[16];
	int nw = 0;
	for (size_t i = 0; i < n && nw < 16;) {
		while (i < n && s[i] == ' ')
			i++;
		size_t start = i;
		while (i < n && s[i] != ' ')
			i++;
		if (i > start)
			w[nw] = s + start, wl[nw++] = i - start;
	}
	if (!nw)
		return;
	for (int i = 0; i < BULK; i++) {
		struct doc *d = &docs[SINGLE + i];
		uint32_t h = ((uint32_t)i + 1) * 2654435761u ^ (uint32_t)a << 16;
		char body[1100] = "", title[80] = "";
		size_t bl = 0;
		for (int k = 0; k < nw; k++)
			if (h >> (16 + k % 16) & 1 || k == i % nw)
				bl += (size_t)snprintf(body + bl, sizeof body - bl, "%.*s ",
				                       (int)(wl[k] < 64 ? wl[k] : 64), w[k]);
		if (i % 3 == 0)
			snprintf(title, sizeof title, "%.*s",
			         (int)(wl[i % nw] < 64 ? wl[i % nw] : 64), w[i % nw]);
		free(d->title);
		free(d->body);
		d->title = title[0] ? dup_n(title, strlen(title)) : NULL;
		d->body = dup_n(body, strlen(body));
		attrs_of((uint8_t)(a + i), &d->attrs);
		d->live = true;
		struct ix_doc x = ix_doc_of(d);
		ix_put(ix, &x);
	}
}

/* ---- the terms of documents and queries, for the completeness check ---- */

struct termset {
	char (*t)[TEXT_TERM_MAX + 1];
	size_t n, cap;
};

static void add_term(void *arg, const char *term, size_t len, enum text_kind kind)
{
	(void)kind;
	struct termset *ts = arg;
	if (ts->n == ts->cap) {
		ts->cap = ts->cap * 2 + 16;
		ts->t = realloc(ts->t, ts->cap * sizeof *ts->t);
		if (!ts->t)
			abort();
	}
	memcpy(ts->t[ts->n], term, len);
	ts->t[ts->n++][len] = '\0';
}

static bool shares_term(const struct termset *q, const struct doc *d)
{
	struct termset ts = {0};
	if (d->title)
		text_analyze(ta, d->title, strlen(d->title), add_term, &ts);
	if (d->body)
		text_analyze(ta, d->body, strlen(d->body), add_term, &ts);
	bool hit = false;
	for (size_t i = 0; i < q->n && !hit; i++)
		for (size_t k = 0; k < ts.n && !hit; k++)
			hit = !strcmp(q->t[i], ts.t[k]);
	free(ts.t);
	return hit;
}

static bool passes(const struct ix_query *q, const struct doc *d)
{
	if (q->status_mask && !(q->status_mask & (1u << d->attrs.status)))
		return false;
	if (q->field && d->attrs.field != q->field)
		return false;
	if (q->region_prefix &&
	    strncmp(d->attrs.region, q->region_prefix, strlen(q->region_prefix)))
		return false;
	return !q->exclude_ref || strcmp(q->exclude_ref, d->ref);
}

static const struct doc *doc_by_ref(const struct doc *docs, const char *ref)
{
	for (int r = 0; r < REFS; r++)
		if (docs[r].live && !strcmp(docs[r].ref, ref))
			return &docs[r];
	return NULL;
}

/* ---- the invariants ---- */

static void check_hits(const struct ix_result *res, const struct ix_query *q,
                       const struct doc *docs)
{
	if (res->n < 0 || res->n > q->k)
		abort();
	for (int i = 0; i < res->n; i++) {
		const struct ix_hit *h = &res->hits[i];
		const struct doc *d = doc_by_ref(docs, h->ref);
		if (!d || !passes(q, d))
			abort();
		for (int k = 0; k < i; k++)
			if (!strcmp(res->hits[k].ref, h->ref))
				abort();
		if (i > 0) {
			const struct ix_hit *p = &res->hits[i - 1];
			if (p->score < h->score ||
			    (p->score == h->score && strcmp(p->ref, h->ref) >= 0))
				abort();
		}
		double sig = 0, text = 0;
		for (int s = 0; s < MARKET_SIG__MAX; s++)
			sig += h->signals[s];
		if (h->score != h->text + sig)
			abort();
		if (h->nterms < 1)
			abort();
		for (int t = 0; t < h->nterms; t++) {
			if (!(h->terms[t].score > 0) || !h->terms[t].term || !h->terms[t].term[0])
				abort();
			text += h->terms[t].score;
		}
		if (text != h->text || !(h->text > 0) || h->text > 1 + 1e-9)
			abort();
		if (!q->use_attrs && sig != 0)
			abort();
	}
}

static void must_equal(const struct ix_result *a, const struct ix_result *b, int k)
{
	int n = a->n < k ? a->n : k;
	if (n != (b->n < k ? b->n : k))
		abort();
	for (int i = 0; i < n; i++)
		if (strcmp(a->hits[i].ref, b->hits[i].ref) || a->hits[i].score != b->hits[i].score)
			abort();
}

static void search(struct ix *ix, enum market_kind kind, const struct doc *docs, uint8_t flags,
                   const char *text, size_t n)
{
	char *title, *body;
	split(text, n, &title, &body);
	struct ix_query q = {.k = 1 + 3 * (flags >> 6)};
	q.text[IX_TITLE][0] = title;
	q.text[IX_BODY][0] = body;
	if (flags & 1) {
		q.use_attrs = true;
		attrs_of((uint8_t)(flags * 37), &q.attrs);
	}
	q.feedback = flags & 2;
	q.status_mask = flags & 4 ? 1u << MARKET_STATUS_PUBLISHED : 0;
	q.field = flags & 8 ? 2 : 0;
	q.region_prefix = flags & 16 ? "44" : NULL;
	q.exclude_ref = flags & 32 ? "A" : NULL;
	struct ix_query all = q;
	all.k = ALL;

	struct ix_result top, every;
	ix_search(ix, ta, &q, &top);
	ix_search(ix, ta, &all, &every);
	check_hits(&top, &q, docs);
	check_hits(&every, &all, docs);
	must_equal(&top, &every, q.k);

	if (!q.feedback) {
		struct termset qs = {0};
		for (int f = 0; f < IX__FIELDS; f++)
			if (q.text[f][0])
				text_analyze_query(ta, q.text[f][0], strlen(q.text[f][0]), add_term,
				                   &qs);
		int want = 0;
		for (int r = 0; r < REFS; r++)
			want += docs[r].live && passes(&q, &docs[r]) && shares_term(&qs, &docs[r]);
		if (every.n != want)
			abort();
		free(qs.t);
	}

	for (int finish = 0; finish < 2; finish++) {
		struct ix *fresh = rebuild(kind, docs, finish);
		struct ix_result a, b;
		ix_search(fresh, ta, &q, &a);
		ix_search(fresh, ta, &all, &b);
		must_equal(&top, &a, q.k);
		must_equal(&every, &b, ALL);
		ix_result_free(&a);
		ix_result_free(&b);
		ix_free(fresh);
	}
	ix_result_free(&top);
	ix_result_free(&every);
	free(title);
	free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ta)
		ta = text_new();
	if (size > 8192)
		return 0;
	const char *p = (const char *)data, *end = p + size;
	enum market_kind kind = size && p[0] == 'D' ? MARKET_DEMAND : MARKET_LISTING;
	struct ix *ix = ix_new(kind, NULL);
	static struct doc docs[REFS];
	memset(docs, 0, sizeof docs);
	for (int r = 0; r < REFS; r++)
		snprintf(docs[r].ref, sizeof docs[r].ref, r < SINGLE ? "%c" : "z%03d",
		         r < SINGLE ? 'A' + r : r - SINGLE);
	for (int ops = 0; p < end && ops < OPS_MAX; ops++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t len = (size_t)(le - p);
		/* text goes to the analyzer as C strings: cut at a NUL byte */
		const char *nul = memchr(p, '\0', len);
		if (nul)
			len = (size_t)(nul - p);
		struct doc *d = len >= 2 ? &docs[(uint8_t)p[1] % SINGLE] : NULL;
		if (p[0] == '+' && len >= 3) {
			free(d->title);
			free(d->body);
			split(p + 3, len - 3, &d->title, &d->body);
			attrs_of((uint8_t)p[2], &d->attrs);
			d->live = true;
			struct ix_doc x = ix_doc_of(d);
			ix_put(ix, &x);
		} else if (p[0] == '-' && d) {
			if (ix_remove(ix, d->ref) != d->live)
				abort();
			d->live = false;
		} else if (p[0] == '#' && len >= 2) {
			bulk_put(ix, docs, (uint8_t)p[1], p + 2, len - 2);
		} else if (p[0] == '_' && len >= 2) {
			for (int i = 0; i < BULK; i++)
				if (i % (2 + (uint8_t)p[1] % 7) == 0) {
					struct doc *b = &docs[SINGLE + i];
					if (ix_remove(ix, b->ref) != b->live)
						abort();
					b->live = false;
				}
		} else if (p[0] == '!' && len >= 1) {
			ix_finish(ix);
		} else if (p[0] == '?' && len >= 2) {
			search(ix, kind, docs, (uint8_t)p[1], p + 2, len - 2);
		}
		size_t live = 0;
		for (int r = 0; r < REFS; r++)
			live += docs[r].live;
		if (ix_count(ix) != live)
			abort();
		for (int r = 0; r < REFS; r++) {
			const struct market_attrs *a = ix_attrs(ix, docs[r].ref);
			if (!a != !docs[r].live || (a && !same_attrs(a, &docs[r].attrs)))
				abort();
		}
		p = nl ? nl + 1 : end;
	}
	ix_free(ix);
	for (int r = 0; r < REFS; r++) {
		free(docs[r].title);
		free(docs[r].body);
	}
	return 0;
}
