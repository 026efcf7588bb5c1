/* fuzz_codes: credit, region and industry code checks agree with their own generators. */
#include "core/codes.h"
#include "core/uscc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[32];
	size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
	memcpy(s, data, n);
	s[n] = '\0';
	const char *why;
	if (uscc_valid(s, &why) && (strlen(s) != 18 || uscc_check_char(s) != s[17]))
		abort();
	char c[7], p[7], lo[7], hi[7];
	if (region_code_normalise(s, c)) {
		region_code_range(c, lo, hi);
		if (!region_code_within(c, c))
			abort();
		if (region_code_parent(c, p) && !region_code_within(c, p))
			abort();
	}
	if (industry_code_check(s, &why)) {
		char ilo[6], ihi[6];
		industry_code_range(s, ilo, ihi);
		if (strcmp(s, ilo) < 0 || strcmp(s, ihi) >= 0)
			abort();
	}
	return 0;
}
