/* rules_json: the evaluate output line of spec/cli.md, written with lib/jw. */
#include "core/rules_impl.h"

#include "lib/date.h"
#include "lib/jw.h"

#include <math.h>

/* Integers as integers; other numbers with 10 significant digits, enough for a ratio. */
static void num(struct jw *w, struct val v)
{
	if (v.st != VAL_KNOWN || !isfinite(v.v)) {
		jw_null(w);
		return;
	}
	if (v.v == floor(v.v) && fabs(v.v) < 1e15) {
		jw_i64(w, (int64_t)v.v);
		return;
	}
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%.10g", v.v);
	jw_raw(w, tmp);
}

static void crit_json(struct jw *w, const struct crit_result *cr)
{
	jw_obj_open(w);
	jw_kstr(w, "id", cr->id);
	jw_kstr(w, "outcome", rules_outcome_name(cr->outcome));
	if (cr->shown) {
		jw_key(w, "value");
		num(w, cr->value);
	}
	if (cr->shown && cr->kind != CRIT_INDICATOR) {
		jw_key(w, "threshold");
		num(w, cr->threshold);
	}
	if (cr->has_points) {
		jw_key(w, "points");
		num(w, (struct val){VAL_KNOWN, cr->points});
	}
	jw_kstr(w, "reason", cr->reason);
	jw_obj_close(w);
}

static void gap_json(struct jw *w, const struct gap *g)
{
	jw_obj_open(w);
	jw_kstr(w, "criterion", g->criterion);
	jw_key(w, "value");
	num(w, g->value);
	jw_key(w, "target");
	num(w, (struct val){VAL_KNOWN, g->target});
	if (g->points > 0) {
		jw_key(w, "points");
		num(w, (struct val){VAL_KNOWN, g->points});
	}
	if (g->route)
		jw_kbool(w, "closest_route", true);
	char text[320];
	if (g->points > 0)
		snprintf(text, sizeof text, "%s %.10g -> %.10g: +%.10g points", g->label,
		         g->value.v, g->target, g->points);
	else
		snprintf(text, sizeof text, "%s %.10g -> %.10g", g->label, g->value.v, g->target);
	jw_kstr(w, "text", text);
	jw_obj_close(w);
}

static void tier_json(struct jw *w, const struct tier_result *tr, bool gaps)
{
	jw_obj_open(w);
	jw_kstr(w, "tier", tr->tier);
	jw_kstr(w, "ruleset", tr->ruleset ? tr->ruleset->id : NULL);
	jw_kstr(w, "outcome", rules_verdict_name(tr->verdict));
	if (tr->route != ROUTE_NONE)
		jw_kstr(w, "route", tr->route == ROUTE_DIRECT ? "direct" : "score");
	if (tr->scored) {
		jw_key(w, "score");
		num(w, (struct val){VAL_KNOWN, tr->score});
	}
	jw_key(w, "criteria");
	jw_arr_open(w);
	if (!tr->ruleset) {
		jw_obj_open(w);
		jw_kstr(w, "id", "ruleset");
		jw_kstr(w, "outcome", "needs_review");
		jw_kstr(w, "reason", "no ruleset for this tier is in effect on this date");
		jw_obj_close(w);
	}
	for (int i = 0; i < tr->ncrit; i++)
		crit_json(w, &tr->crit[i]);
	jw_arr_close(w);
	if (gaps && tr->verdict != VERDICT_QUALIFIED) {
		jw_key(w, "gaps");
		jw_arr_open(w);
		for (int i = 0; i < tr->ngaps; i++)
			gap_json(w, &tr->gaps[i]);
		jw_arr_close(w);
	}
	jw_obj_close(w);
}

void rules_result_json(struct buf *out, const char *ref, int32_t as_of,
                       const struct rules_result *res, bool gaps)
{
	struct jw w;
	char day[DATE_STR];
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_kstr(&w, "ref", ref);
	date_format(as_of, day);
	jw_kstr(&w, "as_of", day);
	jw_kstr(&w, "size", rules_size_name(res->size));
	jw_key(&w, "results");
	jw_arr_open(&w);
	for (int i = 0; i < res->nresults; i++)
		tier_json(&w, &res->results[i], gaps);
	jw_arr_close(&w);
	jw_obj_close(&w);
}
