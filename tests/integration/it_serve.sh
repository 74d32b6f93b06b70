#!/bin/bash
# Prometheus output: --list --format prometheus, and the --serve exporter
# (/metrics in both formats, /instances.json, /healthz, 404, 405, SIGTERM),
# checked by tests/tools/check_prom_text.py and by promtool when installed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
require_sim
command -v curl >/dev/null || skip_all "curl not installed"
CHECK_PROM="$top_srcdir/tests/tools/check_prom_text.py"
PROMTOOL=${PROMTOOL:-$(command -v promtool || true)}

# "slow" answers only after the first round has been watched unfinished:
# it hangs until the request timeout (3 s) ends it.
cat >"$WORK/fleet.json" <<'JSON'
{
  "config": {"refresh_interval": 1, "retries": 0, "timeout": 3.0, "warn_days": 30, "crit_days": 7},
  "accounts": [
    {"name": "ali", "provider": "alibaba", "access_key_id": "LTAItlsfleetSERVE00001",
     "access_key_secret": "tlsfleetServeSecret00001"}
  ],
  "instances": [
    {"name": "we\"ird\\name", "account": "ali", "service": "redis", "region": "cn-hangzhou",
     "id": "r-bp1weird00000001", "scenario": "enabled", "ca_days_left": 20},
    {"name": "off", "account": "ali", "service": "redis", "region": "cn-hangzhou",
     "id": "r-bp1off0000000001", "scenario": "disabled"},
    {"name": "slow", "account": "ali", "service": "redis", "region": "cn-hangzhou",
     "id": "r-bp1slow00000001", "scenario": "hang", "hang_s": 30}
  ]
}
JSON
start_sim "$WORK/fleet.json"

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

# ---- --list --format prometheus ---------------------------------------------
"$TLSFLEET" -c "$SIM_CONFIG" --list --format prometheus >"$WORK/list.prom" 2>"$WORK/list.err"
is "$?" 1 "--list --format prometheus: exit 1 (slow timed out)"
check "text format 0.0.4 passes the strict checker" "$PYTHON3" "$CHECK_PROM" <"$WORK/list.prom"
promtool_ok "promtool check metrics: --list --format prometheus" "$WORK/list.prom"
for fam in tlsfleet_instance_info tlsfleet_instance_state tlsfleet_tls_enabled \
	tlsfleet_ca_expiry_timestamp_seconds tlsfleet_server_cert_expiry_timestamp_seconds \
	tlsfleet_check_status tlsfleet_last_refresh_timestamp_seconds \
	tlsfleet_last_success_timestamp_seconds tlsfleet_api_requests_total; do
	check "family $fam has HELP and TYPE" grep -q "^# TYPE $fam " "$WORK/list.prom"
done
check "no discovery families without an account that lists" sh -c "! grep -q '^# TYPE tlsfleet_discovery_' '$WORK/list.prom'"
check "label values escaped" grep -qF 'tlsfleet_check_status{name="we\"ird\\name"} 1' "$WORK/list.prom"
check "one state sample per state" test "$(grep -c '^tlsfleet_instance_state{name="off",' "$WORK/list.prom")" -eq 10
check "state sample is 1 for the current state" grep -q '^tlsfleet_instance_state{name="off",state="disabled"} 1$' "$WORK/list.prom"
check "TLS off is 0" grep -q '^tlsfleet_tls_enabled{name="off"} 0$' "$WORK/list.prom"
check "unknown TLS has no tls_enabled sample" sh -c "! grep -q '^tlsfleet_tls_enabled{name=\"slow\"}' '$WORK/list.prom'"
check "requests counted by outcome" grep -q '^tlsfleet_api_requests_total{account="ali",action="DescribeInstanceSSL",outcome="network_error"} 1$' "$WORK/list.prom"
check "info carries the labels" grep -q '^tlsfleet_instance_info{name="off",account="ali",provider="alibaba",service="redis",region="cn-hangzhou",instance_id="r-bp1off0000000001"} 1$' "$WORK/list.prom"

# ---- --serve ------------------------------------------------------------------
"$TLSFLEET" -c "$SIM_CONFIG" --serve 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
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

http() {  # http ARGS...: prints the status code; body in $WORK/body, headers in $WORK/headers
	curl -s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$@"
}

# The slow instance holds the first round open for the request timeout.
is "$(http "$URL/healthz")" 503 "/healthz is 503 before the first round ended"
healthy() { test "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200; }
check "waits for the first round" wait_for 30 healthy
is "$(http "$URL/healthz")" 200 "/healthz is 200 once the first round ended"

is "$(http "$URL/metrics")" 200 "/metrics"
check "text 0.0.4 content type" grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$WORK/headers"
check "/metrics passes the strict checker" "$PYTHON3" "$CHECK_PROM" <"$WORK/body"
cp "$WORK/body" "$WORK/scrape.prom"
promtool_ok "promtool check metrics: /metrics" "$WORK/scrape.prom"
check "/metrics has the verdicts" grep -q '^tlsfleet_check_status{name="off"} 0$' "$WORK/scrape.prom"
check "no # EOF in text 0.0.4" sh -c "! grep -q '^# EOF' '$WORK/scrape.prom'"

is "$(http -H 'Accept: application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5' "$URL/metrics")" 200 \
	"/metrics with Accept: OpenMetrics"
check "OpenMetrics content type" grep -qi '^content-type: application/openmetrics-text; version=1.0.0; charset=utf-8' "$WORK/headers"
is "$(tail -n 1 "$WORK/body")" "# EOF" "OpenMetrics ends with # EOF"
check "OpenMetrics passes the strict checker" "$PYTHON3" "$CHECK_PROM" --openmetrics <"$WORK/body"
check "OpenMetrics counter family without _total" grep -q '^# TYPE tlsfleet_api_requests counter$' "$WORK/body"
check "OpenMetrics counter samples keep _total" grep -q '^tlsfleet_api_requests_total{' "$WORK/body"
check "OpenMetrics info type" grep -q '^# TYPE tlsfleet_instance info$' "$WORK/body"
is "$(http -H 'Accept: application/openmetrics-text;q=0, text/plain' "$URL/metrics")" 200 "OpenMetrics refused with q=0"
check "q=0: text format" grep -qi '^content-type: text/plain; version=0.0.4' "$WORK/headers"

is "$(http "$URL/instances.json")" 200 "/instances.json"
check "JSON content type" grep -qi '^content-type: application/json' "$WORK/headers"
cp "$WORK/body" "$WORK/instances.json"
pycheck "/instances.json is the --list JSON with check" \
	'[i["name"] for i in j[0]] == ["we\"ird\\name", "off", "slow"] and by["off"]["check"] == {"status": "OK", "reason": "TLS is disabled"}' \
	"$WORK/instances.json"

is "$(http "$URL/nope")" 404 "unknown path: 404"
is "$(http -X POST -d x=1 "$URL/metrics")" 405 "POST: 405"
check "405 says what is allowed" grep -qi '^allow: GET' "$WORK/headers"

# Refreshes keep coming (refresh_interval 1): the request counter grows.
requests_logged() { grep -c 'r-bp1off0000000001' "$SIM_LOG"; }
before=$(requests_logged)
more_requests() { test "$(requests_logged)" -gt "$before"; }
check "refreshed again after refresh_interval" wait_for 30 more_requests

kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
is "$?" 0 "SIGTERM: clean exit 0"
check "says it stopped" grep -q 'stopped' "$WORK/serve.err"

"$TLSFLEET" -c "$SIM_CONFIG" --serve nonsense >/dev/null 2>&1
is "$?" 2 "--serve with a bad address: exit 2"
"$TLSFLEET" -c "$SIM_CONFIG" --serve 127.0.0.1:"$SIM_PORT" >/dev/null 2>"$WORK/busy.err"
is "$?" 1 "--serve on a port in use: exit 1"

done_testing
