/* Colour themes: plain libconfig data files naming screen elements by
 * meaning (themes/NAME.theme). Parsing (theme_parse*, theme_find) needs no
 * terminal and is tested on its own; theme_apply() turns a parsed theme
 * into curses attributes for the terminal at hand (256, 16, 8 or no
 * colours).
 *
 * A theme file:
 *     state_enabled = { fg = "green"; bg = "default"; attrs = ["bold"]; };
 * Colours: "default", black red green yellow blue magenta cyan white,
 * bright_black .. bright_white (8-15), "colorNNN" (0-255) or an integer.
 * Attributes: normal bold dim underline reverse blink standout italic.
 * Elements a file leaves out keep the built-in default theme's values,
 * except the newer ones with a fallback (theme_fallback): a file that
 * sets the fallback but not the element gives the element its style, so
 * an older theme file still looks like itself. */
#ifndef TLSFLEET_THEME_H
#define TLSFLEET_THEME_H
#include <stdbool.h>

/* THEME_ELEM(id, name) — names are what theme files use. */
#define THEME_ELEMENTS(X) \
	X(NORMAL, "normal") \
	X(HEADER, "header") \
	X(COLUMN_HEADER, "column_header") \
	X(COLUMN_SORTED, "column_sorted") \
	X(SELECTED, "selected") \
	X(STATE_ENABLED, "state_enabled") \
	X(STATE_DISABLED, "state_disabled") \
	X(STATE_CONFIGURING, "state_configuring") \
	X(STATE_UNSUPPORTED, "state_unsupported") \
	X(STATE_NO_INFO, "state_no_info") \
	X(STATE_NOT_FOUND, "state_not_found") \
	X(STATE_AUTH_ERROR, "state_auth_error") \
	X(STATE_THROTTLED, "state_throttled") \
	X(STATE_ERROR, "state_error") \
	X(STATE_UNKNOWN, "state_unknown") \
	X(EXPIRING, "expiring") \
	X(CRITICAL, "critical") \
	X(EXPIRED, "expired") \
	X(STATUS, "status") \
	X(STATUS_KEY, "status_key") \
	X(STATUS_ERROR, "status_error") \
	X(PROMPT, "prompt") \
	X(DETAIL, "detail") \
	X(DETAIL_LABEL, "detail_label") \
	X(HELP, "help") \
	X(HELP_KEY, "help_key") \
	X(BORDER, "border") \
	X(LOG_TIME, "log_time") \
	X(VERDICT_OK, "verdict_ok") \
	X(VERDICT_WARNING, "verdict_warning") \
	X(VERDICT_CRITICAL, "verdict_critical") \
	X(VERDICT_UNKNOWN, "verdict_unknown") \
	X(STALE, "stale")

enum theme_elem {
#define X(id, name) THEME_##id,
	THEME_ELEMENTS(X)
#undef X
	THEME_COUNT
};

/* Attribute bits of a theme (not curses' A_*: parsing knows no curses). */
enum {
	THEME_BOLD = 1 << 0,
	THEME_DIM = 1 << 1,
	THEME_UNDERLINE = 1 << 2,
	THEME_REVERSE = 1 << 3,
	THEME_BLINK = 1 << 4,
	THEME_STANDOUT = 1 << 5,
	THEME_ITALIC = 1 << 6,
};

#define THEME_DEFAULT_COLOR (-1)

struct theme_style {
	short fg, bg;        /* 0..255 or THEME_DEFAULT_COLOR */
	unsigned attrs;      /* THEME_* bits */
};

struct theme {
	struct theme_style style[THEME_COUNT];
};

const char *theme_elem_name(enum theme_elem e);

/* The built-in default theme (also what a broken file falls back to). */
void theme_builtin(struct theme *t);

/* Colour name to 0..255 or THEME_DEFAULT_COLOR; false if unknown. */
bool theme_parse_color(const char *name, short *out);

/* Parse theme text over *t (start from theme_builtin). origin names the
 * text in messages. 0, or -1 with *err = "origin:line: message" (new
 * string) and *t unchanged. */
int theme_parse(struct theme *t, const char *text, const char *origin, char **err);
/* Same for a file. */
int theme_load_file(struct theme *t, const char *path, char **err);

/* Find and load NAME over the built-in default. Never fails: on a missing
 * or broken file *t is the built-in default and *err (new string) says
 * why; "default" that is not installed is not an error. */
void theme_load(struct theme *t, const char *name, char **err);

/* Colour reduction for terminals with fewer colours, exposed for tests:
 * maps c (0..255) to a colour below ncolors (8 or 16); *bold is set when
 * a bright colour became bold + its base colour. */
short theme_reduce_color(short c, int ncolors, bool *bold);

/* --- curses side --------------------------------------------------------- */

/* Initialise colour pairs for t on the current terminal; with no_color (or
 * a terminal without colours) the attribute-only scheme is used instead.
 * Call after initscr(). */
void theme_apply(const struct theme *t, bool no_color);
/* Curses attributes (colour pair included) of an element after apply. */
unsigned long theme_attr(enum theme_elem e);

#endif
