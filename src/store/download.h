/* What happens to the bytes of a CA file once the engine has them: saved
 * atomically under DIR/<instance>/<file>, inspected, ca.pem extracted, and
 * recorded on the instance. No curl here. */
#ifndef TLSFLEET_DOWNLOAD_H
#define TLSFLEET_DOWNLOAD_H
#include <stddef.h>
#include "core/fleet.h"

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
 * in->st.ca_certs and ca_certs_from (url without query). 0 or -1 + *err;
 * on -1 (no certificate in it, not https) the instance is left as it was. */
int download_inspect(struct instance *in, const char *url,
                     const unsigned char *data, size_t len, char **err);

/* The extract of every certificate found, beside the saved file. When the
 * saved file is itself named "ca.pem" the extract is "ca-extracted.pem",
 * so the provider's file is never overwritten by our copy of it. */
#define DOWNLOAD_CA_PEM     "ca.pem"
#define DOWNLOAD_CA_PEM_ALT "ca-extracted.pem"

/* What download_save_ex() did besides updating the instance. Owned by the
 * caller: download_result_free(). */
struct download_result {
	char *path;         /* absolute path of the saved file */
	char *ca_pem_path;  /* absolute path of the extract; NULL without certificates */
	size_t n_certs;     /* unique certificates found; 0 = not a certificate file */
	char *note;         /* why none was found (e.g. "archive holds no
	                     * certificate"), NULL when some were */
};

/* download_save() that also says what it found: a file holding no
 * certificate is still saved (0 returned, res->n_certs 0, res->note set,
 * in->st.ca_certs emptied). res may be NULL. Only an https:// URL (or
 * none) is accepted. */
int download_save_ex(struct instance *in, const char *dir, const char *name_hint,
                     const char *url, const unsigned char *data, size_t len,
                     struct download_result *res, char **err);
void download_result_free(struct download_result *r);

#endif
