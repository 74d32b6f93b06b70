#include "core/fleet.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	bool definite;
} state_table[STATE_COUNT] = {
#define STATE(id, name, definite) {name, definite},
#include "core/states.def"
#undef STATE
};

const char *state_name(enum tls_state s)
{
	return (unsigned)s < STATE_COUNT ? state_table[s].name : "unknown";
}

bool state_from_name(const char *name, enum tls_state *out)
{
	for (int i = 0; i < STATE_COUNT; i++) {
		if (strcmp(state_table[i].name, name) == 0) {
			*out = (enum tls_state)i;
			return true;
		}
	}
	return false;
}

bool state_is_definite(enum tls_state s)
{
	return (unsigned)s < STATE_COUNT && state_table[s].definite;
}

static const char *const provider_names[PROVIDER_COUNT] = {
#define CLOUD(id, name) #name,
#include "providers/clouds.def"
#undef CLOUD
};
static const char *const service_names[SERVICE_COUNT] = {
#define KIND(id, name) #name,
#define SERVICE(cloud, kind, status, list, link, signing, version, host)
#include "providers/services.def"
#undef SERVICE
#undef KIND
};

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void credentials_free(struct credentials *c)
{
	wipe_free(c->id);
	wipe_free(c->secret);
	wipe_free(c->token);
	free(c->project_id);
	memset(c, 0, sizeof(*c));
}

const char *provider_kind_name(enum provider_kind p)
{
	return (unsigned)p < PROVIDER_COUNT ? provider_names[p] : "?";
}

bool provider_kind_from_name(const char *name, enum provider_kind *out)
{
	for (int i = 0; i < PROVIDER_COUNT; i++) {
		if (strcmp(provider_names[i], name) == 0) {
			*out = (enum provider_kind)i;
			return true;
		}
	}
	return false;
}

const char *service_kind_name(enum service_kind s)
{
	return (unsigned)s < SERVICE_COUNT ? service_names[s] : "?";
}

bool service_kind_from_name(const char *name, enum service_kind *out)
{
	for (int i = 0; i < SERVICE_COUNT; i++) {
		if (strcmp(service_names[i], name) == 0) {
			*out = (enum service_kind)i;
			return true;
		}
	}
	return false;
}

void address_free(struct address *a)
{
	free(a->host);
	free(a->ip);
	free(a->ipv6);
	free(a->domain);
	memset(a, 0, sizeof(*a));
	a->port = -1;
}

struct api_error *api_error_new(const char *code, const char *message, int http_status)
{
	struct api_error *e = xcalloc(1, sizeof(*e));

	e->code = xstrdup(code ? code : "InvalidResponse");
	e->message = xstrdup(message ? message : "");
	e->http_status = http_status;
	return e;
}

void api_error_free(struct api_error *e)
{
	if (!e)
		return;
	free(e->code);
	free(e->message);
	free(e);
}

void cert_summaries_free(struct cert_summary *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].subject);
		free(c[i].issuer);
	}
	free(c);
}

void instance_copy_ca_certs(struct instance *to, const struct instance *from)
{
	struct instance_status *st = &to->st;

	cert_summaries_free(st->ca_certs, st->n_ca_certs);
	st->ca_certs = xcalloc(from->st.n_ca_certs ? from->st.n_ca_certs : 1, sizeof(*st->ca_certs));
	st->n_ca_certs = from->st.n_ca_certs;
	for (size_t i = 0; i < st->n_ca_certs; i++) {
		st->ca_certs[i] = from->st.ca_certs[i];
		st->ca_certs[i].subject = xstrdup(from->st.ca_certs[i].subject);
		st->ca_certs[i].issuer = xstrdup(from->st.ca_certs[i].issuer);
	}
	free(st->ca_certs_from);
	st->ca_certs_from = xstrdup(from->st.ca_certs_from);
}

void download_info_free(struct download_info *d)
{
	if (!d)
		return;
	free(d->path);
	free(d->ca_pem);
	free(d->truststore);
	free(d);
}

void probe_status_clear(struct probe_status *p)
{
	free(p->host);
	free(p->verify_name);
	free(p->error);
	free(p->tls_version);
	probe_leaf_free(p->leaf);
	memset(p, 0, sizeof(*p));
	p->result = PROBE_NONE;
	p->at = TIME_NONE;
	p->port = -1;
}

void instance_status_init(struct instance_status *st)
{
	memset(st, 0, sizeof(*st));
	st->probe.at = TIME_NONE;
	st->probe.port = -1;
	st->state = STATE_UNKNOWN;
	st->cert_url_expires = TIME_NONE;
	st->cert_expires_api = TIME_NONE;
	st->addr.port = -1;
	st->last_good_at = TIME_NONE;
	st->latency_ms = -1;
	st->refreshed_at = TIME_NONE;
}

void instance_status_free(struct instance_status *st)
{
	free(st->cert_url);
	address_free(&st->addr);
	cJSON_Delete(st->provider_status);
	api_error_free(st->error);
	free(st->request_id);
	cert_summaries_free(st->ca_certs, st->n_ca_certs);
	free(st->ca_certs_from);
	download_info_free(st->download);
	probe_status_clear(&st->probe);
	instance_status_init(st);
}

void instance_free_fields(struct instance *in)
{
	free(in->name);
	free(in->region);
	free(in->id);
	free(in->endpoint);
	free(in->project_id);
	free(in->host);
	free(in->probe_host);
	free(in->sni);
	free(in->probe_ca);
	address_free(&in->listed_addr);
	free(in->listed_engine);
	instance_status_free(&in->st);
}

/* Frees what an account owns and zeroes it; the account itself is the
 * caller's (an element of fleet.accounts, or a test's local). */
void account_free_fields(struct account *a)
{
	free(a->name);
	free(a->profile);
	free(a->site);
	free(a->endpoint);
	free(a->project_id);
	free(a->credential_source);
	credentials_free(&a->cred);
	free(a->role_name);
	free(a->role_arn);
	free(a->role_session_name);
	free(a->metadata_endpoint);
	free(a->sts_endpoint);
	credentials_free(&a->base);
	free(a->credentials_tried);
	free(a->credential_warning);
	discover_spec_free(a->discover);
	free(a->discover);
	memset(a, 0, sizeof(*a));
}

void fleet_free(struct fleet *f)
{
	for (size_t i = 0; i < f->n_instances; i++)
		instance_free_fields(&f->instances[i]);
	free(f->instances);
	for (size_t i = 0; i < f->n_accounts; i++)
		account_free_fields(&f->accounts[i]);
	free(f->accounts);
	free(f->settings.config_path);
	free(f->settings.download_dir);
	free(f->settings.theme);
	free(f->settings.ca_file);
	memset(f, 0, sizeof(*f));
}

struct instance *fleet_find(struct fleet *f, const char *name)
{
	for (size_t i = 0; i < f->n_instances; i++)
		if (strcmp(f->instances[i].name, name) == 0)
			return &f->instances[i];
	return NULL;
}

struct account *fleet_find_account(struct fleet *f, const char *name)
{
	for (size_t i = 0; i < f->n_accounts; i++)
		if (strcmp(f->accounts[i].name, name) == 0)
			return &f->accounts[i];
	return NULL;
}

int instance_warn_days(const struct fleet *f, const struct instance *in)
{
	return in->warn_days >= 0 ? in->warn_days : f->settings.warn_days;
}

int instance_crit_days(const struct fleet *f, const struct instance *in)
{
	return in->crit_days >= 0 ? in->crit_days : f->settings.crit_days;
}

bool instance_require_tls(const struct fleet *f, const struct instance *in)
{
	return in->require_tls >= 0 ? in->require_tls != 0 : f->settings.require_tls;
}

bool instance_probe_enabled(const struct fleet *f, const struct instance *in)
{
	if (in->probe >= 0)
		return in->probe != 0;
	if (in->account && in->account->probe >= 0)
		return in->account->probe != 0;
	return f->settings.probe;
}

const char *instance_connect_host(const struct instance *in)
{
	return in->st.addr.host && *in->st.addr.host ? in->st.addr.host : in->host;
}

int instance_connect_port(const struct instance *in)
{
	if (in->st.addr.port > 0)
		return in->st.addr.port;
	return in->port > 0 ? in->port : -1;
}

const char *instance_protocol(const struct fleet *f, const struct instance *in, const char **why)
{
	if (why)
		*why = NULL;
	return f && f->protocol_of ? f->protocol_of(in, why) : NULL;
}

const char *instance_not_probed(const struct fleet *f, const struct instance *in)
{
	const char *why = NULL;

	if (in->st.state != STATE_ENABLED || !instance_probe_enabled(f, in) ||
	    instance_protocol(f, in, &why))
		return NULL;
	return why;
}

static time_t earliest_cert_expiry(const struct instance *in)
{
	time_t best = TIME_NONE;

	for (size_t i = 0; i < in->st.n_ca_certs; i++) {
		time_t t = in->st.ca_certs[i].not_after;
		if (t != TIME_NONE && (best == TIME_NONE || t < best))
			best = t;
	}
	return best;
}

time_t instance_cert_expires(const struct instance *in, const char **source)
{
	time_t t = in->st.cert_expires_api;
	const char *src = "api";

	if (t == TIME_NONE) {
		t = earliest_cert_expiry(in);
		src = "certificate";
	}
	if (source)
		*source = t == TIME_NONE ? NULL : src;
	return t;
}

bool instance_days_left(const struct instance *in, time_t now, long *days)
{
	time_t exp = instance_cert_expires(in, NULL);

	if (exp == TIME_NONE)
		return false;
	long long diff = (long long)exp - (long long)now;
	/* floor division, also for negative differences */
	long long d = diff / 86400;
	if (diff % 86400 != 0 && diff < 0)
		d--;
	*days = (long)d;
	return true;
}

bool instance_expiry_mismatch(const struct instance *in)
{
	time_t api = in->st.cert_expires_api;

	if (api == TIME_NONE || in->st.n_ca_certs == 0)
		return false;
	for (size_t i = 0; i < in->st.n_ca_certs; i++) {
		time_t t = in->st.ca_certs[i].not_after;
		if (t != TIME_NONE && llabs((long long)t - (long long)api) <= 86400)
			return false;
	}
	return true;
}

time_t fleet_credentials_expire(const struct fleet *f)
{
	time_t best = 0;

	for (size_t i = 0; i < f->n_accounts; i++) {
		time_t t = f->accounts[i].credential_expires;
		if (t && (!best || t < best))
			best = t;
	}
	return best;
}

void discover_spec_free(struct discover_spec *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_regions; i++)
		free(d->regions[i]);
	free(d->regions);
	for (size_t i = 0; i < d->n_tags; i++) {
		free(d->tags[i].key);
		free(d->tags[i].value);
	}
	free(d->tags);
	free(d->match);
	memset(d, 0, sizeof(*d));
}

static int fleet_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fleet_name *)a)->name, ((const struct fleet_name *)b)->name);
}

struct fleet_name *fleet_names_index(const struct fleet *f)
{
	struct fleet_name *r = xreallocarray(NULL, f->n_instances ? f->n_instances : 1, sizeof(*r));

	for (size_t i = 0; i < f->n_instances; i++)
		r[i] = (struct fleet_name){f->instances[i].name ? f->instances[i].name : "", i};
	qsort(r, f->n_instances, sizeof(*r), fleet_name_cmp);
	return r;
}

long fleet_names_find(const struct fleet_name *idx, size_t n, const char *name)
{
	struct fleet_name key = {name, 0};
	const struct fleet_name *hit = bsearch(&key, idx, n, sizeof(*idx), fleet_name_cmp);

	return hit ? (long)hit->idx : -1;
}
