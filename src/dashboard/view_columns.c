/* The column chooser overlay (C): every table column with a mark saying
 * whether it is shown; Up/Down pick one, Enter or Space toggles it. A
 * shown column may still be left out when the screen is too narrow for
 * it (the layout drops the least important first). */
#include "dashboard/views.h"
#include "dashboard/ui.h"

#include <stdio.h>

void view_columns_draw(struct tui *t)
{
	int y, x, h, w;

	view_overlay_box_w(t, " Columns  (Enter or Space toggles, Esc or C closes) ", 60, &y, &x, &h,
	                   &w);
	if (t->overlay_scroll >= COL_COUNT)
		t->overlay_scroll = COL_COUNT - 1;
	for (int c = 0; c < COL_COUNT && c < h; c++) {
		char line[64];
		bool cur = c == t->overlay_scroll;
		snprintf(line, sizeof(line), "[%c] %s%s", t->col_hidden[c] ? ' ' : 'x',
		         view_column_name((enum table_col)c),
		         !t->col_hidden[c] && !t->col_w[c] ? "  (no room at this width)" : "");
		ui_put(y + c, x + 1, w - 2, line, theme_attr(cur ? THEME_SELECTED : THEME_HELP));
	}
}
