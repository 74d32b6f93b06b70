/* The action table: every action has keys and help, every key name is a
 * real key, no key is bound twice, and tlsfleet(1)'s KEYS block documents
 * every key of every action (so the man page cannot drift from the
 * program). `test_actions --man` prints the block to paste into the page. */
#include "dashboard/actions.h"
#include "core/xalloc.h"
#include "tap.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

struct seen {
	int code;
	enum action act;
};

static struct seen seen[256];
static size_t n_seen;

struct key_ctx {
	enum action act;
	int names;
	int bad;
	int dup;
};

static void check_key(const char *name, void *ud)
{
	struct key_ctx *ctx = ud;
	int codes[4];
	size_t n = action_key_codes(name, codes, 4);

	ctx->names++;
	if (n == 0) {
		ctx->bad++;
		diag("%s: \"%s\" is not a key name", action_id(ctx->act), name);
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n_seen; j++) {
			if (seen[j].code == codes[i]) {
				ctx->dup++;
				diag("key %s of %s is also bound to %s", name, action_id(ctx->act),
				     action_id(seen[j].act));
			}
		}
		if (n_seen < sizeof(seen) / sizeof(seen[0]))
			seen[n_seen++] = (struct seen){codes[i], ctx->act};
	}
}

static void test_table(void)
{
	int dup = 0, bad = 0;

	for (int a = 1; a < ACT_COUNT; a++) {
		struct key_ctx ctx = {(enum action)a, 0, 0, 0};

		action_each_key((enum action)a, check_key, &ctx);
		ok(ctx.names > 0 && ctx.bad == 0, "%s has valid keys (%s)", action_id((enum action)a),
		   action_keys((enum action)a));
		ok(strlen(action_help((enum action)a)) > 3, "%s has help", action_id((enum action)a));
		dup += ctx.dup;
		bad += ctx.bad;
	}
	is_int(dup, 0, "no key is bound to two actions");
	(void)bad;
}

static void test_codes(void)
{
	int c[4];

	is_int(action_for_key('q'), ACT_QUIT, "q quits");
	is_int(action_for_key(KEY_F(10)), ACT_QUIT, "F10 quits");
	is_int(action_for_key(KEY_UP), ACT_UP, "Up moves up");
	is_int(action_for_key('k'), ACT_UP, "k moves up");
	is_int(action_for_key('\r'), ACT_DETAIL, "Return (CR) opens the detail");
	is_int(action_for_key('\n'), ACT_DETAIL, "Return (LF) opens the detail");
	is_int(action_for_key(KEY_ENTER), ACT_DETAIL, "keypad Enter opens the detail");
	is_int(action_for_key(12), ACT_REDRAW, "Ctrl-L redraws");
	is_int(action_for_key(27), ACT_CLOSE, "Esc closes");
	is_int(action_for_key('?'), ACT_HELP, "? helps");
	is_int(action_for_key(KEY_F(1)), ACT_HELP, "F1 helps");
	is_int(action_for_key('Z'), ACT_NONE, "unbound key");
	is_int((long long)action_key_codes("Ctrl-", c, 4), 0, "bad name: Ctrl-");
	is_int((long long)action_key_codes("F13", c, 4), 0, "bad name: F13");
	is_int((long long)action_key_codes("xy", c, 4), 0, "bad name: two characters");
	is_int((long long)action_key_codes("PgDn", c, 4), 1, "PgDn is one key");
	is_int(c[0], KEY_NPAGE, "PgDn is KEY_NPAGE");
	is_str(action_id(ACT_COUNT), "NONE", "out of range id");
}

/* ---- the man page ------------------------------------------------------- */

/* Undo the few troff escapes the block uses. */
static void unescape(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] == '-') {
			*o++ = '-';
			p++;
		} else if (p[0] == '\\' && p[1] == 'e') {
			*o++ = '\\';
			p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

struct man_entry {
	char keys[128];
	char help[512];
};

static size_t parse_man(const char *text, struct man_entry *out, size_t max, int *found_block)
{
	const char *begin = strstr(text, ".\\\" BEGIN KEYS\n");
	const char *end = begin ? strstr(begin, ".\\\" END KEYS") : NULL;
	size_t n = 0;

	*found_block = begin && end;
	if (!*found_block)
		return 0;
	char *block = xstrndup(begin, (size_t)(end - begin));
	char *save = NULL;
	int want_help = 0;
	for (char *line = strtok_r(block, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, ".B \"", 4) == 0 && n < max) {
			char *q = strrchr(line + 4, '"');
			if (q)
				*q = '\0';
			snprintf(out[n].keys, sizeof(out[n].keys), "%s", line + 4);
			unescape(out[n].keys);
			out[n].help[0] = '\0';
			n++;
			want_help = 1;
		} else if (want_help && line[0] != '.') {
			snprintf(out[n - 1].help, sizeof(out[n - 1].help), "%s", line);
			unescape(out[n - 1].help);
			want_help = 0;
		}
	}
	free(block);
	return n;
}

struct doc_ctx {
	const struct man_entry *e;
	size_t n;
	int missing;
};

static void doc_key(const char *name, void *ud)
{
	struct doc_ctx *ctx = ud;

	for (size_t i = 0; i < ctx->n; i++) {
		/* Keys are listed as "A, B, C". */
		char *keys = xstrdup(ctx->e[i].keys), *save = NULL;
		int hit = 0;
		for (char *k = strtok_r(keys, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
			while (*k == ' ')
				k++;
			if (strcmp(k, name) == 0)
				hit = 1;
		}
		free(keys);
		if (hit)
			return;
	}
	ctx->missing++;
	diag("key %s is not documented in tlsfleet(1)", name);
}

static void test_man(void)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/man/tlsfleet.1.in", top && *top ? top : ".");
	FILE *fp = fopen(path, "r");
	struct man_entry entries[ACT_COUNT + 8];
	size_t n;
	int found;
	char *text;
	size_t len = 0, cap = 1 << 16;

	if (!ok(fp != NULL, "man page %s readable", path)) {
		free(path);
		return;
	}
	text = xmalloc(cap + 1);
	len = fread(text, 1, cap, fp);
	text[len] = '\0';
	fclose(fp);
	n = parse_man(text, entries, sizeof(entries) / sizeof(entries[0]), &found);
	ok(found, "man page has the BEGIN/END KEYS markers");
	is_int((long long)n, ACT_COUNT - 1, "one man entry per action");
	for (int a = 1; a < ACT_COUNT; a++) {
		struct doc_ctx ctx = {entries, n, 0};
		char help[512];
		int help_ok = 0;

		action_each_key((enum action)a, doc_key, &ctx);
		ok(ctx.missing == 0, "man page documents every key of %s", action_id((enum action)a));
		snprintf(help, sizeof(help), "%s.", action_help((enum action)a));
		for (size_t i = 0; i < n; i++)
			if (strcmp(entries[i].help, help) == 0)
				help_ok = 1;
		ok(help_ok, "man page has the help text of %s", action_id((enum action)a));
	}
	free(text);
	free(path);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--man") == 0) {
		actions_write_man(stdout);
		return 0;
	}
	test_table();
	test_codes();
	test_man();
	return done_testing();
}
