/* truststore.p12: one certificate bag per certificate, each marked trusted
 * for the JDK (the attribute keytool reads to list a trustedCertEntry),
 * MAC'd under "changeit", read back with OpenSSL's own PKCS#12 parser. */
#include "store/certinfo.h"
#include "store/truststore.h"
#include "core/xalloc.h"
#include "tap.h"
#include "testfs.h"

#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

static char *cert_fixture(const char *rel, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/tests/data/certs/%s", top && *top ? top : ".", rel);
	char *data = slurp(path, len);

	if (!data) {
		printf("Bail out! cannot read fixture %s\n", path);
		exit(99);
	}
	free(path);
	return data;
}

/* The value of the trusted-key-usage attribute of bag as dotted text, or "". */
static void trusted_usage(const PKCS12_SAFEBAG *bag, char *out, size_t outlen)
{
	ASN1_OBJECT *oid = OBJ_txt2obj(TRUSTSTORE_TRUSTED_KEY_USAGE_OID, 1);
	const STACK_OF(X509_ATTRIBUTE) *attrs = PKCS12_SAFEBAG_get0_attrs(bag);

	out[0] = '\0';
	for (int i = 0; i < sk_X509_ATTRIBUTE_num(attrs); i++) {
		X509_ATTRIBUTE *a = sk_X509_ATTRIBUTE_value(attrs, i);
		if (OBJ_cmp(X509_ATTRIBUTE_get0_object(a), oid) != 0)
			continue;
		ASN1_TYPE *v = X509_ATTRIBUTE_get0_type(a, 0);
		if (X509_ATTRIBUTE_count(a) == 1 && v && v->type == V_ASN1_OBJECT)
			OBJ_obj2txt(out, (int)outlen, v->value.object, 1);
	}
	ASN1_OBJECT_free(oid);
}

static void check_store(const char *fixture, size_t want_certs)
{
	size_t len, p12_len = 0;
	char *data = cert_fixture(fixture, &len);
	struct ca_file cf;
	char *err = NULL;
	unsigned char *p12 = NULL;

	certinfo_read((unsigned char *)data, len, fixture, &cf, &err);
	free(err);
	err = NULL;
	is_int((long long)cf.n_certs, (long long)want_certs, "fixture holds the certificates");
	is_int(truststore_build(&cf, &p12, &p12_len, &err), 0, "trust store built");

	const unsigned char *p = p12;
	PKCS12 *pk = p12 ? d2i_PKCS12(NULL, &p, (long)p12_len) : NULL;
	ok(pk != NULL, "%s: parses as PKCS#12", fixture);
	ok(pk && PKCS12_verify_mac(pk, TRUSTSTORE_PASSWORD, -1), "MAC verifies under changeit");
	ok(pk && !PKCS12_verify_mac(pk, "wrong", -1), "and not under another password");

	STACK_OF(PKCS7) *safes = pk ? PKCS12_unpack_authsafes(pk) : NULL;
	size_t n = 0, trusted = 0, in_order = 0, named = 0;
	for (int i = 0; safes && i < sk_PKCS7_num(safes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);
		STACK_OF(PKCS12_SAFEBAG) *bags = PKCS12_unpack_p7data(p7);
		for (int b = 0; bags && b < sk_PKCS12_SAFEBAG_num(bags); b++) {
			const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, b);
			char usage[64], alias[32];
			if (PKCS12_SAFEBAG_get_nid(bag) != NID_certBag)
				continue;
			trusted_usage(bag, usage, sizeof(usage));
			if (strcmp(usage, TRUSTSTORE_ANY_EKU_OID) == 0)
				trusted++;
			X509 *x = PKCS12_SAFEBAG_get1_cert(bag);
			unsigned char *der = NULL;
			int dl = x ? i2d_X509(x, &der) : -1;
			if (n < cf.n_certs && dl > 0 && (size_t)dl == cf.certs[n].der_len &&
			    memcmp(der, cf.certs[n].der, (size_t)dl) == 0)
				in_order++;
			OPENSSL_free(der);
			X509_free(x);
			char *fn = PKCS12_get_friendlyname((PKCS12_SAFEBAG *)bag);
			snprintf(alias, sizeof(alias), "ca-%zu", n + 1);
			if (fn && strcmp(fn, alias) == 0)
				named++;
			OPENSSL_free(fn);
			n++;
		}
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	}
	is_int((long long)n, (long long)want_certs, "one certificate bag per certificate");
	is_int((long long)trusted, (long long)want_certs, "each marked trusted (anyExtendedKeyUsage)");
	is_int((long long)in_order, (long long)want_certs, "same certificates, same order as ca.pem");
	is_int((long long)named, (long long)want_certs, "aliases ca-1, ca-2, ...");
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(pk);
	free(p12);
	certinfo_free(&cf);
	free(data);
}

int main(void)
{
	check_store("rsa-ca.pem", 1);
	check_store("chain.pem", 2);

	struct ca_file empty = {0};
	unsigned char *p12 = NULL;
	size_t len = 0;
	char *err = NULL;
	is_int(truststore_build(&empty, &p12, &len, &err), -1, "no certificate: refused");
	ok(err != NULL && p12 == NULL, "with a message, no output");
	free(err);
	return done_testing();
}
