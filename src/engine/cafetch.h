/* Fetching CA files for inspection: one fetch per file URL (without its
 * query), shared by every instance pointing at it; a file already
 * inspected (this run, or remembered in the state file) is copied, not
 * fetched again. No curl: the engine runs the transfer and hands the bytes
 * back to cafetch_inspect.
 *
 * Ownership: struct cafetch owns its maps' keys, and every struct ca_fetch
 * from cafetch_request until cafetch_end (the engine only points at it
 * from its job). Waiters and known instances belong to the fleet. */
#ifndef TLSFLEET_CAFETCH_H
#define TLSFLEET_CAFETCH_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "core/fleet.h"
#include "core/strmap.h"

struct cafetch {
	bool enabled;                /* settings.fetch_ca */
	struct strmap fetches;       /* URL without query -> struct ca_fetch * */
	struct strmap known;         /* URL without query -> an instance whose
	                              * ca_certs came from it (checked on use) */
};

struct ca_fetch {
	char *url;                   /* as the first instance gave it */
	struct instance **waiters;   /* every instance sharing the URL */
	size_t n_waiters;
};

/* Remembers what the fleet already knows (state file). */
void cafetch_init(struct cafetch *cf, struct fleet *f);
void cafetch_free(struct cafetch *cf);

/* After a refresh of in: a new fetch the caller must run (and end with
 * cafetch_end), or NULL when none is needed, one for the URL is already
 * running (in now waits on it too) or the certificates were copied from
 * an instance that has them. */
struct ca_fetch *cafetch_request(struct cafetch *cf, struct instance *in, time_t now);
/* The same for a live probe that needs the CA certificates themselves:
 * fetched even when their expiry is already known (fetch_ca off, an API
 * date, an earlier run). in then waits on the fetch (PENDING_CA_FETCH). */
struct ca_fetch *cafetch_request_probe(struct cafetch *cf, struct instance *in, time_t now);
/* Inspect the fetched bytes for the first waiter and copy the result to
 * the others. -1 with *err (new string) when the file is unusable. */
int cafetch_inspect(struct cafetch *cf, struct ca_fetch *f, const unsigned char *data, size_t len,
                    char **err);
/* Remember where an instance's inspected certificates came from (after an
 * inspection or a download). */
void cafetch_known(struct cafetch *cf, struct instance *in);
/* The fetch is over (done, failed or dropped): the waiters may ask again. */
void cafetch_end(struct cafetch *cf, struct ca_fetch *f);

#endif
