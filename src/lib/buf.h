/*
 * buf: a growable byte buffer, always NUL-terminated, with a hard maximum
 * (LIMIT_BUF_BYTES) past which it aborts: growth past the limit is a bug in
 * the caller, who must check input sizes first. The caller owns the struct
 * and frees its storage with buf_free.
 */
#ifndef TB_LIB_BUF_H
#define TB_LIB_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void buf_free(struct buf *b);
/* Forget the content, keep the storage. */
void buf_reset(struct buf *b);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_put_i64(struct buf *b, int64_t v);
/* Content as a C string ("" when empty); valid until the next append. */
const char *buf_str(const struct buf *b);
/* Hand the storage to the caller (free() it); the buffer is left empty. */
char *buf_take(struct buf *b);

/* Out-of-memory policy of the whole program: abort with a message. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
