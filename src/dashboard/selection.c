/* The selected row of the table (see selection.h). */
#include "dashboard/selection.h"

#include <stdint.h>

void selection_scroll(struct tui *t)
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

void selection_move(struct tui *t, long row)
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
	selection_scroll(t);
	t->dirty_table = true;
	if (old != t->sel_index) {
		t->detail_scroll = 0;
		t->dirty_detail = true;
	}
}

void selection_follow(struct tui *t)
{
	long r = t->sel_index != SIZE_MAX ? fleet_view_row_of(&t->view, t->sel_index) : -1;

	selection_move(t, r >= 0 ? r : t->sel_row);
}

struct instance *selection_instance(struct tui *t)
{
	return t->sel_index < t->f->n_instances ? &t->f->instances[t->sel_index] : NULL;
}
