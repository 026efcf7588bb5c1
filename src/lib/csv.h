/*
 * csv: a streaming RFC 4180 reader (UTF-8, optional BOM, CRLF or LF, quoted
 * fields with "" escapes and embedded newlines). Each call returns one
 * record; fields point into the reader's buffer and stay valid until the
 * next call. The caller owns the FILE and the reader (csv_free).
 */
#ifndef TB_LIB_CSV_H
#define TB_LIB_CSV_H

#include "lib/buf.h"
#include "lib/err.h"

#include <stdbool.h>
#include <stdio.h>

struct csv {
	FILE *f;
	struct buf rec;    /* the current record's field bytes, NUL-separated */
	size_t *offs;      /* start of each field in rec */
	const char **ptrs; /* the fields handed out (cap of them, like offs) */
	int nfields, cap;
	long line; /* line where the current record started (1-based) */
	long next_line;
	bool bom_checked;
	/* input read ahead in blocks: byte-at-a-time stdio would dominate big imports */
	unsigned char *in;
	size_t in_len, in_pos;
};

void csv_init(struct csv *c, FILE *f);
void csv_free(struct csv *c);
/*
 * Read the next record. Returns ERR_OK with *n fields (and fields[i]
 * pointers, valid until the next call), ERR_NOT_FOUND at end of input, or
 * ERR_MALFORMED / ERR_TOO_LARGE with the line in d.
 */
enum err csv_next(struct csv *c, const char ***fields, int *n, struct err_detail *d);

/* Append s to out as one CSV field (quoted when needed). */
void csv_put_field(struct buf *out, const char *s);

#endif
