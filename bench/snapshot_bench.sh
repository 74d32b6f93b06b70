#!/bin/bash
# The snapshot at scale: how long a 100k-instance dashboard takes to show
# its first screen from the snapshot file (process start to the header
# counting every instance, polled in tmux), what --list --max-age costs
# when every answer comes from the file, a save that has to merge with
# another process's file, and --serve's memory at 100k. Prints figures;
# asserts nothing.
#
#   bench/snapshot_bench.sh [-b BUILD_DIR] [-n INSTANCES] [-r RUNS]
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$SRC/_build
N=100000
RUNS=3
while getopts "b:n:r:" opt; do
	case $opt in
	b) BUILD=$(cd "$OPTARG" && pwd) ;;
	n) N=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	*) sed -n '2,9p' "$0"; exit 2 ;;
	esac
done
top_srcdir=$SRC
top_builddir=$BUILD
. "$SRC/tests/integration/lib.sh" >/dev/null
TMUX_BIN=$(command -v tmux) || { echo "tmux not found"; exit 1; }
SOCK=tlsfleet-snapbench-$$
trap '"$TMUX_BIN" -L "$SOCK" kill-server 2>/dev/null || true; [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null; cleanup' EXIT

# Endpoints on a port nobody listens on, paced at 1 request/s per key: the
# first screen is the snapshot's, not the answers'.
CA=/etc/ssl/certs/ca-certificates.crt
"$PYTHON3" "$SRC/bench/gen-fleet.py" --instances "$N" --port 9 --ca "$CA" --out "$WORK/fleet" --rate 1 >/dev/null
SNAP_DIR=$XDG_STATE_HOME/tlsfleet
mkdir -p "$SNAP_DIR"
chmod 700 "$SNAP_DIR"
"$PYTHON3" - "$WORK/fleet.conf" "$SNAP_DIR/snapshot.json" <<'PY'
import json, re, sys, time
now = int(time.time()) - 600
pat = re.compile(r'name = "([^"]+)"; account = "([^"]+)"; service = "([^"]+)"; region = "([^"]+)"; id = "([^"]+)"')
with open(sys.argv[2], "w") as out:
    out.write('{"tlsfleet_snapshot":1}\n')
    for line in open(sys.argv[1]):
        m = pat.search(line)
        if not m:
            continue
        name, acct, svc, region, iid = m.groups()
        ps = {"InstanceId": iid, "SSLEnabled": "Enable", "CertCommonName": name + ".example.com",
              "SSLExpiredTime": "2027-12-01T00:00:00Z", "RequestId": "5E4B3A2C-1D0F-4A8B-9C7D-6E5F4A3B2C1D"}
        e = {"name": name, "account": acct, "instance_id": iid, "state": "enabled",
             "cert_url": None, "cert_url_expires": None, "cert_expires_api": now + 360 * 86400,
             "address": {"host": name + ".example.com", "ip": None, "ipv6": None, "domain": None, "port": 6379},
             "provider_status": ps, "error": None, "http_status": 200,
             "request_id": ps["RequestId"], "latency_ms": 12, "refreshed_at": now, "last_good_at": now}
        out.write(json.dumps(e, separators=(",", ":")) + "\n")
PY
chmod 600 "$SNAP_DIR/snapshot.json"
echo "fleet: $N instances; snapshot $(du -h "$SNAP_DIR/snapshot.json" | cut -f1)"

# The parts, without a terminal (bench/snapload.c).
LIBS="$(pkg-config --libs libcurl libcjson libconfig libzip libcrypto libssl ncursesw libmicrohttpd 2>/dev/null ||
	echo -lcurl -lcjson -lconfig -lzip -lcrypto -lssl -lncursesw -ltinfo -lmicrohttpd)"
# shellcheck disable=SC2086
cc -O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -I"$SRC/src" -I"$BUILD" \
	$(pkg-config --cflags libcjson 2>/dev/null || true) -o "$WORK/snapload" "$SRC/bench/snapload.c" \
	"$BUILD/libtlsfleet.a" $LIBS
"$WORK/snapload" -r "$RUNS" "$WORK/fleet.conf" "$SNAP_DIR/snapshot.json"

ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# First screen: start to the header counting the snapshot's OK instances.
for r in $(seq "$RUNS"); do
	"$TMUX_BIN" -L "$SOCK" kill-server 2>/dev/null || true
	cp "$SNAP_DIR/snapshot.json" "$WORK/snapshot.keep"
	t0=$(ms)
	"$TMUX_BIN" -L "$SOCK" new-session -d -s b -x 160 -y 50 \
		"env HOME='$HOME' XDG_STATE_HOME='$XDG_STATE_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' TERM=screen-256color LANG=C.UTF-8 '$TLSFLEET' -c '$WORK/fleet.conf'"
	until "$TMUX_BIN" -L "$SOCK" capture-pane -p -t b 2>/dev/null | grep -qE "^$N:.* [0-9]{4,} OK"; do
		sleep 0.01
		[ $(($(ms) - t0)) -lt 60000 ] || { echo "no first screen within 60 s"; exit 1; }
	done
	echo $(($(ms) - t0)) >>"$WORK/first"
	"$TMUX_BIN" -L "$SOCK" send-keys -t b q
	sleep 1
	"$TMUX_BIN" -L "$SOCK" kill-server 2>/dev/null || true
	cp "$WORK/snapshot.keep" "$SNAP_DIR/snapshot.json"
done
echo "first screen from the snapshot: median $(median <"$WORK/first") ms (runs: $(tr '\n' ' ' <"$WORK/first"))"

# The same without a snapshot file: the difference is the snapshot's share.
mv "$SNAP_DIR/snapshot.json" "$WORK/snapshot.keep"
for r in $(seq "$RUNS"); do
	"$TMUX_BIN" -L "$SOCK" kill-server 2>/dev/null || true
	rm -f "$SNAP_DIR/snapshot.json"
	t0=$(ms)
	"$TMUX_BIN" -L "$SOCK" new-session -d -s b -x 160 -y 50 \
		"env HOME='$HOME' XDG_STATE_HOME='$XDG_STATE_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' TERM=screen-256color LANG=C.UTF-8 '$TLSFLEET' -c '$WORK/fleet.conf'"
	until "$TMUX_BIN" -L "$SOCK" capture-pane -p -t b 2>/dev/null | grep -qE "^$N: "; do
		sleep 0.01
		[ $(($(ms) - t0)) -lt 60000 ] || { echo "no first screen within 60 s"; exit 1; }
	done
	echo $(($(ms) - t0)) >>"$WORK/first-bare"
	"$TMUX_BIN" -L "$SOCK" kill-server 2>/dev/null || true
done
cp "$WORK/snapshot.keep" "$SNAP_DIR/snapshot.json"
echo "first screen without a snapshot: median $(median <"$WORK/first-bare") ms (runs: $(tr '\n' ' ' <"$WORK/first-bare"))"

# --list --max-age: every answer from the file, no request.
for r in $(seq "$RUNS"); do
	t0=$(ms)
	"$TLSFLEET" -c "$WORK/fleet.conf" --list --format json --max-age 100000000 >/dev/null 2>&1 || true
	echo $(($(ms) - t0)) >>"$WORK/maxage"
done
echo "--list --format json --max-age (all $N from the snapshot): median $(median <"$WORK/maxage") ms"

# A save that merges with a file another process wrote (one instance
# refreshed, the rest kept from the file).
for r in $(seq "$RUNS"); do
	t0=$(ms)
	"$TLSFLEET" -c "$WORK/fleet.conf" --list --only bench-000001 --deadline 5 >/dev/null 2>&1 || true
	echo $(($(ms) - t0)) >>"$WORK/merge"
	cp "$WORK/snapshot.keep" "$SNAP_DIR/snapshot.json"
done
echo "--list --only one instance (config load + merge-save of $N entries): median $(median <"$WORK/merge") ms"

# --serve at N: memory once it answers /metrics.
PORT=$("$PYTHON3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$TLSFLEET" -c "$WORK/fleet.conf" --serve "127.0.0.1:$PORT" >/dev/null 2>"$WORK/serve.err" &
SERVE_PID=$!
t0=$(ms)
until curl -sf -o "$WORK/metrics" "http://127.0.0.1:$PORT/metrics"; do
	sleep 0.05
	[ $(($(ms) - t0)) -lt 60000 ] || { echo "--serve did not answer"; exit 1; }
done
echo "--serve: first /metrics after $(($(ms) - t0)) ms, $(grep -c '^tlsfleet_check_status' "$WORK/metrics") instances in it"
grep -E '^(VmRSS|VmHWM)' "/proc/$SERVE_PID/status" | tr -s ' \t' ' ' | sed 's/^/--serve at '"$N"': /'
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null || true
SERVE_PID=
