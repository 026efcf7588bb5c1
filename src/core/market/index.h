/*
 * index: the matchmaking engine's in-memory inverted index over one kind of
 * market item (listings or demands). It is derived data: built from the
 * store's rows, updated one document at a time, rebuilt at will.
 *
 * Ranking: BM25F over two fields (title, body) with per-field length
 * normalisation, normalised by the query's best possible text score so it
 * lies in 0..1, plus the structured signals of core/market (field,
 * industry, region, TRL, modes, budget). Ties: score descending, then ref
 * ascending. Top-k search is document-at-a-time with max-score pruning:
 * query terms whose upper bounds together cannot lift a document into the
 * current top k are only probed, never scanned; every 128 postings of a
 * term carry their own bound (block-max), so stretches of documents whose
 * block bounds together cannot reach the top k are skipped, and probes stop
 * as soon as the remaining block bounds cannot lift a document. Optional
 * RM3 feedback re-runs the query expanded from its first results. Scores
 * are computed from raw term counts and the collection's current statistics, and summed in
 * query order, so an index updated incrementally ranks exactly as one
 * rebuilt from the same documents.
 *
 * Ownership: the index owns copies of refs and attributes (not the text).
 * Results (struct ix_result) are owned by the caller and freed with
 * ix_result_free; their refs and term texts are borrowed from the index and
 * valid until its next change. Searches only read the index: several may
 * run at once (each with its own analyzer); changes need exclusive access.
 */
#ifndef TB_CORE_INDEX_H
#define TB_CORE_INDEX_H

#include "core/market/market.h"
#include "core/market/text.h"

#include <stddef.h>
#include <stdint.h>

enum ix_field { IX_TITLE, IX_BODY, IX__FIELDS };
enum { IX_PARTS = 4, IX_QUERY_TERMS_MAX = 1024, IX_TOP_MAX = 10000 };

/* One document: each field is up to IX_PARTS texts (NULL = none). */
struct ix_doc {
	const char *ref;
	const char *text[IX__FIELDS][IX_PARTS];
	struct market_attrs attrs;
};

struct ix_query {
	const char *text[IX__FIELDS][IX_PARTS]; /* title terms count like body terms */
	struct market_attrs attrs;              /* the other side's attributes */
	bool use_attrs;                         /* add structured signals */
	/* filters: 0 / NULL = any */
	unsigned status_mask;      /* bit (1 << enum market_status) */
	uint8_t field;             /* market_attrs.field */
	const char *region_prefix; /* GB/T 2260 prefix: "44", "4403" */
	const char *exclude_ref;   /* "more like this": leave the source out */
	int k;                     /* results wanted, 1..IX_TOP_MAX */
	bool feedback;             /* expand with pseudo-relevance feedback (RM3, a second pass) */
};

struct ix_term_score {
	const char *term; /* the analysed term (a stem, a code, a CJK bigram) */
	double score;     /* its contribution to the hit's score */
};

struct ix_hit {
	const char *ref;
	double score; /* text + the signals */
	double text;  /* sum of the terms' contributions */
	double signals[MARKET_SIG__MAX];
	int nterms; /* matched terms, in query order */
	struct ix_term_score *terms;
};

struct ix_result {
	struct ix_hit *hits; /* best first */
	int n;
	long scored; /* documents whose score was computed in full (for benchmarks) */
};

struct ix_params {
	double k1;
	double b[IX__FIELDS];
	double weight[IX__FIELDS];
};
/* General defaults: k1 1.2, b 0.75, a title occurrence counts 1.5 body occurrences. */
extern const struct ix_params ix_default_params;

struct ix;

/* An empty index of `kind` documents. */
struct ix *ix_new(enum market_kind kind, const struct ix_params *p);
void ix_free(struct ix *ix);
enum market_kind ix_kind(const struct ix *ix);

/* Add a document, replacing the live one with the same ref. */
void ix_put(struct ix *ix, const struct ix_doc *doc);
/* Remove the document with this ref; false if there is none. */
bool ix_remove(struct ix *ix, const char *ref);
/*
 * Settle after bulk changes: drop removed documents' postings and tighten
 * the terms' score bounds. Search is correct without it, only slower.
 */
void ix_finish(struct ix *ix);

/* The attributes of the live document with this ref, or NULL (borrowed until the next change). */
const struct market_attrs *ix_attrs(const struct ix *ix, const char *ref);

/* Live documents, distinct terms, and bytes of memory held. */
size_t ix_count(const struct ix *ix);
size_t ix_terms(const struct ix *ix);
size_t ix_memory(const struct ix *ix);

/*
 * The top q->k live documents for the query, best first, each with its
 * explanation. A query with no indexed term yields no hits.
 */
void ix_search(const struct ix *ix, struct text_analyzer *ta, const struct ix_query *q,
               struct ix_result *out);
void ix_result_free(struct ix_result *r);

#endif
