/* jw: streaming JSON writer. */
#include "jw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_init(struct jw *w, struct buf *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->first[0] = true;
}

/* Comma before a value unless it is the first at its depth or follows a key. */
static void jw_sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		buf_putc(w->out, ',');
	w->first[w->depth] = false;
}

static void jw_open(struct jw *w, char c)
{
	jw_sep(w);
	buf_putc(w->out, c);
	if (w->depth + 1 >= JW_DEPTH_MAX)
		abort(); /* nesting is bounded by our own code, never by input */
	w->first[++w->depth] = true;
}

/* depth never goes below 0, so an extra close writes bad JSON rather than corrupting memory */
static void jw_close(struct jw *w, char c)
{
	buf_putc(w->out, c);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj_open(struct jw *w)
{
	jw_open(w, '{');
}

void jw_obj_close(struct jw *w)
{
	jw_close(w, '}');
}

void jw_arr_open(struct jw *w)
{
	jw_open(w, '[');
}

void jw_arr_close(struct jw *w)
{
	jw_close(w, ']');
}

/*
 * Length of a valid UTF-8 sequence starting at s (at most n bytes), or 0. The
 * rules of the input side (fields.c): an overlong form or a surrogate is not
 * passed through, so the output is valid UTF-8 whatever the database holds.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	unsigned cp = c & (0xFF >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* Byte classes: 0 copied as is, 1 escaped, 2 starts a multi-byte sequence to check. */
static const unsigned char jw_class[256] = {
        [0 ... 0x1F] = 1,
        ['"'] = 1,
        ['\\'] = 1,
        [0x80 ... 0xFF] = 2,
};

/*
 * Only what JSON requires is escaped ('"', '\\', control characters); other text, including
 * non-ASCII, is copied in runs. Invalid bytes become U+FFFD instead of failing the response.
 */
void jw_escape(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t start = 0, i = 0; /* p[start..i) is copied verbatim in one append */
	while (i < n) {
		unsigned char cls = jw_class[p[i]];
		if (cls == 0) {
			i++;
			continue;
		}
		if (cls == 2) {
			size_t l = utf8_seq_len(p + i, n - i);
			if (l) {
				i += l;
				continue;
			}
		}
		buf_append(out, p + start, i - start);
		unsigned char c = p[i++];
		start = i;
		switch (c) {
		case '"': buf_append(out, "\\\"", 2); break;
		case '\\': buf_append(out, "\\\\", 2); break;
		case '\n': buf_append(out, "\\n", 2); break;
		case '\r': buf_append(out, "\\r", 2); break;
		case '\t': buf_append(out, "\\t", 2); break;
		default:
			if (c < 0x20) {
				char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
				buf_append(out, e, 6);
			} else {
				buf_append(out, "\xEF\xBF\xBD", 3); /* invalid UTF-8 byte */
			}
		}
	}
	buf_append(out, p + start, n - start);
}

void jw_key(struct jw *w, const char *key)
{
	/* keys are the program's own identifiers: nothing in them needs escaping */
	jw_sep(w);
	buf_putc(w->out, '"');
	buf_puts(w->out, key);
	buf_append(w->out, "\":", 2);
	w->after_key = true;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	jw_sep(w);
	buf_putc(w->out, '"');
	jw_escape(w->out, s, n);
	buf_putc(w->out, '"');
}

void jw_str(struct jw *w, const char *s)
{
	if (!s)
		jw_null(w);
	else
		jw_strn(w, s, strlen(s));
}

void jw_i64(struct jw *w, int64_t v)
{
	jw_sep(w);
	buf_put_i64(w->out, v);
}

void jw_f64(struct jw *w, double v)
{
	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	char tmp[32];
	/* the shortest of %.15g..%.17g that reads back exactly */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	jw_sep(w);
	buf_puts(w->out, tmp);
}

void jw_bool(struct jw *w, bool v)
{
	jw_sep(w);
	buf_puts(w->out, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	jw_sep(w);
	buf_puts(w->out, "null");
}

void jw_raw(struct jw *w, const char *json)
{
	jw_sep(w);
	buf_puts(w->out, json);
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_ki64(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_i64(w, v);
}

void jw_kbool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}
