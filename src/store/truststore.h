/* A Java trust store (PKCS#12) holding every certificate of a CA file.
 *
 * keytool -importcert imports only the first certificate of a chain, so
 * Java users got nothing usable from ca.pem alone. Each certificate goes
 * in as a certificate bag carrying the attribute the JDK reads to make it
 * a trusted entry (Oracle's "trusted key usage", OID
 * 2.16.840.1.113894.746875.1.1 = anyExtendedKeyUsage): `keytool -list`
 * shows trustedCertEntry for each, and -Djavax.net.ssl.trustStore accepts
 * the file as it is. OpenSSL 3.0 has no call that writes that attribute
 * (PKCS12_create_ex2 came in 3.2), so the safe bags are built here.
 *
 * The password is the JDK's customary "changeit": the contents are public
 * CA certificates, the MAC only guards against corruption.
 *
 * Ownership: truststore_build() returns a new buffer the caller frees. No
 * I/O. */
#ifndef TLSFLEET_TRUSTSTORE_H
#define TLSFLEET_TRUSTSTORE_H
#include <stddef.h>
#include "store/certinfo.h"

#define TRUSTSTORE_NAME     "truststore.p12"
#define TRUSTSTORE_PASSWORD "changeit"
/* The JDK's attribute OID and its one value. */
#define TRUSTSTORE_TRUSTED_KEY_USAGE_OID "2.16.840.1.113894.746875.1.1"
#define TRUSTSTORE_ANY_EKU_OID           "2.5.29.37.0"

/* DER of a PKCS#12 with one trusted certificate bag per certificate of
 * cf, in order, aliases "ca-1", "ca-2", ...; unencrypted (public data),
 * MAC HMAC-SHA256 under TRUSTSTORE_PASSWORD. 0, or -1 with *err (no
 * certificate, or OpenSSL refused one). */
int truststore_build(const struct ca_file *cf, unsigned char **out, size_t *out_len,
                     char **err);

#endif
