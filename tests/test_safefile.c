/* Safe names, atomic symlink-proof writes, the download save step and the
 * state file, all in a private temporary directory. Failures that need an
 * error from the kernel (a full disk) are made with RLIMIT_FSIZE in a
 * forked child. */
#include "store/certinfo.h"
#include "store/download.h"
#include "core/fleet.h"
#include "store/safefile.h"
#include "core/xalloc.h"
#include "tap.h"
#include "testfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

/* ---- names ------------------------------------------------------------------ */

static void check_base(const char *in, size_t max, const char *want, const char *label)
{
	char *got = safefile_basename(in, max);
	is_str(got, want, label);
	free(got);
}

static bool valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		        (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (!n)
			return false;
		for (int i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

static void test_basename(void)
{
	check_base("TencentDB-SSL-CA.zip", 128, "TencentDB-SSL-CA.zip", "plain name kept");
	check_base("../../x", 128, "_...x", "../../x: slashes dropped, leading dot replaced");
	check_base("/etc/passwd", 128, "etcpasswd", "/etc/passwd");
	check_base("a/b", 128, "ab", "a/b");
	check_base("..", 128, "_.", "..");
	check_base(".", 128, "_", ".");
	check_base("", 128, NULL, "empty name: NULL");
	check_base(NULL, 128, NULL, "NULL name: NULL");
	check_base("///", 128, NULL, "only slashes: NULL");
	check_base(".hidden", 128, "_hidden", ".hidden");
	check_base("\x1b[31mred", 128, "[31mred", "ESC dropped");
	check_base("name\r\n", 128, "name", "CR LF dropped");
	check_base("a\tb\001c\x7f" "d", 128, "abcd", "TAB, SOH, DEL dropped");
	check_base("a\\b\\c", 128, "abc", "backslashes dropped");
	check_base("..\\..\\evil.zip", 128, "_...evil.zip", "Windows traversal");
	check_base("\x1b.hidden", 128, "_hidden", "dot made leading by a dropped control is replaced too");
	check_base("a\xc2\x85" "b", 128, "ab", "C1 NEL dropped");
	check_base("x\xc2\x9b" "31m", 128, "x31m", "C1 CSI dropped");
	check_base("a\xc2\xa0" "b", 128, "a\xc2\xa0" "b", "NBSP (not a control) kept");
	check_base("a\xff" "b", 128, "ab", "invalid byte dropped");
	check_base("\xc0\xaf" "etc", 128, "etc", "overlong '/' dropped");
	check_base("a\xe2\x82", 128, "a", "truncated sequence dropped");
	check_base("\xed\xa0\x80" "s", 128, "s", "surrogate dropped");
	check_base("\xf4\x90\x80\x80" "z", 128, "z", "beyond U+10FFFF dropped");
	check_base("\xe8\x85\xbe\xe8\xae\xaf" "-CA.zip", 128, "\xe8\x85\xbe\xe8\xae\xaf" "-CA.zip",
	           "CJK kept");
	check_base(" ", 128, " ", "a space is a name");
	check_base("abc", 0, NULL, "nothing fits in 0 bytes");
	check_base("abcdef", 3, "abc", "ASCII cut at the limit");

	/* 300-byte names cut on a character boundary, never beyond 128 */
	static const char *const chars[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x94\x92", "a\xc3\xa9"};
	for (size_t k = 0; k < sizeof(chars) / sizeof(chars[0]); k++) {
		char big[400] = "";
		while (strlen(big) + strlen(chars[k]) < 300)
			strcat(big, chars[k]);
		char *got = safefile_basename(big, 128);
		size_t unit = strlen(chars[k]);
		ok(got && strlen(got) <= 128 && strlen(got) > 128 - unit - 1,
		   "300-byte name (%zu-byte units) cut to %zu bytes", unit, got ? strlen(got) : 0);
		ok(got && valid_utf8(got) && strncmp(got, big, strlen(got)) == 0,
		   "cut name is a valid UTF-8 prefix (%zu-byte units)", unit);
		free(got);
	}
	char odd[300];
	odd[0] = 'a';
	for (int i = 1; i < 299; i++)
		odd[i] = (i % 2) ? '\xc3' : '\xa9';
	odd[299] = '\0';
	char *got = safefile_basename(odd, 128);
	is_int(got ? (long long)strlen(got) : -1, 127, "odd offset: 'a' + 63 two-byte characters");
	free(got);

	char *fb = safefile_fallback_name("crs-2btr9ryn", "zip");
	is_str(fb, "crs-2btr9ryn-ca.zip", "fallback name");
	free(fb);
	fb = safefile_fallback_name("../x", "pem");
	is_str(fb, "_.x-ca.pem", "fallback name of a hostile id is safe");
	free(fb);
	fb = safefile_fallback_name(NULL, "crt");
	is_str(fb, "instance-ca.crt", "fallback without an id");
	free(fb);
}

static void check_url(const char *url, const char *want, const char *label)
{
	char *got = safefile_name_from_url(url);
	is_str(got, want, label);
	free(got);
}

static void test_url_names(void)
{
	check_url("https://h.example/ssl/TencentDB-SSL-CA.zip?sign=abc&t=1", "TencentDB-SSL-CA.zip",
	          "query stripped");
	check_url("https://h.example/a/b%20c.zip#frag", "b c.zip", "percent-decoded, fragment stripped");
	check_url("https://h.example/a/..%2F..%2Fetc%2Fpasswd", "../../etc/passwd",
	          "encoded slashes decoded (made safe later)");
	char *raw = safefile_name_from_url("https://h.example/a/..%2F..%2Fetc%2Fpasswd");
	check_base(raw, 128, "_...etcpasswd", "... and then made safe");
	free(raw);
	check_url("https://h.example", NULL, "no path");
	check_url("https://h.example/", NULL, "empty last segment");
	check_url("https://h.example/dir/", NULL, "directory URL");
	check_url("https://h.example?x=/y.zip", NULL, "slash in the query is not a path");
	check_url("https://user:pw@h.example/", NULL, "userinfo is not a name");
	check_url("https://h.example/x%00y", "xy", "decoded NUL dropped");
	check_url("https://h.example/%zz", "%zz", "bad escape kept");
	check_url("https://h.example/a%4", "a%4", "short escape kept");
	check_url("https://h.example/%41%62", "Ab", "escapes of both cases");
	check_url(NULL, NULL, "NULL URL");
}

static void test_sha256(void)
{
	char hex[65];

	safefile_sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256(abc)");
	safefile_sha256_hex(NULL, 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 of nothing");
}

/* ---- atomic writes -------------------------------------------------------- */

static void test_write_basic(void)
{
	char *dir = path_join(tmp, "dl/deep/er");
	char *path = NULL, *err = NULL;
	struct stat st;

	is_int(safefile_write_atomic(dir, "inst", "a.pem", "v1\n", 3, 0644, &path, &err), 0,
	       "write into a new directory tree");
	char *want = path_join(dir, "inst/a.pem");
	is_str(path, want, "absolute path returned");
	char *text = slurp(want, NULL);
	is_str(text, "v1\n", "content written");
	free(text);
	ok(stat(want, &st) == 0 && (st.st_mode & 07777) == 0644, "mode 0644 (umask 022)");
	char *inst = path_join(dir, "inst");
	ok(stat(inst, &st) == 0 && (st.st_mode & 07777) == 0700, "new instance directory is 0700");
	ok(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700, "new DIR is 0700");

	/* replace: a reader holding the old file keeps it whole */
	int oldfd = open(want, O_RDONLY);
	struct stat before;
	fstat(oldfd, &before);
	free(path);
	path = NULL;
	is_int(safefile_write_atomic(dir, "inst", "a.pem", "version two\n", 12, 0644, &path, &err), 0,
	       "replace an existing file");
	text = slurp(want, NULL);
	is_str(text, "version two\n", "new content visible");
	free(text);
	char old[16] = "";
	ssize_t n = pread(oldfd, old, sizeof(old) - 1, 0);
	old[n > 0 ? n : 0] = '\0';
	is_str(old, "v1\n", "old content intact for an open reader (new inode)");
	ok(stat(want, &st) == 0 && st.st_ino != before.st_ino, "replaced by rename, not rewritten");
	close(oldfd);
	is_int(count_entries(inst), 1, "no temporary file left behind");

	/* no sub: written into DIR itself, mode as asked */
	free(path);
	path = NULL;
	is_int(safefile_write_atomic(dir, NULL, "state.json", "{}", 2, 0600, &path, &err), 0,
	       "write without a subdirectory");
	char *sp = path_join(dir, "state.json");
	is_str(path, sp, "path without a subdirectory");
	ok(stat(sp, &st) == 0 && (st.st_mode & 07777) == 0600, "mode 0600");
	free(sp);

	/* empty data is a valid file */
	free(path);
	path = NULL;
	is_int(safefile_write_atomic(dir, "inst", "empty", "", 0, 0644, NULL, &err), 0, "empty file");
	char *ep = path_join(dir, "inst/empty");
	ok(stat(ep, &st) == 0 && st.st_size == 0, "empty file exists with size 0");
	free(ep);

	free(inst);
	free(want);
	free(path);
	free(dir);
}

static void test_write_relative(void)
{
	char *cwd = getcwd(NULL, 0);
	char *path = NULL, *err = NULL;

	if (chdir(tmp) != 0) {
		ok(0, "chdir to the test directory");
		free(cwd);
		return;
	}
	is_int(safefile_write_atomic("rel/dir", "i", "f", "x", 1, 0644, &path, &err), 0,
	       "relative DIR accepted");
	char *want = xasprintf("%s/rel/dir/i/f", tmp);
	is_str(path, want, "relative DIR gives an absolute path");
	free(want);
	free(path);
	if (chdir(cwd) != 0)
		diag("could not return to %s", cwd);
	free(cwd);
}

static void test_write_refusals(void)
{
	char *dir = path_join(tmp, "refuse");
	char *outside = path_join(tmp, "outside");
	char *err = NULL, *path = NULL;

	mkdir(dir, 0700);
	mkdir(outside, 0700);

	/* symlink planted as DIR/<instance> */
	char *link = path_join(dir, "evil");
	if (symlink(outside, link) != 0)
		diag("symlink: %s", strerror(errno));
	is_int(safefile_write_atomic(dir, "evil", "ca.pem", "x", 1, 0644, &path, &err), -1,
	       "symlink as instance directory refused");
	ok(err && strstr(err, "symbolic link"), "message names the symbolic link: %s", err ? err : "");
	ok(err && !strstr(err, "ca.pem") && strstr(err, "/refuse/evil"), "message names the directory");
	is_int(count_entries(outside), 0, "nothing written through the link");
	ok(path == NULL, "no path returned on failure");
	free(err);
	err = NULL;

	/* symlink at the target: replaced, never written through */
	char *victim = path_join(outside, "victim");
	spew(victim, "victim\n");
	char *inst = path_join(dir, "ok");
	mkdir(inst, 0700);
	char *target = path_join(inst, "target.pem");
	if (symlink(victim, target) != 0)
		diag("symlink: %s", strerror(errno));
	is_int(safefile_write_atomic(dir, "ok", "target.pem", "new\n", 4, 0644, NULL, &err), 0,
	       "write over a symlinked target succeeds");
	char *v = slurp(victim, NULL);
	is_str(v, "victim\n", "the link's destination is untouched");
	free(v);
	struct stat st;
	ok(lstat(target, &st) == 0 && S_ISREG(st.st_mode), "target is now a regular file");
	v = slurp(target, NULL);
	is_str(v, "new\n", "target holds the new content");
	free(v);

	/* dangling link at the target */
	char *dangling = path_join(inst, "dangling.pem");
	char *nowhere = path_join(outside, "nowhere");
	if (symlink(nowhere, dangling) != 0)
		diag("symlink: %s", strerror(errno));
	is_int(safefile_write_atomic(dir, "ok", "dangling.pem", "d", 1, 0644, NULL, &err), 0,
	       "write over a dangling link");
	ok(!exists(nowhere), "dangling link's destination not created");
	ok(lstat(dangling, &st) == 0 && S_ISREG(st.st_mode), "dangling link replaced by a file");

	/* target is a directory */
	char *subdir = path_join(inst, "adir");
	mkdir(subdir, 0700);
	is_int(safefile_write_atomic(dir, "ok", "adir", "x", 1, 0644, NULL, &err), -1,
	       "directory at the target refused");
	ok(err && strstr(err, "directory"), "message: %s", err ? err : "");
	free(err);
	err = NULL;
	ok(!has_temp(inst), "no temporary file left after a failed rename");

	/* instance path is a regular file */
	char *file = path_join(dir, "plainfile");
	spew(file, "x");
	is_int(safefile_write_atomic(dir, "plainfile", "a", "x", 1, 0644, NULL, &err), -1,
	       "file as instance directory refused");
	ok(err && strstr(err, "not a directory"), "message: %s", err ? err : "");
	free(err);
	err = NULL;

	/* DIR is a file */
	is_int(safefile_write_atomic(file, "i", "a", "x", 1, 0644, NULL, &err), -1,
	       "a file as DIR refused");
	ok(err && strstr(err, "cannot create directory"), "message: %s", err ? err : "");
	free(err);
	err = NULL;

	/* names that could climb out */
	static const char *const bad[] = {"..", ".", "", "a/b", "../x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(safefile_write_atomic(dir, bad[i], "a", "x", 1, 0644, NULL, &err), -1,
		       "unsafe subdirectory refused");
		free(err);
		err = NULL;
		is_int(safefile_write_atomic(dir, "ok", bad[i], "x", 1, 0644, NULL, &err), -1,
		       "unsafe file name refused");
		free(err);
		err = NULL;
	}
	is_int(safefile_write_atomic(NULL, "ok", "a", "x", 1, 0644, NULL, &err), -1, "no DIR refused");
	free(err);
	err = NULL;
	is_int(count_entries(outside), 1, "still nothing but the victim outside");

	free(file);
	free(subdir);
	free(nowhere);
	free(dangling);
	free(target);
	free(inst);
	free(victim);
	free(link);
	free(outside);
	free(dir);
}

static void test_stage_abort(void)
{
	char *dir = path_join(tmp, "stage");
	struct safedir d;
	struct safefile_tmp a, b;
	char *err = NULL;

	is_int(safedir_open(&d, dir, "i", &err), 0, "safedir_open");
	is_int(safefile_stage(&d, "one", "1", 1, 0644, &a, &err), 0, "stage one");
	is_int(safefile_stage(&d, "two", "2", 1, 0644, &b, &err), 0, "stage two");
	char *inst = path_join(dir, "i");
	is_int(count_entries(inst), 2, "two temporary files while staged");
	ok(has_temp(inst), "they are temporary files");
	safefile_abort(&d, &a);
	safefile_abort(&d, &b);
	safefile_abort(&d, &b);
	is_int(count_entries(inst), 0, "abort removes them all (twice is harmless)");
	is_int(safefile_commit(&d, &a, &err), -1, "commit after abort refused");
	free(err);
	err = NULL;
	safedir_close(&d);
	safedir_close(&d);
	free(inst);
	free(dir);
}

/* In a child: the file size limit makes write() fail with EFBIG. The child
 * reports rc and message through a pipe. */
static int limited_write(size_t limit, const char *dir, const char *sub, const char *name,
                         const char *data, size_t len, char *msg, size_t msgsize)
{
	int fds[2];

	if (pipe(fds) != 0)
		return -2;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char *err = NULL;
		struct rlimit rl = {limit, limit};
		close(fds[0]);
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		int rc = safefile_write_atomic(dir, sub, name, data, len, 0644, NULL, &err);
		if (err && write(fds[1], err, strlen(err)) < 0)
			_exit(3);
		_exit(rc == 0 ? 0 : 1);
	}
	close(fds[1]);
	ssize_t n = read(fds[0], msg, msgsize - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_write_failure(void)
{
	char *dir = path_join(tmp, "full");
	char *inst = path_join(dir, "i");
	char *target = path_join(inst, "ca.zip");
	char msg[512];
	char big[4096];

	memset(big, 'B', sizeof(big));
	is_int(safefile_write_atomic(dir, "i", "ca.zip", "old", 3, 0644, NULL, &(char *){NULL}), 0,
	       "old file in place");
	is_int(limited_write(1000, dir, "i", "ca.zip", big, sizeof(big), msg, sizeof(msg)), 1,
	       "write beyond RLIMIT_FSIZE fails");
	ok(strncmp(msg, "file size limit exceeded writing ", 33) == 0, "message: %s", msg);
	ok(strstr(msg, "/full/i/ca.zip") != NULL, "message names the target, not the temporary file");
	char *text = slurp(target, NULL);
	is_str(text, "old", "old file untouched");
	free(text);
	is_int(count_entries(inst), 1, "no partial or temporary file left");
	is_int(limited_write(1000, dir, "i", "new.zip", big, sizeof(big), msg, sizeof(msg)), 1,
	       "new file beyond the limit fails");
	char *np = path_join(inst, "new.zip");
	ok(!exists(np), "no partial new file");
	free(np);
	is_int(count_entries(inst), 1, "still no temporary file");
	is_int(limited_write(100000, dir, "i", "ok.zip", big, sizeof(big), msg, sizeof(msg)), 0,
	       "under the limit it works");
	free(target);
	free(inst);
	free(dir);
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
	char *tmpl = xasprintf("%s/tlsfleet-test-safefile-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");

	umask(022);
	if (!mkdtemp(tmpl)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 99;
	}
	tmp = realpath(tmpl, NULL);
	free(tmpl);

	test_basename();
	test_url_names();
	test_sha256();
	test_write_basic();
	test_write_relative();
	test_write_refusals();
	test_stage_abort();
	test_write_failure();
	test_download();

	if (!getenv("TLSFLEET_KEEP_TMP"))
		rm_rf(tmp);
	free(tmp);
	return done_testing();
}
