#include "engine/scheduler.h"
#include "core/xalloc.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

void sched_init(struct sched *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->cap = cap;
}

void sched_free(struct sched *s)
{
	for (size_t i = 0; i < s->n_keys; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->heap);
	s->keys = NULL;
	s->heap = NULL;
	s->n_keys = s->heap_len = s->heap_cap = 0;
}

static bool same_product(const char *x, const char *y)
{
	return x == y || (x && y && strcmp(x, y) == 0);
}

struct sched_key *sched_key(struct sched *s, const struct account *a, const char *product,
                            const char *action)
{
	for (size_t i = 0; i < s->n_keys; i++)
		if (s->keys[i]->acct == a && same_product(s->keys[i]->product, product) &&
		    strcmp(s->keys[i]->action, action) == 0)
			return s->keys[i];
	struct sched_key *k = xcalloc(1, sizeof(*k));
	k->acct = a;
	k->product = product;
	k->action = action;
	k->last_start_ns = INT64_MIN / 2;
	pacer_init(&k->pacer, a ? a->rate_limit : 0);
	s->keys = xreallocarray(s->keys, s->n_keys + 1, sizeof(*s->keys));
	s->keys[s->n_keys++] = k;
	return k;
}

bool sched_claim(struct instance *in, unsigned bit)
{
	if (in->pending & bit)
		return false;
	in->pending |= bit;
	return true;
}

void sched_release(struct instance *in, unsigned bit)
{
	in->pending &= ~bit;
}

/* ---- queues ------------------------------------------------------------- */

void sched_push(struct sched *s, struct sched_job *j)
{
	struct sched_key *k = j->key;

	j->next = NULL;
	if (k->tail)
		k->tail->next = j;
	else
		k->head = j;
	k->tail = j;
	k->n++;
	s->queued++;
}

static struct sched_job *queue_pop(struct sched *s, struct sched_key *k)
{
	struct sched_job *j = k->head;

	if (!j)
		return NULL;
	k->head = j->next;
	if (!k->head)
		k->tail = NULL;
	k->n--;
	s->queued--;
	j->next = NULL;
	return j;
}

/* ---- the retry heap ----------------------------------------------------- */

static void heap_swap(struct sched *s, size_t a, size_t b)
{
	struct sched_job *t = s->heap[a];
	s->heap[a] = s->heap[b];
	s->heap[b] = t;
}

static void heap_push(struct sched *s, struct sched_job *j)
{
	if (s->heap_len == s->heap_cap) {
		s->heap_cap = s->heap_cap ? s->heap_cap * 2 : 64;
		s->heap = xreallocarray(s->heap, s->heap_cap, sizeof(*s->heap));
	}
	size_t i = s->heap_len++;
	s->heap[i] = j;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (s->heap[parent]->not_before_ns <= s->heap[i]->not_before_ns)
			break;
		heap_swap(s, i, parent);
		i = parent;
	}
	if (j->last_throttled)
		s->throttled_waiting++;
}

static struct sched_job *heap_pop(struct sched *s)
{
	struct sched_job *top = s->heap[0];

	s->heap[0] = s->heap[--s->heap_len];
	for (size_t i = 0;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < s->heap_len && s->heap[l]->not_before_ns < s->heap[m]->not_before_ns)
			m = l;
		if (r < s->heap_len && s->heap[r]->not_before_ns < s->heap[m]->not_before_ns)
			m = r;
		if (m == i)
			break;
		heap_swap(s, i, m);
		i = m;
	}
	if (top->last_throttled)
		s->throttled_waiting--;
	return top;
}

/* ---- the wire ----------------------------------------------------------- */

static void flight_add(struct sched *s, struct sched_job *j)
{
	j->fprev = NULL;
	j->fnext = s->flight;
	if (s->flight)
		s->flight->fprev = j;
	s->flight = j;
	s->in_flight++;
}

void sched_flight_remove(struct sched *s, struct sched_job *j, int64_t now_ns)
{
	struct sched_key *k = j->key;

	if (j->fprev)
		j->fprev->fnext = j->fnext;
	else
		s->flight = j->fnext;
	if (j->fnext)
		j->fnext->fprev = j->fprev;
	j->fprev = j->fnext = NULL;
	s->in_flight--;
	/* The warm-up request ended: pace the next start one interval from
	 * now, as if this one had just been sent. */
	if (k && k->warming == j) {
		k->warming = NULL;
		int64_t next = now_ns + k->pacer.interval_ns;
		if (next > k->pacer.next_ns)
			k->pacer.next_ns = next;
	}
}

size_t sched_dispatch(struct sched *s, int64_t now, sched_start_fn start, void *ud)
{
	bool progress = true;
	size_t started = 0;

	while (s->heap_len && s->heap[0]->not_before_ns <= now)
		sched_push(s, heap_pop(s));
	while (progress && s->in_flight < s->cap && s->queued && (!s->burst || started < s->burst)) {
		progress = false;
		for (size_t n = 0; n < s->n_keys && s->in_flight < s->cap &&
		                   (!s->burst || started < s->burst); n++) {
			struct sched_key *k = s->keys[(s->rr + n) % s->n_keys];
			if (!k->head)
				continue;
			if (k->warming && now < k->warm_until_ns)
				continue;
			k->warming = NULL;
			if (!pacer_try_take(&k->pacer, now))
				continue;
			bool cold = k->pacer.interval_ns && now - k->last_start_ns > SCHED_COLD_AFTER_NS;
			struct sched_job *j = queue_pop(s, k);
			k->last_start_ns = now;
			progress = true;
			/* A job that could not start is gone: never touch it then. */
			if (!start(ud, j))
				continue;
			j->attempt++;
			flight_add(s, j);
			if (cold) {
				k->warming = j;
				k->warm_until_ns = now + SCHED_WARM_MAX_NS;
			}
			started++;
		}
		s->rr = s->n_keys ? (s->rr + 1) % s->n_keys : 0;
	}
	return started;
}

/* ---- retries ------------------------------------------------------------ */

long sched_backoff_ms(int attempt, unsigned r16)
{
	int shift = attempt - 1 < 6 ? attempt - 1 : 6;
	long delay = SCHED_BACKOFF_BASE_MS << (shift > 0 ? shift : 0);

	if (delay > SCHED_BACKOFF_MAX_MS)
		delay = SCHED_BACKOFF_MAX_MS;
	return delay / 2 + (long)((double)(r16 & 0xffff) / 65535.0 * (delay / 2));
}

static unsigned random16(void)
{
	unsigned short r = 0;

	RAND_bytes((unsigned char *)&r, sizeof(r));
	return r;
}

bool sched_retry(struct sched *s, struct sched_job *j, int max_retries, bool throttled,
                 long retry_after_ms, int64_t now_ns)
{
	if (j->attempt > max_retries)
		return false;
	long delay = sched_backoff_ms(j->attempt, s->random16 ? s->random16() : random16());
	if (retry_after_ms > delay)
		delay = retry_after_ms;
	j->not_before_ns = now_ns + (int64_t)delay * 1000000;
	j->last_throttled = throttled;
	heap_push(s, j);
	return true;
}

/* ---- taking jobs out ---------------------------------------------------- */

struct sched_job *sched_unqueue(struct sched *s, bool (*match)(const struct sched_job *, const void *),
                                const void *arg)
{
	for (size_t k = 0; k < s->n_keys; k++) {
		struct sched_key *key = s->keys[k];
		struct sched_job *prev = NULL;
		for (struct sched_job *j = key->head; j; prev = j, j = j->next) {
			if (!match(j, arg))
				continue;
			if (prev)
				prev->next = j->next;
			else
				key->head = j->next;
			if (key->tail == j)
				key->tail = prev;
			key->n--;
			s->queued--;
			j->next = NULL;
			return j;
		}
	}
	for (size_t i = 0; i < s->heap_len; i++) {
		if (!match(s->heap[i], arg))
			continue;
		/* Make it the earliest, sift it to the top, pop it. */
		s->heap[i]->not_before_ns = INT64_MIN;
		for (size_t c = i; c > 0 && s->heap[(c - 1) / 2]->not_before_ns > s->heap[c]->not_before_ns;
		     c = (c - 1) / 2)
			heap_swap(s, c, (c - 1) / 2);
		return heap_pop(s);
	}
	return NULL;
}

size_t sched_promote(struct sched *s, bool (*match)(const struct sched_job *, const void *),
                     const void *arg)
{
	size_t moved = 0;

	for (size_t k = 0; k < s->n_keys; k++) {
		struct sched_key *key = s->keys[k];
		struct sched_job *front = NULL, **front_end = &front;
		struct sched_job *rest = NULL, **rest_end = &rest, *last = NULL, *last_front = NULL;

		/* A stable partition of the list: matches, then the others. */
		for (struct sched_job *j = key->head, *next; j; j = next) {
			next = j->next;
			j->next = NULL;
			if (match(j, arg)) {
				*front_end = j;
				front_end = &j->next;
				last_front = j;
				moved++;
			} else {
				*rest_end = j;
				rest_end = &j->next;
				last = j;
			}
		}
		*front_end = rest;
		key->head = front;
		key->tail = last ? last : last_front;
	}
	return moved;
}

struct sched_job *sched_take_waiting(struct sched *s)
{
	if (s->heap_len)
		return heap_pop(s);
	for (size_t i = 0; i < s->n_keys; i++)
		if (s->keys[i]->head)
			return queue_pop(s, s->keys[i]);
	return NULL;
}

/* ---- timers ------------------------------------------------------------- */

int64_t sched_next_ns(const struct sched *s, int64_t now)
{
	int64_t best = -1;

	if (s->heap_len) {
		int64_t d = s->heap[0]->not_before_ns - now;
		best = d < 0 ? 0 : d;
	}
	if (s->queued && s->in_flight < s->cap) {
		for (size_t i = 0; i < s->n_keys; i++) {
			const struct sched_key *k = s->keys[i];
			if (!k->head)
				continue;
			int64_t d = pacer_wait_ns(&k->pacer, now);
			if (k->warming && k->warm_until_ns - now > d)
				d = k->warm_until_ns - now; /* or sooner, when its answer comes */
			if (best < 0 || d < best)
				best = d;
		}
	}
	return best;
}

bool sched_busy(const struct sched *s)
{
	return s->queued || s->in_flight || s->heap_len;
}
