#include "pacer.h"

#include <time.h>

void pacer_init(struct pacer *p, double rate)
{
	p->rate = rate > 0 ? rate : 0;
	/* Providers count whole requests per second: 3.5/s admits 3 in any
	 * one-second window, so a fractional rate above 1 paces at its floor. */
	double per_window = p->rate >= 1 ? (double)(long)p->rate : p->rate;
	p->interval_ns = p->rate > 0 ? (int64_t)(PACER_MARGIN / per_window * 1e9 + 0.5) : 0;
	p->next_ns = INT64_MIN;
}

bool pacer_try_take(struct pacer *p, int64_t now_ns)
{
	if (p->interval_ns == 0)
		return true;
	if (now_ns < p->next_ns)
		return false;
	/* Space from the actual start, not the planned one: a late wake-up
	 * must not let the next start come sooner than one interval after. */
	p->next_ns = now_ns + p->interval_ns;
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
