#!/bin/bash
# Tencent MySQL (cdb), MongoDB and SQL Server end to end: the real binary
# against the simulator over HTTPS, every state of every service, signed
# with each product's own service name, and the CA downloads where the
# product offers one.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
require_sim

start_sim "$top_srcdir/tests/data/sim/svc-tencent.json"
L="$WORK/list.json"
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json >"$L" 2>"$WORK/list.err"
is "$?" 1 "--list exits 1 when some instance got no definite answer"
check "--list JSON parses" "$PYTHON3" -c 'import json,sys; json.load(open(sys.argv[1]))' "$L"

while read -r name state code; do
	is "$(state_of "$L" "$name")" "$state" "$name is $state"
	if [ "$code" != "-" ]; then
		pycheck "$name: error code $code" "(by['$name']['error'] or {}).get('code') == '$code'" "$L"
	fi
done <<'LIST'
tc-mysql-enabled enabled -
tc-mysql-disabled disabled -
tc-mysql-unsupported unsupported OperationDenied.InstTypeNotSupport
tc-mysql-not-found not_found InvalidParameter.InstanceNotFound
tc-mysql-auth-error auth_error UnauthorizedOperation.PermissionDenied
tc-mysql-throttled throttled RequestLimitExceeded
tc-mysql-error-500 error InternalError
tc-mysql-malformed error InvalidResponse
tc-mysql-wrong-type error InvalidResponse
tc-mysql-provider-error error OperationDenied.InstanceStatusError
tc-mongodb-enabled enabled -
tc-mongodb-disabled disabled -
tc-mongodb-unsupported unsupported UnsupportedOperation.VersionNotSupport
tc-mongodb-not-found not_found InvalidParameterValue.NotFoundInstance
tc-mongodb-auth-error auth_error InvalidParameter.PermissionDenied
tc-mongodb-throttled throttled RequestLimitExceeded
tc-mongodb-error-500 error InternalError
tc-mongodb-malformed error InvalidResponse
tc-mongodb-wrong-type error InvalidResponse
tc-mongodb-provider-error error OperationDenied.InstanceStatusError
tc-sqlserver-enabled enabled -
tc-sqlserver-disabled disabled -
tc-sqlserver-unsupported unsupported FailedOperation.NotSupport
tc-sqlserver-not-found not_found ResourceNotFound.InstanceNotFound
tc-sqlserver-auth-error auth_error InternalError.CamAuthFailed
tc-sqlserver-throttled throttled RequestLimitExceeded
tc-sqlserver-error-500 error InternalError
tc-sqlserver-malformed error InvalidResponse
tc-sqlserver-wrong-type error InvalidResponse
tc-sqlserver-provider-error error OperationDenied.InstanceStatusError
tc-sqlserver-configuring configuring -
tc-mongodb-soon enabled -
tc-sqlserver-soon enabled -
tc-redis-beside enabled -
LIST

pycheck "every instance in config order, services as configured" \
	'[(i["name"], i["service"]) for i in j[0]] == [(n, e["service"]) for n, e in exp.items()]' "$L"
pycheck "every request signed with the product's scope (cdb, mongodb, sqlserver): no signature refused" \
	'not any(r.get("code","") and r["code"].startswith("AuthFailure") for r in reqs)' "$L"
pycheck "each service asked with its own action" \
	'{r["action"] for r in reqs if r.get("action") not in (None, "download")} == {"DescribeSSLStatus", "DescribeInstanceSSL", "DescribeDBInstancesAttribute"}' "$L"
pycheck "wrong types are InvalidResponse naming the field" \
	'"Status" in by["tc-mysql-wrong-type"]["error"]["message"] and "Status" in by["tc-mongodb-wrong-type"]["error"]["message"] and "SSLConfig.Encryption" in by["tc-sqlserver-wrong-type"]["error"]["message"]' "$L"
pycheck "MySQL: CA expiry from the certificate file fetched at Url" \
	'by["tc-mysql-enabled"]["cert_expires_source"] == "certificate" and by["tc-mysql-enabled"]["cert_expires"] == exp["tc-mysql-enabled"]["ca_not_after"]' "$L"
pycheck "MySQL: provider_status keeps Status ON" 'by["tc-mysql-enabled"]["provider_status"]["Status"] == "ON"' "$L"
pycheck "MongoDB: ExpiredTime (UTC+8) is the API's CA expiry" \
	'by["tc-mongodb-enabled"]["cert_expires_source"] == "api" and by["tc-mongodb-enabled"]["cert_expires"] == exp["tc-mongodb-enabled"]["api_expires"]' "$L"
pycheck "MongoDB: 20 days left" 'by["tc-mongodb-soon"]["days_left"] in (19, 20)' "$L"
pycheck "MongoDB: CertUrl is the cert URL, query hidden" \
	'by["tc-mongodb-enabled"]["cert_url"].endswith("TencentDB-MongoDB-SSL-CA.zip?...")' "$L"
pycheck "SQL Server: SSLValidityPeriod is the API's expiry" \
	'by["tc-sqlserver-enabled"]["cert_expires_source"] == "api" and by["tc-sqlserver-enabled"]["cert_expires"] == exp["tc-sqlserver-enabled"]["api_expires"] and by["tc-sqlserver-soon"]["days_left"] in (4, 5)' "$L"
pycheck "SQL Server: no download link (console only)" \
	'all(by[n]["cert_url"] is None for n in by if n.startswith("tc-sqlserver"))' "$L"
pycheck "SQL Server: SSLConfig kept in provider_status" \
	'by["tc-sqlserver-enabled"]["provider_status"]["SSLConfig"]["Encryption"] == "enable" and by["tc-sqlserver-configuring"]["provider_status"]["SSLConfig"]["Encryption"] == "enable_doing"' "$L"
pycheck "disabled answers keep no expiry" \
	'all(by[n]["cert_expires"] is None for n in ("tc-mysql-disabled","tc-mongodb-disabled","tc-sqlserver-disabled"))' "$L"
pycheck "unsupported keeps the answer, not_found does not" \
	'by["tc-mysql-unsupported"]["state"] == "unsupported" and by["tc-mysql-not-found"]["provider_status"] is None' "$L"
pycheck "Redis beside MySQL still answered by the Redis call (same action name, other version)" \
	'by["tc-redis-beside"]["state"] == "enabled" and by["tc-redis-beside"]["provider_status"]["Status"] == 2' "$L"
pycheck "throttled retried once (retries = 1)" \
	'sum(1 for r in reqs if r.get("instance") == exp["tc-sqlserver-throttled"]["id"]) == 2' "$L"

# The simulator checks the credential scope like Tencent: cdb, not mysql.
scope_answer() {  # scope_answer SCOPE: the Error.Code (or "ok") of a signed call
	"$PYTHON3" - "$1" "$SIM_DIR" "$SIM_PORT" "$(dirname "$SIM")" <<'PY'
import json, ssl, sys, time, urllib.request
scope, simdir, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, sys.argv[4])
import tlsfleet_sim as S
body = b'{"InstanceId":"cdb-en0001"}'
host = "127.0.0.1:%d" % port
now = int(time.time())
auth = S.tc3_sign("AKIDtlsfleetTESTsvcTencent00000001", "tlsfleetTESTsvcTencentSecret0001",
                  scope, now, host, body)[0]
req = urllib.request.Request("https://%s/" % host, data=body, method="POST", headers={
    "Authorization": auth, "Content-Type": "application/json", "Host": host,
    "X-TC-Action": "DescribeSSLStatus", "X-TC-Version": "2017-03-20",
    "X-TC-Region": "ap-guangzhou", "X-TC-Timestamp": str(now)})
ctx = ssl.create_default_context(cafile=simdir + "/ca.pem")
r = json.load(urllib.request.urlopen(req, context=ctx))["Response"]
print(r["Error"]["Code"] if "Error" in r else "ok %s" % r.get("Status"))
PY
}
is "$(scope_answer cdb)" "ok ON" "a MySQL call signed for cdb is answered"
is "$(scope_answer mysql)" "AuthFailure.SignatureFailure" "a MySQL call signed for 'mysql' is refused"
is "$(scope_answer redis)" "AuthFailure.SignatureFailure" "a MySQL call signed for 'redis' is refused"

# --check: the verdicts the new states and expiries give.
"$TLSFLEET" -c "$SIM_CONFIG" --check --only 'tc-sqlserver-soon' >"$WORK/check.txt" 2>&1
is "$?" 2 "--check: SQL Server certificate 5 days from expiry is CRITICAL"
"$TLSFLEET" -c "$SIM_CONFIG" --check --only 'tc-sqlserver-configuring' >"$WORK/check2.txt" 2>&1
is "$?" 1 "--check: SQL Server enable_doing (configuring) is WARNING"

# Downloads: MySQL Url and MongoDB CertUrl; SQL Server has none.
"$TLSFLEET" -c "$SIM_CONFIG" --download tc-mysql-enabled tc-mongodb-enabled --output-dir "$WORK/dl" >"$WORK/dl.out" 2>"$WORK/dl.err"
is "$?" 0 "--download saves the MySQL and MongoDB CA archives"
check "MySQL ca.pem extracted" test -s "$WORK/dl/tc-mysql-enabled/ca.pem"
check "MongoDB ca.pem extracted" test -s "$WORK/dl/tc-mongodb-enabled/ca.pem"
pycheck "MongoDB archive is the one served" \
	'__import__("hashlib").sha256(open(files[0],"rb").read()).hexdigest() == exp["tc-mongodb-enabled"]["file_sha256"]' \
	"$WORK/dl/tc-mongodb-enabled/TencentDB-MongoDB-SSL-CA.zip"
"$TLSFLEET" -c "$SIM_CONFIG" --download tc-sqlserver-enabled --output-dir "$WORK/dl" >/dev/null 2>"$WORK/dl2.err"
is "$?" 1 "--download of a SQL Server instance saves nothing (no link in the API)"
check "and says there is no certificate URL" grep -q 'no certificate URL' "$WORK/dl2.err"
check "nothing written for it" test ! -e "$WORK/dl/tc-sqlserver-enabled/ca.pem"

# CSV and table carry the new services like any other.
"$TLSFLEET" -c "$SIM_CONFIG" --list --format csv >"$WORK/list.csv" 2>/dev/null
pycheck "CSV: one row per instance with the JSON's services and states" \
	'(lambda rows: [(r[3], r[6]) for r in rows[1:]] == [(by[n]["service"], by[n]["state"]) for n in exp])(list(__import__("csv").reader(open(files[1], newline=""))))' "$L" "$WORK/list.csv"

done_testing
