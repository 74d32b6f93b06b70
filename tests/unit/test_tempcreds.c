/* Temporary credentials: reading each cloud's metadata and STS answers
 * (providers/tempcreds.c), the AssumeRole requests, the "token expired"
 * codes, and when the engine renews keys (engine/credfetch.c, fake
 * clock). Error messages never hold a key or token. */
#include "tap.h"
#include "providers/tempcreds.h"
#include "engine/credfetch.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static struct http_response answer(long status, const char *body)
{
	return (struct http_response){.status = status, .body = body, .body_len = strlen(body)};
}

static void parse_ok(const struct provider_cred_answer *k, const char *body, const char *id,
                     const char *secret, const char *token, time_t expires, const char *name)
{
	struct http_response r = answer(200, body);
	struct credentials c;
	time_t exp;
	char *err = NULL, *code = NULL;

	ok(tempcreds_parse(k, &r, &c, &exp, &code, &err) == 0, "%s: parses", name);
	is_str(err, NULL, name);
	is_str(c.id, id, name);
	is_str(c.secret, secret, name);
	is_str(c.token, token, name);
	ok(exp == expires, "%s: expiry %lld", name, (long long)exp);
	credentials_free(&c);
	free(err);
	free(code);
}

static void parse_err(const struct provider_cred_answer *k, long status, const char *body,
                      const char *want_err, const char *want_code, const char *name)
{
	struct http_response r = answer(status, body);
	struct credentials c;
	time_t exp;
	char *err = NULL, *code = NULL;

	ok(tempcreds_parse(k, &r, &c, &exp, &code, &err) == -1, "%s: fails", name);
	is_str(err, want_err, name);
	is_str(code, want_code, name);
	ok(!err || !strstr(err, "SECRET"), "%s: no secret in the message", name);
	ok(c.id == NULL && c.secret == NULL && c.token == NULL, "%s: no keys", name);
	free(err);
	free(code);
}

static void test_answers(void)
{
	const struct provider_roles *tc = &provider_tencent.roles, *ali = &provider_alibaba.roles,
	                            *hw = &provider_huawei.roles;

	/* 2026-12-06T12:00:00Z = 1796558400 */
	parse_ok(&tc->metadata, "{\"TmpSecretId\": \"AKIDtmp\", \"TmpSecretKey\": \"SECRETk\", "
	         "\"ExpiredTime\": 1796558400, \"Expiration\": \"2026-12-06T12:00:00Z\", \"Token\": "
	         "\"SECRETtok\", \"Code\": \"Success\"}", "AKIDtmp", "SECRETk", "SECRETtok", 1796558400,
	         "tencent metadata");
	parse_ok(&ali->metadata, "{\"AccessKeyId\": \"STS.x\", \"AccessKeySecret\": \"SECRETa\", "
	         "\"Expiration\": \"2026-12-06T12:00:00Z\", \"SecurityToken\": \"SECRETt\", "
	         "\"LastUpdated\": \"2026-12-06T06:00:00Z\", \"Code\": \"Success\"}", "STS.x", "SECRETa",
	         "SECRETt", 1796558400, "alibaba metadata");
	parse_ok(&hw->metadata, "{\"credential\": {\"access\": \"HWAK\", \"secret\": \"SECRETh\", "
	         "\"securitytoken\": \"SECRETst\", \"expires_at\": \"2026-12-06T12:00:00.000000Z\"}}",
	         "HWAK", "SECRETh", "SECRETst", 1796558400, "huawei metadata");
	parse_ok(&tc->sts, "{\"Response\": {\"Credentials\": {\"Token\": \"SECRETt\", \"TmpSecretId\": "
	         "\"AKIDs\", \"TmpSecretKey\": \"SECRETs\"}, \"ExpiredTime\": 1796558400, \"Expiration\": "
	         "\"2026-12-06T12:00:00Z\", \"RequestId\": \"r\"}}", "AKIDs", "SECRETs", "SECRETt", 1796558400,
	         "tencent AssumeRole");
	parse_ok(&ali->sts, "{\"RequestId\": \"r\", \"AssumedRoleUser\": {\"Arn\": \"a\"}, \"Credentials\": "
	         "{\"AccessKeyId\": \"STS.y\", \"AccessKeySecret\": \"SECRETy\", \"SecurityToken\": "
	         "\"SECRETz\", \"Expiration\": \"2026-12-06T12:00:00Z\"}}", "STS.y", "SECRETy", "SECRETz",
	         1796558400, "alibaba AssumeRole");

	parse_err(&tc->sts, 200, "{\"Response\": {\"Error\": {\"Code\": \"InvalidParameter.RoleNotExist\", "
	          "\"Message\": \"role not exist\"}, \"RequestId\": \"r\"}}",
	          "HTTP 200 InvalidParameter.RoleNotExist: role not exist", "InvalidParameter.RoleNotExist",
	          "tencent AssumeRole error at HTTP 200");
	parse_err(&ali->sts, 404, "{\"Code\": \"EntityNotExist.Role\", \"Message\": \"The role not exists\"}",
	          "HTTP 404 EntityNotExist.Role: The role not exists", "EntityNotExist.Role", "alibaba STS error");
	parse_err(&tc->metadata, 404, "<html>not found</html>", "HTTP 404", NULL, "metadata 404 (unknown role)");
	parse_err(&hw->metadata, 200, "{\"credential\": {\"access\": \"a\", \"secret\": \"SECRETq\"}}",
	          "the answer has no credential.securitytoken", NULL, "huawei answer without a token");
	parse_err(&ali->metadata, 200, "[1]", "the answer is not a JSON object", NULL, "not an object");
	parse_err(&ali->metadata, 200, "{\"AccessKeyId\": \"a\", \"AccessKeySecret\": \"SECRET\\u0001x\", "
	          "\"SecurityToken\": \"t\"}", "the answer's keys contain a control character", NULL,
	          "control character");
}

static void test_requests(void)
{
	struct account a;
	struct http_request r;
	struct sign_context ctx = {.now = 1796558400, .nonce = "6b1d9c3e-1111-4222-8333-444455556666"};

	memset(&a, 0, sizeof(a));
	a.provider = PROVIDER_TENCENT;
	a.ops = &provider_tencent;
	a.role_name = xstrdup("cvm-reader");
	char *url = tempcreds_metadata_url(&a);
	is_str(url, "http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/cvm-reader",
	       "tencent metadata URL");
	free(url);
	a.metadata_endpoint = xstrdup("http://127.0.0.1:8080");
	url = tempcreds_metadata_url(&a);
	is_str(url, "http://127.0.0.1:8080/latest/meta-data/cam/security-credentials/cvm-reader",
	       "metadata_endpoint replaces the base");
	free(url);
	a.role_arn = xstrdup("qcs::cam::uin/1:roleName/r");
	a.base.id = xstrdup("AKIDbase");
	a.base.secret = xstrdup("SECRETbase");
	char *base = tempcreds_sts_base(&a);
	is_str(base, "https://sts.tencentcloudapi.com", "tencent STS default");
	provider_tencent.roles.assume_role(&a, base, "ap-guangzhou", &ctx, &r);
	is_str(r.body, "{\"RoleArn\":\"qcs::cam::uin/1:roleName/r\",\"RoleSessionName\":\"tlsfleet\","
	       "\"DurationSeconds\":3600}", "tencent AssumeRole body: session and duration defaults");
	is_str(http_request_header(&r, "X-TC-Action"), "AssumeRole", "tencent AssumeRole action");
	is_str(http_request_header(&r, "X-TC-Version"), "2018-08-13", "tencent STS version");
	ok(strstr(http_request_header(&r, "Authorization"), "/sts/tc3_request") != NULL, "signed for service sts");
	ok(http_request_header(&r, "X-TC-Token") == NULL, "base keys without a token send none");
	http_request_free(&r);
	free(base);
	ok(tempcreds_token_expired(&provider_tencent, "AuthFailure.TokenFailure"), "tencent TokenFailure: expired");
	ok(!tempcreds_token_expired(&provider_tencent, "AuthFailure.SignatureFailure"), "tencent SignatureFailure: not");
	credentials_free(&a.base);
	free(a.role_name);
	free(a.role_arn);
	free(a.metadata_endpoint);

	memset(&a, 0, sizeof(a));
	a.provider = PROVIDER_ALIBABA;
	a.ops = &provider_alibaba;
	a.role_arn = xstrdup("acs:ram::1:role/r");
	a.role_session_name = xstrdup("mon");
	a.duration = 900;
	a.base.id = xstrdup("LTAIbase");
	a.base.secret = xstrdup("SECRETbase");
	provider_alibaba.roles.assume_role(&a, "https://sts.aliyuncs.com", NULL, &ctx, &r);
	ok(r.body && strstr(r.body, "Action=AssumeRole") && strstr(r.body, "DurationSeconds=900") &&
	   strstr(r.body, "RoleSessionName=mon") && strstr(r.body, "Version=2015-04-01") &&
	   strstr(r.body, "RoleArn=acs%3Aram%3A%3A1%3Arole%2Fr"), "alibaba AssumeRole form body");
	http_request_free(&r);
	ok(tempcreds_token_expired(&provider_alibaba, "InvalidSecurityToken.Expired"), "alibaba expired token");
	ok(!tempcreds_token_expired(&provider_alibaba, "InvalidSecurityToken.Mismatch"), "alibaba mismatch: not");
	ok(tempcreds_token_expired(&provider_huawei, "APIG.0307"), "huawei 0307");
	ok(provider_huawei.roles.sts_base == NULL, "huawei has no AssumeRole");
	credentials_free(&a.base);
	free(a.role_arn);
	free(a.role_session_name);
}

static void test_renewal(void)
{
	struct account a;
	struct cred_state cs;

	memset(&a, 0, sizeof(a));
	memset(&cs, 0, sizeof(cs));
	a.auth = AUTH_INSTANCE_ROLE;
	cs.a = &a;
	ok(credfetch_applies(&a), "instance_role applies");
	ok(!credfetch_usable(&cs, 1000) && credfetch_renew_due(&cs, 1000), "no keys: fetch");
	a.cred.id = xstrdup("i");
	a.cred.secret = xstrdup("s");
	credfetch_got(&cs, 1000 + 3600, false, 1000);
	ok(credfetch_usable(&cs, 1000) && !credfetch_renew_due(&cs, 1000), "fresh hour-long keys");
	ok(!credfetch_renew_due(&cs, 1000 + 3600 - 301), "not yet 5 minutes ahead");
	ok(credfetch_renew_due(&cs, 1000 + 3600 - 300) && credfetch_usable(&cs, 1000 + 3600 - 300),
	   "renewal 5 minutes ahead, the old keys still sign");
	ok(credfetch_usable(&cs, 1000 + 3600 - 6) && !credfetch_usable(&cs, 1000 + 3600 - 5),
	   "not used for a new request in their last 5 s");
	credfetch_got(&cs, 1000 + 3600, true, 1000 + 3600 - 300);
	ok(!credfetch_renew_due(&cs, 1000 + 3600 - 200), "the same keys came back: no new fetch while usable");
	credfetch_got(&cs, 2000 + 10, false, 2000);
	ok(!credfetch_renew_due(&cs, 2006) && credfetch_renew_due(&cs, 2007), "10 s keys: renewed at 3 s left");
	ok(credfetch_usable(&cs, 2008) && !credfetch_usable(&cs, 2009), "and used until 1 s left");
	cs.stale = true;
	ok(!credfetch_usable(&cs, 2001) && credfetch_renew_due(&cs, 2001), "answered 'token expired': fetch");
	credfetch_got(&cs, 3000, false, 2002);
	ok(!cs.stale && cs.gen == 4, "new keys: not stale, generation counted");

	struct sched_job j1, j2;
	credfetch_park(&cs, &j1);
	credfetch_park(&cs, &j2);
	ok(cs.n_parked == 2 && credfetch_unpark(&cs) == &j1 && credfetch_unpark(&cs) == &j2 &&
	   credfetch_unpark(&cs) == NULL, "parked jobs come back oldest first");
	credentials_free(&a.cred);
	a.auth = AUTH_KEYS;
	ok(!credfetch_applies(&a), "long-lived keys: not applicable");
}

int main(void)
{
	test_answers();
	test_requests();
	test_renewal();
	return done_testing();
}
