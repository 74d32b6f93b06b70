/* The providers: requests built for each cloud, and every documented answer
 * (the doc pages' examples verbatim in tests/data/api, each documented
 * error code, and broken answers) mapped per tlsfleet(1), STATES. */
#include "tap.h"
#include "fixtures.h"
#include "providers/provider.h"
#include "providers/sign.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct account A;
static struct instance I;

static void setup(enum provider_kind p, enum service_kind s, const char *region, const char *id)
{
	memset(&A, 0, sizeof(A));
	memset(&I, 0, sizeof(I));
	A.name = "acct-1";
	A.provider = p;
	A.ops = provider_for(p);
	A.rate_limit = 20;
	I.name = "inst-1";
	I.account = &A;
	I.service = s;
	I.region = (char *)region;
	I.id = (char *)id;
	I.warn_days = I.crit_days = I.require_tls = -1;
	instance_status_init(&I.st);
}

static void run_len(enum api_call call, long status, const char *body, size_t len,
                    struct provider_result *r)
{
	struct http_response resp = {.status = status, .body = body, .body_len = len};

	provider_result_free(r);
	A.ops->parse_response(&I, call, &resp, r);
}

static void run(enum api_call call, long status, const char *body, struct provider_result *r)
{
	run_len(call, status, body, body ? strlen(body) : 0, r);
}

static void run_fixture(enum api_call call, long status, const char *rel,
                        struct provider_result *r)
{
	size_t len;
	char *body = fixture_read(rel, &len);

	run_len(call, status, body, len, r);
	free(body);
}

/* The outcome: state, error code (NULL = no error) and its HTTP status,
 * and the retry / throttled / clock-skew flags. */
static void check(const struct provider_result *r, enum tls_state st, const char *code,
                  int http, bool retry, bool throttled, bool skew, const char *name)
{
	char t[300];

	snprintf(t, sizeof(t), "%s: state %s", name, state_name(st));
	if (!is_str(state_name(r->state), state_name(st), t) && r->error)
		diag("error: %s: %s", r->error->code, r->error->message);
	snprintf(t, sizeof(t), "%s: error code", name);
	is_str(r->error ? r->error->code : NULL, code, t);
	if (code && r->error) {
		snprintf(t, sizeof(t), "%s: error http_status %d", name, http);
		is_int(r->error->http_status, http, t);
	}
	ok(r->retry == retry && r->throttled == throttled && r->clock_skew == skew,
	   "%s: retry=%d throttled=%d clock_skew=%d", name, retry, throttled, skew);
}

static void message_is(const struct provider_result *r, const char *want, const char *name)
{
	is_str(r->error ? r->error->message : NULL, want, name);
}

static void time_is(time_t t, const char *want, const char *name)
{
	char buf[21];

	timefmt_iso_utc(t, buf);
	is_str(t == TIME_NONE ? NULL : buf, want, name);
}

static void address_is(const struct provider_result *r, const char *host, const char *ip,
                       const char *ipv6, int port, const char *domain, const char *name)
{
	char t[200];

	snprintf(t, sizeof(t), "%s: address.host", name);
	is_str(r->addr.host, host, t);
	snprintf(t, sizeof(t), "%s: address.ip", name);
	is_str(r->addr.ip, ip, t);
	snprintf(t, sizeof(t), "%s: address.ipv6", name);
	is_str(r->addr.ipv6, ipv6, t);
	snprintf(t, sizeof(t), "%s: address.port", name);
	is_int(r->addr.port, port, t);
	snprintf(t, sizeof(t), "%s: address.domain", name);
	is_str(r->addr.domain, domain, t);
}

static const cJSON *status_field(const struct provider_result *r, const char *name)
{
	return r->provider_status ? cJSON_GetObjectItemCaseSensitive(r->provider_status, name) : NULL;
}

/* ---- helpers of provider.c ------------------------------------------------ */

static void test_helpers(void)
{
	time_t t = 0;

	ok(provider_code_matches("AuthFailure", "AuthFailure.*"), "X.* matches X");
	ok(provider_code_matches("AuthFailure.SignatureExpire", "AuthFailure.*"), "X.* matches X.y");
	ok(provider_code_matches("AuthFailure.a.b", "AuthFailure.*"), "X.* matches X.y.z");
	ok(!provider_code_matches("AuthFailureX", "AuthFailure.*"), "X.* does not match XY");
	ok(!provider_code_matches("Auth", "AuthFailure.*"), "X.* does not match a prefix of X");
	ok(provider_code_matches("NoPermission", "NoPermission"), "exact rule");
	ok(!provider_code_matches("NoPermission.X", "NoPermission"), "exact rule is exact");
	ok(!provider_code_matches(NULL, "X.*"), "NULL code matches nothing");

	ok(provider_url_expires("https://b.obs:443/x/f?AWSAccessKeyId=K&Expires=1767225600&Signature=S", &t) &&
	   t == 1767225600, "Expires= of a presigned link");
	ok(provider_url_expires("https://h/f?Expires=1700000000", &t) && t == 1700000000,
	   "Expires= as the only parameter");
	t = 5;
	ok(!provider_url_expires("https://h/f?AWSAccessKeyId=XXX&Expires=XXX&Signature=XXX", &t) && t == 5,
	   "Expires=XXX is no time");
	ok(!provider_url_expires("https://h/f?X-Expires=1700000000", &t), "X-Expires is not Expires");
	ok(!provider_url_expires("https://h/Expires=1700000000", &t), "not in the query");
	ok(!provider_url_expires("https://h/f", &t), "no query");
	ok(!provider_url_expires(NULL, &t), "NULL URL");
	ok(!provider_url_expires("https://h/f?Expires=", &t), "empty Expires");
	ok(!provider_url_expires("https://h/f?Expires=99999999999999999999", &t), "absurd Expires");

	/* The authority of a URL (Host header) is tests/unit/test_url.c's. */

	struct credentials c = {0};
	ok(!provider_has_credentials(&c), "no credentials");
	c.id = "id";
	c.secret = "";
	ok(!provider_has_credentials(&c), "empty secret is none");
	c.secret = "s";
	ok(provider_has_credentials(&c), "id and secret");

	ok(provider_for(PROVIDER_TENCENT) == &provider_tencent &&
	   provider_for(PROVIDER_HUAWEI) == &provider_huawei &&
	   provider_for(PROVIDER_ALIBABA) == &provider_alibaba, "provider_for");
	is_str(provider_tencent.name, "tencent", "ops name tencent");
	is_str(provider_huawei.name, "huawei", "ops name huawei");
	is_str(provider_alibaba.name, "alibaba", "ops name alibaba");
	ok(provider_supports(&provider_tencent, SERVICE_REDIS) && provider_supports(&provider_tencent, SERVICE_POSTGRES) &&
	   !provider_supports(&provider_tencent, SERVICE_DCS), "tencent supports redis, postgres");
	ok(provider_supports(&provider_huawei, SERVICE_DCS) && !provider_supports(&provider_huawei, SERVICE_REDIS),
	   "huawei supports dcs");
	ok(provider_supports(&provider_alibaba, SERVICE_REDIS) && !provider_supports(&provider_alibaba, SERVICE_POSTGRES),
	   "alibaba supports redis");

	setup(PROVIDER_TENCENT, SERVICE_REDIS, "ap-guangzhou", "crs-1");
	is_str(provider_action(&I, CALL_STATUS), "DescribeSSLStatus", "action tencent redis");
	is_str(provider_action(&I, CALL_CERT_LINK), "unsupported", "tencent has no link call");
	I.service = SERVICE_POSTGRES;
	is_str(provider_action(&I, CALL_STATUS), "DescribeDBInstanceSSLConfig", "action tencent postgres");
	setup(PROVIDER_HUAWEI, SERVICE_DCS, "eu-de", "x");
	is_str(provider_action(&I, CALL_STATUS), "dcs.ssl.show", "action huawei show");
	is_str(provider_action(&I, CALL_CERT_LINK), "dcs.ssl.download", "action huawei download");
	setup(PROVIDER_ALIBABA, SERVICE_REDIS, "cn-hangzhou", "r-1");
	is_str(provider_action(&I, CALL_STATUS), "DescribeInstanceSSL", "action alibaba");

	struct http_request req = {0};
	http_request_add_header(&req, "X-TC-Action", "A");
	is_str(http_request_header(&req, "x-tc-action"), "A", "header lookup ignores case");
	ok(http_request_header(&req, "Host") == NULL, "absent header is NULL");
	http_request_free(&req);
	ok(req.headers == NULL && req.n_headers == 0, "http_request_free empties the request");
}

/* ---- requests ------------------------------------------------------------- */

static bool leaks(const struct http_request *r, const char *secret)
{
	if ((r->url && strstr(r->url, secret)) || (r->body && strstr(r->body, secret)))
		return true;
	for (size_t i = 0; i < r->n_headers; i++)
		if (strstr(r->headers[i].value, secret))
			return true;
	return false;
}

static int build(enum api_call call, const struct credentials *cred, time_t now,
                 const char *nonce, struct http_request *req, char **err)
{
	struct sign_context ctx = {.now = now, .nonce = nonce};

	*err = NULL;
	return A.ops->build_request(&I, call, cred, &ctx, req, err);
}

static void base_is(const char *want, const char *name)
{
	char *b = provider_base_url(&I);

	is_str(b, want, name);
	free(b);
}

static const char SECRET[] = "sEcReT-never-printed-0123456789";

static void test_tencent_requests(void)
{
	struct credentials cred = {.id = "AKIDtest", .secret = (char *)SECRET};
	struct http_request req;
	char *err;
	time_t now = 1767225599;  /* 2025-12-31T23:59:59Z */

	setup(PROVIDER_TENCENT, SERVICE_REDIS, "ap-guangzhou", "crs-2btr9ryn");
	base_is("https://redis.intl.tencentcloudapi.com", "tencent redis default (intl)");
	A.site = "intl";
	base_is("https://redis.intl.tencentcloudapi.com", "tencent redis site intl");
	A.site = "china";
	base_is("https://redis.tencentcloudapi.com", "tencent redis site china");
	I.service = SERVICE_POSTGRES;
	base_is("https://postgres.tencentcloudapi.com", "tencent postgres site china");
	A.site = NULL;
	base_is("https://postgres.intl.tencentcloudapi.com", "tencent postgres intl");

	/* A complete Redis request. */
	setup(PROVIDER_TENCENT, SERVICE_REDIS, "ap-guangzhou", "crs-2btr9ryn");
	is_int(build(CALL_STATUS, &cred, now, NULL, &req, &err), 0, "tencent redis builds");
	is_str(req.method, "POST", "tencent method");
	is_str(req.url, "https://redis.intl.tencentcloudapi.com/", "tencent url");
	is_str(req.body, "{\"InstanceId\":\"crs-2btr9ryn\"}", "tencent redis body");
	is_int((long long)req.body_len, 29, "tencent body length");
	is_str(req.action, "DescribeSSLStatus", "tencent action");
	is_str(http_request_header(&req, "Content-Type"), "application/json", "Content-Type");
	is_str(http_request_header(&req, "Host"), "redis.intl.tencentcloudapi.com", "Host");
	is_str(http_request_header(&req, "X-TC-Action"), "DescribeSSLStatus", "X-TC-Action");
	is_str(http_request_header(&req, "X-TC-Region"), "ap-guangzhou", "X-TC-Region");
	is_str(http_request_header(&req, "X-TC-Timestamp"), "1767225599", "X-TC-Timestamp");
	is_str(http_request_header(&req, "X-TC-Version"), "2018-04-12", "X-TC-Version");
	ok(http_request_header(&req, "X-TC-Token") == NULL, "no X-TC-Token without a token");
	is_int((long long)req.n_headers, 7, "seven headers");
	ok(strncmp(http_request_header(&req, "Authorization"),
	           "TC3-HMAC-SHA256 Credential=AKIDtest/2025-12-31/redis/tc3_request, "
	           "SignedHeaders=content-type;host, Signature=", 104) == 0,
	   "Authorization: credential scope and signed headers");
	ok(!leaks(&req, SECRET), "tencent: no secret in the request");
	http_request_free(&req);

	/* PostgreSQL: DBInstanceId, its own version; token travels. */
	setup(PROVIDER_TENCENT, SERVICE_POSTGRES, "ap-shanghai", "postgres-hf8jo5pr");
	cred.token = "session-token-1";
	is_int(build(CALL_STATUS, &cred, now, NULL, &req, &err), 0, "tencent postgres builds");
	is_str(req.body, "{\"DBInstanceId\":\"postgres-hf8jo5pr\"}", "tencent postgres body");
	is_str(http_request_header(&req, "X-TC-Version"), "2017-03-12", "postgres version");
	is_str(http_request_header(&req, "X-TC-Action"), "DescribeDBInstanceSSLConfig", "postgres action");
	is_str(http_request_header(&req, "X-TC-Token"), "session-token-1", "X-TC-Token sent");
	ok(strstr(http_request_header(&req, "Authorization"), "/postgres/tc3_request") != NULL,
	   "postgres signing service");
	http_request_free(&req);
	cred.token = NULL;

	/* Endpoint with a port (simulator): Host and signature use host:port,
	 * the signing service stays the product's. */
	setup(PROVIDER_TENCENT, SERVICE_REDIS, "ap-guangzhou", "crs-1");
	A.endpoint = "https://127.0.0.1:8443/";
	base_is("https://127.0.0.1:8443", "account endpoint, trailing slash dropped");
	is_int(build(CALL_STATUS, &cred, now, NULL, &req, &err), 0, "tencent with endpoint builds");
	is_str(req.url, "https://127.0.0.1:8443/", "url at the endpoint");
	is_str(http_request_header(&req, "Host"), "127.0.0.1:8443", "Host carries the port");
	{
		struct tc3_input ti = {.secret_id = "AKIDtest", .secret_key = SECRET, .service = "redis",
		                       .host = "127.0.0.1:8443", .timestamp = now,
		                       .body = req.body, .body_len = req.body_len};
		struct tc3_output to;

		sign_tc3(&ti, &to);
		is_str(http_request_header(&req, "Authorization"), to.authorization,
		       "signed for host:port with service redis");
		sign_tc3_free(&to);
	}
	http_request_free(&req);
	I.endpoint = "https://sim.example:9000";
	base_is("https://sim.example:9000", "instance endpoint beats account endpoint");
	is_int(build(CALL_STATUS, &cred, now, NULL, &req, &err), 0, "tencent with instance endpoint");
	is_str(http_request_header(&req, "Host"), "sim.example:9000", "Host of the instance endpoint");
	http_request_free(&req);

	/* An id that needs JSON escaping stays valid JSON. */
	setup(PROVIDER_TENCENT, SERVICE_REDIS, "ap-guangzhou", "crs-\"q\\\n");
	is_int(build(CALL_STATUS, &cred, now, NULL, &req, &err), 0, "odd id builds");
	is_str(req.body, "{\"InstanceId\":\"crs-\\\"q\\\\\\u000a\"}", "id JSON-escaped, no spaces");
	{
		cJSON *j = cJSON_Parse(req.body);

		is_str(cJSON_GetStringValue(cJSON_GetObjectItem(j, "InstanceId")), "crs-\"q\\\n",
		       "escaped body parses back to the id");
		cJSON_Delete(j);
	}
	http_request_free(&req);

	/* Refusals: no request, a message without secrets. */
	setup(PROVIDER_TENCENT, SERVICE_REDIS, "ap-guangzhou", "crs-1");
	struct credentials half = {.id = "AKIDtest", .secret = NULL};
	is_int(build(CALL_STATUS, &half, now, NULL, &req, &err), -1, "no secret: refused");
	ok(err && strstr(err, "no credentials") && strstr(err, "acct-1"), "message names the account");
	ok(req.method == NULL && req.n_headers == 0, "no request on failure");
	free(err);
	is_int(build(CALL_CERT_LINK, &cred, now, NULL, &req, &err), -1, "tencent has no link call");
	ok(err && !strstr(err, SECRET), "message without the secret");
	free(err);
	I.service = SERVICE_DCS;
	is_int(build(CALL_STATUS, &cred, now, NULL, &req, &err), -1, "tencent refuses dcs");
	free(err);
}

static void test_huawei_requests(void)
{
	struct credentials cred = {.id = "HWAK", .secret = (char *)SECRET};
	struct http_request req;
	char *err;
	time_t now = 1768465800;  /* 2026-01-15T08:30:00Z */

	setup(PROVIDER_HUAWEI, SERVICE_DCS, "cn-north-4", "553a2516");
	base_is("https://dcs.cn-north-4.myhuaweicloud.com", "huawei default");
	I.region = "eu-west-101";
	base_is("https://dcs.eu-west-101.myhuaweicloud.eu", "huawei eu-west-101");
	I.region = "eu-de";
	base_is("https://dcs.eu-de.otc.t-systems.com", "OTC eu-de");
	I.region = "eu-nl";
	base_is("https://dcs.eu-nl.otc.t-systems.com", "OTC eu-nl");
	I.region = "eu-ch2";
	base_is("https://dcs.eu-ch2.sc.otc.t-systems.com", "OTC Swiss eu-ch2");
	I.region = "ap-southeast-1";
	base_is("https://dcs.ap-southeast-1.myhuaweicloud.com", "huawei ap-southeast-1");

	/* project_id: instance, else account, else credentials; none: error. */
	is_int(build(CALL_STATUS, &cred, now, NULL, &req, &err), -1, "no project_id: refused");
	ok(err && strstr(err, "no project_id for inst-1"), "message: no project_id for ...");
	free(err);
	cred.project_id = "proj-cred";
	is_int(build(CALL_STATUS, &cred, now, NULL, &req, &err), 0, "project from credentials");
	is_str(http_request_header(&req, "X-Project-Id"), "proj-cred", "X-Project-Id from credentials");
	http_request_free(&req);
	A.project_id = "proj-acct";
	build(CALL_STATUS, &cred, now, NULL, &req, &err);
	is_str(http_request_header(&req, "X-Project-Id"), "proj-acct", "account beats credentials");
	http_request_free(&req);
	I.project_id = "proj-inst";
	build(CALL_STATUS, &cred, now, NULL, &req, &err);
	is_str(http_request_header(&req, "X-Project-Id"), "proj-inst", "instance beats account");
	is_str(req.url,
	       "https://dcs.ap-southeast-1.myhuaweicloud.com/v2/proj-inst/instances/553a2516/ssl",
	       "show URL with the instance's project");
	http_request_free(&req);

	/* The status call in full. */
	I.region = "eu-de";
	is_int(build(CALL_STATUS, &cred, now, NULL, &req, &err), 0, "huawei show builds");
	is_str(req.method, "GET", "show is GET");
	is_str(req.url, "https://dcs.eu-de.otc.t-systems.com/v2/proj-inst/instances/553a2516/ssl",
	       "show URL");
	ok(req.body == NULL && req.body_len == 0, "show has no body");
	is_str(req.action, "dcs.ssl.show", "show action");
	is_str(http_request_header(&req, "X-Sdk-Date"), "20260115T083000Z", "X-Sdk-Date");
	is_str(http_request_header(&req, "Host"), "dcs.eu-de.otc.t-systems.com", "Host");
	ok(http_request_header(&req, "X-Security-Token") == NULL, "no token header without a token");
	ok(http_request_header(&req, "Content-Type") == NULL, "no Content-Type on GET");
	is_int((long long)req.n_headers, 4, "four headers");
	{
		struct sign_kv h[] = {{"X-Project-Id", "proj-inst"}, {"X-Sdk-Date", "20260115T083000Z"}};
		struct apig_input ai = {.access_key = "HWAK", .secret_key = SECRET, .method = "GET",
		                        .host = "dcs.eu-de.otc.t-systems.com",
		                        .path = "/v2/proj-inst/instances/553a2516/ssl",
		                        .headers = h, .n_headers = 2};
		struct apig_output ao;

		sign_apig(&ai, &ao);
		is_str(http_request_header(&req, "Authorization"), ao.authorization,
		       "show Authorization signs host, x-project-id, x-sdk-date");
		sign_apig_free(&ao);
	}
	ok(!leaks(&req, SECRET), "huawei: no secret in the request");
	http_request_free(&req);

	/* The download call: POST, JSON type, empty body, token. */
	cred.token = "sts-token-xyz";
	is_int(build(CALL_CERT_LINK, &cred, now, NULL, &req, &err), 0, "huawei download builds");
	is_str(req.method, "POST", "download is POST");
	is_str(req.url,
	       "https://dcs.eu-de.otc.t-systems.com/v2/proj-inst/instances/553a2516/ssl-certs/download",
	       "download URL");
	ok(req.body && req.body_len == 0, "download has an empty body");
	is_str(http_request_header(&req, "Content-Type"), "application/json", "download Content-Type");
	is_str(http_request_header(&req, "X-Security-Token"), "sts-token-xyz", "X-Security-Token");
	is_str(req.action, "dcs.ssl.download", "download action");
	ok(strstr(http_request_header(&req, "Authorization"),
	          "SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token,") != NULL,
	   "every header sent is signed");
	is_int((long long)req.n_headers, 6, "six headers");
	http_request_free(&req);
	cred.token = NULL;

	/* Endpoint override with a port. */
	A.endpoint = "https://127.0.0.1:9443";
	is_int(build(CALL_STATUS, &cred, now, NULL, &req, &err), 0, "huawei at the simulator");
	is_str(req.url, "https://127.0.0.1:9443/v2/proj-inst/instances/553a2516/ssl", "URL with port");
	is_str(http_request_header(&req, "Host"), "127.0.0.1:9443", "Host with port");
	http_request_free(&req);

	struct credentials none = {0};
	is_int(build(CALL_STATUS, &none, now, NULL, &req, &err), -1, "huawei without credentials");
	ok(err && strstr(err, "no credentials"), "huawei: no credentials message");
	free(err);
	I.service = SERVICE_REDIS;
	is_int(build(CALL_STATUS, &cred, now, NULL, &req, &err), -1, "huawei refuses redis service");
	free(err);
}

static const char *query_param(const char *url, const char *key, char *buf, size_t n)
{
	const char *q = strchr(url, '?');
	size_t kl = strlen(key);

	while (q) {
		q++;
		if (strncmp(q, key, kl) == 0 && q[kl] == '=') {
			snprintf(buf, n, "%.*s", (int)strcspn(q + kl + 1, "&"), q + kl + 1);
			return buf;
		}
		q = strchr(q, '&');
	}
	return NULL;
}

static void test_alibaba_requests(void)
{
	struct credentials cred = {.id = "LTAIkey", .secret = (char *)SECRET};
	struct http_request req;
	char *err, buf[200];
	time_t now = 1768465800;

	setup(PROVIDER_ALIBABA, SERVICE_REDIS, "cn-hangzhou", "r-bp1");
	static const char *const central[] = {"cn-hangzhou", "cn-shanghai", "cn-beijing",
	                                      "cn-shenzhen", "cn-qingdao", "us-east-1", "us-west-1"};
	for (size_t i = 0; i < 7; i++) {
		I.region = (char *)central[i];
		snprintf(buf, sizeof(buf), "alibaba %s: central endpoint", central[i]);
		base_is("https://r-kvstore.aliyuncs.com", buf);
	}
	I.region = "ap-southeast-1";
	base_is("https://r-kvstore.ap-southeast-1.aliyuncs.com", "alibaba ap-southeast-1 regional");
	I.region = "cn-zhangjiakou";
	base_is("https://r-kvstore.cn-zhangjiakou.aliyuncs.com", "alibaba cn-zhangjiakou regional");

	I.region = "eu-central-1";
	is_int(build(CALL_STATUS, &cred, now, "nonce-1", &req, &err), 0, "alibaba builds");
	is_str(req.method, "GET", "alibaba GET");
	ok(strncmp(req.url, "https://r-kvstore.eu-central-1.aliyuncs.com/?AccessKeyId=LTAIkey&Action=DescribeInstanceSSL&Format=JSON&InstanceId=r-bp1&RegionId=eu-central-1&SignatureMethod=HMAC-SHA1&SignatureNonce=nonce-1&SignatureVersion=1.0&Timestamp=2026-01-15T08%3A30%3A00Z&Version=2015-01-01&Signature=",
	           215) == 0, "alibaba URL: sorted common and call parameters");
	ok(query_param(req.url, "Signature", buf, sizeof(buf)) && strlen(buf) >= 28,
	   "alibaba URL ends in a signature");
	ok(req.body == NULL, "GET has no body");
	is_str(http_request_header(&req, "Host"), "r-kvstore.eu-central-1.aliyuncs.com", "alibaba Host");
	is_str(req.action, "DescribeInstanceSSL", "alibaba action");
	ok(query_param(req.url, "SecurityToken", buf, sizeof(buf)) == NULL, "no SecurityToken without a token");
	ok(!leaks(&req, SECRET), "alibaba: no secret in the request");
	http_request_free(&req);

	cred.token = "sts+token/=";
	is_int(build(CALL_STATUS, &cred, now, "nonce-2", &req, &err), 0, "alibaba with STS token");
	is_str(query_param(req.url, "SecurityToken", buf, sizeof(buf)), "sts%2Btoken%2F%3D",
	       "SecurityToken signed and encoded");
	http_request_free(&req);
	cred.token = NULL;

	A.endpoint = "https://127.0.0.1:7443/";
	is_int(build(CALL_STATUS, &cred, now, "nonce-3", &req, &err), 0, "alibaba at the simulator");
	ok(strncmp(req.url, "https://127.0.0.1:7443/?AccessKeyId=", 36) == 0, "URL at the endpoint");
	is_str(http_request_header(&req, "Host"), "127.0.0.1:7443", "Host with port");
	http_request_free(&req);

	is_int(build(CALL_STATUS, &cred, now, NULL, &req, &err), -1, "alibaba refuses without a nonce");
	free(err);
	struct credentials none = {.id = "LTAIkey"};
	is_int(build(CALL_STATUS, &none, now, "n", &req, &err), -1, "alibaba refuses without a secret");
	ok(err && strstr(err, "no credentials"), "alibaba: no credentials message");
	free(err);
	is_int(build(CALL_CERT_LINK, &cred, now, "n", &req, &err), -1, "alibaba has no link call");
	free(err);
}

/* ---- Tencent answers ------------------------------------------------------ */

static char *tc_error(const char *code, const char *message)
{
	return xasprintf("{\"Response\":{\"Error\":{\"Code\":\"%s\",\"Message\":\"%s\"},"
	                 "\"RequestId\":\"rid-%s\"}}", code, message, code);
}

struct code_case {
	const char *code;
	enum tls_state state;
	bool retry, throttled, skew;
};

static void tencent_codes(const struct code_case *cases, size_t n)
{
	struct provider_result r;

	provider_result_init(&r);
	for (size_t i = 0; i < n; i++) {
		char *body = tc_error(cases[i].code, "doc message");
		char want_rid[100];

		run(CALL_STATUS, 200, body, &r);
		check(&r, cases[i].state, cases[i].code, 200, cases[i].retry, cases[i].throttled,
		      cases[i].skew, cases[i].code);
		snprintf(want_rid, sizeof(want_rid), "rid-%s", cases[i].code);
		is_str(r.request_id, want_rid, "request id of the error answer");
		ok(r.state == STATE_UNSUPPORTED ? r.provider_status != NULL : r.provider_status == NULL,
		   "%s: provider_status only for a definite answer", cases[i].code);
		free(body);
	}
	provider_result_free(&r);
}

static void test_tencent_redis(void)
{
	struct provider_result r;

	provider_result_init(&r);
	setup(PROVIDER_TENCENT, SERVICE_REDIS, "ap-guangzhou", "crs-2btr9ryn");

	/* The doc page's example: SSLConfig false, Status 2. */
	run_fixture(CALL_STATUS, 200, "data/api/tencent-DescribeSSLStatus-example1.json", &r);
	check(&r, STATE_DISABLED, NULL, 0, false, false, false, "tencent redis example");
	is_str(r.cert_url, "https://tencentdb-user-crt-12XXXXXXX.cos.ap-nanjing.myqcloud.com/TencentDB-SSL-CA.zip",
	       "example: cert_url");
	time_is(r.cert_url_expires, "2042-06-16T12:29:32Z", "example: UrlExpiredTime UTC+8 -> UTC");
	time_is(r.cert_expires, NULL, "example: Tencent gives no CA expiry");
	is_str(r.request_id, "eda7856c-9985-4d11-b5b0-48f703XXXXXX", "example: request_id");
	address_is(&r, NULL, NULL, NULL, -1, NULL, "example");
	ok(cJSON_IsNumber(status_field(&r, "Status")) && status_field(&r, "Status")->valueint == 2,
	   "provider_status is the inner Response, Status a number");
	ok(cJSON_IsFalse(status_field(&r, "SSLConfig")), "provider_status keeps SSLConfig false");
	ok(status_field(&r, "Response") == NULL, "provider_status is not the outer object");

	/* The tlsfleet(1) STATES order. */
	static const struct {
		const char *body;
		enum tls_state state;
		const char *message;  /* of the error, when STATE_ERROR */
	} cases[] = {
		{"{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":true,\"Status\":2,\"RequestId\":\"r\"}}",
		 STATE_ENABLED, NULL},
		{"{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":false,\"Status\":1}}",
		 STATE_CONFIGURING, NULL},
		{"{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":true,\"Status\":1}}",
		 STATE_CONFIGURING, NULL},
		{"{\"Response\":{\"FeatureSupport\":true,\"Status\":1}}", STATE_CONFIGURING, NULL},
		{"{\"Response\":{\"FeatureSupport\":false,\"SSLConfig\":false,\"Status\":2}}",
		 STATE_UNSUPPORTED, NULL},
		{"{\"Response\":{\"FeatureSupport\":false,\"SSLConfig\":\"x\",\"Status\":\"2\"}}",
		 STATE_UNSUPPORTED, NULL},
		{"{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":false}}", STATE_DISABLED, NULL},
		{"{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":\"true\",\"Status\":2}}",
		 STATE_ERROR, "SSLConfig: expected boolean, got string"},
		{"{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":true,\"Status\":\"2\"}}",
		 STATE_ERROR, "Status: expected integer, got string"},
		{"{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":true,\"Status\":2.5}}",
		 STATE_ERROR, "Status: expected integer, got 2.5"},
		{"{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":true,\"Status\":3}}",
		 STATE_ERROR, "Status: unexpected value 3"},
		{"{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":true}}",
		 STATE_ERROR, "Status: missing while SSLConfig is true"},
		{"{\"Response\":{\"FeatureSupport\":true,\"Status\":2}}", STATE_ERROR, "SSLConfig: missing"},
		{"{\"Response\":{\"SSLConfig\":true,\"Status\":2}}", STATE_ERROR, "FeatureSupport: missing"},
		{"{\"Response\":{\"FeatureSupport\":\"true\",\"SSLConfig\":true,\"Status\":2}}",
		 STATE_ERROR, "FeatureSupport: expected boolean, got string"},
		{"{\"Response\":{\"FeatureSupport\":1,\"SSLConfig\":true,\"Status\":2}}",
		 STATE_ERROR, "FeatureSupport: expected boolean, got number"},
		{"{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":null,\"Status\":2}}",
		 STATE_ERROR, "SSLConfig: missing"},
		{"{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":true,\"Status\":2,\"CertDownloadUrl\":42}}",
		 STATE_ERROR, "CertDownloadUrl: expected string, got number"},
		{"{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":true,\"Status\":2,\"UrlExpiredTime\":[]}}",
		 STATE_ERROR, "UrlExpiredTime: expected string, got array"},
		{"{\"Response\":\"ok\"}", STATE_ERROR, "Response: expected object, got string"},
		{"{\"response\":{}}", STATE_ERROR, "Response: missing"},
		{"{\"Response\":{\"Error\":\"boom\"}}", STATE_ERROR, "Error: expected object, got string"},
		{"{\"Response\":{\"Error\":{\"Message\":\"no code\"}}}", STATE_ERROR, "Error.Code: missing"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "tencent redis order case %zu", i);
		run(CALL_STATUS, 200, cases[i].body, &r);
		check(&r, cases[i].state, cases[i].state == STATE_ERROR ? "InvalidResponse" :
		      cases[i].state == STATE_UNSUPPORTED ? "FeatureNotSupported" : NULL,
		      200, false, false, false, name);
		if (cases[i].message)
			message_is(&r, cases[i].message, "error message names the field");
		ok(state_is_definite(r.state) == (r.provider_status != NULL),
		   "%s: provider_status exactly on definite answers", name);
		if (r.state == STATE_ERROR)
			ok(r.cert_url == NULL && r.addr.host == NULL && r.cert_url_expires == TIME_NONE,
			   "%s: no normalised values from a broken answer", name);
	}

	/* Normalised values: empty strings and unparsable dates are null,
	 * unknown fields are kept, Expires= of a presigned URL is used. */
	run(CALL_STATUS, 200,
	    "{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":true,\"Status\":2,"
	    "\"CertDownloadUrl\":\"\",\"UrlExpiredTime\":\"\",\"NewField\":{\"a\":[1,2]},"
	    "\"RequestId\":\"\"}}", &r);
	check(&r, STATE_ENABLED, NULL, 0, false, false, false, "empty strings");
	ok(r.cert_url == NULL && r.cert_url_expires == TIME_NONE && r.request_id == NULL,
	   "empty strings are null");
	ok(cJSON_IsObject(status_field(&r, "NewField")), "unknown field kept in provider_status");
	ok(cJSON_IsString(status_field(&r, "CertDownloadUrl")), "empty string kept verbatim");

	run(CALL_STATUS, 200,
	    "{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":true,\"Status\":2,"
	    "\"CertDownloadUrl\":\"https://b.cos.example/TencentDB-SSL-CA.zip?sign=x&Expires=1767225600\","
	    "\"UrlExpiredTime\":\"0000-00-00 00:00:00\"}}", &r);
	check(&r, STATE_ENABLED, NULL, 0, false, false, false, "unparsable UrlExpiredTime");
	time_is(r.cert_url_expires, "2026-01-01T00:00:00Z", "link Expires= used when UrlExpiredTime is no date");

	run(CALL_STATUS, 200,
	    "{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":true,\"Status\":2,"
	    "\"CertDownloadUrl\":\"https://b/x?Expires=1767225600\",\"UrlExpiredTime\":\"2025-12-31 08:00:00\"}}", &r);
	time_is(r.cert_url_expires, "2025-12-31T00:00:00Z", "UrlExpiredTime wins over Expires=");

	/* Every documented error code, and the common ones. */
	static const struct code_case codes[] = {
		{"FailedOperation.SystemError", STATE_ERROR, false, false, false},
		{"InternalError", STATE_ERROR, true, false, false},
		{"InternalError.DbError", STATE_ERROR, true, false, false},
		{"InvalidParameter", STATE_ERROR, false, false, false},
		{"InvalidParameter.ActionNotFound", STATE_ERROR, false, false, false},
		{"InvalidParameter.PermissionDenied", STATE_AUTH_ERROR, false, false, false},
		{"InvalidParameterValue.UnSupportedType", STATE_UNSUPPORTED, false, false, false},
		{"ResourceNotFound.InstanceNotExists", STATE_NOT_FOUND, false, false, false},
		{"ResourceUnavailable.InstanceStatusError", STATE_ERROR, false, false, false},
		{"AuthFailure.SignatureExpire", STATE_AUTH_ERROR, false, false, true},
		{"AuthFailure.SignatureFailure", STATE_AUTH_ERROR, false, false, false},
		{"AuthFailure.SecretIdNotFound", STATE_AUTH_ERROR, false, false, false},
		{"AuthFailure", STATE_AUTH_ERROR, false, false, false},
		{"UnauthorizedOperation", STATE_AUTH_ERROR, false, false, false},
		{"UnauthorizedOperation.CamNoAuth", STATE_AUTH_ERROR, false, false, false},
		{"RequestLimitExceeded", STATE_THROTTLED, true, true, false},
		{"RequestLimitExceeded.UinLimitExceeded", STATE_THROTTLED, true, true, false},
		{"AuthFailureX", STATE_ERROR, false, false, false},
		{"ResourceNotFoundish", STATE_ERROR, false, false, false},
	};
	tencent_codes(codes, sizeof(codes) / sizeof(codes[0]));
	{
		char *body = tc_error("InvalidParameterValue.UnSupportedType", "The instance type is not supported.");

		run(CALL_STATUS, 200, body, &r);
		message_is(&r, "The instance type is not supported.", "provider message kept verbatim");
		ok(cJSON_IsObject(status_field(&r, "Error")), "unsupported keeps the answer");
		free(body);
	}

	/* Not an API answer: the HTTP status decides. */
	run(CALL_STATUS, 502, "<html>Bad Gateway</html>", &r);
	check(&r, STATE_ERROR, "HTTP_502", 502, true, false, false, "tencent 502 HTML");
	run(CALL_STATUS, 503, "{\"Response\":{\"Error\":{\"Code\":\"InternalError\",\"Message\":\"m\"}}}", &r);
	check(&r, STATE_ERROR, "InternalError", 503, true, false, false, "tencent 503 with a code");
	run(CALL_STATUS, 429, "", &r);
	check(&r, STATE_THROTTLED, "HTTP_429", 429, true, true, false, "tencent bare 429");
	run(CALL_STATUS, 403, "{}", &r);
	check(&r, STATE_AUTH_ERROR, "HTTP_403", 403, false, false, false, "tencent bare 403");
	provider_result_free(&r);
}

static void test_tencent_postgres(void)
{
	struct provider_result r;

	provider_result_init(&r);
	setup(PROVIDER_TENCENT, SERVICE_POSTGRES, "ap-shanghai", "postgres-hf8jo5pr");

	run_fixture(CALL_STATUS, 200, "data/api/tencent-DescribeDBInstanceSSLConfig-example1-enabled.json", &r);
	check(&r, STATE_ENABLED, NULL, 0, false, false, false, "tencent pg example 1");
	is_str(r.cert_url, "http://testdownload.url", "pg: http CAUrl kept as received");
	address_is(&r, "10.0.0.4", NULL, NULL, -1, NULL, "pg example 1");
	is_str(r.request_id, "25cc2555-14a2-454f-af08-6bd691315335", "pg: request_id");
	time_is(r.cert_url_expires, NULL, "pg: no link expiry");
	time_is(r.cert_expires, NULL, "pg: no CA expiry");
	ok(cJSON_IsTrue(status_field(&r, "SSLEnabled")), "pg: provider_status keeps the boolean");

	run_fixture(CALL_STATUS, 200, "data/api/tencent-DescribeDBInstanceSSLConfig-example2-disabled.json", &r);
	check(&r, STATE_DISABLED, NULL, 0, false, false, false, "tencent pg example 2");
	ok(r.cert_url == NULL && r.addr.host == NULL, "pg: empty CAUrl and ConnectAddress are null");
	is_str(r.request_id, "042e21a5-14b2-4b41-8dd4-4cf870ae10bf", "pg example 2: request_id");
	ok(cJSON_IsString(status_field(&r, "CAUrl")), "pg: empty CAUrl kept in provider_status");

	run(CALL_STATUS, 200, "{\"Response\":{\"RequestId\":\"x\"}}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "pg: SSLEnabled missing");
	message_is(&r, "SSLEnabled: missing", "pg: message names SSLEnabled");
	run(CALL_STATUS, 200, "{\"Response\":{\"SSLEnabled\":\"true\"}}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "pg: SSLEnabled string");
	message_is(&r, "SSLEnabled: expected boolean, got string", "pg: wrong type named");
	run(CALL_STATUS, 200, "{\"Response\":{\"SSLEnabled\":true,\"ConnectAddress\":false}}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "pg: ConnectAddress boolean");

	static const struct code_case codes[] = {
		{"FailedOperation.FailedOperationError", STATE_ERROR, false, false, false},
		{"OperationDenied.InstanceStatusLimitError", STATE_ERROR, false, false, false},
		{"ResourceNotFound.InstanceNotFoundError", STATE_NOT_FOUND, false, false, false},
		{"OperationDenied.CamDeniedError", STATE_AUTH_ERROR, false, false, false},
		{"AuthFailure.SignatureExpire", STATE_AUTH_ERROR, false, false, true},
	};
	tencent_codes(codes, sizeof(codes) / sizeof(codes[0]));
	provider_result_free(&r);
}

/* ---- Huawei answers ------------------------------------------------------- */

static void test_huawei_answers(void)
{
	struct provider_result r;

	provider_result_init(&r);
	setup(PROVIDER_HUAWEI, SERVICE_DCS, "eu-de", "553a2516-b865-4159-b774-204dc0a36e37");

	run_fixture(CALL_STATUS, 200, "data/api/huawei-show-ssl-200.json", &r);
	check(&r, STATE_ENABLED, NULL, 0, false, false, false, "huawei show example");
	address_is(&r, "redis-553a2516-b865-4159-b774-204dc0a36e37.dcs.example.com", "192.168.0.5",
	           "::1", 6379, "redis-553a2516-b865-4159-b774-204dc0a36e37.dcs.example.com:6379",
	           "huawei show example");
	time_is(r.cert_expires, "2022-06-15T02:21:18Z", "ssl_expired_at, millis dropped");
	time_is(r.cert_url_expires, NULL, "no link expiry from the status call");
	ok(r.cert_url == NULL, "no cert_url from the status call");
	ok(r.request_id == NULL, "no request id in the example");
	ok(cJSON_IsString(status_field(&r, "port")), "provider_status keeps port as a string");
	ok(cJSON_IsTrue(status_field(&r, "ssl_validated")), "provider_status keeps unknown fields");

	run_fixture(CALL_STATUS, 400, "data/api/huawei-show-ssl-400.json", &r);
	check(&r, STATE_UNSUPPORTED, "DCS.4201", 400, false, false, false, "huawei DCS.4201");
	message_is(&r, "Do not support SSL.", "DCS.4201 message");
	ok(cJSON_IsString(status_field(&r, "error_code")), "unsupported keeps the body");

	run_fixture(CALL_STATUS, 500, "data/api/huawei-show-ssl-500.json", &r);
	check(&r, STATE_ERROR, "DCS.5010", 500, true, false, false, "huawei DCS.5010");
	message_is(&r, "Failed to operate SSL in database.", "DCS.5010 message");
	ok(r.provider_status == NULL, "error: no provider_status");

	run(CALL_STATUS, 204, NULL, &r);
	check(&r, STATE_NO_INFO, NULL, 0, false, false, false, "huawei 204");
	{
		/* Success answers name the request only in X-Request-Id. */
		const char *ok_body = "{\"enabled\":true,\"port\":\"6379\",\"domain_name\":\"r-1.example:6379\"}";
		struct http_response hr = {.status = 200, .body = ok_body, .body_len = strlen(ok_body),
		                           .request_id = "0f1e2d3c4b5a"};
		provider_result_free(&r);
		A.ops->parse_response(&I, CALL_STATUS, &hr, &r);
		is_str(r.request_id, "0f1e2d3c4b5a", "huawei request_id from X-Request-Id");
		is_str(r.addr.host, "r-1.example", "huawei host: domain_name without its port");
		is_str(r.addr.domain, "r-1.example:6379", "huawei domain: the provider's field verbatim");
		hr = (struct http_response){.status = 204, .request_id = "rid-204"};
		provider_result_free(&r);
		A.ops->parse_response(&I, CALL_STATUS, &hr, &r);
		is_str(r.request_id, "rid-204", "huawei 204: request_id from the header");
		const char *err_body = "{\"error_code\":\"APIG.0301\",\"error_msg\":\"x\",\"request_id\":\"body-id\"}";
		hr = (struct http_response){.status = 401, .body = err_body, .body_len = strlen(err_body),
		                            .request_id = "header-id"};
		provider_result_free(&r);
		A.ops->parse_response(&I, CALL_STATUS, &hr, &r);
		is_str(r.request_id, "body-id", "huawei: the body's request_id wins over the header");
	}
	run(CALL_STATUS, 404, "{\"error_code\":\"DCS.4010\",\"error_msg\":\"instance not found\"}", &r);
	check(&r, STATE_NOT_FOUND, "DCS.4010", 404, false, false, false, "huawei 404 with a code");
	run(CALL_STATUS, 404, "", &r);
	check(&r, STATE_NOT_FOUND, "HTTP_404", 404, false, false, false, "huawei bare 404");
	run(CALL_STATUS, 401,
	    "{\"error_msg\":\"Incorrect IAM authentication information: verify aksk signature fail\","
	    "\"error_code\":\"APIG.0301\",\"request_id\":\"req-0301\"}", &r);
	check(&r, STATE_AUTH_ERROR, "APIG.0301", 401, false, false, false, "huawei APIG.0301");
	is_str(r.request_id, "req-0301", "huawei request_id from the body");
	run(CALL_STATUS, 401,
	    "{\"error_msg\":\"Incorrect IAM authentication information: ak HWAK, the Signature Expired\","
	    "\"error_code\":\"APIG.0301\"}", &r);
	check(&r, STATE_AUTH_ERROR, "APIG.0301", 401, false, false, true, "huawei 0301 signature expired");
	run(CALL_STATUS, 401, "{\"errorCode\":\"APIGW.0301\",\"errorMessage\":\"signature expired\"}", &r);
	check(&r, STATE_AUTH_ERROR, "APIGW.0301", 401, false, false, true, "huawei APIGW.0301 skew");
	run(CALL_STATUS, 429,
	    "{\"errorCode\":\"APIGW.0308\",\"errorMessage\":\"The throttling threshold has been reached\"}", &r);
	check(&r, STATE_THROTTLED, "APIGW.0308", 429, true, true, false, "huawei APIGW.0308");
	message_is(&r, "The throttling threshold has been reached", "errorMessage read");
	run(CALL_STATUS, 429, "{\"error_code\":\"APIG.0308\",\"error_msg\":\"throttled\"}", &r);
	check(&r, STATE_THROTTLED, "APIG.0308", 429, true, true, false, "huawei APIG.0308");
	run(CALL_STATUS, 403, "{\"error_code\":\"APIG.0302\",\"error_msg\":\"forbidden\"}", &r);
	check(&r, STATE_AUTH_ERROR, "APIG.0302", 403, false, false, false, "huawei 403");
	run(CALL_STATUS, 403, "<html>forbidden</html>", &r);
	check(&r, STATE_AUTH_ERROR, "HTTP_403", 403, false, false, false, "huawei 403 not JSON");
	run(CALL_STATUS, 400, "{\"error_code\":\"DCS.4001\",\"error_msg\":\"bad\"}", &r);
	check(&r, STATE_ERROR, "DCS.4001", 400, false, false, false, "huawei other code verbatim");
	run(CALL_STATUS, 503, "upstream down", &r);
	check(&r, STATE_ERROR, "HTTP_503", 503, true, false, false, "huawei 503 text");

	/* enabled: absent or false means disabled; anything else is an error. */
	run(CALL_STATUS, 200, "{}", &r);
	check(&r, STATE_DISABLED, NULL, 0, false, false, false, "huawei enabled absent");
	run(CALL_STATUS, 200, "{\"enabled\":false,\"ip\":\"\",\"port\":\"\"}", &r);
	check(&r, STATE_DISABLED, NULL, 0, false, false, false, "huawei enabled false");
	address_is(&r, NULL, NULL, NULL, -1, NULL, "empty address fields");
	run(CALL_STATUS, 200, "{\"enabled\":\"true\"}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "huawei enabled string");
	message_is(&r, "enabled: expected boolean, got string", "names enabled");
	run(CALL_STATUS, 200, "{\"enabled\":true,\"port\":6380,\"domain_name\":\"r.example\"}", &r);
	check(&r, STATE_ENABLED, NULL, 0, false, false, false, "port as a number");
	address_is(&r, "r.example", NULL, NULL, 6380, "r.example", "port number, domain without port");
	run(CALL_STATUS, 200, "{\"enabled\":true,\"port\":\"70000\"}", &r);
	is_int(r.addr.port, -1, "port out of range is null");
	run(CALL_STATUS, 200, "{\"enabled\":true,\"port\":0}", &r);
	is_int(r.addr.port, -1, "port 0 is null");
	run(CALL_STATUS, 200, "{\"enabled\":true,\"port\":\"abc\"}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "port not a number");
	run(CALL_STATUS, 200, "{\"enabled\":true,\"port\":true}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "port boolean");
	message_is(&r, "port: expected string, got boolean", "names port");
	run(CALL_STATUS, 200, "{\"enabled\":true,\"domain_name\":\"[::1]:6379\",\"ip\":7}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "ip number");
	ok(r.addr.host == NULL && r.provider_status == NULL, "nothing normalised from a broken answer");
	run(CALL_STATUS, 200, "{\"enabled\":true,\"domain_name\":\"[::1]:6379\"}", &r);
	address_is(&r, "::1", NULL, NULL, -1, "[::1]:6379", "bracketed IPv6 domain");
	run(CALL_STATUS, 200, "{\"enabled\":true,\"ssl_expired_at\":\"soon\"}", &r);
	check(&r, STATE_ENABLED, NULL, 0, false, false, false, "unparsable ssl_expired_at");
	time_is(r.cert_expires, NULL, "unparsable ssl_expired_at is null");
	run(CALL_STATUS, 200, "{\"enabled\":true,\"ssl_expired_at\":\"2031-05-01T10:00:00+08:00\"}", &r);
	time_is(r.cert_expires, "2031-05-01T02:00:00Z", "ssl_expired_at with an offset");
	run(CALL_STATUS, 200, "", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "huawei 200 empty");

	/* The download call. */
	run_fixture(CALL_CERT_LINK, 200, "data/api/huawei-download-ssl-cert-200.json", &r);
	check(&r, STATE_ENABLED, NULL, 0, false, false, false, "huawei download example");
	is_str(r.file_name, "file_name", "download file_name");
	is_str(r.link, "https://{bucket_name}.{obs_endpoint}:443/{ssl-XXX}/{file_name}?AWSAccessKeyId=XXX&Expires=XXX&Signature=XXX",
	       "download link verbatim");
	time_is(r.cert_url_expires, NULL, "Expires=XXX gives no time");
	run(CALL_CERT_LINK, 200,
	    "{\"bucket_name\":\"b\",\"file_name\":\"dcs-ssl.zip\",\"link\":\"https://b.obs.eu-de.otc.t-systems.com:443/ssl-1/dcs-ssl.zip?AWSAccessKeyId=K&Expires=1767225600&Signature=S%3D\"}", &r);
	check(&r, STATE_ENABLED, NULL, 0, false, false, false, "huawei download link");
	time_is(r.cert_url_expires, "2026-01-01T00:00:00Z", "link Expires=");
	is_str(r.file_name, "dcs-ssl.zip", "file name");
	run_fixture(CALL_CERT_LINK, 400, "data/api/huawei-download-ssl-cert-400.json", &r);
	check(&r, STATE_UNSUPPORTED, "DCS.4201", 400, false, false, false, "download DCS.4201");
	run_fixture(CALL_CERT_LINK, 500, "data/api/huawei-download-ssl-cert-500.json", &r);
	check(&r, STATE_ERROR, "DCS.5010", 500, true, false, false, "download DCS.5010");
	message_is(&r, "Failed to operate SSL in database.", "download DCS.5010 message");
	run(CALL_CERT_LINK, 200, "{\"file_name\":\"f\"}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "download without link");
	message_is(&r, "link: missing", "names link");
	ok(r.file_name == NULL, "no file name from a broken answer");
	run(CALL_CERT_LINK, 200, "{\"link\":5}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "download link number");
	run(CALL_CERT_LINK, 401, "{\"error_code\":\"APIG.0301\",\"error_msg\":\"x\"}", &r);
	check(&r, STATE_AUTH_ERROR, "APIG.0301", 401, false, false, false, "download 0301");
	provider_result_free(&r);
}

/* ---- Alibaba answers ------------------------------------------------------ */

static void test_alibaba_answers(void)
{
	struct provider_result r;

	provider_result_init(&r);
	setup(PROVIDER_ALIBABA, SERVICE_REDIS, "cn-hangzhou", "r-bp1zxszhcgatnx****");

	run_fixture(CALL_STATUS, 200, "data/api/alibaba-DescribeInstanceSSL-success.json", &r);
	check(&r, STATE_ENABLED, NULL, 0, false, false, false, "alibaba example");
	is_str(r.cert_url, "https://apsaradb-public.oss-ap-sout****-1.aliy****.com/ApsaraDB-CA-Chain.zip",
	       "alibaba cert_url");
	time_is(r.cert_expires, "2020-08-05T09:05:53Z", "alibaba SSLExpiredTime");
	time_is(r.cert_url_expires, NULL, "alibaba: no link expiry");
	address_is(&r, "r-bp1zxszhcgatnx****.redis.rds.aliyuncs.com", NULL, NULL, -1, NULL, "alibaba example");
	is_str(r.request_id, "02260F96-913E-4655-9BA5-A3651CAF****", "alibaba request_id");
	ok(cJSON_IsString(status_field(&r, "SSLEnabled")), "provider_status keeps SSLEnabled");

	run(CALL_STATUS, 200, "{\"SSLEnabled\":\"Disable\",\"RequestId\":\"q\",\"CertCommonName\":\"\"}", &r);
	check(&r, STATE_DISABLED, NULL, 0, false, false, false, "alibaba Disable");
	ok(r.addr.host == NULL && r.cert_expires == TIME_NONE, "empty fields are null");
	run(CALL_STATUS, 200, "{\"SSLEnabled\":1}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "alibaba SSLEnabled 1");
	message_is(&r, "SSLEnabled: expected string, got number", "names SSLEnabled");
	run(CALL_STATUS, 200, "{\"SSLEnabled\":true}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "alibaba SSLEnabled true");
	run(CALL_STATUS, 200, "{\"SSLEnabled\":\"enable\"}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "alibaba SSLEnabled enable");
	message_is(&r, "SSLEnabled: expected \"Enable\" or \"Disable\", got \"enable\"", "names the value");
	run(CALL_STATUS, 200, "{\"RequestId\":\"x\"}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "alibaba SSLEnabled missing");
	message_is(&r, "SSLEnabled: missing", "SSLEnabled missing named");
	ok(r.provider_status == NULL && r.cert_url == NULL, "no values from an error");
	is_str(r.request_id, "x", "request_id even on an invalid answer");
	run(CALL_STATUS, 200, "{\"SSLEnabled\":\"Enable\",\"SSLExpiredTime\":12}", &r);
	check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, "SSLExpiredTime number");
	run(CALL_STATUS, 200,
	    "{\"SSLEnabled\":\"Enable\",\"CertDownloadURL\":\"https://o.oss.example/ApsaraDB-CA-Chain.zip?Expires=1767225600&OSSAccessKeyId=K&Signature=S\"}", &r);
	time_is(r.cert_url_expires, "2026-01-01T00:00:00Z", "presigned CertDownloadURL Expires=");

	static const struct {
		long http;
		const char *code;
		enum tls_state state;
		bool retry, throttled, skew;
	} codes[] = {
		{400, "InvalidRedisVersionPattern", STATE_UNSUPPORTED, false, false, false},
		{403, "IncorrectCharacterType", STATE_UNSUPPORTED, false, false, false},
		{403, "IncorrectEngineVersion", STATE_UNSUPPORTED, false, false, false},
		{404, "InvalidInstanceId.NotFound", STATE_NOT_FOUND, false, false, false},
		{404, "InvalidAccessKeyId.NotFound", STATE_AUTH_ERROR, false, false, false},
		{400, "InvalidAccessKeyId.Inactive", STATE_AUTH_ERROR, false, false, false},
		{400, "SignatureDoesNotMatch", STATE_AUTH_ERROR, false, false, false},
		{400, "InvalidTimeStamp.Expired", STATE_AUTH_ERROR, false, false, true},
		{403, "Forbidden.RAM", STATE_AUTH_ERROR, false, false, false},
		{403, "Forbidden", STATE_AUTH_ERROR, false, false, false},
		{403, "NoPermission", STATE_AUTH_ERROR, false, false, false},
		{400, "InvalidSecurityToken.Expired", STATE_AUTH_ERROR, false, false, false},
		{400, "Throttling.User", STATE_THROTTLED, true, true, false},
		{503, "Throttling", STATE_THROTTLED, true, true, false},
		{503, "ServiceUnavailable", STATE_ERROR, true, false, false},
		{500, "InternalError", STATE_ERROR, true, false, false},
		{400, "MissingParameter", STATE_ERROR, false, false, false},
		{403, "SomethingElse", STATE_AUTH_ERROR, false, false, false},
		{404, "SomethingElse", STATE_NOT_FOUND, false, false, false},
	};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char *body = xasprintf("{\"Code\":\"%s\",\"Message\":\"msg %zu\",\"RequestId\":\"rid-%zu\","
		                       "\"HostId\":\"r-kvstore.aliyuncs.com\"}", codes[i].code, i, i);
		char name[100], want[32];

		snprintf(name, sizeof(name), "alibaba %ld %s", codes[i].http, codes[i].code);
		run(CALL_STATUS, codes[i].http, body, &r);
		check(&r, codes[i].state, codes[i].code, (int)codes[i].http, codes[i].retry,
		      codes[i].throttled, codes[i].skew, name);
		snprintf(want, sizeof(want), "rid-%zu", i);
		is_str(r.request_id, want, "alibaba error request_id");
		snprintf(want, sizeof(want), "msg %zu", i);
		message_is(&r, want, "alibaba error message");
		free(body);
	}
	/* A Code on a 200 without SSLEnabled is an error answer. */
	run(CALL_STATUS, 200, "{\"Code\":\"InvalidInstanceId.NotFound\",\"Message\":\"m\"}", &r);
	check(&r, STATE_NOT_FOUND, "InvalidInstanceId.NotFound", 200, false, false, false, "alibaba code on 200");
	run(CALL_STATUS, 500, "", &r);
	check(&r, STATE_ERROR, "HTTP_500", 500, true, false, false, "alibaba bare 500");
	provider_result_free(&r);
}

/* ---- broken bodies, for every provider --------------------------------- */

static void test_robustness(void)
{
	static const struct {
		enum provider_kind p;
		enum service_kind s;
		const char *good_key;   /* a field whose value we make huge */
		const char *before;     /* a good body is before + value + after */
		const char *after;
	} kinds[] = {
		{PROVIDER_TENCENT, SERVICE_REDIS, "CertDownloadUrl",
		 "{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":true,\"Status\":2,\"CertDownloadUrl\":\"",
		 "\"}}"},
		{PROVIDER_TENCENT, SERVICE_POSTGRES, "CAUrl",
		 "{\"Response\":{\"SSLEnabled\":true,\"CAUrl\":\"", "\"}}"},
		{PROVIDER_HUAWEI, SERVICE_DCS, "domain_name", "{\"enabled\":true,\"domain_name\":\"", "\"}"},
		{PROVIDER_ALIBABA, SERVICE_REDIS, "CertDownloadURL",
		 "{\"SSLEnabled\":\"Enable\",\"CertDownloadURL\":\"", "\"}"},
	};
	static const struct {
		const char *body;
		const char *message;
	} broken[] = {
		{"", "body: empty (HTTP 200)"},
		{" \r\n\t", "body: empty (HTTP 200)"},
		{"not json", "body: not valid JSON (HTTP 200)"},
		{"{\"a\":", "body: not valid JSON (HTTP 200)"},
		{"[]", "body: expected object, got array"},
		{"\"text\"", "body: expected object, got string"},
		{"42", "body: expected object, got number"},
		{"null", "body: expected object, got null"},
		{"true", "body: expected object, got boolean"},
		{"{} trailing", "body: not valid JSON (HTTP 200)"},
	};
	struct provider_result r;
	size_t huge_len = 512 * 1024;
	char *huge = xmalloc(huge_len + 1);

	memset(huge, 'h', huge_len);
	huge[huge_len] = '\0';
	provider_result_init(&r);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		const char *pn = provider_kind_name(kinds[k].p);

		setup(kinds[k].p, kinds[k].s, "eu-de", "id-1");
		for (size_t b = 0; b < sizeof(broken) / sizeof(broken[0]); b++) {
			char name[120];

			snprintf(name, sizeof(name), "%s/%s: broken body %zu", pn,
			         service_kind_name(kinds[k].s), b);
			run(CALL_STATUS, 200, broken[b].body, &r);
			check(&r, STATE_ERROR, "InvalidResponse", 200, false, false, false, name);
			message_is(&r, broken[b].message, "message says what is wrong");
		}
		/* A body that is not NUL-terminated: only body_len bytes count. */
		{
			char *good = xasprintf("%s%s%s", kinds[k].before, "https://x/ca.zip", kinds[k].after);
			size_t n = strlen(good);
			char *exact = xmalloc(n);

			memcpy(exact, good, n);
			run_len(CALL_STATUS, 200, exact, n, &r);
			ok(r.state == STATE_ENABLED, "%s: unterminated body parses within its length", pn);
			run_len(CALL_STATUS, 200, exact, n - 1, &r);
			ok(r.state == STATE_ERROR, "%s: a truncated length is truncated JSON", pn);
			free(exact);
			free(good);
		}
		/* Huge strings are kept whole; nothing breaks. */
		{
			char *body = xasprintf("%s%s%s", kinds[k].before, huge, kinds[k].after);

			run(CALL_STATUS, 200, body, &r);
			ok(r.state == STATE_ENABLED, "%s: huge string answer parses", pn);
			const cJSON *v = status_field(&r, kinds[k].good_key);
			ok(v && cJSON_IsString(v) && strlen(v->valuestring) == huge_len,
			   "%s: huge string kept whole in provider_status", pn);
			free(body);
		}
		/* Deep nesting must not crash (cJSON's nesting limit). */
		{
			size_t depth = 200000;
			char *deep = xmalloc(2 * depth + 32);
			size_t n = 0;

			n += (size_t)sprintf(deep, "{\"x\":");
			for (size_t i = 0; i < depth; i++)
				deep[n++] = '[';
			for (size_t i = 0; i < depth; i++)
				deep[n++] = ']';
			deep[n++] = '}';
			deep[n] = '\0';
			run(CALL_STATUS, 200, deep, &r);
			ok(r.state == STATE_ERROR, "%s: deeply nested arrays: error, no crash", pn);
			n = 0;
			for (size_t i = 0; i < depth / 5; i++)
				n += (size_t)sprintf(deep + n, "{\"a\":");
			deep[n] = '\0';
			run(CALL_STATUS, 200, deep, &r);
			ok(r.state == STATE_ERROR, "%s: deeply nested objects: error, no crash", pn);
			free(deep);
		}
	}

	/* Duplicate keys: deterministic (the first wins), no crash, no leak. */
	setup(PROVIDER_ALIBABA, SERVICE_REDIS, "cn-hangzhou", "r-1");
	run(CALL_STATUS, 200, "{\"SSLEnabled\":\"Enable\",\"SSLEnabled\":\"Disable\"}", &r);
	check(&r, STATE_ENABLED, NULL, 0, false, false, false, "alibaba duplicate keys");
	setup(PROVIDER_TENCENT, SERVICE_REDIS, "ap-guangzhou", "crs-1");
	run(CALL_STATUS, 200,
	    "{\"Response\":{\"FeatureSupport\":true,\"SSLConfig\":false,\"SSLConfig\":true,\"Status\":2},"
	    "\"Response\":{\"Error\":{\"Code\":\"InternalError\"}}}", &r);
	check(&r, STATE_DISABLED, NULL, 0, false, false, false, "tencent duplicate keys");

	/* A huge provider message is capped on a UTF-8 boundary. */
	{
		size_t n = 100000;
		char *msg = xmalloc(n + 1);

		for (size_t i = 0; i + 1 < n; i += 2) {
			msg[i] = '\xc3';
			msg[i + 1] = '\xa9';  /* é */
		}
		msg[n] = '\0';
		char *body = xasprintf("{\"Code\":\"Oops\",\"Message\":\"%s\"}", msg);
		setup(PROVIDER_ALIBABA, SERVICE_REDIS, "cn-hangzhou", "r-1");
		run(CALL_STATUS, 400, body, &r);
		size_t len = r.error ? strlen(r.error->message) : 0;
		ok(len > 1000 && len <= 4096 + 3, "huge message capped (%zu bytes)", len);
		ok(len >= 5 && strcmp(r.error->message + len - 3, "...") == 0 &&
		   (unsigned char)r.error->message[len - 4] == 0xa9,
		   "cut after a whole character, marked");
		free(body);
		free(msg);
	}

	/* Alibaba echoes the string to sign on a bad signature, and it holds
	 * the SecurityToken: the message keeps only what comes before. */
	setup(PROVIDER_ALIBABA, SERVICE_REDIS, "cn-hangzhou", "r-1");
	run(CALL_STATUS, 400,
	    "{\"Code\":\"SignatureDoesNotMatch\",\"Message\":\"Specified signature is not matched with "
	    "our calculation. server string to sign is:GET&%2F&AccessKeyId%3DSTS.x%26SecurityToken"
	    "%3DCAIS-TOKEN-SECRET\",\"RequestId\":\"r\"}", &r);
	check(&r, STATE_AUTH_ERROR, "SignatureDoesNotMatch", 400, false, false, false,
	      "alibaba signature mismatch");
	is_str(r.error ? r.error->message : NULL,
	       "Specified signature is not matched with our calculation. server "
	       "[the request it echoes is withheld]",
	       "the echoed string to sign (with its token) is withheld");
	provider_result_free(&r);
	free(huge);
}

int main(void)
{
	test_helpers();
	test_tencent_requests();
	test_huawei_requests();
	test_alibaba_requests();
	test_tencent_redis();
	test_tencent_postgres();
	test_huawei_answers();
	test_alibaba_answers();
	test_robustness();
	sign_cleanup();
	return done_testing();
}
