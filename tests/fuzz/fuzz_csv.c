/* fuzz_csv: the CSV reader over arbitrary bytes, checking its framing invariants. */
#include "lib/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	FILE *f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	struct csv c;
	csv_init(&c, f);
	const char **fields;
	int n;
	struct err_detail d = {0};
	long last = 0;
	while (csv_next(&c, &fields, &n, &d) == ERR_OK) {
		if (n < 1 || c.line <= last) /* lines only move forward */
			abort();
		last = c.line;
		for (int i = 0; i < n; i++)
			(void)strlen(fields[i]);
	}
	csv_free(&c);
	fclose(f);
	return 0;
}
