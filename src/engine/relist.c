/* Re-listing shared by the dashboard and --serve (relist.h): the timers,
 * the round's start and end, and the merge at the engine's idle point. */
#include "engine/relist.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

bool relist_wanted(const struct fleet *f)
{
	for (size_t i = 0; i < f->n_accounts; i++)
		if (f->accounts[i].discover)
			return true;
	return false;
}

static long long after_interval(const struct account *a, long long now_ms)
{
	return a->discover->interval > 0 ? now_ms + (long long)a->discover->interval * 1000 : 0;
}

void relist_init(struct relist *r, struct fleet *f, struct engine *e, const struct relist_hooks *h,
                 long long now_ms, bool listed_now)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->e = e;
	if (h)
		r->hooks = *h;
	r->n_accounts = f->n_accounts;
	r->due_ms = xcalloc(f->n_accounts + 1, sizeof(*r->due_ms));
	for (size_t i = 0; i < f->n_accounts; i++) {
		const struct account *a = &f->accounts[i];
		if (a->discover)
			r->due_ms[i] = listed_now ? after_interval(a, now_ms) : now_ms;
	}
}

void relist_free(struct relist *r)
{
	discovery_free(&r->d);
	free(r->due_ms);
	memset(r, 0, sizeof(*r));
}

bool relist_busy(const struct relist *r)
{
	return r->listing || r->merge_pending;
}

long relist_next_ms(const struct relist *r, long long now_ms)
{
	long long best = -1;

	if (relist_busy(r))
		return -1;
	for (size_t i = 0; i < r->n_accounts; i++)
		if (r->due_ms[i] && (best < 0 || r->due_ms[i] < best))
			best = r->due_ms[i];
	if (best < 0)
		return -1;
	return best <= now_ms ? 0 : (long)(best - now_ms);
}

static bool round_over(const struct discovery *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (!d->l[i].done && !d->l[i].error)
			return false;
	return true;
}

/* How many instances would change: decides a call each or totals only. */
static size_t count_changes(const struct fleet *f, const struct discovery *d)
{
	size_t listed = 0, discovered = 0;

	for (size_t i = 0; i < d->n; i++)
		listed += d->l[i].n_items;
	for (size_t i = 0; i < f->n_instances; i++)
		discovered += f->instances[i].discovered;
	return listed > discovered ? listed - discovered : discovered - listed;
}

struct counting {
	const struct relist_hooks *h;
	size_t added, removed;
	bool each;
};

static void count_change(void *ud, const struct instance *in, bool added)
{
	struct counting *c = ud;

	if (added)
		c->added++;
	else
		c->removed++;
	if (c->each && c->h->changed)
		c->h->changed(c->h->ud, in, added);
}

/* The idle point: no job holds an instance, so the array may be rebuilt. */
static void merge(struct relist *r)
{
	struct counting c = {.h = &r->hooks, .each = count_changes(r->f, &r->d) <= RELIST_LOG_EACH_MAX};
	size_t *map = NULL, added = 0, old_n = r->f->n_instances;

	if (r->hooks.before_merge)
		r->hooks.before_merge(r->hooks.ud);
	discovery_reconcile(r->f, &r->d, count_change, &c, &map, &added);
	engine_fleet_changed(r->e);
	for (size_t i = r->f->n_instances - added; i < r->f->n_instances; i++)
		engine_refresh(r->e, &r->f->instances[i]);
	struct relist_merge m = {.d = &r->d, .map = map, .old_n = old_n, .added = c.added,
	                         .removed = c.removed, .each = c.each};
	if (r->hooks.merged)
		r->hooks.merged(r->hooks.ud, &m);
	free(map);
}

bool relist_update(struct relist *r, long long now_ms)
{
	if (r->listing) {
		if (!round_over(&r->d))
			return false;
		r->listing = false;
		r->merge_pending = true;
	}
	if (r->merge_pending) {
		if (engine_busy(r->e))
			return false;
		merge(r);
		r->merge_pending = false;
		r->rounds++;
		/* the next listing counts from the end of this one */
		for (size_t i = 0; i < r->d.n; i++) {
			const struct account *a = r->d.l[i].a;
			size_t k = (size_t)(a - r->f->accounts);
			r->due_ms[k] = after_interval(a, now_ms);
		}
		discovery_free(&r->d);
		return true;
	}

	/* called on every loop pass: nothing to allocate while nothing is due */
	if (relist_next_ms(r, now_ms) != 0)
		return false;
	const char **names = xcalloc(r->n_accounts + 1, sizeof(*names));
	size_t n = 0;
	for (size_t i = 0; i < r->n_accounts; i++) {
		if (r->due_ms[i] && now_ms >= r->due_ms[i]) {
			names[n++] = r->f->accounts[i].name;
			r->due_ms[i] = 0;
		}
	}
	if (n) {
		discovery_plan(&r->d, r->f, names, n);
		engine_discover(r->e, &r->d);
		r->listing = true;
		if (r->hooks.started)
			r->hooks.started(r->hooks.ud, n);
	}
	free(names);
	return false;
}
