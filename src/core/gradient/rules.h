/*
 * rules: rulesets (docs/RULES.md) and the engine that evaluates an
 * enterprise's facts against them. Pure: rulesets come in as file text,
 * facts as parsed records, the evaluation date as an argument.
 *
 * Ownership: a struct rules owns every ruleset added to it and everything
 * they point to (one arena); rules_free releases it all. A struct
 * rules_result is a caller-owned value (no heap) filled by rules_evaluate;
 * its pointers reach into the rules and stay valid while the rules live.
 */
#ifndef TB_CORE_RULES_H
#define TB_CORE_RULES_H

#include "core/gradient/facts.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/err.h"

#include <stdbool.h>
#include <stdint.h>

enum {
	RULES_SETS_MAX = 64,        /* ruleset files in one collection */
	RULES_TIERS_MAX = 16,       /* tiers in one ruleset (with an overlay's) */
	RULES_CRITERIA_MAX = 48,    /* criteria reported for one tier */
	RULES_EXPR_DEPTH_MAX = 16,  /* nesting of one expression */
	RULES_SIZE_ROWS_MAX = 32,   /* industry rows of a size standard */
	RULES_GAPS_MAX = 12,        /* gap suggestions per tier */
	RULES_FILE_BYTES = 1 << 20, /* one ruleset file */
};

enum size_class { SIZE_UNKNOWN, SIZE_LARGE, SIZE_MEDIUM, SIZE_SMALL, SIZE_MICRO };

enum outcome { OUTCOME_MET, OUTCOME_NOT_MET, OUTCOME_REVIEW };
enum verdict { VERDICT_QUALIFIED, VERDICT_NOT_QUALIFIED, VERDICT_REVIEW };
enum route { ROUTE_NONE, ROUTE_DIRECT, ROUTE_SCORE };
enum crit_kind { CRIT_REQUIREMENT, CRIT_ROUTE, CRIT_INDICATOR, CRIT_GROUP, CRIT_SCORE };

struct ex;      /* a compiled expression (rules_expr.c) */
struct tier;    /* one tier of one ruleset */
struct ruleset; /* one ruleset file, overlays merged in */

/* The collection of loaded rulesets, the size standard among them. */
struct rules {
	struct arena arena;
	int nsets;
	struct ruleset *sets[RULES_SETS_MAX];
	const struct ruleset *size; /* the ruleset of kind "size", or NULL */
	int ntier_ids;              /* every tier id, in first-seen order */
	const char *tier_ids[RULES_TIERS_MAX * 2];
};

/* One criterion's outcome, as docs/CLI.md's "criteria" items. */
struct crit_result {
	const char *id;
	uint8_t kind;    /* enum crit_kind */
	uint8_t outcome; /* enum outcome */
	bool shown;      /* value and threshold are reported (comparisons, banded values) */
	struct val value, threshold;
	bool has_points;
	double points;
	const char *reason;          /* static or in the rules' arena */
	const char *id_q, *reason_q; /* the same as quoted JSON text, made at load; may be NULL */
	char missing[80];            /* "missing revenue_fen 2025" when outcome is review */
	const void *source;          /* the check or indicator, for the gap analysis */
};

struct gap {
	const char *criterion;
	const char *label;
	struct val value;
	double target;
	double points; /* points gained, 0 for a requirement */
	bool route;    /* the closest direct route */
};

struct tier_result {
	const char *tier;
	const struct ruleset *ruleset; /* NULL when none is in effect */
	enum verdict verdict;
	enum route route;
	bool scored;
	double score, score_max; /* points known; points possible with unknowns at best */
	int ncrit;
	struct crit_result crit[RULES_CRITERIA_MAX];
	int ngaps;
	struct gap gaps[RULES_GAPS_MAX];
};

struct rules_query {
	int32_t as_of;       /* day number */
	const char *ruleset; /* --ruleset, or NULL to choose by date */
	int ntiers;          /* --tier, or 0 for every tier */
	const char *const *tiers;
	bool gaps;
};

struct rules_result {
	enum size_class size;
	bool sme_known, sme;
	int nresults;
	struct tier_result results[RULES_TIERS_MAX];
};

void rules_init(struct rules *r);
void rules_free(struct rules *r);

/*
 * Parse one ruleset file `text` named `file` and add it to `r`. A file that
 * is malformed or inconsistent is ERR_INVALID with d->field = file, d->line
 * its line (1-based; 0 when the whole file is at fault) and d->message the
 * reason; `r` is then unchanged. An overlay ("extends") must come after its
 * base. Call rules_check when all files are added.
 */
enum err rules_add(struct rules *r, const char *file, const char *text, size_t len,
                   struct err_detail *d);
/*
 * Cross-file checks once every file is in: overlapping effective ranges of
 * one tier, titles that name no tier, a missing size standard. Same error
 * form as rules_add (d->line 0).
 */
enum err rules_check(struct rules *r, struct err_detail *d);
/* The ruleset with this id, or NULL. */
const struct ruleset *rules_find(const struct rules *r, const char *id);
/* A ruleset's id, document and whether it is an illustrative example. */
const char *ruleset_id(const struct ruleset *rs);
bool ruleset_example(const struct ruleset *rs);
/* Whether the ruleset (with its base) defines tier `tier`. */
bool ruleset_has_tier(const struct ruleset *rs, const char *tier);

/*
 * Evaluate `fx` under `q` into `out` (see docs/CLI.md "evaluate"). Never
 * fails: missing facts give needs_review. Fills the gaps of tiers not
 * reached when q->gaps is set. ERR_NOT_FOUND when q->ruleset names none.
 */
enum err rules_evaluate(const struct rules *r, const struct facts *fx, const struct rules_query *q,
                        struct rules_result *out);

/* SME size class under the loaded size standard; *sme gets the "SME at all" test. */
enum size_class rules_size(const struct rules *r, const struct facts *fx, int32_t as_of,
                           struct val *sme);

/* Names for output. */
const char *rules_size_name(enum size_class s); /* NULL for unknown */
const char *rules_outcome_name(enum outcome o);
const char *rules_verdict_name(enum verdict v);

/* Append the evaluate output line (without newline) for one record to `out`. */
void rules_result_json(struct buf *out, const char *ref, int32_t as_of,
                       const struct rules_result *res, bool gaps);

#endif
