/* facts: the fact table and the parser of one facts record (docs/FACTS.md). */
#include "core/gradient/facts.h"

#include "lib/date.h"
#include "lib/limits.h"
#include "lib/num.h"

#include <math.h>
#include <string.h>

struct fact_def {
	const char *name;
	enum fact_kind kind;
	bool null_is_none;
};

#define FACT_DEF(id, name, kind, none) [id] = {name, kind, none},
static const struct fact_def fact_defs[FACT__MAX] = {FACT_TABLE(FACT_DEF)};
#undef FACT_DEF

/*
 * The values of the two enum facts. A value is held as its index in these lists;
 * rules test it only with "in" (a list of names the loader turns into indexes)
 */
static const char *const rd_levels[] = {"none", "below_city", "city", "province", "national", NULL};
static const char *const chain_roles[] = {"gap_filling", "six_basics", "other", NULL};

const char *facts_name(enum fact_id f)
{
	return fact_defs[f].name;
}

enum fact_kind facts_kind(enum fact_id f)
{
	return fact_defs[f].kind;
}

int facts_find(const char *name)
{
	for (int i = 0; i < FACT__MAX; i++)
		if (!strcmp(fact_defs[i].name, name))
			return i;
	return -1;
}

const char *const *facts_enum_values(enum fact_id f)
{
	if (f == FACTS_RD_INSTITUTION)
		return rd_levels;
	if (f == FACTS_CHAIN_ROLE)
		return chain_roles;
	return NULL;
}

/* Amounts above 2^53 lose integer precision as doubles; no enterprise comes near. */
static bool num_value(json_t *j, double *out)
{
	if (json_is_integer(j))
		*out = (double)json_integer_value(j);
	else if (json_is_real(j))
		*out = json_real_value(j);
	else
		return false;
	return isfinite(*out);
}

/*
 * Every refusal goes through here so that a message re-raised with a longer path
 * (d->message passed back in as `why`) is copied before err_set overwrites it
 */
static enum err bad(struct err_detail *d, const char *path, const char *why)
{
	char msg[sizeof d->message]; /* `why` may be d->message itself */
	snprintf(msg, sizeof msg, "%s", why);
	return err_set(d, ERR_INVALID, path, "%s", msg);
}

/*
 * An award is {years_ago, rank}; either may be missing (unknown), but no other
 * member is allowed, so a misspelt key is an error and not a silently unknown fact
 */
static enum err award_value(json_t *j, struct val *ago, struct val *rank, const char *path,
                            struct err_detail *d)
{
	json_t *a = json_object_get(j, "years_ago"), *r = json_object_get(j, "rank");
	if (json_object_size(j) != (size_t)(!!a + !!r))
		return bad(d, path, "must have only years_ago and rank");
	if (a && !num_value(a, &ago->v))
		return bad(d, path, "years_ago must be a number");
	if (r && !num_value(r, &rank->v))
		return bad(d, path, "rank must be a number");
	ago->st = a ? VAL_KNOWN : VAL_UNKNOWN;
	rank->st = r ? VAL_KNOWN : VAL_UNKNOWN;
	return ERR_OK;
}

/* One value of fact `f` at JSON path `path` into *v. */
static enum err fact_value(struct facts *fx, int f, json_t *j, struct val *v, const char *path,
                           struct err_detail *d)
{
	const struct fact_def *def = &fact_defs[f];
	/*
	 * null means "none" for facts where that is the natural reading (no award) and
	 * "unknown" otherwise (docs/FACTS.md); an award's rank follows its years_ago
	 */
	if (json_is_null(j)) {
		v->st = def->null_is_none ? VAL_NONE : VAL_UNKNOWN;
		if (def->kind == FACT_AWARD)
			fx->award_rank[f].st = v->st;
		return ERR_OK;
	}
	v->st = VAL_KNOWN;
	switch (def->kind) {
	case FACT_YEAR:
	case FACT_NUM:
		if (!num_value(j, &v->v))
			return bad(d, path, "must be a number");
		return ERR_OK;
	case FACT_BOOL:
		if (!json_is_boolean(j))
			return bad(d, path, "must be true or false");
		v->v = json_is_true(j);
		return ERR_OK;
	case FACT_ENUM: {
		const char *const *vals = facts_enum_values(f);
		for (int i = 0; json_is_string(j) && vals[i]; i++)
			if (!strcmp(vals[i], json_string_value(j))) {
				v->v = i;
				return ERR_OK;
			}
		return bad(d, path, "is not one of the allowed values");
	}
	case FACT_DATE: {
		int32_t day;
		if (!json_is_string(j) || !date_parse(json_string_value(j), &day))
			return bad(d, path, "must be a date YYYY-MM-DD");
		v->v = day;
		return ERR_OK;
	}
	case FACT_AWARD:
		if (!json_is_object(j))
			return bad(d, path, "must be an object {years_ago, rank} or null");
		return award_value(j, v, &fx->award_rank[f], path, d);
	}
	return bad(d, path, "unsupported");
}

/*
 * "years" (an object of yearly amounts per year) and "dev_scores" (one score per year) share
 * this loop. Year slots are bounded by FACTS_YEARS_MAX; a year's amounts are cleared only
 * when its slot is taken, which is what lets facts_parse skip clearing the whole struct.
 */
static enum err parse_year_map(struct facts *fx, json_t *j, bool dev, struct err_detail *d)
{
	const char *key;
	json_t *val;
	if (!json_is_object(j))
		return bad(d, dev ? "dev_scores" : "years", "must be an object keyed by year");
	json_object_foreach(j, key, val)
	{
		char path[64];
		snprintf(path, sizeof path, "%s.%s", dev ? "dev_scores" : "years", key);
		int64_t y;
		if (strlen(key) != 4 || !num_parse(key, 1900, 9999, &y))
			return bad(d, path, "must be a four-digit year");
		int *n = dev ? &fx->ndev : &fx->nyears;
		if (*n >= FACTS_YEARS_MAX)
			return bad(d, path, "too many years");
		int slot = (*n)++;
		if (dev) {
			fx->dev_year[slot] = (int)y;
			enum err e = fact_value(fx, FACTS_DEV_SCORE, val, &fx->dev[slot], path, d);
			if (e)
				return e;
			continue;
		}
		fx->year[slot] = (int)y;
		if (!json_is_object(val))
			return bad(d, path, "must be an object of that year's amounts");
		const char *k2;
		json_t *v2;
		memset(fx->by_year[slot], 0, sizeof fx->by_year[slot]);
		json_object_foreach(val, k2, v2)
		{
			/* the yearly facts come first in the table */
			int f = 0;
			while (f < FACTS_DEV_SCORE && strcmp(fact_defs[f].name, k2))
				f++;
			enum err e = f < FACTS_DEV_SCORE
			                     ? fact_value(fx, f, v2, &fx->by_year[slot][f], "", d)
			                     : ERR_INVALID;
			if (e) { /* the path is only built for the message */
				snprintf(path, sizeof path, "years.%s.%s", key, k2);
				return bad(d, path,
				           f < FACTS_DEV_SCORE ? d->message
				                               : "is not a yearly fact");
			}
		}
	}
	return ERR_OK;
}

/*
 * Titles held (tier and validity dates): the re-review rules read them.
 * Exactly three members, so a typo cannot pass as an absent value.
 */
static enum err parse_titles(struct facts *fx, json_t *j, struct err_detail *d)
{
	size_t i;
	json_t *t;
	if (!json_is_array(j))
		return bad(d, "titles", "must be an array");
	json_array_foreach(j, i, t)
	{
		json_t *tier = json_object_get(t, "tier");
		json_t *since = json_object_get(t, "since"), *until = json_object_get(t, "until");
		struct fact_title *ft = &fx->titles[fx->ntitles];
		if (fx->ntitles >= FACTS_TITLES_MAX)
			return bad(d, "titles", "too many titles");
		if (!json_is_string(tier) || json_string_length(tier) >= sizeof ft->tier)
			return bad(d, "titles", "each needs a tier");
		if (!json_is_string(since) || !date_parse(json_string_value(since), &ft->since) ||
		    !json_is_string(until) || !date_parse(json_string_value(until), &ft->until))
			return bad(d, "titles", "each needs since and until dates");
		if (json_object_size(t) != 3)
			return bad(d, "titles", "a title has only tier, since and until");
		memcpy(ft->tier, json_string_value(tier), json_string_length(tier) + 1);
		fx->ntitles++;
	}
	return ERR_OK;
}

/*
 * Codes are copied into the struct's fixed buffers: their length is the check,
 * and the rules read them after the JSON is gone
 */
static enum err copy_code(json_t *j, char *out, size_t n, const char *path, struct err_detail *d)
{
	if (json_is_null(j))
		return ERR_OK;
	if (!json_is_string(j) || json_string_length(j) >= n || json_string_length(j) == 0)
		return bad(d, path, "must be a short code string");
	memcpy(out, json_string_value(j), json_string_length(j) + 1);
	return ERR_OK;
}

static const char *const groups[] = {"ip",     "honors", "quality", "lead_product",
                                     "market", "status", NULL};

/* A sub-object such as "ip": each key is the fact "ip.KEY". */
static enum err parse_group(struct facts *fx, const char *group, json_t *j, struct err_detail *d)
{
	if (!json_is_object(j))
		return bad(d, group, "must be an object");
	const char *key;
	json_t *val;
	size_t glen = strlen(group);
	json_object_foreach(j, key, val)
	{
		int f = 0;
		for (; f < FACT__MAX; f++) /* "ip.class1": the group, a dot, the key */
			if (!strncmp(fact_defs[f].name, group, glen) &&
			    fact_defs[f].name[glen] == '.' &&
			    !strcmp(fact_defs[f].name + glen + 1, key))
				break;
		enum err e =
		        f < FACT__MAX ? fact_value(fx, f, val, &fx->scalar[f], "", d) : ERR_INVALID;
		if (e) {
			char path[96];
			snprintf(path, sizeof path, "%s.%s", group, key);
			return bad(d, path, f < FACT__MAX ? d->message : "is not a known fact");
		}
	}
	return ERR_OK;
}

/*
 * One top-level member. Identity fields (credit_code, name) are accepted for the
 * reader's benefit but not used by the rules; a yearly fact at the top level (outside
 * "years") is an unknown name, so a misplaced amount is reported instead of ignored.
 */
static enum err parse_key(struct facts *fx, const char *key, json_t *val, struct err_detail *d)
{
	if (!strcmp(key, "ref")) {
		if (!json_is_string(val))
			return bad(d, key, "must be a string");
		fx->ref = json_string_value(val);
		return ERR_OK;
	}
	if (!strcmp(key, "credit_code") || !strcmp(key, "name") || !strcmp(key, "name_en"))
		return json_is_string(val) || json_is_null(val) ? ERR_OK
		                                                : bad(d, key, "must be a string");
	if (!strcmp(key, "industry_code"))
		return copy_code(val, fx->industry, sizeof fx->industry, key, d);
	if (!strcmp(key, "province_code"))
		return copy_code(val, fx->province, sizeof fx->province, key, d);
	if (!strcmp(key, "years") || !strcmp(key, "dev_scores"))
		return parse_year_map(fx, val, key[0] == 'd', d);
	if (!strcmp(key, "titles"))
		return parse_titles(fx, val, d);
	for (int g = 0; groups[g]; g++)
		if (!strcmp(key, groups[g]))
			return parse_group(fx, key, val, d);
	int f = facts_find(key);
	if (f < 0 || fact_defs[f].kind == FACT_YEAR)
		return bad(d, key, "is not a known fact");
	return fact_value(fx, f, val, &fx->scalar[f], key, d);
}

enum err facts_parse(json_t *obj, struct facts *out, struct err_detail *d)
{
	/* Clearing the whole struct costs more than the parse of a small record. */
	out->ref = "";
	out->industry[0] = out->province[0] = '\0';
	memset(out->scalar, 0, sizeof out->scalar);
	memset(out->award_rank, 0, sizeof out->award_rank);
	out->nyears = out->ndev = out->ntitles = 0; /* a year's slots are cleared when used */
	/* "review" is a mode, not a measurement: absent means a new application. */
	out->scalar[FACTS_REVIEW] = (struct val){VAL_KNOWN, 0};
	if (!json_is_object(obj))
		return err_set(d, ERR_INVALID, "", "a facts record must be a JSON object");
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val)
	{
		enum err e = parse_key(out, key, val, d);
		if (e)
			return e;
	}
	return ERR_OK;
}

bool facts_year_bounds(const char *name, int64_t *min, int64_t *max)
{
	int f = facts_find(name);
	if (f < 0 || f >= FACTS_DEV_SCORE) /* the yearly figures come first in the table */
		return false;
	bool headcount = f == FACTS_EMPLOYEES || f == FACTS_RD_STAFF || f == FACTS_TECH_STAFF;
	*max = headcount ? LIMIT_HEADCOUNT_MAX : LIMIT_FEN_MAX;
	*min = f == FACTS_NET_PROFIT ? -LIMIT_FEN_MAX : 0;
	return true;
}

bool facts_beyond_bounds(const struct facts *fx, char *buf, size_t n)
{
	for (int i = 0; i < fx->nyears; i++)
		for (int f = 0; f < FACTS_DEV_SCORE; f++) {
			const struct val *v = &fx->by_year[i][f];
			int64_t lo, hi;
			if (v->st == VAL_KNOWN && facts_year_bounds(fact_defs[f].name, &lo, &hi) &&
			    (v->v < (double)lo || v->v > (double)hi)) {
				snprintf(buf, n, "years.%d.%s", fx->year[i], fact_defs[f].name);
				return true;
			}
		}
	return false;
}

/* A year with no entry is unknown (not zero): rules decide what missing data means */
struct val facts_year(const struct facts *fx, enum fact_id f, int year)
{
	if (f == FACTS_DEV_SCORE) {
		for (int i = 0; i < fx->ndev; i++)
			if (fx->dev_year[i] == year)
				return fx->dev[i];
		return (struct val){VAL_UNKNOWN, 0};
	}
	for (int i = 0; i < fx->nyears; i++)
		if (fx->year[i] == year)
			return fx->by_year[i][f];
	return (struct val){VAL_UNKNOWN, 0};
}
