#include "dashboard/theme.h"
#include "core/paths.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "dashboard/ui.h"   /* curses, for the applying half only */

static const char *const elem_names[THEME_COUNT] = {
#define X(id, name) name,
	THEME_ELEMENTS(X)
#undef X
};

const char *theme_elem_name(enum theme_elem e)
{
	return (unsigned)e < THEME_COUNT ? elem_names[e] : "?";
}

#define D THEME_DEFAULT_COLOR
enum { BLACK, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN, WHITE, BR_BLACK, BR_RED,
       BR_GREEN, BR_YELLOW, BR_BLUE, BR_MAGENTA, BR_CYAN, BR_WHITE };

static const struct theme builtin = {{
	[THEME_NORMAL] = {D, D, 0},
	[THEME_HEADER] = {WHITE, BLUE, THEME_BOLD},
	[THEME_COLUMN_HEADER] = {BLACK, CYAN, 0},
	[THEME_COLUMN_SORTED] = {BLACK, CYAN, THEME_BOLD | THEME_UNDERLINE},
	[THEME_SELECTED] = {BLACK, WHITE, 0},
	[THEME_STATE_ENABLED] = {GREEN, D, 0},
	[THEME_STATE_DISABLED] = {YELLOW, D, 0},
	[THEME_STATE_CONFIGURING] = {CYAN, D, 0},
	[THEME_STATE_UNSUPPORTED] = {MAGENTA, D, 0},
	[THEME_STATE_NO_INFO] = {MAGENTA, D, 0},
	[THEME_STATE_NOT_FOUND] = {RED, D, 0},
	[THEME_STATE_AUTH_ERROR] = {RED, D, THEME_BOLD},
	[THEME_STATE_THROTTLED] = {YELLOW, D, THEME_BOLD},
	[THEME_STATE_ERROR] = {RED, D, THEME_BOLD},
	[THEME_STATE_UNKNOWN] = {D, D, THEME_DIM},
	[THEME_EXPIRING] = {YELLOW, D, THEME_BOLD},
	[THEME_CRITICAL] = {BR_RED, D, THEME_BOLD},
	[THEME_EXPIRED] = {WHITE, RED, THEME_BOLD},
	[THEME_STATUS] = {WHITE, BLUE, 0},
	[THEME_STATUS_KEY] = {YELLOW, BLUE, THEME_BOLD},
	[THEME_STATUS_ERROR] = {WHITE, RED, THEME_BOLD},
	[THEME_PROMPT] = {D, D, THEME_BOLD},
	[THEME_DETAIL] = {D, D, 0},
	[THEME_DETAIL_LABEL] = {CYAN, D, THEME_BOLD},
	[THEME_HELP] = {D, D, 0},
	[THEME_HELP_KEY] = {YELLOW, D, THEME_BOLD},
	[THEME_BORDER] = {BLUE, D, 0},
	[THEME_LOG_TIME] = {BR_BLACK, D, 0},
	[THEME_VERDICT_OK] = {GREEN, D, 0},
	[THEME_VERDICT_WARNING] = {YELLOW, D, THEME_BOLD},
	[THEME_VERDICT_CRITICAL] = {BR_RED, D, THEME_BOLD},
	[THEME_VERDICT_UNKNOWN] = {MAGENTA, D, 0},
	[THEME_STALE] = {D, D, THEME_DIM},
}};

/* Attribute-only: every element must still be told apart from its
 * neighbours without colour (selection, headers, errors). */
static const unsigned mono_attrs[THEME_COUNT] = {
	[THEME_HEADER] = THEME_REVERSE | THEME_BOLD,
	[THEME_COLUMN_HEADER] = THEME_REVERSE,
	[THEME_COLUMN_SORTED] = THEME_REVERSE | THEME_BOLD | THEME_UNDERLINE,
	[THEME_SELECTED] = THEME_REVERSE,
	[THEME_STATE_DISABLED] = THEME_BOLD,
	[THEME_STATE_NOT_FOUND] = THEME_BOLD,
	[THEME_STATE_AUTH_ERROR] = THEME_BOLD,
	[THEME_STATE_THROTTLED] = THEME_BOLD,
	[THEME_STATE_ERROR] = THEME_BOLD,
	[THEME_STATE_UNKNOWN] = THEME_DIM,
	[THEME_EXPIRING] = THEME_BOLD,
	[THEME_CRITICAL] = THEME_BOLD | THEME_UNDERLINE,
	[THEME_EXPIRED] = THEME_BOLD | THEME_UNDERLINE,
	[THEME_STATUS] = THEME_REVERSE,
	[THEME_STATUS_KEY] = THEME_REVERSE | THEME_BOLD,
	[THEME_STATUS_ERROR] = THEME_REVERSE | THEME_BOLD,
	[THEME_PROMPT] = THEME_BOLD,
	[THEME_DETAIL_LABEL] = THEME_BOLD,
	[THEME_HELP_KEY] = THEME_BOLD,
	[THEME_LOG_TIME] = THEME_DIM,
	[THEME_VERDICT_WARNING] = THEME_BOLD,
	[THEME_VERDICT_CRITICAL] = THEME_BOLD | THEME_UNDERLINE,
	[THEME_VERDICT_UNKNOWN] = THEME_DIM,
	[THEME_STALE] = THEME_DIM,
};

/* The older element a newer one copies when a file names only the older
 * (verdict_ok: state_enabled, verdict_warning: expiring, verdict_critical:
 * critical, verdict_unknown and stale: state_unknown); e itself if none. */
static enum theme_elem theme_fallback(enum theme_elem e)
{
	switch (e) {
	case THEME_VERDICT_OK: return THEME_STATE_ENABLED;
	case THEME_VERDICT_WARNING: return THEME_EXPIRING;
	case THEME_VERDICT_CRITICAL: return THEME_CRITICAL;
	case THEME_VERDICT_UNKNOWN: return THEME_STATE_UNKNOWN;
	case THEME_STALE: return THEME_STATE_UNKNOWN;
	default: return e;
	}
}

void theme_builtin(struct theme *t)
{
	*t = builtin;
}

/* The attribute-only scheme for NO_COLOR, --no-color and colourless
 * terminals: colours all default. */
static void theme_builtin_mono(struct theme *t)
{
	for (int i = 0; i < THEME_COUNT; i++)
		t->style[i] = (struct theme_style){D, D, mono_attrs[i]};
}

static const char *const color_names[16] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
	"bright_black", "bright_red", "bright_green", "bright_yellow",
	"bright_blue", "bright_magenta", "bright_cyan", "bright_white",
};

bool theme_parse_color(const char *name, short *out)
{
	char *end;
	long n;

	if (!name)
		return false;
	if (strcasecmp(name, "default") == 0) {
		*out = D;
		return true;
	}
	for (int i = 0; i < 16; i++) {
		if (strcasecmp(name, color_names[i]) == 0) {
			*out = (short)i;
			return true;
		}
	}
	/* "brightred" and "grey"/"gray" are common spellings elsewhere. */
	if (strncasecmp(name, "bright", 6) == 0 && name[6] && name[6] != '_') {
		for (int i = 0; i < 8; i++) {
			if (strcasecmp(name + 6, color_names[i]) == 0) {
				*out = (short)(i + 8);
				return true;
			}
		}
	}
	if (strcasecmp(name, "grey") == 0 || strcasecmp(name, "gray") == 0) {
		*out = BR_BLACK;
		return true;
	}
	if (strncasecmp(name, "color", 5) == 0 && isdigit((unsigned char)name[5])) {
		errno = 0;
		n = strtol(name + 5, &end, 10);
		if (!*end && !errno && n >= 0 && n <= 255) {
			*out = (short)n;
			return true;
		}
	}
	return false;
}

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{"normal", 0}, {"bold", THEME_BOLD}, {"dim", THEME_DIM},
	{"underline", THEME_UNDERLINE}, {"reverse", THEME_REVERSE},
	{"blink", THEME_BLINK}, {"standout", THEME_STANDOUT}, {"italic", THEME_ITALIC},
};

static char *setting_error(const char *origin, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static char *setting_error(const char *origin, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	char *msg, *out;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	out = xasprintf("%s:%d: %s", origin, config_setting_source_line(s), msg);
	free(msg);
	return out;
}

static int parse_color_setting(const config_setting_t *s, const char *origin,
                               short *out, char **err)
{
	const char *name = NULL;

	if (config_setting_type(s) == CONFIG_TYPE_INT) {
		int n = config_setting_get_int(s);
		if (n < -1 || n > 255) {
			*err = setting_error(origin, s, "%s: colour number out of range 0..255",
			                     config_setting_name(s));
			return -1;
		}
		*out = (short)n;
		return 0;
	}
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		name = config_setting_get_string(s);
	if (!name || !theme_parse_color(name, out)) {
		*err = setting_error(origin, s,
		                     "%s: not a colour (default, black..white, bright_black..bright_white, color0..color255)",
		                     config_setting_name(s));
		return -1;
	}
	return 0;
}

static int parse_attrs(const config_setting_t *s, const char *origin, unsigned *out, char **err)
{
	int n;

	/* A single attribute may be given as a plain string. */
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		n = 1;
	} else if (config_setting_is_array(s) || config_setting_is_list(s)) {
		n = config_setting_length(s);
	} else {
		*err = setting_error(origin, s, "%s: expected a list of attribute names", "attrs");
		return -1;
	}
	*out = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_type(s) == CONFIG_TYPE_STRING ? s :
		                            config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_type(e) == CONFIG_TYPE_STRING ?
		                   config_setting_get_string(e) : NULL;
		size_t k, nk = sizeof(attr_names) / sizeof(attr_names[0]);

		for (k = 0; name && k < nk; k++)
			if (strcasecmp(name, attr_names[k].name) == 0)
				break;
		if (!name || k == nk) {
			*err = setting_error(origin, e, "attrs: unknown attribute %s (normal, bold, dim, underline, reverse, blink, standout, italic)",
			                     name ? name : "(not a string)");
			return -1;
		}
		*out |= attr_names[k].bit;
	}
	return 0;
}

static int parse_element(const config_setting_t *grp, const char *origin,
                         struct theme_style *st, char **err)
{
	int n = config_setting_length(grp);

	if (!config_setting_is_group(grp)) {
		*err = setting_error(origin, grp, "%s: expected { fg = ...; bg = ...; attrs = [...]; }",
		                     config_setting_name(grp));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
		const char *key = config_setting_name(s);
		int rc;

		if (strcmp(key, "fg") == 0)
			rc = parse_color_setting(s, origin, &st->fg, err);
		else if (strcmp(key, "bg") == 0)
			rc = parse_color_setting(s, origin, &st->bg, err);
		else if (strcmp(key, "attrs") == 0)
			rc = parse_attrs(s, origin, &st->attrs, err);
		else {
			*err = setting_error(origin, s, "unknown setting %s (fg, bg, attrs)", key);
			rc = -1;
		}
		if (rc)
			return -1;
	}
	return 0;
}

int theme_parse(struct theme *t, const char *text, const char *origin, char **err)
{
	config_t cfg;
	struct theme tmp = *t;
	int rc = 0;

	config_init(&cfg);
	if (!config_read_string(&cfg, text ? text : "")) {
		*err = xasprintf("%s:%d: %s", origin, config_error_line(&cfg),
		                 config_error_text(&cfg));
		config_destroy(&cfg);
		return -1;
	}
	config_setting_t *root = config_root_setting(&cfg);
	int n = config_setting_length(root);
	bool named[THEME_COUNT] = {false};
	for (int i = 0; i < n && rc == 0; i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		int e;

		for (e = 0; e < THEME_COUNT; e++)
			if (strcmp(name, elem_names[e]) == 0)
				break;
		if (e == THEME_COUNT) {
			*err = setting_error(origin, s, "unknown element %s", name);
			rc = -1;
		} else {
			rc = parse_element(s, origin, &tmp.style[e], err);
			named[e] = true;
		}
	}
	for (int e = 0; e < THEME_COUNT && rc == 0; e++) {
		enum theme_elem fb = theme_fallback((enum theme_elem)e);
		if (fb != (enum theme_elem)e && !named[e] && named[fb])
			tmp.style[e] = tmp.style[fb];
	}
	config_destroy(&cfg);
	if (rc == 0)
		*t = tmp;
	return rc;
}

int theme_load_file(struct theme *t, const char *path, char **err)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (!fp) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	/* Themes are a few hundred bytes; anything huge is not a theme. */
	buf = xmalloc(65537);
	len = fread(buf, 1, 65536, fp);
	if (ferror(fp) || !feof(fp)) {
		*err = xasprintf("%s: %s", path, ferror(fp) ? "read error" : "too large for a theme");
		fclose(fp);
		free(buf);
		return -1;
	}
	fclose(fp);
	buf[len] = '\0';
	rc = theme_parse(t, buf, path, err);
	free(buf);
	return rc;
}

static bool valid_name(const char *name)
{
	if (!name || !*name || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

static char *try_dir(const char *dir, const char *name)
{
	struct stat sb;
	char *p;

	if (!dir || !*dir)
		return NULL;
	p = xasprintf("%s/%s.theme", dir, name);
	if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
		return p;
	free(p);
	return NULL;
}

/* Where theme NAME lives: $XDG_CONFIG_HOME/tlsfleet/themes (or
 * ~/.config/...), then TLSFLEET_DATADIR/themes, then $TLSFLEET_THEMES_DIR
 * (running from the build tree). A NAME containing '/' is a path. New
 * string, or NULL when not found. */
static char *theme_find(const char *name)
{
	char *dir, *found;

	if (name && strchr(name, '/'))
		return xstrdup(name);
	if (!valid_name(name))
		return NULL;
	dir = paths_xdg("XDG_CONFIG_HOME", ".config", "tlsfleet/themes");
	found = try_dir(dir, name);
	free(dir);
	if (!found)
		found = try_dir(TLSFLEET_DATADIR "/themes", name);
	if (!found)
		found = try_dir(getenv("TLSFLEET_THEMES_DIR"), name);
	return found;
}

void theme_load(struct theme *t, const char *name, char **err)
{
	char *path;

	theme_builtin(t);
	*err = NULL;
	if (!name || !*name)
		name = "default";
	path = theme_find(name);
	if (!path) {
		if (strcmp(name, "default") != 0)
			*err = xasprintf("theme %s not found (looked in ~/.config/tlsfleet/themes and %s/themes); using the built-in default",
			                 name, TLSFLEET_DATADIR);
		return;
	}
	if (theme_load_file(t, path, err) != 0) {
		char *why = *err;
		*err = xasprintf("%s; using the built-in default theme", why);
		free(why);
		theme_builtin(t);
	}
	free(path);
}

/* The xterm palette, for picking the nearest of few colours. */
static void palette_rgb(int c, int rgb[3])
{
	static const int base[16][3] = {
		{0, 0, 0}, {205, 0, 0}, {0, 205, 0}, {205, 205, 0},
		{0, 0, 238}, {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
		{127, 127, 127}, {255, 0, 0}, {0, 255, 0}, {255, 255, 0},
		{92, 92, 255}, {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
	};
	static const int level[6] = {0, 95, 135, 175, 215, 255};

	if (c < 16) {
		memcpy(rgb, base[c], sizeof(base[c]));
	} else if (c < 232) {
		c -= 16;
		rgb[0] = level[c / 36];
		rgb[1] = level[(c / 6) % 6];
		rgb[2] = level[c % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
	}
}

short theme_reduce_color(short c, int ncolors, bool *bold)
{
	int best = 0;
	long best_d = -1;
	int rgb[3], cand[3];

	*bold = false;
	if (c < 0)
		return c;
	if (c >= 16) {
		palette_rgb(c, rgb);
		for (int i = 0; i < 16; i++) {
			palette_rgb(i, cand);
			long d = 0;
			for (int k = 0; k < 3; k++)
				d += (long)(rgb[k] - cand[k]) * (rgb[k] - cand[k]);
			if (best_d < 0 || d < best_d) {
				best_d = d;
				best = i;
			}
		}
		c = (short)best;
	}
	if (ncolors < 16 && c >= 8) {
		*bold = true;   /* cmus and most terminals: bright = bold base */
		c = (short)(c - 8);
	}
	return c;
}

/* ---- curses ------------------------------------------------------------- */

static attr_t applied[THEME_COUNT];

static attr_t to_curses(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & THEME_BOLD) r |= A_BOLD;
	if (a & THEME_DIM) r |= A_DIM;
	if (a & THEME_UNDERLINE) r |= A_UNDERLINE;
	if (a & THEME_REVERSE) r |= A_REVERSE;
	if (a & THEME_BLINK) r |= A_BLINK;
	if (a & THEME_STANDOUT) r |= A_STANDOUT;
#ifdef A_ITALIC
	if (a & THEME_ITALIC) r |= A_ITALIC;
#endif
	return r;
}

void theme_apply(const struct theme *t, bool no_color)
{
	struct theme mono;
	bool defaults;

	if (no_color || !has_colors() || start_color() == ERR || COLORS < 8 ||
	    COLOR_PAIRS < THEME_COUNT + 1) {
		theme_builtin_mono(&mono);
		for (int i = 0; i < THEME_COUNT; i++)
			applied[i] = to_curses(mono.style[i].attrs);
		return;
	}
	defaults = use_default_colors() == OK;
	for (int i = 0; i < THEME_COUNT; i++) {
		const struct theme_style *s = &t->style[i];
		short fg = s->fg, bg = s->bg;
		bool bold_fg = false, bold_bg = false;
		unsigned attrs = s->attrs;

		if (COLORS < 256) {
			fg = theme_reduce_color(fg, COLORS >= 16 ? 16 : 8, &bold_fg);
			bg = theme_reduce_color(bg, COLORS >= 16 ? 16 : 8, &bold_bg);
		}
		if (bold_fg)
			attrs |= THEME_BOLD;
		if (!defaults) {
			if (fg < 0) fg = COLOR_WHITE;
			if (bg < 0) bg = COLOR_BLACK;
		}
		init_pair((short)(i + 1), fg, bg);
		applied[i] = to_curses(attrs) | COLOR_PAIR(i + 1);
	}
}

unsigned long theme_attr(enum theme_elem e)
{
	return (unsigned)e < THEME_COUNT ? (unsigned long)applied[e] : 0;
}
