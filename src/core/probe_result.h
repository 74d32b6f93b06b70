/* The results of a live TLS probe: one enum for the probe module, the
 * model and the verdict, from the one table core/probe_results.def, and
 * the leaf certificate the probe saw (shared by src/probe, the model and
 * the state file). Names are static strings; a struct probe_leaf owns its
 * strings (probe_leaf_free). */
#ifndef TLSFLEET_PROBE_RESULT_H
#define TLSFLEET_PROBE_RESULT_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum probe_result {
	PROBE_NONE = 0,   /* never probed */
#define PROBE(id, name, verdict, meaning) PROBE_##id,
#include "core/probe_results.def"
#undef PROBE
	PROBE_RESULT_COUNT
};

/* "ok" ...; NULL for PROBE_NONE or out of range. */
const char *probe_result_name(enum probe_result r);
/* One line saying what the result means. */
const char *probe_result_meaning(enum probe_result r);
bool probe_result_from_name(const char *name, enum probe_result *out);

/* The server certificate a probe saw. */
struct probe_leaf {
	char *subject;            /* RFC 2253, as in certinfo */
	char *issuer;
	time_t not_before;        /* UTC; TIME_NONE (core/fleet.h) if unreadable */
	time_t not_after;
	long days_left;           /* floor((not_after - now) / 1 day) at the probe */
	char sha256[65];          /* lowercase hex of the DER */
	char **san;               /* DNS names and IP addresses, certificate order */
	size_t n_san;
};

void probe_leaf_free(struct probe_leaf *leaf);

#endif
