/* The JSON form of a probe result (tlsfleet(1), JSON key "probe"): written
 * by --list and the state file, read back from the state file. Pure: no
 * I/O.
 * Ownership: probe_status_json() returns a new cJSON item (the caller
 * attaches or deletes it); probe_status_from_json() fills a cleared
 * struct probe_status whose strings then belong to it. */
#ifndef TLSFLEET_PROBE_JSON_H
#define TLSFLEET_PROBE_JSON_H
#include <stdbool.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "core/fleet.h"

/* null when never probed, else {at, host, port, verify_name, result, error,
 * tls_version, leaf}; leaf null or {subject, issuer, not_after, days_left,
 * sha256, san}. days_left counts from now. */
cJSON *probe_status_json(const struct probe_status *p, time_t now);
/* false (out left cleared) when j is malformed; null/absent is a valid
 * "never probed". */
bool probe_status_from_json(const cJSON *j, struct probe_status *out);

#endif
