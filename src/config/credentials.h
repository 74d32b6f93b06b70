/* Where an account's keys come from: inline, environment, credential file
 * (DESIGN §1 order). Fills a->cred and a->credential_source. */
#ifndef TLSFLEET_CREDENTIALS_H
#define TLSFLEET_CREDENTIALS_H
#include "core/fleet.h"

/* Returns 0 (credential_source may be "none"), or -1 with *err for a
 * credential file that exists but cannot be read or parsed (the message
 * names the file and line, never a value). Inline credentials already set
 * in a->cred by the config loader are kept as they are ("inline"). */
int credentials_resolve(struct account *a, char **err);
void credentials_free(struct credentials *c);

#endif
