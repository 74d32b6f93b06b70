/* Themes: parsing (no terminal), errors with file:line, colour names and
 * the reduction to 16/8 colours, and the shipped theme files. */
#include "dashboard/theme.h"
#include "core/xalloc.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void test_colors(void)
{
	short c;
	bool bold;

	ok(theme_parse_color("default", &c) && c == THEME_DEFAULT_COLOR, "default");
	ok(theme_parse_color("red", &c) && c == 1, "red");
	ok(theme_parse_color("Bright_White", &c) && c == 15, "bright_white, any case");
	ok(theme_parse_color("brightblue", &c) && c == 12, "brightblue");
	ok(theme_parse_color("grey", &c) && c == 8, "grey");
	ok(theme_parse_color("color208", &c) && c == 208, "color208");
	ok(!theme_parse_color("color256", &c), "color256 out of range");
	ok(!theme_parse_color("colour1", &c), "unknown spelling");
	ok(!theme_parse_color("color", &c), "color without number");

	is_int(theme_reduce_color(9, 8, &bold), 1, "bright red on 8 colours: red");
	ok(bold, "... made bold");
	is_int(theme_reduce_color(3, 8, &bold), 3, "yellow stays");
	ok(!bold, "... not bold");
	is_int(theme_reduce_color(196, 8, &bold), 1, "color196 (pure red) -> red");
	ok(bold, "... bright, so bold");
	is_int(theme_reduce_color(196, 16, &bold), 9, "color196 on 16 colours -> bright red");
	ok(!bold, "... no bold needed");
	is_int(theme_reduce_color(22, 8, &bold), 0, "color22 (dark green) -> nearest basic");
	is_int(theme_reduce_color(250, 8, &bold), 7, "light grey -> white");
	is_int(theme_reduce_color(THEME_DEFAULT_COLOR, 8, &bold), THEME_DEFAULT_COLOR, "default stays");
}

static void test_parse(void)
{
	struct theme t, before;
	char *err = NULL;

	theme_builtin(&t);
	before = t;
	is_int(theme_parse(&t, "state_enabled = { fg = \"color118\"; bg = \"default\"; attrs = [\"bold\", \"underline\"]; };\n"
	                   "header = { attrs = \"reverse\"; };\n", "x.theme", &err), 0, "valid theme parses");
	is_int(t.style[THEME_STATE_ENABLED].fg, 118, "fg set");
	is_int(t.style[THEME_STATE_ENABLED].bg, THEME_DEFAULT_COLOR, "bg set");
	is_int(t.style[THEME_STATE_ENABLED].attrs, THEME_BOLD | THEME_UNDERLINE, "attrs set");
	is_int(t.style[THEME_HEADER].attrs, THEME_REVERSE, "single attribute as a string");
	is_int(t.style[THEME_HEADER].fg, before.style[THEME_HEADER].fg, "unset fg keeps the default");
	is_int(t.style[THEME_EXPIRED].fg, before.style[THEME_EXPIRED].fg, "unset element keeps the default");

	theme_builtin(&t);
	ok(theme_parse(&t, "\n\nexpired = { fg = \"purple\"; };\n", "bad.theme", &err) != 0, "unknown colour fails");
	is_str(err, "bad.theme:3: fg: not a colour (default, black..white, bright_black..bright_white, color0..color255)",
	       "error names file:line and the setting");
	ok(memcmp(&t, &before, sizeof(t)) == 0, "a failed parse leaves the theme as it was");
	free(err);
	err = NULL;
	ok(theme_parse(&t, "state_enabled = { fg = \"red\" ;\n", "syn.theme", &err) != 0, "syntax error fails");
	ok(err && strncmp(err, "syn.theme:", 10) == 0, "syntax error names the file (%s)", err ? err : "");
	free(err);
	err = NULL;
	ok(theme_parse(&t, "sparkles = { fg = \"red\"; };\n", "u.theme", &err) != 0, "unknown element fails");
	is_str(err, "u.theme:1: unknown element sparkles", "unknown element message");
	free(err);
	err = NULL;
	ok(theme_parse(&t, "normal = { fg = \"red\"; size = 3; };\n", "k.theme", &err) != 0, "unknown key fails");
	free(err);
	err = NULL;
	ok(theme_parse(&t, "normal = { attrs = [\"bold\", \"sparkly\"]; };\n", "a.theme", &err) != 0,
	   "unknown attribute fails");
	ok(err && strstr(err, "sparkly"), "message names the attribute");
	free(err);
	err = NULL;
	ok(theme_parse(&t, "normal = { fg = 300; };\n", "n.theme", &err) != 0, "colour number out of range fails");
	free(err);
	err = NULL;
	is_int(theme_parse(&t, "normal = { fg = 5; bg = -1; };\n", "n.theme", &err), 0, "colour numbers accepted");
	is_int(t.style[THEME_NORMAL].fg, 5, "fg number");
	ok(theme_parse(&t, "normal = 3;\n", "g.theme", &err) != 0, "element not a group fails");
	free(err);
	err = NULL;
}

static void test_files(void)
{
	static const char *names[] = {"default", "dark", "light", "high-contrast", "monochrome"};
	char *err = NULL;
	struct theme t;
	const char *top = getenv("top_srcdir");
	char *dir = xasprintf("%s/themes", top && *top ? top : ".");

	/* Only the project's own themes: no user directory in the way. */
	setenv("XDG_CONFIG_HOME", "/nonexistent-tlsfleet-test", 1);
	setenv("TLSFLEET_THEMES_DIR", dir, 1);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = xasprintf("%s/%s.theme", dir, names[i]);
		theme_builtin(&t);
		ok(theme_load_file(&t, path, &err) == 0, "shipped theme %s parses%s%s", names[i],
		   err ? ": " : "", err ? err : "");
		free(err);
		err = NULL;
		free(path);
	}
	theme_load(&t, "monochrome", &err);
	ok(err == NULL, "theme_load finds monochrome through TLSFLEET_THEMES_DIR");
	for (int e = 0; e < THEME_COUNT; e++)
		if (t.style[e].fg != THEME_DEFAULT_COLOR || t.style[e].bg != THEME_DEFAULT_COLOR) {
			ok(0, "monochrome has colour in %s", theme_elem_name((enum theme_elem)e));
			break;
		}
	ok(t.style[THEME_SELECTED].attrs & THEME_REVERSE, "monochrome selection is reverse video");
	theme_load(&t, "no-such-theme", &err);
	ok(err && strstr(err, "no-such-theme"), "missing theme: an error naming it");
	free(err);
	err = NULL;
	theme_load(&t, "../etc/passwd", &err);
	ok(err != NULL, "a name with a slash that is not a theme file fails");
	free(err);
	err = NULL;
	theme_load(&t, ".hidden", &err);
	ok(err != NULL, "a name starting with a dot is refused");
	free(err);
	free(dir);
}

int main(void)
{
	test_colors();
	test_parse();
	test_files();
	return done_testing();
}
