/* The header lines and the instance table: column layout for the width at
 * hand, one line per visible row, colours by state and expiry. */
#include "dashboard/views.h"
#include "engine/relist.h"
#include "core/textsafe.h"
#include "dashboard/ui.h"
#include "core/xalloc.h"
#include "core/timefmt.h"
#include "core/verdict.h"
#include "core/filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns are added in `importance` order while their `want` width fits,
 * then grow towards `pref` (for config columns: no wider than their
 * longest value), then to the longest value of a config column even past
 * pref; what is left goes to the address, then the name. So a
 * narrow terminal drops the instance id first, then the region, then the
 * provider, and a wide one shows everything in full. */
static const struct {
	const char *title;
	int want, pref;
	enum view_sort sort;
} cols[COL_COUNT] = {
	[COL_NAME] = {"NAME", 14, 40, SORT_NAME},
	[COL_SERVICE] = {"PROVIDER", 13, 16, SORT_SERVICE},
	[COL_REGION] = {"REGION", 12, 20, SORT_REGION},
	[COL_ID] = {"ID", 14, 36, SORT_ID},
	[COL_STATE] = {"STATE", 11, 11, SORT_STATE},
	[COL_EXPIRY] = {"CA EXPIRY", 11, 22, SORT_EXPIRY},
	[COL_ADDRESS] = {"ADDRESS", 14, 40, SORT_ADDRESS},
	[COL_LAST] = {"LAST", 6, 24, SORT_AGE},
	/* the live probe's result; SORT_COUNT: not a sort key */
	[COL_PROBE] = {"PROBE", 13, 13, SORT_COUNT},
	[COL_CHECK] = {"CHECK", 6, 8, SORT_VERDICT},   /* the title and its sort mark */
};
static const enum table_col importance[COL_COUNT] = {
	COL_NAME, COL_CHECK, COL_STATE, COL_EXPIRY, COL_PROBE, COL_LAST, COL_ADDRESS, COL_SERVICE,
	COL_REGION, COL_ID,
};
/* Left to right: the verdict first, where the eye starts. */
static const enum table_col screen_order[COL_COUNT] = {
	COL_CHECK, COL_NAME, COL_SERVICE, COL_REGION, COL_ID, COL_STATE, COL_EXPIRY, COL_ADDRESS,
	COL_LAST, COL_PROBE,
};
/* Growing past `want`: the config columns first, since their width is
 * bounded by their longest value (an id cut at 14 columns on a wide screen
 * is useless), then the address and the last answer take the rest. */
static const enum table_col growth[COL_COUNT] = {
	COL_NAME, COL_STATE, COL_EXPIRY, COL_SERVICE, COL_REGION, COL_ID, COL_LAST, COL_ADDRESS,
};

static const char *const col_names[COL_COUNT] = {
	[COL_NAME] = "name", [COL_SERVICE] = "provider", [COL_REGION] = "region", [COL_ID] = "id",
	[COL_STATE] = "state", [COL_EXPIRY] = "expiry", [COL_ADDRESS] = "address", [COL_LAST] = "last",
	[COL_PROBE] = "probe", [COL_CHECK] = "check",
};

const char *view_column_name(enum table_col c)
{
	return (unsigned)c < COL_COUNT && col_names[c] ? col_names[c] : "?";
}

static int text_width(const char *s)
{
	size_t n;
	wchar_t *w = textsafe_wide(s, &n);
	int cols_used = textsafe_width(w, n);

	free(w);
	return cols_used;
}

/* Longest value of each config column, once: they never change. */
static void measure(struct tui *t)
{
	int m[COL_COUNT] = {0};
	bool probes = false;

	for (size_t i = 0; i < t->f->n_instances; i++) {
		const struct instance *in = &t->f->instances[i];
		int w;
		if ((w = text_width(in->name)) > m[COL_NAME]) m[COL_NAME] = w;
		if ((w = text_width(in->region)) > m[COL_REGION]) m[COL_REGION] = w;
		if ((w = text_width(in->id)) > m[COL_ID]) m[COL_ID] = w;
		w = (int)strlen(provider_kind_name(in->account ? in->account->provider : PROVIDER_COUNT)) +
		    1 + (int)strlen(service_kind_name(in->service));
		if (w > m[COL_SERVICE]) m[COL_SERVICE] = w;
		probes = probes || instance_probe_enabled(t->f, in) || in->st.probe.result != PROBE_NONE;
	}
	for (int c = 0; c < COL_COUNT; c++) {
		int title = (int)strlen(cols[c].title) + 1;   /* room for the sort mark */
		t->natural[c] = cols[c].pref;
		if (c == COL_NAME || c == COL_REGION || c == COL_ID || c == COL_SERVICE)
			t->natural[c] = m[c] > title ? m[c] : title;
	}
	if (!probes)
		t->natural[COL_PROBE] = 0;   /* no probes configured or remembered: no column */
	t->measured = true;
}

static void layout_columns(struct tui *t)
{
	int width = t->table_w, used = 0, shown = 0;
	bool on[COL_COUNT] = {false};
	int want[COL_COUNT], pref[COL_COUNT];

	if (!t->measured)
		measure(t);
	for (int c = 0; c < COL_COUNT; c++) {
		want[c] = cols[c].want < t->natural[c] ? cols[c].want : t->natural[c];
		pref[c] = cols[c].pref < t->natural[c] ? cols[c].pref : t->natural[c];
	}
	for (int i = 0; i < COL_COUNT; i++) {
		enum table_col c = importance[i];
		int need = want[c] + (shown ? 1 : 0);
		if (!want[c] || t->col_hidden[c])
			continue;
		if (used + need <= width) {
			on[c] = true;
			used += need;
			shown++;
		}
	}
	for (int c = 0; c < COL_COUNT; c++)
		t->col_w[c] = on[c] ? want[c] : 0;
	for (int i = 0; i < COL_COUNT && used < width; i++) {
		enum table_col c = growth[i];
		if (!on[c])
			continue;
		int grow = pref[c] - t->col_w[c];
		if (grow > width - used)
			grow = width - used;
		if (grow > 0) {
			t->col_w[c] += grow;
			used += grow;
		}
	}
	/* A wide screen shows long ids, names and regions in full rather
	 * than padding the address: their longest value, past pref. */
	for (int i = 0; i < COL_COUNT && used < width; i++) {
		enum table_col c = growth[i];
		int grow = t->natural[c] - t->col_w[c];
		if (!on[c] || grow <= 0)
			continue;
		if (grow > width - used)
			grow = width - used;
		t->col_w[c] += grow;
		used += grow;
	}
	if (used < width)
		t->col_w[on[COL_ADDRESS] ? COL_ADDRESS : COL_NAME] += width - used;
	int x = t->table_x;
	for (int i = 0; i < COL_COUNT; i++) {
		enum table_col c = screen_order[i];
		t->col_x[c] = x;
		if (t->col_w[c])
			x += t->col_w[c] + 1;
	}
}

void view_table_layout(struct tui *t)
{
	int body;

	getmaxyx(stdscr, t->rows, t->cols);
	t->too_small = t->rows < MIN_ROWS || t->cols < MIN_COLS;
	t->detail_w = t->detail_h = t->detail_x = t->detail_y = 0;
	t->table_x = 0;
	t->table_y = HEADER_LINES + 1;
	t->table_w = t->cols;
	body = t->rows - HEADER_LINES - 2;   /* minus titles and status line */
	t->table_h = body;
	if (t->too_small)
		return;
	if (t->detail_open) {
		if (t->cols >= DETAIL_SIDE_COLS) {
			t->table_w = t->cols * 3 / 5;
			t->detail_x = t->table_w + 1;
			t->detail_w = t->cols - t->detail_x;
			t->detail_y = HEADER_LINES;
			t->detail_h = t->rows - 1 - t->detail_y;
		} else {
			t->table_h = (body - 1) * 2 / 5;
			if (t->table_h < 3)
				t->table_h = 3;
			t->detail_x = 0;
			t->detail_w = t->cols;
			t->detail_y = t->table_y + t->table_h;   /* its title line */
			t->detail_h = t->rows - 1 - t->detail_y;
		}
	}
	layout_columns(t);
}

int view_table_sort_at(const struct tui *t, int x)
{
	for (int c = 0; c < COL_COUNT; c++)
		if (t->col_w[c] && x >= t->col_x[c] && x < t->col_x[c] + t->col_w[c] + 1)
			return cols[c].sort == SORT_COUNT ? -1 : (int)cols[c].sort;
	return -1;
}

void view_format_age(time_t then, time_t now, char *out, size_t n)
{
	long long d;

	/* Checked first: now - TIME_NONE overflows. */
	if (then == TIME_NONE) {
		snprintf(out, n, "-");
		return;
	}
	d = (long long)now - (long long)then;
	if (d < 0)
		d = 0;
	if (d < 60)
		snprintf(out, n, "%llds", d);
	else if (d < 3600)
		snprintf(out, n, "%lldm", d / 60);
	else if (d < 86400)
		snprintf(out, n, "%lldh", d / 3600);
	else
		snprintf(out, n, "%lldd", d / 86400);
}

static void format_expiry(const struct instance *in, time_t now, int w, char *out, size_t n)
{
	const char *src = NULL;
	time_t exp = instance_cert_expires(in, &src);
	char date[21];
	long days;
	const char *mark = instance_expiry_mismatch(in) ? "!" : "";
	const char *tag = src && strcmp(src, "api") == 0 ? "api" : "cert";

	if (exp == TIME_NONE || !instance_days_left(in, now, &days)) {
		snprintf(out, n, "-");
		return;
	}
	timefmt_iso_utc(exp, date);
	date[10] = '\0';
	if (w >= 22)
		snprintf(out, n, "%s %5ldd %s%s", date, days, tag, mark);
	else if (w >= 17)
		snprintf(out, n, "%s %ldd%s", date, days, mark);
	else if (w >= 11)
		snprintf(out, n, "%ldd %s%s", days, tag, mark);
	else
		snprintf(out, n, "%ldd%s", days, mark);
}

static enum theme_elem state_elem(enum tls_state s)
{
	switch (s) {
	case STATE_ENABLED: return THEME_STATE_ENABLED;
	case STATE_DISABLED: return THEME_STATE_DISABLED;
	case STATE_CONFIGURING: return THEME_STATE_CONFIGURING;
	case STATE_UNSUPPORTED: return THEME_STATE_UNSUPPORTED;
	case STATE_NO_INFO: return THEME_STATE_NO_INFO;
	case STATE_NOT_FOUND: return THEME_STATE_NOT_FOUND;
	case STATE_AUTH_ERROR: return THEME_STATE_AUTH_ERROR;
	case STATE_THROTTLED: return THEME_STATE_THROTTLED;
	case STATE_ERROR: return THEME_STATE_ERROR;
	default: return THEME_STATE_UNKNOWN;
	}
}

static enum theme_elem verdict_elem(enum verdict_status v)
{
	switch (v) {
	case VERDICT_OK: return THEME_VERDICT_OK;
	case VERDICT_WARNING: return THEME_VERDICT_WARNING;
	case VERDICT_CRITICAL: return THEME_VERDICT_CRITICAL;
	default: return THEME_VERDICT_UNKNOWN;
	}
}

/* The row takes the verdict's colour when it is WARNING or CRITICAL (the
 * same verdict --check prints, so a disabled instance under require_tls is
 * as red as an expiring one); an expired CA keeps its own louder colour.
 * OK and UNKNOWN rows keep their state's colour, which tells an auth error
 * from a row not refreshed yet. */
static enum theme_elem row_elem(const struct fleet *f, const struct instance *in, time_t now,
                                enum verdict_status v)
{
	long days;

	if (v == VERDICT_CRITICAL && in->st.state == STATE_ENABLED &&
	    instance_days_left(in, now, &days) && days < 0)
		return THEME_EXPIRED;
	(void)f;
	if (v == VERDICT_CRITICAL || v == VERDICT_WARNING)
		return verdict_elem(v);
	return state_elem(in->st.state);
}

static const char *verdict_cell(enum verdict_status v, int w)
{
	static const char *const terse[VERDICT_COUNT] = {"OK", "WARN", "CRIT", "UNKN"};

	return w >= 8 ? verdict_status_name(v) : terse[v];
}

/* The filter's match inside a cell, underlined and bold, so the operator
 * sees why a row is shown (the match may be in a column off screen; then
 * nothing is marked). */
static void mark_match(struct tui *t, int y, enum table_col c, const char *text, attr_t attr)
{
	size_t n, start, len;
	wchar_t *w;

	if (!t->view.flt)
		return;
	w = textsafe_wide(text, &n);
	if (filter_highlight(t->view.flt, w, n, &start, &len)) {
		int off = textsafe_width(w, start);
		int span = textsafe_width(w + start, len);
		int room = t->col_w[c] - 1;   /* the last column may hold the cut mark */
		if (textsafe_width(w, n) <= t->col_w[c])
			room = t->col_w[c];
		if (off + span > room)
			span = room - off;
		if (span > 0)
			mvchgat(y, t->col_x[c] + off, span, (attr & ~A_COLOR) | A_UNDERLINE | A_BOLD,
			        (short)PAIR_NUMBER(attr), NULL);
	}
	free(w);
}

static void draw_cell(struct tui *t, int y, enum table_col c, const char *text, attr_t attr)
{
	if (!t->col_w[c])
		return;
	ui_put(y, t->col_x[c], t->col_w[c], text, attr);
	mark_match(t, y, c, text, attr);
	if (t->col_x[c] + t->col_w[c] < t->table_x + t->table_w)
		ui_blank(y, t->col_x[c] + t->col_w[c], 1, attr);
}

/* The probe's result as --list names it; "..." while one runs, "-" never
 * probed. The detail pane says what it means. */
static const char *probe_cell(const struct instance *in)
{
	const char *name = probe_result_name(in->st.probe.result);

	if (engine_probe_pending(in))
		return "...";
	return name ? name : "-";
}

static void draw_row(struct tui *t, int y, const struct instance *in, bool selected)
{
	enum verdict_status v = verdict_of(t->f, in, t->now, NULL);
	attr_t attr = theme_attr(selected ? THEME_SELECTED : row_elem(t->f, in, t->now, v));
	char buf[160];
	const struct instance_status *st = &in->st;

	/* Blank first: columns may not cover the width exactly. */
	ui_blank(y, t->table_x, t->table_w, attr);
	draw_cell(t, y, COL_CHECK, verdict_cell(v, t->col_w[COL_CHECK]),
	          selected ? attr : theme_attr(verdict_elem(v)));
	draw_cell(t, y, COL_NAME, in->name, attr);
	snprintf(buf, sizeof(buf), "%s/%s",
	         provider_kind_name(in->account ? in->account->provider : PROVIDER_COUNT),
	         service_kind_name(in->service));
	draw_cell(t, y, COL_SERVICE, buf, attr);
	draw_cell(t, y, COL_REGION, in->region, attr);
	draw_cell(t, y, COL_ID, in->id, attr);
	draw_cell(t, y, COL_STATE, state_name(st->state), attr);
	format_expiry(in, t->now, t->col_w[COL_EXPIRY], buf, sizeof(buf));
	draw_cell(t, y, COL_EXPIRY, buf, attr);
	if (st->addr.host && *st->addr.host)
		draw_cell(t, y, COL_ADDRESS, st->addr.host, attr);
	else
		draw_cell(t, y, COL_ADDRESS, st->addr.ip && *st->addr.ip ? st->addr.ip : "-", attr);
	/* Last answer: the error code when it failed, else its age. A job on
	 * the wire or queued shows as "..." until it ends. A row still showing
	 * what the snapshot file remembered is marked "~" before its age (in
	 * the stale colour) until this run's answer arrives. */
	if (in->pending && st->refreshed_at == TIME_NONE)
		snprintf(buf, sizeof(buf), "...");
	else if (st->error && st->error->code)
		snprintf(buf, sizeof(buf), "%s%s", st->from_snapshot ? "~" : "", st->error->code);
	else {
		buf[0] = '~';
		view_format_age(st->refreshed_at, t->now, buf + (st->from_snapshot ? 1 : 0),
		                sizeof(buf) - 1);
	}
	draw_cell(t, y, COL_LAST, buf,
	          st->from_snapshot && !selected ? theme_attr(THEME_STALE) : attr);
	draw_cell(t, y, COL_PROBE, probe_cell(in), selected || st->state != STATE_ENABLED ||
	          probe_result_verdict(st->probe.result) != VERDICT_CRITICAL
	          ? attr : theme_attr(THEME_CRITICAL));
}

static void draw_titles(struct tui *t)
{
	int y = t->table_y - 1;
	bool utf8 = MB_CUR_MAX > 1;

	ui_blank(y, t->table_x, t->table_w, theme_attr(THEME_COLUMN_HEADER));
	for (int c = 0; c < COL_COUNT; c++) {
		char buf[64];
		bool sorted = cols[c].sort == t->view.sort;

		if (!t->col_w[c])
			continue;
		snprintf(buf, sizeof(buf), "%s%s", cols[c].title,
		         !sorted ? "" : t->view.descending ? (utf8 ? "\u25bc" : "v") :
		         (utf8 ? "\u25b2" : "^"));
		ui_put(y, t->col_x[c], t->col_w[c], buf,
		       theme_attr(sorted ? THEME_COLUMN_SORTED : THEME_COLUMN_HEADER));
	}
}

/* Rows hidden below the last line: a marker at the right end of the
 * title line, so the operator knows the list goes on. */
static void draw_more(struct tui *t)
{
	long below = (long)t->view.n_rows - (t->top_row + t->table_h);
	char buf[48];

	if (below <= 0)
		return;
	snprintf(buf, sizeof(buf), " %s%ld more ", MB_CUR_MAX > 1 ? "\u2193" : "v", below);
	int w = text_width(buf);
	if (w < t->table_w)
		ui_put(t->table_y - 1, t->table_x + t->table_w - w, w, buf,
		       theme_attr(THEME_COLUMN_SORTED));
}

/* What an empty table says, and what to do about it: p only helps when
 * problems only is on (it then shows everything), never the other way. */
static const char *empty_hint(const struct tui *t)
{
	if (t->f->n_instances == 0)
		return "No instances configured";
	if (t->view.filter && t->view.problems_only)
		return "No problem matches the filter (Esc clears the filter, p shows every instance)";
	if (t->view.problems_only)
		return "No problems: every instance is fine (p shows every instance)";
	if (t->view.filter)
		return "No instance matches the filter (/ edits it, Esc clears it)";
	return "No instances";
}

void view_table_draw(struct tui *t)
{
	draw_titles(t);
	draw_more(t);
	for (int i = 0; i < t->table_h; i++) {
		long r = t->top_row + i;
		int y = t->table_y + i;

		if (r >= (long)t->view.n_rows) {
			ui_blank(y, t->table_x, t->table_w, theme_attr(THEME_NORMAL));
			if (r == 0 && i == 0)
				ui_put(y, t->table_x + 1, t->table_w - 1, empty_hint(t),
				       theme_attr(THEME_NORMAL));
			continue;
		}
		draw_row(t, y, &t->f->instances[t->view.rows[r]], r == t->sel_row);
	}
}

/* The counts line in three groups, "census | states errors | expiry":
 *   "4: 1 CRITICAL 3 OK | 3 enabled 1 unknown 0 errors | 0 expiring 1 expired"
 * fitted to width: the long names when all of them fit, else the terse
 * ones, and when even those do not fit the least urgent counts go first.
 * The verdict census is kept longest, CRITICAL above all (it is what
 * pages someone), then expired, expiring and errors; the total and the
 * quiet states go first. */
enum {
	C_TOTAL, C_CRIT, C_WARN, C_UNKN, C_OK, C_STATE0,
	C_ERR = C_STATE0 + 6, C_EXPIRING, C_EXPIRED, C_COUNT
};

static int counts_group(int i)
{
	return i < C_STATE0 ? 0 : i <= C_ERR ? 1 : 2;
}

/* The line's length with the items that are on, " |" between groups. */
static int counts_len(char item[][48], const bool *on)
{
	int len = 0, last = -1;

	for (int i = 0; i < C_COUNT; i++) {
		if (!on[i])
			continue;
		if (last >= 0 && counts_group(i) != last)
			len += 2;
		last = counts_group(i);
		len += (int)strlen(item[i]);
	}
	return len;
}

static void counts_text(struct tui *t, char *buf, size_t n, int width)
{
	struct fleet_counts c;
	static const enum tls_state shown[] = {
		STATE_ENABLED, STATE_DISABLED, STATE_CONFIGURING, STATE_UNSUPPORTED,
		STATE_NO_INFO, STATE_UNKNOWN,
	};
	static const char *const terse_names[] = {"on", "off", "cfg", "unsup", "noinfo", "unk"};
	static const enum verdict_status vorder[] = {
		VERDICT_CRITICAL, VERDICT_WARNING, VERDICT_UNKNOWN, VERDICT_OK,
	};
	static const char *const vterse[VERDICT_COUNT] = {"ok", "warn", "crit", "unkn"};
	/* Urgency of each item, higher = kept longer. */
	static const int urgency[C_COUNT] = {
		[C_TOTAL] = 2, [C_CRIT] = 11, [C_WARN] = 10, [C_UNKN] = 9, [C_OK] = 2,
		[C_STATE0] = 3, [C_STATE0 + 1] = 5, [C_STATE0 + 2] = 0, [C_STATE0 + 3] = 1,
		[C_STATE0 + 4] = 1, [C_STATE0 + 5] = 4,
		[C_ERR] = 6, [C_EXPIRING] = 7, [C_EXPIRED] = 8,
	};
	char item[C_COUNT][48];
	bool on[C_COUNT];

	c = t->view.counts;   /* as of the view's last update, not recounted per draw */
	for (int terse = 0; terse < 2; terse++) {
		snprintf(item[C_TOTAL], sizeof(item[0]), "%zu:", c.total);
		on[C_TOTAL] = true;
		/* worst first, as --check counts; zero counts left out (OK's
		 * too, unless everything is zero) */
		for (size_t k = 0; k < sizeof(vorder) / sizeof(vorder[0]); k++) {
			enum verdict_status v = vorder[k];
			snprintf(item[C_CRIT + k], sizeof(item[0]), " %zu %s", c.verdict[v],
			         terse ? vterse[v] : verdict_status_name(v));
			on[C_CRIT + k] = c.verdict[v] || (v == VERDICT_OK && c.total == 0);
		}
		for (int i = 0; i < 6; i++) {
			snprintf(item[C_STATE0 + i], sizeof(item[0]), " %zu %s", c.state[shown[i]],
			         terse ? terse_names[i] : state_name(shown[i]));
			on[C_STATE0 + i] = c.state[shown[i]] || shown[i] == STATE_ENABLED;
		}
		snprintf(item[C_ERR], sizeof(item[0]), terse ? " %zu err" : " %zu errors", c.errors);
		snprintf(item[C_EXPIRING], sizeof(item[0]), " %zu expiring", c.expiring);
		snprintf(item[C_EXPIRED], sizeof(item[0]), " %zu expired", c.expired);
		on[C_ERR] = on[C_EXPIRING] = on[C_EXPIRED] = true;
		/* The long names only when all of them fit. */
		while (terse && counts_len(item, on) > width) {
			int drop = -1, left = 0;
			for (int i = 0; i < C_COUNT; i++)
				if (on[i]) {
					left++;
					if (drop < 0 || urgency[i] < urgency[drop])
						drop = i;
				}
			if (left <= 1)
				break;   /* the most urgent count stays, cut if it must be */
			on[drop] = false;
		}
		if (counts_len(item, on) <= width)
			break;
	}
	size_t off = 0;
	int last = -1;
	buf[0] = '\0';
	for (int i = 0; i < C_COUNT && off < n; i++) {
		if (!on[i])
			continue;
		const char *s = item[i];
		if (last >= 0 && counts_group(i) != last)
			off += (size_t)snprintf(buf + off, n - off, " |");
		if (off == 0 && *s == ' ')
			s++;
		last = counts_group(i);
		if (off < n)
			off += (size_t)snprintf(buf + off, n - off, "%s", s);
	}
}

/* What the table shows: filter, problems only, how many rows. */
static void view_text(struct tui *t, char *buf, size_t n)
{
	if (!t->view.filter && !t->view.problems_only) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, n, "%s%s%s%s%s%zu shown", t->view.problems_only ? "problems" : "",
	         t->view.problems_only && t->view.filter ? ", " : "",
	         t->view.filter ? "filter \"" : "", t->view.filter ? t->view.filter : "",
	         t->view.filter ? "\": " : ": ", t->view.n_rows);
}

/* The earliest expiry of temporary credentials, counting down, so an
 * operator sees a renewal that is not happening before requests fail. */
static size_t creds_text(struct tui *t, char *buf, size_t n, size_t off)
{
	time_t exp = fleet_credentials_expire(t->f);

	if (!exp || off >= n)
		return off;
	long long s = (long long)exp - (long long)t->now;
	if (s <= 0)
		return off + (size_t)snprintf(buf + off, n - off, " | keys expired");
	if (s >= 3600)
		return off + (size_t)snprintf(buf + off, n - off, " | keys %lld:%02lld:%02lld", s / 3600,
		                              s / 60 % 60, s % 60);
	return off + (size_t)snprintf(buf + off, n - off, " | keys %lld:%02lld", s / 60, s % 60);
}

void view_header_draw(struct tui *t)
{
	struct engine_stats es;
	char left[512], right[256], counts[512];
	attr_t attr = theme_attr(THEME_HEADER);
	size_t off = 0;
	int rw;

	memset(&es, 0, sizeof(es));
	engine_get_stats(t->e, &es);
	snprintf(left, sizeof(left), "tlsfleet %s  %s", PACKAGE_VERSION,
	         t->f->settings.config_path ? t->f->settings.config_path : "");
	if (t->round_active)
		off += (size_t)snprintf(right + off, sizeof(right) - off, "refresh %zu/%zu",
		                        es.done, es.round_total);
	else
		off += (size_t)snprintf(right + off, sizeof(right) - off, "idle");
	if (es.in_flight && off < sizeof(right))
		off += (size_t)snprintf(right + off, sizeof(right) - off, ", %zu in flight", es.in_flight);
	if (es.throttled && off < sizeof(right))
		off += (size_t)snprintf(right + off, sizeof(right) - off, ", %zu throttled", es.throttled);
	if (t->relist && relist_busy(t->relist) && off < sizeof(right))
		off += (size_t)snprintf(right + off, sizeof(right) - off, ", listing instances");
	if (off < sizeof(right)) {
		if (t->f->settings.refresh_interval <= 0) {
			off += (size_t)snprintf(right + off, sizeof(right) - off, " | auto refresh off");
		} else if (!t->round_active && t->next_auto_ms) {
			long long s = (t->next_auto_ms - t->now_ms + 999) / 1000;
			if (s < 0)
				s = 0;
			off += (size_t)snprintf(right + off, sizeof(right) - off, " | next in %lld:%02lld",
			                        s / 60, s % 60);
		}
	}
	off = creds_text(t, right, sizeof(right), off);
	(void)off;
	/* The progress on the right wins over the end of a long config path. */
	rw = (int)strlen(right);
	if (rw > t->cols / 2)
		rw = t->cols / 2;
	ui_put(0, 0, t->cols - rw - 1, left, attr);
	ui_blank(0, t->cols - rw - 1, 1, attr);
	ui_put(0, t->cols - rw, rw, right, attr);
	view_text(t, right, sizeof(right));
	rw = (int)strlen(right);
	if (rw > t->cols / 2)
		rw = t->cols / 2;
	counts_text(t, counts, sizeof(counts), t->cols - rw - (rw ? 1 : 0));
	ui_put(1, 0, t->cols - rw - (rw ? 1 : 0), counts, attr);
	if (rw) {
		ui_blank(1, t->cols - rw - 1, 1, attr);
		ui_put(1, t->cols - rw, rw, right, attr);
	}
}
