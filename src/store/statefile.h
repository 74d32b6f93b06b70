/* What tlsfleet learned per instance (CA certificates inspected, last
 * download), kept across runs in $XDG_STATE_HOME/tlsfleet/state.json
 * (~/.local/state/tlsfleet/state.json), written atomically. */
#ifndef TLSFLEET_STATEFILE_H
#define TLSFLEET_STATEFILE_H
#include "core/fleet.h"

char *statefile_path(void);                       /* new string */
/* Missing file is not an error. A corrupt one is reported and ignored. */
int statefile_load(struct fleet *f, const char *path, char **err);
int statefile_save(const struct fleet *f, const char *path, char **err);

struct safedir;
/* The state file's exclusive lock ("state.json.lock" in d, the state
 * directory), for files kept beside it under the same lock (the snapshot,
 * store/snapshot.h): an fd to close, or -1 with *err. */
int statefile_lock(struct safedir *d, char **err);

#endif
