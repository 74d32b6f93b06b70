#!/bin/bash
# Service group B end to end over HTTPS through the simulator: Alibaba RDS
# (MySQL and PostgreSQL forms), PolarDB, MongoDB and Huawei / OTC RDS, every
# state each can end in, the CA downloads where the provider offers one, and
# the RDS ServerKey (a private key) that must show up nowhere: not in
# --list json/csv/table, the state file, the cache, the download directory,
# the dashboard's screens or its message log.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
require_sim

MARK=SIMULATED-RDS-SERVER-PRIVATE-KEY
start_sim "$top_srcdir/tests/data/sim/services_alibaba.json"
L="$WORK/list.json"
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json >"$L" 2>"$WORK/list.err"
is "$?" 1 "--list exits 1: some instances end in errors"
check "--list JSON parses" "$PYTHON3" -c 'import json,sys; json.load(open(sys.argv[1]))' "$L"

while read -r name state code; do
	is "$(state_of "$L" "$name")" "$state" "$name is $state"
	[ "$code" = - ] && continue
	is "$(json_get "$L" "next((i['error'] or {}).get('code') for i in d if i['name']=='$name')")" \
		"$code" "$name: error code $code"
done <<'LIST'
ali-rds-enabled enabled -
ali-rds-disabled disabled -
ali-rds-unsupported unsupported IncorrectDBInstanceType
ali-rds-not-found not_found InvalidDBInstanceId.NotFound
ali-rds-auth-error auth_error Forbidden.RAM
ali-rds-throttled throttled Throttling.User
ali-rds-error-500 error InternalError
ali-rds-malformed error InvalidResponse
ali-rds-wrong-type error InvalidResponse
ali-polar-enabled enabled -
ali-polar-disabled disabled -
ali-polar-unsupported unsupported IncorrectEngineVersion
ali-polar-not-found not_found InvalidDBClusterId.NotFound
ali-polar-auth-error auth_error Forbidden.RAM
ali-polar-throttled throttled Throttling.User
ali-polar-error-500 error InternalError
ali-polar-malformed error InvalidResponse
ali-polar-wrong-type error InvalidResponse
ali-mongo-enabled enabled -
ali-mongo-disabled disabled -
ali-mongo-unsupported unsupported IncorrectEngineVersion
ali-mongo-not-found not_found InvalidDBInstanceId.NotFound
ali-mongo-auth-error auth_error Forbidden.RAM
ali-mongo-throttled throttled Throttling.User
ali-mongo-error-500 error InternalError
ali-mongo-malformed error InvalidResponse
ali-mongo-wrong-type error InvalidResponse
ali-rds-pg-enabled enabled -
ali-rds-pg-disabled disabled -
ali-polar-partial disabled -
ali-polar-one enabled -
hw-rds-enabled enabled -
hw-rds-disabled disabled -
hw-rds-unsupported unsupported DBS.200040
hw-rds-not-found not_found InstanceNotFound
hw-rds-auth-error auth_error DBS.200010
hw-rds-throttled throttled APIGW.0308
hw-rds-error-500 error DBS.108000
hw-rds-malformed error InvalidResponse
hw-rds-wrong-type error InvalidResponse
LIST

pycheck "every instance listed, in config order" '[i["name"] for i in j[0]] == list(exp)' "$L"
pycheck "the services are named as configured" \
	'all(by[n]["service"] == exp[n]["service"] for n in exp)' "$L"
pycheck "wrong types name the field" \
	'"SSLEnabled" in by["ali-rds-wrong-type"]["error"]["message"] and "Items[0].SSLEnabled" in by["ali-polar-wrong-type"]["error"]["message"] and "SSLStatus" in by["ali-mongo-wrong-type"]["error"]["message"] and "enable_ssl" in by["hw-rds-wrong-type"]["error"]["message"]' "$L"

# Expiry from the API where the provider gives one.
for n in ali-rds-enabled ali-polar-enabled ali-mongo-enabled ali-rds-pg-enabled ali-polar-one; do
	pycheck "$n: CA expiry from the API" \
		"by['$n']['cert_expires'] == exp['$n']['api_expires'] and by['$n']['cert_expires_source'] == 'api'" "$L"
done
pycheck "RDS: the SSL endpoint is the host" \
	'by["ali-rds-enabled"]["address"]["host"] == exp["ali-rds-enabled"]["id"] + ".mysql.rds.aliyuncs.com"' "$L"
pycheck "RDS: RequireUpdate kept in provider_status" \
	'by["ali-rds-enabled"]["provider_status"]["RequireUpdate"] == "No" and by["ali-rds-pg-enabled"]["provider_status"]["RequireUpdate"] == "0"' "$L"
pycheck "RDS: the answer really was the RDS one (ServerCert kept, ServerKey gone)" \
	'"ServerCert" in by["ali-rds-enabled"]["provider_status"] and "ServerKey" not in by["ali-rds-enabled"]["provider_status"]' "$L"
pycheck "RDS MySQL: no CA URL (console download only)" 'by["ali-rds-enabled"]["cert_url"] is None' "$L"
pycheck "RDS PostgreSQL: ServerCAUrl is the CA URL" \
	'by["ali-rds-pg-enabled"]["cert_url"] and by["ali-rds-pg-enabled"]["cert_url"].endswith("/ApsaraDB-CA-Chain.zip")' "$L"
pycheck "PolarDB: every endpoint listed in provider_status" \
	'len(by["ali-polar-enabled"]["provider_status"]["Items"]) == 2 and len(by["ali-polar-partial"]["provider_status"]["Items"]) == 3' "$L"
pycheck "PolarDB: one endpoint without SSL leaves the cluster disabled, its enabled endpoints' date shown" \
	'by["ali-polar-partial"]["state"] == "disabled" and by["ali-polar-partial"]["address"]["host"].endswith("-1.mysql.polardb.rds.aliyuncs.com")' "$L"
pycheck "PolarDB: the earliest endpoint expiry decides" \
	'by["ali-polar-enabled"]["cert_expires"] == min(x["SSLExpireTime"] for x in by["ali-polar-enabled"]["provider_status"]["Items"])' "$L"
pycheck "MongoDB: CertCommonName is the host" \
	'by["ali-mongo-enabled"]["address"]["host"] == exp["ali-mongo-enabled"]["id"] + ".mongodb.rds.aliyuncs.com"' "$L"
pycheck "Huawei RDS: address from the instance list (DNS name, IP, port)" \
	'by["hw-rds-enabled"]["address"]["host"].endswith(".internal.eu-de.mysql.rds.myhuaweicloud.com") and by["hw-rds-enabled"]["address"]["port"] == 3306 and by["hw-rds-enabled"]["address"]["ip"]' "$L"
pycheck "Huawei RDS: no API expiry" 'by["hw-rds-enabled"]["cert_expires"] is None' "$L"
pycheck "Huawei RDS: no link call during a refresh" \
	'not any(r.get("action") == "ListSslCertDownloadLink" for r in reqs)' "$L"
pycheck "every Alibaba call went to its own action and version" \
	'{(r["action"]) for r in reqs if r.get("provider") == "alibaba"} == {"DescribeDBInstanceSSL", "DescribeDBClusterSSL"}' "$L"

# CSV and table.
"$TLSFLEET" -c "$SIM_CONFIG" --list --format csv >"$WORK/list.csv" 2>>"$WORK/list.err"
is "$?" 1 "--list csv exits 1"
"$TLSFLEET" -c "$SIM_CONFIG" --list --format table >"$WORK/list.txt" 2>>"$WORK/list.err"
is "$?" 1 "--list table exits 1"
check "CSV has a row per instance" test "$(wc -l <"$WORK/list.csv")" -eq 41

# Downloads: where the provider offers the CA file, and a clear refusal where not.
DL="$WORK/dl"
"$TLSFLEET" -c "$SIM_CONFIG" --download ali-rds-pg-enabled hw-rds-enabled --output-dir "$DL" \
	>"$WORK/dl.out" 2>"$WORK/dl.err"
is "$?" 0 "--download of RDS PostgreSQL (ServerCAUrl) and Huawei RDS (download-link) saved"
check "Alibaba RDS PostgreSQL: ca.pem saved" test -s "$DL/ali-rds-pg-enabled/ca.pem"
check "Huawei RDS: ca.pem saved" test -s "$DL/hw-rds-enabled/ca.pem"
pycheck "Huawei RDS: the link call was made for the download" \
	'any(r.get("action") == "ListSslCertDownloadLink" and r.get("status") == 200 for r in reqs)' "$L"
"$TLSFLEET" -c "$SIM_CONFIG" --download ali-rds-enabled --output-dir "$DL" >/dev/null 2>"$WORK/dl-mysql.err"
is "$?" 1 "--download of RDS MySQL (no CA URL) exits 1"
check "and says why" grep -q "no certificate URL" "$WORK/dl-mysql.err"
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json >"$WORK/after.json" 2>>"$WORK/list.err"
pycheck "Huawei RDS: the expiry comes from the downloaded CA file" \
	'by["hw-rds-enabled"]["cert_expires"] == exp["hw-rds-enabled"]["ca_not_after"] and by["hw-rds-enabled"]["cert_expires_source"] == "certificate"' \
	"$WORK/after.json"

# The dashboard: the RDS detail pane (with the provider's answer) and the log.
if [ -n "${TMUX_BIN:-$(command -v tmux || true)}" ]; then
	. "$top_srcdir/tests/integration/screen.sh"
	run_dashboard "$SIM_CONFIG"
	T resize-window -t main -x 300 -y 80
	check "dashboard: the first round ends" wait_for 30 has "idle | auto refresh off"
	screen >"$WORK/screen-table.txt"
	keys / ali-rds-enabled Enter
	keys Enter
	expect_re "dashboard: the RDS detail pane" "Instance +ali-rds-enabled"
	expect "dashboard: the provider's answer is shown" "ServerCert"
	screen >"$WORK/screen-detail.txt"
	keys Escape Escape L
	expect "dashboard: the message log" "Messages"
	screen >"$WORK/screen-log.txt"
	keys Escape q
	check "dashboard: quits cleanly" wait_for 20 has "TLSFLEET_EXIT=0"
	cp "$WORK/dash.err" "$WORK/screen-stderr.txt" 2>/dev/null
	stop_tmux
else
	ok 0 "# SKIP dashboard: tmux not found"
fi

# The private key: nowhere. (The marker is only in the simulator's answers.)
leak=$(grep -rlE "$MARK|PRIVATE KEY|ServerKey" "$L" "$WORK/after.json" "$WORK/list.csv" "$WORK/list.txt" \
	"$WORK/list.err" "$WORK"/dl*.err "$WORK/dl.out" "$DL" "$XDG_STATE_HOME" "$XDG_CACHE_HOME" \
	"$SIM_DIR/downloads" "$WORK"/screen-*.txt 2>/dev/null)
is "$leak" "" "the RDS private key appears in no output, file, screen or log"
check "the state file was written (the check above looked at something)" \
	sh -c "find '$XDG_STATE_HOME' -type f | grep -q ."

done_testing
