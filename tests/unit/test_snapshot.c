/* The snapshot file: a round trip keeps what --list shows of an answer;
 * queries and secrets never reach the disk; an entry only fits the
 * instance it was written for; saves keep what another process wrote
 * (foreign names, newer answers) whether or not the file changed since
 * our last save; a damaged line costs only itself; the line cache never
 * writes an answer that was replaced; the keeper coalesces. */
#include "core/fleet.h"
#include "store/snapshot.h"
#include "core/xalloc.h"
#include "tap.h"
#include "testfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define T0 ((time_t)1790000000)

static struct account acc_a = {.name = "acc_a-a"}, acc_b = {.name = "acc_a-b"};

static void fleet_make(struct fleet *f, size_t n, const char *prefix)
{
	memset(f, 0, sizeof(*f));
	f->instances = xcalloc(n, sizeof(*f->instances));
	f->n_instances = n;
	for (size_t i = 0; i < n; i++) {
		struct instance *in = &f->instances[i];
		in->name = xasprintf("%s-%zu", prefix, i);
		in->id = xasprintf("id-%zu", i);
		in->account = &acc_a;
		in->index = i;
		in->warn_days = in->crit_days = in->require_tls = -1;
		instance_status_init(&in->st);
	}
}

static void fleet_drop(struct fleet *f)
{
	f->accounts = NULL;
	f->n_accounts = 0;
	fleet_free(f);
}

static void answer(struct instance *in, enum tls_state s, time_t at, const char *rid)
{
	struct instance_status *st = &in->st;

	st->state = s;
	st->refreshed_at = at;
	st->last_good_at = at;
	free(st->request_id);
	st->request_id = xstrdup(rid);
	st->latency_ms = 42;
	st->http_status = 200;
	free(st->cert_url);
	st->cert_url = xstrdup("https://files.example/ca.zip?X-Signature=s3cr3t&Expires=9");
	st->cert_url_expires = at + 3600;
	st->cert_expires_api = at + 400 * 86400;
	free(st->addr.host);
	st->addr.host = xstrdup("db.example");
	st->addr.port = 6379;
	cJSON_Delete(st->provider_status);
	st->provider_status = cJSON_Parse("{\"CertDownloadUrl\":\"https://files.example/ca.zip?token=s3cr3t\","
	                                  "\"Nested\":{\"L\":[\"http://x.example/a#frag\"]},\"SSLConfig\":true}");
}

int main(void)
{
	char tmpl[] = "/tmp/tlsfleet-snapshot-XXXXXX";
	if (!mkdtemp(tmpl)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	char *dir = realpath(tmpl, NULL);
	char *path = path_join(dir, "snapshot.json");
	struct fleet a, b;
	char *err = NULL;
	size_t loaded = 0;

	/* Round trip. */
	fleet_make(&a, 3, "inst");
	answer(&a.instances[0], STATE_ENABLED, T0, "rid-0");
	answer(&a.instances[1], STATE_DISABLED, T0 + 5, "rid-1");
	a.instances[1].st.error = api_error_new("SomeCode", "see https://docs.example/x?sig=abc", 400);
	ok(snapshot_save(&a, path, NULL, &err) == 0, "save%s%s", err ? ": " : "", err ? err : "");
	struct stat sb;
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "the file is 0600");
	char *text = slurp(path, NULL);
	ok(text && !strstr(text, "s3cr3t") && !strstr(text, "sig=abc") && !strstr(text, "#frag"),
	   "no URL query or fragment on disk");
	ok(text && strstr(text, "ca.zip?...") != NULL, "queries become ?...");
	ok(text && !strstr(text, "inst-2"), "an instance without an answer is not written");
	free(text);

	fleet_make(&b, 3, "inst");
	ok(snapshot_load(&b, path, &loaded, NULL, &err) == 0 && !err, "load");
	is_int((long long)loaded, 2, "two instances take their entry");
	struct instance_status *s0 = &b.instances[0].st, *s1 = &b.instances[1].st;
	ok(s0->state == STATE_ENABLED && s0->refreshed_at == T0 && s0->from_snapshot,
	   "state, time and the stale mark");
	ok(s0->addr.host && strcmp(s0->addr.host, "db.example") == 0 && s0->addr.port == 6379, "address");
	ok(s0->cert_expires_api == T0 + 400 * 86400 && s0->latency_ms == 42 && s0->http_status == 200,
	   "expiry, latency, HTTP status");
	ok(s0->provider_status && cJSON_GetObjectItem(s0->provider_status, "SSLConfig"), "provider status");
	ok(s1->state == STATE_DISABLED && s1->error && strcmp(s1->error->code, "SomeCode") == 0 &&
	   s1->error->http_status == 400, "the error object");
	ok(b.instances[2].st.state == STATE_UNKNOWN && !b.instances[2].st.from_snapshot,
	   "an instance without an entry stays unknown");
	fleet_drop(&b);

	/* Only the instance it was written for. */
	fleet_make(&b, 3, "inst");
	free(b.instances[0].id);
	b.instances[0].id = xstrdup("id-replaced");
	b.instances[1].account = &acc_b;
	snapshot_load(&b, path, &loaded, NULL, &err);
	is_int((long long)loaded, 0, "another instance id or account: no entry taken");
	fleet_drop(&b);

	/* Another process's entries survive our saves. */
	struct fleet c;
	fleet_make(&c, 2, "other");
	answer(&c.instances[0], STATE_ENABLED, T0, "rid-c");
	ok(snapshot_save(&c, path, NULL, &err) == 0, "a second fleet saves into the same file");
	fleet_make(&b, 3, "inst");
	snapshot_load(&b, path, &loaded, NULL, &err);
	is_int((long long)loaded, 2, "and the first fleet's entries are still there");
	fleet_drop(&b);

	struct snapshot_mark m = {0};
	answer(&a.instances[0], STATE_ENABLED, T0 + 100, "rid-0b");
	ok(snapshot_save(&a, path, &m, &err) == 0 && m.set, "save with a mark");
	answer(&c.instances[1], STATE_ERROR, T0 + 200, "rid-c1");
	snapshot_save(&c, path, NULL, &err);   /* the other process writes in between */
	answer(&a.instances[2], STATE_ENABLED, T0 + 150, "rid-2");
	ok(snapshot_save(&a, path, &m, &err) == 0, "save after the other process wrote");
	text = slurp(path, NULL);
	ok(text && strstr(text, "\"other-1\"") && strstr(text, "\"other-0\""),
	   "the other process's new entry is kept (the file was read again)");
	ok(text && strstr(text, "rid-0b") && strstr(text, "rid-2"), "ours are written");
	free(text);
	answer(&a.instances[1], STATE_ENABLED, T0 + 300, "rid-1b");
	ok(snapshot_save(&a, path, &m, &err) == 0, "save with the file unchanged since ours");
	text = slurp(path, NULL);
	ok(text && strstr(text, "\"other-1\"") && strstr(text, "\"other-0\""),
	   "unchanged file: foreign entries still kept without a re-read");
	ok(text && strstr(text, "rid-1b") && !strstr(text, "\"rid-1\""),
	   "the line cache writes the new answer, not the old one");
	free(text);

	/* A newer answer from elsewhere for one of our names wins. */
	struct fleet d;
	fleet_make(&d, 3, "inst");
	answer(&d.instances[0], STATE_DISABLED, T0 + 1000, "rid-newer");
	snapshot_save(&d, path, NULL, &err);
	fleet_drop(&d);
	snapshot_save(&a, path, &m, &err);
	text = slurp(path, NULL);
	ok(text && strstr(text, "rid-newer") && !strstr(text, "rid-0b"),
	   "another process's newer answer for our instance is kept over ours");
	free(text);

	/* A damaged line costs only itself. */
	FILE *fp = fopen(path, "a");
	fputs("{\"name\": \"inst-0\", \"state\": \n", fp);
	fclose(fp);
	fleet_make(&b, 3, "inst");
	ok(snapshot_load(&b, path, &loaded, &m, &err) == 0 && err && strstr(err, "1 damaged line"),
	   "a damaged line is reported: %s", err ? err : "(none)");
	free(err);
	err = NULL;
	is_int((long long)loaded, 3, "the others still load");
	fleet_drop(&b);
	spew(path, "not a snapshot\n");
	fleet_make(&b, 1, "inst");
	ok(snapshot_load(&b, path, &loaded, NULL, &err) == 0 && err && loaded == 0,
	   "a foreign file is ignored with a warning");
	free(err);
	err = NULL;
	fleet_drop(&b);
	unlink(path);
	fleet_make(&b, 1, "inst");
	ok(snapshot_load(&b, path, &loaded, NULL, &err) == 0 && !err && loaded == 0,
	   "no file: nothing loaded, no error");
	fleet_drop(&b);
	snapshot_mark_free(&m);

	/* The keeper: nothing due until marked, then at most once a second. */
	struct snapshot_keeper k;
	snapshot_keeper_init(&k, &a, path);
	is_int(snapshot_keeper_due_ms(&k, 10000), -1, "nothing to save: nothing due");
	snapshot_keeper_mark(&k);
	is_int(snapshot_keeper_due_ms(&k, 10000), 0, "marked: due now");
	ok(snapshot_keeper_tick(&k, 10000) == NULL && exists(path), "the tick saves");
	snapshot_keeper_mark(&k);
	long due = snapshot_keeper_due_ms(&k, 10200);
	ok(due >= 700 && due <= 800, "marked again 200 ms later: due in %ld ms (one second apart)", due);
	ok(snapshot_keeper_tick(&k, 10200) == NULL, "an early tick does nothing");
	is_int(snapshot_keeper_due_ms(&k, 10200) > 0, 1, "and it is still due later");
	ok(snapshot_keeper_flush(&k, 10300) == NULL && snapshot_keeper_due_ms(&k, 10300) == -1,
	   "flush saves what waits");
	snapshot_keeper_free(&k);

	fleet_drop(&a);
	fleet_drop(&c);
	rm_rf(dir);
	free(path);
	free(dir);
	return done_testing();
}
