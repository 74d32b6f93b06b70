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

