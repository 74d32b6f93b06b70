/* Curses set-up and tear-down, signals, and text drawing. The one module
 * that starts curses and the one that always ends it: ui_end() runs on
 * quit, on SIGINT/SIGTERM/SIGHUP (the handlers only set flags; the loop
 * exits and calls it) and from die() through the xalloc fatal hook, so the
 * terminal is never left in raw mode or on the alternate screen. */
#ifndef TLSFLEET_UI_H
#define TLSFLEET_UI_H
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>
#include <curses.h>

/* Start curses (after installing the signal handlers). False with *err
 * (new string) when the terminal cannot be used. */
bool ui_begin(char **err);
/* Idempotent; safe from the fatal hook. */
void ui_end(void);

/* Handlers for SIGINT, SIGTERM, SIGHUP (quit flag), SIGWINCH (resize
 * flag) and SIG_IGN for SIGPIPE. Each also writes a byte to a pipe so a
 * wait in engine_poll() wakes at once. */
void ui_signals_install(void);
int ui_signal_fd(void);           /* read end, for the poll set */
void ui_signal_drain(void);       /* empty the pipe after a wake */
int ui_signal_taken(void);        /* signal number that asks to quit, or 0 */
bool ui_resize_pending(void);     /* clears the flag */
/* Re-read the window size after SIGWINCH and tell curses. */
void ui_resize(void);

/* Draw a display-safe wide string at (y, x) into exactly cols columns:
 * cut with an ellipsis when too long, padded with spaces when short.
 * Returns the columns used by text (before padding). */
int ui_put_wide(int y, int x, int cols, const wchar_t *s, size_t n, attr_t attr);
/* Same for any UTF-8 text, sanitised first (never trust the source). */
int ui_put(int y, int x, int cols, const char *utf8, attr_t attr);
/* Fill cols columns at (y, x) with spaces. */
void ui_blank(int y, int x, int cols, attr_t attr);

#endif
