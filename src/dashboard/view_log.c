/* The message log overlay (L): the last STATUSLINE_LOG_MAX messages with
 * their times, newest at the bottom, errors in the error colour. The box
 * takes the whole width and a long message wraps onto more lines (at a
 * space when one is near, else anywhere), so nothing is cut off: an error
 * code or a path at the end of a message is what the operator came for. */
#include "dashboard/views.h"
#include "core/textsafe.h"
#include "core/timefmt.h"
#include "dashboard/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIME_COLS 10   /* "HH:MM:SS" and a space */

/* Where each display line of a message starts: fills starts[] (up to max)
 * and returns how many lines the message takes in cols columns. */
static int wrap_lines(const wchar_t *w, size_t n, int cols, size_t *starts, int max)
{
	int lines = 0;
	size_t pos = 0;

	if (cols < 1)
		cols = 1;
	do {
		size_t fit = textsafe_fit(w + pos, n - pos, cols, NULL);
		if (fit == 0)
			fit = 1;   /* a glyph wider than the box: show it cut */
		if (pos + fit < n) {
			/* Break after the last space in the second half of the line. */
			for (size_t k = fit; k > fit / 2; k--)
				if (w[pos + k - 1] == L' ') {
					fit = k;
					break;
				}
		}
		if (lines < max)
			starts[lines] = pos;
		lines++;
		pos += fit;
	} while (pos < n);
	return lines;
}

void view_log_draw(struct tui *t)
{
	int y, x, h, w;
	int n_msgs = (int)statusline_log_count(&t->sl);
	int total = 0;

	view_overlay_box_w(t, " Messages  (Esc, q or L closes) ", t->cols, &y, &x, &h, &w);
	if (n_msgs == 0) {
		ui_put(y, x + 1, w - 2, "No messages yet.", theme_attr(THEME_HELP));
		return;
	}
	int text_cols = w - 2 - TIME_COLS;
	/* Lines per message first: the scroll position counts display lines. */
	for (int i = 0; i < n_msgs; i++) {
		const struct status_msg *m = statusline_log_get(&t->sl, (size_t)i);
		size_t n;
		wchar_t *wt = textsafe_wide(m->text, &n);
		total += wrap_lines(wt, n, text_cols, NULL, 0);
		free(wt);
	}
	if (t->overlay_scroll > total - h)
		t->overlay_scroll = total - h > 0 ? total - h : 0;
	int line = 0;
	for (int i = 0; i < n_msgs && line - t->overlay_scroll < h; i++) {
		const struct status_msg *m = statusline_log_get(&t->sl, (size_t)i);
		size_t n, starts[64];
		wchar_t *wt = textsafe_wide(m->text, &n);
		int k = wrap_lines(wt, n, text_cols, starts, 64);
		attr_t attr = theme_attr(m->error ? THEME_STATE_ERROR : THEME_HELP);

		for (int j = 0; j < k && j < 64; j++, line++) {
			int row = line - t->overlay_scroll;
			if (row < 0 || row >= h)
				continue;
			if (j == 0) {
				char when[21];
				struct tm tm;
				time_t at = m->at;
				/* Local time: the operator reads it against their own clock. */
				if (localtime_r(&at, &tm))
					strftime(when, sizeof(when), "%H:%M:%S", &tm);
				else
					strcpy(when, "--:--:--");
				ui_put(y + row, x + 1, TIME_COLS - 1, when, theme_attr(THEME_LOG_TIME));
			}
			size_t end = j + 1 < k && j + 1 < 64 ? starts[j + 1] : n;
			ui_put_wide(y + row, x + 1 + TIME_COLS, text_cols, wt + starts[j],
			            end - starts[j], attr);
		}
		line += k > 64 ? k - 64 : 0;
		free(wt);
	}
}
