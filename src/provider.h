/* Providers are pure: (instance, credentials, time) -> signed request
 * description; (HTTP response) -> normalised result. No I/O, no curl, no
 * curses. One file per cloud behind struct provider_ops. */
#ifndef TLSFLEET_PROVIDER_H
#define TLSFLEET_PROVIDER_H

#include "fleet.h"

enum api_call {
	CALL_STATUS,     /* the SSL status query of the instance's service */
	CALL_CERT_LINK,  /* Huawei DCS POST .../ssl-certs/download -> {file_name, link} */
};

struct http_header {
	char *name;
	char *value;
};

/* A complete request, owned by whoever built it (http_request_free). */
struct http_request {
	char *method;                /* "GET" / "POST" */
	char *url;                   /* absolute https URL incl. query */
	struct http_header *headers; /* every header to send, Host included */
	size_t n_headers;
	char *body;                  /* NULL for none */
	size_t body_len;
	const char *action;          /* static: the API action, the pacing key */
};
void http_request_free(struct http_request *r);
const char *http_request_header(const struct http_request *r, const char *name); /* case-insensitive */

/* What came back; all pointers borrowed for the call. */
struct http_response {
	long status;                 /* HTTP status */
	const char *body;
	size_t body_len;
	const char *date;            /* Date header or NULL */
	const char *retry_after;     /* Retry-After header or NULL */
	const char *content_type;    /* or NULL */
};

/* Everything a signer needs that is not in the instance. */
struct sign_context {
	time_t now;
	const char *nonce;           /* Alibaba SignatureNonce (caller makes a fresh UUID) */
};

struct provider_result {
	enum tls_state state;
	/* normalised fields (only meaningful for definite states) */
	char *cert_url;
	time_t cert_url_expires;     /* TIME_NONE if unknown */
	time_t cert_expires;         /* provider's CA date, TIME_NONE if none */
	struct address addr;         /* port -1 if unknown */
	cJSON *provider_status;      /* owned: the raw answer body (Tencent: inner Response) */
	/* failure (state not definite, or unsupported) */
	struct api_error *error;     /* owned; NULL after a success answer */
	char *request_id;
	bool retry;                  /* worth another attempt: throttling, 5xx */
	bool throttled;              /* the answer was a throttling answer */
	bool clock_skew;             /* the provider rejected our timestamp */
	/* CALL_CERT_LINK */
	char *file_name;
	char *link;
};
void provider_result_init(struct provider_result *r);
void provider_result_free(struct provider_result *r);

struct provider_ops {
	const char *name;            /* "tencent", "huawei", "alibaba" */
	bool (*supports)(enum service_kind s);
	/* Base URL (scheme://host[:port], no trailing slash) when neither the
	 * instance nor the account sets one. Returns a new string. */
	char *(*default_endpoint)(const struct account *a, const struct instance *in);
	/* Build the complete signed request. Returns 0, or -1 with *err set
	 * (a new string that never contains a secret). */
	int (*build_request)(const struct instance *in, enum api_call call,
	                     const struct credentials *cred, const struct sign_context *ctx,
	                     struct http_request *out, char **err);
	/* Map an answer to a result. Never fails: anything unexpected is
	 * STATE_ERROR with an error naming what was wrong. */
	void (*parse_response)(const struct instance *in, enum api_call call,
	                       const struct http_response *resp, struct provider_result *out);
};

extern const struct provider_ops provider_tencent;
extern const struct provider_ops provider_huawei;
extern const struct provider_ops provider_alibaba;
const struct provider_ops *provider_for(enum provider_kind k);

/* The base URL a request for this instance goes to: instance endpoint,
 * else account endpoint, else the provider's default. New string. */
char *provider_base_url(const struct instance *in);

/* The API action name of a call for this instance (static string). */
const char *provider_action(const struct instance *in, enum api_call call);

#endif
