/* The dashboard: curses front end over the fleet model and the engine. */
#ifndef TLSFLEET_TUI_H
#define TLSFLEET_TUI_H
#include <stdbool.h>
#include "engine/engine.h"
#include "core/fleet.h"

struct snapshot_keeper;

struct tui_options {
	const char *theme;   /* NULL = settings.theme */
	bool no_color;
	struct snapshot_keeper *keep;  /* NULL = no snapshot kept; borrowed */
};

/* Runs until the user quits; returns the exit code. Starts the first
 * refresh itself. Owns nothing it is given. */
int tui_run(struct fleet *f, struct engine *e, const struct tui_options *o);

#endif
