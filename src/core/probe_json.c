#include "core/probe_json.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *time_or_null(time_t t)
{
	char buf[21];

	if (t == TIME_NONE)
		return cJSON_CreateNull();
	timefmt_iso_utc(t, buf);
	return cJSON_CreateString(buf);
}

/* floor division: a leaf that expired an hour ago has -1 days left */
static long days_until(time_t t, time_t now)
{
	long long d = (long long)t - (long long)now;

	return (long)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
}

cJSON *probe_status_json(const struct probe_status *p, time_t now)
{
	if (p->result == PROBE_NONE)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "at", time_or_null(p->at));
	cJSON_AddItemToObject(o, "host", str_or_null(p->host));
	if (p->port > 0)
		cJSON_AddNumberToObject(o, "port", p->port);
	else
		cJSON_AddNullToObject(o, "port");
	cJSON_AddItemToObject(o, "verify_name", str_or_null(p->verify_name));
	cJSON_AddStringToObject(o, "result", probe_result_name(p->result));
	cJSON_AddItemToObject(o, "error", str_or_null(p->error));
	cJSON_AddItemToObject(o, "tls_version", str_or_null(p->tls_version));
	const struct probe_leaf *l = p->leaf;
	if (!l) {
		cJSON_AddNullToObject(o, "leaf");
		return o;
	}
	cJSON *lj = cJSON_AddObjectToObject(o, "leaf");
	cJSON_AddItemToObject(lj, "subject", str_or_null(l->subject));
	cJSON_AddItemToObject(lj, "issuer", str_or_null(l->issuer));
	cJSON_AddItemToObject(lj, "not_after", time_or_null(l->not_after));
	if (l->not_after != TIME_NONE)
		cJSON_AddNumberToObject(lj, "days_left", (double)days_until(l->not_after, now));
	else
		cJSON_AddNullToObject(lj, "days_left");
	cJSON_AddStringToObject(lj, "sha256", l->sha256);
	cJSON *san = cJSON_AddArrayToObject(lj, "san");
	for (size_t i = 0; i < l->n_san; i++)
		cJSON_AddItemToArray(san, cJSON_CreateString(l->san[i]));
	return o;
}

static bool opt_string(const cJSON *o, const char *key, char **out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = NULL;
	if (!j || cJSON_IsNull(j))
		return true;
	if (!cJSON_IsString(j))
		return false;
	*out = xstrdup(j->valuestring);
	return true;
}

static bool opt_time(const cJSON *o, const char *key, time_t *out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = TIME_NONE;
	if (!j || cJSON_IsNull(j))
		return true;
	return cJSON_IsString(j) && timefmt_parse_iso8601(j->valuestring, out);
}

static bool leaf_from_json(const cJSON *j, struct probe_leaf **out)
{
	*out = NULL;
	if (!j || cJSON_IsNull(j))
		return true;
	if (!cJSON_IsObject(j))
		return false;
	struct probe_leaf *l = xcalloc(1, sizeof(*l));
	const cJSON *sha = cJSON_GetObjectItemCaseSensitive(j, "sha256");
	const cJSON *san = cJSON_GetObjectItemCaseSensitive(j, "san");
	bool ok = opt_string(j, "subject", &l->subject) && opt_string(j, "issuer", &l->issuer) &&
	          opt_time(j, "not_after", &l->not_after) && cJSON_IsString(sha) &&
	          strlen(sha->valuestring) == 64 && (!san || cJSON_IsArray(san));
	l->not_before = TIME_NONE;
	if (ok) {
		memcpy(l->sha256, sha->valuestring, 65);
		const cJSON *s;
		cJSON_ArrayForEach(s, san) {
			if (!cJSON_IsString(s)) {
				ok = false;
				break;
			}
			l->san = xreallocarray(l->san, l->n_san + 1, sizeof(*l->san));
			l->san[l->n_san++] = xstrdup(s->valuestring);
		}
	}
	if (!ok) {
		probe_leaf_free(l);
		return false;
	}
	*out = l;
	return true;
}

bool probe_status_from_json(const cJSON *j, struct probe_status *out)
{
	probe_status_clear(out);
	if (!j || cJSON_IsNull(j))
		return true;
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "result");
	const cJSON *port = cJSON_GetObjectItemCaseSensitive(j, "port");
	enum probe_result r;
	if (!cJSON_IsObject(j) || !cJSON_IsString(res) || !probe_result_from_name(res->valuestring, &r))
		return false;
	bool ok = opt_time(j, "at", &out->at) && opt_string(j, "host", &out->host) &&
	          opt_string(j, "verify_name", &out->verify_name) &&
	          opt_string(j, "error", &out->error) &&
	          opt_string(j, "tls_version", &out->tls_version) &&
	          leaf_from_json(cJSON_GetObjectItemCaseSensitive(j, "leaf"), &out->leaf);
	if (ok && cJSON_IsNumber(port) && port->valuedouble >= 1 && port->valuedouble <= 65535)
		out->port = (int)port->valuedouble;
	else if (port && !cJSON_IsNull(port))
		ok = false;
	if (!ok) {
		probe_status_clear(out);
		return false;
	}
	out->result = r;
	return true;
}
