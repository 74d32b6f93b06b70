/* A string-keyed hash map (open addressing). Keys are copied and owned by
 * the map; values are borrowed pointers. */
#ifndef TLSFLEET_STRMAP_H
#define TLSFLEET_STRMAP_H
#include <stddef.h>

struct strmap {
	char **keys;
	void **vals;
	size_t cap;   /* power of two, or 0 */
	size_t len;   /* live keys */
	size_t used;  /* live keys + tombstones */
};

void *strmap_get(const struct strmap *m, const char *key);
void strmap_put(struct strmap *m, const char *key, void *val);  /* insert or replace */
void strmap_del(struct strmap *m, const char *key);
void strmap_free(struct strmap *m);

#endif
