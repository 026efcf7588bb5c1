/*
 * rules_expr: the expression vocabulary of rulesets (docs/RULES.md): compile
 * JSON into a tree once at load, evaluate it per record with three-valued
 * logic (known, none, unknown) so that missing facts never pass silently.
 */
#include "core/gradient/rules_impl.h"

#include "lib/date.h"

#include <math.h>
#include <string.h>

/*
 * The compiler's state: where nodes go, where an error goes, and how to find the
 * file line of a JSON node (the loader's map) so that every error names its line
 */
struct cc {
	struct arena *a;
	struct err_detail *d;
	int (*line_of)(void *, json_t *);
	void *lctx;
};

/*
 * Always returns NULL, so `return fail(...)` ends a compile step; callers
 * returning bool write `fail(...), false`
 */
static struct ex *fail(struct cc *c, json_t *j, const char *fmt, const char *arg)
{
	err_set(c->d, ERR_INVALID, "", fmt, arg);
	c->d->line = c->line_of(c->lctx, j);
	return NULL;
}

/*
 * Expression types are checked at load: a condition where a number is due (or
 * the reverse) is a ruleset error, not a surprise while evaluating
 */
static bool is_bool(const struct ex *e)
{
	switch (e->op) {
	case EX_CONST: return e->mask == 1;
	case EX_FACT: return facts_kind(e->fact) == FACT_BOOL;
	case EX_TITLE:
	case EX_SIZE_IN:
	case EX_IN:
	case EX_AWARD:
	case EX_GE:
	case EX_GT:
	case EX_LE:
	case EX_LT:
	case EX_EQ:
	case EX_ALL:
	case EX_ANY:
	case EX_NOT:
	case EX_JUDGEMENT: return true;
	case EX_IF: return is_bool(e->args[1]);
	default: return false;
	}
}

bool rules_ex_is_compare(const struct ex *e)
{
	return e->op >= EX_GE && e->op <= EX_EQ;
}

/*
 * The operator is the one key of an expression object that is in this table; the other keys
 * must be modifiers. A table so that docs/RULES.md's vocabulary can be read off in one place.
 */
static const struct {
	const char *key;
	enum ex_op op;
	int nargs; /* -1: a list of one or more; -2: a fact name; 1: one expression */
	bool bool_args;
} ops[] = {
        {"fact", EX_FACT, -2, false},
        {"ratio", EX_RATIO, 2, false},
        {"growth", EX_GROWTH, -2, false},
        {"cagr", EX_CAGR, -2, false},
        {"sum", EX_SUM, -2, false},
        {"mean", EX_MEAN, -1, false},
        {"min", EX_MIN, -1, false},
        {"max", EX_MAX, -1, false},
        {"years_since", EX_YEARS_SINCE, -2, false},
        {"title", EX_TITLE, 0, false},
        {"size_in", EX_SIZE_IN, 0, false},
        {"in", EX_IN, -2, false},
        {"award", EX_AWARD, 0, false},
        {"ge", EX_GE, 2, false},
        {"gt", EX_GT, 2, false},
        {"le", EX_LE, 2, false},
        {"lt", EX_LT, 2, false},
        {"eq", EX_EQ, 2, false},
        {"all", EX_ALL, -1, true},
        {"any", EX_ANY, -1, true},
        {"not", EX_NOT, 1, true},
        {"if", EX_IF, 3, false},
        {"count", EX_COUNT, -1, true},
        {"judgement", EX_JUDGEMENT, 0, false},
};
/* Keys that modify an operator rather than name one. */
static const char *const modifiers[] = {"year",   "years", "from",  "to",   "values",
                                        "within", "rank",  "until", "note", NULL};

/* Integers within [lo, hi] only: year offsets and counts index fixed arrays and bit masks */
static bool small_int(json_t *j, int lo, int hi, int *out)
{
	if (!json_is_integer(j) || json_integer_value(j) < lo || json_integer_value(j) > hi)
		return false;
	*out = (int)json_integer_value(j);
	return true;
}

static struct ex *compile(struct cc *c, json_t *j, int depth);

/*
 * Operands compile recursively; each must have the type its operator needs (conditions
 * for all/any/not/count, numbers elsewhere, a condition and two alike branches for if)
 */
static bool compile_args(struct cc *c, struct ex *e, json_t *j, json_t *arg, int want, bool b,
                         int depth)
{
	json_t *list = arg;
	if (want == 1) {
		e->nargs = 1;
	} else {
		if (!json_is_array(arg) || json_array_size(arg) == 0 ||
		    (want > 0 && json_array_size(arg) != (size_t)want))
			return fail(c, j, "operator needs %s",
			            want > 0 ? "a list of operands" : "a non-empty list"),
			       false;
		e->nargs = (int)json_array_size(arg);
	}
	e->args = arena_alloc(c->a, sizeof *e->args * (size_t)e->nargs);
	for (int i = 0; i < e->nargs; i++) {
		json_t *aj = want == 1 ? arg : json_array_get(list, (size_t)i);
		if (!(e->args[i] = compile(c, aj, depth + 1)))
			return false;
		bool ab = is_bool(e->args[i]);
		bool need_bool = b || (e->op == EX_IF && i == 0);
		bool need_num = !b && e->op != EX_IF;
		if ((need_bool && !ab) || (need_num && ab))
			return fail(c, aj, "operand must be %s",
			            need_bool ? "a condition" : "a number"),
			       false;
	}
	if (e->op == EX_IF && is_bool(e->args[1]) != is_bool(e->args[2]))
		return fail(c, j, "%s", "both branches of if must have the same type"), false;
	return true;
}

/* Operators that take a fact name: fact, growth, cagr, sum, years_since, in. */
static bool compile_fact(struct cc *c, struct ex *e, json_t *j, json_t *arg)
{
	if (!json_is_string(arg))
		return fail(c, j, "%s", "a fact name must be a string"), false;
	int f = facts_find(json_string_value(arg));
	if (f < 0)
		return fail(c, j, "unknown fact name \"%s\"", json_string_value(arg)), false;
	e->fact = (int16_t)f;
	enum fact_kind k = facts_kind(f);
	json_t *year = json_object_get(j, "year");
	bool yearly = e->op == EX_FACT || e->op == EX_GROWTH;
	int y = 0;
	/* at most FACTS_YEARS_MAX - 2: growth also reads the year before */
	if (k == FACT_YEAR && yearly && !small_int(year, 0, FACTS_YEARS_MAX - 2, &y))
		return fail(c, j, "yearly fact \"%s\" needs \"year\" (0-6)", facts_name(f)), false;
	if (k != FACT_YEAR && year)
		return fail(c, j, "fact \"%s\" has no years", facts_name(f)), false;
	e->year = (int8_t)y;
	if ((e->op == EX_GROWTH || e->op == EX_CAGR || e->op == EX_SUM) && k != FACT_YEAR)
		return fail(c, j, "\"%s\" is not a yearly fact", facts_name(f)), false;
	if (e->op == EX_YEARS_SINCE && k != FACT_DATE)
		return fail(c, j, "\"%s\" is not a date fact", facts_name(f)), false;
	if ((e->op == EX_IN) != (k == FACT_ENUM))
		return fail(c, j, "\"%s\": use \"in\" for text facts and only for them",
		            facts_name(f)),
		       false;
	if (k == FACT_AWARD)
		return fail(c, j, "\"%s\": use \"award\"", facts_name(f)), false;
	return true;
}

/*
 * The modifiers of operators that take a fact. Years and enum values become
 * bit masks, so an evaluation tests a bit instead of comparing strings.
 */
static bool compile_mods(struct cc *c, struct ex *e, json_t *j)
{
	int a = 0, b = 0;
	json_t *v;
	switch (e->op) {
	case EX_CAGR:
		if (!small_int(json_object_get(j, "from"), 1, 7, &a) ||
		    !small_int(json_object_get(j, "to"), 0, 6, &b) || a <= b)
			return fail(c, j, "%s", "cagr needs years \"from\" > \"to\""), false;
		e->year = (int8_t)b, e->year2 = (int8_t)a;
		return true;
	case EX_SUM:
		v = json_object_get(j, "years");
		if (!json_is_array(v) || json_array_size(v) == 0)
			return fail(c, j, "%s", "sum needs a list of \"years\""), false;
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (!small_int(json_array_get(v, i), 0, FACTS_YEARS_MAX - 1, &a))
				return fail(c, j, "%s", "years are 0-7 (1 = last year)"), false;
			e->mask |= 1u << a;
		}
		return true;
	case EX_YEARS_SINCE:
		v = json_object_get(j, "until");
		e->to_as_of = v && json_is_string(v) && !strcmp(json_string_value(v), "as_of");
		if (v && !e->to_as_of &&
		    !(json_is_string(v) && !strcmp(json_string_value(v), "y1_end")))
			return fail(c, j, "%s", "until is \"y1_end\" or \"as_of\""), false;
		return true;
	case EX_IN: {
		v = json_object_get(j, "values");
		const char *const *names = facts_enum_values(e->fact);
		if (!json_is_array(v) || json_array_size(v) == 0)
			return fail(c, j, "%s", "in needs a list of \"values\""), false;
		for (size_t i = 0; i < json_array_size(v); i++) {
			const char *s = json_string_value(json_array_get(v, i));
			int k = 0;
			while (s && names[k] && strcmp(names[k], s))
				k++;
			if (!s || !names[k])
				return fail(c, j, "\"%s\" is not a value of this fact",
				            s ? s : "?"),
				       false;
			e->mask |= 1u << k;
		}
		return true;
	}
	default: return true;
	}
}

/* Operators with a single literal argument (a tier, a list of size classes, an award level) */
static bool compile_leaf(struct cc *c, struct ex *e, json_t *j, json_t *arg)
{
	static const char *const sizes[] = {"", "large", "medium", "small", "micro", NULL};
	int n = 0;
	switch (e->op) {
	case EX_TITLE:
	case EX_JUDGEMENT:
		if (!json_is_string(arg))
			return fail(c, j, "%s", "needs a string"), false;
		e->str = arena_strdup(c->a, json_string_value(arg));
		return true;
	case EX_SIZE_IN:
		for (size_t i = 0; json_is_array(arg) && i < json_array_size(arg); i++) {
			const char *s = json_string_value(json_array_get(arg, i));
			int k = 1;
			while (s && sizes[k] && strcmp(sizes[k], s))
				k++;
			if (!s || !sizes[k])
				return fail(c, j, "%s",
				            "size classes are large, medium, small, micro"),
				       false;
			e->mask |= 1u << k, n++;
		}
		return n ? true : (fail(c, j, "%s", "size_in needs a list of classes"), false);
	case EX_AWARD: {
		const char *s = json_string_value(arg);
		if (!s || (strcmp(s, "national") && strcmp(s, "provincial")))
			return fail(c, j, "%s", "award is \"national\" or \"provincial\""), false;
		e->fact = !strcmp(s, "national") ? FACTS_NATIONAL_AWARD : FACTS_PROVINCIAL_AWARD;
		int w = 0, r = 0;
		if (!small_int(json_object_get(j, "within"), 0, 100, &w))
			return fail(c, j, "%s", "award needs \"within\" years"), false;
		json_t *rank = json_object_get(j, "rank");
		if (rank && !small_int(rank, 1, 100000, &r))
			return fail(c, j, "%s", "award rank must be a positive integer"), false;
		e->year = (int8_t)w, e->num = rank ? r : 0;
		return true;
	}
	default: return true;
	}
}

static struct ex *compile(struct cc *c, json_t *j, int depth)
{
	if (depth > RULES_EXPR_DEPTH_MAX)
		return fail(c, j, "%s", "expression nested too deeply");
	struct ex *e = arena_alloc(c->a, sizeof *e);
	e->line = c->line_of(c->lctx, j);
	if (json_is_number(j)) {
		e->op = EX_CONST, e->num = json_number_value(j);
		return e;
	}
	if (json_is_boolean(j)) {
		e->op = EX_CONST, e->num = json_is_true(j), e->mask = 1;
		return e;
	}
	if (!json_is_object(j))
		return fail(c, j, "%s", "an expression is a number, a boolean or an object");
	int found = -1;
	const char *key;
	json_t *val;
	/*
	 * exactly one operator key; any key that is neither operator nor modifier is
	 * an error, so a misspelt modifier is not silently ignored
	 */
	json_object_foreach(j, key, val)
	{
		int k = 0, m = 0;
		while (k < (int)(sizeof ops / sizeof ops[0]) && strcmp(ops[k].key, key))
			k++;
		while (modifiers[m] && strcmp(modifiers[m], key))
			m++;
		if (k < (int)(sizeof ops / sizeof ops[0])) {
			if (found >= 0)
				return fail(c, j, "two operators in one expression (\"%s\")", key);
			found = k;
		} else if (!modifiers[m]) {
			return fail(c, j, "unknown operator \"%s\"", key);
		}
	}
	if (found < 0)
		return fail(c, j, "%s", "expression without an operator");
	e->op = ops[found].op;
	json_t *arg = json_object_get(j, ops[found].key);
	if (ops[found].nargs == -2) {
		if (!compile_fact(c, e, j, arg) || !compile_mods(c, e, j))
			return NULL;
	} else if (ops[found].nargs == 0) {
		if (!compile_leaf(c, e, j, arg))
			return NULL;
	} else if (!compile_args(c, e, j, arg, ops[found].nargs, ops[found].bool_args, depth)) {
		return NULL;
	}
	return e;
}

/* A test must be a condition and a value a number: checked here, once, for the whole tree */
struct ex *rules_ex_compile(struct arena *a, json_t *j, int depth, struct err_detail *d,
                            int (*line_of)(void *, json_t *), void *lctx, bool want_bool)
{
	struct cc c = {a, d, line_of, lctx};
	struct ex *e = compile(&c, j, depth);
	if (e && want_bool != is_bool(e))
		return fail(&c, j, "%s",
		            want_bool ? "a test must be a condition" : "must be a number");
	return e;
}

/* ---- evaluation ------------------------------------------------------------------ */

static const struct val UNKNOWN = {VAL_UNKNOWN, 0}, NONE = {VAL_NONE, 0};

static struct val known(double v)
{
	return (struct val){VAL_KNOWN, v};
}

/* Only the first missing fact of a criterion is named: it is the one to supply first */
static void note_missing(struct ectx *c, int fact, int year)
{
	if (!c->missing || c->missing[0])
		return;
	if (year)
		snprintf(c->missing, c->missing_n, "missing %s %d", facts_name(fact), year);
	else
		snprintf(c->missing, c->missing_n, "missing %s", facts_name(fact));
}

/*
 * `rel` counts fiscal years back from the evaluation date's year (1 = y1); the
 * reason names the calendar year
 */
static struct val year_fact(struct ectx *c, int fact, int rel)
{
	int y = c->y0 - rel;
	struct val v = facts_year(c->fx, fact, y);
	if (v.st == VAL_UNKNOWN)
		note_missing(c, fact, y);
	return v;
}

static struct val scalar_fact(struct ectx *c, int fact)
{
	struct val v = c->fx->scalar[fact];
	if (v.st == VAL_UNKNOWN)
		note_missing(c, fact, 0);
	return v;
}

/* Combine states: unknown wins, then none. */
static int worst(struct val a, struct val b)
{
	if (a.st == VAL_UNKNOWN || b.st == VAL_UNKNOWN)
		return VAL_UNKNOWN;
	return a.st == VAL_NONE || b.st == VAL_NONE ? VAL_NONE : VAL_KNOWN;
}

/* A zero divisor gives "none", not a number (docs/FACTS.md, "Ratios") */
static struct val ratio(struct val a, struct val b)
{
	int st = worst(a, b);
	if (st != VAL_KNOWN)
		return (struct val){(uint8_t)st, 0};
	return b.v == 0 ? NONE : known(a.v / b.v);
}

static struct val growth(struct ectx *c, int fact, int rel)
{
	struct val now = year_fact(c, fact, rel), before = year_fact(c, fact, rel + 1);
	struct val r = ratio(now, before);
	if (r.st == VAL_KNOWN && before.v < 0)
		return NONE; /* growth from a negative base has no meaning */
	return r.st == VAL_KNOWN ? known(r.v - 1) : r;
}

/* A negative end-to-start ratio has no real root: "none", as for growth from a negative base */
static struct val cagr(struct ectx *c, const struct ex *e)
{
	struct val r = ratio(year_fact(c, e->fact, e->year), year_fact(c, e->fact, e->year2));
	if (r.st != VAL_KNOWN || r.v < 0)
		return r.st == VAL_KNOWN ? NONE : r;
	return known(pow(r.v, 1.0 / (e->year2 - e->year)) - 1);
}

/* Unknown if any year in the mask is unknown: a partial sum would understate the total */
static struct val sum_years(struct ectx *c, const struct ex *e)
{
	struct val s = known(0);
	for (int y = 0; y < FACTS_YEARS_MAX; y++) {
		if (!(e->mask & (1u << y)))
			continue;
		struct val v = year_fact(c, e->fact, y);
		s.st = (uint8_t)worst(s, v);
		s.v += v.v;
	}
	return s;
}

/* Full years from the date fact to 31 December of y1 (or to as_of). */
static struct val years_since(struct ectx *c, const struct ex *e)
{
	struct val d = scalar_fact(c, e->fact);
	if (d.st != VAL_KNOWN)
		return d;
	int sy, sm, sd, ey, em, ed;
	date_to_ymd((int32_t)d.v, &sy, &sm, &sd);
	if (e->to_as_of)
		date_to_ymd(c->as_of, &ey, &em, &ed);
	else
		ey = c->y0 - 1, em = 12, ed = 31;
	int n = ey - sy - (em < sm || (em == sm && ed < sd));
	return known(n < 0 ? 0 : n);
}

/* Held on the evaluation date, not merely ever granted */
static struct val title(struct ectx *c, const char *tier)
{
	for (int i = 0; i < c->fx->ntitles; i++) {
		const struct fact_title *t = &c->fx->titles[i];
		if (!strcmp(t->tier, tier) && t->since <= c->as_of && c->as_of <= t->until)
			return known(1);
	}
	return known(0);
}

/*
 * With the class unknown, the test "is an SME" (medium, small or micro) can
 * still be answered when the SME test alone was decided
 */
static struct val size_in(struct ectx *c, uint32_t mask)
{
	if (c->size != SIZE_UNKNOWN)
		return known((mask >> c->size) & 1);
	uint32_t sme = 1u << SIZE_MEDIUM | 1u << SIZE_SMALL | 1u << SIZE_MICRO;
	if (mask == sme && c->sme.st == VAL_KNOWN)
		return c->sme;
	return UNKNOWN;
}

/*
 * "Within N years, ranked in the first k" (docs/FACTS.md). Any known disqualifier
 * decides before unknowns are considered; no award at all (none) is false, not unknown.
 */
static struct val award(struct ectx *c, const struct ex *e)
{
	struct val ago = scalar_fact(c, e->fact), rank = c->fx->award_rank[e->fact];
	if (ago.st == VAL_NONE)
		return known(0);
	if (ago.st == VAL_KNOWN && ago.v > e->year)
		return known(0);
	if (e->num > 0 && rank.st == VAL_KNOWN && rank.v > e->num)
		return known(0);
	if (ago.st != VAL_KNOWN || (e->num > 0 && rank.st != VAL_KNOWN))
		return UNKNOWN;
	return known(1);
}

static struct val compare(struct ectx *c, const struct ex *e)
{
	return rules_ex_cmp(e, rules_ex_eval(e->args[0], c), rules_ex_eval(e->args[1], c));
}

struct val rules_ex_cmp(const struct ex *e, struct val a, struct val b)
{
	int st = worst(a, b);
	if (st == VAL_UNKNOWN)
		return UNKNOWN;
	if (st == VAL_NONE)
		return known(0); /* nothing to compare: a threshold is not reached */
	/* Ratios of integer amounts land a rounding error off a band edge (0.03 vs
	 * 0.0299999...); an edge is inclusive, so compare with a relative tolerance. */
	double eps = 1e-12 * fmax(fabs(a.v), fabs(b.v)); /* far below one fen in any amount */
	switch (e->op) {
	case EX_GE: return known(a.v >= b.v - eps);
	case EX_GT: return known(a.v > b.v + eps);
	case EX_LE: return known(a.v <= b.v + eps);
	case EX_LT: return known(a.v < b.v - eps);
	default: return known(fabs(a.v - b.v) <= eps);
	}
}

/* all / any with unknowns: a false (true) operand decides whatever the rest are. */
static struct val logic(struct ectx *c, const struct ex *e)
{
	bool any = e->op == EX_ANY, unknown = false;
	for (int i = 0; i < e->nargs; i++) {
		struct val v = rules_ex_eval(e->args[i], c);
		if (v.st == VAL_UNKNOWN)
			unknown = true;
		else if ((v.v != 0) == any)
			return known(any);
	}
	return unknown ? UNKNOWN : known(!any);
}

/* mean, min and max: unknown or none if any operand is */
static struct val fold(struct ectx *c, const struct ex *e)
{
	struct val acc = rules_ex_eval(e->args[0], c);
	for (int i = 1; i < e->nargs; i++) {
		struct val v = rules_ex_eval(e->args[i], c);
		double x = acc.v;
		acc.st = (uint8_t)worst(acc, v);
		if (e->op == EX_MIN)
			acc.v = fmin(x, v.v);
		else if (e->op == EX_MAX)
			acc.v = fmax(x, v.v);
		else
			acc.v = x + v.v;
	}
	if (e->op == EX_MEAN && acc.st == VAL_KNOWN)
		acc.v /= e->nargs;
	return acc;
}

/* Unknown when any operand is: the count could be higher */
static struct val count_true(struct ectx *c, const struct ex *e)
{
	double n = 0;
	bool unknown = false;
	for (int i = 0; i < e->nargs; i++) {
		struct val v = rules_ex_eval(e->args[i], c);
		unknown |= v.st == VAL_UNKNOWN;
		n += v.st == VAL_KNOWN && v.v != 0;
	}
	return unknown ? UNKNOWN : known(n);
}

struct val rules_ex_eval(const struct ex *e, struct ectx *c)
{
	struct val v;
	switch ((enum ex_op)e->op) {
	case EX_CONST: return known(e->num);
	case EX_FACT:
		return facts_kind(e->fact) == FACT_YEAR ? year_fact(c, e->fact, e->year)
		                                        : scalar_fact(c, e->fact);
	case EX_RATIO: return ratio(rules_ex_eval(e->args[0], c), rules_ex_eval(e->args[1], c));
	case EX_GROWTH: return growth(c, e->fact, e->year);
	case EX_CAGR: return cagr(c, e);
	case EX_SUM: return sum_years(c, e);
	case EX_MEAN:
	case EX_MIN:
	case EX_MAX: return fold(c, e);
	case EX_YEARS_SINCE: return years_since(c, e);
	case EX_TITLE: return title(c, e->str);
	case EX_SIZE_IN: return size_in(c, e->mask);
	case EX_IN:
		v = scalar_fact(c, e->fact);
		return v.st == VAL_KNOWN ? known((e->mask >> (int)v.v) & 1) : v;
	case EX_AWARD: return award(c, e);
	case EX_GE:
	case EX_GT:
	case EX_LE:
	case EX_LT:
	case EX_EQ: return compare(c, e);
	case EX_ALL:
	case EX_ANY: return logic(c, e);
	case EX_NOT:
		v = rules_ex_eval(e->args[0], c);
		return v.st == VAL_KNOWN ? known(v.v == 0) : v;
	case EX_IF:
		v = rules_ex_eval(e->args[0], c);
		if (v.st != VAL_KNOWN)
			return UNKNOWN;
		return rules_ex_eval(e->args[v.v != 0 ? 1 : 2], c);
	case EX_COUNT: return count_true(c, e);
	case EX_JUDGEMENT: return UNKNOWN;
	case EX__MAX: break;
	}
	return UNKNOWN;
}
