/* Re-listing for the long-running front ends (the dashboard, --serve): each
 * account with `discover` is listed again `interval` seconds after its
 * last listing ended. A finished round is merged into the fleet at the
 * engine's idle point (no job holds an instance then), with
 * discovery_reconcile: instances that appeared join and are refreshed,
 * those a complete listing no longer holds leave, and a failed listing
 * removes nothing. What a front end shows of it (log lines, a view
 * rebuilt, stderr lines, metrics) comes through struct relist_hooks.
 *
 * Ownership: struct relist borrows the fleet and the engine, and owns the
 * round being listed (the engine's list jobs point into it until the round
 * ends) and the per-account timers. relist_free() after the engine has no
 * list job left (engine_free, or the loop's end when no round runs). */
#ifndef TLSFLEET_RELIST_H
#define TLSFLEET_RELIST_H
#include <stdbool.h>
#include <stddef.h>
#include "core/discovery.h"
#include "engine/engine.h"

/* Past this many changes in one merge, the hooks get totals only (changed
 * is not called): the first listing of a big account would flood a log. */
#define RELIST_LOG_EACH_MAX 20

/* What a merge did, for the merged hook. */
struct relist_merge {
	const struct discovery *d;   /* the round: listings, their errors */
	const size_t *map;           /* old instance index -> new (SIZE_MAX: gone) */
	size_t old_n;                /* instances before the merge */
	size_t added, removed;       /* the added ones are the fleet's last `added` */
	bool each;                   /* changed() was called for every change */
};

struct relist_hooks {
	/* A round starts listing n accounts. May be NULL. */
	void (*started)(void *ud, size_t n_accounts);
	/* The round is listed and the engine idle: the fleet is about to be
	 * rebuilt. Drop what holds instance pointers or indexes. May be NULL. */
	void (*before_merge)(void *ud);
	/* Each instance that joins (added) or leaves (before it is freed),
	 * when there are at most RELIST_LOG_EACH_MAX changes. May be NULL. */
	discovery_change_fn changed;
	/* After the merge; the engine already knows the new fleet and has the
	 * new instances' refreshes queued. May be NULL. */
	void (*merged)(void *ud, const struct relist_merge *m);
	void *ud;
};

struct relist {
	struct fleet *f;
	struct engine *e;
	struct relist_hooks hooks;
	struct discovery d;          /* the round: listed, then merged */
	bool listing;                /* its list jobs are queued or on the wire */
	bool merge_pending;          /* listed: waiting for the engine's idle point */
	long long *due_ms;           /* per account: next listing (monotonic), 0 = never */
	size_t n_accounts;
	size_t rounds;               /* rounds merged */
};

/* True when some account of the fleet has `discover`. */
bool relist_wanted(const struct fleet *f);
/* listed_now: the accounts were just listed (--serve lists before it
 * starts), so the first listing is `interval` from now (none with
 * interval 0); else every account with `discover` is due now. */
void relist_init(struct relist *r, struct fleet *f, struct engine *e, const struct relist_hooks *h,
                 long long now_ms, bool listed_now);
void relist_free(struct relist *r);
/* The loop's step: start the due listings, notice their end, merge at the
 * idle point. True when the fleet's instances changed. */
bool relist_update(struct relist *r, long long now_ms);
/* True while a listing is running or waiting to be merged. */
bool relist_busy(const struct relist *r);
/* Milliseconds until the next listing is due, -1 for none. */
long relist_next_ms(const struct relist *r, long long now_ms);

#endif
