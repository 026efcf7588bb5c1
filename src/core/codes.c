/* codes: region and industry code rules. */
#include "core/codes.h"

#include "lib/date.h"

#include <string.h>

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * Structure only: whether the region exists is the regions table's business (a
 * code can be valid before its region is loaded). 00 cannot be a province, and
 * a county needs its prefecture.
 */
bool region_code_check(const char *s, const char **why)
{
	if (strlen(s) != 6 || !all_digits(s, 6)) {
		*why = "must be a 6-digit GB/T 2260 region code";
		return false;
	}
	if (!strncmp(s, "00", 2)) {
		*why = "is not a region code: the province part is 00";
		return false;
	}
	if (!strncmp(s + 2, "00", 2) && strncmp(s + 4, "00", 2)) {
		*why = "is not a region code: a county code needs a prefecture part";
		return false;
	}
	return true;
}

bool region_code_normalise(const char *s, char out[7])
{
	size_t n = strlen(s);
	if ((n != 2 && n != 4 && n != 6) || !all_digits(s, n))
		return false;
	memcpy(out, s, n);
	memset(out + n, '0', 6 - n);
	out[6] = '\0';
	const char *why;
	return region_code_check(out, &why);
}

/*
 * The level is read from the trailing zero pairs: 320000 province, 320500
 * prefecture, else county
 */
enum region_level region_code_level(const char *c)
{
	if (!strcmp(c + 2, "0000"))
		return REGION_PROVINCE;
	if (!strcmp(c + 4, "00"))
		return REGION_PREFECTURE;
	return REGION_COUNTY;
}

const char *region_level_name(enum region_level l)
{
	static const char *const names[REGION__MAX] = {"province", "prefecture", "county"};
	return l < REGION__MAX ? names[l] : "?";
}

bool region_code_parent(const char *c, char out[7])
{
	enum region_level l = region_code_level(c);
	if (l == REGION_PROVINCE)
		return false;
	memcpy(out, c, 7);
	if (l == REGION_COUNTY)
		memcpy(out + 4, "00", 2);
	else
		memcpy(out + 2, "0000", 4);
	return true;
}

/* Increment a digit string as a number of the same width ("32" -> "33", "39" -> "3:"). */
static void code_successor(char *s, size_t n)
{
	s[n - 1]++; /* '9' + 1 is ':', which sorts after every digit: no carry needed */
}

/*
 * A region's codes share a prefix (trailing "00" pairs dropped), so "inside
 * the region" is a string range that an index can serve: lo <= code < hi
 */
void region_code_range(const char *c, char lo[7], char hi[7])
{
	size_t n = 6;
	while (n > 2 && !strncmp(c + n - 2, "00", 2))
		n -= 2;
	memcpy(lo, c, n);
	lo[n] = '\0';
	memcpy(hi, c, n);
	hi[n] = '\0';
	code_successor(hi, n);
}

bool region_code_within(const char *inner, const char *outer)
{
	char lo[7], hi[7];
	region_code_range(outer, lo, hi);
	return strcmp(inner, lo) >= 0 && strcmp(inner, hi) < 0;
}

/*
 * Lengths 1, 3, 4 and 5 are the section, division, group and class levels; no
 * level is written with a single digit, so length 2 is refused
 */
bool industry_code_check(const char *s, const char **why)
{
	size_t n = strlen(s);
	if (n < 1 || n > 5 || s[0] < 'A' || s[0] > 'T' || !all_digits(s + 1, n - 1) || n == 2) {
		*why = "must be a GB/T 4754-2017 code: a section letter A-T and 2, 3 or 4 digits";
		return false;
	}
	return true;
}

int industry_code_level(const char *code)
{
	size_t n = strlen(code);
	return n <= 1 ? 1 : (int)n - 1;
}

void industry_code_range(const char *code, char lo[6], char hi[6])
{
	size_t n = strlen(code);
	if (n > 5)
		n = 5;
	memcpy(lo, code, n);
	lo[n] = '\0';
	memcpy(hi, code, n);
	hi[n] = '\0';
	code_successor(hi, n);
}

bool date_check(const char *s, const char **why)
{
	int32_t days;
	if (!date_parse(s, &days)) {
		*why = "must be a date YYYY-MM-DD";
		return false;
	}
	return true;
}

/*
 * Only http and https, so a stored link opened from the web UI cannot be a javascript:
 * or data: address; quotes and angle brackets could break out of an HTML attribute.
 */
bool url_check(const char *s, const char **why)
{
	if ((strncmp(s, "http://", 7) && strncmp(s, "https://", 8)) || strpbrk(s, " \t\"<>")) {
		*why = "must be an http:// or https:// address without spaces";
		return false;
	}
	return true;
}

/*
 * A plausibility check, not RFC 5322: enough to catch a typo before mail is sent to it. The
 * characters refused would break the SMTP envelope or a header (lib/smtp.c checks again).
 */
bool email_check(const char *s, const char **why)
{
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
	    strpbrk(s, " \t<>\"")) {
		*why = "must be an e-mail address";
		return false;
	}
	return true;
}
