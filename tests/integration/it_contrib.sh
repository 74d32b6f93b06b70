#!/bin/bash
# contrib/: every tlsfleet option the monitoring and systemd examples use is
# one tlsfleet accepts; the Nagios command runs against the simulator; the
# alert rules pass promtool check rules (when promtool is installed).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
require_sim
C="$top_srcdir/contrib"
PROMTOOL=${PROMTOOL:-$(command -v promtool || true)}

"$TLSFLEET" --help >"$WORK/help"
for f in "$C/nagios/tlsfleet.cfg" "$C/icinga2/tlsfleet.conf" "$C/systemd/tlsfleet-exporter.service" \
	"$C/systemd/tlsfleet-textfile.service"; do
	opts=$(grep -v '^ *[#/*]' "$f" | grep -o -- '--[a-z][a-z-]*' | sort -u)
	[ -n "$opts" ] || { ok 1 "$(basename "$f") names options"; continue; }
	missing=""
	for o in $opts; do
		grep -q -- "$o\\b" "$WORK/help" || missing="$missing $o"
	done
	is "$missing" "" "$(basename "$f"): every option is one tlsfleet --help lists"
done

# The Nagios command line, pointed at the simulator's config.
cat >"$WORK/fleet.json" <<'JSON'
{
  "config": {"refresh_interval": 0, "retries": 0},
  "accounts": [
    {"name": "tc-prod", "provider": "alibaba", "access_key_id": "LTAItlsfleetCONTRIB001",
     "access_key_secret": "tlsfleetContribSecret001"}
  ],
  "instances": [
    {"name": "orders-cache", "account": "tc-prod", "service": "redis", "region": "cn-hangzhou",
     "id": "r-bp1contrib000001", "scenario": "enabled", "ca_days_left": 400}
  ]
}
JSON
start_sim "$WORK/fleet.json"
cmd=$(sed -n 's/^ *command_line *//p' "$C/nagios/tlsfleet.cfg" | head -n 1)
cmd=${cmd//\/usr\/bin\/tlsfleet/$TLSFLEET}
cmd=${cmd//\/etc\/tlsfleet\/config/$SIM_CONFIG}
cmd=${cmd//\$ARG1\$/--account tc-prod}
out=$(eval "$cmd")
is "$?" 0 "the Nagios command line runs: OK"
check "its output follows the plugin grammar" \
	"$PYTHON3" "$top_srcdir/tests/tools/check_plugin_output.py" <<<"$out"

if [ -n "$PROMTOOL" ]; then
	check "promtool check rules: contrib/prometheus/tlsfleet-alerts.yml" \
		sh -c '"$1" check rules "$2" >/dev/null' _ "$PROMTOOL" "$C/prometheus/tlsfleet-alerts.yml"
else
	ok 0 "# SKIP promtool not installed"
fi
# Every metric the rules use is one tlsfleet exports.
for m in $(grep -o 'tlsfleet_[a-z_]*' "$C/prometheus/tlsfleet-alerts.yml" | sort -u); do
	check "rules use an exported metric: $m" grep -qw "$m" "$top_srcdir/src/report/prometheus.c"
done

done_testing
