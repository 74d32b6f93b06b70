#include "dashboard/prefs.h"
#include "core/paths.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "store/safefile.h"

#include <errno.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *prefs_default_path(void)
{
	/* state, not configuration: tlsfleet writes only under its state and
	 * cache directories and the download directory */
	return paths_xdg("XDG_STATE_HOME", ".local/state", "tlsfleet/dashboard");
}

char *prefs_legacy_path(void)
{
	return paths_xdg("XDG_CONFIG_HOME", ".config", "tlsfleet/dashboard");
}

void prefs_init(struct dash_prefs *p)
{
	memset(p, 0, sizeof(*p));
	p->sort = -1;
	p->refresh_interval = -1;
}

void prefs_free(struct dash_prefs *p)
{
	free(p->filter);
	free(p->theme);
	prefs_init(p);
}

static int index_of(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (names[i] && strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

int prefs_load(const char *path, const struct prefs_names *names, struct dash_prefs *p,
               char **err)
{
	config_t cf;
	const char *s;
	int b, iv;
	FILE *fp;

	prefs_init(p);
	fp = fopen(path, "r");
	if (!fp) {
		if (errno == ENOENT)
			return 0;
		*err = xasprintf("%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	config_init(&cf);
	if (config_read(&cf, fp) != CONFIG_TRUE) {
		*err = xasprintf("%s:%d: %s", path, config_error_line(&cf), config_error_text(&cf));
		config_destroy(&cf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	if (config_lookup_string(&cf, "sort", &s) == CONFIG_TRUE)
		p->sort = index_of(s, names->sorts, names->n_sorts);
	if (config_lookup_bool(&cf, "descending", &b) == CONFIG_TRUE)
		p->descending = b != 0;
	if (config_lookup_bool(&cf, "problems_only", &b) == CONFIG_TRUE)
		p->problems_only = b != 0;
	if (config_lookup_string(&cf, "filter", &s) == CONFIG_TRUE && *s)
		p->filter = xstrdup(s);
	if (config_lookup_string(&cf, "theme", &s) == CONFIG_TRUE && *s)
		p->theme = xstrdup(s);
	if (config_lookup_int(&cf, "refresh_interval", &iv) == CONFIG_TRUE && iv >= 0 &&
	    iv <= 86400 * 7)
		p->refresh_interval = iv;
	config_setting_t *hc = config_lookup(&cf, "hidden_columns");
	if (hc && (config_setting_is_array(hc) || config_setting_is_list(hc))) {
		for (int i = 0; i < config_setting_length(hc); i++) {
			int c = index_of(config_setting_get_string_elem(hc, i), names->columns,
			                 names->n_columns);
			if (c >= 0 && c < PREFS_MAX_COLUMNS)
				p->hidden[c] = true;
		}
	}
	config_destroy(&cf);
	return 0;
}

/* A libconfig string literal: backslash and quote escaped, controls as
 * \xNN (the filter is typed text and may hold anything). */
static void add_quoted(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			strbuf_addf(sb, "\\x%02x", c);
		} else {
			strbuf_addc(sb, (char)c);
		}
	}
	strbuf_addc(sb, '"');
}

char *prefs_format(const struct dash_prefs *p, const struct prefs_names *names)
{
	struct strbuf sb = STRBUF_INIT;
	bool first = true;

	strbuf_adds(&sb, "# tlsfleet dashboard preferences, written by the dashboard when a\n"
	                 "# choice changes and on quit. theme and refresh_interval may be\n"
	                 "# added by hand; they win over the config file. See tlsfleet(1).\n");
	if (p->sort >= 0 && (size_t)p->sort < names->n_sorts) {
		strbuf_adds(&sb, "sort = ");
		add_quoted(&sb, names->sorts[p->sort]);
		strbuf_adds(&sb, ";\n");
	}
	strbuf_addf(&sb, "descending = %s;\n", p->descending ? "true" : "false");
	strbuf_addf(&sb, "problems_only = %s;\n", p->problems_only ? "true" : "false");
	strbuf_adds(&sb, "filter = ");
	add_quoted(&sb, p->filter ? p->filter : "");
	strbuf_adds(&sb, ";\nhidden_columns = [");
	for (size_t c = 0; c < names->n_columns && c < PREFS_MAX_COLUMNS; c++) {
		if (!p->hidden[c])
			continue;
		strbuf_adds(&sb, first ? " " : ", ");
		add_quoted(&sb, names->columns[c]);
		first = false;
	}
	strbuf_adds(&sb, first ? "];\n" : " ];\n");
	if (p->theme) {
		strbuf_adds(&sb, "theme = ");
		add_quoted(&sb, p->theme);
		strbuf_adds(&sb, ";\n");
	}
	if (p->refresh_interval >= 0)
		strbuf_addf(&sb, "refresh_interval = %d;\n", p->refresh_interval);
	return strbuf_steal(&sb);
}

int prefs_save(const char *path, const struct dash_prefs *p, const struct prefs_names *names,
               char **err)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	const char *base = slash ? slash + 1 : path;
	char *text = prefs_format(p, names);
	struct safedir d;
	struct safefile_tmp tmp = {0};
	int rc = -1;

	if (!*dir) {
		free(dir);
		dir = xstrdup("/");
	}
	if (safedir_open(&d, dir, NULL, err) == 0) {
		if (safefile_stage(&d, base, text, strlen(text), 0600, &tmp, err) == 0 &&
		    safefile_commit(&d, &tmp, err) == 0)
			rc = 0;
		safefile_abort(&d, &tmp);
		safedir_close(&d);
	}
	free(text);
	free(dir);
	return rc;
}
