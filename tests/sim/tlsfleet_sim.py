#!/usr/bin/python3
# -*- coding: utf-8 -*-
"""tlsfleet provider simulator.

Emulates, over HTTPS on 127.0.0.1, the five provider calls tlsfleet makes
(Tencent Cloud Redis DescribeSSLStatus, Tencent Cloud PostgreSQL
DescribeDBInstanceSSLConfig, Huawei Cloud DCS show-SSL and download-cert,
Alibaba Cloud DescribeInstanceSSL) plus the certificate file downloads, the
four list APIs discovery uses, STS AssumeRole (Tencent, Alibaba) and, on a
plain-HTTP listener of its own, the instance metadata credential endpoints.
It verifies request signatures the way the services do, answers in their
shapes, and can add latency, throttling and faults. See tests/sim/README for
the command line and the fleet file format.

Standard library plus python3-cryptography only (Debian packages both).
Every key, token and signature the simulator sees is a throw-away test value,
yet none is ever written to a message or to the request log.
"""

import argparse
import base64
import collections
import datetime
import email.utils
import hashlib
import hmac
import io
import ipaddress
import json
import os
import random
import re
import secrets
import signal
import socket
import ssl
import string
import struct
import sys
import tarfile
import threading
import time
import uuid
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
try:    # cryptography >= 37; without it the archives just lack their .p7b entry
    from cryptography.hazmat.primitives.serialization.pkcs7 import serialize_certificates
except ImportError:
    serialize_certificates = None
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

UTC = datetime.timezone.utc
CST = datetime.timezone(datetime.timedelta(hours=8))   # Tencent's zone-less times

MAX_BODY = 1 << 20          # largest request body accepted
HANG_MAX_S = 60.0           # "hang" answers nothing, then closes after this
SLOW_BODY_TOTAL_S = 45.0    # slow_body drips the body over this long ...
SLOW_BODY_MAX_S = 60.0      # ... and never longer than this
IDLE_TIMEOUT_S = 120.0      # keep-alive connection idle limit
HANDSHAKE_TIMEOUT_S = 10.0
TENCENT_SKEW_S = 300        # Tencent rejects more than 5 minutes
HUAWEI_SKEW_S = 900         # APIG: about 15 minutes
ALIBABA_SKEW_S = 900        # Alibaba: 15 minutes
NONCE_WINDOW_S = 900
NONCE_MAX = 200000
HUGE_SIZE = 11 * 1024 * 1024
OBS_AK = "SIMOBSACCESSKEY00000"  # the simulated object store's own key id

FAULT_KINDS = ("reset", "truncate", "slow_body", "5xx", "throttle",
               "wrong_content_type", "hang")
DEFAULT_FAULTS = ("reset", "truncate", "5xx", "throttle", "wrong_content_type")

# ---------------------------------------------------------------------------
# Signing (pure functions; the self-test checks them against the vectors)
# ---------------------------------------------------------------------------


def sha256_hex(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _hmac(key, msg, algo=hashlib.sha256):
    if isinstance(key, str):
        key = key.encode("utf-8")
    if isinstance(msg, str):
        msg = msg.encode("utf-8")
    return hmac.new(key, msg, algo).digest()


def pct(value):
    """RFC 3986 percent-encoding: only A-Z a-z 0-9 - _ . ~ stay as they are."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return quote(str(value), safe="")


# Tencent Cloud API 3.0, TC3-HMAC-SHA256.

def tc3_canonical_request(method, uri, query, headers, signed_headers, body):
    """headers: lower-case name -> value as sent. The service lower-cases and
    trims each signed value (its documented rule; the SDK's values are
    already lower-case)."""
    canon = "".join("%s:%s\n" % (n, headers.get(n, "").strip().lower())
                    for n in signed_headers)
    return "\n".join([method, uri, query, canon, ";".join(signed_headers),
                      sha256_hex(body)])


def tc3_date(timestamp):
    return datetime.datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d")


def tc3_string_to_sign(timestamp, service, canonical_request):
    return "TC3-HMAC-SHA256\n%d\n%s/%s/tc3_request\n%s" % (
        int(timestamp), tc3_date(timestamp), service, sha256_hex(canonical_request))


def tc3_signature(secret_key, date, service, string_to_sign):
    k = _hmac("TC3" + secret_key, date)
    k = _hmac(k, service)
    k = _hmac(k, "tc3_request")
    return hmac.new(k, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def tc3_sign(secret_id, secret_key, service, timestamp, host, body,
             content_type="application/json", method="POST"):
    """What the SDK does: sign content-type;host. Returns (authorization,
    canonical_request, string_to_sign)."""
    signed = ["content-type", "host"]
    canonical = tc3_canonical_request(method, "/", "", {
        "content-type": content_type, "host": host}, signed, body)
    sts = tc3_string_to_sign(timestamp, service, canonical)
    sig = tc3_signature(secret_key, tc3_date(timestamp), service, sts)
    auth = "TC3-HMAC-SHA256 Credential=%s/%s/%s/tc3_request, SignedHeaders=%s, Signature=%s" % (
        secret_id, tc3_date(timestamp), service, ";".join(signed), sig)
    return auth, canonical, sts


# Huawei Cloud APIG, SDK-HMAC-SHA256.

def hw_canonical_uri(path):
    uri = "/".join(pct(unquote(seg)) for seg in path.split("/"))
    return uri if uri.endswith("/") else uri + "/"


def hw_canonical_query(pairs):
    """pairs: decoded (key, value) tuples."""
    return "&".join("%s=%s" % (pct(k), pct(v)) for k, v in sorted(pairs))


def hw_canonical_request(method, path, query_pairs, headers, signed_headers, body):
    canon = "".join("%s:%s\n" % (n, headers.get(n, "").strip()) for n in signed_headers)
    return "\n".join([method, hw_canonical_uri(path), hw_canonical_query(query_pairs),
                      canon, ";".join(signed_headers), sha256_hex(body)])


def hw_string_to_sign(sdk_date, canonical_request):
    return "SDK-HMAC-SHA256\n%s\n%s" % (sdk_date, sha256_hex(canonical_request))


def hw_signature(secret_key, string_to_sign):
    return hmac.new(secret_key.encode("utf-8"), string_to_sign.encode("utf-8"),
                    hashlib.sha256).hexdigest()


def hw_sign(access_key, secret_key, method, path, query_pairs, headers, body):
    """The SDK signs every header it sends. headers: name -> value (any case).
    Returns (authorization, canonical_request, string_to_sign)."""
    low = {k.lower(): v for k, v in headers.items()}
    signed = sorted(low)
    canonical = hw_canonical_request(method, path, query_pairs, low, signed, body)
    sts = hw_string_to_sign(low["x-sdk-date"], canonical)
    auth = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (
        access_key, ";".join(signed), hw_signature(secret_key, sts))
    return auth, canonical, sts


# Alibaba Cloud RPC signature V1 (HMAC-SHA1).

def ali_canonical_query(params):
    return "&".join("%s=%s" % (pct(k), pct(params[k])) for k in sorted(params))


def ali_string_to_sign(method, params):
    return "%s&%s&%s" % (method, pct("/"), pct(ali_canonical_query(params)))


def ali_signature(secret, string_to_sign):
    return base64.b64encode(_hmac(secret + "&", string_to_sign, hashlib.sha1)).decode("ascii")


def ali_sign(params, secret, method="GET"):
    """params without Signature. Returns (signature, string_to_sign)."""
    sts = ali_string_to_sign(method, params)
    return ali_signature(secret, sts), sts


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def iso_z(t):
    return datetime.datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms_z(t):
    dt = datetime.datetime.fromtimestamp(t, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def cst_time(t):
    return datetime.datetime.fromtimestamp(int(t), CST).strftime("%Y-%m-%d %H:%M:%S")


def jdump(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_atomic(path, data, mode=0o644):
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp = "%s.tmp.%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    finally:
        os.close(fd)
    os.replace(tmp, path)


def short_hash(*parts):
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:12]


def xml_escape(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


class Resp:
    """One HTTP answer. body None means no body at all (HTTP 204)."""

    def __init__(self, status, body, ctype="application/json;charset=utf-8",
                 code=None, headers=None):
        self.status = status
        self.body = body
        self.ctype = ctype
        self.code = code
        self.headers = headers or []


def json_resp(status, obj, code=None, headers=None):
    return Resp(status, jdump(obj), code=code, headers=headers)


# ---------------------------------------------------------------------------
# Fleet file
# ---------------------------------------------------------------------------

PROVIDERS = {
    "tencent": {"services": ("redis", "postgres"),
                "keys": ("secret_id", "secret_key"), "token": "token"},
    "huawei": {"services": ("dcs",),
               "keys": ("access_key", "secret_key"), "token": "security_token"},
    "alibaba": {"services": ("redis",),
                "keys": ("access_key_id", "access_key_secret"), "token": "security_token"},
}

BASE_SCENARIOS = ("enabled", "disabled", "unsupported", "not_found", "auth_error",
                  "throttled", "error_500", "malformed", "wrong_type", "hang", "reset",
                  "provider_error", "raw")
META_SCENARIOS = ("throttle_first", "slow")     # these defer to "then"

ACCOUNT_KEYS = {"name", "provider", "secret_id", "secret_key", "token", "access_key",
                "security_token", "project_id", "access_key_id", "access_key_secret",
                "inline", "rate_limit", "throttle_rate", "config", "config_omit",
                "endpoint", "in_config", "instance_role", "assume_role"}
ASSUME_ROLE_KEYS = {"role_arn", "role_session_name", "duration"}
INSTANCE_KEYS = {"name", "account", "service", "region", "id", "scenario", "then",
                 "ca", "ca_days_left", "ca_key", "archive", "file_name", "cert_url",
                 "url_expired", "url_ttl_s", "server_dies_mid_body", "throttle_count",
                 "delay_ms", "hang_s", "project_id", "error_code", "error_message",
                 "http_status", "api_expires_days_left", "domain_name", "ip", "ipv6",
                 "port", "connect_address", "cert_common_name", "disabled_form",
                 "bucket_name", "extra", "config", "in_config", "zip_extra_entries", "url_query",
                 "raw_body", "raw_body_b64", "content_type", "file_stall_s",
                 "listed", "tags", "provider_name"}
GENERATE_KEYS = {"count", "name", "id", "start", "tags_cycle"}
LIST_FAULT_KEYS = {"account", "service", "region", "page", "fault", "times"}
LIST_FAULTS = ("throttle", "5xx", "auth_error", "error_500", "reset", "malformed")
CA_KEYS = {"days_left", "key", "cn", "org"}
# Archives with no certificate tlsfleet reads (jks_zip, p12_zip, tar_gz,
# html) and a zip whose entry ca.pem is really DER (zip_der_ca_pem).
ARCHIVES = ("zip", "pem", "der", "garbage", "empty_zip",
            "jks_zip", "p12_zip", "tar_gz", "html", "zip_der_ca_pem")


class FleetError(Exception):
    pass


def _scenarios_for(provider, service):
    s = set(BASE_SCENARIOS) | set(META_SCENARIOS)
    if provider == "tencent" and service == "redis":
        s.add("configuring")
    if provider == "huawei":
        s.add("no_info")
    return s


class CASpec:
    """A provider CA the archives contain. chain: Alibaba serves intermediate
    + root; the intermediate carries the given expiry (the earliest)."""

    def __init__(self, name, provider, days_left, key, cn, org, chain):
        self.name = name
        self.provider = provider
        self.days_left = days_left
        self.key = key
        self.cn = cn
        self.org = org
        self.chain = chain

    def ident(self):
        return (self.name, self.provider, self.days_left, self.key, self.cn, self.org,
                self.chain)


DEFAULT_CA = {
    "tencent": ("rsa", "TencentDB SSL CA"),
    "huawei": ("ec", "DCS Redis SSL CA"),
    "alibaba": ("rsa", "ApsaraDB Redis CA"),
}


class Fleet:
    def __init__(self, data, path="fleet"):
        self.path = path
        self.raw = data
        self.accounts = {}
        self.instances = []
        self.by_key = {}            # (provider, key id) -> account dict
        self.cas = {}               # CA spec name -> CASpec
        self.by_id = {}             # (account name, instance id) -> instance
        self._validate(data)

    def _err(self, where, msg):
        raise FleetError("%s: %s: %s" % (self.path, where, msg))

    @staticmethod
    def _unknown(obj, allowed):
        return sorted(k for k in obj if k not in allowed and not k.startswith("_"))

    def _validate(self, data):
        if not isinstance(data, dict):
            self._err("top level", "must be an object")
        bad = self._unknown(data, {"config", "clock_offset_s", "accounts", "instances", "cas",
                                   "list_faults"})
        if bad:
            self._err("top level", "unknown key(s) %s" % ", ".join(bad))
        self.config = data.get("config", {})
        if not isinstance(self.config, dict):
            self._err("config", "must be an object")
        for k, v in self.config.items():
            _config_value(v, "config.%s" % k, self)
        self.clock_offset = data.get("clock_offset_s", 0)
        if not isinstance(self.clock_offset, (int, float)) or isinstance(self.clock_offset, bool):
            self._err("clock_offset_s", "must be a number")
        named_cas = data.get("cas", {})
        if not isinstance(named_cas, dict):
            self._err("cas", "must be an object")
        for name, c in named_cas.items():
            if not isinstance(c, dict):
                self._err("cas.%s" % name, "must be an object")
            bad = self._unknown(c, CA_KEYS)
            if bad:
                self._err("cas.%s" % name, "unknown key(s) %s" % ", ".join(bad))
        accounts = data.get("accounts")
        if not isinstance(accounts, list):
            self._err("accounts", "must be a list")
        for i, a in enumerate(accounts):
            self._account(i, a)
        instances = data.get("instances")
        if not isinstance(instances, list):
            self._err("instances", "must be a list")
        seen = set()
        n = 0
        for i, entry in enumerate(instances):
            for inst in self._expand(i, entry):
                self._instance(n, inst, named_cas, seen)
                n += 1
        self.list_faults = self._list_faults(data.get("list_faults", []))

    def _expand(self, i, entry):
        """{"generate": {...}, <instance keys>}: count instances named and
        numbered by the "name" and "id" patterns ({n}, {n:03d}: 1-based from
        "start"), each with the other keys; "tags_cycle" gives instance n the
        tags at (n - start) modulo its length, merged over "tags"."""
        if not isinstance(entry, dict) or "generate" not in entry:
            return [entry]
        where = "instances[%d] generate" % i
        g = entry["generate"]
        if not isinstance(g, dict):
            self._err(where, "must be an object")
        bad = self._unknown(g, GENERATE_KEYS)
        if bad:
            self._err(where, "unknown key(s) %s" % ", ".join(bad))
        count, start = g.get("count"), g.get("start", 1)
        for k, v in (("count", count), ("start", start)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v > 100000:
                self._err(where, "%s must be an integer 0..100000" % k)
        cycle = g.get("tags_cycle", [])
        if not (isinstance(cycle, list) and all(isinstance(t, dict) for t in cycle)):
            self._err(where, "tags_cycle must be a list of tag objects")
        base = {k: v for k, v in entry.items() if k != "generate"}
        for k in ("account", "service", "region"):
            if not isinstance(base.get(k), str) or not base[k]:
                self._err(where, "needs %s (a non-empty string)" % k)
        name_pat = g.get("name", "%s-%s-{n:04d}" % (base["service"], base["region"]))
        id_pat = g.get("id", "gen-%s-%s-{n:05d}" % (base["service"], short_hash(base["account"], base["region"])[:6]))
        out = []
        for n in range(start, start + count):
            inst = json.loads(json.dumps(base))
            try:
                inst["name"] = name_pat.format(n=n)
                inst["id"] = id_pat.format(n=n)
            except (AttributeError, KeyError, IndexError, ValueError) as e:
                self._err(where, "bad name or id pattern: %s" % e)
            if cycle:
                tags = dict(inst.get("tags", {}))
                tags.update(cycle[(n - start) % len(cycle)])
                inst["tags"] = tags
            out.append(inst)
        return out

    def _list_faults(self, faults):
        if not isinstance(faults, list):
            self._err("list_faults", "must be a list")
        out = []
        for i, f in enumerate(faults):
            where = "list_faults[%d]" % i
            if not isinstance(f, dict):
                self._err(where, "must be an object")
            bad = self._unknown(f, LIST_FAULT_KEYS)
            if bad:
                self._err(where, "unknown key(s) %s" % ", ".join(bad))
            acct = self.accounts.get(f.get("account"))
            if acct is None:
                self._err(where, "unknown account %r" % f.get("account"))
            if "service" in f and f["service"] not in PROVIDERS[acct["provider"]]["services"]:
                self._err(where, "service %r is not a %s service" % (f["service"], acct["provider"]))
            if f.get("fault") not in LIST_FAULTS:
                self._err(where, "fault must be one of %s" % ", ".join(LIST_FAULTS))
            for k, lo in (("page", 1), ("times", 0)):
                v = f.get(k, 1)
                if not isinstance(v, int) or isinstance(v, bool) or v < lo:
                    self._err(where, "%s must be an integer >= %d" % (k, lo))
            if "region" in f and not isinstance(f["region"], str):
                self._err(where, "region must be a string")
            out.append(dict(f))
        return out

    def _account(self, i, a):
        where = "accounts[%d]" % i
        if not isinstance(a, dict):
            self._err(where, "must be an object")
        bad = self._unknown(a, ACCOUNT_KEYS)
        if bad:
            self._err(where, "unknown key(s) %s" % ", ".join(bad))
        name = a.get("name")
        if not isinstance(name, str) or not name:
            self._err(where, "needs a name")
        where = "account %r" % name
        if name in self.accounts:
            self._err(where, "duplicate name")
        prov = a.get("provider")
        if prov not in PROVIDERS:
            self._err(where, "provider must be one of %s" % ", ".join(PROVIDERS))
        spec = PROVIDERS[prov]
        for k in spec["keys"]:
            if not isinstance(a.get(k), str) or not a[k]:
                self._err(where, "needs %s (the simulator verifies with it)" % k)
        creds = {"secret_id", "secret_key", "token", "access_key", "security_token",
                 "access_key_id", "access_key_secret", "project_id"}
        mine = set(spec["keys"]) | {spec["token"]} | ({"project_id"} if prov == "huawei" else set())
        for k in sorted(creds - mine):
            if k in a:
                self._err(where, "%s does not apply to a %s account" % (k, prov))
        tok = a.get(spec["token"])
        if tok is not None and (not isinstance(tok, str) or not tok):
            self._err(where, "%s must be a non-empty string or null" % spec["token"])
        if prov == "alibaba" and a["access_key_id"].startswith("STS.") and not tok:
            self._err(where, "an STS.* access key needs security_token")
        for k in ("rate_limit", "throttle_rate"):
            if k in a and (not isinstance(a[k], (int, float)) or isinstance(a[k], bool)
                           or a[k] < 0):
                self._err(where, "%s must be a number >= 0" % k)
        if "config" in a:
            if not isinstance(a["config"], dict):
                self._err(where, "config must be an object")
            for k, v in a["config"].items():
                _config_value(v, "%s config.%s" % (where, k), self)
        if "config_omit" in a and not (isinstance(a["config_omit"], list) and
                                       all(isinstance(x, str) for x in a["config_omit"])):
            self._err(where, "config_omit must be a list of names")
        for k in ("inline", "in_config"):
            if k in a and not isinstance(a[k], bool):
                self._err(where, "%s must be true or false" % k)
        if "endpoint" in a and not isinstance(a["endpoint"], str):
            self._err(where, "endpoint must be a string")
        if prov == "huawei" and "project_id" in a and not isinstance(a["project_id"], str):
            self._err(where, "project_id must be a string")
        if "instance_role" in a:
            if not isinstance(a["instance_role"], str) or not a["instance_role"]:
                self._err(where, "instance_role must be a role name")
            for other in self.accounts.values():
                if (other["provider"] == prov and other.get("instance_role") == a["instance_role"]
                        or prov == "huawei" == other["provider"] and "instance_role" in other):
                    self._err(where, "instance role already served for account %r" % other["name"])
        if "assume_role" in a:
            ar = a["assume_role"]
            if prov == "huawei":
                self._err(where, "assume_role: only Tencent and Alibaba have an STS AssumeRole")
            if not isinstance(ar, dict) or not isinstance(ar.get("role_arn"), str) or not ar["role_arn"]:
                self._err(where, "assume_role needs role_arn")
            bad = self._unknown(ar, ASSUME_ROLE_KEYS)
            if bad:
                self._err(where, "assume_role: unknown key(s) %s" % ", ".join(bad))
        acct = dict(a)
        acct["key_id"] = a[spec["keys"][0]]
        acct["secret"] = a[spec["keys"][1]]
        acct["tok"] = tok
        key = (prov, acct["key_id"])
        if key in self.by_key:
            self._err(where, "key id already used by account %r" % self.by_key[key]["name"])
        self.accounts[name] = acct
        self.by_key[key] = acct

    def _instance(self, i, inst, named_cas, seen):
        where = "instances[%d]" % i
        if not isinstance(inst, dict):
            self._err(where, "must be an object")
        bad = self._unknown(inst, INSTANCE_KEYS)
        if bad:
            self._err(where, "unknown key(s) %s" % ", ".join(bad))
        for k in ("name", "account", "service", "region", "id"):
            if not isinstance(inst.get(k), str) or not inst[k]:
                self._err(where, "needs %s (a non-empty string)" % k)
        where = "instance %r" % inst["name"]
        if inst["name"] in seen:
            self._err(where, "duplicate name")
        seen.add(inst["name"])
        acct = self.accounts.get(inst["account"])
        if acct is None:
            self._err(where, "unknown account %r" % inst["account"])
        prov = acct["provider"]
        if inst["service"] not in PROVIDERS[prov]["services"]:
            self._err(where, "service %r is not a %s service (%s)" % (
                inst["service"], prov, ", ".join(PROVIDERS[prov]["services"])))
        other = self.by_id.get((inst["account"], inst["id"]))
        if other is not None:
            self._err(where, "id %r already used by %r" % (inst["id"], other["name"]))
        allowed = _scenarios_for(prov, inst["service"])
        sc = inst.get("scenario", "enabled")
        if sc not in allowed:
            self._err(where, "scenario %r not possible here (one of %s)" % (
                sc, ", ".join(sorted(allowed))))
        then = inst.get("then", "enabled")
        if then not in allowed or then in META_SCENARIOS:
            self._err(where, "then %r must be a plain scenario" % then)
        if sc == "provider_error" and not isinstance(inst.get("error_code"), str):
            self._err(where, "provider_error needs error_code")
        if "raw_body" in inst and "raw_body_b64" in inst:
            self._err(where, "give raw_body or raw_body_b64, not both")
        if "raw_body_b64" in inst:
            if not isinstance(inst["raw_body_b64"], str):
                self._err(where, "raw_body_b64 must be a string")
            try:
                base64.b64decode(inst["raw_body_b64"], validate=True)
            except (TypeError, ValueError):
                self._err(where, "raw_body_b64 must be base64")
        if sc == "raw" and "raw_body" not in inst and "raw_body_b64" not in inst:
            self._err(where, "raw needs raw_body or raw_body_b64")
        for k in ("ca_days_left", "url_ttl_s", "throttle_count", "delay_ms", "hang_s",
                  "http_status", "api_expires_days_left", "file_stall_s"):
            if k in inst and (not isinstance(inst[k], (int, float)) or isinstance(inst[k], bool)):
                self._err(where, "%s must be a number" % k)
        if "tags" in inst and not (isinstance(inst["tags"], dict) and all(
                isinstance(k, str) and k and isinstance(v, str) for k, v in inst["tags"].items())):
            self._err(where, "tags must be an object of strings")
        for k in ("url_expired", "server_dies_mid_body", "in_config", "url_query", "listed"):
            if k in inst and not isinstance(inst[k], bool):
                self._err(where, "%s must be true or false" % k)
        for k in ("file_name", "cert_url", "error_code", "error_message", "domain_name",
                  "ip", "ipv6", "port", "connect_address", "cert_common_name",
                  "bucket_name", "project_id", "ca", "raw_body", "content_type", "provider_name"):
            if k in inst and not isinstance(inst[k], str):
                self._err(where, "%s must be a string" % k)
        if inst.get("archive", "zip") not in ARCHIVES:
            self._err(where, "archive must be one of %s" % ", ".join(ARCHIVES))
        if inst.get("ca_key", "rsa") not in ("rsa", "ec"):
            self._err(where, "ca_key must be rsa or ec")
        if inst.get("disabled_form", "false") not in ("false", "empty"):
            self._err(where, "disabled_form must be \"false\" or \"empty\"")
        if "extra" in inst and not isinstance(inst["extra"], dict):
            self._err(where, "extra must be an object")
        if "config" in inst:
            if not isinstance(inst["config"], dict):
                self._err(where, "config must be an object")
            for k, v in inst["config"].items():
                _config_value(v, "%s config.%s" % (where, k), self)
        if "zip_extra_entries" in inst and not (
                isinstance(inst["zip_extra_entries"], list)
                and all(isinstance(x, str) and x for x in inst["zip_extra_entries"])):
            self._err(where, "zip_extra_entries must be a list of entry names")
        if prov == "huawei" and not (inst.get("project_id") or acct.get("project_id")):
            self._err(where, "needs a project_id (instance or account)")
        # The CA the archive holds.
        if "ca" in inst:
            c = named_cas.get(inst["ca"])
            if c is None:
                self._err(where, "unknown ca %r (define it under \"cas\")" % inst["ca"])
            dkey, dcn = DEFAULT_CA[prov]
            days = c.get("days_left", 400)
            if not isinstance(days, (int, float)) or isinstance(days, bool):
                self._err("cas.%s" % inst["ca"], "days_left must be a number")
            spec = CASpec(inst["ca"], prov, days, c.get("key", dkey),
                          c.get("cn", "%s %s" % (dcn, inst["ca"])), c.get("org", "tlsfleet simulator"),
                          prov == "alibaba")
            if spec.key not in ("rsa", "ec"):
                self._err("cas.%s" % inst["ca"], "key must be rsa or ec")
        else:
            dkey, dcn = DEFAULT_CA[prov]
            days = inst.get("ca_days_left", 400)
            key = inst.get("ca_key", dkey)
            name = "%s-%sd-%s" % (prov, days, key)
            spec = CASpec(name, prov, days, key, "%s %s" % (dcn, name), "tlsfleet simulator",
                          prov == "alibaba")
        prev = self.cas.get(spec.name)
        if prev is not None and prev.ident() != spec.ident():
            self._err(where, "ca %r is used by two providers; give each its own" % spec.name)
        self.cas[spec.name] = spec
        rec = dict(inst)
        rec["provider"] = prov
        rec["scenario"] = sc
        rec["then"] = then
        rec["ca_spec"] = spec.name
        rec["project"] = inst.get("project_id") or acct.get("project_id")
        rec["key"] = json.dumps(inst, sort_keys=True)   # runtime state survives reloads
        self.instances.append(rec)
        self.by_id[(rec["account"], rec["id"])] = rec

    def find(self, account_name, instance_id):
        return self.by_id.get((account_name, instance_id))

    def listing(self, account_name, service, region=None, project=None):
        """What a list API shows the account: its listed instances of the
        service in the region (Huawei: in the project), in fleet order."""
        return [i for i in self.instances
                if i["account"] == account_name and i["service"] == service
                and i.get("listed", True)
                and (region is None or i["region"] == region)
                and (project is None or i["project"] == project)]

    def projects_of(self, account_name):
        acct = self.accounts[account_name]
        out = {acct.get("project_id")} if acct.get("project_id") else set()
        for inst in self.instances:
            if inst["account"] == account_name:
                out.add(inst["project"])
        return out


def load_fleet(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise FleetError("%s: %s" % (path, e))
    return Fleet(data, path)


def provider_name(inst):
    """The instance's name at the provider (what a list API shows)."""
    return inst.get("provider_name", inst["name"])


def _port(value, default):
    v = default if value is None else value
    return int(v) if v.isdigit() else v      # hostile ports stay verbatim


def list_address(inst):
    """The connect address a list API gives; the same defaults as the status
    answers (Tencent PostgreSQL ConnectAddress, Huawei ip/domain_name)."""
    prov, svc = inst["provider"], inst["service"]
    h = int(short_hash(inst["id"])[:4], 16)
    if prov == "tencent" and svc == "redis":
        return {"host": inst.get("ip", "10.1.%d.%d" % (h >> 8 & 255, h & 255 | 1)),
                "port": _port(inst.get("port"), "6379")}
    if prov == "tencent":
        return {"host": inst.get("connect_address", "10.0.%d.%d" % (h >> 8 & 255, h & 255 | 1)),
                "port": _port(inst.get("port"), "5432")}
    if prov == "huawei":
        port = inst.get("port", "6379")
        domain = inst.get("domain_name", "redis-%s.dcs.example.com:%s" % (inst["id"], port))
        host = domain[:-len(":" + port)] if domain.endswith(":" + port) else domain
        return {"host": host, "domain_name": domain, "port": _port(port, "6379"),
                "ip": inst.get("ip", "192.168.%d.%d" % (h >> 8 & 255, h & 255 | 1))}
    return {"host": inst.get("domain_name", "%s.redis.rds.aliyuncs.com" % inst["id"]),
            "port": _port(inst.get("port"), "6379")}


# ---------------------------------------------------------------------------
# tlsfleet config writer (libconfig syntax)
# ---------------------------------------------------------------------------


def _config_value(v, where, fleet=None):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v) if -2**31 <= v < 2**31 else "%dL" % v
    if isinstance(v, float):
        s = repr(v)
        if "e" in s or "inf" in s or "nan" in s:
            s = "%.10f" % v
        return s if "." in s else s + ".0"
    if isinstance(v, str):
        return _config_string(v)
    if isinstance(v, list) and all(isinstance(x, (str, int, float)) for x in v):
        # libconfig arrays hold one scalar type; a list holds any
        same = len({type(x) for x in v}) <= 1
        return ("[ %s ]" if same else "( %s )") % ", ".join(_config_value(x, where) for x in v)
    msg = "config value must be a string, number, boolean or list of them"
    if fleet is not None:
        fleet._err(where, msg)
    raise FleetError("%s: %s" % (where, msg))


def _config_string(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7f:
            out.append("\\x%02x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def render_config(fleet, base_url, ca_file, state_dir, meta_url=None):
    sub = (lambda s: s.replace("{base}", base_url).replace("{metadata}", meta_url or ""))
    lines = ["# tlsfleet configuration written by tlsfleet_sim.py for %s." % os.path.basename(fleet.path),
             "# Every key in it is a throw-away test value of the simulator.", ""]
    globals_ = {"refresh_interval": 300}
    globals_.update(fleet.config)
    globals_.setdefault("download_dir", os.path.join(state_dir, "downloads"))
    globals_.setdefault("ca_file", ca_file)
    for k, v in globals_.items():
        lines.append("%s = %s;" % (k, _config_value(sub(v) if isinstance(v, str) else v, k)))
    lines.append("")
    lines.append("accounts = (")
    groups = []
    for acct in fleet.accounts.values():
        if not acct.get("in_config", True):
            continue
        prov = acct["provider"]
        omit = set(acct.get("config_omit", []))
        items = [("name", acct["name"]), ("provider", prov),
                 ("endpoint", sub(acct.get("endpoint", "{base}")))]
        role = acct.get("instance_role")
        if acct.get("inline", True) and role is None:
            for k in PROVIDERS[prov]["keys"]:
                items.append((k, acct[k]))
            if acct["tok"]:
                items.append((PROVIDERS[prov]["token"], acct["tok"]))
        if prov == "huawei" and acct.get("project_id"):
            items.append(("project_id", acct["project_id"]))
        if role is not None:
            # The keys come from the metadata listener (Huawei has no role name).
            items.append(("auth", "instance_role"))
            if prov != "huawei":
                items.append(("role_name", role))
            if meta_url:
                items.append(("metadata_endpoint", meta_url))
        elif "assume_role" in acct:
            ar = acct["assume_role"]
            items += [("auth", "assume_role"), ("role_arn", ar["role_arn"])]
            items += [(k, ar[k]) for k in ("role_session_name", "duration") if k in ar]
            items.append(("sts_endpoint", sub(acct.get("endpoint", "{base}"))))
        if "rate_limit" in acct:
            items.append(("rate_limit", acct["rate_limit"]))
        for k, v in acct.get("config", {}).items():
            items.append((k, sub(v) if isinstance(v, str) else v))
        body = "".join("    %s = %s;\n" % (k, _config_value(v, k)) for k, v in items if k not in omit)
        groups.append("  {\n%s  }" % body)
    lines.append(",\n".join(groups))
    lines.append(");")
    lines.append("")
    lines.append("instances = (")
    groups = []
    for inst in fleet.instances:
        if not inst.get("in_config", True):
            continue
        items = [("name", inst["name"]), ("account", inst["account"]),
                 ("service", inst["service"]), ("region", inst["region"]), ("id", inst["id"])]
        if inst.get("project_id"):
            items.append(("project_id", inst["project_id"]))
        for k, v in inst.get("config", {}).items():
            items.append((k, sub(v) if isinstance(v, str) else v))
        groups.append("  { %s }" % " ".join("%s = %s;" % (k, _config_value(v, k)) for k, v in items))
    lines.append(",\n".join(groups))
    lines.append(");")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------


def _dt(t):
    return datetime.datetime.fromtimestamp(int(t), UTC).replace(tzinfo=None)


def _not_after(cert):
    """Epoch seconds; cryptography >= 42 deprecates the naive properties."""
    dt = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after.replace(tzinfo=UTC)
    return dt.timestamp()


def _not_before(cert):
    dt = getattr(cert, "not_valid_before_utc", None) or cert.not_valid_before.replace(tzinfo=UTC)
    return dt.timestamp()


def _new_key(kind):
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _key_kind(key):
    return "rsa" if isinstance(key, rsa.RSAPrivateKey) else "ec"


def _pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _name(cn, org, country=None):
    attrs = []
    if country:
        attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, country))
    attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _issue(subject, key, issuer, issuer_key, not_before, not_after, ca, san=None):
    b = (x509.CertificateBuilder()
         .subject_name(subject).issuer_name(issuer)
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(_dt(not_before)).not_valid_after(_dt(not_after))
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
             issuer_key.public_key()), False))
    if ca:
        b = (b.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
             .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                          key_encipherment=False, data_encipherment=False,
                                          key_agreement=False, key_cert_sign=True,
                                          crl_sign=True, encipher_only=False,
                                          decipher_only=False), True))
    else:
        b = (b.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
             .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                          key_encipherment=_key_kind(key) == "rsa",
                                          data_encipherment=False, key_agreement=False,
                                          key_cert_sign=False, crl_sign=False,
                                          encipher_only=False, decipher_only=False), True)
             .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False))
    if san:
        b = b.add_extension(x509.SubjectAlternativeName(san), False)
    return b.sign(issuer_key, hashes.SHA256())


def _load_key(path, kind=None):
    try:
        with open(path, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), None)
    except (OSError, ValueError, TypeError):
        return None
    if kind is not None and _key_kind(key) != kind:
        return None
    return key


def _save_key(path, key):
    write_atomic(path, _pem_key(key), 0o600)


def _sim_certs_valid(state_dir):
    """The CA and server certificate of an earlier run are reused when they
    still belong together and stay valid for at least another day."""
    try:
        with open(os.path.join(state_dir, "ca.pem"), "rb") as f:
            ca = x509.load_pem_x509_certificate(f.read())
        with open(os.path.join(state_dir, "server.pem"), "rb") as f:
            srv = x509.load_pem_x509_certificate(f.read())
    except (OSError, ValueError):
        return False
    ca_key = _load_key(os.path.join(state_dir, "ca.key"), "ec")
    srv_key = _load_key(os.path.join(state_dir, "server.key"), "ec")
    if ca_key is None or srv_key is None:
        return False
    now = time.time()
    if _not_after(ca) < now + 86400 or _not_after(srv) < now + 86400 or _not_before(srv) > now:
        return False
    if ca.public_key().public_numbers() != ca_key.public_key().public_numbers():
        return False
    if srv.public_key().public_numbers() != srv_key.public_key().public_numbers():
        return False
    if srv.issuer != ca.subject:
        return False
    try:
        ca.public_key().verify(srv.signature, srv.tbs_certificate_bytes,
                               ec.ECDSA(srv.signature_hash_algorithm))
        san = srv.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (InvalidSignature, x509.ExtensionNotFound):
        return False
    return (ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress)
            and "localhost" in san.get_values_for_type(x509.DNSName))


def ensure_sim_certs(state_dir):
    """ca.pem (trust anchor for clients) and server.pem/server.key for the
    listener, made once and reused while valid."""
    if _sim_certs_valid(state_dir):
        return
    now = time.time()
    ca_key = _new_key("ec")
    ca_name = _name("tlsfleet simulator CA %s" % uuid.uuid4().hex[:8], "tlsfleet simulator")
    ca = _issue(ca_name, ca_key, ca_name, ca_key, now - 86400, now + 365 * 86400, True)
    srv_key = _new_key("ec")
    srv = _issue(_name("127.0.0.1", "tlsfleet simulator"), srv_key, ca_name, ca_key,
                 now - 86400, now + 90 * 86400, False,
                 [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")])
    _save_key(os.path.join(state_dir, "ca.key"), ca_key)
    _save_key(os.path.join(state_dir, "server.key"), srv_key)
    write_atomic(os.path.join(state_dir, "server.pem"), srv.public_bytes(serialization.Encoding.PEM))
    write_atomic(os.path.join(state_dir, "ca.pem"), ca.public_bytes(serialization.Encoding.PEM))


class CAMaterial:
    """Certificates of one provider CA, leaf-most first (Alibaba: intermediate,
    root). not_after: the earliest, i.e. the one the fleet asked for."""

    def __init__(self, certs):
        self.certs = certs
        self.not_after = min(_not_after(c) for c in certs)
        self.pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
        self.der = certs[0].public_bytes(serialization.Encoding.DER)
        self.sha256 = [hashlib.sha256(c.public_bytes(serialization.Encoding.DER)).hexdigest()
                       for c in certs]


_KEYS = {}


def _cached_key(keydir, role, kind):
    """One key per (role, kind) serves every provider CA: RSA key generation
    costs up to 0.3 s, and the simulator must start in well under 2 s."""
    path = os.path.join(keydir, "%s-%s.key" % (role, kind))
    key = _KEYS.get(path)       # loading checks an RSA key again: 75 ms
    if key is None:
        key = _load_key(path, kind)
    if key is None:
        key = _new_key(kind)
        _save_key(path, key)
    _KEYS[path] = key
    return key


def make_provider_ca(spec, keydir, start):
    """Dates are relative to the simulator's start: notBefore 400 days ago,
    notAfter days_left days (+12 h, so a client computing floor(days) at any
    time in the next 12 hours gets exactly days_left) from now."""
    key = _cached_key(keydir, "ca", spec.key)
    not_after = start + spec.days_left * 86400 + 43200
    not_before = min(start - 400 * 86400, not_after - 86400)
    name = _name(spec.cn, spec.org, "CN" if spec.provider != "huawei" else "DE")
    if not spec.chain:
        return CAMaterial([_issue(name, key, name, key, not_before, not_after, True)])
    rkey = _cached_key(keydir, "root", "ec")
    rname = _name("ApsaraDB Root CA %s" % spec.name, spec.org, "CN")
    root = _issue(rname, rkey, rname, rkey, not_before, max(not_after, start) + 3650 * 86400, True)
    inter = _issue(name, key, rname, rkey, not_before, not_after, True)
    return CAMaterial([inter, root])


def _zip(entries):
    buf = io.BytesIO()
    stamp = time.gmtime()[:6]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            zi = zipfile.ZipInfo(name, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)
    return buf.getvalue()


DEFAULT_FILE = {
    ("tencent", "redis"): "TencentDB-SSL-CA.zip",
    ("tencent", "postgres"): "TencentDB-PG-SSL-CA.zip",
    ("huawei", "dcs"): "DCS-SSL-CA.zip",
    ("alibaba", "redis"): "ApsaraDB-CA-Chain.zip",
}
ARCHIVE_FILE = {"pem": "ca.pem", "der": "ca.der", "garbage": "ca.zip", "empty_zip": "ca.zip",
                "jks_zip": "ca-jks.zip", "p12_zip": "ca-p12.zip", "tar_gz": "ca.tar.gz",
                "html": "ca.zip", "zip_der_ca_pem": "ca.zip"}
CTYPES = {"zip": "application/zip", "pem": "application/x-pem-file",
          "der": "application/pkix-cert", "garbage": "application/zip",
          "empty_zip": "application/zip", "jks_zip": "application/zip",
          "p12_zip": "application/zip", "tar_gz": "application/gzip",
          "html": "text/html; charset=utf-8", "zip_der_ca_pem": "application/zip"}


def _jks(certs, password="changeit"):
    """A Java KeyStore of trusted certificate entries (the layout keytool
    writes): magic, version 2, entries, then SHA-1 over the password as
    UTF-16BE, the JDK's fixed salt phrase and everything before."""
    out = [struct.pack(">IIi", 0xFEEDFEED, 2, len(certs))]
    for n, cert in enumerate(certs):
        alias = ("ca-%d" % (n + 1)).encode()
        der = cert.public_bytes(serialization.Encoding.DER)
        out.append(struct.pack(">iH", 2, len(alias)) + alias + struct.pack(">q", 0)
                   + struct.pack(">H", 5) + b"X.509" + struct.pack(">i", len(der)) + der)
    body = b"".join(out)
    return body + hashlib.sha1(password.encode("utf-16-be") + b"Mighty Aphrodite" + body).digest()


def _p12(certs):
    """A PKCS#12 of the certificates alone, encrypted under "changeit" (as
    providers ship them for Java): nothing readable without the password."""
    from cryptography.hazmat.primitives.serialization import pkcs12
    return pkcs12.serialize_key_and_certificates(
        b"ca", None, None, certs, serialization.BestAvailableEncryption(b"changeit"))


def _tar_gz(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, data in entries:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mode = 0o644
            ti.mtime = int(time.time())
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


HTML_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Download</title></head>\n"
             b"<body><p>Please sign in to download the certificate.</p></body></html>\n")


def _p7b(mat):
    if serialize_certificates is None:
        return None
    return serialize_certificates(mat.certs, serialization.Encoding.DER)


def build_archive(inst, mat):
    """The bytes an instance's certificate URL serves."""
    kind = inst.get("archive", "zip")
    prov, svc = inst["provider"], inst["service"]
    if kind == "pem":
        return mat.pem
    if kind == "der":
        return mat.der
    if kind == "garbage":
        return b"this is not a zip archive\n" * 8
    if kind == "empty_zip":
        return _zip([])
    if kind == "jks_zip":
        return _zip([("truststore.jks", _jks(mat.certs))])
    if kind == "p12_zip":
        return _zip([("truststore.p12", _p12(mat.certs))])
    if kind == "tar_gz":
        return _tar_gz([("ca.pem", mat.pem)])
    if kind == "html":
        return HTML_PAGE
    if kind == "zip_der_ca_pem":
        return _zip([("ca.pem", mat.der)])
    if prov == "tencent" and svc == "redis":
        entries = [("ca.pem", mat.pem)]
    elif prov == "tencent":
        entries = [("ca.pem", mat.pem), ("ca.crt", mat.der), ("ca.p7b", _p7b(mat))]
    elif prov == "alibaba":
        entries = [("ApsaraDB-CA-Chain.pem", mat.pem), ("ApsaraDB-CA-Chain.p7b", _p7b(mat))]
    else:
        entries = [("ca.crt", mat.pem)]
    for extra in inst.get("zip_extra_entries", []):
        entries.append((extra, mat.pem))
    return _zip([(n, d) for n, d in entries if d is not None])


# ---------------------------------------------------------------------------
# Simulator state
# ---------------------------------------------------------------------------


class FileEntry:
    def __init__(self, data, ctype, signed=None, inst=None, dies=False):
        self.data = data
        self.ctype = ctype
        self.signed = signed        # None, "tencent" or "obs"
        self.inst = inst
        self.dies = dies


class TempCred:
    """Temporary credentials the simulator issued (metadata or AssumeRole).
    They act as their account until `expires` (the simulator's clock)."""

    def __init__(self, provider, account, key_id, secret, token, expires, source):
        self.provider = provider
        self.account = account
        self.key_id = key_id
        self.secret = secret
        self.token = token
        self.expires = expires
        self.source = source


ALNUM = string.ascii_letters + string.digits
METADATA_LIFETIME_S = 21600     # what ECS/CVM metadata hands out by default (6 h)
TEMP_MAX = 100000               # issued credentials remembered at most


def _rand(n, alphabet=ALNUM):
    return "".join(secrets.choice(alphabet) for _ in range(n))


class Runtime:
    """What the simulator remembers about one instance between requests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.status_answers = 0
        self.link_answers = 0
        self.throttled = 0


class Sim:
    def __init__(self, args):
        self.args = args
        self.state_dir = os.path.abspath(args.state_dir)
        self.stop = threading.Event()
        self.start = time.time()
        self.rng = random.Random(args.seed)
        self.rng_lock = threading.Lock()
        self.log_lock = threading.Lock()
        self.log_file = open(args.log, "a", encoding="utf-8") if args.log else None
        # --log-signatures-to: for leak tests only (see README); never the log.
        self.sig_file = (open(args.log_signatures_to, "a", encoding="utf-8")
                         if args.log_signatures_to else None)
        self.sigs_seen = set()
        self.win_lock = threading.Lock()
        self.windows = collections.defaultdict(collections.deque)
        self.nonce_lock = threading.Lock()
        self.nonces = collections.OrderedDict()
        self.port = None
        self.meta_port = None
        self.generation = 0
        self.temp_lock = threading.Lock()
        self.temp = {}              # (provider, key id) -> TempCred
        self.meta_cache = {}        # (provider, account name) -> TempCred
        self.list_fault_used = {}   # index in fleet.list_faults -> answers given
        self.faults = tuple(args.faults.split(",")) if args.faults else DEFAULT_FAULTS
        for f in self.faults:
            if f not in FAULT_KINDS:
                raise FleetError("--faults: unknown kind %r (one of %s)" % (f, ", ".join(FAULT_KINDS)))
        os.makedirs(self.state_dir, exist_ok=True)
        self.keydir = os.path.join(self.state_dir, "keys")
        os.makedirs(self.keydir, mode=0o700, exist_ok=True)
        ensure_sim_certs(self.state_dir)
        self.ca_file = os.path.join(self.state_dir, "ca.pem")
        self.url_key = self._url_key()
        self.materials = {}         # CASpec.ident() -> CAMaterial
        self.runtime = {}           # instance key -> Runtime
        self.fleet = None
        self.files = {}
        self.fleet_path = args.fleet
        self.load(load_fleet(args.fleet))

    def _url_key(self):
        path = os.path.join(self.state_dir, "url.key")
        try:
            with open(path, "rb") as f:
                k = f.read()
            if len(k) == 32:
                return k
        except OSError:
            pass
        k = os.urandom(32)
        write_atomic(path, k, 0o600)
        return k

    # -- fleet ------------------------------------------------------------
    def load(self, fleet):
        """Swap in a fleet: CA material is kept for unchanged CA specs,
        runtime counters for unchanged instances."""
        mats = {}
        for spec in fleet.cas.values():
            ident = spec.ident()
            mats[ident] = self.materials.get(ident) or make_provider_ca(spec, self.keydir, self.start)
        runtime = {}
        for inst in fleet.instances:
            runtime[inst["key"]] = self.runtime.get(inst["key"]) or Runtime()
        files = {}
        for inst in fleet.instances:
            mat = mats[fleet.cas[inst["ca_spec"]].ident()]
            data = build_archive(inst, mat)
            signed = {"tencent": "tencent", "huawei": "obs"}.get(inst["provider"])
            if signed == "tencent" and not inst.get("url_query", True):
                signed = None
            entry = FileEntry(data, CTYPES[inst.get("archive", "zip")], signed,
                              inst, inst.get("server_dies_mid_body", False))
            files[tuple(self.file_segments(inst))] = entry
        self.materials = mats
        self.runtime = runtime
        self.files = files
        self.fleet = fleet
        with self.temp_lock:
            self.list_fault_used = {}
        self.generation += 1

    def material(self, inst, fleet=None):
        fleet = fleet or self.fleet
        return self.materials[fleet.cas[inst["ca_spec"]].ident()]

    @staticmethod
    def file_name(inst):
        kind = inst.get("archive", "zip")
        default = DEFAULT_FILE[(inst["provider"], inst["service"])] if kind == "zip" else ARCHIVE_FILE[kind]
        return inst.get("file_name", default)

    @staticmethod
    def bucket(inst):
        return inst.get("bucket_name", "dcs-ssl-%s" % inst["region"])

    def file_segments(self, inst):
        if inst["provider"] == "huawei":
            return ["", "obs", self.bucket(inst), "ssl-" + short_hash(inst["account"], inst["id"]),
                    self.file_name(inst)]
        return ["", "files", inst["provider"], inst["account"], inst["id"], self.file_name(inst)]

    # -- clock, ids, randomness ---------------------------------------------
    def now(self):
        return time.time() + self.fleet.clock_offset

    def pick_fault(self):
        if self.args.fault_rate <= 0:
            return None
        with self.rng_lock:
            if self.rng.random() >= self.args.fault_rate:
                return None
            return self.rng.choice(self.faults)

    # -- URLs ---------------------------------------------------------------
    def base_url(self):
        return "https://127.0.0.1:%d" % self.port

    def _path_of(self, segs):
        return "/".join(pct(s) for s in segs)

    def override_url(self, inst):
        u = inst["cert_url"].replace("{base}", self.base_url())
        return self.base_url() + u if u.startswith("/") else u

    def tencent_url(self, inst, expires):
        if "cert_url" in inst:
            return self.override_url(inst)
        segs = self.file_segments(inst)
        if not inst.get("url_query", True):
            return self.base_url() + self._path_of(segs)
        sign = self.file_sign("tencent", segs, expires)
        return "%s%s?sign=%s&t=%d" % (self.base_url(), self._path_of(segs), sign, int(expires))

    def obs_url(self, inst, expires):
        if "cert_url" in inst:
            return self.override_url(inst)
        segs = self.file_segments(inst)
        sig = self.file_sign("obs", segs, expires)
        return "%s%s?AWSAccessKeyId=%s&Expires=%d&Signature=%s" % (
            self.base_url(), self._path_of(segs), OBS_AK, int(expires), pct(sig))

    def plain_url(self, inst):
        if "cert_url" in inst:
            return self.override_url(inst)
        return self.base_url() + self._path_of(self.file_segments(inst))

    def file_sign(self, kind, segs, expires):
        msg = "%s\n%s\n%d" % (kind, "/".join(segs), int(expires))
        mac = hmac.new(self.url_key, msg.encode("utf-8"), hashlib.sha1).digest()
        if kind == "obs":
            sig = base64.b64encode(mac).decode("ascii")
        else:
            sig = mac.hex()
        self.log_signature("link-" + kind, sig)
        return sig

    def log_signature(self, kind, value):
        """--log-signatures-to: one "kind<TAB>value" line per distinct
        signature received or handed out, so a test can look for them in
        tlsfleet's output. Never written anywhere else."""
        if self.sig_file is None or not value:
            return
        with self.log_lock:
            if (kind, value) in self.sigs_seen:
                return
            self.sigs_seen.add((kind, value))
            self.sig_file.write("%s\t%s\n" % (kind, value))
            self.sig_file.flush()

    # -- temporary credentials ------------------------------------------------
    def issue(self, provider, account_name, source, duration):
        """New temporary credentials for the account, valid for --token-lifetime
        seconds when given, else `duration`. Only --log-signatures-to ever
        sees the secret and the token."""
        life = self.args.token_lifetime if self.args.token_lifetime > 0 else duration
        if provider == "tencent":
            kid, secret, token = "AKID" + _rand(32), _rand(32), _rand(160, ALNUM + "-_")
        elif provider == "alibaba":
            kid, secret, token = "STS.NU" + _rand(26), _rand(44), "CAIS" + _rand(320, ALNUM + "+/")
        else:
            kid = _rand(20, string.ascii_uppercase + string.digits)
            secret, token = _rand(40), "gQpjbi1ub3J0aC00" + _rand(400, ALNUM + "-_")
        cred = TempCred(provider, account_name, kid, secret, token, self.now() + life, source)
        with self.temp_lock:
            if len(self.temp) >= TEMP_MAX:
                now = self.now()
                self.temp = {k: c for k, c in self.temp.items() if c.expires > now}
            self.temp[(provider, kid)] = cred
        self.log_signature("issued-secret", secret)
        self.log_signature("issued-token", token)
        return cred

    def temp_account(self, fleet, provider, key_id):
        with self.temp_lock:
            cred = self.temp.get((provider, key_id))
        base = fleet.accounts.get(cred.account) if cred is not None else None
        if base is None or base["provider"] != provider:
            return None
        acct = dict(base)
        acct.update(key_id=cred.key_id, secret=cred.secret, tok=cred.token,
                    temp_expires=cred.expires, credential=cred.source)
        return acct

    def metadata_cred(self, provider, account_name):
        """Like the real services: the same credentials until less than half
        of their lifetime is left, then new ones (the old stay valid)."""
        life = self.args.token_lifetime if self.args.token_lifetime > 0 else METADATA_LIFETIME_S
        with self.temp_lock:
            cred = self.meta_cache.get((provider, account_name))
        if cred is None or cred.expires - self.now() < life / 2.0:
            cred = self.issue(provider, account_name, "instance_role", life)
            with self.temp_lock:
                self.meta_cache[(provider, account_name)] = cred
        return cred

    def list_fault(self, account, service, region, page):
        """The fleet's list_faults entry for this page, if one is left."""
        for idx, f in enumerate(self.fleet.list_faults):
            if (f["account"] != account or f.get("service", service) != service
                    or f.get("page", 1) != page
                    or (region is not None and f.get("region", region) != region)):
                continue
            with self.temp_lock:
                used = self.list_fault_used.get(idx, 0)
                if f.get("times", 1) and used >= f.get("times", 1):
                    continue
                self.list_fault_used[idx] = used + 1
            return f["fault"]
        return None

    # -- throttling and nonces ------------------------------------------------
    def over_rate(self, key, rate, t):
        """Sliding one-second window per (key id, action), this request included."""
        with self.win_lock:
            dq = self.windows[key]
            while dq and dq[0] <= t - 1.0:
                dq.popleft()
            dq.append(t)
            return len(dq) > rate

    def nonce_used(self, key_id, nonce, t):
        with self.nonce_lock:
            while self.nonces:
                k, seen = next(iter(self.nonces.items()))
                if seen > t - NONCE_WINDOW_S and len(self.nonces) < NONCE_MAX:
                    break
                self.nonces.popitem(last=False)
            k = (key_id, nonce)
            if k in self.nonces:
                return True
            self.nonces[k] = t
            return False

    # -- output ----------------------------------------------------------------
    def log(self, rec):
        if self.log_file is None:
            return
        line = json.dumps(rec, ensure_ascii=False, separators=(", ", ": ")) + "\n"
        with self.log_lock:
            self.log_file.write(line)
            self.log_file.flush()

    def write_outputs(self):
        """Config, expectations and finally the ready file (its appearance
        means everything else is in place)."""
        base = self.base_url()
        meta = self.meta_url()
        if self.args.write_config:
            write_atomic(self.args.write_config,
                         render_config(self.fleet, base, self.ca_file, self.state_dir, meta), 0o600)
        exp = {"base_url": base, "generation": self.generation, "instances": {}, "discovery": {}}
        for inst in self.fleet.instances:
            mat = self.material(inst)
            if inst.get("listed", True):
                # account -> service -> region -> ids in list order
                exp["discovery"].setdefault(inst["account"], {}).setdefault(
                    inst["service"], {}).setdefault(inst["region"], []).append(inst["id"])
            exp["instances"][inst["name"]] = {
                "account": inst["account"], "region": inst["region"],
                "listed": inst.get("listed", True), "in_config": inst.get("in_config", True),
                "provider_name": provider_name(inst), "tags": inst.get("tags", {}),
                "list_address": list_address(inst),
                "provider": inst["provider"], "service": inst["service"], "id": inst["id"],
                "scenario": inst["scenario"], "ca": inst["ca_spec"],
                "ca_not_after": iso_z(mat.not_after), "ca_sha256": mat.sha256,
                "api_expires": iso_z(self.api_expiry(inst)),
                "file_name": self.file_name(inst), "archive": inst.get("archive", "zip"),
                "file_sha256": hashlib.sha256(self.files[tuple(self.file_segments(inst))].data).hexdigest(),
            }
            if "architecture" in inst:
                exp["instances"][inst["name"]]["architecture"] = inst["architecture"]
        write_atomic(os.path.join(self.state_dir, "expected.json"),
                     json.dumps(exp, indent=1, ensure_ascii=False) + "\n")
        if self.args.ready_file:
            ready = {"port": self.port, "ca_file": self.ca_file, "pid": os.getpid(),
                     "base_url": base, "generation": self.generation,
                     "state_dir": self.state_dir}
            if meta:
                ready.update(metadata_port=self.meta_port, metadata_url=meta)
            write_atomic(self.args.ready_file, json.dumps(ready) + "\n")

    def meta_url(self):
        return "http://127.0.0.1:%d" % self.meta_port if self.meta_port else None

    def api_expiry(self, inst):
        if "api_expires_days_left" in inst:
            return self.start + inst["api_expires_days_left"] * 86400 + 43200
        return self.material(inst).not_after


# ---------------------------------------------------------------------------
# Providers: parse, verify, answer
# ---------------------------------------------------------------------------


class Call:
    """One API request as the simulator understood it."""

    def __init__(self, provider):
        self.provider = provider
        self.action = None
        self.key_id = None
        self.account = None
        self.instance_id = None
        self.region = None
        self.project = None
        self.error = None           # Resp to give instead of verifying further
        self.service = None
        self.kind = "status"        # "status", "list" (discovery) or "sts" (AssumeRole)
        self.doc = None             # Tencent: the JSON body
        self.page = None            # list calls: the 1-based page asked for
        self.list_type = None       # list calls of one architecture (dds DBInstanceType)
        self.list_fault = None      # list calls: the fleet's list_faults entry applied


def _req_id():
    return str(uuid.uuid4())


class Tencent:
    name = "tencent"
    ACTIONS = {"DescribeSSLStatus": ("redis", "2018-04-12", "InstanceId"),
               "DescribeDBInstanceSSLConfig": ("postgres", "2017-03-12", "DBInstanceId"),
               "DescribeInstances": ("redis", "2018-04-12", None),
               "DescribeDBInstances": ("postgres", "2017-03-12", None),
               "AssumeRole": ("sts", "2018-08-13", None)}
    KINDS = {"DescribeInstances": "list", "DescribeDBInstances": "list", "AssumeRole": "sts"}
    # Service modules (sim_*.py): (action, version) -> spec, for actions
    # two products share (cdb and Redis both have DescribeSSLStatus); the
    # signing scope of a service when it is not its name; its answer.
    VERSIONED = {}
    SCOPES = {}
    SERVICE_ANSWERS = {}
    # Service modules' list calls: service -> object with list_query(prov,
    # fleet, call), list_answer(prov, sim, call, q) and AUTH_DENIED (code,
    # message) of a CAM refusal.
    LIST_CALLS = {}
    # action -> (default Limit, largest Limit, Offset must be a multiple of Limit)
    LIST_LIMITS = {"DescribeInstances": (20, 1000, True), "DescribeDBInstances": (10, 100, False)}

    def err(self, call, code, msg, status=200):
        rid = _req_id()
        return json_resp(status, {"Response": {"Error": {"Code": code, "Message": msg},
                                               "RequestId": rid}}, code, [("X-Request-Id", rid)])

    def parse(self, h, body, url):
        call = Call(self.name)
        hd = h.headers
        call.action = hd.get("X-TC-Action")
        call.region = hd.get("X-TC-Region")
        auth = hd.get("Authorization", "")
        try:
            cred = auth.split("Credential=", 1)[1].split(",", 1)[0].strip()
            call.key_id = cred.split("/", 1)[0]
        except IndexError:
            pass
        if not call.action:
            call.error = self.err(call, "MissingParameter",
                                  "The request is missing a required parameter `Action`.")
            return call
        spec = self.VERSIONED.get((call.action, hd.get("X-TC-Version"))) or self.ACTIONS.get(call.action)
        if spec is None:
            call.error = self.err(call, "InvalidAction",
                                  "The requested action `%s` does not exist." % call.action)
            return call
        call.service, version, field = spec
        call.kind = self.KINDS.get(call.action, "status")
        try:
            doc = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            doc = None
        call.doc = doc
        if isinstance(doc, dict) and isinstance(doc.get(field), str):
            call.instance_id = doc[field]
        if hd.get("X-TC-Version") != version:
            call.error = self.err(call, "NoSuchVersion" if hd.get("X-TC-Version") else "MissingParameter",
                                  "The API version `%s` of `%s` does not exist." % (
                                      hd.get("X-TC-Version", ""), call.action))
            return call
        if not call.region:
            call.error = self.err(call, "MissingParameter",
                                  "The request is missing a required parameter `Region`.")
            return call
        ctype = (hd.get("Content-Type") or "").split(";")[0].strip().lower()
        if h.command != "POST" or ctype != "application/json":
            call.error = self.err(call, "InvalidParameter",
                                  "Only POST with Content-Type application/json is simulated.")
            return call
        if not isinstance(doc, dict):
            call.error = self.err(call, "InvalidParameter", "The request body is not a JSON object.")
            return call
        if field and call.instance_id is None:
            call.error = self.err(call, "MissingParameter",
                                  "The request is missing a required parameter `%s`." % field)
        return call

    def verify(self, fleet, call, h, body, now):
        hd = h.headers
        auth = hd.get("Authorization")
        if not auth:
            return self.err(call, "AuthFailure.SignatureFailure",
                            "The request has no Authorization header.")
        parts = {}
        if not auth.startswith("TC3-HMAC-SHA256 "):
            return self.err(call, "AuthFailure.SignatureFailure",
                            "The signature algorithm is not TC3-HMAC-SHA256.")
        for item in auth[len("TC3-HMAC-SHA256 "):].split(","):
            k, _, v = item.strip().partition("=")
            parts[k] = v
        cred = parts.get("Credential", "").split("/")
        signed = parts.get("SignedHeaders", "").split(";")
        sig = parts.get("Signature", "")
        sim_log_signature(h, "tc3", sig)
        if len(cred) != 4 or cred[3] != "tc3_request" or not sig:
            return self.err(call, "AuthFailure.SignatureFailure", "The Authorization header is malformed.")
        ts_s = hd.get("X-TC-Timestamp")
        if ts_s is None:
            return self.err(call, "MissingParameter",
                            "The request is missing a required parameter `Timestamp`.")
        try:
            ts = int(ts_s)
        except ValueError:
            return self.err(call, "InvalidParameterValue", "X-TC-Timestamp is not an integer.")
        if abs(now - ts) > TENCENT_SKEW_S:
            return self.err(call, "AuthFailure.SignatureExpire",
                            "Signature expired. Timestamp:%d, current server time:%d." % (ts, int(now)))
        acct = find_key(fleet, h, self.name, cred[0])
        if acct is None:
            return self.err(call, "AuthFailure.SecretIdNotFound",
                            "The SecretId is not found, please check it is correct.")
        call.account = acct
        scope = self.SCOPES.get(call.service, call.service)
        if cred[1] != tc3_date(ts) or cred[2] != scope:
            return self.err(call, "AuthFailure.SignatureFailure",
                            "The credential scope does not match the request (date or service).")
        if "content-type" not in signed or "host" not in signed or signed != sorted(signed):
            return self.err(call, "AuthFailure.SignatureFailure",
                            "SignedHeaders must be sorted and include content-type and host.")
        headers = {k.lower(): v for k, v in hd.items()}
        url = urlsplit(h.path)
        canonical = tc3_canonical_request(h.command, url.path or "/", url.query, headers, signed, body)
        want = tc3_signature(acct["secret"], cred[1], cred[2],
                             tc3_string_to_sign(ts, scope, canonical))
        if not hmac.compare_digest(want, sig):
            return self.err(call, "AuthFailure.SignatureFailure",
                            "The provided credentials could not be validated. Please check your signature is correct.")
        token = hd.get("X-TC-Token") or None
        if token != acct["tok"] and not (token is None and acct["tok"] is None):
            return self.err(call, "AuthFailure.TokenFailure", "Token verification failed.")
        if temp_expired(acct, now):
            return self.err(call, "AuthFailure.TokenFailure", "The token has expired.")
        return None

    def lookup(self, fleet, call):
        inst = fleet.find(call.account["name"], call.instance_id)
        if inst is None or inst["service"] != call.service or inst["region"] != call.region:
            return None
        return inst

    def throttle(self, call, rate=20):
        return self.err(call, "RequestLimitExceeded",
                        "Your current request times exceeds the frequency limit `%s` for a second. "
                        "Please reduce the frequency of calls." % rate)

    def fault_5xx(self, call):
        return self.err(call, "InternalError", "Service is temporarily unavailable.", 503)

    def common_error(self, call, inst, sc):
        """The answers every Tencent product gives alike, or None."""
        if sc == "throttled":
            return self.throttle(call)
        if sc == "error_500":
            return self.err(call, inst.get("error_code", "InternalError"), "Internal error.",
                            int(inst.get("http_status", 500)))
        if sc == "provider_error":
            return self.err(call, inst["error_code"], inst.get("error_message", "Simulated error."),
                            int(inst.get("http_status", 200)))
        return None

    def answer(self, sim, call, inst, rt, sc):
        if call.service in self.SERVICE_ANSWERS:
            return self.SERVICE_ANSWERS[call.service](self, sim, call, inst, rt, sc)
        redis = call.service == "redis"
        if sc == "not_found":
            if redis:
                return self.err(call, "ResourceNotFound.InstanceNotExists",
                                "No Redis instance is found by the serialId.")
            return self.err(call, "ResourceNotFound.InstanceNotFoundError", "The instance does not exist.")
        if sc == "unsupported" and not redis:
            return self.err(call, inst.get("error_code", "InvalidParameterValue.UnSupportedType"),
                            "The instance type is not supported.")
        if sc == "auth_error":
            if redis:
                return self.err(call, inst.get("error_code", "InvalidParameter.PermissionDenied"),
                                "The API has no CAM permissions.")
            return self.err(call, inst.get("error_code", "AuthFailure.UnauthorizedOperation"),
                            "The request is not authorized: CAM denies this action.")
        err = self.common_error(call, inst, sc)
        if err is not None:
            return err
        with rt.lock:
            first = rt.status_answers == 0
            rt.status_answers += 1
        now = sim.now()
        expires = now - 3600 if (first and inst.get("url_expired")) else now + inst.get("url_ttl_s", 3600)
        url = sim.tencent_url(inst, expires)
        rid = _req_id()
        if redis:
            r = {"CertDownloadUrl": url, "UrlExpiredTime": cst_time(expires), "FeatureSupport": True,
                 "SSLConfig": True, "Status": 2}
            if sc == "disabled":
                r["SSLConfig"] = False
            elif sc == "configuring":
                r["Status"] = 1
            elif sc == "unsupported":
                r.update(FeatureSupport=False, SSLConfig=False, CertDownloadUrl="", UrlExpiredTime="")
            elif sc == "wrong_type":
                r["SSLConfig"] = "true"
        else:
            h = int(short_hash(inst["id"])[:4], 16)
            r = {"SSLEnabled": True, "CAUrl": url,
                 "ConnectAddress": inst.get("connect_address", "10.0.%d.%d" % (h >> 8 & 255, h & 255 | 1))}
            if sc == "disabled":
                r.update(SSLEnabled=False, CAUrl="", ConnectAddress="")
            elif sc == "wrong_type":
                r["SSLEnabled"] = "true"
        r.update(inst.get("extra", {}))
        r["RequestId"] = rid
        return json_resp(200, {"Response": r}, None, [("X-Request-Id", rid)])


    # -- discovery ------------------------------------------------------------
    def auth_denied(self, call):
        if call.service in self.LIST_CALLS:
            return self.err(call, *self.LIST_CALLS[call.service].AUTH_DENIED)
        return self.err(call, "AuthFailure.UnauthorizedOperation",
                        "The request is not authorized: CAM denies this action.")

    def internal_error(self, call):
        return self.err(call, "InternalError", "Internal error.", 500)

    def _bad(self, call, name):
        return self.err(call, "InvalidParameter", "The value type of parameter `%s` is not valid." % name)

    def list_query(self, fleet, call):
        """(error Resp, None) or (None, query): the page asked for and the
        account's instances that pass the request's filters."""
        if call.service in self.LIST_CALLS:
            return self.LIST_CALLS[call.service].list_query(self, fleet, call)
        doc = call.doc
        default, most, multiple = self.LIST_LIMITS[call.action]
        limit, offset = doc.get("Limit", default), doc.get("Offset", 0)
        for name, v in (("Limit", limit), ("Offset", offset)):
            if isinstance(v, bool) or not isinstance(v, int):
                return self._bad(call, name), None
        if limit == 0 and not multiple:
            limit = default         # PostgreSQL: 0 means the default
        if not 1 <= limit <= most:
            return self.err(call, "InvalidParameterValue",
                            "The value of parameter `Limit` must be between 1 and %d." % most), None
        if offset < 0:
            return self.err(call, "InvalidParameterValue", "The value of parameter `Offset` must not be negative."), None
        if multiple and offset % limit:
            return self.err(call, "InvalidParameterValue",
                            "The parameter `Offset` must be an integral multiple of `Limit`."), None
        tests = []
        if call.action == "DescribeInstances":
            keys = doc.get("TagKeys", [])
            if not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
                return self._bad(call, "TagKeys"), None
            tests += [lambda i, k=k: k in i.get("tags", {}) for k in keys]
            for name in ("TagList", "InstanceTags"):
                pairs = doc.get(name, [])
                pairs = [pairs] if isinstance(pairs, dict) else pairs
                if not (isinstance(pairs, list) and all(
                        isinstance(p, dict) and isinstance(p.get("TagKey"), str)
                        and isinstance(p.get("TagValue", ""), str) for p in pairs)):
                    return self._bad(call, name), None
                tests += [lambda i, p=p: i.get("tags", {}).get(p["TagKey"]) == p.get("TagValue", "")
                          for p in pairs]
            if "InstanceId" in doc:
                if not isinstance(doc["InstanceId"], str):
                    return self._bad(call, "InstanceId"), None
                tests.append(lambda i, v=doc["InstanceId"]: i["id"] == v)
        else:
            filters = doc.get("Filters", [])
            if not (isinstance(filters, list) and all(
                    isinstance(f, dict) and isinstance(f.get("Name"), str) and isinstance(f.get("Values"), list)
                    and all(isinstance(v, str) for v in f["Values"]) for f in filters)):
                return self._bad(call, "Filters"), None
            for f in filters:
                vals = f["Values"]
                if f["Name"] == "db-tag-key":
                    tests.append(lambda i, vals=vals: any(v in i.get("tags", {}) for v in vals))
                elif f["Name"] == "db-instance-id":
                    tests.append(lambda i, vals=vals: i["id"] in vals)
                elif f["Name"] == "db-instance-name":
                    tests.append(lambda i, vals=vals: any(v in provider_name(i) for v in vals))
                elif f["Name"] not in ("db-project-id", "db-pay-mode", "db-private-ip",
                                       "db-public-address", "db-dedicated-cluster-id"):
                    return self.err(call, "InvalidParameterValue",
                                    "The filter name `%s` is not supported." % f["Name"]), None
        items = [i for i in fleet.listing(call.account["name"], call.service, call.region)
                 if all(t(i) for t in tests)]
        return None, {"service": call.service, "offset": offset, "limit": limit,
                      "page": offset // limit + 1, "items": items}

    def list_answer(self, sim, call, q):
        if call.service in self.LIST_CALLS:
            return self.LIST_CALLS[call.service].list_answer(self, sim, call, q)
        page = q["items"][q["offset"]:q["offset"] + q["limit"]]
        rid = _req_id()
        if call.action == "DescribeInstances":
            rows = []
            for i in page:
                addr = list_address(i)
                rows.append({"InstanceName": provider_name(i), "InstanceId": i["id"], "Appid": 1250000000,
                             "ProjectId": 0, "RegionId": 1, "Region": i["region"], "ZoneId": 100003,
                             "VpcId": 0, "SubnetId": 0, "UniqVpcId": "vpc-sim0001", "UniqSubnetId": "subnet-sim0001",
                             "Status": 2, "WanIp": addr["host"], "Port": addr["port"],
                             "Createtime": "2024-01-01 00:00:00", "Size": 1024, "Type": 8,
                             "Engine": "Redis", "ProductType": "standalone", "InstanceTitle": "实例运行中",
                             "InstanceTags": [{"TagKey": k, "TagValue": v} for k, v in i.get("tags", {}).items()]})
            r = {"TotalCount": len(q["items"]), "InstanceSet": rows, "RequestId": rid}
        else:
            rows = []
            for i in page:
                addr = list_address(i)
                rows.append({"Region": i["region"], "Zone": i["region"] + "-3", "DBInstanceId": i["id"],
                             "DBInstanceName": provider_name(i), "DBInstanceStatus": "running",
                             "DBEngine": "postgresql", "DBVersion": "13.3", "DBMajorVersion": "13",
                             "DBInstanceType": "primary", "ProjectId": 0, "VpcId": "vpc-sim0001",
                             "SubnetId": "subnet-sim0001",
                             "DBInstanceNetInfo": [
                                 {"Address": i.get("domain_name", ""), "Ip": addr["host"], "Port": addr["port"],
                                  "NetType": "private", "Status": "opened", "ProtocolType": "postgresql",
                                  "VpcId": "vpc-sim0001", "SubnetId": "subnet-sim0001"},
                                 {"Address": "", "Ip": "", "Port": 0, "NetType": "public", "Status": "closed",
                                  "ProtocolType": "", "VpcId": "", "SubnetId": ""}],
                             "TagList": [{"TagKey": k, "TagValue": v} for k, v in i.get("tags", {}).items()]})
            r = {"TotalCount": len(q["items"]), "DBInstanceSet": rows, "RequestId": rid}
        return json_resp(200, {"Response": r}, None, [("X-Request-Id", rid)])

    # -- STS AssumeRole ---------------------------------------------------------
    def assume_role(self, sim, call):
        doc = call.doc
        for p in ("RoleArn", "RoleSessionName"):
            if not isinstance(doc.get(p), str) or not doc[p]:
                return self.err(call, "MissingParameter", "The request is missing a required parameter `%s`." % p)
        dur = doc.get("DurationSeconds", 7200)
        if isinstance(dur, bool) or not isinstance(dur, int) or not 1 <= dur <= 43200:
            return self.err(call, "InvalidParameterValue",
                            "The value of parameter `DurationSeconds` must be between 1 and 43200.")
        ar = call.account.get("assume_role")
        if ar is None or ar["role_arn"] != doc["RoleArn"]:
            return self.err(call, "InvalidParameter.RoleNotExist", "The role does not exist.")
        cred = sim.issue(self.name, call.account["name"], "assume_role", dur)
        rid = _req_id()
        r = {"Credentials": {"Token": cred.token, "TmpSecretId": cred.key_id, "TmpSecretKey": cred.secret},
             "ExpiredTime": int(cred.expires), "Expiration": iso_z(cred.expires), "RequestId": rid}
        return json_resp(200, {"Response": r}, None, [("X-Request-Id", rid)])

class Huawei:
    name = "huawei"
    PREFIX = "Incorrect IAM authentication information: "

    def err(self, call, status, code, msg, camel=False):
        rid = uuid.uuid4().hex
        if camel:
            body = {"errorCode": code, "errorMessage": msg, "request_id": rid}
        else:
            body = {"error_code": code, "error_msg": msg, "request_id": rid}
        return json_resp(status, body, code, [("X-Request-Id", rid)])

    def parse(self, h, body, url):
        call = Call(self.name)
        segs = url.path.split("/")
        # ['', 'v2', project, 'instances', id, 'ssl'] or [..., 'ssl-certs', 'download']
        if len(segs) == 6 and segs[3] == "instances" and segs[5] == "ssl" and h.command == "GET":
            call.action = "ShowInstanceSsl"
        elif (len(segs) == 7 and segs[3] == "instances" and segs[5:] == ["ssl-certs", "download"]
              and h.command == "POST"):
            call.action = "DownloadSslCert"
        elif len(segs) == 4 and segs[3] == "instances" and h.command == "GET":
            call.action = "ListInstances"
            call.kind = "list"
            call.service = "dcs"
        if call.action is None:
            call.error = self.err(call, 404, "APIG.0101",
                                  "The API does not exist or has not been published in the environment.")
            return call
        call.project = unquote(segs[2])
        call.instance_id = unquote(segs[4]) if call.kind == "status" else None
        call.query = dict(parse_qsl(url.query, keep_blank_values=True))
        call.key_id = self.access_key(h)
        return call

    @staticmethod
    def access_key(h):
        """The key id an SDK-HMAC-SHA256 Authorization names, or None."""
        auth = h.headers.get("Authorization", "")
        for item in auth.replace("SDK-HMAC-SHA256 ", "", 1).split(","):
            k, _, v = item.strip().partition("=")
            if k == "Access":
                return v
        return None

    def verify(self, fleet, call, h, body, now):
        hd = h.headers
        auth = hd.get("Authorization")
        if not auth or not auth.startswith("SDK-HMAC-SHA256 "):
            return self.err(call, 401, "APIG.0301", self.PREFIX + "verify aksk signature fail")
        parts = {}
        for item in auth[len("SDK-HMAC-SHA256 "):].split(","):
            k, _, v = item.strip().partition("=")
            parts[k] = v
        signed = parts.get("SignedHeaders", "").split(";")
        sig = parts.get("Signature", "")
        sim_log_signature(h, "sdk-hmac", sig)
        sdk_date = hd.get("X-Sdk-Date")
        try:
            ts = datetime.datetime.strptime(sdk_date or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
        except ValueError:
            return self.err(call, 401, "APIG.0301", self.PREFIX + "x-sdk-date is missing or invalid")
        if abs(now - ts) > HUAWEI_SKEW_S:
            return self.err(call, 401, "APIG.0301", self.PREFIX + "ak ****** signature expired")
        acct = find_key(fleet, h, self.name, parts.get("Access", ""))
        if acct is None or not sig or "host" not in signed or "x-sdk-date" not in signed:
            return self.err(call, 401, "APIG.0301", self.PREFIX + "verify aksk signature fail")
        headers = {k.lower(): v for k, v in hd.items()}
        url = urlsplit(h.path)
        pairs = parse_qsl(url.query, keep_blank_values=True)
        canonical = hw_canonical_request(h.command, url.path, pairs, headers, signed, body)
        want = hw_signature(acct["secret"], hw_string_to_sign(sdk_date, canonical))
        if not hmac.compare_digest(want, sig):
            return self.err(call, 401, "APIG.0301", self.PREFIX + "verify aksk signature fail")
        call.account = acct
        token = hd.get("X-Security-Token") or None
        if token != acct["tok"] and not (token is None and acct["tok"] is None):
            return self.err(call, 401, "APIG.0307", "The token must be updated.")
        if temp_expired(acct, now):
            return self.err(call, 401, "APIG.0307", "The token must be updated.")
        hdr_project = hd.get("X-Project-Id")
        if hdr_project is not None and hdr_project != call.project:
            return self.err(call, 401, "APIG.0301",
                            self.PREFIX + "the X-Project-Id header does not match the project in the URI")
        if call.project not in fleet.projects_of(acct["name"]):
            return self.err(call, 401, "APIG.0301", self.PREFIX + "the project does not belong to this ak")
        return None

    def lookup(self, fleet, call):
        inst = fleet.find(call.account["name"], call.instance_id)
        if inst is None or inst["project"] != call.project:
            return None
        return inst

    def throttle(self, call, rate=None):
        return self.err(call, 429, "APIGW.0308", "The request is throttled.", camel=True)

    def fault_5xx(self, call):
        return self.err(call, 503, "APIG.0201", "Backend unavailable.")

    def common_error(self, call, inst, sc,
                     auth=("APIG.0302", "The IAM user is not authorized to access the API."),
                     internal=("DCS.5010", "Failed to operate SSL in database.")):
        """auth_error, throttled, error_500 and provider_error in Huawei's
        shape (auth and internal: the product's default code and message),
        or None."""
        if sc == "auth_error":
            return self.err(call, int(inst.get("http_status", 403)), inst.get("error_code", auth[0]), auth[1])
        if sc == "throttled":
            return self.throttle(call)
        if sc == "error_500":
            return self.err(call, int(inst.get("http_status", 500)), inst.get("error_code", internal[0]),
                            internal[1])
        if sc == "provider_error":
            return self.err(call, int(inst.get("http_status", 400)), inst["error_code"],
                            inst.get("error_message", "Simulated error."))
        return None

    def answer(self, sim, call, inst, rt, sc):
        if sc == "not_found":
            return self.err(call, 404, "DCS.4010", "The instance does not exist.")
        if sc == "unsupported":
            return self.err(call, 400, inst.get("error_code", "DCS.4201"), "Do not support SSL.")
        err = self.common_error(call, inst, sc)
        if err is not None:
            return err
        rid = uuid.uuid4().hex
        if call.action == "DownloadSslCert":
            if sc in ("disabled", "no_info"):
                return self.err(call, 400, "DCS.4203", "SSL is not enabled for the instance.")
            with rt.lock:
                first = rt.link_answers == 0
                rt.link_answers += 1
            now = sim.now()
            expires = now - 3600 if (first and inst.get("url_expired")) else now + inst.get("url_ttl_s", 3600)
            r = {"bucket_name": sim.bucket(inst), "file_name": sim.file_name(inst),
                 "link": sim.obs_url(inst, expires)}
            if sc == "wrong_type":
                r["link"] = 12345
            r.update(inst.get("extra", {}))
            return json_resp(200, r, None, [("X-Request-Id", rid)])
        if sc == "no_info":
            return Resp(204, None, code=None, headers=[("X-Request-Id", rid)])
        if sc == "disabled":
            r = {} if inst.get("disabled_form") == "empty" else {"enabled": False}
        else:
            port = inst.get("port", "6379")
            hsh = int(short_hash(inst["id"])[:4], 16)
            r = {"enabled": True,
                 "ip": inst.get("ip", "192.168.%d.%d" % (hsh >> 8 & 255, hsh & 255 | 1)),
                 "ipv6": inst.get("ipv6", "fd00:10::%x" % hsh),
                 "port": port,
                 "domain_name": inst.get("domain_name", "redis-%s.dcs.example.com:%s" % (inst["id"], port)),
                 "ssl_expired_at": iso_ms_z(sim.api_expiry(inst) + 0.669),
                 "ssl_validated": True}
            if sc == "wrong_type":
                r["enabled"] = "true"
        r.update(inst.get("extra", {}))
        return json_resp(200, r, None, [("X-Request-Id", rid)])


    # -- discovery ------------------------------------------------------------
    def auth_denied(self, call):
        return self.err(call, 403, "APIG.0302", "The IAM user is not authorized to access the API.")

    def internal_error(self, call):
        return self.err(call, 500, "DCS.5000", "Internal service error.")

    def list_query(self, fleet, call):
        q = call.query
        bad, vals = paging_params(q, (("offset", 0, lambda v: v >= 0), ("limit", 10, lambda v: 1 <= v <= 1000)))
        if bad:
            return self.err(call, 400, "DCS.4800", "Invalid %s: it must be an integer %s." % (
                bad, {"offset": ">= 0", "limit": "from 1 to 1000"}[bad])), None
        tests = []
        if q.get("tags"):
            for pair in q["tags"].split(","):
                k, eq, v = pair.partition("=")
                tests.append(lambda i, k=k, v=v, eq=eq: k in i.get("tags", {}) and (
                    not eq or i["tags"][k] == v))
        if q.get("name"):
            exact = q.get("name_equal") == "true"
            tests.append(lambda i, n=q["name"]: provider_name(i) == n if exact else n in provider_name(i))
        if q.get("instance_id"):
            tests.append(lambda i, v=q["instance_id"]: i["id"] == v)
        if q.get("status") and q["status"] != "RUNNING":
            tests.append(lambda i: False)
        items = [i for i in fleet.listing(call.account["name"], "dcs", project=call.project)
                 if all(t(i) for t in tests)]
        return None, {"service": "dcs", "offset": vals["offset"], "limit": vals["limit"],
                      "page": vals["offset"] // vals["limit"] + 1, "items": items}

    def list_answer(self, sim, call, q):
        rows = []
        for i in q["items"][q["offset"]:q["offset"] + q["limit"]]:
            addr = list_address(i)
            rows.append({"name": provider_name(i), "instance_id": i["id"], "engine": "Redis",
                         "engine_version": "6.0", "status": "RUNNING", "ip": addr["ip"], "port": addr["port"],
                         "domain_name": addr["domain_name"], "capacity": 1, "max_memory": 1024,
                         "used_memory": 2, "charging_mode": 0, "enterprise_project_id": "0",
                         "description": "", "created_at": "2024-01-01T00:00:00.000Z",
                         "tags": [{"key": k, "value": v} for k, v in i.get("tags", {}).items()]})
        rid = uuid.uuid4().hex
        return json_resp(200, {"instance_num": len(q["items"]), "instances": rows}, None,
                         [("X-Request-Id", rid)])

class Alibaba:
    name = "alibaba"
    HOST_ID = "r-kvstore.aliyuncs.com"
    ACTIONS = {"DescribeInstanceSSL": ("2015-01-01", "status"),
               "DescribeInstances": ("2015-01-01", "list"),
               "AssumeRole": ("2015-04-01", "sts")}
    PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 30, 50

    def err(self, call, status, code, msg):
        rid = str(uuid.uuid4()).upper()
        sts = call is not None and call.kind == "sts"
        body = {"RequestId": rid, "HostId": "sts.aliyuncs.com" if sts else self.HOST_ID,
                "Code": code, "Message": msg,
                "Recommend": "https://api.aliyun.com/troubleshoot?q=%s&product=%s&requestId=%s"
                % (code, "Sts" if sts else "R-kvstore", rid)}
        if call is not None and getattr(call, "xml", False):
            return Resp(status, _xml("Error", body), "text/xml;charset=utf-8", code,
                        [("X-Request-Id", rid)])
        return json_resp(status, body, code, [("X-Request-Id", rid)])

    def parse(self, h, body, url):
        call = Call(self.name)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        if h.command == "POST":
            try:
                params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                pass
        call.params = params
        call.xml = params.get("Format", "XML").upper() != "JSON"
        call.action = params.get("Action")
        call.key_id = params.get("AccessKeyId")
        call.instance_id = params.get("InstanceId")
        call.region = params.get("RegionId")
        for p in ("Action", "Version", "AccessKeyId", "Signature", "SignatureMethod",
                  "SignatureVersion", "SignatureNonce", "Timestamp"):
            if not params.get(p):
                call.error = self.err(call, 400, "Missing" + p, "%s is mandatory for this action." % p)
                return call
        spec = self.ACTIONS.get(call.action)
        if spec is None:
            call.error = self.err(call, 404, "InvalidAction.NotFound",
                                  "Specified api is not found, please check your url and method.")
            return call
        version, call.kind = spec
        call.service = "sts" if call.kind == "sts" else "redis"
        if params["Version"] != version:
            call.error = self.err(call, 400, "InvalidVersion", "Specified parameter Version is not valid.")
        else:
            call.error = self.check_call(call, "InstanceId")
        if call.kind != "status":
            call.instance_id = None
        return call

    def check_call(self, call, id_param):
        """The checks after action and version, or None: the signature
        method and version, then what the call needs (a status call its id
        parameter, a list call RegionId)."""
        p = call.params
        if p["SignatureMethod"] != "HMAC-SHA1":
            return self.err(call, 400, "InvalidSignatureMethod", "Specified signature method is not supported.")
        if p["SignatureVersion"] != "1.0":
            return self.err(call, 400, "InvalidSignatureVersion", "Specified signature version is not supported.")
        if call.kind == "status" and not call.instance_id:
            return self.err(call, 400, "Missing" + id_param, "%s is mandatory for this action." % id_param)
        if call.kind == "list" and not call.region:
            return self.err(call, 400, "MissingRegionId", "RegionId is mandatory for this action.")
        return None

    def verify(self, fleet, call, h, body, now):
        p = call.params
        sim_log_signature(h, "rpc-v1", p.get("Signature"))
        try:
            ts = datetime.datetime.strptime(p["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
        except ValueError:
            return self.err(call, 400, "InvalidTimeStamp.Format",
                            "Specified time stamp or date value is not well formatted.")
        if abs(now - ts) > ALIBABA_SKEW_S:
            return self.err(call, 400, "InvalidTimeStamp.Expired",
                            "Specified time stamp or date value is expired.")
        acct = find_key(fleet, h, self.name, p["AccessKeyId"])
        if acct is None:
            return self.err(call, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        unsigned = {k: v for k, v in p.items() if k != "Signature"}
        want, _ = ali_sign(unsigned, acct["secret"], h.command)
        if not hmac.compare_digest(want.encode(), p["Signature"].encode("utf-8", "replace")):
            return self.err(call, 400, "SignatureDoesNotMatch",
                            "Specified signature is not matched with our calculation.")
        if sim_nonce_used(h, p["AccessKeyId"], p["SignatureNonce"]):
            return self.err(call, 400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        call.account = acct
        token = p.get("SecurityToken") or None
        if acct["key_id"].startswith("STS.") and token is None:
            return self.err(call, 400, "InvalidSecurityToken.Malformed",
                            "An STS access key needs a SecurityToken.")
        if token != acct["tok"] and not (token is None and acct["tok"] is None):
            return self.err(call, 400, "InvalidSecurityToken.Mismatch",
                            "The SecurityToken does not match the access key.")
        if temp_expired(acct, now):
            return self.err(call, 400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
        return None

    def lookup(self, fleet, call):
        inst = fleet.find(call.account["name"], call.instance_id)
        if inst is None or (call.region and inst["region"] != call.region):
            return None
        return inst

    def throttle(self, call, rate=None):
        return self.err(call, 503, "Throttling.User", "Request was denied due to user flow control.")

    def fault_5xx(self, call):
        return self.err(call, 503, "ServiceUnavailable",
                        "The request has failed due to a temporary failure of the server.")

    def common_error(self, call, inst, sc):
        """auth_error, throttled, error_500 and provider_error as every
        Alibaba product answers them, or None."""
        if sc == "auth_error":
            return self.auth_denied(call, inst.get("error_code", "Forbidden.RAM"))
        if sc == "throttled":
            return self.throttle(call)
        if sc == "error_500":
            return self.err(call, int(inst.get("http_status", 500)), inst.get("error_code", "InternalError"),
                            "The request processing has failed due to some unknown error.")
        if sc == "provider_error":
            return self.err(call, int(inst.get("http_status", 400)), inst["error_code"],
                            inst.get("error_message", "Simulated error."))
        return None

    def answer(self, sim, call, inst, rt, sc):
        if sc == "not_found":
            return self.err(call, 404, "InvalidInstanceId.NotFound",
                            "The InstanceId provided does not exist in our records.")
        if sc == "unsupported":
            code = inst.get("error_code", "IncorrectEngineVersion")
            status = {"InvalidRedisVersionPattern": 400}.get(code, 403)
            return self.err(call, status, code, "Current engine version does not support operations.")
        err = self.common_error(call, inst, sc)
        if err is not None:
            return err
        rid = str(uuid.uuid4()).upper()
        r = {"InstanceId": inst["id"], "RequestId": rid, "SSLEnabled": "Enable",
             "SSLExpiredTime": iso_z(sim.api_expiry(inst)),
             "CertCommonName": inst.get("cert_common_name", "%s.redis.rds.aliyuncs.com" % inst["id"]),
             "CertDownloadURL": sim.plain_url(inst)}
        if sc == "disabled":
            r.update(SSLEnabled="Disable", SSLExpiredTime="", CertCommonName="", CertDownloadURL="")
        elif sc == "wrong_type":
            r["SSLEnabled"] = 1
        r.update(inst.get("extra", {}))
        if call.xml:
            return Resp(200, _xml("DescribeInstanceSSLResponse", r), "text/xml;charset=utf-8", None,
                        [("X-Request-Id", rid)])
        return json_resp(200, r, None, [("X-Request-Id", rid)])


    # -- discovery ------------------------------------------------------------
    def auth_denied(self, call, code="Forbidden.RAM"):
        return self.err(call, 403, code,
                        "User not authorized to operate on the specified resource, or this API "
                        "doesn't support RAM.")

    def internal_error(self, call):
        return self.err(call, 500, "InternalError",
                        "The request processing has failed due to some unknown error.")

    def list_query(self, fleet, call):
        p = call.params
        bad, vals = paging_params(p, (("PageNumber", 1, lambda v: v >= 1),
                                      ("PageSize", self.PAGE_SIZE_DEFAULT, lambda v: 1 <= v <= self.PAGE_SIZE_MAX)))
        if bad:
            return self.bad_paging(call, bad), None
        tests = []
        n = 1
        while "Tag.%d.Key" % n in p:
            k, v = p["Tag.%d.Key" % n], p.get("Tag.%d.Value" % n)
            tests.append(lambda i, k=k, v=v: k in i.get("tags", {}) and (v is None or i["tags"][k] == v))
            n += 1
        if p.get("InstanceIds"):
            ids = set(p["InstanceIds"].split(","))
            tests.append(lambda i: i["id"] in ids)
        items = [i for i in fleet.listing(call.account["name"], "redis", call.region)
                 if all(t(i) for t in tests)]
        size = vals["PageSize"]
        return None, {"service": "redis", "offset": (vals["PageNumber"] - 1) * size, "limit": size,
                      "page": vals["PageNumber"], "items": items}

    def bad_paging(self, call, name):
        return self.err(call, 400, "InvalidParameter", "The specified parameter %s is not valid." % name)

    def list_answer(self, sim, call, q):
        rows = []
        for i in q["items"][q["offset"]:q["offset"] + q["limit"]]:
            addr = list_address(i)
            rows.append({"InstanceId": i["id"], "InstanceName": provider_name(i), "RegionId": i["region"],
                         "ZoneId": i["region"] + "-a", "InstanceStatus": "Normal", "InstanceType": "Redis",
                         "EngineVersion": "6.0", "ArchitectureType": "standard", "NetworkType": "VPC",
                         "ConnectionDomain": addr["host"], "Port": addr["port"],
                         "PrivateIp": "172.16.%d.%d" % (int(short_hash(i["id"])[:2], 16), 10),
                         "Capacity": 1024, "ChargeType": "PostPaid", "ResourceGroupId": "rg-sim0001",
                         "Tags": {"Tag": [{"Key": k, "Value": v} for k, v in i.get("tags", {}).items()]}})
        rid = str(uuid.uuid4()).upper()
        r = {"RequestId": rid, "PageNumber": q["page"], "PageSize": q["limit"],
             "TotalCount": len(q["items"]), "Instances": {"KVStoreInstance": rows}}
        return self.reply("DescribeInstancesResponse", r, call, rid)

    def reply(self, root, r, call, rid):
        if call.xml:
            return Resp(200, _xml(root, r), "text/xml;charset=utf-8", None, [("X-Request-Id", rid)])
        return json_resp(200, r, None, [("X-Request-Id", rid)])

    # -- STS AssumeRole ---------------------------------------------------------
    def assume_role(self, sim, call):
        p = call.params
        for name in ("RoleArn", "RoleSessionName"):
            if not p.get(name):
                return self.err(call, 400, "Missing" + name, "%s is mandatory for this action." % name)
        try:
            dur = int(p.get("DurationSeconds", "3600"))
        except ValueError:
            dur = -1
        if not 900 <= dur <= 43200:
            return self.err(call, 400, "InvalidParameter.DurationSeconds",
                            "The Min/Max value of DurationSeconds is 15min/12hr.")
        ar = call.account.get("assume_role")
        if ar is None or ar["role_arn"] != p["RoleArn"]:
            return self.err(call, 404, "EntityNotExist.Role", "The specified Role not exists .")
        cred = sim.issue(self.name, call.account["name"], "assume_role", dur)
        rid = str(uuid.uuid4()).upper()
        session = p["RoleSessionName"]
        r = {"RequestId": rid,
             "AssumedRoleUser": {"Arn": "%s/%s" % (p["RoleArn"], session),
                                 "AssumedRoleId": "3%017d:%s" % (int(short_hash(p["RoleArn"])[:8], 16), session)},
             "Credentials": {"AccessKeyId": cred.key_id, "AccessKeySecret": cred.secret,
                             "SecurityToken": cred.token, "Expiration": iso_z(cred.expires)}}
        return self.reply("AssumeRoleResponse", r, call, rid)

def paging_params(src, specs):
    """The integer paging parameters of a list call: specs are (name,
    default, allowed(value)). Returns (the first bad name or None, values)."""
    vals = {}
    for name, default, allowed in specs:
        raw = src.get(name)
        try:
            v = default if raw is None else int(raw)
        except ValueError:
            v = None
        if v is None or not allowed(v):
            return name, vals
        vals[name] = v
    return None, vals


def _xml_items(d):
    """Alibaba's XML form: a list becomes its parent element repeated."""
    out = []
    for k, v in d.items():
        for item in (v if isinstance(v, list) else [v]):
            inner = _xml_items(item) if isinstance(item, dict) else xml_escape(item)
            out.append("<%s>%s</%s>" % (k, inner, k))
    return "".join(out)


def _xml(root, d):
    return ("<?xml version='1.0' encoding='UTF-8'?><%s>%s</%s>" % (root, _xml_items(d), root)).encode("utf-8")


MALFORMED = {
    "tencent": b'{"Response": {"RequestId": "%s", "SSLConfig": tru',
    "huawei": b'{"enabled": true, "request": "%s", "port": ',
    "alibaba": b'{"RequestId": "%s", "SSLEnabled": "Ena',
}


def find_key(fleet, h, provider, key_id):
    """The fleet's account for a key id, or for temporary credentials the
    simulator issued (metadata, AssumeRole) a copy of the account holding
    them. The verifiers also run without a server (the self-test)."""
    acct = fleet.by_key.get((provider, key_id))
    if acct is not None:
        return acct
    lookup = getattr(h.server.sim, "temp_account", None)
    return lookup(fleet, provider, key_id) if lookup is not None else None


def temp_expired(acct, now):
    exp = acct.get("temp_expires")
    return exp is not None and now >= exp


def sim_nonce_used(h, key_id, nonce):
    return h.server.sim.nonce_used(key_id, nonce, time.time())


def sim_log_signature(h, kind, value):
    # The verifiers also run outside a server (the self-test's fake handler).
    log = getattr(h.server.sim, "log_signature", None)
    if log is not None:
        log(kind, value)


TENCENT, HUAWEI, ALIBABA = Tencent(), Huawei(), Alibaba()


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------


class Closed(Exception):
    """The handler dropped the connection on purpose."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tlsfleet-sim/1"
    sys_version = ""
    timeout = IDLE_TIMEOUT_S

    def log_message(self, fmt, *args):
        if self.server.sim.args.verbose:
            # A query may hold a signature or a security token: never print it.
            msg = re.sub(r"\?[^\s\"]*", "?...", fmt % args)
            sys.stderr.write("tlsfleet-sim: %s\n" % msg)

    def version_string(self):
        return self.server_version

    def date_time_string(self, timestamp=None):
        return email.utils.formatdate(self.server.sim.now(), usegmt=True)

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except Closed:
            self.close_connection = True
        except (ConnectionError, ssl.SSLError, socket.timeout, OSError):
            self.close_connection = True

    # -- plumbing -------------------------------------------------------------
    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if te == "chunked":
            out = bytearray()
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";")[0].strip() or b"0", 16)
                except ValueError:
                    return None
                if size == 0:
                    while self.rfile.readline(1024).strip():
                        pass
                    return bytes(out)
                if len(out) + size > MAX_BODY:
                    return None
                out += self.rfile.read(size)
                self.rfile.readline(1024)
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None
        if n < 0 or n > MAX_BODY:
            return None
        return self.rfile.read(n) if n else b""

    def send(self, resp, extra_len=0, stop_after=None):
        """stop_after: send only that many body bytes, then drop the connection."""
        self.send_response(resp.status)
        if resp.body is not None:
            self.send_header("Content-Type", resp.ctype)
            self.send_header("Content-Length", str(len(resp.body) + extra_len))
        for k, v in resp.headers:
            self.send_header(k, v)
        if not any(k == "X-Request-Id" for k, _ in resp.headers):
            self.send_header("X-Request-Id", uuid.uuid4().hex)
        self.end_headers()
        if resp.body is None:
            return
        body = resp.body if stop_after is None else resp.body[:stop_after]
        self.wfile.write(body)
        if stop_after is not None or extra_len:
            self.wfile.flush()
            raise Closed()

    def reset(self):
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.connection.close()
        raise Closed()

    def hang(self, seconds):
        self.server.sim.stop.wait(min(float(seconds), HANG_MAX_S))
        self.connection.close()
        raise Closed()

    def slow_body(self, resp):
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.ctype)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        step = SLOW_BODY_TOTAL_S / max(1, len(resp.body))
        deadline = time.monotonic() + SLOW_BODY_MAX_S
        for i in range(len(resp.body)):
            if self.server.sim.stop.wait(step) or time.monotonic() > deadline:
                break
            self.wfile.write(resp.body[i:i + 1])
        self.connection.close()
        raise Closed()

    # -- routing ----------------------------------------------------------------
    def dispatch(self):
        sim = self.server.sim
        t = time.time()
        url = urlsplit(self.path)
        body = self.read_body()
        if body is None:
            self.close_connection = True
            self.send(json_resp(413, {"error": "request body too large or malformed"}))
            return
        if url.path.startswith("/files/") or url.path.startswith("/obs/"):
            self.serve_file(t, url)
            return
        if url.path == "/sim/health":
            self.send(json_resp(200, {"ok": True, "generation": sim.generation}))
            return
        prov = self.route(url)
        if prov is None:
            sim.log(self.record(t, None, None, url, 404, None))
            self.send(json_resp(404, {"error": "no such route"}))
            return
        self.api(prov, t, url, body)

    def route(self, url):
        hd = self.headers
        if url.path.startswith("/v2/"):
            return HUAWEI
        if url.path not in ("", "/"):
            return None
        if hd.get("X-TC-Action") is not None or (hd.get("Authorization") or "").startswith("TC3-"):
            return TENCENT
        ctype = (hd.get("Content-Type") or "").lower()
        if self.command == "GET" and "Action=" in url.query:
            return ALIBABA
        if self.command == "POST" and ctype.startswith("application/x-www-form-urlencoded"):
            return ALIBABA
        if self.command == "POST":
            return TENCENT
        return None

    def record(self, t, prov, call, url, status, code, fault=None, scenario=None, **more):
        rec = {"t": round(t, 6), "provider": prov.name if prov else None,
               "account": call.key_id if call else None,
               "account_name": call.account["name"] if call and call.account else None,
               "action": call.action if call else None,
               "instance": call.instance_id if call else None,
               "status": status, "code": code,
               "fault": fault if fault is not None else (call.list_fault if call else None),
               "scenario": scenario, "path": url.path, "method": self.command, "leaked_auth": False}
        if call and call.page is not None:
            rec["page"] = call.page
        if call and call.list_type is not None:
            rec["list_type"] = call.list_type
        if call and call.account and call.account.get("credential"):
            rec["credential"] = call.account["credential"]
        rec.update(more)
        return rec

    def api(self, prov, t, url, body):
        sim = self.server.sim
        call = prov.parse(self, body, url)
        fault = sim.pick_fault()
        if fault in ("reset", "hang", "5xx", "throttle", "wrong_content_type"):
            self.fault(prov, call, fault, t, url)
            return
        if sim.args.latency_ms > 0:
            sim.stop.wait(sim.args.latency_ms / 1000.0)
        resp, sc = self.decide(prov, call, body, t, url)
        sim.log(self.record(t, prov, call, url, resp.status, resp.code, fault=fault, scenario=sc,
                            answered=time.time()))
        if fault and resp.body is None:
            self.reset()
        if fault == "truncate":
            self.send(resp, extra_len=100)
        elif fault == "slow_body":
            self.slow_body(resp)
        self.send(resp)

    def decide(self, prov, call, body, t, url):
        """The answer the provider would give: (Resp, scenario). Answers
        nothing at all (and logs it) for the hang and reset scenarios."""
        sim = self.server.sim
        fleet = sim.fleet
        resp = call.error or prov.verify(fleet, call, self, body, sim.now())
        if resp is not None:
            return resp, None
        rate = call.account.get("throttle_rate", sim.args.throttle_rate)
        if rate and sim.over_rate((prov.name, call.key_id, call.action), rate, t):
            return prov.throttle(call, rate), "rate_limit"
        if call.kind == "sts":
            return prov.assume_role(sim, call), None
        if call.kind == "list":
            return self.decide_list(prov, call, t, url)
        inst = prov.lookup(fleet, call)
        sc = inst["scenario"] if inst else "not_found"
        rt = (sim.runtime.get(inst["key"]) or Runtime()) if inst else None
        if sc == "throttle_first":
            with rt.lock:
                throttle = rt.throttled < int(inst.get("throttle_count", 2))
                rt.throttled += 1
            if throttle:
                return prov.throttle(call), sc
            sc = inst["then"]
        elif sc == "slow":
            sim.stop.wait(inst.get("delay_ms", 3000) / 1000.0)
            sc = inst["then"]
        if sc in ("hang", "reset"):
            sim.log(self.record(t, prov, call, url, None, None, scenario=sc))
            if sc == "hang":
                self.hang(inst.get("hang_s", HANG_MAX_S))
            self.reset()
        if sc == "malformed":
            rid = _req_id()
            return Resp(200, MALFORMED[prov.name] % rid.encode(), headers=[("X-Request-Id", rid)]), sc
        if sc == "raw":
            rid = _req_id()
            data = (base64.b64decode(inst["raw_body_b64"]) if "raw_body_b64" in inst
                    else inst["raw_body"].encode("utf-8"))
            return Resp(int(inst.get("http_status", 200)), data,
                        inst.get("content_type", "application/json;charset=utf-8"),
                        headers=[("X-Request-Id", rid)]), sc
        return prov.answer(sim, call, inst, rt, sc), sc

    def decide_list(self, prov, call, t, url):
        """A list page: the provider's paging rules, then a list_faults entry
        for this page if the fleet has one left, else the page."""
        sim = self.server.sim
        err, q = prov.list_query(sim.fleet, call)
        if err is not None:
            return err, None
        call.page = q["page"]
        fault = sim.list_fault(call.account["name"], q["service"], call.region, q["page"])
        call.list_fault = fault
        if fault == "reset":
            sim.log(self.record(t, prov, call, url, None, None))
            self.reset()
        if fault == "malformed":
            rid = _req_id()
            return Resp(200, MALFORMED[prov.name] % rid.encode(), headers=[("X-Request-Id", rid)]), None
        if fault is not None:
            answer = {"throttle": prov.throttle, "5xx": prov.fault_5xx,
                      "auth_error": prov.auth_denied, "error_500": prov.internal_error}[fault]
            return answer(call), None
        return prov.list_answer(sim, call, q), None

    def fault(self, prov, call, fault, t, url):
        sim = self.server.sim
        resp = None
        if fault == "5xx":
            resp = prov.fault_5xx(call)
        elif fault == "throttle":
            resp = prov.throttle(call)
        elif fault == "wrong_content_type":
            resp = Resp(200, b"<html><head><title>Gateway</title></head><body><h1>Please log in"
                        b"</h1></body></html>\n", "text/html; charset=utf-8")
        sim.log(self.record(t, prov, call, url, resp.status if resp else None,
                            resp.code if resp else None, fault=fault))
        if resp is not None:
            self.send(resp)
            return
        if fault == "hang":
            self.hang(HANG_MAX_S)
        self.reset()

    # -- certificate files ----------------------------------------------------
    def serve_file(self, t, url):
        sim = self.server.sim
        leaked = any(k.lower() == "authorization" or k.lower().startswith(("x-tc-", "x-sdk-", "x-acs-"))
                     or k.lower() in ("x-security-token", "x-project-id")
                     for k in self.headers.keys())
        segs = [unquote(s) for s in url.path.split("/")]
        rec = {"t": round(t, 6), "provider": None, "account": None, "account_name": None,
               "action": "download", "instance": None, "status": None, "code": None,
               "fault": None, "scenario": None, "path": url.path, "method": self.command,
               "leaked_auth": leaked}
        if self.command not in ("GET",):
            rec["status"] = 405
            sim.log(rec)
            self.send(Resp(405, b"method not allowed\n", "text/plain"))
            return
        special = segs[1:] if segs[1] == "files" and len(segs) == 3 else None
        if special == ["files", "huge"]:
            rec.update(status=200, fault="huge")
            sim.log(rec)
            self.send_huge()
            return
        if special == ["files", "redirect-http"]:
            rec.update(status=302, fault="redirect-http")
            sim.log(rec)
            self.send(Resp(302, b"", "text/plain", headers=[
                ("Location", "http://127.0.0.1:%d/files/plain.pem" % sim.port)]))
            return
        if special == ["files", "truncated"]:
            rec.update(status=200, fault="truncated")
            sim.log(rec)
            pem = b"-----BEGIN CERTIFICATE-----\n" + b"MIIB" * 256
            self.send(Resp(200, pem, "application/x-pem-file"), stop_after=len(pem) // 2)
            return
        entry = sim.files.get(tuple(segs))
        if entry is None:
            rec.update(status=404, code="NoSuchKey")
            sim.log(rec)
            self.send(self.storage_error(404, "NoSuchKey", "The specified key does not exist.", url))
            return
        inst = entry.inst
        rec.update(provider=inst["provider"], instance=inst["id"], account_name=inst["account"])
        if entry.signed:
            q = dict(parse_qsl(url.query, keep_blank_values=True))
            exp_s = q.get("t") if entry.signed == "tencent" else q.get("Expires")
            sig = q.get("sign") if entry.signed == "tencent" else q.get("Signature")
            try:
                expires = int(exp_s)
            except (TypeError, ValueError):
                expires = None
            if expires is None or sig is None:
                code, msg = "AccessDenied", "Request is not signed."
            elif not hmac.compare_digest(sim.file_sign(entry.signed, segs, expires).encode(),
                                         sig.encode("utf-8", "replace")):
                code, msg = "SignatureDoesNotMatch", "The request signature does not match."
            elif expires < sim.now():
                code, msg = "AccessDenied", "Request has expired"
            else:
                code = None
            if code:
                rec.update(status=403, code=code)
                sim.log(rec)
                self.send(self.storage_error(403, code, msg, url))
                return
        rec["status"] = 200
        if entry.dies:
            rec["fault"] = "server_dies_mid_body"
            sim.log(rec)
            self.send(Resp(200, entry.data, entry.ctype), stop_after=len(entry.data) // 2)
            return
        if inst.get("file_stall_s"):
            rec["fault"] = "stall"
            sim.log(rec)
            self.send_stalled(entry, float(inst["file_stall_s"]))
            return
        sim.log(rec)
        self.send(Resp(200, entry.data, entry.ctype))

    def storage_error(self, status, code, msg, url):
        rid = uuid.uuid4().hex.upper()
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
                "<Resource>%s</Resource><RequestId>%s</RequestId><HostId>%s</HostId></Error>\n" % (
                    xml_escape(code), xml_escape(msg), xml_escape(url.path), rid, "127.0.0.1"))
        return Resp(status, body.encode("utf-8"), "application/xml", code, [("X-Request-Id", rid)])

    def send_stalled(self, entry, seconds):
        """Half the file, a pause of `seconds` (at most HANG_MAX_S), the rest."""
        half = len(entry.data) // 2
        self.send_response(200)
        self.send_header("Content-Type", entry.ctype)
        self.send_header("Content-Length", str(len(entry.data)))
        self.end_headers()
        self.wfile.write(entry.data[:half])
        self.wfile.flush()
        if self.server.sim.stop.wait(min(seconds, HANG_MAX_S)):
            raise Closed()
        self.wfile.write(entry.data[half:])

    def send_huge(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(HUGE_SIZE))
        self.end_headers()
        chunk = (b"PK\x03\x04" + b"\0" * 65532)
        left = HUGE_SIZE
        while left > 0 and not self.server.sim.stop.is_set():
            n = min(left, len(chunk))
            self.wfile.write(chunk[:n])
            left -= n
        if left:
            raise Closed()


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 512

    def __init__(self, addr, sim, ctx):
        self.sim = sim
        self.ssl_ctx = ctx
        super().__init__(addr, Handler)

    def finish_request(self, request, client_address):
        # The TLS handshake happens here, in the connection's own thread, so a
        # client stalling in it cannot hold up accept().
        request.settimeout(HANDSHAKE_TIMEOUT_S)
        try:
            tls = self.ssl_ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            request.close()
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        except (ConnectionError, ssl.SSLError, socket.timeout, OSError, Closed):
            pass
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if self.sim.args.verbose:
            super().handle_error(request, client_address)


class MetaHandler(Handler):
    """The instance metadata endpoints, plain HTTP on their own port:
    Tencent CVM and Alibaba ECS role credentials, Huawei ECS securitykey."""

    server_version = "tlsfleet-sim-metadata/1"
    ROUTES = (("/latest/meta-data/cam/security-credentials/", "tencent"),
              ("/latest/meta-data/ram/security-credentials/", "alibaba"))

    def meta(self):
        sim = self.server.sim
        t = time.time()
        self.read_body()
        path = urlsplit(self.path).path
        rec = {"t": round(t, 6), "provider": None, "account": None, "account_name": None,
               "action": "metadata", "instance": None, "status": None, "code": None, "fault": None,
               "scenario": None, "path": path, "method": self.command, "leaked_auth": False,
               "listener": "metadata"}
        if sim.args.metadata_delay > 0:
            sim.stop.wait(sim.args.metadata_delay / 1000.0)
        resp = self.answer(sim, path, rec)
        rec["status"] = resp.status
        sim.log(rec)
        self.send(resp)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = meta

    @staticmethod
    def not_found():
        return Resp(404, b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<html><head><title>404 - "
                    b"Not Found</title></head><body><h1>404 - Not Found</h1></body></html>\n",
                    "text/html")

    def answer(self, sim, path, rec):
        fleet = sim.fleet
        if path == "/latest/api/token" and self.command == "PUT":
            # Alibaba's hardened mode: a session token first (never checked here).
            return Resp(200, _rand(56).encode(), "text/plain")
        if self.command != "GET":
            return Resp(405, b"method not allowed\n", "text/plain")
        prov = role = None
        for prefix, p in self.ROUTES:
            if path.startswith(prefix):
                prov, role = p, path[len(prefix):]
        if path in ("/openstack/latest/securitykey", "/openstack/latest/securitykey/"):
            prov, role = "huawei", None
        if prov is None:
            return self.not_found()
        rec["provider"] = prov
        holders = [a for a in fleet.accounts.values()
                   if a["provider"] == prov and "instance_role" in a]
        if role == "":
            # The listing of role names.
            names = "\n".join(a["instance_role"] for a in holders)
            return Resp(200, names.encode("utf-8"), "text/plain") if names else self.not_found()
        acct = next((a for a in holders if role is None or a["instance_role"] == role), None)
        if acct is None:
            return self.not_found()
        rec["account_name"] = acct["name"]
        cred = sim.metadata_cred(prov, acct["name"])
        if prov == "tencent":
            body = {"TmpSecretId": cred.key_id, "TmpSecretKey": cred.secret,
                    "ExpiredTime": int(cred.expires), "Expiration": iso_z(cred.expires),
                    "Token": cred.token, "Code": "Success"}
        elif prov == "alibaba":
            body = {"AccessKeyId": cred.key_id, "AccessKeySecret": cred.secret,
                    "Expiration": iso_z(cred.expires), "SecurityToken": cred.token,
                    "LastUpdated": iso_z(cred.expires - (sim.args.token_lifetime or METADATA_LIFETIME_S)),
                    "Code": "Success"}
        else:
            body = {"credential": {"access": cred.key_id, "secret": cred.secret,
                                   "securitytoken": cred.token,
                                   "expires_at": iso_z(cred.expires)[:-1] + ".000000Z"}}
        return json_resp(200, body)


class MetaServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, addr, sim):
        self.sim = sim
        super().__init__(addr, MetaHandler)

    def handle_error(self, request, client_address):
        if self.sim.args.verbose:
            super().handle_error(request, client_address)


def _load_service_modules():
    """tests/sim/sim_*.py each add services through register(this module).
    Loaded last, once everything they extend (the provider classes, the
    Handler's router) is defined; in name order."""
    import glob
    import importlib.util
    me = sys.modules[__name__]
    for path in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "sim_*.py"))):
        name = os.path.basename(path)[:-3].replace("-", "_")
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        mod.register(me)


_load_service_modules()


def make_ssl_context(state_dir):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(os.path.join(state_dir, "server.pem"), os.path.join(state_dir, "server.key"))
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(prog="tlsfleet_sim.py",
                                description="HTTPS simulator of the cloud APIs tlsfleet calls.")
    p.add_argument("--fleet", required=True, help="fleet file (JSON, see tests/sim/README)")
    p.add_argument("--state-dir", help="certificates, keys and outputs (required unless --validate)")
    p.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free)")
    p.add_argument("--ready-file", help="written atomically once listening")
    p.add_argument("--log", help="JSON line per request")
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--throttle-rate", type=float, default=0.0,
                   help="requests/s per (key id, action) before throttling (0: off)")
    p.add_argument("--fault-rate", type=float, default=0.0)
    p.add_argument("--faults", help="comma-separated: " + ",".join(FAULT_KINDS))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--write-config", help="write a tlsfleet config for the fleet (mode 0600)")
    p.add_argument("--max-lifetime", type=float, default=0.0,
                   help="exit after this many seconds (0: never); a guard for test scripts")
    p.add_argument("--validate", action="store_true", help="check the fleet file and exit")
    p.add_argument("--verbose", action="store_true", help="access log and errors on stderr")
    p.add_argument("--log-signatures-to", metavar="FILE",
                   help="append every request and link signature seen (leak tests only)")
    p.add_argument("--metadata-port", type=int, default=None,
                   help="serve the instance metadata endpoints over plain HTTP on this port (0: any free)")
    p.add_argument("--metadata-delay", type=float, default=0.0, metavar="MS",
                   help="delay before every metadata answer")
    p.add_argument("--token-lifetime", type=float, default=0.0, metavar="S",
                   help="lifetime of issued temporary credentials (0: the provider's default)")
    a = p.parse_args(argv)
    if not a.validate and not a.state_dir:
        p.error("--state-dir is required")
    if not 0.0 <= a.fault_rate <= 1.0:
        p.error("--fault-rate must be between 0 and 1")
    return a


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.validate:
        try:
            f = load_fleet(args.fleet)
        except FleetError as e:
            sys.stderr.write("tlsfleet-sim: %s\n" % e)
            return 2
        print("%s: %d accounts, %d instances" % (args.fleet, len(f.accounts), len(f.instances)))
        return 0
    sigs = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
    # Handled synchronously by the main thread (sigwait); every thread started
    # below inherits the mask, so no handler ever runs inside a request.
    signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    if args.ready_file:
        try:
            os.unlink(args.ready_file)
        except FileNotFoundError:
            pass
    try:
        sim = Sim(args)
    except FleetError as e:
        sys.stderr.write("tlsfleet-sim: %s\n" % e)
        return 2
    try:
        server = SimServer(("127.0.0.1", args.port), sim, make_ssl_context(sim.state_dir))
    except OSError as e:
        sys.stderr.write("tlsfleet-sim: cannot listen on 127.0.0.1:%d: %s\n" % (args.port, e.strerror))
        return 1
    sim.port = server.server_address[1]
    meta_server = None
    if args.metadata_port is not None:
        try:
            meta_server = MetaServer(("127.0.0.1", args.metadata_port), sim)
        except OSError as e:
            sys.stderr.write("tlsfleet-sim: cannot listen on 127.0.0.1:%d: %s\n" % (args.metadata_port, e.strerror))
            return 1
        sim.meta_port = meta_server.server_address[1]
        threading.Thread(target=meta_server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    sim.write_outputs()
    sys.stderr.write("tlsfleet-sim: listening on %s (%s: %d instances)\n" % (
        sim.base_url(), args.fleet, len(sim.fleet.instances)))
    deadline = time.monotonic() + args.max_lifetime if args.max_lifetime > 0 else None
    while True:
        if deadline is None:
            sig = signal.sigwait(sigs)
        else:
            left = deadline - time.monotonic()
            info = signal.sigtimedwait(sigs, max(0.0, left)) if left > 0 else None
            if info is None:
                sys.stderr.write("tlsfleet-sim: --max-lifetime reached\n")
                break
            sig = info.si_signo
        if sig != signal.SIGHUP:
            break
        try:
            sim.load(load_fleet(args.fleet))
            sim.write_outputs()
            sys.stderr.write("tlsfleet-sim: fleet reloaded (generation %d)\n" % sim.generation)
        except (FleetError, OSError) as e:
            sys.stderr.write("tlsfleet-sim: reload failed, keeping the old fleet: %s\n" % e)
    sim.stop.set()
    server.shutdown()
    server.server_close()
    if meta_server is not None:
        meta_server.shutdown()
        meta_server.server_close()
    if args.ready_file:
        try:
            os.unlink(args.ready_file)
        except OSError:
            pass
    if sim.log_file:
        with sim.log_lock:
            sim.log_file.flush()
    sys.stderr.flush()
    # Daemon threads may still sit in a read; do not wait for them.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
