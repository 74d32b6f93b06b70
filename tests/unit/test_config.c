/* config: loading tlsfleet.conf(5) into a fleet. Every validation rule is
 * checked with its exact message and line; configs are written into a
 * private temporary directory (mode 0600 unless a test wants otherwise),
 * with HOME pointed there so no real credential file is ever read. */
#include "tap.h"
/* not "config.h": that name finds autoconf's header in the build directory */
#include "config/config_load.h"
#include "fixtures.h"
#include "providers/provider.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir;    /* this run's files; removed at the end */
static char *home;      /* $HOME for the run, inside tmpdir */

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* Writes text to tmpdir/name; the file never exists with a wider mode
 * than 0600 before the chmod the test asks for. New path string. */
static char *write_file(const char *name, const char *text, mode_t mode)
{
	char *path = tmp_path(name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		printf("Bail out! cannot write %s\n", path);
		exit(99);
	}
	close(fd);
	chmod(path, mode);
	return path;
}

/* Loads text as tmpdir/t.conf. Returns the error (new string) or NULL,
 * with the fleet in *f on success. */
static char *load_text(const char *text, struct fleet *f)
{
	char *path = write_file("t.conf", text, 0600);
	char *err = NULL;

	if (config_load(path, f, &err) == 0 && err)
		ok(0, "config_load returned 0 but set an error");
	free(path);
	return err;
}

/* The exact message ("t.conf:LINE: msg", LINE 0 = none) for text. */
static void expect_error(const char *text, int line, const char *msg, const char *name)
{
	struct fleet f;
	char *path = tmp_path("t.conf");
	char *want = line ? xasprintf("%s:%d: %s", path, line, msg) : xasprintf("%s: %s", path, msg);
	char *err = load_text(text, &f);

	is_str(err, want, name);
	if (!err)
		fleet_free(&f);
	else
		ok(f.n_instances == 0 && f.n_accounts == 0 && f.instances == NULL &&
		   f.settings.config_path == NULL, "%s: fleet left empty", name);
	free(err);
	free(want);
	free(path);
}

static void expect_ok(const char *text, const char *name)
{
	struct fleet f;
	char *err = load_text(text, &f);

	is_str(err, NULL, name);
	if (!err)
		fleet_free(&f);
	free(err);
}

/* Three accounts on lines 2-4, used by most instance tests (first
 * instance line: 7). */
#define ACCOUNTS \
	"accounts = (\n" \
	"  { name = \"tc\"; provider = \"tencent\"; },\n" \
	"  { name = \"hw\"; provider = \"huawei\"; project_id = \"0a1b2c3d\"; },\n" \
	"  { name = \"ali\"; provider = \"alibaba\"; }\n" \
	");\n" \
	"instances = (\n"
#define TC_INSTANCE(n) "  { name = \"" n "\"; account = \"tc\"; service = \"redis\"; region = \"ap-guangzhou\"; id = \"crs-1\"; }"

static void test_defaults(void)
{
	struct fleet f;
	char *err = load_text("# nothing but a comment\n", &f);
	char *want_dl = xasprintf("%s/tlsfleet-certs", home);
	char *want_path = tmp_path("t.conf");

	is_str(err, NULL, "empty config loads");
	is_int(f.settings.refresh_interval, 300, "default refresh_interval");
	is_int(f.settings.concurrency, 32, "default concurrency");
	ok(f.settings.timeout == 10.0, "default timeout 10.0");
	is_int(f.settings.retries, 3, "default retries");
	is_int(f.settings.warn_days, 30, "default warn_days");
	is_int(f.settings.crit_days, 7, "default crit_days");
	ok(!f.settings.require_tls, "default require_tls false");
	ok(f.settings.fetch_ca, "default fetch_ca true");
	is_str(f.settings.download_dir, want_dl, "default download_dir expanded");
	is_str(f.settings.theme, "default", "default theme");
	is_str(f.settings.ca_file, NULL, "default ca_file NULL");
	is_str(f.settings.config_path, want_path, "config_path absolute");
	is_int((long long)f.n_accounts + (long long)f.n_instances, 0, "no accounts, no instances");
	fleet_free(&f);
	free(err);

	struct settings s;
	settings_defaults(&s);
	is_str(s.download_dir, want_dl, "settings_defaults expands download_dir");
	ok(s.config_path == NULL && s.ca_file == NULL, "settings_defaults: no path, no ca_file");
	settings_free(&s);
	ok(s.download_dir == NULL && s.theme == NULL, "settings_free clears");
	free(want_dl);
	free(want_path);
}

static void test_full(void)
{
	struct fleet f;
	char *text = fixture_read("data/config/full.conf", NULL);
	char *ca = write_file("extra-ca.pem", "not checked here\n", 0644);
	char *err, *want;

	err = load_text(text, &f);
	is_str(err, NULL, "full config loads");
	if (err) {
		free(err);
		free(text);
		free(ca);
		return;
	}
	struct settings *s = &f.settings;
	is_int(s->refresh_interval, 600, "full: refresh_interval");
	is_int(s->concurrency, 64, "full: concurrency (64L, an int64)");
	ok(s->timeout == 2.5, "full: timeout 2.5");
	is_int(s->retries, 5, "full: retries");
	is_int(s->warn_days, 45, "full: warn_days");
	is_int(s->crit_days, 10, "full: crit_days");
	ok(s->require_tls, "full: require_tls");
	ok(!s->fetch_ca, "full: fetch_ca");
	want = xasprintf("%s/certs/tls", home);
	is_str(s->download_dir, want, "full: download_dir ~ expanded");
	free(want);
	is_str(s->theme, "dark", "full: theme");
	is_str(s->ca_file, ca, "full: ca_file relative to the config's directory");

	is_int((long long)f.n_accounts, 4, "full: 4 accounts");
	struct account *tc = fleet_find_account(&f, "tc-prod");
	struct account *hw = fleet_find_account(&f, "hw-eu");
	struct account *otc = fleet_find_account(&f, "otc");
	struct account *ali = fleet_find_account(&f, "ali");
	ok(tc && hw && otc && ali, "full: accounts found by name");
	if (tc && hw && otc && ali) {
		ok(tc->provider == PROVIDER_TENCENT && tc->ops == provider_for(PROVIDER_TENCENT),
		   "full: tencent provider and ops");
		is_str(tc->site, "china", "full: site");
		ok(tc->rate_limit == 10, "full: rate_limit int");
		is_str(tc->profile, NULL, "full: no profile");
		is_str(tc->cred.id, "tc-id-1", "full: inline secret_id");
		is_str(tc->cred.secret, "tc-SECRET-key-1", "full: inline secret_key");
		is_str(tc->cred.token, "tc-SECRET-token-1", "full: inline token");
		is_str(tc->credential_source, "inline", "full: tencent source inline");
		is_int(tc->line, 15, "full: account line");
		ok(hw->provider == PROVIDER_HUAWEI && hw->ops == provider_for(PROVIDER_HUAWEI),
		   "full: huawei provider");
		is_str(hw->site, NULL, "full: no site on huawei");
		is_str(hw->project_id, "0123456789abcdef0123456789abcdef", "full: project_id");
		is_str(hw->endpoint, "https://dcs.example.test:8443/base", "full: endpoint normalised");
		ok(hw->rate_limit == 20, "full: rate_limit default 20");
		is_str(hw->credential_source, "none", "full: huawei without keys: none");
		is_str(otc->profile, "otc", "full: profile");
		ok(otc->rate_limit == 0.5, "full: rate_limit decimal");
		is_str(otc->cred.id, "otc-ak", "full: inline access_key");
		is_str(otc->cred.token, NULL, "full: no security_token");
		is_str(ali->cred.id, "ali-id", "full: inline access_key_id");
		is_str(ali->cred.secret, "ali-SECRET-1", "full: inline access_key_secret");
		is_str(ali->cred.token, "ali-SECRET-sts", "full: inline security_token");
		ok(ali->rate_limit == 0, "full: rate_limit 0 = no limit");
	}

	is_int((long long)f.n_instances, 5, "full: 5 instances");
	if (f.n_instances == 5) {
		struct instance *in = f.instances;
		is_str(in[0].name, "orders-cache", "full: instance 0 name");
		ok(in[0].account == tc, "full: instance 0 account pointer");
		ok(in[0].service == SERVICE_REDIS, "full: instance 0 service");
		is_str(in[0].region, "ap-guangzhou", "full: region");
		is_str(in[0].id, "crs-2btr9ryn", "full: id");
		is_int(in[0].warn_days, -1, "full: warn_days unset = -1");
		is_int(in[0].crit_days, -1, "full: crit_days unset = -1");
		is_int(in[0].require_tls, -1, "full: require_tls unset = -1");
		is_int(in[0].line, 33, "full: instance line");
		is_int((long long)in[0].index, 0, "full: index 0");
		ok(in[0].st.state == STATE_UNKNOWN && in[0].st.last_good_at == TIME_NONE &&
		   in[0].st.latency_ms == -1, "full: status initialised");
		ok(in[1].service == SERVICE_POSTGRES, "full: postgres");
		is_int(in[1].warn_days, 60, "full: instance warn_days");
		is_int(in[1].crit_days, 0, "full: instance crit_days 0");
		is_int(in[1].require_tls, 0, "full: instance require_tls false");
		is_int((long long)in[1].index, 1, "full: index 1");
		ok(in[2].service == SERVICE_DCS && in[2].account == hw, "full: dcs on huawei");
		is_str(in[2].project_id, "fedcba9876543210fedcba9876543210", "full: instance project_id");
		is_str(in[2].endpoint, "https://dcs.eu-de.otc.t-systems.com", "full: instance endpoint");
		is_int(in[2].require_tls, 1, "full: instance require_tls true");
		ok(in[3].account == otc && in[4].account == ali, "full: otc and alibaba instances");
		is_int(instance_warn_days(&f, &in[0]), 45, "full: effective warn_days from global");
		is_int(instance_warn_days(&f, &in[1]), 60, "full: effective warn_days from instance");
	}
	fleet_free(&f);
	free(text);
	free(ca);
}

static void test_syntax_and_files(void)
{
	struct fleet f;
	char *err = NULL;
	char *missing = tmp_path("does-not-exist.conf");
	char *want = xasprintf("%s: cannot read: No such file or directory", missing);

	expect_error("timeout = 10;\nretries = ;\n", 2, "syntax error", "syntax error: libconfig's line");
	expect_error("timeout = 1;\n\ntimeout = 2;\n", 3, "duplicate setting name", "duplicate setting");
	ok(config_load(missing, &f, &err) == -1, "missing file fails");
	is_str(err, want, "missing file message");
	free(err);
	free(want);
	err = NULL;
	ok(config_load(tmpdir, &f, &err) == -1, "a directory fails");
	want = xasprintf("%s: not a regular file", tmpdir);
	is_str(err, want, "directory message");
	free(err);
	free(want);
	free(missing);

	/* a relative path is reported as given; config_path is absolute */
	char cwd[4096];
	if (getcwd(cwd, sizeof(cwd)) && chdir(tmpdir) == 0) {
		char *p = write_file("rel.conf", "timeout = 5;\n", 0600);
		err = NULL;
		ok(config_load("rel.conf", &f, &err) == 0, "relative path loads");
		is_str(f.settings.config_path, p, "relative path: config_path absolute");
		fleet_free(&f);
		free(write_file("rel.conf", "timeout = x;\n", 0600));
		err = NULL;
		config_load("rel.conf", &f, &err);
		is_str(err, "rel.conf:1: syntax error", "relative path: message names it as given");
		free(err);
		free(p);
		if (chdir(cwd) != 0)
			ok(0, "chdir back");
	}
}

static void test_unknown_names(void)
{
	expect_error("refresh_intervall = 300;\n", 1,
	             "unknown setting 'refresh_intervall' (did you mean 'refresh_interval'?)",
	             "global typo suggests");
	expect_error("timeout = 1;\ncolour = \"red\";\n", 2, "unknown setting 'colour'",
	             "unknown global, nothing close");
	expect_error("theem = \"dark\";\n", 1, "unknown setting 'theem' (did you mean 'theme'?)",
	             "transposition is one edit");
	expect_error("x = 1;\n", 1, "unknown setting 'x'", "one letter suggests nothing");
	expect_error("accounts = (\n  { nmae = \"a\"; provider = \"tencent\"; name = \"b\"; }\n);\n", 2,
	             "unknown setting 'nmae' (did you mean 'name'?)", "account typo suggests");
	expect_error("accounts = (\n  { name = \"a\"; provider = \"huawei\";\n    acess_key = \"k\"; }\n);\n", 3,
	             "unknown setting 'acess_key' (did you mean 'access_key'?)",
	             "huawei account: suggests access_key");
	expect_error("accounts = (\n  { name = \"a\"; provider = \"tencent\";\n    acess_key = \"k\"; }\n);\n", 3,
	             "unknown setting 'acess_key'",
	             "tencent account: no Huawei name suggested");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"tc\"; service = \"redis\";\n"
	             "    regoin = \"ap-guangzhou\"; region = \"x\"; id = \"crs-1\"; }\n);\n", 8,
	             "unknown setting 'regoin' (did you mean 'region'?)", "instance typo suggests");
	expect_error("settings = { timeout = 1; };\n", 1, "unknown setting 'settings'",
	             "unknown group");
}

static void test_types(void)
{
	expect_error("timeout = \"10\";\n", 1, "'timeout' must be a number", "timeout string");
	expect_error("concurrency = 1.5;\n", 1, "'concurrency' must be an integer", "concurrency float");
	expect_error("refresh_interval = true;\n", 1, "'refresh_interval' must be an integer",
	             "refresh_interval bool");
	expect_error("require_tls = 1;\n", 1, "'require_tls' must be true or false", "require_tls int");
	expect_error("fetch_ca = \"yes\";\n", 1, "'fetch_ca' must be true or false", "fetch_ca string");
	expect_error("theme = 5;\n", 1, "'theme' must be a string", "theme int");
	expect_error("download_dir = [\"a\"];\n", 1, "'download_dir' must be a string", "download_dir array");
	expect_error("accounts = { name = \"x\"; };\n", 1,
	             "'accounts' must be a list of groups: accounts = ( { ... }, { ... } );", "accounts group");
	expect_error("instances = [1, 2];\n", 1,
	             "'instances' must be a list of groups: instances = ( { ... }, { ... } );",
	             "instances array");
	expect_error("instances = (\n  42\n);\n", 2, "each entry of 'instances' must be a group { ... }",
	             "instances entry not a group");
	expect_error("accounts = (\n  { name = \"a\"; provider = \"tencent\"; },\n  5\n);\n", 3,
	             "each entry of 'accounts' must be a group { ... }", "accounts entry not a group");
	expect_error("accounts = (\n  { name = \"a\"; provider = \"tencent\"; rate_limit = \"5\"; }\n);\n", 2,
	             "'rate_limit' must be a number", "rate_limit string");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"tc\"; service = \"redis\"; region = \"r\";\n"
	             "    id = \"crs-1\"; warn_days = 1.0; }\n);\n", 8, "'warn_days' must be an integer",
	             "instance warn_days float");
	expect_error(ACCOUNTS "  { name = 7; account = \"tc\"; service = \"redis\"; region = \"r\"; id = \"c\"; }\n);\n",
	             7, "'name' must be a string", "instance name int");
	expect_ok("timeout = 2; accounts = (); instances = [];\n", "timeout int, empty list and array");
	expect_ok("timeout = 0.5; concurrency = 64L; retries = 0x3;\n", "decimal, int64, hex");
	expect_ok("accounts = ( { name = \"a\"; provider = \"tencent\"; rate_limit = 2.5; },\n"
	          "  { name = \"b\"; provider = \"tencent\"; rate_limit = 7; } );\n",
	          "rate_limit decimal and integer");
}

static void test_ranges(void)
{
	expect_error("refresh_interval = -1;\n", 1,
	             "'refresh_interval' must be between 0 and 604800 (got -1)", "refresh_interval -1");
	expect_error("refresh_interval = 604801;\n", 1,
	             "'refresh_interval' must be between 0 and 604800 (got 604801)", "refresh_interval > a week");
	expect_ok("refresh_interval = 0;\n", "refresh_interval 0 = on request");
	expect_ok("refresh_interval = 604800;\n", "refresh_interval one week");
	expect_error("concurrency = 0;\n", 1, "'concurrency' must be between 1 and 4096 (got 0)", "concurrency 0");
	expect_error("concurrency = 4097;\n", 1, "'concurrency' must be between 1 and 4096 (got 4097)",
	             "concurrency 4097");
	expect_error("concurrency = 99999999999L;\n", 1,
	             "'concurrency' must be between 1 and 4096 (got 99999999999)", "concurrency int64 huge");
	expect_ok("concurrency = 4096;\n", "concurrency 4096");
	expect_error("timeout = 0;\n", 1, "'timeout' must be greater than 0 and at most 3600 (got 0)", "timeout 0");
	expect_error("timeout = -1.5;\n", 1, "'timeout' must be greater than 0 and at most 3600 (got -1.5)",
	             "timeout negative");
	expect_error("timeout = 3600.5;\n", 1,
	             "'timeout' must be greater than 0 and at most 3600 (got 3600.5)", "timeout too long");
	expect_ok("timeout = 3600;\n", "timeout 3600");
	expect_error("retries = 21;\n", 1, "'retries' must be between 0 and 20 (got 21)", "retries 21");
	expect_error("retries = -1;\n", 1, "'retries' must be between 0 and 20 (got -1)", "retries -1");
	expect_error("warn_days = 36501;\n", 1, "'warn_days' must be between 0 and 36500 (got 36501)",
	             "warn_days 36501");
	expect_error("crit_days = -1;\n", 1, "'crit_days' must be between 0 and 36500 (got -1)", "crit_days -1");
	expect_ok("warn_days = 5; crit_days = 10;\n", "crit_days > warn_days is allowed");
	expect_error("accounts = (\n  { name = \"a\"; provider = \"tencent\"; rate_limit = 10001; }\n);\n", 2,
	             "'rate_limit' must be between 0 and 10000 (got 10001)", "rate_limit too high");
	expect_error("accounts = (\n  { name = \"a\"; provider = \"tencent\";\n    rate_limit = -0.5; }\n);\n", 3,
	             "'rate_limit' must be between 0 and 10000 (got -0.5)", "rate_limit negative");
	expect_error(ACCOUNTS TC_INSTANCE("a") ",\n  { name = \"b\"; account = \"tc\"; service = \"redis\";\n"
	             "    region = \"r\"; id = \"c\"; crit_days = 40000; }\n);\n", 9,
	             "'crit_days' must be between 0 and 36500 (got 40000)", "instance crit_days");
}

/* The live probe's settings: where each level wins, and validation with
 * file:line like every other setting. */
static void test_probe_settings(void)
{
	struct fleet f;
	char *err = load_text("probe = true;\n"
	                      "accounts = (\n"
	                      "  { name = \"tc\"; provider = \"tencent\"; probe = false; },\n"
	                      "  { name = \"t2\"; provider = \"tencent\"; }\n"
	                      ");\n"
	                      "instances = (\n"
	                      "  { name = \"a\"; account = \"tc\"; service = \"redis\"; region = \"r\"; id = \"c1\";\n"
	                      "    probe = true; host = \"10.0.0.1\"; port = 6379; probe_host = \"127.0.0.1\";\n"
	                      "    probe_port = 16379; sni = \"db.example.com\"; },\n"
	                      "  { name = \"b\"; account = \"tc\"; service = \"redis\"; region = \"r\"; id = \"c2\"; },\n"
	                      "  { name = \"c\"; account = \"t2\"; service = \"redis\"; region = \"r\"; id = \"c3\"; }\n"
	                      ");\n", &f);
	is_str(err, NULL, "probe settings load");
	if (!err) {
		ok(f.settings.probe, "global probe = true");
		ok(instance_probe_enabled(&f, &f.instances[0]), "instance probe wins over the account's");
		ok(!instance_probe_enabled(&f, &f.instances[1]), "account probe = false wins over global");
		ok(instance_probe_enabled(&f, &f.instances[2]), "no account setting: global");
		is_str(f.instances[0].host, "10.0.0.1", "host");
		ok(f.instances[0].port == 6379 && f.instances[0].probe_port == 16379, "port, probe_port");
		is_str(f.instances[0].probe_host, "127.0.0.1", "probe_host");
		is_str(f.instances[0].sni, "db.example.com", "sni");
		ok(f.instances[1].port == -1 && f.instances[1].probe_port == -1 && !f.instances[1].host,
		   "unset: no host, port -1");
		is_str(instance_connect_host(&f.instances[0]), "10.0.0.1", "connect host from the setting");
		ok(instance_connect_port(&f.instances[0]) == 6379, "connect port from the setting");
		fleet_free(&f);
	}
	free(err);
	expect_error(ACCOUNTS TC_INSTANCE("a") ",\n  { name = \"b\"; account = \"tc\"; service = \"redis\";\n"
	             "    region = \"r\"; id = \"c\"; port = 65536; }\n);\n", 9,
	             "'port' must be between 1 and 65535 (got 65536)", "port out of range");
	expect_error(ACCOUNTS TC_INSTANCE("a") ",\n  { name = \"b\"; account = \"tc\"; service = \"redis\";\n"
	             "    region = \"r\"; id = \"c\"; probe_port = 0; }\n);\n", 9,
	             "'probe_port' must be between 1 and 65535 (got 0)", "probe_port 0");
	expect_error(ACCOUNTS TC_INSTANCE("a") ",\n  { name = \"b\"; account = \"tc\"; service = \"redis\";\n"
	             "    region = \"r\"; id = \"c\"; host = \"a b; rm -rf\"; }\n);\n", 9,
	             "'host' must be a host name or an IP address (letters, digits, '.', '-', ':', '_')",
	             "host with a space and a semicolon");
	expect_error(ACCOUNTS TC_INSTANCE("a") ",\n  { name = \"b\"; account = \"tc\"; service = \"redis\";\n"
	             "    region = \"r\"; id = \"c\";\n    sni = \"\"; }\n);\n", 10,
	             "'sni' must not be empty", "empty sni");
	expect_error("probe = \"yes\";\n", 1, "'probe' must be true or false", "probe not a boolean");
}

static void test_required(void)
{
	expect_error("accounts = (\n  { provider = \"tencent\"; }\n);\n", 2, "account is missing 'name'",
	             "account without name");
	expect_error("accounts = (\n  {\n    name = \"a\";\n  }\n);\n", 2, "account 'a' is missing 'provider'",
	             "account without provider: line of the group");
	expect_error(ACCOUNTS "  { account = \"tc\"; service = \"redis\"; region = \"r\"; id = \"c\"; }\n);\n", 7,
	             "instance is missing 'name'", "instance without name");
	expect_error(ACCOUNTS "  { name = \"i\"; service = \"redis\"; region = \"r\"; id = \"c\"; }\n);\n", 7,
	             "instance 'i' is missing 'account'", "instance without account");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"tc\"; region = \"r\"; id = \"c\"; }\n);\n", 7,
	             "instance 'i' is missing 'service'", "instance without service");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"tc\"; service = \"redis\"; id = \"c\"; }\n);\n", 7,
	             "instance 'i' is missing 'region'", "instance without region");
	expect_error(ACCOUNTS TC_INSTANCE("a") ",\n  { name = \"i\"; account = \"tc\"; service = \"redis\";\n"
	             "    region = \"r\"; }\n);\n", 8, "instance 'i' is missing 'id'", "instance without id");
}

static void test_references(void)
{
	expect_error("accounts = (\n  { name = \"a\"; provider = \"aws\"; }\n);\n", 2,
	             "unknown provider 'aws' (expected tencent, huawei or alibaba)", "unknown provider");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"tc\"; service = \"oracle\"; region = \"r\"; id = \"c\"; }\n);\n",
	             7, "unknown service 'oracle' (expected redis, postgres, dcs, mysql, mongodb, sqlserver, rds or polardb)", "unknown service");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"hw\"; service = \"redis\"; region = \"r\"; id = \"c\"; }\n);\n",
	             7, "account 'hw' is a huawei account, which has no service 'redis' (huawei offers: dcs, rds)",
	             "huawei has no redis");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"tc\"; service = \"dcs\"; region = \"r\"; id = \"c\"; }\n);\n",
	             7, "account 'tc' is a tencent account, which has no service 'dcs' (tencent offers: redis, postgres, mysql, mongodb, sqlserver)",
	             "tencent has no dcs");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"ali\"; service = \"postgres\"; region = \"r\"; id = \"c\"; }\n);\n",
	             7, "account 'ali' is a alibaba account, which has no service 'postgres' (alibaba offers: redis, mongodb, rds, polardb)",
	             "alibaba has no postgres");
	expect_ok(ACCOUNTS "  { name = \"i\"; account = \"ali\"; service = \"redis\"; region = \"cn-hangzhou\"; id = \"r-bp1\"; },\n"
	          "  { name = \"j\"; account = \"hw\"; service = \"dcs\"; region = \"eu-de\"; id = \"0f-1\"; },\n"
	          "  { name = \"k\"; account = \"tc\"; service = \"postgres\"; region = \"ap-shanghai\"; id = \"postgres-1\"; }\n);\n",
	          "every offered service loads");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"nothere\"; service = \"redis\"; region = \"r\"; id = \"c\"; }\n);\n",
	             7, "unknown account 'nothere'", "unknown account");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"ail\"; service = \"redis\"; region = \"r\"; id = \"c\"; }\n);\n",
	             7, "unknown account 'ail' (did you mean 'ali'?)", "unknown account suggests");

	char *path = tmp_path("t.conf");
	char *msg = xasprintf("duplicate instance name 'a' (first at %s:7)", path);
	expect_error(ACCOUNTS TC_INSTANCE("a") ",\n" TC_INSTANCE("b") ",\n" TC_INSTANCE("a") "\n);\n", 9, msg,
	             "duplicate instance name");
	free(msg);
	msg = xasprintf("duplicate account name 'tc' (first at %s:2)", path);
	expect_error("accounts = (\n  { name = \"tc\"; provider = \"tencent\"; },\n"
	             "  { name = \"x\"; provider = \"huawei\"; },\n"
	             "  { provider = \"alibaba\";\n    name = \"tc\"; }\n);\n", 5, msg, "duplicate account name");
	free(msg);
	free(path);
}

static void test_foreign_settings(void)
{
	expect_error("accounts = (\n  { name = \"h\"; provider = \"huawei\"; site = \"intl\"; }\n);\n", 2,
	             "'site' is a Tencent setting", "site on huawei");
	expect_error("accounts = (\n  { name = \"a\"; provider = \"alibaba\";\n    secret_id = \"x\"; }\n);\n", 3,
	             "'secret_id' is a Tencent setting (alibaba accounts use 'access_key_id')",
	             "secret_id on alibaba");
	expect_error("accounts = (\n  { name = \"a\"; provider = \"alibaba\"; secret_key = \"SEKRIT\"; }\n);\n", 2,
	             "'secret_key' is a Tencent and Huawei setting (alibaba accounts use 'access_key_secret')",
	             "secret_key on alibaba");
	expect_error("accounts = (\n  { name = \"h\"; provider = \"huawei\"; access_key_id = \"x\"; }\n);\n", 2,
	             "'access_key_id' is an Alibaba setting (huawei accounts use 'access_key')",
	             "access_key_id on huawei");
	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\"; security_token = \"SEKRIT\"; }\n);\n", 2,
	             "'security_token' is a Huawei and Alibaba setting (tencent accounts use 'token')",
	             "security_token on tencent");
	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\"; project_id = \"p\"; }\n);\n", 2,
	             "'project_id' is a Huawei setting", "project_id on tencent account");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"ali\"; service = \"redis\"; region = \"r\"; id = \"c\";\n"
	             "    project_id = \"p\"; }\n);\n", 8, "'project_id' is a Huawei setting",
	             "project_id on an alibaba instance");
	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\"; site = \"eu\"; }\n);\n", 2,
	             "'site' must be \"intl\" or \"china\" (got 'eu')", "site value");
}

static void test_strings(void)
{
	expect_error("accounts = (\n  { name = \"\"; provider = \"tencent\"; }\n);\n", 2,
	             "'name' must not be empty", "empty account name");
	expect_error("accounts = (\n  { name = \"a\\tb\"; provider = \"tencent\"; }\n);\n", 2,
	             "'name' contains a control character", "control character in a name");
	expect_error(ACCOUNTS "  { name = \"x\\x1b[2J\"; account = \"tc\"; service = \"redis\"; region = \"r\"; id = \"c\"; }\n);\n",
	             7, "'name' contains a control character", "escape sequence in an instance name");
	expect_error("theme = \"\\xff\\xfe\";\n", 1, "'theme' is not valid UTF-8", "invalid UTF-8");
	expect_ok(ACCOUNTS "  { name = \"caché-東京\"; account = \"tc\"; service = \"redis\"; region = \"r\"; id = \"c\"; }\n);\n",
	          "UTF-8 names are fine");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"tc\"; service = \"redis\"; region = \"\"; id = \"c\"; }\n);\n",
	             7, "'region' must not be empty", "empty region");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"tc\"; service = \"redis\"; region = \"r\"; id = \"\"; }\n);\n",
	             7, "'id' must not be empty", "empty id");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"tc\"; service = \"redis\"; region = \"ap/x\"; id = \"c\"; }\n);\n",
	             7, "'region' may contain only letters, digits, '-' and '_'", "region with a slash");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"tc\"; service = \"redis\"; region = \"r\"; id = \"../x\"; }\n);\n",
	             7, "'id' may contain only letters, digits, '.', '_', ':' and '-'", "id with a slash");
	expect_error("accounts = (\n  { name = \"h\"; provider = \"huawei\"; project_id = \"a b\"; }\n);\n", 2,
	             "'project_id' may contain only letters, digits, '.', '_', ':' and '-'", "project_id with a space");
	expect_error("theme = \"\";\n", 1, "'theme' must not be empty", "empty theme");
	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\"; profile = \"\"; }\n);\n", 2,
	             "'profile' must not be empty", "empty profile");
}

/* auth and the settings that go with each mode (tlsfleet.conf(5)
 * CREDENTIALS). */
static void test_auth(void)
{
	struct fleet f;
	char *err;
#define ACC1(body) "accounts = (\n  { name = \"t\"; provider = \"tencent\";\n" body " }\n);\n"
#define HW1(body) "accounts = (\n  { name = \"h\"; provider = \"huawei\"; project_id = \"p\";\n" body " }\n);\n"

	err = load_text(ACC1("    auth = \"instance_role\"; role_name = \"cvm-reader\";\n"
	                     "    metadata_endpoint = \"http://127.0.0.1:8080/\";"), &f);
	is_str(err, NULL, "instance_role with role_name and an http metadata_endpoint");
	if (!err) {
		struct account *a = &f.accounts[0];
		ok(a->auth == AUTH_INSTANCE_ROLE, "auth instance_role");
		is_str(a->role_name, "cvm-reader", "role_name");
		is_str(a->metadata_endpoint, "http://127.0.0.1:8080", "metadata_endpoint normalised");
		is_str(a->credential_source, "instance_role:cvm-reader", "credential_source instance_role:<role>");
		fleet_free(&f);
	}
	free(err);
	err = load_text(ACC1("    secret_id = \"AKIDx\"; secret_key = \"k\";\n    auth = \"assume_role\";\n"
	                     "    role_arn = \"qcs::cam::uin/1:roleName/r\"; role_session_name = \"mon-1\";\n"
	                     "    duration = 900; sts_endpoint = \"https://127.0.0.1:9/\";"), &f);
	is_str(err, NULL, "assume_role with every setting");
	if (!err) {
		struct account *a = &f.accounts[0];
		ok(a->auth == AUTH_ASSUME_ROLE && a->duration == 900, "auth assume_role, duration");
		is_str(a->role_session_name, "mon-1", "role_session_name");
		is_str(a->sts_endpoint, "https://127.0.0.1:9", "sts_endpoint normalised");
		is_str(a->base.id, "AKIDx", "inline keys are the base keys");
		ok(a->cred.id == NULL, "no signing keys before the engine fetches them");
		is_str(a->credential_source, "assume_role:qcs::cam::uin/1:roleName/r", "credential_source assume_role:<arn>");
		fleet_free(&f);
	}
	free(err);
	expect_ok(HW1("    auth = \"instance_role\";"), "huawei instance_role without a role name");
	expect_ok(ACC1("    auth = \"keys\";"), "auth keys");

	expect_error(ACC1("    auth = \"role\";"), 3,
	             "'auth' must be \"keys\", \"instance_role\" or \"assume_role\" (got 'role')", "unknown auth");
	expect_error(ACC1("    auth = \"instance_role\";"), 2,
	             "account 't' has auth = \"instance_role\" but no 'role_name'", "instance_role needs role_name");
	expect_error(ACC1("    auth = \"assume_role\"; secret_id = \"a\"; secret_key = \"b\";"), 2,
	             "account 't' has auth = \"assume_role\" but no 'role_arn'", "assume_role needs role_arn");
	expect_error(ACC1("    role_arn = \"x\";"), 3, "'role_arn' needs auth = \"assume_role\"",
	             "role_arn without assume_role");
	expect_error(ACC1("    auth = \"assume_role\"; role_arn = \"x\"; role_name = \"r\";"), 3,
	             "'role_name' needs auth = \"instance_role\"", "role_name with assume_role");
	expect_error(ACC1("    metadata_endpoint = \"http://h\";"), 3,
	             "'metadata_endpoint' needs auth = \"instance_role\"", "metadata_endpoint without instance_role");
	expect_error(HW1("    auth = \"assume_role\"; role_arn = \"x\";"), 3,
	             "Huawei accounts cannot use auth = \"assume_role\"", "huawei has no AssumeRole");
	expect_error(HW1("    auth = \"instance_role\"; role_name = \"r\";"), 3,
	             "Huawei instance credentials have no role name: leave 'role_name' out", "huawei role_name");
	expect_error(ACC1("    auth = \"instance_role\"; role_name = \"r/../x\";"), 3,
	             "'role_name' may contain only letters, digits and \"._-+=,@\"", "role_name with a slash");
	expect_error(ACC1("    auth = \"instance_role\"; role_name = \"r\"; secret_id = \"a\"; secret_key = \"b\";"), 3,
	             "'secret_id': auth = \"instance_role\" takes its keys from the instance metadata service, not from the config",
	             "instance_role with inline keys");
	expect_error(ACC1("    auth = \"instance_role\"; role_name = \"r\"; metadata_endpoint = \"ftp://h\";"), 3,
	             "'metadata_endpoint' must be an http:// or https:// URL (http://host[:port][/path])",
	             "metadata_endpoint ftp");
	expect_error(ACC1("    auth = \"assume_role\"; role_arn = \"x\"; sts_endpoint = \"http://h\";"), 3,
	             "'sts_endpoint' must be an https:// URL (https://host[:port][/path])", "sts_endpoint http");
	expect_error(ACC1("    auth = \"assume_role\"; role_arn = \"x\"; duration = 60;"), 3,
	             "'duration' must be between 900 and 43200 (got 60)", "duration too short");
	expect_error(ACC1("    auth = \"assume_role\"; role_arn = \"x\"; role_session_name = \"a b\";"), 3,
	             "'role_session_name' must be 2 to 64 letters, digits or \"._-+=,@\"", "session name with a blank");
#undef ACC1
#undef HW1
}

static void test_endpoints(void)
{
	struct fleet f;
	char *err;

	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\";\n    endpoint = \"http://redis.example\"; }\n);\n",
	             3, "'endpoint' must be an https:// URL (https://host[:port][/path])", "account endpoint http");
	expect_error(ACCOUNTS "  { name = \"i\"; account = \"tc\"; service = \"redis\"; region = \"r\"; id = \"c\";\n"
	             "    endpoint = \"redis.example\"; }\n);\n",
	             8, "'endpoint' must be an https:// URL (https://host[:port][/path])", "instance endpoint without scheme");
	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\"; endpoint = \"https://\"; }\n);\n",
	             2, "'endpoint' must be an https:// URL (https://host[:port][/path])", "endpoint without host");
	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\"; endpoint = \"https://h/?a=b\"; }\n);\n",
	             2, "'endpoint' must be an https:// URL (https://host[:port][/path])", "endpoint with a query");
	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\"; endpoint = \"https://u:SEKRIT@h\"; }\n);\n",
	             2, "'endpoint' must be an https:// URL (https://host[:port][/path])", "endpoint with user info");
	/* libcurl's URL parser judges host and port: these passed hand
	 * splitting and only failed at the first request. */
	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\"; endpoint = \"https://host:notaport\"; }\n);\n",
	             2, "'endpoint' must be an https:// URL (https://host[:port][/path])", "endpoint with a port that is no number");
	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\"; endpoint = \"https://host:65536/x\"; }\n);\n",
	             2, "'endpoint' must be an https:// URL (https://host[:port][/path])", "endpoint with a port past 65535");
	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\"; endpoint = \"https://[::1\"; }\n);\n",
	             2, "'endpoint' must be an https:// URL (https://host[:port][/path])", "endpoint with a broken IPv6 literal");
	err = load_text("accounts = (\n  { name = \"t\"; provider = \"tencent\"; endpoint = \"https://[::1]:8443/v/\"; }\n);\n", &f);
	is_str(err, NULL, "endpoint with an IPv6 literal loads");
	if (!err) {
		is_str(f.accounts[0].endpoint, "https://[::1]:8443/v", "IPv6 endpoint normalised");
		fleet_free(&f);
	}
	free(err);
	err = load_text("accounts = (\n  { name = \"t\"; provider = \"tencent\"; endpoint = \"HTTPS://127.0.0.1:8443/\"; }\n);\n", &f);
	is_str(err, NULL, "endpoint in capitals loads");
	if (!err) {
		is_str(f.accounts[0].endpoint, "https://127.0.0.1:8443", "endpoint normalised");
		fleet_free(&f);
	}
	free(err);
}

static void test_inline_credentials(void)
{
	struct fleet f;
	char *err;

	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\";\n    secret_id = \"AKIDx\"; }\n);\n", 3,
	             "'secret_id' is set but 'secret_key' is missing", "secret_id without secret_key");
	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\"; secret_key = \"SEKRIT-1\"; }\n);\n", 2,
	             "'secret_key' is set but 'secret_id' is missing", "secret_key without secret_id");
	expect_error("accounts = (\n  { name = \"t\"; provider = \"tencent\"; token = \"SEKRIT-2\"; }\n);\n", 2,
	             "'token' is set but 'secret_id' and 'secret_key' are missing", "token alone");
	expect_error("accounts = (\n  { name = \"h\"; provider = \"huawei\"; access_key = \"AK\"; }\n);\n", 2,
	             "'access_key' is set but 'secret_key' is missing", "huawei access_key alone");
	expect_error("accounts = (\n  { name = \"a\"; provider = \"alibaba\"; access_key_secret = \"SEKRIT-3\"; }\n);\n", 2,
	             "'access_key_secret' is set but 'access_key_id' is missing", "alibaba secret alone");
	err = load_text("accounts = (\n  { name = \"t\"; provider = \"tencent\"; secret_id = \"AKID\";\n"
	                "    secret_key = \"SEKRIT-\\n-4\"; }\n);\n", &f);
	ok(err && strstr(err, ":3: 'secret_key' contains a control character"), "control character in a secret");
	ok(err && !strstr(err, "SEKRIT"), "...and the secret is not in the message");
	free(err);
	err = load_text("accounts = (\n  { name = \"h\"; provider = \"huawei\"; access_key = \"AK\"; secret_key = \"SEKRIT-5\";\n"
	                "    security_token = \"SEKRIT-tok\"; project_id = \"p1\"; }\n);\n", &f);
	is_str(err, NULL, "huawei inline keys load");
	if (!err) {
		is_str(f.accounts[0].cred.secret, "SEKRIT-5", "huawei inline secret_key");
		is_str(f.accounts[0].cred.token, "SEKRIT-tok", "huawei inline security_token");
		is_str(f.accounts[0].credential_source, "inline", "huawei source inline");
		fleet_free(&f);
	}
	free(err);
}

static void test_permissions(void)
{
	struct fleet f;
	char *err = NULL;
	const char *secret_conf = "accounts = (\n  { name = \"t\"; provider = \"tencent\"; secret_id = \"AKID\";\n"
	                          "    secret_key = \"SEKRIT-perm\"; }\n);\n";
	char *path = write_file("perm.conf", secret_conf, 0644);
	char *want = xasprintf("%s: holds secret keys and is readable by others (mode 0644); run: chmod 600 %s",
	                       path, path);

	ok(config_load(path, &f, &err) == -1, "0644 with an inline secret is refused");
	is_str(err, want, "permission message");
	ok(err && !strstr(err, "SEKRIT"), "permission message holds no secret");
	free(err);
	free(want);

	chmod(path, 0640);
	err = NULL;
	config_load(path, &f, &err);
	want = xasprintf("%s: holds secret keys and is readable by others (mode 0640); run: chmod 600 %s", path, path);
	is_str(err, want, "0640 refused too");
	free(err);
	free(want);

	chmod(path, 0600);
	err = NULL;
	ok(config_load(path, &f, &err) == 0, "0600 with an inline secret loads");
	if (!err)
		fleet_free(&f);
	free(err);
	free(path);

	path = write_file("public.conf", "timeout = 3;\naccounts = ( { name = \"t\"; provider = \"tencent\"; } );\n", 0644);
	err = NULL;
	ok(config_load(path, &f, &err) == 0, "0644 without secrets loads");
	if (!err)
		fleet_free(&f);
	free(err);
	free(path);

	/* the secret sits in an included file: that file's mode counts */
	char *inc = write_file("secret.inc", "{ name = \"t\"; provider = \"tencent\"; secret_id = \"AKID\"; secret_key = \"SEKRIT-i\"; }\n", 0644);
	path = write_file("main-inc.conf", "accounts = (\n@include \"secret.inc\"\n);\n", 0600);
	err = NULL;
	config_load(path, &f, &err);
	want = xasprintf("%s: holds secret keys and is readable by others (mode 0644); run: chmod 600 %s", inc, inc);
	is_str(err, want, "secret in an included 0644 file is refused, naming that file");
	free(err);
	free(want);
	free(inc);
	free(path);
}

static void test_paths(void)
{
	struct fleet f;
	char *err, *want;

	err = load_text("download_dir = \"$HOME/a\";\n", &f);
	want = xasprintf("%s/a", home);
	is_str(err ? err : f.settings.download_dir, want, "$HOME expanded");
	free(want);
	if (!err)
		fleet_free(&f);
	free(err);
	err = load_text("download_dir = \"${HOME}\";\n", &f);
	is_str(err ? err : f.settings.download_dir, home, "${HOME} expanded");
	if (!err)
		fleet_free(&f);
	free(err);
	err = load_text("download_dir = \"certs/x\";\n", &f);
	want = tmp_path("certs/x");
	is_str(err ? err : f.settings.download_dir, want, "relative download_dir: under the config's directory");
	free(want);
	if (!err)
		fleet_free(&f);
	free(err);
	err = load_text("download_dir = \"/srv/certs\";\n", &f);
	is_str(err ? err : f.settings.download_dir, "/srv/certs", "absolute download_dir kept");
	if (!err)
		fleet_free(&f);
	free(err);
	expect_error("download_dir = \"~bob/certs\";\n", 1,
	             "'download_dir': \"~user\" paths are not supported; use \"~/...\" or an absolute path",
	             "~user refused");
	want = xasprintf("'ca_file': cannot read %s/nope.pem: No such file or directory", home);
	expect_error("\nca_file = \"~/nope.pem\";\n", 2, want, "missing ca_file");
	free(want);
	want = xasprintf("'probe_ca': cannot read %s/console-ca.pem: No such file or directory", home);
	expect_error(ACCOUNTS TC_INSTANCE("a") ",\n  { name = \"b\"; account = \"tc\"; service = \"redis\";\n"
	             "    region = \"r\"; id = \"c\"; probe_ca = \"~/console-ca.pem\"; }\n);\n", 9, want,
	             "probe_ca unreadable: the file, the line");
	free(want);
	err = load_text(ACCOUNTS TC_INSTANCE("a") ",\n  { name = \"b\"; account = \"tc\"; service = \"redis\";\n"
	                "    region = \"r\"; id = \"c\"; probe_ca = \"/dev/null\"; }\n);\n", &f);
	is_str(err ? err : f.instances[1].probe_ca, "/dev/null", "probe_ca readable: kept");
	ok(!err && !f.instances[0].probe_ca, "probe_ca unset: NULL");
	if (!err)
		fleet_free(&f);
	free(err);

	char *p;
	setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
	p = config_default_path();
	is_str(p, "/xdg/conf/tlsfleet/config", "default path under XDG_CONFIG_HOME");
	free(p);
	setenv("XDG_CONFIG_HOME", "relative/conf", 1);
	p = config_default_path();
	want = xasprintf("%s/.config/tlsfleet/config", home);
	is_str(p, want, "relative XDG_CONFIG_HOME ignored");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = config_default_path();
	is_str(p, want, "default path under ~/.config");
	free(p);
	free(want);

	p = config_expand_path("~", NULL);
	is_str(p, home, "expand ~");
	free(p);
	p = config_expand_path("rel/x", "/base");
	is_str(p, "/base/rel/x", "expand: relative joined to base");
	free(p);
	p = config_expand_path("rel/x", NULL);
	is_str(p, "rel/x", "expand: relative kept without base");
	free(p);
	p = config_expand_path("$HOMEY/x", "/b");
	is_str(p, "/b/$HOMEY/x", "expand: $HOMEY is not $HOME");
	free(p);
	ok(config_expand_path("~root/x", NULL) == NULL, "expand: ~user is NULL");
}

static void test_include(void)
{
	struct fleet f;
	char *err, *want, *path;

	free(write_file("accounts.inc", "{ name = \"tc\"; provider = \"tencent\"; },\n"
	           "{ name = \"bad\"; provider = \"tencent\"; sitee = \"intl\"; }\n", 0644));
	path = write_file("inc.conf", "accounts = (\n@include \"accounts.inc\"\n);\n", 0600);
	err = NULL;
	config_load(path, &f, &err);
	want = xasprintf("%s/accounts.inc:2: unknown setting 'sitee' (did you mean 'site'?)", tmpdir);
	is_str(err, want, "error inside an included file names it and its line");
	free(err);
	free(want);
	free(path);

	free(write_file("accounts.inc", "{ name = \"tc\"; provider = \"tencent\"; }\n", 0644));
	path = write_file("inc.conf", "accounts = (\n@include \"accounts.inc\"\n);\ninstances = (\n" TC_INSTANCE("a") "\n);\n", 0600);
	err = NULL;
	ok(config_load(path, &f, &err) == 0, "include loads");
	if (!err) {
		ok(f.n_accounts == 1 && f.n_instances == 1 && f.instances[0].account == &f.accounts[0],
		   "included account is used");
		is_int(f.accounts[0].line, 1, "included account: its own line");
		fleet_free(&f);
	}
	free(err);
	free(path);

	path = write_file("missing-inc.conf", "timeout = 1;\n@include \"nope.inc\"\n", 0600);
	err = NULL;
	config_load(path, &f, &err);
	want = xasprintf("%s:2: cannot open include file", path);
	is_str(err, want, "missing include");
	free(err);
	free(want);
	free(path);

	/* libconfig 1.5 survives a loop (its depth limit), but says "nesting too deep" */
	path = write_file("self.conf", "# includes itself\n@include \"self.conf\"\n", 0600);
	err = NULL;
	ok(config_load(path, &f, &err) == -1, "self include fails");
	want = xasprintf("%s:2: include loop: \"self.conf\" is already being read", path);
	is_str(err, want, "self include: include loop");
	free(err);
	free(want);
	free(path);

	free(write_file("loop-b.inc", "\n\n@include \"loop-a.inc\"\n", 0600));
	free(write_file("loop-a.inc", "@include \"loop-b.inc\"\n", 0600));
	path = write_file("loop.conf", "@include \"loop-a.inc\"\n", 0600);
	err = NULL;
	config_load(path, &f, &err);
	want = xasprintf("%s/loop-b.inc:3: include loop: \"loop-a.inc\" is already being read", tmpdir);
	is_str(err, want, "two-file include loop");
	free(err);
	free(want);
	free(path);

	/* the fixture directory holds a main file and the file it includes */
	char *fx = fixture_path("data/config/include-main.conf");
	err = NULL;
	ok(config_load(fx, &f, &err) == 0, "fixture with @include loads from its own directory");
	if (!err) {
		ok(f.n_instances == 2 && fleet_find(&f, "from-include") != NULL, "fixture: included instance");
		fleet_free(&f);
	} else {
		diag("%s", err);
	}
	free(err);
	free(fx);
}

static void test_multiple_errors(void)
{
	char *path = tmp_path("t.conf");
	char *want = xasprintf("%s:1: unknown setting 'timout' (did you mean 'timeout'?)\n"
	                       "%s:2: 'retries' must be between 0 and 20 (got 99)\n"
	                       "%s:4: unknown provider 'gcp' (expected tencent, huawei or alibaba)",
	                       path, path, path);
	struct fleet f;
	char *err = load_text("timout = 1;\nretries = 99;\naccounts = (\n  { name = \"a\"; provider = \"gcp\"; }\n);\n", &f);

	is_str(err, want, "three errors, one per line");
	free(err);
	free(want);

	struct strbuf b = STRBUF_INIT;
	for (int i = 0; i < 12; i++)
		strbuf_addf(&b, "bogus%d = 1;\n", i);
	err = load_text(strbuf_str(&b), &f);
	int lines = 0;
	for (const char *c = err; c && *c; c++)
		lines += *c == '\n';
	is_int(lines + 1, 11, "at most 10 errors and a last line");
	want = xasprintf("\n%s: more errors not shown", path);
	ok(err && strlen(err) > strlen(want) && strcmp(err + strlen(err) - strlen(want), want) == 0,
	   "last line says more errors were not shown");
	free(want);
	free(err);
	strbuf_free(&b);
	free(path);
}

static void test_credentials_in_config(void)
{
	struct fleet f;
	char *err, *want;
	char *path = tmp_path("t.conf");

	want = xasprintf("account 'tc': profile 'nope' not found: %s/.tencentcloud/credentials does not exist",
	                 home);
	expect_error("accounts = (\n  { name = \"tc\"; provider = \"tencent\"; profile = \"nope\"; }\n);\n", 2,
	             want, "missing profile: a config error");
	free(want);

	setenv("HUAWEICLOUD_SDK_AK", "hw-env-ak", 1);
	setenv("HUAWEICLOUD_SDK_SK", "hw-env-SEKRIT", 1);
	want = xasprintf("instance 'd' has no project_id: set it on the instance or on account 'h', or with the "
	                 "account's keys (HUAWEICLOUD_SDK_PROJECT_ID or the credential file)");
	expect_error("accounts = ( { name = \"h\"; provider = \"huawei\"; } );\ninstances = (\n"
	             "  { name = \"d\"; account = \"h\"; service = \"dcs\"; region = \"eu-de\"; id = \"x\"; }\n);\n",
	             3, want, "huawei instance without any project_id");
	free(want);
	setenv("HUAWEICLOUD_SDK_PROJECT_ID", "envproject", 1);
	err = load_text("accounts = ( { name = \"h\"; provider = \"huawei\"; } );\ninstances = (\n"
	                "  { name = \"d\"; account = \"h\"; service = \"dcs\"; region = \"eu-de\"; id = \"x\"; }\n);\n", &f);
	is_str(err, NULL, "project_id from the environment is enough");
	if (!err) {
		is_str(f.accounts[0].project_id, "envproject", "account project_id from the environment");
		is_str(f.accounts[0].credential_source, "env", "huawei keys from the environment");
		fleet_free(&f);
	}
	free(err);
	unsetenv("HUAWEICLOUD_SDK_AK");
	unsetenv("HUAWEICLOUD_SDK_SK");
	unsetenv("HUAWEICLOUD_SDK_PROJECT_ID");
	expect_ok("accounts = ( { name = \"h\"; provider = \"huawei\"; } );\ninstances = (\n"
	          "  { name = \"d\"; account = \"h\"; service = \"dcs\"; region = \"eu-de\"; id = \"x\"; }\n);\n",
	          "no keys at all: the missing project_id is left to the NoCredentials state");
	free(path);
}

/* The example that "make install" ships must load as it is. */
static void test_example(void)
{
	struct fleet f;
	char *err = NULL;
	char *example = fixture_path("../demo/config.example");
	char *tc = xasprintf("%s/.tencentcloud", home);
	char *hw = xasprintf("%s/.huaweicloud", home);

	mkdir(tc, 0700);
	mkdir(hw, 0700);
	free(write_file("home/.tencentcloud/credentials", "[prod]\nsecret_id = a\nsecret_key = b-SEKRIT\n", 0600));
	free(write_file("home/.huaweicloud/credentials", "[otc]\nak = a\nsk = b-SEKRIT\nproject_id = p\n", 0600));
	ok(config_load(example, &f, &err) == 0, "demo/config.example loads");
	if (!err) {
		is_int((long long)f.n_accounts, 5, "example: 5 accounts");
		is_int((long long)f.n_instances, 6, "example: 6 instances");
		struct account *a = fleet_find_account(&f, "tc-prod");
		ok(a && strncmp(a->credential_source, "file:", 5) == 0, "example: tc-prod keys from the profile");
		a = fleet_find_account(&f, "otc");
		ok(a && strcmp(a->project_id, "p") == 0, "example: otc project_id from the credential file");
		fleet_free(&f);
	} else {
		diag("%s", err);
	}
	free(err);
	free(example);
	free(write_file("home/.tencentcloud/credentials", "", 0600));
	free(write_file("home/.huaweicloud/credentials", "", 0600));
	free(tc);
	free(hw);
}

/* 100,000 instances: correctness only (timing belongs to the benchmarks). */
static void test_large(void)
{
	enum { N = 100000, HEADER = 7 };
	char *path = tmp_path("large.conf");
	FILE *fp = fopen(path, "w");
	struct fleet f;
	char *err = NULL;

	fputs("# generated\naccounts = (\n  { name = \"tc\"; provider = \"tencent\"; },\n"
	      "  { name = \"ali\"; provider = \"alibaba\"; }\n);\n\ninstances = (\n", fp);
	for (int i = 0; i < N; i++)
		fprintf(fp, "  { name = \"i%06d\"; account = \"%s\"; service = \"redis\"; region = \"ap-guangzhou\"; "
		        "id = \"crs-%08d\"; }%s\n", i, i % 2 ? "ali" : "tc", i, i + 1 < N ? "," : "");
	fputs(");\n", fp);
	fclose(fp);

	ok(config_load(path, &f, &err) == 0, "100k instances load");
	if (!err) {
		is_int((long long)f.n_instances, N, "100k: count");
		ok(strcmp(f.instances[0].name, "i000000") == 0 && strcmp(f.instances[N - 1].name, "i099999") == 0,
		   "100k: config order");
		is_int(f.instances[N - 1].line, HEADER + N, "100k: line numbers past 65535");
		is_int((long long)f.instances[N - 1].index, N - 1, "100k: index");
		ok(f.instances[77777].account == &f.accounts[1] && f.instances[77778].account == &f.accounts[0],
		   "100k: account pointers");
		ok(fleet_find(&f, "i054321") == &f.instances[54321], "100k: find by name");
		fleet_free(&f);
	} else {
		diag("%s", err);
	}
	free(err);
	remove(path);
	free(path);

	/* Line numbers past 65535 in messages too; blank lines cost libconfig
	 * nothing, so this needs no second 100k-instance parse. */
	struct strbuf text = STRBUF_INIT;
	strbuf_adds(&text, ACCOUNTS TC_INSTANCE("dup") ",\n");
	for (int i = 0; i < 70000; i++)
		strbuf_addc(&text, '\n');
	strbuf_adds(&text, TC_INSTANCE("dup") "\n);\n");
	path = tmp_path("t.conf");
	char *msg = xasprintf("duplicate instance name 'dup' (first at %s:7)", path);
	expect_error(strbuf_str(&text), 70008, msg, "duplicate 70,000 lines later");
	free(msg);
	free(path);
	strbuf_free(&text);
}

static int rm_entry(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(p);
}

int main(void)
{
	char tmpl[] = "/tmp/tlsfleet-test-config.XXXXXX";
	static const char *const vars[] = {
		"TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN",
		"TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_CREDENTIALS_FILE", "HUAWEICLOUD_SDK_AK",
		"HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN", "HUAWEICLOUD_SDK_PROJECT_ID",
		"HUAWEICLOUD_SDK_CREDENTIALS_FILE", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
		"ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CREDENTIALS_FILE",
		"XDG_CONFIG_HOME",
	};

	if (!mkdtemp(tmpl)) {
		puts("Bail out! mkdtemp failed");
		return 99;
	}
	tmpdir = xstrdup(tmpl);
	home = tmp_path("home");
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);

	test_defaults();
	test_full();
	test_syntax_and_files();
	test_unknown_names();
	test_types();
	test_ranges();
	test_auth();
	test_probe_settings();
	test_required();
	test_references();
	test_foreign_settings();
	test_strings();
	test_endpoints();
	test_inline_credentials();
	test_permissions();
	test_paths();
	test_include();
	test_multiple_errors();
	test_credentials_in_config();
	test_example();
	test_large();

	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	free(home);
	return done_testing();
}
