/* The scheduler's promises, driven by a fake clock and a fixed jitter:
 * round-robin between pacing keys, a cold key's warm-up request going
 * alone, retries coming back in time order with bounded backoff, the
 * dedup rule (the same work is never queued twice for an instance), and
 * keys per (account, product, action): two products' equal action names
 * are paced apart, and a dashboard's burst limit. */
#include "engine/scheduler.h"
#include "tap.h"

#include <stdlib.h>

#define MS 1000000LL
#define NS 1000000000LL

struct tjob {
	struct sched_job s;  /* first: a sched_job * is a tjob * */
	char name[8];
};

static struct tjob *started[64];
static size_t n_started;
static bool refuse_next;

static bool record(void *ud, struct sched_job *j)
{
	(void)ud;
	if (refuse_next) {
		refuse_next = false;
		return false;
	}
	started[n_started++] = (struct tjob *)j;
	return true;
}

static struct tjob *tjob(struct sched_key *k, const char *name)
{
	struct tjob *j = calloc(1, sizeof(*j));

	j->s.key = k;
	snprintf(j->name, sizeof(j->name), "%s", name);
	return j;
}

static unsigned zero16(void)
{
	return 0;
}

static void finish_all(struct sched *s, int64_t now)
{
	while (s->flight)
		sched_flight_remove(s, s->flight, now);
}

static bool named(const struct sched_job *j, const void *name)
{
	return strcmp(((const struct tjob *)j)->name, name) == 0;
}

static void round_robin(void)
{
	struct sched s;
	struct account a = {.rate_limit = 0}, b = {.rate_limit = 0};
	struct tjob *jobs[6];
	const char *names[] = {"a1", "a2", "a3", "b1", "b2", "b3"};

	sched_init(&s, 10);
	struct sched_key *ka = sched_key(&s, &a, "redis", "Describe");
	struct sched_key *kb = sched_key(&s, &b, "redis", "Describe");
	ok(sched_key(&s, &a, "redis", "Describe") == ka, "a key is made once per (account, action)");
	ok(sched_key(&s, &a, "redis", "Other") != ka, "another action is another key");
	for (int i = 0; i < 6; i++)
		sched_push(&s, &(jobs[i] = tjob(i < 3 ? ka : kb, names[i]))->s);
	n_started = 0;
	is_int((long long)sched_dispatch(&s, 10 * NS, record, NULL), 6, "unpaced keys start everything");
	bool alternate = true;
	for (size_t i = 0; i + 1 < n_started; i += 2)
		alternate &= started[i]->name[0] != started[i + 1]->name[0];
	ok(alternate, "every pass starts one of each key (%s %s %s %s %s %s)", started[0]->name,
	   started[1]->name, started[2]->name, started[3]->name, started[4]->name, started[5]->name);
	ok(strcmp(started[0]->name, "a1") == 0 && started[4]->name[1] == '3' && started[5]->name[1] == '3',
	   "each key keeps its own order");
	is_int((long long)s.in_flight, 6, "six on the wire");
	finish_all(&s, 10 * NS);

	/* The in-flight cap holds, and the next round starts at the other key. */
	s.cap = 2;
	for (int i = 0; i < 6; i++)
		sched_push(&s, &jobs[i]->s);
	n_started = 0;
	sched_dispatch(&s, 11 * NS, record, NULL);
	is_int((long long)n_started, 2, "the cap stops at 2");
	ok(started[0]->name[0] != started[1]->name[0], "one of each key under the cap");
	char first = started[0]->name[0];
	finish_all(&s, 11 * NS);
	n_started = 0;
	sched_dispatch(&s, 11 * NS, record, NULL);
	ok(n_started == 2 && started[0]->name[0] != first, "the next round begins at the other key");
	finish_all(&s, 11 * NS);

	/* A job that cannot start is dropped, and the loop goes on. */
	s.cap = 10;
	n_started = 0;
	refuse_next = true;
	sched_dispatch(&s, 12 * NS, record, NULL);
	is_int((long long)n_started, 1, "a refused start does not stop the others");
	is_int((long long)s.queued, 0, "nothing left waiting");
	is_int((long long)s.in_flight, 1, "the refused job is not on the wire");
	finish_all(&s, 12 * NS);
	ok(!sched_busy(&s), "idle at the end");
	sched_free(&s);
	for (int i = 0; i < 6; i++)
		free(jobs[i]);
}

static void warm_up(void)
{
	struct sched s;
	struct account a = {.rate_limit = 10}; /* 104 ms apart */
	struct tjob *j[4];
	int64_t t0 = 100 * NS;

	sched_init(&s, 10);
	struct sched_key *k = sched_key(&s, &a, "redis", "Describe");
	for (int i = 0; i < 4; i++)
		sched_push(&s, &(j[i] = tjob(k, "w"))->s);
	n_started = 0;
	is_int((long long)sched_dispatch(&s, t0, record, NULL), 1, "a cold key starts one request");
	is_int((long long)sched_dispatch(&s, t0 + 200 * MS, record, NULL), 0,
	       "it goes alone, though the pacer would allow the next");
	ok(sched_next_ns(&s, t0 + 200 * MS) == SCHED_WARM_MAX_NS - 200 * MS,
	   "the timer waits for the warm-up limit (or its answer)");
	sched_flight_remove(&s, &j[0]->s, t0 + 300 * MS);
	is_int((long long)sched_dispatch(&s, t0 + 350 * MS, record, NULL), 0,
	       "after its answer the next waits one interval");
	is_int((long long)sched_dispatch(&s, t0 + 404 * MS, record, NULL), 1,
	       "and starts one interval after the answer");
	is_int((long long)sched_dispatch(&s, t0 + 508 * MS, record, NULL), 1,
	       "a warm key does not wait for answers");
	ok(k->warming == NULL, "no warm-up on a warm key");
	finish_all(&s, t0 + 600 * MS);

	/* Idle for longer than the cold limit: warm up again, and a warm-up
	 * without an answer holds the key for at most a second. */
	int64_t t1 = t0 + 600 * MS + SCHED_COLD_AFTER_NS + 1;
	is_int((long long)sched_dispatch(&s, t1, record, NULL), 1, "an idle key is cold again");
	ok(k->warming == &j[3]->s, "its first request is the warm-up");
	sched_push(&s, &j[0]->s);
	is_int((long long)sched_dispatch(&s, t1 + SCHED_WARM_MAX_NS - 1, record, NULL), 0,
	       "held while the warm-up lasts");
	is_int((long long)sched_dispatch(&s, t1 + SCHED_WARM_MAX_NS, record, NULL), 1,
	       "released after a second without an answer");
	finish_all(&s, t1 + 2 * NS);
	sched_free(&s);
	for (int i = 0; i < 4; i++)
		free(j[i]);
}

static void retries(void)
{
	struct sched s;
	struct account a = {.rate_limit = 0};
	int64_t now = 50 * NS;

	is_int(sched_backoff_ms(1, 0), 250, "first retry: 250 ms with no jitter");
	is_int(sched_backoff_ms(1, 65535), 500, "first retry: 500 ms at most");
	is_int(sched_backoff_ms(2, 0), 500, "doubles");
	is_int(sched_backoff_ms(7, 65535), SCHED_BACKOFF_MAX_MS, "capped at 30 s");
	is_int(sched_backoff_ms(40, 0), SCHED_BACKOFF_MAX_MS / 2, "still capped far out");

	sched_init(&s, 10);
	s.random16 = zero16;
	struct sched_key *k = sched_key(&s, &a, "redis", "Describe");
	struct tjob *late = tjob(k, "late"), *early = tjob(k, "early"), *told = tjob(k, "told");
	late->s.attempt = 3;  /* 1000 ms */
	early->s.attempt = 1; /* 250 ms */
	told->s.attempt = 1;
	ok(sched_retry(&s, &late->s, 3, false, 0, now), "attempt 3 of 4 is retried");
	ok(sched_retry(&s, &early->s, 3, true, 0, now), "a throttled attempt is retried");
	ok(sched_retry(&s, &told->s, 3, false, 5000, now), "Retry-After is honoured");
	is_int((long long)s.throttled_waiting, 1, "the throttled one is counted");
	is_int(sched_next_ns(&s, now), 250 * MS, "the timer is the earliest retry");
	n_started = 0;
	sched_dispatch(&s, now + 249 * MS, record, NULL);
	is_int((long long)n_started, 0, "nothing before its time");
	sched_dispatch(&s, now + 250 * MS, record, NULL);
	ok(n_started == 1 && started[0] == early, "the earliest comes back first");
	is_int((long long)s.throttled_waiting, 0, "and is no longer counted as throttled");
	sched_dispatch(&s, now + 1000 * MS, record, NULL);
	ok(n_started == 2 && started[1] == late, "then the later one");
	sched_dispatch(&s, now + 4999 * MS, record, NULL);
	is_int((long long)n_started, 2, "Retry-After is at least what the server asked");
	sched_dispatch(&s, now + 5000 * MS, record, NULL);
	ok(n_started == 3 && started[2] == told, "and then it comes");
	is_int(late->s.attempt, 4, "attempts are counted at each start");
	finish_all(&s, now + 6 * NS);
	ok(!sched_retry(&s, &late->s, 3, false, 0, now), "no fifth attempt with retries = 3");

	/* A waiting job can be taken out, from the queue or the heap. */
	sched_retry(&s, &early->s, 3, false, 0, now);
	sched_push(&s, &told->s);
	ok(sched_unqueue(&s, named, "early") == &early->s, "taken out of the heap");
	ok(sched_unqueue(&s, named, "told") == &told->s, "taken out of a queue");
	ok(sched_unqueue(&s, named, "none") == NULL, "nothing else matches");
	ok(!sched_busy(&s), "nothing waits any more");
	sched_free(&s);
	free(late);
	free(early);
	free(told);
}

static void dedup(void)
{
	struct instance in = {0};

	ok(sched_claim(&in, PENDING_REFRESH), "a refresh is queued");
	ok(!sched_claim(&in, PENDING_REFRESH), "not twice while it waits or runs");
	ok(sched_claim(&in, PENDING_DOWNLOAD), "other work for the instance may be queued");
	sched_release(&in, PENDING_REFRESH);
	ok(sched_claim(&in, PENDING_REFRESH), "once it ended, it may be queued again");
	ok(!sched_claim(&in, PENDING_DOWNLOAD), "the download still holds its bit");
}

static bool in_set(const struct sched_job *j, const void *set)
{
	return strchr(set, ((const struct tjob *)j)->name[1]) != NULL;
}

/* A user's `r` on a waiting instance, and the rows on screen: matching jobs
 * move to the front of their queue, in their own order, the others keep
 * theirs behind them; what is on the wire or in backoff is left alone. */
static void promote(void)
{
	struct sched s;
	struct account a = {.rate_limit = 0};
	char nm[8];

	sched_init(&s, 1);
	s.random16 = zero16;
	struct sched_key *k = sched_key(&s, &a, "redis", "Describe");
	for (int i = 0; i < 6; i++) {
		snprintf(nm, sizeof(nm), "a%d", i);
		sched_push(&s, &tjob(k, nm)->s);
	}
	is_int((long long)sched_promote(&s, named, "a5"), 1, "the last job is found");
	ok(k->head && strcmp(((struct tjob *)k->head)->name, "a5") == 0, "and is first now");
	ok(strcmp(((struct tjob *)k->tail)->name, "a4") == 0, "the tail is the old last but one");
	is_int((long long)k->n, 6, "no job lost or added");
	is_int((long long)sched_promote(&s, in_set, "42"), 2, "a set of jobs moves");
	char got[32] = "";
	for (struct sched_job *j = k->head; j; j = j->next)
		strcat(got, ((struct tjob *)j)->name + 1);
	is_str(got, "245013", "the set first in queue order, then the rest in theirs");
	is_int((long long)sched_promote(&s, named, "zz"), 0, "no match: nothing moves");
	is_int((long long)sched_promote(&s, in_set, "3"), 1, "the tail itself moves");
	ok(strcmp(((struct tjob *)k->tail)->name, "a1") == 0, "and the tail follows");
	n_started = 0;
	sched_dispatch(&s, 10 * NS, record, NULL);
	ok(n_started == 1 && strcmp(started[0]->name, "a3") == 0, "dispatch starts the promoted job");
	is_int((long long)sched_promote(&s, named, "a3"), 0, "a job on the wire is not promoted");
	finish_all(&s, 10 * NS);
	free(started[0]);
	struct sched_job *j;
	while ((j = sched_take_waiting(&s)))
		free(j);
	is_int((long long)sched_promote(&s, named, "a2"), 0, "an empty queue: nothing");
	ok(k->head == NULL && k->tail == NULL, "an empty queue stays empty");
	sched_free(&s);
}

/* Starts, with their time, for products(). */
struct start {
	struct sched_key *key;
	int64_t at;
};
static struct start starts[128];
static size_t n_starts;

static bool record_time(void *ud, struct sched_job *j)
{
	if (n_starts < sizeof(starts) / sizeof(starts[0]))
		starts[n_starts++] = (struct start){j->key, *(const int64_t *)ud};
	return true;
}

/* Most starts of key k (NULL: any key) in a one-second window opening at
 * a start. */
static long max_per_second(const struct sched_key *k)
{
	long best = 0;

	for (size_t i = 0; i < n_starts; i++) {
		long n = 0;
		for (size_t m = 0; m < n_starts; m++)
			if ((!k || starts[m].key == k) && starts[m].at >= starts[i].at &&
			    starts[m].at < starts[i].at + NS)
				n++;
		if ((!k || starts[i].key == k) && n > best)
			best = n;
	}
	return best;
}

/* Tencent cdb and postgres both list with DescribeDBInstances: at
 * rate_limit 2 each product may start 2 a second, together 4. The clock
 * steps 10 ms, answers come 5 ms after a start. */
static void products(void)
{
	struct sched s;
	struct account a = {.rate_limit = 2};
	struct tjob *jobs[40];
	int64_t t0 = 200 * NS, now = t0;

	sched_init(&s, 10);
	struct sched_key *cdb = sched_key(&s, &a, "cdb", "DescribeDBInstances");
	struct sched_key *pg = sched_key(&s, &a, "postgres", "DescribeDBInstances");
	ok(cdb != pg, "cdb's and postgres's DescribeDBInstances are two keys");
	ok(sched_key(&s, &a, "cdb", "DescribeDBInstances") == cdb, "and each is made once");
	for (int i = 0; i < 40; i++)
		sched_push(&s, &(jobs[i] = tjob(i % 2 ? pg : cdb, i % 2 ? "pg" : "cdb"))->s);
	n_starts = 0;
	for (; now < t0 + 5 * NS; now += 10 * MS) {
		sched_dispatch(&s, now, record_time, &now);
		finish_all(&s, now + 5 * MS);
	}
	size_t n_cdb = 0, n_pg = 0;
	for (size_t i = 0; i < n_starts; i++)
		n_cdb += starts[i].key == cdb, n_pg += starts[i].key == pg;
	ok(max_per_second(cdb) <= 2 && max_per_second(pg) <= 2,
	   "each product holds rate_limit 2 in any second (cdb %ld, postgres %ld)", max_per_second(cdb),
	   max_per_second(pg));
	ok(max_per_second(NULL) > 2, "together they start more than one pace allows (%ld in a second)",
	   max_per_second(NULL));
	/* 5 s at 0.52 s spacing after a warm-up: 9 or 10 each. */
	ok(n_cdb >= 8 && n_pg >= 8 && n_cdb + n_pg <= 20,
	   "neither waits for the other: %zu cdb and %zu postgres starts in 5 s", n_cdb, n_pg);
	while (sched_take_waiting(&s))
		;
	sched_free(&s);
	for (int i = 0; i < 40; i++)
		free(jobs[i]);
}

/* A dashboard's burst: at most s.burst starts per dispatch, the rest on
 * the next calls, none lost, the cap still held. */
static void burst(void)
{
	struct sched s;
	struct account a = {.rate_limit = 0};
	struct tjob *jobs[20];

	sched_init(&s, 16);
	s.burst = 8;
	struct sched_key *k = sched_key(&s, &a, "redis", "Describe");
	for (int i = 0; i < 20; i++)
		sched_push(&s, &(jobs[i] = tjob(k, "j"))->s);
	n_started = 0;
	is_int((long long)sched_dispatch(&s, 10 * NS, record, NULL), 8, "a burst starts 8");
	is_int((long long)sched_dispatch(&s, 10 * NS, record, NULL), 8, "the next call 8 more");
	is_int((long long)sched_dispatch(&s, 10 * NS, record, NULL), 0, "then the in-flight cap (16) holds");
	finish_all(&s, 10 * NS);
	is_int((long long)sched_dispatch(&s, 10 * NS, record, NULL), 4, "the last 4 after the cap frees");
	s.burst = 0;
	finish_all(&s, 10 * NS);
	is_int((long long)n_started, 20, "all 20 started once");
	sched_free(&s);
	for (int i = 0; i < 20; i++)
		free(jobs[i]);
}

int main(void)
{
	round_robin();
	burst();
	warm_up();
	retries();
	dedup();
	promote();
	products();
	return done_testing();
}
