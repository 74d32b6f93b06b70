#include "report/prometheus.h"
#include "core/discovery.h"
#include "core/strbuf.h"
#include "core/textsafe.h"
#include "core/verdict.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- counters ------------------------------------------------------------ */

void prom_counters_add(struct prom_counters *c, const char *account, const char *action,
                       const char *outcome)
{
	for (size_t i = 0; i < c->n; i++) {
		struct prom_counter *k = &c->items[i];
		if (strcmp(k->account, account) == 0 && strcmp(k->action, action) == 0 &&
		    strcmp(k->outcome, outcome) == 0) {
			k->count++;
			return;
		}
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->items = xreallocarray(c->items, c->cap, sizeof(*c->items));
	}
	c->items[c->n++] = (struct prom_counter){xstrdup(account), xstrdup(action), xstrdup(outcome), 1};
}

static struct prom_listing *listing_counter(struct prom_counters *c, const char *account,
                                           const char *service, const char *region)
{
	for (size_t i = 0; i < c->n_listings; i++) {
		struct prom_listing *k = &c->listings[i];
		if (strcmp(k->account, account) == 0 && strcmp(k->service, service) == 0 &&
		    strcmp(k->region, region) == 0)
			return k;
	}
	if (c->n_listings == c->cap_listings) {
		c->cap_listings = c->cap_listings ? c->cap_listings * 2 : 8;
		c->listings = xreallocarray(c->listings, c->cap_listings, sizeof(*c->listings));
	}
	c->listings[c->n_listings] = (struct prom_listing){xstrdup(account), xstrdup(service),
	                                                   xstrdup(region), 0, TIME_NONE};
	return &c->listings[c->n_listings++];
}

void prom_counters_discovery(struct prom_counters *c, const struct discovery *d, time_t now)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct listing *l = &d->l[i];
		struct prom_listing *k =
			listing_counter(c, l->a->name, service_kind_name(l->kind), l->region);
		if (l->done && !l->error)
			k->last_success = now;
		else
			k->errors++;
	}
}

void prom_counters_free(struct prom_counters *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->items[i].account);
		free(c->items[i].action);
		free(c->items[i].outcome);
	}
	free(c->items);
	for (size_t i = 0; i < c->n_listings; i++) {
		free(c->listings[i].account);
		free(c->listings[i].service);
		free(c->listings[i].region);
	}
	free(c->listings);
	*c = (struct prom_counters){0};
}

/* ---- escaping ------------------------------------------------------------ */

static char *prom_label_escape(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	/* Newlines are escaped, every other control character and invalid
	 * UTF-8 is made printable: a scraper must never see a broken line. */
	for (;;) {
		const char *nl = strchr(s, '\n');
		char *seg = xstrndup(s, nl ? (size_t)(nl - s) : strlen(s));
		char *clean = textsafe_plain(seg);
		for (const char *p = clean; *p; p++) {
			if (*p == '\\' || *p == '"')
				strbuf_addc(&sb, '\\');
			strbuf_addc(&sb, *p);
		}
		free(clean);
		free(seg);
		if (!nl)
			break;
		strbuf_add(&sb, "\\n", 2);
		s = nl + 1;
	}
	return strbuf_steal(&sb);
}

/* ---- families ------------------------------------------------------------ */

struct ctx {
	FILE *out;
	const struct fleet *f;
	const struct prom_counters *counters;
	enum prom_format fmt;
	time_t now;
	char **names;     /* escaped instance names, index = config position */
};

static void sample_time(const struct ctx *c, const char *metric, size_t i, time_t t)
{
	if (t != TIME_NONE)
		fprintf(c->out, "%s{name=\"%s\"} %lld\n", metric, c->names[i], (long long)t);
}

static void fam_info(const struct ctx *c, const char *metric)
{
	for (size_t i = 0; i < c->f->n_instances; i++) {
		const struct instance *in = &c->f->instances[i];
		char *acct = prom_label_escape(in->account->name), *region = prom_label_escape(in->region),
		     *id = prom_label_escape(in->id);
		fprintf(c->out,
		        "%s{name=\"%s\",account=\"%s\",provider=\"%s\",service=\"%s\",region=\"%s\","
		        "instance_id=\"%s\"} 1\n",
		        metric, c->names[i], acct, provider_kind_name(in->account->provider),
		        service_kind_name(in->service), region, id);
		free(acct);
		free(region);
		free(id);
	}
}

static void fam_state(const struct ctx *c, const char *metric)
{
	for (size_t i = 0; i < c->f->n_instances; i++)
		for (int s = 0; s < STATE_COUNT; s++)
			fprintf(c->out, "%s{name=\"%s\",state=\"%s\"} %d\n", metric, c->names[i],
			        state_name((enum tls_state)s), c->f->instances[i].st.state == (enum tls_state)s);
}

static void fam_tls_enabled(const struct ctx *c, const char *metric)
{
	/* Only what a definite answer said: no sample while TLS is unknown. */
	for (size_t i = 0; i < c->f->n_instances; i++) {
		enum tls_state s = c->f->instances[i].st.state;
		if (state_is_definite(s))
			fprintf(c->out, "%s{name=\"%s\"} %d\n", metric, c->names[i], s == STATE_ENABLED);
	}
}

static void fam_ca_expiry(const struct ctx *c, const char *metric)
{
	for (size_t i = 0; i < c->f->n_instances; i++)
		sample_time(c, metric, i, instance_cert_expires(&c->f->instances[i], NULL));
}

static void fam_leaf_expiry(const struct ctx *c, const char *metric)
{
	for (size_t i = 0; i < c->f->n_instances; i++) {
		struct verdict_input vi = {0};
		verdict_probe_of(&c->f->instances[i], &vi);
		if (vi.probe != PROBE_NONE)
			sample_time(c, metric, i, vi.leaf_expires);
	}
}

static void fam_check(const struct ctx *c, const char *metric)
{
	for (size_t i = 0; i < c->f->n_instances; i++)
		fprintf(c->out, "%s{name=\"%s\"} %d\n", metric, c->names[i],
		        (int)verdict_of(c->f, &c->f->instances[i], c->now, NULL));
}

static void fam_refreshed(const struct ctx *c, const char *metric)
{
	for (size_t i = 0; i < c->f->n_instances; i++)
		sample_time(c, metric, i, c->f->instances[i].st.refreshed_at);
}

static void fam_success(const struct ctx *c, const char *metric)
{
	for (size_t i = 0; i < c->f->n_instances; i++)
		sample_time(c, metric, i, c->f->instances[i].st.last_good_at);
}

static void fam_requests(const struct ctx *c, const char *metric)
{
	for (size_t i = 0; c->counters && i < c->counters->n; i++) {
		const struct prom_counter *k = &c->counters->items[i];
		char *acct = prom_label_escape(k->account), *action = prom_label_escape(k->action),
		     *outcome = prom_label_escape(k->outcome);
		fprintf(c->out, "%s{account=\"%s\",action=\"%s\",outcome=\"%s\"} %llu\n", metric, acct, action,
		        outcome, k->count);
		free(acct);
		free(action);
		free(outcome);
	}
}

/* Per listing: account, service, region labels, then the value. */
static void listing_labels(const struct ctx *c, const char *metric, const struct prom_listing *k)
{
	char *acct = prom_label_escape(k->account), *region = prom_label_escape(k->region);

	fprintf(c->out, "%s{account=\"%s\",service=\"%s\",region=\"%s\"} ", metric, acct, k->service,
	        region);
	free(acct);
	free(region);
}

static void fam_list_errors(const struct ctx *c, const char *metric)
{
	for (size_t i = 0; i < c->counters->n_listings; i++) {
		listing_labels(c, metric, &c->counters->listings[i]);
		fprintf(c->out, "%llu\n", c->counters->listings[i].errors);
	}
}

static void fam_list_success(const struct ctx *c, const char *metric)
{
	for (size_t i = 0; i < c->counters->n_listings; i++) {
		const struct prom_listing *k = &c->counters->listings[i];
		if (k->last_success == TIME_NONE)
			continue;
		listing_labels(c, metric, k);
		fprintf(c->out, "%lld\n", (long long)k->last_success);
	}
}

/* name: the sample name; OpenMetrics names the family without the type's
 * suffix (_info, _total). discovery: only when listings were counted
 * (an account with `discover`). */
static const struct family {
	const char *name;
	const char *type;        /* text 0.0.4 */
	const char *om_type;     /* OpenMetrics */
	const char *om_suffix;   /* cut from name for the OpenMetrics family */
	const char *help;
	void (*emit)(const struct ctx *c, const char *metric);
	bool discovery;
} families[] = {
	{"tlsfleet_instance_info", "gauge", "info", "_info",
	 "Configured instance (always 1), with its account, provider, service, region and id.", fam_info, false},
	{"tlsfleet_instance_state", "gauge", "gauge", NULL,
	 "1 for the instance's current TLS state, 0 for every other state.", fam_state, false},
	{"tlsfleet_tls_enabled", "gauge", "gauge", NULL,
	 "1 when the provider says TLS is on, 0 when off; absent while unknown.", fam_tls_enabled, false},
	{"tlsfleet_ca_expiry_timestamp_seconds", "gauge", "gauge", NULL,
	 "When the instance's CA certificate expires (Unix time).", fam_ca_expiry, false},
	{"tlsfleet_server_cert_expiry_timestamp_seconds", "gauge", "gauge", NULL,
	 "When the server certificate seen by the live TLS probe expires (Unix time).", fam_leaf_expiry, false},
	{"tlsfleet_check_status", "gauge", "gauge", NULL,
	 "The --check verdict: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.", fam_check, false},
	{"tlsfleet_last_refresh_timestamp_seconds", "gauge", "gauge", NULL,
	 "When the last answer (or failure) for the instance arrived (Unix time).", fam_refreshed, false},
	{"tlsfleet_last_success_timestamp_seconds", "gauge", "gauge", NULL,
	 "When the last definite answer for the instance arrived (Unix time).", fam_success, false},
	{"tlsfleet_api_requests_total", "counter", "counter", "_total",
	 "Cloud API requests sent by this process, by account, API action and outcome.", fam_requests, false},
	{"tlsfleet_discovery_errors_total", "counter", "counter", "_total",
	 "Listings (discovery) that failed, keeping what was listed before, by account, service and region.",
	 fam_list_errors, true},
	{"tlsfleet_discovery_last_success_timestamp_seconds", "gauge", "gauge", NULL,
	 "When a listing last read every page (Unix time), by account, service and region.",
	 fam_list_success, true},
};

void prometheus_write(FILE *out, const struct fleet *f, const struct prom_counters *counters,
                      enum prom_format fmt, time_t now)
{
	struct ctx c = {.out = out, .f = f, .counters = counters, .fmt = fmt, .now = now};

	c.names = xcalloc(f->n_instances + 1, sizeof(char *));
	for (size_t i = 0; i < f->n_instances; i++)
		c.names[i] = prom_label_escape(f->instances[i].name);
	for (size_t k = 0; k < sizeof(families) / sizeof(families[0]); k++) {
		const struct family *fam = &families[k];
		if (fam->discovery && !(counters && counters->n_listings))
			continue;
		int len = (int)strlen(fam->name);
		const char *type = fam->type;
		if (fmt == PROM_OPENMETRICS) {
			type = fam->om_type;
			if (fam->om_suffix)
				len -= (int)strlen(fam->om_suffix);
		}
		fprintf(out, "# HELP %.*s %s\n# TYPE %.*s %s\n", len, fam->name, fam->help, len, fam->name,
		        type);
		fam->emit(&c, fam->name);
	}
	if (fmt == PROM_OPENMETRICS)
		fputs("# EOF\n", out);
	for (size_t i = 0; i < f->n_instances; i++)
		free(c.names[i]);
	free(c.names);
}
