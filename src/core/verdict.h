/* The verdict: the --check rules (tlsfleet(1), "CHECK RULES") computed once
 * per instance, for --check, the JSON/CSV `check` key, the Prometheus
 * exporter and the dashboard alike. Pure: no I/O, no curl, no curses.
 * Ownership: struct verdict's reason is a new string the caller frees
 * (verdict_clear); inputs are borrowed for the call. */
#ifndef TLSFLEET_VERDICT_H
#define TLSFLEET_VERDICT_H
#include <stdbool.h>
#include <time.h>
#include "core/fleet.h"
#include "core/probe_result.h"

/* Values are the monitoring-plugin exit codes. */
enum verdict_status {
	VERDICT_OK = 0,
	VERDICT_WARNING = 1,
	VERDICT_CRITICAL = 2,
	VERDICT_UNKNOWN = 3,
	VERDICT_COUNT
};

struct verdict {
	enum verdict_status status;
	char *reason;     /* new string; never NULL after verdict_compute */
};

/* Everything the rules look at, so a table of cases needs no fleet. */
struct verdict_input {
	enum tls_state state;
	const struct api_error *error;  /* may be NULL */
	time_t ca_expires;              /* TIME_NONE = unknown */
	int warn_days, crit_days;       /* effective (instance, else global) */
	bool require_tls;
	enum probe_result probe;        /* PROBE_NONE = never probed */
	time_t leaf_expires;            /* probed server certificate; TIME_NONE = none */
	const char *not_probed;         /* why a probe that is on cannot run (instance_not_probed),
	                                   or NULL; added to the reason, never to the status */
};

const char *verdict_status_name(enum verdict_status s);  /* "OK" ... */
/* What --check makes of a probe result for an instance with TLS on. */
enum verdict_status probe_result_verdict(enum probe_result r);
/* Rank for "worst wins" and worst-first sorting:
 * CRITICAL 3 > WARNING 2 > UNKNOWN 1 > OK 0. */
int verdict_severity(enum verdict_status s);
/* The worse of two statuses. */
enum verdict_status verdict_worse(enum verdict_status a, enum verdict_status b);

void verdict_compute(const struct verdict_input *in, time_t now, struct verdict *out);
/* The input for an instance: its state, CA expiry, effective thresholds
 * (instance settings, else the fleet's after the command line), probe
 * (see verdict_probe_of) and whether it is probed at all. */
void verdict_input_of(const struct fleet *f, const struct instance *in, struct verdict_input *out);
void verdict_clear(struct verdict *v);

/* The live TLS probe's part: probe and leaf_expires from st.probe
 * (PROBE_NONE / TIME_NONE when never probed). */
void verdict_probe_of(const struct instance *in, struct verdict_input *out);

/* The verdict of one instance with the fleet's thresholds. reason may be
 * NULL when only the status is wanted (no allocation then). */
enum verdict_status verdict_of(const struct fleet *f, const struct instance *in, time_t now,
                               char **reason);

#endif
