#include "core/timefmt.h"

#include <stdio.h>
#include <string.h>

/* The calendar is glibc's: timegm() and gmtime_r() are proleptic
 * Gregorian, ignore TZ and, with a 64-bit time_t, cover years 0..9999
 * and past 2038. What is left here is the parsing of the providers'
 * formats, which strptime() cannot do strictly enough (it accepts one-digit
 * fields and leading blanks, and depends on the locale for names). */

time_t timefmt_timegm(const struct tm *tm)
{
	/* timegm() normalises its argument: work on a copy. Out-of-range
	 * fields carry over (month 12 is next January, Feb 30 is Mar 1). */
	struct tm t = *tm;

	t.tm_isdst = 0;
	return timegm(&t);
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

static time_t make_time(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
	                .tm_hour = h, .tm_min = mi, .tm_sec = s};

	return timegm(&tm);
}

/* A real date and time: timegm() would carry Feb 30 into March, so the
 * day must come back unchanged. Second 60 is a leap second: it carries
 * into the next minute. */
static bool valid_fields(int y, int mo, int d, int h, int mi, int s)
{
	struct tm back;
	time_t day;

	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return false;
	day = make_time(y, mo, d, 0, 0, 0);
	return gmtime_r(&day, &back) && back.tm_mday == d;
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
static void split_utc(time_t t, struct tm *tm)
{
	/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z, what timegm() gives
	 * for them; constants, as a 100k-row table formats every date. */
	const time_t min = (time_t)-62167219200LL, max = (time_t)253402300799LL;

	if (t < min)
		t = min;
	if (t > max)
		t = max;
	gmtime_r(&t, tm);
}

void timefmt_iso_utc(time_t t, char out[21])
{
	struct tm tm;

	if (t == TIME_NONE) {
		out[0] = '\0';
		return;
	}
	split_utc(t, &tm);
	/* Every signature and report time goes through here (three times
	 * per instance in a --list): digits by hand, not snprintf plus
	 * strftime (5k instructions a call, callgrind). Same bytes. */
	if (tm.tm_year + 1900 >= 0 && tm.tm_year + 1900 <= 9999) {
		int f[] = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
		char *o = out;

		*o++ = (char)('0' + f[0] / 1000);
		*o++ = (char)('0' + f[0] / 100 % 10);
		for (int i = 0; i < 6; i++) {
			*o++ = (char)('0' + f[i] / 10 % 10);
			*o++ = (char)('0' + f[i] % 10);
			*o++ = "--T::Z"[i];
		}
		*o = '\0';
		return;
	}
	/* "%Y" does not pad years below 1000: the year is ours to print. */
	snprintf(out, 21, "%04d-", tm.tm_year + 1900);
	strftime(out + 5, 16, "%m-%dT%H:%M:%SZ", &tm);
}

void timefmt_sdk_date(time_t t, char out[17])
{
	struct tm tm;

	if (t == TIME_NONE) {
		out[0] = '\0';
		return;
	}
	split_utc(t, &tm);
	snprintf(out, 17, "%04d", tm.tm_year + 1900);
	strftime(out + 4, 13, "%m%dT%H%M%SZ", &tm);
}
