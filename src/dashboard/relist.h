/* Discovery in the dashboard: each account with `discover` is listed at
 * start and again `interval` seconds after its last listing ended. A
 * finished round is merged into the fleet at the engine's idle point
 * (no job holds an instance then; auto refresh waits for it): instances
 * appear and vanish with a log line, the view is rebuilt keeping its
 * filter, sort and selection, new instances are refreshed. A failed
 * listing keeps what was found before (discovery_reconcile).
 *
 * Ownership: struct relist lives in struct tui and owns the round being
 * listed (the engine's list jobs point into it until the round ends) and
 * the per-account timers; relist_free() after the engine has no list job
 * left (engine_free, or the loop's end when no round runs). No curses. */
#ifndef TLSFLEET_RELIST_H
#define TLSFLEET_RELIST_H
#include <stdbool.h>
#include "core/discovery.h"

struct tui;

struct relist {
	struct discovery d;          /* the round: listed, then merged */
	bool listing;                /* its list jobs are queued or on the wire */
	bool merge_pending;          /* listed: waiting for the engine's idle point */
	long long *due_ms;           /* per account: next listing (monotonic), 0 = never */
	size_t n_accounts;
	size_t rounds;               /* rounds merged */
};

void relist_init(struct relist *r, const struct fleet *f, long long now_ms);
void relist_free(struct relist *r);
/* The loop's step: start the due listings, notice their end, merge at the
 * idle point. True when the fleet's instances changed. */
bool relist_update(struct relist *r, struct tui *t);
/* True while a listing is running or waiting to be merged (status line,
 * auto refresh held). */
bool relist_busy(const struct relist *r);
/* Milliseconds until the next listing is due, -1 for none. */
long relist_next_ms(const struct relist *r, long long now_ms);

#endif
