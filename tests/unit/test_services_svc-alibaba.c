/* Service group B: Alibaba ApsaraDB RDS, PolarDB, ApsaraDB for MongoDB and
 * Huawei / OTC RDS. The requests (endpoint per product, id parameter,
 * signing), the documented example answers in tests/data/api, every state
 * each answer can map to, wrong types naming the field, and the RDS
 * private key that must never survive parsing. */
#include "tap.h"
#include "fixtures.h"
#include "providers/provider.h"
#include "providers/sign.h"
#include "providers/protocol.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct account A;
static struct instance I;
static const char SECRET[] = "sEcReT-never-printed-0123456789";

static void setup(enum provider_kind p, enum service_kind s, const char *region, const char *id)
{
	fixture_setup(&A, &I, p, s, region, id);
}

static void run_call(enum api_call call, long status, const char *body, struct provider_result *r)
{
	struct http_response resp = {.status = status, .body = body, .body_len = body ? strlen(body) : 0};

	provider_result_free(r);
	provider_result_init(r);
	A.ops->parse_response(&I, call, &resp, r);
}

static void run(long status, const char *body, struct provider_result *r)
{
	run_call(CALL_STATUS, status, body, r);
}

static void run_fixture(enum api_call call, const char *rel, struct provider_result *r)
{
	char *body = fixture_read(rel, NULL);

	run_call(call, 200, body, r);
	free(body);
}

static void state_is(const struct provider_result *r, enum tls_state st, const char *code,
                     const char *name)
{
	char t[300];

	snprintf(t, sizeof(t), "%s: state %s", name, state_name(st));
	if (!is_str(state_name(r->state), state_name(st), t) && r->error)
		diag("error: %s: %s", r->error->code, r->error->message);
	snprintf(t, sizeof(t), "%s: error code", name);
	is_str(r->error ? r->error->code : NULL, code, t);
}

static void message_has(const struct provider_result *r, const char *part, const char *name)
{
	ok(r->error && r->error->message && strstr(r->error->message, part), "%s (%s)", name,
	   r->error ? r->error->message : "no error");
}

static void time_is(time_t t, const char *want, const char *name)
{
	char buf[21];

	timefmt_iso_utc(t, buf);
	is_str(t == TIME_NONE ? NULL : buf, want, name);
}

static void base_is(const char *region, const char *want)
{
	char *b;

	I.region = (char *)region;
	b = provider_base_url(&I);
	is_str(b, want, region);
	free(b);
}

static int build(enum api_call call, const struct credentials *cred, struct http_request *req,
                 char **err)
{
	struct sign_context ctx = {.now = 1768465800, .nonce = "nonce-1"};

	*err = NULL;
	return A.ops->build_request(&I, call, cred, &ctx, req, err);
}

/* Nothing in the tree, printed, holds the private key or its marker. */
static bool holds_key(const cJSON *j)
{
	char *s = j ? cJSON_PrintUnformatted(j) : NULL;
	bool bad = s && (strstr(s, "PRIVATE KEY") || strstr(s, "ServerKey") || strstr(s, "ihfg=="));

	cJSON_free(s);
	return bad;
}

/* ---- Alibaba requests -------------------------------------------------------- */

static void test_alibaba_requests(void)
{
	struct credentials cred = {.id = "LTAIkey", .secret = (char *)SECRET};
	struct http_request req;
	char *err;

	setup(PROVIDER_ALIBABA, SERVICE_RDS, "cn-hangzhou", "rm-bp162dfr55g47");
	base_is("cn-hangzhou", "https://rds.aliyuncs.com");
	base_is("ap-southeast-1", "https://rds.aliyuncs.com");
	base_is("cn-hongkong", "https://rds.aliyuncs.com");
	base_is("eu-central-1", "https://rds.eu-central-1.aliyuncs.com");
	base_is("ap-northeast-1", "https://rds.ap-northeast-1.aliyuncs.com");
	is_int(build(CALL_STATUS, &cred, &req, &err), 0, "rds builds");
	ok(strstr(req.url, "https://rds.ap-northeast-1.aliyuncs.com/?AccessKeyId=LTAIkey&Action=DescribeDBInstanceSSL&DBInstanceId=rm-bp162dfr55g47&Format=JSON&SignatureMethod=HMAC-SHA1") == req.url,
	   "rds URL: DescribeDBInstanceSSL with DBInstanceId, no RegionId");
	ok(strstr(req.url, "&Version=2014-08-15&") != NULL, "rds Version 2014-08-15");
	ok(strstr(req.url, "RegionId") == NULL, "rds sends no RegionId");
	is_str(req.action, "DescribeDBInstanceSSL", "rds action");
	ok(!strstr(req.url, SECRET), "rds: no secret in the URL");
	http_request_free(&req);
	is_int(build(CALL_CERT_LINK, &cred, &req, &err), -1, "rds has no link call");
	free(err);

	setup(PROVIDER_ALIBABA, SERVICE_POLARDB, "cn-beijing", "pc-2ze0abc");
	base_is("cn-beijing", "https://polardb.aliyuncs.com");
	base_is("cn-zhangjiakou", "https://polardb.cn-zhangjiakou.aliyuncs.com");
	base_is("us-east-1", "https://polardb.ap-northeast-1.aliyuncs.com");
	base_is("eu-west-1", "https://polardb.eu-west-1.aliyuncs.com");
	is_int(build(CALL_STATUS, &cred, &req, &err), 0, "polardb builds");
	ok(strstr(req.url, "&Action=DescribeDBClusterSSL&DBClusterId=pc-2ze0abc&") != NULL,
	   "polardb URL: DescribeDBClusterSSL with DBClusterId");
	ok(strstr(req.url, "&Version=2017-08-01&") != NULL, "polardb Version 2017-08-01");
	is_str(http_request_header(&req, "Host"), "polardb.eu-west-1.aliyuncs.com", "polardb Host");
	http_request_free(&req);

	setup(PROVIDER_ALIBABA, SERVICE_MONGODB, "cn-hangzhou", "dds-bp1abc");
	base_is("cn-hangzhou", "https://mongodb.aliyuncs.com");
	base_is("cn-zhangjiakou", "https://mongodb.cn-zhangjiakou.aliyuncs.com");
	base_is("us-east-1", "https://mongodb.us-east-1.aliyuncs.com");
	base_is("ap-southeast-1", "https://mongodb.ap-southeast-1.aliyuncs.com");
	is_int(build(CALL_STATUS, &cred, &req, &err), 0, "mongodb builds");
	ok(strstr(req.url, "&Action=DescribeDBInstanceSSL&DBInstanceId=dds-bp1abc&") != NULL,
	   "mongodb URL: DescribeDBInstanceSSL with DBInstanceId");
	ok(strstr(req.url, "&Version=2015-12-01&") != NULL, "mongodb Version 2015-12-01 (dds)");
	http_request_free(&req);

	/* Tair keeps its InstanceId and RegionId. */
	setup(PROVIDER_ALIBABA, SERVICE_REDIS, "cn-hangzhou", "r-bp1");
	is_int(build(CALL_STATUS, &cred, &req, &err), 0, "redis still builds");
	ok(strstr(req.url, "&InstanceId=r-bp1&RegionId=cn-hangzhou&") != NULL, "redis: InstanceId and RegionId");
	http_request_free(&req);
}

/* ---- Alibaba RDS answers ----------------------------------------------------- */

static void test_rds(void)
{
	struct provider_result r;

	provider_result_init(&r);
	setup(PROVIDER_ALIBABA, SERVICE_RDS, "cn-hangzhou", "rm-bp162dfr55g47****");
	run_fixture(CALL_STATUS, "data/api/alibaba-rds-DescribeDBInstanceSSL-example.json", &r);
	state_is(&r, STATE_ENABLED, NULL, "rds example (Yes)");
	time_is(r.cert_expires, "2022-10-11T08:16:43Z", "rds SSLExpireTime");
	is_str(r.addr.host, "rm-bp162dfr55g47****.mysql.rds.aliyuncs.com", "rds ConnectionString is the host");
	ok(r.cert_url == NULL, "rds ServerCAUrl \"-\" is no URL");
	is_str(r.request_id, "7705151C-E242-55AF-9929-2A3C39D979D2", "rds request_id");
	ok(r.provider_status != NULL, "rds provider_status kept");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r.provider_status, "RequireUpdate")),
	       "Yes", "rds RequireUpdate kept");
	ok(cJSON_GetObjectItemCaseSensitive(r.provider_status, "ServerKey") == NULL,
	   "rds ServerKey dropped from provider_status");
	ok(!holds_key(r.provider_status), "no private key anywhere in provider_status");
	ok(cJSON_GetObjectItemCaseSensitive(r.provider_status, "ServerCert") != NULL,
	   "rds ServerCert (public) kept");

	run(200, "{\"RequestId\":\"x\",\"SSLEnabled\":\"No\",\"RequireUpdate\":\"No\",\"ConnectionString\":\"\",\"SSLExpireTime\":\"\"}", &r);
	state_is(&r, STATE_DISABLED, NULL, "rds No");
	ok(r.addr.host == NULL && r.cert_expires == TIME_NONE, "rds No: empty fields are null");

	run(200, "{\"RequestId\":\"x\",\"SSLEnabled\":\"on\",\"ServerCAUrl\":\"https://example.com/ca.pem\",\"SSLExpireTime\":\"2031-01-02T03:04:05Z\",\"RequireUpdate\":\"0\",\"ServerKey\":\"-----BEGIN RSA PRIVATE KEY-----AAAA-----END RSA PRIVATE KEY-----\"}", &r);
	state_is(&r, STATE_ENABLED, NULL, "rds PostgreSQL on");
	is_str(r.cert_url, "https://example.com/ca.pem", "rds PostgreSQL ServerCAUrl is the CA URL");
	ok(!holds_key(r.provider_status), "rds PostgreSQL: key dropped");
	run(200, "{\"RequestId\":\"x\",\"SSLEnabled\":\"off\"}", &r);
	state_is(&r, STATE_DISABLED, NULL, "rds PostgreSQL off");

	/* A private key under another name, or nested, goes too. */
	run(200, "{\"SSLEnabled\":\"Yes\",\"Extra\":{\"Key\":\"-----BEGIN EC PRIVATE KEY-----x\"},\"List\":[\"-----BEGIN PRIVATE KEY-----y\",\"ok\"],\"serverkey\":\"z\"}", &r);
	state_is(&r, STATE_ENABLED, NULL, "rds with hidden keys");
	ok(!holds_key(r.provider_status) &&
	   cJSON_GetObjectItemCaseSensitive(r.provider_status, "serverkey") == NULL,
	   "nested and renamed private keys dropped");
	is_int(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.provider_status, "List")), 1,
	       "the harmless array member stays");

	run(200, "{\"SSLEnabled\":true}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "rds SSLEnabled boolean");
	message_has(&r, "SSLEnabled", "rds message names SSLEnabled");
	ok(r.provider_status == NULL, "rds error keeps no provider_status");
	run(200, "{\"SSLEnabled\":\"Enable\"}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "rds SSLEnabled Enable (Tair's word)");
	run(200, "{\"SSLEnabled\":\"Yes\",\"SSLExpireTime\":20221011}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "rds SSLExpireTime number");
	message_has(&r, "SSLExpireTime", "rds message names SSLExpireTime");
	run(200, "{\"RequestId\":\"x\",\"ServerKey\":\"-----BEGIN PRIVATE KEY-----k\"}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "rds without SSLEnabled");
	ok(r.provider_status == NULL, "nothing kept from an answer without SSLEnabled");

	static const struct {
		long http;
		const char *code;
		enum tls_state st;
	} codes[] = {
		{404, "InvalidDBInstanceId.NotFound", STATE_NOT_FOUND},
		{404, "InvalidDBInstance.NotFound", STATE_NOT_FOUND},
		{404, "Forbidden.InstanceNotFound", STATE_NOT_FOUND},
		{403, "IncorrectDBInstanceType", STATE_UNSUPPORTED},
		{403, "IncorrectEngineVersion", STATE_UNSUPPORTED},
		{403, "Forbidden.RAM", STATE_AUTH_ERROR},
		{404, "InvalidAccessKeyId.NotFound", STATE_AUTH_ERROR},
		{400, "SignatureDoesNotMatch", STATE_AUTH_ERROR},
		{400, "InvalidTimeStamp.Expired", STATE_AUTH_ERROR},
		{503, "Throttling.User", STATE_THROTTLED},
		{500, "InternalError", STATE_ERROR},
		{400, "IncorrectDBInstanceState", STATE_ERROR},
	};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char body[300], name[100];

		snprintf(body, sizeof(body),
		         "{\"RequestId\":\"R-%zu\",\"HostId\":\"rds.aliyuncs.com\",\"Code\":\"%s\",\"Message\":\"m\"}",
		         i, codes[i].code);
		snprintf(name, sizeof(name), "rds %ld %s", codes[i].http, codes[i].code);
		run(codes[i].http, body, &r);
		state_is(&r, codes[i].st, codes[i].code, name);
	}
	run(400, "{\"Code\":\"InternalError\",\"Message\":\"bad -----BEGIN PRIVATE KEY----- x\"}", &r);
	ok(r.error && !strstr(r.error->message, "PRIVATE KEY"), "an error message holding a key is withheld");
	provider_result_free(&r);
}

/* ---- PolarDB ----------------------------------------------------------------- */

static void test_polardb(void)
{
	struct provider_result r;

	provider_result_init(&r);
	setup(PROVIDER_ALIBABA, SERVICE_POLARDB, "cn-hangzhou", "pc-************");
	run_fixture(CALL_STATUS, "data/api/alibaba-polardb-DescribeDBClusterSSL-example.json", &r);
	state_is(&r, STATE_ENABLED, NULL, "polardb example");
	time_is(r.cert_expires, "2021-11-13T07:14:22Z", "polardb SSLExpireTime");
	is_str(r.addr.host, "pc-************.mysql.polardb.rds.aliyuncs.com", "polardb host");
	is_int(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.provider_status, "Items")), 1,
	       "polardb endpoints kept in provider_status");

	/* Every endpoint on: the earliest expiry decides. */
	run(200, "{\"RequestId\":\"x\",\"Items\":["
	         "{\"DBEndpointId\":\"pe-1\",\"SSLEnabled\":\"Enabled\",\"SSLExpireTime\":\"2031-05-01T00:00:00Z\",\"SSLConnectionString\":\"a.example\"},"
	         "{\"DBEndpointId\":\"pe-2\",\"SSLEnabled\":\"Enabled\",\"SSLExpireTime\":\"2030-02-01T00:00:00Z\",\"SSLConnectionString\":\"b.example\"}]}", &r);
	state_is(&r, STATE_ENABLED, NULL, "polardb two endpoints on");
	time_is(r.cert_expires, "2030-02-01T00:00:00Z", "polardb: earliest expiry");
	is_str(r.addr.host, "a.example", "polardb: first endpoint's address");

	/* One endpoint off: the cluster is not protected. */
	run(200, "{\"Items\":["
	         "{\"DBEndpointId\":\"pe-1\",\"SSLEnabled\":\"Disabled\",\"SSLExpireTime\":\"\",\"SSLConnectionString\":\"a.example\"},"
	         "{\"DBEndpointId\":\"pe-2\",\"SSLEnabled\":\"Enabled\",\"SSLExpireTime\":\"2030-02-01T00:00:00Z\",\"SSLConnectionString\":\"b.example\"}]}", &r);
	state_is(&r, STATE_DISABLED, NULL, "polardb one endpoint off");
	is_str(r.addr.host, "b.example", "polardb: the enabled endpoint's address");
	run(200, "{\"Items\":[{\"SSLEnabled\":\"Disable\"}]}", &r);
	state_is(&r, STATE_DISABLED, NULL, "polardb Disable (the other spelling)");
	run(200, "{\"Items\":[]}", &r);
	state_is(&r, STATE_DISABLED, NULL, "polardb no endpoint");

	run(200, "{\"Items\":{}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "polardb Items object");
	message_has(&r, "Items", "names Items");
	run(200, "{\"Items\":[{\"SSLEnabled\":\"Enabled\"},{\"SSLEnabled\":1}]}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "polardb SSLEnabled number");
	message_has(&r, "Items[1].SSLEnabled", "names Items[1].SSLEnabled");
	ok(r.cert_expires == TIME_NONE && r.addr.host == NULL, "polardb error keeps nothing");
	run(200, "{\"Items\":[{\"SSLEnabled\":\"yes\"}]}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "polardb SSLEnabled yes");
	run(200, "{\"Items\":[\"pe-1\"]}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "polardb item string");
	run(200, "{\"RequestId\":\"x\"}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "polardb without Items");
	run(404, "{\"Code\":\"InvalidDBClusterId.NotFound\",\"Message\":\"m\"}", &r);
	state_is(&r, STATE_NOT_FOUND, "InvalidDBClusterId.NotFound", "polardb not found");
	run(404, "{\"Code\":\"InvalidDBCluster.NotFound\",\"Message\":\"m\"}", &r);
	state_is(&r, STATE_NOT_FOUND, "InvalidDBCluster.NotFound", "polardb not found (other form)");
	provider_result_free(&r);
}

/* ---- MongoDB (dds) ----------------------------------------------------------- */

static void test_mongodb(void)
{
	struct provider_result r;

	provider_result_init(&r);
	setup(PROVIDER_ALIBABA, SERVICE_MONGODB, "cn-hangzhou", "dds-bpxxxxxxxx");
	run_fixture(CALL_STATUS, "data/api/alibaba-mongodb-DescribeDBInstanceSSL-example.json", &r);
	state_is(&r, STATE_ENABLED, NULL, "mongodb example (Open)");
	time_is(r.cert_expires, "2020-03-11T02:28:25Z", "mongodb SSLExpiredTime");
	is_str(r.addr.host, "dds-bpxxxxxxxx.mongodb.rds.aliyuncs.com", "mongodb CertCommonName is the host");
	ok(r.cert_url == NULL, "mongodb: no download link");
	run(200, "{\"SSLStatus\":\"Closed\",\"SSLExpiredTime\":\"\",\"CertCommonName\":\"\"}", &r);
	state_is(&r, STATE_DISABLED, NULL, "mongodb Closed");
	run(200, "{\"SSLStatus\":1}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "mongodb SSLStatus number");
	message_has(&r, "SSLStatus", "names SSLStatus");
	run(200, "{\"SSLStatus\":\"open\"}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "mongodb SSLStatus open (case)");
	run(200, "{\"SSLStatus\":\"Open\",\"CertCommonName\":[]}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "mongodb CertCommonName array");
	run(404, "{\"Code\":\"InvalidDBInstanceId.NotFound\",\"Message\":\"m\"}", &r);
	state_is(&r, STATE_NOT_FOUND, "InvalidDBInstanceId.NotFound", "mongodb not found");
	run(403, "{\"Code\":\"IncorrectEngineVersion\",\"Message\":\"m\"}", &r);
	state_is(&r, STATE_UNSUPPORTED, "IncorrectEngineVersion", "mongodb unsupported");
	provider_result_free(&r);
}

/* ---- Huawei RDS -------------------------------------------------------------- */

static void test_huawei_rds(void)
{
	struct credentials cred = {.id = "HWAK", .secret = (char *)SECRET};
	struct http_request req;
	struct provider_result r;
	char *err;

	setup(PROVIDER_HUAWEI, SERVICE_RDS, "eu-de", "dsfae23fsfdsae3435in01");
	base_is("eu-de", "https://rds.eu-de.otc.t-systems.com");
	base_is("eu-nl", "https://rds.eu-nl.otc.t-systems.com");
	base_is("eu-west-101", "https://rds.eu-west-101.myhuaweicloud.eu");
	base_is("cn-north-4", "https://rds.cn-north-4.myhuaweicloud.com");
	I.project_id = "0483b6b16e954cb88930a360d2c4e663";
	is_int(build(CALL_STATUS, &cred, &req, &err), 0, "huawei rds builds");
	is_str(req.method, "GET", "status GET");
	is_str(req.url, "https://rds.cn-north-4.myhuaweicloud.com/v3/0483b6b16e954cb88930a360d2c4e663/instances?id=dsfae23fsfdsae3435in01",
	       "status: the instance list filtered by id");
	is_str(req.action, "rds.instances.show", "status action");
	ok(http_request_header(&req, "Authorization") &&
	   strncmp(http_request_header(&req, "Authorization"), "SDK-HMAC-SHA256 Access=HWAK,", 28) == 0,
	   "APIG signature");
	http_request_free(&req);
	is_int(build(CALL_CERT_LINK, &cred, &req, &err), 0, "link builds");
	is_str(req.method, "GET", "link GET");
	is_str(req.url, "https://rds.cn-north-4.myhuaweicloud.com/v3/0483b6b16e954cb88930a360d2c4e663/instances/dsfae23fsfdsae3435in01/ssl-cert/download-link",
	       "link URL");
	is_str(req.action, "rds.ssl-cert.download-link", "link action");
	ok(req.body == NULL, "link has no body");
	http_request_free(&req);
	ok(provider_cert_link_call(&I), "huawei rds: the CA comes through a link call");

	provider_result_init(&r);
	run_fixture(CALL_STATUS, "data/api/huawei-rds-ListInstances-one.json", &r);
	state_is(&r, STATE_ENABLED, NULL, "huawei rds enable_ssl true");
	is_str(r.addr.host, "ebbc1f2d9d3a4aa4a0c73b39fd1f5d09in01.internal.eu-de.mysql.rds.myhuaweicloud.com",
	       "host: the private DNS name");
	is_str(r.addr.ip, "192.168.0.142", "ip: the first private IP");
	is_int(r.addr.port, 3306, "port");
	ok(r.cert_expires == TIME_NONE, "no API expiry: it comes from the CA file");
	ok(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.provider_status, "enable_ssl")) &&
	   !cJSON_GetObjectItemCaseSensitive(r.provider_status, "instances"),
	   "provider_status is the instance's object, not the list");
	ok(cJSON_GetObjectItemCaseSensitive(r.provider_status, "datastore") != NULL, "datastore kept");

	run(200, "{\"instances\":[{\"id\":\"dsfae23fsfdsae3435in01\",\"enable_ssl\":false,\"private_ips\":[\"10.0.0.1\"],\"port\":5432}],\"total_count\":1}", &r);
	state_is(&r, STATE_DISABLED, NULL, "huawei rds enable_ssl false");
	is_str(r.addr.host, "10.0.0.1", "no DNS name: host is the IP");
	run(200, "{\"instances\":[],\"total_count\":0}", &r);
	state_is(&r, STATE_NOT_FOUND, "InstanceNotFound", "huawei rds: empty list");
	run(200, "{\"instances\":[{\"id\":\"other\",\"enable_ssl\":true}],\"total_count\":1}", &r);
	state_is(&r, STATE_NOT_FOUND, "InstanceNotFound", "huawei rds: another instance only");
	run(200, "{\"instances\":[{\"id\":\"dsfae23fsfdsae3435in01\",\"enable_ssl\":\"true\"}]}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "enable_ssl string");
	message_has(&r, "enable_ssl", "names enable_ssl");
	run(200, "{\"instances\":[{\"id\":\"dsfae23fsfdsae3435in01\",\"enable_ssl\":true,\"port\":\"3306\"}]}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "port string");
	message_has(&r, "port", "names port");
	run(200, "{\"instances\":[{\"id\":\"dsfae23fsfdsae3435in01\",\"enable_ssl\":true,\"private_ips\":\"10.0.0.1\"}]}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "private_ips string");
	message_has(&r, "private_ips", "names private_ips");
	run(200, "{\"instances\":[{\"id\":\"dsfae23fsfdsae3435in01\"}]}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "enable_ssl missing");
	run(200, "{\"instances\":{}}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "instances object");
	run(404, "{\"error_code\":\"DBS.200002\",\"error_msg\":\"The DB instance does not exist.\"}", &r);
	state_is(&r, STATE_NOT_FOUND, "DBS.200002", "DBS.200002");
	run(400, "{\"error_code\":\"DBS.200045\",\"error_msg\":\"The DB instance does not exist.\"}", &r);
	state_is(&r, STATE_NOT_FOUND, "DBS.200045", "DBS.200045 decides over 400");
	run(400, "{\"error_code\":\"DBS.200040\",\"error_msg\":\"not supported\"}", &r);
	state_is(&r, STATE_UNSUPPORTED, "DBS.200040", "DBS.200040 unsupported");
	run(403, "{\"error_code\":\"DBS.200010\",\"error_msg\":\"not authorized\"}", &r);
	state_is(&r, STATE_AUTH_ERROR, "DBS.200010", "403 DBS.200010");
	run(401, "{\"error_code\":\"APIG.0301\",\"error_msg\":\"Incorrect IAM authentication information: verify aksk signature fail\"}", &r);
	state_is(&r, STATE_AUTH_ERROR, "APIG.0301", "APIG.0301");
	run(429, "{\"errorCode\":\"APIGW.0308\",\"errorMessage\":\"throttled\"}", &r);
	state_is(&r, STATE_THROTTLED, "APIGW.0308", "APIGW.0308");
	run(500, "{\"error_code\":\"DBS.108000\",\"error_msg\":\"Server failure.\"}", &r);
	state_is(&r, STATE_ERROR, "DBS.108000", "DBS.108000");

	/* The link call */
	run_fixture(CALL_CERT_LINK, "data/api/huawei-rds-ListSslCertDownloadLink-example.json", &r);
	state_is(&r, STATE_ENABLED, NULL, "download-link example");
	is_str(r.link, "https://{region}.huaweicloud.com/rds/Certificate_Download.zip", "the link");
	run_call(CALL_CERT_LINK, 200, "{\"cert_info_list\":[{\"category\":\"national\",\"download_link\":\"https://n.example/sm.zip\"},{\"category\":\"international\",\"download_link\":\"https://i.example/ca.zip\"}]}", &r);
	is_str(r.link, "https://i.example/ca.zip", "the international certificate wins");
	run_call(CALL_CERT_LINK, 200, "{\"cert_info_list\":[{\"category\":\"national\",\"download_link\":\"https://n.example/sm.zip\"}]}", &r);
	is_str(r.link, "https://n.example/sm.zip", "else the first one");
	run_call(CALL_CERT_LINK, 200, "{\"cert_info_list\":[]}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "no link");
	run_call(CALL_CERT_LINK, 200, "{\"cert_info_list\":[{\"download_link\":7}]}", &r);
	state_is(&r, STATE_ERROR, "InvalidResponse", "download_link number");
	message_has(&r, "download_link", "names download_link");
	provider_result_free(&r);
}

/* ---- the client protocol (probe and connect line) ---------------------------- */

static void status_from(const char *json, const char *host)
{
	cJSON_Delete(I.st.provider_status);
	I.st.provider_status = json ? cJSON_Parse(json) : NULL;
	free(I.st.addr.host);
	I.st.addr.host = host ? xstrdup(host) : NULL;
}

static void test_protocol(void)
{
	setup(PROVIDER_ALIBABA, SERVICE_MONGODB, "cn-hangzhou", "dds-1");
	is_str(provider_protocol(&I, NULL), "mongodb", "alibaba mongodb: mongodb");
	setup(PROVIDER_ALIBABA, SERVICE_REDIS, "cn-hangzhou", "r-1");
	is_str(provider_protocol(&I, NULL), "redis", "alibaba redis: redis");

	setup(PROVIDER_ALIBABA, SERVICE_RDS, "cn-hangzhou", "rm-1");
	is_str(provider_protocol(&I, NULL), NULL, "rds before any answer: unknown");
	status_from("{\"SSLEnabled\":\"Yes\"}", "rm-1.mysql.rds.aliyuncs.com");
	is_str(provider_protocol(&I, NULL), "mysql", "rds Yes + .mysql. host: mysql");
	status_from("{\"SSLEnabled\":\"on\"}", "pgm-1.pg.rds.aliyuncs.com");
	is_str(provider_protocol(&I, NULL), "postgres", "rds on: postgres");
	status_from("{\"SSLEnabled\":\"off\"}", NULL);
	is_str(provider_protocol(&I, NULL), "postgres", "rds off, no host: postgres");
	status_from("{\"SSLEnabled\":\"Yes\"}", "rm-1.sqlserver.rds.aliyuncs.com");
	is_str(provider_protocol(&I, NULL), NULL, "rds SQL Server: not probed");
	status_from("{\"SSLEnabled\":\"Yes\"}", NULL);
	is_str(provider_protocol(&I, NULL), NULL, "rds Yes without a host: MySQL or SQL Server, unknown");
	status_from(NULL, NULL);

	setup(PROVIDER_ALIBABA, SERVICE_POLARDB, "cn-hangzhou", "pc-1");
	status_from(NULL, "pc-1.mysql.polardb.rds.aliyuncs.com");
	is_str(provider_protocol(&I, NULL), "mysql", "polardb .mysql.: mysql");
	status_from(NULL, "pc-1.o.polardb.rds.aliyuncs.com");
	is_str(provider_protocol(&I, NULL), NULL, "polardb other engines: unknown");
	status_from(NULL, NULL);

	setup(PROVIDER_HUAWEI, SERVICE_RDS, "eu-de", "x");
	static const char *const types[][2] = {
		{"MySQL", "mysql"}, {"mysql", "mysql"}, {"PostgreSQL", "postgres"},
		{"MariaDB", "mariadb"}, {"SQLServer", NULL},
	};
	for (size_t i = 0; i < 5; i++) {
		char json[100], name[100];

		snprintf(json, sizeof(json), "{\"datastore\":{\"type\":\"%s\"}}", types[i][0]);
		snprintf(name, sizeof(name), "huawei rds %s", types[i][0]);
		status_from(json, NULL);
		is_str(provider_protocol(&I, NULL), types[i][1], name);
	}
	status_from(NULL, NULL);
	is_str(provider_protocol(&I, NULL), NULL, "huawei rds before any answer: unknown");
}

int main(void)
{
	test_alibaba_requests();
	test_rds();
	test_polardb();
	test_mongodb();
	test_huawei_rds();
	test_protocol();
	return done_testing();
}
