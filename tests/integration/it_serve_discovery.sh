#!/bin/bash
# --serve follows the fleet: an account with `discover` is listed again
# every `interval`; an instance the simulator starts listing appears in
# /metrics and /instances.json (and is refreshed), one it stops listing
# goes away with its series, and a listing that fails keeps what was
# listed before and counts in tlsfleet_discovery_errors_total. The fleet
# is changed under the running exporter by rewriting the simulator's fleet
# file and sending it SIGHUP.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
require_sim
command -v curl >/dev/null || skip_all "curl not installed"
. "$top_srcdir/tests/integration/discovery.sh"
CHECK_PROM="$top_srcdir/tests/tools/check_prom_text.py"
PROMTOOL=${PROMTOOL:-$(command -v promtool || true)}

# fleet_edit PYTHON-STATEMENTS: edit $WORK/fleet.json (as f), then make the
# running simulator read it again.
fleet_edit() {
	"$PYTHON3" - "$WORK/fleet.json" "$1" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
by = {i["name"]: i for i in f["instances"]}
exec(sys.argv[2])
json.dump(f, open(sys.argv[1], "w"))
PY
	rm -f "$SIM_DIR/ready.json"
	kill -HUP "$SIM_PID"
	wait_for 20 test -s "$SIM_DIR/ready.json"
}

"$PYTHON3" - "$top_srcdir/tests/data/sim/discovery.json" "$WORK/fleet.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
f["list_faults"] = []
keep = [i for i in f["instances"] if i.get("name") == "orders-cache"]
for n in ("serve-alpha", "serve-beta"):
    keep.append({"name": n, "account": "tc-disc", "service": "redis", "region": "ap-guangzhou",
                 "id": "crs-" + n[6:], "in_config": False})
f["instances"] = keep
json.dump(f, open(sys.argv[2], "w"))
PY
start_sim "$WORK/fleet.json"
DISC='{"tc-disc": "regions = [\"ap-guangzhou\"]; services = [\"redis\"]; interval = 1;", "_instances": ["orders-cache"], "_rate": {"tc-disc": 100}}'
DISC_ACCOUNTS=tc-disc write_config "$WORK/serve.conf" "$WORK/fleet.json" "$DISC"
# One refresh round only: what comes later is re-listing's doing.
sed -i 's/^retries = 3;/retries = 0;\nrefresh_interval = 0;/' "$WORK/serve.conf"

# ---- --list --format prometheus: the listing at start is counted ------------
"$TLSFLEET" -c "$WORK/serve.conf" --list --format prometheus >"$WORK/list.prom" 2>"$WORK/list.err"
is "$?" 0 "--list --format prometheus with discovery: exit 0"
check "--list: the listing's last success" grep -q '^tlsfleet_discovery_last_success_timestamp_seconds{account="tc-disc",service="redis",region="ap-guangzhou"} [1-9][0-9]*$' "$WORK/list.prom"
check "--list: no listing failed" grep -q '^tlsfleet_discovery_errors_total{account="tc-disc",service="redis",region="ap-guangzhou"} 0$' "$WORK/list.prom"
check "--list: passes the strict checker" "$PYTHON3" "$CHECK_PROM" <"$WORK/list.prom"

# ---- --serve --------------------------------------------------------------------
"$TLSFLEET" -c "$WORK/serve.conf" --serve 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVE_PID=$!
if ! wait_for 30 grep -q 'port [1-9]' "$WORK/serve.err"; then
	diag "$(cat "$WORK/serve.err")"
	kill "$SERVE_PID" 2>/dev/null
	ok 1 "--serve starts listening"
	done_testing
	exit
fi
PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$WORK/serve.err" | head -n 1)
URL="http://127.0.0.1:$PORT"
ok 0 "--serve listens on port $PORT"

scrape() {  # scrape FILE: /metrics into FILE
	curl -s -o "$1" "$URL/metrics"
}
has_series() {  # has_series PATTERN: the current /metrics has a line matching it
	scrape "$WORK/now.prom" && grep -q "$1" "$WORK/now.prom"
}
lacks_series() {
	scrape "$WORK/now.prom" && ! grep -q "$1" "$WORK/now.prom"
}
promtool_ok() {  # promtool_ok DESCRIPTION FILE
	if [ -z "$PROMTOOL" ]; then
		ok 0 "# SKIP promtool not installed ($1)"
	elif "$PROMTOOL" check metrics <"$2" >"$WORK/promtool.out" 2>&1; then
		ok 0 "$1"
	else
		ok 1 "$1"
		sed 's/^/# /' "$WORK/promtool.out"
	fi
}

healthy() { test "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200; }
check "the first round ends" wait_for 30 healthy
check "listed at start: serve-alpha refreshed" wait_for 30 has_series '^tlsfleet_instance_state{name="serve-alpha",state="enabled"} 1$'
check "and serve-beta" grep -q '^tlsfleet_instance_info{name="serve-beta",' "$WORK/now.prom"
check "the listing's last success is a metric" grep -q '^tlsfleet_discovery_last_success_timestamp_seconds{account="tc-disc",service="redis",region="ap-guangzhou"} [1-9]' "$WORK/now.prom"

# A new instance is listed, serve-beta no longer is.
fleet_edit 'f["instances"].append({"name": "serve-gamma", "account": "tc-disc", "service": "redis", "region": "ap-guangzhou", "id": "crs-gamma", "in_config": False}); by["serve-beta"]["listed"] = False'
check "a newly listed instance appears in /metrics" wait_for 60 has_series '^tlsfleet_instance_info{name="serve-gamma",'
check "and is refreshed" wait_for 30 has_series '^tlsfleet_instance_state{name="serve-gamma",state="enabled"} 1$'
check "an instance no longer listed leaves /metrics" wait_for 60 lacks_series 'name="serve-beta"'
scrape "$WORK/after.prom"
check "with every series of it" sh -c "! grep -q 'serve-beta' '$WORK/after.prom'"
check "the configured instance stays" grep -q '^tlsfleet_instance_info{name="orders-cache",' "$WORK/after.prom"
check "the others stay refreshed" grep -q '^tlsfleet_instance_state{name="serve-alpha",state="enabled"} 1$' "$WORK/after.prom"
check "/metrics after the change passes the strict checker" "$PYTHON3" "$CHECK_PROM" <"$WORK/after.prom"
promtool_ok "promtool check metrics after the change" "$WORK/after.prom"
curl -s -o "$WORK/instances.json" "$URL/instances.json"
pycheck "/instances.json follows: serve-gamma in, serve-beta out" \
	'sorted(i["name"] for i in j[0]) == ["orders-cache", "serve-alpha", "serve-gamma"] and by["serve-gamma"]["discovered"] and by["serve-gamma"]["state"] == "enabled"' \
	"$WORK/instances.json"
check "stderr says who came and went" sh -c "grep -q 'serve-gamma: discovered (tc-disc redis, ap-guangzhou)' '$WORK/serve.err' && grep -q 'serve-beta: no longer listed by tc-disc, removed' '$WORK/serve.err'"

# The listing fails (auth, every time): what was listed stays, the failure counts.
fleet_edit 'f["list_faults"] = [{"account": "tc-disc", "service": "redis", "page": 1, "fault": "auth_error", "times": 0}]; by["serve-alpha"]["listed"] = False'
failed_listing() { has_series '^tlsfleet_discovery_errors_total{account="tc-disc",service="redis",region="ap-guangzhou"} [1-9]'; }
check "a failed listing is counted in tlsfleet_discovery_errors_total" wait_for 60 failed_listing
check "and keeps what was listed before (serve-alpha stays)" grep -q '^tlsfleet_instance_info{name="serve-alpha",' "$WORK/now.prom"
check "and serve-gamma" grep -q '^tlsfleet_instance_info{name="serve-gamma",' "$WORK/now.prom"
check "stderr names the failed listing" grep -q 'listing tc-disc redis in ap-guangzhou failed' "$WORK/serve.err"
promtool_ok "promtool check metrics with a failed listing" "$WORK/now.prom"
check "OpenMetrics: the errors counter family without _total" sh -c \
	"curl -s -H 'Accept: application/openmetrics-text; version=1.0.0' '$URL/metrics' | grep -q '^# TYPE tlsfleet_discovery_errors counter$'"

kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
is "$?" 0 "SIGTERM: clean exit 0"

done_testing
