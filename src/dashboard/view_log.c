/* The message log overlay (L): the last STATUSLINE_LOG_MAX messages with
 * their times, newest at the bottom, errors in the error colour. */
#include "dashboard/views.h"
#include "core/timefmt.h"
#include "dashboard/ui.h"

#include <stdio.h>
#include <string.h>

void view_log_draw(struct tui *t)
{
	int y, x, h, w;
	int total = (int)statusline_log_count(&t->sl);

	view_overlay_box(t, " Messages  (Esc, q or L closes) ", &y, &x, &h, &w);
	if (t->overlay_scroll > total - h)
		t->overlay_scroll = total - h > 0 ? total - h : 0;
	if (total == 0) {
		ui_put(y, x + 1, w - 2, "No messages yet.", theme_attr(THEME_HELP));
		return;
	}
	for (int row = 0; row < h && t->overlay_scroll + row < total; row++) {
		const struct status_msg *m = statusline_log_get(&t->sl, (size_t)(t->overlay_scroll + row));
		char when[21];
		struct tm tm;
		time_t at = m->at;

		/* Local time: the operator reads it against their own clock. */
		if (localtime_r(&at, &tm))
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
		else
			strcpy(when, "--:--:--");
		ui_put(y + row, x + 1, 9, when, theme_attr(THEME_LOG_TIME));
		ui_put(y + row, x + 11, w - 12, m->text,
		       theme_attr(m->error ? THEME_STATE_ERROR : THEME_HELP));
	}
}
