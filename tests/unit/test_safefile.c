/* safefile: safe names and atomic, symlink-proof writes, in a private
 * temporary directory. Failures that need an error from the kernel (a full
 * disk) are made with RLIMIT_FSIZE in a forked child. The download step
 * built on it is tests/unit/test_download.c. */
#include "store/certinfo.h"
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

	if (!getenv("TLSFLEET_KEEP_TMP"))
		rm_rf(tmp);
	free(tmp);
	return done_testing();
}
