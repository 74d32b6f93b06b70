/* One frame: what the dirty flags of struct tui say must be drawn, by the
 * views (table, detail, help and log overlays) and the status line or the
 * filter prompt in its place; the whole screen after a layout change, or
 * the "too small" notice. The flags are cleared once drawn. The caller
 * sends the result to the terminal (wnoutrefresh + doupdate). Nothing
 * allocated. */
#ifndef TLSFLEET_FRAME_H
#define TLSFLEET_FRAME_H
#include <stdbool.h>
#include "dashboard/views.h"

void frame_draw(struct tui *t);
/* True when the next frame has anything to draw. */
bool frame_dirty(const struct tui *t);

#endif
