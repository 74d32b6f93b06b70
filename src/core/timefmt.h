/* The providers' time formats and ours, all to/from time_t UTC. Valid for
 * years 1970..9999 on 64-bit time_t (2038+ included). */
#ifndef TLSFLEET_TIMEFMT_H
#define TLSFLEET_TIMEFMT_H
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* "No time known". Every time_t in the model uses it for null. */
#define TIME_NONE ((time_t)INT64_MIN)

/* timegm(3) on a copy of tm (timegm normalises its argument): no TZ, no
 * locale; out-of-range fields carry over. */
time_t timefmt_timegm(const struct tm *tm);
/* ISO 8601 / RFC 3339: "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)". A
 * zone is required. Sub-seconds dropped. */
bool timefmt_parse_iso8601(const char *s, time_t *out);
/* Zone-less "YYYY-MM-DD HH:MM:SS" in China Standard Time (UTC+8), as one
 * provider's API writes it. */
bool timefmt_parse_cst(const char *s, time_t *out);
/* HTTP Date (IMF-fixdate, RFC 7231), e.g. "Sun, 06 Nov 1994 08:49:37 GMT". */
bool timefmt_parse_http_date(const char *s, time_t *out);
/* "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). TIME_NONE gives "";
 * times outside years 0..9999 are clamped into them (both formatters). */
void timefmt_iso_utc(time_t t, char out[21]);
/* The APIG signer's X-Sdk-Date "YYYYMMDDTHHMMSSZ" into out (at least 17 bytes). */
void timefmt_sdk_date(time_t t, char out[17]);

#endif
