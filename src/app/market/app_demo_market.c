/* app_demo_market: the technology market of `techbridge demo` (see app_demo.h). */
#include "app/app_account.h"
#include "app/app_demo.h"
#include "app/market/app_market.h"
#include "app/app_import.h"
#include "app/market/app_market_items.h"
#include "app/market/app_market_people.h"
#include "app/app_tx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per field: subjects (zh, en) the generated titles are made of. */
static const struct {
	const char *field, *industry;
	const char *zh[5], *en[5];
} topics[] = {
        {"new_energy",
         "D",
         {"光伏组件封装", "锂离子电池正极材料", "氢燃料电池膜电极", "储能变流器", "风电叶片检测"},
         {"PV module encapsulation", "lithium-ion cathode material", "fuel-cell membrane electrode",
          "energy-storage converter", "wind-blade inspection"}},
        {"new_materials",
         "C",
         {"碳纤维复合材料", "高熵合金", "石墨烯导热膜", "生物降解塑料", "陶瓷基复合材料"},
         {"carbon-fibre composite", "high-entropy alloy", "graphene thermal film",
          "biodegradable plastic", "ceramic-matrix composite"}},
        {"advanced_manufacturing",
         "C",
         {"数控机床热误差补偿", "工业机器人视觉定位", "激光增材制造", "精密减速器", "智能产线调度"},
         {"CNC thermal-error compensation", "robot vision positioning",
          "laser additive manufacturing", "precision reducer", "smart line scheduling"}},
        {"electronic_information",
         "I",
         {"工业互联网边缘网关", "芯片缺陷检测算法", "毫米波雷达", "数字孪生平台",
          "低功耗物联网模组"},
         {"industrial edge gateway", "chip defect detection", "millimetre-wave radar",
          "digital twin platform", "low-power IoT module"}},
        {"biomedicine",
         "C",
         {"体外诊断试剂", "医用可吸收缝合线", "细胞培养基", "中药提取纯化", "康复外骨骼"},
         {"in-vitro diagnostic reagent", "absorbable suture", "cell culture medium",
          "herbal extract purification", "rehabilitation exoskeleton"}},
        {"environment",
         "N",
         {"工业废水零排放", "VOCs催化燃烧", "污泥干化", "固废资源化", "土壤修复"},
         {"zero-discharge wastewater", "VOC catalytic combustion", "sludge drying",
          "solid-waste recycling", "soil remediation"}},
        {"agriculture",
         "A",
         {"设施农业水肥一体化", "农作物病害识别", "生物农药", "畜禽粪污处理", "种子包衣"},
         {"greenhouse fertigation", "crop disease recognition", "biopesticide",
          "livestock manure treatment", "seed coating"}},
};
static const char *const how_zh[] = {"高效", "低成本", "智能化", "绿色", "高精度", "模块化"};
static const char *const how_en[] = {"high-efficiency", "low-cost",       "intelligent",
                                     "green",           "high-precision", "modular"};
static const char *const modes[] = {"licence", "transfer,licence", "open_licence",
                                    "pay_after_use,licence", "joint_development"};

/* Organisations of `kind` (ids, regions, industries) into the caller's arrays; *n in/out. */
/* Items of one kind through the import path (one transaction, audited per batch). */
static enum err demo_items(struct app_ctx *ctx, bool listings, const int64_t *ids,
                           char (*regions)[7], int norgs, int count)
{
	static const char *const lcols[] = {
	        "ref",           "title",       "title_en",  "description", "field",
	        "industry_code", "region_code", "modes",     "org_id",      "trl",
	        "status",        "advantage",   "asking_fen"};
	static const char *const dcols[] = {
	        "ref",           "title",       "title_en",      "description", "field",
	        "industry_code", "region_code", "modes",         "org_id",      "trl_min",
	        "status",        "type",        "budget_max_fen"};
	struct importer *imp;
	struct err_detail d = {0};
	enum err e = app_import_begin(ctx, app_import_kind_find(listings ? "listings" : "demands"),
	                              "demo", &imp);
	if (!e)
		e = app_import_columns(imp, listings ? lcols : dcols, 13, &d);
	int nt = (int)(sizeof topics / sizeof topics[0]);
	for (int i = 0; i < count && !e && norgs; i++) {
		int t = i % nt, s = (i / nt) % 5, h = (i / (nt * 5)) % 6, o = (i * 7) % norgs;
		char ref[16], title[160], title_en[200], desc[400], org[24], trl[4], money[24];
		snprintf(ref, sizeof ref, "%s-%04d", listings ? "DL" : "DD", i + 1);
		snprintf(title, sizeof title, listings ? "%s%s技术" : "寻求%s%s解决方案", how_zh[h],
		         topics[t].zh[s]);
		snprintf(title_en, sizeof title_en, listings ? "%s %s technology" : "Wanted: %s %s",
		         how_en[h], topics[t].en[s]);
		snprintf(
		        desc, sizeof desc,
		        listings
		                ? "本成果面向%s，实现%s工艺，已完成中试验证，可与中小企业合作转化。"
		                : "我公司在%s环节存在瓶颈，希望引进%s技术，提升良率并降低成本。",
		        topics[t].zh[s], how_zh[h]);
		snprintf(org, sizeof org, "%lld", (long long)ids[o]);
		snprintf(trl, sizeof trl, "%d", listings ? 3 + (i % 6) : 4 + (i % 4));
		snprintf(money, sizeof money, "%lld", (long long)(50 + (i % 20) * 25) * 1000000);
		/* most are published; a few wait for review or are drafts, so moderation has work */
		const char *status = i % 23 == 0   ? "under_review"
		                     : i % 31 == 0 ? "draft"
		                                   : "published";
		const char *v[13] = {
		        ref,
		        title,
		        title_en,
		        desc,
		        topics[t].field,
		        topics[t].industry,
		        regions[o],
		        modes[i % 5],
		        org,
		        trl,
		        status,
		        listings ? "较现有技术能耗降低20%以上" : (i % 3 ? "need" : "scenario"),
		        money};
		e = app_import_row(imp, i + 2, v, 13, &d);
		if (e == ERR_INVALID || e == ERR_CONFLICT) /* a row the store refuses: skip it */
			e = ERR_OK;
	}
	struct import_stats st;
	enum err e2 = imp ? app_import_end(imp, &st) : ERR_OK;
	return e ? e : e2;
}

/* The demo broker in the registry, assigned to the first demands; interests with threads. */
static enum err demo_people(struct app_ctx *ctx)
{
	int64_t broker_user, ent_user;
	enum err e = app_user_find(ctx, "broker", &broker_user);
	if (!e)
		e = app_user_find(ctx, "enterprise", &ent_user);
	if (e)
		return e;
	struct field_val b[BROKER__NFIELDS] = {0};
	b[BROKER_F_USER_ID] = (struct field_val){.set = true, .i = broker_user};
	b[BROKER_F_GRADE] = (struct field_val){.set = true, .s = "senior"};
	b[BROKER_F_CERTIFICATION] = (struct field_val){.set = true, .s = "JS-TM-2025-0418"};
	b[BROKER_F_REGIONS] = (struct field_val){.set = true, .s = "320000"};
	b[BROKER_F_FIELDS] = (struct field_val){.set = true, .s = "new_energy,new_materials"};
	struct broker br;
	if ((e = app_broker_create(ctx, b, &br)))
		return e;
	for (int64_t id = 1; id <= 12 && !e; id++)
		e = app_broker_assign(ctx, MARKET_DEMAND, id, br.id, false);
	for (int64_t id = 1; id <= 6 && !e; id++)
		e = app_broker_assign(ctx, MARKET_LISTING, id, br.id, false);
	/* interests: listings' owners address demands, and the reverse */
	int64_t actor = ctx->actor.user_id;
	ctx->actor.user_id = ent_user; /* messages need a real author */
	for (int i = 0; i < 8 && !e; i++) {
		struct field_val v[INTEREST__NFIELDS] = {0};
		v[INTEREST_F_LISTING_ID] = (struct field_val){.set = true, .i = 2 + i * 7};
		v[INTEREST_F_DEMAND_ID] = (struct field_val){.set = true, .i = 2 + i};
		v[INTEREST_F_DIRECTION] =
		        (struct field_val){.set = true, .s = i % 2 ? "to_demand" : "to_listing"};
		v[INTEREST_F_MESSAGE] = (struct field_val){
		        .set = true,
		        .s = "您好，我们对该项目很感兴趣，希望进一步沟通技术细节和合作方式。"};
		struct interest in;
		e = app_interest_create(ctx, v, &in);
		if (e == ERR_INVALID || e == ERR_CONFLICT ||
		    e == ERR_FORBIDDEN) /* an unpublished side */
			e = ERR_OK;
		else if (!e && i % 4 == 3)
			e = app_interest_decide(ctx, in.id, in.version, "too_early", NULL, &in);
		err_clear(&ctx->err);
	}
	ctx->actor.user_id = actor;
	return e;
}

/*
 * Listings come from the universities and research institutes, demands from the first 40
 * enterprises, so the demo's matches run between the two sides of the programme; then the
 * broker and the interests, which need both.
 */
enum err app_demo_market(struct app_ctx *ctx)
{
	enum { MAX = 200 };
	/* not the arena: imports reset it between batches */
	int64_t *ids = xcalloc(MAX, sizeof *ids);
	char(*regions)[7] = xcalloc(MAX, sizeof *regions);
	int n = MAX / 2, m;
	enum err e = app_demo_orgs(ctx, "university", ids, regions, &n);
	m = MAX - n;
	if (!e)
		e = app_demo_orgs(ctx, "research_institute", ids + n, regions + n, &m);
	if (!e)
		e = demo_items(ctx, true, ids, regions, n + m, 280);
	int ne = MAX;
	if (!e)
		e = app_demo_orgs(ctx, "enterprise", ids, regions, &ne);
	if (!e)
		e = demo_items(ctx, false, ids, regions, ne < 40 ? ne : 40, 140);
	free(ids);
	free(regions);
	return e ? e : demo_people(ctx);
}
