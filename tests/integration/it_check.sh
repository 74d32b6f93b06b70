#!/bin/bash
# --check end to end: exit codes at the thresholds, overrides, output shape.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
require_sim

# A small fleet: CA expiring in 20 days (API date), one in 400, TLS off.
cat >"$WORK/fleet.json" <<'JSON'
{
  "config": {"refresh_interval": 0, "retries": 0, "warn_days": 30, "crit_days": 7},
  "accounts": [
    {"name": "ali", "provider": "alibaba", "access_key_id": "LTAItlsfleetCHECK0001",
     "access_key_secret": "tlsfleetCheckSecret0001"}
  ],
  "instances": [
    {"name": "soon", "account": "ali", "service": "redis", "region": "cn-hangzhou",
     "id": "r-bp1soon000000001", "scenario": "enabled", "ca_days_left": 20},
    {"name": "later", "account": "ali", "service": "redis", "region": "cn-hangzhou",
     "id": "r-bp1later00000001", "scenario": "enabled", "ca_days_left": 400},
    {"name": "plain", "account": "ali", "service": "redis", "region": "cn-hangzhou",
     "id": "r-bp1plain00000001", "scenario": "disabled"}
  ]
}
JSON
start_sim "$WORK/fleet.json"

run_check() {  # run_check ARGS...: sets out, code
	out=$("$TLSFLEET" -c "$SIM_CONFIG" --check "$@" 2>"$WORK/check.err")
	code=$?
}

run_check
is "$code" 1 "20 days left with warn_days 30: WARNING (exit 1)"
first=$(printf '%s\n' "$out" | head -n 1)
# The contract changed: the first line names the worst instances before the
# census, and the perfdata thresholds are ranges ("30:").
case $first in
"TLSFLEET WARNING - soon: CA certificate expires on "*" (2"[01]" days left) - 3 instances: 2 enabled, 1 disabled | instances=3 enabled=2 disabled=1 configuring=0 unsupported=0 no_info=0 not_found=0 auth_error=0 throttled=0 error=0 unknown=0 min_days_left="*";30:;7:") ok 0 "summary line names the worst, then census and perfdata";;
*) ok 1 "summary line names the worst, then census and perfdata"; diag "got: $first";;
esac
check "output follows the plugin grammar (range syntax)" \
	"$PYTHON3" "$top_srcdir/tests/tools/check_plugin_output.py" <<<"$out"
is "$(printf '%s\n' "$out" | sed -n 2p | cut -d: -f1)" "WARNING soon" "one detail line per non-OK instance, named"
is "$(printf '%s\n' "$out" | wc -l)" 2 "OK instances get no line"

run_check --warn-days 10
is "$code" 0 "--warn-days 10: OK"
run_check --warn-days 19
is "$code" 0 "--warn-days 19 (days_left 19 or 20): OK or boundary"
run_check --warn-days 20
is "$code" 1 "--warn-days 20: WARNING at the boundary (days_left <= warn)"
run_check --crit-days 20 --warn-days 30
is "$code" 2 "--crit-days 20: CRITICAL"
check "perfdata carries the overrides" grep -q "min_days_left=[0-9]*;30:;20:" <<<"$out"
run_check --warn-days 5 --require-tls
is "$code" 2 "--require-tls: disabled instance is CRITICAL"
check "reason says TLS is required" grep -q "^CRITICAL plain: TLS is disabled but required" <<<"$out"

# Selection: --only GLOB and --account NAME (both repeatable).
run_check --only 'so*'
is "$code" 1 "--only so*: just 'soon' (WARNING)"
check "census counts the selection only" grep -q " - 1 instances: 1 enabled | instances=1 " <<<"$out"
run_check --only later --only plain
is "$code" 0 "--only twice: later and plain, both OK"
check "two selected" grep -q "^TLSFLEET OK - 2 instances: 1 enabled, 1 disabled |" <<<"$out"
run_check --only 'nomatch*'
is "$code" 3 "nothing selected: UNKNOWN"
check "says no instance selected" grep -q "^TLSFLEET UNKNOWN - no instance selected | instances=0 " <<<"$out"
check "empty selection output follows the grammar" \
	"$PYTHON3" "$top_srcdir/tests/tools/check_plugin_output.py" <<<"$out"
run_check --account ali --only soon
is "$code" 1 "--account with --only"
run_check --account nosuch
is "$code" 3 "unknown --account under --check: exit 3"
check "names the unknown account" grep -q "no account named 'nosuch'" "$WORK/check.err"
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json --only 'l*' >"$WORK/sel.json" 2>/dev/null
is "$?" 0 "--list --only"
pycheck "--list --only lists the selection" '[i["name"] for i in j[0]] == ["later"]' "$WORK/sel.json"
"$TLSFLEET" -c "$SIM_CONFIG" --list --account nosuch >/dev/null 2>&1
is "$?" 2 "unknown --account under --list: exit 2"
"$TLSFLEET" --only x >/dev/null 2>&1
is "$?" 2 "--only without a headless mode: exit 2"

# Standard output that cannot be written is UNKNOWN, whatever was found.
if [ -w /dev/full ]; then
	"$TLSFLEET" -c "$SIM_CONFIG" --check --warn-days 5 >/dev/full 2>/dev/null
	is "$?" 3 "unwritable stdout under --check: exit 3"
else
	ok 0 "# SKIP /dev/full not available"
fi

# Usage and config errors are UNKNOWN (3) under --check.
run_check --warn-days abc
is "$code" 3 "bad --warn-days: exit 3"
"$TLSFLEET" -c "$WORK/missing.conf" --check >/dev/null 2>&1
is "$?" 3 "missing config under --check: exit 3"
"$TLSFLEET" -c "$WORK/missing.conf" --list >/dev/null 2>&1
is "$?" 2 "missing config under --list: exit 2"
"$TLSFLEET" --list --bogus >/dev/null 2>&1
is "$?" 2 "unknown option: exit 2"
"$TLSFLEET" --list --check >/dev/null 2>&1
is "$?" 3 "two modes with --check: exit 3"
"$TLSFLEET" --format json >/dev/null 2>&1
is "$?" 2 "--format without --list: exit 2"
"$TLSFLEET" --version | grep -q '^tlsfleet [0-9]'
is "$?" 0 "--version"
"$TLSFLEET" --help | grep -q -- '--check'
is "$?" 0 "--help lists the modes"

# An instance's own thresholds win over the command line.
sed -i 's/id = "r-bp1soon000000001";/id = "r-bp1soon000000001"; crit_days = 25;/' "$SIM_CONFIG"
run_check --crit-days 3
is "$code" 2 "instance crit_days = 25 beats --crit-days 3"

# Every instance failing: UNKNOWN.
stop_sim
run_check
is "$code" 3 "provider unreachable: UNKNOWN (exit 3)"
check "reason names the network error" grep -q "UNKNOWN soon: error: CURLE_COULDNT_CONNECT" <<<"$out"
"$TLSFLEET" -c "$SIM_CONFIG" --list >/dev/null 2>&1
is "$?" 1 "--list exits 1 when nothing answered"

done_testing
