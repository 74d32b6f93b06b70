/* The snapshot file (store/snapshot.h). Line 1 is {"tlsfleet_snapshot":1};
 * every further line one instance. Times are integer seconds since the
 * epoch: the file is read back by this program only, and integers parse
 * without a date parser per field. */
#include "store/snapshot.h"
#include "core/jsonprint.h"
#include "store/safefile.h"
#include "store/statefile.h"
#include "core/paths.h"
#include "core/strbuf.h"
#include "core/textsafe.h"
#include "core/xalloc.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SNAPSHOT_VERSION 1
#define SNAPSHOT_NAME "snapshot.json"
#define SNAPSHOT_MAX_BYTES (1024L * 1024 * 1024)   /* sanity, not a quota */

char *snapshot_path(void)
{
	return paths_xdg("XDG_STATE_HOME", ".local/state", "tlsfleet/" SNAPSHOT_NAME);
}

/* ---- writing ------------------------------------------------------------ */

/* An entry is printed straight from the model, compact, in the order and
 * with the types cJSON_PrintUnformatted gave a tree of it: building that
 * tree and printing it was 51k instructions per instance, an eighth of a
 * 10k `--list` (callgrind). */
static void put_key(struct strbuf *sb, const char *key)
{
	if (sb->len && sb->buf[sb->len - 1] != '{')
		strbuf_addc(sb, ',');
	jsonprint_string(sb, key);
	strbuf_addc(sb, ':');
}

static void put_str(struct strbuf *sb, const char *key, const char *s)
{
	put_key(sb, key);
	if (s)
		jsonprint_string(sb, s);
	else
		strbuf_adds(sb, "null");
}

static void put_time(struct strbuf *sb, const char *key, time_t t)
{
	put_key(sb, key);
	if (t == TIME_NONE)
		strbuf_adds(sb, "null");
	else
		strbuf_addf(sb, "%lld", (long long)t);
}

static void put_long(struct strbuf *sb, const char *key, long long v)
{
	put_key(sb, key);
	strbuf_addf(sb, "%lld", v);
}

/* Every string that carries a URL query loses it: presigned links in a
 * provider's answer are bearer tokens. */
static char *redact_value(const char *s)
{
	if (!strstr(s, "://") || !strpbrk(s, "?#"))
		return NULL;
	return textsafe_redact_url(s);
}

static void entry_print(struct strbuf *sb, const struct instance *in)
{
	const struct instance_status *st = &in->st;

	strbuf_addc(sb, '{');
	put_str(sb, "name", in->name);
	put_str(sb, "account", in->account ? in->account->name : NULL);
	put_str(sb, "instance_id", in->id);
	put_str(sb, "state", state_name(st->state));
	char *u = st->cert_url ? textsafe_redact_url(st->cert_url) : NULL;
	put_str(sb, "cert_url", u);
	free(u);
	put_time(sb, "cert_url_expires", st->cert_url_expires);
	put_time(sb, "cert_expires_api", st->cert_expires_api);
	put_key(sb, "address");
	strbuf_addc(sb, '{');
	put_str(sb, "host", st->addr.host);
	put_str(sb, "ip", st->addr.ip);
	put_str(sb, "ipv6", st->addr.ipv6);
	put_str(sb, "domain", st->addr.domain);
	if (st->addr.port >= 0)
		put_long(sb, "port", st->addr.port);
	else
		put_str(sb, "port", NULL);
	strbuf_addc(sb, '}');
	put_key(sb, "provider_status");
	size_t before = sb->len;
	if (!st->provider_status || jsonprint_append_compact(sb, st->provider_status, redact_value) != 0) {
		/* a tree cJSON itself would not print (never from a parse) */
		sb->len = before;
		sb->buf[before] = '\0';
		strbuf_adds(sb, "null");
	}
	if (st->error) {
		put_key(sb, "error");
		strbuf_addc(sb, '{');
		put_str(sb, "code", st->error->code);
		char *m = st->error->message ? textsafe_redact_urls(st->error->message) : NULL;
		put_str(sb, "message", m);
		free(m);
		put_long(sb, "http_status", st->error->http_status);
		strbuf_addc(sb, '}');
	} else {
		put_str(sb, "error", NULL);
	}
	put_long(sb, "http_status", st->http_status);
	put_str(sb, "request_id", st->request_id);
	put_long(sb, "latency_ms", st->latency_ms);
	put_time(sb, "refreshed_at", st->refreshed_at);
	put_time(sb, "last_good_at", st->last_good_at);
	strbuf_addc(sb, '}');
}

/* ---- reading ------------------------------------------------------------ */

static int read_all(int fd, char **out, size_t *len, const char *path, char **err)
{
	struct stat sb;
	char *buf;
	size_t n = 0;

	if (fstat(fd, &sb) != 0 || sb.st_size > SNAPSHOT_MAX_BYTES) {
		*err = xasprintf("snapshot %s: %s", path, sb.st_size > SNAPSHOT_MAX_BYTES ? "too large" :
		                 strerror(errno));
		return -1;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	while (n < (size_t)sb.st_size) {
		ssize_t got = read(fd, buf + n, (size_t)sb.st_size - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*err = xasprintf("cannot read snapshot %s: %s", path, strerror(errno));
			free(buf);
			return -1;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static const char *get_str(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(j) ? j->valuestring : NULL;
}

static char *dup_str(const cJSON *o, const char *key)
{
	const char *s = get_str(o, key);

	return s ? xstrdup(s) : NULL;
}

static time_t get_time(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	/* a damaged file's 1e300 must not reach a cast (undefined) */
	return cJSON_IsNumber(j) && fabs(j->valuedouble) < 1e15 ? (time_t)j->valuedouble : TIME_NONE;
}

static long get_long(const cJSON *o, const char *key, long dflt)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(j) && fabs(j->valuedouble) < 1e15 ? (long)j->valuedouble : dflt;
}

static bool same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* The instance an entry belongs to: same name, account and instance id, so
 * a renamed or replaced instance never shows another's state. */
static struct instance *owner(struct fleet *f, const struct fleet_name *refs, const cJSON *e)
{
	const char *name = get_str(e, "name");
	long i = name ? fleet_names_find(refs, f->n_instances, name) : -1;

	if (i < 0)
		return NULL;
	struct instance *in = &f->instances[i];
	if (!same(get_str(e, "instance_id"), in->id) ||
	    !same(get_str(e, "account"), in->account ? in->account->name : NULL))
		return NULL;
	return in;
}

static bool apply_entry(struct instance *in, cJSON *e)
{
	struct instance_status *st = &in->st;
	enum tls_state state;
	const char *sn = get_str(e, "state");
	time_t refreshed = get_time(e, "refreshed_at");

	if (!sn || !state_from_name(sn, &state) || refreshed == TIME_NONE)
		return false;
	st->state = state;
	free(st->cert_url);
	st->cert_url = dup_str(e, "cert_url");
	st->cert_url_expires = get_time(e, "cert_url_expires");
	st->cert_expires_api = get_time(e, "cert_expires_api");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "address");
	address_free(&st->addr);
	st->addr.host = dup_str(a, "host");
	st->addr.ip = dup_str(a, "ip");
	st->addr.ipv6 = dup_str(a, "ipv6");
	st->addr.domain = dup_str(a, "domain");
	st->addr.port = (int)get_long(a, "port", -1);
	cJSON_Delete(st->provider_status);
	st->provider_status = NULL;
	cJSON *ps = cJSON_DetachItemFromObjectCaseSensitive(e, "provider_status");
	if (cJSON_IsObject(ps))
		st->provider_status = ps;
	else
		cJSON_Delete(ps);
	api_error_free(st->error);
	st->error = NULL;
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(e, "error");
	if (cJSON_IsObject(err) && get_str(err, "code"))
		st->error = api_error_new(get_str(err, "code"), get_str(err, "message"),
		                          (int)get_long(err, "http_status", 0));
	st->http_status = (int)get_long(e, "http_status", 0);
	free(st->request_id);
	st->request_id = dup_str(e, "request_id");
	st->latency_ms = get_long(e, "latency_ms", -1);
	st->refreshed_at = refreshed;
	st->last_good_at = get_time(e, "last_good_at");
	st->from_snapshot = true;
	return true;
}

/* Calls fn for every entry line after the header; false when the header
 * is not ours. */
static bool each_line(char *text, void (*fn)(cJSON *e, const char *line, size_t len, void *ud),
                      void *ud, size_t *bad)
{
	char *p = text, *nl = strchr(p, '\n');
	cJSON *head = nl ? cJSON_ParseWithLength(p, (size_t)(nl - p)) : NULL;
	bool ours = cJSON_IsObject(head) &&
	            get_long(head, "tlsfleet_snapshot", 0) == SNAPSHOT_VERSION;

	cJSON_Delete(head);
	if (!ours)
		return false;
	for (p = nl + 1; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);   /* a last line cut short: parsed and rejected */
		cJSON *e = cJSON_ParseWithLength(p, (size_t)(nl - p));
		if (cJSON_IsObject(e))
			fn(e, p, (size_t)(nl - p), ud);
		else if (nl > p)
			(*bad)++;
		cJSON_Delete(e);
		if (!*nl)
			break;
	}
	return true;
}

/* The per-instance arrays (their lines, times, our line cache). */
static void mark_lines_free(struct snapshot_mark *m)
{
	for (size_t i = 0; m->their_line && i < m->n; i++) {
		free(m->their_line[i]);
		free(m->lines[i].text);
	}
	free(m->their_line);
	free(m->their_time);
	free(m->lines);
}

static void mark_size(struct snapshot_mark *m, size_t n)
{
	if (m->their_line && m->n == n)
		return;
	mark_lines_free(m);
	m->n = n;
	m->their_line = xcalloc(n + 1, sizeof(*m->their_line));
	m->their_time = xcalloc(n + 1, sizeof(*m->their_time));
	m->lines = xcalloc(n + 1, sizeof(*m->lines));
}

/* What a save learns from the file (foreign lines, newer entries of ours)
 * is dropped; the cache of our own lines stays. */
static void mark_forget_file(struct snapshot_mark *m)
{
	for (size_t i = 0; m->their_line && i < m->n; i++) {
		free(m->their_line[i]);
		m->their_line[i] = NULL;
		m->their_time[i] = TIME_NONE;
	}
	free(m->foreign);
	m->foreign = NULL;
	m->foreign_len = 0;
	m->set = false;
}

static bool line_current(const struct snapshot_line *l, const struct instance *in)
{
	return l->text && l->at == in->st.refreshed_at && l->rid == in->st.request_id &&
	       l->latency == in->st.latency_ms && l->state == (int)in->st.state;
}

static void line_keep(struct snapshot_line *l, const struct instance *in, char *text)
{
	free(l->text);
	l->text = text;
	l->at = in->st.refreshed_at;
	l->rid = in->st.request_id;
	l->latency = in->st.latency_ms;
	l->state = (int)in->st.state;
}

static void note_stat(struct snapshot_mark *m, const struct stat *sb)
{
	m->set = true;
	m->dev = sb->st_dev;
	m->ino = sb->st_ino;
	m->size = sb->st_size;
	m->mtime_ns = (long long)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec;
}

struct load_ctx {
	struct fleet *f;
	const struct fleet_name *refs;
	struct snapshot_mark *m;
	struct strbuf foreign;
	size_t loaded;
};

static void load_one(cJSON *e, const char *line, size_t len, void *ud)
{
	struct load_ctx *c = ud;
	struct instance *in = owner(c->f, c->refs, e);
	const char *name = get_str(e, "name");
	long i = name ? fleet_names_find(c->refs, c->f->n_instances, name) : -1;

	/* What this run already learned is newer than any file. */
	if (in && in->st.refreshed_at == TIME_NONE && apply_entry(in, e)) {
		c->loaded++;
		if (c->m)
			line_keep(&c->m->lines[in - c->f->instances], in, xstrndup(line, len));
		return;
	}
	if (!c->m)
		return;
	if (i < 0) {
		strbuf_add(&c->foreign, line, len);
		strbuf_addc(&c->foreign, '\n');
	} else if (!c->m->their_line[i] && get_time(e, "refreshed_at") != TIME_NONE) {
		/* Another instance under one of our names (replaced, another
		 * account): kept until ours answers. */
		c->m->their_line[i] = xstrndup(line, len);
		c->m->their_time[i] = get_time(e, "refreshed_at");
	}
}

int snapshot_load(struct fleet *f, const char *path, size_t *loaded, struct snapshot_mark *m,
                  char **err)
{
	char *text = NULL;
	size_t len = 0, bad = 0;
	struct stat sb;
	int fd;

	if (loaded)
		*loaded = 0;
	if (!path)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		*err = xasprintf("cannot read snapshot %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || read_all(fd, &text, &len, path, err) != 0) {
		if (!*err)
			*err = xasprintf("cannot read snapshot %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (m) {
		mark_size(m, f->n_instances);
		mark_forget_file(m);
	}
	struct load_ctx c = {f, fleet_names_index(f), m, {0}, 0};
	if (!each_line(text, load_one, &c, &bad)) {
		*err = xasprintf("snapshot %s is not a tlsfleet snapshot: ignored", path);
	} else {
		if (bad)
			*err = xasprintf("snapshot %s: %zu damaged line%s skipped", path, bad,
			                 bad == 1 ? "" : "s");
		/* The file as read is what the next save would find, unless
		 * someone writes in between (then its identity changes). */
		if (m && !bad) {
			note_stat(m, &sb);
			m->foreign_len = c.foreign.len;
			m->foreign = strbuf_steal(&c.foreign);
		}
	}
	strbuf_free(&c.foreign);
	if (loaded)
		*loaded = c.loaded;
	free((void *)c.refs);
	free(text);
	return 0;
}

/* ---- saving ------------------------------------------------------------- */

void snapshot_mark_free(struct snapshot_mark *m)
{
	if (!m)
		return;
	mark_lines_free(m);
	free(m->foreign);
	memset(m, 0, sizeof(*m));
}

struct merge_ctx {
	const struct fleet *f;
	const struct fleet_name *refs;
	struct snapshot_mark *m;
	struct strbuf foreign;
};

/* Entries of names this fleet lacks stay as they are; for a name we have,
 * the file's entry is remembered with its time and wins over ours when it
 * was refreshed later (another process answered since). */
static void merge_one(cJSON *e, const char *line, size_t len, void *ud)
{
	struct merge_ctx *c = ud;
	const char *name = get_str(e, "name");
	long i = name ? fleet_names_find(c->refs, c->f->n_instances, name) : -1;

	if (i < 0) {
		strbuf_add(&c->foreign, line, len);
		strbuf_addc(&c->foreign, '\n');
		return;
	}
	time_t theirs = get_time(e, "refreshed_at");
	if (theirs == TIME_NONE || c->m->their_line[i])
		return;
	c->m->their_line[i] = xstrndup(line, len);
	c->m->their_time[i] = theirs;
}

static bool unchanged(const struct snapshot_mark *m, const struct stat *sb)
{
	return m->set && m->dev == sb->st_dev && m->ino == sb->st_ino && m->size == sb->st_size &&
	       m->mtime_ns == (long long)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec;
}

static void remember(struct snapshot_mark *m, int dirfd, const char *name)
{
	struct stat sb;

	m->set = false;
	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		note_stat(m, &sb);
}

/* Read the file as it is now into m (under the lock). */
static void reread(const struct fleet *f, struct snapshot_mark *m, int fd, const char *path)
{
	char *text = NULL, *rerr = NULL;
	size_t len, bad = 0;
	struct fleet_name *refs;

	mark_size(m, f->n_instances);
	mark_forget_file(m);
	if (fd < 0 || read_all(fd, &text, &len, path, &rerr) != 0) {
		free(rerr);   /* unreadable: ours replaces it */
		return;
	}
	refs = fleet_names_index(f);
	struct merge_ctx c = {f, refs, m, {0}};
	each_line(text, merge_one, &c, &bad);   /* not a snapshot: overwritten */
	m->foreign_len = c.foreign.len;
	m->foreign = strbuf_steal(&c.foreign);
	free(refs);
	free(text);
}

static void split_path(const char *path, char **dir, char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*dir = xstrdup(".");
		*base = xstrdup(path);
	} else {
		*dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
		*base = xstrdup(slash + 1);
	}
}

int snapshot_save(const struct fleet *f, const char *path, struct snapshot_mark *mark, char **err)
{
	struct safedir d = {.fd = -1};
	struct safefile_tmp tmp = {0};
	struct strbuf out = {0}, entry = {0};
	struct snapshot_mark own = {0};
	struct snapshot_mark *m = mark ? mark : &own;
	char *dir = NULL, *base = NULL;
	int lock = -1, rc = -1;

	if (!path || !*path) {
		*err = xstrdup("no snapshot path (HOME is not set)");
		return -1;
	}
	split_path(path, &dir, &base);
	if (safedir_open(&d, dir, NULL, err) != 0 || (lock = statefile_lock(&d, err)) < 0)
		goto out;

	/* Under the lock: parse the file only if someone else wrote it since
	 * our last save (a dashboard and a cron --list share it). */
	int fd = openat(d.fd, base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;
	bool same_file = fd >= 0 && fstat(fd, &sb) == 0 && m->their_line && m->n == f->n_instances &&
	                 unchanged(m, &sb);
	if (!same_file)
		reread(f, m, fd, path);
	if (fd >= 0)
		close(fd);

	/* One allocation for the whole text: 100k lines are ~60 MB, and
	 * growing by doubling would copy them several times. */
	size_t need = 64 + m->foreign_len;
	for (size_t i = 0; i < f->n_instances; i++)
		need += m->lines[i].text ? strlen(m->lines[i].text) + 1 : 1024;
	strbuf_grow(&out, need);
	strbuf_addf(&out, "{\"tlsfleet_snapshot\":%d}\n", SNAPSHOT_VERSION);
	if (m->foreign)
		strbuf_add(&out, m->foreign, m->foreign_len);
	for (size_t i = 0; i < f->n_instances; i++) {
		const struct instance *in = &f->instances[i];
		time_t ours = in->st.refreshed_at;
		if (m->their_line[i] && (ours == TIME_NONE || m->their_time[i] > ours)) {
			strbuf_adds(&out, m->their_line[i]);
			strbuf_addc(&out, '\n');
			continue;
		}
		if (ours == TIME_NONE)
			continue;
		struct snapshot_line *l = &m->lines[i];
		if (!line_current(l, in)) {
			strbuf_reset(&entry);
			entry_print(&entry, in);
			line_keep(l, in, xstrdup(strbuf_str(&entry)));
		}
		strbuf_adds(&out, l->text);
		strbuf_addc(&out, '\n');
	}
	if (safefile_stage(&d, base, strbuf_str(&out), out.len, 0600, &tmp, err) != 0 ||
	    safefile_commit(&d, &tmp, err) != 0) {
		m->set = false;
		goto out;
	}
	remember(m, d.fd, base);
	rc = 0;
out:
	safefile_abort(&d, &tmp);
	if (lock >= 0)
		close(lock);
	safedir_close(&d);
	snapshot_mark_free(&own);
	strbuf_free(&out);
	strbuf_free(&entry);
	free(dir);
	free(base);
	return rc;
}

/* ---- the keeper --------------------------------------------------------- */

static long long mono_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void snapshot_keeper_init(struct snapshot_keeper *k, const struct fleet *f, const char *path)
{
	memset(k, 0, sizeof(*k));
	k->f = f;
	k->path = path ? xstrdup(path) : NULL;
	k->gap_ms = SNAPSHOT_MIN_GAP_MS;
	k->last_ms = -SNAPSHOT_MIN_GAP_MS;
}

void snapshot_keeper_free(struct snapshot_keeper *k)
{
	snapshot_mark_free(&k->mark);
	free(k->path);
	free(k->last_err);
	memset(k, 0, sizeof(*k));
}

void snapshot_keeper_mark(struct snapshot_keeper *k)
{
	if (k && k->path)
		k->dirty = true;
}

void snapshot_keeper_fleet_changed(struct snapshot_keeper *k)
{
	if (!k)
		return;
	snapshot_mark_free(&k->mark);
	snapshot_keeper_mark(k);
}

long snapshot_keeper_due_ms(const struct snapshot_keeper *k, long long now_ms)
{
	if (!k || !k->path || !k->dirty)
		return -1;
	long long due = k->last_ms + k->gap_ms - now_ms;
	return due < 0 ? 0 : (long)due;
}

static char *save_now(struct snapshot_keeper *k, long long now_ms)
{
	char *err = NULL;
	long long t0 = mono_now_ms();
	int rc = snapshot_save(k->f, k->path, &k->mark, &err);
	long long took = mono_now_ms() - t0;

	k->dirty = false;
	k->last_ms = now_ms;
	k->gap_ms = took * 10 > SNAPSHOT_MIN_GAP_MS ? took * 10 : SNAPSHOT_MIN_GAP_MS;
	if (rc == 0) {
		free(k->last_err);
		k->last_err = NULL;
		return NULL;
	}
	/* Report a failure once, not every second while the disk is full. */
	if (k->last_err && strcmp(k->last_err, err) == 0) {
		free(err);
		return NULL;
	}
	free(k->last_err);
	k->last_err = xstrdup(err);
	return err;
}

char *snapshot_keeper_tick(struct snapshot_keeper *k, long long now_ms)
{
	if (snapshot_keeper_due_ms(k, now_ms) != 0)
		return NULL;
	return save_now(k, now_ms);
}

char *snapshot_keeper_flush(struct snapshot_keeper *k, long long now_ms)
{
	if (!k || !k->path || !k->dirty)
		return NULL;
	return save_now(k, now_ms);
}
