/* What happens to the bytes of a CA file once the engine has them:
 * inspected, and only when they hold a certificate saved atomically under
 * DIR/<instance>/<file> with ca.pem (every certificate, PEM) and
 * truststore.p12 (the same, for Java) beside it, and recorded on the
 * instance. Instance directories are created 0755: a CA certificate is
 * public and the service that reads ca.pem is often another user. No curl
 * here. */
#ifndef TLSFLEET_DOWNLOAD_H
#define TLSFLEET_DOWNLOAD_H
#include <stddef.h>
#include "core/fleet.h"

/* Largest CA file accepted (bytes). */
#define DOWNLOAD_MAX_BYTES (10L * 1024 * 1024)

/* Save data under dir/<safe instance name>/<safe file name>, where the file
 * name comes from name_hint (provider's file_name) or else the URL's path,
 * else "<instance-id>-ca.<ext>"; a provider file named like one of ours
 * (ca.pem, truststore.p12) is saved as "provider-<name>". Writes ca.pem and
 * truststore.p12 beside it, sets in->st.download and in->st.ca_certs.
 * Returns 0, or -1 with *err (new string) and nothing changed, on disk or
 * on the instance: in particular when data holds no certificate tlsfleet
 * can read (a JKS- or PKCS#12-only archive, a tarball, an HTML page), the
 * previous download, ca.pem and truststore.p12 stay as they were. */
int download_save(struct instance *in, const char *dir, const char *name_hint,
                  const char *url, const unsigned char *data, size_t len, char **err);

/* Inspect a CA file fetched only to learn its expiry (fetch_ca): sets
 * in->st.ca_certs and ca_certs_from (url without query). 0 or -1 + *err;
 * on -1 (no certificate in it, not https) the instance is left as it was. */
int download_inspect(struct instance *in, const char *url,
                     const unsigned char *data, size_t len, char **err);

/* The extract of every certificate found, beside the saved file (always
 * this name: clients are pointed at it), and the prefix that keeps a
 * provider file of the same name from being overwritten by ours. */
#define DOWNLOAD_CA_PEM          "ca.pem"
#define DOWNLOAD_PROVIDER_PREFIX "provider-"
#define DOWNLOAD_DIR_MODE        0755

/* What download_save_ex() did besides updating the instance. Owned by the
 * caller: download_result_free(). */
struct download_result {
	char *path;         /* absolute path of the saved file */
	char *ca_pem_path;  /* absolute path of the extract */
	char *truststore_path; /* absolute path of truststore.p12 */
	size_t n_certs;     /* unique certificates found; > 0 after a save */
	char *note;         /* always NULL: a file without certificates is
	                     * refused (-1), no longer saved */
};

/* download_save() that also says what it did. res may be NULL. Only an
 * https:// URL (or none) is accepted. */
int download_save_ex(struct instance *in, const char *dir, const char *name_hint,
                     const char *url, const unsigned char *data, size_t len,
                     struct download_result *res, char **err);
void download_result_free(struct download_result *r);

#endif
