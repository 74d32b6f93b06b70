#!/usr/bin/python3
"""Looks for secrets, tokens and request signatures in what tlsfleet wrote
(tests/integration/it_secrets.sh).

    scan_secrets.py FLEET.json SIGS EXTRA PATH...

Needles: every secret key and token of the fleet's accounts; every value
listed in EXTRA (one per line: secrets the test made up on top, such as
wrong keys); the marker "SECRETCANARY" that all of them carry; every
signature the simulator saw or handed out (SIGS, --log-signatures-to),
whole, percent-encoded, and any 16 characters of it in a row (a cut-off
column or a wrapped line would still show those); and the telltale strings of signed requests and
presigned links ("Signature=", "TC3-HMAC", "SDK-HMAC", "?sign=", ...).
Key ids (they carry "IDCANARY") are not secret; where they show up is
only reported.

Every regular file under every PATH is read as bytes. Prints one line per
hit naming the file and the kind of needle, never the value, then a
summary line "# scanned ..."; exits 1 when anything was found.
"""
import json
import os
import sys
from urllib.parse import quote

fleet_path, sigs_path, extra_path = sys.argv[1:4]
paths = sys.argv[4:]

needles = {}    # bytes -> kind
WINDOW = 16
windows = {}    # every WINDOW-byte piece of a signature -> kind


def add(value, kind):
    if value:
        needles.setdefault(value.encode("utf-8"), kind)


fleet = json.load(open(fleet_path, encoding="utf-8"))
for a in fleet["accounts"]:
    for k in ("secret_key", "access_key_secret", "token", "security_token"):
        if a.get(k):
            add(a[k], "%s of account %s" % (k, a["name"]))
            add(quote(a[k], safe=""), "%s of account %s, percent-encoded" % (k, a["name"]))
if os.path.exists(extra_path):
    for n, line in enumerate(open(extra_path, encoding="utf-8")):
        add(line.strip(), "extra secret %d" % (n + 1))
add("SECRETCANARY", "the secret marker SECRETCANARY")
n_sigs = 0
if os.path.exists(sigs_path):
    for line in open(sigs_path, encoding="utf-8"):
        kind, _, sig = line.rstrip("\n").partition("\t")
        if not sig:
            continue
        n_sigs += 1
        for form in (sig, quote(sig, safe="")):
            b = form.encode("utf-8")
            for i in range(len(b) - WINDOW + 1):
                windows.setdefault(b[i:i + WINDOW], "%s signature (16 characters of it)" % kind)
for s in ("Signature=", "TC3-HMAC", "SDK-HMAC", "?sign=", "&sign=", "SecurityToken=",
          "X-TC-Token", "X-Security-Token", "Authorization:"):
    add(s, "the string %r" % s)
ids = [a.get(k) for a in fleet["accounts"] for k in ("secret_id", "access_key", "access_key_id") if a.get(k)]

hits = []
id_files = set()
n_files = n_bytes = 0
for root in paths:
    for dirpath, _, files in os.walk(root):
        for name in files:
            p = os.path.join(dirpath, name)
            if not os.path.isfile(p) or os.path.islink(p):
                continue
            data = open(p, "rb").read()
            n_files += 1
            n_bytes += len(data)
            for needle, kind in needles.items():
                if needle in data:
                    hits.append("%s: %s" % (p, kind))
            seen = set()
            for i in range(len(data) - WINDOW + 1):
                kind = windows.get(data[i:i + WINDOW])
                if kind and kind not in seen:
                    seen.add(kind)
                    hits.append("%s: %s at byte %d" % (p, kind, i))
            if any(i.encode() in data for i in ids):
                id_files.add(p)
for h in sorted(hits):
    print("LEAK %s" % h)
print("# scanned %d files, %d bytes, for %d strings and %d signatures (%d pieces of 16); key ids seen in %d files"
      % (n_files, n_bytes, len(needles), n_sigs, len(windows), len(id_files)))
sys.exit(1 if hits else 0)
