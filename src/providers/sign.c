#include "providers/sign.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>

/* Fetched once: implicit fetching by name on every call costs more than
 * the hashing itself for request-sized inputs. One reusable context per
 * algorithm saves an allocation per call (single-threaded program). */
static EVP_MD *md_sha256, *md_sha1;
static EVP_MD_CTX *md_ctx;
static EVP_MAC_CTX *mac_sha256, *mac_sha1;

static _Noreturn void crypto_fail(const char *what)
{
	die(1, "OpenSSL: %s failed", what);
}

static EVP_MAC_CTX *mac_ctx_new(const char *digest)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;

	if (!mac)
		crypto_fail("EVP_MAC_fetch(HMAC)");
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);  /* the context keeps its own reference */
	if (!ctx)
		crypto_fail("EVP_MAC_CTX_new");
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_CTX_set_params(ctx, params))
		crypto_fail("EVP_MAC_CTX_set_params");
	return ctx;
}

static void crypto_init(void)
{
	if (md_ctx)
		return;
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	md_ctx = EVP_MD_CTX_new();
	if (!md_sha256 || !md_sha1 || !md_ctx)
		crypto_fail("EVP_MD_fetch");
	mac_sha256 = mac_ctx_new("SHA256");
	mac_sha1 = mac_ctx_new("SHA1");
}

/* ---- primitives --------------------------------------------------------- */
static void sign_sha256(const void *data, size_t len, unsigned char out[SIGN_SHA256_LEN])
{
	unsigned int n = 0;

	crypto_init();
	if (!EVP_DigestInit_ex2(md_ctx, md_sha256, NULL) ||
	    !EVP_DigestUpdate(md_ctx, data, len) ||
	    !EVP_DigestFinal_ex(md_ctx, out, &n) || n != SIGN_SHA256_LEN)
		crypto_fail("SHA-256");
}

void sign_sha256_hex(const void *data, size_t len, char out[2 * SIGN_SHA256_LEN + 1])
{
	unsigned char d[SIGN_SHA256_LEN];

	sign_sha256(data, len, d);
	sign_hex(d, sizeof(d), out);
}

static void hmac(EVP_MAC_CTX *ctx, size_t out_len, const void *key, size_t key_len,
                 const void *data, size_t len, unsigned char *out)
{
	static const unsigned char empty;
	size_t n = 0;

	/* A NULL key would mean "reuse the previous key": never pass one. */
	if (!key)
		key = &empty;
	if (!EVP_MAC_init(ctx, key, key_len, NULL) ||
	    !EVP_MAC_update(ctx, data, len) ||
	    !EVP_MAC_final(ctx, out, &n, out_len) || n != out_len)
		crypto_fail("HMAC");
}

void sign_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                      unsigned char out[SIGN_SHA256_LEN])
{
	crypto_init();
	hmac(mac_sha256, SIGN_SHA256_LEN, key, key_len, data, len, out);
}

void sign_hmac_sha1(const void *key, size_t key_len, const void *data, size_t len,
                    unsigned char out[SIGN_SHA1_LEN])
{
	crypto_init();
	hmac(mac_sha1, SIGN_SHA1_LEN, key, key_len, data, len, out);
}

void sign_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

char *sign_base64(const unsigned char *in, size_t len)
{
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);

	/* EVP_EncodeBlock takes an int length; our inputs are digests. */
	if (len > INT32_MAX / 2)
		die(1, "base64 input too large");
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
}

void sign_percent_encode(struct strbuf *sb, const char *s, size_t len)
{
	static const char digits[] = "0123456789ABCDEF";
	char *o;

	/* Room for the worst case, then written in place: a strbuf call
	 * per byte was 2.5 % of a mixed 10k --list (callgrind). */
	strbuf_grow(sb, 3 * len);
	o = sb->buf + sb->len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c)) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = digits[c >> 4];
			*o++ = digits[c & 15];
		}
	}
	*o = '\0';
	sb->len = (size_t)(o - sb->buf);
}

void sign_percent_encode_path(struct strbuf *sb, const char *path)
{
	while (*path) {
		size_t seg = strcspn(path, "/");

		sign_percent_encode(sb, path, seg);
		path += seg;
		if (*path == '/') {
			strbuf_addc(sb, '/');
			path++;
		}
	}
}

char *sign_percent_encoded(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	sign_percent_encode(&sb, s, strlen(s));
	return strbuf_steal(&sb);
}

/* ---- Tencent TC3 -------------------------------------------------------- */

/* The derived key depends on (secret, date, service) only. A handful of
 * entries covers the services of several accounts; a miss costs three
 * HMACs. The secret itself is never stored, only its digest to match. */
#define TC3_CACHE_SIZE 8

struct tc3_key {
	bool used;
	unsigned char secret_digest[SIGN_SHA256_LEN];
	char date[11];
	char service[24];
	unsigned char key[SIGN_SHA256_LEN];
	unsigned long stamp;  /* last use, for LRU replacement */
};

static struct tc3_key tc3_cache[TC3_CACHE_SIZE];
static unsigned long tc3_clock, tc3_derivations;

unsigned long sign_tc3_key_derivations(void)
{
	return tc3_derivations;
}

/* prefix + secret in one exact allocation, so no realloc leaves a copy of
 * the secret behind; the caller cleanses and frees it. */
static char *secret_concat(const char *prefix, const char *secret, const char *suffix,
                           size_t *len)
{
	size_t a = strlen(prefix), b = strlen(secret), c = strlen(suffix);
	char *s = xmalloc(a + b + c + 1);

	memcpy(s, prefix, a);
	memcpy(s + a, secret, b);
	memcpy(s + a + b, suffix, c + 1);
	*len = a + b + c;
	return s;
}

static void secret_free(char *s, size_t len)
{
	OPENSSL_cleanse(s, len);
	free(s);
}

static const unsigned char *tc3_signing_key(const char *secret, const char *date,
                                            const char *service)
{
	unsigned char digest[SIGN_SHA256_LEN];
	unsigned char k_date[SIGN_SHA256_LEN], k_service[SIGN_SHA256_LEN];
	struct tc3_key *slot = NULL;
	size_t service_len = strlen(service), len;
	char *s;

	/* Domain-separated, so the fingerprint is not a plain SHA-256 of the
	 * secret that could be matched against anything else. */
	s = secret_concat("tlsfleet-tc3-cache\n", secret, "", &len);
	sign_sha256(s, len, digest);
	secret_free(s, len);

	tc3_clock++;
	for (size_t i = 0; i < TC3_CACHE_SIZE; i++) {
		struct tc3_key *e = &tc3_cache[i];

		if (e->used && strcmp(e->date, date) == 0 && strcmp(e->service, service) == 0 &&
		    CRYPTO_memcmp(e->secret_digest, digest, sizeof(digest)) == 0) {
			e->stamp = tc3_clock;
			OPENSSL_cleanse(digest, sizeof(digest));
			return e->key;
		}
		if (!slot || (slot->used && (!e->used || e->stamp < slot->stamp)))
			slot = e;
	}

	s = secret_concat("TC3", secret, "", &len);
	sign_hmac_sha256(s, len, date, strlen(date), k_date);
	secret_free(s, len);
	sign_hmac_sha256(k_date, sizeof(k_date), service, service_len, k_service);

	OPENSSL_cleanse(slot, sizeof(*slot));
	sign_hmac_sha256(k_service, sizeof(k_service), "tc3_request", 11, slot->key);
	OPENSSL_cleanse(k_date, sizeof(k_date));
	OPENSSL_cleanse(k_service, sizeof(k_service));
	tc3_derivations++;

	/* A service name too long for the slot is signed but not cached. */
	slot->used = service_len < sizeof(slot->service) && strlen(date) < sizeof(slot->date);
	if (slot->used) {
		memcpy(slot->secret_digest, digest, sizeof(digest));
		memcpy(slot->date, date, strlen(date) + 1);
		memcpy(slot->service, service, service_len + 1);
	}
	slot->stamp = tc3_clock;
	OPENSSL_cleanse(digest, sizeof(digest));
	return slot->key;
}

void sign_tc3(const struct tc3_input *in, struct tc3_output *out)
{
	struct strbuf sb = STRBUF_INIT;
	char body_hex[65], cr_hex[65], date[21];
	unsigned char sig[SIGN_SHA256_LEN];

	/* The credential scope's date is the UTC date of the timestamp. */
	timefmt_iso_utc(in->timestamp, date);
	date[10] = '\0';

	sign_sha256_hex(in->body ? in->body : "", in->body ? in->body_len : 0, body_hex);
	strbuf_addf(&sb, "POST\n/\n\ncontent-type:application/json\nhost:%s\n\n"
	            "content-type;host\n%s", in->host, body_hex);
	out->canonical_request = strbuf_steal(&sb);

	sign_sha256_hex(out->canonical_request, strlen(out->canonical_request), cr_hex);
	strbuf_addf(&sb, "TC3-HMAC-SHA256\n%lld\n%s/%s/tc3_request\n%s",
	            (long long)in->timestamp, date, in->service, cr_hex);
	out->string_to_sign = strbuf_steal(&sb);

	const unsigned char *key = tc3_signing_key(in->secret_key, date, in->service);
	sign_hmac_sha256(key, SIGN_SHA256_LEN, out->string_to_sign,
	                 strlen(out->string_to_sign), sig);
	out->signature = xmalloc(2 * SIGN_SHA256_LEN + 1);
	sign_hex(sig, sizeof(sig), out->signature);

	out->authorization = xasprintf("TC3-HMAC-SHA256 Credential=%s/%s/%s/tc3_request, "
	                               "SignedHeaders=content-type;host, Signature=%s",
	                               in->secret_id, date, in->service, out->signature);
}

void sign_tc3_free(struct tc3_output *out)
{
	free(out->canonical_request);
	free(out->string_to_sign);
	free(out->signature);
	free(out->authorization);
	memset(out, 0, sizeof(*out));
}

/* ---- Huawei APIG -------------------------------------------------------- */

struct canon_pair {
	char *key;
	char *value;
};

static int canon_pair_cmp(const void *a, const void *b)
{
	const struct canon_pair *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->value, y->value);
}

static void canon_pairs_free(struct canon_pair *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].key);
		free(p[i].value);
	}
	free(p);
}

/* Header values are signed trimmed, as the SDK does. */
static char *trimmed(const char *s)
{
	const char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return xstrndup(s, (size_t)(end - s));
}

static char *lowered(const char *s)
{
	char *l = xstrdup(s);

	for (char *p = l; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return l;
}

int sign_apig(const struct apig_input *in, struct apig_output *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct canon_pair *h, *q;
	size_t nh = 0;
	const char *sdk_date = NULL;
	char hex[65];
	unsigned char sig[SIGN_SHA256_LEN];

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < in->n_headers; i++)
		if (strcasecmp(in->headers[i].key, "X-Sdk-Date") == 0)
			sdk_date = in->headers[i].value;
	if (!sdk_date)
		return -1;

	/* Query: encoded pairs sorted by encoded key, then value. */
	q = xcalloc(in->n_query + 1, sizeof(*q));
	for (size_t i = 0; i < in->n_query; i++) {
		q[i].key = sign_percent_encoded(in->query[i].key);
		q[i].value = sign_percent_encoded(in->query[i].value ? in->query[i].value : "");
	}
	qsort(q, in->n_query, sizeof(*q), canon_pair_cmp);
	for (size_t i = 0; i < in->n_query; i++)
		strbuf_addf(&sb, "%s%s=%s", i ? "&" : "", q[i].key, q[i].value);
	out->query_string = strbuf_steal(&sb);
	canon_pairs_free(q, in->n_query);

	/* Headers: every one given, plus host; lower-cased, sorted. */
	h = xcalloc(in->n_headers + 1, sizeof(*h));
	h[nh].key = xstrdup("host");
	h[nh++].value = xstrdup(in->host);
	for (size_t i = 0; i < in->n_headers; i++) {
		h[nh].key = lowered(in->headers[i].key);
		h[nh++].value = trimmed(in->headers[i].value ? in->headers[i].value : "");
	}
	qsort(h, nh, sizeof(*h), canon_pair_cmp);
	for (size_t i = 0; i < nh; i++)
		strbuf_addf(&sb, "%s%s", i ? ";" : "", h[i].key);
	out->signed_headers = strbuf_steal(&sb);

	strbuf_adds(&sb, in->method);
	strbuf_addc(&sb, '\n');
	sign_percent_encode_path(&sb, in->path);
	if (sb.len == 0 || sb.buf[sb.len - 1] != '/')
		strbuf_addc(&sb, '/');
	strbuf_addf(&sb, "\n%s\n", out->query_string);
	for (size_t i = 0; i < nh; i++)
		strbuf_addf(&sb, "%s:%s\n", h[i].key, h[i].value);
	sign_sha256_hex(in->body ? in->body : "", in->body ? in->body_len : 0, hex);
	strbuf_addf(&sb, "\n%s\n%s", out->signed_headers, hex);
	out->canonical_request = strbuf_steal(&sb);
	canon_pairs_free(h, nh);

	sign_sha256_hex(out->canonical_request, strlen(out->canonical_request), hex);
	out->string_to_sign = xasprintf("SDK-HMAC-SHA256\n%s\n%s", sdk_date, hex);

	sign_hmac_sha256(in->secret_key, strlen(in->secret_key), out->string_to_sign,
	                 strlen(out->string_to_sign), sig);
	out->signature = xmalloc(2 * SIGN_SHA256_LEN + 1);
	sign_hex(sig, sizeof(sig), out->signature);
	out->authorization = xasprintf("SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s",
	                               in->access_key, out->signed_headers, out->signature);
	return 0;
}

void sign_apig_free(struct apig_output *out)
{
	free(out->canonical_request);
	free(out->string_to_sign);
	free(out->signed_headers);
	free(out->signature);
	free(out->authorization);
	free(out->query_string);
	memset(out, 0, sizeof(*out));
}

/* ---- Alibaba RPC V1 ----------------------------------------------------- */

/* Sorted by the raw key, as the SDK sorts before encoding. */
static int raw_key_cmp(const void *a, const void *b)
{
	const struct sign_kv *x = a, *y = b;

	return strcmp(x->key, y->key);
}

void sign_rpc_v1(const struct rpc_v1_input *in, struct rpc_v1_output *out)
{
	struct sign_kv *p = xcalloc(in->n_params + 9, sizeof(*p));
	struct strbuf sb = STRBUF_INIT;
	char ts[21];
	size_t n = 0, key_len;
	unsigned char sig[SIGN_SHA1_LEN];
	char *key;

	timefmt_iso_utc(in->timestamp, ts);
	p[n++] = (struct sign_kv){"AccessKeyId", in->access_key_id};
	p[n++] = (struct sign_kv){"Action", in->action};
	p[n++] = (struct sign_kv){"Format", "JSON"};
	p[n++] = (struct sign_kv){"SignatureMethod", "HMAC-SHA1"};
	p[n++] = (struct sign_kv){"SignatureNonce", in->nonce};
	p[n++] = (struct sign_kv){"SignatureVersion", "1.0"};
	p[n++] = (struct sign_kv){"Timestamp", ts};
	p[n++] = (struct sign_kv){"Version", in->version};
	if (in->security_token && *in->security_token)
		p[n++] = (struct sign_kv){"SecurityToken", in->security_token};
	for (size_t i = 0; i < in->n_params; i++)
		p[n++] = in->params[i];
	qsort(p, n, sizeof(*p), raw_key_cmp);

	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addc(&sb, '&');
		sign_percent_encode(&sb, p[i].key, strlen(p[i].key));
		strbuf_addc(&sb, '=');
		if (p[i].value)
			sign_percent_encode(&sb, p[i].value, strlen(p[i].value));
	}
	free(p);
	out->canonical_query = strbuf_steal(&sb);

	strbuf_adds(&sb, in->method);
	strbuf_adds(&sb, "&%2F&");
	sign_percent_encode(&sb, out->canonical_query, strlen(out->canonical_query));
	out->string_to_sign = strbuf_steal(&sb);

	key = secret_concat("", in->access_key_secret, "&", &key_len);
	sign_hmac_sha1(key, key_len, out->string_to_sign, strlen(out->string_to_sign), sig);
	secret_free(key, key_len);
	out->signature = sign_base64(sig, sizeof(sig));

	strbuf_adds(&sb, out->canonical_query);
	strbuf_adds(&sb, "&Signature=");
	sign_percent_encode(&sb, out->signature, strlen(out->signature));
	out->signed_query = strbuf_steal(&sb);
}

void sign_rpc_v1_free(struct rpc_v1_output *out)
{
	free(out->canonical_query);
	free(out->string_to_sign);
	free(out->signature);
	free(out->signed_query);
	memset(out, 0, sizeof(*out));
}

void sign_cleanup(void)
{
	OPENSSL_cleanse(tc3_cache, sizeof(tc3_cache));
	EVP_MAC_CTX_free(mac_sha256);
	EVP_MAC_CTX_free(mac_sha1);
	EVP_MD_CTX_free(md_ctx);
	EVP_MD_free(md_sha256);
	EVP_MD_free(md_sha1);
	mac_sha256 = mac_sha1 = NULL;
	md_ctx = NULL;
	md_sha256 = md_sha1 = NULL;
}
