/*
 * date: calendar dates and instants without the C library's time zone state.
 * A date is a day number (days since 1970-01-01, proleptic Gregorian); an
 * instant is Unix seconds in UTC. Parsing is strict ISO 8601.
 */
#ifndef TB_LIB_DATE_H
#define TB_LIB_DATE_H

#include <stdbool.h>
#include <stdint.h>

enum { DATE_STR = 11, INSTANT_STR = 21 }; /* buffer sizes incl. NUL */

/* Days since 1970-01-01 of y-m-d; the caller checks validity with date_valid. */
int32_t date_from_ymd(int y, int m, int d);
void date_to_ymd(int32_t days, int *y, int *m, int *d);
bool date_valid(int y, int m, int d);
/* Parse "YYYY-MM-DD" exactly; false for anything else or an impossible date. */
bool date_parse(const char *s, int32_t *days);
/* Write "YYYY-MM-DD" into out[DATE_STR]. */
void date_format(int32_t days, char out[DATE_STR]);
/* Write "YYYY-MM-DDThh:mm:ssZ" into out[INSTANT_STR]. */
void instant_format(int64_t unix_s, char out[INSTANT_STR]);
/* Parse RFC 3339 "YYYY-MM-DDThh:mm:ssZ" (UTC only). */
bool instant_parse(const char *s, int64_t *unix_s);
/* Day of week of a day number: 0 = Monday .. 6 = Sunday. */
int date_weekday(int32_t days);

#endif
