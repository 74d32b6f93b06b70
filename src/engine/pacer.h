/* Request pacing per (account, product, API action): starts spaced evenly,
 * every PACER_MARGIN / rate seconds on a busy key's grid and never closer than
 * PACER_MIN_MARGIN / rate to each other, so no second ever holds more than
 * `rate` starts (retries included) and a large fleet uses the whole budget
 * without gaps or drift. Times are monotonic nanoseconds. */
#ifndef TLSFLEET_PACER_H
#define TLSFLEET_PACER_H
#include <stdbool.h>
#include <stdint.h>

/* 4% headroom (40 ms a second at 20/s) against the provider's counting
 * window and arrival jitter; 600 requests at 20/s still take <= 1.05 x 30 s. */
#define PACER_MARGIN 1.04
/* The contract's floor (docs/ARCHITECTURE.md, "Pacing"): starts never closer than 1.02 / rate,
 * even when a late wake-up is made up for. */
#define PACER_MIN_MARGIN 1.02

struct pacer {
	double rate;          /* requests/s; 0 = unlimited */
	int64_t interval_ns;  /* spacing between starts */
	int64_t min_interval_ns; /* never closer than this to the previous start */
	int64_t next_ns;      /* earliest next start */
};

void pacer_init(struct pacer *p, double rate);
/* May a request start at now_ns? If so, the start is recorded. */
bool pacer_try_take(struct pacer *p, int64_t now_ns);
/* Nanoseconds until a start is allowed (0 = now). */
int64_t pacer_wait_ns(const struct pacer *p, int64_t now_ns);
/* Monotonic clock in ns. */
int64_t pacer_now_ns(void);

#endif
