#include "config/reload.h"
#include "config/config_load.h"
#include "core/strmap.h"

#include <string.h>

static bool same_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool same_instance(const struct instance *a, const struct instance *b)
{
	return same_str(a->name, b->name) && a->service == b->service &&
	       same_str(a->region, b->region) && same_str(a->id, b->id) &&
	       same_str(a->account ? a->account->name : NULL, b->account ? b->account->name : NULL) &&
	       (a->account ? a->account->provider : PROVIDER_COUNT) ==
	       (b->account ? b->account->provider : PROVIDER_COUNT);
}

int config_reload(const char *path, struct fleet *old, struct fleet *out, size_t *carried,
                  char **err)
{
	struct strmap by_name = {0};
	size_t n = 0;

	if (config_load(path, out, err) != 0)
		return -1;
	for (size_t i = 0; i < old->n_instances; i++)
		strmap_put(&by_name, old->instances[i].name, &old->instances[i]);
	for (size_t i = 0; i < out->n_instances; i++) {
		struct instance *ni = &out->instances[i];
		struct instance *oi = strmap_get(&by_name, ni->name);
		if (!oi || !same_instance(oi, ni))
			continue;
		struct instance_status tmp = ni->st;
		ni->st = oi->st;
		oi->st = tmp;
		n++;
	}
	strmap_free(&by_name);
	if (carried)
		*carried = n;
	return 0;
}
