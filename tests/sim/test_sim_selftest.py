#!/usr/bin/python3
# -*- coding: utf-8 -*-
"""Self-test of the provider simulator, printing TAP.

    python3 tests/sim/test_sim_selftest.py

Checks the simulator's signers and verifiers against every signing vector in
tests/vectors, then runs the simulator on the demo fleet and the fleets in
tests/data/sim and talks to it over HTTPS with its own signers: answer
shapes per provider, wrong keys, clock skew, nonce reuse, certificate files
and their expiry, hostile file endpoints, faults, throttling, the request log,
SIGHUP and SIGTERM. Reads nothing outside the source tree ($top_srcdir).
"""

import datetime
import email.message
import email.utils
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from urllib.parse import parse_qsl, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("top_srcdir") or os.path.dirname(os.path.dirname(HERE))
SIM = os.path.join(HERE, "tlsfleet_sim.py")
VECTORS = os.path.join(TOP, "tests", "vectors")
DATA = os.path.join(TOP, "tests", "data", "sim")
DEMO = os.path.join(TOP, "demo", "fleet.json")
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True      # the source tree may be read-only (distcheck)
import tlsfleet_sim as S            # noqa: E402

from cryptography import x509       # noqa: E402

# ---------------------------------------------------------------------------
# TAP
# ---------------------------------------------------------------------------

_n = 0
_failed = 0


def ok(cond, name):
    global _n, _failed
    _n += 1
    if not cond:
        _failed += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", _n, name), flush=True)
    return cond


def is_(got, want, name):
    if not ok(got == want, name):
        diag("     got: %r" % (got,))
        diag("expected: %r" % (want,))


def diag(msg):
    for line in str(msg).splitlines():
        print("# " + line, flush=True)


def done():
    print("1..%d" % _n, flush=True)
    sys.exit(1 if _failed else 0)


# ---------------------------------------------------------------------------
# Vectors through the simulator's signers and verifiers
# ---------------------------------------------------------------------------


class FakeServer:
    def __init__(self):
        self.seen = set()
        self.sim = self

    def nonce_used(self, key, nonce, t):
        if (key, nonce) in self.seen:
            return True
        self.seen.add((key, nonce))
        return False


class FakeHandler:
    """Just what the verifiers read from a request handler."""

    def __init__(self, method, path, headers):
        self.command = method
        self.path = path
        self.headers = email.message.Message()
        for k, v in headers.items():
            self.headers[k] = v
        self.server = FakeServer()


def load_vectors(name):
    with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
        return json.load(f)["cases"]


def fleet_with(account):
    return S.Fleet({"accounts": [account], "instances": []}, "vector")


def check_tencent_vectors():
    for c in load_vectors("tencent-tc3-hmac-sha256.json"):
        i = c["inputs"]
        auth, canonical, sts = S.tc3_sign(i["secret_id"], i["secret_key"], i["service"],
                                          i["timestamp"], i["host"], i["body"].encode())
        is_(canonical, c["canonical_request"], "tencent vector %s: canonical request" % c["name"])
        is_(sts, c["string_to_sign"], "tencent vector %s: string to sign" % c["name"])
        is_(auth, c["authorization"], "tencent vector %s: authorization" % c["name"])
        fleet = fleet_with({"name": "v", "provider": "tencent", "secret_id": i["secret_id"],
                            "secret_key": i["secret_key"], "token": i["token"]})
        call = S.Call("tencent")
        call.service = i["service"]
        h = FakeHandler(i["method"], i["path"], c["request_headers"])
        r = S.TENCENT.verify(fleet, call, h, i["body"].encode(), i["timestamp"])
        ok(r is None, "tencent vector %s: the simulator accepts the SDK's request" % c["name"])
        r = S.TENCENT.verify(fleet, call, h, i["body"].replace("-", "_").encode(), i["timestamp"])
        is_(r and r.code, "AuthFailure.SignatureFailure",
            "tencent vector %s: a changed body is refused" % c["name"])
        r = S.TENCENT.verify(fleet, call, h, i["body"].encode(), i["timestamp"] + 301)
        is_(r and r.code, "AuthFailure.SignatureExpire",
            "tencent vector %s: 301 s of skew is refused" % c["name"])
        if i["token"]:
            hdrs = dict(c["request_headers"])
            del hdrs["X-TC-Token"]
            r = S.TENCENT.verify(fleet, call, FakeHandler(i["method"], i["path"], hdrs),
                                 i["body"].encode(), i["timestamp"])
            is_(r and r.code, "AuthFailure.TokenFailure",
                "tencent vector %s: a missing token is refused" % c["name"])


def check_huawei_vectors():
    for c in load_vectors("huawei-apig-sdk-hmac-sha256.json"):
        i = c["inputs"]
        hdrs = dict(i["headers"])
        hdrs["host"] = i["host"]
        pairs = list(i["query_params"].items())
        auth, canonical, sts = S.hw_sign(i["access_key"], i["secret_key"], i["method"], i["path"],
                                         pairs, hdrs, i["body"].encode())
        is_(canonical, c["canonical_request"], "huawei vector %s: canonical request" % c["name"])
        is_(sts, c["string_to_sign"], "huawei vector %s: string to sign" % c["name"])
        is_(auth, c["authorization"], "huawei vector %s: authorization" % c["name"])
        project = i["path"].split("/")[2]
        fleet = fleet_with({"name": "v", "provider": "huawei", "access_key": i["access_key"],
                            "secret_key": i["secret_key"], "project_id": project,
                            "security_token": i["headers"].get("X-Security-Token")})
        path = i["path"] + ("?" + i["url_query_string"] if i["url_query_string"] else "")
        now = datetime.datetime.strptime(i["headers"]["X-Sdk-Date"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        call = S.Call("huawei")
        call.project = project
        h = FakeHandler(i["method"], path, c["request_headers"])
        r = S.HUAWEI.verify(fleet, call, h, i["body"].encode(), now)
        ok(r is None, "huawei vector %s: the simulator accepts the SDK's request" % c["name"])
        h = FakeHandler(i["method"], path.replace("/instances", "/instance"), c["request_headers"])
        r = S.HUAWEI.verify(fleet, call, h, i["body"].encode(), now)
        ok(r is not None and r.status == 401 and r.code == "APIG.0301",
           "huawei vector %s: a changed path is refused (401 APIG.0301)" % c["name"])
        r = S.HUAWEI.verify(fleet, call, FakeHandler(i["method"], path, c["request_headers"]),
                            i["body"].encode(), now + 901)
        ok(r is not None and "signature expired" in json.loads(r.body)["error_msg"],
           "huawei vector %s: 901 s of skew says 'signature expired'" % c["name"])


def check_alibaba_vectors():
    for c in load_vectors("alibaba-rpc-v1-hmac-sha1.json"):
        i = c["inputs"]
        params = {"Action": i["action"], "Format": "JSON", "Version": i["version"],
                  "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
                  "SignatureNonce": i["signature_nonce"], "AccessKeyId": i["access_key_id"],
                  "Timestamp": i["timestamp"]}
        if i["security_token"]:
            params["SecurityToken"] = i["security_token"]
        params.update({k: str(v) for k, v in i["params"].items()})
        sig, sts = S.ali_sign(params, i["access_key_secret"], i["method"])
        is_(sts, c["string_to_sign"], "alibaba vector %s: string to sign" % c["name"])
        is_(sig, c["signature"], "alibaba vector %s: signature" % c["name"])
        query = S.ali_canonical_query(params) + "&Signature=" + S.pct(sig)
        if i["method"] == "GET":
            is_(i["endpoint"] + "/?" + query, c["url"], "alibaba vector %s: URL" % c["name"])
            path, body = "/?" + urlsplit(c["url"]).query, b""
        else:
            is_(query, c["form_body"], "alibaba vector %s: form body" % c["name"])
            path, body = "/", c["form_body"].encode()
        acct = {"name": "v", "provider": "alibaba", "access_key_id": i["access_key_id"],
                "access_key_secret": i["access_key_secret"]}
        if i["security_token"]:
            acct["security_token"] = i["security_token"]
        fleet = fleet_with(acct)
        now = datetime.datetime.strptime(i["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        h = FakeHandler(i["method"], path, {"Content-Type": "application/x-www-form-urlencoded"})
        call = S.Call("alibaba")
        call.params = dict(parse_qsl(urlsplit(path).query + "&" + body.decode(), keep_blank_values=True))
        call.xml = False
        ok(S.ALIBABA.verify(fleet, call, h, body, now) is None,
           "alibaba vector %s: the simulator accepts the SDK's request" % c["name"])
        r = S.ALIBABA.verify(fleet, call, h, body, now)
        is_(r and r.code, "SignatureNonceUsed", "alibaba vector %s: the nonce cannot be reused" % c["name"])
        call.params["RegionId"] = "eu-central-1"
        r = S.ALIBABA.verify(fleet, call, FakeHandler(i["method"], path, {}), body, now)
        ok(r is not None and r.status == 400 and r.code == "SignatureDoesNotMatch",
           "alibaba vector %s: a changed parameter is refused" % c["name"])


# ---------------------------------------------------------------------------
# A running simulator and a small client
# ---------------------------------------------------------------------------


class SimProc:
    def __init__(self, fleet, *extra):
        self.dir = tempfile.mkdtemp(prefix="tlsfleet-sim-test.")
        self.fleet = fleet
        self.ready = os.path.join(self.dir, "ready.json")
        self.logpath = os.path.join(self.dir, "log.jsonl")
        self.config = os.path.join(self.dir, "config")
        self.state = os.path.join(self.dir, "state")
        self.errpath = os.path.join(self.dir, "stderr")
        self.t0 = time.monotonic()
        with open(self.errpath, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, SIM, "--fleet", fleet, "--state-dir", self.state, "--port", "0",
                 "--ready-file", self.ready, "--log", self.logpath, "--write-config", self.config,
                 "--max-lifetime", "300"] + list(extra), stderr=err)
        self.info = self.wait_ready(1)
        self.port = self.info["port"]
        self.host = "127.0.0.1:%d" % self.port
        self.ctx = ssl.create_default_context(cafile=self.info["ca_file"])
        with open(os.path.join(self.state, "expected.json"), encoding="utf-8") as f:
            self.expected = json.load(f)
        with open(fleet, encoding="utf-8") as f:
            self.data = json.load(f)

    def wait_ready(self, generation):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("simulator exited: %s" % open(self.errpath).read())
            try:
                with open(self.ready, encoding="utf-8") as f:
                    info = json.load(f)
                if info["generation"] >= generation:
                    return info
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        raise RuntimeError("simulator not ready: %s" % open(self.errpath).read())

    def conn(self, timeout=10):
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=timeout)

    def account(self, name):
        return next(a for a in self.data["accounts"] if a["name"] == name)

    def instance(self, name):
        return next(i for i in self.data["instances"] if i.get("name") == name)

    def log(self):
        with open(self.logpath, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def now_s(offset=0):
    return int(time.time()) + offset


def tencent(sim, inst_name, conn=None, secret=None, secret_id=None, ts=None, token=None):
    inst = sim.instance(inst_name)
    acct = sim.account(inst["account"])
    redis = inst["service"] == "redis"
    body = json.dumps({"InstanceId" if redis else "DBInstanceId": inst["id"]}).encode()
    ts = now_s() if ts is None else ts
    auth, _, _ = S.tc3_sign(secret_id or acct["secret_id"], secret or acct["secret_key"],
                            inst["service"], ts, sim.host, body)
    hdrs = {"Authorization": auth, "Content-Type": "application/json", "Host": sim.host,
            "X-TC-Action": "DescribeSSLStatus" if redis else "DescribeDBInstanceSSLConfig",
            "X-TC-Region": inst["region"], "X-TC-Timestamp": str(ts),
            "X-TC-Version": "2018-04-12" if redis else "2017-03-12"}
    if token or acct.get("token"):
        hdrs["X-TC-Token"] = token or acct["token"]
    return request(sim, conn, "POST", "/", body, hdrs)


def huawei(sim, inst_name, download=False, conn=None, secret=None, date=None, project=None):
    inst = sim.instance(inst_name)
    acct = sim.account(inst["account"])
    proj = inst.get("project_id") or acct["project_id"]
    path = "/v2/%s/instances/%s/%s" % (proj, inst["id"], "ssl-certs/download" if download else "ssl")
    hdrs = {"Host": sim.host, "X-Project-Id": project or proj,
            "X-Sdk-Date": date or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())}
    if download:
        hdrs["Content-Type"] = "application/json"
    if acct.get("security_token"):
        hdrs["X-Security-Token"] = acct["security_token"]
    auth, _, _ = S.hw_sign(acct["access_key"], secret or acct["secret_key"],
                           "POST" if download else "GET", path, [], hdrs, b"")
    hdrs["Authorization"] = auth
    return request(sim, conn, "POST" if download else "GET", path, b"" if download else None, hdrs)


def alibaba(sim, inst_name, method="GET", conn=None, secret=None, key=None, nonce=None, ts=None,
            region=None):
    inst = sim.instance(inst_name)
    acct = sim.account(inst["account"])
    params = {"Action": "DescribeInstanceSSL", "Format": "JSON", "Version": "2015-01-01",
              "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
              "SignatureNonce": nonce or str(uuid.uuid4()), "AccessKeyId": key or acct["access_key_id"],
              "Timestamp": ts or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "InstanceId": inst["id"], "RegionId": region or inst["region"]}
    if acct.get("security_token"):
        params["SecurityToken"] = acct["security_token"]
    sig, _ = S.ali_sign(params, secret or acct["access_key_secret"], method)
    q = S.ali_canonical_query(params) + "&Signature=" + S.pct(sig)
    if method == "GET":
        return request(sim, conn, "GET", "/?" + q, None, {})
    return request(sim, conn, "POST", "/", q.encode(),
                   {"Content-Type": "application/x-www-form-urlencoded"})


def request(sim, conn, method, path, body, hdrs):
    own = conn is None
    c = conn or sim.conn()
    try:
        c.request(method, path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
    finally:
        if own:
            c.close()


def fetch(sim, url, hdrs=None):
    u = urlsplit(url)
    return request(sim, None, "GET", u.path + ("?" + u.query if u.query else ""), None, hdrs or {})


def certs_in(blob):
    return x509.load_pem_x509_certificates(blob) if hasattr(x509, "load_pem_x509_certificates") \
        else [x509.load_pem_x509_certificate(b) for b in re.findall(
            rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", blob, re.S)]


def not_after(cert):
    dt = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after.replace(
        tzinfo=datetime.timezone.utc)
    return dt.timestamp()


def days_left(cert):
    return int((not_after(cert) - time.time()) // 86400)


def jbody(data):
    try:
        return json.loads(data)
    except ValueError:
        return None


# ---------------------------------------------------------------------------
# The demo fleet
# ---------------------------------------------------------------------------


def check_demo():
    sim = SimProc(DEMO)
    try:
        diag("demo simulator ready after %.2f s on port %d" % (time.monotonic() - sim.t0, sim.port))
        check_config(sim)
        check_tencent(sim)
        check_huawei(sim)
        check_alibaba(sim)
        check_files(sim)
        check_log(sim)
        check_term(sim)
    finally:
        sim.stop()


def check_config(sim):
    st = os.stat(sim.config)
    is_(st.st_mode & 0o777, 0o600, "--write-config: mode 0600")
    text = open(sim.config, encoding="utf-8").read()
    is_(text.count('endpoint = "https://127.0.0.1:%d";' % sim.port), 3, "--write-config: every account's endpoint")
    ok('ca_file = "%s";' % sim.info["ca_file"] in text, "--write-config: ca_file is the simulator's CA")
    ok('secret_key = "tlsfleetDEMOsecretKey00000000001";' in text, "--write-config: inline keys")
    ok('refresh_interval = 60;' in text, "--write-config: the fleet's config settings")
    ok('name = "café-sessions";' in text, "--write-config: UTF-8 names as they are")
    is_(text.count("{ name = "), 21, "--write-config: every instance")
    is_(sim.info["base_url"], "https://127.0.0.1:%d" % sim.port, "ready file: base_url")
    is_(sim.info["pid"], sim.proc.pid, "ready file: pid")


def check_tencent(sim):
    c = sim.conn()
    st, hd, data = tencent(sim, "orders-cache", conn=c)
    r = jbody(data)["Response"]
    is_(st, 200, "tencent redis enabled: HTTP 200")
    ok(hd.get("content-type") == "application/json;charset=utf-8" and "date" in hd,
       "tencent: Content-Type and Date headers")
    is_(sorted(r), ["CertDownloadUrl", "FeatureSupport", "RequestId", "SSLConfig", "Status", "UrlExpiredTime"],
        "tencent redis enabled: the documented keys")
    ok(r["SSLConfig"] is True and r["FeatureSupport"] is True and r["Status"] == 2,
       "tencent redis enabled: SSLConfig true, FeatureSupport true, Status 2 (types too)")
    ok(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r["UrlExpiredTime"]) is not None,
       "tencent: UrlExpiredTime is zone-less")
    t = int(dict(parse_qsl(urlsplit(r["CertDownloadUrl"]).query))["t"])
    is_(r["UrlExpiredTime"], datetime.datetime.fromtimestamp(t, S.CST).strftime("%Y-%m-%d %H:%M:%S"),
        "tencent: UrlExpiredTime is the link's t in UTC+8")
    ok(r["CertDownloadUrl"].startswith(sim.info["base_url"] + "/files/")
       and r["CertDownloadUrl"].split("?")[0].endswith("/TencentDB-SSL-CA.zip"),
       "tencent redis: the CA link names TencentDB-SSL-CA.zip")
    st, hd, data = fetch(sim, r["CertDownloadUrl"])
    z = zipfile.ZipFile(io.BytesIO(data))
    is_((st, z.namelist()), (200, ["ca.pem"]), "tencent redis: the archive holds ca.pem")
    certs = certs_in(z.read("ca.pem"))
    is_((len(certs), days_left(certs[0])), (1, 400), "tencent redis: one CA, 400 days left")
    is_(hashlib.sha256(data).hexdigest(), sim.expected["instances"]["orders-cache"]["file_sha256"],
        "expected.json: the archive's digest")
    st, _, data = tencent(sim, "café-sessions", conn=c)
    url = jbody(data)["Response"]["CertDownloadUrl"]
    certs = certs_in(zipfile.ZipFile(io.BytesIO(fetch(sim, url)[2])).read("ca.pem"))
    is_(days_left(certs[0]), 5, "tencent redis: the 5-day CA")
    r = jbody(tencent(sim, "search-cache", conn=c)[2])["Response"]
    is_((r["Status"], r["FeatureSupport"]), (1, True), "tencent redis configuring: Status 1")
    r = jbody(tencent(sim, "legacy-cache", conn=c)[2])["Response"]
    is_((r["FeatureSupport"], r["SSLConfig"]), (False, False), "tencent redis unsupported: FeatureSupport false")
    st, _, data = tencent(sim, "payments-db", conn=c)
    r = jbody(data)["Response"]
    is_(sorted(r), ["CAUrl", "ConnectAddress", "RequestId", "SSLEnabled"], "tencent pg enabled: the documented keys")
    is_((r["SSLEnabled"], r["ConnectAddress"]), (True, "10.0.0.4"), "tencent pg enabled: SSLEnabled, ConnectAddress")
    z = zipfile.ZipFile(io.BytesIO(fetch(sim, r["CAUrl"])[2]))
    ok(r["CAUrl"].split("?")[0].endswith("/TencentDB-PG-SSL-CA.zip") and "ca.pem" in z.namelist()
       and x509.load_der_x509_certificate(z.read("ca.crt")) == certs_in(z.read("ca.pem"))[0],
       "tencent pg: TencentDB-PG-SSL-CA.zip with ca.pem and the same CA as DER ca.crt")
    z = zipfile.ZipFile(io.BytesIO(fetch(sim, jbody(tencent(sim, "ledger-db", conn=c)[2])["Response"]["CAUrl"])[2]))
    is_(days_left(certs_in(z.read("ca.pem"))[0]), -3, "tencent pg: the expired CA (-3 days)")
    r = jbody(tencent(sim, "reporting-db", conn=c)[2])["Response"]
    is_((r["SSLEnabled"], r["CAUrl"], r["ConnectAddress"]), (False, "", ""), "tencent pg disabled: empty strings")
    r = jbody(tencent(sim, "archive-db", conn=c)[2])["Response"]
    is_(r["Error"]["Code"], "ResourceNotFound.InstanceNotFoundError", "tencent pg not_found")
    ok(isinstance(r["RequestId"], str), "tencent error: RequestId")
    r = jbody(tencent(sim, "audit-db", conn=c)[2])["Response"]
    ok(r["Error"]["Code"].startswith("AuthFailure.") or r["Error"]["Code"].startswith("UnauthorizedOperation"),
       "tencent pg auth_error: a permission code")
    st, _, data = tencent(sim, "orders-cache", conn=c, secret="wrong-secret-key")
    is_((st, jbody(data)["Response"]["Error"]["Code"]), (200, "AuthFailure.SignatureFailure"),
        "tencent wrong key: HTTP 200 AuthFailure.SignatureFailure")
    ok(b"wrong-secret-key" not in data and b"tlsfleetDEMO" not in data, "tencent error: no secret echoed")
    r = jbody(tencent(sim, "orders-cache", conn=c, secret_id="AKIDunknown0000000000000000000000000")[2])
    is_(r["Response"]["Error"]["Code"], "AuthFailure.SecretIdNotFound", "tencent unknown SecretId")
    r = jbody(tencent(sim, "orders-cache", conn=c, ts=now_s(-400))[2])
    is_(r["Response"]["Error"]["Code"], "AuthFailure.SignatureExpire", "tencent 400 s skew: SignatureExpire")
    r = jbody(tencent(sim, "orders-cache", conn=c, token="unexpected")[2])
    is_(r["Response"]["Error"]["Code"], "AuthFailure.TokenFailure", "tencent token where none belongs")
    st, _, data = request(sim, c, "POST", "/", b'{"InstanceId":"crs-2btr9ryn"}',
                          {"Content-Type": "application/json", "X-TC-Action": "DescribeSSLStatus",
                           "X-TC-Version": "2018-04-12", "X-TC-Region": "ap-guangzhou",
                           "X-TC-Timestamp": str(now_s())})
    is_(jbody(data)["Response"]["Error"]["Code"], "AuthFailure.SignatureFailure", "tencent without Authorization")
    c.close()


def check_huawei(sim):
    c = sim.conn()
    st, hd, data = huawei(sim, "eu-sessions", conn=c)
    r = jbody(data)
    is_(st, 200, "huawei enabled: HTTP 200")
    is_(sorted(r), ["domain_name", "enabled", "ip", "ipv6", "port", "ssl_expired_at", "ssl_validated"],
        "huawei enabled: the documented keys")
    ok(r["enabled"] is True and r["port"] == "6379" and r["ssl_validated"] is True
       and r["domain_name"].endswith(":6379"), "huawei enabled: types (port a string)")
    ok(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["ssl_expired_at"]) is not None,
       "huawei: ssl_expired_at with milliseconds")
    st, _, data = huawei(sim, "eu-sessions", download=True, conn=c)
    d = jbody(data)
    is_((st, sorted(d)), (200, ["bucket_name", "file_name", "link"]), "huawei download call: the documented keys")
    q = dict(parse_qsl(urlsplit(d["link"]).query))
    ok(urlsplit(d["link"]).path.startswith("/obs/%s/" % d["bucket_name"])
       and sorted(q) == ["AWSAccessKeyId", "Expires", "Signature"], "huawei link: a presigned object-store URL")
    st, _, blob = fetch(sim, d["link"])
    z = zipfile.ZipFile(io.BytesIO(blob))
    certs = certs_in(z.read("ca.crt"))
    is_((st, z.namelist(), len(certs)), (200, ["ca.crt"], 1), "huawei archive: ca.crt in PEM")
    is_(time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(not_after(certs[0]))), r["ssl_expired_at"][:19],
        "huawei: ssl_expired_at is the CA's notAfter")
    bad = d["link"].replace("Expires=%s" % q["Expires"], "Expires=%d" % (int(q["Expires"]) + 1))
    st, hd, data = fetch(sim, bad)
    ok(st == 403 and b"<Code>SignatureDoesNotMatch</Code>" in data, "huawei link: a changed Expires is refused (403)")
    st, _, data = huawei(sim, "eu-ratelimit", conn=c)
    ok(st == 200 and jbody(data)["enabled"] is True, "huawei: an instance's own project_id")
    st, _, data = huawei(sim, "eu-ratelimit", conn=c, project="d1371c17149d439536b3216fdaeeb975")
    is_((st, jbody(data)["error_code"]), (401, "APIG.0301"), "huawei: X-Project-Id differing from the path")
    st, _, data = huawei(sim, "eu-queue", conn=c)
    is_((st, jbody(data)), (200, {"enabled": False}), "huawei disabled")
    st, hd, data = huawei(sim, "eu-jobs", conn=c)
    is_((st, data), (204, b""), "huawei no_info: 204 without a body")
    st, _, data = huawei(sim, "eu-legacy-cache", conn=c)
    is_((st, jbody(data)["error_code"], jbody(data)["error_msg"]), (400, "DCS.4201", "Do not support SSL."),
        "huawei unsupported: 400 DCS.4201")
    st, _, data = huawei(sim, "eu-feature-flags", conn=c)
    is_((st, jbody(data).get("errorCode")), (429, "APIGW.0308"), "huawei throttled: 429 errorCode APIGW.0308")
    st, _, data = huawei(sim, "eu-sessions", conn=c, secret="HwWrongSecret")
    is_((st, jbody(data)["error_code"]), (401, "APIG.0301"), "huawei wrong key: 401 APIG.0301")
    st, _, data = huawei(sim, "eu-sessions", conn=c, date=time.strftime(
        "%Y%m%dT%H%M%SZ", time.gmtime(time.time() - 1000)))
    ok(st == 401 and "signature expired" in jbody(data)["error_msg"]
       and "HWDEMOAK" not in jbody(data)["error_msg"], "huawei 1000 s skew: 'signature expired', no AK echoed")
    c.close()


def check_alibaba(sim):
    c = sim.conn()
    st, hd, data = alibaba(sim, "ali-cart", conn=c)
    r = jbody(data)
    is_(st, 200, "alibaba enabled: HTTP 200")
    is_(sorted(r), ["CertCommonName", "CertDownloadURL", "InstanceId", "RequestId", "SSLEnabled", "SSLExpiredTime"],
        "alibaba enabled: the documented keys")
    is_(r["SSLEnabled"], "Enable", "alibaba enabled: SSLEnabled \"Enable\"")
    st, _, blob = fetch(sim, r["CertDownloadURL"])
    z = zipfile.ZipFile(io.BytesIO(blob))
    certs = certs_in(z.read("ApsaraDB-CA-Chain.pem"))
    is_(len(certs), 2, "alibaba: ApsaraDB-CA-Chain.pem holds intermediate + root")
    is_(certs[0].issuer, certs[1].subject, "alibaba: the intermediate is issued by the root")
    is_(r["SSLExpiredTime"], time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(min(map(not_after, certs)))),
        "alibaba: SSLExpiredTime is the chain's earliest notAfter")
    is_(days_left(certs[0]), 400, "alibaba: 400 days left")
    st, _, data = alibaba(sim, "ali-leaderboard", method="POST", conn=c)
    is_((st, jbody(data)["SSLEnabled"]), (200, "Enable"), "alibaba: POST form body accepted")
    r = jbody(alibaba(sim, "ali-inventory", conn=c)[2])
    is_(r["SSLEnabled"], "Disable", "alibaba disabled")
    st, _, data = alibaba(sim, "ali-legacy", conn=c)
    is_((st, jbody(data)["Code"]), (403, "IncorrectEngineVersion"), "alibaba unsupported: 403 IncorrectEngineVersion")
    st, _, data = alibaba(sim, "ali-coupons", conn=c)
    is_(sorted(jbody(data)), ["Code", "HostId", "Message", "Recommend", "RequestId"], "alibaba error: the documented keys")
    is_((st, jbody(data)["Code"]), (500, "InternalError"), "alibaba error_500")
    st, _, data = alibaba(sim, "ali-cart", conn=c, secret="wrong")
    is_((st, jbody(data)["Code"]), (400, "SignatureDoesNotMatch"), "alibaba wrong key: 400 SignatureDoesNotMatch")
    ok(b"stringToSign" not in data and b"tlsfleetDemo" not in data, "alibaba error: nothing secret-like echoed")
    st, _, data = alibaba(sim, "ali-cart", conn=c, key="LTAIunknownKey0000000000")
    is_((st, jbody(data)["Code"]), (404, "InvalidAccessKeyId.NotFound"), "alibaba unknown key: 404")
    nonce = str(uuid.uuid4())
    alibaba(sim, "ali-cart", conn=c, nonce=nonce)
    st, _, data = alibaba(sim, "ali-cart", conn=c, nonce=nonce)
    is_((st, jbody(data)["Code"]), (400, "SignatureNonceUsed"), "alibaba reused nonce: 400 SignatureNonceUsed")
    st, _, data = alibaba(sim, "ali-cart", conn=c, ts=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1000)))
    is_((st, jbody(data)["Code"]), (400, "InvalidTimeStamp.Expired"), "alibaba 1000 s skew: InvalidTimeStamp.Expired")
    st, _, data = alibaba(sim, "ali-cart", conn=c, region="eu-central-1")
    is_((st, jbody(data)["Code"]), (404, "InvalidInstanceId.NotFound"), "alibaba: wrong RegionId is not found")
    c.close()


def check_files(sim):
    c = sim.conn()
    c.request("GET", "/files/huge")
    r = c.getresponse()
    is_((r.status, r.getheader("Content-Length")), (200, str(11 * 1024 * 1024)), "/files/huge: 11 MiB promised")
    c.close()
    st, hd, _ = request(sim, None, "GET", "/files/redirect-http", None, {})
    ok(st == 302 and hd["location"].startswith("http://"), "/files/redirect-http: 302 to http://")
    c = sim.conn()
    c.request("GET", "/files/truncated")
    r = c.getresponse()
    try:
        r.read()
        ok(False, "/files/truncated: the body ends early")
    except http.client.IncompleteRead:
        ok(True, "/files/truncated: the body ends early")
    c.close()
    st, _, data = request(sim, None, "GET", "/files/tencent/tc-demo/nothing/here.zip", None, {})
    ok(st == 404 and b"NoSuchKey" in data, "unknown file: 404 NoSuchKey")
    r = jbody(tencent(sim, "orders-cache")[2])["Response"]
    st, _, _ = fetch(sim, r["CertDownloadUrl"], {"Authorization": "Bearer x", "X-TC-Action": "x"})
    is_(st, 200, "file download with auth headers still works (and is logged)")
    st, _, data = fetch(sim, r["CertDownloadUrl"].split("?")[0])
    ok(st == 403 and b"AccessDenied" in data, "tencent file without its signed query: 403")


def check_log(sim):
    log = sim.log()
    keys = {"t", "provider", "account", "action", "instance", "status", "code", "fault", "path"}
    ok(len(log) > 40 and all(keys <= set(rec) for rec in log), "log: one JSON line per request, all keys")
    secrets = []
    for a in sim.data["accounts"]:
        secrets += [a.get("secret_key"), a.get("access_key_secret")]
    text = open(sim.logpath, encoding="utf-8").read() + open(sim.errpath, encoding="utf-8").read()
    ok(not any(s and s in text for s in secrets) and "Signature=" not in text and "sign=" not in text,
       "log and stderr: no secret key, signature or presigned query")
    ok(any(r["leaked_auth"] for r in log if r["action"] == "download")
       and not all(r["leaked_auth"] for r in log if r["action"] == "download"),
       "log: leaked_auth marks downloads that carried API headers")
    thr = [r for r in log if r["code"] == "APIGW.0308"]
    ok(thr and thr[0]["provider"] == "huawei" and thr[0]["status"] == 429
       and thr[0]["account"] == "HWDEMOAK0TLSFLEET001" and thr[0]["action"] == "ShowInstanceSsl",
       "log: provider, account key id, action, status, code")


def check_term(sim):
    sim.proc.send_signal(signal.SIGTERM)
    try:
        rc = sim.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        rc = None
    is_(rc, 0, "SIGTERM: clean exit")
    ok(not os.path.exists(sim.ready), "SIGTERM: the ready file is removed")


# ---------------------------------------------------------------------------
# Other fleets: reload, url expiry, faults, throttling, skew, hang
# ---------------------------------------------------------------------------


def check_reload_and_expiry():
    tmp = tempfile.mkdtemp(prefix="tlsfleet-sim-fleet.")
    fleet = os.path.join(tmp, "fleet.json")
    shutil.copy(os.path.join(DATA, "download.json"), fleet)
    sim = SimProc(fleet)
    try:
        r = jbody(tencent(sim, "tc-redis-link-expired")[2])["Response"]
        exp = datetime.datetime.strptime(r["UrlExpiredTime"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=S.CST)
        ok(exp.timestamp() < time.time(), "url_expired: the first UrlExpiredTime is in the past")
        st, _, data = fetch(sim, r["CertDownloadUrl"])
        ok(st == 403 and b"Request has expired" in data, "url_expired: that link is refused (403)")
        r = jbody(tencent(sim, "tc-redis-link-expired")[2])["Response"]
        is_(fetch(sim, r["CertDownloadUrl"])[0], 200, "url_expired: the next link works")
        d = jbody(huawei(sim, "hw-dcs-link-expired", download=True)[2])
        st, _, data = fetch(sim, d["link"])
        ok(st == 403 and b"<Code>AccessDenied</Code>" in data and b"Request has expired" in data,
           "huawei url_expired: OBS-style AccessDenied 'Request has expired'")
        d = jbody(huawei(sim, "hw-dcs-hostile-name", download=True)[2])
        is_(d["file_name"], "../../evil.zip", "huawei hostile file_name is answered verbatim")
        is_(fetch(sim, d["link"])[0], 200, "huawei hostile file_name: its link works")
        r = jbody(tencent(sim, "tc-redis-bare-url")[2])["Response"]
        ok("?" not in r["CertDownloadUrl"] and fetch(sim, r["CertDownloadUrl"])[0] == 200,
           "url_query false: a link without a query, as in the Tencent example")
        r = jbody(tencent(sim, "tc-pg-http")[2])["Response"]
        is_(r["CAUrl"], "http://testdownload.url", "cert_url override (http://)")
        r = jbody(tencent(sim, "tc-redis-huge")[2])["Response"]
        is_(r["CertDownloadUrl"], sim.info["base_url"] + "/files/huge", "cert_url {base} substitution")
        r = jbody(tencent(sim, "tc-redis-dies")[2])["Response"]
        c = sim.conn()
        u = urlsplit(r["CertDownloadUrl"])
        c.request("GET", u.path + "?" + u.query)
        resp = c.getresponse()
        try:
            resp.read()
            ok(False, "server_dies_mid_body: the body ends early")
        except http.client.IncompleteRead:
            ok(True, "server_dies_mid_body: the body ends early")
        c.close()
        r = jbody(tencent(sim, "tc-redis-zip-slip")[2])["Response"]
        names = zipfile.ZipFile(io.BytesIO(fetch(sim, r["CertDownloadUrl"])[2])).namelist()
        ok("../../evil.pem" in names, "zip_extra_entries: hostile entry names")
        # SIGHUP: change a scenario in the file, wait for generation 2
        with open(fleet, encoding="utf-8") as f:
            data = json.load(f)
        data["instances"][0]["scenario"] = "disabled"
        with open(fleet, "w", encoding="utf-8") as f:
            json.dump(data, f)
        sim.data = data
        sim.proc.send_signal(signal.SIGHUP)
        info = sim.wait_ready(2)
        is_(info["port"], sim.port, "SIGHUP: same port")
        r = jbody(tencent(sim, "tc-redis")[2])["Response"]
        is_(r["SSLConfig"], False, "SIGHUP: the re-read fleet answers")
        data["instances"][0]["scenario"] = "no_such_scenario"
        with open(fleet, "w", encoding="utf-8") as f:
            json.dump(data, f)
        sim.proc.send_signal(signal.SIGHUP)
        r = jbody(tencent(sim, "tc-redis-pem")[2])["Response"]
        ok(sim.proc.poll() is None and "CertDownloadUrl" in r, "SIGHUP with a broken fleet: keeps serving")
    finally:
        sim.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def check_faults():
    sim = SimProc(os.path.join(DATA, "states.json"), "--fault-rate", "1",
                  "--faults", "reset,truncate,5xx,throttle,wrong_content_type", "--seed", "7")
    try:
        seen = {}
        for _ in range(25):
            try:
                st, hd, data = tencent(sim, "tc-redis-enabled")
                kind = {503: "5xx"}.get(st)
                if st == 200 and hd.get("content-type", "").startswith("text/html"):
                    kind = "wrong_content_type"
                elif st == 200 and b"RequestLimitExceeded" in data:
                    kind = "throttle"
                seen[kind] = seen.get(kind, 0) + 1
            except http.client.IncompleteRead:
                seen["truncate"] = seen.get("truncate", 0) + 1
            except (ConnectionError, http.client.HTTPException, ssl.SSLError, OSError):
                seen["reset"] = seen.get("reset", 0) + 1
        diag("fault outcomes: %r" % seen)
        is_(sorted(k for k in seen if k), ["5xx", "reset", "throttle", "truncate", "wrong_content_type"],
            "--fault-rate 1: every listed fault happens, nothing else")
        faults = {r["fault"] for r in sim.log()}
        is_(sorted(f for f in faults if f), ["5xx", "reset", "throttle", "truncate", "wrong_content_type"],
            "log: the fault of each request")
    finally:
        sim.stop()


def check_throttle_and_hang():
    sim = SimProc(os.path.join(DATA, "errors.json"), "--throttle-rate", "1")
    try:
        c = sim.conn()
        codes = [jbody(tencent(sim, "tc-ok", conn=c)[2])["Response"].get("Error", {}).get("Code") for _ in range(4)]
        ok("RequestLimitExceeded" in codes, "--throttle-rate 1: Tencent RequestLimitExceeded (HTTP 200)")
        st = [huawei(sim, "hw-ok", conn=c)[0] for _ in range(4)]
        ok(429 in st, "--throttle-rate 1: Huawei 429")
        st = [alibaba(sim, "ali-ok", conn=c) for _ in range(4)]
        ok(any(s == 503 and jbody(d)["Code"] == "Throttling.User" for s, _, d in st),
           "--throttle-rate 1: Alibaba 503 Throttling.User")
        c.close()
    finally:
        sim.stop()


def check_throttle_first_and_reset():
    sim = SimProc(os.path.join(DATA, "errors.json"))
    try:
        codes = []
        for _ in range(3):
            r = jbody(tencent(sim, "tc-throttle-first")[2])["Response"]
            codes.append(r.get("Error", {}).get("Code") or r.get("SSLConfig"))
        is_(codes, ["RequestLimitExceeded", "RequestLimitExceeded", True],
            "throttle_first 2: two throttling answers, then success")
        st = [huawei(sim, "hw-throttle-first")[0] for _ in range(3)]
        is_(st, [429, 429, 200], "huawei throttle_first 2")
        try:
            tencent(sim, "tc-reset")
            ok(False, "reset: the connection is dropped without an answer")
        except (ConnectionError, http.client.HTTPException, ssl.SSLError, OSError):
            ok(True, "reset: the connection is dropped without an answer")
        st, _, data = alibaba(sim, "ali-slow")
        is_((st, jbody(data)["SSLEnabled"]), (200, "Enable"), "slow: answers (late)")
        st, _, data = huawei(sim, "hw-503")
        is_((st, jbody(data)["error_code"]), (503, "DCS.5010"), "error_500 with http_status 503")
        # A hanging request must not hold up the others.
        result = {}

        def hang():
            try:
                huawei(sim, "hw-hang", conn=sim.conn(timeout=60))
                result["hang"] = "answered"
            except (ConnectionError, http.client.HTTPException, OSError) as e:
                result["hang"] = type(e).__name__

        th = threading.Thread(target=hang, daemon=True)
        th.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(r["scenario"] == "hang" for r in sim.log()):
            time.sleep(0.02)
        ok(any(r["scenario"] == "hang" and r["status"] is None for r in sim.log()),
           "hang: logged on arrival with status null")
        st, _, data = huawei(sim, "hw-ok")
        ok(st == 200 and th.is_alive(), "hang: other requests are answered meanwhile")
    finally:
        sim.stop()


def check_skew_and_states():
    sim = SimProc(os.path.join(DATA, "skew.json"))
    try:
        st, hd, data = tencent(sim, "tc-skewed")
        is_(jbody(data)["Response"]["Error"]["Code"], "AuthFailure.SignatureExpire", "skewed clock: Tencent")
        date = email.utils.parsedate_to_datetime(hd["date"]).timestamp()
        ok(1100 < date - time.time() < 1300, "skewed clock: the Date header shows it")
        st, _, data = huawei(sim, "hw-skewed")
        ok(st == 401 and "signature expired" in jbody(data)["error_msg"], "skewed clock: Huawei")
        st, _, data = alibaba(sim, "ali-skewed")
        is_((st, jbody(data)["Code"]), (400, "InvalidTimeStamp.Expired"), "skewed clock: Alibaba")
        ok(huawei(sim, "hw-skewed", date=time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() + 1200)))[0] == 200,
           "skewed clock: a request stamped with the server's time passes")
    finally:
        sim.stop()
    sim = SimProc(os.path.join(DATA, "envkeys.json"))
    try:
        text = open(sim.config, encoding="utf-8").read()
        ok("secret_key" not in text and "access_key_secret" not in text and "token" not in text
           and "project_id" not in text, "inline false: no keys in the generated config")
        ok("Error" not in jbody(tencent(sim, "tc-env")[2])["Response"], "Tencent temporary key with X-TC-Token")
        is_(huawei(sim, "hw-env")[0], 200, "Huawei temporary key with X-Security-Token")
        is_(alibaba(sim, "ali-env")[0], 200, "Alibaba STS key with SecurityToken")
    finally:
        sim.stop()
    sim = SimProc(os.path.join(DATA, "states.json"))
    try:
        r = jbody(tencent(sim, "tc-redis-wrong-type")[2])["Response"]
        is_(r["SSLConfig"], "true", "wrong_type: Tencent SSLConfig is a string")
        st, _, data = tencent(sim, "tc-redis-malformed")
        ok(st == 200 and jbody(data) is None, "malformed: not JSON")
        is_(jbody(alibaba(sim, "ali-wrong-type")[2])["SSLEnabled"], 1, "wrong_type: Alibaba SSLEnabled 1")
        is_(jbody(huawei(sim, "hw-disabled-empty")[2]), {}, "huawei disabled_form empty: {}")
        st, _, data = huawei(sim, "hw-auth-error")
        is_((st, jbody(data)["error_code"]), (403, "APIG.0302"), "huawei auth_error: 403")
        st, _, data = huawei(sim, "hw-enabled", download=True)
        ok(st == 200 and jbody(data)["link"].startswith(sim.info["base_url"] + "/obs/"), "huawei download call")
        st, _, data = alibaba(sim, "ali-version-pattern")
        is_((st, jbody(data)["Code"]), (400, "InvalidRedisVersionPattern"), "alibaba InvalidRedisVersionPattern: 400")
        r = jbody(tencent(sim, "tc-redis-extra-fields")[2])["Response"]
        is_(r.get("NewField"), {"nested": [1, 2]}, "extra: unknown fields added to the answer")
        r = jbody(alibaba(sim, "ali-mismatch")[2])
        exp = sim.expected["instances"]["ali-mismatch"]
        ok(r["SSLExpiredTime"] == exp["api_expires"] and exp["api_expires"] != exp["ca_not_after"],
           "api_expires_days_left: the API date differs from the certificate's")
    finally:
        sim.stop()


def check_fleet_files():
    for name in sorted(os.listdir(DATA)):
        if name.endswith(".json"):
            try:
                S.load_fleet(os.path.join(DATA, name))
                ok(True, "fleet %s is valid" % name)
            except S.FleetError as e:
                ok(False, "fleet %s is valid: %s" % (name, e))
    bad = {"accounts": [{"name": "a", "provider": "tencent", "secret_id": "x", "secret_key": "y"}],
           "instances": [{"name": "i", "account": "a", "service": "dcs", "region": "r", "id": "x"}]}
    try:
        S.Fleet(bad, "bad")
        ok(False, "a Huawei service on a Tencent account is refused")
    except S.FleetError as e:
        ok("service" in str(e), "a Huawei service on a Tencent account is refused")
    bad["instances"][0].update(service="redis", scenario="no_info")
    try:
        S.Fleet(bad, "bad")
        ok(False, "no_info on Tencent is refused")
    except S.FleetError:
        ok(True, "no_info on Tencent is refused")
    acct = {"name": "a", "provider": "tencent", "secret_id": "x", "secret_key": "y"}
    gen = {"generate": {"count": 3, "name": "g-{n:02d}", "id": "crs-{n}", "tags_cycle": [{"t": "1"}, {"t": "2"}]},
           "account": "a", "service": "redis", "region": "r", "listed": False}
    f = S.Fleet({"accounts": [acct], "instances": [gen]}, "gen")
    is_([(i["name"], i["id"], i["tags"], i["listed"]) for i in f.instances],
        [("g-01", "crs-1", {"t": "1"}, False), ("g-02", "crs-2", {"t": "2"}, False),
         ("g-03", "crs-3", {"t": "1"}, False)], "generate: names, ids, cycled tags, shared keys")
    for what, fleet in (
            ("a generate pattern with another field", {"accounts": [acct], "instances": [
                dict(gen, generate={"count": 2, "name": "g-{m}"})]}),
            ("generated ids that repeat", {"accounts": [acct], "instances": [
                dict(gen, generate={"count": 2, "id": "same"})]}),
            ("an unknown list fault", {"accounts": [acct], "instances": [],
                                       "list_faults": [{"account": "a", "fault": "boom"}]}),
            ("assume_role on a Huawei account", {"accounts": [
                {"name": "h", "provider": "huawei", "access_key": "x", "secret_key": "y", "project_id": "p",
                 "assume_role": {"role_arn": "r"}}], "instances": []})):
        try:
            S.Fleet(fleet, "bad")
            ok(False, "%s is refused" % what)
        except S.FleetError:
            ok(True, "%s is refused" % what)


# ---------------------------------------------------------------------------
# Discovery (list APIs) and temporary credentials
# ---------------------------------------------------------------------------

DISCOVERY = os.path.join(DATA, "discovery.json")


def tc_call(sim, keys, action, version, service, region, doc, token=None):
    """keys: (secret id, secret key). Returns (status, Response object)."""
    body = json.dumps(doc).encode()
    ts = now_s()
    auth, _, _ = S.tc3_sign(keys[0], keys[1], service, ts, sim.host, body)
    hdrs = {"Authorization": auth, "Content-Type": "application/json", "Host": sim.host,
            "X-TC-Action": action, "X-TC-Region": region, "X-TC-Timestamp": str(ts), "X-TC-Version": version}
    if token:
        hdrs["X-TC-Token"] = token
    st, _, data = request(sim, None, "POST", "/", body, hdrs)
    return st, (jbody(data) or {}).get("Response", {})


def tc_list(sim, keys, service, region, doc, token=None):
    action, version = (("DescribeInstances", "2018-04-12") if service == "redis"
                       else ("DescribeDBInstances", "2017-03-12"))
    return tc_call(sim, keys, action, version, service, region, doc, token)


def tc_code(r):
    return r.get("Error", {}).get("Code")


def hw_list(sim, keys, project, query, token=None):
    """keys: (access key, secret key). query: list of (name, value)."""
    path = "/v2/%s/instances" % project
    hdrs = {"Host": sim.host, "X-Project-Id": project,
            "X-Sdk-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())}
    if token:
        hdrs["X-Security-Token"] = token
    auth, _, _ = S.hw_sign(keys[0], keys[1], "GET", path, query, hdrs, b"")
    hdrs["Authorization"] = auth
    q = "&".join("%s=%s" % (S.pct(k), S.pct(v)) for k, v in query)
    st, _, data = request(sim, None, "GET", path + ("?" + q if q else ""), None, hdrs)
    return st, jbody(data) or {}


def ali_call(sim, keys, params, token=None, fmt="JSON"):
    p = {"Format": fmt, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
         "SignatureNonce": str(uuid.uuid4()), "AccessKeyId": keys[0],
         "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if fmt is None:
        del p["Format"]
    p.update(params)
    if token:
        p["SecurityToken"] = token
    sig, _ = S.ali_sign(p, keys[1], "GET")
    st, _, data = request(sim, None, "GET", "/?" + S.ali_canonical_query(p) + "&Signature=" + S.pct(sig),
                          None, {})
    return st, (jbody(data) if fmt else data)


def ali_list(sim, keys, region, more=None, token=None, fmt="JSON"):
    params = {"Action": "DescribeInstances", "Version": "2015-01-01", "RegionId": region}
    params.update(more or {})
    return ali_call(sim, keys, params, token, fmt)


def metadata(sim, path):
    c = http.client.HTTPConnection("127.0.0.1", sim.info["metadata_port"], timeout=10)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def expected_ids(sim, account, service, region):
    return sim.expected["discovery"][account][service][region]


def tagged(sim, account, service, region, key, value=None):
    return [i["id"] for i in sim.expected["instances"].values()
            if i["account"] == account and i["service"] == service and i["region"] == region
            and i["listed"] and key in i["tags"] and (value is None or i["tags"][key] == value)]


def check_discovery():
    fd, sigpath = tempfile.mkstemp(prefix="tlsfleet-sim-sigs.")
    os.close(fd)
    sim = SimProc(DISCOVERY, "--metadata-port", "0", "--token-lifetime", "2",
                  "--log-signatures-to", sigpath)
    try:
        tc = (sim.account("tc-disc")["secret_id"], sim.account("tc-disc")["secret_key"])
        check_list_tencent(sim, tc)
        check_list_huawei(sim)
        check_list_alibaba(sim)
        check_credentials(sim, tc)
        log_text = open(sim.logpath, encoding="utf-8").read()
        recs = sim.log()
        ok(any(r["action"] == "DescribeInstances" and r.get("page") == 2 for r in recs),
           "log: list calls carry their page")
        ok(any(r["action"] == "DescribeDBInstances" and r["fault"] == "throttle" for r in recs),
           "log: a list fault is logged as the fault")
        ok(any(r.get("listener") == "metadata" and r["account_name"] == "tc-cvm" for r in recs),
           "log: metadata requests are logged")
        ok(any(r.get("credential") == "assume_role" for r in recs),
           "log: requests signed with issued credentials say so")
        with open(sigpath, encoding="utf-8") as f:
            sigs = [line.split("\t", 1)[1] for line in f.read().splitlines() if line.startswith("issued-")]
        ok(len(sigs) >= 10, "--log-signatures-to: issued secrets and tokens are listed (%d)" % len(sigs))
        ok(not any(sg in log_text for sg in sigs), "log: no issued secret or token in the request log")
        ok(not any(a[k] in log_text for a in sim.data["accounts"] for k in
                   ("secret_key", "access_key_secret") if k in a), "log: no secret key in the request log")
    finally:
        sim.stop()
        os.unlink(sigpath)


def check_list_tencent(sim, tc):
    want = expected_ids(sim, "tc-disc", "redis", "ap-guangzhou")
    ok(len(want) > 1000 and "crs-hidden01" not in want, "expected.json: discovery ids, unlisted ones left out")
    st, r = tc_list(sim, tc, "redis", "ap-guangzhou", {"Limit": 1000, "Offset": 0})
    is_((st, r.get("TotalCount"), len(r.get("InstanceSet", []))), (200, len(want), 1000),
        "tencent redis DescribeInstances: Limit 1000, TotalCount of the region")
    got = [i["InstanceId"] for i in r.get("InstanceSet", [])]
    st, r = tc_list(sim, tc, "redis", "ap-guangzhou", {"Limit": 1000, "Offset": 1000})
    got += [i["InstanceId"] for i in r.get("InstanceSet", [])]
    is_(got, want, "tencent redis: two pages hold every listed instance in order")
    first = r.get("InstanceSet", [{}])[0] if r.get("InstanceSet") else {}
    ok(set(first) >= {"InstanceName", "InstanceId", "Region", "WanIp", "Port", "Status", "InstanceTags"},
       "tencent redis: the listing's fields")
    st, r = tc_list(sim, tc, "redis", "ap-guangzhou", {})
    is_(len(r.get("InstanceSet", [])), 20, "tencent redis: Limit defaults to 20")
    st, r = tc_list(sim, tc, "redis", "ap-guangzhou", {"Limit": 1001})
    is_(tc_code(r), "InvalidParameterValue", "tencent redis: Limit 1001 is refused")
    st, r = tc_list(sim, tc, "redis", "ap-guangzhou", {"Limit": 10, "Offset": 5})
    is_(tc_code(r), "InvalidParameterValue", "tencent redis: an Offset not a multiple of Limit is refused")
    st, r = tc_list(sim, tc, "redis", "ap-guangzhou", {"Limit": "10"})
    is_(tc_code(r), "InvalidParameter", "tencent redis: a Limit that is not an integer is refused")
    st, r = tc_list(sim, tc, "redis", "ap-guangzhou",
                    {"Limit": 1000, "TagList": [{"TagKey": "team", "TagValue": "payments"}]})
    is_(sorted(i["InstanceId"] for i in r.get("InstanceSet", [])),
        sorted(tagged(sim, "tc-disc", "redis", "ap-guangzhou", "team", "payments")),
        "tencent redis: TagList filters by key and value")
    st, r = tc_list(sim, tc, "redis", "ap-guangzhou", {"Limit": 1000, "TagKeys": ["env"]})
    is_(r.get("TotalCount"), len(tagged(sim, "tc-disc", "redis", "ap-guangzhou", "env")),
        "tencent redis: TagKeys filters by key")
    orders = [i for i in tc_list(sim, tc, "redis", "ap-guangzhou", {"Limit": 20})[1]["InstanceSet"]
              if i["InstanceId"] == "crs-orders01"]
    ok(orders and orders[0]["WanIp"] == "10.8.0.10" and orders[0]["Port"] == 6380 and
       {"TagKey": "env", "TagValue": "prod"} in orders[0]["InstanceTags"],
       "tencent redis: WanIp, Port and InstanceTags from the fleet")
    st, r = tc_list(sim, tc, "redis", "ap-shanghai", {"Limit": 10})
    is_([(i["InstanceId"], i["InstanceName"]) for i in r.get("InstanceSet", [])], [("crs-noname01", "")],
        "tencent redis: per region; an empty provider name")
    # PostgreSQL: Limit <= 100, page 2 throttled twice by the fleet's list_faults.
    want = expected_ids(sim, "tc-disc", "postgres", "ap-guangzhou")
    st, r = tc_list(sim, tc, "postgres", "ap-guangzhou", {"Limit": 101})
    is_(tc_code(r), "InvalidParameterValue", "tencent postgres: Limit 101 is refused")
    st, r = tc_list(sim, tc, "postgres", "ap-guangzhou", {"Limit": 100, "Offset": 0})
    got = [i["DBInstanceId"] for i in r.get("DBInstanceSet", [])]
    is_((r.get("TotalCount"), len(got)), (len(want), 100), "tencent postgres: DescribeDBInstances page 1")
    net = r["DBInstanceSet"][0]["DBInstanceNetInfo"] if r.get("DBInstanceSet") else []
    ok(any(n["NetType"] == "private" and n["Port"] == 5432 for n in net), "tencent postgres: DBInstanceNetInfo")
    codes = [tc_code(tc_list(sim, tc, "postgres", "ap-guangzhou", {"Limit": 100, "Offset": 100})[1])
             for _ in range(2)]
    is_(codes, ["RequestLimitExceeded"] * 2, "list_faults: page 2 throttled twice")
    st, r = tc_list(sim, tc, "postgres", "ap-guangzhou", {"Limit": 100, "Offset": 100})
    got += [i["DBInstanceId"] for i in r.get("DBInstanceSet", [])]
    is_(got, want, "tencent postgres: then page 2, every instance once")
    st, r = tc_list(sim, tc, "postgres", "ap-guangzhou",
                    {"Limit": 100, "Filters": [{"Name": "db-tag-key", "Values": ["team"]}]})
    is_(r.get("TotalCount"), len(tagged(sim, "tc-disc", "postgres", "ap-guangzhou", "team")),
        "tencent postgres: Filters db-tag-key")


def check_list_huawei(sim):
    a = sim.account("hw-disc")
    keys, proj = (a["access_key"], a["secret_key"]), a["project_id"]
    want = expected_ids(sim, "hw-disc", "dcs", "eu-de")
    st, r = hw_list(sim, keys, proj, [("limit", "1001")])
    is_((st, r.get("error_code")), (400, "DCS.4800"), "huawei ListInstances: limit 1001 is refused")
    st, r = hw_list(sim, keys, proj, [("offset", "-1")])
    is_(st, 400, "huawei: a negative offset is refused")
    st, r = hw_list(sim, keys, proj, [("limit", "50"), ("offset", "0")])
    got = [i["instance_id"] for i in r.get("instances", [])]
    is_((st, r.get("instance_num"), len(got)), (200, len(want), 50), "huawei: page 1, instance_num")
    st, r = hw_list(sim, keys, proj, [("limit", "50"), ("offset", "50")])
    is_(st, 503, "list_faults: huawei page 2 answers 503 once")
    for off in (50, 100):
        st, r = hw_list(sim, keys, proj, [("limit", "50"), ("offset", str(off))])
        got += [i["instance_id"] for i in r.get("instances", [])]
    is_(got, want, "huawei: every page, every instance once")
    row = r["instances"][0] if r.get("instances") else {}
    ok(set(row) >= {"name", "instance_id", "ip", "port", "domain_name", "status", "tags"}
       and isinstance(row.get("port"), int), "huawei: the listing's fields (port an integer)")
    st, r = hw_list(sim, keys, proj, [("limit", "1000"), ("tags", "team=search")])
    is_(r.get("instance_num"), len(tagged(sim, "hw-disc", "dcs", "eu-de", "team", "search")),
        "huawei: tags=key=value filters")
    st, r = hw_list(sim, keys, proj, [])
    is_(len(r.get("instances", [])), 10, "huawei: limit defaults to 10")


def check_list_alibaba(sim):
    a = sim.account("ali-disc")
    keys = (a["access_key_id"], a["access_key_secret"])
    want = expected_ids(sim, "ali-disc", "redis", "cn-hangzhou")
    st, r = ali_list(sim, keys, "cn-hangzhou", {"PageSize": "51"})
    is_((st, r.get("Code")), (400, "InvalidParameter"), "alibaba DescribeInstances: PageSize 51 is refused")
    st, r = ali_list(sim, keys, "cn-hangzhou", {"PageNumber": "0"})
    is_(st, 400, "alibaba: PageNumber 0 is refused")
    got = []
    for page in (1, 2):
        st, r = ali_list(sim, keys, "cn-hangzhou", {"PageNumber": str(page), "PageSize": "50"})
        got += [i["InstanceId"] for i in r.get("Instances", {}).get("KVStoreInstance", [])]
    is_((r.get("TotalCount"), r.get("PageNumber"), r.get("PageSize")), (len(want), 2, 50),
        "alibaba: TotalCount, PageNumber, PageSize")
    st, r = ali_list(sim, keys, "cn-hangzhou", {"PageNumber": "3", "PageSize": "50"})
    is_((st, r.get("Code")), (403, "Forbidden.RAM"), "list_faults: alibaba page 3 refused once")
    st, r = ali_list(sim, keys, "cn-hangzhou", {"PageNumber": "3", "PageSize": "50"})
    got += [i["InstanceId"] for i in r.get("Instances", {}).get("KVStoreInstance", [])]
    is_(got, want, "alibaba: every page, every instance once")
    row = r["Instances"]["KVStoreInstance"][0] if r.get("Instances") else {}
    ok(set(row) >= {"InstanceName", "InstanceId", "RegionId", "ConnectionDomain", "Port", "Tags"}
       and "Tag" in row.get("Tags", {}), "alibaba: the listing's fields")
    st, r = ali_list(sim, keys, "cn-hangzhou", {"Tag.1.Key": "team", "Tag.1.Value": "payments", "PageSize": "50"})
    is_(r.get("TotalCount"), len(tagged(sim, "ali-disc", "redis", "cn-hangzhou", "team", "payments")),
        "alibaba: Tag.N.Key/Value filters")
    st, data = ali_list(sim, keys, "cn-hangzhou", {"PageSize": "5"}, fmt=None)
    ok(st == 200 and data.count(b"<KVStoreInstance>") == 5 and b"<TotalCount>" in data,
       "alibaba: without Format the listing is XML")
    st, r = ali_list(sim, keys, "cn-beijing")
    is_((st, r.get("TotalCount")), (200, 0), "alibaba: another region lists nothing")


SERVICES_FLEET = os.path.join(DATA, "services.json")


def hw_list_v3(sim, keys, project, query):
    """Huawei RDS GET /v3/{project}/instances (the list when no id is given)."""
    path = "/v3/%s/instances" % project
    hdrs = {"Host": sim.host, "X-Project-Id": project,
            "X-Sdk-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())}
    auth, _, _ = S.hw_sign(keys[0], keys[1], "GET", path, query, hdrs, b"")
    hdrs["Authorization"] = auth
    q = "&".join("%s=%s" % (S.pct(k), S.pct(v)) for k, v in query)
    st, _, data = request(sim, None, "GET", path + ("?" + q if q else ""), None, hdrs)
    return st, jbody(data) or {}


def check_list_services():
    """The list calls of service modules: Tencent cdb/mongodb/sqlserver,
    Huawei rds, Alibaba rds/polardb/dds (tests/data/sim/services.json)."""
    sim = SimProc(SERVICES_FLEET)
    try:
        a = sim.account("tc-svc")
        tc = (a["secret_id"], a["secret_key"])
        for svc, ver, scope, limit, key, name in (("mysql", "2017-03-20", "cdb", 2000, "Items", "InstanceName"),
                                                  ("mongodb", "2019-07-25", "mongodb", 100, "InstanceDetails",
                                                   "InstanceName"),
                                                  ("sqlserver", "2018-03-28", "sqlserver", 100, "DBInstances",
                                                   "Name")):
            want = expected_ids(sim, "tc-svc", svc, "ap-guangzhou")
            st, r = tc_call(sim, tc, "DescribeDBInstances", ver, scope, "ap-guangzhou", {"Limit": limit + 1})
            ok(tc_code(r) and tc_code(r) != "AuthFailure.SignatureFailure",
               "%s DescribeDBInstances: Limit %d is refused (%s)" % (svc, limit + 1, tc_code(r)))
            st, r = tc_call(sim, tc, "DescribeDBInstances", ver, "postgres", "ap-guangzhou", {"Limit": limit})
            is_(tc_code(r), "AuthFailure.SignatureFailure", "%s: signed with another product's scope: refused" % svc)
            got, codes = [], []
            for page in (0, 1, 1):
                offset = page if svc == "sqlserver" else page * limit
                st, r = tc_call(sim, tc, "DescribeDBInstances", ver, scope, "ap-guangzhou",
                                {"Limit": limit, "Offset": offset})
                codes.append(tc_code(r))
                got += [i["InstanceId"] for i in r.get(key, [])]
            is_(codes, [None, "RequestLimitExceeded", None], "%s: page 2 throttled once (list_faults)" % svc)
            is_((got, r.get("TotalCount")), (want, len(want)),
                "%s: every page at Limit %d, every instance once%s" % (
                    svc, limit, " (Offset a page number)" if svc == "sqlserver" else ""))
            row = r[key][0]
            ok({"InstanceId", name, "Region", "Vip", "Vport"} <= set(row), "%s: the listing's fields" % svc)
            st, r = tc_call(sim, tc, "DescribeDBInstances", ver, scope, "ap-shanghai", {"Limit": 10})
            ok(tc_code(r) in ("OperationDenied.UserHasNoStrategy", "InvalidParameter.PermissionDenied",
                              "UnauthorizedOperation.PermissionDenied"),
               "%s: the product's CAM refusal (%s)" % (svc, tc_code(r)))
        tagdoc = {"mysql": {"Tags": [{"Key": "team", "Value": "payments"}]},
                  "mongodb": {"Tags": [{"TagKey": "team", "TagValue": "payments"}]}}
        st, r = tc_call(sim, tc, "DescribeDBInstances", "2017-03-20", "cdb", "ap-guangzhou",
                        dict(tagdoc["mysql"], Limit=2000))
        is_(r.get("TotalCount"), len(tagged(sim, "tc-svc", "mysql", "ap-guangzhou", "team", "payments")),
            "cdb: Tags [{Key, Value}] filter")

        h = sim.account("hw-svc")
        hk = (h["access_key"], h["secret_key"])
        want = expected_ids(sim, "hw-svc", "rds", "eu-de")
        st, r = hw_list_v3(sim, hk, h["project_id"], [("limit", "101")])
        is_((st, r.get("error_code")), (400, "DBS.200001"), "huawei rds: limit 101 is refused")
        got, sts = [], []
        for off in (0, 100, 100):
            st, r = hw_list_v3(sim, hk, h["project_id"], [("limit", "100"), ("offset", str(off))])
            sts.append(st)
            got += [i["id"] for i in r.get("instances", [])]
        is_(sts, [200, 429, 200], "huawei rds: page 2 throttled once")
        is_((got, r.get("total_count")), (want, len(want)), "huawei rds: every page, every instance once")
        ok({"id", "name", "private_ips", "port", "datastore", "tags"} <= set(r["instances"][0]),
           "huawei rds: the listing's fields")
        d = sim.account("hw-deny")
        st, r = hw_list_v3(sim, (d["access_key"], d["secret_key"]), d["project_id"], [])
        is_((st, r.get("error_code")), (403, "DBS.200010"), "huawei rds: the IAM refusal")

        a = sim.account("ali-svc")
        ak = (a["access_key_id"], a["access_key_secret"])
        for svc, action, ver, total, sset, item, ident in (
                ("rds", "DescribeDBInstances", "2014-08-15", "TotalRecordCount", "Items", "DBInstance", "DBInstanceId"),
                ("polardb", "DescribeDBClusters", "2017-08-01", "TotalRecordCount", "Items", "DBCluster", "DBClusterId"),
                ("mongodb", "DescribeDBInstances", "2015-12-01", "TotalCount", "DBInstances", "DBInstance",
                 "DBInstanceId")):
            want = expected_ids(sim, "ali-svc", svc, "cn-hangzhou")
            # dds lists replica sets unless asked for DBInstanceType=sharding
            shards = [i["id"] for i in sim.expected["instances"].values()
                      if i.get("architecture") == "sharding" and i["account"] == "ali-svc"
                      and i["region"] == "cn-hangzhou" and i["listed"]]
            want = [i for i in want if i not in shards]
            base = {"Action": action, "Version": ver, "RegionId": "cn-hangzhou"}
            st, r = ali_call(sim, ak, dict(base, PageSize="101" if svc == "rds" else "40"))
            is_((st, r.get("Code")), (400, "InvalidParameter"), "%s: a PageSize it does not take is refused" % svc)
            got, sts = [], []
            for page in ("1", "2", "2"):
                st, r = ali_call(sim, ak, dict(base, PageNumber=page, PageSize="100"))
                sts.append(st)
                got += [i[ident] for i in r.get(sset, {}).get(item, [])]
            is_(sts, [200, 503, 200], "%s: page 2 throttled once" % svc)
            is_((got, r.get(total)), (want, len(want)), "%s: every page, every instance once" % svc)
            st, r = ali_call(sim, ak, dict(base, RegionId="cn-shanghai"))
            is_((st, r.get("Code")), (403, "Forbidden.RAM"), "%s: the RAM refusal" % svc)
            tk = ("Tag.1.key", "Tag.1.value") if svc == "rds" else ("Tag.1.Key", "Tag.1.Value")
            st, r = ali_call(sim, ak, dict(base, PageSize="100", **{tk[0]: "team", tk[1]: "payments"}))
            is_(r.get(total), len([i for i in tagged(sim, "ali-svc", svc, "cn-hangzhou", "team", "payments")
                                   if i not in shards]),
                "%s: %s/%s filters" % (svc, tk[0], tk[1]))
            if svc != "mongodb":
                continue
            ok(len(shards) == 101, "mongodb: the fleet has 101 sharded clusters")
            got = []
            for page in ("1", "2"):
                st, r = ali_call(sim, ak, dict(base, PageNumber=page, PageSize="100", DBInstanceType="sharding"))
                got += [i[ident] for i in r.get(sset, {}).get(item, [])]
                ok(all(i["DBInstanceType"] == "sharding" for i in r.get(sset, {}).get(item, [])),
                   "mongodb: sharding page %s shows DBInstanceType sharding" % page)
            is_((got, r.get(total)), (shards, len(shards)), "mongodb: DBInstanceType=sharding lists the sharded clusters")
            st, r = ali_call(sim, ak, dict(base, DBInstanceType="cluster"))
            is_((st, r.get("Code")), (400, "InvalidParameter"), "mongodb: an unknown DBInstanceType is refused")
        st, data = ali_call(sim, ak, {"Action": "DescribeDBClusters", "Version": "2017-08-01",
                                      "RegionId": "cn-hangzhou", "PageSize": "30"}, fmt=None)
        ok(st == 200 and data.count(b"<DBCluster>") == 30, "polardb: without Format the listing is XML")
    finally:
        sim.stop()


def poll_until(fn, what, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    diag("gave up waiting for " + what)
    return None


def check_credentials(sim, tc):
    is_(sim.info.get("metadata_url"), "http://127.0.0.1:%d" % sim.info.get("metadata_port", 0),
        "ready file: metadata_url")
    st, data = metadata(sim, "/latest/meta-data/cam/security-credentials/")
    is_((st, data), (200, b"tlsfleet-cvm"), "metadata tencent: the role names")
    st, data = metadata(sim, "/latest/meta-data/cam/security-credentials/nobody")
    is_(st, 404, "metadata tencent: an unknown role is 404")
    st, data = metadata(sim, "/latest/meta-data/cam/security-credentials/tlsfleet-cvm")
    m = jbody(data) or {}
    ok(st == 200 and m.get("Code") == "Success" and m["TmpSecretId"].startswith("AKID") and m.get("Token")
       and isinstance(m.get("ExpiredTime"), int) and m.get("Expiration", "").endswith("Z"),
       "metadata tencent: TmpSecretId, TmpSecretKey, Token, ExpiredTime, Expiration, Code")
    ok(0 < m.get("ExpiredTime", 0) - time.time() <= 3, "--token-lifetime 2: ExpiredTime 2 s ahead")
    inst = sim.instance("cvm-cache")
    body = {"InstanceId": inst["id"]}
    tmp = (m["TmpSecretId"], m["TmpSecretKey"])
    st, r = tc_call(sim, tmp, "DescribeSSLStatus", "2018-04-12", "redis", inst["region"], body, m["Token"])
    ok("Error" not in r and r.get("SSLConfig") is True, "metadata tencent: the credentials work with X-TC-Token")
    st, r = tc_call(sim, tmp, "DescribeSSLStatus", "2018-04-12", "redis", inst["region"], body)
    is_(tc_code(r), "AuthFailure.TokenFailure", "metadata tencent: without the token refused")
    st, data = metadata(sim, "/latest/meta-data/ram/security-credentials/tlsfleet-ecs")
    ma = jbody(data) or {}
    ok(st == 200 and ma.get("Code") == "Success" and ma["AccessKeyId"].startswith("STS.")
       and ma.get("SecurityToken") and ma.get("Expiration", "").endswith("Z"),
       "metadata alibaba: AccessKeyId, AccessKeySecret, SecurityToken, Expiration, Code")
    st, r = ali_list(sim, (ma["AccessKeyId"], ma["AccessKeySecret"]), "cn-hangzhou", token=ma["SecurityToken"])
    is_((st, r.get("TotalCount")), (200, 1), "metadata alibaba: the credentials list the account's instances")
    st, data = metadata(sim, "/openstack/latest/securitykey")
    mh = (jbody(data) or {}).get("credential", {})
    ok(st == 200 and set(mh) == {"access", "secret", "securitytoken", "expires_at"}
       and mh["expires_at"].endswith(".000000Z"), "metadata huawei: credential.{access, secret, securitytoken, expires_at}")
    hw = sim.account("hw-disc")
    st, r = hw_list(sim, (mh["access"], mh["secret"]), hw["project_id"], [("limit", "1")], mh["securitytoken"])
    is_(st, 200, "metadata huawei: the credentials work with X-Security-Token")
    # STS AssumeRole with the account's own keys.
    arn = sim.account("tc-disc")["assume_role"]["role_arn"]
    st, r = tc_call(sim, tc, "AssumeRole", "2018-08-13", "sts", "ap-guangzhou",
                    {"RoleArn": arn + "x", "RoleSessionName": "tlsfleet"})
    is_(tc_code(r), "InvalidParameter.RoleNotExist", "tencent AssumeRole: another role is refused")
    st, r = tc_call(sim, tc, "AssumeRole", "2018-08-13", "sts", "ap-guangzhou",
                    {"RoleArn": arn, "RoleSessionName": "tlsfleet", "DurationSeconds": 900})
    c = r.get("Credentials", {})
    ok(set(c) == {"Token", "TmpSecretId", "TmpSecretKey"} and isinstance(r.get("ExpiredTime"), int)
       and r.get("Expiration", "").endswith("Z"), "tencent AssumeRole: Credentials, ExpiredTime, Expiration")
    tstc = (c.get("TmpSecretId", ""), c.get("TmpSecretKey", ""))
    st, r = tc_list(sim, tstc, "redis", "ap-shanghai", {"Limit": 10}, c.get("Token"))
    is_(r.get("TotalCount"), 1, "tencent AssumeRole: the credentials list the account's instances")
    ali = sim.account("ali-disc")
    st, r = ali_call(sim, (ali["access_key_id"], ali["access_key_secret"]),
                     {"Action": "AssumeRole", "Version": "2015-04-01", "RoleArn": ali["assume_role"]["role_arn"],
                      "RoleSessionName": "tlsfleet", "DurationSeconds": "900"})
    ca = r.get("Credentials", {})
    ok(st == 200 and set(ca) == {"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"}
       and "AssumedRoleUser" in r, "alibaba AssumeRole: Credentials and AssumedRoleUser")
    st, r = ali_call(sim, (ali["access_key_id"], ali["access_key_secret"]),
                     {"Action": "AssumeRole", "Version": "2015-04-01", "RoleArn": "acs:ram::1:role/x",
                      "RoleSessionName": "tlsfleet"})
    is_((st, r.get("Code")), (404, "EntityNotExist.Role"), "alibaba AssumeRole: another role is refused")
    st, r = ali_call(sim, (ali["access_key_id"], ali["access_key_secret"]),
                     {"Action": "AssumeRole", "Version": "2015-04-01", "RoleArn": ali["assume_role"]["role_arn"],
                      "RoleSessionName": "tlsfleet", "DurationSeconds": "600"})
    is_(st, 400, "alibaba AssumeRole: DurationSeconds below 900 is refused")
    akeys = (ca.get("AccessKeyId", ""), ca.get("AccessKeySecret", ""))
    st, r = ali_list(sim, akeys, "cn-hangzhou", {"PageSize": "1"}, token=ca.get("SecurityToken"))
    is_(st, 200, "alibaba AssumeRole: the credentials work with SecurityToken")
    # After --token-lifetime every provider answers its expired-token error.
    r = poll_until(lambda: (lambda x: x if tc_code(x) else None)(
        tc_list(sim, tstc, "redis", "ap-shanghai", {"Limit": 10}, c.get("Token"))[1]), "tencent expiry")
    is_(tc_code(r or {}), "AuthFailure.TokenFailure", "expired: Tencent AuthFailure.TokenFailure (HTTP 200)")
    st, r = poll_until(lambda: (lambda x: x if x[0] != 200 else None)(
        ali_list(sim, akeys, "cn-hangzhou", {"PageSize": "1"}, token=ca.get("SecurityToken"))),
        "alibaba expiry") or (None, {})
    is_((st, r.get("Code")), (400, "InvalidSecurityToken.Expired"), "expired: Alibaba InvalidSecurityToken.Expired")
    st, r = poll_until(lambda: (lambda x: x if x[0] != 200 else None)(
        hw_list(sim, (mh["access"], mh["secret"]), hw["project_id"], [("limit", "1")], mh["securitytoken"])),
        "huawei expiry") or (None, {})
    is_((st, r.get("error_code")), (401, "APIG.0307"), "expired: Huawei 401 APIG.0307")
    st, data = metadata(sim, "/latest/meta-data/cam/security-credentials/tlsfleet-cvm")
    m2 = jbody(data) or {}
    ok(m2.get("TmpSecretId") not in (None, m["TmpSecretId"]), "metadata: new credentials once the old expired")
    st, r = tc_call(sim, (m2["TmpSecretId"], m2["TmpSecretKey"]), "DescribeSSLStatus", "2018-04-12", "redis",
                    inst["region"], body, m2["Token"])
    ok("Error" not in r, "metadata: the new credentials work")


def check_metadata_options():
    sim = SimProc(DISCOVERY, "--metadata-port", "0", "--metadata-delay", "300")
    try:
        t0 = time.monotonic()
        st, _ = metadata(sim, "/latest/meta-data/ram/security-credentials/tlsfleet-ecs")
        ok(st == 200 and time.monotonic() - t0 >= 0.3, "--metadata-delay 300: the answer comes, not before 300 ms")
    finally:
        sim.stop()
    sim = SimProc(os.path.join(DATA, "envkeys.json"))
    try:
        ok("metadata_port" not in sim.info, "without --metadata-port no metadata listener")
    finally:
        sim.stop()

def main():
    try:
        x509.load_pem_x509_certificate
    except AttributeError:
        print("1..0 # SKIP python3-cryptography too old")
        return 0
    t0 = time.monotonic()
    check_tencent_vectors()
    check_huawei_vectors()
    check_alibaba_vectors()
    check_fleet_files()
    check_demo()
    check_reload_and_expiry()
    check_faults()
    check_throttle_and_hang()
    check_throttle_first_and_reset()
    check_skew_and_states()
    check_discovery()
    check_list_services()
    check_metadata_options()
    diag("self-test took %.1f s" % (time.monotonic() - t0))
    done()


if __name__ == "__main__":
    main()
