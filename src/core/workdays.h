/*
 * workdays: China's working-day calendar. Weekends are rest days except the
 * adjusted working days (调休上班) of the State Council's yearly notice, and
 * public holidays are rest days; both come from data files, one per year
 * (rules/holidays/YYYY.json). Years without a file count weekdays only.
 * Pure: the caller reads the files and passes their text.
 *
 * Ownership: a struct workdays is a plain caller-owned value (no heap).
 */
#ifndef TB_CORE_WORKDAYS_H
#define TB_CORE_WORKDAYS_H

#include "lib/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { WORKDAYS_YEARS_MAX = 16, WORKDAYS_OFF_MAX = 512, WORKDAYS_ON_MAX = 128 };

struct workdays {
	int nyears;
	int years[WORKDAYS_YEARS_MAX]; /* years that have a file */
	int noff, non;
	int32_t off[WORKDAYS_OFF_MAX]; /* holiday days (day numbers), sorted */
	int32_t on[WORKDAYS_ON_MAX];   /* adjusted working days on weekends, sorted */
};

/*
 * Add one year's file (`text`, `len` bytes). A malformed file, a date outside
 * its year, a holiday range running backwards or a year given twice is
 * ERR_INVALID naming the JSON member; `w` is then unchanged.
 */
enum err workdays_add_year(struct workdays *w, const char *text, size_t len, struct err_detail *d);
/* Whether `day` (days since 1970-01-01) is a working day. */
bool workdays_is_working(const struct workdays *w, int32_t day);
/* The n-th working day after `day` (n >= 1); `day` itself when n <= 0. */
int32_t workdays_add(const struct workdays *w, int32_t day, int n);
/* Working days in (from, to]; 0 when to <= from. */
int workdays_between(const struct workdays *w, int32_t from, int32_t to);
/* Whether the calendar has a file for `year` (else only weekends are known). */
bool workdays_knows_year(const struct workdays *w, int year);

#endif
