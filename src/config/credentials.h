/* Where an account's keys come from: inline, environment, credential file
 * (in that order, tlsfleet.conf(5)); the variables and files are the
 * cloud descriptor's. Fills a->cred and a->credential_source, which the
 * account owns (credentials_free() is the model's, core/fleet.h). */
#ifndef TLSFLEET_CREDENTIALS_H
#define TLSFLEET_CREDENTIALS_H
#include "core/fleet.h"

/* Returns 0 (credential_source may be "none"), or -1 with *err for a
 * credential file that exists but cannot be read or parsed (the message
 * names the file and line, never a value). Inline credentials already set
 * in a->cred by the config loader are kept as they are ("inline"). */
int credentials_resolve(struct account *a, char **err);

#endif
