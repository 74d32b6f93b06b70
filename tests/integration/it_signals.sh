#!/bin/bash
# Signals and exits. The headless modes (--list, --check, --download) keep
# the default actions: SIGINT, SIGTERM and SIGHUP mid-refresh or mid-body
# end them at once with no partial report, no partial download and the
# state file as it was. SIGPIPE is ignored: `tlsfleet --list | head -1`
# ends without noise. The dashboard exits 128+signal after SIGINT (also
# Ctrl-C typed), SIGTERM and SIGHUP with the terminal restored (normal
# screen, settings as before, typed text echoed again), stops and resumes
# cleanly on SIGTSTP/SIGCONT, survives storms of SIGWINCH, and goes away
# when its terminal does.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/data/reliability/common.sh"
require_sim
. "$top_srcdir/tests/integration/screen.sh"
BG_PID=""
trap 'stop_tmux; [ -n "$BG_PID" ] && kill "$BG_PID" 2>/dev/null; keep_work; cleanup' EXIT

# The fault fleet, with a timeout long enough for the stalled file below
# and one Alibaba instance whose CA file stops halfway for 30 s.
"$PYTHON3" - "$top_srcdir/tests/data/reliability/faults.json" "$WORK/fleet.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["config"]["timeout"] = 10.0
d["instances"].append({"name": "ali-stall", "account": "ali", "service": "redis", "region": "cn-hangzhou",
                       "id": "r-bp1stall00000001", "scenario": "enabled", "file_stall_s": 30})
json.dump(d, open(sys.argv[2], "w"))
PY
FLEET="$WORK/fleet.json"
n_instances=$(json_get "$FLEET" 'len(d["instances"])')

# "$PYTHON3" -c "$DEFAULT_SIGNALS" CMD...: CMD in the same process, with
# SIGINT, SIGTERM and SIGHUP at their default action (a script's background
# job inherits SIGINT ignored, as from a shell without job control).
DEFAULT_SIGNALS='
import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])'
signum() { kill -l "$1"; }

# ---- headless modes: a signal mid-refresh ------------------------------------
start_sim "$FLEET"
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json >"$WORK/prime.json" 2>/dev/null
STATE="$XDG_STATE_HOME/tlsfleet/state.json"
check "a first run wrote the state file" test -s "$STATE"
state_sum=$(sha256sum <"$STATE")
port=$SIM_PORT
stop_sim
start_sim "$FLEET" --port "$port" --latency-ms 2000

# interrupt NAME SIGNAL MODE-ARGS...: start tlsfleet, wait until answers
# are arriving (the refresh is half done), send SIGNAL.
interrupt() {
	local name=$1 sig=$2
	shift 2
	local before
	before=$(wc -l <"$SIM_LOG")
	"$PYTHON3" -c "$DEFAULT_SIGNALS" "$TLSFLEET" -c "$SIM_CONFIG" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	BG_PID=$!
	if ! wait_for 30 sh -c "[ \$(wc -l <'$SIM_LOG') -gt $before ]"; then
		ok 1 "$name: requests under way"
	fi
	kill -s "$sig" "$BG_PID"
	wait "$BG_PID"
	local rc=$?
	BG_PID=""
	is "$rc" $((128 + $(signum "$sig"))) "$name: SIG$sig mid-refresh ends it at once (status 128+$(signum "$sig"))"
	check "$name: no partial report on stdout" test ! -s "$WORK/$name.out"
	check "$name: nothing on stderr" test ! -s "$WORK/$name.err"
	is "$(sha256sum <"$STATE")" "$state_sum" "$name: the state file is as it was"
	# state.json.lock is the savers' lock file, there for good, and
	# snapshot.json the last known states of earlier runs (tlsfleet(1))
	is "$(ls -A "$(dirname "$STATE")" | grep -vxE 'state\.json\.lock|snapshot\.json')" "state.json" "$name: no temporary file next to it"
}
interrupt list-int INT --list --format json
interrupt list-term TERM --list
interrupt list-hup HUP --list --format csv
interrupt check-term TERM --check

# --download: the CA file stops halfway; the signal comes in the middle.
for sig in INT TERM; do
	rm -rf "$WORK/dl"
	"$PYTHON3" -c "$DEFAULT_SIGNALS" "$TLSFLEET" -c "$SIM_CONFIG" --download ali-stall --output-dir "$WORK/dl" \
		>"$WORK/dl-$sig.out" 2>"$WORK/dl-$sig.err" &
	BG_PID=$!
	check "--download: the file transfer stalls halfway" wait_for 30 grep -q '"fault": "stall"' "$SIM_LOG"
	kill -s "$sig" "$BG_PID"
	wait "$BG_PID"
	is "$?" $((128 + $(signum "$sig"))) "--download: SIG$sig mid-body ends it (status 128+$(signum "$sig"))"
	BG_PID=""
	check "--download: SIG$sig leaves no file, partial or temporary" \
		bash -c "[ -z \"\$(find '$WORK/dl' -type f 2>/dev/null)\" ]"
	: >"$SIM_LOG"
done
stop_sim

# ---- SIGPIPE: the reader goes away -------------------------------------------
"$PYTHON3" - "$WORK/many.conf" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('accounts = ( { name = "a"; provider = "tencent"; endpoint = "https://127.0.0.1:9"; } );\n')
    f.write("instances = (\n" + ",\n".join(
        '{ name = "i%05d"; account = "a"; service = "redis"; region = "ap-guangzhou"; id = "crs-%05d"; }' % (n, n)
        for n in range(3000)) + ");\n")
PY
for args in "--list" "--list --format json" "--list --format csv" "--check"; do
	# shellcheck disable=SC2086
	"$TLSFLEET" -c "$WORK/many.conf" $args 2>"$WORK/pipe.err" | head -n 1 >"$WORK/pipe.out"
	st=("${PIPESTATUS[@]}")
	case $args in --check) want=3 ;; *) want=1 ;; esac
	is "${st[0]}" "$want" "tlsfleet $args | head -1: exit $want, not killed by SIGPIPE"
	check "tlsfleet $args | head -1: no message on stderr" test ! -s "$WORK/pipe.err"
	check "tlsfleet $args | head -1: the first line arrived" test -s "$WORK/pipe.out"
done

# ---- the dashboard -------------------------------------------------------------
if [ -z "$TMUX_BIN" ]; then
	ok 0 "# SKIP dashboard signals: tmux not found"
	check "no sanitizer report in any output" sanitizer_clean "$WORK"
	done_testing
	exit
fi
start_sim "$FLEET" --latency-ms 1500

# dash_up: a fresh dashboard, mid-refresh (answers take 1.5 s).
dash_up() {
	run_dashboard "$SIM_CONFIG"
	expect_re "dashboard up, refreshing" "refresh [0-9]+/$n_instances" 20
	is "$(alt_screen)" 1 "on the alternate screen"
}
# restored CODE WHAT: exit code shown, settings restored, echo works.
restored() {
	expect "$2: exit $1, terminal settings as before" "TLSFLEET_EXIT=$1 TTY=restored"
	is "$(alt_screen)" 0 "$2: the alternate screen is left"
	keys a b c Enter
	expect_re "$2: typed text is echoed again" "^abc$"
	expect "$2: and read as a line" "READ=abc"
}

for sig in INT TERM HUP; do
	dash_up
	pid=$(dashboard_pid)
	kill -s $sig "$pid"
	n=$(signum $sig)
	restored $((128 + n)) "SIG$sig"
	check "SIG$sig: says so on stderr" grep -q "stopped by signal $n" "$WORK/dash.err"
done

dash_up
keys C-c
restored 130 "Ctrl-C typed"

# Ctrl-Z and fg from an interactive shell (job control: outside one, the
# pane's process group is orphaned and the kernel drops SIGTSTP).
stop_tmux
T new-session -d -s main -x 120 -y 40 "env -i PATH=\"$PATH\" HOME=\"$HOME\" PS1='shell\$ ' TERM=$TERMTYPE LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME=\"$XDG_STATE_HOME\" XDG_CACHE_HOME=\"$XDG_CACHE_HOME\" bash --norc --noprofile -i"
expect_re "an interactive shell" '^shell\$'
keys "'$TLSFLEET' -c '$SIM_CONFIG'" Enter
expect_re "the dashboard starts from the shell" "refresh [0-9]+/$n_instances"
keys C-z
expect "Ctrl-Z: the shell reports the job stopped" "Stopped"
is "$(alt_screen)" 0 "Ctrl-Z: the terminal is given back (normal screen)"
keys "fg" Enter
check "fg: back on the alternate screen" wait_for 10 sh -c "[ \"\$('$TMUX_BIN' -L '$SOCK' display-message -p -t main '#{alternate_on}')\" = 1 ]"
expect_re "fg: the table is drawn again" "^[A-Z]+ +[a-z]+-[a-z_]+-[0-9]+ "
keys q
check "q after fg: back at the shell's normal screen" wait_for 10 sh -c "[ \"\$('$TMUX_BIN' -L '$SOCK' display-message -p -t main '#{alternate_on}')\" = 0 ]"
keys 'echo "typed-back exit=$?"' Enter
expect_re "the shell echoes typed text again" '^shell\$ echo "typed-back exit=\$\?"$'
expect_re "and runs it: the dashboard had exited 0" '^typed-back exit=0$'

# SIGWINCH storms: 200 resizes through tmux, then 2000 bare signals.
dash_up
pid=$(dashboard_pid)
t0=$(date +%s%N)
for i in $(seq 1 50); do
	T resize-window -t main -x 80 -y 24
	T resize-window -t main -x 200 -y 60
	T resize-window -t main -x 40 -y 6
	T resize-window -t main -x 120 -y 40
done
t1=$(date +%s%N)
for i in $(seq 1 2000); do kill -s WINCH "$pid" 2>/dev/null || break; done
t2=$(date +%s%N)
diag "200 resizes in $(((t1 - t0) / 1000000)) ms, 2000 SIGWINCH in $(((t2 - t1) / 1000000)) ms"
check "the dashboard survived the SIGWINCH storms" kill -0 "$pid"
T resize-window -t main -x 100 -y 30
if wait_for 20 sh -c "[ \$('$TMUX_BIN' -L '$SOCK' capture-pane -p -t main | wc -l) -eq 30 ]"; then
	ok 0 "the pane is 100x30"
else
	ok 1 "the pane is 100x30"
fi
expect_re "redrawn at the final size: header" "^tlsfleet "
expect_re "redrawn at the final size: rows" "^[A-Z]+ +[a-z]+-[a-z_]+-[0-9]+ "
expect "the refresh went on through the storm" "idle | auto refresh off" 60
keys /
expect "keys still work after the storm" "Filter: "
keys Escape q
restored 0 "q after the storms"

# The terminal goes away: the pane's pty closes, the dashboard gets SIGHUP.
dash_up
pid=$(dashboard_pid)
T kill-session -t main
check "the terminal gone, the dashboard exits" wait_for 20 sh -c "! kill -0 $pid 2>/dev/null"
check "and says why on stderr" grep -q "stopped by signal 1" "$WORK/dash.err"
stop_tmux
stop_sim
check "no sanitizer report in any output" sanitizer_clean "$WORK"
done_testing
