/* index: inverted index, BM25F + signals, max-score top-k (see index.h). */
#include "core/market/index.h"

#include "lib/buf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const struct ix_params ix_default_params = {
        .k1 = 1.2,
        .b = {[IX_TITLE] = 0.75, [IX_BODY] = 0.75},
        .weight = {[IX_TITLE] = 1.5, [IX_BODY] = 1.0},
};

/* BLOCK postings share one stored score bound (block-max pruning). */
enum { TF_MAX = 255, EMPTY = 0, BLOCK = 128 };
#define DEAD_SLOT UINT32_MAX

/* A term's postings: ascending document numbers, and per posting its count in each field. */
struct plist {
	uint32_t *doc;
	uint8_t *tf; /* IX__FIELDS per posting */
	uint32_t n, cap;
	uint32_t df;  /* live documents */
	float bound;  /* max saturation over postings, valid for ix->bound_avg */
	float *bmax;  /* per BLOCK postings: their max saturation, as bound */
	uint32_t str; /* offset of the term's text in ix->strs */
};

struct ixdoc {
	uint32_t ref;  /* offset in ix->strs */
	uint32_t nfwd; /* distinct terms */
	uint64_t fwd;  /* offset of its varint-delta term list in ix->fwd */
	uint32_t len[IX__FIELDS];
	struct market_attrs a;
	bool live;
};

struct ix {
	enum market_kind kind;
	struct ix_params p;
	struct text_analyzer *ta; /* for indexing */
	struct plist *terms;
	uint32_t nterms, terms_cap;
	uint32_t *term_tab; /* open addressing: term id + 1 */
	uint32_t term_tab_cap;
	struct buf strs; /* term texts and refs, NUL-terminated */
	struct ixdoc *docs;
	uint32_t ndocs, docs_cap, nlive;
	/* the hot per-document data, packed apart from ixdoc so scoring stays in cache */
	uint32_t (*dlen)[IX__FIELDS];
	uint8_t *dlive;
	uint32_t *ref_tab; /* doc + 1, or DEAD_SLOT */
	uint32_t ref_tab_cap, ref_used;
	struct buf fwd;
	double totlen[IX__FIELDS];
	double bound_avg[IX__FIELDS];
	/* scratch of ix_put */
	uint64_t *scratch; /* term id << 8 | field */
	size_t nscratch, scratch_cap;
	int cur_field;
};

/* FNV-1a with a final fold of the high bits into the low ones: the tables index by the low bits */
static uint32_t hash_str(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h ^ (h >> 15);
}

static const char *str_at(const struct ix *ix, uint32_t off)
{
	return ix->strs.data + off;
}

/*
 * Term texts and refs live in one buffer addressed by offset: the buffer moves
 * when it grows, so pointers into it would not survive
 */
static uint32_t str_add(struct ix *ix, const char *s, size_t n)
{
	uint32_t off = (uint32_t)ix->strs.len;
	buf_append(&ix->strs, s, n);
	buf_putc(&ix->strs, 0);
	return off;
}

struct ix *ix_new(enum market_kind kind, const struct ix_params *p)
{
	struct ix *ix = xcalloc(1, sizeof *ix);
	ix->kind = kind;
	ix->p = p ? *p : ix_default_params;
	ix->ta = text_new();
	ix->term_tab_cap = 1024;
	ix->term_tab = xcalloc(ix->term_tab_cap, sizeof *ix->term_tab);
	ix->ref_tab_cap = 1024;
	ix->ref_tab = xcalloc(ix->ref_tab_cap, sizeof *ix->ref_tab);
	buf_putc(&ix->strs, 0); /* offset 0 is "" */
	return ix;
}

void ix_free(struct ix *ix)
{
	if (!ix)
		return;
	for (uint32_t t = 0; t < ix->nterms; t++) {
		free(ix->terms[t].doc);
		free(ix->terms[t].tf);
		free(ix->terms[t].bmax);
	}
	free(ix->terms);
	free(ix->term_tab);
	free(ix->docs);
	free(ix->dlen);
	free(ix->dlive);
	free(ix->ref_tab);
	free(ix->scratch);
	buf_free(&ix->strs);
	buf_free(&ix->fwd);
	text_free(ix->ta);
	free(ix);
}

enum market_kind ix_kind(const struct ix *ix)
{
	return ix->kind;
}

/* ---- the term dictionary ---- */

/*
 * The table holds term ids only, so it is rebuilt from the terms' texts; terms
 * are never removed, so there are no tombstones to drop
 */
static void term_tab_grow(struct ix *ix)
{
	uint32_t cap = ix->term_tab_cap * 2;
	uint32_t *tab = xcalloc(cap, sizeof *tab);
	for (uint32_t t = 0; t < ix->nterms; t++) {
		const char *s = str_at(ix, ix->terms[t].str);
		uint32_t h = hash_str(s, strlen(s)) & (cap - 1);
		while (tab[h])
			h = (h + 1) & (cap - 1);
		tab[h] = t + 1;
	}
	free(ix->term_tab);
	ix->term_tab = tab;
	ix->term_tab_cap = cap;
}

/* The id of term s[0..n), added when `add`; -1 when absent and not added. */
static int64_t term_id(struct ix *ix, const char *s, size_t n, bool add)
{
	uint32_t mask = ix->term_tab_cap - 1, h = hash_str(s, n) & mask;
	for (; ix->term_tab[h]; h = (h + 1) & mask) {
		const char *t = str_at(ix, ix->terms[ix->term_tab[h] - 1].str);
		if (!strncmp(t, s, n) && !t[n])
			return ix->term_tab[h] - 1;
	}
	if (!add)
		return -1;
	if (ix->nterms == ix->terms_cap)
		ix->terms = xrealloc(ix->terms, (ix->terms_cap = ix->terms_cap * 2 + 1024) *
		                                        sizeof *ix->terms);
	uint32_t id = ix->nterms++;
	memset(&ix->terms[id], 0, sizeof ix->terms[id]);
	ix->terms[id].str = str_add(ix, s, n);
	ix->term_tab[h] = id + 1;
	if (ix->nterms * 2 > ix->term_tab_cap)
		term_tab_grow(ix);
	return id;
}

/* Read-only lookup for queries (term_id without adding cannot change the index). */
static int64_t term_find(const struct ix *ix, const char *s, size_t n)
{
	return term_id((struct ix *)ix, s, n, false);
}

/* ---- refs ---- */

/*
 * Removed documents leave DEAD_SLOT tombstones so the probe chains of other
 * refs stay intact; an insert reuses the first tombstone it passed
 */
static uint32_t *ref_slot(const struct ix *ix, const char *ref, bool for_insert)
{
	uint32_t mask = ix->ref_tab_cap - 1, h = hash_str(ref, strlen(ref)) & mask;
	uint32_t *grave = NULL;
	for (; ix->ref_tab[h]; h = (h + 1) & mask) {
		uint32_t v = ix->ref_tab[h];
		if (v == DEAD_SLOT) {
			if (!grave)
				grave = &ix->ref_tab[h];
			continue;
		}
		if (!strcmp(str_at(ix, ix->docs[v - 1].ref), ref))
			return &ix->ref_tab[h];
	}
	return for_insert && grave ? grave : &ix->ref_tab[h];
}

/* Rehashing drops the tombstones */
static void ref_tab_grow(struct ix *ix)
{
	uint32_t *old = ix->ref_tab, oldcap = ix->ref_tab_cap;
	ix->ref_tab_cap = oldcap * 2;
	ix->ref_tab = xcalloc(ix->ref_tab_cap, sizeof *ix->ref_tab);
	ix->ref_used = 0;
	for (uint32_t i = 0; i < oldcap; i++)
		if (old[i] && old[i] != DEAD_SLOT) {
			*ref_slot(ix, str_at(ix, ix->docs[old[i] - 1].ref), true) = old[i];
			ix->ref_used++;
		}
	free(old);
}

/* ---- scoring ---- */

/* BM25F saturation of one posting: 0..1, before idf. */
static double saturation(const struct ix *ix, uint32_t d, const uint8_t *tf, const double avg[])
{
	double x = 0;
	const uint32_t *len = ix->dlen[d];
	for (int f = 0; f < IX__FIELDS; f++)
		if (tf[f]) {
			double b = ix->p.b[f];
			double norm = 1 - b + b * (avg[f] > 0 ? len[f] / avg[f] : 1);
			x += ix->p.weight[f] * tf[f] / norm;
		}
	return x / (ix->p.k1 + x);
}

/* The current average field lengths of live documents, the BM25F length normalisation */
static void averages(const struct ix *ix, double avg[])
{
	for (int f = 0; f < IX__FIELDS; f++)
		avg[f] = ix->nlive ? ix->totlen[f] / ix->nlive : 0;
}

/*
 * The averages the stored score bounds were computed at: bound_avg, or 1
 * for a field that had no text yet (add_postings needs some average, and
 * weigh must inflate the bounds from the same one when text arrives).
 */
static void bound_averages(const struct ix *ix, double avg[])
{
	for (int f = 0; f < IX__FIELDS; f++)
		avg[f] = ix->bound_avg[f] > 0 ? ix->bound_avg[f] : 1;
}

/*
 * BM25's idf with 1 added inside the log, so a term in most documents weighs
 * little but never negative
 */
static double idf(const struct ix *ix, uint32_t df)
{
	return log(1.0 + ((double)ix->nlive - df + 0.5) / (df + 0.5));
}

/* ---- documents ---- */

/*
 * Each document's term ids, sorted and delta-encoded as varints: read only when the
 * document is removed or votes in feedback, so they are kept small rather than fast
 */
static void put_u32v(struct buf *b, uint32_t v)
{
	while (v >= 0x80) {
		buf_putc(b, (char)(v | 0x80));
		v >>= 7;
	}
	buf_putc(b, (char)v);
}

static uint32_t get_u32v(const uint8_t **p)
{
	uint32_t v = 0;
	for (int s = 0;; s += 7) {
		uint8_t c = *(*p)++;
		v |= (uint32_t)(c & 0x7f) << s;
		if (!(c & 0x80))
			return v;
	}
}

/*
 * Each occurrence as (term id << 8 | field), sorted later so one term's
 * occurrences in every field sit together
 */
static void collect(void *arg, const char *term, size_t len, enum text_kind kind)
{
	(void)kind;
	struct ix *ix = arg;
	int64_t id = term_id(ix, term, len, true);
	if (ix->nscratch == ix->scratch_cap)
		ix->scratch = xrealloc(ix->scratch, (ix->scratch_cap = ix->scratch_cap * 2 + 256) *
		                                            sizeof(uint64_t));
	ix->scratch[ix->nscratch++] = (uint64_t)id << 8 | (uint64_t)ix->cur_field;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint32_t blocks_of(uint32_t n)
{
	return (n + BLOCK - 1) / BLOCK;
}

/* Append a posting of saturation sat (a bound: rounded up) to its block's bound. */
static void plist_append(struct plist *pl, uint32_t d, const uint8_t tf[], float sat)
{
	if (pl->n == pl->cap) {
		pl->cap = pl->cap < 4 ? 4 : pl->cap + pl->cap / 2;
		pl->doc = xrealloc(pl->doc, pl->cap * sizeof *pl->doc);
		pl->tf = xrealloc(pl->tf, (size_t)pl->cap * IX__FIELDS);
		pl->bmax = xrealloc(pl->bmax, blocks_of(pl->cap) * sizeof *pl->bmax);
	}
	if (pl->n % BLOCK == 0)
		pl->bmax[pl->n / BLOCK] = 0;
	if (sat > pl->bmax[pl->n / BLOCK])
		pl->bmax[pl->n / BLOCK] = sat;
	pl->doc[pl->n] = d;
	memcpy(pl->tf + (size_t)pl->n * IX__FIELDS, tf, IX__FIELDS);
	pl->n++;
}

/* Postings of a new document from its sorted (term, field) pairs. */
static void add_postings(struct ix *ix, uint32_t d)
{
	struct ixdoc *doc = &ix->docs[d];
	double avg[IX__FIELDS];
	bound_averages(ix, avg);
	doc->fwd = ix->fwd.len;
	uint32_t prev = 0;
	for (size_t i = 0; i < ix->nscratch;) {
		uint32_t t = (uint32_t)(ix->scratch[i] >> 8);
		uint8_t tf[IX__FIELDS] = {0};
		for (; i < ix->nscratch && ix->scratch[i] >> 8 == t; i++) {
			uint8_t *c = &tf[ix->scratch[i] & 0xff];
			*c = (uint8_t)(*c < TF_MAX ? *c + 1 : TF_MAX);
		}
		struct plist *pl = &ix->terms[t];
		/*
		 * rounded up to the next float: a stored bound must never be below the score
		 * it bounds, or pruning could drop a hit
		 */
		float s = nextafterf((float)saturation(ix, d, tf, avg), 2.0f);
		plist_append(pl, d, tf, s);
		pl->df++;
		if (s > pl->bound)
			pl->bound = s;
		put_u32v(&ix->fwd, t - prev);
		prev = t;
		doc->nfwd++;
	}
}

/*
 * The postings stay (marked dead in dlive) until ix_finish compacts them; df
 * and the length totals change now, so scores are right meanwhile
 */
static void remove_doc(struct ix *ix, uint32_t *slot)
{
	uint32_t d = *slot - 1;
	struct ixdoc *doc = &ix->docs[d];
	/* no terms yet anywhere: fwd.data is NULL, and NULL + 0 is undefined */
	const uint8_t *p = doc->nfwd ? (const uint8_t *)ix->fwd.data + doc->fwd : NULL;
	uint32_t t = 0;
	for (uint32_t i = 0; i < doc->nfwd; i++) {
		t += get_u32v(&p);
		ix->terms[t].df--;
	}
	for (int f = 0; f < IX__FIELDS; f++)
		ix->totlen[f] -= doc->len[f];
	doc->live = false;
	ix->dlive[d] = 0;
	ix->nlive--;
	*slot = DEAD_SLOT;
}

/*
 * A changed document is removed and added again under a new number, so every
 * posting list stays in ascending document order without insertion in the middle
 */
void ix_put(struct ix *ix, const struct ix_doc *in)
{
	uint32_t *slot = ref_slot(ix, in->ref, false);
	if (*slot)
		remove_doc(ix, slot);
	if (ix->ndocs == ix->docs_cap) {
		ix->docs_cap = ix->docs_cap * 2 + 1024;
		ix->docs = xrealloc(ix->docs, ix->docs_cap * sizeof *ix->docs);
		ix->dlen = xrealloc(ix->dlen, ix->docs_cap * sizeof *ix->dlen);
		ix->dlive = xrealloc(ix->dlive, ix->docs_cap);
	}
	uint32_t d = ix->ndocs++;
	struct ixdoc *doc = &ix->docs[d];
	memset(doc, 0, sizeof *doc);
	doc->a = in->attrs;
	doc->live = true;
	ix->dlive[d] = (uint8_t)(1u << (doc->a.status % 8)); /* live, and its status bit */
	ix->nscratch = 0;
	for (int f = 0; f < IX__FIELDS; f++) {
		ix->cur_field = f;
		size_t before = ix->nscratch;
		for (int k = 0; k < IX_PARTS; k++)
			if (in->text[f][k])
				text_analyze(ix->ta, in->text[f][k], strlen(in->text[f][k]),
				             collect, ix);
		doc->len[f] = ix->dlen[d][f] = (uint32_t)(ix->nscratch - before);
		ix->totlen[f] += doc->len[f];
	}
	if (ix->nscratch) /* a document without terms has no scratch yet: qsort(NULL) is undefined */
		qsort(ix->scratch, ix->nscratch, sizeof *ix->scratch, cmp_u64);
	ix->nlive++;
	doc->ref = str_add(ix, in->ref, strlen(in->ref)); /* after analysis: strs may move */
	/*
	 * the averages the stored bounds use are fixed once, by the first document with
	 * any text, until ix_finish (weigh inflates the bounds when the averages grow)
	 */
	if (!ix->bound_avg[0] && !ix->bound_avg[1])
		averages(ix, ix->bound_avg);
	add_postings(ix, d);
	slot = ref_slot(ix, in->ref, true);
	ix->ref_used += !*slot;
	*slot = d + 1;
	if (ix->ref_used * 2 > ix->ref_tab_cap)
		ref_tab_grow(ix);
}

bool ix_remove(struct ix *ix, const char *ref)
{
	uint32_t *slot = ref_slot(ix, ref, false);
	if (!*slot)
		return false;
	remove_doc(ix, slot);
	return true;
}

const struct market_attrs *ix_attrs(const struct ix *ix, const char *ref)
{
	uint32_t v = *ref_slot(ix, ref, false);
	if (!v || v == DEAD_SLOT || !ix->docs[v - 1].live)
		return NULL;
	return &ix->docs[v - 1].a;
}

/* Give back the slack of growth: after a bulk load, about a sixth of the postings' memory. */
static void plist_shrink(struct plist *pl)
{
	if (pl->cap == pl->n || !pl->n)
		return;
	pl->cap = pl->n;
	pl->doc = xrealloc(pl->doc, pl->cap * sizeof *pl->doc);
	pl->tf = xrealloc(pl->tf, (size_t)pl->cap * IX__FIELDS);
	pl->bmax = xrealloc(pl->bmax, blocks_of(pl->cap) * sizeof *pl->bmax);
}

/*
 * After a bulk load or many updates: drop dead postings, recompute every bound at
 * the current averages (tighter bounds prune more) and give back the growth slack
 */
void ix_finish(struct ix *ix)
{
	averages(ix, ix->bound_avg);
	double avg[IX__FIELDS];
	bound_averages(ix, avg);
	for (uint32_t t = 0; t < ix->nterms; t++) {
		struct plist *pl = &ix->terms[t];
		uint32_t k = 0;
		float bound = 0;
		for (uint32_t i = 0; i < pl->n; i++) {
			uint32_t d = pl->doc[i];
			if (!ix->dlive[d])
				continue;
			pl->doc[k] = d;
			memmove(pl->tf + (size_t)k * IX__FIELDS, pl->tf + (size_t)i * IX__FIELDS,
			        IX__FIELDS);
			float s = nextafterf(
			        (float)saturation(ix, d, pl->tf + (size_t)k * IX__FIELDS, avg),
			        2.0f);
			if (k % BLOCK == 0)
				pl->bmax[k / BLOCK] = 0;
			if (s > pl->bmax[k / BLOCK])
				pl->bmax[k / BLOCK] = s;
			if (s > bound)
				bound = s;
			k++;
		}
		pl->n = k;
		pl->bound = bound;
		plist_shrink(pl);
	}
	if (ix->docs_cap > ix->ndocs && ix->ndocs) {
		ix->docs_cap = ix->ndocs;
		ix->docs = xrealloc(ix->docs, ix->docs_cap * sizeof *ix->docs);
		ix->dlen = xrealloc(ix->dlen, ix->docs_cap * sizeof *ix->dlen);
		ix->dlive = xrealloc(ix->dlive, ix->docs_cap);
	}
	if (ix->fwd.cap > ix->fwd.len + 1) {
		ix->fwd.data = xrealloc(ix->fwd.data, ix->fwd.len + 1);
		ix->fwd.cap = ix->fwd.len + 1;
	}
}

size_t ix_count(const struct ix *ix)
{
	return ix->nlive;
}

size_t ix_terms(const struct ix *ix)
{
	return ix->nterms;
}

/*
 * By capacity, not use: what the process actually holds for the index (reindex
 * and --stats report it)
 */
size_t ix_memory(const struct ix *ix)
{
	size_t m = sizeof *ix + ix->terms_cap * sizeof *ix->terms +
	           ix->term_tab_cap * sizeof(uint32_t) + ix->strs.cap +
	           ix->docs_cap * (sizeof *ix->docs + sizeof *ix->dlen + 1) +
	           ix->ref_tab_cap * sizeof(uint32_t) + ix->fwd.cap +
	           ix->scratch_cap * sizeof(uint64_t);
	for (uint32_t t = 0; t < ix->nterms; t++)
		m += (size_t)ix->terms[t].cap * (sizeof(uint32_t) + IX__FIELDS) +
		     blocks_of(ix->terms[t].cap) * sizeof(float);
	return m;
}

/* ---- search ---- */

struct qterm {
	const struct plist *pl;
	double qw;     /* occurrences in the query */
	double factor; /* qw x idf / norm: the weight of one unit of saturation */
	double ub;     /* upper bound of the contribution */
	double bscale; /* factor x the bounds' inflation: a block's bound is bscale x bmax */
	uint32_t pos;  /* cursor into pl */
	uint32_t blk;  /* shallow cursor: the block of the first posting >= the region's start */
	uint32_t id;
};

struct qbuild {
	const struct ix *ix;
	struct qterm *qt;
	int m;
};

/*
 * A query term absent from the index or without a live document cannot score:
 * it is dropped here. A repeated term weighs more.
 */
static void collect_query(void *arg, const char *term, size_t len, enum text_kind kind)
{
	(void)kind;
	struct qbuild *qb = arg;
	int64_t id = term_find(qb->ix, term, len);
	if (id < 0 || !qb->ix->terms[id].df)
		return;
	for (int i = 0; i < qb->m; i++)
		if (qb->qt[i].id == (uint32_t)id) {
			qb->qt[i].qw += 1;
			return;
		}
	if (qb->m == IX_QUERY_TERMS_MAX)
		return;
	qb->qt[qb->m++] = (struct qterm){.pl = &qb->ix->terms[id], .qw = 1, .id = (uint32_t)id};
}

struct heap_ent {
	double score;
	uint32_t doc;
};

struct search {
	const struct ix *ix;
	const struct ix_query *q;
	struct qterm *qt; /* in query order */
	int m;
	int *order;  /* term indices by ascending bound */
	double *pre; /* pre[i]: sum of the bounds of order[0..i] */
	double sigbound;
	double *bb; /* bb[i]: block bound of qt[i] in the current region */
	double avg[IX__FIELDS];
	uint32_t exclude; /* doc + 1, or 0 */
	struct heap_ent *heap;
	int nheap;
	long scored;
};

/* Is a worse than b: lower score, or equal score and a later ref. */
static bool worse(const struct ix *ix, const struct heap_ent *a, const struct heap_ent *b)
{
	if (a->score != b->score)
		return a->score < b->score;
	return strcmp(str_at(ix, ix->docs[a->doc].ref), str_at(ix, ix->docs[b->doc].ref)) > 0;
}

/* The top k as a min-heap of the current best: its root is the score to beat (theta) */
static void heap_sift_down(struct search *s, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, w = i;
		if (l < s->nheap && worse(s->ix, &s->heap[l], &s->heap[w]))
			w = l;
		if (r < s->nheap && worse(s->ix, &s->heap[r], &s->heap[w]))
			w = r;
		if (w == i)
			return;
		struct heap_ent t = s->heap[i];
		s->heap[i] = s->heap[w];
		s->heap[w] = t;
		i = w;
	}
}

static void heap_offer(struct search *s, double score, uint32_t d)
{
	struct heap_ent e = {score, d};
	if (s->nheap < s->q->k) {
		int i = s->nheap++;
		s->heap[i] = e;
		while (i && worse(s->ix, &s->heap[i], &s->heap[(i - 1) / 2])) {
			struct heap_ent t = s->heap[i];
			s->heap[i] = s->heap[(i - 1) / 2];
			s->heap[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
	} else if (worse(s->ix, &s->heap[0], &e)) {
		s->heap[0] = e;
		heap_sift_down(s, 0);
	}
}

/* The first position at or after pos whose document is >= d (galloping). */
static uint32_t seek(const struct plist *pl, uint32_t pos, uint32_t d)
{
	uint32_t lo = pos, step = 1;
	while (lo + step < pl->n && pl->doc[lo + step] < d) {
		lo += step;
		step <<= 1;
	}
	uint32_t hi = lo + step < pl->n ? lo + step : pl->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (pl->doc[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The filters of a query (status, field, region) are checked per candidate,
 * before its score is completed, so filtered documents cost only this test
 */
static bool passes(const struct search *s, uint32_t d)
{
	const struct ix_query *q = s->q;
	uint8_t st = s->ix->dlive[d];
	if (!st || d + 1 == s->exclude || (q->status_mask && !(q->status_mask & st)))
		return false;
	if (!q->field && !q->region_prefix)
		return true;
	const struct ixdoc *doc = &s->ix->docs[d];
	if (q->field && doc->a.field != q->field)
		return false;
	return !q->region_prefix ||
	       !strncmp(doc->a.region, q->region_prefix, strlen(q->region_prefix));
}

/*
 * The signals compare a demand with a listing: the argument order depends on
 * which side the index holds
 */
static double signals(const struct search *s, uint32_t d, double out[MARKET_SIG__MAX])
{
	if (!s->q->use_attrs) {
		memset(out, 0, sizeof(double) * MARKET_SIG__MAX);
		return 0;
	}
	const struct market_attrs *da = &s->ix->docs[d].a, *qa = &s->q->attrs;
	return s->ix->kind == MARKET_LISTING ? market_signal_scores(qa, da, out)
	                                     : market_signal_scores(da, qa, out);
}

static double contribution(const struct search *s, const struct qterm *t, uint32_t d, uint32_t pos)
{
	return t->factor * saturation(s->ix, d, t->pl->tf + (size_t)pos * IX__FIELDS, s->avg);
}

static bool below(double bound, double theta)
{
	return bound * (1 + 1e-9) + 1e-12 < theta; /* margin for rounding in the bounds */
}

/* The last document of pl's block b. */
static uint32_t block_last(const struct plist *pl, uint32_t b)
{
	uint32_t end = (b + 1) * BLOCK;
	return pl->doc[(end < pl->n ? end : pl->n) - 1];
}

/*
 * Move t's shallow cursor to the block holding its first posting >= d and
 * return the bound of that block for every document from d to *last (its
 * last document, UINT32_MAX past the end: no document gets anything).
 */
static double block_bound(struct qterm *t, uint32_t d, uint32_t *last)
{
	const struct plist *pl = t->pl;
	uint32_t nb = blocks_of(pl->n);
	while (t->blk < nb && block_last(pl, t->blk) < d)
		t->blk++;
	if (t->blk == nb) {
		*last = UINT32_MAX;
		return 0;
	}
	*last = block_last(pl, t->blk);
	double b = t->bscale * pl->bmax[t->blk];
	return b < t->ub ? b : t->ub;
}

/*
 * The region from d: the documents up to the first end of a block among all
 * terms' current blocks; every one scores at most the returned bound.
 */
static double region(struct search *s, uint32_t d, uint32_t *end)
{
	double ub = s->sigbound;
	*end = UINT32_MAX;
	for (int i = 0; i < s->m; i++) {
		uint32_t last;
		ub += s->bb[i] = block_bound(&s->qt[i], d, &last);
		if (last < *end)
			*end = last;
	}
	return ub;
}

/* The next candidate: the least document under the essential terms' cursors. */
static uint32_t next_doc(const struct search *s, int first)
{
	uint32_t d = UINT32_MAX;
	for (int i = first; i < s->m; i++) {
		const struct qterm *t = &s->qt[s->order[i]];
		if (t->pos < t->pl->n && t->pl->doc[t->pos] < d)
			d = t->pl->doc[t->pos];
	}
	return d;
}

/* Partial score of d from the essential terms, moving their cursors past d. */
static double essential(struct search *s, int first, uint32_t d, bool ok, double *c)
{
	double partial = 0;
	for (int i = first; i < s->m; i++) {
		struct qterm *t = &s->qt[s->order[i]];
		if (t->pos < t->pl->n && t->pl->doc[t->pos] == d) {
			if (ok)
				partial += c[s->order[i]] = contribution(s, t, d, t->pos);
			t->pos++;
		}
	}
	return partial;
}

/*
 * Complete d's score by probing the non-essential terms, best bound first,
 * while its block bounds can still lift it to theta; false when they cannot.
 */
static bool probe(struct search *s, int first, uint32_t d, double partial, double sigsum,
                  double rest, double theta, double *c)
{
	for (int i = first - 1; i >= 0; i--) {
		if (below(partial + sigsum + rest, theta))
			return false;
		struct qterm *t = &s->qt[s->order[i]];
		rest -= s->bb[s->order[i]];
		t->pos = seek(t->pl, t->pos, d);
		if (t->pos < t->pl->n && t->pl->doc[t->pos] == d)
			partial += c[s->order[i]] = contribution(s, t, d, t->pos);
	}
	return !below(partial + sigsum, theta);
}

/* Move the essential terms' cursors to end + 1: the region up to end cannot score. */
static void skip_region(struct search *s, int first, uint32_t end)
{
	for (int i = first; i < s->m; i++) {
		struct qterm *t = &s->qt[s->order[i]];
		t->pos = end == UINT32_MAX ? t->pl->n : seek(t->pl, t->pos, end + 1);
	}
}

/*
 * Document-at-a-time over the essential terms, probing the others
 * (max-score), and skipping whole regions whose block bounds cannot reach
 * the current top k (block-max).
 */
static void traverse(struct search *s)
{
	int m = s->m, first = 0;
	double theta = -INFINITY, rub = 0;
	uint32_t rend = 0, d;
	bool fresh = true; /* no region computed yet */
	double *c = xcalloc((size_t)m, sizeof *c);
	while ((d = next_doc(s, first)) != UINT32_MAX) {
		if (fresh || d > rend) {
			rub = region(s, d, &rend);
			fresh = false;
		}
		if (below(rub, theta)) {
			skip_region(s, first, rend);
			continue;
		}
		bool ok = passes(s, d);
		double partial = essential(s, first, d, ok, c);
		double rest = 0; /* the non-essential terms' block bounds */
		for (int i = 0; i < first; i++)
			rest += s->bb[s->order[i]];
		if (!ok || below(partial + s->sigbound + rest, theta))
			goto next;
		double sig[MARKET_SIG__MAX];
		double sigsum = signals(s, d, sig);
		if (!probe(s, first, d, partial, sigsum, rest, theta, c))
			goto next;
		double text = 0;
		for (int i = 0; i < m; i++)
			text += c[i];
		s->scored++;
		heap_offer(s, text + sigsum, d);
		if (s->nheap == s->q->k) {
			theta = s->heap[0].score;
			while (first < m && below(s->pre[first] + s->sigbound, theta))
				first++;
		}
	next:
		memset(c, 0, sizeof *c * (size_t)m);
	}
	free(c);
}

/* Ascending bound, then index: the order is deterministic for equal bounds */
static int cmp_order(const void *a, const void *b, void *arg)
{
	const struct qterm *qt = arg;
	double x = qt[*(const int *)a].ub, y = qt[*(const int *)b].ub;
	return x < y ? -1 : x > y ? 1 : *(const int *)a - *(const int *)b;
}

/* Best first, ties by ref: the same query over the same data always lists hits in the same order */
static int cmp_hits(const void *a, const void *b, void *arg)
{
	const struct ix_hit *x = a, *y = b;
	(void)arg;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->ref, y->ref);
}

/* Fill a hit's explanation: its matched terms in query order and its signals. */
static void explain(struct search *s, uint32_t d, struct ix_hit *h)
{
	h->ref = str_at(s->ix, s->ix->docs[d].ref);
	h->terms = xcalloc((size_t)s->m ? (size_t)s->m : 1, sizeof *h->terms);
	h->text = 0;
	for (int i = 0; i < s->m; i++) {
		const struct qterm *t = &s->qt[i];
		uint32_t pos = seek(t->pl, 0, d);
		double v = pos < t->pl->n && t->pl->doc[pos] == d ? contribution(s, t, d, pos) : 0;
		h->text += v;
		if (v > 0)
			h->terms[h->nterms++] =
			        (struct ix_term_score){str_at(s->ix, t->pl->str), v};
	}
	h->score = h->text + signals(s, d, h->signals);
}

static void weigh(struct search *s);

/* Query terms, their weights and bounds; false when no term is indexed. */
static bool prepare(struct search *s, struct text_analyzer *ta)
{
	const struct ix *ix = s->ix;
	struct qbuild qb = {ix, xcalloc(IX_QUERY_TERMS_MAX, sizeof(struct qterm)), 0};
	for (int f = 0; f < IX__FIELDS; f++)
		for (int k = 0; k < IX_PARTS; k++)
			if (s->q->text[f][k])
				text_analyze_query(ta, s->q->text[f][k], strlen(s->q->text[f][k]),
				                   collect_query, &qb);
	s->qt = qb.qt;
	s->m = qb.m;
	if (!s->m)
		return false;
	s->order = xcalloc(IX_QUERY_TERMS_MAX, sizeof *s->order);
	s->pre = xcalloc(IX_QUERY_TERMS_MAX, sizeof *s->pre);
	s->bb = xcalloc(IX_QUERY_TERMS_MAX, sizeof *s->bb);
	s->sigbound = s->q->use_attrs ? market_signal_bound(&s->q->attrs) : 0;
	weigh(s);
	return true;
}

/* The terms' weights, score bounds and order by bound (again after feedback changed them). */
static void weigh(struct search *s)
{
	const struct ix *ix = s->ix;
	averages(ix, s->avg);
	/* bounds were taken at bound_averages; longer averages since raise saturation at most this
	 * much (a field without text then counted as 1: its first text must inflate them too) */
	double base[IX__FIELDS], inflate = 1;
	bound_averages(ix, base);
	for (int f = 0; f < IX__FIELDS; f++)
		if (s->avg[f] / base[f] > inflate)
			inflate = s->avg[f] / base[f];
	double norm = 0;
	for (int i = 0; i < s->m; i++)
		norm += s->qt[i].qw * idf(ix, s->qt[i].pl->df);
	for (int i = 0; i < s->m; i++) {
		struct qterm *t = &s->qt[i];
		t->factor = t->qw * idf(ix, t->pl->df) / norm;
		double b = t->pl->bound * inflate;
		t->ub = t->factor * (b < 1 ? b : 1);
		t->bscale = t->factor * inflate;
		s->order[i] = i;
	}
	qsort_r(s->order, (size_t)s->m, sizeof *s->order, cmp_order, s->qt);
	double run = 0;
	for (int i = 0; i < s->m; i++)
		s->pre[i] = run += s->qt[s->order[i]].ub;
}

/*
 * Pseudo-relevance feedback (RM3): the first pass's FB_DOCS best documents
 * vote for their terms, each with tf / length x its share of their scores;
 * the FB_TERMS best terms (none in more than FB_MAX_DF of the documents)
 * join the query with FB_ORIGINAL of the weight kept by the original terms.
 * Textbook parameters, not tuned to a collection. Ties go by term text so
 * an incrementally updated index expands exactly as a rebuilt one.
 */
enum { FB_DOCS = 10, FB_TERMS = 10 };
#define FB_ORIGINAL 0.5
#define FB_MAX_DF   0.1

struct fbterm {
	const char *str;
	uint32_t id, seq;
	double w;
};

/* Votes of one term next to each other (merged afterwards), in the order they were cast */
static int cmp_fb_id(const void *a, const void *b)
{
	const struct fbterm *x = a, *y = b;
	return x->id != y->id ? (x->id < y->id ? -1 : 1) : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_fb_w(const void *a, const void *b)
{
	const struct fbterm *x = a, *y = b;
	return x->w != y->w ? (x->w > y->w ? -1 : 1) : strcmp(x->str, y->str);
}

static int cmp_heap_best(const void *a, const void *b, void *arg)
{
	return worse(arg, b, a) ? -1 : worse(arg, a, b) ? 1 : 0;
}

/* The feedback documents' terms with their votes, merged per term; returns their count. */
static size_t fb_votes(struct search *s, struct fbterm **out)
{
	const struct ix *ix = s->ix;
	qsort_r(s->heap, (size_t)s->nheap, sizeof *s->heap, cmp_heap_best, (void *)ix);
	double ssum = 0;
	for (int i = 0; i < s->nheap; i++)
		ssum += s->heap[i].score;
	struct fbterm *v = NULL;
	size_t n = 0, cap = 0;
	for (int i = 0; i < s->nheap && ssum > 0; i++) {
		uint32_t d = s->heap[i].doc, t = 0, len = ix->dlen[d][0] + ix->dlen[d][1];
		const uint8_t *p = (const uint8_t *)ix->fwd.data + ix->docs[d].fwd;
		for (uint32_t j = 0; j < ix->docs[d].nfwd; j++) {
			const struct plist *pl = &ix->terms[t += get_u32v(&p)];
			if (pl->df > FB_MAX_DF * ix->nlive)
				continue;
			uint32_t pos = seek(pl, 0, d);
			const uint8_t *tf = pl->tf + (size_t)pos * IX__FIELDS;
			if (n == cap)
				v = xrealloc(v, (cap = cap * 2 + 256) * sizeof *v);
			v[n] = (struct fbterm){str_at(ix, pl->str), t, (uint32_t)n,
			                       (double)(tf[0] + tf[1]) / len * s->heap[i].score /
			                               ssum};
			n++;
		}
	}
	if (n)
		qsort(v, n, sizeof *v, cmp_fb_id);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k && v[k - 1].id == v[i].id)
			v[k - 1].w += v[i].w;
		else
			v[k++] = v[i];
	*out = v;
	return k;
}

/* Expand the query with the first pass's feedback and reset the cursors for a second pass. */
static void feedback(struct search *s)
{
	struct fbterm *v;
	size_t n = fb_votes(s, &v);
	if (n) {
		qsort(v, n, sizeof *v, cmp_fb_w);
		n = n < FB_TERMS ? n : FB_TERMS;
		double vsum = 0, qsum = 0;
		for (size_t i = 0; i < n; i++)
			vsum += v[i].w;
		for (int i = 0; i < s->m; i++)
			qsum += s->qt[i].qw;
		for (int i = 0; i < s->m; i++)
			s->qt[i].qw *= FB_ORIGINAL / qsum;
		for (size_t i = 0; i < n && vsum > 0; i++) {
			double w = (1 - FB_ORIGINAL) * v[i].w / vsum;
			int j = 0;
			while (j < s->m && s->qt[j].id != v[i].id)
				j++;
			if (j == s->m && s->m < IX_QUERY_TERMS_MAX)
				s->qt[s->m++] =
				        (struct qterm){.pl = &s->ix->terms[v[i].id], .id = v[i].id};
			if (j < s->m)
				s->qt[j].qw += w;
		}
		weigh(s);
	}
	free(v);
	for (int i = 0; i < s->m; i++)
		s->qt[i].pos = s->qt[i].blk = 0;
	s->nheap = 0;
}

/*
 * One pass, or two with feedback: a first pass for FB_DOCS documents to expand
 * the query, then the real top k. Terms and k are clamped to the index's limits.
 */
void ix_search(const struct ix *ix, struct text_analyzer *ta, const struct ix_query *q,
               struct ix_result *out)
{
	memset(out, 0, sizeof *out);
	struct ix_query qq = *q;
	qq.k = q->k < 1 ? 1 : q->k > IX_TOP_MAX ? IX_TOP_MAX : q->k;
	struct search s = {.ix = ix, .q = &qq};
	if (q->exclude_ref)
		s.exclude = *ref_slot(ix, q->exclude_ref, false);
	if (s.exclude == DEAD_SLOT)
		s.exclude = 0;
	if (prepare(&s, ta)) {
		s.heap = xcalloc((size_t)(qq.k > FB_DOCS ? qq.k : FB_DOCS), sizeof *s.heap);
		if (q->feedback) {
			qq.k = FB_DOCS;
			traverse(&s);
			feedback(&s);
			qq.k = q->k < 1 ? 1 : q->k > IX_TOP_MAX ? IX_TOP_MAX : q->k;
		}
		traverse(&s);
		out->hits = xcalloc((size_t)s.nheap + 1, sizeof *out->hits);
		for (int i = 0; i < s.nheap; i++)
			explain(&s, s.heap[i].doc, &out->hits[i]);
		out->n = s.nheap;
		qsort_r(out->hits, (size_t)out->n, sizeof *out->hits, cmp_hits, NULL);
	}
	out->scored = s.scored;
	free(s.qt);
	free(s.order);
	free(s.pre);
	free(s.bb);
	free(s.heap);
}

void ix_result_free(struct ix_result *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->hits[i].terms);
	free(r->hits);
	memset(r, 0, sizeof *r);
}
