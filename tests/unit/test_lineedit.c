/* The filter prompt's line editor: typing, Backspace, Ctrl-U, Ctrl-W, Esc
 * and Enter, the length limit, UTF-8 in and out, and which part of a long
 * line is shown. No terminal needed. */
#include "dashboard/lineedit.h"
#include "tap.h"

#include <locale.h>
#include <string.h>

/* Feed a narrow string as keys; returns the last result. */
static enum lineedit_result type(struct lineedit *le, const char *keys)
{
	enum lineedit_result r = LINEEDIT_IGNORED;

	for (; *keys; keys++)
		r = lineedit_key(le, (unsigned char)*keys);
	return r;
}

static const char *text(const struct lineedit *le)
{
	static char buf[LINEEDIT_MB_SIZE];

	return lineedit_get(le, buf);
}

static void test_typing(void)
{
	struct lineedit le;

	lineedit_set(&le, NULL);
	is_int((long long)le.len, 0, "NULL starts empty");
	is_str(text(&le), "", "... and reads back empty");
	is_int(type(&le, "eu"), LINEEDIT_EDITED, "printable characters edit");
	is_str(text(&le), "eu", "... and are inserted");
	is_int(lineedit_key(&le, 1), LINEEDIT_IGNORED, "Ctrl-A is ignored");
	is_int(lineedit_key(&le, 9), LINEEDIT_IGNORED, "Tab is ignored");
	is_int(lineedit_key(&le, 0x9b), LINEEDIT_IGNORED, "C1 CSI is ignored");
	is_str(text(&le), "eu", "... none of them got in");

	lineedit_set(&le, "prod");
	is_str(text(&le), "prod", "set from text");
	type(&le, "-1");
	is_str(text(&le), "prod-1", "typing appends: the cursor is at the end");

	is_int(lineedit_key(&le, 127), LINEEDIT_EDITED, "DEL edits");
	is_str(text(&le), "prod-", "... removing the last character");
	is_int(lineedit_key(&le, 8), LINEEDIT_EDITED, "Ctrl-H edits");
	is_str(text(&le), "prod", "... the same way");
	is_int(lineedit_backspace(&le), LINEEDIT_EDITED, "function key Backspace");
	is_str(text(&le), "pro", "... removes one too");
	lineedit_set(&le, "");
	is_int(lineedit_key(&le, 127), LINEEDIT_IGNORED, "DEL on an empty line: nothing");
	is_int(lineedit_backspace(&le), LINEEDIT_IGNORED, "Backspace on an empty line: nothing");
}

static void test_kill(void)
{
	struct lineedit le;

	lineedit_set(&le, "tencent eu prod");
	is_int(lineedit_key(&le, 21), LINEEDIT_EDITED, "Ctrl-U edits");
	is_str(text(&le), "", "... clearing the line");
	is_int(lineedit_key(&le, 21), LINEEDIT_EDITED, "Ctrl-U on an empty line still re-applies");

	lineedit_set(&le, "tencent eu prod");
	is_int(lineedit_key(&le, 23), LINEEDIT_EDITED, "Ctrl-W edits");
	is_str(text(&le), "tencent eu ", "... removing the last word, keeping the space before");
	lineedit_key(&le, 23);
	is_str(text(&le), "tencent ", "Ctrl-W after a space removes the word before it");
	lineedit_set(&le, "a  b   ");
	lineedit_key(&le, 23);
	is_str(text(&le), "a  ", "trailing spaces go with the word");
	lineedit_set(&le, "word");
	lineedit_key(&le, 23);
	is_str(text(&le), "", "a single word: empty");
	is_int(lineedit_key(&le, 23), LINEEDIT_EDITED, "Ctrl-W on an empty line still re-applies");
}

static void test_close(void)
{
	struct lineedit le;

	lineedit_set(&le, "eu");
	is_int(lineedit_key(&le, '\r'), LINEEDIT_ACCEPT, "CR accepts");
	is_int(lineedit_key(&le, '\n'), LINEEDIT_ACCEPT, "LF accepts");
	is_str(text(&le), "eu", "... keeping the text");
	is_int(lineedit_key(&le, 27), LINEEDIT_CANCEL, "Esc cancels");
	is_str(text(&le), "", "... emptying the line");
}

static void test_limit(void)
{
	struct lineedit le;
	char longer[LINEEDIT_MAX + 46];
	size_t i;

	lineedit_set(&le, NULL);
	for (i = 0; i < LINEEDIT_MAX; i++)
		if (lineedit_key(&le, 'x') != LINEEDIT_EDITED)
			break;
	is_int((long long)i, LINEEDIT_MAX, "LINEEDIT_MAX characters fit");
	is_int(lineedit_key(&le, 'y'), LINEEDIT_IGNORED, "one more is refused");
	is_int((long long)strlen(text(&le)), LINEEDIT_MAX, "... and not kept");
	is_int(lineedit_key(&le, 127), LINEEDIT_EDITED, "a full line still takes DEL");

	memset(longer, 'z', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	lineedit_set(&le, longer);
	is_int((long long)le.len, LINEEDIT_MAX, "too long text is cut when set");
}

static void test_utf8(void)
{
	struct lineedit le;
	char *s;
	size_t i;

	lineedit_set(&le, "caf\xc3\xa9");
	is_int((long long)le.len, 4, "UTF-8 text: one character per code point");
	lineedit_key(&le, 0x6771);   /* 東 */
	is_str(text(&le), "caf\xc3\xa9\xe6\x9d\xb1", "wide characters typed come out as UTF-8");
	lineedit_key(&le, 127);
	is_str(text(&le), "caf\xc3\xa9", "DEL removes a whole character, not a byte");
	lineedit_key(&le, 0x1f512); /* 🔒, four bytes */
	is_str(text(&le), "caf\xc3\xa9\xf0\x9f\x94\x92", "a four-byte character");

	lineedit_set(&le, "ok\xff");
	is_int((long long)le.len, 0, "invalid UTF-8 starts the line empty");

	lineedit_set(&le, NULL);
	for (i = 0; i < LINEEDIT_MAX; i++)
		lineedit_key(&le, 0x1f512);
	s = (char *)text(&le);
	is_int((long long)strlen(s), LINEEDIT_MAX * 4, "a full line of four-byte characters converts whole");
}

static void test_view(void)
{
	struct lineedit le;

	lineedit_set(&le, "abcdef");
	is_int((long long)lineedit_view_start(&le, 10), 0, "fits: shown from the start");
	is_int((long long)lineedit_view_start(&le, 6), 0, "exactly fits");
	is_int((long long)lineedit_view_start(&le, 3), 3, "too long: the end is shown");
	is_int((long long)lineedit_view_start(&le, 0), 6, "no room: nothing shown");
	is_int((long long)lineedit_view_start(&le, -2), 6, "negative room: nothing shown");

	lineedit_set(&le, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");   /* 日本語, 6 columns */
	is_int((long long)lineedit_view_start(&le, 4), 1, "wide glyphs count two columns");
	is_int((long long)lineedit_view_start(&le, 3), 2, "a wide glyph is never split");
	is_int((long long)lineedit_view_start(&le, 1), 3, "one column: no wide glyph fits");
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		diag("no C.UTF-8 locale: the UTF-8 cases will fail");
	test_typing();
	test_kill();
	test_close();
	test_limit();
	test_utf8();
	test_view();
	return done_testing();
}
