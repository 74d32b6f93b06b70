/* The dashboard's loop (DESIGN §2): wait in engine_poll() with stdin and
 * the signal pipe as extra descriptors and a timeout of min(engine timer,
 * UI tick, auto refresh, message expiry); drain every key with get_wch()
 * in no-delay mode; let the engine finish transfers; redraw what is dirty
 * and send it to the terminal once (doupdate). Handlers only set flags;
 * actions change state and mark regions dirty; the views draw.
 *
 * Ownership: the fleet and the engine are the caller's; the struct tui
 * (view, messages) lives on tui_run()'s stack and is freed before it
 * returns. The engine's notify callback is reset before returning so it
 * never points at a dead frame. */
#include "dashboard/tui.h"
#include "dashboard/actions.h"
#include "core/textsafe.h"
#include "dashboard/theme.h"
#include "dashboard/ui.h"
#include "dashboard/views.h"
#include "core/xalloc.h"

#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

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

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* ---- UI statistics (TLSFLEET_UI_STATS) ---------------------------------- */

/* Log-scale histogram, 10% wide buckets from 1 µs: constant memory for any
 * run length, percentiles within 10%. */
#define HIST_BUCKETS 256
struct hist {
	uint32_t b[HIST_BUCKETS];
	uint64_t n;
	double max_us;
};

/* Upper bound of bucket i: 1.1^i µs (no libm for two lines of maths). */
static double bucket_top(int i)
{
	double v = 1.0;

	while (i-- > 0)
		v *= 1.1;
	return v;
}

static void hist_add(struct hist *h, double us)
{
	int i = 0;
	double top = 1.0;

	while (top < us && i < HIST_BUCKETS - 1) {
		top *= 1.1;
		i++;
	}
	h->b[i]++;
	h->n++;
	if (us > h->max_us)
		h->max_us = us;
}

static double hist_pct(const struct hist *h, double p)
{
	uint64_t want = (uint64_t)(p * (double)h->n), seen = 0;

	if (!h->n)
		return 0;
	for (int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen > want || (seen == want && seen == h->n)) {
			double up = bucket_top(i);
			return up < h->max_us ? up : h->max_us;
		}
	}
	return h->max_us;
}

struct ui_stats {
	struct hist gap;     /* busy time between two polls of stdin (startup excluded) */
	struct hist frame;   /* drawing one frame, doupdate included */
	double last_input_us;
};

static void stats_write(const struct ui_stats *s, const char *path)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		return;
	fprintf(fp, "# tlsfleet UI statistics, milliseconds\n");
	fprintf(fp, "input_gap_ms p50=%.3f p99=%.3f max=%.3f n=%llu\n",
	        hist_pct(&s->gap, 0.5) / 1e3, hist_pct(&s->gap, 0.99) / 1e3,
	        s->gap.max_us / 1e3, (unsigned long long)s->gap.n);
	fprintf(fp, "frame_ms p50=%.3f p99=%.3f max=%.3f n=%llu\n",
	        hist_pct(&s->frame, 0.5) / 1e3, hist_pct(&s->frame, 0.99) / 1e3,
	        s->frame.max_us / 1e3, (unsigned long long)s->frame.n);
	fclose(fp);
}

/* ---- selection ---------------------------------------------------------- */

static void scroll_to_selection(struct tui *t)
{
	long h = t->table_h > 0 ? t->table_h : 1;

	if (t->sel_row < t->top_row)
		t->top_row = t->sel_row;
	if (t->sel_row >= t->top_row + h)
		t->top_row = t->sel_row - h + 1;
	if (t->top_row > (long)t->view.n_rows - h)
		t->top_row = (long)t->view.n_rows - h;
	if (t->top_row < 0)
		t->top_row = 0;
}

static void select_row(struct tui *t, long row)
{
	size_t old = t->sel_index;

	if (t->view.n_rows == 0) {
		t->sel_row = 0;
		t->sel_index = SIZE_MAX;
	} else {
		if (row >= (long)t->view.n_rows)
			row = (long)t->view.n_rows - 1;
		if (row < 0)
			row = 0;
		t->sel_row = row;
		t->sel_index = t->view.rows[row];
	}
	scroll_to_selection(t);
	t->dirty_table = true;
	if (old != t->sel_index) {
		t->detail_scroll = 0;
		t->dirty_detail = true;
	}
}

/* After the rows changed: follow the selected instance, or stay at the
 * same height when it was filtered out. */
static void sync_selection(struct tui *t)
{
	long r = t->sel_index != SIZE_MAX ? fleet_view_row_of(&t->view, t->sel_index) : -1;

	select_row(t, r >= 0 ? r : t->sel_row);
}

static struct instance *selected(struct tui *t)
{
	return t->sel_index < t->f->n_instances ? &t->f->instances[t->sel_index] : NULL;
}

/* ---- engine events ------------------------------------------------------ */

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
		if (mine)
			fleet_view_instance_changed(&t->view, idx);
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

/* ---- actions ------------------------------------------------------------ */

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
	char buf[sizeof(t->prompt) / sizeof(t->prompt[0]) * 4 + 1];
	wchar_t w[sizeof(t->prompt) / sizeof(t->prompt[0]) + 1];
	size_t n;

	wmemcpy(w, t->prompt, t->prompt_len);
	w[t->prompt_len] = L'\0';
	n = wcstombs(buf, w, sizeof(buf) - 1);
	if (n == (size_t)-1)
		n = 0;
	buf[n] = '\0';
	fleet_view_set_filter(&t->view, buf);
	t->dirty_table = t->dirty_header = t->dirty_status = true;
}

static void prompt_open(struct tui *t)
{
	t->prompt_active = true;
	t->prompt_len = 0;
	if (t->view.filter) {
		size_t n = mbstowcs(t->prompt, t->view.filter,
		                    sizeof(t->prompt) / sizeof(t->prompt[0]) - 1);
		t->prompt_len = n == (size_t)-1 ? 0 : n;
	}
	t->dirty_status = true;
}

static void prompt_key(struct tui *t, int rc, wint_t wc)
{
	size_t cap = sizeof(t->prompt) / sizeof(t->prompt[0]) - 1;

	if (rc == KEY_CODE_YES) {
		if (wc == KEY_BACKSPACE && t->prompt_len) {
			t->prompt_len--;
			prompt_apply(t);
		} else if (wc == KEY_ENTER) {
			t->prompt_active = false;
			t->dirty_status = true;
		}
		return;
	}
	switch (wc) {
	case 27:        /* Esc: the filter goes with the prompt */
		t->prompt_len = 0;
		t->prompt_active = false;
		prompt_apply(t);
		return;
	case '\r': case '\n':
		t->prompt_active = false;
		t->dirty_status = true;
		return;
	case 127: case 8:
		if (t->prompt_len) {
			t->prompt_len--;
			prompt_apply(t);
		}
		return;
	case 21:        /* Ctrl-U */
		t->prompt_len = 0;
		prompt_apply(t);
		return;
	case 23:        /* Ctrl-W: the last word */
		while (t->prompt_len && t->prompt[t->prompt_len - 1] == L' ')
			t->prompt_len--;
		while (t->prompt_len && t->prompt[t->prompt_len - 1] != L' ')
			t->prompt_len--;
		prompt_apply(t);
		return;
	default:
		if (wc >= 0x20 && iswprint(wc) && t->prompt_len < cap) {
			t->prompt[t->prompt_len++] = (wchar_t)wc;
			prompt_apply(t);
		}
		return;
	}
}

static void overlay_key(struct tui *t, enum action a)
{
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

/* Returns true when the user asked to quit. */
static bool do_action(struct tui *t, enum action a)
{
	struct instance *in = selected(t);
	long page = t->table_h > 1 ? t->table_h - 1 : 1;
	char *why = NULL;

	if (t->overlay != OVERLAY_NONE) {
		overlay_key(t, a);
		return false;
	}
	switch (a) {
	case ACT_UP: select_row(t, t->sel_row - 1); break;
	case ACT_DOWN: select_row(t, t->sel_row + 1); break;
	case ACT_PAGE_UP: select_row(t, t->sel_row - page); break;
	case ACT_PAGE_DOWN: select_row(t, t->sel_row + page); break;
	case ACT_FIRST: select_row(t, 0); break;
	case ACT_LAST: select_row(t, (long)t->view.n_rows - 1); break;
	case ACT_DETAIL:
		t->detail_open = !t->detail_open;
		t->detail_scroll = 0;
		relayout(t);
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
		if (engine_refresh(t->e, in))
			post(t, false, "%s: refresh queued", in->name);
		else
			post(t, false, "%s: a refresh is already queued or running", in->name);
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
		if (engine_cancel_download(t->e, in))
			post(t, false, "%s: download cancelled", in->name);
		else
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
			select_row(t, r);
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
		fleet_view_set_problems(&t->view, !t->view.problems_only);
		t->dirty_table = t->dirty_header = true;
		post(t, false, t->view.problems_only ? "showing problems only" : "showing every instance");
		break;
	case ACT_LOG:
	case ACT_HELP:
		overlay_key(t, a);
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
		select_row(t, t->sel_row - 3);
		return;
	}
#ifdef BUTTON5_PRESSED
	if (ev.bstate & BUTTON5_PRESSED) {
		select_row(t, t->sel_row + 3);
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
			select_row(t, r);
	}
}

/* Returns true to quit. */
static bool handle_input(struct tui *t, int rc, wint_t wc)
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
	/* Only ASCII and function keys are bound; other characters are text. */
	if (rc == OK && wc >= 0x80)
		return false;
	return do_action(t, action_for_key((int)wc));
}

/* ---- drawing ------------------------------------------------------------ */

static const char hints[] =
	"q:quit ?:help Enter:detail r:refresh R:all d:download /:filter s:sort p:problems L:log";

static void draw_status(struct tui *t)
{
	int y = t->rows - 1;

	if (t->prompt_active) {
		char tail[96];
		int x = 0;

		ui_put(y, 0, 8, "Filter: ", theme_attr(THEME_PROMPT));
		x = 8;
		snprintf(tail, sizeof(tail), "  %zu shown (Enter keeps, Esc clears)", t->view.n_rows);
		int room = t->cols - x - 1;
		/* Show the end of a long filter: that is where the typing is. */
		size_t start = 0;
		while (start < t->prompt_len && textsafe_width(t->prompt + start, t->prompt_len - start) > room)
			start++;
		int w = ui_put_wide(y, x, room > 0 ? room : 0, t->prompt + start,
		                    t->prompt_len - start, theme_attr(THEME_PROMPT));
		x += w;
		ui_blank(y, x, 1, theme_attr(THEME_PROMPT) | A_REVERSE);   /* the cursor */
		x++;
		if (x < t->cols)
			ui_put(y, x, t->cols - x, tail, theme_attr(THEME_NORMAL));
		return;
	}
	statusline_draw(&t->sl, y, t->cols, t->now_ms, hints);
}

static void draw_too_small(struct tui *t)
{
	char msg[128];

	erase();
	snprintf(msg, sizeof(msg), "Terminal too small: %dx%d, need at least %dx%d (q quits)",
	         t->cols, t->rows, MIN_COLS, MIN_ROWS);
	ui_put(t->rows / 2, 0, t->cols, msg, theme_attr(THEME_STATUS_ERROR));
}

static void draw_frame(struct tui *t)
{
	if (t->dirty_all) {
		view_table_layout(t);
		scroll_to_selection(t);
		erase();
		if (t->too_small) {
			draw_too_small(t);
			t->dirty_all = t->dirty_header = t->dirty_table = false;
			t->dirty_detail = t->dirty_status = false;
			return;
		}
		t->dirty_header = t->dirty_table = t->dirty_detail = t->dirty_status = true;
		t->dirty_all = false;
	}
	if (t->too_small)
		return;
	if (t->dirty_header)
		view_header_draw(t);
	if (t->overlay != OVERLAY_NONE) {
		/* The overlay covers the table: redraw it whenever what is
		 * below it would have been redrawn, it is cheap. */
		if (t->dirty_table || t->dirty_detail || t->overlay == OVERLAY_LOG) {
			if (t->overlay == OVERLAY_HELP)
				view_help_draw(t);
			else
				view_log_draw(t);
		}
	} else {
		if (t->dirty_table)
			view_table_draw(t);
		if (t->detail_open && (t->dirty_detail || t->dirty_table))
			view_detail_draw(t);
	}
	if (t->dirty_status)
		draw_status(t);
	t->dirty_header = t->dirty_table = t->dirty_detail = t->dirty_status = false;
}

static bool anything_dirty(const struct tui *t)
{
	return t->dirty_all || t->dirty_header || t->dirty_table || t->dirty_detail ||
	       t->dirty_status;
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
	if (!t->round_active && t->next_auto_ms && t->now_ms >= t->next_auto_ms) {
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

int tui_run(struct fleet *f, struct engine *e, const struct tui_options *o)
{
	struct tui t;
	struct theme theme;
	struct ui_stats stats;
	const char *stats_path = getenv("TLSFLEET_UI_STATS");
	const char *nc = getenv("NO_COLOR");
	char *err = NULL;
	int code = 0;
	long long last_frame = 0, last_view = 0, last_tick = 0, last_minute = 0;
	bool user_changed = true;

	memset(&t, 0, sizeof(t));
	memset(&stats, 0, sizeof(stats));
	t.f = f;
	t.e = e;
	t.no_color = (o && o->no_color) || (nc && *nc);
	t.sel_index = SIZE_MAX;
	setlocale(LC_CTYPE, "");

	theme_load(&theme, pick_theme(f, o), &err);
	ui_signals_install();
	{
		char *uerr = NULL;
		if (!ui_begin(&uerr)) {
			fprintf(stderr, "tlsfleet: %s\n", uerr);
			free(uerr);
			free(err);
			return 1;
		}
	}
	theme_apply(&theme, t.no_color);
	statusline_init(&t.sl);
	fleet_view_init(&t.view, f);
	engine_set_notify(e, on_engine, &t);
	t.now = time(NULL);
	t.now_ms = mono_ms();
	if (err) {
		post(&t, true, "%s", err);
		free(err);
		err = NULL;
	}
	engine_refresh_all(e);
	t.round_active = true;
	t.dirty_all = true;

	for (;;) {
		int sig = ui_signal_taken();
		if (sig) {
			code = 128 + sig;
			break;
		}
		t.now = time(NULL);
		t.now_ms = mono_ms();
		if (ui_resize_pending()) {
			ui_resize();
			relayout(&t);
			user_changed = true;
		}
		auto_refresh(&t);
		if (t.now_ms - last_tick >= TICK_MS) {
			/* Ages, the countdown, messages running out. */
			last_tick = t.now_ms;
			t.dirty_header = t.dirty_table = t.dirty_status = true;
			if (t.now_ms - last_minute >= 60000) {
				/* Expiry windows move with the clock. */
				last_minute = t.now_ms;
				fleet_view_all_changed(&t.view);
			}
		}
		if (statusline_expire(&t.sl, t.now_ms))
			t.dirty_status = true;   /* the hints come back */
		if (fleet_view_dirty(&t.view)) {
			long gap = f->n_instances > BIG_FLEET ? VIEW_RESORT_BIG_MS : VIEW_RESORT_MS;
			if (user_changed || t.now_ms - last_view >= gap) {
				fleet_view_update(&t.view, t.now);
				last_view = t.now_ms;
				sync_selection(&t);
				t.dirty_table = t.dirty_header = t.dirty_detail = true;
			}
		}
		long wait = TICK_MS - (t.now_ms - last_tick);
		if (anything_dirty(&t)) {
			if (user_changed || t.now_ms - last_frame >= FRAME_MIN_MS) {
				double t0 = mono_us();
				draw_frame(&t);
				wnoutrefresh(stdscr);
				doupdate();
				hist_add(&stats.frame, mono_us() - t0);
				last_frame = t.now_ms;
			} else {
				wait = min_timeout(wait, FRAME_MIN_MS - (t.now_ms - last_frame));
			}
		}
		user_changed = false;
		if (fleet_view_dirty(&t.view))
			wait = min_timeout(wait, f->n_instances > BIG_FLEET ? VIEW_RESORT_BIG_MS : VIEW_RESORT_MS);
		wait = min_timeout(wait, engine_next_timer_ms(e));
		wait = min_timeout(wait, statusline_next_ms(&t.sl, t.now_ms));
		if (t.next_auto_ms && !t.round_active)
			wait = min_timeout(wait, (long)(t.next_auto_ms - t.now_ms));
		if (wait < 0)
			wait = 0;

		int fds[2] = {0, ui_signal_fd()};
		/* The stall a key press can meet is the time from leaving the
		 * poll to entering it again: inside it, input wakes us at once. */
		if (stats.last_input_us > 0)
			hist_add(&stats.gap, mono_us() - stats.last_input_us);
		engine_poll(e, fds, fds[1] >= 0 ? 2 : 1, (int)wait);
		ui_signal_drain();
		stats.last_input_us = mono_us();
		bool quit = false;
		wint_t wc;
		int rc;
		while (!quit && (rc = get_wch(&wc)) != ERR) {
			quit = handle_input(&t, rc, wc);
			user_changed = true;
		}
		if (quit)
			break;
		engine_perform(e);
	}

	engine_set_notify(e, NULL, NULL);
	ui_end();
	if (code)
		fprintf(stderr, "tlsfleet: stopped by signal %d\n", code - 128);
	if (stats_path && *stats_path)
		stats_write(&stats, stats_path);
	fleet_view_free(&t.view);
	statusline_free(&t.sl);
	return code;
}
