/* Headless output: --list in table, JSON or CSV (the contract in tlsfleet(1), OUTPUT). */
#ifndef TLSFLEET_REPORT_H
#define TLSFLEET_REPORT_H
#include <stdio.h>
#include <cjson/cJSON.h>
#include "core/fleet.h"

enum report_format { REPORT_TABLE, REPORT_JSON, REPORT_CSV, REPORT_PROMETHEUS };

bool report_format_from_name(const char *name, enum report_format *out);
void report_list(FILE *out, const struct fleet *f, enum report_format fmt, time_t now);
/* --list exit code: 0 when every instance ended in a definite state. */
int report_list_exit_code(const struct fleet *f);
/* Every text field of the table and CSV goes through textsafe_plain()
 * (core/textsafe.h); URLs through textsafe_redact_url(). */

#endif
