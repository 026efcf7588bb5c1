/*
 * rules_eval: evaluate one enterprise against the loaded rulesets: the size
 * class, the ruleset of each tier by date (and by the title's date for
 * re-reviews), every criterion with value, threshold, points and outcome,
 * and the tier's verdict under docs/FACTS.md's conventions. Scores are
 * carried as intervals [known points, points possible] so an outcome that
 * no value of the missing facts could change is decided anyway.
 */
#include "core/gradient/rules_impl.h"

#include "lib/date.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

static const struct val UNKNOWN = {VAL_UNKNOWN, 0};

static struct val tri(int t) /* 0 false, 1 true, 2 unknown */
{
	return t == 2 ? UNKNOWN : (struct val){VAL_KNOWN, t};
}

static int tri_of(struct val v)
{
	return v.st != VAL_KNOWN ? 2 : v.v != 0;
}

/*
 * Kleene logic: false wins over unknown in an "and", true wins over unknown in
 * an "or", so a missing fact only matters when it could change the answer
 */
static int tri_and(int a, int b)
{
	return a == 0 || b == 0 ? 0 : a == 2 || b == 2 ? 2 : 1;
}

static int tri_or(int a, int b)
{
	return a == 1 || b == 1 ? 1 : a == 2 || b == 2 ? 2 : 0;
}

/* ---- size ------------------------------------------------------------------------- */

/*
 * The row of the longest matching industry code prefix, else the row without
 * codes ("other industries"), as docs/RULES.md's size standard says
 */
static const struct size_row *size_row_for(const struct ruleset *rs, const char *industry)
{
	const struct size_row *best = NULL, *dflt = NULL;
	size_t best_len = 0;
	for (int i = 0; i < rs->nrows; i++) {
		const struct size_row *row = &rs->rows[i];
		if (!row->ncodes)
			dflt = row;
		for (int k = 0; k < row->ncodes; k++) {
			size_t n = strlen(row->codes[k]);
			if (n > best_len && !strncmp(industry, row->codes[k], n))
				best = row, best_len = n;
		}
	}
	return best ? best : dflt;
}

/* any (below) or all (at or above) of a row's tests, three-valued */
static int size_tests(const struct size_test *t, int n, const struct val *v, bool below)
{
	int acc = below ? 0 : 1;
	for (int i = 0; i < n; i++) {
		struct val x = v[t[i].what];
		int r = x.st != VAL_KNOWN ? 2 : below ? x.v < t[i].bound : x.v >= t[i].bound;
		acc = below ? tri_or(acc, r) : tri_and(acc, r);
	}
	return acc;
}

enum size_class rules_size(const struct rules *r, const struct facts *fx, int32_t as_of,
                           struct val *sme)
{
	int y, m, d;
	date_to_ymd(as_of, &y, &m, &d);
	*sme = UNKNOWN;
	if (!r->size || !fx->industry[0])
		return SIZE_UNKNOWN;
	const struct size_row *row = size_row_for(r->size, fx->industry);
	struct val v[3] = {facts_year(fx, FACTS_EMPLOYEES, y - 1),
	                   facts_year(fx, FACTS_REVENUE, y - 1),
	                   facts_year(fx, FACTS_ASSETS, y - 1)};
	int is_sme = size_tests(row->sme, row->nsme, v, true);
	*sme = tri(is_sme);
	if (is_sme == 0)
		return SIZE_LARGE;
	/*
	 * Size class from y1's figures (docs/FACTS.md). An enterprise that is not an SME
	 * is large whatever else is unknown; an unknown SME test leaves the class unknown.
	 */
	int medium = size_tests(row->medium, row->nmedium, v, false);
	int small = size_tests(row->small, row->nsmall, v, false);
	if (is_sme == 2)
		return SIZE_UNKNOWN;
	if (medium == 1)
		return SIZE_MEDIUM;
	if (small == 0)
		return SIZE_MICRO; /* the medium bounds are at or above the small ones */
	if (medium == 0 && small == 1)
		return SIZE_SMALL;
	return SIZE_UNKNOWN;
}

/* ---- ruleset choice ----------------------------------------------------------------- */

/*
 * Example rulesets are chosen only by name (--ruleset), the size standard is no
 * tier's ruleset, and a province overlay applies only to that province's enterprises
 */
static bool in_scope(const struct ruleset *rs, const struct facts *fx)
{
	return !rs->example && !rs->is_size &&
	       (!rs->province || !strcmp(rs->province, fx->province));
}

/* A re-review is judged by the rules its title was granted under (docs/FACTS.md). */
static int32_t choice_date(const struct facts *fx, const char *tier, int32_t as_of)
{
	if (fx->scalar[FACTS_REVIEW].st != VAL_KNOWN || !fx->scalar[FACTS_REVIEW].v)
		return as_of;
	int32_t best = -1;
	for (int i = 0; i < fx->ntitles; i++)
		if (!strcmp(fx->titles[i].tier, tier) && fx->titles[i].since <= as_of &&
		    fx->titles[i].since > best)
			best = fx->titles[i].since;
	return best >= 0 ? best : as_of;
}

static const struct ruleset *choose(const struct rules *r, const char *tier, const struct facts *fx,
                                    int32_t as_of)
{
	int32_t date = choice_date(fx, tier, as_of);
	const struct ruleset *hit = NULL, *earliest = NULL;
	for (int i = 0; i < r->nsets; i++) {
		const struct ruleset *rs = r->sets[i];
		const struct tier *t = ruleset_tier(rs, tier);
		if (!t || !in_scope(rs, fx))
			continue;
		if (!rs->province && (!earliest || rs->from < earliest->from))
			earliest = rs;
		/*
		 * a province overlay in effect wins over the national ruleset whatever their
		 * order (overlaps within one scope are refused at load)
		 */
		if (rs->from <= date && date <= tier_to(rs, t) && (!hit || rs->province))
			hit = rs;
	}
	/* a title older than every ruleset we ship: its re-review uses the oldest */
	if (!hit && date != as_of)
		hit = earliest;
	return hit;
}

/* ---- criteria ------------------------------------------------------------------------ */

/*
 * A fresh criterion slot; it also points the context's "missing fact" text at the
 * slot so the expression evaluator can say which fact made the outcome unknown
 */
static struct crit_result *crit_new(struct tier_result *tr, struct ectx *c, const char *id,
                                    enum crit_kind kind, const void *src)
{
	struct crit_result *cr = &tr->crit[tr->ncrit++];
	cr->id = id;
	cr->kind = (uint8_t)kind;
	cr->value = cr->threshold = UNKNOWN;
	cr->has_points = cr->shown = false;
	cr->id_q = cr->reason_q = NULL;
	cr->points = 0;
	cr->missing[0] = '\0';
	cr->source = src;
	c->missing = cr->missing;
	c->missing_n = sizeof cr->missing;
	return cr;
}

/* `label_q` is the label as quoted JSON; a missing fact's text replaces it. */
static void crit_outcome(struct crit_result *cr, int t, const char *label, const char *label_q)
{
	cr->outcome = t == 1 ? OUTCOME_MET : t == 0 ? OUTCOME_NOT_MET : OUTCOME_REVIEW;
	bool missing = t == 2 && cr->missing[0];
	cr->reason = missing ? cr->missing : label;
	cr->reason_q = missing ? NULL : label_q;
}

/* A check may be limited to new applications or to re-reviews (the "when" of docs/RULES.md) */
static bool applies(const struct check *ck, const struct facts *fx)
{
	bool review = fx->scalar[FACTS_REVIEW].v != 0;
	return ck->when == WHEN_ALWAYS || (ck->when == WHEN_REVIEW) == review;
}

/* One requirement or route: three-valued; comparisons report their two sides. */
static int eval_check(const struct check *ck, struct ectx *c, struct tier_result *tr,
                      enum crit_kind kind)
{
	struct crit_result *cr = crit_new(tr, c, ck->id, kind, ck);
	cr->id_q = ck->id_q;
	struct val v;
	if (rules_ex_is_compare(ck->test)) {
		cr->shown = true;
		cr->value = rules_ex_eval(ck->test->args[0], c);
		cr->threshold = rules_ex_eval(ck->test->args[1], c);
		v = rules_ex_cmp(ck->test, cr->value, cr->threshold);
	} else {
		v = rules_ex_eval(ck->test, c);
	}
	int t = tri_of(v);
	if (t == 2 && !cr->missing[0] && ck->test->op == EX_JUDGEMENT)
		snprintf(cr->missing, sizeof cr->missing, "needs a person's judgement");
	crit_outcome(cr, t, ck->label, ck->label_q);
	return t;
}

struct interval {
	double lo, hi;
	struct val value;
	const char *reason;
};

/*
 * Points of a banded value: an unknown value could still reach the top band (bands are
 * sorted best first), so it is [otherwise, best]; "none" (a zero denominator) scores
 * `otherwise`. Edges allow a relative rounding error of 1e-12 (docs/FACTS.md, "Band edges").
 */
static struct interval way_bands(const struct way *w, struct val v)
{
	struct interval iv = {w->otherwise, w->otherwise, v, "\"below every band\""};
	if (v.st == VAL_UNKNOWN) {
		iv.hi = w->bands[0].points;
		return iv;
	}
	if (v.st == VAL_NONE)
		return iv;
	for (int i = 0; i < w->nbands; i++) {
		double eps = 1e-12 * fmax(fabs(v.v), fabs(w->bands[i].edge));
		if (w->upper ? v.v <= w->bands[i].edge + eps : v.v >= w->bands[i].edge - eps) {
			iv.lo = iv.hi = w->bands[i].points;
			iv.reason = w->bands[i].reason;
			break;
		}
	}
	return iv;
}

/*
 * Points of the first case whose condition holds. Unknown conditions before it widen the
 * interval to every case they might select, so the result is exact only when it cannot differ.
 */
static struct interval way_cases(const struct way *w, struct ectx *c)
{
	struct interval iv = {INFINITY, -INFINITY, UNKNOWN, "\"no case applies\""};
	for (int i = 0; i < w->ncases; i++) {
		int t = tri_of(rules_ex_eval(w->cases[i].when, c));
		if (t == 0)
			continue;
		iv.lo = fmin(iv.lo, w->cases[i].points), iv.hi = fmax(iv.hi, w->cases[i].points);
		if (t == 1) {
			iv.value = (struct val){VAL_KNOWN, i + 1};
			if (iv.lo == iv.hi)
				iv.reason = w->cases[i].reason;
			return iv;
		}
	}
	iv.lo = fmin(iv.lo, w->otherwise), iv.hi = fmax(iv.hi, w->otherwise);
	if (iv.lo == iv.hi)
		iv.value = (struct val){VAL_KNOWN, 0};
	return iv;
}

/* Banded, by cases, or points given directly (clamped to the indicator's maximum) */
static struct interval eval_way(const struct way *w, double max, struct ectx *c)
{
	if (w->ncases)
		return way_cases(w, c);
	struct val v = rules_ex_eval(w->value, c);
	if (!w->as_points)
		return way_bands(w, v);
	struct interval iv = {0, max, v, "\"points as given\""};
	if (v.st == VAL_KNOWN)
		iv.lo = iv.hi = fmin(fmax(v.v, 0), max);
	else if (v.st == VAL_NONE)
		iv.hi = 0;
	return iv;
}

/* An indicator takes the best of its ways. */
static struct interval eval_indicator(const struct indicator *ind, struct ectx *c,
                                      struct tier_result *tr)
{
	struct crit_result *cr = crit_new(tr, c, ind->id, CRIT_INDICATOR, ind);
	cr->id_q = ind->id_q;
	struct interval best = {0};
	for (int i = 0; i < ind->nways; i++) {
		struct interval iv = eval_way(&ind->ways[i], ind->max, c);
		/*
		 * the reported way is the one with the best sure points; the upper bound is
		 * the best any way might reach
		 */
		if (i == 0 || iv.lo > best.lo || (iv.lo == best.lo && iv.hi > best.hi)) {
			double hi = i ? fmax(best.hi, iv.hi) : iv.hi;
			best = iv, best.hi = hi;
		} else {
			best.hi = fmax(best.hi, iv.hi);
		}
	}
	cr->value = best.value;
	cr->shown = ind->ways[0].ncases == 0;
	cr->has_points = true;
	cr->points = best.lo;
	crit_outcome(cr, best.lo == best.hi ? 1 : 2, ind->label,
	             best.lo == best.hi ? best.reason : ind->label_q);
	return best;
}

/* Groups with a sub-minimum, then the pass mark; three-valued over the interval. */
static int eval_score(const struct tier *t, struct ectx *c, struct tier_result *tr)
{
	double lo = 0, hi = 0;
	int ok = 1;
	/* at most 8 groups per tier, a bound the loader enforces */
	struct {
		double lo, hi;
	} g[8];
	for (int i = 0; i < t->ngroups; i++) {
		g[i].lo = g[i].hi = 0;
		for (int k = 0; k < t->groups[i].nind; k++) {
			struct interval iv = eval_indicator(&t->groups[i].ind[k], c, tr);
			g[i].lo += iv.lo, g[i].hi += iv.hi;
		}
		lo += g[i].lo, hi += g[i].hi;
	}
	for (int i = 0; i < t->ngroups; i++) {
		const struct group *gr = &t->groups[i];
		if (gr->min <= 0)
			continue;
		struct crit_result *cr = crit_new(tr, c, gr->id, CRIT_GROUP, gr);
		cr->id_q = gr->id_q;
		cr->shown = true;
		cr->value = (struct val){VAL_KNOWN, g[i].lo};
		cr->threshold = (struct val){VAL_KNOWN, gr->min};
		int r = g[i].lo >= gr->min ? 1 : g[i].hi < gr->min ? 0 : 2;
		crit_outcome(cr, r, gr->label, gr->label_q);
		ok = tri_and(ok, r);
	}
	struct crit_result *cr = crit_new(tr, c, "score", CRIT_SCORE, t);
	cr->shown = true;
	cr->value = (struct val){VAL_KNOWN, lo};
	cr->threshold = (struct val){VAL_KNOWN, t->pass};
	int r = lo >= t->pass ? 1 : hi < t->pass ? 0 : 2;
	crit_outcome(cr, r, r == 2 ? "the score depends on missing facts" : "total score", NULL);
	tr->scored = true;
	tr->score = lo, tr->score_max = hi;
	return tri_and(ok, r);
}

static enum verdict verdict_of(int t)
{
	return t == 1 ? VERDICT_QUALIFIED : t == 0 ? VERDICT_NOT_QUALIFIED : VERDICT_REVIEW;
}

/*
 * The outcome of docs/FACTS.md ("Outcome of a tier"): every requirement, and (when the
 * tier has routes or a score) a direct route met or the score passing, all three-valued
 */
static void eval_tier(const struct ruleset *rs, const struct tier *t, struct ectx *c,
                      struct tier_result *tr)
{
	int req = 1, routes = 0, score = 0;
	for (int i = 0; i < t->nreq; i++)
		if (applies(&t->req[i], c->fx))
			req = tri_and(req, eval_check(&t->req[i], c, tr, CRIT_REQUIREMENT));
	for (int i = 0; i < t->nroutes; i++)
		if (applies(&t->routes[i], c->fx))
			routes = tri_or(routes, eval_check(&t->routes[i], c, tr, CRIT_ROUTE));
	if (t->scored)
		score = eval_score(t, c, tr);
	int path = t->nroutes || t->scored ? tri_or(routes, score) : 1;
	tr->ruleset = rs;
	tr->verdict = verdict_of(tri_and(req, path));
	tr->route = !(t->nroutes && t->scored) ? ROUTE_NONE
	            : routes == 1              ? ROUTE_DIRECT
	                                       : ROUTE_SCORE;
	c->missing = NULL;
}

/* ---- gap analysis ------------------------------------------------------------------- */

struct gapset {
	int n;
	struct gap g[RULES_GAPS_MAX];
	double dist; /* sum of relative distances: how far the facts are from the target */
};

/*
 * Relative distance, so that changes to amounts in fen and to ratios compare
 * fairly; the floor keeps a zero target from dividing by zero
 */
static double rel(double value, double target)
{
	return fabs(target - value) / fmax(fabs(target), 1e-12);
}

/*
 * The failing comparisons under `e` that, if met, would make it true. For an "all",
 * each failing part; for an "any", only the alternative nearest to being met. Terms
 * with no number to move (titles, awards, judgements) only add distance.
 */
static void collect(const struct ex *e, struct ectx *c, const char *id, const char *label,
                    struct gapset *out)
{
	if (rules_ex_is_compare(e)) {
		struct val a = rules_ex_eval(e->args[0], c), b = rules_ex_eval(e->args[1], c);
		struct val ok = rules_ex_cmp(e, a, b);
		if (ok.st == VAL_KNOWN && !ok.v && a.st == VAL_KNOWN && b.st == VAL_KNOWN &&
		    out->n < RULES_GAPS_MAX) {
			out->g[out->n++] = (struct gap){id, label, a, b.v, 0, false};
			out->dist += rel(a.v, b.v);
		} else if (ok.st != VAL_KNOWN || !ok.v) {
			out->dist += 1; /* unknown or not a number: count as far */
		}
		return;
	}
	if (e->op == EX_ALL) {
		for (int i = 0; i < e->nargs; i++)
			if (tri_of(rules_ex_eval(e->args[i], c)) != 1)
				collect(e->args[i], c, id, label, out);
		return;
	}
	if (e->op == EX_ANY) {
		struct gapset best = {.dist = INFINITY};
		for (int i = 0; i < e->nargs; i++) {
			struct gapset one = {0};
			collect(e->args[i], c, id, label, &one);
			if (one.dist < best.dist)
				best = one;
		}
		for (int i = 0; i < best.n && out->n < RULES_GAPS_MAX; i++)
			out->g[out->n++] = best.g[i];
		out->dist += best.dist;
		return;
	}
	out->dist += 1; /* a title, an award, a judgement: no number to move */
}

/* One way to gain points: move an indicator's value to the edge of its next better band */
struct cand {
	const struct indicator *ind;
	struct val value;
	double target, gain, dist;
};

/* The nearest better band of each banded indicator whose value is known. */
static int score_candidates(const struct tier_result *tr, struct ectx *c, struct cand *out, int max)
{
	int n = 0;
	for (int i = 0; i < tr->ncrit && n < max; i++) {
		const struct crit_result *cr = &tr->crit[i];
		if (cr->kind != CRIT_INDICATOR || cr->outcome != OUTCOME_MET)
			continue;
		const struct indicator *ind = cr->source;
		struct cand best = {.dist = INFINITY};
		for (int w = 0; w < ind->nways; w++) {
			const struct way *wy = &ind->ways[w];
			struct val v = wy->nbands ? rules_ex_eval(wy->value, c) : (struct val){0};
			for (int b = wy->nbands - 1; v.st == VAL_KNOWN && b >= 0; b--) {
				if (wy->bands[b].points <= cr->points)
					continue;
				double d = rel(v.v, wy->bands[b].edge);
				if (d < best.dist)
					best = (struct cand){ind, v, wy->bands[b].edge,
					                     wy->bands[b].points - cr->points, d};
				break;
			}
		}
		if (best.ind)
			out[n++] = best;
	}
	return n;
}

/*
 * Suggests the cheapest band moves until the score would pass and every group reach
 * its minimum. A greedy choice: enough to show what is missing, not an optimum.
 */
static void score_gaps(const struct tier *t, struct ectx *c, struct tier_result *tr)
{
	struct cand cand[RULES_CRITERIA_MAX];
	int n = score_candidates(tr, c, cand, RULES_CRITERIA_MAX);
	double need = t->pass - tr->score;
	for (int i = 0; i < t->ngroups; i++) {
		double got = 0;
		for (int k = 0; k < tr->ncrit; k++)
			for (int m = 0; m < t->groups[i].nind; m++)
				if (tr->crit[k].source == &t->groups[i].ind[m])
					got += tr->crit[k].points;
		need = fmax(need, t->groups[i].min - got);
	}
	/* cheapest moves first: the smallest relative change of a fact */
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && cand[k].dist < cand[k - 1].dist; k--) {
			struct cand tmp = cand[k];
			cand[k] = cand[k - 1], cand[k - 1] = tmp;
		}
	for (int i = 0; i < n && need > 0 && tr->ngaps < RULES_GAPS_MAX; i++) {
		if (cand[i].value.st != VAL_KNOWN)
			continue;
		tr->gaps[tr->ngaps++] =
		        (struct gap){cand[i].ind->id, cand[i].ind->label, cand[i].value,
		                     cand[i].target,  cand[i].gain,       false};
		need -= cand[i].gain;
	}
}

static void add_gaps(struct tier_result *tr, const struct gapset *gs, bool route)
{
	for (int i = 0; i < gs->n && tr->ngaps < RULES_GAPS_MAX; i++) {
		tr->gaps[tr->ngaps] = gs->g[i];
		tr->gaps[tr->ngaps++].route = route;
	}
}

/*
 * Gaps for an unqualified tier: failing requirements, then the score (unless a
 * direct route is met), then the single route nearest to being met
 */
static void find_gaps(const struct tier *t, struct ectx *c, struct tier_result *tr)
{
	c->missing = NULL;
	for (int i = 0; i < t->nreq; i++) {
		struct gapset gs = {0};
		if (applies(&t->req[i], c->fx) && tri_of(rules_ex_eval(t->req[i].test, c)) == 0) {
			collect(t->req[i].test, c, t->req[i].id, t->req[i].label, &gs);
			add_gaps(tr, &gs, false);
		}
	}
	bool route_met = tr->route == ROUTE_DIRECT;
	if (t->scored && !route_met)
		score_gaps(t, c, tr); /* the pass mark, or a group below its minimum */
	if (t->nroutes && !route_met) {
		struct gapset best = {.dist = INFINITY};
		for (int i = 0; i < t->nroutes; i++) {
			struct gapset gs = {0};
			collect(t->routes[i].test, c, t->routes[i].id, t->routes[i].label, &gs);
			if (gs.dist < best.dist && gs.n)
				best = gs;
		}
		add_gaps(tr, &best, true);
	}
}

/* ---- one record ----------------------------------------------------------------------- */

static void eval_one(const struct rules *r, const struct ruleset *forced, const char *tier,
                     struct ectx *c, const struct rules_query *q, struct tier_result *tr)
{
	/* only the head is cleared: the criteria and gaps arrays are large and filled by count */
	memset(tr, 0, offsetof(struct tier_result, crit));
	tr->tier = tier;
	tr->ncrit = tr->ngaps = 0;
	const struct ruleset *rs = forced ? forced : choose(r, tier, c->fx, c->as_of);
	const struct tier *t = rs ? ruleset_tier(rs, tier) : NULL;
	if (!t) {
		tr->verdict = VERDICT_REVIEW; /* no ruleset in effect: a person must decide */
		return;
	}
	eval_tier(rs, t, c, tr);
	if (q->gaps && tr->verdict != VERDICT_QUALIFIED)
		find_gaps(t, c, tr);
}

enum err rules_evaluate(const struct rules *r, const struct facts *fx, const struct rules_query *q,
                        struct rules_result *out)
{
	const struct ruleset *forced = NULL;
	if (q->ruleset && !(forced = rules_find(r, q->ruleset)))
		return ERR_NOT_FOUND;
	struct ectx c = {.fx = fx, .as_of = q->as_of};
	int m, d;
	date_to_ymd(q->as_of, &c.y0, &m, &d);
	c.size = rules_size(r, fx, q->as_of, &c.sme);
	out->size = c.size;
	out->sme_known = c.sme.st == VAL_KNOWN;
	out->sme = c.sme.v != 0;
	out->nresults = 0;
	int n = q->ntiers ? q->ntiers : forced ? forced->ntiers : r->ntier_ids;
	for (int i = 0; i < n && out->nresults < RULES_TIERS_MAX; i++) {
		const char *tier = q->ntiers ? q->tiers[i]
		                   : forced  ? forced->tiers[i]->id
		                             : r->tier_ids[i];
		eval_one(r, forced, tier, &c, q, &out->results[out->nresults++]);
	}
	return ERR_OK;
}

/* NULL for SIZE_UNKNOWN: written as JSON null */
const char *rules_size_name(enum size_class s)
{
	static const char *const names[] = {NULL, "large", "medium", "small", "micro"};
	return names[s];
}

const char *rules_outcome_name(enum outcome o)
{
	static const char *const names[] = {"met", "not_met", "needs_review"};
	return names[o];
}

const char *rules_verdict_name(enum verdict v)
{
	static const char *const names[] = {"qualified", "not_qualified", "needs_review"};
	return names[v];
}
