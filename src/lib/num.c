/* num: bounded decimal parsing. */
#include "num.h"

#include <string.h>

/*
 * Strict: an optional '-' and digits, nothing else (no spaces, '+' or hex as strtoll
 * accepts), and overflow is refused before it happens. More than 20 bytes cannot be an int64.
 */
bool num_parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	if (!s || n == 0 || n > 20)
		return false;
	bool neg = s[0] == '-';
	size_t i = neg ? 1 : 0;
	if (i == n)
		return false;
	uint64_t v = 0;
	/* magnitude limit: |INT64_MIN| for negatives */
	uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (lim - d) / 10)
			return false;
		v = v * 10 + d;
	}
	int64_t r = neg ? (int64_t)(0 - v) : (int64_t)v;
	if (r < min || r > max)
		return false;
	*out = r;
	return true;
}

bool num_parse(const char *s, int64_t min, int64_t max, int64_t *out)
{
	return s && num_parse_i64(s, strlen(s), min, max, out);
}
