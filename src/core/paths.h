/* Where tlsfleet's own files live: the home directory, the XDG base
 * directories and "~" expansion, in one place with one fallback rule.
 *
 * The home directory is $HOME when it is set and not empty, else the
 * password database's entry for our uid, else "/" (where login(1) puts a
 * user whose home is missing). So every function here answers; none
 * returns NULL except paths_expand() for the unsupported "~user" form.
 *
 * An XDG variable counts only when it holds an absolute path: the XDG
 * spec says a relative value is invalid and must be ignored.
 *
 * Ownership: every char * returned is a new string for the caller. */
#ifndef TLSFLEET_PATHS_H
#define TLSFLEET_PATHS_H

/* The home directory by the rule above. */
char *paths_home(void);

/* dir and rest joined by exactly one '/' ("" rest gives dir). */
char *paths_join(const char *dir, const char *rest);

/* <$var>/<rest> when var holds an absolute path, else
 * <home>/<home_default>/<rest>; e.g. ("XDG_STATE_HOME", ".local/state",
 * "tlsfleet/state.json"). */
char *paths_xdg(const char *var, const char *home_default, const char *rest);

/* A leading "~", "~/", "$HOME" or "${HOME}" becomes the home directory; a
 * path still relative afterwards is joined to base_dir unless base_dir is
 * NULL. NULL for the "~user" form, which is not supported. */
char *paths_expand(const char *path, const char *base_dir);

#endif
