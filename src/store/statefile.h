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

#endif
