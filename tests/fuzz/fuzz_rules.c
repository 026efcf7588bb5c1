/*
 * fuzz_rules: the ruleset loader (rules_add, rules_check) over arbitrary
 * text, then the engine over what it accepts. The input is one to four
 * ruleset files separated by a line "---", added in order after a fixed
 * size standard and a fixed base ruleset "base" (so overlays can extend
 * it). Invariants (abort on a breach; leaks are LeakSanitizer's):
 *   - rules_add returns ERR_OK or ERR_INVALID; a rejection names the
 *     file in d->field, has a message, a line within the file (0: the
 *     whole file), leaves the collection unchanged, and adding the same
 *     text again is rejected with the same detail;
 *   - an accepted file is found by its id;
 *   - rules_check accepts or rejects with a message; when it accepts,
 *     evaluating fixed facts records under each accepted ruleset (and by
 *     date, with gaps) succeeds, gives outcomes, verdicts and counts in
 *     range, and renders one line of valid JSON that says what the result
 *     holds (criteria ids; values, thresholds, points and score to 9
 *     decimals, null when unknown).
 */
#include "core/gradient/rules.h"
#include "lib/date.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FILES = 4 }; /* ruleset files in one input */

static const char size_std[] =
        "{\"id\":\"size\",\"kind\":\"size\",\"title\":\"t\",\"document\":\"d\","
        "\"effective_from\":\"2000-01-01\",\"effective_to\":\"2011-06-17\",\"classes\":["
        "{\"id\":\"ind\",\"label\":\"l\",\"codes\":[\"C\"],"
        "\"sme_if_any\":{\"employees\":1000,\"revenue_wan\":40000},"
        "\"medium_if_all\":{\"employees\":300,\"revenue_wan\":2000},"
        "\"small_if_all\":{\"employees\":20,\"revenue_wan\":300}},"
        "{\"id\":\"other\",\"label\":\"l\",\"codes\":[],"
        "\"sme_if_any\":{\"employees\":300},\"medium_if_all\":{\"employees\":100},"
        "\"small_if_all\":{\"employees\":10}}]}";

static const char base[] =
        "{\"id\":\"base\",\"title\":\"t\",\"document\":\"d\",\"effective_from\":\"2020-01-01\","
        "\"effective_to\":null,\"tiers\":[{\"id\":\"t1\",\"label\":\"l\",\"order\":10,"
        "\"requirements\":[{\"id\":\"sme\",\"label\":\"l\",\"test\":{\"size_in\":"
        "[\"medium\",\"small\",\"micro\"]}}],"
        "\"score\":{\"pass\":10,\"groups\":[{\"id\":\"g\",\"label\":\"l\",\"max\":20,"
        "\"indicators\":[{\"id\":\"rd\",\"label\":\"l\",\"max\":20,\"value\":{\"ratio\":["
        "{\"fact\":\"rd_expense_fen\",\"year\":1},{\"fact\":\"revenue_fen\",\"year\":1}]},"
        "\"bands\":[{\"min\":0.05,\"points\":20},{\"min\":0.02,\"points\":10}]}]}]}}]}";

static const char *const records[] = {
        "{}",
        "{\"ref\":\"a\",\"industry_code\":\"C3484\",\"review\":true,"
        "\"years\":{\"2025\":{\"revenue_fen\":100000,\"rd_expense_fen\":4000,\"employees\":50,"
        "\"main_revenue_fen\":90000,\"total_assets_fen\":5000},"
        "\"2024\":{\"revenue_fen\":80000,\"rd_expense_fen\":0,\"employees\":40}},"
        "\"dev_scores\":{\"2025\":70},"
        "\"ip\":{\"class1\":2,\"class2\":5},\"honors\":{\"national_award\":null,"
        "\"provincial_award\":{\"years_ago\":1,\"rank\":3},\"rd_institution_level\":\"city\"},"
        "\"lead_product\":{\"chain_role\":\"other\"},\"status\":{\"clean_record\":true},"
        "\"registered_on\":\"2015-03-01\","
        "\"titles\":[{\"tier\":\"t1\",\"since\":\"2023-01-01\",\"until\":\"2026-12-31\"}]}",
        ("{\"industry_code\":\"A01\",\"years\":{\"2025\":{\"revenue_fen\":-5,\"employees\":0},"
         "\"2024\":{\"revenue_fen\":0}}}"),
};

static struct facts fx[sizeof records / sizeof records[0]];
static json_t *docs[sizeof records / sizeof records[0]];
static struct rules_result res;

static void init(void)
{
	for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
		struct err_detail d;
		docs[i] = json_loads(records[i], 0, NULL);
		if (!docs[i] || facts_parse(docs[i], &fx[i], &d))
			abort();
	}
}

static long lines_in(const char *s, size_t n)
{
	long k = 1;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* A number as rendered: null when unknown (or not finite), else v to 9 decimals. */
static void check_num(json_t *j, struct val v)
{
	if (v.st != VAL_KNOWN || !isfinite(v.v)) {
		if (!json_is_null(j))
			abort();
		return;
	}
	if (!json_is_number(j) || !(fabs(json_number_value(j) - v.v) <= 1e-9 + 1e-15 * fabs(v.v)))
		abort();
}

/* The output line says what the result holds: criteria, values, thresholds, points, score. */
static void check_rendered(json_t *results, const struct rules_result *r)
{
	if (json_array_size(results) != (size_t)r->nresults)
		abort();
	for (int i = 0; i < r->nresults; i++) {
		const struct tier_result *t = &r->results[i];
		json_t *tj = json_array_get(results, (size_t)i);
		json_t *crit = json_object_get(tj, "criteria");
		size_t off = t->ruleset ? 0 : 1;
		if (json_array_size(crit) != (size_t)t->ncrit + off)
			abort();
		if (t->scored)
			check_num(json_object_get(tj, "score"), (struct val){VAL_KNOWN, t->score});
		for (int k = 0; k < t->ncrit; k++) {
			const struct crit_result *c = &t->crit[k];
			json_t *cj = json_array_get(crit, (size_t)k + off);
			if (strcmp(json_string_value(json_object_get(cj, "id")), c->id))
				abort();
			if (c->shown)
				check_num(json_object_get(cj, "value"), c->value);
			if (c->shown && c->kind != CRIT_INDICATOR)
				check_num(json_object_get(cj, "threshold"), c->threshold);
			if (c->has_points)
				check_num(json_object_get(cj, "points"),
				          (struct val){VAL_KNOWN, c->points});
		}
	}
}

static void check_result(const struct rules_result *r, bool gaps)
{
	if (r->nresults < 0 || r->nresults > RULES_TIERS_MAX || r->size > SIZE_MICRO)
		abort();
	for (int i = 0; i < r->nresults; i++) {
		const struct tier_result *t = &r->results[i];
		if (t->verdict > VERDICT_REVIEW || t->route > ROUTE_SCORE || t->ncrit < 0 ||
		    t->ncrit > RULES_CRITERIA_MAX || t->ngaps < 0 || t->ngaps > RULES_GAPS_MAX)
			abort();
		if (t->scored && !(t->score <= t->score_max + 1e-9))
			abort();
		for (int k = 0; k < t->ncrit; k++)
			if (t->crit[k].outcome > OUTCOME_REVIEW || t->crit[k].kind > CRIT_SCORE ||
			    !t->crit[k].id ||
			    !memchr(t->crit[k].missing, 0, sizeof t->crit[k].missing))
				abort();
	}
	struct buf out = BUF_INIT;
	rules_result_json(&out, "ref", 20000, r, gaps);
	json_error_t je;
	json_t *j = json_loadb(out.data, out.len, 0, &je);
	if (!j || memchr(out.data, '\n', out.len))
		abort();
	check_rendered(json_object_get(j, "results"), r);
	json_decref(j);
	buf_free(&out);
}

static void evaluate(const struct rules *r, const char *const *ids, int nids)
{
	static const char *const dates[] = {"2026-05-01", "2021-06-30"};
	for (size_t f = 0; f < sizeof records / sizeof records[0]; f++)
		for (int i = -1; i < nids; i++)
			for (int g = 0; g < 2; g++) {
				struct rules_query q = {.ruleset = i < 0 ? NULL : ids[i],
				                        .gaps = g};
				if (!date_parse(dates[(f + (size_t)g) % 2], &q.as_of))
					abort();
				if (rules_evaluate(r, &fx[f], &q, &res))
					abort();
				check_result(&res, q.gaps);
			}
}

static void add(struct rules *r, const char *file, const char *text, size_t len)
{
	struct err_detail d;
	if (rules_add(r, file, text, len, &d))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!docs[0])
		init();
	struct rules r;
	rules_init(&r);
	add(&r, "size.json", size_std, sizeof size_std - 1);
	add(&r, "base.json", base, sizeof base - 1);
	const char *ids[FILES];
	int nids = 0;
	const char *p = (const char *)data, *end = p + size;
	for (int file = 0; file < FILES && p <= end; file++) {
		const char *sep =
		        file < FILES - 1 ? memmem(p, (size_t)(end - p), "\n---\n", 5) : NULL;
		size_t len = (size_t)((sep ? sep : end) - p);
		char name[24]; /* "f" + an int + ".json" */
		snprintf(name, sizeof name, "f%d.json", file);
		struct err_detail d;
		int before = r.nsets;
		enum err e = rules_add(&r, name, p, len, &d);
		if (e == ERR_OK) {
			if (r.nsets != before + 1 ||
			    rules_find(&r, ruleset_id(r.sets[before])) != r.sets[before])
				abort();
			ids[nids++] = ruleset_id(r.sets[before]);
		} else {
			if (e != ERR_INVALID || strcmp(d.field, name) || !d.message[0] ||
			    !memchr(d.message, 0, sizeof d.message) || d.line < 0 ||
			    d.line > lines_in(p, len) || r.nsets != before)
				abort();
			struct err_detail again;
			if (rules_add(&r, name, p, len, &again) != e ||
			    strcmp(again.field, d.field) || strcmp(again.message, d.message) ||
			    again.line != d.line)
				abort();
		}
		if (!sep)
			break;
		p = sep + 5;
	}
	struct err_detail d;
	enum err e = rules_check(&r, &d);
	if (e != ERR_OK && (e != ERR_INVALID || !d.message[0]))
		abort();
	if (e == ERR_OK && nids)
		evaluate(&r, ids, nids);
	rules_free(&r);
	return 0;
}
