#include "dashboard/relist.h"
#include "dashboard/selection.h"
#include "dashboard/views.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Past this many changes in one merge, one summary line instead of a line
 * each: the first listing of a big account would flood the log. */
#define RELIST_LOG_EACH_MAX 20

void relist_init(struct relist *r, const struct fleet *f, long long now_ms)
{
	memset(r, 0, sizeof(*r));
	r->n_accounts = f->n_accounts;
	r->due_ms = xcalloc(f->n_accounts + 1, sizeof(*r->due_ms));
	for (size_t i = 0; i < f->n_accounts; i++)
		r->due_ms[i] = f->accounts[i].discover ? now_ms : 0;
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

struct merge_log {
	struct tui *t;
	size_t added, removed;
	bool each;
};

static void log_change(void *ud, const struct instance *in, bool added)
{
	struct merge_log *m = ud;

	if (added)
		m->added++;
	else
		m->removed++;
	if (!m->each)
		return;
	if (added)
		statusline_post(&m->t->sl, m->t->now, m->t->now_ms, false, "%s: discovered (%s %s, %s)",
		                in->name, in->account->name, service_kind_name(in->service), in->region);
	else
		statusline_post(&m->t->sl, m->t->now, m->t->now_ms, false,
		                "%s: no longer listed by %s, removed", in->name, in->account->name);
}

/* How many instances would change: decides one line each or a summary. */
static size_t count_changes(const struct fleet *f, const struct discovery *d)
{
	size_t listed = 0, discovered = 0;

	for (size_t i = 0; i < d->n; i++)
		listed += d->l[i].n_items;
	for (size_t i = 0; i < f->n_instances; i++)
		discovered += f->instances[i].discovered;
	return listed > discovered ? listed - discovered : discovered - listed;
}

/* The idle point: no job holds an instance, so the array may be rebuilt. */
static void merge(struct relist *r, struct tui *t)
{
	struct fleet *f = t->f;
	struct merge_log m = {.t = t};
	size_t *map = NULL, added = 0;
	char *filter = t->view.filter ? xstrdup(t->view.filter) : NULL;
	bool problems = t->view.problems_only, desc = t->view.descending;
	enum view_sort sort = t->view.sort;
	size_t old_n = f->n_instances;

	m.each = count_changes(f, &r->d) <= RELIST_LOG_EACH_MAX;
	/* The view's keys are per instance of the fleet as it is: free them
	 * before it changes. */
	fleet_view_free(&t->view);
	discovery_reconcile(f, &r->d, log_change, &m, &map, &added);
	if (!m.each && (m.added || m.removed))
		statusline_post(&t->sl, t->now, t->now_ms, false,
		                "discovery: %zu instance%s added, %zu removed", m.added,
		                m.added == 1 ? "" : "s", m.removed);
	for (size_t i = 0; i < r->d.n; i++)
		if (r->d.l[i].error)
			statusline_post(&t->sl, t->now, t->now_ms, true,
			                "listing %s %s in %s failed (kept what was listed before): %s",
			                r->d.l[i].a->name, service_kind_name(r->d.l[i].kind),
			                r->d.l[i].region, r->d.l[i].error);
	/* Rows are instance indexes: rebuild the view, keep how it looks. */
	if (t->sel_index < old_n)
		t->sel_index = map[t->sel_index];
	fleet_view_init(&t->view, f);
	fleet_view_set_filter(&t->view, filter);
	fleet_view_set_problems(&t->view, problems);
	fleet_view_set_sort(&t->view, sort, desc);
	fleet_view_update(&t->view, t->now);
	selection_follow(t);
	free(filter);
	free(map);
	engine_fleet_changed(t->e);
	for (size_t i = f->n_instances - added; i < f->n_instances; i++)
		engine_refresh(t->e, &f->instances[i]);
	if (added)
		t->round_active = true;
	t->dirty_all = t->dirty_status = true;
}

bool relist_update(struct relist *r, struct tui *t)
{
	if (r->listing) {
		if (!round_over(&r->d))
			return false;
		r->listing = false;
		r->merge_pending = true;
	}
	if (r->merge_pending) {
		if (engine_busy(t->e))
			return false;
		merge(r, t);
		r->merge_pending = false;
		r->rounds++;
		/* the next listing counts from the end of this one */
		for (size_t i = 0; i < r->d.n; i++) {
			const struct account *a = r->d.l[i].a;
			size_t k = (size_t)(a - t->f->accounts);
			if (a->discover->interval > 0)
				r->due_ms[k] = t->now_ms + (long long)a->discover->interval * 1000;
		}
		discovery_free(&r->d);
		return true;
	}

	const char **names = xcalloc(r->n_accounts + 1, sizeof(*names));
	size_t n = 0;
	for (size_t i = 0; i < r->n_accounts; i++) {
		if (r->due_ms[i] && t->now_ms >= r->due_ms[i]) {
			names[n++] = t->f->accounts[i].name;
			r->due_ms[i] = 0;
		}
	}
	if (n) {
		discovery_plan(&r->d, t->f, names, n);
		engine_discover(t->e, &r->d);
		r->listing = true;
		statusline_post(&t->sl, t->now, t->now_ms, false, "listing the instances of %zu account%s",
		                n, n == 1 ? "" : "s");
		t->dirty_status = t->dirty_header = true;
	}
	free(names);
	return false;
}
