/* Crypto and encoding for request signing, in one place, through OpenSSL 3
 * EVP only (EVP_MAC, EVP_Digest*): the pre-3.0 HMAC_CTX/SHA256_Init API is
 * deprecated and breaks a -Werror build.
 *
 * The digest and MAC objects are fetched once and their contexts reused,
 * so these functions are not thread-safe (the program has one thread).
 *
 * The three signers take their inputs in a struct and return every
 * intermediate output (canonical request, string to sign, signature) so
 * tests compare each with the providers' SDK vectors. Every string input
 * must be non-NULL unless marked optional. Outputs are new strings owned by
 * the caller: free them with the matching *_free(). They contain no secret,
 * only signatures. */
#ifndef TLSFLEET_SIGN_H
#define TLSFLEET_SIGN_H
#include <stddef.h>
#include <time.h>
#include "core/strbuf.h"

#define SIGN_SHA256_LEN 32
#define SIGN_SHA1_LEN 20

/* Lowercase hex of the SHA-256 of data. */
void sign_sha256_hex(const void *data, size_t len, char out[2 * SIGN_SHA256_LEN + 1]);
void sign_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                      unsigned char out[SIGN_SHA256_LEN]);
void sign_hmac_sha1(const void *key, size_t key_len, const void *data, size_t len,
                    unsigned char out[SIGN_SHA1_LEN]);
/* Lowercase hex; out holds 2 * len + 1 bytes. */
void sign_hex(const unsigned char *in, size_t len, char *out);
/* Standard base64 with padding; new string. */
char *sign_base64(const unsigned char *in, size_t len);
/* RFC 3986: everything but A-Z a-z 0-9 - _ . ~ becomes %XX (uppercase),
 * bytewise, so UTF-8 is encoded per byte. Appends to sb. */
void sign_percent_encode(struct strbuf *sb, const char *s, size_t len);
/* The same for a path: '/' is kept, every segment encoded. */
void sign_percent_encode_path(struct strbuf *sb, const char *path);
/* New string: sign_percent_encode of a NUL-terminated s. */
char *sign_percent_encoded(const char *s);

/* Zeroizes the signing-key cache and releases the fetched EVP objects.
 * Optional (at exit); the next signing call fetches them again. */
void sign_cleanup(void);

/* ---- Tencent Cloud API 3.0, TC3-HMAC-SHA256 -----------------------------
 * Signs POST / with content-type application/json and host only, as the
 * official SDK does; the X-TC-* headers travel unsigned. The derived key
 * (HMAC chain over date and service) is cached per (secret, UTC date,
 * service): only the derived key and a digest of the secret are kept, and
 * an entry is zeroized when replaced. */
struct tc3_input {
	const char *secret_id;
	const char *secret_key;
	const char *service;    /* "redis", "postgres" */
	const char *host;       /* the Host header: host[:port] */
	time_t timestamp;
	const char *body;       /* the JSON payload */
	size_t body_len;
};

struct tc3_output {
	char *canonical_request;
	char *string_to_sign;
	char *signature;        /* lowercase hex */
	char *authorization;    /* the Authorization header value */
};

void sign_tc3(const struct tc3_input *in, struct tc3_output *out);
void sign_tc3_free(struct tc3_output *out);
/* Counters of the derived-key cache, for tests: HMAC chains computed. */
unsigned long sign_tc3_key_derivations(void);

/* ---- Huawei Cloud APIG, SDK-HMAC-SHA256 ---------------------------------
 * Every header given is signed (plus Host), names lower-cased and sorted;
 * the canonical URI gets a trailing '/'; the query is encoded and sorted. */
struct sign_kv {
	const char *key;
	const char *value;
};

struct apig_input {
	const char *access_key;
	const char *secret_key;
	const char *method;
	const char *host;           /* host[:port], signed as "host" */
	const char *path;           /* not encoded: each segment is encoded here */
	const struct sign_kv *query;/* not encoded; any order */
	size_t n_query;
	const struct sign_kv *headers; /* every header sent but Host and
	                               * Authorization; must hold X-Sdk-Date */
	size_t n_headers;
	const char *body;           /* NULL = empty */
	size_t body_len;
};

struct apig_output {
	char *canonical_request;
	char *string_to_sign;
	char *signed_headers;       /* "host;x-project-id;x-sdk-date" */
	char *signature;            /* lowercase hex */
	char *authorization;
	char *query_string;         /* encoded, sorted: for the URL ("" if none) */
};

/* Returns 0, or -1 when X-Sdk-Date is missing from headers. */
int sign_apig(const struct apig_input *in, struct apig_output *out);
void sign_apig_free(struct apig_output *out);

/* ---- Alibaba Cloud RPC signature V1, HMAC-SHA1 --------------------------
 * Adds the common parameters (Format=JSON, Timestamp, SignatureMethod,
 * SignatureVersion=1.0, SignatureNonce, AccessKeyId, SecurityToken when
 * set, Action, Version) to the call's own, sorts and encodes them. */
struct rpc_v1_input {
	const char *access_key_id;
	const char *access_key_secret;
	const char *security_token;  /* NULL or "" = none */
	const char *method;          /* "GET" or "POST" */
	const char *action;
	const char *version;
	time_t timestamp;
	const char *nonce;
	const struct sign_kv *params;/* the call's own, not encoded */
	size_t n_params;
};

struct rpc_v1_output {
	char *canonical_query;       /* sorted, encoded, without Signature */
	char *string_to_sign;
	char *signature;             /* base64 */
	char *signed_query;          /* canonical_query&Signature=...: the GET
	                              * query string or the POST form body */
};

void sign_rpc_v1(const struct rpc_v1_input *in, struct rpc_v1_output *out);
void sign_rpc_v1_free(struct rpc_v1_output *out);

#endif
