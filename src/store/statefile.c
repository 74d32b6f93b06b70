/* The state file: what was learned from CA files, kept across runs.
 *
 * An entry belongs to an instance by name AND provider instance id, so an
 * instance that was renamed or replaced never inherits stale certificates.
 *
 * Several processes share the file (a dashboard left open, a cron
 * --download, a second config). A save takes an exclusive flock on
 * "<file>.lock" beside it, re-reads the file as it is now, merges and
 * replaces it atomically, so no save drops what another one wrote:
 * entries of names this fleet does not have are kept as they are; for a
 * name both have (same instance id), the certificates come from whichever
 * side learned them later ("refreshed_at") and the download from whichever
 * downloaded later ("download.at"). Ties go to this process. The lock file
 * is never removed: unlinking it would let two savers lock different
 * files.
 *
 * Nothing secret is stored: the URL loses its query before it gets here
 * and again on the way out. */
#include "store/statefile.h"
#include "store/safefile.h"
#include "core/paths.h"
#include "core/timefmt.h"
#include "core/probe_json.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATEFILE_VERSION 1
#define STATEFILE_MAX_BYTES (256L * 1024 * 1024)   /* sanity, not a quota */

char *statefile_path(void)
{
	return paths_xdg("XDG_STATE_HOME", ".local/state", "tlsfleet/state.json");
}

/* ---- load ------------------------------------------------------------- */

/* 0 with the whole file, 1 when it does not exist, -1 with *err. */
static int read_file(const char *path, char **out, size_t *len, char **err)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!fp) {
		if (errno == ENOENT)
			return 1;
		*err = xasprintf("cannot read state file %s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 16384;
			buf = xrealloc(buf, cap + 1);
		}
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
		if (n > (size_t)STATEFILE_MAX_BYTES) {
			fclose(fp);
			free(buf);
			*err = xasprintf("state file %s is too large", path);
			return -1;
		}
	}
	if (ferror(fp)) {
		*err = xasprintf("cannot read state file %s: %s", path, strerror(errno));
		fclose(fp);
		free(buf);
		return -1;
	}
	fclose(fp);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static bool is_sha256_hex(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static const char *get_string(const cJSON *obj, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(j) ? j->valuestring : NULL;
}

/* A time field: ISO string, or null/absent for TIME_NONE. */
static bool get_time(const cJSON *obj, const char *key, time_t *out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = TIME_NONE;
	if (!j || cJSON_IsNull(j))
		return true;
	return cJSON_IsString(j) && timefmt_parse_iso8601(j->valuestring, out);
}

/* An optional absolute path: absent or null gives NULL. */
static bool get_abs_path(const cJSON *obj, const char *key, const char **out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!j || cJSON_IsNull(j))
		return true;
	if (!cJSON_IsString(j) || j->valuestring[0] != '/')
		return false;
	*out = j->valuestring;
	return true;
}

static bool parse_certs(const cJSON *arr, struct cert_summary **out, size_t *n_out)
{
	size_t n = (size_t)cJSON_GetArraySize(arr);
	struct cert_summary *c = n ? xcalloc(n, sizeof(*c)) : NULL;
	size_t i = 0;
	const cJSON *item;

	cJSON_ArrayForEach(item, arr) {
		const char *subject = get_string(item, "subject");
		const char *issuer = get_string(item, "issuer");
		const char *sha = get_string(item, "sha256");

		if (!cJSON_IsObject(item) || !subject || !issuer || !is_sha256_hex(sha) ||
		    !get_time(item, "not_before", &c[i].not_before) ||
		    !get_time(item, "not_after", &c[i].not_after)) {
			cert_summaries_free(c, i);
			return false;
		}
		c[i].subject = xstrdup(subject);
		c[i].issuer = xstrdup(issuer);
		memcpy(c[i].sha256, sha, 65);
		i++;
	}
	*out = c;
	*n_out = i;
	return true;
}

static bool parse_download(const cJSON *j, struct download_info **out)
{
	*out = NULL;
	if (!j || cJSON_IsNull(j))
		return true;

	const char *path = get_string(j, "path");
	const char *sha = get_string(j, "sha256");
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(j, "size");
	time_t at;

	/* size must fit a long long exactly (converting a larger double is
	 * undefined, and 1e300 came back as a negative size): 2^53 is the
	 * largest integer every double below it represents exactly. */
	if (!cJSON_IsObject(j) || !path || path[0] != '/' || !is_sha256_hex(sha) ||
	    !cJSON_IsNumber(size) || !(size->valuedouble >= 0 && size->valuedouble <= 9007199254740992.0) ||
	    !get_time(j, "at", &at))
		return false;
	/* absent in files from before they were recorded */
	const char *ca_pem = NULL, *truststore = NULL;
	if (!get_abs_path(j, "ca_pem", &ca_pem) || !get_abs_path(j, "truststore", &truststore))
		return false;
	struct download_info *d = xcalloc(1, sizeof(*d));
	d->path = xstrdup(path);
	d->ca_pem = ca_pem ? xstrdup(ca_pem) : NULL;
	d->truststore = truststore ? xstrdup(truststore) : NULL;
	d->size = (long long)size->valuedouble;
	memcpy(d->sha256, sha, 65);
	d->at = at;
	*out = d;
	return true;
}

/* Fill in from entry e; false (instance untouched) when e is malformed. */
static bool load_entry(struct instance *in, const cJSON *e)
{
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(e, "ca_certs_from");
	const cJSON *certs = cJSON_GetObjectItemCaseSensitive(e, "ca_certs");
	struct cert_summary *c = NULL;
	size_t n = 0;
	struct download_info *d = NULL;

	if ((from && !cJSON_IsNull(from) && !cJSON_IsString(from)) ||
	    (certs && !cJSON_IsNull(certs) && !cJSON_IsArray(certs)))
		return false;
	if (cJSON_IsArray(certs) && !parse_certs(certs, &c, &n))
		return false;
	if (!parse_download(cJSON_GetObjectItemCaseSensitive(e, "download"), &d)) {
		cert_summaries_free(c, n);
		return false;
	}
	/* A probe this version cannot read (a newer result name, a damaged
	 * leaf) is dropped alone: the certificates and the download stay. */
	struct probe_status probe = {.result = PROBE_NONE};
	if (!probe_status_from_json(cJSON_GetObjectItemCaseSensitive(e, "probe"), &probe))
		probe.result = PROBE_NONE;

	struct instance_status *st = &in->st;
	cert_summaries_free(st->ca_certs, st->n_ca_certs);
	st->ca_certs = c;
	st->n_ca_certs = n;
	free(st->ca_certs_from);
	st->ca_certs_from = cJSON_IsString(from) ? xstrndup(from->valuestring,
	                                                    strcspn(from->valuestring, "?#")) : NULL;
	download_info_free(st->download);
	st->download = d;
	probe_status_clear(&st->probe);
	st->probe = probe;
	return true;
}

int statefile_load(struct fleet *f, const char *path, char **err)
{
	char *text = NULL;
	size_t len = 0;
	int rc = read_file(path, &text, &len, err);

	if (rc != 0)
		return rc > 0 ? 0 : -1;

	cJSON *root = cJSON_ParseWithLength(text, len);
	free(text);
	if (!root) {
		*err = xasprintf("state file %s is not valid JSON; ignoring it", path);
		return -1;
	}
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
	const cJSON *insts = cJSON_GetObjectItemCaseSensitive(root, "instances");
	if (!cJSON_IsObject(root) || !cJSON_IsNumber(ver) || !cJSON_IsObject(insts)) {
		*err = xasprintf("state file %s is not a tlsfleet state file; ignoring it", path);
		cJSON_Delete(root);
		return -1;
	}
	if (ver->valuedouble != STATEFILE_VERSION) {
		*err = xasprintf("state file %s has version %g, expected %d; ignoring it",
		                 path, ver->valuedouble, STATEFILE_VERSION);
		cJSON_Delete(root);
		return -1;
	}

	/* Good entries are used even when another one is damaged. */
	struct fleet_name *refs = fleet_names_index(f);
	bool *done = xcalloc(f->n_instances ? f->n_instances : 1, sizeof(*done));
	char *bad = NULL;
	const cJSON *e;
	cJSON_ArrayForEach(e, insts) {
		long i = e->string ? fleet_names_find(refs, f->n_instances, e->string) : -1;
		const char *id;

		if (i < 0 || done[i])
			continue;   /* another config's instance, or a duplicate key */
		done[i] = true;
		struct instance *in = &f->instances[i];
		if (!cJSON_IsObject(e) || !(id = get_string(e, "instance_id"))) {
			if (!bad)
				bad = xstrdup(in->name);
			continue;
		}
		if (!in->id || strcmp(id, in->id) != 0)
			continue;       /* renamed or replaced: not this instance's data */
		if (!load_entry(in, e) && !bad)
			bad = xstrdup(in->name);
	}
	free(done);
	free(refs);
	cJSON_Delete(root);
	if (bad) {
		*err = xasprintf("state file %s: damaged entry for instance '%s'; ignoring it",
		                 path, bad);
		free(bad);
		return -1;
	}
	return 0;
}

/* ---- save ------------------------------------------------------------- */

static cJSON *time_json(time_t t)
{
	char buf[21];

	if (t == TIME_NONE)
		return cJSON_CreateNull();
	timefmt_iso_utc(t, buf);
	return cJSON_CreateString(buf);
}

static bool has_state(const struct instance *in)
{
	return in->st.n_ca_certs || in->st.ca_certs_from || in->st.download ||
	       in->st.probe.result != PROBE_NONE;
}

static time_t later(time_t a, time_t b)
{
	return a == TIME_NONE ? b : b == TIME_NONE ? a : a > b ? a : b;
}

/* When this process last learned the instance's certificates: a refresh
 * (which inspects the CA file) or a download. Loaded state carries no
 * refresh time, so an instance this process never touched is older than
 * what another process wrote since. */
static time_t certs_time(const struct instance *in)
{
	return later(in->st.refreshed_at, in->st.download ? in->st.download->at : TIME_NONE);
}

static void add_path_or_null(cJSON *o, const char *key, const char *path)
{
	if (path)
		cJSON_AddStringToObject(o, key, path);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *entry_json(const struct instance *in)
{
	const struct instance_status *st = &in->st;
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "instance_id", in->id ? in->id : "");
	cJSON_AddItemToObject(e, "refreshed_at", time_json(certs_time(in)));
	if (st->ca_certs_from) {
		char *u = xstrndup(st->ca_certs_from, strcspn(st->ca_certs_from, "?#"));
		cJSON_AddStringToObject(e, "ca_certs_from", u);
		free(u);
	} else {
		cJSON_AddNullToObject(e, "ca_certs_from");
	}
	cJSON *certs = cJSON_AddArrayToObject(e, "ca_certs");
	for (size_t i = 0; i < st->n_ca_certs; i++) {
		const struct cert_summary *c = &st->ca_certs[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "subject", c->subject ? c->subject : "");
		cJSON_AddStringToObject(o, "issuer", c->issuer ? c->issuer : "");
		cJSON_AddItemToObject(o, "not_before", time_json(c->not_before));
		cJSON_AddItemToObject(o, "not_after", time_json(c->not_after));
		cJSON_AddStringToObject(o, "sha256", c->sha256);
		cJSON_AddItemToArray(certs, o);
	}
	if (st->download) {
		cJSON *d = cJSON_AddObjectToObject(e, "download");
		cJSON_AddStringToObject(d, "path", st->download->path ? st->download->path : "");
		cJSON_AddNumberToObject(d, "size", (double)st->download->size);
		cJSON_AddStringToObject(d, "sha256", st->download->sha256);
		cJSON_AddItemToObject(d, "at", time_json(st->download->at));
		add_path_or_null(d, "ca_pem", st->download->ca_pem);
		add_path_or_null(d, "truststore", st->download->truststore);
	} else {
		cJSON_AddNullToObject(e, "download");
	}
	cJSON_AddItemToObject(e, "probe", probe_status_json(&st->probe, time(NULL)));
	return e;
}

/* A time field of a stored entry; TIME_NONE when absent or unreadable. */
static time_t entry_time(const cJSON *obj, const char *key)
{
	time_t t;

	return get_time(obj, key, &t) ? t : TIME_NONE;
}

static void take_item(cJSON *dst, const cJSON *src, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(src, key);

	cJSON_DeleteItemFromObjectCaseSensitive(dst, key);
	cJSON_AddItemToObject(dst, key, item ? cJSON_Duplicate(item, 1) : cJSON_CreateNull());
}

/* What to store for an instance of this fleet, given what the file holds
 * for its name now (theirs, may be NULL). Returns a new item or NULL. */
static cJSON *merge_entry(const struct instance *in, const cJSON *theirs)
{
	bool same = cJSON_IsObject(theirs) && in->id &&
	            strcmp(get_string(theirs, "instance_id") ? get_string(theirs, "instance_id") : "",
	                   in->id) == 0;

	if (!has_state(in))
		/* nothing learned here: keep whatever the file has, even another
		 * instance's under this name (load checks the id) */
		return theirs ? cJSON_Duplicate(theirs, 1) : NULL;
	cJSON *ours = entry_json(in);
	if (!same)
		return ours;    /* replaced or renamed: theirs is not this instance */

	time_t t_ours = certs_time(in), t_theirs = entry_time(theirs, "refreshed_at");
	const cJSON *their_dl = cJSON_GetObjectItemCaseSensitive(theirs, "download");
	time_t dl_theirs = cJSON_IsObject(their_dl) ? entry_time(their_dl, "at") : TIME_NONE;
	time_t dl_ours = in->st.download ? in->st.download->at : TIME_NONE;

	/* an entry from before refreshed_at was stored dates its certificates
	 * by its download */
	if (t_theirs == TIME_NONE)
		t_theirs = dl_theirs;
	if (t_theirs != TIME_NONE && (t_ours == TIME_NONE || t_theirs > t_ours)) {
		take_item(ours, theirs, "refreshed_at");
		take_item(ours, theirs, "ca_certs_from");
		take_item(ours, theirs, "ca_certs");
	}
	if (dl_theirs != TIME_NONE && (dl_ours == TIME_NONE || dl_theirs > dl_ours))
		take_item(ours, theirs, "download");
	/* the later probe wins, like the later download */
	const cJSON *their_probe = cJSON_GetObjectItemCaseSensitive(theirs, "probe");
	time_t pr_theirs = cJSON_IsObject(their_probe) ? entry_time(their_probe, "at") : TIME_NONE;
	time_t pr_ours = in->st.probe.result != PROBE_NONE ? in->st.probe.at : TIME_NONE;
	if (pr_theirs != TIME_NONE && (pr_ours == TIME_NONE || pr_theirs > pr_ours))
		take_item(ours, theirs, "probe");
	return ours;
}

/* The "instances" object of the file as it is now, or NULL (missing,
 * damaged or another version: then this save starts it afresh). */
static cJSON *read_current(const char *path, cJSON **root_out)
{
	char *text = NULL, *ignored = NULL;
	size_t len = 0;

	*root_out = NULL;
	if (read_file(path, &text, &len, &ignored) != 0) {
		free(ignored);
		return NULL;
	}
	cJSON *root = cJSON_ParseWithLength(text, len);
	free(text);
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
	cJSON *insts = cJSON_GetObjectItemCaseSensitive(root, "instances");
	if (!cJSON_IsNumber(ver) || ver->valuedouble != STATEFILE_VERSION || !cJSON_IsObject(insts)) {
		cJSON_Delete(root);
		return NULL;
	}
	*root_out = root;
	return insts;
}

/* The merged "instances": the file's entries in their order, then this
 * fleet's new ones in config order. */
static void merge_into(const struct fleet *f, const cJSON *current, cJSON *insts)
{
	struct fleet_name *refs = fleet_names_index(f);
	bool *seen = xcalloc(f->n_instances ? f->n_instances : 1, sizeof(*seen));
	const cJSON *e;

	cJSON_ArrayForEach(e, current) {
		if (!e->string || cJSON_GetObjectItemCaseSensitive(insts, e->string))
			continue;   /* duplicate key: the first one is the one load uses */
		long i = fleet_names_find(refs, f->n_instances, e->string);
		cJSON *item;
		if (i < 0) {
			item = cJSON_IsObject(e) ? cJSON_Duplicate(e, 1) : NULL;
		} else {
			seen[i] = true;
			item = merge_entry(&f->instances[i], e);
		}
		if (item)
			cJSON_AddItemToObject(insts, e->string, item);
	}
	for (size_t i = 0; i < f->n_instances; i++) {
		const struct instance *in = &f->instances[i];
		/* names are unique: the config refuses duplicates */
		if (!seen[i] && has_state(in))
			cJSON_AddItemToObject(insts, in->name, entry_json(in));
	}
	free(seen);
	free(refs);
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

/* Exclusive lock on "<base>.lock" in d: an fd to close, or -1 with *err.
 * Blocks while another process saves (milliseconds: read, merge, write). */
static int lock_beside(struct safedir *d, const char *base, char **err)
{
	char *name = xasprintf("%s.lock", base);
	int fd = openat(d->fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		*err = xasprintf("cannot open the state lock %s/%s: %s", d->path, name, strerror(errno));
		free(name);
		return -1;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno == EINTR)
			continue;
		*err = xasprintf("cannot lock %s/%s: %s", d->path, name, strerror(errno));
		close(fd);
		free(name);
		return -1;
	}
	free(name);
	return fd;
}

int statefile_lock(struct safedir *d, char **err)
{
	return lock_beside(d, "state.json", err);
}

int statefile_save(const struct fleet *f, const char *path, char **err)
{
	struct safedir d = {.fd = -1};
	struct safefile_tmp tmp = {0};
	char *dir = NULL, *base = NULL, *text = NULL, *out = NULL;
	cJSON *root = NULL, *current_root = NULL;
	int lock = -1, rc = -1;

	if (!path || !*path) {
		*err = xstrdup("no state file path (HOME is not set)");
		return -1;
	}
	split_path(path, &dir, &base);
	if (safedir_open(&d, dir, NULL, err) != 0 || (lock = lock_beside(&d, base, err)) < 0)
		goto out;

	/* under the lock: what is in the file now is the latest word */
	const cJSON *current = read_current(path, &current_root);
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "version", STATEFILE_VERSION);
	merge_into(f, current, cJSON_AddObjectToObject(root, "instances"));

	text = cJSON_Print(root);
	if (!text)
		die(70, "out of memory");
	size_t tlen = strlen(text);
	out = xmalloc(tlen + 2);
	memcpy(out, text, tlen);
	out[tlen] = '\n';
	out[tlen + 1] = '\0';

	if (safefile_stage(&d, base, out, tlen + 1, 0600, &tmp, err) != 0 ||
	    safefile_commit(&d, &tmp, err) != 0)
		goto out;
	safedir_sync(&d);
	rc = 0;
out:
	safefile_abort(&d, &tmp);
	if (lock >= 0)
		close(lock);    /* releases the flock, after the rename */
	safedir_close(&d);
	cJSON_Delete(root);
	cJSON_Delete(current_root);
	cJSON_free(text);
	free(out);
	free(dir);
	free(base);
	return rc;
}
