/*
 * rules_impl: the inside of the rules module, shared by its files
 * (rules_load.c parses and checks, rules_expr.c compiles and evaluates
 * expressions, rules_eval.c runs tiers, rules_json.c renders). Nothing
 * outside core/rules*.c includes it. Everything here lives in the arena of
 * the struct rules that loaded it.
 */
#ifndef TB_CORE_RULES_IMPL_H
#define TB_CORE_RULES_IMPL_H

#include "core/gradient/rules.h"

#include <jansson.h>

enum ex_op {
	EX_CONST,  /* number or boolean literal */
	EX_FACT,   /* a fact, of year `year` for yearly facts */
	EX_RATIO,  /* args[0] / args[1]; none when the divisor is 0 */
	EX_GROWTH, /* (v_year - v_year+1) / v_year+1 of a yearly fact */
	EX_CAGR,   /* (v_to / v_from)^(1/(from-to)) - 1 */
	EX_SUM,    /* a yearly fact summed over years (mask) */
	EX_MEAN,   /* of args */
	EX_MIN,
	EX_MAX,
	EX_YEARS_SINCE, /* full years from a date fact to 31 Dec of y1 (or to as_of) */
	EX_TITLE,       /* a title of tier `str` held on as_of */
	EX_SIZE_IN,     /* the size class is in mask */
	EX_IN,          /* an enum fact's value is in mask */
	EX_AWARD,       /* award fact within `year` years and rank <= num */
	EX_GE,
	EX_GT,
	EX_LE,
	EX_LT,
	EX_EQ,
	EX_ALL,
	EX_ANY,
	EX_NOT,
	EX_IF,        /* args[0] ? args[1] : args[2] */
	EX_COUNT,     /* how many args are true */
	EX_JUDGEMENT, /* a person decides: always unknown */
	EX__MAX
};

struct ex {
	uint8_t op;
	int8_t year, year2; /* relative fiscal years: 1 = y1 = the year before as_of's */
	bool to_as_of;      /* EX_YEARS_SINCE: count to as_of instead of 31 Dec of y1 */
	int16_t fact;
	uint32_t mask;
	double num;
	const char *str;
	int nargs;
	struct ex **args;
	int line;
};

struct band {
	double edge, points;
	const char *reason; /* quoted JSON text */
};

struct case_ {
	struct ex *when;
	double points;
	const char *reason; /* quoted JSON text */
};

/* One way of scoring an indicator; an indicator takes the best of its ways. */
struct way {
	struct ex *value;
	bool upper;     /* bands are upper bounds ("不高于"): lower values score more */
	bool as_points; /* the value itself is the points, within [0, max] */
	int nbands, ncases;
	struct band *bands;
	struct case_ *cases;
	double otherwise; /* below every band or no case true */
};

struct indicator {
	const char *id, *label, *id_q, *label_q; /* _q: quoted JSON text for the output */
	double max;
	int nways;
	struct way *ways;
	int line;
};

struct group {
	const char *id, *label, *id_q, *label_q;
	double max, min;
	int nind;
	struct indicator *ind;
};

enum check_when { WHEN_ALWAYS, WHEN_NEW, WHEN_REVIEW };

struct check {
	const char *id, *label, *id_q, *label_q;
	struct ex *test;
	uint8_t when;
	int line;
};

struct tier {
	const char *id, *label;
	int order;  /* place in the output when every tier is evaluated (default 100) */
	int32_t to; /* effective_to override of this tier; INT32_MAX when open */
	bool has_to;
	int nreq, nroutes, ngroups;
	struct check *req, *routes;
	struct group *groups;
	bool scored;
	double pass;
};

struct size_test {
	int8_t what; /* 0 employees, 1 revenue, 2 assets */
	double bound;
};

struct size_row {
	const char *id, *label;
	int ncodes;
	const char **codes;
	int nsme, nmedium, nsmall;
	struct size_test sme[3], medium[3], small[3];
};

struct ruleset {
	struct arena arena; /* holds this struct and all it points to */
	const char *id, *document, *title, *file, *province;
	const struct ruleset *base; /* the ruleset an overlay extends */
	int32_t from, to;           /* to = INT32_MAX when open */
	bool example, is_size;
	int ntiers;
	struct tier *tiers[RULES_TIERS_MAX];
	int nrows;
	struct size_row rows[RULES_SIZE_ROWS_MAX];
};

/* Evaluation context of one record. */
struct ectx {
	const struct facts *fx;
	int32_t as_of;
	int y0; /* the evaluation date's calendar year */
	enum size_class size;
	struct val sme;
	char *missing; /* first missing fact, for the reason; may be NULL */
	size_t missing_n;
};

/* `s` as a quoted JSON string in arena `a` (output is written from these, escaped once). */
const char *rules_quote(struct arena *a, const char *s);
/* Compile expression `j`; on error fill d (message, and d->line from `line_of`). */
struct ex *rules_ex_compile(struct arena *a, json_t *j, int depth, struct err_detail *d,
                            int (*line_of)(void *, json_t *), void *lctx, bool want_bool);
/* Evaluate: booleans come out as VAL_KNOWN 0/1 or VAL_UNKNOWN. */
struct val rules_ex_eval(const struct ex *e, struct ectx *c);
/* The outcome of comparison `e` for sides a and b (inclusive edges, tolerant of rounding). */
struct val rules_ex_cmp(const struct ex *e, struct val a, struct val b);
/* Whether `e` is a comparison whose sides can be reported as value/threshold. */
bool rules_ex_is_compare(const struct ex *e);

/* The last day tier `t` of `rs` is in effect (INT32_MAX when open). */
static inline int32_t tier_to(const struct ruleset *rs, const struct tier *t)
{
	return t->has_to ? t->to : rs->to;
}

/* The tier `id` of ruleset `rs` (searching its base), or NULL. */
const struct tier *ruleset_tier(const struct ruleset *rs, const char *id);

#endif
