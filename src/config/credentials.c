/* Where an account's keys come from (DESIGN §1), first source wins:
 * inline in the config (already in a->cred), the environment (accounts
 * without a profile), the provider's credential file, else none.
 *
 * The files are the ones the providers' own SDKs and CLIs read, in their
 * formats: INI for Tencent, Huawei and Alibaba's credentials SDK, JSON for
 * the aliyun CLI. Messages name variables, files, lines and profiles,
 * never anything read from them; buffers that held a credential file are
 * wiped before they are freed.
 *
 * Ownership: credentials_resolve() replaces a->cred (unless inline) and
 * a->credential_source, both owned by the account; credentials_free()
 * wipes and frees the strings of one struct credentials. */
#include "config/credentials.h"
#include "config/config_load.h"
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

void credentials_free(struct credentials *c)
{
	wipe_free(c->id);
	wipe_free(c->secret);
	wipe_free(c->token);
	free(c->project_id);
	memset(c, 0, sizeof(*c));
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
	char *p = config_expand_path(v && *v ? v : def, NULL);

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

/* The names one provider's INI file uses. */
struct ini_keys {
	const char *id, *secret, *token, *project_id;
	bool typed;         /* Alibaba: a "type" key says what the section holds */
};

static const struct ini_keys tencent_ini = {"secret_id", "secret_key", "token", NULL, false};
static const struct ini_keys huawei_ini = {"ak", "sk", "security_token", "project_id", false};
static const struct ini_keys alibaba_ini = {"access_key_id", "access_key_secret", "security_token", NULL, true};

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
                            const struct ini_keys *k, bool explicit_profile, char **err)
{
	struct ini_section sec;
	enum result r = ini_read(path, section, &sec, err);

	if (r != R_FOUND)
		return r;
	const struct ini_entry *id = ini_get(&sec, k->id), *secret = ini_get(&sec, k->secret);
	const struct ini_entry *token = ini_get(&sec, k->token);
	const struct ini_entry *project = k->project_id ? ini_get(&sec, k->project_id) : NULL;
	const struct ini_entry *type = k->typed ? ini_get(&sec, "type") : NULL;

	if (id && !*id->value)
		id = NULL;
	if (secret && !*secret->value)
		secret = NULL;
	if (type && strcmp(type->value, "access_key") != 0 && strcmp(type->value, "sts") != 0) {
		if (explicit_profile && !has_control(type->value)) {
			*err = xasprintf("%s:%u: [%s] has type '%s', which tlsfleet cannot use "
			                 "(only access_key or sts)", path, type->line, section, type->value);
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
	}
	ini_section_free(&sec);
	return r;
}

/* ---- the aliyun CLI's config.json ---------------------------------------------------- */

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

static enum result use_aliyun_profile(struct account *a, const char *path, const cJSON *p,
                                      const char *name, bool explicit_profile, char **err)
{
	bool bad = false;
	const char *mode = json_str(p, "mode", &bad);
	const char *id = json_str(p, "access_key_id", &bad);
	const char *secret = json_str(p, "access_key_secret", &bad);
	const char *token = json_str(p, "sts_token", &bad);
	bool sts = strcmp(mode, "StsToken") == 0;

	if (bad) {
		*err = xasprintf("%s: profile '%s': a key setting is not a string", path, name);
		return R_ERROR;
	}
	/* Old aliyun versions wrote no mode for key pairs. */
	if (*mode && strcmp(mode, "AK") != 0 && !sts) {
		if (!explicit_profile || has_control(mode))
			return R_NO_PROFILE;
		*err = xasprintf("%s: profile '%s' has mode '%s', which tlsfleet cannot use "
		                 "(only AK or StsToken)", path, name, mode);
		return R_ERROR;
	}
	/* "aliyun configure" leaves an empty AK profile behind */
	if (!*id && !*secret)
		return R_NO_PROFILE;
	if (!*id || !*secret) {
		*err = xasprintf("%s: profile '%s' has '%s' but no '%s'", path, name,
		                 *id ? "access_key_id" : "access_key_secret",
		                 *id ? "access_key_secret" : "access_key_id");
		return R_ERROR;
	}
	if (sts && !*token) {
		*err = xasprintf("%s: profile '%s' has mode StsToken but no 'sts_token'", path, name);
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
static enum result from_aliyun_json(struct account *a, const char *path, const char *want,
                                    char **err)
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
		*err = root ? xasprintf("%s: not an aliyun CLI configuration (no JSON object)", path)
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
		r = use_aliyun_profile(a, path, found, name, want != NULL, err);
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

static enum result from_env(struct account *a, char **err)
{
	const char *id, *secret, *token = NULL, *project = NULL;
	const char *names[4];

	switch (a->provider) {
	case PROVIDER_TENCENT:
		names[0] = "TENCENTCLOUD_SECRET_ID";
		names[1] = "TENCENTCLOUD_SECRET_KEY";
		names[2] = env("TENCENTCLOUD_SESSION_TOKEN") ? "TENCENTCLOUD_SESSION_TOKEN"
		                                             : "TENCENTCLOUD_SECURITY_TOKEN";
		names[3] = NULL;
		break;
	case PROVIDER_HUAWEI:
		names[0] = "HUAWEICLOUD_SDK_AK";
		names[1] = "HUAWEICLOUD_SDK_SK";
		names[2] = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
		names[3] = "HUAWEICLOUD_SDK_PROJECT_ID";
		break;
	case PROVIDER_ALIBABA:
		names[0] = "ALIBABA_CLOUD_ACCESS_KEY_ID";
		names[1] = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
		names[2] = "ALIBABA_CLOUD_SECURITY_TOKEN";
		names[3] = NULL;
		break;
	default:
		return R_NO_PROFILE;
	}
	id = env(names[0]);
	secret = env(names[1]);
	/* Half a pair is not a credential (the SDKs skip it too). */
	if (!id || !secret)
		return R_NO_PROFILE;
	token = env(names[2]);
	if (names[3])
		project = env(names[3]);
	const char *vals[4] = {id, secret, token, project};
	for (int i = 0; i < 4; i++) {
		if (vals[i] && has_control(vals[i])) {
			*err = xasprintf("%s contains a control character", names[i]);
			return R_ERROR;
		}
	}
	set_cred(a, id, secret, token, project, xstrdup("env"));
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

static enum result from_tencent_file(struct account *a, char **err)
{
	char *path = file_path("TENCENTCLOUD_CREDENTIALS_FILE", "~/.tencentcloud/credentials");
	enum result r = from_ini(a, path, a->profile ? a->profile : "default", &tencent_ini,
	                         a->profile != NULL, err);

	r = not_found(a->profile, path, r, err);
	free(path);
	return r;
}

static enum result from_huawei_file(struct account *a, char **err)
{
	char *path = file_path("HUAWEICLOUD_SDK_CREDENTIALS_FILE", "~/.huaweicloud/credentials");
	enum result r = from_ini(a, path, a->profile ? a->profile : "basic", &huawei_ini,
	                         a->profile != NULL, err);

	r = not_found(a->profile, path, r, err);
	free(path);
	return r;
}

/* The aliyun CLI's profiles first, then the credentials SDK's INI file. */
static enum result from_alibaba_files(struct account *a, char **err)
{
	const char *from_env_var = a->profile ? NULL : env("ALIBABA_CLOUD_PROFILE");
	const char *want = a->profile ? a->profile : from_env_var;
	char *json = file_path(NULL, "~/.aliyun/config.json");
	char *ini = file_path("ALIBABA_CLOUD_CREDENTIALS_FILE", "~/.alibabacloud/credentials");
	enum result r = from_aliyun_json(a, json, want, err);

	if (r == R_NO_FILE || r == R_NO_PROFILE)
		r = from_ini(a, ini, want ? want : "default", &alibaba_ini, want != NULL, err);
	if (want && (r == R_NO_FILE || r == R_NO_PROFILE)) {
		*err = xasprintf("profile '%s'%s not found in %s or %s", want,
		                 from_env_var ? " (from ALIBABA_CLOUD_PROFILE)" : "", json, ini);
		r = R_ERROR;
	}
	free(json);
	free(ini);
	return r;
}

int credentials_resolve(struct account *a, char **err)
{
	enum result r = R_NO_PROFILE;

	*err = NULL;
	free(a->credential_source);
	a->credential_source = NULL;
	if (a->cred.id && a->cred.secret) {
		a->credential_source = xstrdup("inline");
		return 0;
	}
	credentials_free(&a->cred);
	if (!a->profile)
		r = from_env(a, err);
	if (r != R_FOUND && r != R_ERROR) {
		switch (a->provider) {
		case PROVIDER_TENCENT:
			r = from_tencent_file(a, err);
			break;
		case PROVIDER_HUAWEI:
			r = from_huawei_file(a, err);
			break;
		case PROVIDER_ALIBABA:
			r = from_alibaba_files(a, err);
			break;
		default:
			break;
		}
	}
	if (r == R_FOUND)
		return 0;
	credentials_free(&a->cred);
	a->credential_source = xstrdup("none");
	return r == R_ERROR ? -1 : 0;
}
