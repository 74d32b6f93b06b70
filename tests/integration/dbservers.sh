# Real database servers on 127.0.0.1 for the probe tests and bench (sourced
# after tests/integration/lib.sh, bash). Everything lives under $WORK and dies with the
# test: each server's pid is remembered and stopped by db_stop_all.
#
# Certificates are made relative to now (python3-cryptography), so "expires
# in 3 days" stays true whenever the suite runs.

DB_PIDS=()

# The binaries, found on PATH or where Debian puts them; empty when absent.
REDIS_SERVER=$(command -v redis-server || true)
REDIS_CLI=$(command -v redis-cli || true)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PG_BIN/initdb" ] || PG_BIN=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")
MARIADBD=$(command -v mariadbd || command -v mysqld || ls /usr/sbin/mariadbd /usr/sbin/mysqld 2>/dev/null | head -n 1 || true)
MARIADB_INSTALL_DB=$(command -v mariadb-install-db || command -v mysql_install_db || true)
MARIADB_CLI=$(command -v mariadb || command -v mysql || true)
PSQL=$(command -v psql || true)

# missing_server WHAT: a missing server skips the test locally, fails it in CI.
missing_server() {
	if [ -n "${CI:-}" ]; then
		echo "Bail out! $1 not found (CI must install it: ./quickstart's PACKAGES)"
		exit 1
	fi
	skip_all "$1 not found"
}

# Commands that must not run as root (postgres refuses to) run as nobody,
# through setpriv, which execs in place: `"${AS_DB_USER[@]}" server ... &`
# makes $! the server itself, so stopping it waits for the server.
AS_DB_USER=()
[ "$(id -u)" -eq 0 ] &&
	AS_DB_USER=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups --)

# db_dir NAME: a directory the server's user owns.
db_dir() {
	local d="$WORK/db/$1"
	mkdir -p "$d"
	if [ "$(id -u)" -eq 0 ]; then
		chmod 711 "$WORK" "$WORK/db"
		chown nobody "$d"
	fi
	echo "$d"
}

free_port() {
	"$PYTHON3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_port PORT PID LOG: poll until the port accepts, or the server died.
wait_port() {
	local deadline=$(( $(date +%s) + 60 ))
	while ! port_open "$1"; do
		if ! kill -0 "$2" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; then
			echo "Bail out! server for port $1 did not start:"
			tail -n 20 "$3" | sed 's/^/# /'
			exit 1
		fi
		sleep 0.05
	done
}

db_stop() {  # db_stop PID: stop one server and wait for it
	kill "$1" 2>/dev/null
	local i
	for i in $(seq 600); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
	kill -9 "$1" 2>/dev/null
}

db_stop_all() {
	local p
	for p in "${DB_PIDS[@]}"; do db_stop "$p"; done
	DB_PIDS=()
}

# make_certs DIR: CAs and server certificates, each NAME.pem + NAME.key:
#   ca            the CA the probes trust
#   other-ca      another CA with the same subject (and its own key)
#   inter         an intermediate CA signed by ca
#   good          localhost + 127.0.0.1, from ca, valid for a year
#   rogue         the same subject and names, from other-ca
#   expired       from ca, ended yesterday
#   soon          from ca, ends in 3 days
#   future        from ca, starts tomorrow
#   viainter      from inter (chain file viainter-chain.pem: leaf + inter)
make_certs() {
	"$PYTHON3" - "$1" <<'PY'
import datetime, ipaddress, os, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

out = sys.argv[1]
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
day = datetime.timedelta(days=1)

def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "tlsfleet tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])

def save(n, cert, key):
    with open(os.path.join(out, n + ".pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(out, n + ".key"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption()))
    os.chmod(os.path.join(out, n + ".key"), 0o600)

def make(subject, key, issuer, ikey, nb, na, ca=False, san=True):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(nb).not_valid_after(na)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    if san:
        b = b.add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    return b.sign(ikey, hashes.SHA256())

k = lambda: ec.generate_private_key(ec.SECP256R1())
ca_key, other_key, inter_key = k(), k(), k()
ca = make(name("tlsfleet probe test CA"), ca_key, name("tlsfleet probe test CA"), ca_key,
          now - 10 * day, now + 3650 * day, ca=True, san=False)
other = make(name("tlsfleet probe test CA"), other_key, name("tlsfleet probe test CA"), other_key,
             now - 10 * day, now + 3650 * day, ca=True, san=False)
inter = make(name("tlsfleet probe intermediate"), inter_key, ca.subject, ca_key,
             now - 10 * day, now + 3650 * day, ca=True, san=False)
save("ca", ca, ca_key)
save("other-ca", other, other_key)
save("inter", inter, inter_key)
leaf = name("localhost")
for n, issuer, ikey, nb, na in [
        ("good", ca, ca_key, now - day, now + 365 * day),
        ("rogue", other, other_key, now - day, now + 365 * day),
        ("expired", ca, ca_key, now - 30 * day, now - day),
        ("soon", ca, ca_key, now - day, now + 3 * day),
        ("future", ca, ca_key, now + day, now + 30 * day),
        ("viainter", inter, inter_key, now - day, now + 365 * day)]:
    key = k()
    save(n, make(leaf, key, issuer.subject, ikey, nb, na), key)
with open(os.path.join(out, "viainter-chain.pem"), "wb") as f:
    f.write(open(os.path.join(out, "viainter.pem"), "rb").read())
    f.write(inter.public_bytes(serialization.Encoding.PEM))
PY
}

# start_redis CERT|plain [PORT]: a Redis server; sets DB_PORT. TLS on the
# only port with CERT.pem/.key (from $CERTS), or a plaintext one.
start_redis() {
	local port dir log
	port=${2:-$(free_port)}
	dir=$(db_dir "redis-$1-$port")
	log="$dir/log"
	if [ "$1" = plain ]; then
		"$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
			--dir "$dir" --logfile "$log" >/dev/null 2>&1 &
	else
		"$REDIS_SERVER" --port 0 --tls-port "$port" --bind 127.0.0.1 --save '' \
			--appendonly no --dir "$dir" --logfile "$log" \
			--tls-cert-file "$CERTS/$1.pem" --tls-key-file "$CERTS/$1.key" \
			--tls-ca-cert-file "$CERTS/ca.pem" --tls-auth-clients no >/dev/null 2>&1 &
	fi
	DB_PIDS+=($!)
	wait_port "$port" $! "$log"
	DB_PORT=$port
}

# start_postgres on|off [PORT]: a PostgreSQL cluster (made once, trust
# auth, role postgres); ssl=on with good.pem. Sets DB_PORT, DB_PID.
start_postgres() {
	local dir="$WORK/db/pg" port log
	if [ ! -d "$dir/data" ]; then
		dir=$(db_dir pg)
		cp "$CERTS/good.pem" "$CERTS/good.key" "$dir/"
		[ "$(id -u)" -eq 0 ] && chown nobody "$dir/good.pem" "$dir/good.key"
		"${AS_DB_USER[@]}" "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync \
			>"$dir/initdb.log" 2>&1 || { echo "Bail out! initdb failed"; sed 's/^/# /' "$dir/initdb.log"; exit 1; }
	fi
	port=${2:-$(free_port)}
	log="$dir/log-$port"
	"${AS_DB_USER[@]}" "$PG_BIN/postgres" -D "$dir/data" -k "$dir" -p "$port" \
		-c listen_addresses=127.0.0.1 -c ssl="$1" -c fsync=off \
		-c ssl_cert_file="$dir/good.pem" -c ssl_key_file="$dir/good.key" >"$log" 2>&1 &
	DB_PID=$!
	DB_PIDS+=($DB_PID)
	wait_port "$port" $DB_PID "$log"
	DB_PORT=$port
}

# start_mariadb: MariaDB with TLS (good.pem), grant tables skipped so the
# connect line logs in without a password. Sets DB_PORT.
start_mariadb() {
	local dir port log user=()
	dir=$(db_dir mariadb)
	cp "$CERTS/good.pem" "$CERTS/good.key" "$dir/"
	[ "$(id -u)" -eq 0 ] && { chown nobody "$dir/good.pem" "$dir/good.key"; user=(--user=nobody); }
	"$MARIADB_INSTALL_DB" --no-defaults --datadir="$dir/data" "${user[@]}" \
		--skip-test-db --auth-root-authentication-method=normal >"$dir/install.log" 2>&1 ||
		{ echo "Bail out! mariadb-install-db failed"; sed 's/^/# /' "$dir/install.log"; exit 1; }
	port=$(free_port)
	log="$dir/log"
	"$MARIADBD" --no-defaults --datadir="$dir/data" "${user[@]}" --port="$port" \
		--bind-address=127.0.0.1 --socket="$dir/sock" --pid-file="$dir/pid" \
		--skip-grant-tables --skip-log-bin --innodb-buffer-pool-size=16M \
		--ssl-cert="$dir/good.pem" --ssl-key="$dir/good.key" --log-error="$log" >/dev/null 2>&1 &
	DB_PIDS+=($!)
	wait_port "$port" $! "$log"
	DB_PORT=$port
}
