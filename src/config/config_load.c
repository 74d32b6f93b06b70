/* The configuration loader: a libconfig file (tlsfleet.conf(5)) checked and
 * turned into a struct fleet.
 *
 * One walk over the parsed tree checks every setting and collects errors
 * (at most MAX_ERRORS, one "FILE:LINE: message" line each), so an operator
 * fixes a file in one go instead of one typo per run. A message may quote
 * a name, a provider or a service, never the value of a credential.
 *
 * Fleets of 100,000 instances must load quickly: per instance the work is a
 * constant number of member lookups and one hash lookup (duplicate names),
 * and the libconfig tree, most of the memory at that size, is destroyed
 * before config_load() returns.
 *
 * Ownership: config_load() fills the caller's fleet (fleet_free releases
 * it); everything else allocated here is released before returning. */
#include "config/config_load.h"
#include "config/credentials.h"
#include "providers/provider.h"
#include "providers/protocol.h"
#include "engine/url.h"
#include "core/paths.h"
#include "core/strbuf.h"
#include "core/strmap.h"
#include "core/textsafe.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ERRORS 10
/* How deep the include-loop search follows @include. libconfig 1.5 gives
 * up at 10 levels, so a loop it ran into repeats a file within 11. */
#define INCLUDE_SEARCH_DEPTH 11

/* ---- paths ---------------------------------------------------------------- */

char *config_expand_path(const char *path, const char *base_dir)
{
	return paths_expand(path, base_dir);
}

char *config_default_path(void)
{
	return paths_xdg("XDG_CONFIG_HOME", ".config", "tlsfleet/config");
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* ---- settings --------------------------------------------------------------- */

void settings_defaults(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	s->refresh_interval = 300;
	s->concurrency = 32;
	s->timeout = 10.0;
	s->retries = 3;
	s->warn_days = 30;
	s->crit_days = 7;
	s->require_tls = false;
	s->fetch_ca = true;
	s->probe = false;
	s->download_dir = config_expand_path("~/tlsfleet-certs", NULL);
	s->theme = xstrdup("default");
}

void settings_free(struct settings *s)
{
	free(s->config_path);
	free(s->download_dir);
	free(s->theme);
	free(s->ca_file);
	memset(s, 0, sizeof(*s));
}

/* ---- the setting tables ------------------------------------------------------ */

enum vtype { T_INT, T_NUM, T_BOOL, T_STR, T_LIST, T_GROUP };

struct field {
	const char *name;
	enum vtype type;
	double min, max;        /* numbers */
	bool min_excluded;      /* the minimum itself is not allowed */
	unsigned providers;     /* set: a setting of these providers only */
	int role;               /* inline credential: 1 id, 2 secret, 3 token */
};

enum {
	G_REFRESH, G_CONCURRENCY, G_TIMEOUT, G_RETRIES, G_WARN, G_CRIT,
	G_REQUIRE_TLS, G_FETCH_CA, G_DOWNLOAD_DIR, G_THEME, G_CA_FILE,
	G_ACCOUNTS, G_INSTANCES, G_PROBE, G_COUNT
};

static const struct field global_fields[G_COUNT] = {
	[G_REFRESH] = {.name = "refresh_interval", .type = T_INT, .max = 86400 * 7},
	[G_CONCURRENCY] = {.name = "concurrency", .type = T_INT, .min = 1, .max = 4096},
	[G_TIMEOUT] = {.name = "timeout", .type = T_NUM, .max = 3600, .min_excluded = true},
	[G_RETRIES] = {.name = "retries", .type = T_INT, .max = 20},
	[G_WARN] = {.name = "warn_days", .type = T_INT, .max = 36500},
	[G_CRIT] = {.name = "crit_days", .type = T_INT, .max = 36500},
	[G_REQUIRE_TLS] = {.name = "require_tls", .type = T_BOOL},
	[G_FETCH_CA] = {.name = "fetch_ca", .type = T_BOOL},
	[G_DOWNLOAD_DIR] = {.name = "download_dir", .type = T_STR},
	[G_THEME] = {.name = "theme", .type = T_STR},
	[G_CA_FILE] = {.name = "ca_file", .type = T_STR},
	[G_ACCOUNTS] = {.name = "accounts", .type = T_LIST},
	[G_INSTANCES] = {.name = "instances", .type = T_LIST},
	[G_PROBE] = {.name = "probe", .type = T_BOOL},
};

/* Account and instance settings: the generic ones here, then each
 * cloud's own settings and inline credential keys, taken from the cloud
 * descriptors when a load starts (fields_build). */
#define FIELDS_MAX 32

struct fields {
	struct field f[FIELDS_MAX];
	size_t n;
};

enum {
	A_NAME, A_PROVIDER, A_PROFILE, A_ENDPOINT, A_RATE_LIMIT,
	A_AUTH, A_ROLE_NAME, A_ROLE_ARN, A_ROLE_SESSION, A_DURATION, A_METADATA_ENDPOINT,
	A_STS_ENDPOINT, A_DISCOVER, A_PROBE, A_GENERIC
};

static const struct field account_generic[A_GENERIC] = {
	[A_NAME] = {.name = "name", .type = T_STR},
	[A_PROVIDER] = {.name = "provider", .type = T_STR},
	[A_PROFILE] = {.name = "profile", .type = T_STR},
	[A_ENDPOINT] = {.name = "endpoint", .type = T_STR},
	[A_RATE_LIMIT] = {.name = "rate_limit", .type = T_NUM, .max = 10000},
	/* temporary credentials (tlsfleet.conf(5) CREDENTIALS) */
	[A_AUTH] = {.name = "auth", .type = T_STR},
	[A_ROLE_NAME] = {.name = "role_name", .type = T_STR},
	[A_ROLE_ARN] = {.name = "role_arn", .type = T_STR},
	[A_ROLE_SESSION] = {.name = "role_session_name", .type = T_STR},
	/* the range both clouds' AssumeRole accept */
	[A_DURATION] = {.name = "duration", .type = T_INT, .min = 900, .max = 43200},
	[A_METADATA_ENDPOINT] = {.name = "metadata_endpoint", .type = T_STR},
	[A_STS_ENDPOINT] = {.name = "sts_endpoint", .type = T_STR},
	[A_DISCOVER] = {.name = "discover", .type = T_GROUP},
	[A_PROBE] = {.name = "probe", .type = T_BOOL},
};

enum {
	I_NAME, I_ACCOUNT, I_SERVICE, I_REGION, I_ID, I_ENDPOINT,
	I_WARN, I_CRIT, I_REQUIRE_TLS,
	I_PROBE, I_HOST, I_PORT, I_PROBE_HOST, I_PROBE_PORT, I_SNI, I_PROBE_CA, I_GENERIC
};

static const struct field instance_generic[I_GENERIC] = {
	[I_NAME] = {.name = "name", .type = T_STR},
	[I_ACCOUNT] = {.name = "account", .type = T_STR},
	[I_SERVICE] = {.name = "service", .type = T_STR},
	[I_REGION] = {.name = "region", .type = T_STR},
	[I_ID] = {.name = "id", .type = T_STR},
	[I_ENDPOINT] = {.name = "endpoint", .type = T_STR},
	[I_WARN] = {.name = "warn_days", .type = T_INT, .max = 36500},
	[I_CRIT] = {.name = "crit_days", .type = T_INT, .max = 36500},
	[I_REQUIRE_TLS] = {.name = "require_tls", .type = T_BOOL},
	[I_PROBE] = {.name = "probe", .type = T_BOOL},
	[I_HOST] = {.name = "host", .type = T_STR},
	[I_PORT] = {.name = "port", .type = T_INT, .min = 1, .max = 65535},
	[I_PROBE_HOST] = {.name = "probe_host", .type = T_STR},
	[I_PROBE_PORT] = {.name = "probe_port", .type = T_INT, .min = 1, .max = 65535},
	[I_SNI] = {.name = "sni", .type = T_STR},
	[I_PROBE_CA] = {.name = "probe_ca", .type = T_STR},
};

static size_t fields_find(const struct fields *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->f[i].name, name) == 0)
			return i;
	return t->n;
}

/* A cloud's string setting: a shared name is one field owned by several. */
static void fields_add(struct fields *t, const char *name, int provider, int role)
{
	size_t k = fields_find(t, name);

	if (k == t->n) {
		if (t->n == FIELDS_MAX)
			die(70, "too many cloud settings (FIELDS_MAX)");
		t->f[t->n++] = (struct field){.name = name, .type = T_STR, .role = role};
	}
	t->f[k].providers |= 1u << provider;
}

/* Settings first, then credential keys in id/secret/token order per
 * cloud: "did you mean" keeps the first of equally close names. */
static void fields_build(struct fields *acc, struct fields *ins)
{
	memcpy(acc->f, account_generic, sizeof(account_generic));
	acc->n = A_GENERIC;
	memcpy(ins->f, instance_generic, sizeof(instance_generic));
	ins->n = I_GENERIC;
	for (int p = 0; p < PROVIDER_COUNT; p++) {
		const struct provider_ops *ops = provider_for((enum provider_kind)p);
		for (const struct provider_setting *st = ops->settings;
		     st < ops->settings + PROVIDER_SETTINGS_MAX && st->key; st++) {
			fields_add(acc, st->key, p, 0);
			if (st->per_instance)
				fields_add(ins, st->key, p, 0);
		}
	}
	for (int p = 0; p < PROVIDER_COUNT; p++) {
		const struct provider_ops *ops = provider_for((enum provider_kind)p);
		for (int r = 0; r < 3; r++)
			fields_add(acc, ops->inline_keys[r], p, r + 1);
	}
}

/* The setting key of the cloud (provider >= 0) or of any cloud, or NULL. */
static const struct provider_setting *setting_of(int provider, const char *key)
{
	for (int p = 0; p < PROVIDER_COUNT; p++) {
		if (provider >= 0 && p != provider)
			continue;
		const struct provider_ops *ops = provider_for((enum provider_kind)p);
		for (const struct provider_setting *st = ops->settings;
		     st < ops->settings + PROVIDER_SETTINGS_MAX && st->key; st++)
			if (strcmp(st->key, key) == 0)
				return st;
	}
	return NULL;
}

/* "a, b or c" of the NULL-terminated names, each wrapped in q. */
static void add_alternatives(struct strbuf *sb, const char *const *names, size_t n, const char *q)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_adds(sb, i + 1 == n ? " or " : ", ");
		strbuf_addf(sb, "%s%s%s", q, names[i], q);
	}
}

/* ---- the loader and its messages ---------------------------------------------- */

struct shown_file {
	const char *lc;         /* libconfig's name for the file (borrowed) */
	char *shown;            /* the path messages use and stat() needs */
};

struct loader {
	const char *path;       /* the main file, as the caller named it */
	char *dir;              /* its directory: libconfig's include dir */
	char *absdir;           /* absolute: base of relative paths in settings */
	struct shown_file *files;
	size_t n_files;
	char **secret_files;    /* shown names of files holding inline credentials */
	size_t n_secret_files;
	struct strbuf errs;
	int n_errs;
	struct fleet *f;
	struct fields acc, ins;             /* account and instance settings */
	const config_setting_t **acc_set;   /* the group of each account */
	int *acc_provider;                  /* its provider, -1 if invalid */
	bool accounts_bad;                  /* 'accounts' itself was rejected */
	struct strmap accounts;             /* name -> struct account * */
	struct strmap instances;            /* name -> its group setting */
};

/* libconfig 1.5 names the main file as it was given and an included file
 * as written after @include, opened as "<include dir>/<name>". */
static const char *shown_file(struct loader *L, const char *lc)
{
	if (!lc || strcmp(lc, L->path) == 0)
		return L->path;
	for (size_t i = 0; i < L->n_files; i++)
		if (L->files[i].lc == lc)
			return L->files[i].shown;
	L->files = xreallocarray(L->files, L->n_files + 1, sizeof(*L->files));
	struct shown_file *sf = &L->files[L->n_files++];
	sf->lc = lc;
	sf->shown = strcmp(L->dir, ".") == 0 ? xstrdup(lc) : paths_join(L->dir, lc);
	return sf->shown;
}

/* True once the "more errors" line is written: nothing more to say. */
static bool full(const struct loader *L)
{
	return L->n_errs > MAX_ERRORS;
}

__attribute__((format(printf, 4, 0)))
static void verror(struct loader *L, const char *file, unsigned line, const char *fmt, va_list ap)
{
	if (L->n_errs > MAX_ERRORS)
		return;
	if (L->errs.len)
		strbuf_addc(&L->errs, '\n');
	L->n_errs++;
	if (L->n_errs > MAX_ERRORS) {
		strbuf_addf(&L->errs, "%s: more errors not shown", L->path);
		return;
	}
	if (line)
		strbuf_addf(&L->errs, "%s:%u: ", file, line);
	else
		strbuf_addf(&L->errs, "%s: ", file);
	char *msg = xvasprintf(fmt, ap);
	strbuf_adds(&L->errs, msg);
	free(msg);
}

__attribute__((format(printf, 4, 5)))
static void error_file(struct loader *L, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(L, file, line, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4)))
static void error_at(struct loader *L, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(L, shown_file(L, config_setting_source_file(s)),
	       config_setting_source_line(s), fmt, ap);
	va_end(ap);
}

/* ---- value checks -------------------------------------------------------------- */

/* Optimal string alignment distance: a transposed pair counts as one edit,
 * the commonest typo. Long strings are never "close". */
static int edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	int d[65][65];

	if (n > 64 || m > 64)
		return 99;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[n][m];
}

/* Keeps *best when cand is no closer. A suggestion must be at most 2 edits
 * away and share more than it changes ("x" suggests nothing). */
static void consider(const char *name, const char *cand, const char **best, int *bestd)
{
	int dist = edit_distance(name, cand);

	if (dist <= 2 && (size_t)dist < strlen(name) && dist < *bestd) {
		*best = cand;
		*bestd = dist;
	}
}

/* Why a string value is unusable, or NULL. Control characters would end
 * up in terminals, HTTP headers and file names. */
static long long int_value(const config_setting_t *s)
{
	return config_setting_get_int64(s);
}

static double num_value(const config_setting_t *s)
{
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		return config_setting_get_float(s);
	return (double)config_setting_get_int64(s);
}

static bool check_value(struct loader *L, const config_setting_t *s, const struct field *f)
{
	int type = config_setting_type(s);

	switch (f->type) {
	case T_INT: {
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
			error_at(L, s, "'%s' must be an integer", f->name);
			return false;
		}
		long long v = int_value(s);
		if (v < (long long)f->min || v > (long long)f->max) {
			error_at(L, s, "'%s' must be between %lld and %lld (got %lld)", f->name,
			         (long long)f->min, (long long)f->max, v);
			return false;
		}
		return true;
	}
	case T_NUM: {
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64 && type != CONFIG_TYPE_FLOAT) {
			error_at(L, s, "'%s' must be a number", f->name);
			return false;
		}
		double v = num_value(s);
		/* written so that NaN fails too */
		if (f->min_excluded && !(v > f->min && v <= f->max)) {
			error_at(L, s, "'%s' must be greater than %g and at most %g (got %g)",
			         f->name, f->min, f->max, v);
			return false;
		}
		if (!f->min_excluded && !(v >= f->min && v <= f->max)) {
			error_at(L, s, "'%s' must be between %g and %g (got %g)", f->name, f->min, f->max, v);
			return false;
		}
		return true;
	}
	case T_BOOL:
		if (type != CONFIG_TYPE_BOOL) {
			error_at(L, s, "'%s' must be true or false", f->name);
			return false;
		}
		return true;
	case T_STR: {
		if (type != CONFIG_TYPE_STRING) {
			error_at(L, s, "'%s' must be a string", f->name);
			return false;
		}
		const char *why = textsafe_text_problem(config_setting_get_string(s));
		if (why) {
			error_at(L, s, "'%s' %s", f->name, why);
			return false;
		}
		return true;
	}
	case T_LIST:
		/* "[]" is libconfig's empty array: as good as an empty list */
		if (type == CONFIG_TYPE_LIST ||
		    (type == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0))
			return true;
		error_at(L, s, "'%s' must be a list of groups: %s = ( { ... }, { ... } );",
		         f->name, f->name);
		return false;
	case T_GROUP:
		if (type == CONFIG_TYPE_GROUP)
			return true;
		error_at(L, s, "'%s' must be a group: %s = { ... };", f->name, f->name);
		return false;
	}
	return false;
}

/* ---- walking a group ---------------------------------------------------------- */

struct val {
	const config_setting_t *s;  /* NULL: not in the file */
	bool ok;                    /* present and valid */
};

static const char *str(const struct val *v)
{
	return v->ok ? config_setting_get_string(v->s) : NULL;
}

static bool allowed_for(const struct field *f, int provider)
{
	return !f->providers || provider < 0 || (f->providers & (1u << provider));
}

static void unknown_setting(struct loader *L, const config_setting_t *s,
                            const struct field *fields, size_t n, int provider)
{
	const char *name = config_setting_name(s);
	const char *best = NULL;
	int bestd = 99;

	for (size_t i = 0; i < n; i++)
		if (allowed_for(&fields[i], provider))
			consider(name, fields[i].name, &best, &bestd);
	if (best)
		error_at(L, s, "unknown setting '%s' (did you mean '%s'?)", name, best);
	else
		error_at(L, s, "unknown setting '%s'", name);
}

static void foreign_setting(struct loader *L, const config_setting_t *s,
                            const struct field *f, int provider)
{
	struct strbuf owners = STRBUF_INIT;

	for (int p = 0; p < PROVIDER_COUNT; p++) {
		if (f->providers & (1u << p)) {
			if (owners.len)
				strbuf_adds(&owners, " and ");
			strbuf_adds(&owners, provider_for((enum provider_kind)p)->title);
		}
	}
	const char *o = strbuf_str(&owners);
	const char *article = o[0] && strchr("AEIOU", o[0]) ? "an" : "a";
	if (f->role)
		error_at(L, s, "'%s' is %s %s setting (%s accounts use '%s')", f->name, article, o,
		         provider_kind_name((enum provider_kind)provider),
		         provider_for((enum provider_kind)provider)->inline_keys[f->role - 1]);
	else
		error_at(L, s, "'%s' is %s %s setting", f->name, article, o);
	strbuf_free(&owners);
}

static void note_secret_file(struct loader *L, const config_setting_t *s)
{
	const char *file = shown_file(L, config_setting_source_file(s));

	for (size_t i = 0; i < L->n_secret_files; i++)
		if (strcmp(L->secret_files[i], file) == 0)
			return;
	L->secret_files = xreallocarray(L->secret_files, L->n_secret_files + 1, sizeof(char *));
	L->secret_files[L->n_secret_files++] = xstrdup(file);
}

/* Sorts the members of group g into vals[] (indexed like fields[]),
 * reporting unknown names, settings of another provider and bad values.
 * provider < 0: not known (yet), so no provider-specific check. */
static void scan_group(struct loader *L, const config_setting_t *g, const struct field *fields,
                       size_t n, int provider, struct val *vals)
{
	int len = config_setting_length(g);

	memset(vals, 0, n * sizeof(*vals));
	for (int i = 0; i < len && !full(L); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		size_t k;

		for (k = 0; k < n; k++)
			if (name[0] == fields[k].name[0] && strcmp(name, fields[k].name) == 0)
				break;
		if (k == n) {
			unknown_setting(L, s, fields, n, provider);
			continue;
		}
		vals[k].s = s;
		if (fields[k].role)
			note_secret_file(L, s);
		if (!allowed_for(&fields[k], provider)) {
			foreign_setting(L, s, &fields[k], provider);
			continue;
		}
		vals[k].ok = check_value(L, s, &fields[k]);
	}
}

/* An https URL with a host (no user info) and nothing after the path; the
 * result has the scheme in lowercase and no trailing slash. NULL when
 * unusable. libcurl's parser (engine/url.h) judges the host and port,
 * so "https://host:notaport" is refused here, not at the first request. */
static char *endpoint_normalise(const char *url)
{
	if (strncasecmp(url, "https://", 8) != 0)
		return NULL;
	const char *host = url + 8;
	if (!*host || *host == '/' || *host == ':' || strpbrk(host, " ?#@\\"))
		return NULL;
	struct url_parts u;
	char *why = NULL;
	if (url_parse(url, &u, &why) != 0) {
		free(why);
		return NULL;
	}
	bool usable = u.host && *u.host && !u.user && !u.password && !u.query && !u.fragment;
	url_parts_free(&u);
	if (!usable)
		return NULL;
	size_t n = strlen(host);
	while (n && host[n - 1] == '/')
		n--;
	char *h = xstrndup(host, n);
	char *out = xasprintf("https://%s", h);
	free(h);
	return out;
}

static char *endpoint_value(struct loader *L, const struct val *v)
{
	if (!v->ok)
		return NULL;
	char *e = endpoint_normalise(str(v));
	if (!e)
		error_at(L, v->s, "'endpoint' must be an https:// URL (https://host[:port][/path])");
	return e;
}

static const char *const id_chars = "._:-";

/* ---- globals ------------------------------------------------------------------- */

static char *path_value(struct loader *L, const struct val *v, const char *what)
{
	char *p = config_expand_path(str(v), L->absdir);

	if (!p)
		error_at(L, v->s, "'%s': \"~user\" paths are not supported; use \"~/...\" or an absolute path",
		         what);
	return p;
}

/* A path that must be readable now: checked at load, with a line number,
 * rather than at the first request or probe. NULL after an error. */
static char *readable_path_value(struct loader *L, const struct val *v, const char *what)
{
	char *p = path_value(L, v, what);

	if (p && access(p, R_OK) != 0) {
		error_at(L, v->s, "'%s': cannot read %s: %s", what, p, strerror(errno));
		free(p);
		p = NULL;
	}
	return p;
}

static void load_globals(struct loader *L, const struct val *g)
{
	struct settings *st = &L->f->settings;

	if (g[G_REFRESH].ok)
		st->refresh_interval = (int)int_value(g[G_REFRESH].s);
	if (g[G_CONCURRENCY].ok)
		st->concurrency = (int)int_value(g[G_CONCURRENCY].s);
	if (g[G_TIMEOUT].ok)
		st->timeout = num_value(g[G_TIMEOUT].s);
	if (g[G_RETRIES].ok)
		st->retries = (int)int_value(g[G_RETRIES].s);
	if (g[G_WARN].ok)
		st->warn_days = (int)int_value(g[G_WARN].s);
	if (g[G_CRIT].ok)
		st->crit_days = (int)int_value(g[G_CRIT].s);
	if (g[G_REQUIRE_TLS].ok)
		st->require_tls = config_setting_get_bool(g[G_REQUIRE_TLS].s);
	if (g[G_FETCH_CA].ok)
		st->fetch_ca = config_setting_get_bool(g[G_FETCH_CA].s);
	if (g[G_PROBE].ok)
		st->probe = config_setting_get_bool(g[G_PROBE].s);
	if (g[G_THEME].ok) {
		free(st->theme);
		st->theme = xstrdup(str(&g[G_THEME]));
	}
	if (g[G_DOWNLOAD_DIR].ok) {
		char *p = path_value(L, &g[G_DOWNLOAD_DIR], "download_dir");
		if (p) {
			free(st->download_dir);
			st->download_dir = p;
		}
	}
	if (g[G_CA_FILE].ok)
		st->ca_file = readable_path_value(L, &g[G_CA_FILE], "ca_file");
}

/* ---- accounts ------------------------------------------------------------------ */

/* The provider of an account group before its members are checked, so the
 * scan can tell one cloud's setting on another cloud's account. -1 if not valid. */
static int peek_provider(const config_setting_t *g)
{
	const config_setting_t *s = config_setting_get_member(g, "provider");
	enum provider_kind k;

	if (s && config_setting_type(s) == CONFIG_TYPE_STRING &&
	    provider_kind_from_name(config_setting_get_string(s), &k))
		return (int)k;
	return -1;
}

static void account_credentials(struct loader *L, struct account *a, const struct val *v, int provider)
{
	const char *const *keys = provider_for((enum provider_kind)provider)->inline_keys;
	const struct val *id = &v[fields_find(&L->acc, keys[0])];
	const struct val *secret = &v[fields_find(&L->acc, keys[1])];
	const struct val *token = &v[fields_find(&L->acc, keys[2])];
	const char *idn = keys[0], *secretn = keys[1];

	if (id->s && !secret->s)
		error_at(L, id->s, "'%s' is set but '%s' is missing", idn, secretn);
	if (secret->s && !id->s)
		error_at(L, secret->s, "'%s' is set but '%s' is missing", secretn, idn);
	if (token->s && !id->s && !secret->s)
		error_at(L, token->s, "'%s' is set but '%s' and '%s' are missing",
		         keys[2], idn, secretn);
	if (id->ok && secret->ok && (!token->s || token->ok)) {
		a->cred.id = xstrdup(str(id));
		a->cred.secret = xstrdup(str(secret));
		a->cred.token = xstrdup(str(token));
	}
}

/* A cloud setting's value checked and stored at *slot; NULL when wrong. */
static void cloud_setting(struct loader *L, const struct provider_setting *st, const struct val *v,
                          char **slot)
{
	const char *value = str(v);

	if (st->kind == SETTING_CHOICE) {
		size_t n = 0;
		while (n < sizeof(st->choices) / sizeof(st->choices[0]) && st->choices[n])
			n++;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(value, st->choices[i]) == 0) {
				*slot = xstrdup(value);
				return;
			}
		}
		struct strbuf alts = STRBUF_INIT;
		add_alternatives(&alts, st->choices, n, "\"");
		error_at(L, v->s, "'%s' must be %s (got '%s')", st->key, strbuf_str(&alts), value);
		strbuf_free(&alts);
		return;
	}
	if (!textsafe_only(value, id_chars))
		error_at(L, v->s, "'%s' may contain only letters, digits, '.', '_', ':' and '-'", st->key);
	else
		*slot = xstrdup(value);
}

static char **account_slot(struct account *a, const struct provider_setting *st)
{
	return (char **)((char *)a + st->account_offset);
}

static char **instance_slot(struct instance *in, const struct provider_setting *st)
{
	return (char **)((char *)in + st->instance_offset);
}

static void account_auth(struct loader *L, const config_setting_t *g, struct account *a,
                         const struct val *v, int provider);
static void wrong_service(struct loader *L, const config_setting_t *s, const struct account *a,
                          enum service_kind svc);

/* An account's `discover` group (tlsfleet.conf(5), DISCOVERY). */
static void load_discover(struct loader *L, const config_setting_t *g, struct account *a, int provider)
{
	const struct provider_ops *ops = provider_for((enum provider_kind)provider);
	struct discover_spec *d = xcalloc(1, sizeof(*d));
	const config_setting_t *regions = NULL;
	int len = config_setting_length(g);

	d->interval = 3600;
	d->line = (int)config_setting_source_line(g);
	a->discover = d;
	for (int i = 0; i < len && !full(L); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *key = config_setting_name(s);
		int type = config_setting_type(s);
		bool list = type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST;

		if (strcmp(key, "regions") == 0) {
			regions = s;
			int n = list ? config_setting_length(s) : -1;
			if (n <= 0) {
				error_at(L, s, "'regions' must be a non-empty list of strings: regions = [\"...\"];");
				continue;
			}
			d->regions = xcalloc((size_t)n, sizeof(*d->regions));
			for (int k = 0; k < n; k++) {
				const config_setting_t *e = config_setting_get_elem(s, (unsigned)k);
				const char *r = config_setting_get_string(e);
				if (!r || !*r || !textsafe_only(r, "-_"))
					error_at(L, e, "each of 'regions' must be a region name (letters, digits, '-' and '_')");
				else
					d->regions[d->n_regions++] = xstrdup(r);
			}
		} else if (strcmp(key, "services") == 0) {
			int n = list ? config_setting_length(s) : -1;
			if (n <= 0) {
				error_at(L, s, "'services' must be a non-empty list of strings: services = [\"...\"];");
				continue;
			}
			for (int k = 0; k < n; k++) {
				const config_setting_t *e = config_setting_get_elem(s, (unsigned)k);
				const char *name = config_setting_get_string(e);
				enum service_kind kind;
				const struct provider_service *svc;
				if (!name || !service_kind_from_name(name, &kind))
					error_at(L, e, "unknown service '%s' in 'services'", name ? name : "?");
				else if (!(svc = provider_service(a->provider, kind)))
					wrong_service(L, e, a, kind);
				else if (!svc->list_action)
					error_at(L, e, "%s cannot list %s instances: configure them as instances",
					         ops->full_title, name);
				else
					d->services |= 1u << kind;
			}
		} else if (strcmp(key, "tags") == 0) {
			int n = type == CONFIG_TYPE_GROUP ? config_setting_length(s) : -1;
			if (n < 0) {
				error_at(L, s, "'tags' must be a group of strings: tags = { key = \"value\"; };");
				continue;
			}
			d->tags = xcalloc((size_t)n + 1, sizeof(*d->tags));
			for (int k = 0; k < n; k++) {
				const config_setting_t *e = config_setting_get_elem(s, (unsigned)k);
				const char *v = config_setting_get_string(e);
				const char *why = v ? textsafe_text_problem(v) : "must be a string";
				if (why) {
					error_at(L, e, "tag '%s' %s", config_setting_name(e), why);
					continue;
				}
				d->tags[d->n_tags].key = xstrdup(config_setting_name(e));
				d->tags[d->n_tags].value = xstrdup(v);
				d->n_tags++;
			}
		} else if (strcmp(key, "match") == 0) {
			const char *m = config_setting_get_string(s);
			const char *why = m ? textsafe_text_problem(m) : "must be a string";
			if (why)
				error_at(L, s, "'match' %s", why);
			else
				d->match = xstrdup(m);
		} else if (strcmp(key, "interval") == 0) {
			if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
				error_at(L, s, "'interval' must be an integer (seconds)");
			else if (int_value(s) < 0 || int_value(s) > 86400 * 30)
				error_at(L, s, "'interval' must be between 0 and %d (got %lld)", 86400 * 30,
				         int_value(s));
			else
				d->interval = (int)int_value(s);
		} else {
			error_at(L, s, "unknown setting '%s' in 'discover' (expected regions, services, tags, "
			         "match or interval)", key);
		}
	}
	if (!regions)
		error_at(L, g, "'discover' of account '%s' is missing 'regions'", a->name ? a->name : "?");
	else if (ops->discover_one_region && d->n_regions > 1)
		error_at(L, regions, "a %s account lists one region (its project_id belongs to one): "
		         "make an account per region", ops->title);
}

static void load_account(struct loader *L, const config_setting_t *g, struct account *a, int *out_provider)
{
	int provider = peek_provider(g);
	struct val v[FIELDS_MAX];
	const char *name;

	*out_provider = -1;
	a->line = (int)config_setting_source_line(g);
	a->rate_limit = 20;
	a->probe = -1;
	scan_group(L, g, L->acc.f, L->acc.n, provider, v);

	name = str(&v[A_NAME]);
	if (!v[A_NAME].s)
		error_at(L, g, "account is missing 'name'");
	if (!v[A_PROVIDER].s) {
		if (name)
			error_at(L, g, "account '%s' is missing 'provider'", name);
		else
			error_at(L, g, "account is missing 'provider'");
	}
	if (name) {
		struct account *first = strmap_get(&L->accounts, name);
		if (first) {
			const config_setting_t *fg = L->acc_set[first - L->f->accounts];
			error_at(L, v[A_NAME].s, "duplicate account name '%s' (first at %s:%u)", name,
			         shown_file(L, config_setting_source_file(fg)),
			         config_setting_source_line(fg));
		} else {
			strmap_put(&L->accounts, name, a);
		}
		a->name = xstrdup(name);
	}
	if (v[A_PROVIDER].ok) {
		enum provider_kind k;
		if (provider_kind_from_name(str(&v[A_PROVIDER]), &k)) {
			a->provider = k;
			a->ops = provider_for(k);
			*out_provider = (int)k;
		} else {
			struct strbuf names = STRBUF_INIT;
			const char *list[PROVIDER_COUNT];
			for (int p = 0; p < PROVIDER_COUNT; p++)
				list[p] = provider_kind_name((enum provider_kind)p);
			add_alternatives(&names, list, PROVIDER_COUNT, "");
			error_at(L, v[A_PROVIDER].s, "unknown provider '%s' (expected %s)",
			         str(&v[A_PROVIDER]), strbuf_str(&names));
			strbuf_free(&names);
		}
	}
	if (v[A_PROFILE].ok)
		a->profile = xstrdup(str(&v[A_PROFILE]));
	/* The clouds' own settings; a choice left out takes its default. */
	for (size_t k = A_GENERIC; k < L->acc.n; k++) {
		const struct provider_setting *st;
		if (L->acc.f[k].role || !v[k].ok || !(st = setting_of(provider, L->acc.f[k].name)))
			continue;
		cloud_setting(L, st, &v[k], account_slot(a, st));
	}
	if (provider >= 0) {
		const struct provider_ops *ops = provider_for((enum provider_kind)provider);
		for (const struct provider_setting *st = ops->settings;
		     st < ops->settings + PROVIDER_SETTINGS_MAX && st->key; st++)
			if (st->kind == SETTING_CHOICE && !*account_slot(a, st))
				*account_slot(a, st) = xstrdup(st->choices[0]);
	}
	a->endpoint = endpoint_value(L, &v[A_ENDPOINT]);
	if (v[A_RATE_LIMIT].ok)
		a->rate_limit = num_value(v[A_RATE_LIMIT].s);
	if (v[A_PROBE].ok)
		a->probe = config_setting_get_bool(v[A_PROBE].s) ? 1 : 0;
	if (provider >= 0)
		account_credentials(L, a, v, provider);
	if (provider >= 0)
		account_auth(L, g, a, v, provider);
	if (v[A_DISCOVER].ok && provider >= 0)
		load_discover(L, v[A_DISCOVER].s, a, provider);
}

/* ---- accounts: temporary credentials -------------------------------------------- */

/* metadata_endpoint: the one URL that may be plain http (the metadata
 * services speak nothing else); otherwise judged like 'endpoint'. */
static char *metadata_endpoint_value(struct loader *L, const struct val *v)
{
	const char *url = str(v);
	char *e = NULL;

	if (strncasecmp(url, "http://", 7) == 0) {
		char *as_https = xasprintf("https://%s", url + 7);
		char *n = endpoint_normalise(as_https);
		if (n)
			e = xasprintf("http://%s", n + 8);
		free(n);
		free(as_https);
	} else {
		e = endpoint_normalise(url);
	}
	if (!e)
		error_at(L, v->s, "'metadata_endpoint' must be an http:// or https:// URL "
		         "(http://host[:port][/path])");
	return e;
}

/* auth and the settings that go with it; checked once the provider is
 * known. Each role setting belongs to one mode: set with another, it
 * would be silently ignored, so it is an error. */
static void account_auth(struct loader *L, const config_setting_t *g, struct account *a,
                         const struct val *v, int provider)
{
	static const char *const modes[] = {"keys", "instance_role", "assume_role"};
	static const struct { int field; int mode; } owner[] = {
		{A_ROLE_NAME, AUTH_INSTANCE_ROLE}, {A_METADATA_ENDPOINT, AUTH_INSTANCE_ROLE},
		{A_ROLE_ARN, AUTH_ASSUME_ROLE}, {A_ROLE_SESSION, AUTH_ASSUME_ROLE},
		{A_DURATION, AUTH_ASSUME_ROLE}, {A_STS_ENDPOINT, AUTH_ASSUME_ROLE},
	};
	const struct provider_ops *ops = provider_for((enum provider_kind)provider);
	const char *who = a->name ? a->name : "?";

	if (v[A_AUTH].ok) {
		int m = -1;
		for (int i = 0; i < 3; i++)
			if (strcmp(str(&v[A_AUTH]), modes[i]) == 0)
				m = i;
		if (m < 0) {
			error_at(L, v[A_AUTH].s, "'auth' must be \"keys\", \"instance_role\" or "
			         "\"assume_role\" (got '%s')", str(&v[A_AUTH]));
			return;
		}
		a->auth = m;
	}
	for (size_t i = 0; i < sizeof(owner) / sizeof(owner[0]); i++) {
		const struct val *s = &v[owner[i].field];
		if (s->s && a->auth != owner[i].mode)
			error_at(L, s->s, "'%s' needs auth = \"%s\"", account_generic[owner[i].field].name,
			         modes[owner[i].mode]);
	}
	if (a->auth == AUTH_INSTANCE_ROLE) {
		if (!ops->roles.metadata_base) {
			error_at(L, v[A_AUTH].s, "%s accounts cannot use auth = \"instance_role\"", ops->title);
			return;
		}
		if (v[A_ROLE_NAME].s && !ops->roles.needs_role_name)
			error_at(L, v[A_ROLE_NAME].s, "%s instance credentials have no role name: "
			         "leave 'role_name' out", ops->title);
		else if (!v[A_ROLE_NAME].s && ops->roles.needs_role_name)
			error_at(L, g, "account '%s' has auth = \"instance_role\" but no 'role_name'", who);
		if (v[A_ROLE_NAME].ok) {
			if (!textsafe_only(str(&v[A_ROLE_NAME]), "._-+=,@") || !*str(&v[A_ROLE_NAME]))
				error_at(L, v[A_ROLE_NAME].s, "'role_name' may contain only letters, digits "
				         "and \"._-+=,@\"");
			else if (ops->roles.needs_role_name)
				a->role_name = xstrdup(str(&v[A_ROLE_NAME]));
		}
		if (v[A_METADATA_ENDPOINT].ok)
			a->metadata_endpoint = metadata_endpoint_value(L, &v[A_METADATA_ENDPOINT]);
		for (int r = 0; r < 3; r++) {
			const struct val *k = &v[fields_find(&L->acc, ops->inline_keys[r])];
			if (k->s) {
				error_at(L, k->s, "'%s': auth = \"instance_role\" takes its keys from the "
				         "instance metadata service, not from the config", ops->inline_keys[r]);
				break;
			}
		}
	} else if (a->auth == AUTH_ASSUME_ROLE) {
		if (!ops->roles.sts_base) {
			error_at(L, v[A_AUTH].s, "%s accounts cannot use auth = \"assume_role\"", ops->title);
			return;
		}
		if (!v[A_ROLE_ARN].s)
			error_at(L, g, "account '%s' has auth = \"assume_role\" but no 'role_arn'", who);
		if (v[A_ROLE_ARN].ok)
			a->role_arn = xstrdup(str(&v[A_ROLE_ARN]));
		if (v[A_ROLE_SESSION].ok) {
			const char *sn = str(&v[A_ROLE_SESSION]);
			size_t n = strlen(sn);
			if (n < 2 || n > 64 || !textsafe_only(sn, "._-+=,@"))
				error_at(L, v[A_ROLE_SESSION].s, "'role_session_name' must be 2 to 64 letters, "
				         "digits or \"._-+=,@\"");
			else
				a->role_session_name = xstrdup(sn);
		}
		if (v[A_DURATION].ok)
			a->duration = (int)int_value(v[A_DURATION].s);
		if (v[A_STS_ENDPOINT].ok) {
			a->sts_endpoint = endpoint_normalise(str(&v[A_STS_ENDPOINT]));
			if (!a->sts_endpoint)
				error_at(L, v[A_STS_ENDPOINT].s, "'sts_endpoint' must be an https:// URL "
				         "(https://host[:port][/path])");
		}
	}
}

static void load_accounts(struct loader *L, const config_setting_t *list)
{
	struct fleet *f = L->f;
	unsigned n = list ? (unsigned)config_setting_length(list) : 0;

	f->accounts = xcalloc(n ? n : 1, sizeof(*f->accounts));
	L->acc_set = xcalloc(n ? n : 1, sizeof(*L->acc_set));
	L->acc_provider = xcalloc(n ? n : 1, sizeof(*L->acc_provider));
	for (unsigned i = 0; i < n && !full(L); i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		if (!config_setting_is_group(g)) {
			error_at(L, g, "each entry of 'accounts' must be a group { ... }");
			continue;
		}
		size_t k = f->n_accounts++;
		L->acc_set[k] = g;
		load_account(L, g, &f->accounts[k], &L->acc_provider[k]);
	}
}

/* ---- instances ----------------------------------------------------------------- */

static void unknown_account(struct loader *L, const config_setting_t *s, const char *name)
{
	const char *best = NULL;
	int bestd = 99;

	for (size_t i = 0; i < L->f->n_accounts; i++)
		if (L->f->accounts[i].name)
			consider(name, L->f->accounts[i].name, &best, &bestd);
	if (best)
		error_at(L, s, "unknown account '%s' (did you mean '%s'?)", name, best);
	else
		error_at(L, s, "unknown account '%s'", name);
}

static void wrong_service(struct loader *L, const config_setting_t *s, const struct account *a,
                          enum service_kind svc)
{
	struct strbuf offers = STRBUF_INIT;

	for (int k = 0; k < SERVICE_COUNT; k++) {
		if (provider_supports(a->ops, (enum service_kind)k)) {
			if (offers.len)
				strbuf_adds(&offers, ", ");
			strbuf_adds(&offers, service_kind_name((enum service_kind)k));
		}
	}
	error_at(L, s, "account '%s' is a %s account, which has no service '%s' (%s offers: %s)",
	         a->name, provider_kind_name(a->provider), service_kind_name(svc),
	         provider_kind_name(a->provider), strbuf_str(&offers));
	strbuf_free(&offers);
}

static void missing_in_instance(struct loader *L, const config_setting_t *g, const char *name,
                                const char *what)
{
	if (name)
		error_at(L, g, "instance '%s' is missing '%s'", name, what);
	else
		error_at(L, g, "instance is missing '%s'", what);
}

static void load_instance_address(struct loader *L, const struct val *v, struct instance *in);

static void load_instance(struct loader *L, const config_setting_t *g, struct instance *in)
{
	struct account *a = NULL;
	int provider = -1;
	struct val v[FIELDS_MAX];

	scan_group(L, g, L->ins.f, L->ins.n, -1, v);
	/* The account decides which settings apply (a cloud's own ones). */
	if (v[I_ACCOUNT].ok) {
		a = strmap_get(&L->accounts, str(&v[I_ACCOUNT]));
		if (a)
			provider = L->acc_provider[a - L->f->accounts];
	}
	for (size_t k = I_GENERIC; k < L->ins.n; k++) {
		if (v[k].s && !allowed_for(&L->ins.f[k], provider)) {
			foreign_setting(L, v[k].s, &L->ins.f[k], provider);
			v[k].ok = false;
		}
	}

	const char *name = str(&v[I_NAME]);
	static const int required[] = {I_NAME, I_ACCOUNT, I_SERVICE, I_REGION, I_ID};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!v[required[i]].s)
			missing_in_instance(L, g, name, instance_generic[required[i]].name);

	if (name) {
		const config_setting_t *first = strmap_get(&L->instances, name);
		if (first)
			error_at(L, v[I_NAME].s, "duplicate instance name '%s' (first at %s:%u)", name,
			         shown_file(L, config_setting_source_file(first)),
			         config_setting_source_line(first));
		else
			strmap_put(&L->instances, name, (void *)g);
		in->name = xstrdup(name);
	}
	if (v[I_ACCOUNT].ok) {
		if (a)
			in->account = a;
		else if (!L->accounts_bad)
			unknown_account(L, v[I_ACCOUNT].s, str(&v[I_ACCOUNT]));
	}
	if (v[I_SERVICE].ok) {
		enum service_kind k;
		if (!service_kind_from_name(str(&v[I_SERVICE]), &k)) {
			struct strbuf names = STRBUF_INIT;
			const char *list[SERVICE_COUNT];
			for (int i = 0; i < SERVICE_COUNT; i++)
				list[i] = service_kind_name((enum service_kind)i);
			add_alternatives(&names, list, SERVICE_COUNT, "");
			error_at(L, v[I_SERVICE].s, "unknown service '%s' (expected %s)",
			         str(&v[I_SERVICE]), strbuf_str(&names));
			strbuf_free(&names);
		} else if (provider >= 0 && !provider_supports(provider_for((enum provider_kind)provider), k))
			wrong_service(L, v[I_SERVICE].s, a, k);
		else
			in->service = k;
	}
	if (v[I_REGION].ok) {
		/* the region becomes part of host names */
		if (!textsafe_only(str(&v[I_REGION]), "-_"))
			error_at(L, v[I_REGION].s, "'region' may contain only letters, digits, '-' and '_'");
		else
			in->region = xstrdup(str(&v[I_REGION]));
	}
	if (v[I_ID].ok) {
		/* the id becomes part of URL paths and request bodies */
		if (!textsafe_only(str(&v[I_ID]), id_chars))
			error_at(L, v[I_ID].s, "'id' may contain only letters, digits, '.', '_', ':' and '-'");
		else
			in->id = xstrdup(str(&v[I_ID]));
	}
	in->endpoint = endpoint_value(L, &v[I_ENDPOINT]);
	for (size_t k = I_GENERIC; k < L->ins.n; k++) {
		const struct provider_setting *st;
		if (!v[k].ok || !(st = setting_of(provider, L->ins.f[k].name)) || !st->per_instance)
			continue;
		cloud_setting(L, st, &v[k], instance_slot(in, st));
	}
	if (v[I_WARN].ok)
		in->warn_days = (int)int_value(v[I_WARN].s);
	if (v[I_CRIT].ok)
		in->crit_days = (int)int_value(v[I_CRIT].s);
	if (v[I_REQUIRE_TLS].ok)
		in->require_tls = config_setting_get_bool(v[I_REQUIRE_TLS].s) ? 1 : 0;
	load_instance_address(L, v, in);
}

/* A host name or IP literal: it is dialled, verified and put into the
 * shell-quoted connect line, so nothing but name characters gets in. */
static char *host_value(struct loader *L, const struct val *v, const char *what)
{
	const char *h = str(v);

	if (!*h || strlen(h) > 253 || !textsafe_only(h, ".-:_")) {
		error_at(L, v->s, "'%s' must be a host name or an IP address (letters, digits, '.', '-', ':', '_')",
		         what);
		return NULL;
	}
	return xstrdup(h);
}

/* Live TLS probe settings (tlsfleet.conf(5), "Live TLS probe"). */
static void load_instance_address(struct loader *L, const struct val *v, struct instance *in)
{
	if (v[I_PROBE].ok)
		in->probe = config_setting_get_bool(v[I_PROBE].s) ? 1 : 0;
	if (v[I_HOST].ok)
		in->host = host_value(L, &v[I_HOST], "host");
	if (v[I_PORT].ok)
		in->port = (int)int_value(v[I_PORT].s);
	if (v[I_PROBE_HOST].ok)
		in->probe_host = host_value(L, &v[I_PROBE_HOST], "probe_host");
	if (v[I_PROBE_PORT].ok)
		in->probe_port = (int)int_value(v[I_PROBE_PORT].s);
	if (v[I_SNI].ok)
		in->sni = host_value(L, &v[I_SNI], "sni");
	/* for the services whose CA only the console hands out (Alibaba RDS,
	 * PolarDB) */
	if (v[I_PROBE_CA].ok)
		in->probe_ca = readable_path_value(L, &v[I_PROBE_CA], "probe_ca");
}

static void load_instances(struct loader *L, const config_setting_t *list)
{
	struct fleet *f = L->f;
	unsigned n = list ? (unsigned)config_setting_length(list) : 0;

	f->instances = xcalloc(n ? n : 1, sizeof(*f->instances));
	for (unsigned i = 0; i < n && !full(L); i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		if (!config_setting_is_group(g)) {
			error_at(L, g, "each entry of 'instances' must be a group { ... }");
			continue;
		}
		struct instance *in = &f->instances[f->n_instances];
		instance_status_init(&in->st);
		in->index = f->n_instances++;
		in->line = (int)config_setting_source_line(g);
		in->warn_days = in->crit_days = in->require_tls = -1;
		in->probe = in->port = in->probe_port = -1;
		load_instance(L, g, in);
	}
}

/* ---- after the walk -------------------------------------------------------------- */

/* Like ssh with a private key: a secret in a file others can read is
 * refused, not just warned about. */
static bool check_secret_files(struct loader *L)
{
	bool bad = false;

	for (size_t i = 0; i < L->n_secret_files; i++) {
		const char *file = L->secret_files[i];
		struct stat st;
		if (stat(file, &st) == 0 && (st.st_mode & 077)) {
			if (!bad) {
				strbuf_reset(&L->errs);
				L->n_errs = 0;
			}
			bad = true;
			error_file(L, file, 0,
			           "holds secret keys and is readable by others (mode %04o); run: chmod 600 %s",
			           (unsigned)(st.st_mode & 07777), file);
		}
	}
	return bad;
}

static void resolve_credentials(struct loader *L)
{
	struct fleet *f = L->f;

	for (size_t i = 0; i < f->n_accounts && !full(L); i++) {
		char *e = NULL;
		if (credentials_resolve(&f->accounts[i], &e) < 0) {
			error_at(L, L->acc_set[i], "account '%s': %s", f->accounts[i].name,
			         e ? e : "cannot resolve credentials");
			free(e);
		}
	}
}

/* A setting a cloud's requests cannot do without (a project id): say so
 * now rather than at every refresh. Accounts without keys are left alone:
 * their instances end auth_error/NoCredentials, which says more. */
static void check_required_settings(struct loader *L, const config_setting_t *list)
{
	struct fleet *f = L->f;

	for (size_t i = 0; i < f->n_instances && !full(L); i++) {
		struct instance *in = &f->instances[i];
		struct account *a = in->account;
		if (!a->credential_source || strcmp(a->credential_source, "none") == 0)
			continue;
		const struct provider_ops *ops = provider_for(a->provider);
		for (const struct provider_setting *st = ops->settings;
		     st < ops->settings + PROVIDER_SETTINGS_MAX && st->key && !full(L); st++) {
			if (!st->required || *account_slot(a, st) ||
			    (st->per_instance && *instance_slot(in, st)))
				continue;
			error_at(L, config_setting_get_elem(list, (unsigned)i),
			         "instance '%s' has no %s: set it on the instance or on account '%s', "
			         "or with the account's keys (%s or the credential file)",
			         in->name, st->key, a->name, ops->env.project_id);
		}
	}
}

/* libconfig 1.5 stops an @include loop only by its nesting limit, with a
 * message that does not say "loop". Find the @include that closes the loop
 * (includes always resolve against the main file's directory). */
static bool find_include_loop(struct loader *L, const char *file, char **stack, int depth,
                              char **msg)
{
	FILE *fp = fopen(file, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	bool found = false;

	if (!fp)
		return false;
	while (!found && getline(&line, &cap, fp) > 0) {
		const char *p = line;
		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "@include", 8) != 0 || (p[8] != ' ' && p[8] != '\t'))
			continue;
		p += 8;
		while (*p == ' ' || *p == '\t')
			p++;
		const char *end = *p == '"' ? strchr(p + 1, '"') : NULL;
		if (!end)
			continue;
		char *name = xstrndup(p + 1, (size_t)(end - p - 1));
		char *target = strcmp(L->dir, ".") == 0 ? xstrdup(name) : paths_join(L->dir, name);
		char *real = realpath(target, NULL);
		if (real) {
			for (int k = 0; k < depth && !found; k++) {
				if (strcmp(stack[k], real) == 0) {
					*msg = xasprintf("%s:%u: include loop: \"%s\" is already being read",
					                 file, lineno, name);
					found = true;
				}
			}
			if (!found && depth < INCLUDE_SEARCH_DEPTH) {
				stack[depth] = real;
				found = find_include_loop(L, target, stack, depth + 1, msg);
				stack[depth] = NULL;
			}
			free(real);
		}
		free(target);
		free(name);
	}
	free(line);
	fclose(fp);
	return found;
}

static void parse_error(struct loader *L, config_t *cf)
{
	const char *text = config_error_text(cf);
	const char *lcfile = config_error_file(cf);
	const char *file = shown_file(L, lcfile);

	if (text && strstr(text, "nesting too deep")) {
		char *stack[INCLUDE_SEARCH_DEPTH + 1] = {0};
		char *msg = NULL;
		stack[0] = realpath(L->path, NULL);
		if (stack[0] && find_include_loop(L, L->path, stack, 1, &msg)) {
			strbuf_adds(&L->errs, msg);
			L->n_errs++;
			free(msg);
			free(stack[0]);
			return;
		}
		free(stack[0]);
	}
	error_file(L, file, (unsigned)config_error_line(cf), "%s", text ? text : "cannot parse");
}

static void loader_free(struct loader *L)
{
	free(L->dir);
	free(L->absdir);
	for (size_t i = 0; i < L->n_files; i++)
		free(L->files[i].shown);
	free(L->files);
	for (size_t i = 0; i < L->n_secret_files; i++)
		free(L->secret_files[i]);
	free(L->secret_files);
	free(L->acc_set);
	free(L->acc_provider);
	strmap_free(&L->accounts);
	strmap_free(&L->instances);
	strbuf_free(&L->errs);
}

/* Opens the file once ourselves: libconfig's own message for a missing or
 * unreadable file is just "file I/O error". */
static bool check_readable(struct loader *L)
{
	FILE *fp = fopen(L->path, "r");
	struct stat st;

	if (!fp) {
		error_file(L, L->path, 0, "cannot read: %s", strerror(errno));
		return false;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		error_file(L, L->path, 0, "not a regular file");
		fclose(fp);
		return false;
	}
	fclose(fp);
	return true;
}

int config_load(const char *path, struct fleet *out, char **err)
{
	struct loader L = {0};
	config_t cf;
	bool parsed = false;

	memset(out, 0, sizeof(*out));
	*err = NULL;
	L.path = path;
	L.dir = dir_of(path);
	L.f = out;
	fields_build(&L.acc, &L.ins);
	if (!check_readable(&L))
		goto done;

	config_init(&cf);
	config_set_include_dir(&cf, L.dir);
	if (!config_read_file(&cf, path)) {
		parse_error(&L, &cf);
		config_destroy(&cf);
		goto done;
	}
	parsed = true;

	settings_defaults(&out->settings);
	out->settings.config_path = realpath(path, NULL);
	if (!out->settings.config_path) {
		char cwd[4096];
		out->settings.config_path = path[0] == '/' || !getcwd(cwd, sizeof(cwd))
			? xstrdup(path) : paths_join(cwd, path);
	}
	L.absdir = dir_of(out->settings.config_path);

	struct val g[G_COUNT];
	scan_group(&L, config_root_setting(&cf), global_fields, G_COUNT, -1, g);
	load_globals(&L, g);
	L.accounts_bad = g[G_ACCOUNTS].s && !g[G_ACCOUNTS].ok;
	load_accounts(&L, g[G_ACCOUNTS].ok ? g[G_ACCOUNTS].s : NULL);
	load_instances(&L, g[G_INSTANCES].ok ? g[G_INSTANCES].s : NULL);

	if (!check_secret_files(&L) && L.n_errs == 0) {
		resolve_credentials(&L);
		if (L.n_errs == 0)
			check_required_settings(&L, g[G_INSTANCES].ok ? g[G_INSTANCES].s : NULL);
	}
	config_destroy(&cf);
done:
	if (L.n_errs || L.errs.len) {
		*err = strbuf_steal(&L.errs);
		if (parsed)
			fleet_free(out);
		memset(out, 0, sizeof(*out));
		loader_free(&L);
		return -1;
	}
	loader_free(&L);
	out->protocol_of = provider_protocol;
	return 0;
}
