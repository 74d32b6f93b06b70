/* A minimal TAP producer for the unit tests (automake's tap-driver reads
 * it). Usage: ok(cond, "name %d", x); is_str(got, want, "name");
 * done_testing() prints the plan and returns the exit code. */
#ifndef TLSFLEET_TAP_H
#define TLSFLEET_TAP_H
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3), unused))
static int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

__attribute__((unused))
static int is_str(const char *got, const char *want, const char *name)
{
	int same = (got == NULL && want == NULL) ||
	           (got && want && strcmp(got, want) == 0);

	if (!ok(same, "%s", name)) {
		printf("#   got:  %s%s%s\n", got ? "'" : "", got ? got : "NULL", got ? "'" : "");
		printf("#   want: %s%s%s\n", want ? "'" : "", want ? want : "NULL", want ? "'" : "");
	}
	return same;
}

__attribute__((unused))
static int is_int(long long got, long long want, const char *name)
{
	if (!ok(got == want, "%s", name))
		printf("#   got: %lld, want: %lld\n", got, want);
	return got == want;
}

__attribute__((format(printf, 1, 2), unused))
static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

__attribute__((unused))
static int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
