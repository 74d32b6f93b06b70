/* Alibaba Cloud: Tair / Redis (DescribeInstanceSSL), ApsaraDB RDS
 * (DescribeDBInstanceSSL), PolarDB (DescribeDBClusterSSL) and ApsaraDB for
 * MongoDB (dds DescribeDBInstanceSSL); RPC style, signature V1 (HMAC-SHA1).
 * Errors are {Code, Message, RequestId} with HTTP 4xx/5xx, mapped by code
 * first: 404 InvalidAccessKeyId.NotFound is an auth error.
 *
 * RDS answers carry ServerKey, the server certificate's private key: every
 * answer is scrubbed of private keys right after parsing, before any field
 * is read or kept (strip_private_keys). */
#include "providers/provider.h"
#include "providers/sign.h"
#include "core/strbuf.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "engine/url.h"
#include "providers/tempcreds.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const unsupported_codes[] = {
	"IncorrectEngineVersion", "IncorrectCharacterType", "InvalidRedisVersionPattern",
	/* RDS Basic Edition and other instance types without SSL */
	"IncorrectDBInstanceType",
	NULL,
};
/* One table for every Alibaba product: a product never answers another's
 * codes. RDS: InvalidDBInstanceId.NotFound, InvalidDBInstance.NotFound and
 * the common Forbidden.InstanceNotFound (listed here so that it is not
 * taken for a Forbidden.* permission error); PolarDB: the two cluster
 * forms; MongoDB (dds) uses the RDS form. */
static const char *const not_found_codes[] = {
	"InvalidInstanceId.NotFound",
	"InvalidDBInstanceId.NotFound", "InvalidDBInstance.NotFound", "Forbidden.InstanceNotFound",
	"InvalidDBClusterId.NotFound", "InvalidDBCluster.NotFound",
	NULL,
};
static const char *const auth_codes[] = {
	"InvalidAccessKeyId.*", "SignatureDoesNotMatch", "InvalidTimeStamp.Expired",
	"Forbidden.*", "NoPermission",
	/* an expired STS token is a credential problem like the others */
	"InvalidSecurityToken.*",
	NULL,
};
static const char *const throttled_codes[] = {"Throttling.*", NULL};
static const char *const clock_skew_codes[] = {"InvalidTimeStamp.Expired", NULL};

static const struct provider_codes alibaba_codes = {
	.unsupported = unsupported_codes,
	.not_found = not_found_codes,
	.auth = auth_codes,
	.throttled = throttled_codes,
	.clock_skew = clock_skew_codes,
};

/* The regions each product's SDK endpoint data serves from its central
 * endpoint (<host>.aliyuncs.com); every other region has its own
 * <host>.<region>.aliyuncs.com. Finance and government regions are
 * listed as the SDKs list them. */
static const char *const kvstore_central[] = {
	"cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "cn-qingdao",
	"us-east-1", "us-west-1", NULL,
};
static const char *const rds_central[] = {
	"cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "cn-qingdao", "cn-hongkong",
	"cn-wuhan", "cn-fujian", "cn-edge-1", "ap-southeast-1", "us-east-1", "us-west-1",
	"cn-hangzhou-finance", "cn-shanghai-finance-1", "cn-shenzhen-finance-1",
	"cn-beijing-finance-1", "cn-north-2-gov-1", "cn-beijing-gov-1", NULL,
};
static const char *const polardb_central[] = {
	"cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "cn-qingdao", "cn-hongkong",
	"ap-southeast-1", "us-west-1",
	"cn-hangzhou-finance", "cn-shanghai-finance-1", "cn-shenzhen-finance-1",
	"cn-north-2-gov-1", NULL,
};
static const char *const mongodb_central[] = {
	"cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "cn-qingdao", "cn-hongkong",
	"cn-zhangbei", "cn-wulanchabu", "cn-heyuan", "cn-guangzhou", "cn-wuhan", "cn-fujian",
	"cn-edge-1",
	"cn-hangzhou-finance", "cn-shanghai-finance-1", "cn-shenzhen-finance-1",
	"cn-beijing-finance-1", "cn-north-2-gov-1", "cn-beijing-gov-1", NULL,
};

/* A region the SDK data sends to another region's host. */
struct endpoint_exception {
	enum service_kind kind;
	const char *region, *host_region;
};
static const struct endpoint_exception endpoint_exceptions[] = {
	/* PolarDB's endpoint data serves us-east-1 from ap-northeast-1. */
	{SERVICE_POLARDB, "us-east-1", "ap-northeast-1"},
};

static const char *const *central_regions(enum service_kind kind)
{
	switch (kind) {
	case SERVICE_RDS:
		return rds_central;
	case SERVICE_POLARDB:
		return polardb_central;
	case SERVICE_MONGODB:
		return mongodb_central;
	default:
		return kvstore_central;
	}
}

static char *alibaba_default_endpoint(const struct account *a, const struct instance *in)
{
	const struct provider_service *svc = provider_service_of(in);
	const char *host = svc ? svc->host : "r-kvstore";

	(void)a;
	if (!in->region || !*in->region)
		return xasprintf("https://%s.aliyuncs.com", host);
	for (size_t i = 0; i < sizeof(endpoint_exceptions) / sizeof(endpoint_exceptions[0]); i++)
		if (endpoint_exceptions[i].kind == in->service &&
		    strcmp(endpoint_exceptions[i].region, in->region) == 0)
			return xasprintf("https://%s.%s.aliyuncs.com", host,
			                 endpoint_exceptions[i].host_region);
	for (const char *const *r = central_regions(in->service); *r; r++)
		if (strcmp(*r, in->region) == 0)
			return xasprintf("https://%s.aliyuncs.com", host);
	return xasprintf("https://%s.%s.aliyuncs.com", host, in->region);
}

void provider_alibaba_request(const char *base_url, const char *method, const char *action,
                              const char *version, const struct sign_kv *params, size_t n_params,
                              const struct credentials *cred, const struct sign_context *ctx,
                              struct http_request *out)
{
	struct rpc_v1_input in = {
		.access_key_id = cred->id,
		.access_key_secret = cred->secret,
		.security_token = cred->token,
		.method = method,
		.action = action,
		.version = version,
		.timestamp = ctx->now,
		.nonce = ctx->nonce,
		.params = params,
		.n_params = n_params,
	};
	struct rpc_v1_output sig;
	char *host = url_authority(base_url);
	bool post = strcmp(method, "POST") == 0;

	memset(out, 0, sizeof(*out));
	sign_rpc_v1(&in, &sig);
	out->method = xstrdup(method);
	out->action = action;
	http_request_add_header(out, "Host", host);
	if (post) {
		out->url = xasprintf("%s/", base_url);
		http_request_add_header(out, "Content-Type", "application/x-www-form-urlencoded");
		out->body = sig.signed_query;
		out->body_len = strlen(sig.signed_query);
		sig.signed_query = NULL;
	} else {
		out->url = xasprintf("%s/?%s", base_url, sig.signed_query);
	}
	sign_rpc_v1_free(&sig);
	free(host);
}

static int alibaba_build_request(const struct instance *in, enum api_call call,
                                 const struct credentials *cred, const struct sign_context *ctx,
                                 struct http_request *out, char **err)
{
	const struct provider_service *svc;
	char *base;

	memset(out, 0, sizeof(*out));
	if (provider_check_request(in, call, cred, err) != 0)
		return -1;
	svc = provider_service_of(in);
	if (!ctx->nonce || !*ctx->nonce) {
		*err = xasprintf("%s: no signature nonce", in->name);
		return -1;
	}

	/* Each product names the id its own way; Tair also takes RegionId.
	 * The others document no RegionId: the endpoint picks the region. */
	struct sign_kv params[2] = {{"InstanceId", in->id}, {"RegionId", in->region}};
	size_t n_params = 2;

	if (in->service == SERVICE_RDS || in->service == SERVICE_MONGODB) {
		params[0].key = "DBInstanceId";
		n_params = 1;
	} else if (in->service == SERVICE_POLARDB) {
		params[0].key = "DBClusterId";
		n_params = 1;
	}
	base = provider_base_url(in);
	provider_alibaba_request(base, "GET", svc->status_action, svc->version, params, n_params,
	                         cred, ctx, out);
	free(base);
	return 0;
}

/* ---- private keys -------------------------------------------------------- */

static bool holds_private_key(const cJSON *j)
{
	return cJSON_IsString(j) && j->valuestring && strstr(j->valuestring, "PRIVATE KEY");
}

/* Removes, at any depth, members named ServerKey and any string that holds
 * a PEM private key ("-----BEGIN [RSA |EC |ENCRYPTED ]PRIVATE KEY-----"),
 * so that nothing later can keep, show, log or save one. */
static void strip_private_keys(cJSON *j)
{
	cJSON *it = j ? j->child : NULL;

	while (it) {
		cJSON *next = it->next;

		if ((it->string && strcasecmp(it->string, "ServerKey") == 0) || holds_private_key(it))
			cJSON_Delete(cJSON_DetachItemViaPointer(j, it));
		else if (cJSON_IsObject(it) || cJSON_IsArray(it))
			strip_private_keys(it);
		it = next;
	}
}

/* ---- the answers, one parser per product ----------------------------------- */

/* Sets cert_expires from an ISO 8601 UTC string; absent, empty or
 * unreadable leaves it unknown (the field stays in provider_status). */
static void api_expiry(const char *s, time_t *out)
{
	if (!s || !timefmt_parse_iso8601(s, out))
		*out = TIME_NONE;
}

/* Tair / Redis: SSLEnabled "Enable"/"Disable", SSLExpiredTime (the CA's),
 * CertCommonName (the protected name), CertDownloadURL. */
static void parse_redis(cJSON *body, long status, struct provider_result *out)
{
	const char *enabled, *url, *expires, *cn;

	if (provider_json_string(body, "SSLEnabled", &enabled, out, status) < 0 ||
	    provider_json_string(body, "CertDownloadURL", &url, out, status) < 0 ||
	    provider_json_string(body, "SSLExpiredTime", &expires, out, status) < 0 ||
	    provider_json_string(body, "CertCommonName", &cn, out, status) < 0)
		return;
	if (!enabled) {
		provider_result_invalid(out, status, "SSLEnabled: missing");
		return;
	} else if (strcmp(enabled, "Enable") == 0) {
		out->state = STATE_ENABLED;
	} else if (strcmp(enabled, "Disable") == 0) {
		out->state = STATE_DISABLED;
	} else {
		provider_result_invalid(out, status,
		                        "SSLEnabled: expected \"Enable\" or \"Disable\", got \"%.64s\"",
		                        enabled);
		return;
	}
	out->cert_url = provider_nonempty(url);
	if (out->cert_url)
		provider_url_expires(out->cert_url, &out->cert_url_expires);
	api_expiry(expires, &out->cert_expires);
	out->addr.host = provider_nonempty(cn);
}

/* The RDS answer writes "-" for a field that does not apply. */
static const char *rds_value(const char *s)
{
	return s && strcmp(s, "-") == 0 ? NULL : s;
}

/* RDS: SSLEnabled "Yes"/"No" (MySQL, SQL Server) or "on"/"off"
 * (PostgreSQL); SSLExpireTime, ConnectionString (the protected endpoint);
 * ServerCAUrl (PostgreSQL with cloud disks: the CA that issued the server
 * certificate). RequireUpdate and the rest stay in provider_status. */
static void parse_rds(cJSON *body, long status, struct provider_result *out)
{
	const char *enabled, *expires, *conn, *ca_url, *require;

	if (provider_json_string(body, "SSLEnabled", &enabled, out, status) < 0 ||
	    provider_json_string(body, "SSLExpireTime", &expires, out, status) < 0 ||
	    provider_json_string(body, "ConnectionString", &conn, out, status) < 0 ||
	    provider_json_string(body, "ServerCAUrl", &ca_url, out, status) < 0 ||
	    provider_json_string(body, "RequireUpdate", &require, out, status) < 0)
		return;
	if (!enabled) {
		provider_result_invalid(out, status, "SSLEnabled: missing");
		return;
	}
	if (strcmp(enabled, "Yes") == 0 || strcmp(enabled, "on") == 0) {
		out->state = STATE_ENABLED;
	} else if (strcmp(enabled, "No") == 0 || strcmp(enabled, "off") == 0) {
		out->state = STATE_DISABLED;
	} else {
		provider_result_invalid(out, status,
		                        "SSLEnabled: expected \"Yes\", \"No\", \"on\" or \"off\", got \"%.64s\"",
		                        enabled);
		return;
	}
	(void)require;
	out->cert_url = provider_nonempty(rds_value(ca_url));
	if (out->cert_url)
		provider_url_expires(out->cert_url, &out->cert_url_expires);
	api_expiry(rds_value(expires), &out->cert_expires);
	out->addr.host = provider_nonempty(rds_value(conn));
}

/* PolarDB: one cluster, Items[] one per endpoint {DBEndpointId,
 * SSLConnectionString, SSLEnabled "Enabled"/"Disabled", SSLExpireTime}.
 * The cluster is enabled when every endpoint is (a cluster with a
 * plaintext endpoint is not protected); the earliest expiry of an enabled
 * endpoint decides; the address is the first enabled endpoint's. */
static void parse_polardb(cJSON *body, long status, struct provider_result *out)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(body, "Items");
	const cJSON *it;
	size_t n = 0, on = 0, i = 0;
	const char *host = NULL, *any_host = NULL;

	if (!items || cJSON_IsNull(items)) {
		provider_result_invalid(out, status, "Items: missing");
		return;
	}
	if (!cJSON_IsArray(items)) {
		provider_result_invalid(out, status, "Items: expected array, got %s",
		                        provider_json_type(items));
		return;
	}
	out->cert_expires = TIME_NONE;
	cJSON_ArrayForEach(it, items) {
		const char *enabled, *expires, *conn, *id;
		char field[48];
		time_t t;

		snprintf(field, sizeof(field), "Items[%zu]", i++);
		if (!cJSON_IsObject(it)) {
			provider_result_invalid(out, status, "%s: expected object, got %s", field,
			                        provider_json_type(it));
			return;
		}
		if (provider_json_string(it, "SSLEnabled", &enabled, out, status) < 0 ||
		    provider_json_string(it, "SSLExpireTime", &expires, out, status) < 0 ||
		    provider_json_string(it, "SSLConnectionString", &conn, out, status) < 0 ||
		    provider_json_string(it, "DBEndpointId", &id, out, status) < 0) {
			/* name the endpoint in the message, not only the field */
			char *m = xasprintf("%s.%s", field, out->error ? out->error->message : "?");
			provider_result_invalid(out, status, "%s", m);
			free(m);
			return;
		}
		n++;
		/* "Disable" is how one page of the docs spells it */
		if (enabled && strcmp(enabled, "Enabled") == 0) {
			on++;
			if (!host && conn && *conn)
				host = conn;
			if (expires && timefmt_parse_iso8601(expires, &t) &&
			    (out->cert_expires == TIME_NONE || t < out->cert_expires))
				out->cert_expires = t;
		} else if (!enabled || (strcmp(enabled, "Disabled") != 0 && strcmp(enabled, "Disable") != 0)) {
			provider_result_invalid(out, status,
			                        "%s.SSLEnabled: expected \"Enabled\" or \"Disabled\", got %s%.64s%s",
			                        field, enabled ? "\"" : "", enabled ? enabled : "nothing",
			                        enabled ? "\"" : "");
			out->cert_expires = TIME_NONE;
			return;
		}
		if (!any_host && conn && *conn)
			any_host = conn;
	}
	out->state = n > 0 && on == n ? STATE_ENABLED : STATE_DISABLED;
	out->addr.host = provider_nonempty(host ? host : any_host);
}

/* MongoDB (dds): SSLStatus "Open"/"Closed", SSLExpiredTime,
 * CertCommonName; no download link (the CA comes from the console). */
static void parse_mongodb(cJSON *body, long status, struct provider_result *out)
{
	const char *st, *expires, *cn;

	if (provider_json_string(body, "SSLStatus", &st, out, status) < 0 ||
	    provider_json_string(body, "SSLExpiredTime", &expires, out, status) < 0 ||
	    provider_json_string(body, "CertCommonName", &cn, out, status) < 0)
		return;
	if (!st) {
		provider_result_invalid(out, status, "SSLStatus: missing");
		return;
	} else if (strcmp(st, "Open") == 0) {
		out->state = STATE_ENABLED;
	} else if (strcmp(st, "Closed") == 0) {
		out->state = STATE_DISABLED;
	} else {
		provider_result_invalid(out, status,
		                        "SSLStatus: expected \"Open\" or \"Closed\", got \"%.64s\"", st);
		return;
	}
	api_expiry(expires, &out->cert_expires);
	out->addr.host = provider_nonempty(cn);
}

struct answer_kind {
	enum service_kind kind;
	const char *marker;          /* a member only a success answer has */
	void (*parse)(cJSON *body, long status, struct provider_result *out);
};
static const struct answer_kind answers[] = {
	{SERVICE_REDIS, "SSLEnabled", parse_redis},
	{SERVICE_RDS, "SSLEnabled", parse_rds},
	{SERVICE_POLARDB, "Items", parse_polardb},
	{SERVICE_MONGODB, "SSLStatus", parse_mongodb},
};

static const struct answer_kind *answer_of(enum service_kind kind)
{
	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++)
		if (answers[i].kind == kind)
			return &answers[i];
	return &answers[0];
}

static void alibaba_parse_response(const struct instance *in, enum api_call call,
                                   const struct http_response *resp, struct provider_result *out)
{
	const struct answer_kind *ak = answer_of(in->service);
	const char *code = NULL, *message = NULL;
	cJSON *body = provider_parse_object(resp, out);
	bool ok = resp->status >= 200 && resp->status < 300;

	(void)call;
	strip_private_keys(body);
	if (body) {
		out->request_id = provider_nonempty(cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(body, "RequestId")));
		code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "Code"));
		/* (a Message holding a private key went with strip_private_keys) */
		message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "Message"));
		/* A success answer carries its marker; a Code without it is an
		 * error whatever the status says. */
		if (ok && cJSON_GetObjectItemCaseSensitive(body, ak->marker))
			code = NULL;
	}
	if (!ok || (body && code && *code)) {
		provider_map_error(out, &alibaba_codes, resp->status, code, message);
		if (out->state == STATE_UNSUPPORTED)
			out->provider_status = body;
		else
			cJSON_Delete(body);
		return;
	}
	if (!body)
		return;  /* InvalidResponse already set */

	ak->parse(body, resp->status, out);
	if (out->state != STATE_ENABLED && out->state != STATE_DISABLED) {
		free(out->cert_url);
		out->cert_url = NULL;
		out->cert_url_expires = TIME_NONE;
		out->cert_expires = TIME_NONE;
		address_free(&out->addr);
		cJSON_Delete(body);
		return;
	}
	out->provider_status = body;
}

const struct provider_ops provider_alibaba = {
	.name = "alibaba",
	.kind = PROVIDER_ALIBABA,
	.title = "Alibaba",
	.full_title = "Alibaba Cloud",
	.help_title = "Alibaba Cloud",
	.inline_keys = {"access_key_id", "access_key_secret", "security_token"},
	.env = {
		.id = "ALIBABA_CLOUD_ACCESS_KEY_ID",
		.secret = "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
		.token = {"ALIBABA_CLOUD_SECURITY_TOKEN"},
		.profile = "ALIBABA_CLOUD_PROFILE",
	},
	/* The aliyun CLI's profiles first, then the credentials SDK's file. */
	.files = {{
		.format = CRED_FILE_JSON_PROFILES,
		.path = "~/.aliyun/config.json",
		.id = "access_key_id", .secret = "access_key_secret", .token = "sts_token",
		.kind_key = "mode",
		.kind_values = {"AK", "StsToken"},
		.what = "an aliyun CLI configuration",
		.role_kinds = {"RamRoleArn", "EcsRamRole"},
		.role_arn = "ram_role_arn", .role_session = "ram_session_name",
		.role_duration = "expired_seconds", .role_name = "ram_role_name",
	}, {
		.format = CRED_FILE_INI,
		.path_var = "ALIBABA_CLOUD_CREDENTIALS_FILE",
		.path = "~/.alibabacloud/credentials",
		.section = "default",
		.id = "access_key_id", .secret = "access_key_secret", .token = "security_token",
		.kind_key = "type",
		.kind_values = {"access_key", "sts"},
	}},
	.needs_nonce = true,
	.default_endpoint = alibaba_default_endpoint,
	.build_request = alibaba_build_request,
	.parse_response = alibaba_parse_response,
	/* ECS metadata (ram/ roles) and STS. */
	.roles = {
		.metadata_base = "http://100.100.100.200",
		.metadata_path = "/latest/meta-data/ram/security-credentials/%s",
		.needs_role_name = true,
		.metadata = {"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration", NULL, NULL},
		.sts_base = "https://sts.aliyuncs.com",
		.sts = {"Credentials.AccessKeyId", "Credentials.AccessKeySecret",
		        "Credentials.SecurityToken", "Credentials.Expiration", "Code", "Message"},
		.assume_role = tempcreds_alibaba_assume_role,
		.token_expired = (const char *const[]){"InvalidSecurityToken.Expired", NULL},
	},
};
