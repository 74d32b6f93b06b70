/* The help overlay, generated from the action table so it always tells
 * the keys the program really has. */
#include "dashboard/views.h"
#include "dashboard/actions.h"
#include "dashboard/ui.h"

#include <string.h>

/* The overlay box both overlays use; returns the inner geometry. */
static void view_overlay_box(struct tui *t, const char *title, int *y, int *x, int *h, int *w)
{
	view_overlay_box_w(t, title, 100, y, x, h, w);
}

void view_overlay_box_w(struct tui *t, const char *title, int maxw, int *y, int *x, int *h, int *w)
{
	int top = HEADER_LINES, bottom = t->rows - 2;   /* keep header and status */
	int bw = t->cols - 4 < maxw ? t->cols - 4 : maxw;
	int bh = bottom - top + 1;
	int bx = (t->cols - bw) / 2;
	attr_t border = theme_attr(THEME_BORDER);

	attrset(border);
	mvhline(top, bx, ACS_HLINE, bw);
	mvhline(bottom, bx, ACS_HLINE, bw);
	mvvline(top, bx, ACS_VLINE, bh);
	mvvline(top, bx + bw - 1, ACS_VLINE, bh);
	mvaddch(top, bx, ACS_ULCORNER);
	mvaddch(top, bx + bw - 1, ACS_URCORNER);
	mvaddch(bottom, bx, ACS_LLCORNER);
	mvaddch(bottom, bx + bw - 1, ACS_LRCORNER);
	ui_put(top, bx + 2, (int)strlen(title) < bw - 4 ? (int)strlen(title) : bw - 4, title,
	       theme_attr(THEME_DETAIL_LABEL));
	*y = top + 1;
	*x = bx + 1;
	*h = bh - 2;
	*w = bw - 2;
	for (int i = 0; i < *h; i++)
		ui_blank(*y + i, *x, *w, theme_attr(THEME_HELP));
}

struct keys_buf {
	char s[64];
	size_t n;
};

static void join_key(const char *name, void *ud)
{
	struct keys_buf *b = ud;
	size_t len = strlen(name);

	if (b->n && b->n + 2 < sizeof(b->s)) {
		memcpy(b->s + b->n, ", ", 2);
		b->n += 2;
	}
	if (b->n + len < sizeof(b->s)) {
		memcpy(b->s + b->n, name, len);
		b->n += len;
	}
	b->s[b->n] = '\0';
}

/* What the table's marks mean; the same words as tlsfleet(1), DASHBOARD. */
static const char *const legend[] = {
	"CHECK: the --check verdict (OK, WARN, CRIT, UNKN); rows WARN/CRIT take its colour.",
	"-    unknown: no answer, no expiry or no address yet.",
	"!    after a CA expiry: the API's date matches no certificate in the CA file.",
	"LAST age of the last answer, its error code when it failed, ... while queued.",
	"~    before LAST: remembered from the snapshot file, not answered in this run.",
};
#define LEGEND_LINES ((int)(sizeof(legend) / sizeof(legend[0])))

static int view_help_lines(void)
{
	return ACT_COUNT - 1 + 2 + 1 + LEGEND_LINES;
}

void view_help_draw(struct tui *t)
{
	int y, x, h, w, line = 0;
	int total = view_help_lines();

	view_overlay_box(t, " Keys  (Esc, q or ? closes) ", &y, &x, &h, &w);
	if (t->overlay_scroll > total - h)
		t->overlay_scroll = total - h > 0 ? total - h : 0;
	for (int a = 1; a < ACT_COUNT && line - t->overlay_scroll < h; a++, line++) {
		struct keys_buf kb = {"", 0};
		int row = line - t->overlay_scroll;

		if (row < 0)
			continue;
		action_each_key((enum action)a, join_key, &kb);
		ui_put(y + row, x + 1, 16, kb.s, theme_attr(THEME_HELP_KEY));
		ui_put(y + row, x + 18, w - 19, action_help((enum action)a), theme_attr(THEME_HELP));
	}
	line++;
	if (line - t->overlay_scroll >= 0 && line - t->overlay_scroll < h)
		ui_put(y + line - t->overlay_scroll, x + 1, w - 2,
		       "Mouse: click a row to select it, a column title to sort by it.",
		       theme_attr(THEME_HELP));
	line++;
	for (int i = 0; i < LEGEND_LINES; i++) {
		int row = ++line - t->overlay_scroll;
		if (row >= 0 && row < h)
			ui_put(y + row, x + 1, w - 2, legend[i], theme_attr(THEME_HELP));
	}
}
