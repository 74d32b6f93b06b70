# The dashboard in tmux for the screen and reliability tests (sourced
# after tests/integration/lib.sh; bash): a private tmux server per test, keys through
# send-keys, the screen through capture-pane, every check polling until a
# deadline.
#
# The pane runs a small script that records the terminal's settings
# (stty -g) before tlsfleet starts and after it ends, prints the exit code
# and whether the settings came back, reads one typed line (echoed by the
# terminal, then printed as READ=...), then keeps the pane open.

: "${TMUX_BIN:=$(command -v tmux || true)}"
SOCK="tlsfleet-rel-$$"
T() { "$TMUX_BIN" -L "$SOCK" -f /dev/null "$@"; }
tmux_gone() { ! T has-session 2>/dev/null; }
# kill-server returns before the server is gone: a new session started at
# once could land on the dying server. Wait until it has left.
stop_tmux() {
	[ -n "$TMUX_BIN" ] || return 0
	T kill-server 2>/dev/null
	wait_for 10 tmux_gone
	return 0
}

if infocmp tmux-256color >/dev/null 2>&1; then TERMTYPE=tmux-256color; else TERMTYPE=screen-256color; fi

# run_dashboard CONFIG [ENV=VALUE...]: a fresh tmux server, the dashboard
# in its only pane (120x40).
run_dashboard() {
	local config=$1
	shift
	stop_tmux
	# Each run starts like a first one: the dashboard saves the sort and
	# the filter on quit. A test of that sets KEEP_PREFS.
	[ -n "${KEEP_PREFS:-}" ] || rm -f "$XDG_STATE_HOME/tlsfleet/dashboard" "$XDG_CONFIG_HOME/tlsfleet/dashboard"
	# The previous session's stderr stays for the sanitizer check.
	[ -f "$WORK/dash.err" ] && mv "$WORK/dash.err" "$WORK/dash.err.$(date +%s%N)"
	cat >"$WORK/run.sh" <<RUN
#!/bin/bash
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=$TERMTYPE HOME="$HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
	XDG_STATE_HOME="$XDG_STATE_HOME" XDG_CACHE_HOME="$XDG_CACHE_HOME" \
	TLSFLEET_THEMES_DIR="$top_srcdir/themes" $*
before=\$(stty -g)
${DASH_WRAPPER:-} "$TLSFLEET" -c "$config" 2>"$WORK/dash.err"
code=\$?
after=\$(stty -g)
[ "\$before" = "\$after" ] && tty_state=restored || tty_state=CHANGED
echo "TLSFLEET_EXIT=\$code TTY=\$tty_state"
# Typed text shows again only if the terminal echoes: tests type a line.
read -r line && echo "READ=\$line"
exec sleep 900
RUN
	chmod +x "$WORK/run.sh"
	T new-session -d -s main -x 120 -y 40 "$WORK/run.sh"
}

screen() { T capture-pane -p -t main; }
has() { screen | grep -F -q -- "$1"; }
lacks() { ! has "$1"; }
has_re() { screen | grep -E -q -- "$1"; }
keys() { T send-keys -t main "$@"; }
alt_screen() { T display-message -p -t main '#{alternate_on}'; }
pane_title() { T display-message -p -t main '#{pane_title}'; }

# The dashboard's pid: the child of the pane's shell.
dashboard_pid() {
	local pane_pid
	pane_pid=$(T display-message -p -t main '#{pane_pid}')
	ps -o pid= --ppid "$pane_pid" | tr -d ' ' | head -n 1
}

# expect DESCRIPTION TEXT [SECONDS]: ok when TEXT shows up in time.
expect() {
	if wait_for "${3:-20}" has "$2"; then ok 0 "$1"; else ok 1 "$1"; screen | sed 's/^/#   | /'; fi
}
expect_re() {
	if wait_for "${3:-20}" has_re "$2"; then ok 0 "$1"; else ok 1 "$1"; screen | sed 's/^/#   | /'; fi
}
expect_gone() {
	if wait_for "${3:-20}" lacks "$2"; then ok 0 "$1"; else ok 1 "$1"; screen | sed 's/^/#   | /'; fi
}

# react_ms REGEX: milliseconds until the screen matches (polling every
# 20 ms, up to 20 s), or "timeout". For figures, not for assertions.
react_ms() {
	local t0 t1 deadline
	t0=$(date +%s%N)
	deadline=$((t0 + 20000000000))
	while ! has_re "$1"; do
		[ "$(date +%s%N)" -ge "$deadline" ] && { echo timeout; return 1; }
		sleep 0.02
	done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
