/* The refresh engine: one curl multi handle, a queue of jobs, a pacer per
 * (account, product, API action), retries, timeouts, size caps.
 * Single-threaded and never blocking: the front end drives it with engine_poll() and
 * engine_perform(). */
#ifndef TLSFLEET_ENGINE_H
#define TLSFLEET_ENGINE_H
#include <stdbool.h>
#include <stddef.h>
#include "core/fleet.h"

struct engine;

enum engine_event {
	ENGINE_EV_STARTED,     /* a job of the instance went on the wire */
	ENGINE_EV_UPDATED,     /* instance status changed (refresh finished) */
	ENGINE_EV_PROGRESS,    /* download bytes moved */
	ENGINE_EV_DOWNLOADED,  /* download saved; message says where */
	ENGINE_EV_FAILED,      /* a download, CA fetch or credential fetch failed (the
	                        * last with a NULL instance); message says why */
};

/* msg is borrowed for the call (may be NULL). */
typedef void (*engine_notify_fn)(void *ud, struct instance *in,
                                 enum engine_event ev, const char *msg);

/* Called once per API request that ended, retries included (CA files and
 * downloads are not API requests). action is the provider's API action;
 * outcome one of "success" (a definite answer), "not_found", "auth_error",
 * "throttled", "error" (an answer that decides nothing), "network_error"
 * (no answer). Both strings are static. */
typedef void (*engine_request_fn)(void *ud, const struct account *a, const char *action,
                                  const char *outcome);

struct engine_stats {
	size_t total;        /* instances in the fleet */
	size_t queued;       /* jobs waiting (pacer, concurrency, backoff) */
	size_t in_flight;    /* transfers on the wire */
	size_t done;         /* refreshes finished since the last refresh-all */
	size_t round_total;  /* refreshes asked for since the last refresh-all */
	size_t throttled;    /* jobs waiting after a throttling answer */
	size_t requests;     /* HTTP requests sent, all time */
};

/* NULL with *err on failure (curl could not start, CA bundle unusable). */
struct engine *engine_new(struct fleet *f, char **err);
void engine_free(struct engine *e);
void engine_set_notify(struct engine *e, engine_notify_fn fn, void *ud);
void engine_set_request_hook(struct engine *e, engine_request_fn fn, void *ud);
/* --debug: per API or credential request a line on stderr (action,
 * region, host, HTTP status, request id, latency, clock skew); never a
 * key, token or signature. */
/* A dashboard drives this engine: start at most a few transfers per
 * engine_perform() so that no pass holds the loop long (new connections'
 * handshakes). Headless runs leave it off. */
void engine_set_interactive(struct engine *e, bool on);
void engine_set_debug(struct engine *e, bool on);

/* Queue work. Return false (and do nothing) when the same job for the
 * instance is already queued or in flight. */
bool engine_refresh(struct engine *e, struct instance *in);
size_t engine_refresh_all(struct engine *e);
/* A refresh of the instance waiting in its queue moves to the front (a
 * user asked for it). false when none waits: on the wire already, in
 * backoff after throttling, or not asked for. */
bool engine_hurry(struct engine *e, struct instance *in);
/* The instances a front end shows (indices into the fleet; the list is
 * copied): their waiting refreshes go first, now and after every
 * refresh-all, until the next call. n = 0 prefers nothing. */
void engine_prefer(struct engine *e, const size_t *indices, size_t n);
/* Download the instance's CA file into dir (NULL = download_dir). false
 * with *why (new string) when it cannot even start (TLS off, no URL...). */
bool engine_download(struct engine *e, struct instance *in, const char *dir, char **why);
bool engine_cancel_download(struct engine *e, struct instance *in);
/* Bytes received so far of the instance's running download; false if none. */
bool engine_download_progress(const struct engine *e, const struct instance *in,
                              long long *got, long long *total);

/* Discovery: queue the first page of every listing of d (core/discovery.h).
 * Each page is a request of its account's list action, paced and retried
 * like a status call; an answer queues the next page until the total the
 * provider reports. A page that fails after its retries ends its listing
 * with l->error set and keeps what earlier pages found. d must outlive the
 * jobs (engine_busy() false, or engine_free()). */
struct discovery;
void engine_discover(struct engine *e, struct discovery *d);

/* The fleet's instance array was rebuilt (discovery_reconcile): drop
 * every instance pointer the engine keeps between jobs (the CA files
 * known to be inspected) and learn them again from the fleet. Only while
 * !engine_busy(e): a job points at its instance, so the dashboard changes
 * the fleet at that idle point rather than rewriting live jobs. */
void engine_fleet_changed(struct engine *e);

/* Wait for network activity, input on one of the n_fds descriptors
 * (readable), or a timer, at most max_wait_ms. Returns the number of
 * descriptors with activity, or -1. */
int engine_poll(struct engine *e, const int *fds, unsigned n_fds, int max_wait_ms);
/* Move transfers forward, finish what ended, start what the pacer allows. */
void engine_perform(struct engine *e);
/* Milliseconds until the engine next needs engine_perform (pacer,
 * backoff); -1 when it waits only on the network or is idle. */
long engine_next_timer_ms(const struct engine *e);
bool engine_busy(const struct engine *e);
/* A live TLS probe of the instance is queued, waits for its CA or runs. */
bool engine_probe_pending(const struct instance *in);
void engine_get_stats(const struct engine *e, struct engine_stats *out);
/* Run until idle (headless modes). */
void engine_run(struct engine *e);

#endif
