#!/bin/bash
# --check output against golden files (tests/data/check/*.out): first line
# with the worst instances, long output worst first, perfdata ranges; and
# --deadline ending a run with an instance that never answers.
# Regenerate a golden file: TLSFLEET_REGEN=1 make check TESTS=tests/integration/it_check_golden.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
require_sim

DATA="$top_srcdir/tests/data/check"
start_sim "$DATA/fleet.json"

# Dates move with the clock: only they are normalised.
golden() {  # golden NAME WANT_CODE ARGS...
	local name=$1 want=$2
	shift 2
	"$TLSFLEET" -c "$SIM_CONFIG" --check "$@" >"$WORK/$name.raw" 2>"$WORK/$name.err"
	is "$?" "$want" "$name: exit code"
	sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/<DATE>/g' "$WORK/$name.raw" >"$WORK/$name.out"
	if [ -n "${TLSFLEET_REGEN:-}" ]; then
		cp "$WORK/$name.out" "$DATA/$name.out"
	fi
	if diff -u "$DATA/$name.out" "$WORK/$name.out" >"$WORK/$name.diff"; then
		ok 0 "$name: output as in $name.out"
	else
		ok 1 "$name: output as in $name.out"
		sed 's/^/# /' "$WORK/$name.diff"
	fi
	check "$name: plugin grammar" "$PYTHON3" "$top_srcdir/tests/tools/check_plugin_output.py" <"$WORK/$name.raw"
}

golden default 2
golden require-tls 2 --require-tls --warn-days 250
golden only-ok 0 --only 'a-*' --only d-off
golden warn-only 1 --only 'c-*' --only f-setup

# An instance that never answers: --deadline ends the run, it stays unknown.
stop_sim
cat >"$WORK/hang.json" <<'JSON'
{
  "config": {"refresh_interval": 0, "retries": 0, "timeout": 30.0},
  "accounts": [
    {"name": "ali", "provider": "alibaba", "access_key_id": "LTAItlsfleetDEADLN0001",
     "access_key_secret": "tlsfleetDeadlineSecret01"}
  ],
  "instances": [
    {"name": "quick", "account": "ali", "service": "redis", "region": "cn-hangzhou",
     "id": "r-bp1quick00000001", "scenario": "enabled", "ca_days_left": 400},
    {"name": "stuck", "account": "ali", "service": "redis", "region": "cn-hangzhou",
     "id": "r-bp1stuck00000001", "scenario": "hang", "hang_s": 20}
  ]
}
JSON
start_sim "$WORK/hang.json"
# Without the deadline the hang would end (after 20 s) in an error: an
# unknown state proves the run ended first, no clock needed.
out=$("$TLSFLEET" -c "$SIM_CONFIG" --check --deadline 2 2>"$WORK/deadline.err")
code=$?
is "$code" 3 "--deadline: the stuck instance is UNKNOWN"
check "stuck reported as not refreshed" grep -q "^UNKNOWN stuck: not refreshed yet" <<<"$out"
check "quick answered in time" grep -q " - 2 instances: 1 enabled, 1 unknown |" <<<"$out"
check "stderr says the deadline was reached" grep -q "deadline of 2 s reached" "$WORK/deadline.err"
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json --deadline 2 >"$WORK/deadline.json" 2>/dev/null
is "$?" 1 "--list --deadline: exit 1 (an instance without an answer)"
pycheck "--list --deadline: stuck is unknown, quick enabled" \
	'by["stuck"]["state"] == "unknown" and by["quick"]["state"] == "enabled"' "$WORK/deadline.json"
"$TLSFLEET" -c "$SIM_CONFIG" --check --deadline abc >/dev/null 2>&1
is "$?" 3 "bad --deadline under --check: exit 3"

done_testing
