/* What the dashboard shows of re-listing (engine/relist.c does the
 * listing and the merge): a status-line note while listing, a log line per
 * instance that appears or vanishes (a summary past RELIST_LOG_EACH_MAX),
 * a line per failed listing, and the table rebuilt keeping its filter,
 * sort and selection. No curses.
 *
 * Ownership: the hooks' state lives in struct tui (relist_mem,
 * relist_keep); relist_view_start() points t->relist at t->relist_mem
 * when some account has `discover`, relist_view_stop() frees it. */
#ifndef TLSFLEET_RELIST_VIEW_H
#define TLSFLEET_RELIST_VIEW_H

struct tui;

/* Start re-listing for the fleet and engine t has now (every account with
 * `discover` is listed at once); t->relist stays NULL without one. */
void relist_view_start(struct tui *t);
/* Free the round and the timers; after the engine dropped its list jobs
 * or while it holds none. */
void relist_view_stop(struct tui *t);

#endif
