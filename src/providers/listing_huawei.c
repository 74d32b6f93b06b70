/* Huawei Cloud / OTC list calls (SDK-HMAC-SHA256 GET): DCS
 * GET /v2/{project_id}/instances (total instance_num) and RDS
 * GET /v3/{project_id}/instances (total total_count), both paged by
 * offset (records) and limit, tag filters as tags=k=v,k2=v2. The path's
 * version is the services.def row's. */
#include "providers/listing_util.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *project_of(const struct list_query *q, const struct credentials *cred)
{
	if (q->a->project_id && *q->a->project_id)
		return q->a->project_id;
	if (cred->project_id && *cred->project_id)
		return cred->project_id;
	return NULL;
}

static int huawei_build(const struct list_query *q, const struct credentials *cred,
                        const struct sign_context *ctx, struct http_request *out, char **err)
{
	const struct provider_lister *l;
	const struct provider_service *svc;
	const char *project;
	struct instance in;
	char limit[24], offset[24], *base, *path, *tags;
	struct sign_kv query[3];
	size_t nq = 0;

	memset(out, 0, sizeof(*out));
	if (list_check_query(q, cred, err) != 0)
		return -1;
	if (!(project = project_of(q, cred))) {
		*err = xasprintf("no project_id for account %s", q->a->name);
		return -1;
	}
	l = provider_lister(q->a->provider, q->kind);
	svc = provider_service(q->a->provider, q->kind);
	snprintf(limit, sizeof(limit), "%ld", l->page_size);
	snprintf(offset, sizeof(offset), "%ld", q->page * l->page_size);
	query[nq++] = (struct sign_kv){"limit", limit};
	query[nq++] = (struct sign_kv){"offset", offset};
	if ((tags = list_tags_query(q)))
		query[nq++] = (struct sign_kv){"tags", tags};
	list_query_instance(q, &in);
	base = provider_base_url(&in);
	path = xasprintf("/%s/%s/instances", svc->version, project);
	provider_huawei_request(base, "GET", path, query, nq, NULL, 0, project, NULL, cred, ctx->now,
	                        out);
	out->action = l->action;
	free(path);
	free(base);
	free(tags);
	return 0;
}

static void dcs_item(const cJSON *o, const struct list_query *q, struct found_instance *it)
{
	(void)q;
	it->addr.ip = list_get_str(o, "ip");
	it->addr.domain = list_get_str(o, "domain_name");
	/* domain_name is verbatim in `address.domain`, with its ":port"; the
	 * host is the name alone, as the status answer's */
	it->addr.host = it->addr.domain ? provider_huawei_host(it->addr.domain) : list_get_str(o, "ip");
	it->addr.port = list_get_port(o, "port");
	list_get_tags(cJSON_GetObjectItemCaseSensitive(o, "tags"), "key", "value", it);
}

/* RDS: the first private address (the VPC's; public_ips is empty unless
 * an EIP is bound), its DNS name when it has one; datastore.type is the
 * engine (MySQL, PostgreSQL, SQLServer, MariaDB). */
static void rds_item(const cJSON *o, const struct list_query *q, struct found_instance *it)
{
	char *region = list_get_str(o, "region");

	(void)q;
	if (region) {
		free(it->region);
		it->region = region;
	}
	it->addr.ip = list_get_first(o, "private_ips");
	it->addr.domain = list_get_first(o, "private_dns_names");
	it->addr.host = xstrdup(it->addr.domain ? it->addr.domain : it->addr.ip);
	it->addr.port = list_get_port(o, "port");
	it->engine = list_get_str(cJSON_GetObjectItemCaseSensitive(o, "datastore"), "type");
	list_get_tags(cJSON_GetObjectItemCaseSensitive(o, "tags"), "key", "value", it);
}

static void huawei_parse(const struct list_query *q, const struct http_response *resp,
                         struct list_page *out, const char *total, const char *id,
                         list_item_fn fill)
{
	cJSON *root = provider_parse_object(resp, &out->r);

	if (!root || resp->status < 200 || resp->status >= 300 ||
	    cJSON_GetObjectItemCaseSensitive(root, "error_code") ||
	    cJSON_GetObjectItemCaseSensitive(root, "errorCode")) {
		cJSON_Delete(root);
		list_page_error(q, resp, out);
		return;
	}
	if (!list_get_count(root, total, &out->total))
		provider_result_invalid(&out->r, resp->status, "%s: expected a count", total);
	else if (list_read_items(cJSON_GetObjectItemCaseSensitive(root, "instances"), "instances", id,
	                         "name", q, fill, resp, out))
		list_page_done(q, out);
	cJSON_Delete(root);
}

int list_build_huawei_dcs(const struct list_query *q, const struct credentials *cred,
                          const struct sign_context *ctx, struct http_request *out, char **err)
{
	return huawei_build(q, cred, ctx, out, err);
}

void list_parse_huawei_dcs(const struct list_query *q, const struct http_response *resp,
                           struct list_page *out)
{
	huawei_parse(q, resp, out, "instance_num", "instance_id", dcs_item);
}

int list_build_huawei_rds(const struct list_query *q, const struct credentials *cred,
                          const struct sign_context *ctx, struct http_request *out, char **err)
{
	return huawei_build(q, cred, ctx, out, err);
}

void list_parse_huawei_rds(const struct list_query *q, const struct http_response *resp,
                           struct list_page *out)
{
	huawei_parse(q, resp, out, "total_count", "id", rds_item);
}
