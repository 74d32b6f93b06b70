/* download: saving a CA file (zip, PEM, DER, p7b) under the download
 * directory with ca.pem and truststore.p12 beside it, refusing what holds
 * no certificate, and inspecting a CA file without saving it; in a private
 * temporary directory. */
#include "store/certinfo.h"
#include "store/download.h"
#include "core/fleet.h"
#include "store/safefile.h"
#include "core/xalloc.h"
#include "tap.h"
#include "testfs.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *tmp;       /* the test's private directory (realpath) */

/* ---- helpers ------------------------------------------------------------- */

static char *fixture(const char *rel, size_t *len)
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

/* ---- download ----------------------------------------------------------------- */

static void instance_init(struct instance *in, const char *name, const char *id)
{
	memset(in, 0, sizeof(*in));
	in->name = xstrdup(name);
	in->id = xstrdup(id);
	in->warn_days = in->crit_days = in->require_tls = -1;
	instance_status_init(&in->st);
}

static void instance_fini(struct instance *in)
{
	free(in->name);
	free(in->id);
	instance_status_free(&in->st);
}

static cJSON *expectations(void)
{
	char *text = fixture("expectations.json", NULL);
	cJSON *j = cJSON_Parse(text);
	free(text);
	if (!j) {
		printf("Bail out! expectations.json is not JSON\n");
		exit(99);
	}
	return j;
}

static const cJSON *exp_cert(const cJSON *exp, const char *id)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(exp, "certs"), id);
}

static const char *exp_str(const cJSON *exp, const char *id, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(exp_cert(exp, id), key)->valuestring;
}

static long long exp_num(const cJSON *exp, const char *id, const char *key)
{
	return (long long)cJSON_GetObjectItemCaseSensitive(exp_cert(exp, id), key)->valuedouble;
}

static void test_download(void)
{
	cJSON *exp = expectations();
	char *dir = path_join(tmp, "certs");
	struct instance in;
	struct download_result res;
	char *err = NULL;
	size_t zlen, plen;
	char *zip = fixture("TencentDB-SSL-CA.zip", &zlen);
	char *rsa_pem = fixture("rsa-ca.pem", &plen);
	char sha[65];

	instance_init(&in, "orders-cache", "crs-2btr9ryn");
	time_t before = time(NULL);
	int rc = download_save_ex(&in, dir, "TencentDB-SSL-CA.zip",
	                          "https://h.example/ssl/TencentDB-SSL-CA.zip?sign=SECRETSIG&t=1",
	                          (unsigned char *)zip, zlen, &res, &err);
	time_t after = time(NULL);
	if (!is_int(rc, 0, "download_save of the Tencent zip"))
		diag("%s", err);
	char *want = path_join(dir, "orders-cache/TencentDB-SSL-CA.zip");
	char *want_pem = path_join(dir, "orders-cache/ca.pem");
	size_t got_len = 0;
	char *got = slurp(want, &got_len);
	ok(got && got_len == zlen && memcmp(got, zip, zlen) == 0, "saved bytes equal the download");
	free(got);
	got = slurp(want_pem, NULL);
	is_str(got, rsa_pem, "ca.pem holds the certificate as PEM");
	free(got);
	ok(in.st.download != NULL, "download recorded");
	if (in.st.download) {
		is_str(in.st.download->path, want, "download path is absolute");
		is_int(in.st.download->size, (long long)zlen, "download size");
		safefile_sha256_hex(zip, zlen, sha);
		is_str(in.st.download->sha256, sha, "download sha256 of the saved bytes");
		ok(in.st.download->at >= before && in.st.download->at <= after, "download time is now");
	}
	is_int((long long)in.st.n_ca_certs, 1, "one CA certificate recorded");
	if (in.st.n_ca_certs == 1) {
		is_str(in.st.ca_certs[0].subject, exp_str(exp, "rsa-ca", "subject"), "recorded subject");
		is_str(in.st.ca_certs[0].issuer, exp_str(exp, "rsa-ca", "issuer"), "recorded issuer");
		is_int(in.st.ca_certs[0].not_before, exp_num(exp, "rsa-ca", "not_before"), "recorded notBefore");
		is_int(in.st.ca_certs[0].not_after, exp_num(exp, "rsa-ca", "not_after"), "recorded notAfter");
		is_str(in.st.ca_certs[0].sha256, exp_str(exp, "rsa-ca", "sha256"), "recorded fingerprint");
	}
	is_str(in.st.ca_certs_from, "https://h.example/ssl/TencentDB-SSL-CA.zip",
	       "ca_certs_from without the query");
	is_str(res.path, want, "result: path");
	is_str(res.ca_pem_path, want_pem, "result: ca.pem path");
	char *want_ts = path_join(dir, "orders-cache/truststore.p12");
	is_str(res.truststore_path, want_ts, "result: truststore.p12 path");
	ok(exists(want_ts), "truststore.p12 written beside ca.pem");
	is_str(in.st.download ? in.st.download->ca_pem : NULL, want_pem, "download records ca.pem");
	is_str(in.st.download ? in.st.download->truststore : NULL, want_ts, "download records truststore.p12");
	struct stat dst;
	char *odir = path_join(dir, "orders-cache");
	unsigned omode = stat(odir, &dst) == 0 ? (unsigned)(dst.st_mode & 07777) : 0;
	ok(omode == 0755, "instance directory created 0755 (umask 022): %o", omode);
	ok(stat(want_pem, &dst) == 0 && (dst.st_mode & 07777) == 0644, "ca.pem 0644");
	free(odir);
	free(want_ts);
	is_int((long long)res.n_certs, 1, "result: one certificate");
	ok(res.note == NULL, "result: no note");
	download_result_free(&res);

	/* a second download replaces certificates and ca.pem; name from the URL */
	size_t clen, chlen;
	char *chain = fixture("ApsaraDB-CA-Chain.zip", &clen);
	char *chain_pem = fixture("chain.pem", &chlen);
	rc = download_save(&in, dir, NULL, "https://h.example/x/ApsaraDB-CA-Chain.zip?Expires=1&Signature=S",
	                   (unsigned char *)chain, clen, &err);
	is_int(rc, 0, "second download, name from the URL");
	char *chain_path = path_join(dir, "orders-cache/ApsaraDB-CA-Chain.zip");
	ok(exists(chain_path), "saved under the URL's name");
	got = slurp(want_pem, NULL);
	is_str(got, chain_pem, "ca.pem replaced: the chain, in archive order");
	free(got);
	is_int((long long)in.st.n_ca_certs, 2, "two certificates now");
	if (in.st.n_ca_certs == 2) {
		is_str(in.st.ca_certs[0].sha256, exp_str(exp, "chain-int", "sha256"), "first: intermediate");
		is_str(in.st.ca_certs[1].sha256, exp_str(exp, "chain-root", "sha256"), "second: root");
	}
	is_str(in.st.download ? in.st.download->path : NULL, chain_path, "download path updated");
	is_str(in.st.ca_certs_from, "https://h.example/x/ApsaraDB-CA-Chain.zip", "ca_certs_from updated");
	char *idir = path_join(dir, "orders-cache");
	is_int(count_entries(idir), 4, "two downloads, ca.pem and truststore.p12, no temporary files");
	free(chain_path);

	/* a hostile name hint stays inside the instance directory */
	rc = download_save(&in, dir, "../../evil.zip", NULL, (unsigned char *)zip, zlen, &err);
	is_int(rc, 0, "hostile name hint saved");
	char *evil = path_join(idir, "_...evil.zip");
	ok(exists(evil), "saved as _...evil.zip inside the instance directory");
	char *evil_out = path_join(tmp, "evil.zip");
	ok(!exists(evil_out), "nothing written outside");
	is_str(in.st.ca_certs_from, NULL, "no URL: ca_certs_from null");
	free(evil_out);
	free(evil);
	instance_fini(&in);

	/* hostile instance name */
	instance_init(&in, "../../escape", "crs-1");
	rc = download_save(&in, dir, "ca.zip", NULL, (unsigned char *)zip, zlen, &err);
	is_int(rc, 0, "hostile instance name saved");
	char *esc = path_join(dir, "_...escape/ca.zip");
	ok(exists(esc), "under the reduced instance name");
	free(esc);
	instance_fini(&in);

	/* fallback names by content */
	instance_init(&in, "fb", "crs-fallback");
	rc = download_save(&in, dir, NULL, "https://h.example/", (unsigned char *)zip, zlen, &err);
	is_int(rc, 0, "no usable name: fallback");
	char *fb = path_join(dir, "fb/crs-fallback-ca.zip");
	ok(exists(fb), "fallback crs-fallback-ca.zip");
	free(fb);
	rc = download_save(&in, dir, "/", NULL, (unsigned char *)rsa_pem, plen, &err);
	fb = path_join(dir, "fb/crs-fallback-ca.pem");
	ok(rc == 0 && exists(fb), "fallback for PEM: .pem");
	free(fb);
	size_t dlen;
	char *der = fixture("rsa-ca.crt", &dlen);
	rc = download_save(&in, dir, "\x1b\r\n", NULL, (unsigned char *)der, dlen, &err);
	fb = path_join(dir, "fb/crs-fallback-ca.crt");
	ok(rc == 0 && exists(fb), "fallback for DER: .crt");
	free(fb);
	free(der);
	instance_fini(&in);

	/* the download is itself ca.pem: saved as provider-ca.pem, the
	 * extract is ca.pem as always */
	instance_init(&in, "selfpem", "crs-2");
	size_t jlen;
	char *junk = fixture("junk.pem", &jlen);
	rc = download_save_ex(&in, dir, "ca.pem", NULL, (unsigned char *)junk, jlen, &res, &err);
	is_int(rc, 0, "download named ca.pem");
	char *self = path_join(dir, "selfpem/provider-ca.pem");
	got = slurp(self, &got_len);
	ok(got && got_len == jlen && memcmp(got, junk, jlen) == 0,
	   "provider-ca.pem is the provider's file, unchanged");
	free(got);
	is_str(res.path, self, "result: path is provider-ca.pem");
	char *extracted = path_join(dir, "selfpem/" DOWNLOAD_CA_PEM);
	is_str(res.ca_pem_path, extracted, "extract named ca.pem");
	struct ca_file cf;
	got = slurp(extracted, &got_len);
	is_int(got ? certinfo_read((unsigned char *)got, got_len, NULL, &cf, &err) : -1, 0,
	       "extract reads back");
	is_int((long long)cf.n_certs, 2, "extract holds both certificates of the junk file");
	certinfo_free(&cf);
	free(got);
	free(extracted);
	free(self);
	download_result_free(&res);
	free(junk);

	/* a provider file named like our trust store keeps out of its way too */
	size_t dlen2;
	char *der2 = fixture("rsa-ca.crt", &dlen2);
	rc = download_save(&in, dir, "truststore.p12", NULL, (unsigned char *)der2, dlen2, &err);
	is_int(rc, 0, "download named truststore.p12");
	char *pts = path_join(dir, "selfpem/provider-truststore.p12");
	got = slurp(pts, &got_len);
	ok(got && got_len == dlen2 && memcmp(got, der2, dlen2) == 0,
	   "provider-truststore.p12 is the provider's file, unchanged");
	free(got);
	free(pts);
	free(der2);

	/* not a certificate file: refused, everything as it was */
	char *sdir = path_join(dir, "selfpem");
	char *spem = path_join(sdir, "ca.pem");
	char *pem_before = slurp(spem, NULL);
	char *dl_before = xstrdup(in.st.download ? in.st.download->path : "");
	size_t n_before = in.st.n_ca_certs;
	int entries_before = count_entries(sdir);
	size_t glen;
	char *garbage = fixture("garbage.bin", &glen);
	rc = download_save_ex(&in, dir, "blob.bin", NULL, (unsigned char *)garbage, glen, &res, &err);
	is_int(rc, -1, "garbage is not saved");
	ok(err && strstr(err, "blob.bin") && strstr(err, "holds no certificate") &&
	   strstr(err, "not a zip, PEM or DER certificate file") && strstr(err, "untouched"),
	   "message says what and why: %s", err ? err : "");
	free(err);
	err = NULL;
	char *blob = path_join(sdir, "blob.bin");
	ok(!exists(blob), "garbage file not written");
	is_int(count_entries(sdir), entries_before, "nothing added, no temporary files");
	got = slurp(spem, NULL);
	is_str(got, pem_before, "previous ca.pem untouched");
	free(got);
	is_int((long long)in.st.n_ca_certs, (long long)n_before, "certificates kept");
	is_str(in.st.download ? in.st.download->path : "", dl_before, "download record kept");
	free(blob);
	free(spem);
	free(sdir);
	free(pem_before);
	free(dl_before);
	download_result_free(&res);
	free(garbage);
	instance_fini(&in);

	/* refusals: nothing written */
	instance_init(&in, "refused", "crs-3");
	char *rdir = path_join(dir, "refused");
	rc = download_save(&in, dir, "x.zip", NULL, (unsigned char *)zip, (size_t)DOWNLOAD_MAX_BYTES + 1, &err);
	is_int(rc, -1, "larger than DOWNLOAD_MAX_BYTES refused");
	ok(err && strstr(err, "too large"), "message: %s", err ? err : "");
	free(err);
	err = NULL;
	rc = download_save(&in, dir, "x.zip", "http://h.example/x.zip", (unsigned char *)zip, zlen, &err);
	is_int(rc, -1, "http URL refused");
	ok(err && strstr(err, "https"), "message: %s", err ? err : "");
	free(err);
	err = NULL;
	ok(!exists(rdir), "nothing written for refused downloads");
	ok(in.st.download == NULL && in.st.n_ca_certs == 0, "instance untouched");
	free(rdir);
	instance_fini(&in);

	/* symlink planted as the instance directory */
	char *outside = path_join(tmp, "outside2");
	mkdir(outside, 0700);
	char *link = path_join(dir, "linked");
	if (symlink(outside, link) != 0)
		diag("symlink: %s", strerror(errno));
	instance_init(&in, "linked", "crs-4");
	rc = download_save(&in, dir, "ca.zip", NULL, (unsigned char *)zip, zlen, &err);
	is_int(rc, -1, "symlinked instance directory refused");
	ok(err && strstr(err, "symbolic link"), "message: %s", err ? err : "");
	free(err);
	err = NULL;
	is_int(count_entries(outside), 0, "nothing written outside DIR");
	ok(in.st.download == NULL, "no download recorded");
	instance_fini(&in);
	free(link);
	free(outside);

	/* second file failing: the first is not replaced either */
	instance_init(&in, "pair", "crs-5");
	rc = download_save(&in, dir, "ca.zip", NULL, (unsigned char *)chain, clen, &err);
	is_int(rc, 0, "pair: first download");
	char *pdir = path_join(dir, "pair");
	char *pzip = path_join(pdir, "ca.zip");
	char *ppem = path_join(pdir, "ca.pem");
	char msg[512] = "";
	int fds[2];
	/* a limit the zip fits under and its ca.pem does not */
	ok(zlen < plen, "pair: the zip is smaller than its ca.pem");
	rlim_t limit = (rlim_t)(zlen + (plen - zlen) / 2);
	if (pipe(fds) == 0) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			struct rlimit rl = {limit, limit};
			char *cerr = NULL;
			close(fds[0]);
			signal(SIGXFSZ, SIG_IGN);
			setrlimit(RLIMIT_FSIZE, &rl);
			int crc = download_save(&in, dir, "ca.zip", NULL, (unsigned char *)zip, zlen, &cerr);
			if (cerr && write(fds[1], cerr, strlen(cerr)) < 0)
				_exit(3);
			_exit(crc == 0 ? 0 : 1);
		}
		close(fds[1]);
		ssize_t n = read(fds[0], msg, sizeof(msg) - 1);
		msg[n > 0 ? n : 0] = '\0';
		close(fds[0]);
		int status;
		waitpid(pid, &status, 0);
		is_int(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 1, "pair: ca.pem failing fails the download");
	}
	ok(strstr(msg, "file size limit exceeded writing ") && strstr(msg, "/pair/ca.pem"),
	   "pair: message names ca.pem: %s", msg);
	got = slurp(pzip, &got_len);
	ok(got && got_len == clen && memcmp(got, chain, clen) == 0, "pair: previous file kept");
	free(got);
	got = slurp(ppem, NULL);
	is_str(got, chain_pem, "pair: previous ca.pem kept");
	free(got);
	is_int(count_entries(pdir), 3, "pair: no temporary files");
	free(ppem);
	free(pzip);
	free(pdir);
	instance_fini(&in);

	/* inspect only */
	instance_init(&in, "inspect", "crs-6");
	rc = download_inspect(&in, "https://h.example/c/TencentDB-SSL-CA.zip?q=SECRET#f",
	                      (unsigned char *)zip, zlen, &err);
	is_int(rc, 0, "download_inspect");
	is_int((long long)in.st.n_ca_certs, 1, "inspect: certificate recorded");
	is_str(in.st.ca_certs_from, "https://h.example/c/TencentDB-SSL-CA.zip", "inspect: URL without query");
	ok(in.st.download == NULL, "inspect: no download recorded");
	char *idir2 = path_join(dir, "inspect");
	ok(!exists(idir2), "inspect: nothing written");
	free(idir2);
	char *garbage2 = fixture("garbage.bin", &glen);
	rc = download_inspect(&in, "https://h.example/other", (unsigned char *)garbage2, glen, &err);
	is_int(rc, -1, "inspect of garbage fails");
	is_str(err, "not a zip, PEM or DER certificate file", "inspect: message");
	free(err);
	err = NULL;
	is_int((long long)in.st.n_ca_certs, 1, "inspect failure keeps what was known");
	is_str(in.st.ca_certs_from, "https://h.example/c/TencentDB-SSL-CA.zip", "inspect failure keeps the URL");
	rc = download_inspect(&in, "http://h.example/c.zip", (unsigned char *)zip, zlen, &err);
	is_int(rc, -1, "inspect refuses http");
	free(err);
	err = NULL;
	free(garbage2);
	instance_fini(&in);

	free(idir);
	free(chain_pem);
	free(chain);
	free(want_pem);
	free(want);
	free(rsa_pem);
	free(zip);
	free(dir);
	cJSON_Delete(exp);
}

int main(void)
{
	const char *tmpdir = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/tlsfleet-test-download-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");

	umask(022);
	if (!mkdtemp(tmpl)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 99;
	}
	tmp = realpath(tmpl, NULL);
	free(tmpl);

	test_download();

	if (!getenv("TLSFLEET_KEEP_TMP"))
		rm_rf(tmp);
	free(tmp);
	return done_testing();
}
