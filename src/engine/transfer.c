#include "engine/transfer.h"
#include "store/download.h"
#include "core/xalloc.h"

#include <errno.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if LIBCURL_VERSION_NUM < 0x075400
#error "libcurl >= 7.84 is needed (curl_easy_header)"
#endif

const char *transfer_code_name(CURLcode c)
{
	switch (c) {
#define CURL_ERROR(name) case name: return #name;
#include "engine/curlerrors.def"
#undef CURL_ERROR
	default:
		return "CURLE_UNKNOWN";
	}
}

bool transfer_code_transient(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

/* ---- the pool ----------------------------------------------------------- */

static STACK_OF(X509) *load_extra_ca(const char *path, char **err)
{
	FILE *fp = fopen(path, "r");
	STACK_OF(X509) *certs;
	X509 *c;

	if (!fp) {
		*err = xasprintf("ca_file %s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	certs = sk_X509_new_null();
	while ((c = PEM_read_X509(fp, NULL, NULL, NULL)))
		sk_X509_push(certs, c);
	fclose(fp);
	if (sk_X509_num(certs) == 0) {
		sk_X509_free(certs);
		*err = xasprintf("ca_file %s: no PEM certificate in it", path);
		return NULL;
	}
	return certs;
}

int transfer_pool_init(struct transfer_pool *p, const struct settings *s, char **err)
{
	memset(p, 0, sizeof(*p));
	if (s->ca_file && !(p->extra_ca = load_extra_ca(s->ca_file, err)))
		return -1;
	p->timeout_ms = (long)(s->timeout * 1000 + 0.5);
	p->share = curl_share_init();
	if (!p->share)
		die(70, "libcurl could not create its handles");
	curl_share_setopt(p->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(p->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	return 0;
}

static void transfer_destroy(struct transfer *x)
{
	curl_slist_free_all(x->headers);
	http_request_free(&x->req);
	strbuf_free(&x->body);
	curl_easy_cleanup(x->easy);
	free(x);
}

/* Every transfer must have been given back (its handle out of the multi
 * handle) before this. */
void transfer_pool_free(struct transfer_pool *p)
{
	struct transfer *x;

	while ((x = p->free)) {
		p->free = x->next_free;
		transfer_destroy(x);
	}
	if (p->share)
		curl_share_cleanup(p->share);
	if (p->extra_ca)
		sk_X509_pop_free(p->extra_ca, X509_free);
	memset(p, 0, sizeof(*p));
}

struct transfer *transfer_get(struct transfer_pool *p)
{
	struct transfer *x = p->free;

	if (x) {
		p->free = x->next_free;
		curl_easy_reset(x->easy);
	} else {
		x = xcalloc(1, sizeof(*x));
		x->easy = curl_easy_init();
		if (!x->easy)
			die(70, "libcurl could not create a transfer");
	}
	x->next_free = NULL;
	x->too_large = false;
	x->date[0] = x->retry_after[0] = x->content_type[0] = x->errbuf[0] = '\0';
	x->request_id[0] = '\0';
	strbuf_reset(&x->body);
	return x;
}

void transfer_put(struct transfer_pool *p, struct transfer *x)
{
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	http_request_free(&x->req);
	/* Keep small buffers for reuse; give big ones back. */
	if (x->body.cap > 64 * 1024)
		strbuf_free(&x->body);
	x->next_free = p->free;
	p->free = x;
}

/* ---- set-up ------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct transfer *x = ud;
	size_t len = size * n;

	/* Enforced here: CURLOPT_MAXFILESIZE only checks a declared length. */
	if ((long)(x->body.len + len) > x->cap) {
		x->too_large = true;
		return 0;
	}
	strbuf_add(&x->body, data, len);
	return len;
}

static CURLcode add_extra_ca(CURL *easy, void *sslctx, void *ud)
{
	STACK_OF(X509) *certs = ud;
	X509_STORE *store = SSL_CTX_get_cert_store((SSL_CTX *)sslctx);

	(void)easy;
	for (int i = 0; i < sk_X509_num(certs); i++)
		X509_STORE_add_cert(store, sk_X509_value(certs, i)); /* duplicates are harmless */
	return CURLE_OK;
}

static void setup_common(struct transfer_pool *p, struct transfer *x, void *priv, long cap)
{
	CURL *c = x->easy;

	x->cap = cap;
	curl_easy_setopt(c, CURLOPT_PRIVATE, priv);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, p->timeout_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_SHARE, p->share);
	/* HTTPS only, verification always on; redirects only to https. */
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	/* One CA bundle file; a CA directory makes curl re-read the store for
	 * every connection (measured ~20x the CPU). */
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	if (p->extra_ca) {
		curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, add_extra_ca);
		curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, p->extra_ca);
	}
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
}

void transfer_setup_api(struct transfer_pool *p, struct transfer *x, long max_bytes, void *priv)
{
	for (size_t i = 0; i < x->req.n_headers; i++) {
		/* curl copies the line: build it on the stack when it fits. */
		const char *name = x->req.headers[i].name, *value = x->req.headers[i].value;
		size_t nl = strlen(name), vl = strlen(value);
		char small[512], *line = nl + vl + 3 <= sizeof(small) ? small : xmalloc(nl + vl + 3);
		memcpy(line, name, nl);
		memcpy(line + nl, ": ", 2);
		memcpy(line + nl + 2, value, vl + 1);
		x->headers = curl_slist_append(x->headers, line);
		if (line != small)
			free(line);
	}
	/* curl would add an unsigned "Expect:" or form content type of its own. */
	x->headers = curl_slist_append(x->headers, "Expect:");
	setup_common(p, x, priv, max_bytes);
	curl_easy_setopt(x->easy, CURLOPT_URL, x->req.url);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 0L);
	if (strcmp(x->req.method, "POST") == 0) {
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE, (long)x->req.body_len);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->req.body ? x->req.body : "");
	} else {
		curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
	}
}

/* File transfers (CA fetch, download) carry no credentials at all: the
 * storage host must never see the cloud API's keys or signatures. */
void transfer_setup_file(struct transfer_pool *p, struct transfer *x, const char *url, void *priv)
{
	setup_common(p, x, priv, DOWNLOAD_MAX_BYTES);
	curl_easy_setopt(x->easy, CURLOPT_URL, url);
	curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(x->easy, CURLOPT_MAXREDIRS, 5L);
}

void transfer_setup_metadata(struct transfer_pool *p, struct transfer *x, const char *url, void *priv)
{
	/* A credential answer is a few hundred bytes. */
	setup_common(p, x, priv, 64 * 1024);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(x->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(x->easy, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(x->easy, CURLOPT_URL, url);
	curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 0L);
}

/* ---- the end ------------------------------------------------------------ */

/* The last value of a header of the last response (a repeated header:
 * the last one wins), truncated to dst's size; "" when absent. */
static const char *copy_header(CURL *easy, const char *name, char *dst, size_t cap)
{
	struct curl_header *h = NULL;

	dst[0] = '\0';
	if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	if (h->amount > 1 && curl_easy_header(easy, name, h->amount - 1, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	snprintf(dst, cap, "%s", h->value);
	return dst[0] ? dst : NULL;
}

void transfer_response(struct transfer *x, struct http_response *out)
{
	long status = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	*out = (struct http_response){
		.status = status,
		.body = x->body.buf ? x->body.buf : "",
		.body_len = x->body.len,
		.date = copy_header(x->easy, "Date", x->date, sizeof(x->date)),
		.retry_after = copy_header(x->easy, "Retry-After", x->retry_after, sizeof(x->retry_after)),
		.content_type = copy_header(x->easy, "Content-Type", x->content_type, sizeof(x->content_type)),
		.request_id = copy_header(x->easy, "X-Request-Id", x->request_id, sizeof(x->request_id)),
	};
}

long transfer_retry_after_ms(struct transfer *x)
{
	curl_off_t secs = 0;

	/* curl reads both forms (seconds, HTTP date) and says 0 for none. */
	if (curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &secs) != CURLE_OK || secs <= 0)
		return 0;
	return (secs > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : (long)secs) * 1000;
}

void transfer_progress(struct transfer *x, long long *got, long long *total)
{
	curl_off_t cl = -1;

	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	*got = (long long)x->body.len;
	*total = (long long)cl;
}

const char *transfer_error(const struct transfer *x, CURLcode rc)
{
	return x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
}
