#!/bin/bash
# Credentials for production hosts (tlsfleet.conf(5) CREDENTIALS): every
# cloud's instance role and AssumeRole against the simulator's metadata
# listener and STS; renewal during a paced run that outlives several
# tokens; an expired token answered mid-run (renewed, retried once); a
# metadata service that is down or slow (a clear auth_error naming the
# URL, and a dashboard that stays responsive); --debug lines; and nothing
# secret in anything tlsfleet printed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/data/reliability/common.sh"
require_sim
. "$top_srcdir/tests/integration/screen.sh"
trap 'stop_tmux; keep_work; cleanup' EXIT

OUT="$WORK/out"
SIGS="$WORK/sigs"
mkdir -p "$OUT"
: >"$SIGS"

# run NAME CONFIG ARGS...: stdout/stderr under $OUT; prints the exit code.
run() {
	local name=$1 config=$2
	shift 2
	timeout 120 "$TLSFLEET" -c "$config" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
	echo $?
}
# pyc: pycheck with an expression that may span lines.
pyc() {
	local d=$1 e=$2
	shift 2
	pycheck "$d" "($e)" "$@"
}

# ---- every mode of every cloud -------------------------------------------------------------
start_sim "$top_srcdir/tests/data/sim/credentials.json" --metadata-port 0 --log-signatures-to "$SIGS"
rc=$(run modes "$SIM_CONFIG" --list --format json --debug)
is "$rc" 0 "instance roles and AssumeRole: --list exits 0"
cp "$OUT/modes.out" "$WORK/modes.json"
for name in tc-role-1 tc-role-pg hw-role-1 ali-role-1 tc-assume-1 ali-assume-1; do
	is "$(state_of "$WORK/modes.json" "$name")" enabled "$name: answered with temporary keys"
done
pyc "credential_source names the role or the ARN" \
	'by["tc-role-1"]["credential_source"] == "instance_role:tlsfleet-cvm" and
	 by["ali-role-1"]["credential_source"] == "instance_role:tlsfleet-ecs" and
	 by["hw-role-1"]["credential_source"].startswith("instance_role:") and
	 by["tc-assume-1"]["credential_source"] == "assume_role:qcs::cam::uin/100000000001:roleName/tlsfleet-reader" and
	 by["ali-assume-1"]["credential_source"] == "assume_role:acs:ram::1000000000000001:role/tlsfleet-reader"' \
	"$WORK/modes.json"
pyc "credential_expires is a time for every account with temporary keys" \
	'all(i["credential_expires"] and i["credential_expires"].endswith("Z") for i in j[0]) and
	 list(j[0][0].keys())[-1] == "credential_expires"' "$WORK/modes.json"
pyc "every status request carried issued credentials of its role" \
	'all(r.get("credential") == ("instance_role" if r["account_name"].endswith("-role") else "assume_role")
	     for r in reqs if r["action"] in ("DescribeSSLStatus", "DescribeDBInstanceSSLConfig", "ShowInstanceSsl", "DescribeInstanceSSL"))'
pyc "one metadata call per instance-role account, one AssumeRole per assume-role account" \
	'sorted(r["account_name"] for r in reqs if r["action"] == "metadata") == ["ali-role", "hw-role", "tc-role"] and
	 sorted(r["account_name"] for r in reqs if r["action"] == "AssumeRole") == ["ali-assume", "tc-assume"]'
check "--debug: a line per request with action, region, host, status, request id, latency, skew" \
	grep -q -E '^tlsfleet: debug: action=DescribeSSLStatus region=ap-guangzhou host=127\.0\.0\.1:[0-9]+ status=200 request_id=[0-9a-f-]+ latency_ms=[0-9]+ clock_skew_s=[+-][0-9]+$' "$OUT/modes.err"
check "--debug: the metadata and STS calls too" \
	sh -c "grep -q 'action=metadata ' '$OUT/modes.err' && grep -q 'action=AssumeRole ' '$OUT/modes.err'"
is "$(grep -c '^tlsfleet: debug: ' "$OUT/modes.err")" 11 "--debug: 11 lines (6 status calls, 3 metadata, 2 AssumeRole)"
rc=$(run modes-csv "$SIM_CONFIG" --list --format csv)
check "CSV: credential_expires is the last column" sh -c "head -n 1 '$OUT/modes-csv.out' | grep -q ',credential_expires.\?\$'"
rc=$(run check-config "$SIM_CONFIG" --check)
is "$rc" 0 "--check with temporary keys: OK"

# Metadata down: the port is closed.
sed -E 's#metadata_endpoint = "[^"]*"#metadata_endpoint = "http://127.0.0.1:1"#' "$SIM_CONFIG" >"$WORK/down.conf"
chmod 600 "$WORK/down.conf"
rc=$(run down "$WORK/down.conf" --list --format json)
cp "$OUT/down.out" "$WORK/down.json"
pyc "metadata down: the instance-role instances end auth_error naming the metadata URL" \
	'all(by[n]["state"] == "auth_error" and by[n]["error"]["code"] == "CredentialFetchFailed" and
	     "http://127.0.0.1:1/" in by[n]["error"]["message"] for n in ("tc-role-1", "hw-role-1", "ali-role-1"))
	 and "http://127.0.0.1:1/latest/meta-data/cam/security-credentials/tlsfleet-cvm" in by["tc-role-1"]["error"]["message"]' \
	"$WORK/down.json"
pyc "metadata down: the AssumeRole accounts are not held up" \
	'by["tc-assume-1"]["state"] == "enabled" and by["ali-assume-1"]["state"] == "enabled"' "$WORK/down.json"
diag "metadata down: $(json_get "$WORK/down.json" 'next(i["error"]["message"] for i in d if i["name"] == "tc-role-1")')"

# No base keys for AssumeRole: NoCredentials names every source tried.
sed -E '/secret_id = "AKIDcredASSUME/d; /secret_key = "CREDCANARYtcAssume/d' "$SIM_CONFIG" >"$WORK/nokeys.conf"
chmod 600 "$WORK/nokeys.conf"
rc=$(run nokeys "$WORK/nokeys.conf" --list --format json)
cp "$OUT/nokeys.out" "$WORK/nokeys.json"
pyc "no base keys: NoCredentials naming inline keys, the variables and the file" \
	'by["tc-assume-1"]["error"]["code"] == "NoCredentials" and
	 all(s in by["tc-assume-1"]["error"]["message"] for s in
	     ("secret_id", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "/.tencentcloud/credentials [default]"))' \
	"$WORK/nokeys.json"
stop_sim

# Metadata slow: every answer 30 s late, timeout 2 s.
start_sim "$top_srcdir/tests/data/sim/credentials.json" --metadata-port 0 --metadata-delay 30000 \
	--log-signatures-to "$SIGS"
{ echo 'timeout = 2.0;'; cat "$SIM_CONFIG"; } >"$WORK/slow.conf"
chmod 600 "$WORK/slow.conf"
rc=$(run slow "$WORK/slow.conf" --list --format json)
cp "$OUT/slow.out" "$WORK/slow.json"
pyc "metadata slow: auth_error naming the metadata URL and the timeout" \
	'by["ali-role-1"]["state"] == "auth_error" and "/latest/meta-data/ram/security-credentials/tlsfleet-ecs" in by["ali-role-1"]["error"]["message"]
	 and "CURLE_OPERATION_TIMEDOUT" in by["ali-role-1"]["error"]["message"]' "$WORK/slow.json"
if [ -n "$TMUX_BIN" ]; then
	sed -i 's/^timeout = 2.0;/timeout = 30.0;/' "$WORK/slow.conf"
	run_dashboard "$WORK/slow.conf"
	expect "dashboard with a slow metadata service: it starts" "tlsfleet " 20
	expect "the AssumeRole instances are answered meanwhile" "tc-assume-1" 20
	keys '?'
	expect "keys are served while the metadata fetch hangs" "Refresh every instance" 5
	keys q
	keys q
	wait_for 10 has "TLSFLEET_EXIT=" || true
	stop_tmux
else
	ok 0 "# SKIP dashboard: tmux not found"
fi
stop_sim

# ---- renewal during a paced run ------------------------------------------------------------
# Tokens live 10 s; 30 instances per account at 2 requests/s take ~15 s.
start_sim "$top_srcdir/tests/data/sim/credentials_renew.json" --metadata-port 0 --token-lifetime 10 \
	--log-signatures-to "$SIGS"
rc=$(run renew "$SIM_CONFIG" --list --format json)
cp "$OUT/renew.out" "$WORK/renew.json"
is "$rc" 0 "renewal: --list exits 0"
pyc "renewal: every instance ends definite" 'all(i["state"] == "enabled" for i in j[0]) and len(j[0]) == 90' "$WORK/renew.json"
pyc "renewal: each account signed with at least three sets of keys" \
	'all(len({r["account"] for r in reqs if r.get("credential") and r["account_name"] == a}) >= 3
	     for a in ("tc-role", "hw-role", "ali-assume"))'
pyc "renewal: no request was answered 'token expired'" \
	'not any(r["code"] in ("AuthFailure.TokenFailure", "AuthFailure.SecretIdNotFound", "APIG.0307", "InvalidSecurityToken.Expired") for r in reqs)'
diag "renewal: $("$PYTHON3" -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; print(len(r), "requests over", round(r[-1]["t"]-r[0]["t"], 1), "s,", sum(x["action"] in ("metadata","AssumeRole") for x in r), "credential fetches")' "$SIM_LOG")"
stop_sim

# ---- an expired token answered mid-run -------------------------------------------------------
# The simulator's clock runs 8 s ahead: its keys die 8 s before tlsfleet
# expects, so requests signed in between are answered "token expired".
"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["clock_offset_s"]=8; json.dump(d,open(sys.argv[2],"w"))' \
	"$top_srcdir/tests/data/sim/credentials_renew.json" "$WORK/skewed.json"
start_sim "$WORK/skewed.json" --metadata-port 0 --token-lifetime 10 --log-signatures-to "$SIGS"
rc=$(run expired "$SIM_CONFIG" --list --format json)
cp "$OUT/expired.out" "$WORK/expired.json"
pyc "expired mid-run: every instance ends definite" 'all(i["state"] == "enabled" for i in j[0])' "$WORK/expired.json"
pyc "expired mid-run: some requests were answered 'token expired'" \
	'sum(r["code"] in ("AuthFailure.TokenFailure", "AuthFailure.SecretIdNotFound", "APIG.0307", "InvalidSecurityToken.Expired") for r in reqs) >= 1'
pyc "expired mid-run: each instance got at most one such answer, then a success" \
	'all(sum(1 for r in reqs if r["instance"] == i and r["code"]) <= 1 and
	     [r for r in reqs if r["instance"] == i and r["action"] != "download"][-1]["code"] is None
	     for i in {r["instance"] for r in reqs if r["instance"]})'
diag "expired mid-run: $("$PYTHON3" -c 'import json,sys,collections; r=[json.loads(l) for l in open(sys.argv[1])]; print(dict(collections.Counter(x["code"] for x in r if x["code"])))' "$SIM_LOG")"
stop_sim

# ---- nothing secret anywhere ---------------------------------------------------------------
for a in CREDCANARYtcRoleKey000000000001 CREDCANARYhwRoleKey00000000000000000001 \
	CREDCANARYaliRoleSecret00000001 CREDCANARYtcAssumeKey0000000001 CREDCANARYaliAssumeSecret000001 \
	CREDCANARYtcRenewKey00000000001 CREDCANARYhwRenewKey0000000000000000001 CREDCANARYaliRenewSecret0000001; do
	echo "$a"
done >"$WORK/extra"
check "the simulator logged the keys and tokens it issued" grep -q '^issued-token' "$SIGS"
scan_out=$("$PYTHON3" "$top_srcdir/tests/data/reliability/scan_secrets.py" \
	"$top_srcdir/tests/data/sim/credentials.json" "$SIGS" "$WORK/extra" "$OUT" "$XDG_STATE_HOME" "$XDG_CACHE_HOME")
is "$?" 0 "no secret, issued key, token or signature in anything tlsfleet printed or wrote"
printf '%s\n' "$scan_out" | grep '^LEAK' | head -n 20 | sed 's/^/#   /'
check "no sanitizer report in any output" sanitizer_clean "$WORK"
done_testing
