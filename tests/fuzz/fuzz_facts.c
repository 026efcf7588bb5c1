/*
 * fuzz_facts: the facts parser (core/facts) over arbitrary bytes, parsed as
 * JSON the way `techbridge evaluate` reads a record. Invariants (abort on a
 * breach):
 *   - facts_parse returns ERR_OK or ERR_INVALID; a rejection has a message
 *     and, for an object, a d->field whose first part is one of its keys;
 *   - an accepted record holds only what the table allows: known numbers
 *     finite, booleans 0 or 1, enum values within their lists, dates that
 *     format and parse back, at most FACTS_YEARS_MAX distinct four-digit
 *     years, at most FACTS_TITLES_MAX titles, codes NUL-terminated;
 *   - facts_year finds every parsed year's values;
 *   - round trip: the record written back as canonical JSON (unknown facts
 *     left out, "none" as null; an unknown "review" as null, since absent
 *     it means false) parses to the same facts.
 */
#include "core/gradient/facts.h"
#include "lib/date.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_val(struct val a, struct val b)
{
	return a.st == b.st && (a.st != VAL_KNOWN || a.v == b.v);
}

static size_t enum_count(enum fact_id f)
{
	size_t n = 0;
	for (const char *const *v = facts_enum_values(f); v && v[n]; n++)
		;
	return n;
}

static void check_val(enum fact_id f, struct val v)
{
	if (v.st > VAL_KNOWN)
		abort();
	if (v.st != VAL_KNOWN)
		return;
	if (!isfinite(v.v))
		abort();
	switch (facts_kind(f)) {
	case FACT_BOOL:
		if (v.v != 0 && v.v != 1)
			abort();
		break;
	case FACT_ENUM:
		if (v.v < 0 || v.v >= (double)enum_count(f) || v.v != floor(v.v))
			abort();
		break;
	case FACT_DATE: {
		char s[DATE_STR];
		int32_t back;
		date_format((int32_t)v.v, s);
		if (v.v != floor(v.v) || !date_parse(s, &back) || back != v.v)
			abort();
		break;
	}
	default: break;
	}
}

/* Years are four digits and distinct. */
static void check_years(const int *years, int n)
{
	for (int i = 0; i < n; i++) {
		if (years[i] < 1900 || years[i] > 9999)
			abort();
		for (int k = 0; k < i; k++)
			if (years[k] == years[i])
				abort();
	}
}

static void check_facts(const struct facts *fx)
{
	if (!fx->ref || fx->nyears < 0 || fx->nyears > FACTS_YEARS_MAX || fx->ndev < 0 ||
	    fx->ndev > FACTS_YEARS_MAX || fx->ntitles < 0 || fx->ntitles > FACTS_TITLES_MAX ||
	    !memchr(fx->industry, 0, sizeof fx->industry) ||
	    !memchr(fx->province, 0, sizeof fx->province))
		abort();
	for (int f = 0; f < FACT__MAX; f++) {
		if (facts_kind(f) != FACT_YEAR)
			check_val(f, fx->scalar[f]);
		if (facts_kind(f) == FACT_AWARD)
			check_val(FACTS_MAKER_RANK, fx->award_rank[f]); /* a number */
	}
	check_years(fx->year, fx->nyears);
	check_years(fx->dev_year, fx->ndev);
	for (int i = 0; i < fx->nyears; i++) {
		for (int f = 0; f < FACTS_DEV_SCORE; f++) {
			check_val(f, fx->by_year[i][f]);
			if (!same_val(facts_year(fx, f, fx->year[i]), fx->by_year[i][f]))
				abort();
		}
	}
	for (int i = 0; i < fx->ndev; i++) {
		check_val(FACTS_DEV_SCORE, fx->dev[i]);
		if (!same_val(facts_year(fx, FACTS_DEV_SCORE, fx->dev_year[i]), fx->dev[i]))
			abort();
	}
	for (int i = 0; i < fx->ntitles; i++) {
		char s[DATE_STR];
		int32_t back;
		if (!memchr(fx->titles[i].tier, 0, sizeof fx->titles[i].tier))
			abort();
		date_format(fx->titles[i].since, s);
		if (!date_parse(s, &back) || back != fx->titles[i].since)
			abort();
		date_format(fx->titles[i].until, s);
		if (!date_parse(s, &back) || back != fx->titles[i].until)
			abort();
	}
}

static json_t *num(struct val v)
{
	json_t *j = json_real(v.v);
	if (!j)
		abort();
	return j;
}

/* The JSON place of a non-yearly fact: the record, or the group before the dot. */
static json_t *place(json_t *o, const char *name, const char **key)
{
	const char *dot = strchr(name, '.');
	if (!dot) {
		*key = name;
		return o;
	}
	char group[32];
	snprintf(group, sizeof group, "%.*s", (int)(dot - name), name);
	json_t *g = json_object_get(o, group);
	if (!g)
		json_object_set_new(o, group, g = json_object());
	*key = dot + 1;
	return g;
}

static json_t *scalar_json(const struct facts *fx, enum fact_id f)
{
	struct val v = fx->scalar[f];
	if (facts_kind(f) == FACT_AWARD) {
		struct val r = fx->award_rank[f];
		if (v.st == VAL_NONE)
			return json_null();
		if (v.st == VAL_UNKNOWN && r.st == VAL_UNKNOWN)
			return NULL;
		json_t *o = json_object();
		if (v.st == VAL_KNOWN)
			json_object_set_new(o, "years_ago", num(v));
		if (r.st == VAL_KNOWN)
			json_object_set_new(o, "rank", num(r));
		return o;
	}
	if (v.st == VAL_NONE)
		return json_null();
	if (v.st == VAL_UNKNOWN) /* left out, unless absence means something ("review": false) */
		return f == FACTS_REVIEW ? json_null() : NULL;
	char s[DATE_STR];
	switch (facts_kind(f)) {
	case FACT_BOOL: return json_boolean(v.v != 0);
	case FACT_ENUM: return json_string(facts_enum_values(f)[(int)v.v]);
	case FACT_DATE: date_format((int32_t)v.v, s); return json_string(s);
	default: return num(v);
	}
}

/* The canonical JSON of a parsed record. */
static json_t *to_json(const struct facts *fx)
{
	json_t *o = json_object();
	if (fx->ref[0])
		json_object_set_new(o, "ref", json_string(fx->ref));
	if (fx->industry[0])
		json_object_set_new(o, "industry_code", json_string(fx->industry));
	if (fx->province[0])
		json_object_set_new(o, "province_code", json_string(fx->province));
	for (int f = 0; f < FACT__MAX; f++) {
		if (facts_kind(f) == FACT_YEAR)
			continue;
		json_t *v = scalar_json(fx, f);
		if (!v)
			continue;
		const char *key;
		json_t *in = place(o, facts_name(f), &key);
		json_object_set_new(in, key, v);
	}
	char y[16];
	if (fx->nyears) {
		json_t *years = json_object();
		for (int i = 0; i < fx->nyears; i++) {
			json_t *yo = json_object();
			for (int f = 0; f < FACTS_DEV_SCORE; f++)
				if (fx->by_year[i][f].st == VAL_KNOWN)
					json_object_set_new(yo, facts_name(f),
					                    num(fx->by_year[i][f]));
			snprintf(y, sizeof y, "%d", fx->year[i]);
			json_object_set_new(years, y, yo);
		}
		json_object_set_new(o, "years", years);
	}
	if (fx->ndev) {
		json_t *dev = json_object();
		for (int i = 0; i < fx->ndev; i++) {
			snprintf(y, sizeof y, "%d", fx->dev_year[i]);
			json_object_set_new(
			        dev, y, fx->dev[i].st == VAL_KNOWN ? num(fx->dev[i]) : json_null());
		}
		json_object_set_new(o, "dev_scores", dev);
	}
	if (fx->ntitles) {
		json_t *titles = json_array();
		for (int i = 0; i < fx->ntitles; i++) {
			char since[DATE_STR], until[DATE_STR];
			date_format(fx->titles[i].since, since);
			date_format(fx->titles[i].until, until);
			json_array_append_new(titles, json_pack("{s:s, s:s, s:s}", "tier",
			                                        fx->titles[i].tier, "since", since,
			                                        "until", until));
		}
		json_object_set_new(o, "titles", titles);
	}
	return o;
}

static int year_slot(const struct facts *fx, int year)
{
	for (int i = 0; i < fx->nyears; i++)
		if (fx->year[i] == year)
			return i;
	return -1;
}

static void must_equal(const struct facts *a, const struct facts *b)
{
	if (strcmp(a->ref, b->ref) || strcmp(a->industry, b->industry) ||
	    strcmp(a->province, b->province) || a->nyears != b->nyears || a->ndev != b->ndev ||
	    a->ntitles != b->ntitles)
		abort();
	for (int f = 0; f < FACT__MAX; f++)
		if (!same_val(a->scalar[f], b->scalar[f]) ||
		    (facts_kind(f) == FACT_AWARD && !same_val(a->award_rank[f], b->award_rank[f])))
			abort();
	for (int i = 0; i < a->nyears; i++) {
		int k = year_slot(b, a->year[i]);
		if (k < 0)
			abort();
		for (int f = 0; f < FACTS_DEV_SCORE; f++)
			if (!same_val(a->by_year[i][f], b->by_year[k][f]))
				abort();
	}
	for (int i = 0; i < a->ndev; i++)
		if (!same_val(a->dev[i], facts_year(b, FACTS_DEV_SCORE, a->dev_year[i])))
			abort();
	for (int i = 0; i < a->ntitles; i++)
		if (strcmp(a->titles[i].tier, b->titles[i].tier) ||
		    a->titles[i].since != b->titles[i].since ||
		    a->titles[i].until != b->titles[i].until)
			abort();
}

/* The rejection names the member at fault: its path starts with a key of the record. */
static void check_error(json_t *obj, const struct err_detail *d)
{
	if (!d->message[0] || !memchr(d->message, 0, sizeof d->message) ||
	    !memchr(d->field, 0, sizeof d->field))
		abort();
	if (!json_is_object(obj))
		return;
	/* the field is KEY or KEY.more, cut to its size; a key may hold dots itself */
	size_t n = strlen(d->field);
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		size_t k = strlen(key);
		if (k <= n ? !strncmp(d->field, key, k) && (k == n || d->field[k] == '.')
		           : n == sizeof d->field - 1 && !strncmp(d->field, key, n))
			return;
	}
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *obj = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!obj)
		return 0;
	static struct facts fx, back;
	struct err_detail d;
	enum err e = facts_parse(obj, &fx, &d);
	if (e != ERR_OK) {
		if (e != ERR_INVALID)
			abort();
		check_error(obj, &d);
		json_decref(obj);
		return 0;
	}
	check_facts(&fx);
	json_t *canon = to_json(&fx);
	if (facts_parse(canon, &back, &d) != ERR_OK)
		abort();
	must_equal(&fx, &back);
	json_decref(canon);
	json_decref(obj);
	return 0;
}
