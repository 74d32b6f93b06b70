#!/bin/bash
# The live probe inside the engine: N instances (default 1000) on the
# simulator, all pointing at one local redis-server whose leaf the
# simulator's provider CA signed. Headless --list with probe off and on
# (client CPU and wall time: the difference is what the probes cost), then
# the dashboard in tmux with keys sent while the probes run, for the UI
# statistics (input gap, frame time). Prints figures; asserts nothing.
#
#   bench/probe_engine_bench.sh [-b BUILD_DIR] [-n INSTANCES]
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$SRC/_build
N=1000
while getopts "b:n:" opt; do
	case $opt in
	b) BUILD=$(cd "$OPTARG" && pwd) ;;
	n) N=$OPTARG ;;
	*) sed -n '2,10p' "$0"; exit 2 ;;
	esac
done
top_srcdir=$SRC top_builddir=$BUILD
. "$SRC/tests/integration/lib.sh" >/dev/null
. "$SRC/tests/integration/dbservers.sh"
trap 'db_stop_all; tmux -L tlsfleet-pbench kill-server 2>/dev/null; cleanup' EXIT
[ -n "$REDIS_SERVER" ] || { echo "redis-server not found"; exit 1; }

PORT=$(free_port)
mkfleet() {  # mkfleet PROBE(true|false) FILE
	cat >"$2" <<EOF
{"config": {"refresh_interval": 0, "timeout": 5.0, "concurrency": 64, "probe": $1},
 "cas": {"probe-ca": {"days_left": 400, "key": "ec"}},
 "accounts": [{"name": "tc", "provider": "tencent", "rate_limit": 0,
               "secret_id": "AKIDtlsfleetBENCHprobe0000000000000001",
               "secret_key": "tlsfleetBENCHprobeSecretKey00001"}],
 "instances": [{"generate": {"count": $N, "name": "pb-{n:04d}", "id": "crs-pb{n:06d}"},
                "account": "tc", "service": "redis", "region": "ap-guangzhou", "ca": "probe-ca",
                "config": {"host": "127.0.0.1", "port": $PORT}}]}
EOF
}
mkfleet true "$WORK/fleet.json"
start_sim "$WORK/fleet.json"
cp "$SIM_CONFIG" "$WORK/on.conf"
"$TLSFLEET" -c "$SIM_CONFIG" --download pb-0001 --output-dir "$WORK/dl" >/dev/null
CERTS=$WORK/certs
mkdir -p "$CERTS"
cp "$WORK/dl/pb-0001/ca.pem" "$CERTS/ca.pem"
"$PYTHON3" - "$CERTS" "$SIM_DIR/keys/ca-ec.key" <<'PY'
import datetime, ipaddress, os, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
out, kp = sys.argv[1], sys.argv[2]
ca = x509.load_pem_x509_certificate(open(os.path.join(out, "ca.pem"), "rb").read())
cakey = serialization.load_pem_private_key(open(kp, "rb").read(), None)
now = datetime.datetime.now(datetime.timezone.utc)
key = ec.generate_private_key(ec.SECP256R1())
cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(cakey, hashes.SHA256()))
open(os.path.join(out, "good.pem"), "wb").write(cert.public_bytes(serialization.Encoding.PEM))
open(os.path.join(out, "good.key"), "wb").write(key.private_bytes(serialization.Encoding.PEM,
    serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
os.chmod(os.path.join(out, "good.key"), 0o600)
PY
start_redis good "$PORT"
sed 's/^probe = true;/probe = false;/' "$WORK/on.conf" >"$WORK/off.conf"
grep -q '^probe = false;' "$WORK/off.conf" || { echo "could not turn probe off"; exit 1; }
chmod 600 "$WORK/off.conf" "$WORK/on.conf"

run() {  # run NAME CONF: --list, CPU and wall time
	rm -rf "$XDG_STATE_HOME"
	/usr/bin/time -f "%U %S %e" -o "$WORK/$1.time" "$TLSFLEET" -c "$2" --list --format json \
		>"$WORK/$1.json" 2>"$WORK/$1.err" || true
	head -n 3 "$WORK/$1.err" | sed 's/^/   stderr: /'
	read -r u s e < <(tail -n 1 "$WORK/$1.time")
	printf '%-10s user %6.2f s  sys %6.2f s  wall %6.2f s\n' "$1" "$u" "$s" "$e"
	echo "$u $s $e"  >"$WORK/$1.t"
}
echo "$N instances, one redis-server $("$REDIS_SERVER" --version | sed 's/.*v=\([^ ]*\).*/\1/') (EC P-256 leaf), $(nproc) cores"
run probe-off "$WORK/off.conf"
run probe-on "$WORK/on.conf"
"$PYTHON3" - "$WORK" "$N" <<'PY'
import json, sys, collections
w, n = sys.argv[1], int(sys.argv[2])
off = [float(x) for x in open(w + "/probe-off.t").read().split()]
on = [float(x) for x in open(w + "/probe-on.t").read().split()]
res = collections.Counter((i["probe"] or {}).get("result") for i in json.load(open(w + "/probe-on.json")))
cpu = (on[0] + on[1]) - (off[0] + off[1])
print("probe results: %s" % dict(res))
print("probes + their CA fetches: %.2f ms client CPU per instance; %.2f s more wall time (%.0f instances/s end to end)"
      % (cpu * 1000 / n, on[2] - off[2], n / on[2]))
PY

command -v tmux >/dev/null || { echo "tmux missing: no UI figures"; exit 0; }
tm="tmux -L tlsfleet-pbench"
ui() {  # ui on|off
	tm="tmux -L tlsfleet-pbench"
	rm -rf "$XDG_STATE_HOME" "$WORK/ui-stats.txt"
	$tm -f /dev/null new-session -d -x 200 -y 50 -s ui \
		"TLSFLEET_UI_STATS='$WORK/ui-stats.txt' '$TLSFLEET' -c '$WORK/$1.conf'"
	deadline=$((SECONDS + 20))
	until $tm capture-pane -p -t ui 2>/dev/null | grep -q 'pb-0001'; do
		[ $SECONDS -lt $deadline ] || { echo "the dashboard did not come up"; break; }
		sleep 0.1
	done
	$tm send-keys -t ui R
	# keys while the refresh and the probes run, until every row shows a result
	keys=0
	deadline=$((SECONDS + 120))
	while [ $SECONDS -lt $deadline ]; do
		$tm send-keys -t ui j j PgDn k
		keys=$((keys + 4))
		if [ $((keys % 80)) -eq 0 ] && $tm capture-pane -p -t ui | grep -q ' idle '; then break; fi
	done
	$tm send-keys -t ui q
	deadline=$((SECONDS + 20))
	until [ -s "$WORK/ui-stats.txt" ]; do
		[ $SECONDS -lt $deadline ] || { echo "no UI statistics written"; break; }
		sleep 0.1
	done
	echo "dashboard, probe $1, a full refresh of $N instances, keys sent: $keys"
	sed 's/^/   /' "$WORK/ui-stats.txt" 2>/dev/null
	$tm kill-server 2>/dev/null || true
}
ui off
ui on
