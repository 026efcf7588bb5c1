/*
 * codes: the classification codes every record refers to: GB/T 2260 region
 * codes (6 digits: province 320000, prefecture 320500, county 320505) and
 * GB/T 4754-2017 industry codes written section letter + digits (C, C34,
 * C348, C3484). Pure functions.
 */
#ifndef TB_CORE_CODES_H
#define TB_CORE_CODES_H

#include <stdbool.h>

enum region_level { REGION_PROVINCE, REGION_PREFECTURE, REGION_COUNTY, REGION__MAX };

/* Check a 6-digit region code; for fields_def.check. */
bool region_code_check(const char *s, const char **why);
/*
 * Normalise a region code given as 2, 4 or 6 digits to 6 digits in out[7];
 * false if it is not one.
 */
bool region_code_normalise(const char *s, char out[7]);
enum region_level region_code_level(const char *code6);
const char *region_level_name(enum region_level l);
/* The code of the enclosing region ("320505" -> "320500" -> "320000"); false for provinces. */
bool region_code_parent(const char *code6, char out[7]);
/*
 * The prefix that every code inside the region starts with ("32" for
 * 320000, "3205" for 320500), as the half-open range [lo, hi) of codes.
 */
void region_code_range(const char *code6, char lo[7], char hi[7]);
/* True when region `inner` lies in (or is) region `outer`. */
bool region_code_within(const char *inner6, const char *outer6);

/* Check an industry code (A, A01, A011, A0111); for fields_def.check. */
bool industry_code_check(const char *s, const char **why);
/* Level 1-4 of a valid industry code. */
int industry_code_level(const char *code);
/* The half-open range [lo, hi) of codes below (and including) `code`. */
void industry_code_range(const char *code, char lo[6], char hi[6]);

/* Check an ISO date (YYYY-MM-DD); for fields_def.check. */
bool date_check(const char *s, const char **why);
/* Check a web address (http:// or https://, no spaces). */
bool url_check(const char *s, const char **why);
/* Check an e-mail address (one @, a dot in the domain, no spaces). */
bool email_check(const char *s, const char **why);

#endif
