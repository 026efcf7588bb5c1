/* app_demo_gradient: the gradient cultivation of `techbridge demo` (see app_demo.h). */
#include "app/gradient/app_apply.h"
#include "app/gradient/gradient_module.h"
#include "app/app_demo.h"
#include "app/gradient/app_facts.h"
#include "app/gradient/app_notice.h"
#include "app/app_org.h"
#include "app/app_tx.h"
#include "lib/date.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DEMO_FACT_ORGS = 40, DEMO_JIANGSU = 10 };

/* splitmix64, as app_demo.c: the same numbers on every machine */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A whole number in [lo, hi]. */
static int64_t between(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(next(s) % (uint64_t)(hi - lo + 1));
}

/*
 * Revenue (万元) and headcount ranges per size class, inside the 2011
 * industrial size standard, so the engine classes the enterprise as it is
 * registered.
 */
static void size_ranges(const char *size, int64_t rev[2], int64_t emp[2])
{
	static const struct {
		const char *size;
		int64_t rev_lo, rev_hi, emp_lo, emp_hi;
	} t[] = {{"micro", 120, 290, 8, 19},
	         {"small", 2100, 9000, 25, 280},
	         {"medium", 9000, 38000, 300, 950},
	         {"large", 45000, 180000, 1000, 3200}};
	int k = 1; /* unknown size: small */
	for (int i = 0; i < 4; i++)
		if (size && !strcmp(size, t[i].size))
			k = i;
	rev[0] = t[k].rev_lo, rev[1] = t[k].rev_hi;
	emp[0] = t[k].emp_lo, emp[1] = t[k].emp_hi;
}

/* One fiscal year's facts from revenue (万元) and headcount. */
static json_t *year_facts(uint64_t *s, int64_t rev_wan, int64_t emp)
{
	const int64_t wan = 1000000; /* fen per 万元 */
	int64_t rev = rev_wan * wan, main = rev / 100 * between(s, 82, 98);
	int64_t rd = rev / 1000 * between(s, 22, 72), assets = rev / 10 * between(s, 8, 16);
	return json_pack("{sI sI sI sI sI sI sI sI sI sI}", "revenue_fen", (json_int_t)rev,
	                 "main_revenue_fen", (json_int_t)main, "rd_expense_fen", (json_int_t)rd,
	                 "rd_expense_domestic_fen", (json_int_t)rd, "net_profit_fen",
	                 (json_int_t)(rev / 100 * between(s, 3, 12)), "total_assets_fen",
	                 (json_int_t)assets, "total_liabilities_fen",
	                 (json_int_t)(assets / 100 * between(s, 28, 68)), "employees",
	                 (json_int_t)emp, "rd_staff", (json_int_t)(emp * between(s, 10, 25) / 100),
	                 "tech_staff", (json_int_t)(emp * between(s, 15, 35) / 100));
}

/* Facts for fiscal years 2023-2025, consistent with the registered size class. */
/*
 * Through app_facts_put, as an enterprise would save them: the demo facts meet the same parser
 * and checks.
 */
static enum err demo_facts(struct app_ctx *ctx, int64_t org_id, uint64_t *s)
{
	struct org o;
	enum err e = app_org_load(ctx, org_id, &o);
	if (e)
		return e;
	int64_t rev[2], emp[2];
	size_ranges(o.f[ORG_SIZE_CLASS], rev, emp);
	int64_t r = between(s, rev[0], rev[1]), n = between(s, emp[0], emp[1]);
	json_t *years = json_object();
	for (int y = 2025; y >= 2023; y--) {
		char key[16];
		snprintf(key, sizeof key, "%d", y);
		json_object_set_new(years, key, year_facts(s, r, n));
		r = r * 100 / between(s, 103, 125); /* the year before was smaller */
		n = n * 100 / between(s, 100, 110);
	}
	char niche[DATE_STR];
	date_format(date_from_ymd((int)between(s, 2008, 2020), 1 + (int)between(s, 0, 11), 1),
	            niche);
	json_t *body = json_pack(
	        "{sI so ss s{sI sI sI sI sI sI} s{sI sI} sI s{sb sb sb} s{sb sb} s{ss sb}}",
	        "version", (json_int_t)0, "years", years, "niche_since", niche, "ip", "class1",
	        (json_int_t)between(s, 1, 8), "class1_self_developed", (json_int_t)between(s, 0, 3),
	        "class1_high_value", (json_int_t)between(s, 0, 1), "class1_applied",
	        (json_int_t)between(s, 0, 4), "class1_owned_top3", (json_int_t)between(s, 0, 3),
	        "class2", (json_int_t)between(s, 2, 30), "dev_scores", "2025",
	        (json_int_t)between(s, 42, 78), "2026", (json_int_t)between(s, 42, 80),
	        "digital_level", (json_int_t)between(s, 1, 4), "status", "clean_record", 1,
	        "single_champion", 0, "related_to_little_giant", 0, "honors",
	        "high_tech_enterprise", (int)between(s, 0, 1), "tech_innovation_demo", 0,
	        "lead_product", "chain_role", between(s, 0, 1) ? "gap_filling" : "other",
	        "sei_catalogue", (int)between(s, 0, 1));
	struct facts_doc doc;
	e = app_facts_put(ctx, org_id, body, &doc);
	json_decref(body);
	return e;
}

/* Act as a synthetic user holding one grant (the demo has no user per enterprise). */
static void act_as(struct app_ctx *ctx, enum role role, enum gov_level level, const char *region,
                   int64_t org_id)
{
	int64_t uid = ctx->actor.user_id;
	memset(&ctx->actor, 0, sizeof ctx->actor);
	ctx->actor.user_id = uid;
	snprintf(ctx->actor.username, sizeof ctx->actor.username, "demo");
	ctx->actor.ngrants = 1;
	ctx->actor.grants[0] = (struct grant){.role = role, .level = level, .org_id = org_id};
	if (region)
		snprintf(ctx->actor.grants[0].region, sizeof ctx->actor.grants[0].region,
		         "%.2s0000", region);
}

/* Move the clock of ctx (timestamps, deadlines) to `days` before the real start. */
static void clock_back(struct app_ctx *ctx, int64_t start, int days)
{
	ctx->now = start - (int64_t)days * 86400;
	instant_format(ctx->now, ctx->now_s);
	date_format((int32_t)(ctx->now / 86400), ctx->today);
}

/* How far an application goes in the demo. */
enum stage { ST_DRAFT, ST_SUBMITTED, ST_RETURNED, ST_PROVINCE, ST_NOTICE };

/*
 * Each step is fired by an actor the workflow accepts for it (the step's level, or the
 * enterprise), so the demo passes the same authorization as real users.
 */
static enum err step(struct app_ctx *ctx, struct application *a, const char *ev, const char *reason)
{
	enum gov_level lv = a->state == GRADIENT_APP_UNDER_REVIEW ? a->step_level : LEVEL_NONE;
	if (lv != LEVEL_NONE)
		act_as(ctx, ROLE_OPERATOR, lv, lv == LEVEL_NATIONAL ? NULL : a->region, 0);
	else
		act_as(ctx, ROLE_ORG_ADMIN, LEVEL_NONE, NULL, a->org_id);
	return app_application_act(ctx, a->id, a->version, ev, reason, a);
}

/* One application of org_id for tier, taken as far as `stage`. */
static enum err demo_application(struct app_ctx *ctx, int64_t org_id, const char *tier,
                                 enum stage stage)
{
	act_as(ctx, ROLE_ORG_ADMIN, LEVEL_NONE, NULL, org_id);
	struct field_val v[GRADIENT_AF__N] = {0};
	v[GRADIENT_AF_ORG_ID] = (struct field_val){.set = true, .i = org_id};
	v[GRADIENT_AF_TIER] = (struct field_val){.set = true, .s = tier};
	v[GRADIENT_AF_STATEMENT] = (struct field_val){.set = true,
	                                              .s = "主导产品在细分市场国内排名前三，"
	                                                   "拥有多项发明专利。"};
	v[GRADIENT_AF_CONTACT] = (struct field_val){.set = true, .s = "王经理 025-86000000"};
	struct application a;
	enum err e = app_application_create(ctx, v, &a);
	if (!e && stage >= ST_SUBMITTED)
		e = step(ctx, &a, "submit", NULL);
	if (!e && stage == ST_RETURNED)
		e = step(ctx, &a, "return", "请补充近三年审计报告及知识产权证明材料。");
	while (!e && stage >= ST_PROVINCE && a.state == GRADIENT_APP_UNDER_REVIEW) {
		bool last = a.step_level == a.final_level;
		if (last && stage == ST_PROVINCE)
			break;
		e = step(ctx, &a, "approve",
		         last ? "材料齐全，同意推荐认定。" : "经审核，同意推荐。");
	}
	return e;
}

/*
 * The first batch is published this many days ago (January for a demo made
 * in November), so a 31 May data update has fallen due since: the first
 * enterprise saved its facts in time, the second did not.
 */
enum { BATCH1_DAYS_BACK = 310, FACTS_ON_TIME_DAYS_BACK = 264 };

/* What the demo does with the Jiangsu enterprises, in order (the first is org 1). */
static const struct {
	const char *tier;
	enum stage stage;
	int batch;     /* 1, 2: granted in that batch; 0: left in its stage */
	int days_back; /* submitted this many days ago (an overdue step) */
} plan[] = {
        /* granted in January: the 31 May update is due (the first holder made it) */
        {"innovative_sme", ST_NOTICE, 1, BATCH1_DAYS_BACK},
        {"innovative_sme", ST_NOTICE, 1, BATCH1_DAYS_BACK},
        {"specialized_sme", ST_NOTICE, 2, 0},
        {"specialized_sme", ST_DRAFT, 0, 0},
        {"innovative_sme", ST_SUBMITTED, 0, 0},
        {"specialized_sme", ST_SUBMITTED, 0, 40}, /* past its 20 working days */
        {"specialized_sme", ST_RETURNED, 0, 0},
        {"little_giant", ST_PROVINCE, 0, 0},
        {"specialized_sme", ST_NOTICE, 0, 0},
};
enum { NPLAN = sizeof plan / sizeof plan[0] };
_Static_assert((int)NPLAN <= (int)DEMO_JIANGSU, "the plan needs that many Jiangsu enterprises");

static enum err publish(struct app_ctx *ctx, const char *tier, const char *region)
{
	act_as(ctx, ROLE_OPERATOR, LEVEL_PROVINCE, region, 0);
	char reg[7];
	snprintf(reg, sizeof reg, "%.2s0000", region);
	struct batch_result b;
	return app_batch_create(ctx, tier, "province", reg, &b);
}

/* The plan's rows of one phase: batch 1, batch 2, then those left in their stage. */
/*
 * Each application is made on a moved-back clock, so its due dates and the batch dates fall in
 * the past as the plan says; the clock is put back after each.
 */
static enum err run_phase(struct app_ctx *ctx, const int64_t *jiangsu, int nj, int phase,
                          int64_t start)
{
	enum err e = ERR_OK;
	for (int i = 0; i < NPLAN && i < nj && !e; i++) {
		if (plan[i].batch != phase)
			continue;
		clock_back(ctx, start, plan[i].days_back);
		e = demo_application(ctx, jiangsu[i], plan[i].tier, plan[i].stage);
		clock_back(ctx, start, 0);
	}
	clock_back(ctx, start, phase == 1 ? BATCH1_DAYS_BACK : 0);
	if (!e && phase)
		e = publish(ctx, phase == 1 ? "innovative_sme" : "specialized_sme", "32");
	clock_back(ctx, start, 0);
	return e;
}

/* Innovative SMEs granted in a few other provinces, for the statistics. */
static enum err other_provinces(struct app_ctx *ctx, const int64_t *ids, char (*regions)[7], int n)
{
	enum err e = ERR_OK;
	for (int i = 0, done = 0; i < n && done < 4 && !e; i++) {
		if (!strncmp(regions[i], "32", 2) || !regions[i][0])
			continue;
		if (!(e = demo_application(ctx, ids[i], "innovative_sme", ST_NOTICE)))
			e = publish(ctx, "innovative_sme", regions[i]);
		done++;
	}
	return e;
}

/*
 * The actor, the clock and the notice length are borrowed for the demo and restored at the
 * end; a notice of 0 working days lets candidates be granted at once.
 */
enum err app_demo_gradient(struct app_ctx *ctx)
{
	enum { MAX = 1000 };
	int64_t *ids = xcalloc(MAX, sizeof *ids), jiangsu[DEMO_JIANGSU];
	char(*regions)[7] = xcalloc(MAX, sizeof *regions);
	int n = MAX, nj = 0;
	uint64_t s = 2026;
	struct actor saved = ctx->actor;
	int64_t start = ctx->now;
	int notice = app_gradient_state(ctx)->notice_days;
	enum err e = app_demo_orgs(ctx, "enterprise", ids, regions, &n);
	for (int i = 0; i < n && !e; i++) {
		bool js = !strncmp(regions[i], "32", 2) && nj < DEMO_JIANGSU;
		if (js)
			jiangsu[nj++] = ids[i];
		clock_back(ctx, start, js && nj == 1 ? FACTS_ON_TIME_DAYS_BACK : 0);
		if (js || i < DEMO_FACT_ORGS)
			e = demo_facts(ctx, ids[i], &s);
	}
	clock_back(ctx, start, 0);
	app_gradient_state(ctx)->notice_days = 0; /* grant at once, whatever the server's notice */
	for (int phase = 1; phase <= 2 && !e; phase++)
		e = run_phase(ctx, jiangsu, nj, phase, start);
	if (!e)
		e = other_provinces(ctx, ids, regions, n < DEMO_FACT_ORGS ? n : DEMO_FACT_ORGS);
	if (!e)
		e = run_phase(ctx, jiangsu, nj, 0, start);
	app_gradient_state(ctx)->notice_days = notice;
	ctx->actor = saved;
	free(ids);
	free(regions);
	return e;
}
