/*
 * facts: an enterprise's facts (docs/FACTS.md) as the rules engine reads
 * them. One table (facts.c) names every fact, its JSON place, its type and
 * what a JSON null means; rulesets refer to facts by those names and the
 * loader rejects any other name. A fact that is absent is unknown, never
 * zero. The caller owns a struct facts (plain value, no heap); facts_parse
 * fills it from a jansson object and keeps no pointer into it except the
 * strings `ref`, which stay valid while the JSON object lives.
 */
#ifndef TB_CORE_FACTS_H
#define TB_CORE_FACTS_H

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum fact_kind {
	FACT_YEAR,  /* a number per fiscal year ("years"."2025".revenue_fen) */
	FACT_NUM,   /* a number */
	FACT_BOOL,  /* true/false */
	FACT_ENUM,  /* one of a fixed list of strings, held as its index */
	FACT_DATE,  /* an ISO date, held as a day number */
	FACT_AWARD, /* {years_ago, rank} or null (no award) */
};

/* X(id, json name, kind, null_is_none): a null either means "none" or "unknown". */
#define FACT_TABLE(X)                                                                              \
	X(FACTS_REVENUE, "revenue_fen", FACT_YEAR, false)                                          \
	X(FACTS_MAIN_REVENUE, "main_revenue_fen", FACT_YEAR, false)                                \
	X(FACTS_RD, "rd_expense_fen", FACT_YEAR, false)                                            \
	X(FACTS_RD_DOMESTIC, "rd_expense_domestic_fen", FACT_YEAR, false)                          \
	X(FACTS_TOTAL_COST, "total_cost_fen", FACT_YEAR, false)                                    \
	X(FACTS_NET_PROFIT, "net_profit_fen", FACT_YEAR, false)                                    \
	X(FACTS_ASSETS, "total_assets_fen", FACT_YEAR, false)                                      \
	X(FACTS_LIABILITIES, "total_liabilities_fen", FACT_YEAR, false)                            \
	X(FACTS_EMPLOYEES, "employees", FACT_YEAR, false)                                          \
	X(FACTS_RD_STAFF, "rd_staff", FACT_YEAR, false)                                            \
	X(FACTS_TECH_STAFF, "tech_staff", FACT_YEAR, false)                                        \
	X(FACTS_EQUITY, "equity_financing_fen", FACT_YEAR, false)                                  \
	X(FACTS_HIGHTECH_REVENUE, "hightech_revenue_fen", FACT_YEAR, false)                        \
	X(FACTS_DEV_SCORE, "dev_scores", FACT_YEAR, false)                                         \
	X(FACTS_REVIEW, "review", FACT_BOOL, false)                                                \
	X(FACTS_REGISTERED_ON, "registered_on", FACT_DATE, false)                                  \
	X(FACTS_NICHE_SINCE, "niche_since", FACT_DATE, false)                                      \
	X(FACTS_IP_CLASS1, "ip.class1", FACT_NUM, false)                                           \
	X(FACTS_IP_CLASS1_SELF, "ip.class1_self_developed", FACT_NUM, false)                       \
	X(FACTS_IP_CLASS1_HV, "ip.class1_high_value", FACT_NUM, false)                             \
	X(FACTS_IP_CLASS1_APPLIED, "ip.class1_applied", FACT_NUM, false)                           \
	X(FACTS_IP_CLASS1_TOP3, "ip.class1_owned_top3", FACT_NUM, false)                           \
	X(FACTS_IP_CLASS2, "ip.class2", FACT_NUM, false)                                           \
	X(FACTS_HTE, "honors.high_tech_enterprise", FACT_BOOL, false)                              \
	X(FACTS_TECH_DEMO, "honors.tech_innovation_demo", FACT_BOOL, false)                        \
	X(FACTS_IP_DEMO, "honors.ip_advantage_or_demo", FACT_BOOL, false)                          \
	X(FACTS_NATIONAL_AWARD, "honors.national_award", FACT_AWARD, true)                         \
	X(FACTS_PROVINCIAL_AWARD, "honors.provincial_award", FACT_AWARD, true)                     \
	X(FACTS_RD_INSTITUTION, "honors.rd_institution_level", FACT_ENUM, false)                   \
	X(FACTS_MAKER_RANK, "honors.maker_china_rank", FACT_NUM, true)                             \
	X(FACTS_LED_STANDARD, "honors.led_standard_years_ago", FACT_NUM, true)                     \
	X(FACTS_QUALITY_AWARD, "quality.quality_award_provincial", FACT_BOOL, false)               \
	X(FACTS_MGMT_CERTIFIED, "quality.management_certified", FACT_BOOL, false)                  \
	X(FACTS_OWN_BRAND, "quality.own_brand", FACT_BOOL, false)                                  \
	X(FACTS_STANDARDS, "quality.standards_participated", FACT_NUM, false)                      \
	X(FACTS_DIGITAL_LEVEL, "digital_level", FACT_NUM, false)                                   \
	X(FACTS_SEI, "lead_product.sei_catalogue", FACT_BOOL, false)                               \
	X(FACTS_CHAIN_ROLE, "lead_product.chain_role", FACT_ENUM, false)                           \
	X(FACTS_KEY_FIELD, "lead_product.key_field", FACT_BOOL, false)                             \
	X(FACTS_NICHE_SHARE, "market.niche_share", FACT_NUM, false)                                \
	X(FACTS_DOMESTIC_RANK, "market.domestic_rank", FACT_NUM, true)                             \
	X(FACTS_POSITION_LEADING, "market.position_leading", FACT_BOOL, false)                     \
	X(FACTS_CLEAN_RECORD, "status.clean_record", FACT_BOOL, false)                             \
	X(FACTS_SINGLE_CHAMPION, "status.single_champion", FACT_BOOL, false)                       \
	X(FACTS_RELATED_LG, "status.related_to_little_giant", FACT_BOOL, false)                    \
	X(FACTS_LOCAL_POINTS, "local_points", FACT_NUM, false)

#define FACT_ENUM_ID(id, name, kind, none) id,
enum fact_id { FACT_TABLE(FACT_ENUM_ID) FACT__MAX };
#undef FACT_ENUM_ID

enum {
	FACTS_YEARS_MAX = 8,   /* fiscal years (and dev score years) kept per enterprise */
	FACTS_TITLES_MAX = 16, /* titles kept per enterprise */
	FACTS_TIER_ID_MAX = 32,
};

/* The state of one value: unknown (absent, or a null that means unknown), none, or known. */
enum val_state { VAL_UNKNOWN = 0, VAL_NONE, VAL_KNOWN };

struct val {
	uint8_t st; /* enum val_state */
	double v;   /* numbers, 0/1 for booleans, the index for enums, the day for dates */
};

struct fact_title {
	char tier[FACTS_TIER_ID_MAX];
	int32_t since, until; /* day numbers */
};

struct facts {
	const char *ref;              /* "" when absent; points into the JSON object */
	char industry[8];             /* GB/T 4754 code, "" when absent */
	char province[4];             /* two digits, "" when absent */
	struct val scalar[FACT__MAX]; /* non-year facts */
	int nyears;                   /* fiscal years present in "years" */
	int year[FACTS_YEARS_MAX];
	struct val by_year[FACTS_YEARS_MAX][FACT__MAX]; /* only FACT_YEAR slots are used */
	int ndev;                                       /* years present in dev_scores */
	int dev_year[FACTS_YEARS_MAX];
	struct val dev[FACTS_YEARS_MAX];
	struct val award_rank[FACT__MAX]; /* FACT_AWARD: scalar holds years_ago, this the rank */
	int ntitles;
	struct fact_title titles[FACTS_TITLES_MAX];
};

/* Table lookups: a fact's name, kind, and its id by name (-1 if none). */
const char *facts_name(enum fact_id f);
enum fact_kind facts_kind(enum fact_id f);
int facts_find(const char *name);
/* The allowed strings of an enum fact, NULL-terminated; index = held value. */
const char *const *facts_enum_values(enum fact_id f);

/*
 * Fill `out` from the facts object `obj` (one JSON Lines record). Unknown
 * keys and wrong types are ERR_INVALID with the field's path in d->field.
 * `out` is cleared first; strings point into `obj`.
 */
enum err facts_parse(json_t *obj, struct facts *out, struct err_detail *d);

/*
 * The bounds of a stored yearly figure `name` (lib/limits.h): amounts in fen
 * 0..LIMIT_FEN_MAX (net profit from -LIMIT_FEN_MAX), head counts
 * 0..LIMIT_HEADCOUNT_MAX. False when `name` is no such figure. The API and the
 * import refuse values beyond them; `evaluate` warns.
 */
bool facts_year_bounds(const char *name, int64_t *min, int64_t *max);
/* The first yearly figure of fx beyond its bounds, as "years.Y.NAME" in buf; false if none. */
bool facts_beyond_bounds(const struct facts *fx, char *buf, size_t n);

/* The value of year fact `f` in calendar year `year` (unknown when absent). */
struct val facts_year(const struct facts *fx, enum fact_id f, int year);

#endif
