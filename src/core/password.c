/* password: binary search of the embedded common-password list. */
#include "core/password.h"

#include "lib/limits.h"

#include <string.h>

/* Compare the line starting at p (ending at '\n' or end) with the lowercased key. */
static int line_cmp(const char *key, size_t klen, const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = (size_t)((nl ? nl : end) - p);
	int c = memcmp(key, p, klen < n ? klen : n);
	if (c)
		return c;
	return klen < n ? -1 : klen > n;
}

bool password_is_common(const char *pw, const char *list, size_t len)
{
	char key[LIMIT_PASSWORD_MAX * 4 + 1];
	size_t klen = strlen(pw);
	if (klen >= sizeof key)
		return false;
	for (size_t i = 0; i < klen; i++)
		key[i] = (pw[i] >= 'A' && pw[i] <= 'Z') ? (char)(pw[i] - 'A' + 'a') : pw[i];
	key[klen] = '\0';
	if (!strcmp(key, PASSWORD_DEMO))
		return true;
	/* bisect on byte offsets, each probe moved back to the start of its line */
	const char *end = list + len;
	size_t lo = 0, hi = len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		while (mid > lo && list[mid - 1] != '\n')
			mid--;
		int c = line_cmp(key, klen, list + mid, end);
		if (c == 0)
			return true;
		if (c < 0) {
			hi = mid;
		} else {
			const char *nl = memchr(list + mid, '\n', len - mid);
			lo = nl ? (size_t)(nl - list) + 1 : len;
		}
	}
	return false;
}
