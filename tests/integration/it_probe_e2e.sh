#!/bin/bash
# The live TLS probe end to end: the simulator answers "enabled" for Tencent
# instances whose connect address (instance host/port, or probe_host/
# probe_port/sni) points at real servers on 127.0.0.1 with certificates
# signed by the simulator's provider CA (or not). tlsfleet --list shows
# probe.result per case, --check applies the probe rules, the connect line
# from the JSON runs as is. Servers missing: SKIP locally, FAIL in CI.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dbservers.sh"
require_sim
[ -n "$REDIS_SERVER" ] && [ -n "$REDIS_CLI" ] || missing_server "redis-server/redis-cli"
[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/postgres" ] && [ -n "$PSQL" ] ||
	missing_server "PostgreSQL (initdb, postgres, psql)"

trap 'db_stop_all; cleanup' EXIT

P_GOOD=$(free_port); P_ROGUE=$(free_port); P_EXPIRED=$(free_port); P_SOON=$(free_port)
P_PLAIN=$(free_port); P_CLOSED=$(free_port); P_PG=$(free_port)

tc() {  # tc NAME ID EXTRA-JSON: a Tencent instance trusting the shared provider CA
	printf '{"name": "%s", "account": "tc", "service": "%s", "region": "ap-guangzhou", "id": "%s", "ca": "probe-ca"%s},\n' \
		"$1" "${SVC:-redis}" "$2" "$3"
}
{
	cat <<EOF
{"config": {"refresh_interval": 0, "timeout": 3.0, "retries": 1, "crit_days": 7, "warn_days": 30, "probe": true},
 "cas": {"probe-ca": {"days_left": 400, "key": "ec"}},
 "accounts": [{"name": "tc", "provider": "tencent", "secret_id": "AKIDtlsfleetTESTprobe0000000000000001",
               "secret_key": "tlsfleetTESTprobeSecretKey000001"}],
 "instances": [
EOF
	tc p-ok crs-pr000001 ", \"config\": {\"host\": \"127.0.0.1\", \"port\": $P_GOOD}"
	tc p-dns crs-pr000002 ", \"config\": {\"host\": \"localhost\", \"port\": $P_GOOD}"
	tc p-untrusted crs-pr000003 ", \"config\": {\"host\": \"127.0.0.1\", \"port\": $P_ROGUE}"
	tc p-mismatch crs-pr000004 ", \"config\": {\"host\": \"127.0.0.1\", \"port\": $P_GOOD, \"sni\": \"db.example.com\"}"
	tc p-expired crs-pr000005 ", \"config\": {\"host\": \"127.0.0.1\", \"port\": $P_EXPIRED}"
	tc p-soon crs-pr000006 ", \"config\": {\"host\": \"127.0.0.1\", \"port\": $P_SOON}"
	tc p-timeout crs-pr000007 ", \"config\": {\"host\": \"127.0.0.1\", \"port\": $P_PLAIN}"
	tc p-refused crs-pr000008 ", \"config\": {\"host\": \"127.0.0.1\", \"port\": $P_CLOSED}"
	tc p-noaddr crs-pr000009 ""
	tc p-off crs-pr000010 ", \"config\": {\"host\": \"127.0.0.1\", \"port\": $P_GOOD, \"probe\": false}"
	tc p-disabled crs-pr000011 ", \"scenario\": \"disabled\", \"config\": {\"host\": \"127.0.0.1\", \"port\": $P_GOOD}"
	SVC=postgres tc p-pg postgres-pr000001 ", \"connect_address\": \"10.0.0.7\", \"config\": {\"probe_host\": \"127.0.0.1\", \"probe_port\": $P_PG, \"sni\": \"localhost\"}"
	echo '{"name": "p-last", "account": "tc", "service": "redis", "region": "ap-guangzhou", "id": "crs-pr000099", "ca": "probe-ca", "config": {"probe": false}}'
	echo ']}'
} >"$WORK/fleet.json"
start_sim "$WORK/fleet.json"

# The provider CA as a client gets it (a download), to sign the servers' leaves.
# p-pg's too, so its connect line names a ca.pem; the others' probes fetch the CA.
"$TLSFLEET" -c "$SIM_CONFIG" --download p-ok p-pg --output-dir "$WORK/dl" >"$WORK/dl.out" 2>&1
check "the provider CA downloaded for p-ok" test -s "$WORK/dl/p-ok/ca.pem" ||
	sed 's/^/# /' "$WORK/dl.out"
CERTS="$WORK/certs"
mkdir -p "$CERTS"
make_certs "$CERTS"                       # rogue: the tests' own CA, not the provider's
cp "$CERTS/rogue.pem" "$CERTS/rogue-keep.pem"
cp "$WORK/dl/p-ok/ca.pem" "$CERTS/ca.pem"   # the servers present chains of the provider CA
"$PYTHON3" - "$CERTS" "$SIM_DIR/keys/ca-ec.key" <<'PY'
import datetime, ipaddress, os, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
out, cakey_path = sys.argv[1], sys.argv[2]
ca = x509.load_pem_x509_certificate(open(os.path.join(out, "ca.pem"), "rb").read())
cakey = serialization.load_pem_private_key(open(cakey_path, "rb").read(), None)
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
day = datetime.timedelta(days=1)
for n, nb, na in [("good", now - day, now + 365 * day), ("expired", now - 30 * day, now - day),
                  ("soon", now - day, now + 3 * day)]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(nb).not_valid_after(na)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                           x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(cakey, hashes.SHA256()))
    open(os.path.join(out, n + ".pem"), "wb").write(cert.public_bytes(serialization.Encoding.PEM))
    open(os.path.join(out, n + ".key"), "wb").write(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    os.chmod(os.path.join(out, n + ".key"), 0o600)
PY
start_redis good "$P_GOOD"
start_redis rogue "$P_ROGUE"
start_redis expired "$P_EXPIRED"
start_redis soon "$P_SOON"
start_redis plain "$P_PLAIN"
start_postgres on "$P_PG"; PG_PID=$DB_PID

"$TLSFLEET" -c "$SIM_CONFIG" --list --format json >"$WORK/list.json" 2>"$WORK/list.err"
is "$?" 0 "--list with probes exits 0"
res() { json_get "$WORK/list.json" "(lambda p: p and p['result'])(next(i for i in d if i['name']=='$1')['probe'])"; }
for c in p-ok:ok p-dns:ok p-untrusted:untrusted p-mismatch:name_mismatch p-expired:expired \
	p-soon:ok p-timeout:timeout p-refused:refused p-noaddr:no_address p-off:None \
	p-disabled:None p-pg:ok; do
	is "$(res "${c%%:*}")" "${c#*:}" "${c%%:*}: probe.result ${c#*:}"
done
pycheck "ok: leaf, verify name, TLS version and the address dialled" \
	'by["p-ok"]["probe"]["host"] == "127.0.0.1" and by["p-ok"]["probe"]["verify_name"] == "127.0.0.1" and by["p-ok"]["probe"]["leaf"]["san"] == ["localhost", "127.0.0.1"] and by["p-ok"]["probe"]["tls_version"].startswith("TLSv1.") and by["p-ok"]["probe"]["error"] is None and 364 <= by["p-ok"]["probe"]["leaf"]["days_left"] <= 365' \
	"$WORK/list.json"
pycheck "probe keys in contract order: discovered, probe, connect, check, credential_expires" \
	'list(by["p-ok"]["probe"]) == ["at","host","port","verify_name","result","error","tls_version","leaf"] and list(by["p-ok"]["probe"]["leaf"]) == ["subject","issuer","not_after","days_left","sha256","san"] and list(by["p-ok"])[-5:] == ["discovered","probe","connect","check","credential_expires"]' \
	"$WORK/list.json"
pycheck "3-day leaf: days_left 2 or 3" 'by["p-soon"]["probe"]["leaf"]["days_left"] in (2, 3)' "$WORK/list.json"
pycheck "p-pg dialled probe_host:probe_port and verified the sni" \
	'by["p-pg"]["probe"]["host"] == "127.0.0.1" and by["p-pg"]["probe"]["verify_name"] == "localhost"' "$WORK/list.json"
pycheck "name_mismatch names the verify name" '"db.example.com" in by["p-mismatch"]["probe"]["error"]' "$WORK/list.json"
pycheck "no address: no connect line (never a placeholder)" 'by["p-noaddr"]["connect"] is None' "$WORK/list.json"
pycheck "each CA file fetched once for the probes (one shared URL per instance)" \
	'sum(1 for r in reqs if "/files/" in r.get("path", "")) <= 12' "$WORK/list.json"

# --check: the probe rules
"$TLSFLEET" -c "$SIM_CONFIG" --check --only 'p-*' >"$WORK/check.out" 2>&1
is "$?" 2 "--check with failing probes: CRITICAL (2)"
check "--check names a probe result" grep -q "probe: " "$WORK/check.out"
chk() { json_get "$WORK/list.json" "next(i for i in d if i['name']=='$1')['check']['status']"; }
for c in p-ok:OK p-dns:OK p-untrusted:CRITICAL p-mismatch:CRITICAL p-expired:CRITICAL \
	p-soon:CRITICAL p-timeout:UNKNOWN p-refused:UNKNOWN p-noaddr:UNKNOWN p-disabled:OK p-pg:OK; do
	is "$(chk "${c%%:*}")" "${c#*:}" "${c%%:*}: check ${c#*:}"
done
pycheck "the 3-day leaf decides over the CA's 400 days" \
	'"server certificate" in by["p-soon"]["check"]["reason"]' "$WORK/list.json"

# CSV columns
"$TLSFLEET" -c "$SIM_CONFIG" --list --format csv --only p-soon >"$WORK/list.csv" 2>/dev/null
pycheck "CSV: probe.result, probe.leaf.not_after, probe.leaf.days_left after discovered" \
	'(lambda r: r[0][-7:-3] == ["discovered","probe.result","probe.leaf.not_after","probe.leaf.days_left"] and r[1][-6] == "ok" and r[1][-5].endswith("Z") and r[1][-4] in ("2","3"))(list(__import__("csv").reader(open(j[0]))))' \
	"$WORK/list.csv"

# The connect lines, run as printed.
line=$(json_get "$WORK/list.json" "next(i for i in d if i['name']=='p-ok')['connect']")
diag "$line"
is "$(eval "$line PING" 2>&1)" PONG "p-ok connect line (downloaded ca.pem): redis-cli PING answers PONG"
line=$(json_get "$WORK/list.json" "next(i for i in d if i['name']=='p-pg')['connect']")
diag "$line"
is "$(PGUSER=postgres PGDATABASE=postgres PGCONNECT_TIMEOUT=10 eval "$line -tAc 'select 1'" 2>&1)" 1 \
	"p-pg connect line (hostaddr, sni as host): psql select 1"

# The dashboard: the PROBE column and, in the detail pane, the leaf and the
# connect line whole on a line of its own.
if command -v tmux >/dev/null 2>&1; then
	. "$top_srcdir/tests/integration/screen.sh"
	run_dashboard "$SIM_CONFIG"
	check "dashboard: a PROBE column" wait_for 30 has PROBE
	check "dashboard: probe results in the table" wait_for 30 has name_mismatch
	keys -l '/'; keys -l 'p-ok'; keys Enter; keys Enter
	check "detail pane: the server certificate" wait_for 20 has "Server cert"
	check "detail pane: the connect line, unwrapped" wait_for 20 has_re "^ *redis-cli --tls --cacert '"
	check "detail pane: redis-cli does not check the host name" wait_for 20 has "not the host name"
	screen | sed 's/^/#   /' | head -n 45
	stop_tmux
elif [ -n "${CI:-}" ]; then
	ok 1 "tmux not found (CI must install it)"
fi

# The probe survives a restart (state file), and plaintext PostgreSQL.
db_stop "$PG_PID"
start_postgres off "$P_PG"
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json --only p-pg >"$WORK/pg-off.json" 2>/dev/null
pycheck "ssl=off PostgreSQL: plaintext" 'by["p-pg"]["probe"]["result"] == "plaintext" and by["p-pg"]["check"]["status"] == "CRITICAL"' "$WORK/pg-off.json"
pycheck "the state file keeps the probe of an instance not refreshed" \
	'any(e.get("probe") and e["probe"]["result"] == "untrusted" for e in j[0]["instances"].values())' \
	"$XDG_STATE_HOME/tlsfleet/state.json"

db_stop_all
done_testing
