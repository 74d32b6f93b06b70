/* cJSON trees printed the way cJSON_Print() prints them (tabs,
 * "key":\tvalue, arrays on one line with ", ") or, compact, the way
 * cJSON_PrintUnformatted() does, byte for byte, but appended to a strbuf
 * the caller reuses. Why not cJSON_PrintPreallocated: it measures and
 * re-scans every string, prints every number through sprintf and sscanf,
 * and was 29k instructions per --list instance at 10k instances
 * (callgrind), more than half of the JSON report's cost.
 *
 * Ownership: the tree stays the caller's; the bytes are appended to sb,
 * which the caller owns and frees. */
#ifndef TLSFLEET_JSONPRINT_H
#define TLSFLEET_JSONPRINT_H
#include "core/strbuf.h"

#include <cjson/cJSON.h>

/* Append item formatted as cJSON_Print(item) would. 0, or -1 when cJSON
 * itself would refuse to print it (a raw or invalid node without text);
 * sb then holds part of it. */
int jsonprint_append(struct strbuf *sb, const cJSON *item);

/* A string value's replacement: a new string to print instead (freed by
 * the printer), or NULL to print it as it is. */
typedef char *(*jsonprint_filter)(const char *s);
/* Append item as cJSON_PrintUnformatted(item) would, each string value
 * (not key) passed through filter first when there is one. */
int jsonprint_append_compact(struct strbuf *sb, const cJSON *item, jsonprint_filter filter);
/* Append s as a JSON string with cJSON's escapes (NULL prints ""). */
void jsonprint_string(struct strbuf *sb, const char *s);

#endif
