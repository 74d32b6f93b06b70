/* certinfo against the fixtures of tests/tools/gen-cert-fixtures.sh: every file
 * of tests/data/certs/expectations.json is read and compared field by
 * field (names, serials, dates, fingerprints, key types, CA flags, entry
 * listings, de-duplication, errors), then the cases a table can't say. */
#include "store/certinfo.h"
#include "core/fleet.h"
#include "store/safefile.h"
#include "core/xalloc.h"
#include "tap.h"
#include "fixtures.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static cJSON *expect;

static const cJSON *cert_expect(const char *id)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(expect, "certs"), id);
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(j) ? j->valuestring : NULL;
}

static long long jnum(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(j) ? (long long)j->valuedouble : -1;
}

/* Every field of one certificate, once per certificate id. */
static void check_cert_details(const struct ca_cert *c, const char *id)
{
	const cJSON *e = cert_expect(id);
	char label[160], sha[65];

	snprintf(label, sizeof(label), "%s: subject", id);
	is_str(c->subject, jstr(e, "subject"), label);
	snprintf(label, sizeof(label), "%s: issuer", id);
	is_str(c->issuer, jstr(e, "issuer"), label);
	snprintf(label, sizeof(label), "%s: serial", id);
	is_str(c->serial, jstr(e, "serial"), label);
	snprintf(label, sizeof(label), "%s: notBefore", id);
	is_int((long long)c->not_before, jnum(e, "not_before"), label);
	snprintf(label, sizeof(label), "%s: notAfter", id);
	is_int((long long)c->not_after, jnum(e, "not_after"), label);
	snprintf(label, sizeof(label), "%s: CA flag", id);
	is_int(c->is_ca, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "is_ca")), label);
	snprintf(label, sizeof(label), "%s: key", id);
	is_str(c->key, jstr(e, "key"), label);
	safefile_sha256_hex(c->der, c->der_len, sha);
	snprintf(label, sizeof(label), "%s: DER kept and hashes to the fingerprint", id);
	is_str(sha, c->sha256, label);
}

static void check_file(const cJSON *fe, cJSON *seen)
{
	const char *fn = fe->string;
	const char *want_err = jstr(fe, "error");
	const cJSON *want_certs = cJSON_GetObjectItemCaseSensitive(fe, "certs");
	const cJSON *want_entries = cJSON_GetObjectItemCaseSensitive(fe, "entries");
	char *rel = xasprintf("data/certs/%s", fn);
	size_t len;
	char *data = fixture_read(rel, &len);
	struct ca_file cf;
	char *err = NULL;
	char label[300];

	int rc = certinfo_read((const unsigned char *)data, len, fn, &cf, &err);
	snprintf(label, sizeof(label), "%s: %s", fn, want_err ? "refused" : "read");
	if (!is_int(rc, want_err ? -1 : 0, label) && err)
		diag("error: %s", err);
	if (want_err) {
		snprintf(label, sizeof(label), "%s: error says '%s'", fn, want_err);
		ok(err && strncmp(err, want_err, strlen(want_err)) == 0, "%s", label);
		if (err)
			diag("%s: %s", fn, err);
	} else {
		ok(err == NULL, "%s: no error message", fn);
	}
	snprintf(label, sizeof(label), "%s: kind", fn);
	is_str(certinfo_kind_name(cf.kind), jstr(fe, "kind"), label);

	snprintf(label, sizeof(label), "%s: certificate count", fn);
	if (is_int((long long)cf.n_certs, cJSON_GetArraySize(want_certs), label)) {
		size_t i = 0;
		const cJSON *id;
		cJSON_ArrayForEach(id, want_certs) {
			const struct ca_cert *c = &cf.certs[i++];
			snprintf(label, sizeof(label), "%s: certificate %zu is %s", fn, i, id->valuestring);
			is_str(c->sha256, jstr(cert_expect(id->valuestring), "sha256"), label);
			if (!cJSON_GetObjectItemCaseSensitive(seen, id->valuestring)) {
				cJSON_AddTrueToObject(seen, id->valuestring);
				check_cert_details(c, id->valuestring);
			}
		}
	}

	snprintf(label, sizeof(label), "%s: entry count", fn);
	if (is_int((long long)cf.n_entries, cJSON_GetArraySize(want_entries), label)) {
		size_t i = 0;
		const cJSON *we;
		cJSON_ArrayForEach(we, want_entries) {
			const struct ca_entry *e = &cf.entries[i++];
			const char *wname = cJSON_GetArrayItem(we, 0)->valuestring;
			snprintf(label, sizeof(label), "%s: entry %zu name", fn, i);
			is_str(e->name, wname, label);
			snprintf(label, sizeof(label), "%s: entry %s kind", fn, wname);
			is_str(certinfo_kind_name(e->kind), cJSON_GetArrayItem(we, 1)->valuestring, label);
			snprintf(label, sizeof(label), "%s: entry %s certificates", fn, wname);
			is_int((long long)e->n_certs, (long long)cJSON_GetArrayItem(we, 2)->valuedouble, label);
			snprintf(label, sizeof(label), "%s: entry %s size", fn, wname);
			is_int((long long)e->size, (long long)cJSON_GetArrayItem(we, 3)->valuedouble, label);
		}
	}
	const cJSON *more = cJSON_GetObjectItemCaseSensitive(fe, "more_entries");
	if (more) {
		snprintf(label, sizeof(label), "%s: entries beyond the limit noted", fn);
		is_int(cf.more_entries, cJSON_IsTrue(more), label);
	}
	certinfo_free(&cf);
	free(err);
	free(data);
	free(rel);
}

static int read_fixture(const char *fn, struct ca_file *cf, char **err)
{
	char *rel = xasprintf("data/certs/%s", fn);
	size_t len;
	char *data = fixture_read(rel, &len);
	int rc = certinfo_read((const unsigned char *)data, len, fn, cf, err);

	free(data);
	free(rel);
	return rc;
}

/* Which entry each unique certificate is credited to: its first one. */
static void test_dedup_sources(void)
{
	struct ca_file cf;
	char *err = NULL;

	is_int(read_fixture("dup.zip", &cf, &err), 0, "dup.zip read");
	if (cf.n_certs == 4) {
		is_str(cf.certs[0].entry, "a.pem", "dup.zip: RSA CA credited to a.pem, not b.crt");
		is_str(cf.certs[1].entry, "c.pem", "dup.zip: intermediate from c.pem");
		is_str(cf.certs[2].entry, "c.pem", "dup.zip: root from c.pem, not d.p7b");
		is_str(cf.certs[3].entry, "d.p7b", "dup.zip: EC CA from d.p7b, not e.pem");
	} else {
		ok(0, "dup.zip: 4 unique certificates (got %zu)", cf.n_certs);
	}
	certinfo_free(&cf);
	free(err);
}

/* ca.pem text: standard PEM of the DER, re-readable, same order. */
static void test_pem_output(void)
{
	struct ca_file cf, again;
	char *err = NULL;
	size_t len;

	read_fixture("rsa-ca.pem", &cf, &err);
	char *pem = certinfo_pem(&cf);
	char *orig = fixture_read("data/certs/rsa-ca.pem", &len);
	is_str(pem, orig, "PEM of one certificate equals the standard encoding");
	free(orig);
	free(pem);
	certinfo_free(&cf);

	char *der = fixture_read("data/certs/rsa-ca.crt", &len);
	read_fixture("rsa-ca.pem", &cf, &err);
	ok(cf.n_certs == 1 && cf.certs[0].der_len == len &&
	   memcmp(cf.certs[0].der, der, len) == 0, "DER kept from PEM equals the .crt file");
	certinfo_free(&cf);
	free(der);

	read_fixture("ApsaraDB-CA-Chain.zip", &cf, &err);
	pem = certinfo_pem(&cf);
	ok(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0, "chain PEM starts with a certificate");
	is_int(certinfo_read((const unsigned char *)pem, strlen(pem), "ca.pem", &again, &err), 0,
	       "chain PEM reads back");
	is_int((long long)again.n_certs, (long long)cf.n_certs, "chain PEM: same count");
	for (size_t i = 0; i < again.n_certs && i < cf.n_certs; i++)
		is_str(again.certs[i].sha256, cf.certs[i].sha256, "chain PEM: same order");
	size_t lines_ok = 1;
	for (char *p = pem; *p; ) {
		char *nl = strchr(p, '\n');
		if (!nl || nl - p > 64)
			lines_ok = 0;
		p = nl ? nl + 1 : p + strlen(p);
	}
	ok(lines_ok, "chain PEM: lines of at most 64 characters, newline-terminated");
	certinfo_free(&again);
	certinfo_free(&cf);
	free(pem);

	memset(&cf, 0, sizeof(cf));
	pem = certinfo_pem(&cf);
	is_str(pem, "", "PEM of nothing is empty");
	free(pem);
}

static void test_edges(void)
{
	struct ca_file cf;
	char *err = NULL;
	size_t len;

	is_int(certinfo_read(NULL, 0, NULL, &cf, &err), -1, "no data refused");
	is_str(err, "empty file", "no data: message");
	is_int((long long)cf.n_entries, 0, "no data: no entries");
	certinfo_free(&cf);
	free(err);
	err = NULL;

	is_int(certinfo_read((const unsigned char *)"", 0, "x", &cf, NULL), -1,
	       "error without an err pointer does not crash");
	certinfo_free(&cf);

	char *der = fixture_read("data/certs/rsa-ca.crt", &len);
	is_int(certinfo_read((const unsigned char *)der, len / 2, "half.crt", &cf, &err), -1,
	       "truncated DER refused");
	is_str(err, "not a zip, PEM or DER certificate file", "truncated DER: message");
	certinfo_free(&cf);
	free(err);
	err = NULL;

	/* DER followed by junk: the certificate counts, the junk is ignored */
	char *padded = xmalloc(len + 5);
	memcpy(padded, der, len);
	memcpy(padded + len, "\x00\x01junk", 5);
	is_int(certinfo_read((const unsigned char *)padded, len + 5, NULL, &cf, &err), 0,
	       "DER with trailing bytes read");
	is_str(cf.n_entries ? cf.entries[0].name : NULL, "-", "unnamed data is entry '-'");
	is_int((long long)cf.n_certs, 1, "DER with trailing bytes: one certificate");
	certinfo_free(&cf);
	free(padded);
	free(der);

	/* a PEM header with nothing after it: no endless loop, no certificate */
	const char *open_end = "-----BEGIN CERTIFICATE-----\nMIIB\n";
	is_int(certinfo_read((const unsigned char *)open_end, strlen(open_end), "x.pem", &cf, &err),
	       -1, "unterminated PEM block refused");
	is_str(err, "PEM file holds no certificate", "unterminated PEM: message");
	certinfo_free(&cf);
	free(err);
	err = NULL;

	/* a zip signature followed by nothing useful */
	is_int(certinfo_read((const unsigned char *)"PK\x03\x04", 4, "x.zip", &cf, &err), -1,
	       "4-byte zip refused");
	ok(err && strncmp(err, "damaged zip archive", 19) == 0, "4-byte zip: damaged");
	certinfo_free(&cf);
	free(err);

	certinfo_free(NULL);
	is_str(certinfo_kind_name(CERTINFO_PKCS7), "pkcs7", "kind name pkcs7");
	is_str(certinfo_kind_ext(CERTINFO_ZIP), "zip", "ext zip");
	is_str(certinfo_kind_ext(CERTINFO_PEM), "pem", "ext pem");
	is_str(certinfo_kind_ext(CERTINFO_DER), "crt", "ext der");
	is_str(certinfo_kind_ext(CERTINFO_PKCS7), "p7b", "ext pkcs7");
	is_str(certinfo_kind_ext(CERTINFO_OTHER), "bin", "ext other");
}

/* n different self-signed certificates (serials 1..n) as one PEM text. */
static char *many_certs_pem(int n, size_t *len)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIO *out = BIO_new(BIO_s_mem());
	char *mem;

	for (int i = 1; i <= n; i++) {
		X509 *x = X509_new();
		X509_NAME *nm = X509_NAME_new();
		X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"many", -1, -1, 0);
		X509_set_version(x, 2);
		ASN1_INTEGER_set(X509_get_serialNumber(x), i);
		X509_set_subject_name(x, nm);
		X509_set_issuer_name(x, nm);
		ASN1_TIME_set(X509_getm_notBefore(x), 1735689600);
		ASN1_TIME_set(X509_getm_notAfter(x), 2051222400);
		X509_set_pubkey(x, key);
		X509_sign(x, key, EVP_sha256());
		PEM_write_bio_X509(out, x);
		X509_NAME_free(nm);
		X509_free(x);
	}
	long n_bytes = BIO_get_mem_data(out, &mem);
	char *text = xstrndup(mem, (size_t)n_bytes);
	*len = (size_t)n_bytes;
	BIO_free(out);
	EVP_PKEY_free(key);
	return text;
}

static void test_cert_limit(void)
{
	struct ca_file cf;
	char *err = NULL;
	size_t len;
	char *pem = many_certs_pem(CERTINFO_MAX_CERTS + 1, &len);

	/* the limit itself is fine: cut the text after the last allowed one */
	char *cut = pem;
	for (int i = 0; i < CERTINFO_MAX_CERTS; i++)
		cut = strstr(cut, "-----END CERTIFICATE-----\n") + 26;
	is_int(certinfo_read((unsigned char *)pem, (size_t)(cut - pem), "bundle.pem", &cf, &err), 0,
	       "1024 different certificates read");
	is_int((long long)cf.n_certs, CERTINFO_MAX_CERTS, "all of them listed");
	ok(cf.n_certs > 1 && cf.certs[0].not_after == 2051222400 && strcmp(cf.certs[1].serial, "02") == 0,
	   "generated certificates read correctly");
	certinfo_free(&cf);

	is_int(certinfo_read((unsigned char *)pem, len, "bundle.pem", &cf, &err), -1,
	       "one more is refused");
	ok(err && strstr(err, "more than 1024 different certificates"), "message: %s", err ? err : "");
	free(err);
	certinfo_free(&cf);
	free(pem);
}

int main(void)
{
	expect = fixture_json("data/certs/expectations.json");
	cJSON *seen = cJSON_CreateObject();
	const cJSON *fe;

	cJSON_ArrayForEach(fe, cJSON_GetObjectItemCaseSensitive(expect, "files"))
		check_file(fe, seen);
	is_int(cJSON_GetArraySize(seen), cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(expect, "certs")),
	       "every fixture certificate was checked in detail");
	test_dedup_sources();
	test_pem_output();
	test_edges();
	test_cert_limit();
	cJSON_Delete(seen);
	cJSON_Delete(expect);
	return done_testing();
}
