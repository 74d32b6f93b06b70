/* The dashboard's hooks of engine/relist.c (relist_view.h). */
#include "dashboard/relist_view.h"
#include "dashboard/selection.h"
#include "dashboard/views.h"
#include "core/xalloc.h"
#include "store/snapshot.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void on_started(void *ud, size_t n)
{
	struct tui *t = ud;

	statusline_post(&t->sl, t->now, t->now_ms, false, "listing the instances of %zu account%s", n,
	                n == 1 ? "" : "s");
	t->dirty_status = t->dirty_header = true;
}

/* The view's keys are per instance of the fleet as it is: free them before
 * it changes, keeping how the view looks. */
static void on_before_merge(void *ud)
{
	struct tui *t = ud;

	free(t->relist_keep.filter);
	t->relist_keep.filter = t->view.filter ? xstrdup(t->view.filter) : NULL;
	t->relist_keep.problems = t->view.problems_only;
	t->relist_keep.desc = t->view.descending;
	t->relist_keep.sort = t->view.sort;
	fleet_view_free(&t->view);
}

static void on_changed(void *ud, const struct instance *in, bool added)
{
	struct tui *t = ud;

	if (added)
		statusline_post(&t->sl, t->now, t->now_ms, false, "%s: discovered (%s %s, %s)", in->name,
		                in->account->name, service_kind_name(in->service), in->region);
	else
		statusline_post(&t->sl, t->now, t->now_ms, false, "%s: no longer listed by %s, removed",
		                in->name, in->account->name);
}

static void on_merged(void *ud, const struct relist_merge *m)
{
	struct tui *t = ud;
	const struct discovery *d = m->d;

	if (!m->each && (m->added || m->removed))
		statusline_post(&t->sl, t->now, t->now_ms, false, "discovery: %zu instance%s added, %zu removed",
		                m->added, m->added == 1 ? "" : "s", m->removed);
	for (size_t i = 0; i < d->n; i++)
		if (d->l[i].error)
			statusline_post(&t->sl, t->now, t->now_ms, true,
			                "listing %s %s in %s failed (kept what was listed before): %s",
			                d->l[i].a->name, service_kind_name(d->l[i].kind), d->l[i].region,
			                d->l[i].error);
	/* The failures already logged go by index: move them (the fleet may
	 * have grown past the old array). */
	time_t *logged = xcalloc(t->f->n_instances + 1, sizeof(*logged));
	for (size_t i = 0; t->fail_logged_at && i < m->old_n; i++)
		if (m->map[i] != SIZE_MAX)
			logged[m->map[i]] = t->fail_logged_at[i];
	free(t->fail_logged_at);
	t->fail_logged_at = logged;
	/* Rows are instance indexes: rebuild the view, keep how it looks. */
	if (t->sel_index < m->old_n)
		t->sel_index = m->map[t->sel_index];
	fleet_view_init(&t->view, t->f);
	fleet_view_set_filter(&t->view, t->relist_keep.filter);
	fleet_view_set_problems(&t->view, t->relist_keep.problems);
	fleet_view_set_sort(&t->view, t->relist_keep.sort, t->relist_keep.desc);
	fleet_view_update(&t->view, t->now);
	selection_follow(t);
	free(t->relist_keep.filter);
	t->relist_keep.filter = NULL;
	snapshot_keeper_fleet_changed(t->keep);
	if (m->added)
		t->round_active = true;
	t->dirty_all = t->dirty_status = true;
}

void relist_view_start(struct tui *t)
{
	struct relist_hooks h = {.started = on_started, .before_merge = on_before_merge,
	                         .changed = on_changed, .merged = on_merged, .ud = t};

	t->relist = NULL;
	if (!relist_wanted(t->f))
		return;
	relist_init(&t->relist_mem, t->f, t->e, &h, t->now_ms, false);
	t->relist = &t->relist_mem;
}

void relist_view_stop(struct tui *t)
{
	if (t->relist)
		relist_free(t->relist);
	t->relist = NULL;
	free(t->relist_keep.filter);
	t->relist_keep.filter = NULL;
}
