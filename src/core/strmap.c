#include "core/strmap.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Tombstone marking a deleted slot, so probe chains stay intact. */
static char tombstone;

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t find(const struct strmap *m, const char *key, int *found)
{
	size_t mask = m->cap - 1, i = hash(key) & mask, first_free = (size_t)-1;

	for (;;) {
		char *k = m->keys[i];
		if (!k) {
			*found = 0;
			return first_free != (size_t)-1 ? first_free : i;
		}
		if (k == &tombstone) {
			if (first_free == (size_t)-1)
				first_free = i;
		} else if (strcmp(k, key) == 0) {
			*found = 1;
			return i;
		}
		i = (i + 1) & mask;
	}
}

void *strmap_get(const struct strmap *m, const char *key)
{
	int found;

	if (!m->cap)
		return NULL;
	size_t i = find(m, key, &found);
	return found ? m->vals[i] : NULL;
}

/* Rebuild without tombstones, doubling only when live keys need it. */
static void grow(struct strmap *m)
{
	struct strmap bigger = {0};

	bigger.cap = !m->cap ? 16 : (m->len + 1) * 2 > m->cap ? m->cap * 2 : m->cap;
	bigger.keys = xcalloc(bigger.cap, sizeof(char *));
	bigger.vals = xcalloc(bigger.cap, sizeof(void *));
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i] && m->keys[i] != &tombstone) {
			int found;
			size_t j = find(&bigger, m->keys[i], &found);
			bigger.keys[j] = m->keys[i];
			bigger.vals[j] = m->vals[i];
			bigger.len++;
			bigger.used++;
		}
	}
	free(m->keys);
	free(m->vals);
	*m = bigger;
}

void strmap_put(struct strmap *m, const char *key, void *val)
{
	int found;

	if ((m->used + 1) * 4 > m->cap * 3)
		grow(m);
	size_t i = find(m, key, &found);
	if (!found) {
		if (!m->keys[i])
			m->used++;
		m->keys[i] = xstrdup(key);
		m->len++;
	}
	m->vals[i] = val;
}

void strmap_del(struct strmap *m, const char *key)
{
	int found;

	if (!m->cap)
		return;
	size_t i = find(m, key, &found);
	if (!found)
		return;
	free(m->keys[i]);
	m->keys[i] = &tombstone;
	m->vals[i] = NULL;
	m->len--;
}

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i] != &tombstone)
			free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
