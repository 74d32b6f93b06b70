/* Where an account's keys come from (tlsfleet.conf(5)), first source wins:
 * inline in the config (already in a->cred), the environment (accounts
 * without a profile), the cloud's credential files, else none.
 *
 * Which variables and files, and the key names inside them, are the
 * cloud descriptor's (struct provider_ops: env, files): the files the
 * clouds' own SDKs and CLIs read, in their formats (INI sections, or a
 * JSON file of named profiles). This file only knows the formats.
 * Messages name variables, files, lines and profiles, never anything read
 * from them; buffers that held a credential file are wiped before they
 * are freed.
 *
 * Ownership: credentials_resolve() replaces a->cred (unless inline) and
 * a->credential_source, both owned by the account. */
#include "config/credentials.h"
#include "providers/provider.h"
#include "core/paths.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Credential files are a few lines; anything bigger is not one. */
#define MAX_FILE_SIZE (1024 * 1024)

enum result {
	R_FOUND,        /* keys set in a->cred, source set */
	R_NO_FILE,      /* the file does not exist */
	R_NO_PROFILE,   /* the file has no usable keys under that name */
	R_ERROR,        /* *err set */
};

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static char *absolute(const char *path)
{
	char cwd[4096];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

/* $var (if var) when set and not empty, else the default; "~" expanded,
 * absolute. */
static char *file_path(const char *var, const char *def)
{
	const char *v = var ? getenv(var) : NULL;
	char *p = paths_expand(v && *v ? v : def, NULL);

	if (!p)     /* "~user/...": taken literally, it will not be found */
		p = xstrdup(v);
	char *abs = absolute(p);
	free(p);
	return abs;
}

/* path is already absolute; symbolic links are left as the user named
 * them (a $HOME behind a link still reads as $HOME). */
static char *source_name(const char *path, const char *section)
{
	return xasprintf("file:%s[%s]", path, section);
}

/* Like the clouds' CLIs, a credential file others can read is used, but
 * not silently (tlsfleet.conf(5)). */
static void check_mode(struct account *a, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0 || !(st.st_mode & 077))
		return;
	free(a->credential_warning);
	a->credential_warning = xasprintf("account %s: credential file %s is readable by %s "
	                                  "(mode %04o); run: chmod 600 %s", a->name ? a->name : "?",
	                                  path, st.st_mode & 007 ? "others" : "group",
	                                  (unsigned)(st.st_mode & 07777), path);
}

static void set_cred(struct account *a, const char *id, const char *secret, const char *token,
                     const char *project_id, char *source)
{
	credentials_free(&a->cred);
	a->cred.id = xstrdup(id);
	a->cred.secret = xstrdup(secret);
	a->cred.token = token && *token ? xstrdup(token) : NULL;
	if (project_id && *project_id) {
		a->cred.project_id = xstrdup(project_id);
		if (!a->project_id)
			a->project_id = xstrdup(project_id);
	}
	free(a->credential_source);
	a->credential_source = source;
}

/* ---- files ---------------------------------------------------------------------- */

/* Whole file, NUL-terminated, in *out (wipe it before freeing). */
static enum result read_file(const char *path, char **out, size_t *len, char **err)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;

	*out = NULL;
	if (!fp) {
		if (errno == ENOENT || errno == ENOTDIR)
			return R_NO_FILE;
		*err = xasprintf("%s: cannot read: %s", path, strerror(errno));
		return R_ERROR;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		*err = xasprintf("%s: not a regular file", path);
		fclose(fp);
		return R_ERROR;
	}
	if (st.st_size > MAX_FILE_SIZE) {
		*err = xasprintf("%s: too large for a credential file", path);
		fclose(fp);
		return R_ERROR;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = xmalloc(cap + 1);
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0 || n == cap)
			break;
	}
	bool failed = ferror(fp) || n == cap;   /* n == cap: it grew while read */
	int e = errno;
	fclose(fp);
	if (failed) {
		explicit_bzero(buf, n);
		free(buf);
		*err = n == cap ? xasprintf("%s: changed while being read", path)
		                : xasprintf("%s: cannot read: %s", path, strerror(e));
		return R_ERROR;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return R_FOUND;
}

static void wipe_buffer(char *buf, size_t len)
{
	if (buf) {
		explicit_bzero(buf, len);
		free(buf);
	}
}

/* ---- INI -------------------------------------------------------------------------- */

struct ini_entry {
	char *key;          /* lowercase */
	char *value;
	unsigned line;
};

struct ini_section {
	struct ini_entry *e;
	size_t n;
	bool found;
};

static void ini_section_free(struct ini_section *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].key);
		wipe_free(s->e[i].value);
	}
	free(s->e);
	memset(s, 0, sizeof(*s));
}

static const struct ini_entry *ini_get(const struct ini_section *s, const char *key)
{
	/* the last one wins, as in the SDKs' parsers */
	for (size_t i = s->n; i-- > 0;)
		if (strcmp(s->e[i].key, key) == 0)
			return &s->e[i];
	return NULL;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Reads the entries of [section] (several headers of one name merge).
 * The whole file must parse: a garbled file is an error even when the
 * damage is in another section. */
static enum result ini_read(const char *path, const char *section, struct ini_section *out, char **err)
{
	char *buf;
	size_t len;
	enum result r = read_file(path, &buf, &len, err);

	memset(out, 0, sizeof(*out));
	if (r != R_FOUND)
		return r;
	char *p = buf;
	bool in_wanted = false;
	unsigned lineno = 0;
	if (strncmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p && *p && r == R_FOUND) {
		char *nl = strchr(p, '\n');
		char *line = p;
		p = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		line = trim(line);
		if (!*line || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			char *close = strchr(line, ']');
			if (!close || *trim(close + 1)) {
				*err = xasprintf("%s:%u: a section header must look like \"[name]\"", path, lineno);
				r = R_ERROR;
				break;
			}
			*close = '\0';
			in_wanted = strcmp(trim(line + 1), section) == 0;
			out->found |= in_wanted;
			continue;
		}
		char *sep = line + strcspn(line, "=:");
		char *key = line;
		if (!*sep) {
			*err = xasprintf("%s:%u: expected \"[section]\" or \"key = value\"", path, lineno);
			r = R_ERROR;
			break;
		}
		*sep = '\0';
		key = trim(key);
		if (!*key) {
			*err = xasprintf("%s:%u: expected \"[section]\" or \"key = value\"", path, lineno);
			r = R_ERROR;
			break;
		}
		if (!in_wanted)
			continue;
		char *value = trim(sep + 1);
		/* An inline comment needs a blank before it: keys never hold one. */
		for (char *c = value; *c; c++) {
			if ((*c == '#' || *c == ';') && c > value && (c[-1] == ' ' || c[-1] == '\t')) {
				*c = '\0';
				value = trim(value);
				break;
			}
		}
		size_t vn = strlen(value);
		if (vn >= 2 && (value[0] == '"' || value[0] == '\'') && value[vn - 1] == value[0]) {
			value[vn - 1] = '\0';
			value++;
		}
		out->e = xreallocarray(out->e, out->n + 1, sizeof(*out->e));
		struct ini_entry *e = &out->e[out->n++];
		e->key = xstrdup(key);
		for (char *k = e->key; *k; k++)
			*k = (char)tolower((unsigned char)*k);
		e->value = xstrdup(value);
		e->line = lineno;
	}
	wipe_buffer(buf, len);
	if (r != R_FOUND) {
		ini_section_free(out);
		return r;
	}
	return out->found ? R_FOUND : R_NO_PROFILE;
}

static bool bad_value(const char *path, const struct ini_entry *e, const char *name, char **err)
{
	if (e && has_control(e->value)) {
		*err = xasprintf("%s:%u: '%s' contains a control character", path, e->line, name);
		return true;
	}
	return false;
}

/* explicit_profile: the section was asked for by name, so a section tlsfleet
 * cannot use is an error rather than a reason to look further. */
static enum result from_ini(struct account *a, const char *path, const char *section,
                            const struct provider_cred_file *k, bool explicit_profile, char **err)
{
	struct ini_section sec;
	enum result r = ini_read(path, section, &sec, err);

	if (r != R_FOUND)
		return r;
	const struct ini_entry *id = ini_get(&sec, k->id), *secret = ini_get(&sec, k->secret);
	const struct ini_entry *token = k->token ? ini_get(&sec, k->token) : NULL;
	const struct ini_entry *project = k->project_id ? ini_get(&sec, k->project_id) : NULL;
	const struct ini_entry *type = k->kind_key ? ini_get(&sec, k->kind_key) : NULL;

	if (id && !*id->value)
		id = NULL;
	if (secret && !*secret->value)
		secret = NULL;
	if (type && strcmp(type->value, k->kind_values[0]) != 0 &&
	    strcmp(type->value, k->kind_values[1]) != 0) {
		if (explicit_profile && !has_control(type->value)) {
			*err = xasprintf("%s:%u: [%s] has %s '%s', which tlsfleet cannot use "
			                 "(only %s or %s)", path, type->line, section, k->kind_key,
			                 type->value, k->kind_values[0], k->kind_values[1]);
			r = R_ERROR;
		} else {
			r = R_NO_PROFILE;
		}
	} else if (!id && !secret) {
		r = R_NO_PROFILE;
	} else if (!id || !secret) {
		const struct ini_entry *has = id ? id : secret;
		*err = xasprintf("%s:%u: [%s] has '%s' but no '%s'", path, has->line, section,
		                 id ? k->id : k->secret, id ? k->secret : k->id);
		r = R_ERROR;
	} else if (bad_value(path, id, k->id, err) || bad_value(path, secret, k->secret, err) ||
	           bad_value(path, token, k->token, err) ||
	           bad_value(path, project, k->project_id, err)) {
		r = R_ERROR;
	} else {
		set_cred(a, id->value, secret->value, token ? token->value : NULL,
		         project ? project->value : NULL, source_name(path, section));
		check_mode(a, path);
	}
	ini_section_free(&sec);
	return r;
}

/* ---- JSON profiles: {"current": name, "profiles": [{"name": name, ...}]} ---------- */

static void json_wipe(cJSON *j)
{
	for (; j; j = j->next) {
		if (cJSON_IsString(j) && j->valuestring)
			explicit_bzero(j->valuestring, strlen(j->valuestring));
		json_wipe(j->child);
	}
}

/* A string member, "" when absent; *bad when present but not a string. */
static const char *json_str(const cJSON *o, const char *key, bool *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v || cJSON_IsNull(v))
		return "";
	if (!cJSON_IsString(v) || !v->valuestring) {
		*bad = true;
		return "";
	}
	return v->valuestring;
}

/* A CLI profile naming a role: EcsRamRole makes the account an
 * instance_role one, RamRoleArn an assume_role one with the profile's
 * keys as base keys. Settings in the config win over the profile's. */
static enum result use_json_role(struct account *a, const char *path, const cJSON *p,
                                 const char *name, const struct provider_cred_file *k,
                                 bool assume, bool explicit_profile, char **err)
{
	bool bad = false;
	const char *id = json_str(p, k->id, &bad);
	const char *secret = json_str(p, k->secret, &bad);
	const char *arn = json_str(p, k->role_arn, &bad);
	const char *session = json_str(p, k->role_session, &bad);
	const char *role = json_str(p, k->role_name, &bad);
	const cJSON *dur = cJSON_GetObjectItemCaseSensitive(p, k->role_duration);

	if (bad) {
		*err = xasprintf("%s: profile '%s': a setting is not a string", path, name);
		return R_ERROR;
	}
	if (has_control(id) || has_control(secret) || has_control(arn) || has_control(session) ||
	    has_control(role)) {
		*err = xasprintf("%s: profile '%s': a setting contains a control character", path, name);
		return R_ERROR;
	}
	if (!assume) {
		if (!*role && !explicit_profile)
			return R_NO_PROFILE;
		if (!*role) {
			*err = xasprintf("%s: profile '%s' has %s %s but no '%s'", path, name, k->kind_key,
			                 k->role_kinds[1], k->role_name);
			return R_ERROR;
		}
		if (a->auth == AUTH_ASSUME_ROLE) {
			/* AssumeRole is signed with keys; an instance-role profile
			 * has none (the signer would get a NULL secret). */
			*err = xasprintf("%s: profile '%s' is an instance-role profile: it has no keys to "
			                 "sign AssumeRole with (auth = \"assume_role\")", path, name);
			return R_ERROR;
		}
		if (a->auth == AUTH_KEYS) {
			a->auth = AUTH_INSTANCE_ROLE;
			free(a->role_name);
			a->role_name = xstrdup(role);
		}
		credentials_free(&a->cred);
		free(a->credential_source);
		a->credential_source = source_name(path, name);
		return R_FOUND;
	}
	if ((!*id || !*secret || !*arn) && !explicit_profile)
		return R_NO_PROFILE;
	if (!*id || !*secret || !*arn) {
		*err = xasprintf("%s: profile '%s' has %s %s but no '%s'", path, name, k->kind_key,
		                 k->role_kinds[0], !*id ? k->id : !*secret ? k->secret : k->role_arn);
		return R_ERROR;
	}
	if (a->auth == AUTH_KEYS) {
		a->auth = AUTH_ASSUME_ROLE;
		a->role_arn = xstrdup(arn);
		if (*session && !a->role_session_name)
			a->role_session_name = xstrdup(session);
		if (cJSON_IsNumber(dur) && dur->valuedouble >= 900 && dur->valuedouble <= 43200 &&
		    !a->duration)
			a->duration = (int)dur->valuedouble;
	}
	set_cred(a, id, secret, NULL, NULL, source_name(path, name));
	return R_FOUND;
}

static enum result use_json_profile(struct account *a, const char *path, const cJSON *p,
                                    const char *name, const struct provider_cred_file *k,
                                    bool explicit_profile, char **err)
{
	bool bad = false;
	const char *mode = json_str(p, k->kind_key, &bad);
	const char *id = json_str(p, k->id, &bad);
	const char *secret = json_str(p, k->secret, &bad);
	const char *token = json_str(p, k->token, &bad);
	bool sts = strcmp(mode, k->kind_values[1]) == 0;
	bool assume = k->role_kinds[0] && strcmp(mode, k->role_kinds[0]) == 0;
	bool ecs = k->role_kinds[1] && strcmp(mode, k->role_kinds[1]) == 0;

	if (!bad && (assume || ecs))
		return use_json_role(a, path, p, name, k, assume, explicit_profile, err);
	if (bad) {
		*err = xasprintf("%s: profile '%s': a key setting is not a string", path, name);
		return R_ERROR;
	}
	/* Old CLI versions wrote no kind for key pairs. */
	if (*mode && strcmp(mode, k->kind_values[0]) != 0 && !sts) {
		if (!explicit_profile || has_control(mode))
			return R_NO_PROFILE;
		*err = xasprintf("%s: profile '%s' has %s '%s', which tlsfleet cannot use "
		                 "(only %s or %s)", path, name, k->kind_key, mode, k->kind_values[0],
		                 k->kind_values[1]);
		return R_ERROR;
	}
	/* the CLI's "configure" leaves an empty key profile behind */
	if (!*id && !*secret)
		return R_NO_PROFILE;
	if (!*id || !*secret) {
		*err = xasprintf("%s: profile '%s' has '%s' but no '%s'", path, name,
		                 *id ? k->id : k->secret, *id ? k->secret : k->id);
		return R_ERROR;
	}
	if (sts && !*token) {
		*err = xasprintf("%s: profile '%s' has %s %s but no '%s'", path, name, k->kind_key,
		                 k->kind_values[1], k->token);
		return R_ERROR;
	}
	if (has_control(id) || has_control(secret) || (sts && has_control(token))) {
		*err = xasprintf("%s: profile '%s': a key contains a control character", path, name);
		return R_ERROR;
	}
	set_cred(a, id, secret, sts ? token : NULL, NULL, source_name(path, name));
	return R_FOUND;
}

/* want: the profile asked for, or NULL for the file's "current" one. */
static enum result from_json_profiles(struct account *a, const char *path, const char *want,
                                      const struct provider_cred_file *k, char **err)
{
	char *buf;
	size_t len;
	enum result r = read_file(path, &buf, &len, err);

	if (r != R_FOUND)
		return r;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(buf, &end, 0);
	if (!root || !cJSON_IsObject(root)) {
		unsigned line = 1;
		for (const char *c = buf; end && c < end && *c; c++)
			line += *c == '\n';
		*err = root ? xasprintf("%s: not %s (no JSON object)", path, k->what)
		            : xasprintf("%s:%u: not valid JSON", path, line);
		json_wipe(root);
		cJSON_Delete(root);
		wipe_buffer(buf, len);
		return R_ERROR;
	}
	wipe_buffer(buf, len);

	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(root, "current");
	const char *name = want ? want : cJSON_IsString(cur) ? cur->valuestring : NULL;
	const cJSON *profiles = cJSON_GetObjectItemCaseSensitive(root, "profiles");
	const cJSON *p, *found = NULL;
	r = R_NO_PROFILE;
	if (name && *name && cJSON_IsArray(profiles)) {
		cJSON_ArrayForEach(p, profiles) {
			const cJSON *n = cJSON_GetObjectItemCaseSensitive(p, "name");
			if (cJSON_IsObject(p) && cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
				found = p;
		}
	}
	if (found)
		r = use_json_profile(a, path, found, name, k, want != NULL, err);
	if (r == R_FOUND)
		check_mode(a, path);
	json_wipe(root);
	cJSON_Delete(root);
	return r;
}

/* ---- the environment ------------------------------------------------------------------ */

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static enum result from_env(struct account *a, const struct provider_env *ev, char **err)
{
	const char *names[4] = {ev->id, ev->secret, ev->token[0], ev->project_id};
	const char *vals[4] = {0};

	if (!ev->id || !ev->secret)
		return R_NO_PROFILE;
	vals[0] = env(ev->id);
	vals[1] = env(ev->secret);
	/* Half a pair is not a credential (the SDKs skip it too). */
	if (!vals[0] || !vals[1])
		return R_NO_PROFILE;
	/* Some SDKs know two names for the token: the first one set wins. */
	for (size_t i = 0; i < sizeof(ev->token) / sizeof(ev->token[0]) && ev->token[i]; i++) {
		names[2] = ev->token[i];
		if ((vals[2] = env(names[2])))
			break;
	}
	if (ev->project_id)
		vals[3] = env(ev->project_id);
	for (int i = 0; i < 4; i++) {
		if (vals[i] && has_control(vals[i])) {
			*err = xasprintf("%s contains a control character", names[i]);
			return R_ERROR;
		}
	}
	set_cred(a, vals[0], vals[1], vals[2], vals[3], xstrdup("env"));
	return R_FOUND;
}

/* ---- the providers' files ---------------------------------------------------------------- */

static enum result not_found(const char *profile, const char *path, enum result r, char **err)
{
	if (!profile || (r != R_NO_FILE && r != R_NO_PROFILE))
		return r;
	if (r == R_NO_FILE)
		*err = xasprintf("profile '%s' not found: %s does not exist", profile, path);
	else
		*err = xasprintf("profile '%s' not found in %s", profile, path);
	return R_ERROR;
}

/* The cloud's files in order, until one has the profile. want: the
 * account's profile, else the one the cloud's profile variable names,
 * else NULL (each file's own default: an INI section, a JSON "current"). */
static enum result from_files(struct account *a, const struct provider_ops *ops, char **err)
{
	const char *from_var = a->profile || !ops->env.profile ? NULL : env(ops->env.profile);
	const char *want = a->profile ? a->profile : from_var;
	char *paths[PROVIDER_FILES_MAX] = {0};
	enum result r = R_NO_FILE;
	size_t n = 0;

	for (; n < PROVIDER_FILES_MAX && ops->files[n].format != CRED_FILE_NONE; n++) {
		const struct provider_cred_file *k = &ops->files[n];

		paths[n] = file_path(k->path_var, k->path);
		if (r != R_NO_FILE && r != R_NO_PROFILE)
			continue;
		if (k->format == CRED_FILE_INI)
			r = from_ini(a, paths[n], want ? want : k->section, k, want != NULL, err);
		else
			r = from_json_profiles(a, paths[n], want, k, err);
	}
	if (n == 1) {
		r = not_found(want, paths[0], r, err);
	} else if (want && (r == R_NO_FILE || r == R_NO_PROFILE)) {
		struct strbuf where = STRBUF_INIT;

		for (size_t i = 0; i < n; i++) {
			if (i)
				strbuf_adds(&where, i + 1 == n ? " or " : ", ");
			strbuf_adds(&where, paths[i]);
		}
		*err = xasprintf("profile '%s'%s%s%s not found in %s", want, from_var ? " (from " : "",
		                 from_var ? ops->env.profile : "", from_var ? ")" : "", strbuf_str(&where));
		strbuf_free(&where);
		r = R_ERROR;
	}
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	return r;
}

/* Every source the chain looked at, for the NoCredentials message:
 * names of settings, variables and files, never a value. */
static char *sources_tried(const struct account *a, const struct provider_ops *ops)
{
	struct strbuf sb = STRBUF_INIT;
	const char *from_var = a->profile || !ops->env.profile ? NULL : env(ops->env.profile);
	const char *want = a->profile ? a->profile : from_var;

	strbuf_addf(&sb, "inline keys (%s, %s)", ops->inline_keys[0], ops->inline_keys[1]);
	if (a->profile)
		strbuf_adds(&sb, ", no environment (the account has a profile)");
	else if (ops->env.id && ops->env.secret)
		strbuf_addf(&sb, ", environment (%s, %s)", ops->env.id, ops->env.secret);
	for (size_t n = 0; n < PROVIDER_FILES_MAX && ops->files[n].format != CRED_FILE_NONE; n++) {
		const struct provider_cred_file *k = &ops->files[n];
		char *path = file_path(k->path_var, k->path);
		if (k->format == CRED_FILE_INI)
			strbuf_addf(&sb, ", %s [%s]", path, want ? want : k->section);
		else if (want)
			strbuf_addf(&sb, ", %s profile '%s'", path, want);
		else
			strbuf_addf(&sb, ", %s (current profile)", path);
		free(path);
	}
	return strbuf_steal(&sb);
}

static char *role_source(const struct account *a)
{
	if (a->auth == AUTH_INSTANCE_ROLE)
		return xasprintf("instance_role:%s", a->role_name ? a->role_name : "securitykey");
	return xasprintf("assume_role:%s", a->role_arn ? a->role_arn : "");
}

int credentials_resolve(struct account *a, char **err)
{
	const struct provider_ops *ops;
	enum result r = R_NO_PROFILE;

	*err = NULL;
	free(a->credential_source);
	a->credential_source = NULL;
	free(a->credentials_tried);
	a->credentials_tried = NULL;
	a->credential_expires = 0;
	credentials_free(&a->base);
	ops = a->ops ? a->ops : provider_for(a->provider);
	if (a->auth == AUTH_INSTANCE_ROLE) {
		/* The keys come from the metadata service, in the engine. */
		credentials_free(&a->cred);
		a->credential_source = role_source(a);
		return 0;
	}
	if (a->cred.id && a->cred.secret) {
		a->credential_source = xstrdup("inline");
		r = R_FOUND;
	} else {
		credentials_free(&a->cred);
		if (!ops)
			r = R_NO_PROFILE;
		else if (!a->profile)
			r = from_env(a, &ops->env, err);
		if (ops && r != R_FOUND && r != R_ERROR)
			r = from_files(a, ops, err);
	}
	if (r == R_FOUND) {
		/* A CLI profile may have turned the account into a role one. */
		if (a->auth == AUTH_INSTANCE_ROLE) {
			credentials_free(&a->cred);
			free(a->credential_source);
			a->credential_source = role_source(a);
		} else if (a->auth == AUTH_ASSUME_ROLE) {
			/* The chain's keys only sign the AssumeRole call. */
			a->base = a->cred;
			memset(&a->cred, 0, sizeof(a->cred));
			a->cred.project_id = a->base.project_id ? xstrdup(a->base.project_id) : NULL;
			free(a->credential_source);
			a->credential_source = role_source(a);
		}
		return 0;
	}
	credentials_free(&a->cred);
	a->credential_source = xstrdup("none");
	if (ops)
		a->credentials_tried = sources_tried(a, ops);
	return r == R_ERROR ? -1 : 0;
}
