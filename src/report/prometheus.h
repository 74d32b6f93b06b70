/* Metrics for Prometheus: the fleet as the text exposition format 0.0.4
 * (--list --format prometheus, node_exporter's textfile collector, --serve)
 * or as OpenMetrics 1.0 (--serve, when the scraper asks for it). The
 * families are listed in tlsfleet(1), "METRICS".
 * Ownership: struct prom_counters owns copies of every label it counts;
 * prom_counters_free releases them. prometheus_write borrows everything. */
#ifndef TLSFLEET_PROMETHEUS_H
#define TLSFLEET_PROMETHEUS_H
#include <stdio.h>
#include <time.h>
#include "core/fleet.h"

enum prom_format {
	PROM_TEXT,          /* text/plain; version=0.0.4 */
	PROM_OPENMETRICS,   /* application/openmetrics-text; version=1.0.0 */
};

#define PROM_TEXT_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define PROM_OPENMETRICS_CONTENT_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* API requests per (account, action, outcome), for tlsfleet_api_requests_total.
 * A handful of keys per account: a linear list is enough. */
struct prom_counter {
	char *account, *action, *outcome;
	unsigned long long count;
};
/* Discovery's listings per (account, service, region), for
 * tlsfleet_discovery_errors_total and
 * tlsfleet_discovery_last_success_timestamp_seconds. */
struct prom_listing {
	char *account, *service, *region;
	unsigned long long errors;   /* listings that failed (a page after its retries) */
	time_t last_success;         /* the last that read every page; TIME_NONE: none */
};
struct prom_counters {
	struct prom_counter *items;
	size_t n, cap;
	struct prom_listing *listings;   /* none: the discovery families are left out */
	size_t n_listings, cap_listings;
};

void prom_counters_add(struct prom_counters *c, const char *account, const char *action,
                       const char *outcome);
struct discovery;
/* Count a finished round of listings (core/discovery.h) that ended at now. */
void prom_counters_discovery(struct prom_counters *c, const struct discovery *d, time_t now);
void prom_counters_free(struct prom_counters *c);

/* Every family with # HELP and # TYPE; counters may be NULL (no requests
 * counted). OpenMetrics ends with "# EOF". */
void prometheus_write(FILE *out, const struct fleet *f, const struct prom_counters *counters,
                      enum prom_format fmt, time_t now);

#endif
