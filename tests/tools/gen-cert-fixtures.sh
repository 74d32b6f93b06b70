#!/bin/sh
# Regenerates tests/data/certs/: CA certificates with fixed dates and the
# kinds of files the providers ship them in (zip with pem/p7b/jks, DER,
# PKCS#7), plus hostile and broken archives, and expectations.json with
# what test_certinfo must find in each. The output is committed, so the
# test suite needs neither this script nor its tools; rerun it only to
# change the fixtures (keys are new on every run, the expectations follow).
#
# Needs: python3 with the cryptography module (Debian python3-cryptography),
# the openssl command (cross-checks names, serials and fingerprints) and zip
# (the only common tool that writes an encrypted entry).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../data/certs"
mkdir -p "$out"
cd "$out"
rm -f ./*.pem ./*.crt ./*.der ./*.p7b ./*.zip ./*.bin ./expectations.json

python3 - <<'PYTHON'
import datetime as dt, hashlib, io, json, os, random, shutil, subprocess, tempfile, zipfile
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa, ec, ed25519
from cryptography.hazmat.primitives.serialization import pkcs7

UTC = dt.timezone.utc
DER = serialization.Encoding.DER
PEM = serialization.Encoding.PEM

def when(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)

def name(*pairs):
    oids = {"CN": NameOID.COMMON_NAME, "O": NameOID.ORGANIZATION_NAME,
            "OU": NameOID.ORGANIZATIONAL_UNIT_NAME, "C": NameOID.COUNTRY_NAME,
            "L": NameOID.LOCALITY_NAME, "ST": NameOID.STATE_OR_PROVINCE_NAME}
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in pairs])

certs = {}      # id -> (cert, key, key string)

def make(cid, subject, key, keystr, start, end, serial, issuer=None, ca=True, pathlen=None):
    iss_name, iss_key = (subject, key) if issuer is None else (certs[issuer][0].subject, certs[issuer][1])
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(iss_name)
         .public_key(key.public_key()).serial_number(serial)
         .not_valid_before(when(start)).not_valid_after(when(end))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=pathlen), critical=True))
    algo = None if isinstance(iss_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    certs[cid] = (b.sign(iss_key, algo), key, keystr, start, end)

make("rsa-ca", name(("C", "CN"), ("O", "TLSFleet Tests"), ("CN", "TLSFleet Test RSA Root CA")),
     rsa.generate_private_key(65537, 2048), "RSA 2048",
     "2025-01-01T00:00:00Z", "2045-01-01T00:00:00Z", 0x1001)
make("ec-ca", name(("C", "CN"), ("O", "TLSFleet Tests"), ("OU", "Database"),
                   ("CN", "TencentDB PG Test CA")),
     ec.generate_private_key(ec.SECP256R1()), "EC P-256",
     "2024-06-01T12:00:00Z", "2034-06-01T12:00:00Z", 0x2002)
make("chain-root", name(("C", "CN"), ("ST", "Zhejiang"), ("L", "Hangzhou"),
                        ("O", "TLSFleet Tests"), ("CN", "ApsaraDB Test Root CA")),
     rsa.generate_private_key(65537, 3072), "RSA 3072",
     # a leap day, and an end past 2049 (GeneralizedTime) and 2038
     "2020-02-29T00:00:00Z", "2050-02-28T23:59:59Z", 0x7a3bc0ffee1234567890abcdef)
make("chain-int", name(("C", "CN"), ("O", "TLSFleet Tests"), ("CN", "ApsaraDB Test Intermediate CA")),
     ec.generate_private_key(ec.SECP384R1()), "EC P-384",
     "2021-03-01T00:00:00Z", "2031-03-01T00:00:00Z", 0x3003, issuer="chain-root", pathlen=0)
make("leaf", name(("CN", "r-bp1test.redis.rds.aliyuncs.com")),
     ed25519.Ed25519PrivateKey.generate(), "Ed25519",
     "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", 0x4004, issuer="chain-int", ca=False)
make("hw-ca", name(("C", "DE"), ("O", "TLSFleet Tests"), ("CN", "Huawei DCS Test CA")),
     rsa.generate_private_key(65537, 2048), "RSA 2048",
     "2023-05-01T00:00:00Z", "2055-05-01T00:00:00Z", 0x5005)
make("utf8-ca", name(("C", "CN"), ("O", "Zürich, Tests"), ("CN", "腾讯云 测试 CA")),
     ec.generate_private_key(ec.SECP256R1()), "EC P-256",
     "2025-01-01T00:00:00Z", "2035-01-01T00:00:00Z", 0x6006)
# Control characters (ESC, and C1 NEL) in a name: must come out escaped.
make("ctrl-ca", name(("O", "TLSFleet Tests"), ("CN", "Evil\x1b[2J\u0085 CA")),
     ec.generate_private_key(ec.SECP256R1()), "EC P-256",
     "2025-01-01T00:00:00Z", "2030-01-01T00:00:00Z", 0x7007)

def der(cid): return certs[cid][0].public_bytes(DER)
def pem(cid): return certs[cid][0].public_bytes(PEM)
def p7(ids, enc=DER): return pkcs7.serialize_certificates([certs[i][0] for i in ids], enc)
def write(fn, data):
    with open(fn, "wb") as f: f.write(data)

# ---- plain files -------------------------------------------------------------
jks = bytes.fromhex("feedfeed00000002") + bytes(random.Random(7).getrandbits(8) for _ in range(600))
pubkey = certs["rsa-ca"][1].public_key()
files = {}
def plain(fn, data, kind, ids, entries=None, error=None):
    write(fn, data)
    files[fn] = dict(kind=kind, certs=ids, error=error,
                     entries=entries if entries is not None else [[fn, kind, len(ids), len(data)]])

for cid in ("rsa-ca", "ec-ca", "leaf", "hw-ca", "utf8-ca"):
    plain(cid + ".pem", pem(cid), "pem", [cid])
plain("rsa-ca.crt", der("rsa-ca"), "der", ["rsa-ca"])
plain("chain.pem", pem("chain-int") + pem("chain-root"), "pem", ["chain-int", "chain-root"])
plain("chain.p7b", p7(["chain-int", "chain-root"]), "pkcs7", ["chain-int", "chain-root"])
plain("chain-p7.pem", p7(["chain-int", "chain-root"], PEM), "pem", ["chain-int", "chain-root"])
plain("concat.der", der("rsa-ca") + der("ec-ca"), "der", ["rsa-ca", "ec-ca"])
junk = (b"Bag Attributes: these lines are not PEM\r\nsubject=whatever\n" + pem("rsa-ca") +
        b"\nnot base64 below\n-----BEGIN CERTIFICATE-----\n!!!!not*base64!!!!\n-----END CERTIFICATE-----\n" +
        pubkey.public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo) +
        pem("ec-ca").replace(b"\n", b"\r\n") + b"trailing junk without newline")
plain("junk.pem", junk, "pem", ["rsa-ca", "ec-ca"])
trusted = subprocess.run(["openssl", "x509", "-trustout", "-addtrust", "serverAuth"],
                         input=pem("hw-ca"), capture_output=True, check=True).stdout
assert b"BEGIN TRUSTED CERTIFICATE" in trusted
plain("trusted.pem", trusted, "pem", ["hw-ca"])
plain("nocert.pem", pubkey.public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
      "pem", [], error="PEM file holds no certificate")
plain("notcert.der", pubkey.public_bytes(DER, serialization.PublicFormat.SubjectPublicKeyInfo),
      "other", [], error="not a zip, PEM or DER certificate file")
garbage = bytes(random.Random(42).getrandbits(8) for _ in range(1000))
garbage = b"\x01" + garbage[1:]          # never a DER SEQUENCE nor "PK"
assert b"-----BEGIN " not in garbage
plain("garbage.bin", garbage, "other", [], error="not a zip, PEM or DER certificate file")

# ---- archives ------------------------------------------------------------------
STAMP = (2024, 5, 20, 10, 0, 0)
def zipbytes(members, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for mname, data in members:
            zi = zipfile.ZipInfo(mname, STAMP)
            zi.compress_type = zipfile.ZIP_STORED if mname.endswith("/") else method
            z.writestr(zi, data)
    return buf.getvalue()

def archive(fn, members, entries, ids, error=None, more=False):
    write(fn, zipbytes(members))
    files[fn] = dict(kind="zip", certs=ids, error=error, entries=entries, more_entries=more)

def e(mname, kind, n, data): return [mname, kind, n, len(data)]

m = [("ca.pem", pem("rsa-ca"))]
archive("TencentDB-SSL-CA.zip", m, [e("ca.pem", "pem", 1, m[0][1])], ["rsa-ca"])

m = [("ca.pem", pem("ec-ca")), ("ca.p7b", p7(["ec-ca"])), ("ca.jks", jks)]
archive("TencentDB-PG-SSL-CA.zip", m,
        [e("ca.pem", "pem", 1, m[0][1]), e("ca.p7b", "pkcs7", 1, m[1][1]), e("ca.jks", "other", 0, jks)],
        ["ec-ca"])

d = "ApsaraDB-CA-Chain/"
m = [(d, b""), (d + "ApsaraDB-CA-Chain.pem", pem("chain-int") + pem("chain-root")),
     (d + "ApsaraDB-CA-Chain.p7b", p7(["chain-int", "chain-root"])), (d + "ApsaraDB-CA-Chain.jks", jks)]
archive("ApsaraDB-CA-Chain.zip", m,
        [e(m[1][0], "pem", 2, m[1][1]), e(m[2][0], "pkcs7", 2, m[2][1]), e(m[3][0], "other", 0, jks)],
        ["chain-int", "chain-root"])

m = [("ca.crt", pem("hw-ca"))]
archive("dcs-ssl-ca.zip", m, [e("ca.crt", "pem", 1, m[0][1])], ["hw-ca"])

deeper = zipbytes([("utf8-ca.pem", pem("utf8-ca"))])
inner = zipbytes([("leaf.pem", pem("leaf")), ("deeper.zip", deeper)])
readme = b"Import ca.pem into your client's trust store.\n"
m = [("README.txt", readme), ("certs/root.cer", der("chain-root")), ("weird.bin", der("rsa-ca")),
     ("inner.zip", inner)]
archive("mixed.zip", m,
        [e("README.txt", "other", 0, readme), e("certs/root.cer", "der", 1, m[1][1]),
         e("weird.bin", "der", 1, m[2][1]), e("inner.zip", "zip", 0, inner),
         e("inner.zip/leaf.pem", "pem", 1, pem("leaf")), e("inner.zip/deeper.zip", "skipped", 0, deeper)],
        ["chain-root", "rsa-ca", "leaf"])

m = [("a.pem", pem("rsa-ca")), ("b.crt", der("rsa-ca")), ("c.pem", pem("chain-int") + pem("chain-root")),
     ("d.p7b", p7(["chain-root", "rsa-ca", "ec-ca"])), ("e.pem", pem("ec-ca"))]
archive("dup.zip", m,
        [e("a.pem", "pem", 1, m[0][1]), e("b.crt", "der", 1, m[1][1]), e("c.pem", "pem", 2, m[2][1]),
         e("d.p7b", "pkcs7", 3, m[3][1]), e("e.pem", "pem", 1, m[4][1])],
        ["rsa-ca", "chain-int", "chain-root", "ec-ca"])

archive("empty.zip", [], [], [], error="archive holds no certificate")
m = [("README.txt", readme), ("ca.jks", jks)]
archive("nocert.zip", m, [e("README.txt", "other", 0, readme), e("ca.jks", "other", 0, jks)], [],
        error="archive holds no certificate")

big = bytes(20 * 1024 * 1024)
m = [("ca.pem", pem("rsa-ca")), ("big.bin", big)]
archive("bomb.zip", m, [e("ca.pem", "pem", 1, m[0][1])], ["rsa-ca"],
        error="zip entry 'big.bin' is too large")
nine = bytes(9 * 1024 * 1024)
m = [("ca.pem", pem("rsa-ca"))] + [("z%d.bin" % i, nine) for i in range(1, 7)]
archive("total-bomb.zip", m, [e("ca.pem", "pem", 1, m[0][1])] + [e("z%d.bin" % i, "other", 0, nine) for i in range(1, 6)],
        ["rsa-ca"], error="archive expands to more than 50 MiB")

txt = [("f%02d.txt" % i, b"filler %d\n" % i) for i in range(69)]
archive("many-last.zip", txt + [("ca.pem", pem("rsa-ca"))],
        [e(n, "other", 0, dta) for n, dta in txt[:64]], [],
        error="archive holds no certificate in its first 64 entries", more=True)
archive("many-first.zip", [("ca.pem", pem("rsa-ca"))] + txt,
        [e("ca.pem", "pem", 1, pem("rsa-ca"))] + [e(n, "other", 0, dta) for n, dta in txt[:63]],
        ["rsa-ca"], more=True)

# Names with controls: a UTF-8-flagged one holding the 8-bit CSI (U+009B),
# passed raw by libzip, and a plain one with ESC, which libzip reads as
# CP437 (ESC is an arrow there). Neither may reach a terminal as a control.
m = [("csi\u009b31m.pem", pem("ctrl-ca")), ("esc\x1b[31m.txt", readme)]
archive("ctrl-name.zip", m, [e("csi?31m.pem", "pem", 1, m[0][1]),
                             e("esc\u2190[31m.txt", "other", 0, readme)], ["ctrl-ca"])

good = open("TencentDB-SSL-CA.zip", "rb").read()
write("corrupt.zip", good[: len(good) * 6 // 10])
files["corrupt.zip"] = dict(kind="zip", certs=[], entries=[], error="damaged zip archive")

# An encrypted entry cannot be read without its password: listed, skipped.
tmp = tempfile.mkdtemp()
for fn, data in (("secret-ca.pem", pem("rsa-ca")), ("ec-ca.pem", pem("ec-ca"))):
    write(os.path.join(tmp, fn), data)
target = os.path.abspath("encrypted.zip")
subprocess.run(["zip", "-q", "-P", "not-a-real-secret", target, "secret-ca.pem"], cwd=tmp, check=True)
subprocess.run(["zip", "-q", target, "ec-ca.pem"], cwd=tmp, check=True)
shutil.rmtree(tmp)
files["encrypted.zip"] = dict(kind="zip", certs=["ec-ca"], error=None, entries=[
    ["secret-ca.pem", "skipped", 0, len(pem("rsa-ca"))],
    ["ec-ca.pem", "pem", 1, len(pem("ec-ca"))]])

# ---- expectations, names and serials cross-checked with the openssl command ----
def ossl(cid, *opts):
    # UTF-8 is kept readable, unless the name holds C1 controls: then
    # everything outside ASCII is escaped
    nameopt = "RFC2253" if cid == "ctrl-ca" else "RFC2253,-esc_msb"
    r = subprocess.run(["openssl", "x509", "-noout", "-nameopt", nameopt, *opts],
                       input=pem(cid), capture_output=True, check=True)
    return r.stdout.decode("utf-8").strip().split("=", 1)[1]

exp = {}
for cid, (cert, key, keystr, start, end) in certs.items():
    fp = ossl(cid, "-fingerprint", "-sha256").replace(":", "").lower()
    assert fp == hashlib.sha256(der(cid)).hexdigest()
    exp[cid] = dict(subject=ossl(cid, "-subject"), issuer=ossl(cid, "-issuer"),
                    serial=ossl(cid, "-serial"),
                    not_before=int(when(start).timestamp()), not_after=int(when(end).timestamp()),
                    not_before_iso=start, not_after_iso=end,
                    sha256=fp, is_ca=cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca,
                    key=keystr)
with open("expectations.json", "w", encoding="utf-8") as f:
    json.dump(dict(certs=exp, files=files), f, indent=1, ensure_ascii=False, sort_keys=True)
    f.write("\n")
PYTHON
ls -l "$out"
