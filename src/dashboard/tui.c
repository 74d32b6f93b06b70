/* The dashboard's loop (docs/ARCHITECTURE.md, "The loop"): wait in
 * engine_poll() with stdin and the signal pipe as extra descriptors and a
 * timeout of min(engine timer, UI tick, auto refresh, message expiry);
 * drain every key with get_wch() in no-delay mode (input.c acts on it);
 * let the engine finish transfers; draw what is dirty (frame.c) and send
 * it to the terminal once (doupdate). Signal handlers only set flags;
 * actions change state and mark regions dirty; the views draw. Engine
 * events arrive here and only mark what they touched.
 *
 * Ownership: the fleet and the engine are the caller's; the struct tui
 * (view, messages) lives on tui_run()'s stack and is freed before it
 * returns. The engine's notify callback is reset before returning so it
 * never points at a dead frame. */
#include "dashboard/tui.h"
#include "dashboard/frame.h"
#include "dashboard/input.h"
#include "dashboard/mono.h"
#include "dashboard/relist_view.h"
#include "dashboard/selection.h"
#include "dashboard/theme.h"
#include "dashboard/ui.h"
#include "dashboard/uistats.h"
#include "dashboard/prefs.h"
#include "dashboard/views.h"
#include "core/xalloc.h"
#include "store/snapshot.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

/* A frame driven only by network events waits this long after the last
 * one, so thousands of answers a second cost a few frames, not thousands.
 * Keys are answered in the same wake-up. */
#define FRAME_MIN_MS 33
#define TICK_MS 1000
/* Re-filtering and re-sorting a big fleet after every answer would cost
 * more than the answers: order follows the data at most this often. */
#define VIEW_RESORT_MS 250
#define VIEW_RESORT_BIG_MS 1000
#define BIG_FLEET 5000

/* ---- engine events ------------------------------------------------------ */

/* A failed refresh goes to the message log with its code, once per
 * answer: an instance is notified more than once per refresh (the CA
 * fetch after it, downloads), so the answer's time tells repeats apart. */
static void log_failure(struct tui *t, const struct instance *in, size_t idx)
{
	const struct api_error *er = in->st.error;

	if (!er || !t->fail_logged_at)
		return;
	/* Failures only: unsupported and the like are answers, and the
	 * table already says them. */
	if (in->st.state != STATE_ERROR && in->st.state != STATE_AUTH_ERROR &&
	    in->st.state != STATE_THROTTLED && in->st.state != STATE_NOT_FOUND)
		return;
	if (t->fail_logged_at[idx] == in->st.refreshed_at)
		return;
	t->fail_logged_at[idx] = in->st.refreshed_at;
	if (er->http_status)
		statusline_log(&t->sl, time(NULL), true, "%s: refresh failed: %s (HTTP %d)%s%s",
		               in->name, er->code, er->http_status, er->message ? ": " : "",
		               er->message ? er->message : "");
	else
		statusline_log(&t->sl, time(NULL), true, "%s: refresh failed: %s%s%s", in->name,
		               er->code, er->message ? ": " : "", er->message ? er->message : "");
	t->dirty_status = true;
}

static void on_engine(void *ud, struct instance *in, enum engine_event ev, const char *msg)
{
	struct tui *t = ud;
	size_t idx = in ? (size_t)(in - t->f->instances) : SIZE_MAX;
	bool mine = idx < t->f->n_instances;

	t->dirty_table = true;
	if (mine && idx == t->sel_index)
		t->dirty_detail = true;
	switch (ev) {
	case ENGINE_EV_UPDATED:
		if (mine) {
			fleet_view_instance_changed(&t->view, idx);
			log_failure(t, in, idx);
		}
		snapshot_keeper_mark(t->keep);
		t->dirty_header = true;
		break;
	case ENGINE_EV_DOWNLOADED:
	case ENGINE_EV_FAILED: {
		bool failed = ev == ENGINE_EV_FAILED;
		const char *text = msg ? msg : failed ? "failed" : "CA certificate saved";
		/* The engine's messages usually name the instance already. */
		bool named = !mine || strstr(text, in->name) != NULL;

		if (mine && !failed)
			fleet_view_instance_changed(&t->view, idx);
		statusline_post(&t->sl, time(NULL), mono_ms(), failed, "%s%s%s",
		                named ? "" : in->name, named ? "" : ": ", text);
		t->dirty_status = true;
		break;
	}
	case ENGINE_EV_STARTED:
	case ENGINE_EV_PROGRESS:
	default:
		break;
	}
}

/* ---- saved preferences -------------------------------------------------- */

static void prefs_names_of(struct prefs_names *n, const char **sorts, const char **columns)
{
	for (int s = 0; s < SORT_COUNT; s++)
		sorts[s] = fleet_view_sort_name((enum view_sort)s);
	for (int c = 0; c < COL_COUNT; c++)
		columns[c] = view_column_name((enum table_col)c);
	*n = (struct prefs_names){sorts, SORT_COUNT, columns, COL_COUNT};
}

/* Apply the view part (sort, filter, problems, columns) to the tui. */
static void prefs_apply_view(struct tui *t, const struct dash_prefs *p)
{
	if (p->sort >= 0)
		fleet_view_set_sort(&t->view, (enum view_sort)p->sort, p->descending);
	fleet_view_set_problems(&t->view, p->problems_only);
	fleet_view_set_filter(&t->view, p->filter);
	for (int c = 0; c < COL_COUNT && c < PREFS_MAX_COLUMNS; c++)
		t->col_hidden[c] = p->hidden[c];
}

static void prefs_write(struct tui *t)
{
	const char *sorts[SORT_COUNT], *columns[COL_COUNT];
	struct prefs_names names;
	struct dash_prefs p, old;
	char *err = NULL;

	t->prefs_dirty = false;
	if (!t->prefs_path)
		return;
	prefs_names_of(&names, sorts, columns);
	/* theme and refresh_interval are the operator's, written by hand:
	 * keep what the file says. */
	if (prefs_load(t->prefs_path, &names, &old, &err) != 0) {
		free(err);
		err = NULL;
	}
	prefs_init(&p);
	p.sort = (int)t->view.sort;
	p.descending = t->view.descending;
	p.problems_only = t->view.problems_only;
	p.filter = t->view.filter;
	for (int c = 0; c < COL_COUNT && c < PREFS_MAX_COLUMNS; c++)
		p.hidden[c] = t->col_hidden[c];
	p.theme = old.theme;
	p.refresh_interval = old.refresh_interval;
	if (prefs_save(t->prefs_path, &p, &names, &err) != 0) {
		statusline_post(&t->sl, time(NULL), mono_ms(), true,
		                "preferences not saved: %s", err);
		t->dirty_status = true;
		/* Once: a read-only home must not turn every key into an error. */
		free(t->prefs_path);
		t->prefs_path = NULL;
	}
	free(err);
	prefs_free(&old);
}

/* ---- reloading the config ------------------------------------------------ */

static void reload(struct tui *t, const struct tui_options *o)
{
	char *err = NULL, *sel_name = NULL;
	struct engine *e = t->e;

	t->reload_requested = false;
	if (!o || !o->reload) {
		statusline_post(&t->sl, time(NULL), mono_ms(), true, "reloading is not available here");
		t->dirty_status = true;
		return;
	}
	if (t->sel_index < t->f->n_instances)
		sel_name = xstrdup(t->f->instances[t->sel_index].name);
	/* The view borrows the fleet's instances: let go of them first, keep
	 * the settings to put back. */
	char *filter = t->view.filter ? xstrdup(t->view.filter) : NULL;
	enum view_sort sort = t->view.sort;
	bool desc = t->view.descending, problems = t->view.problems_only;

	engine_set_notify(e, NULL, NULL);
	fleet_view_free(&t->view);   /* its keys are sized for the old fleet */
	bool reloaded = o->reload(o->reload_ud, &e, &err);
	t->e = e;
	fleet_view_init(&t->view, t->f);
	fleet_view_set_sort(&t->view, sort, desc);
	fleet_view_set_problems(&t->view, problems);
	fleet_view_set_filter(&t->view, filter);
	free(filter);
	engine_set_notify(e, on_engine, t);
	engine_set_interactive(e, true);
	t->dirty_all = true;
	if (!reloaded) {
		/* Several errors come one per line: one message line. */
		for (char *c = err; c && *c; c++)
			if (*c == '\n')
				*c = ' ';
		statusline_post(&t->sl, time(NULL), mono_ms(), true,
		                "config not reloaded, the old one stays: %s", err ? err : "failed");
		free(err);
		free(sel_name);
		return;
	}
	free(t->fail_logged_at);
	t->fail_logged_at = xcalloc(t->f->n_instances ? t->f->n_instances : 1,
	                            sizeof(*t->fail_logged_at));
	/* the new fleet's instances are other indexes, even at the same count */
	snapshot_keeper_fleet_changed(t->keep);
	t->sel_index = SIZE_MAX;
	for (size_t i = 0; sel_name && i < t->f->n_instances; i++)
		if (strcmp(t->f->instances[i].name, sel_name) == 0)
			t->sel_index = i;
	free(sel_name);
	t->measured = false;
	statusline_post(&t->sl, time(NULL), mono_ms(), false, "config reloaded: %zu instance%s",
	                t->f->n_instances, t->f->n_instances == 1 ? "" : "s");
	/* The old round's list jobs went with the old engine and its accounts
	 * with the old fleet: list the new accounts afresh. */
	relist_view_stop(t);
	relist_view_start(t);
	engine_refresh_all(e);
	t->round_active = true;
	t->next_auto_ms = 0;
	t->dirty_all = true;
}

/* ---- the loop ----------------------------------------------------------- */

static long min_timeout(long a, long b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static void auto_refresh(struct tui *t)
{
	struct engine_stats es;

	memset(&es, 0, sizeof(es));
	engine_get_stats(t->e, &es);
	if (t->round_active && es.done >= es.round_total && es.queued == 0 &&
	    (es.in_flight == 0 || !engine_busy(t->e))) {
		t->round_active = false;
		t->dirty_header = true;
		if (t->f->settings.refresh_interval > 0)
			t->next_auto_ms = t->now_ms + (long long)t->f->settings.refresh_interval * 1000;
	}
	/* a finished listing is merged when the engine is idle: hold the round */
	if (!t->round_active && t->next_auto_ms && t->now_ms >= t->next_auto_ms &&
	    !(t->relist && t->relist->merge_pending)) {
		engine_refresh_all(t->e);
		t->round_active = true;
		t->next_auto_ms = 0;
		t->dirty_header = true;
	}
}

static const char *pick_theme(const struct fleet *f, const struct tui_options *o)
{
	if (o && o->theme && *o->theme)
		return o->theme;
	if (f->settings.theme && *f->settings.theme)
		return f->settings.theme;
	return "default";
}

/* The loop's own state: when each periodic job last ran. */
struct loop {
	struct tui t;
	struct uistats stats;
	long long last_frame, last_view, last_tick, last_minute;
	bool user_changed;      /* a key or a resize since the last frame */
	size_t *shown;          /* instances on screen at the last frame */
	size_t n_shown;
};

/* Tell the engine which rows are on screen when that changed, so their
 * refreshes go first: an operator looks at those (a 2,000-instance
 * account at 20 requests/s takes 100 s to go round). */
static void loop_prefer_shown(struct loop *l)
{
	struct tui *t = &l->t;
	size_t n = 0, cap = t->table_h > 0 ? (size_t)t->table_h : 0;
	size_t *now = xcalloc(cap ? cap : 1, sizeof(*now));

	for (size_t i = 0; i < cap; i++) {
		long r = t->top_row + (long)i;
		if (r < 0 || r >= (long)t->view.n_rows)
			break;
		now[n++] = t->view.rows[r];
	}
	if (n != l->n_shown || (n && memcmp(now, l->shown, n * sizeof(*now)) != 0)) {
		engine_prefer(t->e, now, n);
		free(l->shown);
		l->shown = now;
		l->n_shown = n;
	} else {
		free(now);
	}
}

static long resort_ms(const struct tui *t)
{
	return t->f->n_instances > BIG_FLEET ? VIEW_RESORT_BIG_MS : VIEW_RESORT_MS;
}

/* Before drawing: the clock, a resize, auto refresh, the once-a-second
 * tick, messages running out, the rows following the data. */
static void loop_update(struct loop *l)
{
	struct tui *t = &l->t;

	t->now = time(NULL);
	t->now_ms = mono_ms();
	if (ui_resize_pending()) {
		ui_resize();
		t->dirty_all = true;
		l->user_changed = true;
	}
	auto_refresh(t);
	if (t->relist && relist_update(t->relist, t->now_ms))
		l->user_changed = true;   /* the rows were rebuilt: draw now */
	if (t->now_ms - l->last_tick >= TICK_MS) {
		/* Ages, the countdown, messages running out. */
		l->last_tick = t->now_ms;
		t->dirty_header = t->dirty_table = t->dirty_status = true;
		if (t->now_ms - l->last_minute >= 60000) {
			/* Expiry windows move with the clock. */
			l->last_minute = t->now_ms;
			fleet_view_all_changed(&t->view);
		}
	}
	char *serr = snapshot_keeper_tick(t->keep, t->now_ms);
	if (serr) {
		statusline_post(&t->sl, t->now, t->now_ms, true, "%s", serr);
		t->dirty_status = true;
		free(serr);
	}
	if (statusline_expire(&t->sl, t->now_ms))
		t->dirty_status = true;   /* the hints come back */
	if (fleet_view_dirty(&t->view) &&
	    (l->user_changed || t->now_ms - l->last_view >= resort_ms(t))) {
		fleet_view_update(&t->view, t->now);
		l->last_view = t->now_ms;
		selection_follow(t);
		t->dirty_table = t->dirty_header = t->dirty_detail = true;
	}
}

/* Draw when something is dirty and a frame is due; returns how long the
 * wait may be (ms) before the next thing the loop must do. */
static long loop_draw(struct loop *l)
{
	struct tui *t = &l->t;
	long wait = TICK_MS - (t->now_ms - l->last_tick);

	if (frame_dirty(t)) {
		if (l->user_changed || t->now_ms - l->last_frame >= FRAME_MIN_MS) {
			double t0 = mono_us();
			frame_draw(t);
			wnoutrefresh(stdscr);
			doupdate();
			uistats_frame(&l->stats, mono_us() - t0);
			loop_prefer_shown(l);
			l->last_frame = t->now_ms;
		} else {
			wait = min_timeout(wait, FRAME_MIN_MS - (t->now_ms - l->last_frame));
		}
	}
	l->user_changed = false;
	if (fleet_view_dirty(&t->view))
		wait = min_timeout(wait, resort_ms(t));
	wait = min_timeout(wait, engine_next_timer_ms(t->e));
	wait = min_timeout(wait, snapshot_keeper_due_ms(t->keep, t->now_ms));
	wait = min_timeout(wait, statusline_next_ms(&t->sl, t->now_ms));
	if (t->next_auto_ms && !t->round_active)
		wait = min_timeout(wait, (long)(t->next_auto_ms - t->now_ms));
	if (t->relist)
		wait = min_timeout(wait, relist_next_ms(t->relist, t->now_ms));
	return wait < 0 ? 0 : wait;
}

/* Wait for the network, a key, a signal or the timeout; then take every
 * key there is. Returns true when the user asked to quit. */
static bool loop_wait(struct loop *l, long wait)
{
	int fds[2] = {0, ui_signal_fd()};
	bool quit = false;
	wint_t wc;
	int rc;

	/* The stall a key press can meet is the time from leaving the
	 * poll to entering it again: inside it, input wakes us at once. */
	uistats_wait_begin(&l->stats, mono_us());
	engine_poll(l->t.e, fds, fds[1] >= 0 ? 2 : 1, (int)wait);
	ui_signal_drain();
	uistats_wait_end(&l->stats, mono_us());
	while (!quit && (rc = get_wch(&wc)) != ERR) {
		quit = input_key(&l->t, rc, wc);
		l->user_changed = true;
	}
	return quit;
}

int tui_run(struct fleet *f, struct engine *e, const struct tui_options *o)
{
	struct loop l;
	struct tui *t = &l.t;
	struct theme theme;
	const char *stats_path = getenv("TLSFLEET_UI_STATS");
	const char *nc = getenv("NO_COLOR");
	char *err = NULL, *uerr = NULL;
	int code = 0;

	memset(&l, 0, sizeof(l));
	l.user_changed = true;
	t->f = f;
	t->e = e;
	t->no_color = (o && o->no_color) || (nc && *nc);
	t->sel_index = SIZE_MAX;
	t->keep = o ? o->keep : NULL;
	setlocale(LC_CTYPE, "");

	/* Saved preferences: the command line wins over them, they win over
	 * the config file. */
	struct dash_prefs prefs;
	char *perr = NULL;
	{
		const char *sorts[SORT_COUNT], *columns[COL_COUNT];
		struct prefs_names names;
		prefs_names_of(&names, sorts, columns);
		t->prefs_path = prefs_default_path();
		char *legacy = prefs_legacy_path();
		const char *from = t->prefs_path;
		if (t->prefs_path && legacy && access(t->prefs_path, F_OK) != 0 && access(legacy, F_OK) == 0)
			from = legacy;   /* saved back to the state directory */
		int prc = prefs_load(from, &names, &prefs, &perr);
		free(legacy);
		if (prc != 0)
			prefs_init(&prefs);
	}
	if (prefs.refresh_interval >= 0 && !(o && o->refresh_from_cli))
		f->settings.refresh_interval = prefs.refresh_interval;
	struct tui_options eff = o ? *o : (struct tui_options){0};
	if (!eff.theme && prefs.theme)
		eff.theme = prefs.theme;
	theme_load(&theme, pick_theme(f, &eff), &err);
	ui_signals_install();
	if (!ui_begin(&uerr)) {
		fprintf(stderr, "tlsfleet: %s\n", uerr);
		free(uerr);
		free(err);
		return 1;
	}
	theme_apply(&theme, t->no_color);
	statusline_init(&t->sl);
	fleet_view_init(&t->view, f);
	prefs_apply_view(t, &prefs);
	prefs_free(&prefs);
	t->fail_logged_at = xcalloc(f->n_instances ? f->n_instances : 1, sizeof(*t->fail_logged_at));
	engine_set_notify(e, on_engine, t);
	engine_set_interactive(e, true);
	t->now = time(NULL);
	t->now_ms = mono_ms();
	if (err) {
		statusline_post(&t->sl, time(NULL), mono_ms(), true, "%s", err);
		free(err);
	}
	for (size_t i = 0; i < f->n_accounts; i++)
		if (f->accounts[i].credential_warning)
			statusline_post(&t->sl, time(NULL), mono_ms(), true, "warning: %s",
			                f->accounts[i].credential_warning);
	if (perr) {
		statusline_post(&t->sl, time(NULL), mono_ms(), true, "preferences ignored: %s", perr);
		free(perr);
	}
	engine_refresh_all(e);
	t->round_active = true;
	t->dirty_all = true;
	relist_view_start(t);

	for (;;) {
		int sig = ui_signal_taken();
		if (sig) {
			code = 128 + sig;
			break;
		}
		loop_update(&l);
		if (t->reload_requested)
			reload(t, o);
		if (t->prefs_dirty && !t->prompt_active)
			prefs_write(t);
		if (loop_wait(&l, loop_draw(&l)))
			break;
		engine_perform(t->e);
	}

	free(l.shown);
	prefs_write(t);
	free(t->prefs_path);
	engine_set_notify(t->e, NULL, NULL);
	engine_prefer(t->e, NULL, 0);
	if (o && o->engine_out)
		*o->engine_out = t->e;
	ui_end();
	if (code)
		fprintf(stderr, "tlsfleet: stopped by signal %d\n", code - 128);
	if (stats_path && *stats_path)
		uistats_write(&l.stats, stats_path);
	fleet_view_free(&t->view);
	statusline_free(&t->sl);
	/* List jobs still queued point into the round; the engine is freed
	 * after us without running them again, and never reads a listing
	 * when it drops a job. */
	relist_view_stop(t);
	free(t->fail_logged_at);
	return code;
}
