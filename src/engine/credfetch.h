/* Temporary credentials in the engine's loop: per account, whether its
 * keys may sign a request now, when to renew them, and the jobs waiting
 * for them. The fetch itself (a metadata GET or an STS AssumeRole) is an
 * engine job like any other, so fetching never blocks the dashboard;
 * tempcreds.h builds its request and reads its answer. No curl, no clock
 * of its own: callers pass now, so tests/unit/test_credfetch.c can drive it.
 *
 * Ownership: the engine owns the array of cred_state; jobs parked here
 * stay the engine's (linked through sched_job.next). Accounts belong to
 * the fleet: the engine replaces a->cred and a->credential_expires when
 * new keys arrive. */
#ifndef TLSFLEET_CREDFETCH_H
#define TLSFLEET_CREDFETCH_H
#include <stdbool.h>
#include <time.h>
#include "core/fleet.h"
#include "engine/scheduler.h"

/* Keys that expire within this many seconds (or an eighth of their
 * lifetime, when shorter) are not used for a new request: the request
 * takes a moment to arrive, and the clocks may differ by a second. */
#define CREDFETCH_SAFETY_S 5
/* Renew this long before expiry, or a third of the keys' lifetime when
 * they live shorter than 15 minutes (test tokens of 16 s are renewed at
 * 5 s left, and used until 2 s left). */
#define CREDFETCH_RENEW_AHEAD_S 300

struct cred_state {
	struct account *a;
	bool fetching;               /* a fetch job is queued or on the wire */
	bool stale;                  /* an answer said the token expired */
	unsigned gen;                /* bumps with every new set of keys */
	time_t fetched_at;           /* when these keys first came */
	bool renew_same;             /* a renewal brought the same keys back: wait
	                              * until they are unusable before asking again */
	struct sched_job *parked, *parked_tail;
	size_t n_parked;
};

/* True when the account's requests are signed with temporary keys. */
bool credfetch_applies(const struct account *a);
/* The keys may sign a request sent now. */
bool credfetch_usable(const struct cred_state *cs, time_t now);
/* Time to ask for new keys (they are still usable until credfetch_usable
 * says otherwise). */
bool credfetch_renew_due(const struct cred_state *cs, time_t now);

/* New keys arrived (in cs->a->cred, expiring at expires); same: the
 * service handed out the ones we had. */
void credfetch_got(struct cred_state *cs, time_t expires, bool same, time_t now);

void credfetch_park(struct cred_state *cs, struct sched_job *j);
/* Take the parked jobs out, oldest first (NULL when none). */
struct sched_job *credfetch_unpark(struct cred_state *cs);

#endif
