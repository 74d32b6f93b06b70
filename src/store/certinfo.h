/* What a CA file holds. The providers ship CA certificates as a zip (with
 * PEM, DER, PKCS#7 and JKS members), a PEM bundle, a DER certificate or a
 * PKCS#7 (.p7b) file; this module recognises each by content, never by
 * name, and lists every certificate found, de-duplicated by SHA-256 in
 * archive order. No I/O: bytes in, description out.
 *
 * Ownership: certinfo_read() fills a caller-provided struct ca_file whose
 * strings and arrays are owned by it; certinfo_free() releases them. */
#ifndef TLSFLEET_CERTINFO_H
#define TLSFLEET_CERTINFO_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Limits that keep a hostile archive (zip bomb, endless entries) cheap. */
#define CERTINFO_MAX_ENTRIES     64                       /* entries read */
#define CERTINFO_MAX_ENTRY_BYTES (10UL * 1024 * 1024)     /* uncompressed */
#define CERTINFO_MAX_TOTAL_BYTES (50UL * 1024 * 1024)     /* uncompressed */
#define CERTINFO_MAX_ZIP_DEPTH   1      /* a zip inside the zip is read, no deeper */
#define CERTINFO_MAX_CERTS       1024   /* unique ones; a CA bundle has ~150 */

/* What a file or an archive entry is, by content. */
enum certinfo_kind {
	CERTINFO_OTHER,     /* read, holds no certificate (JKS, text, ...) */
	CERTINFO_PEM,       /* PEM text: certificates and/or PKCS#7 blocks */
	CERTINFO_DER,       /* DER X.509 certificate(s) */
	CERTINFO_PKCS7,     /* DER PKCS#7 (.p7b) */
	CERTINFO_ZIP,       /* zip archive */
	CERTINFO_SKIPPED,   /* not read: encrypted, damaged or nested too deep */
};

struct ca_entry {
	char *name;             /* "ca.pem"; nested: "inner.zip/ca.pem" */
	unsigned long long size;/* uncompressed bytes */
	enum certinfo_kind kind;
	size_t n_certs;         /* certificates it held, duplicates included */
};

struct ca_cert {
	char *entry;            /* entry of its first occurrence */
	char *subject;          /* RFC 2253, UTF-8 kept (escaped if not clean) */
	char *issuer;
	char *serial;           /* uppercase hex, as `openssl x509 -serial` */
	time_t not_before;      /* UTC; TIME_NONE (fleet.h) if unreadable */
	time_t not_after;
	char sha256[65];        /* lowercase hex of the DER */
	bool is_ca;             /* basicConstraints cA */
	char *key;              /* "RSA 2048", "EC P-256", "Ed25519", ... */
	unsigned char *der;
	size_t der_len;
};

struct ca_file {
	enum certinfo_kind kind;    /* of the whole file */
	struct ca_entry *entries;   /* a non-archive file is one entry */
	size_t n_entries;
	bool more_entries;          /* archive had entries beyond the limit */
	struct ca_cert *certs;      /* unique, archive order */
	size_t n_certs;
};

/* Inspect data (name_hint names the top entry of a non-archive file; may be
 * NULL). Returns 0 when at least one certificate was found; otherwise -1
 * with *err (new string), e.g. "not a zip, PEM or DER certificate file",
 * "zip entry 'x' is too large", "archive holds no certificate". *out is
 * filled in both cases (kind, entries seen) and must be freed. */
int certinfo_read(const unsigned char *data, size_t len, const char *name_hint,
                  struct ca_file *out, char **err);
void certinfo_free(struct ca_file *cf);

/* Every certificate as PEM, in order; new string ("" when none). */
char *certinfo_pem(const struct ca_file *cf);

/* "zip", "pem", "der", "pkcs7", "other", "skipped". */
const char *certinfo_kind_name(enum certinfo_kind k);
/* File name extension for saving such data: "zip", "pem", "crt", "p7b",
 * "bin". */
const char *certinfo_kind_ext(enum certinfo_kind k);

#endif
