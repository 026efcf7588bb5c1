/* app_demo: demonstration data through the same paths as real data. */
#include "app/app_demo.h"

#include "app/app_account.h"
#include "app/app_import.h"
#include "app/app_module.h"
#include "app/app_tx.h"
#include "app/app_refdata.h"
#include "core/uscc.h"
#include "lib/buf.h"
#include "lib/limits.h"

#include <stdio.h>
#include <string.h>

const struct demo_user demo_users[] = {
        {"admin", "administrator"},
        {"operator", "operator, Jiangsu province"},
        {"ministry", "operator, national level"},
        {"reviewer", "reviewer, Jiangsu province"},
        {"expert", "expert"},
        {"broker", "technology manager"},
        {"enterprise", "org_admin of the first demo enterprise"},
        {"staff", "org_member of the first demo enterprise"},
        {"university", "org_admin of the first demo university (owns listing 1)"},
};
const int demo_nusers = sizeof demo_users / sizeof demo_users[0];

/* splitmix64: small, fast, and the same sequence on every machine */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int pick(uint64_t *s, int n)
{
	return (int)(rnd(s) % (uint64_t)n);
}

static const struct {
	const char *zh, *en;
} brands[] = {
        {"华", "Hua"},   {"中", "Zhong"},  {"博", "Bo"},   {"瑞", "Rui"},  {"海", "Hai"},
        {"天", "Tian"},  {"金", "Jin"},    {"恒", "Heng"}, {"通", "Tong"}, {"达", "Da"},
        {"科", "Ke"},    {"创", "Chuang"}, {"新", "Xin"},  {"联", "Lian"}, {"宏", "Hong"},
        {"盛", "Sheng"}, {"鼎", "Ding"},   {"信", "Xin"},  {"泰", "Tai"},  {"安", "An"},
        {"嘉", "Jia"},   {"众", "Zhong"},  {"源", "Yuan"}, {"德", "De"},   {"正", "Zheng"},
        {"光", "Guang"}, {"明", "Ming"},   {"远", "Yuan"}, {"航", "Hang"}, {"迈", "Mai"},
        {"睿", "Rui"},   {"思", "Si"},     {"锐", "Rui"},  {"宇", "Yu"},   {"晨", "Chen"},
        {"星", "Xing"},
};

/* A line of business: names and the GB/T 4754 division it belongs to. */
static const struct {
	const char *zh, *en, *division;
} fields[] = {
        {"精密机械", "Precision Machinery", "C34"},
        {"智能装备", "Intelligent Equipment", "C35"},
        {"新材料", "New Materials", "C30"},
        {"光电", "Optoelectronics", "C39"},
        {"微电子", "Microelectronics", "C39"},
        {"生物医药", "Biopharma", "C27"},
        {"医疗器械", "Medical Devices", "C35"},
        {"数控", "CNC", "C34"},
        {"机器人", "Robotics", "C34"},
        {"传感器", "Sensors", "C40"},
        {"新能源", "New Energy", "C38"},
        {"环保科技", "Environmental Technology", "N77"},
        {"节能科技", "Energy-saving Technology", "M75"},
        {"半导体", "Semiconductor", "C39"},
        {"软件", "Software", "I65"},
        {"信息技术", "Information Technology", "I65"},
        {"汽车零部件", "Auto Parts", "C36"},
        {"精细化工", "Fine Chemicals", "C26"},
        {"仪器仪表", "Instruments", "C40"},
        {"激光", "Laser", "C34"},
        {"储能", "Energy Storage", "C38"},
        {"氢能", "Hydrogen Energy", "C38"},
        {"模具", "Moulds", "C35"},
        {"轴承", "Bearings", "C34"},
        {"液压", "Hydraulics", "C34"},
        {"电机", "Electric Motors", "C38"},
        {"集成电路", "Integrated Circuits", "C39"},
        {"通信", "Communications", "C39"},
        {"工业互联网", "Industrial Internet", "I64"},
        {"检验检测", "Testing and Inspection", "M74"},
        {"农业科技", "Agricultural Technology", "A05"},
        {"纺织科技", "Textile Technology", "C17"},
};

static const char *const size_classes[] = {"micro", "micro",  "small",  "small", "small",
                                           "small", "medium", "medium", "large"};

struct demo_region {
	char code[7];
	char short_zh[32];
	char short_en[32];
	char province[7];
};

/* Province names without the administrative suffix: 江苏省 -> 江苏. */
static void short_name(const char *name, char *out, size_t n)
{
	static const char *const suffixes[] = {"维吾尔自治区", "壮族自治区", "回族自治区", "自治区",
	                                       "省",           "市",         NULL};
	snprintf(out, n, "%s", name);
	size_t len = strlen(out);
	for (int i = 0; suffixes[i]; i++) {
		size_t sl = strlen(suffixes[i]);
		if (len > sl && !strcmp(out + len - sl, suffixes[i])) {
			out[len - sl] = '\0';
			return;
		}
	}
}

/* Every region, most specific first per province: the places demo firms are put. */
static enum err load_regions(struct app_ctx *ctx, struct demo_region **out, int *n)
{
	struct page_req pr = {.limit = LIMIT_PAGE_MAX};
	struct refdata_filter f = {0};
	int cap = 64, k = 0;
	struct demo_region *rs = xmalloc(sizeof *rs * (size_t)cap);
	struct region prov[64];
	int nprov = 0;
	for (;;) {
		struct page p;
		enum err e = app_region_list(ctx, &f, &pr, &p);
		if (e) {
			free(rs);
			return e;
		}
		struct region *items = p.items;
		for (int i = 0; i < p.n; i++) {
			if (!strcmp(items[i].level, "province") && nprov < 64)
				prov[nprov++] = items[i];
			/* counties where loaded, else provinces */
			if (strcmp(items[i].level, "county") && strcmp(items[i].level, "province"))
				continue;
			if (k == cap)
				rs = xrealloc(rs, sizeof *rs * (size_t)(cap *= 2));
			memset(&rs[k], 0, sizeof rs[k]);
			snprintf(rs[k].code, sizeof rs[k].code, "%s", items[i].code);
			snprintf(rs[k].province, 3, "%s", items[i].code);
			k++;
		}
		if (!p.next_cursor)
			break;
		pr.cursor = p.next_cursor;
	}
	/* drop a province when its counties are loaded, and name each by its province */
	int w = 0;
	for (int i = 0; i < k; i++) {
		bool is_prov = !strcmp(rs[i].code + 2, "0000");
		bool has_counties = i + 1 < k && !strncmp(rs[i + 1].code, rs[i].code, 2) &&
		                    strcmp(rs[i + 1].code + 2, "0000");
		if (is_prov && has_counties)
			continue;
		for (int p = 0; p < nprov; p++)
			if (!strncmp(prov[p].code, rs[i].code, 2)) {
				short_name(prov[p].name, rs[i].short_zh, sizeof rs[i].short_zh);
				snprintf(rs[i].short_en, sizeof rs[i].short_en, "%s",
				         prov[p].name_en ? prov[p].name_en : "");
			}
		rs[w++] = rs[i];
	}
	*out = rs;
	*n = w;
	return ERR_OK;
}

/*
 * A code that passes the real checks (both check characters, core/uscc.h), since the rows go
 * through the import's validation; 91 registers an enterprise, 12 a public institution such as
 * a university.
 */
static void credit_code(uint64_t *s, const char *prefix, const char *region, char out[19])
{
	static const char alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	memcpy(out, prefix, 2);
	memcpy(out + 2, region, 6);
	for (int i = 8; i < 16; i++)
		out[i] = alpha[pick(s, i < 10 ? 10 : 31)];
	out[16] = uscc_org_check_char(out + 8);
	out[17] = '\0';
	out[17] = uscc_check_char(out);
	out[18] = '\0';
}

/* The division if it is loaded, else its section. */
static const char *industry_for(struct app_ctx *ctx, const char *division, char out[6])
{
	struct industry i;
	if (!app_industry_get(ctx, division, &i)) {
		snprintf(out, 6, "%s", division);
		return out;
	}
	snprintf(out, 6, "%c", division[0]);
	return out;
}

/* Users of every role; the two organisation admins answer for both sides of the market. */
static enum err demo_users_create(struct app_ctx *ctx, const char *password, int64_t first_org,
                                  int64_t first_university)
{
	/* the demo database keeps its published password, knowingly (docs/SECURITY.md) */
	ctx->demo_password_ok = true;
	for (int u = 0; u < demo_nusers; u++) {
		struct field_val v[USER__NFIELDS] = {0};
		v[USER_USERNAME] = (struct field_val){.set = true, .s = demo_users[u].username};
		v[USER_PASSWORD] = (struct field_val){.set = true, .s = password};
		v[USER_DISPLAY_NAME] = (struct field_val){.set = true, .s = demo_users[u].role};
		v[USER_LOCALE] = (struct field_val){.set = true, .s = u == 5 ? "en" : "zh-CN"};
		struct user out;
		enum err e = app_user_create(ctx, v, &out);
		if (e)
			return e;
		static const struct {
			const char *role, *region, *level;
		} grants[] = {
		        {"admin", NULL, NULL},          {"operator", "320000", "province"},
		        {"operator", NULL, "national"}, {"reviewer", "320000", "province"},
		        {"expert", NULL, NULL},         {"broker", NULL, NULL},
		        {"org_admin", NULL, NULL},      {"org_member", NULL, NULL},
		        {"org_admin", NULL, NULL},
		};
		_Static_assert(sizeof grants / sizeof grants[0] ==
		                       sizeof demo_users / sizeof demo_users[0],
		               "a grant for every demo user");
		struct field_val g[GRANT__NFIELDS] = {0};
		g[GRANT_ROLE] = (struct field_val){.set = true, .s = grants[u].role};
		if (grants[u].region)
			g[GRANT_REGION_CODE] =
			        (struct field_val){.set = true, .s = grants[u].region};
		if (grants[u].level)
			g[GRANT_LEVEL] = (struct field_val){.set = true, .s = grants[u].level};
		if (u >= 6)
			g[GRANT_ORG_ID] = (struct field_val){
			        .set = true, .i = u == 8 ? first_university : first_org};
		struct grant gr;
		if ((e = app_grant_add(ctx, out.id, g, &gr)))
			return e;
	}
	return ERR_OK;
}

/*
 * Refused on a database that has users: the demo's well-known accounts and password must never
 * land in a real one. Organisations go through the importer, so they meet the checks of a real
 * file and a first load takes its bulk path; users and grants go through the use cases.
 */
enum err app_demo_run(struct app_ctx *ctx, const struct demo_opts *o,
                      void (*progress)(long done, long total, void *arg), void *arg)
{
	int64_t existing;
	if (!app_user_find(ctx, "admin", &existing))
		return APP_FAIL(ctx, ERR_CONFLICT, "",
		                "the database has users already: the demo needs"
		                " a new database");
	err_clear(&ctx->err);
	struct demo_region *regions;
	int nreg;
	enum err e = load_regions(ctx, &regions, &nreg);
	if (e)
		return e;
	if (nreg == 0) {
		free(regions);
		return APP_FAIL(ctx, ERR_INVALID, "", "no regions loaded");
	}
	static const char *const cols[] = {"kind",          "credit_code", "name",
	                                   "name_en",       "region_code", "industry_code",
	                                   "registered_on", "size_class",  "website"};
	enum { NCOLS = sizeof cols / sizeof cols[0] };
	struct importer *imp;
	if ((e = app_import_begin(ctx, app_import_organisations, "demo", &imp))) {
		free(regions);
		return e;
	}
	struct err_detail d = {0};
	if ((e = app_import_columns(imp, cols, NCOLS, &d)))
		goto fail;
	uint64_t s = o->seed;
	long others = o->enterprises / 12 + 4, total = o->enterprises + others;
	char ind_cache[sizeof fields / sizeof fields[0]][6];
	for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
		industry_for(ctx, fields[f].division, ind_cache[f]);
	for (long i = 0; i < total; i++) {
		/* the first enterprise sits in Jiangsu, where the demo operator works */
		const struct demo_region *r = &regions[i == 0 ? 0 : pick(&s, nreg)];
		for (int k = 0; i == 0 && k < nreg; k++)
			if (!strncmp(regions[k].code, "32", 2)) {
				r = &regions[k];
				break;
			}
		int f = pick(&s, (int)(sizeof fields / sizeof fields[0]));
		int bi = pick(&s, (int)(sizeof brands / sizeof brands[0]));
		int bj = pick(&s, (int)(sizeof brands / sizeof brands[0]));
		char code[19], name[160], name_en[200], date[DATE_STR], web[96];
		const char *kind = "enterprise", *size = size_classes[pick(&s, 9)];
		const char *ind = ind_cache[f];
		if (i < o->enterprises) {
			/*
			 * enterprises first, so the first demo enterprise gets id 1 (a load into an
			 * empty table numbers from 1)
			 */
			credit_code(&s, "91", r->code, code);
			snprintf(name, sizeof name, "%s%s%s%s%s", r->short_zh, brands[bi].zh,
			         brands[bj].zh, fields[f].zh,
			         pick(&s, 4) ? "有限公司" : "股份有限公司");
			snprintf(name_en, sizeof name_en, "%s %s%c%s %s Co., Ltd.", r->short_en,
			         brands[bi].en, brands[bj].en[0] + 32, brands[bj].en + 1,
			         fields[f].en);
		} else {
			static const char *const kinds[] = {"university", "research_institute",
			                                    "platform_operator",
			                                    "service_institution"};
			static const char *const zh[] = {"%s%s大学", "%s%s研究院", "%s%s中试基地",
			                                 "%s%s技术转移中心"};
			static const char *const en[] = {"%s University of %s",
			                                 "%s Institute of %s", "%s %s Pilot Base",
			                                 "%s %s Technology Transfer Centre"};
			int k = (int)(i % 4);
			kind = kinds[k];
			size = NULL;
			credit_code(&s, k == 2 ? "91" : "12", r->code, code);
			snprintf(name, sizeof name, zh[k], r->short_zh, fields[f].zh);
			snprintf(name_en, sizeof name_en, en[k], r->short_en, fields[f].en);
			ind = k == 2 ? ind : "M";
		}
		date_format(date_from_ymd(1995 + pick(&s, 30), 1 + pick(&s, 12), 1 + pick(&s, 28)),
		            date);
		snprintf(web, sizeof web, "https://www.%c%c-demo-%ld.cn", 'a' + pick(&s, 26),
		         'a' + pick(&s, 26), i + 1);
		const char *vals[NCOLS] = {
		        kind,    code, name, name_en[0] == ' ' ? name_en + 1 : name_en,
		        r->code, ind,  date, size ? size : "",
		        web};
		e = app_import_row(imp, i + 1, vals, NCOLS, &d);
		if (e == ERR_CONFLICT) { /* a credit code drawn twice: rare, skip it */
			continue;
		}
		if (e)
			goto fail;
		if (progress && (i + 1) % 1000 == 0)
			progress(i + 1, total, arg);
	}
	struct import_stats st;
	e = app_import_end(imp, &st);
	imp = NULL;
	free(regions);
	if (e)
		return e;
	if (progress)
		progress(total, total, arg);
	int64_t university = 0;
	if ((e = app_demo_first_org(ctx, "university", &university)) ||
	    (e = demo_users_create(ctx, o->password, 1, university)))
		return e;
	for (int i = 0; i < APP_MODULES; i++) /* each module's part, in module order */
		if (app_modules[i]->demo && (e = app_modules[i]->demo(ctx)))
			return e;
	return ERR_OK;
fail:
	if (d.message[0])
		ctx->err = d;
	app_import_abort(imp);
	free(regions);
	return e;
}

enum err app_demo_orgs(struct app_ctx *ctx, const char *kind, int64_t *ids, char (*regions)[7],
                       int *n)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_DEMO_ORGS, DB_ARGS(DB_TEXT(kind), DB_INT(*n)), &r);
	if (e)
		return app_db_fail(ctx, e, "demo");
	int k = 0;
	while (db_next(r) && k < *n) {
		ids[k] = db_col_i64(r, COL_DEMO_ORG_ID);
		const char *rc = db_col_text(r, COL_DEMO_ORG_REGION_CODE);
		snprintf(regions[k++], 7, "%s", rc ? rc : "");
	}
	*n = k;
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "demo");
	return ERR_OK;
}

enum err app_demo_first_org(struct app_ctx *ctx, const char *kind, int64_t *id)
{
	int64_t ids[1];
	char regions[1][7];
	int n = 1;
	enum err e = app_demo_orgs(ctx, kind, ids, regions, &n);
	if (!e && n == 0)
		e = APP_FAIL(ctx, ERR_NOT_FOUND, "", "the demo has no %s", kind);
	if (!e)
		*id = ids[0];
	return e;
}
