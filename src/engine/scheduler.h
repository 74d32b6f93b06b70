/* The scheduler: which waiting job may go on the wire next. Jobs wait in
 * one FIFO queue per pacing key (account, signing product, API action);
 * retries wait in a
 * heap ordered by time; starts go round-robin over the keys, at most `cap`
 * on the wire, as each key's pacer allows, and a cold key's first request
 * goes alone (warm-up). No curl and no clock of its own: every call takes
 * now_ns (monotonic), so tests/unit/test_queue.c drives it with a fake clock.
 *
 * Ownership: the scheduler owns its keys, the heap array and the links in
 * struct sched_job; the jobs themselves belong to the caller, who embeds a
 * struct sched_job in each. Instances belong to the fleet: the scheduler
 * only sets and clears bits of instance->pending. */
#ifndef TLSFLEET_SCHEDULER_H
#define TLSFLEET_SCHEDULER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/fleet.h"
#include "engine/pacer.h"

/* Kinds of work an instance can have waiting or on the wire (bits of
 * instance->pending). A download chain (status, link, file) holds
 * PENDING_DOWNLOAD from request to end. */
#define PENDING_REFRESH  1u
#define PENDING_CA_FETCH 2u
#define PENDING_DOWNLOAD 4u
#define PENDING_PROBE    8u   /* a live TLS probe queued or running (probes.c) */
#define PENDING_PROBE_CA 16u  /* a probe waits for the CA fetch it needs */

#define SCHED_BACKOFF_BASE_MS 500
#define SCHED_BACKOFF_MAX_MS 30000
#define SCHED_WARM_MAX_NS 1000000000LL   /* never hold a key longer than this */
#define SCHED_COLD_AFTER_NS 2000000000LL /* idle this long: connections may be gone */

struct sched_key;

struct sched_job {
	struct sched_key *key;       /* where it waits and is paced */
	int attempt;                 /* attempts already made at this step */
	int64_t not_before_ns;       /* retry time while in the heap */
	bool last_throttled;
	bool cold;                   /* dispatch: the start of a cold key */
	struct sched_job *next;      /* queue link */
	struct sched_job *fprev, *fnext; /* in-flight list link */
};

struct sched_key {
	const struct account *acct;  /* NULL for file transfers (never paced) */
	const char *product;         /* signing product (services.def); NULL for none */
	const char *action;          /* borrowed; outlives the scheduler */
	struct pacer pacer;
	struct sched_job *head, *tail;
	size_t n;
	/* Warm-up: the first request of a cold key pays for a new TLS
	 * connection and arrives late, bunching with the next one at the
	 * provider. So it goes alone, and pacing restarts from its answer. */
	struct sched_job *warming;
	int64_t warm_until_ns;
	int64_t last_start_ns;
};

struct sched {
	size_t cap;                  /* in-flight cap (settings.concurrency) */
	struct sched_key **keys;
	size_t n_keys;
	size_t rr;                   /* round-robin start among keys */
	struct sched_job **heap;     /* retries, by not_before_ns */
	size_t heap_len, heap_cap;
	struct sched_job *flight;    /* jobs on the wire */
	size_t queued, in_flight, throttled_waiting;
	size_t burst;                /* most starts per sched_dispatch; 0 = no limit */
	/* Backoff jitter source, 0..65535; NULL = OpenSSL's RAND_bytes. */
	unsigned (*random16)(void);
};

void sched_init(struct sched *s, size_t cap);
/* Frees keys and the heap array; jobs must have been taken out first. */
void sched_free(struct sched *s);
/* The key of (account, product, action), made on first use; a NULL
 * account is never paced. The product is the signing product of
 * services.def: the clouds rate-limit each product's API on its own, and
 * several products name their calls alike (Tencent cdb, mongodb,
 * sqlserver and postgres all list with DescribeDBInstances), so equal
 * action names of two products are two keys, each paced at the account's
 * rate_limit. product may be NULL (keys that are not API calls). Both
 * strings are borrowed and must outlive the scheduler. */
struct sched_key *sched_key(struct sched *s, const struct account *a, const char *product,
                            const char *action);

/* The dedup rule: an instance with work of this kind already waiting or on
 * the wire is never given the same work again. false when it has it;
 * otherwise the bit is set and true returned. */
bool sched_claim(struct instance *in, unsigned bit);
void sched_release(struct instance *in, unsigned bit);

/* Append to its key's queue. */
void sched_push(struct sched *s, struct sched_job *j);

/* Start a job: false when it could not start (and the callback has
 * disposed of it: the scheduler never touches it again). */
typedef bool (*sched_start_fn)(void *ud, struct sched_job *j);
/* Move due retries back to their queues, then start round-robin over the
 * keys what the pacers, the cap and the burst allow. Returns how many
 * started. */
size_t sched_dispatch(struct sched *s, int64_t now_ns, sched_start_fn start, void *ud);
/* Take a job off the wire. When it was its key's warm-up request, the key
 * paces its next start one interval from now. */
void sched_flight_remove(struct sched *s, struct sched_job *j, int64_t now_ns);

/* Exponential backoff with jitter, half fixed and half random (r16 in
 * 0..65535): a burst of throttled requests does not come back as a burst.
 * attempt counts from 1. */
long sched_backoff_ms(int attempt, unsigned r16);
/* Put j in the retry heap for max(backoff, retry_after_ms); false (and
 * nothing done) when it has made more than max_retries + 1 attempts. */
bool sched_retry(struct sched *s, struct sched_job *j, int max_retries, bool throttled,
                 long retry_after_ms, int64_t now_ns);

/* Take out the first waiting job (queued or in the heap) for which match
 * is true; NULL if none. Jobs on the wire are not looked at. */
struct sched_job *sched_unqueue(struct sched *s, bool (*match)(const struct sched_job *, const void *),
                                const void *arg);
/* Move every queued job for which match is true to the front of its key's
 * queue, keeping their order among themselves and the others' order after
 * them. Jobs in the retry heap keep their backoff; jobs on the wire are
 * not looked at. Returns how many matched. O(queued). */
size_t sched_promote(struct sched *s, bool (*match)(const struct sched_job *, const void *),
                     const void *arg);
/* Any waiting job (heap first, then queues), for tearing down. */
struct sched_job *sched_take_waiting(struct sched *s);

/* Nanoseconds until dispatch may start something (0 = now), -1 when only
 * the network can change that. */
int64_t sched_next_ns(const struct sched *s, int64_t now_ns);
bool sched_busy(const struct sched *s);

#endif
