/* --check: the monitoring-plugin output (tlsfleet(1), "CHECK OUTPUT") built
 * from the per-instance verdicts of core/verdict.h. Writes to the caller's
 * stream; allocates nothing that outlives a call. */
#ifndef TLSFLEET_CHECK_H
#define TLSFLEET_CHECK_H
#include <stdio.h>
#include "core/fleet.h"

/* How many non-OK instances the first line names before "+N more". */
#define CHECK_FIRST_LINE_NAMES 3

/* Print the first line (status, worst instances, census, perfdata) and one
 * line per non-OK instance, worst first; returns the plugin exit code
 * (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; UNKNOWN for an empty fleet). */
int check_report(FILE *out, const struct fleet *f, time_t now);

#endif
