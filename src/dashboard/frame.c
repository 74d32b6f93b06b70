/* One frame of the dashboard (see frame.h). */
#include "dashboard/frame.h"
#include "dashboard/lineedit.h"
#include "dashboard/selection.h"
#include "dashboard/theme.h"
#include "dashboard/ui.h"

#include <stdio.h>
#include <string.h>

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
		size_t start = lineedit_view_start(&t->prompt, room);
		int w = ui_put_wide(y, x, room > 0 ? room : 0, t->prompt.buf + start,
		                    t->prompt.len - start, theme_attr(THEME_PROMPT));
		x += w;
		ui_blank(y, x, 1, theme_attr(THEME_PROMPT) | A_REVERSE);   /* the cursor */
		x++;
		if (x < t->cols)
			ui_put(y, x, t->cols - x, tail, theme_attr(THEME_NORMAL));
		return;
	}
	statusline_draw(&t->sl, y, t->cols, t->now_ms, hints);
}

/* The longest form that fits: a too-small message cut off in the middle
 * would hide the one thing it is there to say. */
static void draw_too_small(struct tui *t)
{
	char msg[5][128];
	int k = 0;

	erase();
	snprintf(msg[0], sizeof(msg[0]), "Terminal too small: %dx%d, need at least %dx%d (q quits)",
	         t->cols, t->rows, MIN_COLS, MIN_ROWS);
	snprintf(msg[1], sizeof(msg[1]), "Too small: %dx%d, need %dx%d", t->cols, t->rows,
	         MIN_COLS, MIN_ROWS);
	snprintf(msg[2], sizeof(msg[2]), "%dx%d < %dx%d", t->cols, t->rows, MIN_COLS, MIN_ROWS);
	snprintf(msg[3], sizeof(msg[3]), "small");
	snprintf(msg[4], sizeof(msg[4]), "!");
	while (k < 4 && (int)strlen(msg[k]) > t->cols)
		k++;
	ui_put(t->rows / 2, 0, t->cols, msg[k], theme_attr(THEME_STATUS_ERROR));
}

void frame_draw(struct tui *t)
{
	if (t->dirty_all) {
		view_table_layout(t);
		selection_scroll(t);
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
			else if (t->overlay == OVERLAY_COLUMNS)
				view_columns_draw(t);
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

bool frame_dirty(const struct tui *t)
{
	return t->dirty_all || t->dirty_header || t->dirty_table || t->dirty_detail ||
	       t->dirty_status;
}
