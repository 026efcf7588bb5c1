/* buf: growable buffers and the abort-on-OOM allocators. */
#include "buf.h"

#include "limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Out of memory is not an error the program recovers from: every caller would
 * need a path that is never tested, so the allocators stop the process instead
 */
static void oom(void)
{
	fputs("techbridge: out of memory\n", stderr);
	abort();
}

/* A request for 0 bytes asks for 1: malloc(0) may return NULL, which would read as OOM */
void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/*
 * Room for `extra` bytes plus the NUL. Doubling keeps appends amortised O(1); the limit
 * catches a caller that forgot to bound its input before it becomes a memory exhaustion.
 */
static void buf_reserve(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	if (need > LIMIT_BUF_BYTES) {
		fputs("techbridge: buffer limit exceeded\n", stderr);
		abort();
	}
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_append(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/* The size pass consumes a copy of the argument list; `ap` itself is used by the write */
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n <= 0)
		return;
	buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/*
 * Integers are written by hand, not with printf: the JSON writer calls this for
 * every number. The magnitude is taken as unsigned so INT64_MIN does not overflow.
 */
void buf_put_i64(struct buf *b, int64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof tmp;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

/* An empty buffer still hands out a string the caller can free */
char *buf_take(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
