/* Test fixtures live under tests/ and are found through $top_srcdir (set
 * by make check), so the suite works from any build directory. */
#ifndef TLSFLEET_FIXTURES_H
#define TLSFLEET_FIXTURES_H
#include <stddef.h>
#include <cjson/cJSON.h>

/* Path of tests/<rel>; new string. */
char *fixture_path(const char *rel);
/* Whole file, NUL-terminated; *len may be NULL. Exits the test on error. */
char *fixture_read(const char *rel, size_t *len);
/* Parsed JSON file; exits the test on error. */
cJSON *fixture_json(const char *rel);

#endif
