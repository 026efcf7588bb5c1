/* date: civil-calendar arithmetic (days-from-civil, after H. Hinnant). */
#include "date.h"

#include <stdio.h>
#include <string.h>

/*
 * The year is counted from March so the leap day is the last day of the year; eras
 * of 400 years (146097 days) make the arithmetic exact for negative years too
 */
int32_t date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void date_to_ymd(int32_t days, int *y, int *m, int *d)
{
	int z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Years 1..9999: what "YYYY-MM-DD" can write and both databases can store */
bool date_valid(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	int max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

/* Exactly n ASCII digits: sscanf or strtol would accept signs and spaces */
static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool date_parse(const char *s, int32_t *days)
{
	int y, m, d;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return false;
	if (!date_valid(y, m, d))
		return false;
	*days = date_from_ymd(y, m, d);
	return true;
}

/* Write v as exactly n decimal digits (the caller keeps v in range). */
static void put_digits(char *out, int v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
}

/*
 * A year outside 0..9999 cannot be written in four digits; it is clamped into
 * them rather than overflowing the fixed-size buffer
 */
void date_format(int32_t days, char out[DATE_STR])
{
	int y, m, d;
	date_to_ymd(days, &y, &m, &d);
	put_digits(out, y < 0 ? 0 : y % 10000, 4);
	out[4] = '-';
	put_digits(out + 5, m, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = '\0';
}

void instant_format(int64_t t, char out[INSTANT_STR])
{
	/* floor division, so instants before 1970 land on the previous day */
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int sec = (int)(t - days * 86400);
	date_format((int32_t)days, out);
	out[10] = 'T';
	put_digits(out + 11, sec / 3600, 2);
	out[13] = ':';
	put_digits(out + 14, sec / 60 % 60, 2);
	out[16] = ':';
	put_digits(out + 17, sec % 60, 2);
	out[19] = 'Z';
	out[20] = '\0';
}

bool instant_parse(const char *s, int64_t *t)
{
	int32_t days;
	char day[DATE_STR];
	int hh, mm, ss;
	if (!s || strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return false;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (!date_parse(day, &days) || !digits(s + 11, 2, &hh) || !digits(s + 14, 2, &mm) ||
	    !digits(s + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 59)
		return false;
	*t = (int64_t)days * 86400 + hh * 3600 + mm * 60 + ss;
	return true;
}

int date_weekday(int32_t days)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0) */
	int w = (int)((days % 7 + 7 + 3) % 7);
	return w;
}
