/* The signers against the providers' official SDK vectors (tests/vectors),
 * every case and every intermediate output, then the requests the
 * providers build from the same inputs. */
#include "tap.h"
#include "fixtures.h"
#include "providers/sign.h"
#include "providers/provider.h"
#include "engine/url.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *jstr(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static const cJSON *jget(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* The request carries exactly the vector's headers (names compared without
 * case, values byte for byte). */
static void headers_are(const struct http_request *r, const cJSON *want, const char *what)
{
	const cJSON *h;
	int n = 0;

	cJSON_ArrayForEach(h, want) {
		char name[160];

		snprintf(name, sizeof(name), "%s: header %s", what, h->string);
		is_str(http_request_header(r, h->string), h->valuestring, name);
		n++;
	}
	is_int((long long)r->n_headers, n, "header count");
}

static bool contains(const char *hay, const char *needle)
{
	return hay && needle && *needle && strstr(hay, needle) != NULL;
}

/* No secret may travel anywhere in a request. */
static void no_secret_in(const struct http_request *r, const char *secret, const char *what)
{
	bool leak = contains(r->url, secret) || contains(r->body, secret);

	for (size_t i = 0; i < r->n_headers; i++)
		leak = leak || contains(r->headers[i].value, secret);
	ok(!leak, "%s: the secret appears nowhere in the request", what);
}

static struct account vacct;
static struct instance inst;

static void fixture_instance(enum provider_kind p, enum service_kind s, const char *region,
                             const char *id)
{
	memset(&vacct, 0, sizeof(vacct));
	memset(&inst, 0, sizeof(inst));
	vacct.name = "vacct";
	vacct.provider = p;
	vacct.ops = provider_for(p);
	inst.name = "inst";
	inst.account = &vacct;
	inst.service = s;
	inst.region = (char *)region;
	inst.id = (char *)id;
	inst.warn_days = inst.crit_days = inst.require_tls = -1;
	instance_status_init(&inst.st);
}

/* ---- primitives ----------------------------------------------------------- */

static void test_primitives(void)
{
	char hex[65];
	unsigned char mac[32];
	char *s;

	sign_sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256(abc)");
	sign_sha256_hex("", 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256('')");

	/* RFC 4231 test case 2, RFC 2202 test case 2 */
	sign_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
	sign_hex(mac, 32, hex);
	is_str(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	       "HMAC-SHA256 RFC 4231 case 2");
	sign_hmac_sha1("Jefe", 4, "what do ya want for nothing?", 28, mac);
	sign_hex(mac, 20, hex);
	is_str(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", "HMAC-SHA1 RFC 2202 case 2");
	/* An empty key must not fall back to the previous call's key. */
	sign_hmac_sha256("", 0, "", 0, mac);
	sign_hex(mac, 32, hex);
	is_str(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
	       "HMAC-SHA256 with an empty key after a keyed call");
	sign_hmac_sha256(NULL, 0, "", 0, mac);
	sign_hex(mac, 32, hex);
	is_str(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
	       "HMAC-SHA256 with a NULL key is the empty key");

	s = sign_base64((const unsigned char *)"", 0);
	is_str(s, "", "base64('')");
	free(s);
	s = sign_base64((const unsigned char *)"f", 1);
	is_str(s, "Zg==", "base64(f)");
	free(s);
	s = sign_base64((const unsigned char *)"foobar", 6);
	is_str(s, "Zm9vYmFy", "base64(foobar)");
	free(s);
	s = sign_base64((const unsigned char *)"\xfb\xff", 2);
	is_str(s, "+/8=", "base64 uses + and /");
	free(s);

	s = sign_percent_encoded("AZaz09-_.~");
	is_str(s, "AZaz09-_.~", "unreserved characters stay");
	free(s);
	s = sign_percent_encoded("a b*/é!'()+=&%:");
	is_str(s, "a%20b%2A%2F%C3%A9%21%27%28%29%2B%3D%26%25%3A", "RFC 3986 encoding, uppercase hex");
	free(s);
	s = sign_percent_encoded("");
	is_str(s, "", "empty string encodes to empty");
	free(s);
	{
		struct strbuf sb = STRBUF_INIT;

		sign_percent_encode_path(&sb, "/v2/p 1/instances/é/ssl");
		is_str(strbuf_str(&sb), "/v2/p%201/instances/%C3%A9/ssl", "path: segments encoded, / kept");
		strbuf_free(&sb);
		sign_percent_encode(&sb, "a\0b", 3);
		is_str(strbuf_str(&sb), "a%00b", "explicit length covers NUL bytes");
		strbuf_free(&sb);
	}
}

/* ---- Tencent ---------------------------------------------------------------- */

static void test_tencent(void)
{
	cJSON *v = fixture_json("vectors/tencent-tc3-hmac-sha256.json");
	const cJSON *c;
	int n = 0;

	cJSON_ArrayForEach(c, jget(v, "cases")) {
		const cJSON *in = jget(c, "inputs");
		const char *name = jstr(c, "name");
		const char *body = jstr(in, "body");
		const cJSON *tok = jget(in, "token");
		struct tc3_input ti = {
			.secret_id = jstr(in, "secret_id"),
			.secret_key = jstr(in, "secret_key"),
			.service = jstr(in, "service"),
			.host = jstr(in, "host"),
			.timestamp = (time_t)jget(in, "timestamp")->valuedouble,
			.body = body,
			.body_len = strlen(body),
		};
		struct tc3_output to;
		char what[200];

		n++;
		diag("tencent case: %s", name);
		sign_tc3(&ti, &to);
		is_str(to.canonical_request, jstr(c, "canonical_request"), "tc3 canonical request");
		is_str(to.string_to_sign, jstr(c, "string_to_sign"), "tc3 string to sign");
		is_str(to.authorization, jstr(c, "authorization"), "tc3 Authorization");
		ok(contains(jstr(c, "authorization"), to.signature), "tc3 signature is the one in Authorization");
		sign_tc3_free(&to);

		/* The provider's request for the same instance. */
		bool pg = strcmp(ti.service, "postgres") == 0;
		const char *id_key = pg ? "DBInstanceId" : "InstanceId";
		cJSON *bj = cJSON_Parse(body);
		struct credentials cred = {
			.id = (char *)ti.secret_id, .secret = (char *)ti.secret_key,
			.token = cJSON_IsString(tok) ? tok->valuestring : NULL,
		};
		struct sign_context ctx = {.now = ti.timestamp, .nonce = NULL};
		struct http_request req;
		char *err = NULL, *base;

		fixture_instance(PROVIDER_TENCENT, pg ? SERVICE_POSTGRES : SERVICE_REDIS,
		                 jstr(in, "region"), jstr(bj, id_key));
		vacct.site = strstr(ti.host, ".intl.") ? "intl" : "china";
		base = provider_base_url(&inst);
		snprintf(what, sizeof(what), "https://%s", ti.host);
		is_str(base, what, "default endpoint for the vector's host and site");
		free(base);

		int rc = vacct.ops->build_request(&inst, CALL_STATUS, &cred, &ctx, &req, &err);
		is_int(rc, 0, "tencent build_request succeeds");
		snprintf(what, sizeof(what), "tencent request (%s)", name);
		is_str(req.method, jstr(in, "method"), "method");
		snprintf(what, sizeof(what), "https://%s%s", ti.host, jstr(in, "path"));
		is_str(req.url, what, "url");
		is_str(req.body, body, "body byte for byte");
		is_int((long long)req.body_len, (long long)strlen(body), "body length");
		is_str(req.action, jstr(in, "action"), "action (pacing key)");
		headers_are(&req, jget(c, "request_headers"), "tencent");
		no_secret_in(&req, ti.secret_key, "tencent");
		http_request_free(&req);
		cJSON_Delete(bj);
	}
	is_int(n, 3, "three Tencent cases");
	cJSON_Delete(v);
}

/* The derived key is cached per (secret, date, service) and the cache
 * never changes a signature. */
static void test_tencent_cache(void)
{
	struct tc3_input ti = {
		.secret_id = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
		.secret_key = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
		.service = "redis",
		.host = "redis.intl.tencentcloudapi.com",
		.timestamp = 1551113065,
		.body = "{\"InstanceId\":\"crs-2btr9ryn\"}",
		.body_len = 29,
	};
	const char *want = "efa09371e965171846fe3db5d973b42fed0fcf489b96f62123bc767683093c67";
	struct tc3_output o;
	unsigned long d0;
	char first[65] = "";

	sign_cleanup();
	d0 = sign_tc3_key_derivations();
	sign_tc3(&ti, &o);
	is_str(o.signature, want, "cache: first signature");
	sign_tc3_free(&o);
	ti.timestamp += 3600;  /* same UTC day */
	sign_tc3(&ti, &o);
	strcpy(first, o.signature);
	sign_tc3_free(&o);
	is_int((long long)(sign_tc3_key_derivations() - d0), 1, "same day and service: key derived once");

	ti.service = "postgres";
	sign_tc3(&ti, &o);
	sign_tc3_free(&o);
	is_int((long long)(sign_tc3_key_derivations() - d0), 2, "other service: derived again");

	ti.service = "redis";
	ti.timestamp += 86400;
	sign_tc3(&ti, &o);
	sign_tc3_free(&o);
	is_int((long long)(sign_tc3_key_derivations() - d0), 3, "next day: derived again");

	/* Same id, other secret (a rotated key): must not hit the old entry. */
	ti.timestamp = 1551113065 + 3600;
	ti.secret_key = "another-secret";
	sign_tc3(&ti, &o);
	ok(strcmp(o.signature, first) != 0, "other secret, same id/day/service: other signature");
	sign_tc3_free(&o);
	is_int((long long)(sign_tc3_key_derivations() - d0), 4, "other secret: derived again");

	/* Thrash the cache with more entries than it has, then check the vector
	 * again: evicted or not, signatures stay right. */
	char svc[20][16];
	for (int i = 0; i < 20; i++) {
		snprintf(svc[i], sizeof(svc[i]), "svc%d", i);
		ti.service = svc[i];
		sign_tc3(&ti, &o);
		sign_tc3_free(&o);
	}
	ti.secret_key = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
	ti.service = "redis";
	ti.timestamp = 1551113065;
	sign_tc3(&ti, &o);
	is_str(o.signature, want, "after eviction: vector signature again");
	sign_tc3_free(&o);
	unsigned long d1 = sign_tc3_key_derivations();
	sign_tc3(&ti, &o);
	sign_tc3_free(&o);
	is_int((long long)(sign_tc3_key_derivations() - d1), 0, "re-derived entry is cached again");

	/* A service name longer than a cache slot still signs correctly. */
	ti.service = "a-very-long-service-name-beyond-the-slot";
	sign_tc3(&ti, &o);
	ok(contains(o.authorization, "/a-very-long-service-name-beyond-the-slot/tc3_request"),
	   "long service name signed in full");
	sign_tc3_free(&o);

	sign_cleanup();
	ti.service = "redis";
	sign_tc3(&ti, &o);
	is_str(o.signature, want, "after sign_cleanup: vector signature again");
	sign_tc3_free(&o);
}

/* ---- Huawei ----------------------------------------------------------------- */

static time_t sdk_date_parse(const char *d)
{
	char iso[32];
	time_t t = TIME_NONE;

	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", d, d + 4, d + 6, d + 9,
	         d + 11, d + 13);
	timefmt_parse_iso8601(iso, &t);
	return t;
}

static void test_huawei(void)
{
	cJSON *v = fixture_json("vectors/huawei-apig-sdk-hmac-sha256.json");
	const cJSON *c;
	int n = 0;

	cJSON_ArrayForEach(c, jget(v, "cases")) {
		const cJSON *in = jget(c, "inputs"), *h, *q;
		const char *name = jstr(c, "name");
		const char *body = jstr(in, "body");
		struct sign_kv hdr[8], query[8], extra[8];
		size_t nh = 0, nq = 0, nx = 0;
		const char *date = NULL, *project = NULL;
		char what[300];

		n++;
		diag("huawei case: %s", name);
		cJSON_ArrayForEach(h, jget(in, "headers")) {
			hdr[nh++] = (struct sign_kv){h->string, h->valuestring};
			if (strcasecmp(h->string, "X-Sdk-Date") == 0)
				date = h->valuestring;
			else if (strcasecmp(h->string, "X-Project-Id") == 0)
				project = h->valuestring;
			else if (strcasecmp(h->string, "Content-Type") == 0)
				extra[nx++] = (struct sign_kv){h->string, h->valuestring};
		}
		cJSON_ArrayForEach(q, jget(in, "query_params"))
			query[nq++] = (struct sign_kv){q->string, q->valuestring};

		struct apig_input ai = {
			.access_key = jstr(in, "access_key"),
			.secret_key = jstr(in, "secret_key"),
			.method = jstr(in, "method"),
			.host = jstr(in, "host"),
			.path = jstr(in, "path"),
			.query = query,
			.n_query = nq,
			.headers = hdr,
			.n_headers = nh,
			.body = body,
			.body_len = strlen(body),
		};
		struct apig_output ao;

		is_int(sign_apig(&ai, &ao), 0, "apig signs");
		is_str(ao.canonical_request, jstr(c, "canonical_request"), "apig canonical request");
		is_str(ao.string_to_sign, jstr(c, "string_to_sign"), "apig string to sign");
		is_str(ao.authorization, jstr(c, "authorization"), "apig Authorization");
		is_str(ao.query_string, jstr(in, "url_query_string"), "apig URL query string");
		sign_apig_free(&ao);

		/* The generic request builder: URL, every header, body. */
		struct credentials cred = {
			.id = (char *)ai.access_key, .secret = (char *)ai.secret_key,
			.token = (char *)jstr(jget(in, "headers"), "X-Security-Token"),
		};
		struct http_request req;
		char *base = xasprintf("https://%s", ai.host);
		time_t now = sdk_date_parse(date);

		provider_huawei_request(base, ai.method, ai.path, query, nq, extra, nx, project,
		                        *body || strcmp(ai.method, "POST") == 0 ? body : NULL,
		                        &cred, now, &req);
		snprintf(what, sizeof(what), "https://%s%s%s%s", ai.host, ai.path,
		         *jstr(in, "url_query_string") ? "?" : "", jstr(in, "url_query_string"));
		is_str(req.url, what, "huawei request URL");
		is_str(req.method, ai.method, "huawei request method");
		headers_are(&req, jget(c, "request_headers"), "huawei");
		if (*body)
			is_str(req.body, body, "huawei request body");
		no_secret_in(&req, ai.secret_key, "huawei");
		http_request_free(&req);

		/* The two DCS calls tlsfleet makes, through build_request. */
		const char *p = strstr(ai.path, "/instances/");
		char id[64] = "";
		bool show = p && strstr(p, "/ssl") && !strstr(p, "ssl-certs") && !nq;
		bool download = p && strstr(p, "/ssl-certs/download") && !strchr(body, '{');

		if (show || download) {
			char region[32];
			const char *r0 = ai.host + 4, *r1 = strchr(r0, '.');
			struct sign_context ctx = {.now = now};
			char *err = NULL;

			snprintf(id, sizeof(id), "%.*s", (int)strcspn(p + 11, "/"), p + 11);
			snprintf(region, sizeof(region), "%.*s", (int)(r1 - r0), r0);
			fixture_instance(PROVIDER_HUAWEI, SERVICE_DCS, region, id);
			vacct.project_id = (char *)project;
			char *b = provider_base_url(&inst);
			is_str(b, base, "huawei default endpoint for the vector's region");
			free(b);
			is_int(vacct.ops->build_request(&inst, show ? CALL_STATUS : CALL_CERT_LINK,
			                               &cred, &ctx, &req, &err), 0,
			       "huawei build_request succeeds");
			snprintf(what, sizeof(what), "https://%s%s", ai.host, ai.path);
			is_str(req.url, what, "build_request URL");
			is_str(req.method, ai.method, "build_request method");
			is_str(req.action, show ? "dcs.ssl.show" : "dcs.ssl.download", "action");
			headers_are(&req, jget(c, "request_headers"), "huawei build_request");
			is_int((long long)req.body_len, 0, "no body");
			http_request_free(&req);
		}
		free(base);
	}
	is_int(n, 4, "four Huawei cases");
	cJSON_Delete(v);

	/* X-Sdk-Date is what the string to sign dates: without it, no signature. */
	struct sign_kv h1 = {"X-Project-Id", "p"};
	struct apig_input bad = {.access_key = "a", .secret_key = "s", .method = "GET",
	                         .host = "h", .path = "/", .headers = &h1, .n_headers = 1};
	struct apig_output o;
	is_int(sign_apig(&bad, &o), -1, "apig refuses a request without X-Sdk-Date");
}

/* ---- Alibaba ---------------------------------------------------------------- */

static void test_alibaba(void)
{
	cJSON *v = fixture_json("vectors/alibaba-rpc-v1-hmac-sha1.json");
	const cJSON *c;
	int n = 0;

	cJSON_ArrayForEach(c, jget(v, "cases")) {
		const cJSON *in = jget(c, "inputs"), *p;
		const cJSON *tok = jget(in, "security_token");
		const char *name = jstr(c, "name");
		struct sign_kv params[8];
		char numbers[8][32];
		size_t np = 0;
		time_t ts = TIME_NONE;

		n++;
		diag("alibaba case: %s", name);
		cJSON_ArrayForEach(p, jget(in, "params")) {
			const char *val = p->valuestring;
			if (cJSON_IsNumber(p)) {
				snprintf(numbers[np], sizeof(numbers[np]), "%lld", (long long)p->valuedouble);
				val = numbers[np];
			}
			params[np++] = (struct sign_kv){p->string, val};
		}
		ok(timefmt_parse_iso8601(jstr(in, "timestamp"), &ts), "vector timestamp parses");

		struct rpc_v1_input ri = {
			.access_key_id = jstr(in, "access_key_id"),
			.access_key_secret = jstr(in, "access_key_secret"),
			.security_token = cJSON_IsString(tok) ? tok->valuestring : NULL,
			.method = jstr(in, "method"),
			.action = jstr(in, "action"),
			.version = jstr(in, "version"),
			.timestamp = ts,
			.nonce = jstr(in, "signature_nonce"),
			.params = params,
			.n_params = np,
		};
		struct rpc_v1_output ro;
		bool post = strcmp(ri.method, "POST") == 0;
		const char *form = jstr(c, "form_body");
		const char *url = jstr(c, "url");
		char *want_url;

		sign_rpc_v1(&ri, &ro);
		is_str(ro.string_to_sign, jstr(c, "string_to_sign"), "rpc string to sign");
		is_str(ro.signature, jstr(c, "signature"), "rpc signature");
		if (post) {
			is_str(ro.signed_query, form, "rpc signed form body");
		} else {
			want_url = xasprintf("%s/?%s", jstr(in, "endpoint"), ro.signed_query);
			is_str(want_url, url, "rpc signed URL");
			free(want_url);
		}
		ok(!strstr(ro.canonical_query, "Signature="), "canonical query has no Signature");
		sign_rpc_v1_free(&ro);

		/* The request builder, GET and POST as the vector says. */
		struct credentials cred = {
			.id = (char *)ri.access_key_id, .secret = (char *)ri.access_key_secret,
			.token = (char *)ri.security_token,
		};
		struct sign_context ctx = {.now = ts, .nonce = ri.nonce};
		struct http_request req;
		char *host;

		provider_alibaba_request(jstr(in, "endpoint"), ri.method, ri.action, ri.version,
		                         params, np, &cred, &ctx, &req);
		is_str(req.method, ri.method, "alibaba request method");
		is_str(req.url, url, "alibaba request URL");
		host = url_authority(jstr(in, "endpoint"));
		is_str(http_request_header(&req, "Host"), host, "alibaba Host header");
		free(host);
		if (post) {
			is_str(req.body, form, "alibaba form body");
			is_str(http_request_header(&req, "Content-Type"),
			       "application/x-www-form-urlencoded", "form content type");
		} else {
			ok(req.body == NULL && req.body_len == 0, "GET has no body");
		}
		no_secret_in(&req, ri.access_key_secret, "alibaba");
		http_request_free(&req);

		/* DescribeInstanceSSL through build_request (always GET). */
		if (strcmp(ri.action, "DescribeInstanceSSL") == 0 && !post) {
			char *err = NULL;

			fixture_instance(PROVIDER_ALIBABA, SERVICE_REDIS, jstr(jget(in, "params"), "RegionId"),
			                 jstr(jget(in, "params"), "InstanceId"));
			is_int(vacct.ops->build_request(&inst, CALL_STATUS, &cred, &ctx, &req, &err), 0,
			       "alibaba build_request succeeds");
			is_str(req.url, url, "build_request URL is the vector's");
			is_str(req.method, "GET", "build_request GET");
			is_str(req.action, "DescribeInstanceSSL", "action");
			http_request_free(&req);
		}
	}
	is_int(n, 3, "three Alibaba cases");
	cJSON_Delete(v);
}

int main(void)
{
	test_primitives();
	test_tencent();
	test_tencent_cache();
	test_huawei();
	test_alibaba();
	sign_cleanup();
	return done_testing();
}
