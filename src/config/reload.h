/* Re-reading the config file while running (the dashboard's Ctrl-R): the
 * new file is loaded on its own first, so a broken file changes nothing
 * and its errors go back to the caller; then every instance that remains
 * (same name, account, service, region and id) takes over the status the
 * old one had, so a reload forgets nothing that is still true.
 *
 * Ownership: *out is a new fleet the caller frees with fleet_free(); the
 * statuses carried over are moved out of *old (which is left with fresh
 * ones and must still be freed). */
#ifndef TLSFLEET_RELOAD_H
#define TLSFLEET_RELOAD_H
#include "core/fleet.h"

/* 0 with *out loaded and statuses carried over (*carried counts them, may
 * be NULL); -1 with *err (new string) and *out empty. */
int config_reload(const char *path, struct fleet *old, struct fleet *out, size_t *carried,
                  char **err);

#endif
