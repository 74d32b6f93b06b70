/* Providers are pure: (instance, credentials, time) -> signed request
 * description; (HTTP response) -> normalised result. No I/O, no curl, no
 * curses. One file per cloud behind struct provider_ops, which also
 * describes the cloud to the rest of the program (config keys, credential
 * sources, what the engine must do for it), so that no other layer names
 * a cloud. The clouds are listed in clouds.def, their services in
 * services.def (docs/ARCHITECTURE.md, "Adding a cloud or a service").
 *
 * Ownership: descriptors and service rows are static; http_request and
 * provider_result own their strings (see their free functions). */
#ifndef TLSFLEET_PROVIDER_H
#define TLSFLEET_PROVIDER_H

#include "core/fleet.h"
#include "providers/sign.h"

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
	const char *request_id;      /* X-Request-Id header or NULL (Huawei's gateway) */
};

/* Everything a signer needs that is not in the instance. */
struct sign_context {
	time_t now;
	const char *nonce;           /* fresh UUID when the descriptor's needs_nonce */
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

/* One row of services.def: what a cloud's service calls are. */
struct provider_service {
	enum provider_kind cloud;
	enum service_kind kind;
	const char *status_action;   /* the TLS status query */
	const char *list_action;     /* instance listing; NULL until discovery */
	const char *link_action;     /* separate CA link call, or NULL */
	const char *signing_service; /* product name in the signature scope */
	const char *version;         /* API version */
	const char *host;            /* first label of the default endpoint host */
};

/* A cloud-specific config setting of an account (and maybe an instance),
 * stored in a char * member of struct account (struct instance). */
enum provider_setting_kind {
	SETTING_CHOICE,              /* one of choices[]; the first is the default */
	SETTING_ID,                  /* letters, digits and "._:-" */
};
struct provider_setting {
	const char *key;             /* NULL ends the list */
	enum provider_setting_kind kind;
	const char *choices[4];      /* SETTING_CHOICE, NULL-terminated */
	size_t account_offset;       /* offsetof(struct account, ...) */
	bool per_instance;           /* an instance may override it */
	size_t instance_offset;      /* offsetof(struct instance, ...) */
	bool required;               /* a request cannot be built without it */
};

/* A credential file the cloud's own SDKs/CLI read. */
enum provider_file_format {
	CRED_FILE_NONE,              /* ends the list */
	CRED_FILE_INI,               /* [section] key = value */
	CRED_FILE_JSON_PROFILES,     /* {"current": name, "profiles": [{"name": ...}]} */
};
struct provider_cred_file {
	enum provider_file_format format;
	const char *path_var;        /* variable naming another path, or NULL */
	const char *path;            /* default path, "~/..." */
	const char *section;         /* INI: section read without a profile */
	/* key (INI, lowercase) or member (JSON) names; token/project_id may be NULL */
	const char *id, *secret, *token, *project_id;
	/* A key/member saying what a section or profile holds, or NULL. Only
	 * kind_values[0] (keys) and [1] (keys and token) are usable. JSON: an
	 * absent kind means keys, and kind_values[1] requires the token. */
	const char *kind_key;
	const char *kind_values[2];
	const char *what;            /* JSON: "an <tool> configuration", for messages */
	/* JSON: kinds that name a role instead of keys, [0] one to assume
	 * (base keys in id/secret, then role_arn, role_session, role_duration),
	 * [1] the instance's own (role_name); NULL when the tool has none. */
	const char *role_kinds[2];
	const char *role_arn, *role_session, *role_duration, *role_name;
};

/* Environment variables, as the cloud's SDKs name them. */
struct provider_env {
	const char *id, *secret;
	const char *token[3];        /* the first one set wins; NULL-padded */
	const char *project_id;      /* or NULL */
	const char *profile;         /* names a profile for an account without one, or NULL */
};

/* Where an answer handing out temporary keys keeps them: dotted paths
 * into its JSON ("Response.Credentials.TmpSecretId"). expires is an
 * epoch number or an ISO 8601 string; the error paths may be NULL. */
struct provider_cred_answer {
	const char *id, *secret, *token, *expires;
	const char *error_code, *error_message;
};

/* A cloud's temporary credentials (tlsfleet.conf(5) CREDENTIALS): the
 * instance metadata service and STS AssumeRole. */
struct provider_roles {
	const char *metadata_base;   /* default base URL; NULL: no instance role */
	const char *metadata_path;   /* "%s" takes the role name */
	bool needs_role_name;
	struct provider_cred_answer metadata;
	const char *sts_base;        /* default STS base URL; NULL: no AssumeRole */
	struct provider_cred_answer sts;
	/* The signed AssumeRole request, with a->base keys (providers/tempcreds.h). */
	void (*assume_role)(const struct account *a, const char *base_url, const char *region,
	                    const struct sign_context *ctx, struct http_request *out);
	/* Answer codes meaning "the token expired": renew and retry once. */
	const char *const *token_expired;
};

#define PROVIDER_SETTINGS_MAX 3
#define PROVIDER_FILES_MAX 3

struct provider_ops {
	const char *name;            /* the config's 'provider' value */
	enum provider_kind kind;
	const char *title;           /* "<Cloud>": config messages ("a <title> setting") */
	const char *full_title;      /* "<Cloud> Cloud": request messages */
	const char *help_title;      /* --help, with sister brands */
	/* Inline credential settings of an account: id, secret, token. */
	const char *inline_keys[3];
	struct provider_env env;
	/* Credential files, read in order after the environment. */
	struct provider_cred_file files[PROVIDER_FILES_MAX];
	/* Cloud-specific account settings (key NULL ends the list). */
	struct provider_setting settings[PROVIDER_SETTINGS_MAX];
	/* The signature takes a fresh random nonce (sign_context.nonce). */
	bool needs_nonce;
	/* Discovery lists one region per account: the account's project_id
	 * belongs to one region. */
	bool discover_one_region;
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
	struct provider_roles roles;
};

#define CLOUD(id, name) extern const struct provider_ops provider_##name;
#include "providers/clouds.def"
#undef CLOUD
const struct provider_ops *provider_for(enum provider_kind k);

/* The services.def row of (cloud, kind), or NULL when the cloud does not
 * offer the kind. */
const struct provider_service *provider_service(enum provider_kind cloud, enum service_kind kind);
bool provider_supports(const struct provider_ops *ops, enum service_kind kind);
/* The row of an instance's account's cloud and its service, or NULL. */
const struct provider_service *provider_service_of(const struct instance *in);
/* The CA certificate of this instance comes through a separate link call
 * (CALL_CERT_LINK) rather than with the status answer. */
bool provider_cert_link_call(const struct instance *in);

/* The base URL a request for this instance goes to: instance endpoint,
 * else account endpoint, else the provider's default. New string. */
char *provider_base_url(const struct instance *in);

/* The API action name of a call for this instance (static string). */
const char *provider_action(const struct instance *in, enum api_call call);

/* ---- shared by the provider files (and their tests) --------------------- */

/* Code rules (tlsfleet(1), STATES): "X.*" matches X itself and X.<anything>; any other
 * rule matches exactly. */
bool provider_code_matches(const char *code, const char *rule);
/* True when code matches one of the NULL-terminated rules. */
bool provider_code_in(const char *code, const char *const *rules);

/* The codes that decide a state, per provider (NULL-terminated lists,
 * any may be NULL). */
struct provider_codes {
	const char *const *unsupported;
	const char *const *not_found;
	const char *const *auth;
	const char *const *throttled;
	const char *const *clock_skew;   /* a subset of auth */
	const char *const *retry;        /* worth another attempt though not 5xx */
};

/* Map an error answer per tlsfleet(1)'s mapping order: (a) the code, (b) the
 * HTTP status, (c) STATE_ERROR with the code verbatim (HTTP_<n> without
 * one). Sets state, error, retry, throttled, clock_skew. code and message
 * may be NULL. */
void provider_map_error(struct provider_result *r, const struct provider_codes *codes,
                        long http_status, const char *code, const char *message);
/* Set state and error (replacing any error). */
void provider_result_fail(struct provider_result *r, enum tls_state state, const char *code,
                          const char *message, long http_status);
/* STATE_ERROR, code "InvalidResponse", message from fmt (names the field). */
void provider_result_invalid(struct provider_result *r, long http_status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "string", "number", "boolean", "null", "object", "array". */
const char *provider_json_type(const cJSON *j);
/* Body of a response as JSON: NULL and r set to InvalidResponse when empty,
 * not JSON, or not an object. The caller owns the tree. */
cJSON *provider_parse_object(const struct http_response *resp, struct provider_result *r);
/* Field name of obj: absent or JSON null -> 0 and *out NULL; a string ->
 * 0 and *out borrowed ("" included); any other type -> -1 with r set to
 * InvalidResponse "name: expected string, got <type>". */
int provider_json_string(const cJSON *obj, const char *name, const char **out,
                         struct provider_result *r, long http_status);
/* The same for a boolean: *out -1 absent/null, else 0/1. */
int provider_json_bool(const cJSON *obj, const char *name, int *out,
                       struct provider_result *r, long http_status);
/* A string field as a normalised value: a new string, or NULL for
 * absent, null and "". */
char *provider_nonempty(const char *s);

/* The Expires=<epoch seconds> query parameter of a presigned URL. */
bool provider_url_expires(const char *url, time_t *out);
/* True when id and secret are both set and not empty. */
bool provider_has_credentials(const struct credentials *c);
/* The checks every build_request starts with: the call exists for the
 * service (services.def), keys are there, region and id are set. 0, or
 * -1 with *err. */
int provider_check_request(const struct instance *in, enum api_call call,
                           const struct credentials *cred, char **err);

/* Append a header (copies of both strings). */
void http_request_add_header(struct http_request *r, const char *name, const char *value);

/* The host of a DCS domain_name ("redis-x.dcs...:6379", "[::1]:6379" or a
 * bare name), new; NULL for none. The status and the list answers both
 * carry the port in it. */
char *provider_huawei_host(const char *domain);

/* Generic signed requests, used by build_request and by the vector tests
 * for calls tlsfleet itself does not make. */
/* Tencent TC3: POST {base}/, JSON body, X-TC-* headers. */
void provider_tencent_request(const char *base_url, const char *service, const char *action,
                              const char *version, const char *region, const char *body,
                              const struct credentials *cred, time_t now,
                              struct http_request *out);
/* Huawei APIG: {base}{path}[?query]; extra headers (e.g. Content-Type)
 * are sent and signed with X-Project-Id, X-Sdk-Date, X-Security-Token. */
void provider_huawei_request(const char *base_url, const char *method, const char *path,
                             const struct sign_kv *query, size_t n_query,
                             const struct sign_kv *extra_headers, size_t n_extra,
                             const char *project_id, const char *body,
                             const struct credentials *cred, time_t now,
                             struct http_request *out);
/* Alibaba RPC V1: GET {base}/?<signed query>, or POST {base}/ with the
 * signed form body (application/x-www-form-urlencoded). */
void provider_alibaba_request(const char *base_url, const char *method, const char *action,
                              const char *version, const struct sign_kv *params, size_t n_params,
                              const struct credentials *cred, const struct sign_context *ctx,
                              struct http_request *out);

#endif
