#!/bin/bash
# --list end to end: the real binary against the provider simulator over
# HTTPS, every state of every provider, JSON and CSV checked field by field.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
require_sim

start_sim "$top_srcdir/tests/data/sim/states.json"
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json >"$WORK/list.json" 2>"$WORK/list.err"
is "$?" 1 "--list exits 1 when some instance got no definite answer"
check "--list JSON parses" "$PYTHON3" -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/list.json"

# Expected state per instance, as the contract maps each scenario.
while read -r name state; do
	is "$(state_of "$WORK/list.json" "$name")" "$state" "$name is $state"
done <<'LIST'
tc-redis-enabled enabled
tc-redis-warn enabled
tc-redis-disabled disabled
tc-redis-configuring configuring
tc-redis-unsupported unsupported
tc-redis-not-found not_found
tc-redis-auth-error auth_error
tc-redis-throttled throttled
tc-redis-throttle-first enabled
tc-redis-error-500 error
tc-redis-malformed error
tc-redis-wrong-type error
tc-redis-other-code error
tc-redis-extra-fields enabled
tc-pg-enabled enabled
tc-pg-disabled disabled
tc-pg-unsupported unsupported
tc-pg-not-found not_found
tc-pg-auth-error auth_error
tc-pg-wrong-type error
hw-enabled enabled
hw-disabled disabled
hw-disabled-empty disabled
hw-unsupported unsupported
hw-no-info no_info
hw-not-found not_found
hw-auth-error auth_error
hw-throttled throttled
hw-throttle-first enabled
hw-error-500 error
hw-malformed error
hw-wrong-type error
hw-otc-enabled enabled
ali-enabled enabled
ali-expired enabled
ali-mismatch enabled
ali-disabled disabled
ali-unsupported unsupported
ali-version-pattern unsupported
ali-not-found not_found
ali-auth-error auth_error
ali-throttled throttled
ali-error-500 error
ali-malformed error
ali-wrong-type error
LIST

L="$WORK/list.json"
pycheck "every instance in config order" \
	'[i["name"] for i in j[0]] == [l for l in exp]' "$L"
pycheck "every contract key on every object" \
	'all(set(i) >= {"name","account","provider","service","region","instance_id","state","cert_url","cert_url_expires","cert_expires","cert_expires_source","days_left","expiry_mismatch","address","provider_status","error","http_status","request_id","latency_ms","refreshed_at","last_good_at","credential_source","download","ca_certs","credential_expires"} for i in j[0])' "$L"
pycheck "address has host/ip/ipv6/port/domain everywhere" \
	'all(set(i["address"]) == {"host","ip","ipv6","port","domain"} for i in j[0])' "$L"
pycheck "times are YYYY-MM-DDTHH:MM:SSZ" \
	'all(v is None or (len(v)==20 and v[10]=="T" and v[-1]=="Z") for i in j[0] for v in (i["cert_url_expires"],i["cert_expires"],i["refreshed_at"],i["last_good_at"]))' "$L"
pycheck "error.code never null when error is set" \
	'all(i["error"] is None or (isinstance(i["error"]["code"], str) and i["error"]["code"]) for i in j[0])' "$L"
pycheck "enabled answers carry no error" \
	'all(i["error"] is None for i in j[0] if i["state"] == "enabled")' "$L"
pycheck "Tencent CA expiry comes from the certificate file" \
	'by["tc-redis-enabled"]["cert_expires_source"] == "certificate" and by["tc-redis-enabled"]["cert_expires"] == exp["tc-redis-enabled"]["ca_not_after"]' "$L"
pycheck "Tencent certificate inspected: sha256 matches the served CA" \
	'[c["sha256"] for c in by["tc-redis-enabled"]["ca_certs"]] == exp["tc-redis-enabled"]["ca_sha256"]' "$L"
pycheck "days_left from the certificate (400)" 'by["tc-redis-enabled"]["days_left"] in (399, 400)' "$L"
pycheck "warn instance: 25 days left" 'by["tc-redis-warn"]["days_left"] in (24, 25)' "$L"
pycheck "Tencent UrlExpiredTime converted from UTC+8" \
	'by["tc-redis-enabled"]["cert_url_expires"] is not None and by["tc-redis-enabled"]["provider_status"]["UrlExpiredTime"].replace(" ","T") > by["tc-redis-enabled"]["cert_url_expires"][:19]' "$L"
pycheck "Tencent provider_status is the inner Response, types kept" \
	'by["tc-redis-enabled"]["provider_status"]["SSLConfig"] is True and by["tc-redis-enabled"]["provider_status"]["Status"] == 2' "$L"
pycheck "unknown response fields are kept" \
	'by["tc-redis-extra-fields"]["provider_status"]["NewField"] == {"nested": [1, 2]}' "$L"
pycheck "Tencent PG ConnectAddress is address.host" 'by["tc-pg-enabled"]["address"]["host"] == "10.0.0.4"' "$L"
pycheck "Huawei address: host without port, port integer, domain verbatim" \
	'by["hw-enabled"]["address"] == {"host": "redis-553a2516.dcs.example.com", "ip": "192.168.0.5", "ipv6": "::1", "port": 6379, "domain": "redis-553a2516.dcs.example.com:6379"}' "$L"
pycheck "Huawei expiry from the API" \
	'by["hw-enabled"]["cert_expires_source"] == "api" and by["hw-enabled"]["cert_expires"] == exp["hw-enabled"]["api_expires"]' "$L"
pycheck "Huawei 204 is no_info with http_status 204" 'by["hw-no-info"]["http_status"] == 204' "$L"
pycheck "Huawei DCS.4201 kept as the error code" 'by["hw-unsupported"]["error"]["code"] == "DCS.4201"' "$L"
pycheck "Alibaba CertCommonName is address.host" \
	'by["ali-enabled"]["address"]["host"] == "r-bp1zxszhcgatnx1234.redis.rds.aliyuncs.com"' "$L"
pycheck "Alibaba expired CA: negative days_left" 'by["ali-expired"]["days_left"] in (-3, -4)' "$L"
pycheck "Alibaba InvalidRedisVersionPattern is unsupported with its code" \
	'by["ali-version-pattern"]["error"]["code"] == "InvalidRedisVersionPattern"' "$L"
pycheck "wrong type is InvalidResponse naming the field" \
	'by["tc-redis-wrong-type"]["error"]["code"] == "InvalidResponse" and "SSLConfig" in by["tc-redis-wrong-type"]["error"]["message"]' "$L"
pycheck "malformed JSON is InvalidResponse" \
	'all(by[n]["error"]["code"] == "InvalidResponse" for n in ("tc-redis-malformed","hw-malformed","ali-malformed"))' "$L"
pycheck "unlisted provider code kept verbatim" \
	'by["tc-redis-other-code"]["error"]["code"] == "ResourceUnavailable.InstanceStatusError"' "$L"
pycheck "throttled keeps the provider's throttling code" \
	'by["tc-redis-throttled"]["error"]["code"].startswith("RequestLimitExceeded") and by["hw-throttled"]["error"]["code"].endswith(".0308") and by["ali-throttled"]["error"]["code"].startswith("Throttling")' "$L"
pycheck "credential_source inline" 'all(i["credential_source"] == "inline" for i in j[0])' "$L"
pycheck "latency and refreshed_at set on every answer" \
	'all(isinstance(i["latency_ms"], int) and i["refreshed_at"] for i in j[0])' "$L"
pycheck "presigned query strings never shown" \
	'all(i["cert_url"] is None or "?" not in i["cert_url"] or i["cert_url"].endswith("?...") for i in j[0])' "$L"

# Retries: throttled instances were retried `retries` (1) more times; the
# throttle-first ones succeeded on the second attempt.
pycheck "throttled instance tried exactly retries+1 times" \
	'sum(1 for r in reqs if r.get("instance") == exp["tc-redis-throttled"]["id"] and r.get("action") != "download") == 2' "$L"
pycheck "no instance asked more than once outside retries" \
	'max(__import__("collections").Counter(r.get("instance") for r in reqs if r.get("action") != "download").values()) <= 2' "$L"
pycheck "every CA file fetched at most once per URL" \
	'max(__import__("collections").Counter(r.get("path") for r in reqs if r.get("action") == "download").values()) == 1' "$L"
pycheck "no credentials sent to the file host" \
	'not any(r.get("leaked_auth") for r in reqs)' "$L"

# CSV
"$TLSFLEET" -c "$SIM_CONFIG" --list --format csv >"$WORK/list.csv" 2>/dev/null
head -n 1 "$WORK/list.csv" >"$WORK/header.csv"
printf 'name,account,provider,service,region,instance_id,state,cert_url,cert_url_expires,cert_expires,cert_expires_source,days_left,expiry_mismatch,http_status,request_id,latency_ms,refreshed_at,last_good_at,credential_source,address.host,address.ip,address.ipv6,address.port,address.domain,error.code,error.message,discovered,probe.result,probe.leaf.not_after,probe.leaf.days_left,check.status,check.reason,credential_expires\r\n' >"$WORK/want.csv"
check "CSV header is exactly the contract's" cmp -s "$WORK/header.csv" "$WORK/want.csv"
pycheck "CSV parses (RFC 4180) with one row per instance and the JSON's states" \
	'(lambda rows: len(rows) == len(exp) + 1 and all(len(r) == 33 for r in rows) and [r[6] for r in rows[1:]] == [by[n]["state"] for n in exp])(list(__import__("csv").reader(open(files[-1], newline=""))))' "$L" "$WORK/list.csv"
check "CSV lines end with CRLF" grep -q $'\r$' "$WORK/list.csv"

# Table
"$TLSFLEET" -c "$SIM_CONFIG" --list >"$WORK/list.txt" 2>/dev/null
check "table lists every instance" test "$(grep -c '^[a-z]' "$WORK/list.txt")" -eq $(( $(json_get "$L" 'len(d)') + 0 ))

# A second run reads what the first learned (CA files are not fetched again).
before=$(grep -c '"download"' "$SIM_LOG")
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json >"$WORK/list2.json" 2>/dev/null
after=$(grep -c '"download"' "$SIM_LOG")
is "$after" "$before" "CA files inspected in an earlier run are not fetched again"
pycheck "cached CA expiry shown in the next run" \
	'j[0][0]["cert_expires_source"] == "certificate" and j[0][0]["cert_expires"] == exp["tc-redis-enabled"]["ca_not_after"]' "$WORK/list2.json"

done_testing
