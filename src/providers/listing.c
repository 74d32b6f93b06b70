/* Discovery's list calls: the table (lists.def) and paging. The calls
 * themselves are in listing_tencent.c, listing_huawei.c and
 * listing_alibaba.c, on the helpers of listing_util.c. */
#include "providers/listing.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct provider_lister listers[] = {
#define LIST(cl, kd, b, p, size) {.cloud = PROVIDER_##cl, .kind = SERVICE_##kd, .build = b, .parse = p, .page_size = size},
#include "providers/lists.def"
#undef LIST
};

const struct provider_lister *provider_lister(enum provider_kind cloud, enum service_kind kind)
{
	static struct provider_lister table[sizeof(listers) / sizeof(listers[0])];
	static bool ready;

	if (!ready) {
		/* The action is the services.def row's: one name, one place. */
		for (size_t i = 0; i < sizeof(listers) / sizeof(listers[0]); i++) {
			const struct provider_service *svc = provider_service(listers[i].cloud, listers[i].kind);
			table[i] = listers[i];
			table[i].action = svc ? svc->list_action : NULL;
		}
		ready = true;
	}
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].cloud == cloud && table[i].kind == kind && table[i].action)
			return &table[i];
	return NULL;
}

long list_next_page(long page, long page_size, size_t n_items, long total)
{
	if (n_items == 0 || page_size <= 0)
		return -1;
	if ((page + 1) * page_size >= total)
		return -1;
	return page + 1;
}

long list_last_page(long page, long page_size, size_t n_items, long total)
{
	if (n_items == 0 || page_size <= 0 || total <= 0)
		return page;
	long last = (total - 1) / page_size;
	return last > page ? last : page;
}

void list_page_init(struct list_page *p)
{
	memset(p, 0, sizeof(*p));
	provider_result_init(&p->r);
	p->next = -1;
	p->last = -1;
}

void list_page_free(struct list_page *p)
{
	for (size_t i = 0; i < p->n_items; i++)
		found_instance_free(&p->items[i]);
	free(p->items);
	provider_result_free(&p->r);
	list_page_init(p);
}
