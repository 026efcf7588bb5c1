/* arena: a list of blocks, newest first. */
#include "arena.h"

#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ARENA_BLOCK = 16 * 1024 };

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

/*
 * Sizes round up to max_align_t so every pointer handed out suits any type. The memory is
 * zeroed because callers fill structs field by field and rely on the rest being 0 or NULL.
 */
void *arena_alloc(struct arena *a, size_t n)
{
	size_t align = sizeof(max_align_t);
	n = (n + align - 1) / align * align;
	struct arena_block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = xmalloc(sizeof *b + cap);
		b->used = 0;
		b->cap = cap;
		/* a big one-off block goes behind the current one, which keeps its space */
		if (a->head && n > ARENA_BLOCK) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

/* Two passes (measure, then write): the result lands in the arena at its exact size */
char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
	if (n > 0)
		vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

/*
 * The first block survives so an arena reused per row or per request reaches a
 * steady state with no malloc at all
 */
void arena_reset(struct arena *a)
{
	struct arena_block *b = a->head;
	if (!b)
		return;
	struct arena_block *rest = b->next;
	while (rest) {
		struct arena_block *n = rest->next;
		free(rest);
		rest = n;
	}
	b->next = NULL;
	b->used = 0;
}

void arena_free(struct arena *a)
{
	arena_reset(a);
	free(a->head);
	a->head = NULL;
}
