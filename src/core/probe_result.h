/* The results of a live TLS probe: one enum for the probe module, the
 * model and the verdict, from the one table core/probe_results.def.
 * Names are static strings. */
#ifndef TLSFLEET_PROBE_RESULT_H
#define TLSFLEET_PROBE_RESULT_H
#include <stdbool.h>

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

#endif
