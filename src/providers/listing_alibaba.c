/* Alibaba Cloud list calls (RPC, signed GET): R-kvstore DescribeInstances,
 * RDS DescribeDBInstances, PolarDB DescribeDBClusters and ApsaraDB for
 * MongoDB (dds) DescribeDBInstances, each at its product's version
 * (services.def). All page by PageNumber (from 1) and PageSize in
 * RegionId and filter by Tag.N.Key/Value; they differ in names only:
 * the table below.
 *
 * dds lists one architecture per call: DBInstanceType replicate (the
 * default: replica sets and standalone instances) or sharding (sharded
 * clusters). Its listing makes one paged pass per type, in turn, within
 * the one lists.def row: the page index says which pass (page / PASS_PAGES)
 * and which page of it (page % PASS_PAGES), so the engine pages it like
 * any other listing: a pass's pages side by side up to its `last`, whose
 * `next` is the first page of the next pass. */
#include "providers/listing_util.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ali_list {
	enum service_kind kind;
	const char *tag_key, *tag_value;  /* Tag.N.<tag_key>: RDS spells them lower-case */
	size_t max_tags;                  /* 0: no documented limit */
	const char *total;                /* the answer's total */
	const char *set, *array;          /* where the instances are: set.array[] */
	const char *id, *name;
	list_item_fn fill;
	const char *const *passes;        /* DBInstanceType of each pass; NULL: one pass */
};

/* Pages per pass: 10^6 pages of 100 are more instances than an account holds. */
#define PASS_PAGES 1000000L

static const char *const dds_types[] = {"replicate", "sharding", NULL};

static void redis_item(const cJSON *o, const struct list_query *q, struct found_instance *it);
static void rds_item(const cJSON *o, const struct list_query *q, struct found_instance *it);
static void polardb_item(const cJSON *o, const struct list_query *q, struct found_instance *it);
static void dds_item(const cJSON *o, const struct list_query *q, struct found_instance *it);

static const struct ali_list ali_lists[] = {
	{SERVICE_REDIS, "Key", "Value", 0, "TotalCount", "Instances",
	 "KVStoreInstance", "InstanceId", "InstanceName", redis_item, NULL},
	/* RDS takes Tag.1.key ... Tag.5.key (the SDK's request model). */
	{SERVICE_RDS, "key", "value", 5, "TotalRecordCount", "Items", "DBInstance",
	 "DBInstanceId", "DBInstanceDescription", rds_item, NULL},
	{SERVICE_POLARDB, "Key", "Value", 20, "TotalRecordCount", "Items",
	 "DBCluster", "DBClusterId", "DBClusterDescription", polardb_item, NULL},
	{SERVICE_MONGODB, "Key", "Value", 0, "TotalCount", "DBInstances", "DBInstance",
	 "DBInstanceId", "DBInstanceDescription", dds_item, dds_types},
};

static const struct ali_list *ali_list_of(enum service_kind kind)
{
	for (size_t i = 0; i < sizeof(ali_lists) / sizeof(ali_lists[0]); i++)
		if (ali_lists[i].kind == kind)
			return &ali_lists[i];
	return NULL;
}

static int alibaba_build(const struct list_query *q, const struct credentials *cred,
                         const struct sign_context *ctx, struct http_request *out, char **err)
{
	const struct ali_list *t = ali_list_of(q->kind);
	const struct provider_lister *l;
	const struct provider_service *svc;
	struct instance in;
	char number[24], size[24], *base;
	size_t n_tags = q->spec ? q->spec->n_tags : 0, np = 0;
	long pass = q->page / PASS_PAGES, passes = 1;

	memset(out, 0, sizeof(*out));
	if (list_check_query(q, cred, err) != 0)
		return -1;
	if (!t) {
		*err = xasprintf("no Alibaba list call for service %s", service_kind_name(q->kind));
		return -1;
	}
	if (t->passes)
		for (passes = 0; t->passes[passes]; passes++)
			;
	if (q->page < 0 || pass >= passes) {
		*err = xasprintf("account %s: %s has no page %ld", q->a->name, service_kind_name(q->kind),
		                 q->page);
		return -1;
	}
	if (t->max_tags && n_tags > t->max_tags) {
		*err = xasprintf("account %s: %s filters by at most %zu tags", q->a->name,
		                 service_kind_name(q->kind), t->max_tags);
		return -1;
	}
	if (!ctx->nonce || !*ctx->nonce) {
		*err = xasprintf("account %s: no signature nonce", q->a->name);
		return -1;
	}
	l = provider_lister(q->a->provider, q->kind);
	svc = provider_service(q->a->provider, q->kind);
	struct sign_kv *params = xcalloc(4 + 2 * n_tags, sizeof(*params));
	char **names = xcalloc(2 * n_tags + 1, sizeof(*names));
	snprintf(number, sizeof(number), "%ld", q->page % PASS_PAGES + 1);
	snprintf(size, sizeof(size), "%ld", l->page_size);
	params[np++] = (struct sign_kv){"RegionId", q->region};
	params[np++] = (struct sign_kv){"PageNumber", number};
	params[np++] = (struct sign_kv){"PageSize", size};
	if (t->passes)
		params[np++] = (struct sign_kv){"DBInstanceType", t->passes[pass]};
	for (size_t i = 0; i < n_tags; i++) {
		names[2 * i] = xasprintf("Tag.%zu.%s", i + 1, t->tag_key);
		names[2 * i + 1] = xasprintf("Tag.%zu.%s", i + 1, t->tag_value);
		params[np++] = (struct sign_kv){names[2 * i], q->spec->tags[i].key};
		params[np++] = (struct sign_kv){names[2 * i + 1], q->spec->tags[i].value};
	}
	list_query_instance(q, &in);
	base = provider_base_url(&in);
	provider_alibaba_request(base, "GET", l->action, svc->version, params, np, cred, ctx, out);
	free(base);
	for (size_t i = 0; i < 2 * n_tags; i++)
		free(names[i]);
	free(names);
	free(params);
	return 0;
}

/* Every product's item names its RegionId. */
static void own_region(const cJSON *o, struct found_instance *it)
{
	char *region = list_get_str(o, "RegionId");

	if (region) {
		free(it->region);
		it->region = region;
	}
}

static void redis_item(const cJSON *o, const struct list_query *q, struct found_instance *it)
{
	(void)q;
	own_region(o, it);
	it->addr.domain = list_get_str(o, "ConnectionDomain");
	it->addr.host = list_get_str(o, "ConnectionDomain");
	it->addr.port = list_get_port(o, "Port");
	list_get_tags(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "Tags"), "Tag"),
	              "Key", "Value", it);
}

/* RDS lists the internal ConnectionString without its port and no tags:
 * the instances the API returned for Tag.N filters carry those tags. */
static void rds_item(const cJSON *o, const struct list_query *q, struct found_instance *it)
{
	own_region(o, it);
	it->addr.domain = list_get_str(o, "ConnectionString");
	it->addr.host = list_get_str(o, "ConnectionString");
	it->engine = list_get_str(o, "Engine");
	list_spec_tags(q, it);
}

/* PolarDB and MongoDB list no address: the status call gives it
 * (PolarDB per endpoint; MongoDB CertCommonName). */
static void polardb_item(const cJSON *o, const struct list_query *q, struct found_instance *it)
{
	(void)q;
	own_region(o, it);
	it->engine = list_get_str(o, "DBType");
	list_get_tags(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "Tags"), "Tag"),
	              "Key", "Value", it);
}

static void dds_item(const cJSON *o, const struct list_query *q, struct found_instance *it)
{
	(void)q;
	own_region(o, it);
	list_get_tags(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "Tags"), "Tag"),
	              "Key", "Value", it);
}

/* The page after q's: the next of its pass, else the first of the next
 * pass, else none. */
static long alibaba_next(const struct ali_list *t, const struct list_query *q,
                         const struct list_page *out)
{
	const struct provider_lister *l = provider_lister(q->a->provider, q->kind);
	long pass = q->page / PASS_PAGES;

	if (list_next_page(q->page % PASS_PAGES, l ? l->page_size : 0, out->n_items, out->total) >= 0)
		return q->page + 1;
	if (t->passes && t->passes[pass + 1])
		return (pass + 1) * PASS_PAGES;
	return -1;
}

static void alibaba_parse(const struct list_query *q, const struct http_response *resp,
                          struct list_page *out)
{
	const struct ali_list *t = ali_list_of(q->kind);
	cJSON *root = provider_parse_object(resp, &out->r);
	const cJSON *set;
	char where[64];

	if (!root || !t || resp->status < 200 || resp->status >= 300 ||
	    (cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "Code")) &&
	     !cJSON_GetObjectItemCaseSensitive(root, t->total))) {
		cJSON_Delete(root);
		list_page_error(q, resp, out);
		return;
	}
	out->r.request_id = list_get_str(root, "RequestId");
	set = cJSON_GetObjectItemCaseSensitive(root, t->set);
	snprintf(where, sizeof(where), "%s.%s", t->set, t->array);
	if (!list_get_count(root, t->total, &out->total))
		provider_result_invalid(&out->r, resp->status, "%s: expected a count", t->total);
	else if (set && !cJSON_IsObject(set))
		provider_result_invalid(&out->r, resp->status, "%s: expected object, got %s", t->set,
		                        provider_json_type(set));
	else if (list_read_items(cJSON_GetObjectItemCaseSensitive(set, t->array), where, t->id, t->name,
	                         q, t->fill, resp, out)) {
		const struct provider_lister *l = provider_lister(q->a->provider, q->kind);
		list_page_done(q, out);
		out->next = alibaba_next(t, q, out);
		out->last = q->page - q->page % PASS_PAGES +
		            list_last_page(q->page % PASS_PAGES, l ? l->page_size : 0, out->n_items, out->total);
	}
	cJSON_Delete(root);
}

#define ALIBABA_LIST(kd)                                                                   \
	int list_build_alibaba_##kd(const struct list_query *q, const struct credentials *cred, \
	                            const struct sign_context *ctx, struct http_request *out,  \
	                            char **err)                                                \
	{                                                                                      \
		return alibaba_build(q, cred, ctx, out, err);                                  \
	}                                                                                      \
	void list_parse_alibaba_##kd(const struct list_query *q, const struct http_response *resp, \
	                             struct list_page *out)                                    \
	{                                                                                      \
		alibaba_parse(q, resp, out);                                                   \
	}
ALIBABA_LIST(redis)
ALIBABA_LIST(rds)
ALIBABA_LIST(polardb)
ALIBABA_LIST(mongodb)
