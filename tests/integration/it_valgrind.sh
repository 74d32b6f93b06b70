#!/bin/bash
# Valgrind (memcheck) over real runs against the simulator: --list on every
# state of every provider, --list on hostile answers, --check with timeouts
# and retries, --download of every provider's file, configuration errors,
# and a scripted dashboard session in tmux (refresh, filter, detail,
# download, resize, quit). Any invalid read or write, use of uninitialised
# memory, invalid free or "definitely lost" block fails the test.
#
# Skipped when valgrind is missing and for a sanitizer build (ASan and
# valgrind do not mix; that build has LeakSanitizer instead).
#
# A run under memcheck costs 8-14 s here (TLS start-up is slow under it),
# so `make check` runs a representative set in under a minute;
# TLSFLEET_VALGRIND_FULL=1 adds every other mode and fleet (about three
# minutes), TLSFLEET_VALGRIND_DASHBOARD=0 leaves the dashboard session out.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/data/reliability/common.sh"
command -v valgrind >/dev/null 2>&1 || skip_all "valgrind not installed"
require_sim
if grep -q '^SAN_CFLAGS = .*-fsanitize' "$top_builddir/Makefile" 2>/dev/null ||
	ldd "$TLSFLEET" 2>/dev/null | grep -q -e libasan -e libubsan; then
	skip_all "a sanitizer build: valgrind cannot run it"
fi
. "$top_srcdir/tests/integration/screen.sh"
trap 'stop_tmux; keep_work; cleanup' EXIT

# Only errors in tlsfleet's own process count; nothing is suppressed.
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
	--show-leak-kinds=definite --track-origins=yes --child-silent-after-fork=yes)
vg_n=0

# vg NAME WANT-EXIT ARGS...: tlsfleet under memcheck.
vg() {
	local name=$1 want=$2
	shift 2
	vg_n=$((vg_n + 1))
	local t0=$SECONDS
	timeout 300 "${VG[@]}" --log-file="$WORK/vg-$name.log" "$TLSFLEET" "$@" \
		>"$WORK/vg-$name.out" 2>"$WORK/vg-$name.err"
	local rc=$?
	is "$rc" "$want" "valgrind $name: exit $want ($((SECONDS - t0)) s)"
	vg_clean "$name"
}
# vg_clean NAME: the memcheck log holds no error of any kind.
vg_clean() {
	if [ -s "$WORK/vg-$1.log" ]; then
		ok 1 "valgrind $1: no memory error, nothing definitely lost"
		head -n 40 "$WORK/vg-$1.log" | sed 's/^/#   /'
	else
		ok 0 "valgrind $1: no memory error, nothing definitely lost"
	fi
}

FULL=${TLSFLEET_VALGRIND_FULL:-0}

# ---- headless ----------------------------------------------------------------
start_sim "$top_srcdir/tests/data/sim/states.json"
vg list-states 1 -c "$SIM_CONFIG" --list --format json
cp "$WORK/vg-list-states.out" "$WORK/states.json"
pycheck "the run under valgrind gave every state" \
	'set(i["state"] for i in j[0]) >= {"enabled","disabled","configuring","unsupported","no_info","not_found","auth_error","throttled","error"}' \
	"$WORK/states.json"
if [ "$FULL" = 1 ]; then
	vg list-states-csv 1 -c "$SIM_CONFIG" --list --format csv
	vg check-states 2 -c "$SIM_CONFIG" --check
	vg download-tencent 0 -c "$SIM_CONFIG" --download tc-redis-enabled --output-dir "$WORK/dl"
	vg download-huawei 0 -c "$SIM_CONFIG" --download hw-enabled --output-dir "$WORK/dl"
	vg download-alibaba 0 -c "$SIM_CONFIG" --download ali-enabled --output-dir "$WORK/dl"
	vg download-refused 1 -c "$SIM_CONFIG" --download hw-disabled --output-dir "$WORK/dl"
	stop_sim

	start_sim "$top_srcdir/tests/data/sim/download.json"
	vg list-download-fleet 0 -c "$SIM_CONFIG" --list
	for name in $(json_get "$SIM_DIR/expected.json" '" ".join(sorted(d["instances"]))'); do
		timeout 300 "${VG[@]}" --log-file="$WORK/vg-dl-$name.log" "$TLSFLEET" -c "$SIM_CONFIG" \
			--download "$name" --output-dir "$WORK/dl2" >/dev/null 2>&1
		rc=$?
		vg_n=$((vg_n + 1))
		[ "$rc" -eq 99 ] && ok 1 "valgrind --download $name: exit 99 (memcheck)"
		vg_clean "dl-$name"
	done
	stop_sim

	start_sim "$top_srcdir/tests/data/sim/errors.json"
	vg check-errors 3 -c "$SIM_CONFIG" --check
	stop_sim
else
	stop_sim
fi

"$PYTHON3" "$top_srcdir/tests/data/reliability/hostile_fleet.py" "$WORK/hostile.json"
start_sim "$WORK/hostile.json"
vg list-hostile 1 -c "$SIM_CONFIG" --list --format json
[ "$FULL" = 1 ] && vg list-hostile-table 1 -c "$SIM_CONFIG" --list

# ---- configuration errors -------------------------------------------------------
printf '@include "b.conf"\n' >"$WORK/a.conf"
printf '@include "a.conf"\n' >"$WORK/b.conf"
vg include-loop 2 -c "$WORK/a.conf" --list
if [ "$FULL" = 1 ]; then
	printf 'accounts = ( { name = "a"; provider = "tencent"; bogus = 1; } );\ninstances = ( { name = "x"; } );\n' >"$WORK/bad.conf"
	vg config-errors 2 -c "$WORK/bad.conf" --list
	cp "$SIM_CONFIG" "$WORK/open.conf"
	chmod 644 "$WORK/open.conf"
	vg readable-secrets 3 -c "$WORK/open.conf" --check
	vg no-such-instance 2 -c "$SIM_CONFIG" --download no-such
fi

# ---- the dashboard: a scripted session ---------------------------------------------
if [ "${TLSFLEET_VALGRIND_DASHBOARD:-1}" = 0 ]; then
	ok 0 "# SKIP dashboard under valgrind: TLSFLEET_VALGRIND_DASHBOARD=0"
elif [ -z "$TMUX_BIN" ]; then
	ok 0 "# SKIP dashboard under valgrind: tmux not found"
else
	stop_sim
	start_sim "$top_srcdir/demo/fleet.json"
	DASH_WRAPPER="${VG[*]} --log-file=$WORK/vg-dashboard.log" run_dashboard "$SIM_CONFIG"
	t0=$SECONDS
	expect_re "valgrind dashboard: the table" "^[A-Z]+ +orders-cache +" 60
	expect "valgrind dashboard: the first round ends" "next in " 90
	keys R
	expect "valgrind dashboard: R refreshes" "refreshing" 30
	expect "valgrind dashboard: the round ends" "next in " 90
	keys / o r d e r s Enter
	expect 'valgrind dashboard: filter' 'filter "orders": 1 shown' 30
	keys Enter
	expect_re "valgrind dashboard: detail" "^Instance +orders-cache" 30
	keys d
	expect_re "valgrind dashboard: download" "orders-cache: saved" 60
	T resize-window -t main -x 80 -y 24
	expect_gone "valgrind dashboard: resized to 80 columns" " ID " 30
	T resize-window -t main -x 40 -y 6
	expect "valgrind dashboard: too small" "oo small: " 30
	T resize-window -t main -x 120 -y 40
	keys Escape Escape p L Escape '?' Escape q
	expect "valgrind dashboard: q quits, exit 0, terminal restored" "TLSFLEET_EXIT=0 TTY=restored" 60
	vg_n=$((vg_n + 1))
	diag "dashboard session under valgrind: $((SECONDS - t0)) s"
	vg_clean dashboard
	stop_tmux
fi
stop_sim
diag "$vg_n runs under memcheck"
done_testing
