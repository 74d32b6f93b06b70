/* Building the PKCS#12 trust store: certificate bags with the JDK's
 * trusted-key-usage attribute, packed unencrypted, MAC'd under "changeit". */
#include "store/truststore.h"
#include "core/xalloc.h"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JDK 17 writes 10000 iterations; the MAC guards public data, so the
 * customary PKCS#12 value is plenty and keeps the save fast. */
#define TRUSTSTORE_MAC_ITER 2048

/* One trusted certificate bag, or NULL. */
static PKCS12_SAFEBAG *trusted_bag(const struct ca_cert *c, size_t n, const ASN1_OBJECT *any_eku)
{
	const unsigned char *p = c->der;
	X509 *x;
	PKCS12_SAFEBAG *bag;
	char alias[32];

	if (!c->der || c->der_len > LONG_MAX || !(x = d2i_X509(NULL, &p, (long)c->der_len)))
		return NULL;
	bag = PKCS12_SAFEBAG_create_cert(x);
	X509_free(x);
	if (!bag)
		return NULL;
	snprintf(alias, sizeof(alias), "ca-%zu", n);
	/* the attribute's value is an OBJECT IDENTIFIER, passed as an object
	 * with len -1 (OpenSSL copies it) */
	if (!PKCS12_add_friendlyname_utf8(bag, alias, -1) ||
	    !PKCS12_add1_attr_by_txt(bag, TRUSTSTORE_TRUSTED_KEY_USAGE_OID, V_ASN1_OBJECT,
	                             (const unsigned char *)any_eku, -1)) {
		PKCS12_SAFEBAG_free(bag);
		return NULL;
	}
	return bag;
}

int truststore_build(const struct ca_file *cf, unsigned char **out, size_t *out_len,
                     char **err)
{
	STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
	STACK_OF(PKCS7) *safes = NULL;
	ASN1_OBJECT *any_eku = NULL;
	PKCS7 *p7 = NULL;
	PKCS12 *p12 = NULL;
	unsigned char *der = NULL;
	int n, rc = -1;

	*out = NULL;
	*out_len = 0;
	if (!cf->n_certs) {
		*err = xstrdup("no certificate for the trust store");
		return -1;
	}
	if (!(any_eku = OBJ_txt2obj(TRUSTSTORE_ANY_EKU_OID, 1)) ||
	    !(bags = sk_PKCS12_SAFEBAG_new_null()))
		goto fail;
	for (size_t i = 0; i < cf->n_certs; i++) {
		PKCS12_SAFEBAG *bag = trusted_bag(&cf->certs[i], i + 1, any_eku);
		if (!bag || !sk_PKCS12_SAFEBAG_push(bags, bag)) {
			PKCS12_SAFEBAG_free(bag);
			*err = xasprintf("cannot put certificate %zu (%s) in the trust store", i + 1,
			                 cf->certs[i].subject ? cf->certs[i].subject : "?");
			goto out;
		}
	}
	if (!(p7 = PKCS12_pack_p7data(bags)) || !(safes = sk_PKCS7_new_null()) ||
	    !sk_PKCS7_push(safes, p7))
		goto fail;
	p7 = NULL;  /* owned by safes now */
	if (!(p12 = PKCS12_add_safes(safes, 0)) ||
	    !PKCS12_set_mac(p12, TRUSTSTORE_PASSWORD, -1, NULL, 0, TRUSTSTORE_MAC_ITER, EVP_sha256()) ||
	    (n = i2d_PKCS12(p12, &der)) <= 0)
		goto fail;
	*out = xmalloc((size_t)n);
	memcpy(*out, der, (size_t)n);
	*out_len = (size_t)n;
	rc = 0;
	goto out;
fail:
	*err = xstrdup("OpenSSL could not build the PKCS#12 trust store");
out:
	OPENSSL_free(der);
	PKCS12_free(p12);
	PKCS7_free(p7);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	ASN1_OBJECT_free(any_eku);
	return rc;
}
