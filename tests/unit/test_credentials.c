/* credentials: each provider x each source (inline, environment, credential
 * files), their order, profile selection, tokens, the errors, and that no
 * message ever holds a secret. HOME points at a private temporary directory
 * where the test installs the fixture files of tests/data/credentials/.
 * Every fake secret in the fixtures contains "SECRET". */
#include "tap.h"
#include "config/credentials.h"
#include "fixtures.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir;
static char *home;

static const char *const env_vars[] = {
	"TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN",
	"TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_CREDENTIALS_FILE", "TENCENTCLOUD_TOKEN", "HUAWEICLOUD_SDK_AK",
	"HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN", "HUAWEICLOUD_SDK_PROJECT_ID",
	"HUAWEICLOUD_SDK_CREDENTIALS_FILE", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
	"ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CREDENTIALS_FILE",
};

static void clear_env(void)
{
	for (size_t i = 0; i < sizeof(env_vars) / sizeof(env_vars[0]); i++)
		unsetenv(env_vars[i]);
}

static int rm_entry(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(p);
}

/* An empty home directory for the next case. */
static void fresh_home(void)
{
	nftw(home, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	mkdir(home, 0700);
	clear_env();
}

static void mkdirs_for(const char *path)
{
	char *dir = xstrdup(path);

	for (char *p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	}
	free(dir);
}

/* Writes text to HOME/rel (mode 0600); returns the absolute path. */
static char *put(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", home, rel);
	int fd;

	mkdirs_for(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		printf("Bail out! cannot write %s\n", path);
		exit(99);
	}
	close(fd);
	return path;
}

/* Installs tests/data/credentials/<fixture> as HOME/rel. */
static char *install(const char *fixture, const char *rel)
{
	char *name = xasprintf("data/credentials/%s", fixture);
	char *text = fixture_read(name, NULL);
	char *path = put(rel, text);

	free(text);
	free(name);
	return path;
}

static struct account new_account(enum provider_kind p, const char *profile)
{
	struct account a;

	memset(&a, 0, sizeof(a));
	a.name = xstrdup("acc");
	a.provider = p;
	a.profile = xstrdup(profile);
	return a;
}

static void account_free(struct account *a)
{
	account_free_fields(a);
}

/* credentials_resolve(), checking every error for leaked secrets. */
static int resolve(struct account *a, char **err, const char *name)
{
	int r = credentials_resolve(a, err);

	if (*err)
		ok(!strstr(*err, "SECRET") && !strstr(*err, "sekrit"), "%s: no secret in the message", name);
	ok(r == 0 ? *err == NULL : *err != NULL, "%s: error set exactly on failure", name);
	return r;
}

/* Resolves and compares everything; source NULL = expect an error. */
static void expect(struct account *a, const char *source, const char *id, const char *secret,
                   const char *token, const char *name)
{
	char *err = NULL;
	int r = resolve(a, &err, name);

	if (!ok(r == 0, "%s: resolves", name))
		diag("error: %s", err ? err : "(none)");
	const char *what[4] = {"source", "id", "secret", "token"};
	const char *got[4] = {a->credential_source, a->cred.id, a->cred.secret, a->cred.token};
	const char *want[4] = {source, id, secret, token};
	for (int i = 0; i < 4; i++) {
		char *label = xasprintf("%s: %s", name, what[i]);
		is_str(got[i], want[i], label);
		free(label);
	}
	free(err);
}

static void expect_err(struct account *a, const char *want, const char *name)
{
	char *err = NULL;
	int r = resolve(a, &err, name);

	ok(r == -1, "%s: fails", name);
	is_str(err, want, name);
	ok(a->cred.id == NULL && a->cred.secret == NULL, "%s: no keys left behind", name);
	free(err);
}

static char *file_source(const char *path, const char *section)
{
	return xasprintf("file:%s[%s]", path, section);
}

static void test_tencent(void)
{
	struct account a;
	char *path, *src, *want;

	fresh_home();
	a = new_account(PROVIDER_TENCENT, NULL);
	expect(&a, "none", NULL, NULL, NULL, "tencent: nothing anywhere is none");
	account_free(&a);

	setenv("TENCENTCLOUD_SECRET_ID", "tc-env-id", 1);
	setenv("TENCENTCLOUD_SECRET_KEY", "tc-env-SECRET", 1);
	a = new_account(PROVIDER_TENCENT, NULL);
	expect(&a, "env", "tc-env-id", "tc-env-SECRET", NULL, "tencent: environment");
	account_free(&a);
	setenv("TENCENTCLOUD_SECURITY_TOKEN", "tc-env-SECRET-sec", 1);
	a = new_account(PROVIDER_TENCENT, NULL);
	expect(&a, "env", "tc-env-id", "tc-env-SECRET", "tc-env-SECRET-sec", "tencent: TENCENTCLOUD_SECURITY_TOKEN");
	account_free(&a);
	setenv("TENCENTCLOUD_SESSION_TOKEN", "tc-env-SECRET-session", 1);
	a = new_account(PROVIDER_TENCENT, NULL);
	expect(&a, "env", "tc-env-id", "tc-env-SECRET", "tc-env-SECRET-session",
	       "tencent: TENCENTCLOUD_SESSION_TOKEN wins over _SECURITY_TOKEN");
	account_free(&a);

	/* inline beats the environment and is kept as it is */
	a = new_account(PROVIDER_TENCENT, NULL);
	a.cred.id = xstrdup("tc-inline-id");
	a.cred.secret = xstrdup("tc-inline-SECRET");
	expect(&a, "inline", "tc-inline-id", "tc-inline-SECRET", NULL, "tencent: inline first");
	account_free(&a);

	/* the environment beats the file for an account without profile */
	path = install("tencent.ini", ".tencentcloud/credentials");
	a = new_account(PROVIDER_TENCENT, NULL);
	expect(&a, "env", "tc-env-id", "tc-env-SECRET", "tc-env-SECRET-session", "tencent: env before file");
	account_free(&a);

	/* half a pair in the environment is not a credential */
	clear_env();
	setenv("TENCENTCLOUD_SECRET_ID", "tc-env-id", 1);
	a = new_account(PROVIDER_TENCENT, NULL);
	src = file_source(path, "default");
	expect(&a, src, "tc-file-id", "tc-file-SECRET-key", NULL, "tencent: half env pair falls through to [default]");
	account_free(&a);
	free(src);

	/* a profile skips the environment */
	setenv("TENCENTCLOUD_SECRET_KEY", "tc-env-SECRET", 1);
	a = new_account(PROVIDER_TENCENT, "prod");
	src = file_source(path, "prod");
	expect(&a, src, "tc-prod-id", "tc-prod-SECRET-key", "tc-prod-SECRET-token",
	       "tencent: profile [prod], inline comment, quotes, key case");
	account_free(&a);
	free(src);
	a = new_account(PROVIDER_TENCENT, "spaced");
	src = file_source(path, "spaced");
	expect(&a, src, "tc-spaced-id", "tc-spaced-SECRET-key", NULL, "tencent: [ spaced ] and ':' separators");
	account_free(&a);
	free(src);

	a = new_account(PROVIDER_TENCENT, "nope");
	want = xasprintf("profile 'nope' not found in %s", path);
	expect_err(&a, want, "tencent: missing profile");
	is_str(a.credential_source, "none", "tencent: missing profile leaves source none");
	account_free(&a);
	free(want);
	a = new_account(PROVIDER_TENCENT, "nokeys");
	want = xasprintf("profile 'nokeys' not found in %s", path);
	expect_err(&a, want, "tencent: a profile without keys is not found");
	account_free(&a);
	free(want);

	/* TENCENTCLOUD_CREDENTIALS_FILE replaces the default path */
	clear_env();
	char *alt = install("tencent.ini", "elsewhere/tc.ini");
	setenv("TENCENTCLOUD_CREDENTIALS_FILE", alt, 1);
	remove(path);
	a = new_account(PROVIDER_TENCENT, NULL);
	src = file_source(alt, "default");
	expect(&a, src, "tc-file-id", "tc-file-SECRET-key", NULL, "tencent: TENCENTCLOUD_CREDENTIALS_FILE");
	account_free(&a);
	free(src);
	setenv("TENCENTCLOUD_CREDENTIALS_FILE", "~/elsewhere/tc.ini", 1);
	a = new_account(PROVIDER_TENCENT, "prod");
	src = file_source(alt, "prod");
	expect(&a, src, "tc-prod-id", "tc-prod-SECRET-key", "tc-prod-SECRET-token",
	       "tencent: ~ in TENCENTCLOUD_CREDENTIALS_FILE");
	account_free(&a);
	free(src);
	free(alt);
	unsetenv("TENCENTCLOUD_CREDENTIALS_FILE");

	a = new_account(PROVIDER_TENCENT, "prod");
	want = xasprintf("profile 'prod' not found: %s does not exist", path);
	expect_err(&a, want, "tencent: profile but no file");
	account_free(&a);
	free(want);
	free(path);
}

static void test_ini_format(void)
{
	struct account a;
	char *path, *src, *want;

	fresh_home();
	path = put(".tencentcloud/credentials",
	           "\xef\xbb\xbf# BOM, CRLF, tabs\r\n\r\n[other]\r\nsecret_id = o\r\nsecret_key = o-SECRET\r\n"
	           "[default]\r\n\tsecret_id\t=\ttc-crlf-id\r\n  secret_key = tc-crlf-SECRET # comment\r\n"
	           "token = 'tc-crlf-SECRET-token'\r\n");
	a = new_account(PROVIDER_TENCENT, NULL);
	src = file_source(path, "default");
	expect(&a, src, "tc-crlf-id", "tc-crlf-SECRET", "tc-crlf-SECRET-token", "ini: BOM, CRLF, tabs, comments, quotes");
	account_free(&a);
	free(src);
	free(path);

	path = put(".tencentcloud/credentials", "[default]\nsecret_id = first\nsecret_key = x-SECRET\n"
	           "[default]\nsecret_id = second\n");
	a = new_account(PROVIDER_TENCENT, NULL);
	src = file_source(path, "default");
	expect(&a, src, "second", "x-SECRET", NULL, "ini: repeated section merges, last key wins");
	account_free(&a);
	free(src);
	free(path);

	path = put(".tencentcloud/credentials", "[other]\nsecret_id = o\nsecret_key = o-SECRET\n");
	a = new_account(PROVIDER_TENCENT, NULL);
	expect(&a, "none", NULL, NULL, NULL, "ini: no [default] and no profile is none");
	account_free(&a);
	free(path);

	path = install("garbage.ini", ".tencentcloud/credentials");
	a = new_account(PROVIDER_TENCENT, NULL);
	want = xasprintf("%s:3: expected \"[section]\" or \"key = value\"", path);
	expect_err(&a, want, "ini: garbage line names file and line");
	account_free(&a);
	free(want);
	free(path);

	path = install("badheader.ini", ".tencentcloud/credentials");
	a = new_account(PROVIDER_TENCENT, NULL);
	want = xasprintf("%s:2: a section header must look like \"[name]\"", path);
	expect_err(&a, want, "ini: unclosed section header");
	account_free(&a);
	free(want);
	free(path);

	path = install("half.ini", ".tencentcloud/credentials");
	a = new_account(PROVIDER_TENCENT, NULL);
	want = xasprintf("%s:2: [default] has 'secret_key' but no 'secret_id'", path);
	expect_err(&a, want, "ini: half a key pair");
	account_free(&a);
	free(want);
	free(path);

	path = put(".tencentcloud/credentials", "[default]\nsecret_id = a\x01z\nsecret_key = b-SECRET\n");
	a = new_account(PROVIDER_TENCENT, NULL);
	want = xasprintf("%s:2: 'secret_id' contains a control character", path);
	expect_err(&a, want, "ini: control character in a value");
	account_free(&a);
	free(want);
	free(path);

	/* a directory where the file should be */
	path = xasprintf("%s/.tencentcloud/credentials", home);
	remove(path);
	mkdir(path, 0700);
	a = new_account(PROVIDER_TENCENT, NULL);
	want = xasprintf("%s: not a regular file", path);
	expect_err(&a, want, "ini: not a regular file");
	account_free(&a);
	free(want);
	rmdir(path);

	if (geteuid() != 0) {
		char *p2 = put(".tencentcloud/credentials", "[default]\nsecret_id = a\nsecret_key = b-SECRET\n");
		chmod(p2, 0);
		a = new_account(PROVIDER_TENCENT, NULL);
		want = xasprintf("%s: cannot read: %s", p2, strerror(EACCES));
		expect_err(&a, want, "ini: unreadable file");
		account_free(&a);
		free(want);
		free(p2);
	} else {
		ok(1, "# SKIP unreadable-file case: running as root");
	}
	free(path);
}

static void test_huawei(void)
{
	struct account a;
	char *path, *src, *want;

	fresh_home();
	a = new_account(PROVIDER_HUAWEI, NULL);
	expect(&a, "none", NULL, NULL, NULL, "huawei: none");
	is_str(a.project_id, NULL, "huawei: none leaves project_id");
	account_free(&a);

	setenv("HUAWEICLOUD_SDK_AK", "hw-env-ak", 1);
	setenv("HUAWEICLOUD_SDK_SK", "hw-env-SECRET", 1);
	setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", "hw-env-SECRET-token", 1);
	setenv("HUAWEICLOUD_SDK_PROJECT_ID", "hwenvproject", 1);
	a = new_account(PROVIDER_HUAWEI, NULL);
	expect(&a, "env", "hw-env-ak", "hw-env-SECRET", "hw-env-SECRET-token", "huawei: environment");
	is_str(a.cred.project_id, "hwenvproject", "huawei: project_id from the environment");
	is_str(a.project_id, "hwenvproject", "huawei: account takes the environment's project_id");
	account_free(&a);
	a = new_account(PROVIDER_HUAWEI, NULL);
	a.project_id = xstrdup("configproject");
	expect(&a, "env", "hw-env-ak", "hw-env-SECRET", "hw-env-SECRET-token", "huawei: env with account project_id");
	is_str(a.project_id, "configproject", "huawei: the account's own project_id wins");
	account_free(&a);

	path = install("huawei.ini", ".huaweicloud/credentials");
	clear_env();
	a = new_account(PROVIDER_HUAWEI, NULL);
	src = file_source(path, "basic");
	expect(&a, src, "hw-file-ak", "hw-file-SECRET-sk", NULL, "huawei: file [basic]");
	is_str(a.project_id, "hwfileproject", "huawei: project_id from the file");
	account_free(&a);
	free(src);

	setenv("HUAWEICLOUD_SDK_AK", "hw-env-ak", 1);
	setenv("HUAWEICLOUD_SDK_SK", "hw-env-SECRET", 1);
	a = new_account(PROVIDER_HUAWEI, "otc");
	src = file_source(path, "otc");
	expect(&a, src, "otc-ak", "otc-SECRET-sk", "otc-SECRET-token", "huawei: profile [otc] skips the environment");
	is_str(a.project_id, "otcproject", "huawei: the profile's project_id");
	account_free(&a);
	free(src);
	a = new_account(PROVIDER_HUAWEI, NULL);
	expect(&a, "env", "hw-env-ak", "hw-env-SECRET", NULL, "huawei: env before [basic]");
	is_str(a.project_id, NULL, "huawei: no project_id in the environment, none taken from the file");
	account_free(&a);

	clear_env();
	char *alt = install("huawei.ini", "x/hw.ini");
	setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", alt, 1);
	remove(path);
	a = new_account(PROVIDER_HUAWEI, "global");
	src = file_source(alt, "global");
	expect(&a, src, "global-ak", "global-SECRET-sk", NULL, "huawei: HUAWEICLOUD_SDK_CREDENTIALS_FILE");
	account_free(&a);
	free(src);
	a = new_account(PROVIDER_HUAWEI, "eu");
	want = xasprintf("profile 'eu' not found in %s", alt);
	expect_err(&a, want, "huawei: missing profile");
	account_free(&a);
	free(want);
	free(alt);
	free(path);

	setenv("HUAWEICLOUD_SDK_AK", "hw-env-ak", 1);
	setenv("HUAWEICLOUD_SDK_SK", "hw-env-SECRET\n", 1);
	a = new_account(PROVIDER_HUAWEI, NULL);
	expect_err(&a, "HUAWEICLOUD_SDK_SK contains a control character", "huawei: control character in the environment");
	account_free(&a);
}

static void test_alibaba(void)
{
	struct account a;
	char *json, *ini, *src, *want;

	fresh_home();
	a = new_account(PROVIDER_ALIBABA, NULL);
	expect(&a, "none", NULL, NULL, NULL, "alibaba: none");
	account_free(&a);

	setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "ali-env-id", 1);
	setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ali-env-SECRET", 1);
	setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "ali-env-SECRET-token", 1);
	json = install("aliyun-config.json", ".aliyun/config.json");
	ini = install("alibaba.ini", ".alibabacloud/credentials");
	a = new_account(PROVIDER_ALIBABA, NULL);
	expect(&a, "env", "ali-env-id", "ali-env-SECRET", "ali-env-SECRET-token", "alibaba: environment first");
	account_free(&a);
	clear_env();

	a = new_account(PROVIDER_ALIBABA, NULL);
	src = file_source(json, "default");
	expect(&a, src, "ali-json-id", "ali-json-SECRET", NULL, "alibaba: config.json's current profile");
	account_free(&a);
	free(src);

	setenv("ALIBABA_CLOUD_PROFILE", "sts", 1);
	a = new_account(PROVIDER_ALIBABA, NULL);
	src = file_source(json, "sts");
	expect(&a, src, "STS.ali-sts-id", "ali-sts-SECRET", "ali-sts-SECRET-token",
	       "alibaba: ALIBABA_CLOUD_PROFILE picks a StsToken profile");
	account_free(&a);
	free(src);
	a = new_account(PROVIDER_ALIBABA, "legacy");
	src = file_source(json, "legacy");
	expect(&a, src, "ali-legacy-id", "ali-legacy-SECRET", NULL,
	       "alibaba: account profile beats ALIBABA_CLOUD_PROFILE; no mode means AK");
	account_free(&a);
	free(src);
	setenv("ALIBABA_CLOUD_PROFILE", "client1", 1);
	a = new_account(PROVIDER_ALIBABA, NULL);
	src = file_source(ini, "client1");
	expect(&a, src, "ali-c1-id", "ali-c1-SECRET", "ali-c1-SECRET-token",
	       "alibaba: profile not in config.json comes from the INI (type sts)");
	account_free(&a);
	free(src);
	setenv("ALIBABA_CLOUD_PROFILE", "ghost", 1);
	a = new_account(PROVIDER_ALIBABA, NULL);
	want = xasprintf("profile 'ghost' (from ALIBABA_CLOUD_PROFILE) not found in %s or %s", json, ini);
	expect_err(&a, want, "alibaba: ALIBABA_CLOUD_PROFILE names nothing");
	account_free(&a);
	free(want);
	unsetenv("ALIBABA_CLOUD_PROFILE");

	a = new_account(PROVIDER_ALIBABA, "ghost");
	want = xasprintf("profile 'ghost' not found in %s or %s", json, ini);
	expect_err(&a, want, "alibaba: missing profile");
	account_free(&a);
	free(want);

	/* aliyun CLI role profiles turn the account into a role one */
	a = new_account(PROVIDER_ALIBABA, "role");
	expect(&a, "instance_role:tlsfleet-reader", NULL, NULL, NULL, "alibaba: EcsRamRole profile");
	ok(a.auth == AUTH_INSTANCE_ROLE && a.role_name && strcmp(a.role_name, "tlsfleet-reader") == 0,
	   "alibaba: EcsRamRole is instance_role with ram_role_name");
	account_free(&a);
	/* auth = assume_role wants keys to sign with; an EcsRamRole profile
	 * has none (this crashed the AssumeRole signer) */
	a = new_account(PROVIDER_ALIBABA, "role");
	a.auth = AUTH_ASSUME_ROLE;
	want = xasprintf("%s: profile 'role' is an instance-role profile: it has no keys to sign "
	                 "AssumeRole with (auth = \"assume_role\")", json);
	expect_err(&a, want, "alibaba: assume_role with an EcsRamRole profile is refused");
	account_free(&a);
	free(want);
	char *rr = put(".aliyun/config.json", "{\"profiles\": [{\"name\": \"arn\", \"mode\": \"RamRoleArn\", "
	               "\"access_key_id\": \"ali-base-id\", \"access_key_secret\": \"ali-base-SECRET\", "
	               "\"ram_role_arn\": \"acs:ram::1:role/r\", \"ram_session_name\": \"s1\", "
	               "\"expired_seconds\": 1800}, {\"name\": \"half\", \"mode\": \"RamRoleArn\", "
	               "\"access_key_id\": \"x\", \"access_key_secret\": \"ali-half-SECRET\"}]}");
	a = new_account(PROVIDER_ALIBABA, "arn");
	expect(&a, "assume_role:acs:ram::1:role/r", NULL, NULL, NULL, "alibaba: RamRoleArn profile");
	ok(a.auth == AUTH_ASSUME_ROLE && a.base.id && strcmp(a.base.id, "ali-base-id") == 0 &&
	   a.base.secret && strcmp(a.base.secret, "ali-base-SECRET") == 0, "alibaba: RamRoleArn base keys");
	ok(a.role_session_name && strcmp(a.role_session_name, "s1") == 0 && a.duration == 1800,
	   "alibaba: RamRoleArn session name and expired_seconds");
	account_free(&a);
	a = new_account(PROVIDER_ALIBABA, "half");
	want = xasprintf("%s: profile 'half' has mode RamRoleArn but no 'ram_role_arn'", rr);
	expect_err(&a, want, "alibaba: RamRoleArn without a role");
	account_free(&a);
	free(want);
	free(rr);
	free(json);
	json = install("aliyun-config.json", ".aliyun/config.json");

	/* an empty AK profile (as "aliyun configure" leaves) is skipped */
	a = new_account(PROVIDER_ALIBABA, "blank");
	want = xasprintf("profile 'blank' not found in %s or %s", json, ini);
	expect_err(&a, want, "alibaba: blank profile has no keys");
	account_free(&a);
	free(want);

	/* "current" naming an unusable profile: quietly on to the INI */
	char *cur = put(".aliyun/config.json", "{\"current\": \"role\", \"profiles\": [{\"name\": \"role\", "
	                "\"mode\": \"RamRoleArn\"}]}");
	a = new_account(PROVIDER_ALIBABA, NULL);
	src = file_source(ini, "default");
	expect(&a, src, "ali-ini-id", "ali-ini-SECRET", NULL, "alibaba: unusable current profile, INI [default]");
	account_free(&a);
	free(src);
	free(cur);

	remove(json);
	a = new_account(PROVIDER_ALIBABA, NULL);
	src = file_source(ini, "default");
	expect(&a, src, "ali-ini-id", "ali-ini-SECRET", NULL, "alibaba: no config.json, INI [default]");
	account_free(&a);
	free(src);
	a = new_account(PROVIDER_ALIBABA, "role");
	want = xasprintf("%s:14: [role] has type 'ecs_ram_role', which tlsfleet cannot use (only access_key or sts)", ini);
	expect_err(&a, want, "alibaba: unusable INI type named explicitly");
	account_free(&a);
	free(want);


	char *alt = install("alibaba.ini", "y/ali.ini");
	remove(ini);
	setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", alt, 1);
	a = new_account(PROVIDER_ALIBABA, "client1");
	src = file_source(alt, "client1");
	expect(&a, src, "ali-c1-id", "ali-c1-SECRET", "ali-c1-SECRET-token", "alibaba: ALIBABA_CLOUD_CREDENTIALS_FILE");
	account_free(&a);
	free(src);
	free(alt);
	unsetenv("ALIBABA_CLOUD_CREDENTIALS_FILE");

	free(json);
	json = install("broken.json", ".aliyun/config.json");
	a = new_account(PROVIDER_ALIBABA, NULL);
	want = xasprintf("%s:5: not valid JSON", json);
	expect_err(&a, want, "alibaba: broken config.json names file and line");
	account_free(&a);
	free(want);

	free(put(".aliyun/config.json", "{\"current\": \"p\", \"profiles\": [{\"name\": \"p\", \"mode\": \"StsToken\", "
	    "\"access_key_id\": \"i\", \"access_key_secret\": \"i-SECRET\"}]}"));
	a = new_account(PROVIDER_ALIBABA, NULL);
	want = xasprintf("%s: profile 'p' has mode StsToken but no 'sts_token'", json);
	expect_err(&a, want, "alibaba: StsToken without a token");
	account_free(&a);
	free(want);

	free(put(".aliyun/config.json", "{\"current\": \"p\", \"profiles\": [{\"name\": \"p\", \"access_key_id\": \"i\"}]}"));
	a = new_account(PROVIDER_ALIBABA, NULL);
	want = xasprintf("%s: profile 'p' has 'access_key_id' but no 'access_key_secret'", json);
	expect_err(&a, want, "alibaba: half a key pair in config.json");
	account_free(&a);
	free(want);

	free(put(".aliyun/config.json", "[1, 2]"));
	a = new_account(PROVIDER_ALIBABA, NULL);
	want = xasprintf("%s: not an aliyun CLI configuration (no JSON object)", json);
	expect_err(&a, want, "alibaba: JSON that is not an object");
	account_free(&a);
	free(want);
	free(json);
	free(ini);
}

static void test_free(void)
{
	struct credentials c = {xstrdup("i"), xstrdup("s-SECRET"), xstrdup("t-SECRET"), xstrdup("p")};

	credentials_free(&c);
	ok(!c.id && !c.secret && !c.token && !c.project_id, "credentials_free clears the struct");
	credentials_free(&c);
	ok(1, "credentials_free twice is harmless");
}

/* Temporary credentials: what the chain does for each auth mode, the
 * sources a NoCredentials message names, tccli's variable, and the
 * warning for a credential file others can read. */
static void test_roles(void)
{
	struct account a;
	char *path, *src, *want;

	fresh_home();
	a = new_account(PROVIDER_TENCENT, NULL);
	expect(&a, "none", NULL, NULL, NULL, "roles: none");
	want = xasprintf("inline keys (secret_id, secret_key), environment (TENCENTCLOUD_SECRET_ID, "
	                 "TENCENTCLOUD_SECRET_KEY), %s/.tencentcloud/credentials [default]", home);
	is_str(a.credentials_tried, want, "roles: NoCredentials names every source tried");
	free(want);
	account_free(&a);
	a = new_account(PROVIDER_ALIBABA, NULL);
	expect(&a, "none", NULL, NULL, NULL, "roles: alibaba none");
	want = xasprintf("inline keys (access_key_id, access_key_secret), environment "
	                 "(ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET), "
	                 "%s/.aliyun/config.json (current profile), %s/.alibabacloud/credentials [default]",
	                 home, home);
	is_str(a.credentials_tried, want, "roles: alibaba names both files");
	free(want);
	account_free(&a);

	setenv("TENCENTCLOUD_SECRET_ID", "tc-env-id", 1);
	setenv("TENCENTCLOUD_SECRET_KEY", "tc-env-SECRET", 1);
	setenv("TENCENTCLOUD_TOKEN", "tc-env-SECRET-tccli", 1);
	setenv("TENCENTCLOUD_SECURITY_TOKEN", "tc-env-SECRET-sec", 1);
	a = new_account(PROVIDER_TENCENT, NULL);
	expect(&a, "env", "tc-env-id", "tc-env-SECRET", "tc-env-SECRET-tccli",
	       "roles: TENCENTCLOUD_TOKEN (tccli) read like TENCENTCLOUD_SESSION_TOKEN");
	account_free(&a);

	/* assume_role: the chain's keys become the base keys */
	a = new_account(PROVIDER_TENCENT, NULL);
	a.auth = AUTH_ASSUME_ROLE;
	a.role_arn = xstrdup("qcs::cam::uin/1:roleName/r");
	expect(&a, "assume_role:qcs::cam::uin/1:roleName/r", NULL, NULL, NULL, "roles: assume_role");
	ok(a.base.id && strcmp(a.base.id, "tc-env-id") == 0 && a.base.token &&
	   strcmp(a.base.token, "tc-env-SECRET-tccli") == 0, "roles: assume_role base keys from the environment");
	ok(a.credentials_tried == NULL, "roles: nothing tried-list when keys were found");
	account_free(&a);
	/* instance_role: no chain at all (the environment is not read) */
	a = new_account(PROVIDER_TENCENT, NULL);
	a.auth = AUTH_INSTANCE_ROLE;
	a.role_name = xstrdup("cvm-role");
	expect(&a, "instance_role:cvm-role", NULL, NULL, NULL, "roles: instance_role");
	account_free(&a);
	clear_env();
	a = new_account(PROVIDER_TENCENT, NULL);
	a.auth = AUTH_ASSUME_ROLE;
	a.role_arn = xstrdup("qcs::cam::uin/1:roleName/r");
	expect(&a, "none", NULL, NULL, NULL, "roles: assume_role without base keys is none");
	ok(a.credentials_tried && strstr(a.credentials_tried, "TENCENTCLOUD_SECRET_ID"),
	   "roles: and names the sources tried");
	account_free(&a);

	/* a credential file others can read: used, with a warning */
	path = install("tencent.ini", ".tencentcloud/credentials");
	a = new_account(PROVIDER_TENCENT, NULL);
	src = file_source(path, "default");
	expect(&a, src, "tc-file-id", "tc-file-SECRET-key", NULL, "roles: file at 0600");
	ok(a.credential_warning == NULL, "roles: no warning at 0600");
	account_free(&a);
	chmod(path, 0640);
	a = new_account(PROVIDER_TENCENT, NULL);
	expect(&a, src, "tc-file-id", "tc-file-SECRET-key", NULL, "roles: file at 0640 still used");
	want = xasprintf("account acc: credential file %s is readable by group (mode 0640); run: chmod 600 %s",
	                 path, path);
	is_str(a.credential_warning, want, "roles: the warning names the file and chmod 600");
	free(want);
	account_free(&a);
	chmod(path, 0604);
	a = new_account(PROVIDER_TENCENT, NULL);
	expect(&a, src, "tc-file-id", "tc-file-SECRET-key", NULL, "roles: file at 0604 still used");
	ok(a.credential_warning && strstr(a.credential_warning, "readable by others (mode 0604)"),
	   "roles: others named");
	account_free(&a);
	free(src);
	free(path);
}

int main(void)
{
	char tmpl[] = "/tmp/tlsfleet-test-credentials.XXXXXX";

	if (!mkdtemp(tmpl)) {
		puts("Bail out! mkdtemp failed");
		return 99;
	}
	tmpdir = xstrdup(tmpl);
	home = xasprintf("%s/home", tmpdir);
	mkdir(home, 0700);
	setenv("HOME", home, 1);

	test_tencent();
	test_ini_format();
	test_huawei();
	test_alibaba();
	test_roles();
	test_free();

	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	free(home);
	return done_testing();
}
