#!/usr/bin/python3
"""Writes the simulator fleet of tests/integration/it_hostile.sh: answers a provider (or
something pretending to be one) could send to hurt a client. Terminal
escape sequences in every kind of field, huge strings, invalid and deeply
nested JSON, invalid UTF-8, wrong types, duplicate keys, numbers and dates
out of range.

    hostile_fleet.py OUT.json

Each instance's "_expect" (a comment key for the simulator) is what the
test requires: "enabled" (or another state), "error:CODE", or "definite"
(any state but unknown: the point is surviving it). Generated rather than
stored: some answers are hundreds of kilobytes.
"""
import base64
import json
import sys

ESC = "\x1b"
BEL = "\x07"
OSC_TITLE = ESC + "]0;pwned" + BEL          # sets the terminal (tmux pane) title
OSC_TITLE_ST = ESC + "]2;pwned-st" + ESC + "\\"
CSI_CLEAR = ESC + "[2J" + ESC + "[H"          # clears the screen
CSI_ALT_OFF = ESC + "[?1049l"                 # leaves the alternate screen
CSI_RED = ESC + "[31m"
C1_CSI = "\u009b" + "31m"                     # an 8-bit CSI (U+009B)
DCS = ESC + "P+q544e" + ESC + "\\"           # a terminal query
BIDI = "\u202e"                               # right-to-left override
HOSTILE = OSC_TITLE + CSI_CLEAR + CSI_RED + C1_CSI + DCS + OSC_TITLE_ST + CSI_ALT_OFF + BEL + "\r\b\t"

instances = []


def add(name, account, service, region, expect, **kw):
    i = {"name": name, "account": account, "service": service, "region": region,
         "id": kw.pop("id", None) or "%s-%05d" % ({"tc": "crs" if service == "redis" else "postgres",
                                                  "hw": "00000000-0000-4000-8000-0000000",
                                                  "ali": "r-bp1host"}[account], len(instances)),
         "_expect": expect}
    i.update(kw)
    instances.append(i)


def tc(name, expect, **kw):
    add(name, "tc", "redis", "ap-guangzhou", expect, **kw)


def pg(name, expect, **kw):
    add(name, "tc", "postgres", "ap-shanghai", expect, **kw)


def hw(name, expect, **kw):
    add(name, "hw", "dcs", "eu-de", expect, **kw)


def ali(name, expect, **kw):
    add(name, "ali", "redis", "cn-hangzhou", expect, **kw)


def raw(obj_text):
    return {"scenario": "raw", "raw_body": obj_text}


def raw_bytes(b):
    return {"scenario": "raw", "raw_body_b64": base64.b64encode(b).decode("ascii")}


TC_OK = '"SSLConfig": true, "FeatureSupport": true, "Status": 2, "CertDownloadUrl": "", "UrlExpiredTime": ""'

# -- plain instances (downloads onto a full disk) ---------------------------
tc("plain-tc", "enabled")
hw("plain-hw", "enabled")

# -- escape sequences in every kind of field ---------------------------------
pg("esc-pg-address", "enabled", connect_address="10.0.0.9" + HOSTILE)
ali("esc-ali-cn", "enabled", cert_common_name="evil" + HOSTILE + BIDI + "moc.example")
hw("esc-hw-fields", "enabled", domain_name="x" + HOSTILE + ".example.com:6379",
   ip=OSC_TITLE + "10.1.1.1", ipv6=CSI_CLEAR, port="6379")
tc("esc-tc-error", "error", scenario="provider_error",
   error_code="Evil" + OSC_TITLE + ".Code", error_message=HOSTILE + " message")
hw("esc-hw-error", "error", scenario="provider_error", http_status=418,
   error_code="DCS." + CSI_CLEAR, error_message=HOSTILE)
ali("esc-ali-error", "error", scenario="provider_error", http_status=400,
    error_code=OSC_TITLE, error_message=HOSTILE)
ali("esc-extra-fields", "enabled",
    extra={"Note" + OSC_TITLE: HOSTILE, "Nested" + CSI_RED: {"a": [OSC_TITLE, 1, None, True, {CSI_CLEAR: HOSTILE}]}})
tc("esc-tc-url", "enabled", cert_url="/files/" + OSC_TITLE + "x.zip?sign=" + CSI_CLEAR)
tc("esc-request-id", "enabled", extra={"RequestId": HOSTILE})

# -- size ----------------------------------------------------------------------
tc("huge-field", "enabled", extra={"Huge": "A" * 700000, "Many": ["x" * 10] * 20000})
tc("huge-answer", "error:ResponseTooLarge", **raw('{"Response": {"Pad": "%s"}}' % ("B" * (1536 * 1024))))
ali("huge-key-count", "enabled", extra={"k%06d" % n: n for n in range(40000)})

# -- not JSON, or not the JSON expected -----------------------------------------------
tc("json-empty", "error:InvalidResponse", **raw(""))
tc("json-open-brace", "error:InvalidResponse", **raw("{"))
tc("json-null", "error:InvalidResponse", **raw("null"))
tc("json-array", "error:InvalidResponse", **raw("[]"))
tc("json-string", "error:InvalidResponse", **raw('"Response"'))
tc("json-two-docs", "error:InvalidResponse", **raw('{"Response": {%s}} {"x": 1}' % TC_OK))
tc("json-response-array", "error", **raw('{"Response": []}'))
hw("json-html", "error", **dict(raw("<html><body>" + OSC_TITLE + "</body></html>"), content_type="text/html"))
ali("json-nul-bytes", "error:InvalidResponse", **raw_bytes(b'{"RequestId": "a\x00b", \x00 "SSLEnabled": "Enable"}'))
hw("json-trailing-garbage", "error:InvalidResponse", **raw('{"enabled": true}' + ESC + "[2J"))
tc("nested-arrays", "error:InvalidResponse", **raw("[" * 200000))
tc("nested-objects", "error:InvalidResponse", **raw('{"Response":' * 60000))
ali("nested-deep-field", "definite", extra={"Deep": json.loads("[" * 900 + "]" * 900)})

# -- invalid UTF-8 and unusual escapes --------------------------------------------------
ali("utf8-invalid", "definite", **raw_bytes(
    b'{"RequestId": "R1", "InstanceId": "r-bp1host", "SSLEnabled": "Enable", '
    b'"SSLExpiredTime": "2030-01-01T00:00:00Z", "CertCommonName": "\xff\xfe\xc0\xaf-\xed\xa0\x80-\xf4\x90\x80\x80-\xe2\x80", '
    b'"CertDownloadURL": ""}'))
ali("utf8-nul-escape", "definite", **raw(
    '{"RequestId": "R2", "SSLEnabled": "Enable", "SSLExpiredTime": "2030-01-01T00:00:00Z", '
    '"CertCommonName": "abc\\u0000def\\u001b]0;pwned\\u0007", "CertDownloadURL": ""}'))
ali("utf8-lone-surrogate", "definite", **raw(
    '{"RequestId": "R3", "SSLEnabled": "Enable", "SSLExpiredTime": "2030-01-01T00:00:00Z", '
    '"CertCommonName": "\\ud800\\udfff\\udc00x\\ud83d", "CertDownloadURL": ""}'))

# -- wrong types ---------------------------------------------------------------------
tc("type-sslconfig-string", "error:InvalidResponse", scenario="wrong_type")
tc("type-status-string", "error:InvalidResponse", extra={"Status": "2"})
tc("type-feature-null", "definite", extra={"FeatureSupport": None})
tc("type-url-number", "definite", extra={"CertDownloadUrl": 12345, "UrlExpiredTime": ["x"]})
pg("type-pg-address-object", "definite", extra={"ConnectAddress": {"host": OSC_TITLE}})
pg("type-pg-enabled-number", "error:InvalidResponse", extra={"SSLEnabled": 1})
hw("type-hw-enabled-string", "error:InvalidResponse", scenario="wrong_type")
hw("type-hw-port-number", "definite", extra={"port": 6379, "ip": 12, "ipv6": False})
hw("type-hw-expiry-number", "definite", extra={"ssl_expired_at": 1767225600})
ali("type-ali-enabled-number", "error:InvalidResponse", scenario="wrong_type")
ali("type-ali-expiry-object", "definite", extra={"SSLExpiredTime": {"t": 1}, "CertCommonName": 7})

# -- duplicate keys ------------------------------------------------------------------------
tc("dup-keys", "definite", **raw(
    '{"Response": {"SSLConfig": true, "SSLConfig": false, "FeatureSupport": true, "Status": 2, '
    '"Status": 1, "CertDownloadUrl": "", "UrlExpiredTime": "", "RequestId": "a", "RequestId": 5}}'))
hw("dup-keys-hw", "definite", **raw('{"enabled": true, "enabled": "no", "port": "1", "port": "2"}'))

# -- numbers out of range -----------------------------------------------------------------
for n, v in enumerate(("1e400", "-1e400", "2.5", "9223372036854775808", "-2147483649", "1e-400")):
    tc("num-status-%d" % n, "definite", **raw(
        '{"Response": {"SSLConfig": true, "FeatureSupport": true, "Status": %s, "CertDownloadUrl": "", '
        '"UrlExpiredTime": "", "RequestId": "n%d"}}' % (v, n)))
for n, v in enumerate(("99999999999999999999999", "-1", "65536", "0x10", "6379 ", "", "1e3")):
    hw("num-port-%d" % n, "definite", port=v)

# -- dates out of range -----------------------------------------------------------------
for n, v in enumerate(("9999-12-31T23:59:59.999Z", "0001-01-01T00:00:00Z", "2042-02-30T25:61:61Z",
                       "99999999999-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2038-01-19T03:14:08Z",
                       "2100-02-29T00:00:00Z", "garbage" + OSC_TITLE)):
    hw("date-hw-%d" % n, "definite", extra={"ssl_expired_at": v})
for n, v in enumerate(("+275760-09-13T00:00:00Z", "1900-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
                       "2030-01-01T00:00:00+99:99", "2030-01-01")):
    ali("date-ali-%d" % n, "definite", extra={"SSLExpiredTime": v})
for n, v in enumerate(("9999-99-99 99:99:99", "0000-00-00 00:00:00", "2042-06-16 20:29:32" + OSC_TITLE,
                       "99999-01-01 00:00:00")):
    tc("date-tc-%d" % n, "definite", extra={"UrlExpiredTime": v})

fleet = {
    "_comment": "Generated by tests/data/reliability/hostile_fleet.py for tests/integration/it_hostile.sh.",
    "config": {"refresh_interval": 0, "timeout": 5.0, "retries": 0, "concurrency": 16},
    "accounts": [
        {"name": "tc", "provider": "tencent", "secret_id": "AKIDtlsfleetTESThostile000000000001",
         "secret_key": "tlsfleetTESThostileSecretKey0001", "rate_limit": 0},
        {"name": "hw", "provider": "huawei", "access_key": "HWTESTHOSTILEAK00001",
         "secret_key": "HwTestHostileSecretKey000000000000000001",
         "project_id": "0504201b8c80d4c22f00c0069f4f5d8e", "rate_limit": 0},
        {"name": "ali", "provider": "alibaba", "access_key_id": "LTAItlsfleetHOSTILE001",
         "access_key_secret": "tlsfleetHostileSecret0001", "rate_limit": 0},
    ],
    "instances": instances,
}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(fleet, f, ensure_ascii=True)
