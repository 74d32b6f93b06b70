#!/bin/bash
# Probe throughput: full TLS handshakes per second and client CPU per probe
# against a local redis-server with TLS (pinned to core 1; the driver to
# core 0), at a few concurrencies. Prints figures; asserts nothing.
#
#   bench/probe_bench.sh [-b BUILD_DIR] [-n PROBES]
# BUILD_DIR holds tests/tools/probe_run (`make check` or
# `make tests/tools/probe_run` builds it); default _build.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$SRC/_build
N=2000
while getopts "b:n:" opt; do
	case $opt in
	b) BUILD=$(cd "$OPTARG" && pwd) ;;
	n) N=$OPTARG ;;
	*) sed -n '2,8p' "$0"; exit 2 ;;
	esac
done
top_srcdir=$SRC
. "$SRC/tests/integration/lib.sh" >/dev/null
. "$SRC/tests/integration/dbservers.sh"
trap 'db_stop_all; cleanup' EXIT
[ -n "$REDIS_SERVER" ] || { echo "redis-server not found"; exit 1; }
PROBE=$BUILD/tests/tools/probe_run
[ -x "$PROBE" ] || { echo "$PROBE not built"; exit 1; }

CERTS=$WORK/certs
mkdir -p "$CERTS"
make_certs "$CERTS"
start_redis good
taskset -pc 1 "${DB_PIDS[0]}" >/dev/null 2>&1 || true
echo "redis-server $("$REDIS_SERVER" --version | sed 's/.*v=\([^ ]*\).*/\1/'), EC P-256 leaf, $N probes per row"
for c in 1 8 32; do
	printf 'parallel %-3s ' "$c"
	taskset -c 0 "$PROBE" --repeat "$N" --parallel "$c" --ca "$CERTS/ca.pem" \
		--verify localhost 127.0.0.1 "$DB_PORT" || true
done
