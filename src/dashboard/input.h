/* Keys and mouse: one get_wch() result in, changes to the dashboard's
 * state out. The filter prompt takes the keys while it is open (editing
 * is lineedit.c's); an overlay (help, log) takes scrolling and closing;
 * otherwise the key map (actions.def) picks an action, performed here on
 * the selection, the view and the engine. Actions only change state, mark
 * regions dirty and post messages; the loop draws.
 *
 * Ownership: nothing kept; messages go to t->sl, which owns them. */
#ifndef TLSFLEET_INPUT_H
#define TLSFLEET_INPUT_H
#include <stdbool.h>
#include "dashboard/ui.h"
#include "dashboard/views.h"

/* rc and wc as get_wch() returned them. True when the user asked to quit. */
bool input_key(struct tui *t, int rc, wint_t wc);

#endif
