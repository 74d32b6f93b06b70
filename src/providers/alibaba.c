/* Alibaba Cloud Tair / Redis: DescribeInstanceSSL, RPC style, signature V1
 * (HMAC-SHA1). Errors are {Code, Message, RequestId} with HTTP 4xx/5xx,
 * mapped by code first: 404 InvalidAccessKeyId.NotFound is an auth error. */
#include "providers/provider.h"
#include "providers/sign.h"
#include "core/strbuf.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "engine/url.h"
#include "providers/tempcreds.h"

#include <stdlib.h>
#include <string.h>

static const char *const unsupported_codes[] = {
	"IncorrectEngineVersion", "IncorrectCharacterType", "InvalidRedisVersionPattern", NULL,
};
static const char *const not_found_codes[] = {"InvalidInstanceId.NotFound", NULL};
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

/* The regions the SDKs' endpoint data serves from the central endpoint. */
static const char *const central_regions[] = {
	"cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "cn-qingdao",
	"us-east-1", "us-west-1", NULL,
};

static char *alibaba_default_endpoint(const struct account *a, const struct instance *in)
{
	const struct provider_service *svc = provider_service_of(in);
	const char *host = svc ? svc->host : "r-kvstore";

	(void)a;
	if (!in->region || !*in->region)
		return xasprintf("https://%s.aliyuncs.com", host);
	for (const char *const *r = central_regions; *r; r++)
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

	const struct sign_kv params[] = {
		{"InstanceId", in->id},
		{"RegionId", in->region},
	};
	base = provider_base_url(in);
	provider_alibaba_request(base, "GET", svc->status_action, svc->version, params, 2,
	                         cred, ctx, out);
	free(base);
	return 0;
}

static void alibaba_parse_response(const struct instance *in, enum api_call call,
                                   const struct http_response *resp, struct provider_result *out)
{
	const char *code = NULL, *message = NULL, *enabled, *url, *expires, *cn;
	cJSON *body = provider_parse_object(resp, out);
	bool ok = resp->status >= 200 && resp->status < 300;

	(void)in;
	(void)call;
	if (body) {
		out->request_id = provider_nonempty(cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(body, "RequestId")));
		code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "Code"));
		message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "Message"));
		/* A success answer carries SSLEnabled; a Code without it is an
		 * error whatever the status says. */
		if (ok && cJSON_GetObjectItemCaseSensitive(body, "SSLEnabled"))
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

	if (provider_json_string(body, "SSLEnabled", &enabled, out, resp->status) < 0 ||
	    provider_json_string(body, "CertDownloadURL", &url, out, resp->status) < 0 ||
	    provider_json_string(body, "SSLExpiredTime", &expires, out, resp->status) < 0 ||
	    provider_json_string(body, "CertCommonName", &cn, out, resp->status) < 0) {
		cJSON_Delete(body);
		return;
	}
	if (!enabled) {
		provider_result_invalid(out, resp->status, "SSLEnabled: missing");
	} else if (strcmp(enabled, "Enable") == 0) {
		out->state = STATE_ENABLED;
	} else if (strcmp(enabled, "Disable") == 0) {
		out->state = STATE_DISABLED;
	} else {
		provider_result_invalid(out, resp->status,
		                        "SSLEnabled: expected \"Enable\" or \"Disable\", got \"%.64s\"",
		                        enabled);
	}
	if (out->state == STATE_ERROR) {
		cJSON_Delete(body);
		return;
	}
	out->cert_url = provider_nonempty(url);
	if (out->cert_url)
		provider_url_expires(out->cert_url, &out->cert_url_expires);
	if (!expires || !timefmt_parse_iso8601(expires, &out->cert_expires))
		out->cert_expires = TIME_NONE;
	out->addr.host = provider_nonempty(cn);
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
