#!/bin/bash
# The live TLS probe against real servers on 127.0.0.1: Redis (TLS from the
# first byte), PostgreSQL (SSLRequest), MariaDB (greeting + SSLRequest), with
# certificates made for the run; and the connect lines, run as printed.
# Servers missing: SKIP locally, FAIL in CI (CI set).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dbservers.sh"

PROBE="$top_builddir/tests/tools/probe_run"
[ -x "$PROBE" ] || skip_all "tests/tools/probe_run not built"
[ -n "$PYTHON3" ] && "$PYTHON3" -c 'import cryptography' 2>/dev/null ||
	missing_server "python3-cryptography"
[ -n "$REDIS_SERVER" ] && [ -n "$REDIS_CLI" ] || missing_server "redis-server/redis-cli"
[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/postgres" ] && [ -n "$PSQL" ] ||
	missing_server "PostgreSQL (initdb, postgres, psql)"
[ -n "$MARIADBD" ] && [ -n "$MARIADB_INSTALL_DB" ] && [ -n "$MARIADB_CLI" ] ||
	missing_server "MariaDB (mariadbd, mariadb-install-db, mariadb)"

trap 'db_stop_all; [ -n "${SILENT_PID:-}" ] && kill "$SILENT_PID" 2>/dev/null; cleanup' EXIT

CERTS="$WORK/certs"
mkdir -p "$CERTS"
make_certs "$CERTS"
# The connect lines get a CA path a shell must not mangle.
QCA="$WORK/it's a \$dir \`x\`/ca.pem"
mkdir -p "$(dirname "$QCA")"
cp "$CERTS/ca.pem" "$QCA"

fp() {  # fp CERT: the SHA-256 of its DER, lowercase hex
	openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f
}

# probe NAME [probe_run options] HOST PORT: the JSON line in $WORK/NAME.json
probe() {
	local name=$1
	shift
	"$PROBE" "$@" >"$WORK/$name.json" 2>"$WORK/$name.err"
	[ -s "$WORK/$name.json" ] || echo '{}' >"$WORK/$name.json"
}

# result_is NAME WANT DESCRIPTION
result_is() {
	local got
	got=$(json_get "$WORK/$1.json" "d.get('result')")
	is "$got" "$2" "$3"
	[ "$got" = "$2" ] || sed 's/^/#   /' "$WORK/$1.json" "$WORK/$1.err"
}

# ---- Redis: TLS from the first byte ----------------------------------------
start_redis good; GOOD=$DB_PORT
probe good --ca "$CERTS/ca.pem" 127.0.0.1 "$GOOD"
result_is good ok "redis, right CA, IP verified against the IP SAN: ok"
pycheck "ok: leaf subject, issuer, SANs, TLS version" \
	'j[0]["leaf"]["subject"] == "CN=localhost,O=tlsfleet tests" and j[0]["leaf"]["issuer"] == "CN=tlsfleet probe test CA,O=tlsfleet tests" and j[0]["leaf"]["san"] == ["localhost", "127.0.0.1"] and j[0]["tls_version"] in ("TLSv1.2", "TLSv1.3") and j[0]["error"] is None and j[0]["leaf"]["days_left"] in (364, 365)' \
	"$WORK/good.json"
is "$(json_get "$WORK/good.json" "d['leaf']['sha256']")" "$(fp "$CERTS/good.pem")" \
	"ok: leaf sha256 is the DER's"
probe good-dns --ca "$CERTS/ca.pem" --verify localhost localhost "$GOOD"
result_is good-dns ok "a DNS name: resolved, SNI and name checked: ok"
probe good-mem --ca-mem --ca "$CERTS/ca.pem" 127.0.0.1 "$GOOD"
result_is good-mem ok "the CA given in memory: ok"
probe mismatch --ca "$CERTS/ca.pem" --verify db.example.com 127.0.0.1 "$GOOD"
result_is mismatch name_mismatch "right CA, another name: name_mismatch"
pycheck "name_mismatch: the leaf is still reported, the error names the name" \
	'j[0]["leaf"]["sha256"] and "db.example.com" in j[0]["error"]' "$WORK/mismatch.json"
probe otherca --ca "$CERTS/other-ca.pem" 127.0.0.1 "$GOOD"
result_is otherca untrusted "a CA file of another CA with the same subject: untrusted"
probe noca --ca "$WORK/nonexistent.pem" 127.0.0.1 "$GOOD"
result_is noca no_ca "an unreadable CA file: no_ca"

start_redis rogue
probe rogue --ca "$CERTS/ca.pem" 127.0.0.1 "$DB_PORT"
result_is rogue untrusted "a leaf from another CA with the same subject: untrusted"
is "$(json_get "$WORK/rogue.json" "d['leaf'] and d['leaf']['sha256']")" "$(fp "$CERTS/rogue.pem")" \
	"untrusted: the rogue leaf is reported"

start_redis expired
probe expired --ca "$CERTS/ca.pem" 127.0.0.1 "$DB_PORT"
result_is expired expired "an expired leaf: expired"
pycheck "expired: days_left is negative" 'j[0]["leaf"]["days_left"] < 0' "$WORK/expired.json"

start_redis soon
probe soon --ca "$CERTS/ca.pem" 127.0.0.1 "$DB_PORT"
result_is soon ok "a leaf expiring in 3 days: ok"
pycheck "expiring in 3 days: days_left 2 or 3" 'j[0]["leaf"]["days_left"] in (2, 3)' "$WORK/soon.json"

start_redis future
probe future --ca "$CERTS/ca.pem" 127.0.0.1 "$DB_PORT"
result_is future not_yet_valid "a leaf valid from tomorrow: not_yet_valid"

start_redis viainter
probe partial --ca "$CERTS/inter.pem" 127.0.0.1 "$DB_PORT"
result_is partial ok "an intermediate in the CA file is an anchor: ok"
probe partial-root --ca "$CERTS/ca.pem" 127.0.0.1 "$DB_PORT"
result_is partial-root untrusted "the root alone, the server sending no intermediate: untrusted"

start_redis plain
probe plain --ca "$CERTS/ca.pem" --timeout 1000 127.0.0.1 "$DB_PORT"
result_is plain timeout "plaintext Redis: silent, so timeout"
pycheck "plaintext Redis: the error says it connected and got no TLS answer" \
	'"no TLS answer" in j[0]["error"]' "$WORK/plain.json"

"$PROBE" --repeat 40 --parallel 8 --ca "$CERTS/ca.pem" --verify localhost 127.0.0.1 "$GOOD" \
	>"$WORK/many.json" 2>&1
pycheck "40 probes, 8 at a time: all ok, no descriptor left open" \
	'j[0]["ok"] == 40 and j[0]["fds_left_open"] == 0' "$WORK/many.json"

# ---- addresses and listeners ------------------------------------------------
CLOSED=$(free_port)
probe refused --ca "$CERTS/ca.pem" 127.0.0.1 "$CLOSED"
result_is refused refused "a closed port: refused"
probe noaddr --ca "$CERTS/ca.pem" 127.0.0.1 0
result_is noaddr no_address "no port: no_address"

# A listener that accepts (the kernel does, from its backlog) and never reads.
SILENT_PORT=$(free_port)
"$PYTHON3" -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
while True: time.sleep(60)' "$SILENT_PORT" &
SILENT_PID=$!
wait_port "$SILENT_PORT" "$SILENT_PID" /dev/null
probe silent --ca "$CERTS/ca.pem" --timeout 800 127.0.0.1 "$SILENT_PORT"
result_is silent timeout "a listener that never answers: timeout"
probe silent-pg --proto postgres --ca "$CERTS/ca.pem" --timeout 800 127.0.0.1 "$SILENT_PORT"
result_is silent-pg timeout "... also while waiting for the SSLRequest answer"
pycheck "timeout: the error names the step" '"SSLRequest" in j[0]["error"]' "$WORK/silent-pg.json"

# ---- the connect line, run as printed ---------------------------------------
line=$("$PROBE" --line --proto redis --ca "$QCA" localhost "$GOOD")
diag "$line"
is "$(eval "$line PING" 2>&1)" PONG "redis connect line: redis-cli PING answers PONG"
line=$("$PROBE" --line --proto redis --ca "$QCA" --dial 127.0.0.1 localhost "$GOOD")
diag "$line"
is "$(eval "$line PING" 2>&1)" PONG "redis connect line with --sni: PONG"

# ---- PostgreSQL: SSLRequest ------------------------------------------------
start_postgres on; PG_ON=$DB_PORT; PG_ON_PID=$DB_PID
probe pg --proto postgres --ca "$CERTS/ca.pem" --verify localhost 127.0.0.1 "$PG_ON"
result_is pg ok "PostgreSQL with ssl=on: SSLRequest, S, TLS: ok"
is "$(json_get "$WORK/pg.json" "d['leaf'] and d['leaf']['sha256']")" "$(fp "$CERTS/good.pem")" \
	"PostgreSQL: its leaf"
probe pg-redis --proto redis --ca "$CERTS/ca.pem" --timeout 2000 127.0.0.1 "$PG_ON"
result_is pg-redis tls_error "PostgreSQL probed as Redis (TLS at once): tls_error"
line=$("$PROBE" --line --proto postgres --ca "$QCA" localhost "$PG_ON")
diag "$line"
is "$(PGUSER=postgres PGDATABASE=postgres PGCONNECT_TIMEOUT=10 eval "$line -tAc 'select 1'" 2>&1)" 1 \
	"psql connect line (verify-full): select 1"
line=$("$PROBE" --line --proto postgres --ca "$QCA" --dial 127.0.0.1 localhost "$PG_ON")
diag "$line"
is "$(PGUSER=postgres PGDATABASE=postgres PGCONNECT_TIMEOUT=10 eval "$line -tAc 'select 1'" 2>&1)" 1 \
	"psql connect line with hostaddr: select 1"
db_stop "$PG_ON_PID"
start_postgres off
probe pg-off --proto postgres --ca "$CERTS/ca.pem" 127.0.0.1 "$DB_PORT"
result_is pg-off plaintext "PostgreSQL with ssl=off: N, plaintext"

# ---- MariaDB: greeting, SSLRequest -----------------------------------------
start_mariadb
probe my --proto mysql --ca "$CERTS/ca.pem" 127.0.0.1 "$DB_PORT"
result_is my ok "MariaDB with TLS: greeting, SSLRequest, TLS: ok"
is "$(json_get "$WORK/my.json" "d['leaf'] and d['leaf']['sha256']")" "$(fp "$CERTS/good.pem")" \
	"MariaDB: its leaf"
probe my-redis --proto redis --ca "$CERTS/ca.pem" --timeout 2000 127.0.0.1 "$DB_PORT"
result_is my-redis plaintext "a server that speaks first in plaintext (MariaDB's greeting): plaintext"
# MariaDB's client has no --ssl-mode: its own flavour of the line.
line=$("$PROBE" --line --proto mariadb --ca "$QCA" 127.0.0.1 "$DB_PORT")
diag "$line"
is "$(eval "$line -N -B -e 'select 1'" 2>&1)" 1 "mariadb connect line: select 1"

db_stop_all
done_testing
