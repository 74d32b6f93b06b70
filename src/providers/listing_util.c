/* The helpers the per-cloud list files share (listing_util.h). Requests
 * go through the clouds' generic signers; error answers through the
 * cloud's own status parser, since a list call fails with the same
 * envelope and codes as a status call. */
#include "providers/listing_util.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void list_query_instance(const struct list_query *q, struct instance *in)
{
	memset(in, 0, sizeof(*in));
	in->name = (char *)"(listing)";
	in->account = (struct account *)q->a;
	in->service = q->kind;
	in->region = (char *)q->region;
	in->id = (char *)"-";
	in->warn_days = in->crit_days = in->require_tls = -1;
}

int list_check_query(const struct list_query *q, const struct credentials *cred, char **err)
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

void list_page_error(const struct list_query *q, const struct http_response *resp,
                       struct list_page *out)
{
	struct instance in;

	list_query_instance(q, &in);
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

bool list_get_count(const cJSON *obj, const char *name, long *out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!cJSON_IsNumber(j) || j->valuedouble < 0 || j->valuedouble > 1e9 ||
	    j->valuedouble != floor(j->valuedouble))
		return false;
	*out = (long)j->valuedouble;
	return true;
}

int list_get_port(const cJSON *obj, const char *name)
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

char *list_get_str(const cJSON *obj, const char *name)
{
	return provider_nonempty(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name)));
}

void list_get_tags(const cJSON *arr, const char *kname, const char *vname, struct found_instance *it)
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

bool list_read_items(const cJSON *arr, const char *arr_name, const char *id_name,
                       const char *name_name, const struct list_query *q, list_item_fn fill,
                       const struct http_response *resp, struct list_page *out)
{
	const cJSON *o;

	if (arr && !cJSON_IsNull(arr) && !cJSON_IsArray(arr)) {
		provider_result_invalid(&out->r, resp->status, "%s: expected array, got %s", arr_name,
		                        provider_json_type(arr));
		return false;
	}
	/* No array at all where the count says there are instances is a
	 * broken answer, not an empty page: taken as empty, it would end the
	 * listing and the merge would drop every instance found before. An
	 * empty array stays a page of nothing (the fleet may have shrunk). */
	if ((!arr || cJSON_IsNull(arr)) && out->total > 0) {
		provider_result_invalid(&out->r, resp->status, "%s: missing (the count is %ld)", arr_name,
		                        out->total);
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

void list_page_done(const struct list_query *q, struct list_page *out)
{
	const struct provider_lister *l = provider_lister(q->a->provider, q->kind);

	out->ok = true;
	out->r.state = STATE_ENABLED;   /* "an answer": the request hook counts it a success */
	out->next = list_next_page(q->page, l ? l->page_size : 0, out->n_items, out->total);
	out->last = list_last_page(q->page, l ? l->page_size : 0, out->n_items, out->total);
}

char *list_get_first(const cJSON *obj, const char *name)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, name), *e;

	if (!cJSON_IsArray(arr))
		return NULL;
	cJSON_ArrayForEach(e, arr) {
		char *s = provider_nonempty(cJSON_GetStringValue(e));
		if (s)
			return s;
	}
	return NULL;
}

void list_spec_tags(const struct list_query *q, struct found_instance *it)
{
	if (!q->spec || !q->spec->n_tags || it->tags)
		return;
	it->tags = xcalloc(q->spec->n_tags + 1, sizeof(*it->tags));
	for (size_t i = 0; i < q->spec->n_tags; i++) {
		it->tags[i].key = xstrdup(q->spec->tags[i].key);
		it->tags[i].value = xstrdup(q->spec->tags[i].value);
	}
	it->n_tags = q->spec->n_tags;
}

char *list_tags_query(const struct list_query *q)
{
	size_t len = 1;
	char *tags;

	if (!q->spec || !q->spec->n_tags)
		return NULL;
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
	return tags;
}
