/* Theme files (libconfig text naming screen elements) and colour names. */
#include "fuzz.h"
#include "dashboard/theme.h"

#include <stdlib.h>
#include <string.h>

static void check_theme(const struct theme *t)
{
	for (int e = 0; e < THEME_COUNT; e++) {
		const struct theme_style *s = &t->style[e];
		if (s->fg < THEME_DEFAULT_COLOR || s->fg > 255 ||
		    s->bg < THEME_DEFAULT_COLOR || s->bg > 255 || s->attrs >= 1u << 7)
			abort();
		for (int nc = 8; nc <= 16; nc += 8) {
			bool bold = false;
			if (s->fg >= 0 && theme_reduce_color(s->fg, nc, &bold) >= nc)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	struct theme t, before;
	char *err = NULL;
	short c;

	theme_builtin(&t);
	before = t;
	if (theme_parse(&t, text, "fuzz.theme", &err) == 0) {
		if (err)
			abort();
		check_theme(&t);
	} else if (!err || memcmp(&t, &before, sizeof(t)) != 0) {
		abort();    /* a failed parse must say why and leave *t alone */
	}
	free(err);
	if (theme_parse_color(text, &c) && (c < THEME_DEFAULT_COLOR || c > 255))
		abort();
	free(text);
	return 0;
}
