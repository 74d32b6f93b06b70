/* The model: accounts, instances and what was last learned about each.
 * Knows nothing of curses or curl. The fleet owns every string and array
 * hanging off it; fleet_free() releases all of it. */
#ifndef TLSFLEET_FLEET_H
#define TLSFLEET_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "core/timefmt.h"   /* TIME_NONE */
#include "core/probe_result.h"

enum tls_state {
#define STATE(id, name, definite) STATE_##id,
#include "core/states.def"
#undef STATE
	STATE_COUNT
};

const char *state_name(enum tls_state s);
bool state_from_name(const char *name, enum tls_state *out);
bool state_is_definite(enum tls_state s);

/* Clouds and service kinds: the tables are the providers' (clouds.def,
 * services.def); the model only names them. */
enum provider_kind {
#define CLOUD(id, name) PROVIDER_##id,
#include "providers/clouds.def"
#undef CLOUD
	PROVIDER_COUNT
};
enum service_kind {
#define KIND(id, name) SERVICE_##id,
#define SERVICE(cloud, kind, status, list, link, signing, version, host)
#include "providers/services.def"
#undef SERVICE
#undef KIND
	SERVICE_COUNT
};

const char *provider_kind_name(enum provider_kind p);   /* the clouds.def name */
bool provider_kind_from_name(const char *name, enum provider_kind *out);
const char *service_kind_name(enum service_kind s);     /* "redis" ... */
bool service_kind_from_name(const char *name, enum service_kind *out);

/* Resolved credentials, whatever the cloud calls them:
 *   id:     the access key id (SecretId, AK, AccessKeyId)
 *   secret: its secret (SecretKey, SK, AccessKeySecret)
 *   token:  session/security token, or NULL
 *   project_id: for clouds whose requests need one (from env or credential
 *           file), or NULL
 * Secrets never leave this struct except into a signature.
 * credentials_free() wipes and frees the strings. */
struct credentials {
	char *id;
	char *secret;
	char *token;
	char *project_id;
};

/* An account's `discover` setting (tlsfleet.conf(5)); owned by the account. */
struct discover_tag {
	char *key;
	char *value;
};
struct discover_spec {
	char **regions;
	size_t n_regions;
	unsigned services;  /* bits (1u << service_kind); 0 = every service with a list call */
	struct discover_tag *tags;   /* all must match */
	size_t n_tags;
	char *match;        /* shell glob on the provider's name, or NULL */
	int interval;       /* seconds between re-listings in the dashboard; 0 = at start only */
	int line;
};
void discover_spec_free(struct discover_spec *d);

struct account {
	char *name;
	enum provider_kind provider;
	const struct provider_ops *ops;
	char *profile;      /* credential-file section/profile, or NULL */
	char *site;         /* the cloud's site setting ("intl"/"china"), or NULL */
	char *endpoint;     /* base URL override, or NULL */
	char *project_id;   /* clouds that need one; may be overridden per instance */
	double rate_limit;  /* requests/s per API action; 0 = no limit */
	int probe;          /* live TLS probe: -1 = global, else 0/1 */
	struct credentials cred;
	char *credential_source; /* "inline", "env", "file:/abs/path[section]", "none" */
	int line;           /* config line, for messages */

	/* Temporary credentials (tlsfleet.conf(5) CREDENTIALS). auth is an
	 * enum auth_mode; with a role, cred holds the keys signing requests
	 * (the temporary ones, filled by the engine) and base the keys an
	 * AssumeRole call is signed with. */
	int auth;
	char *role_name;            /* instance_role: the metadata role name */
	char *role_arn;             /* assume_role */
	char *role_session_name;    /* assume_role; NULL = "tlsfleet" */
	int duration;               /* assume_role seconds; 0 = 3600 */
	char *metadata_endpoint;    /* base URL override (http:// allowed), or NULL */
	char *sts_endpoint;         /* base URL override, or NULL */
	struct credentials base;
	time_t credential_expires;  /* 0 = none known (long-lived keys) */
	char *credentials_tried;    /* source "none": every source looked at */
	char *credential_warning;   /* e.g. a credential file others can read, or NULL */
	struct discover_spec *discover;  /* NULL: no discovery */
};

enum auth_mode { AUTH_KEYS, AUTH_INSTANCE_ROLE, AUTH_ASSUME_ROLE };

struct address {
	char *host;
	char *ip;
	char *ipv6;
	char *domain;
	int port;           /* -1 = unknown */
};

struct cert_summary {
	char *subject;      /* RFC 2253 */
	char *issuer;
	time_t not_before;
	time_t not_after;
	char sha256[65];    /* lowercase hex of the DER */
};

struct download_info {
	char *path;         /* absolute: the provider's file as served */
	long long size;
	char sha256[65];
	time_t at;
	char *ca_pem;       /* absolute: the PEM extract; NULL if unknown (older state) */
	char *truststore;   /* absolute: the PKCS#12 trust store; NULL if unknown */
};

/* What the last live TLS probe saw (JSON key probe); kept in the state
 * file. result PROBE_NONE = never probed (the other fields are empty). */
struct probe_status {
	enum probe_result result;
	time_t at;
	char *host;                 /* address dialled */
	int port;                   /* -1 = none */
	char *verify_name;          /* name checked against the leaf */
	char *error;                /* NULL for ok */
	char *tls_version;          /* NULL when no handshake completed */
	struct probe_leaf *leaf;    /* NULL when no certificate was seen */
};

/* Error object of the contract: code never NULL when the struct is set. */
struct api_error {
	char *code;
	char *message;
	int http_status;    /* 0 = no HTTP answer */
};

struct instance_status {
	enum tls_state state;

	/* Kept: replaced only by a definite answer. */
	char *cert_url;             /* as received */
	time_t cert_url_expires;
	time_t cert_expires_api;    /* provider's CA expiry, TIME_NONE if none */
	struct address addr;
	cJSON *provider_status;     /* owned; NULL until a definite answer */
	time_t last_good_at;

	/* Per attempt. */
	struct api_error *error;    /* NULL after a success answer */
	int http_status;            /* 0 = null */
	char *request_id;
	long latency_ms;            /* -1 = null */
	time_t refreshed_at;
	bool clock_skew;            /* last error was a timestamp rejection */
	long skew_seconds;          /* server Date minus our clock, when known */

	/* Learned from CA files (inspection or download); survives restarts. */
	struct cert_summary *ca_certs;
	size_t n_ca_certs;
	char *ca_certs_from;        /* URL (without query) the certs came from */
	struct download_info *download;

	/* Live TLS probe; survives restarts. */
	struct probe_status probe;
	/* Loaded from the snapshot file (store/snapshot.h) and not answered
	 * in this run yet: shown as stale until the next answer. */
	bool from_snapshot;
};

struct instance {
	char *name;
	struct account *account;
	enum service_kind service;
	char *region;
	char *id;
	char *endpoint;     /* NULL = account's or provider default */
	char *project_id;   /* NULL = account's */
	int warn_days;      /* -1 = global */
	int crit_days;      /* -1 = global */
	int require_tls;    /* -1 = global, else 0/1 */
	int probe;          /* -1 = account's, else 0/1 */
	char *host;         /* connect address where the provider gives none */
	int port;           /* -1 = none */
	char *probe_host;   /* address to dial when it differs; NULL = connect address */
	int probe_port;     /* -1 = connect port */
	char *sni;          /* name to verify; NULL = connect host */
	char *probe_ca;     /* CA file the probe trusts (config probe_ca); NULL = the downloaded one */
	int line;
	size_t index;       /* position in the config */
	bool discovered;    /* added by a listing, not in the config */
	struct address listed_addr; /* what the last listing said (port -1 unknown): it
	                     * fills st.addr where the status answer is silent */
	char *listed_engine; /* the engine the last listing named (Alibaba RDS Engine,
	                     * PolarDB DBType, Huawei RDS datastore.type), or NULL */

	struct instance_status st;

	/* Engine bookkeeping: bit set while a job of that kind is queued or in
	 * flight, so a second request for the same work is never started. */
	unsigned pending;
};

struct settings {
	char *config_path;      /* absolute path of the file loaded */
	int refresh_interval;   /* seconds; 0 = on request */
	int concurrency;
	double timeout;         /* seconds */
	int retries;
	int warn_days;
	int crit_days;
	bool require_tls;
	bool fetch_ca;
	char *download_dir;     /* "~" already expanded */
	char *theme;
	char *ca_file;          /* NULL = system store only */
	bool probe;             /* live TLS probe of enabled instances */
};

/* The client protocol of an instance ("redis", "dcs", "postgres", "mysql",
 * "mariadb", "mongodb"), or NULL with *why (when why is not NULL) saying
 * why it is not probed (words that follow "not probed: "). The providers decide (providers/protocol.h, which
 * knows the engines behind their answers); config_load() installs it, so
 * the model and its front ends ask without knowing any provider. */
typedef const char *instance_protocol_fn(const struct instance *in, const char **why);

struct fleet {
	struct settings settings;
	struct account *accounts;
	size_t n_accounts;
	struct instance *instances;
	size_t n_instances;
	instance_protocol_fn *protocol_of;   /* NULL: no protocol known for any instance */
};

void fleet_free(struct fleet *f);            /* frees contents, not f */
/* Frees what hangs off one instance (not the struct: it lives in an array). */
void instance_free_fields(struct instance *in);
void account_free_fields(struct account *a);
/* Instances by name, sorted once: configs reach 100k instances, so the
 * state file and the snapshot must not match entries name by name in
 * linear time. The index borrows the names; the caller free()s it, before
 * the fleet changes. fleet_names_find: the instance's index, or -1. */
struct fleet_name {
	const char *name;
	size_t idx;
};
struct fleet_name *fleet_names_index(const struct fleet *f);
long fleet_names_find(const struct fleet_name *idx, size_t n, const char *name);
struct instance *fleet_find(struct fleet *f, const char *name);
struct account *fleet_find_account(struct fleet *f, const char *name);

/* Effective per-instance thresholds (instance setting, else global). */
int instance_warn_days(const struct fleet *f, const struct instance *in);
int instance_crit_days(const struct fleet *f, const struct instance *in);
bool instance_require_tls(const struct fleet *f, const struct instance *in);
/* Effective probe setting: instance, else account, else global. */
bool instance_probe_enabled(const struct fleet *f, const struct instance *in);
/* The connect address: the provider's address, else the instance's host
 * and port settings (each may be NULL / -1). */
const char *instance_connect_host(const struct instance *in);
int instance_connect_port(const struct instance *in);
/* The fleet's protocol_of for the instance; NULL (and *why NULL) when the
 * fleet has none installed. Static strings. */
const char *instance_protocol(const struct fleet *f, const struct instance *in, const char **why);
/* Why an instance whose probe setting is on and whose TLS is on is not
 * probed (words that follow "not probed: "); NULL when it is or would be.
 * Static. */
const char *instance_not_probed(const struct fleet *f, const struct instance *in);

/* CA expiry per tlsfleet(1), STATES: the API's date, else the earliest notAfter of
 * the inspected certificates. *source is "api", "certificate" or NULL. */
time_t instance_cert_expires(const struct instance *in, const char **source);
/* floor((expiry - now) / 86400); false when the expiry is unknown. */
bool instance_days_left(const struct instance *in, time_t now, long *days);
/* True when an API date and certificates both exist and no certificate's
 * notAfter is within a day of the API date. */
bool instance_expiry_mismatch(const struct instance *in);

/* The earliest credential_expires of the accounts; 0 when none has one. */
time_t fleet_credentials_expire(const struct fleet *f);

void credentials_free(struct credentials *c);
void address_free(struct address *a);
void api_error_free(struct api_error *e);
struct api_error *api_error_new(const char *code, const char *message, int http_status);
void cert_summaries_free(struct cert_summary *c, size_t n);
void download_info_free(struct download_info *d);
/* Give `to` a copy of the certificates inspected for `from` (same CA file
 * URL), replacing what it had. */
void instance_copy_ca_certs(struct instance *to, const struct instance *from);
void probe_status_clear(struct probe_status *p);
void instance_status_init(struct instance_status *st);
void instance_status_free(struct instance_status *st);

#endif
