/* The list calls of discovery: Tencent Redis DescribeInstances and
 * PostgreSQL DescribeDBInstances, Huawei/OTC DCS ListInstances, Alibaba
 * R-kvstore DescribeInstances. Requests go through the clouds' generic
 * signers; error answers through the cloud's own status parser, since a
 * list call fails with the same envelope and codes as a status call. */
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

void list_page_init(struct list_page *p)
{
	memset(p, 0, sizeof(*p));
	provider_result_init(&p->r);
	p->next = -1;
}

void list_page_free(struct list_page *p)
{
	for (size_t i = 0; i < p->n_items; i++)
		found_instance_free(&p->items[i]);
	free(p->items);
	provider_result_free(&p->r);
	list_page_init(p);
}

/* ---- shared ---------------------------------------------------------------- */

/* An instance standing for the listing, so the clouds' endpoint rules and
 * error parsers apply unchanged. */
static void query_instance(const struct list_query *q, struct instance *in)
{
	memset(in, 0, sizeof(*in));
	in->name = (char *)"(listing)";
	in->account = (struct account *)q->a;
	in->service = q->kind;
	in->region = (char *)q->region;
	in->id = (char *)"-";
	in->warn_days = in->crit_days = in->require_tls = -1;
}

static int check_query(const struct list_query *q, const struct credentials *cred, char **err)
{
	if (!provider_lister(q->a->provider, q->kind)) {
		*err = xasprintf("%s has no list call for service %s", q->a->ops->full_title,
		                 service_kind_name(q->kind));
		return -1;
	}
	if (!provider_has_credentials(cred)) {
		*err = xasprintf("no credentials for account %s", q->a->name);
		return -1;
	}
	if (!q->region || !*q->region) {
		*err = xasprintf("account %s: a listing needs a region", q->a->name);
		return -1;
	}
	return 0;
}

/* Map an error answer as the cloud's status parser does. */
static void page_error(const struct list_query *q, const struct http_response *resp,
                       struct list_page *out)
{
	struct instance in;

	query_instance(q, &in);
	provider_result_free(&out->r);
	provider_result_init(&out->r);
	q->a->ops->parse_response(&in, CALL_STATUS, resp, &out->r);
	if (!out->r.error)  /* an error envelope the status parser read as an answer */
		provider_result_invalid(&out->r, resp->status, "the list answer is an error without a code");
	else if (state_is_definite(out->r.state))  /* "unsupported" decides no listing */
		out->r.state = STATE_ERROR;
	cJSON_Delete(out->r.provider_status);
	out->r.provider_status = NULL;
	out->ok = false;
}

/* A count: a non-negative integer number. */
static bool get_count(const cJSON *obj, const char *name, long *out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!cJSON_IsNumber(j) || j->valuedouble < 0 || j->valuedouble > 1e9 ||
	    j->valuedouble != floor(j->valuedouble))
		return false;
	*out = (long)j->valuedouble;
	return true;
}

/* A port as a number or a numeric string; -1 otherwise. */
static int get_port(const cJSON *obj, const char *name)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, name);
	double v = -1;

	if (cJSON_IsNumber(j)) {
		v = j->valuedouble;
	} else if (cJSON_IsString(j) && j->valuestring[0]) {
		char *end;
		v = strtod(j->valuestring, &end);
		if (*end)
			v = -1;
	}
	if (v < 1 || v > 65535 || v != floor(v))
		return -1;
	return (int)v;
}

static char *get_str(const cJSON *obj, const char *name)
{
	return provider_nonempty(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name)));
}

/* Tags from [{kname: k, vname: v}, ...]; anything else is no tags. */
static void get_tags(const cJSON *arr, const char *kname, const char *vname, struct found_instance *it)
{
	const cJSON *t;

	if (!cJSON_IsArray(arr))
		return;
	it->tags = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*it->tags));
	cJSON_ArrayForEach(t, arr) {
		const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, kname));
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, vname));
		if (!k)
			continue;
		it->tags[it->n_tags].key = xstrdup(k);
		it->tags[it->n_tags].value = xstrdup(v ? v : "");
		it->n_tags++;
	}
}

/* Walk an array of instance objects; each needs a non-empty string id. */
typedef void (*item_fn)(const cJSON *obj, const struct list_query *q, struct found_instance *it);

static bool read_items(const cJSON *arr, const char *arr_name, const char *id_name,
                       const char *name_name, const struct list_query *q, item_fn fill,
                       const struct http_response *resp, struct list_page *out)
{
	const cJSON *o;

	if (arr && !cJSON_IsNull(arr) && !cJSON_IsArray(arr)) {
		provider_result_invalid(&out->r, resp->status, "%s: expected array, got %s", arr_name,
		                        provider_json_type(arr));
		return false;
	}
	out->items = xcalloc((size_t)(arr ? cJSON_GetArraySize(arr) : 0) + 1, sizeof(*out->items));
	cJSON_ArrayForEach(o, arr) {
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, id_name));
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name_name));
		if (!cJSON_IsObject(o) || !id || !*id) {
			provider_result_invalid(&out->r, resp->status, "%s[%zu].%s: missing", arr_name,
			                        out->n_items, id_name);
			return false;
		}
		struct found_instance *it = &out->items[out->n_items++];
		it->addr.port = -1;
		it->id = xstrdup(id);
		it->name = xstrdup(name ? name : "");
		it->region = xstrdup(q->region);
		fill(o, q, it);
	}
	return true;
}

static void page_done(const struct list_query *q, struct list_page *out)
{
	const struct provider_lister *l = provider_lister(q->a->provider, q->kind);

	out->ok = true;
	out->r.state = STATE_ENABLED;   /* "an answer": the request hook counts it a success */
	out->next = list_next_page(q->page, l ? l->page_size : 0, out->n_items, out->total);
}

/* ---- Tencent ------------------------------------------------------------------- */

static int tencent_build(const struct list_query *q, const struct credentials *cred,
                         const struct sign_context *ctx, struct http_request *out, char **err,
                         bool pg)
{
	const struct provider_lister *l;
	const struct provider_service *svc;
	struct instance in;
	cJSON *body;
	char *base, *text;

	memset(out, 0, sizeof(*out));
	if (check_query(q, cred, err) != 0)
		return -1;
	l = provider_lister(q->a->provider, q->kind);
	svc = provider_service(q->a->provider, q->kind);
	body = cJSON_CreateObject();
	cJSON_AddNumberToObject(body, "Limit", (double)l->page_size);
	/* Redis wants Offset a multiple of Limit; a page index times the page
	 * size is that, and a record offset for PostgreSQL. */
	cJSON_AddNumberToObject(body, "Offset", (double)(q->page * l->page_size));
	if (q->spec && q->spec->n_tags) {
		if (pg) {
			cJSON *filters = cJSON_AddArrayToObject(body, "Filters");
			cJSON *f = cJSON_CreateObject();
			cJSON *values = cJSON_AddArrayToObject(f, "Values");
			cJSON_AddStringToObject(f, "Name", "db-tag-key");
			for (size_t i = 0; i < q->spec->n_tags; i++)
				cJSON_AddItemToArray(values, cJSON_CreateString(q->spec->tags[i].key));
			cJSON_AddItemToArray(filters, f);
		} else {
			cJSON *tags = cJSON_AddArrayToObject(body, "TagList");
			for (size_t i = 0; i < q->spec->n_tags; i++) {
				cJSON *t = cJSON_CreateObject();
				cJSON_AddStringToObject(t, "TagKey", q->spec->tags[i].key);
				cJSON_AddStringToObject(t, "TagValue", q->spec->tags[i].value);
				cJSON_AddItemToArray(tags, t);
			}
		}
	}
	text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (!text)
		die(70, "out of memory");
	query_instance(q, &in);
	base = provider_base_url(&in);
	provider_tencent_request(base, svc->signing_service, l->action, svc->version, q->region, text,
	                         cred, ctx->now, out);
	free(base);
	cJSON_free(text);
	return 0;
}

int list_build_tencent_redis(const struct list_query *q, const struct credentials *cred,
                             const struct sign_context *ctx, struct http_request *out, char **err)
{
	return tencent_build(q, cred, ctx, out, err, false);
}

int list_build_tencent_postgres(const struct list_query *q, const struct credentials *cred,
                                const struct sign_context *ctx, struct http_request *out, char **err)
{
	return tencent_build(q, cred, ctx, out, err, true);
}

static void tencent_redis_item(const cJSON *o, const struct list_query *q, struct found_instance *it)
{
	(void)q;
	it->addr.ip = get_str(o, "WanIp");
	it->addr.host = get_str(o, "WanIp");
	it->addr.port = get_port(o, "Port");
	get_tags(cJSON_GetObjectItemCaseSensitive(o, "InstanceTags"), "TagKey", "TagValue", it);
}

/* The private network's entry of DBInstanceNetInfo: clients inside the
 * VPC connect there, and it is the one the status call names without a port. */
static void tencent_pg_item(const cJSON *o, const struct list_query *q, struct found_instance *it)
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
		it->addr.ip = get_str(n, "Ip");
		it->addr.domain = get_str(n, "Address");
		it->addr.host = get_str(n, it->addr.domain ? "Address" : "Ip");
		it->addr.port = get_port(n, "Port");
		break;
	}
	get_tags(cJSON_GetObjectItemCaseSensitive(o, "TagList"), "TagKey", "TagValue", it);
}

static void tencent_parse(const struct list_query *q, const struct http_response *resp,
                          struct list_page *out, bool pg)
{
	cJSON *root = provider_parse_object(resp, &out->r);
	cJSON *response = cJSON_GetObjectItemCaseSensitive(root, "Response");
	const char *set = pg ? "DBInstanceSet" : "InstanceSet";

	if (!root || resp->status != 200 || !cJSON_IsObject(response) ||
	    cJSON_GetObjectItemCaseSensitive(response, "Error")) {
		cJSON_Delete(root);
		page_error(q, resp, out);
		return;
	}
	out->r.request_id = get_str(response, "RequestId");
	if (!get_count(response, "TotalCount", &out->total)) {
		provider_result_invalid(&out->r, resp->status, "TotalCount: expected a count");
	} else if (read_items(cJSON_GetObjectItemCaseSensitive(response, set), set,
	                      pg ? "DBInstanceId" : "InstanceId",
	                      pg ? "DBInstanceName" : "InstanceName", q,
	                      pg ? tencent_pg_item : tencent_redis_item, resp, out)) {
		page_done(q, out);
	}
	cJSON_Delete(root);
}

void list_parse_tencent_redis(const struct list_query *q, const struct http_response *resp,
                              struct list_page *out)
{
	tencent_parse(q, resp, out, false);
}

void list_parse_tencent_postgres(const struct list_query *q, const struct http_response *resp,
                                 struct list_page *out)
{
	tencent_parse(q, resp, out, true);
}

/* ---- Huawei -------------------------------------------------------------------- */

static const char *project_of(const struct list_query *q, const struct credentials *cred)
{
	if (q->a->project_id && *q->a->project_id)
		return q->a->project_id;
	if (cred->project_id && *cred->project_id)
		return cred->project_id;
	return NULL;
}

int list_build_huawei_dcs(const struct list_query *q, const struct credentials *cred,
                          const struct sign_context *ctx, struct http_request *out, char **err)
{
	const struct provider_lister *l;
	const char *project;
	struct instance in;
	char limit[24], offset[24], *base, *path, *tags = NULL;
	struct sign_kv query[3];
	size_t nq = 0;

	memset(out, 0, sizeof(*out));
	if (check_query(q, cred, err) != 0)
		return -1;
	if (!(project = project_of(q, cred))) {
		*err = xasprintf("no project_id for account %s", q->a->name);
		return -1;
	}
	l = provider_lister(q->a->provider, q->kind);
	snprintf(limit, sizeof(limit), "%ld", l->page_size);
	snprintf(offset, sizeof(offset), "%ld", q->page * l->page_size);
	query[nq++] = (struct sign_kv){"limit", limit};
	query[nq++] = (struct sign_kv){"offset", offset};
	if (q->spec && q->spec->n_tags) {
		size_t len = 1;
		for (size_t i = 0; i < q->spec->n_tags; i++)
			len += strlen(q->spec->tags[i].key) + strlen(q->spec->tags[i].value) + 2;
		tags = xcalloc(len, 1);
		for (size_t i = 0; i < q->spec->n_tags; i++) {
			if (i)
				strcat(tags, ",");
			strcat(tags, q->spec->tags[i].key);
			strcat(tags, "=");
			strcat(tags, q->spec->tags[i].value);
		}
		query[nq++] = (struct sign_kv){"tags", tags};
	}
	query_instance(q, &in);
	base = provider_base_url(&in);
	path = xasprintf("/v2/%s/instances", project);
	provider_huawei_request(base, "GET", path, query, nq, NULL, 0, project, NULL, cred, ctx->now,
	                        out);
	out->action = l->action;
	free(path);
	free(base);
	free(tags);
	return 0;
}

static void huawei_item(const cJSON *o, const struct list_query *q, struct found_instance *it)
{
	(void)q;
	it->addr.ip = get_str(o, "ip");
	it->addr.domain = get_str(o, "domain_name");
	it->addr.host = get_str(o, it->addr.domain ? "domain_name" : "ip");
	it->addr.port = get_port(o, "port");
	get_tags(cJSON_GetObjectItemCaseSensitive(o, "tags"), "key", "value", it);
}

void list_parse_huawei_dcs(const struct list_query *q, const struct http_response *resp,
                           struct list_page *out)
{
	cJSON *root = provider_parse_object(resp, &out->r);

	if (!root || resp->status < 200 || resp->status >= 300 ||
	    cJSON_GetObjectItemCaseSensitive(root, "error_code") ||
	    cJSON_GetObjectItemCaseSensitive(root, "errorCode")) {
		cJSON_Delete(root);
		page_error(q, resp, out);
		return;
	}
	if (!get_count(root, "instance_num", &out->total))
		provider_result_invalid(&out->r, resp->status, "instance_num: expected a count");
	else if (read_items(cJSON_GetObjectItemCaseSensitive(root, "instances"), "instances",
	                    "instance_id", "name", q, huawei_item, resp, out))
		page_done(q, out);
	cJSON_Delete(root);
}

/* ---- Alibaba ------------------------------------------------------------------- */

int list_build_alibaba_redis(const struct list_query *q, const struct credentials *cred,
                             const struct sign_context *ctx, struct http_request *out, char **err)
{
	const struct provider_lister *l;
	const struct provider_service *svc;
	struct instance in;
	char number[24], size[24], *base;
	size_t n_tags = q->spec ? q->spec->n_tags : 0, np = 0;

	memset(out, 0, sizeof(*out));
	if (check_query(q, cred, err) != 0)
		return -1;
	if (!ctx->nonce || !*ctx->nonce) {
		*err = xasprintf("account %s: no signature nonce", q->a->name);
		return -1;
	}
	l = provider_lister(q->a->provider, q->kind);
	svc = provider_service(q->a->provider, q->kind);
	struct sign_kv *params = xcalloc(3 + 2 * n_tags, sizeof(*params));
	char **names = xcalloc(2 * n_tags + 1, sizeof(*names));
	snprintf(number, sizeof(number), "%ld", q->page + 1);
	snprintf(size, sizeof(size), "%ld", l->page_size);
	params[np++] = (struct sign_kv){"RegionId", q->region};
	params[np++] = (struct sign_kv){"PageNumber", number};
	params[np++] = (struct sign_kv){"PageSize", size};
	for (size_t i = 0; i < n_tags; i++) {
		names[2 * i] = xasprintf("Tag.%zu.Key", i + 1);
		names[2 * i + 1] = xasprintf("Tag.%zu.Value", i + 1);
		params[np++] = (struct sign_kv){names[2 * i], q->spec->tags[i].key};
		params[np++] = (struct sign_kv){names[2 * i + 1], q->spec->tags[i].value};
	}
	query_instance(q, &in);
	base = provider_base_url(&in);
	provider_alibaba_request(base, "GET", l->action, svc->version, params, np, cred, ctx, out);
	free(base);
	for (size_t i = 0; i < 2 * n_tags; i++)
		free(names[i]);
	free(names);
	free(params);
	return 0;
}

static void alibaba_item(const cJSON *o, const struct list_query *q, struct found_instance *it)
{
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(o, "Tags");
	char *region = get_str(o, "RegionId");

	(void)q;
	if (region) {
		free(it->region);
		it->region = region;
	}
	it->addr.domain = get_str(o, "ConnectionDomain");
	it->addr.host = get_str(o, "ConnectionDomain");
	it->addr.port = get_port(o, "Port");
	get_tags(cJSON_GetObjectItemCaseSensitive(tags, "Tag"), "Key", "Value", it);
}

void list_parse_alibaba_redis(const struct list_query *q, const struct http_response *resp,
                              struct list_page *out)
{
	cJSON *root = provider_parse_object(resp, &out->r);
	const cJSON *insts;

	if (!root || resp->status < 200 || resp->status >= 300 ||
	    (cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "Code")) &&
	     !cJSON_GetObjectItemCaseSensitive(root, "TotalCount"))) {
		cJSON_Delete(root);
		page_error(q, resp, out);
		return;
	}
	out->r.request_id = get_str(root, "RequestId");
	insts = cJSON_GetObjectItemCaseSensitive(root, "Instances");
	if (!get_count(root, "TotalCount", &out->total))
		provider_result_invalid(&out->r, resp->status, "TotalCount: expected a count");
	else if (insts && !cJSON_IsObject(insts))
		provider_result_invalid(&out->r, resp->status, "Instances: expected object, got %s",
		                        provider_json_type(insts));
	else if (read_items(cJSON_GetObjectItemCaseSensitive(insts, "KVStoreInstance"),
	                    "Instances.KVStoreInstance", "InstanceId", "InstanceName", q, alibaba_item,
	                    resp, out))
		page_done(q, out);
	cJSON_Delete(root);
}
