/*
 * strmap: a hash map from strings to 64-bit integers (open addressing, FNV-1a),
 * for sets of codes seen during a bulk job. Keys are copied into the map's
 * own arena. The owner initialises it with STRMAP_INIT and frees it with
 * strmap_free.
 */
#ifndef TB_LIB_STRMAP_H
#define TB_LIB_STRMAP_H

#include "lib/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	const char *key;
	uint64_t hash; /* compared before the key: most probes end without a strcmp */
	int64_t value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap, n;
	struct arena keys;
};

#define STRMAP_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0, ARENA_INIT                                                             \
	}

/* The value stored under key, or NULL. */
int64_t *strmap_get(const struct strmap *m, const char *key);
/* Store value under key (replacing any). */
void strmap_put(struct strmap *m, const char *key, int64_t value);
/*
 * The value stored under key; if there is none, key is added with value
 * `fresh` and *added is set. One probe for the common look-up-then-insert.
 */
int64_t *strmap_upsert(struct strmap *m, const char *key, int64_t fresh, bool *added);
void strmap_free(struct strmap *m);

#endif
