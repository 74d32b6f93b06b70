/* Test fixtures live under tests/ and are found through $top_srcdir (set
 * by make check), so the suite works from any build directory. */
#ifndef TLSFLEET_FIXTURES_H
#define TLSFLEET_FIXTURES_H
#include "core/fleet.h"
#include <stddef.h>
#include <cjson/cJSON.h>

/* Path of tests/<rel>; new string. */
char *fixture_path(const char *rel);
/* Whole file, NUL-terminated; *len may be NULL. Exits the test on error. */
char *fixture_read(const char *rel, size_t *len);
/* Parsed JSON file; exits the test on error. */
cJSON *fixture_json(const char *rel);

/* A test account and instance of that provider and service (names
 * "acct-1"/"inst-1", rate 20, thresholds from the fleet); region and id
 * are borrowed. Both structs are cleared first. */
void fixture_setup(struct account *a, struct instance *in, enum provider_kind p,
                      enum service_kind s, const char *region, const char *id);

#endif
