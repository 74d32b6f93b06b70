/* Tencent MySQL (cdb), MongoDB and SQL Server: the requests (product
 * service name, version, endpoint) and every answer: the documented
 * examples verbatim (tests/data/api), each state, each product's own
 * error codes, and wrong types named, never guessed. */
#include "tap.h"
#include "fixtures.h"
#include "providers/provider.h"
#include "core/connect.h"
#include "providers/protocol.h"
#include "probe/probe.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct account A;
static struct instance I;

static void setup(enum service_kind s, const char *region, const char *id)
{
	fixture_setup(&A, &I, PROVIDER_TENCENT, s, region, id);
}

static void run(long status, const char *body, struct provider_result *r)
{
	struct http_response resp = {.status = status, .body = body,
	                             .body_len = body ? strlen(body) : 0};

	provider_result_free(r);
	A.ops->parse_response(&I, CALL_STATUS, &resp, r);
}

static void run_fixture(const char *rel, struct provider_result *r)
{
	char *body = fixture_read(rel, NULL);

	run(200, body, r);
	free(body);
}

static void time_is(time_t t, const char *want, const char *name)
{
	char buf[21];

	timefmt_iso_utc(t, buf);
	is_str(t == TIME_NONE ? NULL : buf, want, name);
}

static void state_is(const struct provider_result *r, enum tls_state st, const char *code,
                     const char *name)
{
	char t[200];

	snprintf(t, sizeof(t), "%s: state", name);
	if (!is_str(state_name(r->state), state_name(st), t) && r->error)
		diag("error: %s: %s", r->error->code, r->error->message);
	snprintf(t, sizeof(t), "%s: error code", name);
	is_str(r->error ? r->error->code : NULL, code, t);
}

static void message_is(const struct provider_result *r, const char *want, const char *name)
{
	is_str(r->error ? r->error->message : NULL, want, name);
}

/* ---- requests --------------------------------------------------------- */

/* "<a>: <b>" for a test name (a few live at once). */
static const char *nm(const char *a, const char *b)
{
	static char buf[4][160];
	static int n;

	n = (n + 1) % 4;
	snprintf(buf[n], sizeof(buf[n]), "%s: %s", a, b);
	return buf[n];
}

static const char SECRET[] = "sEcReT-never-printed-0123456789";

static void request_is(enum service_kind s, const char *id, const char *host,
                       const char *action, const char *version, const char *scope)
{
	struct credentials cred = {.id = "AKIDtest", .secret = (char *)SECRET};
	struct sign_context ctx = {.now = 1767225599};  /* 2025-12-31T23:59:59Z */
	struct http_request req;
	char *err = NULL, *want, *base;
	const char *auth;

	setup(s, "ap-guangzhou", id);
	want = xasprintf("https://%s", host);
	base = provider_base_url(&I);
	is_str(base, want, nm(action, "default endpoint (intl)"));
	free(base);
	free(want);
	is_int(A.ops->build_request(&I, CALL_STATUS, &cred, &ctx, &req, &err), 0,
	       nm(action, "builds"));
	free(err);
	want = xasprintf("https://%s/", host);
	is_str(req.url, want, nm(action, "url"));
	free(want);
	want = xasprintf("{\"InstanceId\":\"%s\"}", id);
	is_str(req.body, want, nm(action, "body"));
	free(want);
	is_str(req.action, action, nm(action, "pacing action"));
	is_str(http_request_header(&req, "Host"), host, nm(action, "Host"));
	is_str(http_request_header(&req, "X-TC-Action"), action, nm(action, "X-TC-Action"));
	is_str(http_request_header(&req, "X-TC-Version"), version, nm(action, "X-TC-Version"));
	auth = http_request_header(&req, "Authorization");
	want = xasprintf("TC3-HMAC-SHA256 Credential=AKIDtest/2025-12-31/%s/tc3_request, ", scope);
	ok(auth && strncmp(auth, want, strlen(want)) == 0,
	   "%s: signed for service %s", action, scope);
	free(want);
	ok(!strstr(req.body, SECRET) && !strstr(auth ? auth : "", SECRET),
	   "%s: no secret in the request", action);
	http_request_free(&req);

	A.site = "china";
	base = provider_base_url(&I);
	ok(base && strstr(base, ".intl.") == NULL && strstr(base, scope) != NULL,
	   "%s: site china drops intl (%s)", action, base ? base : "null");
	free(base);
}

static void test_requests(void)
{
	request_is(SERVICE_MYSQL, "cdb-je5dfmdl", "cdb.intl.tencentcloudapi.com",
	           "DescribeSSLStatus", "2017-03-20", "cdb");
	request_is(SERVICE_MONGODB, "cmgo-p8vnipr5", "mongodb.intl.tencentcloudapi.com",
	           "DescribeInstanceSSL", "2019-07-25", "mongodb");
	request_is(SERVICE_SQLSERVER, "mssql-j8kv137v", "sqlserver.intl.tencentcloudapi.com",
	           "DescribeDBInstancesAttribute", "2018-03-28", "sqlserver");
	is_str(provider_service(PROVIDER_TENCENT, SERVICE_MYSQL)->list_action, "DescribeDBInstances",
	       "mysql: listed by cdb DescribeDBInstances");
	ok(provider_service(PROVIDER_HUAWEI, SERVICE_MYSQL) == NULL, "huawei offers no mysql");
}

/* ---- MySQL ------------------------------------------------------------ */

static void test_mysql(void)
{
	struct provider_result r;

	provider_result_init(&r);
	setup(SERVICE_MYSQL, "ap-guangzhou", "cdb-je5dfmdl");

	run_fixture("data/api/tencent-cdb-DescribeSSLStatus-example1.json", &r);
	state_is(&r, STATE_ENABLED, NULL, "mysql doc example");
	/* kept as received: http:// is refused when downloading, not here */
	is_str(r.cert_url, "http://***download.url", "mysql: Url is the cert URL");
	time_is(r.cert_url_expires, NULL, "mysql: no link expiry");
	time_is(r.cert_expires, NULL, "mysql: no CA date from the API (the CA file decides)");
	is_str(r.request_id, "6EF60BEC-0242-43AF-BB20-270359FB54A7", "mysql: request id");
	ok(r.provider_status && cJSON_GetObjectItem(r.provider_status, "Status"),
	   "mysql: provider_status is the inner Response");
	ok(r.addr.host == NULL && r.addr.port < 0, "mysql: no address in the answer");

	run(200, "{\"Response\":{\"Status\":\"OFF\",\"Url\":\"\",\"RequestId\":\"r2\"}}", &r);
	state_is(&r, STATE_DISABLED, NULL, "mysql OFF");
	is_str(r.cert_url, NULL, "mysql OFF: empty Url is null");

	run(200, "{\"Response\":{\"Status\":\"ON\",\"Url\":\"https://cos.example/c.zip?Expires=2000000000&sig=x\","
	         "\"RequestId\":\"r3\"}}", &r);
	state_is(&r, STATE_ENABLED, NULL, "mysql presigned");
	time_is(r.cert_url_expires, "2033-05-18T03:33:20Z", "mysql: a presigned link's Expires");

	run(200, "{\"Response\":{\"Status\":true,\"RequestId\":\"r4\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "mysql Status boolean");
	message_is(&r, "Status: expected string, got boolean", "mysql: the field is named");
	ok(r.provider_status == NULL && r.cert_url == NULL, "mysql wrong type keeps nothing");

	run(200, "{\"Response\":{\"Status\":\"on\",\"Url\":\"https://x/y\",\"RequestId\":\"r5\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "mysql Status lowercase");
	ok(r.cert_url == NULL, "mysql unexpected value: no URL kept");

	run(200, "{\"Response\":{\"Url\":\"https://x/y\",\"RequestId\":\"r6\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "mysql Status missing");
	message_is(&r, "Status: missing", "mysql: missing Status named");

	run(200, "{\"Response\":{\"Status\":\"ON\",\"Url\":5,\"RequestId\":\"r7\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "mysql Url number");
	message_is(&r, "Url: expected string, got number", "mysql: Url named");

	provider_result_free(&r);
}

/* ---- MongoDB ---------------------------------------------------------- */

static void test_mongodb(void)
{
	struct provider_result r;

	provider_result_init(&r);
	setup(SERVICE_MONGODB, "ap-guangzhou", "cmgo-p8vnipr5");

	run_fixture("data/api/tencent-mongodb-DescribeInstanceSSL-example1.json", &r);
	state_is(&r, STATE_ENABLED, NULL, "mongodb doc example");
	is_str(r.cert_url, "http://sample/cert", "mongodb: CertUrl");
	/* 2023-05-04 12:13:00 UTC+8 */
	time_is(r.cert_expires, "2023-05-04T04:13:00Z", "mongodb: ExpiredTime is the CA date (UTC+8)");
	time_is(r.cert_url_expires, NULL, "mongodb: no link expiry");
	is_str(r.request_id, "12345-abcdef", "mongodb: request id");

	run(200, "{\"Response\":{\"Status\":0,\"ExpiredTime\":null,\"CertUrl\":null,\"RequestId\":\"r\"}}", &r);
	state_is(&r, STATE_DISABLED, NULL, "mongodb Status 0 with nulls");
	time_is(r.cert_expires, NULL, "mongodb: null ExpiredTime is unknown");
	is_str(r.cert_url, NULL, "mongodb: null CertUrl is null");

	run(200, "{\"Response\":{\"Status\":1,\"ExpiredTime\":\"0000-00-00 00:00:00\",\"RequestId\":\"r\"}}", &r);
	state_is(&r, STATE_ENABLED, NULL, "mongodb zero date");
	time_is(r.cert_expires, NULL, "mongodb: a zero date decides nothing");

	run(200, "{\"Response\":{\"Status\":\"1\",\"RequestId\":\"r\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "mongodb Status string");
	message_is(&r, "Status: expected integer, got string", "mongodb: Status named");

	run(200, "{\"Response\":{\"Status\":2,\"RequestId\":\"r\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "mongodb Status 2");

	run(200, "{\"Response\":{\"Status\":null,\"RequestId\":\"r\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "mongodb Status null");

	run(200, "{\"Response\":{\"Status\":1,\"ExpiredTime\":20230504,\"RequestId\":\"r\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "mongodb ExpiredTime number");
	message_is(&r, "ExpiredTime: expected string, got number", "mongodb: ExpiredTime named");
	time_is(r.cert_expires, NULL, "mongodb wrong type keeps no date");

	provider_result_free(&r);
}

/* ---- SQL Server ------------------------------------------------------- */

static void sqlserver_enc(const char *enc, enum tls_state want)
{
	struct provider_result r;
	char *body = xasprintf("{\"Response\":{\"InstanceId\":\"mssql-1\",\"SSLConfig\":{\"Encryption\":\"%s\","
	                       "\"SSLValidityPeriod\":\"\",\"SSLValidity\":0},\"RequestId\":\"r\"}}", enc);

	provider_result_init(&r);
	run(200, body, &r);
	state_is(&r, want, want == STATE_ERROR ? "InvalidResponse" : NULL, enc);
	time_is(r.cert_expires, NULL, "sqlserver: empty SSLValidityPeriod is unknown");
	provider_result_free(&r);
	free(body);
}

static void test_sqlserver(void)
{
	struct provider_result r;

	provider_result_init(&r);
	setup(SERVICE_SQLSERVER, "ap-guangzhou", "mssql-j8kv137v");

	run_fixture("data/api/tencent-sqlserver-DescribeDBInstancesAttribute-fields.json", &r);
	state_is(&r, STATE_ENABLED, NULL, "sqlserver documented fields");
	time_is(r.cert_expires, "2025-10-10T02:00:00Z", "sqlserver: SSLValidityPeriod (UTC+8)");
	is_str(r.cert_url, NULL, "sqlserver: no download link in the API");
	ok(r.provider_status && cJSON_GetObjectItem(r.provider_status, "SSLConfig"),
	   "sqlserver: SSLConfig kept in provider_status");

	sqlserver_enc("enable", STATE_ENABLED);
	sqlserver_enc("disable", STATE_DISABLED);
	sqlserver_enc("enable_doing", STATE_CONFIGURING);
	sqlserver_enc("disable_doing", STATE_CONFIGURING);
	sqlserver_enc("renew_doing", STATE_CONFIGURING);
	sqlserver_enc("wait_doing", STATE_CONFIGURING);
	sqlserver_enc("Enable", STATE_ERROR);
	sqlserver_enc("on", STATE_ERROR);

	run(200, "{\"Response\":{\"InstanceId\":\"mssql-1\",\"RequestId\":\"r\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "sqlserver SSLConfig missing");
	message_is(&r, "SSLConfig: missing", "sqlserver: missing SSLConfig named");

	run(200, "{\"Response\":{\"SSLConfig\":\"enable\",\"RequestId\":\"r\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "sqlserver SSLConfig string");
	message_is(&r, "SSLConfig: expected object, got string", "sqlserver: SSLConfig type named");

	run(200, "{\"Response\":{\"SSLConfig\":{\"Encryption\":true},\"RequestId\":\"r\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "sqlserver Encryption boolean");
	message_is(&r, "SSLConfig.Encryption: expected string, got boolean",
	           "sqlserver: the nested field is named with its path");

	run(200, "{\"Response\":{\"SSLConfig\":{\"Encryption\":\"enable\",\"SSLValidity\":\"1\"},"
	         "\"RequestId\":\"r\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "sqlserver SSLValidity string");
	message_is(&r, "SSLConfig.SSLValidity: expected integer, got string", "sqlserver: SSLValidity named");

	run(200, "{\"Response\":{\"SSLConfig\":{\"Encryption\":\"enable\",\"SSLValidityPeriod\":7},"
	         "\"RequestId\":\"r\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "sqlserver SSLValidityPeriod number");
	time_is(r.cert_expires, NULL, "sqlserver wrong type keeps no date");

	run(200, "{\"Response\":{\"SSLConfig\":{},\"RequestId\":\"r\"}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "sqlserver Encryption missing");

	provider_result_free(&r);
}

/* ---- error codes ------------------------------------------------------ */

struct code_case {
	enum service_kind service;
	const char *code;
	enum tls_state state;
	bool retry;
};

static const struct code_case codes[] = {
	/* Tencent's common codes hold for every product */
	{SERVICE_MYSQL, "ResourceNotFound.InstanceNotFoundError", STATE_NOT_FOUND, false},
	{SERVICE_MYSQL, "AuthFailure.SignatureFailure", STATE_AUTH_ERROR, false},
	{SERVICE_MYSQL, "AuthFailure.SubAccountDenied", STATE_AUTH_ERROR, false},
	{SERVICE_MYSQL, "UnauthorizedOperation.PermissionDenied", STATE_AUTH_ERROR, false},
	{SERVICE_MYSQL, "RequestLimitExceeded", STATE_THROTTLED, true},
	{SERVICE_MYSQL, "InternalError.DBError", STATE_ERROR, true},
	/* cdb's own */
	{SERVICE_MYSQL, "InvalidParameter.InstanceNotFound", STATE_NOT_FOUND, false},
	{SERVICE_MYSQL, "InvalidParameter.ResourceNotFound", STATE_NOT_FOUND, false},
	{SERVICE_MYSQL, "InvalidParameter.ResourceNotExists", STATE_NOT_FOUND, false},
	{SERVICE_MYSQL, "OperationDenied.InstTypeNotSupport", STATE_UNSUPPORTED, false},
	{SERVICE_MYSQL, "OperationDenied.ActionNotSupport", STATE_UNSUPPORTED, false},
	{SERVICE_MYSQL, "OperationDenied.InstanceStatusError", STATE_ERROR, false},
	/* mongodb's own */
	{SERVICE_MONGODB, "InvalidParameterValue.NotFoundInstance", STATE_NOT_FOUND, false},
	{SERVICE_MONGODB, "InvalidParameterValue.InstanceHasBeenDeleted", STATE_NOT_FOUND, false},
	{SERVICE_MONGODB, "UnsupportedOperation.VersionNotSupport", STATE_UNSUPPORTED, false},
	{SERVICE_MONGODB, "UnsupportedOperation.KernelVersionNotSupport", STATE_UNSUPPORTED, false},
	{SERVICE_MONGODB, "InvalidParameter.PermissionDenied", STATE_AUTH_ERROR, false},
	{SERVICE_MONGODB, "UnauthorizedOperation.NoAccess", STATE_AUTH_ERROR, false},
	{SERVICE_MONGODB, "InvalidParameter.InstanceNotFound", STATE_ERROR, false},
	/* sqlserver's own */
	{SERVICE_SQLSERVER, "ResourceNotFound.InstanceNotFound", STATE_NOT_FOUND, false},
	{SERVICE_SQLSERVER, "FailedOperation.NotSupport", STATE_UNSUPPORTED, false},
	{SERVICE_SQLSERVER, "InternalError.CamAuthFailed", STATE_AUTH_ERROR, false},
	{SERVICE_SQLSERVER, "UnauthorizedOperation.PermissionDenied", STATE_AUTH_ERROR, false},
	{SERVICE_SQLSERVER, "OperationDenied.InstTypeNotSupport", STATE_ERROR, false},
	/* Redis is untouched by the products' codes */
	{SERVICE_REDIS, "OperationDenied.InstTypeNotSupport", STATE_ERROR, false},
};

static void test_codes(void)
{
	struct provider_result r;

	provider_result_init(&r);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const struct code_case *c = &codes[i];
		char *body = xasprintf("{\"Response\":{\"Error\":{\"Code\":\"%s\",\"Message\":\"m\"},"
		                       "\"RequestId\":\"rid\"}}", c->code);
		char name[160];

		setup(c->service, "ap-guangzhou", "x-1");
		snprintf(name, sizeof(name), "%s %s", service_kind_name(c->service), c->code);
		run(200, body, &r);
		state_is(&r, c->state, c->code, name);
		ok(r.retry == c->retry, "%s: retry %d", name, c->retry);
		ok(r.state == STATE_UNSUPPORTED ? r.provider_status != NULL : r.provider_status == NULL,
		   "%s: provider_status only for a definite answer", name);
		free(body);
	}
	provider_result_free(&r);
}

/* ---- the probe and the connect line: providers/protocol.c's mapping ----- */

static const char *tencent_protocol(enum service_kind k, const char **why)
{
	struct account a = {.name = "tc", .provider = PROVIDER_TENCENT};
	struct instance in = {.name = "x", .account = &a, .service = k};

	return provider_protocol(&in, why);
}

static void test_protocol_names(void)
{
	enum probe_proto p;
	struct connect_spec spec = {.host = "10.0.0.8", .port = 3306, .ca_file = "/d/ca.pem"};
	const char *why = "x";
	char *line;

	ok(probe_proto_from_name(tencent_protocol(SERVICE_MYSQL, NULL), &p) && p == PROBE_MYSQL,
	   "mysql: the probe speaks MySQL");
	ok(probe_proto_from_name(tencent_protocol(SERVICE_MONGODB, NULL), &p) && p == PROBE_MONGODB,
	   "mongodb: the probe speaks MongoDB (TLS first)");
	const char *proto = tencent_protocol(SERVICE_SQLSERVER, &why);
	ok(!proto && why && strstr(why, "TDS pre-login"), "sqlserver: not probed, TDS named (%s)",
	   why ? why : "null");

	spec.protocol = tencent_protocol(SERVICE_MYSQL, NULL);
	line = connect_line(&spec);
	ok(line && strncmp(line, "mysql --ssl-mode=VERIFY_IDENTITY", 32) == 0,
	   "mysql: connect line (%s)", line ? line : "null");
	free(line);
	spec.protocol = tencent_protocol(SERVICE_MONGODB, NULL);
	spec.port = 27017;
	line = connect_line(&spec);
	ok(line && strncmp(line, "mongosh --tls", 13) == 0, "mongodb: connect line (%s)",
	   line ? line : "null");
	free(line);
	spec.protocol = tencent_protocol(SERVICE_SQLSERVER, NULL);
	spec.port = 1433;
	line = connect_line(&spec);
	ok(line == NULL, "sqlserver: no connect line (sqlcmd takes no CA file)");
	free(line);
}

int main(void)
{
	test_protocol_names();
	test_requests();
	test_mysql();
	test_mongodb();
	test_sqlserver();
	test_codes();
	return done_testing();
}
