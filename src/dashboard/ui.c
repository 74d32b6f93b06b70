#include "dashboard/ui.h"
#include "core/textsafe.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>

static SCREEN *screen;
static bool mouse_on;
static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t resize_flag;

static void wake(void)
{
	int saved = errno;

	if (sig_pipe[1] >= 0) {
		ssize_t n = write(sig_pipe[1], "", 1);
		(void)n;   /* a full pipe already holds a wake-up */
	}
	errno = saved;
}

static void on_quit(int sig)
{
	if (!quit_signal)
		quit_signal = sig;
	wake();
}

static void on_winch(int sig)
{
	(void)sig;
	resize_flag = 1;
	wake();
}

void ui_signals_install(void)
{
	struct sigaction sa;

	if (sig_pipe[0] < 0 && pipe(sig_pipe) == 0) {
		for (int i = 0; i < 2; i++) {
			fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
			fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
		}
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_quit;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* Ours, installed before curses starts, so curses leaves it alone and
	 * the wake-up pipe also covers resizes. */
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int ui_signal_fd(void)
{
	return sig_pipe[0];
}

void ui_signal_drain(void)
{
	char buf[64];

	if (sig_pipe[0] < 0)
		return;
	while (read(sig_pipe[0], buf, sizeof(buf)) > 0)
		;
}

int ui_signal_taken(void)
{
	return quit_signal;
}

bool ui_resize_pending(void)
{
	bool r = resize_flag != 0;

	resize_flag = 0;
	return r;
}

void ui_resize(void)
{
	struct winsize ws;

	if (!screen)
		return;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	/* The terminal reflowed or cut what was on it: curses' copy of the
	 * screen is stale, so the next update repaints everything. */
	clearok(curscr, TRUE);
}

/* A terminal whose description has no mouse sequence would receive the
 * enable codes as garbage: only ask for clicks where kmous exists. */
static bool term_has_mouse(void)
{
	char *km = tigetstr("kmous");

	return km && km != (char *)-1 && *km;
}

bool ui_begin(char **err)
{
	const char *term = getenv("TERM");

	if (screen)
		return true;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*err = xstrdup("the dashboard needs a terminal (use --list or --check otherwise)");
		return false;
	}
	/* newterm, unlike initscr, returns instead of exiting on a bad TERM. */
	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		*err = xasprintf("cannot use terminal type \"%s\"", term ? term : "(unset)");
		return false;
	}
	set_term(screen);
	xalloc_set_fatal_hook(ui_end);
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	curs_set(0);
	if (term_has_mouse()) {
		/* No click interval: a press is reported at once instead of
		 * curses holding input back to see whether a release follows. */
		mouseinterval(0);
		mouse_on = mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
		                     | BUTTON5_PRESSED
#endif
		                     , NULL) != 0;
	}
	return true;
}

void ui_end(void)
{
	if (!screen)
		return;
	if (mouse_on)
		mousemask(0, NULL);
	mouse_on = false;
	curs_set(1);
	endwin();
	fflush(stdout);
	delscreen(screen);
	screen = NULL;
	xalloc_set_fatal_hook(NULL);
}

void ui_blank(int y, int x, int cols, attr_t attr)
{
	if (cols <= 0)
		return;
	attrset(attr);
	mvhline(y, x, ' ' | (chtype)attr, cols);
}

int ui_put_wide(int y, int x, int cols, const wchar_t *s, size_t n, attr_t attr)
{
	int used = 0;
	size_t fit;

	if (cols <= 0)
		return 0;
	fit = textsafe_fit(s, n, cols, &used);
	attrset(attr);
	if (fit < n) {
		/* Cut: leave one column for the mark so nothing is cut silently. */
		fit = textsafe_fit(s, n, cols - 1, &used);
		if (fit)
			mvaddnwstr(y, x, s, (int)fit);
		mvaddnwstr(y, x + used, MB_CUR_MAX > 1 ? L"\u2026" : L">", 1);
		used++;
	} else if (fit) {
		mvaddnwstr(y, x, s, (int)fit);
	}
	if (used < cols)
		mvhline(y, x + used, ' ' | (chtype)attr, cols - used);
	return used;
}

int ui_put(int y, int x, int cols, const char *utf8, attr_t attr)
{
	size_t n;
	wchar_t *w = textsafe_wide(utf8, &n);
	int used = ui_put_wide(y, x, cols, w, n, attr);

	free(w);
	return used;
}
