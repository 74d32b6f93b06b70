/* Tencent Cloud: Redis DescribeSSLStatus and PostgreSQL
 * DescribeDBInstanceSSLConfig, API 3.0 (TC3-HMAC-SHA256); MySQL, MongoDB
 * and SQL Server answers are tencent_db.c's. Errors arrive as HTTP 200
 * with Response.Error. */
#include "providers/provider.h"
#include "providers/tencent_db.h"
#include "providers/sign.h"
#include "core/strbuf.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "engine/url.h"
#include "providers/tempcreds.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const unsupported_codes[] = {
	"InvalidParameterValue.UnSupportedType", NULL,
};
static const char *const not_found_codes[] = {"ResourceNotFound.*", NULL};
static const char *const auth_codes[] = {
	"AuthFailure.*", "UnauthorizedOperation.*", "InvalidParameter.PermissionDenied",
	/* PostgreSQL's CAM refusal: a permission error like the others. */
	"OperationDenied.CamDeniedError",
	NULL,
};
static const char *const throttled_codes[] = {"RequestLimitExceeded.*", NULL};
static const char *const clock_skew_codes[] = {"AuthFailure.SignatureExpire", NULL};
/* Tencent answers server faults with HTTP 200: InternalError is its 5xx. */
static const char *const retry_codes[] = {"InternalError.*", NULL};

static const struct provider_codes tencent_codes = {
	.unsupported = unsupported_codes,
	.not_found = not_found_codes,
	.auth = auth_codes,
	.throttled = throttled_codes,
	.clock_skew = clock_skew_codes,
	.retry = retry_codes,
};

static char *tencent_default_endpoint(const struct account *a, const struct instance *in)
{
	const struct provider_service *svc = provider_service_of(in);
	bool china = a->site && strcmp(a->site, "china") == 0;

	return xasprintf("https://%s.%stencentcloudapi.com", svc ? svc->host : "redis",
	                 china ? "" : "intl.");
}

/* A JSON string literal: the id comes from the config and may hold
 * anything, the body must stay valid JSON without spaces. */
static void json_quote(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, (char)c);
		} else if (c < 0x20) {
			strbuf_addf(sb, "\\u%04x", c);
		} else {
			strbuf_addc(sb, (char)c);
		}
	}
	strbuf_addc(sb, '"');
}

void provider_tencent_request(const char *base_url, const char *service, const char *action,
                              const char *version, const char *region, const char *body,
                              const struct credentials *cred, time_t now,
                              struct http_request *out)
{
	char *host = url_authority(base_url);
	struct tc3_input in = {
		.secret_id = cred->id,
		.secret_key = cred->secret,
		.service = service,
		.host = host,
		.timestamp = now,
		.body = body,
		.body_len = strlen(body),
	};
	struct tc3_output sig;
	char ts[24];

	memset(out, 0, sizeof(*out));
	sign_tc3(&in, &sig);
	snprintf(ts, sizeof(ts), "%lld", (long long)now);

	out->method = xstrdup("POST");
	out->url = xasprintf("%s/", base_url);
	out->body = xstrdup(body);
	out->body_len = strlen(body);
	out->action = action;
	http_request_add_header(out, "Authorization", sig.authorization);
	http_request_add_header(out, "Content-Type", "application/json");
	http_request_add_header(out, "Host", host);
	http_request_add_header(out, "X-TC-Action", action);
	http_request_add_header(out, "X-TC-Region", region);
	http_request_add_header(out, "X-TC-Timestamp", ts);
	http_request_add_header(out, "X-TC-Version", version);
	if (cred->token && *cred->token)
		http_request_add_header(out, "X-TC-Token", cred->token);
	sign_tc3_free(&sig);
	free(host);
}

static int tencent_build_request(const struct instance *in, enum api_call call,
                                 const struct credentials *cred, const struct sign_context *ctx,
                                 struct http_request *out, char **err)
{
	struct strbuf body = STRBUF_INIT;
	bool pg = in->service == SERVICE_POSTGRES;
	const struct provider_service *svc;
	char *base;

	memset(out, 0, sizeof(*out));
	if (provider_check_request(in, call, cred, err) != 0)
		return -1;
	svc = provider_service_of(in);

	strbuf_adds(&body, pg ? "{\"DBInstanceId\":" : "{\"InstanceId\":");
	json_quote(&body, in->id);
	strbuf_addc(&body, '}');
	base = provider_base_url(in);
	/* The signing service is the product's, never the endpoint host's. */
	provider_tencent_request(base, svc->signing_service, svc->status_action, svc->version,
	                         in->region, strbuf_str(&body), cred, ctx->now, out);
	free(base);
	strbuf_free(&body);
	return 0;
}

/* Status must be an integer when present: "2" or 2.5 is not a status. */
static int get_status(const cJSON *resp, long *status, struct provider_result *r)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(resp, "Status");

	*status = -1;
	if (!j || cJSON_IsNull(j))
		return 0;
	if (!cJSON_IsNumber(j)) {
		provider_result_invalid(r, 200, "Status: expected integer, got %s",
		                        provider_json_type(j));
		return -1;
	}
	if (j->valuedouble != floor(j->valuedouble) || j->valuedouble < 0 ||
	    j->valuedouble > 1e9) {
		provider_result_invalid(r, 200, "Status: expected integer, got %g", j->valuedouble);
		return -1;
	}
	*status = (long)j->valuedouble;
	return 0;
}

/* tlsfleet(1) STATES: the Tencent Redis order: FeatureSupport, Status 1, SSLConfig. */
static enum tls_state redis_state(const cJSON *resp, struct provider_result *r)
{
	int feature, ssl;
	long status;

	if (provider_json_bool(resp, "FeatureSupport", &feature, r, 200) < 0)
		return STATE_ERROR;
	if (feature < 0) {
		provider_result_invalid(r, 200, "FeatureSupport: missing");
		return STATE_ERROR;
	}
	if (!feature) {
		provider_result_fail(r, STATE_UNSUPPORTED, "FeatureNotSupported",
		                     "FeatureSupport is false: the instance does not support SSL", 200);
		return STATE_UNSUPPORTED;
	}
	if (get_status(resp, &status, r) < 0)
		return STATE_ERROR;
	if (status == 1)
		return STATE_CONFIGURING;
	if (provider_json_bool(resp, "SSLConfig", &ssl, r, 200) < 0)
		return STATE_ERROR;
	if (ssl < 0) {
		provider_result_invalid(r, 200, "SSLConfig: missing");
		return STATE_ERROR;
	}
	if (!ssl)
		return STATE_DISABLED;
	if (status == 2)
		return STATE_ENABLED;
	if (status < 0)
		provider_result_invalid(r, 200, "Status: missing while SSLConfig is true");
	else
		provider_result_invalid(r, 200, "Status: unexpected value %ld", status);
	return STATE_ERROR;
}

static enum tls_state postgres_state(const cJSON *resp, struct provider_result *r)
{
	int ssl;

	if (provider_json_bool(resp, "SSLEnabled", &ssl, r, 200) < 0)
		return STATE_ERROR;
	if (ssl < 0) {
		provider_result_invalid(r, 200, "SSLEnabled: missing");
		return STATE_ERROR;
	}
	return ssl ? STATE_ENABLED : STATE_DISABLED;
}

/* The normalised fields of a definite answer; -1 on a wrong type. */
static int normalise(const cJSON *resp, bool pg, struct provider_result *r)
{
	const char *url, *expires = NULL, *addr = NULL;

	if (provider_json_string(resp, pg ? "CAUrl" : "CertDownloadUrl", &url, r, 200) < 0)
		return -1;
	if (!pg && provider_json_string(resp, "UrlExpiredTime", &expires, r, 200) < 0)
		return -1;
	if (pg && provider_json_string(resp, "ConnectAddress", &addr, r, 200) < 0)
		return -1;
	r->cert_url = provider_nonempty(url);
	/* UrlExpiredTime is the link's expiry in UTC+8; unparsable values
	 * ("0000-00-00 00:00:00") are null, not an error: they decide nothing. */
	if (!expires || !timefmt_parse_cst(expires, &r->cert_url_expires)) {
		r->cert_url_expires = TIME_NONE;
		if (r->cert_url)
			provider_url_expires(r->cert_url, &r->cert_url_expires);
	}
	r->addr.host = provider_nonempty(addr);
	return 0;
}

/* A product's own codes decide first, then Tencent's common ones. */
static void tencent_map_error(const struct instance *in, struct provider_result *out,
                              long status, const char *code, const char *message)
{
	const struct provider_codes *own = tencent_db_codes(in->service);

	if (own && (provider_code_in(code, own->unsupported) ||
	            provider_code_in(code, own->not_found) || provider_code_in(code, own->auth) ||
	            provider_code_in(code, own->throttled)))
		provider_map_error(out, own, status, code, message);
	else
		provider_map_error(out, &tencent_codes, status, code, message);
}

static void tencent_parse_response(const struct instance *in, enum api_call call,
                                   const struct http_response *resp, struct provider_result *out)
{
	bool pg = in->service == SERVICE_POSTGRES;
	cJSON *root, *response, *error;
	const char *code = NULL, *message = NULL;
	enum tls_state st;

	root = provider_parse_object(resp, out);
	if (!root) {
		/* Not JSON at all: a gateway or proxy answer; its status decides. */
		if (resp->status != 200)
			provider_map_error(out, &tencent_codes, resp->status, NULL, NULL);
		return;
	}
	response = cJSON_GetObjectItemCaseSensitive(root, "Response");
	if (!cJSON_IsObject(response)) {
		if (resp->status != 200)
			provider_map_error(out, &tencent_codes, resp->status, NULL, NULL);
		else if (!response)
			provider_result_invalid(out, resp->status, "Response: missing");
		else
			provider_result_invalid(out, resp->status, "Response: expected object, got %s",
			                        provider_json_type(response));
		cJSON_Delete(root);
		return;
	}
	out->request_id = provider_nonempty(cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(response, "RequestId")));

	error = cJSON_GetObjectItemCaseSensitive(response, "Error");
	if (error && !cJSON_IsNull(error)) {
		if (!cJSON_IsObject(error)) {
			provider_result_invalid(out, resp->status, "Error: expected object, got %s",
			                        provider_json_type(error));
		} else if (provider_json_string(error, "Code", &code, out, resp->status) == 0 &&
		           provider_json_string(error, "Message", &message, out, resp->status) == 0) {
			if (!code || !*code)
				provider_result_invalid(out, resp->status, "Error.Code: missing");
			else
				tencent_map_error(in, out, resp->status, code, message);
		}
		/* "unsupported" is a definite answer: it keeps its body. */
		if (out->state == STATE_UNSUPPORTED)
			out->provider_status = cJSON_DetachItemViaPointer(root, response);
		cJSON_Delete(root);
		return;
	}
	if (resp->status != 200) {
		provider_map_error(out, &tencent_codes, resp->status, NULL, NULL);
		cJSON_Delete(root);
		return;
	}

	if (tencent_db_handles(in->service)) {
		st = tencent_db_answer(in->service, response, out);
	} else {
		st = pg ? postgres_state(response, out) : redis_state(response, out);
		if (st != STATE_ERROR && normalise(response, pg, out) < 0)
			st = STATE_ERROR;
	}
	if (st == STATE_ERROR) {
		/* wrong types decide nothing: drop what was half-normalised */
		free(out->cert_url);
		out->cert_url = NULL;
		out->cert_url_expires = TIME_NONE;
		address_free(&out->addr);
	} else {
		out->state = st;
		out->provider_status = cJSON_DetachItemViaPointer(root, response);
	}
	cJSON_Delete(root);
	(void)call;
}

const struct provider_ops provider_tencent = {
	.name = "tencent",
	.kind = PROVIDER_TENCENT,
	.title = "Tencent",
	.full_title = "Tencent Cloud",
	.help_title = "Tencent Cloud",
	.inline_keys = {"secret_id", "secret_key", "token"},
	.env = {
		.id = "TENCENTCLOUD_SECRET_ID",
		.secret = "TENCENTCLOUD_SECRET_KEY",
		/* tccli reads TENCENTCLOUD_TOKEN */
		.token = {"TENCENTCLOUD_SESSION_TOKEN", "TENCENTCLOUD_TOKEN", "TENCENTCLOUD_SECURITY_TOKEN"},
	},
	.files = {{
		.format = CRED_FILE_INI,
		.path_var = "TENCENTCLOUD_CREDENTIALS_FILE",
		.path = "~/.tencentcloud/credentials",
		.section = "default",
		.id = "secret_id", .secret = "secret_key", .token = "token",
	}},
	.settings = {{
		.key = "site",
		.kind = SETTING_CHOICE,
		.choices = {"intl", "china"},
		.account_offset = offsetof(struct account, site),
	}},
	.default_endpoint = tencent_default_endpoint,
	.build_request = tencent_build_request,
	.parse_response = tencent_parse_response,
	/* CVM metadata and STS (cam/ roles); a temporary key no longer known
	 * comes back as SecretIdNotFound once it is gone. */
	.roles = {
		.metadata_base = "http://metadata.tencentyun.com",
		.metadata_path = "/latest/meta-data/cam/security-credentials/%s",
		.needs_role_name = true,
		.metadata = {"TmpSecretId", "TmpSecretKey", "Token", "ExpiredTime", NULL, NULL},
		.sts_base = "https://sts.tencentcloudapi.com",
		.sts = {"Response.Credentials.TmpSecretId", "Response.Credentials.TmpSecretKey",
		        "Response.Credentials.Token", "Response.ExpiredTime",
		        "Response.Error.Code", "Response.Error.Message"},
		.assume_role = tempcreds_tencent_assume_role,
		.token_expired = (const char *const[]){"AuthFailure.TokenFailure",
		                                       "AuthFailure.SecretIdNotFound", NULL},
	},
};
