#include "core/probe_result.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	const char *meaning;
} table[] = {
	[PROBE_NONE] = {NULL, "never probed"},
#define PROBE(id, name, verdict, meaning) [PROBE_##id] = {name, meaning},
#include "core/probe_results.def"
#undef PROBE
};

const char *probe_result_name(enum probe_result r)
{
	return (unsigned)r < PROBE_RESULT_COUNT ? table[r].name : NULL;
}

const char *probe_result_meaning(enum probe_result r)
{
	return (unsigned)r < PROBE_RESULT_COUNT ? table[r].meaning : "unknown";
}

bool probe_result_from_name(const char *name, enum probe_result *out)
{
	for (int i = PROBE_NONE + 1; name && i < PROBE_RESULT_COUNT; i++) {
		if (strcmp(name, table[i].name) == 0) {
			*out = (enum probe_result)i;
			return true;
		}
	}
	return false;
}

void probe_leaf_free(struct probe_leaf *leaf)
{
	if (!leaf)
		return;
	free(leaf->subject);
	free(leaf->issuer);
	for (size_t i = 0; i < leaf->n_san; i++)
		free(leaf->san[i]);
	free(leaf->san);
	free(leaf);
}

struct probe_leaf *probe_leaf_dup(const struct probe_leaf *leaf)
{
	if (!leaf)
		return NULL;
	struct probe_leaf *c = xcalloc(1, sizeof(*c));
	*c = *leaf;
	c->subject = leaf->subject ? xstrdup(leaf->subject) : NULL;
	c->issuer = leaf->issuer ? xstrdup(leaf->issuer) : NULL;
	c->san = leaf->n_san ? xreallocarray(NULL, leaf->n_san, sizeof(*c->san)) : NULL;
	for (size_t i = 0; i < leaf->n_san; i++)
		c->san[i] = xstrdup(leaf->san[i]);
	return c;
}
