/*
 * rules_load: parse and check ruleset files (docs/RULES.md). Every problem is
 * reported with the file, the line of the offending JSON value and a reason;
 * jansson gives lines for syntax errors, and for the rest we walk the text
 * alongside the parsed tree once to learn each value's line.
 */
#include "core/gradient/rules_impl.h"

#include "lib/date.h"
#include "lib/jw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- lines of JSON values ------------------------------------------------------- */

/*
 * Each JSON node's line, in parallel arrays searched linearly: files are small
 * and loaded once, and jansson keeps no positions of its own
 */
struct lines {
	json_t **node;
	int *line;
	int n, cap;
};

static void lines_add(struct lines *l, json_t *node, int line)
{
	if (!node)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->node = xrealloc(l->node, sizeof *l->node * (size_t)l->cap);
		l->line = xrealloc(l->line, sizeof *l->line * (size_t)l->cap);
	}
	l->node[l->n] = node, l->line[l->n++] = line;
}

/* JSON white space only, counting newlines as it goes */
static const char *ws(const char *p, const char *end, int *line)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		*line += *p++ == '\n';
	return p;
}

/* Skip a string at p (on its quote); copy up to n-1 bytes of its raw body to out. */
static const char *str_skip(const char *p, const char *end, char *out, size_t n)
{
	size_t k = 0;
	for (p++; p < end && *p != '"'; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		if (out && k + 1 < n)
			out[k++] = *p;
	}
	if (out)
		out[k] = '\0';
	return p < end ? p + 1 : p;
}

/*
 * Walk one value of text that jansson already accepted; record node lines.
 * Syntax was checked by jansson, so this only counts lines and pairs text with
 * nodes. Depth is bounded so hostile nesting cannot exhaust the stack.
 */
static const char *walk(struct lines *l, const char *p, const char *end, int *line, json_t *node,
                        int depth)
{
	p = ws(p, end, line);
	lines_add(l, node, *line);
	if (p >= end || depth > 64)
		return end;
	if (*p == '"')
		return str_skip(p, end, NULL, 0);
	if (*p != '{' && *p != '[') {
		/* memchr, not strchr: a NUL byte is not a delimiter (jansson takes "5\0" for 5) */
		while (p < end && !memchr(",]} \t\r\n", *p, 7))
			p++;
		return p;
	}
	bool obj = *p++ == '{';
	for (size_t i = 0;; i++) {
		const char *at = p = ws(p, end, line);
		if (p >= end || *p == '}' || *p == ']')
			return p < end ? p + 1 : p;
		json_t *child;
		if (obj) {
			char key[128];
			p = str_skip(p, end, key, sizeof key);
			p = ws(p, end, line);
			p += p < end && *p == ':';
			child = json_object_get(node, key);
		} else {
			child = json_array_get(node, i);
		}
		p = walk(l, p, end, line, child, depth + 1);
		p = ws(p, end, line);
		p += p < end && *p == ',';
		if (p == at) /* out of step with jansson: give up on lines rather than loop */
			return end;
	}
}

/* 0 when the node was not seen: the message then names the file without a line */
static int line_of(void *ctx, json_t *j)
{
	struct lines *l = ctx;
	for (int i = 0; i < l->n; i++)
		if (l->node[i] == j)
			return l->line[i];
	return 0;
}

/* ---- parse context ---------------------------------------------------------------- */

/*
 * The parse context of one file: its ruleset, the scratch arena everything
 * goes into, the line map, and where the error goes
 */
struct pc {
	struct rules *r;
	struct arena *a;
	struct ruleset *rs;
	struct lines lines;
	struct err_detail *d;
};

/* Always false, so a parser can `return bad(...)`; the line is that of `j` */
static bool bad(struct pc *c, json_t *j, const char *fmt, const char *arg)
{
	err_set(c->d, ERR_INVALID, "", fmt, arg);
	c->d->line = line_of(&c->lines, j);
	return false;
}

/* Unknown keys are errors: a misspelt key would otherwise silently drop a condition or bound */
static bool keys_ok(struct pc *c, json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;
	if (!json_is_object(obj))
		return bad(c, obj, "%s", "must be an object");
	json_object_foreach(obj, key, v)
	{
		int i = 0;
		while (allowed[i] && strcmp(allowed[i], key))
			i++;
		if (!allowed[i])
			return bad(c, v, "unknown key \"%s\"", key);
	}
	return true;
}

static bool get_str(struct pc *c, json_t *obj, const char *key, bool required, const char **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v && !required)
		return true;
	if (!json_is_string(v) || json_string_length(v) == 0)
		return bad(c, v ? v : obj, "\"%s\" must be a non-empty string", key);
	*out = arena_strdup(c->a, json_string_value(v));
	return true;
}

/*
 * Points, maxima, minimums, pass marks and order are never negative: a negative one
 * is a typo (band edges and constants in expressions are read elsewhere and may be)
 */
static bool get_num(struct pc *c, json_t *obj, const char *key, bool required, double *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v && !required)
		return true;
	if (!json_is_number(v) || json_number_value(v) < 0)
		return bad(c, v ? v : obj, "\"%s\" must be a number >= 0", key);
	*out = json_number_value(v);
	return true;
}

/* A null date means "open" (the value `open`, INT32_MAX for an end) when the caller allows it */
static bool get_date(struct pc *c, json_t *obj, const char *key, int32_t *out, int32_t open)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_null(v) && open) {
		*out = open;
		return true;
	}
	if (!json_is_string(v) || !date_parse(json_string_value(v), out))
		return bad(c, v ? v : obj, "\"%s\" must be a date YYYY-MM-DD", key);
	return true;
}

/*
 * Ids appear in the output and on the command line (--ruleset, --tier): a
 * plain alphabet keeps them quotable everywhere
 */
static bool id_ok(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-'))
			return false;
	return *s != '\0';
}

/* Expressions compile with the file's line map, so their errors carry lines too */
static struct ex *expr(struct pc *c, json_t *j, bool want_bool)
{
	if (!j)
		return bad(c, j, "%s", "missing expression"), NULL;
	return rules_ex_compile(c->a, j, 0, c->d, line_of, &c->lines, want_bool);
}

/* ---- criteria ------------------------------------------------------------------- */

/*
 * A requirement or a route: id, label, a condition, and whether it applies to new
 * applications, re-reviews or both. The quoted forms are made once here, not per evaluation.
 */
static bool parse_check(struct pc *c, json_t *j, struct check *out)
{
	static const char *const keys[] = {"id", "label", "test", "when", "note", NULL};
	const char *when;
	if (!keys_ok(c, j, keys) || !get_str(c, j, "id", true, &out->id) ||
	    !get_str(c, j, "label", true, &out->label) || !get_str(c, j, "when", false, &when))
		return false;
	if (!id_ok(out->id))
		return bad(c, json_object_get(j, "id"), "%s",
		           "ids are lower-case letters, digits, _ and -");
	out->when = !when ? WHEN_ALWAYS : !strcmp(when, "new") ? WHEN_NEW : WHEN_REVIEW;
	if (when && strcmp(when, "new") && strcmp(when, "review"))
		return bad(c, json_object_get(j, "when"), "%s",
		           "\"when\" is \"new\" or \"review\"");
	out->line = line_of(&c->lines, j);
	out->id_q = rules_quote(c->a, out->id), out->label_q = rules_quote(c->a, out->label);
	return (out->test = expr(c, json_object_get(j, "test"), true)) != NULL;
}

/* An absent list is an empty one: a tier may have only routes, only a score, and so on */
static bool parse_checks(struct pc *c, json_t *j, struct check **out, int *n)
{
	*n = 0;
	if (!j)
		return true;
	if (!json_is_array(j) || json_array_size(j) > RULES_CRITERIA_MAX)
		return bad(c, j, "%s", "must be a list of criteria");
	*out = arena_alloc(c->a, sizeof **out * (json_array_size(j) + 1));
	for (size_t i = 0; i < json_array_size(j); i++)
		if (!parse_check(c, json_array_get(j, i), &(*out)[(*n)++]))
			return false;
	return true;
}

/* Labels are escaped once at load; rules_json.c writes them per record without escaping again */
const char *rules_quote(struct arena *a, const char *s)
{
	struct buf b = BUF_INIT;
	buf_putc(&b, '"');
	jw_escape(&b, s, strlen(s));
	buf_putc(&b, '"');
	const char *q = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return q;
}

/* The reason shown for a band's points, e.g. ">= 0.03: 10 points", made at load */
static const char *band_reason(struct pc *c, bool upper, double edge, double points)
{
	return rules_quote(c->a, arena_printf(c->a, "%s %.10g: %.10g points",
	                                      upper ? "<=" : ">=", edge, points));
}

/* Bands: all "min" (higher is better) or all "max" (lower is better), monotonic. */
static bool parse_bands(struct pc *c, json_t *j, struct way *w, double max)
{
	size_t n = json_array_size(j);
	if (!json_is_array(j) || n == 0)
		return bad(c, j, "%s", "\"bands\" must be a non-empty list");
	w->bands = arena_alloc(c->a, sizeof *w->bands * n);
	w->upper = json_object_get(json_array_get(j, 0), "max") != NULL;
	static const char *const keys[] = {"min", "max", "points", NULL};
	for (size_t i = 0; i < n; i++) {
		json_t *b = json_array_get(j, i);
		struct band *bd = &w->bands[i];
		json_t *edge = json_object_get(b, w->upper ? "max" : "min");
		if (!keys_ok(c, b, keys) || !get_num(c, b, "points", true, &bd->points))
			return false;
		if (!json_is_number(edge) || json_object_get(b, w->upper ? "min" : "max"))
			return bad(c, b, "%s",
			           "every band has the same bound key, \"min\" or \"max\"");
		bd->edge = json_number_value(edge);
		if (bd->points > max)
			return bad(c, b, "%s", "band points above the indicator's max");
		if (i > 0 && (w->upper ? bd->edge <= bd[-1].edge : bd->edge >= bd[-1].edge))
			return bad(c, b, "%s",
			           "bands not monotonic: each bound must pass the one before");
		if (i > 0 && bd->points > bd[-1].points)
			return bad(c, b, "%s",
			           "bands not monotonic: points must not rise past a worse bound");
		bd->reason = band_reason(c, w->upper, bd->edge, bd->points);
	}
	w->nbands = (int)n;
	if (w->otherwise > w->bands[n - 1].points)
		return bad(c, j, "%s", "\"otherwise\" scores more than the last band");
	return true;
}

/* Cases are tried in order at evaluation; the first whose condition holds gives the points */
static bool parse_cases(struct pc *c, json_t *j, struct way *w, double max)
{
	size_t n = json_array_size(j);
	static const char *const keys[] = {"when", "points", "note", NULL};
	if (!json_is_array(j) || n == 0)
		return bad(c, j, "%s", "\"cases\" must be a non-empty list");
	w->cases = arena_alloc(c->a, sizeof *w->cases * n);
	for (size_t i = 0; i < n; i++) {
		json_t *k = json_array_get(j, i);
		struct case_ *cs = &w->cases[i];
		if (!keys_ok(c, k, keys) || !get_num(c, k, "points", true, &cs->points))
			return false;
		if (cs->points > max)
			return bad(c, k, "%s", "case points above the indicator's max");
		if (!(cs->when = expr(c, json_object_get(k, "when"), true)))
			return false;
		cs->reason = rules_quote(
		        c->a, arena_printf(c->a, "case %zu: %.10g points", i + 1, cs->points));
	}
	w->ncases = (int)n;
	return true;
}

/* One way of scoring; `inline_` when it is the indicator object itself (keys checked there). */
static bool parse_way(struct pc *c, json_t *j, struct way *w, double max, bool inline_)
{
	static const char *const keys[] = {"value", "bands",     "cases", "otherwise",
	                                   "note",  "as_points", NULL};
	json_t *bands = json_object_get(j, "bands"), *cases = json_object_get(j, "cases");
	if ((!inline_ && !keys_ok(c, j, keys)) || !get_num(c, j, "otherwise", false, &w->otherwise))
		return false;
	if (w->otherwise > max)
		return bad(c, j, "%s", "\"otherwise\" above the indicator's max");
	w->as_points = json_is_true(json_object_get(j, "as_points"));
	if (!!bands + !!cases + w->as_points != 1)
		return bad(c, j, "%s",
		           "an indicator scores by exactly one of bands, cases, as_points");
	if (cases)
		return json_object_get(j, "value") ? bad(c, j, "%s", "cases take no \"value\"")
		                                   : parse_cases(c, cases, w, max);
	if (!(w->value = expr(c, json_object_get(j, "value"), false)))
		return false;
	return w->as_points || parse_bands(c, bands, w, max);
}

/* An indicator scores by one way, written inline, or by the best of 2-4 ways (best_of) */
static bool parse_indicator(struct pc *c, json_t *j, struct indicator *ind)
{
	static const char *const keys[] = {"id",      "label",     "max",       "value",
	                                   "bands",   "cases",     "otherwise", "note",
	                                   "best_of", "as_points", NULL};
	if (!keys_ok(c, j, keys) || !get_str(c, j, "id", true, &ind->id) ||
	    !get_str(c, j, "label", true, &ind->label) || !get_num(c, j, "max", true, &ind->max))
		return false;
	ind->line = line_of(&c->lines, j);
	ind->id_q = rules_quote(c->a, ind->id), ind->label_q = rules_quote(c->a, ind->label);
	json_t *best = json_object_get(j, "best_of");
	if (!best) {
		ind->nways = 1;
		ind->ways = arena_alloc(c->a, sizeof *ind->ways);
		return parse_way(c, j, &ind->ways[0], ind->max, true);
	}
	if (!json_is_array(best) || json_array_size(best) < 2 || json_array_size(best) > 4)
		return bad(c, best, "%s", "\"best_of\" lists 2-4 ways of scoring");
	if (json_object_get(j, "value") || json_object_get(j, "bands") ||
	    json_object_get(j, "cases"))
		return bad(c, j, "%s", "\"best_of\" replaces value, bands and cases");
	ind->nways = (int)json_array_size(best);
	ind->ways = arena_alloc(c->a, sizeof *ind->ways * (size_t)ind->nways);
	for (int i = 0; i < ind->nways; i++)
		if (!parse_way(c, json_array_get(best, (size_t)i), &ind->ways[i], ind->max, false))
			return false;
	return true;
}

/*
 * A group's max must equal the sum of its indicators' max, so the published
 * points add up; the sub-minimum (min) cannot exceed it
 */
static bool parse_group(struct pc *c, json_t *j, struct group *g)
{
	static const char *const keys[] = {"id", "label", "max", "min", "indicators", "note", NULL};
	json_t *inds = json_object_get(j, "indicators");
	if (!keys_ok(c, j, keys) || !get_str(c, j, "id", true, &g->id) ||
	    !get_str(c, j, "label", true, &g->label) || !get_num(c, j, "max", true, &g->max) ||
	    !get_num(c, j, "min", false, &g->min))
		return false;
	if (!json_is_array(inds) || json_array_size(inds) == 0)
		return bad(c, j, "%s", "a group needs a list of \"indicators\"");
	g->id_q = rules_quote(c->a, g->id), g->label_q = rules_quote(c->a, g->label);
	if (g->min > g->max)
		return bad(c, json_object_get(j, "min"),
		           "group \"%s\": sub-minimum above the group max", g->id);
	g->nind = (int)json_array_size(inds);
	g->ind = arena_alloc(c->a, sizeof *g->ind * (size_t)g->nind);
	double sum = 0;
	for (int i = 0; i < g->nind; i++) {
		if (!parse_indicator(c, json_array_get(inds, (size_t)i), &g->ind[i]))
			return false;
		sum += g->ind[i].max;
	}
	/* points may be fractional (0.5): compared with a tolerance */
	if (fabs(sum - g->max) > 1e-9)
		return bad(c, json_object_get(j, "max"),
		           "group \"%s\": its indicators' max do not add up to its max", g->id);
	return true;
}

/* Sums and minimums of a tier's score: checked after parsing and after overlays. */
static bool check_score(struct pc *c, json_t *where, const struct tier *t)
{
	double total = 0;
	for (int g = 0; g < t->ngroups; g++) {
		const struct group *gr = &t->groups[g];
		double sum = 0;
		for (int i = 0; i < gr->nind; i++)
			sum += gr->ind[i].max;
		if (fabs(sum - gr->max) > 1e-9)
			return bad(c, where,
			           "group \"%s\": its indicators' max do not add up to its max",
			           gr->id);
		if (gr->min > gr->max)
			return bad(c, where, "group \"%s\": sub-minimum above the group max",
			           gr->id);
		total += gr->max;
	}
	if (t->scored && t->pass > total)
		return bad(c, where, "tier \"%s\": pass mark above the highest possible score",
		           t->id);
	return true;
}

/* Criterion ids are unique in a tier: they name the lines of the output. */
static bool check_ids(struct pc *c, json_t *where, const struct tier *t)
{
	/* count first: requirements and routes alone may hold twice what a tier can report */
	int total = t->nreq + t->nroutes;
	for (int g = 0; g < t->ngroups; g++)
		total += 1 + t->groups[g].nind;
	if (total + 1 > RULES_CRITERIA_MAX) /* + 1: the score */
		return bad(c, where, "tier \"%s\" has too many criteria", t->id);
	const char *ids[RULES_CRITERIA_MAX];
	int n = 0;
	for (int i = 0; i < t->nreq; i++)
		ids[n++] = t->req[i].id;
	for (int i = 0; i < t->nroutes; i++)
		ids[n++] = t->routes[i].id;
	for (int g = 0; g < t->ngroups; g++) {
		ids[n++] = t->groups[g].id;
		for (int i = 0; i < t->groups[g].nind; i++)
			ids[n++] = t->groups[g].ind[i].id;
	}
	for (int i = 0; i < n; i++)
		for (int k = 0; k < i; k++)
			if (!strcmp(ids[i], ids[k]))
				return bad(c, where, "criterion id \"%s\" used twice", ids[i]);
	return true;
}

/*
 * A score: groups of indicators and a pass mark. Up to 8 groups, the size of
 * the evaluator's per-group array (rules_eval.c).
 */
static bool parse_score(struct pc *c, json_t *j, struct tier *t)
{
	static const char *const keys[] = {"pass", "groups", "note", NULL};
	json_t *groups = json_object_get(j, "groups");
	if (!keys_ok(c, j, keys) || !get_num(c, j, "pass", true, &t->pass))
		return false;
	if (!json_is_array(groups) || json_array_size(groups) == 0 || json_array_size(groups) > 8)
		return bad(c, j, "%s", "a score needs 1-8 \"groups\"");
	t->scored = true;
	t->ngroups = (int)json_array_size(groups);
	t->groups = arena_alloc(c->a, sizeof *t->groups * (size_t)t->ngroups);
	for (int g = 0; g < t->ngroups; g++)
		if (!parse_group(c, json_array_get(groups, (size_t)g), &t->groups[g]))
			return false;
	return true;
}

/*
 * One tier. A tier with nothing to check would qualify everyone, so it is refused;
 * sums and ids are checked here and again after overlays change the tier.
 */
static bool parse_tier(struct pc *c, json_t *j, struct tier *t)
{
	static const char *const keys[] = {"id",     "label", "effective_to", "requirements",
	                                   "routes", "score", "note",         "after",
	                                   "order",  NULL};
	if (!keys_ok(c, j, keys) || !get_str(c, j, "id", true, &t->id) ||
	    !get_str(c, j, "label", true, &t->label))
		return false;
	if (!id_ok(t->id))
		return bad(c, json_object_get(j, "id"), "%s",
		           "tier ids are lower-case letters, digits, _");
	t->to = c->rs->to;
	double order = 100;
	if (!get_num(c, j, "order", false, &order))
		return false;
	if (order > 10000) /* it becomes an int */
		return bad(c, json_object_get(j, "order"), "%s", "\"order\" must be 0-10000");
	t->order = (int)order;
	if (json_object_get(j, "effective_to")) {
		if (!get_date(c, j, "effective_to", &t->to, INT32_MAX))
			return false;
		t->has_to = true;
	}
	if (!parse_checks(c, json_object_get(j, "requirements"), &t->req, &t->nreq) ||
	    !parse_checks(c, json_object_get(j, "routes"), &t->routes, &t->nroutes))
		return false;
	json_t *score = json_object_get(j, "score");
	if (score && !parse_score(c, score, t))
		return false;
	if (!t->nreq && !t->nroutes && !t->scored)
		return bad(c, j, "tier \"%s\" has no criteria", t->id);
	return check_score(c, j, t) && check_ids(c, j, t);
}

/* ---- the size standard ------------------------------------------------------------ */

/*
 * One set of size bounds (employees, revenue, assets); revenue and assets are
 * converted to the unit of the facts here so evaluation compares like with like
 */
static bool parse_size_tests(struct pc *c, json_t *obj, const char *key, struct size_test *out,
                             int *n)
{
	static const char *const what[] = {"employees", "revenue_wan", "assets_wan", NULL};
	json_t *j = json_object_get(obj, key);
	*n = 0;
	if (!keys_ok(c, j, what) || json_object_size(j) == 0)
		return bad(c, j ? j : obj, "\"%s\" needs employees, revenue_wan or assets_wan",
		           key);
	for (int k = 0; what[k]; k++) {
		json_t *v = json_object_get(j, what[k]);
		if (!v)
			continue;
		if (!json_is_number(v) || json_number_value(v) <= 0)
			return bad(c, v, "%s", "a size bound must be a number > 0");
		/* amounts are written in 万元 as the standard states them; facts are in fen */
		double unit = k == 0 ? 1 : 1e6;
		out[(*n)++] = (struct size_test){(int8_t)k, json_number_value(v) * unit};
	}
	return true;
}

/*
 * Whether every small bound is at or below the medium bound on the same
 * measure: rules_size (rules_eval.c) relies on it to call "not small" micro
 */
static bool size_bound_le(const struct size_test *a, int na, const struct size_test *b, int nb)
{
	if (na != nb)
		return false;
	for (int i = 0; i < na; i++)
		if (a[i].what != b[i].what || a[i].bound > b[i].bound)
			return false;
	return true;
}

static bool parse_size_row(struct pc *c, json_t *j, struct size_row *row, int *ndefault)
{
	static const char *const keys[] = {
	        "id",           "label", "codes", "sme_if_any", "medium_if_all",
	        "small_if_all", "note",  NULL};
	json_t *codes = json_object_get(j, "codes");
	if (!keys_ok(c, j, keys) || !get_str(c, j, "id", true, &row->id) ||
	    !get_str(c, j, "label", true, &row->label))
		return false;
	if (!json_is_array(codes))
		return bad(c, j, "%s",
		           "a size row needs \"codes\" (GB/T 4754 prefixes; [] = default)");
	row->ncodes = (int)json_array_size(codes);
	*ndefault += row->ncodes == 0;
	row->codes = arena_alloc(c->a, sizeof *row->codes * (size_t)(row->ncodes + 1));
	for (int i = 0; i < row->ncodes; i++) {
		const char *s = json_string_value(json_array_get(codes, (size_t)i));
		if (!s || !*s || s[0] < 'A' || s[0] > 'T' || strlen(s) > 5)
			return bad(c, json_array_get(codes, (size_t)i), "%s",
			           "a code is a GB/T 4754 section letter and digits");
		row->codes[i] = arena_strdup(c->a, s);
	}
	if (!parse_size_tests(c, j, "sme_if_any", row->sme, &row->nsme) ||
	    !parse_size_tests(c, j, "medium_if_all", row->medium, &row->nmedium) ||
	    !parse_size_tests(c, j, "small_if_all", row->small, &row->nsmall))
		return false;
	if (!size_bound_le(row->small, row->nsmall, row->medium, row->nmedium))
		return bad(c, j, "row \"%s\": small bounds must not pass the medium bounds",
		           row->id);
	return true;
}

/*
 * The rows of the size standard. An industry code may appear in one row only,
 * and exactly one row (no codes) takes every other industry.
 */
static bool parse_size(struct pc *c, json_t *j)
{
	int ndefault = 0;
	if (!json_is_array(j) || json_array_size(j) == 0 ||
	    json_array_size(j) > RULES_SIZE_ROWS_MAX)
		return bad(c, j, "%s", "\"classes\" must list 1-32 industry rows");
	for (size_t i = 0; i < json_array_size(j); i++) {
		struct size_row *row = &c->rs->rows[c->rs->nrows++];
		if (!parse_size_row(c, json_array_get(j, i), row, &ndefault))
			return false;
		for (int k = 0; k < row->ncodes; k++)
			for (int p = 0; p < c->rs->nrows - 1; p++)
				for (int q = 0; q < c->rs->rows[p].ncodes; q++)
					if (!strcmp(c->rs->rows[p].codes[q], row->codes[k]))
						return bad(c, json_array_get(j, i),
						           "code %s is mapped twice",
						           row->codes[k]);
	}
	if (ndefault != 1)
		return bad(c, j, "%s",
		           "exactly one row must have \"codes\": [] (other industries)");
	return true;
}

/* ---- overlays ---------------------------------------------------------------------- */

/*
 * A deep copy of a base tier for an overlay to change, without touching the base. The
 * arrays get room for what overrides may add (requirements up to the tier limit).
 */
static struct tier *tier_copy(struct arena *a, const struct tier *t)
{
	struct tier *n = arena_alloc(a, sizeof *n);
	*n = *t;
	n->req = arena_alloc(a, sizeof *n->req * (size_t)(t->nreq + RULES_CRITERIA_MAX));
	if (t->nreq) /* memcpy from NULL is undefined even for 0 bytes */
		memcpy(n->req, t->req, sizeof *n->req * (size_t)t->nreq);
	n->routes = arena_alloc(a, sizeof *n->routes * (size_t)(t->nroutes + 1));
	if (t->nroutes)
		memcpy(n->routes, t->routes, sizeof *n->routes * (size_t)t->nroutes);
	n->groups = arena_alloc(a, sizeof *n->groups * (size_t)(t->ngroups + 1));
	for (int g = 0; g < t->ngroups; g++) {
		n->groups[g] = t->groups[g];
		n->groups[g].ind =
		        arena_alloc(a, sizeof *n->groups[g].ind * (size_t)t->groups[g].nind);
		memcpy(n->groups[g].ind, t->groups[g].ind,
		       sizeof *n->groups[g].ind * (size_t)t->groups[g].nind);
	}
	return n;
}

static struct tier *own_tier(struct ruleset *rs, const char *id)
{
	for (int i = 0; i < rs->ntiers; i++)
		if (!strcmp(rs->tiers[i]->id, id))
			return rs->tiers[i];
	return NULL;
}

/* Replace the criterion or indicator with the same id as `item`. */
static bool replace_item(struct pc *c, struct tier *t, json_t *item)
{
	const char *id = json_string_value(json_object_get(item, "id"));
	for (int i = 0; id && i < t->nreq; i++)
		if (!strcmp(t->req[i].id, id))
			return parse_check(c, item, &t->req[i]);
	for (int i = 0; id && i < t->nroutes; i++)
		if (!strcmp(t->routes[i].id, id))
			return parse_check(c, item, &t->routes[i]);
	for (int g = 0; id && g < t->ngroups; g++)
		for (int i = 0; i < t->groups[g].nind; i++)
			if (!strcmp(t->groups[g].ind[i].id, id))
				return parse_indicator(c, item, &t->groups[g].ind[i]);
	return bad(c, item, "\"replace\": tier has no criterion \"%s\"", id ? id : "(no id)");
}

/*
 * One override of an overlay: replace a criterion, add a requirement or move
 * the pass mark; the tier is re-checked as a whole afterwards
 */
static bool apply_override(struct pc *c, json_t *o)
{
	static const char *const keys[] = {"tier", "replace", "add_requirement",
	                                   "pass", "note",    NULL};
	const char *tid;
	if (!keys_ok(c, o, keys) || !get_str(c, o, "tier", true, &tid))
		return false;
	struct tier *t = own_tier(c->rs, tid);
	if (!t)
		return bad(c, o, "override of tier \"%s\" that the base does not define", tid);
	json_t *rep = json_object_get(o, "replace"), *add = json_object_get(o, "add_requirement");
	if (rep && !replace_item(c, t, rep))
		return false;
	if (add) {
		if (t->nreq >= RULES_CRITERIA_MAX / 2)
			return bad(c, add, "%s", "too many requirements");
		if (!parse_check(c, add, &t->req[t->nreq++]))
			return false;
	}
	if (json_object_get(o, "pass") && !get_num(c, o, "pass", true, &t->pass))
		return false;
	if (json_object_get(o, "pass") && !t->scored)
		return bad(c, o, "tier \"%s\" has no score to set a pass mark on", tid);
	return check_score(c, o, t) && check_ids(c, o, t);
}

/*
 * Tiers keep their file order, or go right after the tier named by "after" (an
 * overlay placing its own tier among the base's)
 */
static bool insert_tier(struct pc *c, json_t *j, struct tier *t)
{
	struct ruleset *rs = c->rs;
	if (rs->ntiers >= RULES_TIERS_MAX)
		return bad(c, j, "%s", "too many tiers");
	if (own_tier(rs, t->id))
		return bad(c, j, "tier \"%s\" defined twice", t->id);
	int at = rs->ntiers;
	const char *after = json_string_value(json_object_get(j, "after"));
	if (after) {
		at = -1;
		for (int i = 0; i < rs->ntiers; i++)
			if (!strcmp(rs->tiers[i]->id, after))
				at = i + 1;
		if (at < 0)
			return bad(c, json_object_get(j, "after"), "\"after\": no tier \"%s\"",
			           after);
	}
	memmove(&rs->tiers[at + 1], &rs->tiers[at],
	        sizeof rs->tiers[0] * (size_t)(rs->ntiers - at));
	rs->tiers[at] = t;
	rs->ntiers++;
	return true;
}

/* ---- ruleset files ---------------------------------------------------------------- */

/*
 * The file's header: identity, kind, dates and the base of an overlay. An overlay
 * must lie within its base's dates and a province applies only to an overlay.
 */
static bool parse_head(struct pc *c, json_t *j)
{
	static const char *const keys[] = {
	        "id",           "kind",      "title",    "document", "effective_from",
	        "effective_to", "extends",   "province", "example",  "note",
	        "tiers",        "overrides", "classes",  NULL};
	struct ruleset *rs = c->rs;
	const char *kind, *ext;
	if (!keys_ok(c, j, keys) || !get_str(c, j, "id", true, &rs->id) ||
	    !get_str(c, j, "title", true, &rs->title) ||
	    !get_str(c, j, "document", true, &rs->document) ||
	    !get_str(c, j, "kind", false, &kind) || !get_str(c, j, "extends", false, &ext) ||
	    !get_str(c, j, "province", false, &rs->province) ||
	    !get_date(c, j, "effective_from", &rs->from, 0) ||
	    !get_date(c, j, "effective_to", &rs->to, INT32_MAX))
		return false;
	if (!id_ok(rs->id))
		return bad(c, json_object_get(j, "id"), "%s",
		           "ruleset ids are lower-case, digits and -");
	if (rules_find(c->r, rs->id))
		return bad(c, json_object_get(j, "id"), "ruleset \"%s\" is already loaded", rs->id);
	if (rs->to < rs->from)
		return bad(c, json_object_get(j, "effective_to"), "%s",
		           "effective_to before effective_from");
	if (kind && strcmp(kind, "size") && strcmp(kind, "tiers"))
		return bad(c, json_object_get(j, "kind"), "%s",
		           "kind is \"tiers\" (default) or \"size\"");
	rs->is_size = kind && !strcmp(kind, "size");
	rs->example = json_is_true(json_object_get(j, "example"));
	if (rs->province && (strlen(rs->province) != 2 || !ext))
		return bad(c, json_object_get(j, "province"), "%s",
		           "province is a two-digit code, on an overlay (\"extends\")");
	if (ext && !(rs->base = rules_find(c->r, ext)))
		return bad(c, json_object_get(j, "extends"),
		           "extends unknown ruleset \"%s\" (load it first)", ext);
	if (rs->base && (rs->from < rs->base->from || rs->to > rs->base->to))
		return bad(c, json_object_get(j, "effective_from"), "%s",
		           "an overlay's effective range must lie within its base's");
	return true;
}

/*
 * An overlay starts from copies of its base's tiers, then adds its own and applies
 * overrides, in that order, so an override can target a tier the overlay itself adds
 */
static bool parse_tiers(struct pc *c, json_t *j)
{
	json_t *tiers = json_object_get(j, "tiers"), *ovs = json_object_get(j, "overrides");
	if (c->rs->base)
		for (int i = 0; i < c->rs->base->ntiers; i++)
			c->rs->tiers[c->rs->ntiers++] = tier_copy(c->a, c->rs->base->tiers[i]);
	else if (ovs)
		return bad(c, ovs, "%s", "\"overrides\" need \"extends\"");
	if (tiers && (!json_is_array(tiers) || json_array_size(tiers) > RULES_TIERS_MAX))
		return bad(c, tiers, "%s", "\"tiers\" must be a list");
	if (!c->rs->base && json_array_size(tiers) == 0)
		return bad(c, j, "%s", "a ruleset needs \"tiers\"");
	for (size_t i = 0; i < json_array_size(tiers); i++) {
		json_t *tj = json_array_get(tiers, i);
		struct tier *t = arena_alloc(c->a, sizeof *t);
		if (!parse_tier(c, tj, t) || !insert_tier(c, tj, t))
			return false;
	}
	for (size_t i = 0; json_is_array(ovs) && i < json_array_size(ovs); i++)
		if (!apply_override(c, json_array_get(ovs, i)))
			return false;
	if (ovs && !json_is_array(ovs))
		return bad(c, ovs, "%s", "\"overrides\" must be a list");
	return true;
}

/* A file is either a size standard (classes) or a set of tiers, never both */
static bool parse_ruleset(struct pc *c, json_t *j)
{
	if (!parse_head(c, j))
		return false;
	if (c->rs->is_size)
		return json_object_get(j, "tiers") ? bad(c, j, "%s", "a size standard has no tiers")
		                                   : parse_size(c, json_object_get(j, "classes"));
	if (json_object_get(j, "classes"))
		return bad(c, json_object_get(j, "classes"), "%s",
		           "\"classes\" belong to kind \"size\"");
	return parse_tiers(c, j);
}

void rules_init(struct rules *r)
{
	memset(r, 0, sizeof *r);
}

void rules_free(struct rules *r)
{
	for (int i = 0; i < r->nsets; i++) {
		/* the ruleset lives in its own arena: copy the arena head out before freeing it */
		struct arena a = r->sets[i]->arena;
		arena_free(&a);
	}
	arena_free(&r->arena);
	memset(r, 0, sizeof *r);
}

/*
 * The tiers of "evaluate every tier", in first-seen order until rules_check
 * sorts them; example rulesets add none (they are used only by name)
 */
static void note_tier_id(struct rules *r, const char *id)
{
	for (int i = 0; i < r->ntier_ids; i++)
		if (!strcmp(r->tier_ids[i], id))
			return;
	if (r->ntier_ids < (int)(sizeof r->tier_ids / sizeof r->tier_ids[0]))
		r->tier_ids[r->ntier_ids++] = id;
}

enum err rules_add(struct rules *r, const char *file, const char *text, size_t len,
                   struct err_detail *d)
{
	err_clear(d);
	snprintf(d->field, sizeof d->field, "%s", file);
	if (r->nsets >= RULES_SETS_MAX || len > RULES_FILE_BYTES)
		return err_set(d, ERR_INVALID, file, "%s",
		               r->nsets >= RULES_SETS_MAX ? "too many ruleset files"
		                                          : "ruleset file too large");
	json_error_t je;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		err_set(d, ERR_INVALID, file, "%s", je.text);
		d->line = je.line;
		return ERR_INVALID;
	}
	/* Parse into a scratch arena so a rejected file leaves `r` as it was. */
	struct arena scratch = ARENA_INIT;
	struct pc c = {.r = r, .a = &scratch, .d = d};
	c.rs = arena_alloc(&scratch, sizeof *c.rs);
	c.rs->file = arena_strdup(&scratch, file);
	int line = 1;
	walk(&c.lines, text, text + len, &line, j, 0);
	bool ok = parse_ruleset(&c, j);
	json_decref(j);
	free(c.lines.node);
	free(c.lines.line);
	if (!ok) {
		snprintf(d->field, sizeof d->field, "%s", file);
		arena_free(&scratch);
		return ERR_INVALID;
	}
	c.rs->arena = scratch; /* the ruleset owns its own arena, which holds it */
	r->sets[r->nsets++] = c.rs;
	if (c.rs->is_size && !r->size)
		r->size = c.rs;
	for (int i = 0; i < c.rs->ntiers; i++)
		if (!c.rs->example)
			note_tier_id(r, c.rs->tiers[i]->id);
	return ERR_OK;
}

const struct ruleset *rules_find(const struct rules *r, const char *id)
{
	for (int i = 0; i < r->nsets; i++)
		if (!strcmp(r->sets[i]->id, id))
			return r->sets[i];
	return NULL;
}

const char *ruleset_id(const struct ruleset *rs)
{
	return rs->id;
}

bool ruleset_example(const struct ruleset *rs)
{
	return rs->example;
}

const struct tier *ruleset_tier(const struct ruleset *rs, const char *id)
{
	for (int i = 0; i < rs->ntiers; i++)
		if (!strcmp(rs->tiers[i]->id, id))
			return rs->tiers[i];
	return NULL;
}

bool ruleset_has_tier(const struct ruleset *rs, const char *tier)
{
	return ruleset_tier(rs, tier) != NULL;
}

static bool known_tier(const struct rules *r, const char *id)
{
	for (int i = 0; i < r->nsets; i++)
		if (ruleset_tier(r->sets[i], id))
			return true;
	return false;
}

/* Titles in expressions must name a tier some ruleset defines. */
static const char *bad_title(const struct rules *r, const struct ex *e)
{
	if (e->op == EX_TITLE && !known_tier(r, e->str))
		return e->str;
	for (int i = 0; i < e->nargs; i++) {
		const char *b = bad_title(r, e->args[i]);
		if (b)
			return b;
	}
	return NULL;
}

/* Done across files (in rules_check) because a title may name a tier of a ruleset loaded later */
static enum err check_titles(const struct rules *r, const struct ruleset *rs, struct err_detail *d)
{
	for (int t = 0; t < rs->ntiers; t++) {
		const struct tier *tr = rs->tiers[t];
		for (int i = 0; i < tr->nreq + tr->nroutes; i++) {
			const struct check *ck =
			        i < tr->nreq ? &tr->req[i] : &tr->routes[i - tr->nreq];
			const char *b = bad_title(r, ck->test);
			if (b) {
				err_set(d, ERR_INVALID, rs->file, "title of unknown tier \"%s\"",
				        b);
				d->line = ck->line;
				return ERR_INVALID;
			}
		}
	}
	return ERR_OK;
}

/*
 * Rulesets compete for the same enterprises when both are national or both for
 * one province; example rulesets compete with none
 */
static bool same_scope(const struct ruleset *a, const struct ruleset *b)
{
	if (a->example || b->example || a->is_size != b->is_size)
		return false;
	if (!a->province || !b->province)
		return !a->province && !b->province;
	return !strcmp(a->province, b->province);
}

static int tier_order(const struct rules *r, const char *id)
{
	for (int i = 0; i < r->nsets; i++) {
		const struct tier *t = ruleset_tier(r->sets[i], id);
		if (t)
			return t->order;
	}
	return 100;
}

/* Every-tier output follows the tiers' "order" (the gradient from tier 1 up). */
static void sort_tier_ids(struct rules *r)
{
	for (int i = 1; i < r->ntier_ids; i++)
		for (int k = i;
		     k > 0 && tier_order(r, r->tier_ids[k]) < tier_order(r, r->tier_ids[k - 1]);
		     k--) {
			const char *tmp = r->tier_ids[k];
			r->tier_ids[k] = r->tier_ids[k - 1], r->tier_ids[k - 1] = tmp;
		}
}

enum err rules_check(struct rules *r, struct err_detail *d)
{
	err_clear(d);
	for (int i = 0; i < r->nsets; i++) {
		const struct ruleset *a = r->sets[i];
		if (check_titles(r, a, d))
			return ERR_INVALID;
		/*
		 * each pair once: two rulesets of one scope may not define a tier on
		 * overlapping dates, or the choice by date would be ambiguous
		 */
		for (int k = 0; k < i; k++) {
			const struct ruleset *b = r->sets[k];
			if (!same_scope(a, b))
				continue;
			if (a->is_size && a->from <= b->to && b->from <= a->to)
				return err_set(d, ERR_INVALID, a->file,
				               "size standards %s and %s overlap", a->id, b->id);
			for (int t = 0; t < a->ntiers; t++) {
				const struct tier *ta = a->tiers[t], *tb = ruleset_tier(b, ta->id);
				if (tb && a->from <= tb->to && b->from <= ta->to)
					return err_set(
					        d, ERR_INVALID, a->file,
					        "rulesets %s and %s both define tier %s on the "
					        "same dates",
					        a->id, b->id, ta->id);
			}
		}
	}
	if (!r->size)
		return err_set(d, ERR_INVALID, "rules", "%s",
		               "no size standard (kind \"size\") loaded");
	sort_tier_ids(r);
	return ERR_OK;
}
