/* The reference client of the benchmarks: the least a libcurl multi program
 * must do to send tlsfleet's requests. It reads the fleet TSV written by
 * bench/gen-fleet.py, keeps `-c` transfers in flight (queuing the rest
 * itself, as curl's multi examples recommend), reuses connections and TLS sessions the
 * way tlsfleet does (share handle, MAXCONNECTS = c + 8, HTTP/2 over TLS when
 * the server offers it) and does no other work.
 *
 *   refclient [-c N] [-m plain|sign] [-s] [-r ROUNDS] -p PORT -a CA FLEET.tsv
 *
 * -m plain: fixed headers, no signing, bodies ignored (the bare multi loop).
 * -m sign:  every request signed as the provider wants it (TC3, APIG, RPC V1
 *           through tlsfleet's src/sign.c) and every answer parsed with cJSON
 *           and one field read: the "with signing and parsing" reference.
 * -s:       trust the system CA bundle plus CA (added to each TLS context),
 *           as tlsfleet does with ca_file; without -s only CA is trusted.
 * Prints one line: mode, n, c, wall seconds, requests/s, CPU µs per request
 * (getrusage of this process), failures. Exit 1 when any request failed.
 *
 * Built by bench/run.sh against the build tree's libtlsfleet.a. */
#include "providers/sign.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum kind { TC_REDIS, TC_PG, HW_DCS, ALI_REDIS };

struct target {
	enum kind kind;
	char *region, *id, *key, *secret, *project;
};

struct slot {
	CURL *easy;
	struct curl_slist *headers;
	struct strbuf body;      /* the answer */
	char *url;
	char *post;
	struct target *t;
};

static int sign_mode;
static const char *base_url;
static char host[64];
static long parsed_ok, failures;
static STACK_OF(X509) *extra_ca;

static CURLcode add_extra_ca(CURL *easy, void *sslctx, void *ud)
{
	X509_STORE *store = SSL_CTX_get_cert_store((SSL_CTX *)sslctx);

	for (int i = 0; i < sk_X509_num(extra_ca); i++)
		X509_STORE_add_cert(store, sk_X509_value(extra_ca, i));
	return CURLE_OK;
}

static void load_extra_ca(const char *path)
{
	FILE *fp = fopen(path, "r");
	X509 *c;

	if (!fp)
		die(2, "cannot open %s", path);
	extra_ca = sk_X509_new_null();
	while ((c = PEM_read_X509(fp, NULL, NULL, NULL)))
		sk_X509_push(extra_ca, c);
	fclose(fp);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct slot *s = ud;

	strbuf_add(&s->body, data, size * n);
	return size * n;
}

static char *field(char **p)
{
	char *s = *p, *tab = strchr(s, '\t');

	if (tab) {
		*tab = '\0';
		*p = tab + 1;
	} else {
		s[strcspn(s, "\n")] = '\0';
		*p = s + strlen(s);
	}
	return xstrdup(s);
}

static struct target *load(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	struct target *t = NULL;
	size_t len = 0;

	if (!fp)
		die(2, "cannot open %s", path);
	while (fgets(line, sizeof(line), fp)) {
		char *p = line;
		char *prov = field(&p), *svc = field(&p);
		t = xreallocarray(t, len + 1, sizeof(*t));
		struct target *x = &t[len++];
		x->kind = strcmp(prov, "huawei") == 0 ? HW_DCS
		        : strcmp(prov, "alibaba") == 0 ? ALI_REDIS
		        : strcmp(svc, "postgres") == 0 ? TC_PG : TC_REDIS;
		x->region = field(&p);
		x->id = field(&p);
		x->key = field(&p);
		x->secret = field(&p);
		x->project = field(&p);
		free(prov);
		free(svc);
	}
	fclose(fp);
	*n = len;
	return t;
}

static struct curl_slist *add(struct curl_slist *h, const char *name, const char *value)
{
	char line[512];

	snprintf(line, sizeof(line), "%s: %s", name, value);
	return curl_slist_append(h, line);
}

static void nonce(char out[33])
{
	unsigned char b[16];

	RAND_bytes(b, sizeof(b));
	sign_hex(b, sizeof(b), out);
}

/* Fill the slot's request for target t: the same method, URL, headers and
 * body shape as tlsfleet's providers. */
static void build(struct slot *s, struct target *t)
{
	time_t now = time(NULL);
	char ts[24], date[17];
	struct tm tm;

	s->t = t;
	snprintf(ts, sizeof(ts), "%lld", (long long)now);
	switch (t->kind) {
	case TC_REDIS:
	case TC_PG: {
		bool pg = t->kind == TC_PG;
		const char *svc = pg ? "postgres" : "redis";
		s->post = xasprintf("{\"%s\":\"%s\"}", pg ? "DBInstanceId" : "InstanceId", t->id);
		s->url = xasprintf("%s/", base_url);
		if (sign_mode) {
			struct tc3_input in = {t->key, t->secret, svc, host, now, s->post, strlen(s->post)};
			struct tc3_output out;
			sign_tc3(&in, &out);
			s->headers = add(s->headers, "Authorization", out.authorization);
			sign_tc3_free(&out);
		} else {
			char auth[256];
			snprintf(auth, sizeof(auth), "TC3-HMAC-SHA256 Credential=%s/2024-01-01/%s/tc3_request, "
			         "SignedHeaders=content-type;host, Signature=0", t->key, svc);
			s->headers = add(s->headers, "Authorization", auth);
		}
		s->headers = add(s->headers, "Content-Type", "application/json");
		s->headers = add(s->headers, "X-TC-Action", pg ? "DescribeDBInstanceSSLConfig" : "DescribeSSLStatus");
		s->headers = add(s->headers, "X-TC-Region", t->region);
		s->headers = add(s->headers, "X-TC-Timestamp", ts);
		s->headers = add(s->headers, "X-TC-Version", pg ? "2017-03-12" : "2018-04-12");
		break;
	}
	case HW_DCS: {
		char path[256];
		gmtime_r(&now, &tm);
		strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(path, sizeof(path), "/v2/%s/instances/%s/ssl", t->project, t->id);
		s->url = xasprintf("%s%s", base_url, path);
		if (sign_mode) {
			struct sign_kv h[] = {{"X-Project-Id", t->project}, {"X-Sdk-Date", date}};
			struct apig_input in = {t->key, t->secret, "GET", host, path, NULL, 0, h, 2, NULL, 0};
			struct apig_output out;
			sign_apig(&in, &out);
			s->headers = add(s->headers, "Authorization", out.authorization);
			sign_apig_free(&out);
		} else {
			char auth[256];
			snprintf(auth, sizeof(auth), "SDK-HMAC-SHA256 Access=%s, SignedHeaders=host;x-project-id;"
			         "x-sdk-date, Signature=0", t->key);
			s->headers = add(s->headers, "Authorization", auth);
		}
		s->headers = add(s->headers, "X-Project-Id", t->project);
		s->headers = add(s->headers, "X-Sdk-Date", date);
		break;
	}
	case ALI_REDIS: {
		char n[33];
		nonce(n);
		if (sign_mode) {
			struct sign_kv p[] = {{"InstanceId", t->id}, {"RegionId", t->region}};
			struct rpc_v1_input in = {t->key, t->secret, NULL, "GET", "DescribeInstanceSSL",
			                          "2015-01-01", now, n, p, 2};
			struct rpc_v1_output out;
			sign_rpc_v1(&in, &out);
			s->url = xasprintf("%s/?%s", base_url, out.signed_query);
			sign_rpc_v1_free(&out);
		} else {
			char iso[24];
			gmtime_r(&now, &tm);
			strftime(iso, sizeof(iso), "%Y-%m-%dT%H%%3A%M%%3A%SZ", &tm);
			s->url = xasprintf("%s/?AccessKeyId=%s&Action=DescribeInstanceSSL&Format=JSON"
			                   "&InstanceId=%s&RegionId=%s&SignatureMethod=HMAC-SHA1"
			                   "&SignatureNonce=%s&SignatureVersion=1.0&Timestamp=%s"
			                   "&Version=2015-01-01&Signature=0",
			                   base_url, t->key, t->id, t->region, n, iso);
		}
		break;
	}
	}
	s->headers = curl_slist_append(s->headers, "Expect:");
	curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
	if (s->post) {
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(s->post));
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->post);
	} else {
		curl_easy_setopt(s->easy, CURLOPT_HTTPGET, 1L);
	}
}

static void clear(struct slot *s)
{
	curl_slist_free_all(s->headers);
	s->headers = NULL;
	free(s->url);
	free(s->post);
	s->url = s->post = NULL;
	strbuf_reset(&s->body);
}

/* Parse the answer and read the field that decides the state. */
static void parse(struct slot *s)
{
	cJSON *j = cJSON_ParseWithLength(s->body.buf ? s->body.buf : "", s->body.len);
	const cJSON *v = NULL;

	if (j) {
		switch (s->t->kind) {
		case TC_REDIS:
			v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "Response"), "SSLConfig");
			break;
		case TC_PG:
			v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "Response"), "SSLEnabled");
			break;
		case HW_DCS:
			v = cJSON_GetObjectItemCaseSensitive(j, "enabled");
			break;
		case ALI_REDIS:
			v = cJSON_GetObjectItemCaseSensitive(j, "SSLEnabled");
			break;
		}
	}
	if (v)
		parsed_ok++;
	else
		failures++;
	cJSON_Delete(j);
}

int main(int argc, char **argv)
{
	long conc = 64, rounds = 1, port = 0;
	const char *ca = NULL, *tsv = NULL;
	int opt;
	bool system_store = false;

	while ((opt = getopt(argc, argv, "c:m:r:p:a:s")) != -1) {
		switch (opt) {
		case 'c': conc = atol(optarg); break;
		case 'm': sign_mode = strcmp(optarg, "sign") == 0; break;
		case 'r': rounds = atol(optarg); break;
		case 'p': port = atol(optarg); break;
		case 'a': ca = optarg; break;
		case 's': system_store = true; break;
		default:
			fprintf(stderr, "usage: refclient [-c N] [-m plain|sign] [-s] [-r ROUNDS] -p PORT -a CA FLEET.tsv\n");
			return 2;
		}
	}
	if (optind + 1 != argc || !port || !ca || conc < 1) {
		fprintf(stderr, "usage: refclient [-c N] [-m plain|sign] [-s] [-r ROUNDS] -p PORT -a CA FLEET.tsv\n");
		return 2;
	}
	tsv = argv[optind];
	snprintf(host, sizeof(host), "127.0.0.1:%ld", port);
	if (system_store)
		load_extra_ca(ca);
	base_url = xasprintf("https://%s", host);

	double t0 = now_s();
	size_t n_targets;
	struct target *targets = load(tsv, &n_targets);
	size_t total = n_targets * (size_t)rounds, next = 0, done = 0;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURLM *multi = curl_multi_init();
	CURLSH *share = curl_share_init();
	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, conc + 8);

	struct slot *slots = xcalloc((size_t)conc, sizeof(*slots));
	for (long i = 0; i < conc; i++) {
		CURL *c = slots[i].easy = curl_easy_init();
		curl_easy_setopt(c, CURLOPT_PRIVATE, &slots[i]);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &slots[i]);
		curl_easy_setopt(c, CURLOPT_SHARE, share);
		if (system_store) {
			curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, add_extra_ca);
		} else {
			curl_easy_setopt(c, CURLOPT_CAINFO, ca);
		}
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
		curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
		if (next < total) {
			build(&slots[i], &targets[next++ % n_targets]);
			curl_multi_add_handle(multi, c);
		}
	}
	while (done < total) {
		int running, left;
		curl_multi_perform(multi, &running);
		CURLMsg *m;
		bool added = false;
		while ((m = curl_multi_info_read(multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct slot *s;
			long code = 0;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
			if (m->data.result != CURLE_OK || code != 200)
				failures++;
			else if (sign_mode)
				parse(s);
			curl_multi_remove_handle(multi, s->easy);
			clear(s);
			done++;
			/* Refill at once: polling before that would stall the loop. */
			if (next < total) {
				build(s, &targets[next++ % n_targets]);
				curl_multi_add_handle(multi, s->easy);
				added = true;
			}
		}
		if (added)
			continue;
		if (done < total)
			curl_multi_poll(multi, NULL, 0, 1000, NULL);
	}
	double wall = now_s() - t0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	             ru.ru_stime.tv_usec / 1e6;
	printf("refclient mode=%s%s n=%zu c=%ld wall_s=%.3f req_s=%.0f cpu_us_per_req=%.1f failures=%ld\n",
	       sign_mode ? "sign" : "plain", system_store ? "+system-ca" : "", total, conc, wall, total / wall, cpu * 1e6 / total, failures);
	for (long i = 0; i < conc; i++) {
		clear(&slots[i]);
		strbuf_free(&slots[i].body);
		curl_easy_cleanup(slots[i].easy);
	}
	curl_multi_cleanup(multi);
	curl_share_cleanup(share);
	return failures ? 1 : 0;
}
