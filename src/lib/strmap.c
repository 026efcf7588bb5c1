/* strmap: open addressing with linear probing, kept at most half full. */
#include "lib/strmap.h"

#include "lib/buf.h"

#include <stdlib.h>
#include <string.h>

/* FNV-1a, 64-bit: short codes hash in a few cycles and spread well enough for linear probing */
static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/*
 * The slot holding key, or the empty slot where it belongs. cap is a power of
 * two and the table never fills (at most half full), so the probe always ends.
 */
static struct strmap_slot *find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);
	while (m->slots[i].key && (m->slots[i].hash != h || strcmp(m->slots[i].key, key)))
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

int64_t *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	struct strmap_slot *s = find(m, key, hash(key));
	return s->key ? &s->value : NULL;
}

/* Rehash into twice the slots; the key strings stay where they are in the arena */
static void grow(struct strmap *m)
{
	struct strmap old = *m;
	m->cap = m->cap ? m->cap * 2 : 1024;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*find(m, old.slots[i].key, old.slots[i].hash) = old.slots[i];
	free(old.slots);
}

int64_t *strmap_upsert(struct strmap *m, const char *key, int64_t fresh, bool *added)
{
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	uint64_t h = hash(key);
	struct strmap_slot *s = find(m, key, h);
	*added = !s->key;
	if (*added) {
		s->key = arena_strdup(&m->keys, key);
		s->hash = h;
		s->value = fresh;
		m->n++;
	}
	return &s->value;
}

void strmap_put(struct strmap *m, const char *key, int64_t value)
{
	bool added;
	*strmap_upsert(m, key, value, &added) = value;
}

void strmap_free(struct strmap *m)
{
	free(m->slots);
	arena_free(&m->keys);
	m->slots = NULL;
	m->cap = m->n = 0;
}
