/* market: listing and demand records, their field tables and the match signals. */
#include "core/market/market.h"

#include "core/codes.h"
#include "lib/jw.h"
#include "lib/limits.h"
#include "lib/num.h"

#include <jansson.h>
#include <string.h>

/* Slugs of the 11 fields of the national technology-market statistics (reference §3.6). */
const char *const market_tech_fields[] = {
        "electronic_information", /* 电子信息 */
        "advanced_manufacturing", /* 先进制造 */
        "new_energy",             /* 新能源与高效节能 */
        "aerospace",              /* 航空航天 */
        "modern_transport",       /* 现代交通 */
        "biomedicine",            /* 生物、医药和医疗器械 */
        "new_materials",          /* 新材料及其应用 */
        "agriculture",            /* 农业 */
        "nuclear",                /* 核应用 */
        "urban_social",           /* 城市建设与社会发展 */
        "environment",            /* 环境保护与资源综合利用 */
        NULL,
};
const char *const market_statuses[] = {"draft",   "under_review", "published",
                                       "expired", "withdrawn",    NULL};
const char *const market_modes[] = {"transfer",      "licence",           "open_licence",
                                    "pay_after_use", "joint_development", NULL};
const char *const market_demand_types[] = {"need", "scenario", "challenge", NULL};
static const char *const ip_types[] = {"invention",     "utility_model", "design",   "software",
                                       "layout_design", "plant_variety", "know_how", NULL};

static bool modes_check(const char *s, const char **why);
static bool ip_check(const char *s, const char **why);

/*
 * The fields listings and demands share, at the same indexes (MK_*), so code that handles
 * either kind (import, search attributes, JSON) can address them without knowing the kind
 */
#define COMMON_FIELDS(what)                                                                        \
	[MARKET_F_REF] =                                                                           \
	        {"ref",                                                                            \
	         FT_TEXT,                                                                          \
	         FD_REQUIRED | FD_CREATE_ONLY,                                                     \
	         1,                                                                                \
	         64,                                                                               \
	         NULL,                                                                             \
	         NULL,                                                                             \
	         "the publisher's identifier, unique per kind; importing it again updates"},       \
	[MARKET_F_TITLE] =                                                                         \
	        {"title", FT_TEXT, FD_REQUIRED | FD_FREE_TEXT, 1, LIMIT_TEXT_SHORT, NULL,          \
	         NULL,    "title"},                                                                \
	[MARKET_F_TITLE_EN] = {"title_en", FT_TEXT,          FD_NULLABLE | FD_FREE_TEXT,           \
	                       1,          LIMIT_TEXT_SHORT, NULL,                                 \
	                       NULL,       "English title"},                                       \
	[MARKET_F_DESCRIPTION] =                                                                   \
	        {"description", FT_TEXT,     FD_NULLABLE | FD_FREE_TEXT, 1, LIMIT_TEXT_LONG, NULL, \
	         NULL,          "what " what},                                                     \
	[MARKET_F_DESCRIPTION_EN] = {"description_en",                                             \
	                             FT_TEXT,                                                      \
	                             FD_NULLABLE | FD_FREE_TEXT,                                   \
	                             1,                                                            \
	                             LIMIT_TEXT_LONG,                                              \
	                             NULL,                                                         \
	                             NULL,                                                         \
	                             "English description"},                                       \
	[MARKET_F_FIELD] =                                                                         \
	        {"field",                                                                          \
	         FT_TEXT,                                                                          \
	         FD_NULLABLE,                                                                      \
	         1,                                                                                \
	         32,                                                                               \
	         market_tech_fields,                                                               \
	         NULL,                                                                             \
	         "technical field (one of the 11 of the technology-market statistics)"},           \
	[MARKET_F_INDUSTRY_CODE] = {"industry_code",                                               \
	                            FT_TEXT,                                                       \
	                            FD_NULLABLE,                                                   \
	                            1,                                                             \
	                            5,                                                             \
	                            NULL,                                                          \
	                            industry_code_check,                                           \
	                            "GB/T 4754-2017 industry code"},                               \
	[MARKET_F_REGION_CODE] =                                                                   \
	        {"region_code",          FT_TEXT, FD_NULLABLE, 6, 6, NULL, region_code_check,      \
	         "GB/T 2260 region code"},                                                         \
	[MARKET_F_MODES] =                                                                         \
	        {"modes",                                                                          \
	         FT_TEXT,                                                                          \
	         FD_NULLABLE,                                                                      \
	         1,                                                                                \
	         128,                                                                              \
	         NULL,                                                                             \
	         modes_check,                                                                      \
	         "transaction modes, comma-separated: transfer, licence, open_licence, "           \
	         "pay_after_use, joint_development"},                                              \
	[MARKET_F_STATUS] = {"status",                                                             \
	                     FT_TEXT,                                                              \
	                     FD_NULLABLE | FD_NO_BODY,                                             \
	                     1,                                                                    \
	                     16,                                                                   \
	                     market_statuses,                                                      \
	                     NULL,                                                                 \
	                     "draft, under_review, published, expired or withdrawn"},              \
	[MARKET_F_ORG_ID] = {"org_id",    FT_INT,                                                  \
	                     FD_NULLABLE, 1,                                                       \
	                     INT64_MAX,   NULL,                                                    \
	                     NULL,        "owner organisation (none for imported collections)"}

const struct field_def listing_fields[LISTING__NFIELDS] = {
        COMMON_FIELDS("the technology does and how"),
        [LISTING_F_TRL] = {"trl", FT_INT, FD_NULLABLE, 1, 9, NULL, NULL,
                           "technology readiness level"},
        [LISTING_F_IP] = {"ip", FT_TEXT, FD_NULLABLE, 2, 4000, NULL, ip_check,
                          "IP objects: JSON array of {\"number\", \"type\"}"},
        [LISTING_F_ADVANTAGE] = {"advantage", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1,
                                 LIMIT_TEXT_LONG, NULL, NULL,
                                 "advantage over the state of the art"},
        [LISTING_F_COMMERCIAL_ROUTE] = {"commercial_route", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1,
                                        LIMIT_TEXT_LONG, NULL, NULL, "route to market"},
        [LISTING_F_ASKING_FEN] = {"asking_fen", FT_INT, FD_NULLABLE, 0, LIMIT_FEN_MAX, NULL, NULL,
                                  "asking price in fen"},
        [LISTING_F_CONTACT] = {"contact", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1, LIMIT_TEXT_SHORT,
                               NULL, NULL, "contact"},
};

const struct field_def demand_fields[DEMAND__NFIELDS] = {
        COMMON_FIELDS("is needed and why"),
        [DEMAND_F_TYPE] = {"type", FT_TEXT, FD_NULLABLE, 1, 16, market_demand_types, NULL,
                           "need, scenario (offered by a large enterprise) or challenge"},
        [DEMAND_F_TRL_MIN] = {"trl_min", FT_INT, FD_NULLABLE, 1, 9, NULL, NULL,
                              "lowest TRL wanted"},
        [DEMAND_F_TRL_MAX] = {"trl_max", FT_INT, FD_NULLABLE, 1, 9, NULL, NULL,
                              "highest TRL wanted"},
        [DEMAND_F_BUDGET_MIN_FEN] = {"budget_min_fen", FT_INT, FD_NULLABLE, 0, LIMIT_FEN_MAX, NULL,
                                     NULL, "lowest budget in fen"},
        [DEMAND_F_BUDGET_MAX_FEN] = {"budget_max_fen", FT_INT, FD_NULLABLE, 0, LIMIT_FEN_MAX, NULL,
                                     NULL, "highest budget in fen"},
        [DEMAND_F_DEADLINE] = {"deadline", FT_TEXT, FD_NULLABLE, 10, 10, NULL, date_check,
                               "last day for answers"},
};

/*
 * Small weights next to the text score (0..1): structure refines a ranking by
 * text, it does not replace it
 */
const struct market_signal_def market_signals[MARKET_SIG__MAX] = {
        [MARKET_SIG_FIELD] = {"field", 0.10, "same technical field"},
        [MARKET_SIG_INDUSTRY] = {"industry", 0.06,
                                 "industry codes share a prefix (section to class)"},
        [MARKET_SIG_REGION] = {"region", 0.04, "same province, prefecture or county"},
        [MARKET_SIG_TRL] = {"trl", 0.06, "the listing's TRL in the demand's range (half one off)"},
        [MARKET_SIG_MODES] = {"modes", 0.04, "a transaction mode both accept"},
        [MARKET_SIG_BUDGET] = {"budget", 0.04, "asking price within budget (half up to 1.5x)"},
};

const struct field_def *market_fields(enum market_kind k, size_t *n)
{
	*n = k == MARKET_LISTING ? LISTING__NFIELDS : DEMAND__NFIELDS;
	return k == MARKET_LISTING ? listing_fields : demand_fields;
}

/* False for an index out of range, so a caller can ask about any column it holds */
bool market_field_is_int(enum market_kind k, int i)
{
	size_t n;
	const struct field_def *d = market_fields(k, &n);
	return i >= 0 && (size_t)i < n && d[i].type == FT_INT;
}

/* Bit mask of a comma-separated mode list; -1 if a name is unknown. */
static int modes_mask(const char *s)
{
	int mask = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		const char *p = s;
		size_t k = n;
		/* spaces around a name are tolerated ("transfer, licence") */
		while (k && *p == ' ')
			p++, k--;
		while (k && p[k - 1] == ' ')
			k--;
		int i = 0;
		while (market_modes[i] &&
		       !(strlen(market_modes[i]) == k && !memcmp(market_modes[i], p, k)))
			i++;
		if (!market_modes[i])
			return -1;
		mask |= 1 << i;
		s += n + (s[n] == ',');
	}
	return mask;
}

static bool modes_check(const char *s, const char **why)
{
	/* an empty list is refused as well as an unknown name */
	if (modes_mask(s) > 0)
		return true;
	*why = "must list transfer, licence, open_licence, pay_after_use or joint_development";
	return false;
}

bool market_patent_number_check(const char *s, const char **why)
{
	if (!strncmp(s, "CN", 2) || !strncmp(s, "ZL", 2))
		s += 2;
	size_t nd = strspn(s, "0123456789");
	/* strchr also matches the terminating NUL: s[9] is tested for that */
	if (nd == 9 && strchr("ABUS", s[9]) && s[9] &&
	    (!s[10] || (s[10] >= '0' && s[10] <= '9' && !s[11])))
		return true; /* a publication number: CN115123456A */
	if ((nd != 12 && nd != 8) || (s[nd] && s[nd] != '.')) {
		*why = "must be a patent or application number such as ZL202310123456.6";
		return false;
	}
	if (!s[nd])
		return true;
	/*
	 * the check digit of a Chinese application number: weights 2..9 repeating, sum
	 * modulo 11, 10 written X
	 */
	static const int w[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};
	int sum = 0;
	for (size_t i = 0; i < nd; i++)
		sum += (s[i] - '0') * w[i];
	char want = sum % 11 == 10 ? 'X' : (char)('0' + sum % 11);
	if (s[nd + 1] != want || s[nd + 2]) {
		*why = "has a wrong check digit";
		return false;
	}
	return true;
}

/*
 * The IP list is kept as JSON text in one column and written out raw
 * (market_to_json), so it is validated in full here; at most 100 objects
 */
static bool ip_check(const char *s, const char **why)
{
	json_error_t je;
	json_t *a = json_loads(s, JSON_REJECT_DUPLICATES, &je);
	bool ok = json_is_array(a) && json_array_size(a) <= 100;
	*why = "must be a JSON array of objects with number and type";
	size_t i;
	json_t *o;
	json_array_foreach(a, i, o)
	{
		const char *num = json_string_value(json_object_get(o, "number"));
		const char *type = json_string_value(json_object_get(o, "type"));
		int t = 0;
		while (type && ip_types[t] && strcmp(ip_types[t], type))
			t++;
		if (!num || !type || !ip_types[t]) {
			ok = false;
			break;
		}
		bool patent = t <= 2; /* invention, utility model and design carry patent numbers */
		if (patent && !market_patent_number_check(num, why)) {
			ok = false;
			break;
		}
	}
	json_decref(a);
	return ok;
}

/* The same patch semantics as org_apply: unset fields stay, null clears */
void market_apply(struct market_item *it, const struct field_val *vals, struct arena *a)
{
	size_t n;
	const struct field_def *defs = market_fields(it->kind, &n);
	for (size_t i = 0; i < n; i++) {
		if (!vals[i].set)
			continue;
		if (vals[i].null)
			it->f[i] = NULL;
		else if (defs[i].type == FT_INT) /* items keep numbers as decimal text */
			it->f[i] = arena_printf(a, "%lld", (long long)vals[i].i);
		else
			it->f[i] = vals[i].s;
	}
}

/*
 * The import path: every column goes through the same field table as the API,
 * so a CSV row and a JSON body are refused for the same reasons
 */
enum err market_item_from_text(enum market_kind k, const char *const *names,
                               const char *const *values, int n, struct arena *a,
                               struct market_item *it, struct err_detail *d)
{
	size_t nf;
	const struct field_def *defs = market_fields(k, &nf);
	struct field_val v[MARKET_FIELDS_MAX] = {0};
	memset(it, 0, sizeof *it);
	it->kind = k;
	for (int i = 0; i < n; i++) {
		int f = fields_find(defs, nf, names[i]);
		if (f < 0)
			return err_set(d, ERR_INVALID, names[i], "is not a field");
		enum err e = fields_set_text(&defs[f], values[i], &v[f], a, d);
		if (e)
			return e;
	}
	enum err e = fields_require(defs, nf, v, d);
	if (e)
		return e;
	market_apply(it, v, a);
	return market_validate(it, d);
}

/* Stored numbers are decimal text (market_apply); an absent or unparsable one takes the default */
static int64_t num_or(const char *s, int64_t dflt)
{
	int64_t v;
	return s && num_parse(s, INT64_MIN, INT64_MAX, &v) ? v : dflt;
}

/*
 * Rules across fields, after a patch is applied: the ranges of a demand must
 * not be inverted (absent ends count as open)
 */
enum err market_validate(const struct market_item *it, struct err_detail *d)
{
	if (it->kind != MARKET_DEMAND)
		return ERR_OK;
	if (num_or(it->f[DEMAND_F_TRL_MIN], 1) > num_or(it->f[DEMAND_F_TRL_MAX], 9))
		return err_set(d, ERR_INVALID, "trl_max", "must not be below trl_min");
	if (num_or(it->f[DEMAND_F_BUDGET_MIN_FEN], 0) >
	    num_or(it->f[DEMAND_F_BUDGET_MAX_FEN], INT64_MAX))
		return err_set(d, ERR_INVALID, "budget_max_fen",
		               "must not be below budget_min_fen");
	return ERR_OK;
}

void market_to_json(const struct market_item *it, struct buf *out)
{
	size_t n;
	const struct field_def *defs = market_fields(it->kind, &n);
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", it->id);
	for (size_t i = 0; i < n; i++) {
		if (defs[i].type == FT_INT && it->f[i])
			jw_ki64(&w, defs[i].name, num_or(it->f[i], 0));
		else if (i == LISTING_F_IP && it->kind == MARKET_LISTING && it->f[i])
			/*
			 * the IP list is stored as JSON that ip_check validated: emitted as an
			 * array, not a string
			 */
			jw_key(&w, defs[i].name), jw_raw(&w, it->f[i]);
		else
			jw_kstr(&w, defs[i].name, it->f[i]);
	}
	jw_kstr(&w, "org_name", it->org_name);
	jw_kstr(&w, "published_at", it->published_at);
	jw_kstr(&w, "expires_at", it->expires_at);
	jw_kstr(&w, "created_at", it->created_at);
	jw_kstr(&w, "updated_at", it->updated_at);
	jw_ki64(&w, "version", it->version);
	jw_obj_close(&w);
}

static int index_of(const char *const *list, const char *s)
{
	for (int i = 0; s && list[i]; i++)
		if (!strcmp(list[i], s))
			return i;
	return -1;
}

/*
 * The attributes the matcher compares, extracted once per item so ranking compares
 * small fixed fields instead of parsing text. An unknown status reads as published.
 */
void market_attrs_of(const struct market_item *it, struct market_attrs *a)
{
	memset(a, 0, sizeof *a);
	const char *const *f = it->f;
	a->field = (uint8_t)(index_of(market_tech_fields, f[MARKET_F_FIELD]) + 1);
	int st = index_of(market_statuses, f[MARKET_F_STATUS]);
	a->status = (uint8_t)(st < 0 ? MARKET_STATUS_PUBLISHED : st);
	int m = f[MARKET_F_MODES] ? modes_mask(f[MARKET_F_MODES]) : 0;
	a->modes = (uint8_t)(m < 0 ? 0 : m);
	if (f[MARKET_F_INDUSTRY_CODE] && strlen(f[MARKET_F_INDUSTRY_CODE]) < sizeof a->industry)
		memcpy(a->industry, f[MARKET_F_INDUSTRY_CODE],
		       strlen(f[MARKET_F_INDUSTRY_CODE]) + 1);
	if (f[MARKET_F_REGION_CODE] && strlen(f[MARKET_F_REGION_CODE]) == 6)
		memcpy(a->region, f[MARKET_F_REGION_CODE], 7);
	if (it->kind == MARKET_LISTING) {
		int64_t t = num_or(f[LISTING_F_TRL], 0);
		a->trl_lo = a->trl_hi = (uint8_t)(t >= 1 && t <= 9 ? t : 0);
		a->price_lo = a->price_hi = num_or(f[LISTING_F_ASKING_FEN], -1);
	} else {
		int64_t lo = num_or(f[DEMAND_F_TRL_MIN], 0), hi = num_or(f[DEMAND_F_TRL_MAX], 0);
		if (lo || hi) {
			a->trl_lo = (uint8_t)(lo >= 1 && lo <= 9 ? lo : 1);
			a->trl_hi = (uint8_t)(hi >= 1 && hi <= 9 ? hi : 9);
		}
		a->price_lo = num_or(f[DEMAND_F_BUDGET_MIN_FEN], -1);
		a->price_hi = num_or(f[DEMAND_F_BUDGET_MAX_FEN], -1);
	}
}

/* Length of the common prefix of two codes. */
static size_t common_prefix(const char *a, const char *b)
{
	size_t i = 0;
	while (a[i] && a[i] == b[i])
		i++;
	return i;
}

static double industry_degree(const char *a, const char *b)
{
	if (!a[0] || !b[0])
		return 0;
	size_t p = common_prefix(a, b), n = strlen(a) < strlen(b) ? strlen(a) : strlen(b);
	/* section letter, division (2 digits), group (3), class (4): the shared part */
	return (double)p / (double)n;
}

/* By shared code prefix: the same code 1, the same prefecture 0.75, the same province 0.5 */
static double region_degree(const char *a, const char *b)
{
	if (!a[0] || !b[0])
		return 0;
	size_t p = common_prefix(a, b);
	return p >= 6 ? 1.0 : p >= 4 ? 0.75 : p >= 2 ? 0.5 : 0;
}

/*
 * One level outside the wanted range counts half, so a near miss still ranks
 * above a listing far off
 */
static double trl_degree(const struct market_attrs *dm, const struct market_attrs *ls)
{
	if (!dm->trl_lo || !ls->trl_lo)
		return 0;
	int t = ls->trl_lo;
	if (t >= dm->trl_lo && t <= dm->trl_hi)
		return 1;
	return t + 1 == dm->trl_lo || t - 1 == dm->trl_hi ? 0.5 : 0;
}

/*
 * An asking price up to 1.5 times the budget counts half, so a slightly dear
 * listing still ranks above one far beyond the budget
 */
static double budget_degree(const struct market_attrs *dm, const struct market_attrs *ls)
{
	if (dm->price_hi < 0 || ls->price_lo < 0)
		return 0;
	if (ls->price_lo <= dm->price_hi)
		return 1;
	return (double)ls->price_lo <= 1.5 * (double)dm->price_hi ? 0.5 : 0;
}

double market_signal_scores(const struct market_attrs *demand, const struct market_attrs *listing,
                            double out[MARKET_SIG__MAX])
{
	double deg[MARKET_SIG__MAX] = {
	        [MARKET_SIG_FIELD] = demand->field && demand->field == listing->field,
	        [MARKET_SIG_INDUSTRY] = industry_degree(demand->industry, listing->industry),
	        [MARKET_SIG_REGION] = region_degree(demand->region, listing->region),
	        [MARKET_SIG_TRL] = trl_degree(demand, listing),
	        [MARKET_SIG_MODES] = (demand->modes & listing->modes) != 0,
	        [MARKET_SIG_BUDGET] = budget_degree(demand, listing),
	};
	double sum = 0;
	for (int s = 0; s < MARKET_SIG__MAX; s++) {
		out[s] = market_signals[s].weight * deg[s];
		sum += out[s];
	}
	return sum;
}

/* An upper bound for pruning: every signal the query has an attribute for, at full weight */
double market_signal_bound(const struct market_attrs *q)
{
	bool has[MARKET_SIG__MAX] = {
	        [MARKET_SIG_FIELD] = q->field != 0,
	        [MARKET_SIG_INDUSTRY] = q->industry[0] != 0,
	        [MARKET_SIG_REGION] = q->region[0] != 0,
	        [MARKET_SIG_TRL] = q->trl_lo != 0,
	        [MARKET_SIG_MODES] = q->modes != 0,
	        [MARKET_SIG_BUDGET] = q->price_hi >= 0 || q->price_lo >= 0,
	};
	double sum = 0;
	for (int s = 0; s < MARKET_SIG__MAX; s++)
		sum += has[s] ? market_signals[s].weight : 0;
	return sum;
}
