/*
 * arena: bump allocation for everything that lives as long as one request
 * or one import row. The owner creates it, allocates freely, and frees it all
 * at once with arena_free (or arena_reset to reuse the first block).
 */
#ifndef TB_LIB_ARENA_H
#define TB_LIB_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
};

#define ARENA_INIT                                                                                 \
	{                                                                                          \
		NULL                                                                               \
	}

void *arena_alloc(struct arena *a, size_t n);       /* zeroed, aligned for any type */
char *arena_strdup(struct arena *a, const char *s); /* NULL stays NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Free every block but the first, which is kept (cleared) for reuse. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

#endif
