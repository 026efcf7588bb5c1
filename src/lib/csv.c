/* csv: RFC 4180 reading and writing. */
#include "lib/csv.h"

#include "lib/limits.h"

#include <stdlib.h>
#include <string.h>

void csv_init(struct csv *c, FILE *f)
{
	memset(c, 0, sizeof *c);
	c->f = f;
	c->next_line = 1;
}

void csv_free(struct csv *c)
{
	buf_free(&c->rec);
	free(c->offs);
	free(c->ptrs);
	free(c->in);
	c->in = NULL;
	c->offs = NULL;
	c->ptrs = NULL;
}

static void field_start(struct csv *c)
{
	if (c->nfields == c->cap) { /* grown here, never per record: realloc takes a lock */
		c->cap = c->cap ? c->cap * 2 : 32;
		c->offs = xrealloc(c->offs, sizeof *c->offs * (size_t)c->cap);
		c->ptrs = xrealloc(c->ptrs, sizeof *c->ptrs * (size_t)c->cap);
	}
	c->offs[c->nfields++] = c->rec.len;
}

enum { CSV_BLOCK = 1 << 16 };

/* The next input byte, or EOF. */
static inline int csv_getc(struct csv *c)
{
	if (c->in_pos == c->in_len) {
		if (!c->in)
			c->in = xmalloc(CSV_BLOCK);
		c->in_len = fread(c->in, 1, CSV_BLOCK, c->f);
		c->in_pos = 0;
		if (c->in_len == 0)
			return EOF;
	}
	return c->in[c->in_pos++];
}

/* Look at the next byte without taking it. */
static inline int csv_peek(struct csv *c)
{
	int ch = csv_getc(c);
	if (ch != EOF)
		c->in_pos--;
	return ch;
}

/*
 * Both limits stop a file without line breaks (or with one unclosed quote)
 * from growing the record buffer until buf's hard limit aborts the process
 */
static enum err csv_limit(struct csv *c, struct err_detail *d)
{
	d->line = c->line;
	return err_set(d, ERR_TOO_LARGE, "", "record longer than %d bytes", LIMIT_CSV_LINE_BYTES);
}

/* Read one physical record into c->rec / c->offs. */
static enum err csv_read(struct csv *c, struct err_detail *d)
{
	buf_reset(&c->rec);
	c->nfields = 0;
	c->line = c->next_line;
	int ch = csv_getc(c);
	/*
	 * A UTF-8 byte order mark is accepted once, at the start of the file
	 * (spreadsheets write one)
	 */
	if (!c->bom_checked) {
		c->bom_checked = true;
		if (ch == 0xEF) {
			if (csv_getc(c) != 0xBB || csv_getc(c) != 0xBF) {
				d->line = c->line;
				return err_set(d, ERR_MALFORMED, "", "bad byte order mark");
			}
			ch = csv_getc(c);
		}
	}
	if (ch == EOF)
		return ERR_NOT_FOUND;
	bool quoted = false, in_field = false;
	field_start(c);
	for (;; ch = csv_getc(c)) {
		/*
		 * checked before each byte or run is taken, so a record can exceed a limit by
		 * one run at most
		 */
		if (c->rec.len > LIMIT_CSV_LINE_BYTES ||
		    c->rec.len - c->offs[c->nfields - 1] > LIMIT_CSV_FIELD_BYTES)
			return csv_limit(c, d);
		if (quoted) {
			if (ch == EOF) {
				d->line = c->line;
				return err_set(d, ERR_MALFORMED, "", "quoted field not closed");
			}
			if (ch == '"') {
				if (csv_peek(c) == '"') {
					csv_getc(c);
					buf_putc(&c->rec, '"');
				} else {
					quoted = false;
				}
				continue;
			}
			if (ch == '\n')
				c->next_line++;
			/* this byte, then the run up to the next quote or newline, in one append */
			size_t end = c->in_pos;
			while (end < c->in_len && c->in[end] != '"' && c->in[end] != '\n')
				end++;
			buf_putc(&c->rec, (char)ch);
			buf_append(&c->rec, c->in + c->in_pos, end - c->in_pos);
			c->in_pos = end;
			continue;
		}
		/*
		 * a quote opens a quoted field only as its first byte; elsewhere it is data,
		 * as spreadsheets read it
		 */
		if (ch == '"' && !in_field) {
			quoted = in_field = true;
			continue;
		}
		if (ch == ',') {
			buf_putc(&c->rec, '\0');
			if (c->nfields >= LIMIT_CSV_COLUMNS) {
				d->line = c->line;
				return err_set(d, ERR_TOO_LARGE, "", "more than %d columns",
				               LIMIT_CSV_COLUMNS);
			}
			field_start(c);
			in_field = false;
			continue;
		}
		/* CRLF, a lone CR and LF all end a record */
		if (ch == '\r') {
			if (csv_peek(c) == '\n')
				csv_getc(c);
			ch = '\n';
		}
		if (ch == '\n' || ch == EOF) {
			c->next_line++;
			break;
		}
		/* this byte, then the plain run up to the next special one, in one append */
		size_t end = c->in_pos;
		while (end < c->in_len && c->in[end] != ',' && c->in[end] != '"' &&
		       c->in[end] != '\r' && c->in[end] != '\n')
			end++;
		buf_putc(&c->rec, (char)ch);
		buf_append(&c->rec, c->in + c->in_pos, end - c->in_pos);
		c->in_pos = end;
		in_field = true;
	}
	buf_putc(&c->rec, '\0');
	return ERR_OK;
}

enum err csv_next(struct csv *c, const char ***fields, int *n, struct err_detail *d)
{
	enum err e;
	do {
		if ((e = csv_read(c, d)))
			return e;
	} while (c->nfields == 1 && c->rec.len == 1); /* an empty line is not a record */
	for (int i = 0; i < c->nfields; i++)
		c->ptrs[i] = c->rec.data + c->offs[i];
	*fields = c->ptrs;
	*n = c->nfields;
	return ERR_OK;
}

/* Quoted only when RFC 4180 requires it, so plain values stay readable and diffable */
void csv_put_field(struct buf *out, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(out, '"');
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}
