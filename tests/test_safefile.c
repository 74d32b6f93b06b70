/* Safe names, atomic symlink-proof writes, the download save step and the
 * state file, all in a private temporary directory. Failures that need an
 * error from the kernel (a full disk) are made with RLIMIT_FSIZE in a
 * forked child. */
#include "store/certinfo.h"
#include "store/download.h"
#include "core/fleet.h"
#include "store/safefile.h"
#include "store/statefile.h"
#include "core/xalloc.h"
#include "tap.h"

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

static char *path_join(const char *a, const char *b)
{
	return xasprintf("%s/%s", a, b);
}

/* Whole file or NULL; *len may be NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!fp)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? 2 * cap : 8192;
			buf = xrealloc(buf, cap + 1);
		}
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (!got)
			break;
	}
	fclose(fp);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

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

static void spew(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");

	if (!fp) {
		printf("Bail out! cannot write %s\n", path);
		exit(99);
	}
	fputs(text, fp);
	fclose(fp);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Entries of dir (".", ".." excluded); -1 if it cannot be read. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* True when dir holds a leftover temporary file. */
static bool has_temp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".tmp."))
			found = true;
	closedir(d);
	return found;
}

static void rm_rf(const char *path)
{
	char *cmd = xasprintf("rm -rf '%s'", path);
	if (system(cmd) != 0)
		diag("could not remove %s", path);
	free(cmd);
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
	is_int(count_entries(idir), 3, "two downloads and ca.pem, no temporary files");
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

	/* the download is itself ca.pem: the extract goes beside it */
	instance_init(&in, "selfpem", "crs-2");
	size_t jlen;
	char *junk = fixture("junk.pem", &jlen);
	rc = download_save_ex(&in, dir, "ca.pem", NULL, (unsigned char *)junk, jlen, &res, &err);
	is_int(rc, 0, "download named ca.pem");
	char *self = path_join(dir, "selfpem/ca.pem");
	got = slurp(self, &got_len);
	ok(got && got_len == jlen && memcmp(got, junk, jlen) == 0, "ca.pem is the provider's file, unchanged");
	free(got);
	char *extracted = path_join(dir, "selfpem/" DOWNLOAD_CA_PEM_ALT);
	is_str(res.ca_pem_path, extracted, "extract named ca-extracted.pem");
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

	/* not a certificate file: saved anyway, the caller told so */
	size_t glen;
	char *garbage = fixture("garbage.bin", &glen);
	rc = download_save_ex(&in, dir, "blob.bin", NULL, (unsigned char *)garbage, glen, &res, &err);
	is_int(rc, 0, "garbage is saved");
	is_int((long long)res.n_certs, 0, "result: no certificate");
	is_str(res.note, "not a zip, PEM or DER certificate file", "result: why");
	ok(res.ca_pem_path == NULL, "result: no extract");
	is_int((long long)in.st.n_ca_certs, 0, "certificates emptied");
	char *blob = path_join(dir, "selfpem/blob.bin");
	ok(exists(blob), "garbage file exists");
	free(blob);
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
	is_int(count_entries(pdir), 2, "pair: no temporary files");
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

/* ---- state file ---------------------------------------------------------------- */

static void fleet_init(struct fleet *f, size_t n, const char *const *names, const char *const *ids)
{
	memset(f, 0, sizeof(*f));
	f->instances = xcalloc(n, sizeof(*f->instances));
	f->n_instances = n;
	for (size_t i = 0; i < n; i++) {
		instance_init(&f->instances[i], names[i], ids[i]);
		f->instances[i].index = i;
	}
}

static void set_cert(struct cert_summary *c, const char *subject, time_t nb, time_t na, char fill)
{
	c->subject = xstrdup(subject);
	c->issuer = xasprintf("CN=Issuer of %s", subject);
	c->not_before = nb;
	c->not_after = na;
	memset(c->sha256, fill, 64);
	c->sha256[64] = '\0';
}

static void check_env_path(const char *xdg, const char *home, const char *want, const char *label)
{
	if (xdg)
		setenv("XDG_STATE_HOME", xdg, 1);
	else
		unsetenv("XDG_STATE_HOME");
	setenv("HOME", home, 1);
	char *p = statefile_path();
	is_str(p, want, label);
	free(p);
}

static void test_statefile(void)
{
	char *saved_xdg = getenv("XDG_STATE_HOME") ? xstrdup(getenv("XDG_STATE_HOME")) : NULL;
	char *saved_home = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;

	check_env_path("/x/state", "/home/u", "/x/state/tlsfleet/state.json", "XDG_STATE_HOME used");
	check_env_path("relative", "/home/u", "/home/u/.local/state/tlsfleet/state.json",
	               "relative XDG_STATE_HOME ignored");
	check_env_path("", "/home/u", "/home/u/.local/state/tlsfleet/state.json", "empty XDG_STATE_HOME ignored");
	check_env_path(NULL, "/home/v", "/home/v/.local/state/tlsfleet/state.json", "HOME fallback");
	if (saved_xdg)
		setenv("XDG_STATE_HOME", saved_xdg, 1);
	else
		unsetenv("XDG_STATE_HOME");
	if (saved_home)
		setenv("HOME", saved_home, 1);
	free(saved_xdg);
	free(saved_home);

	static const char *const names[] = {"orders-cache", "idle", "orders-db"};
	static const char *const ids[] = {"crs-2btr9ryn", "crs-idle", "postgres-hf8jo5pr"};
	struct fleet f;
	char *err = NULL;
	char *sdir = path_join(tmp, "state/tlsfleet");
	char *path = path_join(sdir, "state.json");
	struct stat st;

	fleet_init(&f, 3, names, ids);
	struct instance *a = &f.instances[0], *c = &f.instances[2];
	a->st.ca_certs = xcalloc(2, sizeof(*a->st.ca_certs));
	a->st.n_ca_certs = 2;
	set_cert(&a->st.ca_certs[0], "CN=A1,O=\xe8\x85\xbe\xe8\xae\xaf", 1735689600, 2366841600, 'a');
	set_cert(&a->st.ca_certs[1], "CN=A2\\, Inc.", 1582934400, 2529619199, 'b');
	a->st.ca_certs_from = xstrdup("https://h.example/a.zip?sign=SECRETSIG");
	a->st.download = xcalloc(1, sizeof(*a->st.download));
	a->st.download->path = xstrdup("/tmp/certs/orders-cache/a.zip");
	a->st.download->size = 924;
	memset(a->st.download->sha256, 'c', 64);
	a->st.download->at = 1767225600;
	c->st.ca_certs = xcalloc(1, sizeof(*c->st.ca_certs));
	c->st.n_ca_certs = 1;
	set_cert(&c->st.ca_certs[0], "CN=C", TIME_NONE, 2000000000, 'd');
	c->st.ca_certs_from = xstrdup("https://h.example/c.zip");

	is_int(statefile_save(&f, path, &err), 0, "state saved");
	if (err)
		diag("%s", err);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "state file is 0600");
	ok(stat(sdir, &st) == 0 && (st.st_mode & 07777) == 0700, "state directory created 0700");
	ok(!has_temp(sdir), "no temporary file beside the state file");
	char *text = slurp(path, NULL);
	ok(text && !strstr(text, "SECRETSIG") && !strstr(text, "?"), "no query string stored");
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	free(text);
	is_int(cJSON_GetObjectItemCaseSensitive(j, "version") ?
	       (long long)cJSON_GetObjectItemCaseSensitive(j, "version")->valuedouble : -1, 1, "version 1");
	cJSON *insts = cJSON_GetObjectItemCaseSensitive(j, "instances");
	is_int(cJSON_GetArraySize(insts), 2, "two instances with something to keep");
	ok(!cJSON_GetObjectItemCaseSensitive(insts, "idle"), "instance with nothing known is left out");
	cJSON *ea = cJSON_GetObjectItemCaseSensitive(insts, "orders-cache");
	cJSON *ec0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ea, "ca_certs"), 0);
	is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ea, "instance_id")), "crs-2btr9ryn",
	       "instance_id stored");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ec0, "not_after")), "2045-01-01T00:00:00Z",
	       "times as ISO UTC");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	       cJSON_GetObjectItemCaseSensitive(ea, "download"), "at")), "2026-01-01T00:00:00Z", "download time ISO");
	cJSON_Delete(j);

	/* round trip */
	struct fleet g;
	fleet_init(&g, 3, names, ids);
	is_int(statefile_load(&g, path, &err), 0, "state loaded");
	struct instance *ga = &g.instances[0], *gb = &g.instances[1], *gc = &g.instances[2];
	is_int((long long)ga->st.n_ca_certs, 2, "A: two certificates");
	if (ga->st.n_ca_certs == 2) {
		for (int i = 0; i < 2; i++) {
			is_str(ga->st.ca_certs[i].subject, a->st.ca_certs[i].subject, "A: subject");
			is_str(ga->st.ca_certs[i].issuer, a->st.ca_certs[i].issuer, "A: issuer");
			is_int(ga->st.ca_certs[i].not_before, a->st.ca_certs[i].not_before, "A: notBefore");
			is_int(ga->st.ca_certs[i].not_after, a->st.ca_certs[i].not_after, "A: notAfter");
			is_str(ga->st.ca_certs[i].sha256, a->st.ca_certs[i].sha256, "A: sha256");
		}
	}
	is_str(ga->st.ca_certs_from, "https://h.example/a.zip", "A: URL without query");
	ok(ga->st.download != NULL, "A: download loaded");
	if (ga->st.download) {
		is_str(ga->st.download->path, a->st.download->path, "A: download path");
		is_int(ga->st.download->size, 924, "A: download size");
		is_str(ga->st.download->sha256, a->st.download->sha256, "A: download sha256");
		is_int(ga->st.download->at, 1767225600, "A: download time");
	}
	ok(gb->st.n_ca_certs == 0 && !gb->st.download && !gb->st.ca_certs_from, "B: nothing");
	is_int((long long)gc->st.n_ca_certs, 1, "C: one certificate");
	if (gc->st.n_ca_certs == 1)
		ok(gc->st.ca_certs[0].not_before == TIME_NONE, "C: unknown notBefore stays unknown");
	ok(gc->st.download == NULL, "C: no download");
	fleet_free(&g);

	/* replaced instance: same name, another id, inherits nothing */
	static const char *const ids2[] = {"crs-NEW", "crs-idle", "postgres-hf8jo5pr"};
	fleet_init(&g, 3, names, ids2);
	is_int(statefile_load(&g, path, &err), 0, "state loaded with a changed id");
	ok(g.instances[0].st.n_ca_certs == 0 && !g.instances[0].st.download &&
	   !g.instances[0].st.ca_certs_from, "instance with another id inherits nothing");
	is_int((long long)g.instances[2].st.n_ca_certs, 1, "the unchanged one still loads");
	fleet_free(&g);

	/* a fleet of another config keeps the first one's entries */
	static const char *const other[] = {"other-db"};
	static const char *const other_ids[] = {"pg-9"};
	fleet_init(&g, 1, other, other_ids);
	g.instances[0].st.ca_certs_from = xstrdup("https://h.example/o.zip");
	is_int(statefile_save(&g, path, &err), 0, "saved by another fleet");
	fleet_free(&g);
	fleet_init(&g, 3, names, ids);
	is_int(statefile_load(&g, path, &err), 0, "reloaded");
	is_int((long long)g.instances[0].st.n_ca_certs, 2, "entries of other instances carried over");
	fleet_free(&g);
	text = slurp(path, NULL);
	ok(text && strstr(text, "\"other-db\""), "the other fleet's entry is there too");
	free(text);

	/* missing, corrupt, wrong version, damaged entry */
	char *missing = path_join(tmp, "nope/state.json");
	fleet_init(&g, 3, names, ids);
	is_int(statefile_load(&g, missing, &err), 0, "missing file is not an error");
	ok(err == NULL, "no message for a missing file");
	fleet_free(&g);
	free(missing);

	char *bad = path_join(tmp, "corrupt.json");
	spew(bad, "{\"version\": 1, \"instances\": {");
	fleet_init(&g, 3, names, ids);
	is_int(statefile_load(&g, bad, &err), -1, "corrupt file reported");
	ok(err && strstr(err, bad) && strstr(err, "not valid JSON"), "message: %s", err ? err : "");
	free(err);
	err = NULL;
	fleet_free(&g);

	spew(bad, "{\"version\": 2, \"instances\": {}}");
	fleet_init(&g, 3, names, ids);
	is_int(statefile_load(&g, bad, &err), -1, "unknown version reported");
	ok(err && strstr(err, "version"), "message: %s", err ? err : "");
	free(err);
	err = NULL;
	fleet_free(&g);

	spew(bad, "[1, 2]");
	fleet_init(&g, 3, names, ids);
	is_int(statefile_load(&g, bad, &err), -1, "JSON that is not a state file reported");
	free(err);
	err = NULL;
	fleet_free(&g);

	/* Found by fuzzing (tests/fuzz/corpus/statefile): a download size no
	 * long long holds was converted anyway (undefined; it came back as a
	 * negative size the next load refused). */
	spew(bad, "{\"version\": 1, \"instances\": {\"orders-cache\": {\"instance_id\": \"crs-2btr9ryn\","
	          " \"download\": {\"path\": \"/p\", \"size\": 1e300, \"at\": null, \"sha256\":"
	          " \"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\"}}}}");
	fleet_init(&g, 3, names, ids);
	is_int(statefile_load(&g, bad, &err), -1, "download size past 2^53 is a damaged entry");
	ok(g.instances[0].st.download == NULL, "and is not taken in");
	free(err);
	err = NULL;
	fleet_free(&g);

	spew(bad, "{\"version\": 1, \"instances\": {"
	          "\"orders-cache\": {\"instance_id\": \"crs-2btr9ryn\", \"ca_certs\": "
	          "[{\"subject\": \"CN=x\", \"issuer\": \"CN=x\", \"not_after\": \"2030-01-01T00:00:00Z\","
	          " \"sha256\": \"NOTHEX\"}]},"
	          "\"orders-db\": {\"instance_id\": \"postgres-hf8jo5pr\", \"ca_certs_from\": \"https://h/c.zip\","
	          " \"ca_certs\": [{\"subject\": \"CN=c\", \"issuer\": \"CN=c\", \"not_before\": null,"
	          " \"not_after\": \"2030-01-01T00:00:00Z\", \"sha256\": "
	          "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}], \"download\": null}}}");
	fleet_init(&g, 3, names, ids);
	is_int(statefile_load(&g, bad, &err), -1, "damaged entry reported");
	ok(err && strstr(err, "orders-cache"), "message names the instance: %s", err ? err : "");
	free(err);
	err = NULL;
	ok(g.instances[0].st.n_ca_certs == 0, "damaged entry not loaded");
	is_int((long long)g.instances[2].st.n_ca_certs, 1, "good entry beside it loaded");
	if (g.instances[2].st.n_ca_certs == 1)
		is_int(g.instances[2].st.ca_certs[0].not_after, 1893456000, "its notAfter parsed");
	fleet_free(&g);
	free(bad);

	/* many instances, in different orders on save and on load */
	enum { MANY = 5000 };
	char **mnames = xcalloc(MANY, sizeof(*mnames));
	for (size_t i = 0; i < MANY; i++)
		mnames[i] = xasprintf("inst-%05zu", (i * 7919) % MANY);
	fleet_init(&g, MANY, (const char *const *)mnames, (const char *const *)mnames);
	for (size_t i = 0; i < MANY; i++)
		g.instances[i].st.ca_certs_from = xasprintf("https://h.example/%s.zip", mnames[i]);
	char *mpath = path_join(tmp, "many/state.json");
	is_int(statefile_save(&g, mpath, &err), 0, "state of many instances saved");
	fleet_free(&g);
	for (size_t i = 0; i < MANY; i++) {
		free(mnames[i]);
		mnames[i] = xasprintf("inst-%05zu", MANY - 1 - i);
	}
	fleet_init(&g, MANY, (const char *const *)mnames, (const char *const *)mnames);
	is_int(statefile_load(&g, mpath, &err), 0, "state of many instances loaded");
	size_t right = 0;
	for (size_t i = 0; i < MANY; i++) {
		char *want = xasprintf("https://h.example/%s.zip", mnames[i]);
		if (g.instances[i].st.ca_certs_from && strcmp(g.instances[i].st.ca_certs_from, want) == 0)
			right++;
		free(want);
	}
	is_int((long long)right, MANY, "every instance got its own entry");
	fleet_free(&g);
	for (size_t i = 0; i < MANY; i++)
		free(mnames[i]);
	free(mnames);
	free(mpath);

	is_int(statefile_save(&f, NULL, &err), -1, "save without a path refused");
	free(err);
	fleet_free(&f);
	free(path);
	free(sdir);
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
	test_statefile();

	if (!getenv("TLSFLEET_KEEP_TMP"))
		rm_rf(tmp);
	free(tmp);
	return done_testing();
}
