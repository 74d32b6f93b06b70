/* Temporary credentials, pure: the request that asks a cloud's instance
 * metadata service or its STS for keys, and the reading of the answer.
 * What differs per cloud is the descriptor's (struct provider_roles);
 * the engine (engine/credfetch.c) runs the requests.
 *
 * Ownership: every returned string and the filled credentials belong to
 * the caller (free, credentials_free). Messages never hold a key, token
 * or signature: they name fields, URLs and provider codes only. */
#ifndef TLSFLEET_TEMPCREDS_H
#define TLSFLEET_TEMPCREDS_H
#include "providers/provider.h"

#define TEMPCREDS_SESSION_DEFAULT "tlsfleet"
#define TEMPCREDS_DURATION_DEFAULT 3600

/* The account's metadata URL (metadata_endpoint or the cloud's default,
 * with the role's path). New string. */
char *tempcreds_metadata_url(const struct account *a);
/* The account's STS base URL (sts_endpoint or the cloud's default). */
char *tempcreds_sts_base(const struct account *a);

/* Read an answer: 0 with *out and *expires (0 when the answer has none),
 * or -1 with *err (new string; names the answer's error code if any,
 * which is also given in *code when code is not NULL). */
int tempcreds_parse(const struct provider_cred_answer *k, const struct http_response *resp,
                    struct credentials *out, time_t *expires, char **code, char **err);

/* True when the code is one of the cloud's "token expired" codes. */
bool tempcreds_token_expired(const struct provider_ops *ops, const char *code);

/* The clouds' AssumeRole requests (struct provider_roles.assume_role). */
void tempcreds_tencent_assume_role(const struct account *a, const char *base_url, const char *region,
                                   const struct sign_context *ctx, struct http_request *out);
void tempcreds_alibaba_assume_role(const struct account *a, const char *base_url, const char *region,
                                   const struct sign_context *ctx, struct http_request *out);

#endif
