/* The selected row of the table. The selected instance (sel_index) is
 * what sticks when rows are re-sorted or filtered; sel_row and top_row
 * follow it. Changes mark the table (and the detail pane when another
 * instance gets selected) dirty. Nothing allocated. */
#ifndef TLSFLEET_SELECTION_H
#define TLSFLEET_SELECTION_H
#include "dashboard/views.h"

/* Select row (clamped to the rows shown) and scroll it into view. */
void selection_move(struct tui *t, long row);
/* After the rows changed: follow the selected instance, or stay at the
 * same height when it was filtered out. */
void selection_follow(struct tui *t);
/* Keep the selected row inside the table (after a layout change). */
void selection_scroll(struct tui *t);
/* The selected instance, or NULL when no row is shown. */
struct instance *selection_instance(struct tui *t);

#endif
