#include "dashboard/actions.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *id;
	const char *keys;
	const char *help;
} table[ACT_COUNT] = {
	[ACT_NONE] = {"NONE", "", ""},
#define ACTION(id, keys, help) [ACT_##id] = {#id, keys, help},
#include "dashboard/actions.def"
#undef ACTION
};

const char *action_id(enum action a)
{
	return (unsigned)a < ACT_COUNT ? table[a].id : "NONE";
}

const char *action_keys(enum action a)
{
	return (unsigned)a < ACT_COUNT ? table[a].keys : "";
}

const char *action_help(enum action a)
{
	return (unsigned)a < ACT_COUNT ? table[a].help : "";
}

static const struct {
	const char *name;
	int codes[3];
} named_keys[] = {
	{"Up", {KEY_UP}}, {"Down", {KEY_DOWN}}, {"Left", {KEY_LEFT}}, {"Right", {KEY_RIGHT}},
	{"PgUp", {KEY_PPAGE}}, {"PgDn", {KEY_NPAGE}}, {"Home", {KEY_HOME}}, {"End", {KEY_END}},
	/* Terminals send CR or LF for Return, keypad Enter is KEY_ENTER. */
	{"Enter", {'\n', '\r', KEY_ENTER}}, {"Esc", {27}}, {"Tab", {'\t'}},
	{"Backspace", {KEY_BACKSPACE, 127, 8}},
};

size_t action_key_codes(const char *name, int *out, size_t max)
{
	size_t n = 0;

	if (!name || !*name || max == 0)
		return 0;
	for (size_t i = 0; i < sizeof(named_keys) / sizeof(named_keys[0]); i++) {
		if (strcmp(named_keys[i].name, name) != 0)
			continue;
		for (int j = 0; j < 3 && named_keys[i].codes[j] && n < max; j++)
			out[n++] = named_keys[i].codes[j];
		return n;
	}
	if (strncmp(name, "Ctrl-", 5) == 0 && name[5] >= 'A' && name[5] <= 'Z' && !name[6]) {
		out[0] = name[5] - 'A' + 1;
		return 1;
	}
	if (name[0] == 'F' && name[1] >= '1' && name[1] <= '9') {
		char *end;
		long f = strtol(name + 1, &end, 10);
		if (!*end && f >= 1 && f <= 12) {
			out[0] = KEY_F((int)f);
			return 1;
		}
	}
	if (!name[1] && name[0] > ' ' && name[0] < 0x7f) {
		out[0] = (unsigned char)name[0];
		return 1;
	}
	return 0;
}

void action_each_key(enum action a, void (*fn)(const char *name, void *ud), void *ud)
{
	const char *p = action_keys(a);

	while (*p) {
		size_t n = strcspn(p, " ");
		if (n) {
			char name[32];
			if (n >= sizeof(name))
				n = sizeof(name) - 1;
			memcpy(name, p, n);
			name[n] = '\0';
			fn(name, ud);
		}
		p += n;
		p += strspn(p, " ");
	}
}

/* Built once: a few dozen entries, scanned linearly per key press. */
static struct keymap_entry {
	int code;
	enum action act;
} keymap[128];
static size_t keymap_len;
static int keymap_built;

struct build_ctx {
	enum action act;
};

static void add_key(const char *name, void *ud)
{
	struct build_ctx *ctx = ud;
	int codes[4];
	size_t n = action_key_codes(name, codes, 4);

	for (size_t i = 0; i < n && keymap_len < sizeof(keymap) / sizeof(keymap[0]); i++) {
		keymap[keymap_len].code = codes[i];
		keymap[keymap_len].act = ctx->act;
		keymap_len++;
	}
}

enum action action_for_key(int key)
{
	if (!keymap_built) {
		for (int a = 1; a < ACT_COUNT; a++) {
			struct build_ctx ctx = {(enum action)a};
			action_each_key((enum action)a, add_key, &ctx);
		}
		keymap_built = 1;
	}
	for (size_t i = 0; i < keymap_len; i++)
		if (keymap[i].code == key)
			return keymap[i].act;
	return ACT_NONE;
}

struct man_ctx {
	FILE *fp;
	int n;
};

/* troff: a plain '-' may print as a hyphen that cannot be searched for or
 * typed; a backslash starts an escape. */
static void man_puts(FILE *fp, const char *s)
{
	for (; *s; s++) {
		if (*s == '-' || *s == '\\')
			fputc('\\', fp);
		fputc(*s == '\\' ? 'e' : *s, fp);
	}
}

static void man_key(const char *name, void *ud)
{
	struct man_ctx *ctx = ud;

	if (ctx->n++)
		fputs(", ", ctx->fp);
	man_puts(ctx->fp, name);
}

void actions_write_man(FILE *fp)
{
	fputs(".\\\" Generated from src/actions.def by `tests/unit/test_actions --man`; edit that file.\n", fp);
	for (int a = 1; a < ACT_COUNT; a++) {
		struct man_ctx ctx = {fp, 0};

		fputs(".TP\n.B \"", fp);
		action_each_key((enum action)a, man_key, &ctx);
		fputs("\"\n", fp);
		man_puts(fp, action_help((enum action)a));
		fputs(".\n", fp);
	}
}
