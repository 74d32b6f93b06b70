/* The providers' list calls (discovery), pure like the status calls:
 * (account, service, region, page) -> a complete signed request; (HTTP
 * answer) -> one page of instances, the total the provider reports, the
 * next page and the last page of the pass, or why the page failed. The table of list calls is
 * providers/lists.def; each service row of services.def names its list
 * action (the pacing key).
 *
 * Ownership: a list_page owns its items and their strings, and its result
 * (list_page_free); the engine moves them into a discovery (core/discovery.h). */
#ifndef TLSFLEET_LISTING_H
#define TLSFLEET_LISTING_H

#include "providers/provider.h"
#include "core/discovery.h"


/* One request of a listing. */
struct list_query {
	const struct account *a;
	enum service_kind kind;
	const char *region;
	long page;                   /* 0-based; the lister's own index: dds encodes its pass in it */
	const struct discover_spec *spec; /* tag filters sent where the API filters; may be NULL */
};

struct list_page {
	bool ok;                     /* a page was read; else r says why (state, error, retry) */
	struct provider_result r;
	long total;                  /* instances the provider says the listing holds */
	struct found_instance *items;
	size_t n_items;
	long next;                   /* the next page to ask for, -1 when done */
	long last;                   /* the last page of this page's pass as the total says
	                              * (itself when the page was empty): the engine asks
	                              * for the pages up to it side by side; the next pass
	                              * is the `next` of this last page */
};
void list_page_init(struct list_page *p);
void list_page_free(struct list_page *p);

typedef int (*list_build_fn)(const struct list_query *q, const struct credentials *cred,
                             const struct sign_context *ctx, struct http_request *out,
                             char **err);
typedef void (*list_parse_fn)(const struct list_query *q, const struct http_response *resp,
                              struct list_page *out);

/* One row of lists.def. */
struct provider_lister {
	enum provider_kind cloud;
	enum service_kind kind;
	const char *action;          /* services.def's list column */
	list_build_fn build;
	list_parse_fn parse;
	long page_size;
};

/* The list call of (cloud, kind), or NULL when discovery cannot list it. */
const struct provider_lister *provider_lister(enum provider_kind cloud, enum service_kind kind);

/* The next page after `page` that held n_items of a listing of `total`
 * (page_size per page), or -1: every page up to the total, and never past
 * an empty page (a provider whose total grows would otherwise be asked
 * forever). */
long list_next_page(long page, long page_size, size_t n_items, long total);

/* The last page of a listing of `total` (page_size per page) as told by
 * page `page` that held n_items: page itself when it was empty (never
 * past an empty page) or is the last; agrees with list_next_page(). */
long list_last_page(long page, long page_size, size_t n_items, long total);

/* Declared for the table and the tests. */
#define LIST(cloud, kind, build, parse, size)                                              \
	int build(const struct list_query *q, const struct credentials *cred,              \
	          const struct sign_context *ctx, struct http_request *out, char **err);   \
	void parse(const struct list_query *q, const struct http_response *resp,           \
	           struct list_page *out);
#include "providers/lists.def"
#undef LIST

#endif
