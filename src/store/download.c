/* Saving and inspecting a fetched CA file. The file, its ca.pem extract
 * and truststore.p12 are all staged before any is renamed into place, so a
 * failure (disk full on the third file) leaves the previous set untouched. */
#include "store/download.h"
#include "store/certinfo.h"
#include "store/safefile.h"
#include "store/truststore.h"
#include "core/xalloc.h"
#include "engine/url.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int check_input(const char *url, size_t len, char **err)
{
	if (url && !url_is_https(url)) {
		/* a CA fetched in clear text could be anyone's CA */
		*err = xstrdup("refusing a CA file not fetched over https");
		return -1;
	}
	if (len > (size_t)DOWNLOAD_MAX_BYTES) {
		*err = xasprintf("CA file is too large (%zu bytes; the limit is %ld MiB)",
		                 len, DOWNLOAD_MAX_BYTES >> 20);
		return -1;
	}
	return 0;
}

/* The certificates of cf as the model's summaries, replacing the old ones. */
static void set_ca_certs(struct instance *in, const struct ca_file *cf, const char *url)
{
	struct instance_status *st = &in->st;

	cert_summaries_free(st->ca_certs, st->n_ca_certs);
	st->ca_certs = NULL;
	st->n_ca_certs = 0;
	if (cf->n_certs) {
		st->ca_certs = xcalloc(cf->n_certs, sizeof(*st->ca_certs));
		for (size_t i = 0; i < cf->n_certs; i++) {
			const struct ca_cert *c = &cf->certs[i];
			struct cert_summary *s = &st->ca_certs[i];
			s->subject = xstrdup(c->subject);
			s->issuer = xstrdup(c->issuer);
			s->not_before = c->not_before;
			s->not_after = c->not_after;
			memcpy(s->sha256, c->sha256, sizeof(s->sha256));
		}
		st->n_ca_certs = cf->n_certs;
	}
	free(st->ca_certs_from);
	st->ca_certs_from = url_without_query(url);
}

static char *file_name(const struct instance *in, const char *name_hint, const char *url,
                       enum certinfo_kind kind)
{
	char *name = safefile_basename(name_hint, SAFEFILE_NAME_MAX);

	if (!name) {
		char *from_url = safefile_name_from_url(url);
		name = safefile_basename(from_url, SAFEFILE_NAME_MAX);
		free(from_url);
	}
	if (!name)
		return safefile_fallback_name(in->id, certinfo_kind_ext(kind));
	if (strcmp(name, DOWNLOAD_CA_PEM) == 0 || strcmp(name, TRUSTSTORE_NAME) == 0) {
		/* ours would overwrite the provider's file, or the reverse */
		char *prefixed = xasprintf(DOWNLOAD_PROVIDER_PREFIX "%s", name);
		free(name);
		name = prefixed;
	}
	return name;
}

static char *instance_dir_name(const struct instance *in)
{
	char *name = safefile_basename(in->name, SAFEFILE_NAME_MAX);

	if (!name)
		name = safefile_basename(in->id, SAFEFILE_NAME_MAX);
	return name ? name : xstrdup("instance");
}

void download_result_free(struct download_result *r)
{
	if (!r)
		return;
	free(r->path);
	free(r->ca_pem_path);
	free(r->truststore_path);
	free(r->note);
	memset(r, 0, sizeof(*r));
}

int download_save_ex(struct instance *in, const char *dir, const char *name_hint,
                     const char *url, const unsigned char *data, size_t len,
                     struct download_result *res, char **err)
{
	struct ca_file cf;
	struct safedir d = {.fd = -1};
	struct safefile_tmp file = {0}, pem = {0}, ts = {0};
	char *note = NULL, *pem_text = NULL, *name = NULL, *sub = NULL;
	unsigned char *p12 = NULL;
	size_t p12_len = 0;
	int rc = -1;

	if (res)
		memset(res, 0, sizeof(*res));
	if (check_input(url, len, err) != 0)
		return -1;

	certinfo_read(data, len, name_hint, &cf, &note);
	name = file_name(in, name_hint, url, cf.kind);
	if (!cf.n_certs) {
		/* Saving it would replace a good archive with one no client can
		 * use, next to a ca.pem that no longer matches it. */
		*err = xasprintf("%s (%zu bytes) holds no certificate tlsfleet can read (%s); "
		                 "not saved: the previous download and its ca.pem are untouched",
		                 name, len, note ? note : "unknown format");
		goto out;
	}
	pem_text = certinfo_pem(&cf);
	if (truststore_build(&cf, &p12, &p12_len, err) != 0)
		goto out;

	sub = instance_dir_name(in);
	if (safedir_open_mode(&d, dir, sub, DOWNLOAD_DIR_MODE, err) != 0 ||
	    safefile_stage(&d, name, data, len, 0644, &file, err) != 0 ||
	    safefile_stage(&d, DOWNLOAD_CA_PEM, pem_text, strlen(pem_text), 0644, &pem, err) != 0 ||
	    safefile_stage(&d, TRUSTSTORE_NAME, p12, p12_len, 0644, &ts, err) != 0 ||
	    safefile_commit(&d, &file, err) != 0 ||
	    safefile_commit(&d, &pem, err) != 0 ||
	    safefile_commit(&d, &ts, err) != 0)
		goto out;
	safedir_sync(&d);

	struct download_info *di = xcalloc(1, sizeof(*di));
	di->path = xasprintf("%s/%s", d.path, name);
	di->size = (long long)len;
	safefile_sha256_hex(data, len, di->sha256);
	di->at = time(NULL);
	di->ca_pem = xasprintf("%s/%s", d.path, DOWNLOAD_CA_PEM);
	di->truststore = xasprintf("%s/%s", d.path, TRUSTSTORE_NAME);
	download_info_free(in->st.download);
	in->st.download = di;
	set_ca_certs(in, &cf, url);

	if (res) {
		res->path = xstrdup(di->path);
		res->ca_pem_path = xstrdup(di->ca_pem);
		res->truststore_path = xstrdup(di->truststore);
		res->n_certs = cf.n_certs;
	}
	rc = 0;
out:
	safefile_abort(&d, &file);
	safefile_abort(&d, &pem);
	safefile_abort(&d, &ts);
	safedir_close(&d);
	certinfo_free(&cf);
	free(pem_text);
	free(p12);
	free(note);
	free(name);
	free(sub);
	return rc;
}

int download_save(struct instance *in, const char *dir, const char *name_hint,
                  const char *url, const unsigned char *data, size_t len, char **err)
{
	return download_save_ex(in, dir, name_hint, url, data, len, NULL, err);
}

int download_inspect(struct instance *in, const char *url,
                     const unsigned char *data, size_t len, char **err)
{
	struct ca_file cf;

	if (check_input(url, len, err) != 0)
		return -1;
	if (certinfo_read(data, len, NULL, &cf, err) != 0) {
		certinfo_free(&cf);
		return -1;
	}
	set_ca_certs(in, &cf, url);
	certinfo_free(&cf);
	return 0;
}
