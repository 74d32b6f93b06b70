/* The filter prompt's line editor: a fixed buffer of wide characters with
 * the cursor always at its end (typing, Backspace, Ctrl-U, Ctrl-W; there
 * is no cursor movement). No curses here, so it is tested on its own
 * (tests/unit/test_lineedit.c): the caller maps curses' function keys
 * (KEY_BACKSPACE, KEY_ENTER) to lineedit_backspace() and an accept itself,
 * and hands every plain character to lineedit_key().
 *
 * Conversions use the current LC_CTYPE (UTF-8 in the dashboard, which
 * calls setlocale first). Ownership: a struct lineedit owns nothing on the
 * heap; it lives inside struct tui. */
#ifndef TLSFLEET_LINEEDIT_H
#define TLSFLEET_LINEEDIT_H
#include <stddef.h>
#include <wchar.h>

/* Characters the line holds; a filter is a few words, 255 is plenty. */
#define LINEEDIT_MAX 255
/* Bytes lineedit_get() needs: four per character (iswprint() admits
 * nothing past U+10FFFF) and the terminator. */
#define LINEEDIT_MB_SIZE ((LINEEDIT_MAX + 1) * 4 + 1)

struct lineedit {
	wchar_t buf[LINEEDIT_MAX + 1];
	size_t len;
};

enum lineedit_result {
	LINEEDIT_IGNORED,   /* nothing happened */
	LINEEDIT_EDITED,    /* the text may have changed: apply it again */
	LINEEDIT_ACCEPT,    /* Enter: keep the text, close the prompt */
	LINEEDIT_CANCEL     /* Esc: the text is now empty, close the prompt */
};

/* Start from multibyte text (NULL = empty); text that does not convert
 * (invalid in the locale) starts the line empty. Too long text is cut. */
void lineedit_set(struct lineedit *le, const char *mb);

/* The line as multibyte text into out (LINEEDIT_MB_SIZE bytes); empty
 * when it cannot be converted. Returns out. */
char *lineedit_get(const struct lineedit *le, char *out);

/* One plain character (not a curses function key): printable characters
 * are inserted while there is room; Esc, Enter (CR or LF), Backspace (DEL
 * or Ctrl-H), Ctrl-U (the whole line) and Ctrl-W (the last word and the
 * spaces after it) edit; other control characters are ignored. */
enum lineedit_result lineedit_key(struct lineedit *le, wint_t wc);

/* Remove the last character: EDITED, or IGNORED when the line is empty. */
enum lineedit_result lineedit_backspace(struct lineedit *le);

/* First character to draw so the end of the line, where the typing is,
 * fits into cols columns (the line is display-safe: only printable
 * characters get in). Returns len when nothing fits. */
size_t lineedit_view_start(const struct lineedit *le, int cols);

#endif
