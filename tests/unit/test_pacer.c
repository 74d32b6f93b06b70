/* The pacer's promise: never more than `rate` starts in any 1-second
 * window, and a busy key uses its whole budget (no idle gaps). Driven by a
 * simulated clock, so it tests the arithmetic, not the machine's speed. */
#include "engine/pacer.h"
#include "tap.h"

#include <stdlib.h>

#define NS 1000000000LL

/* Simulate a loop that wakes every `tick_ns` and starts as many requests
 * as the pacer allows, for `n` requests. Returns the time of the last. */
static int64_t simulate(double rate, int n, int64_t tick_ns, int64_t *starts)
{
	struct pacer p;
	int64_t now = 5 * NS;
	int done = 0;

	pacer_init(&p, rate);
	while (done < n) {
		while (done < n && pacer_try_take(&p, now))
			starts[done++] = now;
		int64_t wait = pacer_wait_ns(&p, now);
		now += wait > 0 ? (wait < tick_ns ? tick_ns : wait) : tick_ns;
	}
	return starts[n - 1];
}

static int max_in_window(const int64_t *starts, int n, int64_t window)
{
	int best = 0, lo = 0;

	for (int hi = 0; hi < n; hi++) {
		while (starts[hi] - starts[lo] >= window)
			lo++;
		if (hi - lo + 1 > best)
			best = hi - lo + 1;
	}
	return best;
}

int main(void)
{
	int64_t *starts = malloc(sizeof(*starts) * 2000);
	struct pacer p;

	/* 600 requests at 20/s with an exact clock. */
	int64_t last = simulate(20, 600, 1, starts);
	ok(max_in_window(starts, 600, NS) <= 20, "exact clock: at most 20 starts in any second (got %d)",
	   max_in_window(starts, 600, NS));
	double wall = (double)(last - starts[0] + (int64_t)(PACER_MARGIN / 20 * NS)) / NS;
	ok(wall <= 1.05 * 600 / 20, "600 at 20/s take %.2f s <= 31.5 s", wall);
	ok(max_in_window(starts, 600, NS) >= 19, "the budget is used (>= 19 per second)");

	/* A coarse, jittery loop (wakes every 7 ms) never exceeds the rate. */
	simulate(20, 600, 7000000, starts);
	ok(max_in_window(starts, 600, NS) <= 20, "7 ms wake-ups: at most 20 per second (got %d)",
	   max_in_window(starts, 600, NS));

	/* Odd rates. */
	simulate(3.5, 100, 1000, starts);
	ok(max_in_window(starts, 100, NS) <= 3, "3.5/s: at most 3 in any second");
	ok(max_in_window(starts, 100, 2 * NS) <= 7, "3.5/s: at most 7 in any two seconds");
	simulate(1000, 2000, 100000, starts);
	ok(max_in_window(starts, 2000, NS) <= 1000, "1000/s: at most 1000 per second (got %d)",
	   max_in_window(starts, 2000, NS));

	/* No burst at start: the second start waits a full interval. */
	pacer_init(&p, 10);
	ok(pacer_try_take(&p, 0), "first start is free");
	ok(!pacer_try_take(&p, 0), "second start at once is refused");
	is_int(pacer_wait_ns(&p, 0), (int64_t)(PACER_MARGIN / 10 * NS + 0.5), "wait is PACER_MARGIN/rate");
	ok(pacer_try_take(&p, (int64_t)(PACER_MARGIN / 10 * NS + 0.5)), "start allowed after the interval");

	/* Unlimited. */
	pacer_init(&p, 0);
	int all = 1;
	for (int i = 0; i < 1000; i++)
		all &= pacer_try_take(&p, 0);
	ok(all, "rate 0 never holds back");
	is_int(pacer_wait_ns(&p, 0), 0, "rate 0 never waits");

	ok(pacer_now_ns() > 0, "monotonic clock reads");
	free(starts);
	return done_testing();
}
