/*
 * num: the one bounded number parser. Every integer that comes from input
 * (query parameters, CSV cells, CLI flags) goes through num_parse_i64, which
 * accepts only an optional '-' and decimal digits and rejects overflow.
 */
#ifndef TB_LIB_NUM_H
#define TB_LIB_NUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse s[0..n) as a decimal integer within [min, max]; false if it is not one. */
bool num_parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);
/* The same for a NUL-terminated string. */
bool num_parse(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
