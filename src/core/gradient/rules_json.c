/* rules_json: the evaluate output line of docs/CLI.md, written with lib/jw. */
#include "core/gradient/rules_impl.h"

#include "lib/date.h"
#include "lib/jw.h"

#include <math.h>
#include <string.h>

/* Append v's digits; v >= 0. */
static void put_u64(struct buf *out, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (n > 0)
		buf_putc(out, tmp[--n]);
}

/*
 * Numbers without printf, which dominated the output: integers as integers,
 * others with 9 decimals (trailing zeros dropped), which keeps a ratio one fen
 * below an edge visibly below it.
 */
static void put_num(struct buf *out, struct val v)
{
	/*
	 * an unknown value is null; beyond 1e15 the fixed form below has no exact
	 * digits left, so such a value is written in full precision instead
	 */
	if (v.st != VAL_KNOWN || !isfinite(v.v) || fabs(v.v) >= 1e15) {
		if (v.st == VAL_KNOWN && isfinite(v.v)) {
			buf_printf(out, "%.17g", v.v);
			return;
		}
		buf_puts(out, "null");
		return;
	}
	/* the whole part apart: x * 1e9 would pass llround's range from 9.2e9 (92 million yuan
	 * in fen) on, and amounts printed as 9223372036.854775808 */
	double x = fabs(v.v), whole = floor(x);
	uint64_t ip = (uint64_t)whole, frac = (uint64_t)llround((x - whole) * 1e9);
	if (frac == 1000000000u) /* .9999999996 rounds up into the whole part */
		ip++, frac = 0;
	if (v.v < 0 && (ip || frac))
		buf_putc(out, '-');
	put_u64(out, ip);
	if (!frac)
		return;
	char digits[10];
	int n = 9;
	for (int i = 8; i >= 0; i--, frac /= 10)
		digits[i] = (char)('0' + frac % 10);
	while (n > 0 && digits[n - 1] == '0')
		n--;
	buf_putc(out, '.');
	buf_append(out, digits, (size_t)n);
}

/* A number through the jw writer (which places the comma) but in put_num's format */
static void num(struct jw *w, struct val v)
{
	jw_raw(w, "0"); /* jw places the separator; replace the placeholder */
	w->out->len--;
	put_num(w->out, v);
}

/* The JSON string form made once at load (`quoted`) when there is one, else escaped now */
static void put_str(struct buf *out, const char *quoted, const char *plain)
{
	if (quoted) {
		buf_puts(out, quoted);
		return;
	}
	buf_putc(out, '"');
	jw_escape(out, plain, strlen(plain));
	buf_putc(out, '"');
}

/* Written by hand from strings escaped at load: this is the bulk of the output. */
static void crit_json(struct jw *w, const struct crit_result *cr)
{
	/* each with its closing quote: the member is written as one append */
	static const char *const outcomes[] = {"met\"", "not_met\"", "needs_review\""};
	struct buf *out = w->out;
	jw_raw(w, "{");
	w->out->len--;
	buf_puts(out, "{\"id\":");
	put_str(out, cr->id_q, cr->id);
	buf_puts(out, ",\"outcome\":\"");
	buf_puts(out, outcomes[cr->outcome]);
	if (cr->shown) {
		buf_puts(out, ",\"value\":");
		put_num(out, cr->value);
	}
	if (cr->shown && cr->kind != CRIT_INDICATOR) {
		buf_puts(out, ",\"threshold\":");
		put_num(out, cr->threshold);
	}
	if (cr->has_points) {
		buf_puts(out, ",\"points\":");
		put_num(out, (struct val){VAL_KNOWN, cr->points});
	}
	buf_puts(out, ",\"reason\":");
	put_str(out, cr->reason_q, cr->reason);
	buf_putc(out, '}');
}

/*
 * A gap: how far a value is from the threshold that would meet a criterion (and the
 * points it would gain). "text" is the same in words, for output read by people.
 */
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
	/*
	 * no ruleset in effect: one synthetic criterion says so, so the outcome is
	 * explained in the same place as any other
	 */
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
	/* gaps only where something is missing: a qualified tier has none to show */
	if (gaps && tr->verdict != VERDICT_QUALIFIED) {
		jw_key(w, "gaps");
		jw_arr_open(w);
		for (int i = 0; i < tr->ngaps; i++)
			gap_json(w, &tr->gaps[i]);
		jw_arr_close(w);
	}
	jw_obj_close(w);
}

/*
 * One record's result: the line `techbridge evaluate` writes (docs/CLI.md) and
 * the result the app layer stores with an evaluation
 */
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
