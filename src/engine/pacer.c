#include "engine/pacer.h"

#include <time.h>

void pacer_init(struct pacer *p, double rate)
{
	p->rate = rate > 0 ? rate : 0;
	/* Providers count whole requests per second: 3.5/s admits 3 in any
	 * one-second window, so a fractional rate above 1 paces at its floor. */
	double per_window = p->rate >= 1 ? (double)(long)p->rate : p->rate;
	p->interval_ns = p->rate > 0 ? (int64_t)(PACER_MARGIN / per_window * 1e9 + 0.5) : 0;
	/* Rounded up: never below the floor. */
	p->min_interval_ns = p->rate > 0 ? (int64_t)(PACER_MIN_MARGIN / per_window * 1e9) + 1 : 0;
	if (p->min_interval_ns > p->interval_ns)
		p->min_interval_ns = p->interval_ns;
	p->next_ns = INT64_MIN;
}

bool pacer_try_take(struct pacer *p, int64_t now_ns)
{
	if (p->interval_ns == 0)
		return true;
	if (now_ns < p->next_ns)
		return false;
	/* A busy key keeps to its planned grid, so wake-ups that come a
	 * little late (timers round up to the millisecond; the scheduler adds
	 * its own) do not add up over 600 requests; the next start still
	 * comes at least min_interval after this one, so no second holds more
	 * than the rate. A key that was idle starts a new grid from now. */
	bool busy = p->next_ns != INT64_MIN && now_ns - p->next_ns < p->interval_ns;
	int64_t next = now_ns + p->interval_ns;
	if (busy) {
		next = p->next_ns + p->interval_ns;
		if (next < now_ns + p->min_interval_ns)
			next = now_ns + p->min_interval_ns;
	}
	p->next_ns = next;
	return true;
}

int64_t pacer_wait_ns(const struct pacer *p, int64_t now_ns)
{
	if (p->interval_ns == 0 || now_ns >= p->next_ns)
		return 0;
	return p->next_ns - now_ns;
}

int64_t pacer_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
