/* The time parsers: ISO 8601, Tencent's zone-less CST and HTTP dates. A
 * parsed time must format and, within the formatters' range, parse back
 * to itself. */
#include "fuzz.h"
#include "core/fleet.h"
#include "core/timefmt.h"

#include <stdlib.h>
#include <string.h>

/* 0000-01-01 .. 9999-12-31 23:59:59, the formatters' unclamped range. */
#define YEAR0    (-62167219200LL)
#define YEAR9999 (253402300799LL)

static void round_trip(time_t t)
{
	char iso[21], sdk[17];

	timefmt_iso_utc(t, iso);
	timefmt_sdk_date(t, sdk);
	if (strlen(iso) != 20 || strlen(sdk) != 16)
		abort();
	if ((long long)t >= 0 && (long long)t <= YEAR9999) {
		time_t back;
		if (!timefmt_parse_iso8601(iso, &back) || back != t)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	time_t t;

	if (timefmt_parse_iso8601(s, &t))
		round_trip(t);
	if (timefmt_parse_cst(s, &t))
		round_trip(t);
	if (timefmt_parse_http_date(s, &t))
		round_trip(t);
	free(s);
	return 0;
}
