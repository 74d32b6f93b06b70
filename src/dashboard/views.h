/* The dashboard's state shared by the loop (tui.c), the input handling
 * (input.c, selection.c), the frame (frame.c) and the views that draw it
 * (one file per view, as tig and htop do). Views only read the model and
 * this state and draw; the loop and the input handling own every change.
 *
 * Screen, top to bottom: header (2 lines), column titles, table rows (the
 * detail pane below them, or beside them from DETAIL_SIDE_COLS columns),
 * status line. Help and log are overlays over the table area. */
#ifndef TLSFLEET_VIEWS_H
#define TLSFLEET_VIEWS_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "engine/engine.h"
#include "engine/relist.h"
#include "core/fleet.h"
#include "core/fleet_view.h"
#include "dashboard/lineedit.h"
#include "dashboard/statusline.h"
#include "dashboard/theme.h"

#define MIN_COLS 60
#define MIN_ROWS 10
#define DETAIL_SIDE_COLS 160
#define HEADER_LINES 2

enum table_col {
	COL_NAME, COL_SERVICE, COL_REGION, COL_ID, COL_STATE, COL_EXPIRY,
	COL_ADDRESS, COL_LAST, COL_PROBE, COL_CHECK, COL_COUNT
};

enum overlay { OVERLAY_NONE, OVERLAY_HELP, OVERLAY_LOG, OVERLAY_COLUMNS };

struct tui {
	struct fleet *f;
	struct engine *e;
	struct fleet_view view;
	struct statusline sl;
	time_t now;             /* wall clock of this frame */
	long long now_ms;       /* monotonic clock of this frame */
	bool no_color;

	/* Selection: the instance is what sticks across re-sorts. */
	size_t sel_index;       /* instance index; SIZE_MAX when nothing shown */
	long sel_row;
	long top_row;

	bool detail_open;
	int detail_scroll;
	int detail_lines;       /* lines of the last drawn detail content */

	enum overlay overlay;
	int overlay_scroll;

	bool prompt_active;
	struct lineedit prompt; /* the filter being typed */

	/* Refresh rounds (refresh_interval counts from the end of one). */
	bool round_active;
	long long next_auto_ms; /* 0 = none scheduled */

	/* Layout of the last frame. */
	int rows, cols;
	bool too_small;
	int table_y, table_h, table_x, table_w;    /* body rows, below the titles */
	int detail_y, detail_h, detail_x, detail_w; /* 0 when closed */
	int col_x[COL_COUNT], col_w[COL_COUNT];     /* col_w 0 = not shown */
	int natural[COL_COUNT];  /* widest useful width of each column */
	bool measured;

	/* Discovery (engine/relist.c, shown by relist_view.c); NULL when no
	 * account has `discover`, else &relist_mem. */
	struct relist *relist;
	struct relist relist_mem;
	struct {                /* the view's looks across a merge */
		char *filter;
		enum view_sort sort;
		bool desc, problems;
	} relist_keep;
	bool detail_raw;        /* detail values unwrapped (w) */
	int detail_hscroll;     /* columns scrolled off the left when unwrapped */
	bool copy_pending;      /* y pressed: the next key picks the value */
	bool col_hidden[COL_COUNT]; /* hidden with the column chooser (C) */
	bool prefs_dirty;       /* a saved choice changed: write the file */
	char *prefs_path;       /* owned; NULL = preferences are not saved */
	bool reload_requested;  /* Ctrl-R: the loop re-reads the config */

	/* Refresh failures already in the message log: the refreshed_at of
	 * the answer logged, per instance (owned). */
	time_t *fail_logged_at;

	/* What the next frame must draw. */
	bool dirty_header, dirty_table, dirty_detail, dirty_status, dirty_all;

	struct snapshot_keeper *keep;  /* the snapshot file, or NULL (borrowed) */
};

/* view_table.c */
void view_table_layout(struct tui *t);
void view_header_draw(struct tui *t);
void view_table_draw(struct tui *t);
/* Sort column under screen column x of the title line, or -1. */
int view_table_sort_at(const struct tui *t, int x);
/* Short cells, shared with the detail pane. */
void view_format_age(time_t then, time_t now, char *out, size_t n);

/* Lowercase column name (saved preferences, the column chooser). */
const char *view_column_name(enum table_col c);

/* view_columns.c: the column chooser overlay (C). */
void view_columns_draw(struct tui *t);

/* view_detail.c */
void view_detail_draw(struct tui *t);

/* view_help.c */
void view_help_draw(struct tui *t);

/* view_log.c */
void view_log_draw(struct tui *t);

/* Same, at most maxw columns wide (the log uses the whole width). */
void view_overlay_box_w(struct tui *t, const char *title, int maxw, int *y, int *x, int *h, int *w);

#endif
