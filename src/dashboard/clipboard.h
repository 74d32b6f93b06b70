/* Copying a value to the operator's clipboard through the terminal: the
 * OSC 52 control sequence (ESC ] 52 ; c ; <base64> BEL), which xterm,
 * kitty, iTerm2, WezTerm, foot and tmux (with `set -g set-clipboard on`)
 * turn into a clipboard write, also over ssh where no X or Wayland
 * clipboard is reachable. Curses-free, so it is unit tested
 * (tests/unit/test_clipboard.c); the dashboard writes the sequence straight to
 * the terminal (it moves no cursor, so the screen curses knows stays
 * true).
 *
 * Ownership: clipboard_osc52() returns a new string the caller frees. */
#ifndef TLSFLEET_CLIPBOARD_H
#define TLSFLEET_CLIPBOARD_H
#include <stddef.h>

/* Terminals cap what they accept (xterm and tmux take about 100 kB of
 * base64); a value longer than this is refused rather than cut. */
#define CLIPBOARD_MAX 65536

/* The sequence that copies value (len bytes), or NULL when it is longer
 * than CLIPBOARD_MAX. */
char *clipboard_osc52(const char *value, size_t len);

/* Write the sequence for value to fd; 0, or -1 with *err (new string). */
int clipboard_write(int fd, const char *value, char **err);

#endif
