/*
 * market: the records of the technology market (listings offer technology,
 * demands ask for it), their field tables for import and API, and the
 * structured signals the matcher adds to text relevance: same technical
 * field, industry proximity, region, TRL fit, transaction modes, budget.
 *
 * The two kinds share their first MARKET_F__COMMON fields, so code that needs
 * only title, codes and status treats both alike. A struct market_item
 * borrows its strings from the arena or rows it was read from.
 */
#ifndef TB_CORE_MARKET_H
#define TB_CORE_MARKET_H

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/fields.h"

#include <stdint.h>

enum market_kind { MARKET_LISTING, MARKET_DEMAND, MARKET__KINDS };

enum market_common {
	MARKET_F_REF,
	MARKET_F_TITLE,
	MARKET_F_TITLE_EN,
	MARKET_F_DESCRIPTION,
	MARKET_F_DESCRIPTION_EN,
	MARKET_F_FIELD,
	MARKET_F_INDUSTRY_CODE,
	MARKET_F_REGION_CODE,
	MARKET_F_MODES,
	MARKET_F_STATUS,
	MARKET_F_ORG_ID,
	MARKET_F__COMMON
};
enum listing_field {
	LISTING_F_TRL = MARKET_F__COMMON,
	LISTING_F_IP,
	LISTING_F_ADVANTAGE,
	LISTING_F_COMMERCIAL_ROUTE,
	LISTING_F_ASKING_FEN,
	LISTING_F_CONTACT,
	LISTING__NFIELDS
};
enum demand_field {
	DEMAND_F_TYPE = MARKET_F__COMMON,
	DEMAND_F_TRL_MIN,
	DEMAND_F_TRL_MAX,
	DEMAND_F_BUDGET_MIN_FEN,
	DEMAND_F_BUDGET_MAX_FEN,
	DEMAND_F_DEADLINE,
	DEMAND__NFIELDS
};
enum { MARKET_FIELDS_MAX = 17 };
_Static_assert((int)LISTING__NFIELDS <= (int)MARKET_FIELDS_MAX &&
                       (int)DEMAND__NFIELDS <= (int)MARKET_FIELDS_MAX,
               "items hold every field");

extern const struct field_def listing_fields[LISTING__NFIELDS];
extern const struct field_def demand_fields[DEMAND__NFIELDS];
/* NULL-terminated value lists. */
extern const char *const market_tech_fields[]; /* the 11 statistical fields */
extern const char *const market_statuses[];
extern const char *const market_modes[];
extern const char *const market_demand_types[];

enum market_status {
	MARKET_STATUS_DRAFT,
	MARKET_STATUS_UNDER_REVIEW,
	MARKET_STATUS_PUBLISHED,
	MARKET_STATUS_EXPIRED,
	MARKET_STATUS_WITHDRAWN,
	MARKET_STATUS__MAX
};

struct market_item {
	enum market_kind kind;
	int64_t id, version;
	const char *f[MARKET_FIELDS_MAX]; /* NULL = no value; numbers as decimal text */
	const char *created_at, *updated_at;
	const char *published_at, *expires_at; /* NULL until first published */
	const char *org_name;                  /* the owner's name, read along (not stored) */
};

/* The field table of a kind and its size. */
const struct field_def *market_fields(enum market_kind k, size_t *n);
/* Whether field i of kind k is stored as an integer. */
bool market_field_is_int(enum market_kind k, int i);
/* Apply the set values of a patch (NULL-valued fields clear); integers become
 * decimal text in a. */
void market_apply(struct market_item *it, const struct field_val *vals, struct arena *a);
/* Rules across fields: TRL and budget ranges ordered; defaults already applied. */
enum err market_validate(const struct market_item *it, struct err_detail *d);
/*
 * An item of kind k from a row of text (n named columns, NULL values
 * absent): each known column checked by the field table into the arena,
 * unknown columns refused, required ones enforced, cross-field rules.
 */
enum err market_item_from_text(enum market_kind k, const char *const *names,
                               const char *const *values, int n, struct arena *a,
                               struct market_item *it, struct err_detail *d);
/* The JSON object of an item (the API's representation). */
void market_to_json(const struct market_item *it, struct buf *out);

/*
 * Check a Chinese patent or application number: optional CN or ZL, the
 * 12-digit (2003 on) or 8-digit number, optional '.' and check digit
 * (verified when present), e.g. ZL202310123456.6; or a publication
 * number, CN + 9 digits + kind letter (CN115123456A). For IP objects.
 */
bool market_patent_number_check(const char *s, const char **why);

/* ---- the structured attributes the matcher compares ---- */

struct market_attrs {
	uint8_t field;          /* 1-based index into market_tech_fields, 0 unknown */
	uint8_t status;         /* enum market_status */
	uint8_t trl_lo, trl_hi; /* listing: its TRL twice; demand: the wanted range; 0 unknown */
	uint8_t modes;          /* bit i = market_modes[i]; 0 unknown */
	char industry[6];       /* GB/T 4754 code, "" unknown */
	char region[7];         /* GB/T 2260 code, "" unknown */
	int64_t price_lo,
	        price_hi; /* fen: a listing's asking price, a demand's budget; -1 unknown */
};

/* The attributes of an item (unknown values where fields are empty or bad). */
void market_attrs_of(const struct market_item *it, struct market_attrs *a);

enum market_signal {
	MARKET_SIG_FIELD,
	MARKET_SIG_INDUSTRY,
	MARKET_SIG_REGION,
	MARKET_SIG_TRL,
	MARKET_SIG_MODES,
	MARKET_SIG_BUDGET,
	MARKET_SIG__MAX
};

struct market_signal_def {
	const char *name;
	double weight; /* in units of the normalised text score (0..1) */
	const char *doc;
};
extern const struct market_signal_def market_signals[MARKET_SIG__MAX];

/*
 * The signals between a demand and a listing: out[s] = weight x degree
 * (0 when either side lacks the attribute). Returns their sum, added in
 * signal order so the same pair always sums to the same double.
 */
double market_signal_scores(const struct market_attrs *demand, const struct market_attrs *listing,
                            double out[MARKET_SIG__MAX]);
/* The most the signals can add for a query with attributes q (for pruning). */
double market_signal_bound(const struct market_attrs *q);

#endif
