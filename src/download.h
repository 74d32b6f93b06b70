/* What happens to the bytes of a CA file once the engine has them: saved
 * atomically under DIR/<instance>/<file>, inspected, ca.pem extracted, and
 * recorded on the instance. No curl here. */
#ifndef TLSFLEET_DOWNLOAD_H
#define TLSFLEET_DOWNLOAD_H
#include <stddef.h>
#include "fleet.h"

/* Largest CA file accepted (bytes). */
#define DOWNLOAD_MAX_BYTES (10L * 1024 * 1024)

/* Save data under dir/<safe instance name>/<safe file name>, where the file
 * name comes from name_hint (provider's file_name) or else the URL's path,
 * else "<instance-id>-ca.<ext>". Writes ca.pem beside it, sets
 * in->st.download and in->st.ca_certs. Returns 0, or -1 with *err (new
 * string) and nothing left behind. */
int download_save(struct instance *in, const char *dir, const char *name_hint,
                  const char *url, const unsigned char *data, size_t len, char **err);

/* Inspect a CA file fetched only to learn its expiry (fetch_ca): sets
 * in->st.ca_certs and ca_certs_from (url without query). 0 or -1 + *err. */
int download_inspect(struct instance *in, const char *url,
                     const unsigned char *data, size_t len, char **err);

#endif
