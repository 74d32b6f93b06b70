/* Tencent Cloud list calls (API 3.0, TC3-signed POST): Redis
 * DescribeInstances, PostgreSQL, MySQL (cdb), MongoDB and SQL Server
 * DescribeDBInstances, each at its product's version and signing scope
 * (services.def). The products differ only in names: how Offset counts,
 * how tags are asked for and shown, and where the instances and their
 * address are; the table below holds those differences. */
#include "providers/listing_util.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* How a product takes the account's tag filters. */
enum tc_tag_filter {
	TAG_PAIRS,      /* <name>: [{TagKey, TagValue}] (Redis TagList, MongoDB Tags) */
	TAG_KV_PAIRS,   /* <name>: [{Key, Value}] (cdb Tags) */
	TAG_KEYS,       /* <name>: [key] (SQL Server TagKeys; values filtered here) */
	TAG_PG_FILTER,  /* Filters [{Name "db-tag-key", Values [key]}] (PostgreSQL) */
};

struct tc_list {
	enum service_kind kind;
	enum tc_tag_filter filter;
	const char *filter_name;     /* the request member of the tag filter */
	bool offset_pages;           /* Offset is a page index, not a record offset */
	const char *set;             /* the Response member holding the instances */
	const char *id, *name;       /* their id and name members */
	const char *tags;            /* their tag list, [{TagKey, TagValue}] */
	list_item_fn fill;           /* the address */
};

static void redis_addr(const cJSON *o, const struct list_query *q, struct found_instance *it);
static void pg_addr(const cJSON *o, const struct list_query *q, struct found_instance *it);
static void vip_addr(const cJSON *o, const struct list_query *q, struct found_instance *it);

static const struct tc_list tc_lists[] = {
	/* Redis wants Offset a multiple of Limit: a page index times the
	 * page size is one. */
	{SERVICE_REDIS, TAG_PAIRS, "TagList", false, "InstanceSet", "InstanceId", "InstanceName",
	 "InstanceTags", redis_addr},
	{SERVICE_POSTGRES, TAG_PG_FILTER, "Filters", false, "DBInstanceSet", "DBInstanceId",
	 "DBInstanceName", "TagList", pg_addr},
	{SERVICE_MYSQL, TAG_KV_PAIRS, "Tags", false, "Items", "InstanceId", "InstanceName", "TagList",
	 vip_addr},
	{SERVICE_MONGODB, TAG_PAIRS, "Tags", false, "InstanceDetails", "InstanceId", "InstanceName",
	 "Tags", vip_addr},
	/* SQL Server pages by number by default (PaginationType pageNumber):
	 * Offset 0 is the first page of Limit instances. */
	{SERVICE_SQLSERVER, TAG_KEYS, "TagKeys", true, "DBInstances", "InstanceId", "Name",
	 "ResourceTags", vip_addr},
};

static const struct tc_list *tc_list_of(enum service_kind kind)
{
	for (size_t i = 0; i < sizeof(tc_lists) / sizeof(tc_lists[0]); i++)
		if (tc_lists[i].kind == kind)
			return &tc_lists[i];
	return NULL;
}

static void add_tag_filter(cJSON *body, const struct tc_list *t, const struct discover_spec *spec)
{
	cJSON *arr;

	if (!spec || !spec->n_tags)
		return;
	if (t->filter == TAG_PG_FILTER) {
		cJSON *f = cJSON_CreateObject();
		cJSON *values = cJSON_AddArrayToObject(f, "Values");
		cJSON_AddStringToObject(f, "Name", "db-tag-key");
		for (size_t i = 0; i < spec->n_tags; i++)
			cJSON_AddItemToArray(values, cJSON_CreateString(spec->tags[i].key));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(body, t->filter_name), f);
		return;
	}
	arr = cJSON_AddArrayToObject(body, t->filter_name);
	for (size_t i = 0; i < spec->n_tags; i++) {
		cJSON *tag;
		if (t->filter == TAG_KEYS) {
			cJSON_AddItemToArray(arr, cJSON_CreateString(spec->tags[i].key));
			continue;
		}
		tag = cJSON_CreateObject();
		cJSON_AddStringToObject(tag, t->filter == TAG_PAIRS ? "TagKey" : "Key", spec->tags[i].key);
		cJSON_AddStringToObject(tag, t->filter == TAG_PAIRS ? "TagValue" : "Value",
		                        spec->tags[i].value);
		cJSON_AddItemToArray(arr, tag);
	}
}

static int tencent_build(const struct list_query *q, const struct credentials *cred,
                         const struct sign_context *ctx, struct http_request *out, char **err)
{
	const struct provider_lister *l;
	const struct provider_service *svc;
	const struct tc_list *t = tc_list_of(q->kind);
	struct instance in;
	cJSON *body;
	char *base, *text;

	memset(out, 0, sizeof(*out));
	if (list_check_query(q, cred, err) != 0)
		return -1;
	if (!t) {
		*err = xasprintf("no Tencent list call for service %s", service_kind_name(q->kind));
		return -1;
	}
	l = provider_lister(q->a->provider, q->kind);
	svc = provider_service(q->a->provider, q->kind);
	body = cJSON_CreateObject();
	cJSON_AddNumberToObject(body, "Limit", (double)l->page_size);
	cJSON_AddNumberToObject(body, "Offset", (double)(t->offset_pages ? q->page : q->page * l->page_size));
	add_tag_filter(body, t, q->spec);
	text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (!text)
		die(70, "out of memory");
	list_query_instance(q, &in);
	base = provider_base_url(&in);
	provider_tencent_request(base, svc->signing_service, l->action, svc->version, q->region, text,
	                         cred, ctx->now, out);
	free(base);
	cJSON_free(text);
	return 0;
}

static void redis_addr(const cJSON *o, const struct list_query *q, struct found_instance *it)
{
	(void)q;
	it->addr.ip = list_get_str(o, "WanIp");
	it->addr.host = list_get_str(o, "WanIp");
	it->addr.port = list_get_port(o, "Port");
}

/* The private network's entry of DBInstanceNetInfo: clients inside the
 * VPC connect there, and it is the one the status call names without a port. */
static void pg_addr(const cJSON *o, const struct list_query *q, struct found_instance *it)
{
	const cJSON *net, *n;

	(void)q;
	net = cJSON_GetObjectItemCaseSensitive(o, "DBInstanceNetInfo");
	if (!cJSON_IsArray(net))
		net = NULL;
	cJSON_ArrayForEach(n, net) {
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(n, "NetType"));
		if (!type || strcmp(type, "private") != 0)
			continue;
		it->addr.ip = list_get_str(n, "Ip");
		it->addr.domain = list_get_str(n, "Address");
		it->addr.host = list_get_str(n, it->addr.domain ? "Address" : "Ip");
		it->addr.port = list_get_port(n, "Port");
		break;
	}
}

/* MySQL, MongoDB and SQL Server: the private (VPC) address Vip:Vport, as
 * for PostgreSQL; the public one is off by default. MongoDB's Vip lists
 * every node of a replica set joined by ';' (its documented example:
 * "10.5.2.12;10.5.2.14;10.5.2.10"): the first is taken, any node
 * answers TLS alike (which node comes first is not documented). */
static void vip_addr(const cJSON *o, const struct list_query *q, struct found_instance *it)
{
	char *vip = list_get_str(o, "Vip");

	(void)q;
	if (vip) {
		vip[strcspn(vip, ";")] = '\0';
		if (!*vip) {
			free(vip);
			vip = NULL;
		}
	}
	it->addr.ip = vip;
	it->addr.host = vip ? xstrdup(vip) : NULL;
	it->addr.port = list_get_port(o, "Vport");
}

static void tencent_item(const cJSON *o, const struct list_query *q, struct found_instance *it)
{
	const struct tc_list *t = tc_list_of(q->kind);
	char *region = list_get_str(o, "Region");

	/* Region is a name in every product but Redis, whose RegionId is a
	 * number and Region the name; a listing asks one region anyway. */
	if (region) {
		free(it->region);
		it->region = region;
	}
	t->fill(o, q, it);
	list_get_tags(cJSON_GetObjectItemCaseSensitive(o, t->tags), "TagKey", "TagValue", it);
}

static void tencent_parse(const struct list_query *q, const struct http_response *resp,
                          struct list_page *out)
{
	const struct tc_list *t = tc_list_of(q->kind);
	cJSON *root = provider_parse_object(resp, &out->r);
	cJSON *response = cJSON_GetObjectItemCaseSensitive(root, "Response");

	if (!root || !t || resp->status != 200 || !cJSON_IsObject(response) ||
	    cJSON_GetObjectItemCaseSensitive(response, "Error")) {
		cJSON_Delete(root);
		list_page_error(q, resp, out);
		return;
	}
	out->r.request_id = list_get_str(response, "RequestId");
	if (!list_get_count(response, "TotalCount", &out->total))
		provider_result_invalid(&out->r, resp->status, "TotalCount: expected a count");
	else if (list_read_items(cJSON_GetObjectItemCaseSensitive(response, t->set), t->set, t->id,
	                         t->name, q, tencent_item, resp, out))
		list_page_done(q, out);
	cJSON_Delete(root);
}

#define TENCENT_LIST(kd)                                                                   \
	int list_build_tencent_##kd(const struct list_query *q, const struct credentials *cred, \
	                            const struct sign_context *ctx, struct http_request *out,  \
	                            char **err)                                                \
	{                                                                                      \
		return tencent_build(q, cred, ctx, out, err);                                  \
	}                                                                                      \
	void list_parse_tencent_##kd(const struct list_query *q, const struct http_response *resp, \
	                             struct list_page *out)                                    \
	{                                                                                      \
		tencent_parse(q, resp, out);                                                   \
	}
TENCENT_LIST(redis)
TENCENT_LIST(postgres)
TENCENT_LIST(mysql)
TENCENT_LIST(mongodb)
TENCENT_LIST(sqlserver)
