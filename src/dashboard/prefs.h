/* The dashboard's saved preferences: what the operator last chose (sort
 * column and order, filter, problems only, hidden columns) and two
 * settings they may pin for the dashboard only (theme, refresh_interval),
 * in $XDG_STATE_HOME/tlsfleet/dashboard (libconfig syntax, like the
 * config file):
 *
 *   sort = "expiry";  descending = false;  problems_only = true;
 *   filter = "state:error";  hidden_columns = [ "id", "region" ];
 *   theme = "dark";  refresh_interval = 60;   # optional, hand-written
 *
 * Loaded at start; a missing file means defaults, a broken one gives a
 * message and defaults, never a failure. Written atomically (a staged
 * file renamed over the old one, store/safefile) when a choice changes
 * and on quit. The command line wins over the preferences, which win over
 * the config file. Curses-free, unit tested (tests/unit/test_prefs.c).
 *
 * Ownership: struct dash_prefs owns its strings; prefs_free() releases
 * them. Column and sort names are the caller's (borrowed tables). */
#ifndef TLSFLEET_PREFS_H
#define TLSFLEET_PREFS_H
#include <stdbool.h>
#include <stddef.h>

#define PREFS_MAX_COLUMNS 32

struct dash_prefs {
	int sort;               /* index into the sort names; -1 = not saved */
	bool descending;
	bool problems_only;
	char *filter;           /* NULL = none */
	bool hidden[PREFS_MAX_COLUMNS];
	char *theme;            /* NULL = not pinned */
	int refresh_interval;   /* -1 = not pinned */
};

/* $XDG_STATE_HOME/tlsfleet/dashboard. New string. */
char *prefs_default_path(void);
/* Where 0.1.0 development builds kept it ($XDG_CONFIG_HOME/tlsfleet/
 * dashboard): read when the state file is not there yet, never written.
 * New string. */
char *prefs_legacy_path(void);

void prefs_init(struct dash_prefs *p);
void prefs_free(struct dash_prefs *p);

/* Names of the sort keys and of the columns, in their enum order. */
struct prefs_names {
	const char *const *sorts;
	size_t n_sorts;
	const char *const *columns;
	size_t n_columns;
};

/* 0 with *p filled (defaults when the file does not exist); -1 with *err
 * (new string naming the file and line) and *p left at defaults when it
 * cannot be read or parsed. Unknown names are ignored (a column a later
 * version dropped must not break the file). */
int prefs_load(const char *path, const struct prefs_names *names, struct dash_prefs *p,
               char **err);

/* The file's text for *p. New string. */
char *prefs_format(const struct dash_prefs *p, const struct prefs_names *names);

/* Write it atomically, creating the directory (0700) when missing; 0, or
 * -1 with *err. */
int prefs_save(const char *path, const struct dash_prefs *p, const struct prefs_names *names,
               char **err);

#endif
