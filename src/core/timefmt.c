#include "core/timefmt.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil): exact for every year, no TZ, no mktime. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

time_t timefmt_timegm(const struct tm *tm)
{
	/* Like timegm(), out-of-range fields carry over: months into years
	 * here, the rest by plain arithmetic. */
	int64_t y = (int64_t)tm->tm_year + 1900;
	int64_t m = tm->tm_mon;

	y += m / 12;
	m %= 12;
	if (m < 0) {
		m += 12;
		y--;
	}
	int64_t days = days_from_civil(y, m + 1, 1) + tm->tm_mday - 1;

	return (time_t)(days * 86400 + (int64_t)tm->tm_hour * 3600 +
	                (int64_t)tm->tm_min * 60 + tm->tm_sec);
}

/* Exactly n decimal digits at *p; advances *p. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool lit(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static bool valid_fields(int y, int mo, int d, int h, int mi, int s)
{
	/* Second 60 is a leap second: it carries into the next minute. */
	return mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo) &&
	       h <= 23 && mi <= 59 && s <= 60;
}

static time_t make_time(int y, int mo, int d, int h, int mi, int s)
{
	return (time_t)(days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 +
	                (int64_t)mi * 60 + s);
}

/* "YYYY-MM-DD" then sep then "HH:MM:SS". */
static bool parse_date_time(const char **p, const char *seps, time_t *out)
{
	int y, mo, d, h, mi, s;

	if (!digits(p, 4, &y) || !lit(p, '-') || !digits(p, 2, &mo) || !lit(p, '-') ||
	    !digits(p, 2, &d))
		return false;
	if (!**p || !strchr(seps, **p))
		return false;
	(*p)++;
	if (!digits(p, 2, &h) || !lit(p, ':') || !digits(p, 2, &mi) || !lit(p, ':') ||
	    !digits(p, 2, &s))
		return false;
	if (!valid_fields(y, mo, d, h, mi, s))
		return false;
	*out = make_time(y, mo, d, h, mi, s);
	return true;
}

bool timefmt_parse_iso8601(const char *s, time_t *out)
{
	const char *p = s;
	time_t t;
	int oh, om, sign;

	if (!s || !parse_date_time(&p, "Tt", &t))
		return false;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		/* RFC 3339 wants "hh:mm"; "hhmm" is the ISO 8601 basic form. */
		if (!digits(&p, 2, &oh))
			return false;
		lit(&p, ':');
		if (!digits(&p, 2, &om) || oh > 23 || om > 59)
			return false;
		t -= sign * (oh * 3600 + om * 60);
	} else {
		return false;
	}
	if (*p)
		return false;
	*out = t;
	return true;
}

bool timefmt_parse_cst(const char *s, time_t *out)
{
	const char *p = s;
	time_t t;

	if (!s || !parse_date_time(&p, " ", &t) || *p)
		return false;
	*out = t - 8 * 3600;
	return true;
}

static const char *const month_names[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static const char *const day_names[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const long_day_names[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

static bool month_from_name(const char **p, int *mo)
{
	for (int i = 0; i < 12; i++) {
		if (strncmp(*p, month_names[i], 3) == 0) {
			*p += 3;
			*mo = i + 1;
			return true;
		}
	}
	return false;
}

static bool day_name(const char **p, const char *const *names)
{
	for (int i = 0; i < 7; i++) {
		size_t n = strlen(names[i]);
		if (strncmp(*p, names[i], n) == 0) {
			*p += n;
			return true;
		}
	}
	return false;
}

static bool hms(const char **p, int *h, int *mi, int *s)
{
	return digits(p, 2, h) && lit(p, ':') && digits(p, 2, mi) && lit(p, ':') &&
	       digits(p, 2, s);
}

bool timefmt_parse_http_date(const char *s, time_t *out)
{
	const char *p = s;
	int y, mo, d, h, mi, sec;

	if (!s)
		return false;
	/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 7231 7.1.1.1). */
	if (day_name(&p, day_names) && lit(&p, ',')) {
		if (!lit(&p, ' ') || !digits(&p, 2, &d) || !lit(&p, ' ') ||
		    !month_from_name(&p, &mo) || !lit(&p, ' ') || !digits(&p, 4, &y) ||
		    !lit(&p, ' ') || !hms(&p, &h, &mi, &sec) || strcmp(p, " GMT") != 0)
			return false;
		goto done;
	}
	/* The obsolete forms a recipient must still accept:
	 * rfc850 "Sunday, 06-Nov-94 08:49:37 GMT" and asctime
	 * "Sun Nov  6 08:49:37 1994". */
	p = s;
	if (day_name(&p, long_day_names) && lit(&p, ',')) {
		int yy;
		if (!lit(&p, ' ') || !digits(&p, 2, &d) || !lit(&p, '-') ||
		    !month_from_name(&p, &mo) || !lit(&p, '-') || !digits(&p, 2, &yy) ||
		    !lit(&p, ' ') || !hms(&p, &h, &mi, &sec) || strcmp(p, " GMT") != 0)
			return false;
		/* RFC 7231: a two-digit year more than 50 years ahead is in the
		 * past century; 1970-2069 covers every date this tool sees. */
		y = yy < 70 ? 2000 + yy : 1900 + yy;
		goto done;
	}
	p = s;
	if (day_name(&p, day_names) && lit(&p, ' ')) {
		if (!month_from_name(&p, &mo) || !lit(&p, ' '))
			return false;
		if (*p == ' ') {
			p++;
			if (!digits(&p, 1, &d))
				return false;
		} else if (!digits(&p, 2, &d)) {
			return false;
		}
		if (!lit(&p, ' ') || !hms(&p, &h, &mi, &sec) || !lit(&p, ' ') ||
		    !digits(&p, 4, &y) || *p)
			return false;
		goto done;
	}
	return false;
done:
	if (!valid_fields(y, mo, d, h, mi, sec))
		return false;
	*out = make_time(y, mo, d, h, mi, sec);
	return true;
}

/* Years 0..9999 fit the fixed-width formats; anything else is clamped so
 * the output never overflows its buffer. */
static void split_utc(time_t t, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
	const int64_t min = days_from_civil(0, 1, 1) * 86400;
	const int64_t max = days_from_civil(10000, 1, 1) * 86400 - 1;
	int64_t v = (int64_t)t, days, secs, yy;

	if (v < min)
		v = min;
	if (v > max)
		v = max;
	days = v >= 0 ? v / 86400 : -((-v + 86399) / 86400);
	secs = v - days * 86400;
	civil_from_days(days, &yy, mo, d);
	*y = (int)yy;
	*h = (int)(secs / 3600);
	*mi = (int)(secs / 60 % 60);
	*s = (int)(secs % 60);
}

void timefmt_iso_utc(time_t t, char out[21])
{
	int y, mo, d, h, mi, s;

	if (t == TIME_NONE) {
		out[0] = '\0';
		return;
	}
	split_utc(t, &y, &mo, &d, &h, &mi, &s);
	snprintf(out, 21, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
}

void timefmt_sdk_date(time_t t, char out[17])
{
	int y, mo, d, h, mi, s;

	if (t == TIME_NONE) {
		out[0] = '\0';
		return;
	}
	split_utc(t, &y, &mo, &d, &h, &mi, &s);
	snprintf(out, 17, "%04d%02d%02dT%02d%02d%02dZ", y, mo, d, h, mi, s);
}
