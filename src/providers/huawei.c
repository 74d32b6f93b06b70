/* Huawei Cloud and Open Telekom Cloud DCS: GET .../ssl and POST
 * .../ssl-certs/download, signed with APIG SDK-HMAC-SHA256. Errors come as
 * {error_code, error_msg} or, from the gateway, {errorCode, errorMessage}. */
#include "providers/provider.h"
#include "providers/sign.h"
#include "core/strbuf.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "engine/url.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const unsupported_codes[] = {"DCS.4201", NULL};
static const char *const auth_codes[] = {"APIG.0301", "APIGW.0301", NULL};
static const char *const throttled_codes[] = {"APIG.0308", "APIGW.0308", NULL};

static const struct provider_codes huawei_codes = {
	.unsupported = unsupported_codes,
	.auth = auth_codes,
	.throttled = throttled_codes,
};

static char *huawei_default_endpoint(const struct account *a, const struct instance *in)
{
	const struct provider_service *svc = provider_service_of(in);
	const char *host = svc ? svc->host : "dcs";
	const char *region = in->region ? in->region : "";

	(void)a;
	if (strcmp(region, "eu-west-101") == 0)
		return xasprintf("https://%s.eu-west-101.myhuaweicloud.eu", host);
	if (strcmp(region, "eu-de") == 0 || strcmp(region, "eu-nl") == 0)
		return xasprintf("https://%s.%s.otc.t-systems.com", host, region);
	/* OTC's Swiss cloud (Swiss Open Telekom Cloud) has its own domain. */
	if (strcmp(region, "eu-ch2") == 0)
		return xasprintf("https://%s.eu-ch2.sc.otc.t-systems.com", host);
	return xasprintf("https://%s.%s.myhuaweicloud.com", host, region);
}

void provider_huawei_request(const char *base_url, const char *method, const char *path,
                             const struct sign_kv *query, size_t n_query,
                             const struct sign_kv *extra_headers, size_t n_extra,
                             const char *project_id, const char *body,
                             const struct credentials *cred, time_t now,
                             struct http_request *out)
{
	struct sign_kv *h = xcalloc(n_extra + 3, sizeof(*h));
	char *host = url_authority(base_url);
	struct strbuf url = STRBUF_INIT;
	struct apig_output sig;
	char date[17];
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	timefmt_sdk_date(now, date);
	for (size_t i = 0; i < n_extra; i++)
		h[n++] = extra_headers[i];
	h[n++] = (struct sign_kv){"X-Project-Id", project_id};
	if (cred->token && *cred->token)
		h[n++] = (struct sign_kv){"X-Security-Token", cred->token};
	h[n++] = (struct sign_kv){"X-Sdk-Date", date};

	struct apig_input in = {
		.access_key = cred->id,
		.secret_key = cred->secret,
		.method = method,
		.host = host,
		.path = path,
		.query = query,
		.n_query = n_query,
		.headers = h,
		.n_headers = n,
		.body = body,
		.body_len = body ? strlen(body) : 0,
	};
	/* cannot fail: X-Sdk-Date is always there */
	sign_apig(&in, &sig);

	strbuf_adds(&url, base_url);
	sign_percent_encode_path(&url, path);
	if (*sig.query_string) {
		strbuf_addc(&url, '?');
		strbuf_adds(&url, sig.query_string);
	}
	out->method = xstrdup(method);
	out->url = strbuf_steal(&url);
	for (size_t i = 0; i < n; i++)
		http_request_add_header(out, h[i].key, h[i].value);
	http_request_add_header(out, "Host", host);
	http_request_add_header(out, "Authorization", sig.authorization);
	if (body) {
		out->body = xstrdup(body);
		out->body_len = strlen(body);
	}
	sign_apig_free(&sig);
	free(host);
	free(h);
}

static const char *project_id_of(const struct instance *in, const struct credentials *cred)
{
	if (in->project_id && *in->project_id)
		return in->project_id;
	if (in->account->project_id && *in->account->project_id)
		return in->account->project_id;
	if (cred && cred->project_id && *cred->project_id)
		return cred->project_id;
	return NULL;
}

static int huawei_build_request(const struct instance *in, enum api_call call,
                                const struct credentials *cred, const struct sign_context *ctx,
                                struct http_request *out, char **err)
{
	static const struct sign_kv json_type = {"Content-Type", "application/json"};
	const char *project = project_id_of(in, cred);
	bool download = call == CALL_CERT_LINK;
	char *base, *path;

	memset(out, 0, sizeof(*out));
	if (provider_check_request(in, call, cred, err) != 0)
		return -1;
	if (!project) {
		*err = xasprintf("no project_id for %s (set it on the instance or account %s)",
		                 in->name, in->account->name);
		return -1;
	}

	base = provider_base_url(in);
	path = xasprintf("/v2/%s/instances/%s/%s", project, in->id,
	                 download ? "ssl-certs/download" : "ssl");
	/* The download is a POST without a body: an empty one, declared JSON. */
	provider_huawei_request(base, download ? "POST" : "GET", path, NULL, 0,
	                        download ? &json_type : NULL, download ? 1 : 0, project,
	                        download ? "" : NULL, cred, ctx->now, out);
	out->action = provider_action(in, call);
	free(path);
	free(base);
	return 0;
}

/* Port as a string "6379" (the documented type) or a number; outside
 * 1..65535 it is unknown. Returns -1 for anything else. */
static int get_port(const cJSON *body, int *port, struct provider_result *r, long status)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(body, "port");
	double v;

	*port = -1;
	if (!j || cJSON_IsNull(j))
		return 0;
	if (cJSON_IsString(j)) {
		const char *s = j->valuestring;
		char *end;
		long l;

		if (!*s)
			return 0;
		if (!isdigit((unsigned char)*s)) {
			provider_result_invalid(r, status, "port: expected a number, got \"%.32s\"", s);
			return -1;
		}
		l = strtol(s, &end, 10);
		if (*end) {
			provider_result_invalid(r, status, "port: expected a number, got \"%.32s\"", s);
			return -1;
		}
		if (l >= 1 && l <= 65535)
			*port = (int)l;
		return 0;
	}
	if (!cJSON_IsNumber(j)) {
		provider_result_invalid(r, status, "port: expected string, got %s",
		                        provider_json_type(j));
		return -1;
	}
	v = j->valuedouble;
	if (v >= 1 && v <= 65535 && v == (double)(int)v)
		*port = (int)v;
	return 0;
}

/* "name:6379" -> "name"; "[::1]:6379" -> "::1"; anything else verbatim. */
static char *host_of(const char *domain)
{
	const char *colon;

	if (!domain || !*domain)
		return NULL;
	if (domain[0] == '[') {
		const char *close = strchr(domain, ']');
		if (close && (close[1] == '\0' || close[1] == ':'))
			return xstrndup(domain + 1, (size_t)(close - domain - 1));
		return xstrdup(domain);
	}
	colon = strrchr(domain, ':');
	if (colon && colon != domain && strchr(domain, ':') == colon &&
	    colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1))
		return xstrndup(domain, (size_t)(colon - domain));
	return xstrdup(domain);
}

static void status_answer(cJSON *body, long status, struct provider_result *r)
{
	const char *ip, *ipv6, *domain, *expires;
	int enabled, port;

	if (provider_json_bool(body, "enabled", &enabled, r, status) < 0 ||
	    provider_json_string(body, "ip", &ip, r, status) < 0 ||
	    provider_json_string(body, "ipv6", &ipv6, r, status) < 0 ||
	    provider_json_string(body, "domain_name", &domain, r, status) < 0 ||
	    provider_json_string(body, "ssl_expired_at", &expires, r, status) < 0 ||
	    get_port(body, &port, r, status) < 0)
		return;
	/* "enabled" is present and true only when SSL is on. */
	r->state = enabled == 1 ? STATE_ENABLED : STATE_DISABLED;
	r->addr.ip = provider_nonempty(ip);
	r->addr.ipv6 = provider_nonempty(ipv6);
	r->addr.domain = provider_nonempty(domain);
	r->addr.host = host_of(domain);
	r->addr.port = port;
	if (!expires || !timefmt_parse_iso8601(expires, &r->cert_expires))
		r->cert_expires = TIME_NONE;
}

static void link_answer(cJSON *body, long status, struct provider_result *r)
{
	const char *file, *link;

	if (provider_json_string(body, "file_name", &file, r, status) < 0 ||
	    provider_json_string(body, "link", &link, r, status) < 0)
		return;
	if (!link || !*link) {
		provider_result_invalid(r, status, "link: missing");
		return;
	}
	r->state = STATE_ENABLED;
	r->link = xstrdup(link);
	r->file_name = provider_nonempty(file);
	provider_url_expires(link, &r->cert_url_expires);
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay && *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* Either error shape; *code NULL when the body has none. */
static void error_fields(const cJSON *body, const char **code, const char **message)
{
	*code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "error_code"));
	*message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "error_msg"));
	if (!*code || !**code) {
		*code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "errorCode"));
		*message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "errorMessage"));
	}
	if (*code && !**code)
		*code = NULL;
}

static void huawei_parse_response(const struct instance *in, enum api_call call,
                                  const struct http_response *resp, struct provider_result *out)
{
	const char *code = NULL, *message = NULL;
	cJSON *body;

	(void)in;
	if (resp->status == 204) {
		out->state = STATE_NO_INFO;
		out->request_id = provider_nonempty(resp->request_id);
		return;
	}
	body = provider_parse_object(resp, out);
	if (body) {
		out->request_id = provider_nonempty(cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(body, "request_id")));
		error_fields(body, &code, &message);
	}
	/* Success answers carry the id only in the gateway's X-Request-Id
	 * header (error bodies carry it too). */
	if (!out->request_id)
		out->request_id = provider_nonempty(resp->request_id);
	if (resp->status >= 200 && resp->status < 300 && !code) {
		if (!body)
			return;  /* InvalidResponse already set */
		if (call == CALL_STATUS)
			status_answer(body, resp->status, out);
		else
			link_answer(body, resp->status, out);
		if (out->state == STATE_ENABLED || out->state == STATE_DISABLED) {
			if (call == CALL_STATUS)
				out->provider_status = body;
			else
				cJSON_Delete(body);
		} else {
			address_free(&out->addr);
			out->cert_expires = TIME_NONE;
			cJSON_Delete(body);
		}
		return;
	}

	provider_map_error(out, &huawei_codes, resp->status, code, message);
	/* The gateway says 0301 for every bad credential; only the message
	 * tells an expired signature (our clock) from a wrong key. */
	if (out->state == STATE_AUTH_ERROR && code && provider_code_in(code, auth_codes) &&
	    contains_ci(message, "signature expired"))
		out->clock_skew = true;
	if (out->state == STATE_UNSUPPORTED)
		out->provider_status = body;
	else
		cJSON_Delete(body);
}

const struct provider_ops provider_huawei = {
	.name = "huawei",
	.kind = PROVIDER_HUAWEI,
	.title = "Huawei",
	.full_title = "Huawei Cloud",
	.help_title = "Huawei Cloud / Open Telekom Cloud",
	.inline_keys = {"access_key", "secret_key", "security_token"},
	.env = {
		.id = "HUAWEICLOUD_SDK_AK",
		.secret = "HUAWEICLOUD_SDK_SK",
		.token = {"HUAWEICLOUD_SDK_SECURITY_TOKEN"},
		.project_id = "HUAWEICLOUD_SDK_PROJECT_ID",
	},
	.files = {{
		.format = CRED_FILE_INI,
		.path_var = "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
		.path = "~/.huaweicloud/credentials",
		.section = "basic",
		.id = "ak", .secret = "sk", .token = "security_token", .project_id = "project_id",
	}},
	.settings = {{
		.key = "project_id",
		.kind = SETTING_ID,
		.account_offset = offsetof(struct account, project_id),
		.per_instance = true,
		.instance_offset = offsetof(struct instance, project_id),
		.required = true,
	}},
	.default_endpoint = huawei_default_endpoint,
	.build_request = huawei_build_request,
	.parse_response = huawei_parse_response,
};
