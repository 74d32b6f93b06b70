#!/bin/bash
# The dashboard on a real terminal: the real binary in tmux against the
# provider simulator serving the bundled demo fleet. Keys go in with
# send-keys, the screen comes back with capture-pane, and every check
# polls the screen until a deadline (nothing sleeps a fixed time).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

: "${TMUX_BIN:=$(command -v tmux || true)}"
[ -n "$TMUX_BIN" ] || skip_all "tmux not found"
require_sim

FLEET="$top_srcdir/demo/fleet.json"
start_sim "$FLEET"
# The demo turns the live probe on; its instances have no servers to dial,
# so the screen tests below (which count OK rows) run without it.
sed -i 's/^probe = true;/probe = false;/' "$SIM_CONFIG"

# Without a terminal the dashboard refuses to start; a build whose main.c
# does not link the dashboard yet says so instead.
"$TLSFLEET" -c "$SIM_CONFIG" </dev/null >/dev/null 2>"$WORK/probe.err"
if grep -q "no dashboard" "$WORK/probe.err"; then
	skip_all "this build has no dashboard"
fi
check "without a terminal the dashboard says it needs one" grep -q "needs a terminal" "$WORK/probe.err"

. "$top_srcdir/tests/integration/screen.sh"
trap 'stop_tmux; cleanup' EXIT

# Expected states of the demo fleet, from its scenarios.
"$PYTHON3" - "$FLEET" >"$WORK/expected" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = {"error_500": "error"}
for i in d["instances"]:
    s = i["scenario"]
    print(i["name"], m.get(s, s), 1 if (s != "enabled" or i.get("ca_days_left", 999) <= 30) else 0)
PY
n_instances=$(wc -l <"$WORK/expected")
n_problems=$(awk '$3 == 1' "$WORK/expected" | wc -l)

# ---- first run: the table, detail, filter, sort, problems, help ----------
run_dashboard "$SIM_CONFIG" TLSFLEET_UI_STATS="$WORK/uistats"
expect "header shows the program and the config" "tlsfleet "
expect "the first refresh round ends" "next in "
expect "header counts every instance" "$n_instances:"
while read -r name state problem; do
	expect_re "$name shows $state" "^[A-Z]+ +$name +.* $state "
done <"$WORK/expected"
is "$(alt_screen)" 1 "the dashboard runs on the alternate screen"

# Filter, live: only matching rows remain; Enter keeps the filter.
keys /
expect "/ opens the filter prompt" "Filter: "
keys p a y m
expect "the prompt echoes the typing" "Filter: paym"
expect_gone "non-matching rows go as you type" "orders-cache"
expect_re "the matching row stays" "^[A-Z]+ +payments-db +"
keys Enter
expect_gone "Enter closes the prompt" "Filter: "
expect "the header tells the filter" 'filter "paym": 1 shown'

# Detail of the selected (only) row.
keys Enter
expect_re "detail shows the cert URL" "^Cert URL +https?://"
expect_re "detail shows the CA expiry" "^CA expiry +20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T"
expect_re "detail shows the address" "host 10\\.0\\.0\\.4"
expect_re "detail: no connect line without a port (never a placeholder)" "^Connect +no line"
keys J J J J J J J J J J J J J J J J J J J J
expect_re "J scrolls the detail to the CA certificates" "^CA cert 1 +"
keys Escape
expect_gone "Esc closes the detail first" "Cert URL"
expect 'and the filter is still there' 'filter "paym"'
keys Escape
expect_gone "a second Esc clears the filter" 'filter "paym"'
expect_re "every row is back" "^[A-Z]+ +orders-cache +"

# Sorting: the table opens worst first (the CHECK column); s steps to the
# name, then the provider column, I inverts it.
expect "the table opens sorted by the verdict" "CHECK▲"
keys s
expect "s sorts by the next column" "NAME▲"
keys s
expect "s again: the provider column" "PROVIDER▲"
expect_re "alibaba first" "^[A-Z]+ +ali-[a-z]+ +alibaba/redis"
row4=$(screen | sed -n 4p)
case $row4 in [A-Z]*\ ali-*) ok 0 "first row is an Alibaba instance" ;; *) ok 1 "first row is an Alibaba instance: $row4" ;; esac
keys I
expect "I inverts the sort" "PROVIDER▼"
if wait_for 10 sh -c "'$TMUX_BIN' -L '$SOCK' capture-pane -p -t main | sed -n 4p | grep -q tencent/"; then
	ok 0 "inverted: a Tencent instance first"
else
	ok 1 "inverted: a Tencent instance first"
fi
keys '<'
expect "< goes back to the name column" "NAME▲"

# Problems only: exactly the instances --check calls not OK.
"$TLSFLEET" -c "$SIM_CONFIG" --check 2>/dev/null | tail -n +2 |
	sed -n 's/^\(WARNING\|CRITICAL\|UNKNOWN\) \([^:]*\):.*/\2/p' | sort >"$WORK/check-not-ok"
n_problems=$(wc -l <"$WORK/check-not-ok")
ok "$([ "$n_problems" -gt 0 ]; echo $?)" "--check names $n_problems instances not OK"
keys p
expect "p shows problems only" "problems: $n_problems shown"
screen | sed -n '4,$p' | awk '$1 ~ /^(WARN|CRIT|UNKN|WARNING|CRITICAL|UNKNOWN)$/ {print $2}' | sort >"$WORK/p-rows"
check "p shows the same set as --check" cmp -s "$WORK/check-not-ok" "$WORK/p-rows"
if screen | sed -n '4,$p' | grep -q '^OK '; then ok 1 "no OK row under p"; else ok 0 "no OK row under p"; fi
# The verdict has its colour: a CRITICAL cell comes after a colour escape.
if T capture-pane -e -p -t main | grep -q $'\e\\[[0-9;]*m\\(CRIT\\|CRITICAL\\) '; then
	ok 0 "the CRITICAL verdict is drawn in a colour of its own"
else
	ok 1 "the CRITICAL verdict is drawn in a colour of its own"
fi
expect_gone "a healthy instance is hidden" "orders-cache"
expect_re "an expired one is shown" "^[A-Z]+ +ledger-db +"
keys p
expect_re "p again shows everything" "^[A-Z]+ +orders-cache +"

# Help overlay, from the action table.
keys '?'
expect "? opens the help" "Refresh every instance"
expect "help lists the filter key" "Filter rows: words"
keys Escape
expect_gone "Esc closes the help" "Refresh every instance"

# Refresh.
keys R
expect "R refreshes everything" "refreshing $n_instances instances"
expect "the round ends again" "next in "

# Resize to 80x24 and back, with the detail pane open.
keys Enter
expect_re "detail open before the resize" "^Instance +"
T resize-window -t main -x 80 -y 24
if wait_for 20 sh -c "[ \$('$TMUX_BIN' -L '$SOCK' capture-pane -p -t main | wc -l) -eq 24 ]"; then
	ok 0 "pane is 80x24"
else
	ok 1 "pane is 80x24"
fi
expect "header redrawn at 80 columns" "tlsfleet "
expect_gone "the ID column is dropped at 80 columns" " ID "
expect_re "the detail pane is still there" "^Instance +"
T resize-window -t main -x 50 -y 8
expect_re "a too-small terminal says so" "[Tt]oo small: "
T resize-window -t main -x 120 -y 40
expect " back to 120x40: the ID column returns" " ID "
keys Escape

# Download the CA of orders-cache.
keys / o r d e r s Enter
expect 'filtered to orders-cache' 'filter "orders": 1 shown'
keys d
expect_re "d downloads and reports where it saved" "orders-cache: saved .*ca|orders-cache: saved "
check "the CA file is on disk" test -s "$SIM_DIR/downloads/orders-cache/ca.pem"
keys Escape
expect_gone "filter cleared" 'filter "orders"'
keys / r e p o r t i n g Enter
expect 'filtered to reporting-db' 'filter "reporting": 1 shown'
keys d
expect "d on a TLS-off instance tells why not" "reporting-db: cannot download"
keys L
expect "L shows the message log" "Messages"
expect_re "the log keeps the download" "[0-9][0-9]:[0-9][0-9]:[0-9][0-9] +orders-cache: saved"
keys Escape
expect_gone "Esc closes the log" "Messages"

# Quit restores the terminal.
keys q
expect "q quits with exit code 0" "TLSFLEET_EXIT=0"
is "$(alt_screen)" 0 "the alternate screen is left"
check "UI statistics written on exit" grep -q '^input_gap_ms p50=' "$WORK/uistats"
check "UI statistics have frame times" grep -q '^frame_ms p50=' "$WORK/uistats"

# ---- second run: no colour, and SIGTERM restores the terminal -----------
run_dashboard "$SIM_CONFIG" NO_COLOR=1
expect_re "NO_COLOR run shows the table" "^[A-Z]+ +orders-cache +"
if T capture-pane -e -p -t main | grep -q $'\e\\[[0-9;]*\\(3[0-7]\\|4[0-7]\\|38;5\\|48;5\\)'; then
	ok 1 "NO_COLOR: no colour escapes on screen"
else
	ok 0 "NO_COLOR: no colour escapes on screen"
fi
pid=$(dashboard_pid)
if [ -n "$pid" ] && kill -TERM "$pid"; then ok 0 "SIGTERM sent"; else ok 1 "SIGTERM sent"; fi
expect "SIGTERM exits with 128+15" "TLSFLEET_EXIT=143"
is "$(alt_screen)" 0 "the alternate screen is left after SIGTERM"

stop_tmux
done_testing
