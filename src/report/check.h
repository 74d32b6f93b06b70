/* --check: monitoring-plugin verdicts (DESIGN §4). */
#ifndef TLSFLEET_CHECK_H
#define TLSFLEET_CHECK_H
#include <stdio.h>
#include "core/fleet.h"

enum check_status { CHECK_OK = 0, CHECK_WARNING = 1, CHECK_CRITICAL = 2, CHECK_UNKNOWN = 3 };

const char *check_status_name(enum check_status s);
/* Verdict for one instance; *reason (new string) says why. */
enum check_status check_instance(const struct fleet *f, const struct instance *in, time_t now,
                                 char **reason);
/* Print the summary line, perfdata and one line per non-OK instance;
 * returns the plugin exit code. */
int check_report(FILE *out, const struct fleet *f, time_t now);

#endif
