#include "providers/provider.h"
#include "fixtures.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *fixture_path(const char *rel)
{
	const char *top = getenv("top_srcdir");

	return xasprintf("%s/tests/%s", top && *top ? top : ".", rel);
}

char *fixture_read(const char *rel, size_t *len)
{
	char *path = fixture_path(rel);
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!fp) {
		printf("Bail out! cannot open fixture %s\n", path);
		exit(99);
	}
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap + 1);
		}
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	fclose(fp);
	free(path);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

cJSON *fixture_json(const char *rel)
{
	char *text = fixture_read(rel, NULL);
	cJSON *j = cJSON_Parse(text);

	if (!j) {
		printf("Bail out! fixture %s is not JSON\n", rel);
		exit(99);
	}
	free(text);
	return j;
}

void fixture_setup(struct account *a, struct instance *in, enum provider_kind p,
                      enum service_kind s, const char *region, const char *id)
{
	memset(a, 0, sizeof(*a));
	memset(in, 0, sizeof(*in));
	a->name = "acct-1";
	a->provider = p;
	a->ops = provider_for(p);
	a->rate_limit = 20;
	in->name = "inst-1";
	in->account = a;
	in->service = s;
	in->region = (char *)region;
	in->id = (char *)id;
	in->warn_days = in->crit_days = in->require_tls = -1;
	instance_status_init(&in->st);
}
