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
	bool refresh_from_cli;  /* --refresh given: saved preferences do not override it */
	/* Ctrl-R: re-read the config into the same struct fleet and replace
	 * *e with an engine for it; false with *err (new string) when the file
	 * is broken (nothing changed then). NULL = reloading is not offered. */
	bool (*reload)(void *ud, struct engine **e, char **err);
	void *reload_ud;
	struct engine **engine_out; /* gets the engine in use when tui_run returns */
};

/* Runs until the user quits; returns the exit code. Starts the first
 * refresh itself. Owns nothing it is given. */
int tui_run(struct fleet *f, struct engine *e, const struct tui_options *o);

#endif
