/* timefmt: the providers' time formats, independent of TZ and locale. */
#include "tap.h"
#include "core/timefmt.h"
#include "core/fleet.h"

#include <stdlib.h>
#include <time.h>

static void iso_is(const char *in, long long want, const char *name)
{
	time_t t = 12345;
	bool got = timefmt_parse_iso8601(in, &t);

	if (ok(got, "iso8601 parses %s (%s)", in, name))
		is_int((long long)t, want, name);
	else
		ok(0, "%s: value", name);
}

static void iso_bad(const char *in, const char *name)
{
	time_t t = 777;
	bool got = timefmt_parse_iso8601(in, &t);

	ok(!got && t == 777, "iso8601 rejects %s '%s' and leaves out alone", name, in ? in : "NULL");
}

static void cst_bad(const char *in, const char *name)
{
	time_t t = 777;

	ok(!timefmt_parse_cst(in, &t) && t == 777, "cst rejects %s '%s'", name, in ? in : "NULL");
}

static void http_is(const char *in, long long want, const char *name)
{
	time_t t = 0;

	ok(timefmt_parse_http_date(in, &t) && (long long)t == want, "http date %s: %s", name, in);
}

static void http_bad(const char *in, const char *name)
{
	time_t t = 777;

	ok(!timefmt_parse_http_date(in, &t) && t == 777, "http date rejects %s '%s'", name,
	   in ? in : "NULL");
}

static void fmt_is(time_t t, const char *iso, const char *sdk)
{
	char a[21], b[17];

	timefmt_iso_utc(t, a);
	timefmt_sdk_date(t, b);
	is_str(a, iso, iso);
	is_str(b, sdk, sdk);
}

/* A struct tm round trip against the formatter for many dates. */
static void check_timegm(void)
{
	struct tm tm = {0};

	tm.tm_year = 70;
	tm.tm_mday = 1;
	is_int((long long)timefmt_timegm(&tm), 0, "timegm epoch");

	tm = (struct tm){.tm_year = 138, .tm_mon = 0, .tm_mday = 19, .tm_hour = 3,
	                 .tm_min = 14, .tm_sec = 8};
	is_int((long long)timefmt_timegm(&tm), 2147483648LL, "timegm 2038-01-19T03:14:08Z (2^31)");

	tm = (struct tm){.tm_year = 124, .tm_mon = 1, .tm_mday = 29};
	is_int((long long)timefmt_timegm(&tm), 1709164800LL, "timegm leap day 2024-02-29");

	/* Out-of-range fields carry over like timegm(3). */
	tm = (struct tm){.tm_year = 123, .tm_mon = 12, .tm_mday = 1};
	is_int((long long)timefmt_timegm(&tm), 1704067200LL, "timegm month 12 -> next January");
	tm = (struct tm){.tm_year = 124, .tm_mon = -1, .tm_mday = 1};
	is_int((long long)timefmt_timegm(&tm), 1701388800LL, "timegm month -1 -> previous December");
	tm = (struct tm){.tm_year = 124, .tm_mon = 1, .tm_mday = 30};
	is_int((long long)timefmt_timegm(&tm), 1709251200LL, "timegm Feb 30 2024 -> Mar 1");
	tm = (struct tm){.tm_year = 124, .tm_mon = 0, .tm_mday = 1, .tm_hour = 24, .tm_sec = -1};
	is_int((long long)timefmt_timegm(&tm), 1704153599LL, "timegm hour 24, sec -1");

	tm = (struct tm){.tm_year = 9999 - 1900, .tm_mon = 11, .tm_mday = 31, .tm_hour = 23,
	                 .tm_min = 59, .tm_sec = 59};
	is_int((long long)timefmt_timegm(&tm), 253402300799LL, "timegm 9999-12-31T23:59:59");

	/* Every day from 1970 to 2500 against the formatter: day counting and
	 * calendar must agree, leap rules included. */
	int bad = 0;
	for (long long d = 0; d < 194000; d += 1) {
		char buf[21];
		time_t t = (time_t)(d * 86400 + 3723);
		time_t back = 0;

		timefmt_iso_utc(t, buf);
		if (!timefmt_parse_iso8601(buf, &back) || back != t) {
			if (bad++ < 3)
				diag("round trip failed at %s", buf);
		}
	}
	is_int(bad, 0, "format/parse round trip for every day 1970..2500");
	/* Years of fewer than four digits are zero-padded, the edge of the
	 * four-digit years is exact (digits written by hand). */
	static const char *const edges[] = {
		"0999-03-04T05:06:07Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
		"2000-02-29T12:00:09Z", "1969-12-31T23:59:59Z",
	};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		char buf[21] = "";
		time_t t = 0;
		ok(timefmt_parse_iso8601(edges[i], &t), "parses %s", edges[i]);
		timefmt_iso_utc(t, buf);
		is_str(buf, edges[i], edges[i]);
	}
}

int main(void)
{
	/* No TZ influence: set a zone with DST and an odd offset. */
	setenv("TZ", "America/St_Johns", 1);
	tzset();

	/* ---- ISO 8601 / RFC 3339 ---- */
	iso_is("2022-06-15T02:21:18.669Z", 1655259678LL, "Huawei ssl_expired_at with millis");
	iso_is("2020-08-05T09:05:53Z", 1596618353LL, "Alibaba SSLExpiredTime");
	iso_is("2026-01-15T08:30:00Z", 1768465800LL, "vector timestamp");
	iso_is("2042-06-16T20:29:32+08:00", 2286534572LL, "offset +08:00");
	iso_is("2042-06-16T20:29:32+0800", 2286534572LL, "offset +0800 (basic)");
	iso_is("2042-06-16T07:29:32-05:00", 2286534572LL, "offset -05:00");
	iso_is("2024-02-29T00:00:00Z", 1709164800LL, "leap day 2024");
	iso_is("2000-02-29T12:00:00Z", 951825600LL, "leap day 2000 (divisible by 400)");
	iso_is("2038-01-19T03:14:08Z", 2147483648LL, "2038 boundary + 1");
	iso_is("2038-01-19T03:14:07Z", 2147483647LL, "2038 boundary");
	iso_is("2106-02-07T06:28:16Z", 4294967296LL, "2^32");
	iso_is("9999-12-31T23:59:59Z", 253402300799LL, "year 9999");
	iso_is("1970-01-01T00:00:00Z", 0, "epoch");
	iso_is("1970-01-01T00:00:00+01:00", -3600, "before the epoch via offset");
	iso_is("2024-12-31T23:59:59.999999999Z", 1735689599LL, "nanoseconds dropped");
	iso_is("2024-06-30T23:59:60Z", 1719792000LL, "leap second carries over");
	iso_is("2024-03-10t10:00:00z", 1710064800LL, "lower-case t and z");
	iso_bad("2100-02-29T00:00:00Z", "2100 is not a leap year");
	iso_bad("2023-02-29T00:00:00Z", "2023-02-29");
	iso_bad("2024-04-31T00:00:00Z", "April 31");
	iso_bad("2024-13-01T00:00:00Z", "month 13");
	iso_bad("2024-00-10T00:00:00Z", "month 0");
	iso_bad("2024-01-00T00:00:00Z", "day 0");
	iso_bad("2024-01-01T24:00:00Z", "hour 24");
	iso_bad("2024-01-01T23:60:00Z", "minute 60");
	iso_bad("2024-01-01T23:59:61Z", "second 61");
	iso_bad("2024-01-01T00:00:00", "no zone");
	iso_bad("2024-01-01 00:00:00Z", "space separator");
	iso_bad("2024-01-01T00:00:00Zjunk", "trailing junk");
	iso_bad("2024-01-01T00:00:00Z ", "trailing space");
	iso_bad("2024-01-01T00:00:00.Z", "empty fraction");
	iso_bad("2024-01-01T00:00:00+8:00", "one-digit offset");
	iso_bad("2024-01-01T00:00:00+24:00", "offset hour 24");
	iso_bad("2024-01-01T00:00:00+08:60", "offset minute 60");
	iso_bad("24-01-01T00:00:00Z", "two-digit year");
	iso_bad("2024-1-01T00:00:00Z", "one-digit month");
	iso_bad("garbage", "garbage");
	iso_bad("", "empty string");
	iso_bad(NULL, "NULL");
	iso_bad("2024-01-01", "date only");
	iso_bad("2024-01-01T00:00Z", "no seconds");
	iso_bad("２０２４-01-01T00:00:00Z", "full-width digits");

	/* ---- Tencent's zone-less China Standard Time ---- */
	{
		time_t t = 0;
		char buf[21];

		ok(timefmt_parse_cst("2042-06-16 20:29:32", &t), "cst parses Tencent UrlExpiredTime");
		timefmt_iso_utc(t, buf);
		is_str(buf, "2042-06-16T12:29:32Z", "UTC+8 -> 2042-06-16T12:29:32Z");
		ok(timefmt_parse_cst("2024-03-01 07:59:59", &t), "cst across midnight");
		timefmt_iso_utc(t, buf);
		is_str(buf, "2024-02-29T23:59:59Z", "CST early morning is the previous UTC day");
		ok(timefmt_parse_cst("1970-01-01 08:00:00", &t) && t == 0, "cst 08:00 is the epoch");
	}
	cst_bad("0000-00-00 00:00:00", "Tencent's null date");
	cst_bad("2042-06-16T20:29:32", "T separator");
	cst_bad("2042-06-16 20:29:32Z", "trailing zone");
	cst_bad("2042-06-16 20:29", "no seconds");
	cst_bad("2100-02-29 00:00:00", "2100-02-29");
	cst_bad("", "empty");
	cst_bad(NULL, "NULL");

	/* ---- HTTP dates ---- */
	http_is("Sun, 06 Nov 1994 08:49:37 GMT", 784111777LL, "IMF-fixdate");
	http_is("Sunday, 06-Nov-94 08:49:37 GMT", 784111777LL, "rfc850");
	http_is("Sun Nov  6 08:49:37 1994", 784111777LL, "asctime");
	http_is("Thu, 29 Feb 2024 23:59:59 GMT", 1709251199LL, "IMF-fixdate leap day");
	http_is("Tue, 19 Jan 2038 03:14:08 GMT", 2147483648LL, "IMF-fixdate 2038");
	http_bad("Sun, 06 Nov 1994 08:49:37 UTC", "zone other than GMT");
	http_bad("Sun, 6 Nov 1994 08:49:37 GMT", "one-digit day");
	http_bad("Sun, 06 Foo 1994 08:49:37 GMT", "bad month");
	http_bad("Xyz, 06 Nov 1994 08:49:37 GMT", "bad weekday");
	http_bad("Sun, 30 Feb 1994 08:49:37 GMT", "Feb 30");
	http_bad("Sun, 06 Nov 1994 08:49:37 GMT junk", "trailing junk");
	http_bad("", "empty");
	http_bad(NULL, "NULL");

	/* ---- formatting ---- */
	fmt_is(0, "1970-01-01T00:00:00Z", "19700101T000000Z");
	fmt_is(1768465800, "2026-01-15T08:30:00Z", "20260115T083000Z");
	fmt_is(1709164800, "2024-02-29T00:00:00Z", "20240229T000000Z");
	fmt_is(2147483648LL, "2038-01-19T03:14:08Z", "20380119T031408Z");
	fmt_is(4107542399LL, "2100-02-28T23:59:59Z", "21000228T235959Z");
	fmt_is(4107542400LL, "2100-03-01T00:00:00Z", "21000301T000000Z");
	fmt_is(253402300799LL, "9999-12-31T23:59:59Z", "99991231T235959Z");
	fmt_is(-1, "1969-12-31T23:59:59Z", "19691231T235959Z");
	fmt_is((time_t)9000000000000LL, "9999-12-31T23:59:59Z", "99991231T235959Z");
	{
		char a[21] = "x", b[17] = "x";

		timefmt_iso_utc(TIME_NONE, a);
		timefmt_sdk_date(TIME_NONE, b);
		ok(a[0] == '\0' && b[0] == '\0', "TIME_NONE formats as the empty string");
	}

	check_timegm();
	return done_testing();
}
