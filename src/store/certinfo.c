/* Reading CA files by content: zip (libzip, from memory), PEM, DER X.509
 * and PKCS#7. Every archive entry is judged by its bytes, because the
 * providers' archives name their members inconsistently (ca.pem, ca.crt,
 * *.p7b, *.jks) and an operator may repack them. */
#include "store/certinfo.h"
#include "core/fleet.h"
#include "store/safefile.h"
#include "core/strbuf.h"
#include "core/timefmt.h"
#include "core/textsafe.h"
#include "core/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <zip.h>

struct reader {
	struct ca_file *cf;
	size_t cap_entries;
	size_t cap_certs;
	size_t entries_read;        /* archive entries counted against the limit */
	unsigned long long total;   /* uncompressed bytes read from archives */
	char *err;                  /* first hard error; stops the scan */
};

static const char *const kind_names[] = {
	[CERTINFO_OTHER] = "other",
	[CERTINFO_PEM] = "pem",
	[CERTINFO_DER] = "der",
	[CERTINFO_PKCS7] = "pkcs7",
	[CERTINFO_ZIP] = "zip",
	[CERTINFO_SKIPPED] = "skipped",
};

static const char *const kind_exts[] = {
	[CERTINFO_OTHER] = "bin",
	[CERTINFO_PEM] = "pem",
	[CERTINFO_DER] = "crt",
	[CERTINFO_PKCS7] = "p7b",
	[CERTINFO_ZIP] = "zip",
	[CERTINFO_SKIPPED] = "bin",
};

const char *certinfo_kind_name(enum certinfo_kind k)
{
	return (unsigned)k <= CERTINFO_SKIPPED ? kind_names[k] : "other";
}

const char *certinfo_kind_ext(enum certinfo_kind k)
{
	return (unsigned)k <= CERTINFO_SKIPPED ? kind_exts[k] : "bin";
}

/* OpenSSL's own allocations failing is as fatal as ours. */
static void *ossl_check(void *p)
{
	if (!p)
		die(70, "out of memory (OpenSSL)");
	return p;
}

/* Entry names come from the archive and end up in messages and on the
 * screen: a control (C0, DEL, C1, bidi; one '?' each) and every byte that
 * is not UTF-8 (one '?' per byte) become '?'. */
static char *clean_name(const char *s)
{
	const char *p = s ? s : "";
	size_t left = strlen(p), o = 0, n;
	char *out = xmalloc(left + 1);
	uint32_t cp;

	for (; left; p += n, left -= n) {
		n = textsafe_utf8_next(p, left, &cp);
		if (n == 0 || textsafe_is_control(cp)) {
			out[o++] = '?';
			n = n ? n : 1;
			continue;
		}
		memcpy(out + o, p, n);
		o += n;
	}
	out[o] = '\0';
	return out;
}

static size_t add_entry(struct reader *r, const char *name, unsigned long long size,
                        enum certinfo_kind kind)
{
	struct ca_file *cf = r->cf;

	if (cf->n_entries == r->cap_entries) {
		r->cap_entries = r->cap_entries ? 2 * r->cap_entries : 8;
		cf->entries = xreallocarray(cf->entries, r->cap_entries, sizeof(*cf->entries));
	}
	struct ca_entry *e = &cf->entries[cf->n_entries];
	e->name = clean_name(name);
	e->size = size;
	e->kind = kind;
	e->n_certs = 0;
	return cf->n_entries++;
}

__attribute__((format(printf, 2, 3)))
static void fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err)
		return;
	va_start(ap, fmt);
	r->err = xvasprintf(fmt, ap);
	va_end(ap);
}

/* ---- one certificate ---------------------------------------------------- */

static char *print_name(const X509_NAME *nm, unsigned long flags)
{
	BIO *b = ossl_check(BIO_new(BIO_s_mem()));
	char *mem = NULL;
	char *out = NULL;

	if (X509_NAME_print_ex(b, nm, 0, flags) >= 0) {
		long n = BIO_get_mem_data(b, &mem);
		out = xstrndup(n > 0 ? mem : "", n > 0 ? (size_t)n : 0);
	}
	BIO_free(b);
	return out;
}

/* True when s is well-formed UTF-8 without controls (C0, C1, DEL, bidi). */
static bool utf8_clean(const char *s)
{
	size_t left = strlen(s), n;
	uint32_t cp;

	for (; left; s += n, left -= n) {
		n = textsafe_utf8_next(s, left, &cp);
		if (n == 0 || textsafe_is_control(cp))
			return false;
	}
	return true;
}

/* RFC 2253 with UTF-8 kept readable (CAs of Chinese clouds have CJK
 * names); anything not clean UTF-8 falls back to OpenSSL's full escaping
 * so no control character ever reaches a terminal. */
static char *name_string(const X509_NAME *nm)
{
	char *s = NULL;

	if (!nm)
		return xstrdup("");
	s = print_name(nm, XN_FLAG_RFC2253 & ~(unsigned long)ASN1_STRFLGS_ESC_MSB);
	if (!s || !utf8_clean(s)) {
		free(s);
		s = print_name(nm, XN_FLAG_RFC2253);
	}
	return s ? s : xstrdup("");
}

static char *serial_string(const X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	char *out = xstrdup(hex ? hex : "");

	OPENSSL_free(hex);
	BN_free(bn);
	return out;
}

static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return TIME_NONE;
	return timefmt_timegm(&tm);
}

static char *key_string(X509 *x)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	char group[80];
	size_t glen = 0;

	if (!pk)
		return xstrdup("unknown");
	int bits = EVP_PKEY_get_bits(pk);
	if (EVP_PKEY_is_a(pk, "RSA"))
		return xasprintf("RSA %d", bits);
	if (EVP_PKEY_is_a(pk, "RSA-PSS"))
		return xasprintf("RSA-PSS %d", bits);
	if (EVP_PKEY_is_a(pk, "DSA"))
		return xasprintf("DSA %d", bits);
	if (EVP_PKEY_is_a(pk, "ED25519"))
		return xstrdup("Ed25519");
	if (EVP_PKEY_is_a(pk, "ED448"))
		return xstrdup("Ed448");
	if (EVP_PKEY_is_a(pk, "SM2"))
		return xstrdup("SM2");
	if (EVP_PKEY_is_a(pk, "EC")) {
		if (EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen) == 1) {
			const char *nist = EC_curve_nid2nist(OBJ_txt2nid(group));
			return xasprintf("EC %s", nist ? nist : group);
		}
		return xasprintf("EC %d", bits);
	}
	const char *type = EVP_PKEY_get0_type_name(pk);
	return xasprintf("%s %d", type ? type : "unknown", bits);
}

static void add_x509(struct reader *r, X509 *x, size_t entry)
{
	struct ca_file *cf = r->cf;
	unsigned char *der = NULL;
	char sha[65];

	cf->entries[entry].n_certs++;
	int n = i2d_X509(x, &der);
	if (n <= 0)
		return;
	safefile_sha256_hex(der, (size_t)n, sha);
	for (size_t i = 0; i < cf->n_certs; i++) {
		if (strcmp(cf->certs[i].sha256, sha) == 0) {
			OPENSSL_free(der);
			return;
		}
	}
	if (cf->n_certs >= CERTINFO_MAX_CERTS) {
		OPENSSL_free(der);
		fail(r, "more than %d different certificates", CERTINFO_MAX_CERTS);
		return;
	}
	if (cf->n_certs == r->cap_certs) {
		r->cap_certs = r->cap_certs ? 2 * r->cap_certs : 8;
		cf->certs = xreallocarray(cf->certs, r->cap_certs, sizeof(*cf->certs));
	}
	struct ca_cert *c = &cf->certs[cf->n_certs++];
	memset(c, 0, sizeof(*c));
	c->entry = xstrdup(cf->entries[entry].name);
	c->subject = name_string(X509_get_subject_name(x));
	c->issuer = name_string(X509_get_issuer_name(x));
	c->serial = serial_string(x);
	c->not_before = asn1_time(X509_get0_notBefore(x));
	c->not_after = asn1_time(X509_get0_notAfter(x));
	memcpy(c->sha256, sha, sizeof(sha));
	c->is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
	c->key = key_string(x);
	c->der = xmalloc((size_t)n);
	memcpy(c->der, der, (size_t)n);
	c->der_len = (size_t)n;
	OPENSSL_free(der);
}

static size_t add_pkcs7(struct reader *r, PKCS7 *p7, size_t entry)
{
	size_t found = 0;

	if (!p7 || !PKCS7_type_is_signed(p7) || !p7->d.sign || !p7->d.sign->cert)
		return 0;
	STACK_OF(X509) *certs = p7->d.sign->cert;
	for (int i = 0; i < sk_X509_num(certs); i++) {
		add_x509(r, sk_X509_value(certs, i), entry);
		found++;
	}
	return found;
}

/* ---- single blobs --------------------------------------------------------- */

static bool looks_zip(const unsigned char *d, size_t len)
{
	return len >= 4 && d[0] == 'P' && d[1] == 'K' &&
	       ((d[2] == 3 && d[3] == 4) || (d[2] == 5 && d[3] == 6));
}

static bool looks_pem(const unsigned char *d, size_t len)
{
	return memmem(d, len, "-----BEGIN ", 11) != NULL;
}

static size_t scan_pem(struct reader *r, const unsigned char *d, size_t len, size_t entry)
{
	BIO *b = ossl_check(BIO_new_mem_buf(d, len > INT32_MAX ? INT32_MAX : (int)len));
	size_t found = 0;

	while (!r->err) {
		char *name = NULL, *header = NULL;
		unsigned char *body = NULL;
		long blen = 0;
		size_t before = BIO_pending(b);

		if (!PEM_read_bio(b, &name, &header, &body, &blen)) {
			unsigned long e = ERR_peek_last_error();
			ERR_clear_error();
			/* a damaged block is skipped; the end of text ends the scan */
			if (ERR_GET_REASON(e) == PEM_R_NO_START_LINE ||
			    (size_t)BIO_pending(b) >= before)
				break;
			continue;
		}
		const unsigned char *p = body;
		if (strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0 ||
		    strcmp(name, "TRUSTED CERTIFICATE") == 0) {
			X509 *x = strcmp(name, "TRUSTED CERTIFICATE") == 0 ?
			          d2i_X509_AUX(NULL, &p, blen) : d2i_X509(NULL, &p, blen);
			if (x) {
				add_x509(r, x, entry);
				found++;
				X509_free(x);
			}
		} else if (strcmp(name, "PKCS7") == 0 || strcmp(name, "PKCS #7 SIGNED DATA") == 0) {
			PKCS7 *p7 = d2i_PKCS7(NULL, &p, blen);
			found += add_pkcs7(r, p7, entry);
			PKCS7_free(p7);
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(body);
	}
	BIO_free(b);
	ERR_clear_error();
	return found;
}

/* DER: one or more concatenated certificates, else a PKCS#7 SignedData. */
static enum certinfo_kind scan_der(struct reader *r, const unsigned char *d, size_t len,
                                   size_t entry)
{
	const unsigned char *p = d, *end = d + len;
	size_t found = 0;

	if (len < 2 || d[0] != 0x30)
		return CERTINFO_OTHER;
	while (p < end && !r->err) {
		const unsigned char *q = p;
		X509 *x = d2i_X509(NULL, &q, end - p);
		if (!x)
			break;
		add_x509(r, x, entry);
		X509_free(x);
		found++;
		p = q;
	}
	ERR_clear_error();
	if (found)
		return CERTINFO_DER;
	p = d;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
	ERR_clear_error();
	if (!p7)
		return CERTINFO_OTHER;
	bool signed_data = PKCS7_type_is_signed(p7);
	add_pkcs7(r, p7, entry);
	PKCS7_free(p7);
	return signed_data ? CERTINFO_PKCS7 : CERTINFO_OTHER;
}

/* A non-archive blob: recorded as one entry. */
static void scan_blob(struct reader *r, const unsigned char *d, size_t len, const char *name)
{
	size_t entry = add_entry(r, name, len, CERTINFO_OTHER);

	if (looks_pem(d, len)) {
		r->cf->entries[entry].kind = CERTINFO_PEM;
		scan_pem(r, d, len, entry);
	} else {
		r->cf->entries[entry].kind = scan_der(r, d, len, entry);
	}
}

/* ---- zip ----------------------------------------------------------------- */

static void scan_zip(struct reader *r, const unsigned char *d, size_t len,
                     const char *prefix, int depth);

/* Read one entry whole, within the per-entry and total limits. Returns the
 * bytes (caller frees) or NULL: *damaged set when libzip could not read it,
 * else r->err says which limit was hit. */
static unsigned char *read_entry(struct reader *r, zip_t *za, zip_uint64_t idx,
                                 const char *name, unsigned long long declared,
                                 size_t *len, bool *damaged)
{
	zip_file_t *zf = zip_fopen_index(za, idx, 0);
	size_t cap = declared < CERTINFO_MAX_ENTRY_BYTES ? (size_t)declared + 1 : CERTINFO_MAX_ENTRY_BYTES + 1;
	unsigned char *buf;
	size_t n = 0;

	*damaged = false;
	if (!zf) {
		*damaged = true;
		return NULL;
	}
	if (cap < 4096)
		cap = 4096;
	buf = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap > CERTINFO_MAX_ENTRY_BYTES)
				break;
			cap = cap * 2 > CERTINFO_MAX_ENTRY_BYTES + 1 ? CERTINFO_MAX_ENTRY_BYTES + 1 : cap * 2;
			buf = xrealloc(buf, cap);
		}
		zip_int64_t got = zip_fread(zf, buf + n, cap - n);
		if (got < 0) {
			*damaged = true;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		/* a lying size field must not let an entry grow past the limits */
		if (n > CERTINFO_MAX_ENTRY_BYTES) {
			fail(r, "zip entry '%s' is too large", name);
			break;
		}
		if (r->total + n > CERTINFO_MAX_TOTAL_BYTES) {
			fail(r, "archive expands to more than %lu MiB", CERTINFO_MAX_TOTAL_BYTES >> 20);
			break;
		}
	}
	zip_fclose(zf);
	if (*damaged || r->err) {
		free(buf);
		return NULL;
	}
	r->total += n;
	*len = n;
	return buf;
}

static void scan_zip_entry(struct reader *r, zip_t *za, zip_uint64_t idx,
                           const char *prefix, int depth)
{
	zip_stat_t st;

	zip_stat_init(&st);
	if (zip_stat_index(za, idx, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME)) {
		r->entries_read++;
		add_entry(r, "?", 0, CERTINFO_SKIPPED);
		return;
	}
	size_t nlen = strlen(st.name);
	if (nlen > 0 && st.name[nlen - 1] == '/')
		return; /* a directory holds nothing by itself */
	r->entries_read++;

	char *raw = xasprintf("%s%s", prefix, st.name);
	char *name = clean_name(raw);
	unsigned long long declared = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
	free(raw);

	if (declared > CERTINFO_MAX_ENTRY_BYTES) {
		fail(r, "zip entry '%s' is too large", name);
		goto out;
	}
	if (r->total + declared > CERTINFO_MAX_TOTAL_BYTES) {
		fail(r, "archive expands to more than %lu MiB", CERTINFO_MAX_TOTAL_BYTES >> 20);
		goto out;
	}
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
		add_entry(r, name, declared, CERTINFO_SKIPPED);
		goto out;
	}

	size_t len = 0;
	bool damaged;
	unsigned char *data = read_entry(r, za, idx, name, declared, &len, &damaged);
	if (!data) {
		if (damaged)
			add_entry(r, name, declared, CERTINFO_SKIPPED);
		goto out;
	}
	if (looks_zip(data, len)) {
		if (depth >= CERTINFO_MAX_ZIP_DEPTH) {
			add_entry(r, name, len, CERTINFO_SKIPPED);
		} else {
			char *sub = xasprintf("%s/", name);
			add_entry(r, name, len, CERTINFO_ZIP);
			scan_zip(r, data, len, sub, depth + 1);
			free(sub);
		}
	} else {
		scan_blob(r, data, len, name);
	}
	free(data);
out:
	free(name);
}

static void scan_zip(struct reader *r, const unsigned char *d, size_t len,
                     const char *prefix, int depth)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;

	zip_error_init(&ze);
	src = zip_source_buffer_create(d, len, 0, &ze);
	if (!src) {
		fail(r, "damaged zip archive: %s", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return;
	}
	za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (!za) {
		zip_source_free(src);
		fail(r, "damaged zip archive: %s", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return;
	}
	zip_error_fini(&ze);

	zip_int64_t n = zip_get_num_entries(za, 0);
	for (zip_int64_t i = 0; i < n && !r->err; i++) {
		if (r->entries_read >= CERTINFO_MAX_ENTRIES) {
			r->cf->more_entries = true;
			break;
		}
		scan_zip_entry(r, za, (zip_uint64_t)i, prefix, depth);
	}
	zip_discard(za);
}

/* ---- public ------------------------------------------------------------- */

int certinfo_read(const unsigned char *data, size_t len, const char *name_hint,
                  struct ca_file *out, char **err)
{
	struct reader r = {.cf = out};

	memset(out, 0, sizeof(*out));
	if (!data)
		len = 0;
	if (len && looks_zip(data, len)) {
		out->kind = CERTINFO_ZIP;
		scan_zip(&r, data, len, "", 0);
	} else if (len) {
		scan_blob(&r, data, len, name_hint && *name_hint ? name_hint : "-");
		out->kind = out->entries[0].kind;
	}
	ERR_clear_error();

	if (!r.err && out->n_certs == 0) {
		switch (out->kind) {
		case CERTINFO_ZIP:
			r.err = xstrdup(out->more_entries ?
			                "archive holds no certificate in its first 64 entries" :
			                "archive holds no certificate");
			break;
		case CERTINFO_PEM:
			r.err = xstrdup("PEM file holds no certificate");
			break;
		case CERTINFO_PKCS7:
			r.err = xstrdup("PKCS#7 file holds no certificate");
			break;
		default:
			r.err = xstrdup(len ? "not a zip, PEM or DER certificate file" : "empty file");
			break;
		}
	}
	if (r.err) {
		if (err)
			*err = r.err;
		else
			free(r.err);
		return -1;
	}
	return 0;
}

void certinfo_free(struct ca_file *cf)
{
	if (!cf)
		return;
	for (size_t i = 0; i < cf->n_entries; i++)
		free(cf->entries[i].name);
	free(cf->entries);
	for (size_t i = 0; i < cf->n_certs; i++) {
		struct ca_cert *c = &cf->certs[i];
		free(c->entry);
		free(c->subject);
		free(c->issuer);
		free(c->serial);
		free(c->key);
		free(c->der);
	}
	free(cf->certs);
	memset(cf, 0, sizeof(*cf));
}

char *certinfo_pem(const struct ca_file *cf)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned char line[65];

	for (size_t i = 0; i < cf->n_certs; i++) {
		const struct ca_cert *c = &cf->certs[i];
		strbuf_adds(&sb, "-----BEGIN CERTIFICATE-----\n");
		for (size_t off = 0; off < c->der_len; off += 48) {
			size_t chunk = c->der_len - off < 48 ? c->der_len - off : 48;
			int n = EVP_EncodeBlock(line, c->der + off, (int)chunk);
			strbuf_add(&sb, line, (size_t)n);
			strbuf_addc(&sb, '\n');
		}
		strbuf_adds(&sb, "-----END CERTIFICATE-----\n");
	}
	return strbuf_steal(&sb);
}
