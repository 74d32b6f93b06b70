/* The filter prompt's line editor (see lineedit.h). */
#include "dashboard/lineedit.h"
#include "core/textsafe.h"

#include <stdlib.h>
#include <wctype.h>

#define KEY_CTRL_H 8
#define KEY_CTRL_U 21
#define KEY_CTRL_W 23
#define KEY_ESC 27
#define KEY_DEL 127

void lineedit_set(struct lineedit *le, const char *mb)
{
	size_t n = 0;

	if (mb) {
		n = mbstowcs(le->buf, mb, LINEEDIT_MAX);
		if (n == (size_t)-1)
			n = 0;
	}
	le->len = n;
	le->buf[n] = L'\0';
}

char *lineedit_get(const struct lineedit *le, char *out)
{
	wchar_t w[LINEEDIT_MAX + 1];
	size_t n;

	/* The buffer itself is not kept terminated while typing. */
	wmemcpy(w, le->buf, le->len);
	w[le->len] = L'\0';
	n = wcstombs(out, w, LINEEDIT_MB_SIZE - 1);
	if (n == (size_t)-1)
		n = 0;
	out[n] = '\0';
	return out;
}

enum lineedit_result lineedit_backspace(struct lineedit *le)
{
	if (!le->len)
		return LINEEDIT_IGNORED;
	le->len--;
	return LINEEDIT_EDITED;
}

enum lineedit_result lineedit_key(struct lineedit *le, wint_t wc)
{
	switch (wc) {
	case KEY_ESC:
		le->len = 0;
		return LINEEDIT_CANCEL;
	case '\r': case '\n':
		return LINEEDIT_ACCEPT;
	case KEY_DEL: case KEY_CTRL_H:
		return lineedit_backspace(le);
	case KEY_CTRL_U:
		le->len = 0;
		return LINEEDIT_EDITED;
	case KEY_CTRL_W:
		while (le->len && le->buf[le->len - 1] == L' ')
			le->len--;
		while (le->len && le->buf[le->len - 1] != L' ')
			le->len--;
		return LINEEDIT_EDITED;
	default:
		if (wc >= 0x20 && iswprint(wc) && le->len < LINEEDIT_MAX) {
			le->buf[le->len++] = (wchar_t)wc;
			return LINEEDIT_EDITED;
		}
		return LINEEDIT_IGNORED;
	}
}

size_t lineedit_view_start(const struct lineedit *le, int cols)
{
	size_t start = 0;

	while (start < le->len && textsafe_width(le->buf + start, le->len - start) > cols)
		start++;
	return start;
}
