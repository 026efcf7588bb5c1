/* workdays: the working-day calendar from the yearly holiday files. */
#include "core/workdays.h"

#include "lib/date.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Compared, not subtracted: the difference of two int32 day numbers could overflow */
static int cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static bool has_day(const int32_t *days, int n, int32_t day)
{
	return n > 0 && bsearch(&day, days, (size_t)n, sizeof *days, cmp_day) != NULL;
}

/* A date string inside `year` into *day, or an error naming `field`. */
static enum err year_date(json_t *v, int year, const char *field, int32_t *day,
                          struct err_detail *d)
{
	const char *s = json_string_value(v);
	if (!s || !date_parse(s, day))
		return err_set(d, ERR_INVALID, field, "must be a date YYYY-MM-DD");
	if (*day < date_from_ymd(year, 1, 1) || *day >= date_from_ymd(year + 1, 1, 1))
		return err_set(d, ERR_INVALID, field, "%s is not in %d", s, year);
	return ERR_OK;
}

/* The holiday ranges of one file into w (the caller restores w on failure). */
static enum err add_holidays(struct workdays *w, json_t *list, int year, struct err_detail *d)
{
	size_t i;
	json_t *h;
	if (!json_is_array(list))
		return err_set(d, ERR_INVALID, "holidays", "must be an array");
	json_array_foreach(list, i, h)
	{
		int32_t from, to;
		enum err e;
		if (!json_is_object(h))
			return err_set(d, ERR_INVALID, "holidays", "items must be objects");
		if ((e = year_date(json_object_get(h, "from"), year, "holidays.from", &from, d)) ||
		    (e = year_date(json_object_get(h, "to"), year, "holidays.to", &to, d)))
			return e;
		if (to < from)
			return err_set(d, ERR_INVALID, "holidays.to", "is before from");
		for (int32_t k = from; k <= to; k++) {
			if (w->noff == WORKDAYS_OFF_MAX)
				return err_set(d, ERR_INVALID, "holidays", "too many days");
			w->off[w->noff++] = k;
		}
	}
	return ERR_OK;
}

/*
 * Adjusted working days: weekend days that the yearly notice makes working
 * days (the other side of a long holiday)
 */
static enum err add_workdays(struct workdays *w, json_t *list, int year, struct err_detail *d)
{
	size_t i;
	json_t *v;
	if (!json_is_array(list))
		return err_set(d, ERR_INVALID, "workdays", "must be an array");
	json_array_foreach(list, i, v)
	{
		int32_t day;
		enum err e = year_date(v, year, "workdays", &day, d);
		if (e)
			return e;
		if (w->non == WORKDAYS_ON_MAX)
			return err_set(d, ERR_INVALID, "workdays", "too many days");
		w->on[w->non++] = day;
	}
	return ERR_OK;
}

enum err workdays_add_year(struct workdays *w, const char *text, size_t len, struct err_detail *d)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(root)) {
		json_decref(root);
		return err_set(d, ERR_INVALID, "", "not a JSON object (line %d)", je.line);
	}
	json_t *y = json_object_get(root, "year");
	enum err e = ERR_OK;
	/*
	 * a copy of the whole calendar, restored on any failure, so a bad file leaves
	 * no days behind
	 */
	struct workdays keep = *w;
	int year = json_is_integer(y) ? (int)json_integer_value(y) : 0;
	/* a plausibility bound that catches a typo'd year before it silently misses every date */
	if (year < 1990 || year > 2100)
		e = err_set(d, ERR_INVALID, "year", "must be a year");
	else if (workdays_knows_year(w, year))
		e = err_set(d, ERR_INVALID, "year", "%d is given twice", year);
	else if (w->nyears == WORKDAYS_YEARS_MAX)
		e = err_set(d, ERR_INVALID, "year", "too many years");
	if (!e && !(e = add_holidays(w, json_object_get(root, "holidays"), year, d)))
		e = add_workdays(w, json_object_get(root, "workdays"), year, d);
	json_decref(root);
	if (e) {
		*w = keep;
		return e;
	}
	w->years[w->nyears++] = year;
	/* sorted once here so the look-ups in workdays_is_working are binary searches */
	qsort(w->off, (size_t)w->noff, sizeof w->off[0], cmp_day);
	qsort(w->on, (size_t)w->non, sizeof w->on[0], cmp_day);
	return ERR_OK;
}

bool workdays_knows_year(const struct workdays *w, int year)
{
	for (int i = 0; i < w->nyears; i++)
		if (w->years[i] == year)
			return true;
	return false;
}

bool workdays_is_working(const struct workdays *w, int32_t day)
{
	int wd = (int)(((day % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday; 0 = Sunday */
	if (has_day(w->off, w->noff, day))
		return false;
	if (wd == 0 || wd == 6)
		return has_day(w->on, w->non, day);
	return true;
}

/*
 * Day by day: deadlines are a few dozen working days, and a year without a
 * file still ends (only weekends rest)
 */
int32_t workdays_add(const struct workdays *w, int32_t day, int n)
{
	while (n > 0) {
		day++;
		if (workdays_is_working(w, day))
			n--;
	}
	return day;
}

int workdays_between(const struct workdays *w, int32_t from, int32_t to)
{
	int n = 0;
	for (int32_t k = from + 1; k <= to; k++)
		n += workdays_is_working(w, k);
	return n;
}
