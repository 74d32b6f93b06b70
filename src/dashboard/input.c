/* Keys and mouse to actions (see input.h). */
#include "dashboard/input.h"
#include "dashboard/actions.h"
#include "dashboard/clipboard.h"
#include "core/connect.h"
#include "dashboard/lineedit.h"
#include "dashboard/mono.h"
#include "dashboard/selection.h"
#include "core/xalloc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void post(struct tui *t, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void post(struct tui *t, bool error, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	statusline_post(&t->sl, time(NULL), mono_ms(), error, "%s", s);
	free(s);
	t->dirty_status = true;
}

static void relayout(struct tui *t)
{
	t->dirty_all = true;
}

static void set_sort(struct tui *t, enum view_sort s, bool desc)
{
	fleet_view_set_sort(&t->view, s, desc);
	t->dirty_table = true;
	t->prefs_dirty = true;
}

static void refresh_all(struct tui *t)
{
	size_t n = engine_refresh_all(t->e);

	t->round_active = true;
	t->next_auto_ms = 0;
	t->dirty_header = true;
	post(t, false, "refreshing %zu instance%s", n, n == 1 ? "" : "s");
}

static void prompt_apply(struct tui *t)
{
	char buf[LINEEDIT_MB_SIZE];

	fleet_view_set_filter(&t->view, lineedit_get(&t->prompt, buf));
	t->dirty_table = t->dirty_header = t->dirty_status = true;
	t->prefs_dirty = true;
}

static void prompt_open(struct tui *t)
{
	t->prompt_active = true;
	lineedit_set(&t->prompt, t->view.filter);
	t->dirty_status = true;
}

static void prompt_key(struct tui *t, int rc, wint_t wc)
{
	enum lineedit_result r = LINEEDIT_IGNORED;

	if (rc == KEY_CODE_YES) {
		if (wc == KEY_BACKSPACE)
			r = lineedit_backspace(&t->prompt);
		else if (wc == KEY_ENTER)
			r = LINEEDIT_ACCEPT;
	} else {
		r = lineedit_key(&t->prompt, wc);
	}
	switch (r) {
	case LINEEDIT_EDITED:
		prompt_apply(t);
		break;
	case LINEEDIT_ACCEPT:
		t->prompt_active = false;
		t->dirty_status = true;
		break;
	case LINEEDIT_CANCEL:   /* the filter goes with the prompt */
		t->prompt_active = false;
		prompt_apply(t);
		break;
	case LINEEDIT_IGNORED:
		break;
	}
}

/* The column chooser: the cursor is overlay_scroll. */
static void columns_toggle(struct tui *t)
{
	int c = t->overlay_scroll, shown = 0;

	if (c < 0 || c >= COL_COUNT)
		return;
	for (int i = 0; i < COL_COUNT; i++)
		shown += !t->col_hidden[i];
	if (!t->col_hidden[c] && shown == 1) {
		post(t, false, "the last shown column stays");
		return;
	}
	t->col_hidden[c] = !t->col_hidden[c];
	t->prefs_dirty = true;
	relayout(t);
}

static void overlay_key(struct tui *t, enum action a)
{
	if (t->overlay == OVERLAY_COLUMNS && a == ACT_DETAIL) {
		columns_toggle(t);
		return;
	}
	if (t->overlay == OVERLAY_COLUMNS && a == ACT_COLUMNS) {
		t->overlay = OVERLAY_NONE;
		relayout(t);
		return;
	}
	switch (a) {
	case ACT_UP: t->overlay_scroll--; break;
	case ACT_DOWN: t->overlay_scroll++; break;
	case ACT_PAGE_UP: t->overlay_scroll -= t->table_h > 2 ? t->table_h - 2 : 1; break;
	case ACT_PAGE_DOWN: t->overlay_scroll += t->table_h > 2 ? t->table_h - 2 : 1; break;
	case ACT_FIRST: t->overlay_scroll = 0; break;
	case ACT_LAST: t->overlay_scroll = INT_MAX / 2; break;
	case ACT_REDRAW: clearok(curscr, TRUE); relayout(t); return;
	case ACT_HELP:
		if (t->overlay == OVERLAY_HELP) {
			t->overlay = OVERLAY_NONE;
		} else {
			t->overlay = OVERLAY_HELP;
			t->overlay_scroll = 0;
		}
		relayout(t);
		return;
	case ACT_LOG:
		if (t->overlay == OVERLAY_LOG) {
			t->overlay = OVERLAY_NONE;
		} else {
			t->overlay = OVERLAY_LOG;
			t->overlay_scroll = INT_MAX / 2;
		}
		relayout(t);
		return;
	case ACT_CLOSE: case ACT_QUIT:
		t->overlay = OVERLAY_NONE;
		relayout(t);
		return;
	default:
		return;
	}
	if (t->overlay_scroll < 0)
		t->overlay_scroll = 0;
	t->dirty_all = true;
}

/* The value the key after y names, as a new string; NULL with *what set to
 * why there is none. */
static char *copy_pick(const struct fleet *f, const struct instance *in, wint_t key,
                       const char **what)
{
	const struct instance_status *st = &in->st;

	switch (key) {
	case 'c':
		/* the line the detail pane shows */
		*what = "the connect line";
		return connect_line_of(f, in);
	case 'p':
		*what = "the ca.pem path";
		return st->download && st->download->ca_pem ? xstrdup(st->download->ca_pem) : NULL;
	case 'u':
		/* The whole link, query included: it is what the operator asked
		 * for; it is never shown or logged (a presigned link is a bearer
		 * token until it expires). */
		*what = "the cert URL";
		return st->cert_url && *st->cert_url ? xstrdup(st->cert_url) : NULL;
	case 'i':
		*what = "the instance id";
		return in->id && *in->id ? xstrdup(in->id) : NULL;
	default:
		*what = NULL;
		return NULL;
	}
}

static void copy_key(struct tui *t, int rc, wint_t wc)
{
	struct instance *in = selection_instance(t);
	const char *what = NULL;
	char *value, *err = NULL;

	t->copy_pending = false;
	t->dirty_status = true;
	if (!in || rc != OK) {
		post(t, false, "copy cancelled");
		return;
	}
	value = copy_pick(t->f, in, wc, &what);
	if (!what) {
		post(t, false, "copy cancelled (y then c, p, u or i)");
		return;
	}
	if (!value) {
		post(t, true, "%s: no %s yet%s", in->name, what + 4,
		     wc == 'p' ? " (d downloads the CA certificate)" :
		     wc == 'c' ? " (needs the address and port)" : "");
		return;
	}
	/* Curses' buffered output goes first, so the sequence lands whole
	 * between two screen updates. */
	fflush(stdout);
	if (clipboard_write(STDOUT_FILENO, value, &err) == 0)
		post(t, false, "%s: copied %s (%zu bytes)", in->name, what, strlen(value));
	else
		post(t, true, "%s: cannot copy %s: %s", in->name, what, err);
	free(err);
	free(value);
}

/* Returns true when the user asked to quit. */
static bool do_action(struct tui *t, enum action a)
{
	struct instance *in = selection_instance(t);
	long page = t->table_h > 1 ? t->table_h - 1 : 1;
	char *why = NULL;

	if (t->overlay != OVERLAY_NONE) {
		overlay_key(t, a);
		return false;
	}
	switch (a) {
	case ACT_UP: selection_move(t, t->sel_row - 1); break;
	case ACT_DOWN: selection_move(t, t->sel_row + 1); break;
	case ACT_PAGE_UP: selection_move(t, t->sel_row - page); break;
	case ACT_PAGE_DOWN: selection_move(t, t->sel_row + page); break;
	case ACT_FIRST: selection_move(t, 0); break;
	case ACT_LAST: selection_move(t, (long)t->view.n_rows - 1); break;
	case ACT_DETAIL:
		t->detail_open = !t->detail_open;
		t->detail_scroll = 0;
		relayout(t);
		break;
	case ACT_DETAIL_RAW:
		t->detail_raw = !t->detail_raw;
		t->detail_hscroll = 0;
		if (!t->detail_open)
			t->detail_open = true;
		relayout(t);
		post(t, false, t->detail_raw ? "detail unwrapped: Left/Right scroll" : "detail wrapped");
		break;
	case ACT_DETAIL_LEFT:
	case ACT_DETAIL_RIGHT:
		if (!t->detail_open || !t->detail_raw)
			break;
		t->detail_hscroll += a == ACT_DETAIL_LEFT ? -8 : 8;
		if (t->detail_hscroll < 0)
			t->detail_hscroll = 0;
		t->dirty_detail = true;
		break;
	case ACT_COPY:
		if (!in)
			break;
		t->copy_pending = true;
		post(t, false, "copy: c connect line, p ca.pem path, u cert URL, i instance id (Esc cancels)");
		break;
	case ACT_DETAIL_UP:
	case ACT_DETAIL_DOWN:
		if (!t->detail_open) {
			t->detail_open = true;
			relayout(t);
			break;
		}
		t->detail_scroll += a == ACT_DETAIL_UP ? -1 : 1;
		if (t->detail_scroll < 0)
			t->detail_scroll = 0;
		t->dirty_detail = true;
		break;
	case ACT_REFRESH:
		if (!in)
			break;
		if (engine_refresh(t->e, in)) {
			engine_hurry(t->e, in);
			post(t, false, "%s: refresh queued", in->name);
		} else if (engine_hurry(t->e, in)) {
			post(t, false, "%s: moved to the front of the queue", in->name);
		} else {
			post(t, false, "%s: a refresh is already running", in->name);
		}
		t->dirty_table = t->dirty_header = true;
		break;
	case ACT_REFRESH_ALL:
		refresh_all(t);
		break;
	case ACT_DOWNLOAD:
		if (!in)
			break;
		if (engine_download(t->e, in, NULL, &why)) {
			post(t, false, "%s: downloading the CA certificate", in->name);
		} else {
			post(t, true, "%s: cannot download: %s", in->name, why ? why : "refused");
			free(why);
		}
		t->dirty_detail = true;
		break;
	case ACT_CANCEL:
		if (!in)
			break;
		/* The engine reports the cancellation itself (once). */
		if (!engine_cancel_download(t->e, in))
			post(t, false, "%s: no download running", in->name);
		t->dirty_detail = true;
		break;
	case ACT_FILTER:
		prompt_open(t);
		break;
	case ACT_NEXT_MATCH:
	case ACT_PREV_MATCH: {
		long r;
		if (!t->view.filter) {
			post(t, false, "no filter: type / and some text first");
			break;
		}
		r = fleet_view_find_next(&t->view, t->view.filter, t->sel_row,
		                         a == ACT_NEXT_MATCH ? 1 : -1);
		if (r < 0)
			post(t, false, "no match for %s", t->view.filter);
		else
			selection_move(t, r);
		break;
	}
	case ACT_SORT_NEXT:
	case ACT_SORT_PREV: {
		int s = (int)t->view.sort + (a == ACT_SORT_NEXT ? 1 : -1);
		s = (s + SORT_COUNT) % SORT_COUNT;
		set_sort(t, (enum view_sort)s, false);
		post(t, false, "sorted by %s", fleet_view_sort_name((enum view_sort)s));
		break;
	}
	case ACT_SORT_INVERT:
		set_sort(t, t->view.sort, !t->view.descending);
		break;
	case ACT_PROBLEMS:
		t->prefs_dirty = true;
		fleet_view_set_problems(&t->view, !t->view.problems_only);
		t->dirty_table = t->dirty_header = true;
		post(t, false, t->view.problems_only ? "showing problems only" : "showing every instance");
		break;
	case ACT_LOG:
	case ACT_HELP:
		overlay_key(t, a);
		break;
	case ACT_COLUMNS:
		t->overlay = OVERLAY_COLUMNS;
		t->overlay_scroll = 0;
		relayout(t);
		break;
	case ACT_RELOAD:
		t->reload_requested = true;
		break;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		relayout(t);
		break;
	case ACT_CLOSE:
		if (t->detail_open) {
			t->detail_open = false;
			relayout(t);
		} else if (t->view.filter) {
			fleet_view_set_filter(&t->view, NULL);
			t->dirty_table = t->dirty_header = true;
			t->prefs_dirty = true;
		}
		break;
	case ACT_QUIT:
		return true;
	default:
		break;
	}
	return false;
}

static void mouse_event(struct tui *t)
{
	MEVENT ev;

	if (getmouse(&ev) != OK || t->too_small)
		return;
	if (ev.bstate & BUTTON4_PRESSED) {
		selection_move(t, t->sel_row - 3);
		return;
	}
#ifdef BUTTON5_PRESSED
	if (ev.bstate & BUTTON5_PRESSED) {
		selection_move(t, t->sel_row + 3);
		return;
	}
#endif
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) || t->overlay != OVERLAY_NONE)
		return;
	if (ev.x < t->table_x || ev.x >= t->table_x + t->table_w)
		return;
	if (ev.y == t->table_y - 1) {
		int s = view_table_sort_at(t, ev.x);
		if (s >= 0)
			set_sort(t, (enum view_sort)s,
			         (enum view_sort)s == t->view.sort ? !t->view.descending : false);
	} else if (ev.y >= t->table_y && ev.y < t->table_y + t->table_h) {
		long r = t->top_row + (ev.y - t->table_y);
		if (r < (long)t->view.n_rows)
			selection_move(t, r);
	}
}

bool input_key(struct tui *t, int rc, wint_t wc)
{
	if (rc == KEY_CODE_YES && wc == KEY_RESIZE) {
		relayout(t);
		return false;
	}
	if (rc == KEY_CODE_YES && wc == KEY_MOUSE) {
		mouse_event(t);
		return false;
	}
	if (t->prompt_active) {
		prompt_key(t, rc, wc);
		return false;
	}
	if (t->copy_pending) {
		copy_key(t, rc, wc);
		return false;
	}
	if (t->overlay == OVERLAY_COLUMNS && rc == OK && wc == ' ') {
		columns_toggle(t);
		return false;
	}
	/* Only ASCII and function keys are bound; other characters are text. */
	if (rc == OK && wc >= 0x80)
		return false;
	return do_action(t, action_for_key((int)wc));
}
