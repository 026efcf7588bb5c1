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
	c->offs = NULL;
	c->ptrs = NULL;
}

static void field_start(struct csv *c)
{
	if (c->nfields == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->offs = xrealloc(c->offs, sizeof *c->offs * (size_t)c->cap);
	}
	c->offs[c->nfields++] = c->rec.len;
}

/* Read one physical record into c->rec / c->offs. */
static enum err csv_read(struct csv *c, struct err_detail *d)
{
	buf_reset(&c->rec);
	c->nfields = 0;
	c->line = c->next_line;
	int ch = getc(c->f);
	if (!c->bom_checked) {
		c->bom_checked = true;
		if (ch == 0xEF) {
			if (getc(c->f) != 0xBB || getc(c->f) != 0xBF) {
				d->line = c->line;
				return err_set(d, ERR_MALFORMED, "", "bad byte order mark");
			}
			ch = getc(c->f);
		}
	}
	if (ch == EOF)
		return ERR_NOT_FOUND;
	bool quoted = false, in_field = false;
	field_start(c);
	for (;; ch = getc(c->f)) {
		if (c->rec.len - c->offs[c->nfields - 1] > LIMIT_CSV_FIELD_BYTES ||
		    c->rec.len > LIMIT_CSV_LINE_BYTES) {
			d->line = c->line;
			return err_set(d, ERR_TOO_LARGE, "", "record longer than %d bytes",
			               LIMIT_CSV_LINE_BYTES);
		}
		if (quoted) {
			if (ch == EOF) {
				d->line = c->line;
				return err_set(d, ERR_MALFORMED, "", "quoted field not closed");
			}
			if (ch == '"') {
				int nx = getc(c->f);
				if (nx == '"') {
					buf_putc(&c->rec, '"');
					continue;
				}
				quoted = false;
				ungetc(nx, c->f);
				continue;
			}
			if (ch == '\n')
				c->next_line++;
			buf_putc(&c->rec, (char)ch);
			continue;
		}
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
		if (ch == '\r') {
			int nx = getc(c->f);
			if (nx != '\n')
				ungetc(nx, c->f);
			ch = '\n';
		}
		if (ch == '\n' || ch == EOF) {
			c->next_line++;
			break;
		}
		buf_putc(&c->rec, (char)ch);
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
	c->ptrs = xrealloc(c->ptrs, sizeof *c->ptrs * (size_t)c->cap);
	for (int i = 0; i < c->nfields; i++)
		c->ptrs[i] = c->rec.data + c->offs[i];
	*fields = c->ptrs;
	*n = c->nfields;
	return ERR_OK;
}

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
