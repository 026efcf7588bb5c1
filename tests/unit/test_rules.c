/*
 * Rules engine tests: the golden files tests/rules/NAME.jsonl (facts in,
 * expected verdicts out, written from the domain reference), the must-fail
 * rulesets tests/rules/bad/ (each rejected at the expected line with the
 * expected reason), and focused tests of the engine's pieces. Run from the
 * repository root.
 */
#include "core/gradient/facts.h"
#include "core/gradient/rules.h"
#include "lib/buf.h"
#include "lib/date.h"
#include "unit.h"

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	if (f)
		fclose(f);
	*len = b.len;
	return b.data ? buf_take(&b) : NULL;
}

static const char *const shipped[] = {"sme-size-2011", "gradient-2022", "gradient-2026",
                                      "tech-sme-2017", "hte-2016",      "tianjin-2022-seed"};

static bool add_file(struct rules *r, const char *path, struct err_detail *d)
{
	size_t len;
	char *text = slurp(path, &len);
	if (!text) {
		fprintf(stderr, "  cannot read %s\n", path);
		return false;
	}
	enum err e = rules_add(r, path, text, len, d);
	free(text);
	return e == ERR_OK;
}

static bool load_shipped(struct rules *r)
{
	struct err_detail d;
	rules_init(r);
	for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
		char path[128];
		snprintf(path, sizeof path, "rules/%s.json", shipped[i]);
		if (!add_file(r, path, &d)) {
			fprintf(stderr, "  %s:%ld: %s\n", d.field, d.line, d.message);
			return false;
		}
	}
	if (rules_check(r, &d)) {
		fprintf(stderr, "  %s: %s\n", d.field, d.message);
		return false;
	}
	return true;
}

static void shipped_rulesets_load(void)
{
	struct rules r;
	CHECK(load_shipped(&r));
	CHECK(rules_find(&r, "gradient-2026") != NULL);
	CHECK(r.size != NULL);
	CHECK_INT(r.ntier_ids, 5); /* the example overlay's tier is not evaluated by default */
	CHECK_STR(r.tier_ids[0], "tech_sme");
	CHECK_STR(r.tier_ids[4], "high_tech_enterprise");
	rules_free(&r);
}

static const struct tier_result *find_result(const struct rules_result *res, const char *tier)
{
	for (int i = 0; i < res->nresults; i++)
		if (!strcmp(res->results[i].tier, tier))
			return &res->results[i];
	return NULL;
}

static const struct crit_result *find_crit(const struct tier_result *tr, const char *id)
{
	for (int i = 0; i < tr->ncrit; i++)
		if (!strcmp(tr->crit[i].id, id))
			return &tr->crit[i];
	return NULL;
}

/* Compare one tier's expectation; print what differs. */
static bool check_tier(const char *name, const char *tier, const struct tier_result *tr,
                       json_t *want)
{
	bool ok = true;
	json_t *v;
	if ((v = json_object_get(want, "outcome")) &&
	    strcmp(json_string_value(v), rules_verdict_name(tr->verdict)))
		fprintf(stderr, "  %s: %s outcome %s, want %s\n", name, tier,
		        rules_verdict_name(tr->verdict), json_string_value(v)),
		        ok = false;
	if ((v = json_object_get(want, "ruleset"))) {
		const char *got = tr->ruleset ? ruleset_id(tr->ruleset) : NULL;
		const char *w = json_string_value(v);
		if (!got != !w || (got && strcmp(got, w)))
			fprintf(stderr, "  %s: %s ruleset %s, want %s\n", name, tier,
			        got ? got : "null", w ? w : "null"),
			        ok = false;
	}
	if ((v = json_object_get(want, "route"))) {
		const char *got = tr->route == ROUTE_DIRECT  ? "direct"
		                  : tr->route == ROUTE_SCORE ? "score"
		                                             : "none";
		if (strcmp(got, json_string_value(v)))
			fprintf(stderr, "  %s: %s route %s, want %s\n", name, tier, got,
			        json_string_value(v)),
			        ok = false;
	}
	if ((v = json_object_get(want, "score")) &&
	    (!tr->scored || tr->score != json_number_value(v)))
		fprintf(stderr, "  %s: %s score %g, want %g\n", name, tier, tr->score,
		        json_number_value(v)),
		        ok = false;
	const char *id;
	json_object_foreach(json_object_get(want, "criteria"), id, v)
	{
		const struct crit_result *cr = find_crit(tr, id);
		if (!cr) {
			fprintf(stderr, "  %s: %s has no criterion %s\n", name, tier, id);
			ok = false;
		} else if (json_is_string(v) &&
		           strcmp(json_string_value(v), rules_outcome_name(cr->outcome))) {
			fprintf(stderr, "  %s: %s.%s is %s, want %s\n", name, tier, id,
			        rules_outcome_name(cr->outcome), json_string_value(v));
			ok = false;
		} else if (json_is_number(v) && cr->points != json_number_value(v)) {
			fprintf(stderr, "  %s: %s.%s has %g points, want %g\n", name, tier, id,
			        cr->points, json_number_value(v));
			ok = false;
		}
	}
	return ok;
}

static bool run_case(const struct rules *r, json_t *c, struct facts *fx, struct rules_result *res)
{
	const char *name = json_string_value(json_object_get(c, "name"));
	json_t *want = json_object_get(c, "expect"), *tiers = json_object_get(want, "tiers");
	struct err_detail d = {0};
	const char *ids[RULES_TIERS_MAX];
	struct rules_query q = {.tiers = ids,
	                        .ruleset = json_string_value(json_object_get(c, "ruleset"))};
	if (!date_parse(json_string_value(json_object_get(c, "as_of")), &q.as_of) ||
	    facts_parse(json_object_get(c, "facts"), fx, &d)) {
		fprintf(stderr, "  %s: bad case: %s %s\n", name, d.field, d.message);
		return false;
	}
	const char *tier;
	json_t *v;
	json_object_foreach(tiers, tier, v) ids[q.ntiers++] = tier;
	if (rules_evaluate(r, fx, &q, res)) {
		fprintf(stderr, "  %s: no ruleset %s\n", name, q.ruleset);
		return false;
	}
	bool ok = true;
	json_t *size = json_object_get(want, "size");
	const char *got = rules_size_name(res->size);
	if (size &&
	    (!got != !json_string_value(size) || (got && strcmp(got, json_string_value(size))))) {
		fprintf(stderr, "  %s: size %s, want %s\n", name, got ? got : "null",
		        json_string_value(size) ? json_string_value(size) : "null");
		ok = false;
	}
	json_object_foreach(tiers, tier, v)
	{
		const struct tier_result *tr = find_result(res, tier);
		ok = tr ? check_tier(name, tier, tr, v) && ok : false;
	}
	return ok;
}

static int golden_cases, golden_failed;

static void golden_file(const struct rules *r, const char *path)
{
	FILE *f = fopen(path, "r");
	struct facts *fx = malloc(sizeof *fx);
	struct rules_result *res = malloc(sizeof *res);
	char *line = NULL;
	size_t cap = 0;
	while (f && getline(&line, &cap, f) > 0) {
		json_error_t je;
		json_t *c = json_loads(line, 0, &je);
		golden_cases++;
		if (!c || !run_case(r, c, fx, res)) {
			golden_failed++;
			unit_failed_checks++;
		}
		json_decref(c);
	}
	free(line);
	free(fx);
	free(res);
	if (f)
		fclose(f);
	else
		CHECK(f != NULL);
}

static void golden_files_pass(void)
{
	struct rules r;
	CHECK(load_shipped(&r));
	DIR *d = opendir("tests/rules");
	struct dirent *e;
	int files = 0;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 7 || strcmp(e->d_name + n - 6, ".jsonl"))
			continue;
		char path[300];
		snprintf(path, sizeof path, "tests/rules/%s", e->d_name);
		golden_file(&r, path);
		files++;
	}
	if (d)
		closedir(d);
	fprintf(stderr, "  golden: %d cases in %d files, %d failed\n", golden_cases, files,
	        golden_failed);
	CHECK(files >= 6);
	CHECK(golden_cases >= 100);
	rules_free(&r);
}

/* Each must-fail ruleset is rejected at the expected line with the expected reason. */
static void bad_rulesets_rejected(void)
{
	size_t len;
	char *expect = slurp("tests/rules/bad/EXPECT", &len);
	CHECK(expect != NULL);
	int n = 0;
	char *save = NULL;
	for (char *l = expect ? strtok_r(expect, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char file[128], reason[200];
		long line;
		if (l[0] == '#' || sscanf(l, "%127s %ld %199[^\n]", file, &line, reason) != 3)
			continue;
		struct rules r;
		CHECK(load_shipped(&r));
		char path[200];
		snprintf(path, sizeof path, "tests/rules/bad/%s", file);
		struct err_detail d;
		bool added = add_file(&r, path, &d);
		if (added && rules_check(&r, &d) == ERR_OK) {
			fprintf(stderr, "  %s: accepted, want rejected\n", file);
			unit_failed_checks++;
		} else if (d.line != line || !strstr(d.message, reason) || !strstr(d.field, file)) {
			fprintf(stderr, "  %s: got %s:%ld: %s; want line %ld: %s\n", file, d.field,
			        d.line, d.message, line, reason);
			unit_failed_checks++;
		}
		n++;
		rules_free(&r);
	}
	free(expect);
	CHECK(n >= 10);
}

static void facts_parse_rejects_bad_input(void)
{
	static const struct {
		const char *json, *field;
	} cases[] = {
	        {"{\"bogus\":1}", "bogus"},
	        {"{\"years\":{\"2025\":{\"revenue_fen\":\"x\"}}}", "years.2025.revenue_fen"},
	        {"{\"years\":{\"25\":{}}}", "years.25"},
	        {"{\"ip\":{\"class9\":1}}", "ip.class9"},
	        {"{\"honors\":{\"rd_institution_level\":\"galactic\"}}",
	         "honors.rd_institution_level"},
	        {"{\"niche_since\":\"2014-02-30\"}", "niche_since"},
	        {"{\"titles\":[{\"tier\":\"x\"}]}", "titles"},
	};
	struct facts *fx = malloc(sizeof *fx);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *j = json_loads(cases[i].json, 0, NULL);
		struct err_detail d = {0};
		CHECK_INT(facts_parse(j, fx, &d), ERR_INVALID);
		CHECK_STR(d.field, cases[i].field);
		json_decref(j);
	}
	json_t *j = json_loads("{\"ref\":\"A\",\"market\":{\"position_leading\":null},"
	                       "\"honors\":{\"national_award\":null,\"maker_china_rank\":null}}",
	                       0, NULL);
	struct err_detail d = {0};
	CHECK_INT(facts_parse(j, fx, &d), ERR_OK);
	CHECK_STR(fx->ref, "A");
	CHECK_INT(fx->scalar[FACTS_POSITION_LEADING].st, VAL_UNKNOWN); /* null = not yet reviewed */
	CHECK_INT(fx->scalar[FACTS_NATIONAL_AWARD].st, VAL_NONE);      /* null = no award */
	CHECK_INT(fx->scalar[FACTS_MAKER_RANK].st, VAL_NONE);
	CHECK_INT(fx->scalar[FACTS_REVENUE].st, VAL_UNKNOWN);
	json_decref(j);
	free(fx);
}

/* A minimal ruleset to exercise the expression vocabulary. */
static const char mini[] =
        "{\"id\":\"mini\",\"title\":\"t\",\"document\":\"d\",\"effective_from\":\"2020-01-01\","
        "\"effective_to\":null,\"tiers\":[{\"id\":\"t1\",\"label\":\"l\",\"requirements\":["
        "{\"id\":\"g\",\"label\":\"growth\",\"test\":{\"ge\":[{\"growth\":\"revenue_fen\","
        "\"year\":1},0.1]}},"
        "{\"id\":\"c\",\"label\":\"cagr\",\"test\":{\"ge\":[{\"cagr\":\"revenue_fen\",\"from\":3,"
        "\"to\":1},0.2]}},"
        "{\"id\":\"a\",\"label\":\"any\",\"test\":{\"any\":[{\"fact\":\"quality.own_brand\"},"
        "{\"ge\":[{\"fact\":\"employees\",\"year\":1},10]}]}}]}]}";

static void expressions_three_valued(void)
{
	struct rules r;
	CHECK(load_shipped(&r));
	struct err_detail d;
	CHECK_INT(rules_add(&r, "mini.json", mini, sizeof mini - 1, &d), ERR_OK);
	json_t *j = json_loads("{\"years\":{\"2025\":{\"revenue_fen\":144,\"employees\":12},"
	                       "\"2024\":{\"revenue_fen\":120},\"2023\":{\"revenue_fen\":100}}}",
	                       0, NULL);
	struct facts *fx = malloc(sizeof *fx);
	struct rules_result *res = malloc(sizeof *res);
	CHECK_INT(facts_parse(j, fx, &d), ERR_OK);
	struct rules_query q = {.ruleset = "mini"};
	date_parse("2026-03-01", &q.as_of);
	CHECK_INT(rules_evaluate(&r, fx, &q, res), ERR_OK);
	const struct tier_result *tr = &res->results[0];
	CHECK_INT(tr->crit[0].outcome, OUTCOME_MET); /* 144/120 - 1 = 20% */
	CHECK(tr->crit[0].value.v > 0.1999 && tr->crit[0].value.v < 0.2001);
	CHECK_INT(tr->crit[1].outcome, OUTCOME_MET); /* sqrt(1.44) - 1 = exactly 20% */
	CHECK_INT(tr->crit[2].outcome, OUTCOME_MET); /* own_brand unknown, staff 12 >= 10 */
	CHECK_INT(tr->verdict, VERDICT_QUALIFIED);
	q.ruleset = "nope";
	CHECK_INT(rules_evaluate(&r, fx, &q, res), ERR_NOT_FOUND);
	json_decref(j);
	free(fx);
	free(res);
	rules_free(&r);
}

static void gaps_name_the_smallest_changes(void)
{
	struct rules r;
	CHECK(load_shipped(&r));
	/* innovative SME: R&D 2.8% (10 points) leaves innovation at 15 < 20 */
	json_t *j = json_loads(
	        "{\"industry_code\":\"C3484\",\"status\":{\"clean_record\":true},"
	        "\"ip\":{\"class1\":0,\"class1_self_developed\":0,\"class1_high_value\":0,"
	        "\"class2\":1},"
	        "\"honors\":{\"high_tech_enterprise\":false,\"tech_innovation_demo\":false,"
	        "\"ip_advantage_or_demo\":false,\"national_award\":null,\"provincial_award\":null,"
	        "\"rd_institution_level\":\"none\"},\"lead_product\":{\"sei_catalogue\":true},"
	        "\"years\":{\"2025\":{\"revenue_fen\":1000,\"main_revenue_fen\":920,"
	        "\"rd_expense_fen\":28,\"total_assets_fen\":1000,\"total_liabilities_fen\":550,"
	        "\"employees\":50,\"equity_financing_fen\":0},\"2024\":{\"main_revenue_fen\":800,"
	        "\"equity_financing_fen\":0},\"2023\":{\"equity_financing_fen\":0}}}",
	        0, NULL);
	struct facts *fx = malloc(sizeof *fx);
	struct rules_result *res = malloc(sizeof *res);
	struct err_detail d;
	CHECK_INT(facts_parse(j, fx, &d), ERR_OK);
	const char *tiers[] = {"innovative_sme"};
	struct rules_query q = {.tiers = tiers, .ntiers = 1, .gaps = true};
	date_parse("2026-05-01", &q.as_of);
	CHECK_INT(rules_evaluate(&r, fx, &q, res), ERR_OK);
	const struct tier_result *tr = &res->results[0];
	CHECK_INT(tr->verdict, VERDICT_NOT_QUALIFIED);
	CHECK(tr->ngaps >= 1);
	CHECK_STR(tr->gaps[0].criterion, "rd_intensity");
	CHECK(tr->gaps[0].target == 0.03);
	CHECK_INT((int)tr->gaps[0].points, 5);
	bool route = false;
	for (int i = 0; i < tr->ngaps; i++)
		route |= tr->gaps[i].route && !strcmp(tr->gaps[i].criterion, "direct_equity");
	CHECK(route); /* the only direct route with a number to move */
	struct buf out = BUF_INIT;
	rules_result_json(&out, "x", q.as_of, res, true);
	CHECK(strstr(buf_str(&out), "\"gaps\":[") != NULL);
	buf_free(&out);
	json_decref(j);
	free(fx);
	free(res);
	rules_free(&r);
}

/* jansson takes "5\0" for 5; the walk that finds lines looped on the NUL (fuzz_rules). */
static void nul_after_a_number_keeps_lines(void)
{
	static const char text[] = "{\"id\":\"n\",\"title\":\"t\",\"document\":\"d\",\n"
	                           "\"effective_from\":\"2020-01-01\",\"effective_to\":null,\n"
	                           "\"tiers\":[{\"id\":\"t\",\"label\":\"l\",\"order\":5\0,\n"
	                           "\"requirements\":[{\"id\":\"r\",\"label\":\"l\",\n"
	                           "\"test\":{\"fact\":\"nope\"}}]}]}";
	struct rules r;
	struct err_detail d;
	rules_init(&r);
	CHECK_INT(rules_add(&r, "nul.json", text, sizeof text - 1, &d), ERR_INVALID);
	CHECK(strstr(d.message, "unknown fact name \"nope\"") != NULL);
	CHECK_INT(d.line, 5);
	CHECK_INT(rules_add(&r, "nul.json", "[1\0]", 4, &d), ERR_INVALID);
	rules_free(&r);
}

/* Numbers in the output: 9 decimals at most, amounts in fen of any size exactly (fuzz_rules). */
static void output_numbers_are_exact(void)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
	        {0.03, "0.03"},
	        {-2.5, "-2.5"},
	        {20000000000, "20000000000"}, /* 2亿元 in fen: printed 9223372036.854775808 */
	        {9223372037, "9223372037"},
	        {123456789012.25, "123456789012.25"},
	        {1.9999999999, "2"},
	        {-0.0000000001, "0"},
	        {999999999999999, "999999999999999"},
	};
	struct rules_result *res = calloc(1, sizeof *res);
	res->nresults = 1;
	struct tier_result *tr = &res->results[0];
	tr->tier = "t";
	tr->ncrit = (int)(sizeof cases / sizeof cases[0]);
	for (int i = 0; i < tr->ncrit; i++)
		tr->crit[i] = (struct crit_result){.id = "c",
		                                   .kind = CRIT_REQUIREMENT,
		                                   .shown = true,
		                                   .reason = "r",
		                                   .value = {VAL_KNOWN, cases[i].v},
		                                   .threshold = {VAL_KNOWN, 1}};
	struct buf out = BUF_INIT;
	rules_result_json(&out, "x", 0, res, false);
	const char *p = buf_str(&out);
	for (int i = 0; i < tr->ncrit; i++) {
		char want[64];
		snprintf(want, sizeof want, "\"value\":%s,", cases[i].want);
		p = p ? strstr(p, "\"value\":") : NULL;
		CHECK(p && !strncmp(p, want, strlen(want)));
		if (p && strncmp(p, want, strlen(want)))
			fprintf(stderr, "  want %s in %.40s\n", want, p);
		if (p)
			p++;
	}
	buf_free(&out);
	free(res);
}

UNIT_MAIN(UNIT_CASE(shipped_rulesets_load), UNIT_CASE(golden_files_pass),
          UNIT_CASE(bad_rulesets_rejected), UNIT_CASE(facts_parse_rejects_bad_input),
          UNIT_CASE(expressions_three_valued), UNIT_CASE(gaps_name_the_smallest_changes),
          UNIT_CASE(output_numbers_are_exact), UNIT_CASE(nul_after_a_number_keeps_lines))
