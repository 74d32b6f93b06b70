/* --serve: the Prometheus exporter. Refreshes the fleet every
 * refresh_interval, lists the accounts with `discover` again every
 * `interval` (engine/relist.c: instances join and leave the fleet) and
 * answers GET /metrics, /instances.json and /healthz (tlsfleet(1),
 * "EXPORTER") through libmicrohttpd, driven from the same single thread
 * as the engine: the fleet model is never touched from another thread.
 * Borrows the fleet, the engine and the counters it is given; owns the
 * HTTP daemon, the re-listing and the signal pipe for the length of
 * serve_run. */
#ifndef TLSFLEET_SERVE_H
#define TLSFLEET_SERVE_H
#include "core/fleet.h"
#include "engine/engine.h"

struct snapshot_keeper;
struct prom_counters;

struct serve_options {
	const char *listen;                  /* "ADDR:PORT", "[v6]:PORT", ":PORT" (every address) */
	void (*round_done)(void *ud);        /* after every refresh round; may be NULL */
	void *ud;
	struct snapshot_keeper *keep;        /* saved as answers arrive; may be NULL */
	struct prom_counters *counters;      /* requests and listings counted so far (the
	                                      * listing at start); NULL: counted from zero */
};

/* Runs until SIGTERM or SIGINT: 0 then. -1 with *err (new string) when it
 * cannot start: bad address (*usage set true), cannot listen. */
int serve_run(struct fleet *f, struct engine *e, const struct serve_options *o, bool *usage,
              char **err);

#endif
