#!/bin/bash
# Habits operators bring: the first run without a config, --check-config,
# --refresh, and on a real terminal (tmux against the simulator's demo
# fleet) the filter language (predicates, Unicode folding), copying over
# OSC 52 (tmux with set-clipboard on turns it into a paste buffer), the
# message log (refresh failures with their code, long messages wrapped),
# the header at 60 columns, the too-small message and the "N more" marker.
# Every screen check polls until a deadline.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
[ -x "$TLSFLEET" ] || skip_all "tlsfleet not built"

# ---- first run, --check-config, --refresh (no network) -------------------
"$TLSFLEET" --list >"$WORK/first.out" 2>"$WORK/first.err"
is "$?" 2 "no config file: exit 2"
check "the message names the file looked for" grep -qF "$XDG_CONFIG_HOME/tlsfleet/config does not exist" "$WORK/first.err"
check "the message names the example config" grep -qE "/examples/config.example$" "$WORK/first.err"
check "the message names tlsfleet.conf(5)" grep -qF "tlsfleet.conf(5)" "$WORK/first.err"
check "no bare errno text" bash -c "! grep -q 'No such file' '$WORK/first.err'"

cat >"$WORK/good.conf" <<'CONF'
accounts = ( { name = "a"; provider = "tencent"; secret_id = "AKIDx"; secret_key = "k"; } );
instances = ( { name = "one"; account = "a"; service = "redis"; region = "ap-guangzhou"; id = "crs-1"; } );
CONF
chmod 600 "$WORK/good.conf"
out=$("$TLSFLEET" --check-config -c "$WORK/good.conf" 2>&1)
is "$?" 0 "--check-config: a valid file exits 0"
case $out in *"valid: 1 account, 1 instance"*) ok 0 "--check-config says what it found" ;;
	*) ok 1 "--check-config says what it found (got '$out')" ;; esac
printf 'accounts = ( { name = "a"; provider = "nope"; } );\n' >"$WORK/bad.conf"
"$TLSFLEET" --check-config -c "$WORK/bad.conf" >/dev/null 2>"$WORK/bad.err"
is "$?" 2 "--check-config: an invalid file exits 2"
check "the error names the file and line" grep -qF "bad.conf:1" "$WORK/bad.err"
"$TLSFLEET" --check-config -c "$WORK/none.conf" >/dev/null 2>&1
is "$?" 2 "--check-config: a missing file exits 2"
"$TLSFLEET" --check-config --list -c "$WORK/good.conf" >/dev/null 2>&1
is "$?" 2 "--check-config is a mode of its own"
"$TLSFLEET" --refresh abc -c "$WORK/good.conf" >/dev/null 2>&1
is "$?" 2 "--refresh wants seconds"
"$TLSFLEET" --refresh 5 --list -c "$WORK/good.conf" >/dev/null 2>&1
is "$?" 2 "--refresh does not go with --list"

# ---- the dashboard ----------------------------------------------------------
: "${TMUX_BIN:=$(command -v tmux || true)}"
if [ -z "$TMUX_BIN" ] || [ -z "$PYTHON3" ] || ! "$PYTHON3" -c 'import cryptography' 2>/dev/null; then
	diag "SKIP: the screen part needs tmux, python3 and python3-cryptography"
	done_testing
	exit 0
fi
start_sim "$top_srcdir/demo/fleet.json"
. "$top_srcdir/tests/integration/screen.sh"
KEEP_PREFS=1   # the preferences part checks what survives a restart
trap 'stop_tmux; cleanup' EXIT

run_dashboard "$SIM_CONFIG"
T set -g set-clipboard on
expect "the first round ends" "next in "

# The filter language.
keys / 'provider:huawei -state:enabled'
expect_gone "provider:huawei -state:enabled hides Tencent rows" "orders-cache"
expect_gone "... and enabled Huawei rows" "eu-sessions "
expect_re "... and keeps the other Huawei rows" "^(OK|WARN|CRIT|UNKN)[A-Z]* +eu-queue +"
expect_re "... all of them" "^(OK|WARN|CRIT|UNKN)[A-Z]* +eu-feature-flags +"
keys Escape
expect_re "Esc clears the filter" "^(OK|WARN|CRIT|UNKN)[A-Z]* +orders-cache +"
keys / 'days<10'
expect_gone "days<10 hides 400 days" "orders-cache"
expect_re "days<10 keeps 5 days" "^(OK|WARN|CRIT|UNKN)[A-Z]* +ali-leaderboard +"
expect_re "days<10 keeps an expired CA" "^(OK|WARN|CRIT|UNKN)[A-Z]* +ledger-db +"
expect_gone "days<10 hides an unknown expiry" "reporting-db"
keys Escape
keys / 'CAFÉ'
expect_gone "CAFÉ: other rows go" "orders-cache"
expect_re "CAFÉ finds café (Unicode folding)" "^(OK|WARN|CRIT|UNKN)[A-Z]* +café-sessions +"
keys Enter

# Copy the instance id over OSC 52.
keys y
expect "y asks which value" "c connect line, p ca.pem path"
keys i
expect "y i says it copied the id" "copied the instance id"
buffer_is() { [ "$(T show-buffer 2>/dev/null)" = "$1" ]; }
if wait_for 10 buffer_is crs-c4fe5e55; then
	ok 0 "the OSC 52 sequence reached the terminal (tmux buffer holds the id)"
else
	ok 1 "the OSC 52 sequence reached the terminal (buffer: '$(T show-buffer 2>&1)')"
fi
keys y p
expect "y p without a download says there is none" "no ca.pem path yet"
keys Escape

# A filter that matches nothing, with problems only: the hint says what helps.
keys p / zzzz-nothing Enter
expect "empty table: Esc and p explained" "No problem matches the filter"
keys Escape p
expect_re "everything back" "^(OK|WARN|CRIT|UNKN)[A-Z]* +orders-cache +"

# The message log: refresh failures with their code.
keys L
expect "the log records a refresh failure" "audit-db: refresh failed: "
keys Escape

# Narrow: the header keeps "expired" at 60 columns.
T resize-window -t main -x 60 -y 40
expect "60 columns: the header still counts expired" "expired"
T resize-window -t main -x 30 -y 40
expect "30 columns: the too-small message fits" "Too small: 30x40, need 60x10"
T resize-window -t main -x 16 -y 40
expect "16 columns: its shortest form" "16x40 < 60x10"
T resize-window -t main -x 120 -y 12
expect_re "12 lines: a marker says rows are hidden below" "[0-9]+ more$"
T resize-window -t main -x 120 -y 40
expect_gone "40 lines: everything shows, no marker" "3 more"
keys q
expect "q quits" "TLSFLEET_EXIT=0"

# ---- the log at 60 columns: long messages wrap, nothing is cut ------------
run_dashboard "$SIM_CONFIG"
expect "first round ends" "next in "
T resize-window -t main -x 60 -y 40
keys L
expect "the log opens at 60 columns" "Messages"
screen >"$WORK/log60"
"$PYTHON3" - "$WORK/log60" <<'PY' >"$WORK/log60.joined"
import re, sys
# Join each message's lines (continuations have no time) and print them.
msgs = []
for line in open(sys.argv[1], encoding="utf-8"):
    parts = line.rstrip("\n").split("\u2502")   # the box's sides
    if len(parts) < 3:
        continue
    m = re.match(r"^ (\d\d:\d\d:\d\d)? +(.*?) *$", parts[1])
    if not m or not m.group(2):
        continue
    if m.group(1):
        msgs.append(m.group(2))
    elif msgs:
        msgs[-1] += " " + m.group(2)
print("\n".join(msgs))
PY
check "a long message wraps whole: the refresh failure's code and HTTP status" \
	grep -qE "^audit-db: refresh failed: AuthFailure[A-Za-z.]* \(HTTP [0-9]+\): .*CAM denies this action\.$" "$WORK/log60.joined"
check "nothing in the log is cut with an ellipsis" bash -c "! grep '│' '$WORK/log60' | grep -q '…'"
keys Escape q
expect "q quits" "TLSFLEET_EXIT=0"

# ---- saved preferences across restarts ----------------------------------------
PREFS="$XDG_STATE_HOME/tlsfleet/dashboard"
check "quitting wrote the preferences" test -s "$PREFS"
run_dashboard "$SIM_CONFIG"
expect "first round ends" "next in "
keys s
expect "s steps from the verdict to the name" "sorted by name"
keys s
expect "s sorts by provider" "sorted by provider"
keys / 'state:error' Enter
expect "the filter shows in the header" 'filter "state:error"'
keys C
expect "C opens the column chooser" "Columns"
expect "the chooser names the probe column" "[x] probe"
expect "the chooser names the check column" "[x] check"
keys Down Down Down Enter
expect "Enter unticks the id column" "[ ] id"
keys Escape
expect_re "the ID title is gone" "^CHECK.? +NAME +PROVIDER.* REGION +STATE"
keys q
expect "q quits" "TLSFLEET_EXIT=0"
check "the file holds the sort" grep -qF 'sort = "provider";' "$PREFS"
check "the file holds the filter" grep -qF 'filter = "state:error";' "$PREFS"
check "the file holds the hidden column" grep -qF 'hidden_columns = [ "id" ];' "$PREFS"
run_dashboard "$SIM_CONFIG"
expect "restart: the filter comes back" 'filter "state:error"'
expect "restart: still sorted by provider" "PROVIDER▲"
expect_re "restart: the id column stays hidden" "^CHECK.? +NAME +PROVIDER.* REGION +STATE"
keys q
expect "q quits" "TLSFLEET_EXIT=0"
printf 'sort = ;\n' >"$PREFS"
run_dashboard "$SIM_CONFIG"
expect "a broken preferences file: a message" "preferences ignored"
expect_re "... and the defaults" "^(OK|WARN|CRIT|UNKN)[A-Z]* +orders-cache +"
keys q
expect "q quits" "TLSFLEET_EXIT=0"
rm -f "$PREFS"
# Preferences an earlier build kept under $XDG_CONFIG_HOME are read once,
# then saved where tlsfleet keeps its state.
mkdir -p "$XDG_CONFIG_HOME/tlsfleet"
printf 'sort = "provider";\n' >"$XDG_CONFIG_HOME/tlsfleet/dashboard"
run_dashboard "$SIM_CONFIG"
expect "preferences from the old place are read" "PROVIDER▲"
keys q
expect "q quits" "TLSFLEET_EXIT=0"
check "... and saved in the state directory" grep -qF 'sort = "provider";' "$PREFS"
rm -f "$PREFS" "$XDG_CONFIG_HOME/tlsfleet/dashboard"

# ---- Ctrl-R reloads the config ---------------------------------------------
cp "$SIM_CONFIG" "$WORK/reload.conf"
chmod 600 "$WORK/reload.conf"
run_dashboard "$WORK/reload.conf"
expect "first round ends" "next in "
expect_re "orders-cache is there" "^(OK|WARN|CRIT|UNKN)[A-Z]* +orders-cache +"
grep -v 'name = "orders-cache";' "$WORK/reload.conf" >"$WORK/reload.tmp"
cat "$WORK/reload.tmp" >"$WORK/reload.conf"
keys C-r
expect "Ctrl-R reloads" "config reloaded: 20 instances"
expect_gone "a dropped instance goes" "orders-cache"
expect_re "the others stay" "^(OK|WARN|CRIT|UNKN)[A-Z]* +payments-db +"
printf 'this is not a config\n' >>"$WORK/reload.conf"
keys C-r
expect "a broken file keeps the old config" "config not reloaded, the old one stays"
expect_re "... with its rows" "^(OK|WARN|CRIT|UNKN)[A-Z]* +payments-db +"
keys q
expect "q quits" "TLSFLEET_EXIT=0"

# ---- a mouse click selects the row under it (a pty: tmux cannot send one) ----
# Row 4 of the table (screen line 7, 1-based) is ali-leaderboard in name
# order; y i then copies its id, which shows in the raw output as OSC 52.
mkdir -p "$WORK/mouse/tlsfleet"
# Sorted by name (a saved preference), so the row under the click is known.
printf 'sort = "name";\n' >"$WORK/mouse/tlsfleet/dashboard"
XDG_STATE_HOME="$WORK/mouse" "$PYTHON3" "$top_srcdir/tests/tools/ptyclick.py" "$TLSFLEET" \
	"$SIM_CONFIG" 5 7 ali-leaderboard yi "copied the instance id" >"$WORK/click.out"
is "$?" 0 "the dashboard answered the click and the keys"
check "the clicked row is the one selected (its id copied)" \
	grep -qF "$(printf '\033]52;c;')ci10NG44azJsZWFkM3JiMGFyZA==" "$WORK/click.out"
done_testing
