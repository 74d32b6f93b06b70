/* The state file: save/load round trip, what a damaged file does, and
 * that processes sharing it never lose each other's entries (lock,
 * re-read, merge by instance; the newer refreshed_at / download.at wins). */
#include "core/fleet.h"
#include "store/statefile.h"
#include "core/xalloc.h"
#include "tap.h"
#include "testfs.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *tmp;       /* the test's private directory (realpath) */

static void instance_init(struct instance *in, const char *name, const char *id)
{
	memset(in, 0, sizeof(*in));
	in->name = xstrdup(name);
	in->id = xstrdup(id);
	in->warn_days = in->crit_days = in->require_tls = -1;
	instance_status_init(&in->st);
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
	a->st.download->ca_pem = xstrdup("/tmp/certs/orders-cache/ca.pem");
	a->st.download->truststore = xstrdup("/tmp/certs/orders-cache/truststore.p12");
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
		is_str(ga->st.download->ca_pem, a->st.download->ca_pem, "A: download ca_pem");
		is_str(ga->st.download->truststore, a->st.download->truststore, "A: download truststore");
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


/* ---- merging with what other processes saved ------------------------------- */

static struct download_info *make_download(const char *path, time_t at)
{
	struct download_info *d = xcalloc(1, sizeof(*d));

	d->path = xstrdup(path);
	d->size = 1;
	memset(d->sha256, 'e', 64);
	d->at = at;
	return d;
}

/* One instance "A" (id crs-a) with certificates learned at certs_at from
 * url and a download at dl_at (TIME_NONE: none). */
static void one(struct fleet *f, const char *id, time_t certs_at, const char *url, time_t dl_at,
                const char *dl_path)
{
	static const char *const names[] = {"A"};
	const char *ids[] = {id};

	fleet_init(f, 1, names, ids);
	struct instance_status *st = &f->instances[0].st;
	if (url) {
		st->ca_certs_from = xstrdup(url);
		st->refreshed_at = certs_at;
	}
	if (dl_at != TIME_NONE)
		st->download = make_download(dl_path, dl_at);
}

static void test_merge(void)
{
	char *path = path_join(tmp, "merge/state.json");
	struct fleet f, g;
	char *err = NULL;

	/* the file: certificates learned at 200, downloaded at 300 */
	one(&f, "crs-a", 200, "https://h/theirs.zip", 300, "/d/theirs.zip");
	is_int(statefile_save(&f, path, &err), 0, "merge: first process saves");
	fleet_free(&f);
	char *lock = path_join(tmp, "merge/state.json.lock");
	struct stat st;
	ok(stat(lock, &st) == 0 && (st.st_mode & 07777) == 0600, "merge: lock file beside it, 0600");
	free(lock);

	/* a process that learned nothing keeps the file's entry */
	one(&f, "crs-a", TIME_NONE, NULL, TIME_NONE, NULL);
	is_int(statefile_save(&f, path, &err), 0, "merge: a process with nothing saves");
	fleet_free(&f);
	one(&g, "crs-a", TIME_NONE, NULL, TIME_NONE, NULL);
	is_int(statefile_load(&g, path, &err), 0, "merge: reloaded");
	is_str(g.instances[0].st.ca_certs_from, "https://h/theirs.zip", "merge: nothing learned keeps theirs");
	fleet_free(&g);

	/* older on both counts (loaded long ago): theirs stays */
	one(&f, "crs-a", 100, "https://h/old.zip", 50, "/d/old.zip");
	is_int(statefile_save(&f, path, &err), 0, "merge: an older process saves");
	fleet_free(&f);
	one(&g, "crs-a", TIME_NONE, NULL, TIME_NONE, NULL);
	statefile_load(&g, path, &err);
	is_str(g.instances[0].st.ca_certs_from, "https://h/theirs.zip", "merge: newer certificates kept");
	is_str(g.instances[0].st.download ? g.instances[0].st.download->path : NULL, "/d/theirs.zip",
	       "merge: newer download kept");
	fleet_free(&g);

	/* newer certificates, older download: each part from its newer side */
	one(&f, "crs-a", 400, "https://h/ours.zip", 250, "/d/ours.zip");
	is_int(statefile_save(&f, path, &err), 0, "merge: newer certificates, older download");
	fleet_free(&f);
	one(&g, "crs-a", TIME_NONE, NULL, TIME_NONE, NULL);
	statefile_load(&g, path, &err);
	is_str(g.instances[0].st.ca_certs_from, "https://h/ours.zip", "merge: our newer certificates win");
	is_str(g.instances[0].st.download ? g.instances[0].st.download->path : NULL, "/d/theirs.zip",
	       "merge: their newer download stays");
	fleet_free(&g);

	/* a newer download dates the certificates with it */
	one(&f, "crs-a", TIME_NONE, "https://h/dl.zip", 500, "/d/new.zip");
	is_int(statefile_save(&f, path, &err), 0, "merge: a download saves");
	fleet_free(&f);
	one(&g, "crs-a", TIME_NONE, NULL, TIME_NONE, NULL);
	statefile_load(&g, path, &err);
	is_str(g.instances[0].st.ca_certs_from, "https://h/dl.zip", "merge: certificates of the newer download");
	is_str(g.instances[0].st.download ? g.instances[0].st.download->path : NULL, "/d/new.zip",
	       "merge: the newer download wins");
	fleet_free(&g);

	/* same name, another instance id: this process's instance wins */
	one(&f, "crs-other", 10, "https://h/replaced.zip", TIME_NONE, NULL);
	is_int(statefile_save(&f, path, &err), 0, "merge: a replaced instance saves");
	fleet_free(&f);
	one(&g, "crs-other", TIME_NONE, NULL, TIME_NONE, NULL);
	statefile_load(&g, path, &err);
	is_str(g.instances[0].st.ca_certs_from, "https://h/replaced.zip", "merge: the id of this config wins");
	fleet_free(&g);

	/* an entry written before refreshed_at was stored: dated by its download */
	spew(path, "{\"version\": 1, \"instances\": {\"A\": {\"instance_id\": \"crs-a\","
	           " \"ca_certs_from\": \"https://h/v0.zip\", \"ca_certs\": [], \"download\":"
	           " {\"path\": \"/d/v0.zip\", \"size\": 1, \"at\": \"2030-01-01T00:00:00Z\", \"sha256\":"
	           " \"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\"}}}}");
	one(&f, "crs-a", 1000, "https://h/older.zip", TIME_NONE, NULL);
	is_int(statefile_save(&f, path, &err), 0, "merge: over an old-format entry");
	fleet_free(&f);
	one(&g, "crs-a", TIME_NONE, NULL, TIME_NONE, NULL);
	is_int(statefile_load(&g, path, &err), 0, "merge: old-format entry still loads");
	is_str(g.instances[0].st.ca_certs_from, "https://h/v0.zip", "merge: old entry dated by its download");
	ok(g.instances[0].st.download && !g.instances[0].st.download->ca_pem &&
	   !g.instances[0].st.download->truststore, "merge: no ca_pem/truststore in an old entry: NULL");
	fleet_free(&g);
	free(path);
}

/* CHILDREN processes save into one file at once, each its own instance
 * plus a shared one whose newest download must win: nothing is lost. */
enum { CHILDREN = 20, SAVES = 5 };

static int child_saves(const char *path, int k)
{
	static const char *const shared[] = {"shared"};
	char *name = xasprintf("proc-%02d", k), *id = xasprintf("crs-%02d", k);
	const char *names[] = {name, shared[0]}, *ids[] = {id, "crs-shared"};
	struct fleet f;
	char *err = NULL;
	int bad = 0;

	for (int n = 0; n < SAVES; n++) {
		fleet_init(&f, 2, names, ids);
		f.instances[0].st.ca_certs_from = xasprintf("https://h/%s-%d.zip", name, n);
		f.instances[0].st.refreshed_at = 1000 + n;
		char *dl = xasprintf("/d/shared-by-%02d", k);
		f.instances[1].st.download = make_download(dl, 2000 + k);
		free(dl);
		if (statefile_save(&f, path, &err) != 0) {
			fprintf(stderr, "%s\n", err);
			free(err);
			err = NULL;
			bad = 1;
		}
		fleet_free(&f);
	}
	free(name);
	free(id);
	return bad;
}

static void test_concurrent(void)
{
	char *path = path_join(tmp, "concurrent/state.json");
	pid_t pids[CHILDREN];
	int failed = 0;

	fflush(stdout);
	for (int k = 0; k < CHILDREN; k++) {
		pids[k] = fork();
		if (pids[k] == 0)
			_exit(child_saves(path, k));
	}
	for (int k = 0; k < CHILDREN; k++) {
		int status;
		if (pids[k] < 0 || waitpid(pids[k], &status, 0) != pids[k] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	is_int(failed, 0, "20 processes saved 5 times each without an error");

	const char *names[CHILDREN + 1], *ids[CHILDREN + 1];
	char *owned[2 * CHILDREN];
	for (int k = 0; k < CHILDREN; k++) {
		names[k] = owned[2 * k] = xasprintf("proc-%02d", k);
		ids[k] = owned[2 * k + 1] = xasprintf("crs-%02d", k);
	}
	names[CHILDREN] = "shared";
	ids[CHILDREN] = "crs-shared";
	struct fleet g;
	char *err = NULL;
	fleet_init(&g, CHILDREN + 1, names, ids);
	is_int(statefile_load(&g, path, &err), 0, "the shared file loads");
	int kept = 0;
	for (int k = 0; k < CHILDREN; k++) {
		char *want = xasprintf("https://h/proc-%02d-%d.zip", k, SAVES - 1);
		if (g.instances[k].st.ca_certs_from && strcmp(g.instances[k].st.ca_certs_from, want) == 0)
			kept++;
		else
			diag("proc-%02d: %s", k, g.instances[k].st.ca_certs_from ? g.instances[k].st.ca_certs_from : "lost");
		free(want);
	}
	is_int(kept, CHILDREN, "every process's last entry is there");
	const struct download_info *d = g.instances[CHILDREN].st.download;
	is_str(d ? d->path : NULL, "/d/shared-by-19", "the shared instance has the newest download");
	char *dir = path_join(tmp, "concurrent");
	ok(!has_temp(dir), "no temporary file left");
	free(dir);
	fleet_free(&g);
	for (int i = 0; i < 2 * CHILDREN; i++)
		free(owned[i]);
	free(path);
}

/* The last probe survives a restart; a later probe from another process
 * wins the merge, an earlier one does not. */
static void test_probe(void)
{
	static const char *const names[] = {"p"};
	static const char *const ids[] = {"crs-p"};
	struct fleet f, g;
	char *err = NULL;
	char *path = path_join(tmp, "probe/state.json");
	char *dir = path_join(tmp, "probe");

	mkdir(dir, 0700);
	fleet_init(&f, 1, names, ids);
	struct probe_status *p = &f.instances[0].st.probe;
	p->result = PROBE_NAME_MISMATCH;
	p->at = 1767225600;
	p->host = xstrdup("127.0.0.1");
	p->port = 6380;
	p->verify_name = xstrdup("db.example.com");
	p->error = xstrdup("leaf does not name db.example.com");
	p->tls_version = xstrdup("TLSv1.3");
	p->leaf = xcalloc(1, sizeof(*p->leaf));
	p->leaf->subject = xstrdup("CN=localhost");
	p->leaf->issuer = xstrdup("CN=CA");
	p->leaf->not_before = TIME_NONE;
	p->leaf->not_after = 1798761600;
	memset(p->leaf->sha256, 'e', 64);
	p->leaf->san = xcalloc(2, sizeof(char *));
	p->leaf->san[0] = xstrdup("localhost");
	p->leaf->san[1] = xstrdup("127.0.0.1");
	p->leaf->n_san = 2;
	ok(statefile_save(&f, path, &err) == 0, "probe: saved");
	free(err);
	err = NULL;

	fleet_init(&g, 1, names, ids);
	ok(statefile_load(&g, path, &err) == 0, "probe: loaded");
	const struct probe_status *q = &g.instances[0].st.probe;
	ok(q->result == PROBE_NAME_MISMATCH && q->at == 1767225600 && q->port == 6380,
	   "probe: result, time and port back");
	is_str(q->host, "127.0.0.1", "probe: host back");
	is_str(q->verify_name, "db.example.com", "probe: verify name back");
	is_str(q->tls_version, "TLSv1.3", "probe: TLS version back");
	ok(q->leaf && q->leaf->not_after == 1798761600 && q->leaf->n_san == 2 &&
	   strcmp(q->leaf->san[1], "127.0.0.1") == 0 && q->leaf->sha256[63] == 'e',
	   "probe: leaf back with its SANs");

	/* another process probed later: its result survives our save */
	g.instances[0].st.probe.at = 1767225700;
	g.instances[0].st.probe.result = PROBE_OK;
	ok(statefile_save(&g, path, &err) == 0, "probe: the later probe saved");
	ok(statefile_save(&f, path, &err) == 0, "probe: an earlier probe saved after it");
	fleet_free(&g);
	fleet_init(&g, 1, names, ids);
	statefile_load(&g, path, &err);
	ok(g.instances[0].st.probe.result == PROBE_OK, "probe: the later probe wins the merge");
	free(err);
	fleet_free(&g);
	fleet_free(&f);
	free(path);
	free(dir);
}

int main(void)
{
	const char *tmpdir = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/tlsfleet-test-statefile-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");

	umask(022);
	if (!mkdtemp(tmpl)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 99;
	}
	tmp = realpath(tmpl, NULL);
	free(tmpl);

	test_statefile();
	test_merge();
	test_concurrent();
	test_probe();

	if (!getenv("TLSFLEET_KEEP_TMP"))
		rm_rf(tmp);
	free(tmp);
	return done_testing();
}
