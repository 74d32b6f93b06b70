/* One transfer's life: an easy handle set up for an API request or a file
 * fetch (HTTPS only, verification on, size cap, timeout), its body
 * collected, and at the end an http_response read back from libcurl.
 * Transfers are recycled through a pool, so a running fleet reuses a
 * handful of easy handles.
 *
 * Ownership: the pool owns every transfer (free ones and, through the
 * caller's job, the ones on the wire: the caller gives them back with
 * transfer_put). A transfer owns its easy handle, header list, request and
 * body. Strings in a filled http_response are borrowed from the transfer
 * until transfer_put. */
#ifndef TLSFLEET_TRANSFER_H
#define TLSFLEET_TRANSFER_H
#include <curl/curl.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/fleet.h"
#include "core/strbuf.h"
#include "providers/provider.h"

#define API_MAX_BYTES (1024L * 1024)  /* response size cap of an API answer */
/* A list page is bigger: cdb's documented item is 3.6 KB compact and a
 * page holds up to 2,000 (7.2 MB); 1 MiB made an account of ~290 MySQL
 * instances unlistable. */
#define LIST_MAX_BYTES (8L * 1024 * 1024)
#define RETRY_AFTER_MAX_S 300

struct transfer {
	CURL *easy;
	struct curl_slist *headers;
	struct http_request req;     /* the signed API request (API transfers) */
	struct strbuf body;
	long cap;
	bool too_large;
	char date[64];
	char retry_after[64];
	char content_type[128];
	char request_id[128];
	char errbuf[CURL_ERROR_SIZE];
	int64_t started_ns;
	struct transfer *next_free;
};

struct transfer_pool {
	CURLSH *share;               /* TLS sessions and DNS across connections */
	STACK_OF(X509) *extra_ca;    /* settings.ca_file, or NULL */
	long timeout_ms;
	struct transfer *free;
};

/* -1 with *err when ca_file cannot be used. */
int transfer_pool_init(struct transfer_pool *p, const struct settings *s, char **err);
void transfer_pool_free(struct transfer_pool *p);

/* A clean transfer (a recycled one is reset). */
struct transfer *transfer_get(struct transfer_pool *p);
void transfer_put(struct transfer_pool *p, struct transfer *x);

/* Set up the API request already in x->req, its answer capped at
 * max_bytes; priv comes back through CURLINFO_PRIVATE. */
void transfer_setup_api(struct transfer_pool *p, struct transfer *x, long max_bytes, void *priv);
/* Set up a credential-free GET of url (followed through https redirects). */
void transfer_setup_file(struct transfer_pool *p, struct transfer *x, const char *url, void *priv);

/* Set up a GET of an instance metadata URL: the one transfer that may be
 * plain http (the metadata services listen on a link-local address and
 * speak nothing else), never through a proxy, never redirected. */
void transfer_setup_metadata(struct transfer_pool *p, struct transfer *x, const char *url, void *priv);

/* After the transfer ended: status, body and the headers we use. */
void transfer_response(struct transfer *x, struct http_response *out);
/* The server's Retry-After in milliseconds (0 = none), at most 300 s. */
long transfer_retry_after_ms(struct transfer *x);
/* Bytes received so far and the announced length (-1 = unknown). */
void transfer_progress(struct transfer *x, long long *got, long long *total);
/* Why it failed, for messages: libcurl's detail or its generic text. */
const char *transfer_error(const struct transfer *x, CURLcode rc);

/* CURLE_... name of a code (curlerrors.def). */
const char *transfer_code_name(CURLcode c);
/* Network failures worth another attempt. */
bool transfer_code_transient(CURLcode c);

#endif
