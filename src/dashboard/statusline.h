/* The bottom line and the message log behind it. Messages come from the
 * engine (downloads saved or failed) and from the dashboard itself; every
 * one is sanitised and has URL queries redacted before it is kept, so no
 * presigned link or escape sequence reaches the screen. An error stays on
 * the line at least STATUSLINE_ERROR_MS, an informational message
 * STATUSLINE_INFO_MS, unless a newer message replaces it.
 *
 * Ownership: the statusline owns its messages; statusline_free() frees
 * them. Times are passed in (wall clock for the log, a monotonic
 * millisecond clock for display), so the logic is testable. */
#ifndef TLSFLEET_STATUSLINE_H
#define TLSFLEET_STATUSLINE_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define STATUSLINE_LOG_MAX 200
#define STATUSLINE_ERROR_MS 8000
#define STATUSLINE_INFO_MS 4000

struct status_msg {
	time_t at;
	bool error;
	char *text;
};

struct statusline {
	struct status_msg log[STATUSLINE_LOG_MAX];
	size_t head;              /* next slot to write */
	size_t count;
	long long shown_until;    /* monotonic ms; 0 = nothing shown */
	bool shown_error;
	char *shown;              /* own copy: the log may wrap meanwhile */
	unsigned long seq;        /* bumped on every post (log view refresh) */
};

void statusline_init(struct statusline *s);
void statusline_free(struct statusline *s);

/* Keep and show a message. */
void statusline_post(struct statusline *s, time_t now, long long now_ms, bool error,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Keep a message in the log only, without showing it on the line (refresh
 * failures: the table already marks them, and a fleet of failures would
 * otherwise hide every other message). */
void statusline_log(struct statusline *s, time_t now, bool error,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* i = 0 is the oldest kept message. */
size_t statusline_log_count(const struct statusline *s);
const struct status_msg *statusline_log_get(const struct statusline *s, size_t i);

/* True once, when the shown message's time has just run out. */
bool statusline_expire(struct statusline *s, long long now_ms);
/* Milliseconds until the shown message expires, -1 if none is shown. */
long statusline_next_ms(const struct statusline *s, long long now_ms);

/* Draw the status line on screen row y: the message if one is showing,
 * else hints (key hints, borrowed). */
void statusline_draw(const struct statusline *s, int y, int cols, long long now_ms,
                     const char *hints);

#endif
