/* The CA file reader: zip (nested included), PEM, DER and PKCS#7 by
 * content, with its hostile-archive limits. */
#include "fuzz.h"
#include "store/certinfo.h"
#include "core/fleet.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy, so a read one past the end is caught even when
	 * the caller's buffer happens to continue. */
	unsigned char *buf = xmalloc(size ? size : 1);
	struct ca_file cf;
	char *err = NULL;

	if (size)
		memcpy(buf, data, size);
	int rc = certinfo_read(buf, size, "fuzz.bin", &cf, &err);
	/* Success means certificates and no message. A failure always says
	 * why, but may come with certificates: an archive that trips a limit
	 * (entry too large, expands too far) is refused as a whole. */
	if ((rc == 0 && (cf.n_certs == 0 || err)) || (rc != 0 && !err))
		abort();
	if (cf.n_certs > CERTINFO_MAX_CERTS)
		abort();
	for (size_t i = 0; i < cf.n_certs; i++) {
		const struct ca_cert *c = &cf.certs[i];
		if (!c->der || !c->der_len || strlen(c->sha256) != 64 || !c->entry)
			abort();
	}
	char *pem = certinfo_pem(&cf);
	if (!pem || (cf.n_certs && !strstr(pem, "-----BEGIN CERTIFICATE-----")))
		abort();
	free(pem);
	(void)certinfo_kind_name(cf.kind);
	(void)certinfo_kind_ext(cf.kind);
	certinfo_free(&cf);
	free(err);
	free(buf);
	return 0;
}
