/* Huawei Cloud and Open Telekom Cloud DCS (GET .../ssl, POST
 * .../ssl-certs/download) and RDS (GET /v3/{project}/instances?id=...,
 * GET .../ssl-cert/download-link), signed with APIG SDK-HMAC-SHA256.
 * Errors come as {error_code, error_msg} or, from the gateway,
 * {errorCode, errorMessage}. */
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

/* DBS.200040: "The DB engine or version is not supported". */
static const char *const unsupported_codes[] = {"DCS.4201", "DBS.200040", NULL};
/* RDS: DBS.200002 and DBS.200045 "The DB instance does not exist" (404). */
static const char *const not_found_codes[] = {"DBS.200002", "DBS.200045", NULL};
static const char *const auth_codes[] = {"APIG.0301", "APIGW.0301", NULL};
static const char *const throttled_codes[] = {"APIG.0308", "APIGW.0308", NULL};

static const struct provider_codes huawei_codes = {
	.unsupported = unsupported_codes,
	.not_found = not_found_codes,
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
	if (in->service == SERVICE_RDS) {
		/* RDS has no per-instance SSL call: the instance list, filtered
		 * by id, carries enable_ssl and the address. */
		const struct sign_kv id = {"id", in->id};

		path = download ? xasprintf("/v3/%s/instances/%s/ssl-cert/download-link", project, in->id)
		                : xasprintf("/v3/%s/instances", project);
		provider_huawei_request(base, "GET", path, download ? NULL : &id, download ? 0 : 1,
		                        NULL, 0, project, NULL, cred, ctx->now, out);
		out->action = provider_action(in, call);
		free(path);
		free(base);
		return 0;
	}
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
char *provider_huawei_host(const char *domain)
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
	r->addr.host = provider_huawei_host(domain);
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

/* ---- RDS --------------------------------------------------------------------- */

/* The first string of an array member (private_ips, private_dns_names...):
 * absent, null or empty is NULL; anything but an array of strings is
 * InvalidResponse. */
static int first_string(const cJSON *obj, const char *name, const char **out,
                        struct provider_result *r, long status)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, name), *it;
	size_t i = 0;

	*out = NULL;
	if (!a || cJSON_IsNull(a))
		return 0;
	if (!cJSON_IsArray(a)) {
		provider_result_invalid(r, status, "%s: expected array, got %s", name, provider_json_type(a));
		return -1;
	}
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsString(it)) {
			provider_result_invalid(r, status, "%s[%zu]: expected string, got %s", name, i,
			                        provider_json_type(it));
			return -1;
		}
		if (!*out && *it->valuestring)
			*out = it->valuestring;
		i++;
	}
	return 0;
}

/* {"instances": [...], "total_count": n}, asked with ?id=: the instance
 * whose id matches, or not_found when the list does not hold it (the API
 * answers an unknown id with an empty list, not with an error). Returns
 * the instance's object: it, not the list around it, is the answer kept
 * in provider_status (as Tencent's inner Response is). */
static const cJSON *rds_status_answer(const struct instance *in, cJSON *body, long status,
                                      struct provider_result *r)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "instances"), *it, *found = NULL;
	const cJSON *port;
	const char *ip, *ipv6 = NULL, *dns;
	int enabled;
	size_t i = 0;

	if (!list || cJSON_IsNull(list)) {
		provider_result_invalid(r, status, "instances: missing");
		return NULL;
	}
	if (!cJSON_IsArray(list)) {
		provider_result_invalid(r, status, "instances: expected array, got %s",
		                        provider_json_type(list));
		return NULL;
	}
	cJSON_ArrayForEach(it, list) {
		const char *id;

		if (!cJSON_IsObject(it)) {
			provider_result_invalid(r, status, "instances[%zu]: expected object, got %s", i,
			                        provider_json_type(it));
			return NULL;
		}
		if (provider_json_string(it, "id", &id, r, status) < 0)
			return NULL;
		if (id && strcmp(id, in->id) == 0) {
			found = it;
			break;
		}
		i++;
	}
	if (!found) {
		provider_result_fail(r, STATE_NOT_FOUND, "InstanceNotFound",
		                     "the instance list has no instance with this id", status);
		return NULL;
	}
	if (provider_json_bool(found, "enable_ssl", &enabled, r, status) < 0 ||
	    first_string(found, "private_ips", &ip, r, status) < 0 ||
	    first_string(found, "private_dns_names", &dns, r, status) < 0)
		return NULL;
	port = cJSON_GetObjectItemCaseSensitive(found, "port");
	if (port && !cJSON_IsNull(port) && !cJSON_IsNumber(port)) {
		provider_result_invalid(r, status, "port: expected number, got %s", provider_json_type(port));
		return NULL;
	}
	if (enabled < 0) {
		provider_result_invalid(r, status, "enable_ssl: missing");
		return NULL;
	}
	r->state = enabled ? STATE_ENABLED : STATE_DISABLED;
	/* IPv6 instances list their address among private_ips */
	if (ip && strchr(ip, ':')) {
		ipv6 = ip;
		ip = NULL;
	}
	r->addr.ip = provider_nonempty(ip);
	r->addr.ipv6 = provider_nonempty(ipv6);
	r->addr.domain = provider_nonempty(dns);
	r->addr.host = provider_nonempty(dns ? dns : ip ? ip : ipv6);
	if (port && cJSON_IsNumber(port) && port->valuedouble >= 1 && port->valuedouble <= 65535 &&
	    port->valuedouble == (double)(int)port->valuedouble)
		r->addr.port = (int)port->valuedouble;
	/* No certificate date in the answer: the expiry comes from the CA
	 * file once downloaded. */
	r->cert_expires = TIME_NONE;
	return found;
}

/* {"cert_info_list": [{"category": "international"|"national",
 * "download_link": url}]}: the international (RSA) certificate; the
 * national one is for Chinese SM algorithms that clients rarely speak. */
static void rds_link_answer(cJSON *body, long status, struct provider_result *r)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "cert_info_list"), *it;
	const char *pick = NULL, *first = NULL;
	size_t i = 0;

	if (!list || cJSON_IsNull(list)) {
		provider_result_invalid(r, status, "cert_info_list: missing");
		return;
	}
	if (!cJSON_IsArray(list)) {
		provider_result_invalid(r, status, "cert_info_list: expected array, got %s",
		                        provider_json_type(list));
		return;
	}
	cJSON_ArrayForEach(it, list) {
		const char *cat, *link;

		if (!cJSON_IsObject(it)) {
			provider_result_invalid(r, status, "cert_info_list[%zu]: expected object, got %s", i,
			                        provider_json_type(it));
			return;
		}
		if (provider_json_string(it, "category", &cat, r, status) < 0 ||
		    provider_json_string(it, "download_link", &link, r, status) < 0)
			return;
		if (link && *link) {
			if (!first)
				first = link;
			if (!pick && cat && strcmp(cat, "international") == 0)
				pick = link;
		}
		i++;
	}
	if (!pick)
		pick = first;
	if (!pick) {
		provider_result_invalid(r, status, "cert_info_list: no download_link");
		return;
	}
	r->state = STATE_ENABLED;
	r->link = xstrdup(pick);
	provider_url_expires(pick, &r->cert_url_expires);
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
		const cJSON *keep = body;

		if (in->service == SERVICE_RDS && call == CALL_STATUS)
			keep = rds_status_answer(in, body, resp->status, out);
		else if (in->service == SERVICE_RDS)
			rds_link_answer(body, resp->status, out);
		else if (call == CALL_STATUS)
			status_answer(body, resp->status, out);
		else
			link_answer(body, resp->status, out);
		if (out->state == STATE_ENABLED || out->state == STATE_DISABLED) {
			if (call == CALL_STATUS && keep == body) {
				out->provider_status = body;
			} else if (call == CALL_STATUS && keep) {
				out->provider_status = cJSON_DetachItemViaPointer(
					cJSON_GetObjectItemCaseSensitive(body, "instances"), (cJSON *)keep);
				cJSON_Delete(body);
			} else {
				cJSON_Delete(body);
			}
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
	.discover_one_region = true,
	.default_endpoint = huawei_default_endpoint,
	.build_request = huawei_build_request,
	.parse_response = huawei_parse_response,
	/* ECS metadata only (one key per instance, no role name); no
	 * AssumeRole. 0307: "The token must be updated." */
	.roles = {
		.metadata_base = "http://169.254.169.254",
		.metadata_path = "/openstack/latest/securitykey",
		.metadata = {"credential.access", "credential.secret", "credential.securitytoken",
		             "credential.expires_at", "error_code", "error_msg"},
		.token_expired = (const char *const[]){"APIG.0307", "APIGW.0307", NULL},
	},
};
