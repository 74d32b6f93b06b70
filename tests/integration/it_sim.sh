#!/bin/sh
# The simulator's own self-test: its signature verifiers reproduce the
# providers' SDK vectors, and its answers have the providers' shapes.
PY=${PYTHON3:-$(command -v python3)}
if [ -z "$PY" ] || ! "$PY" -c 'import cryptography' 2>/dev/null; then
	echo "1..0 # SKIP python3 with cryptography not found"
	exit 0
fi
exec "$PY" "${top_srcdir:-$(dirname "$0")/../..}/tests/sim/test_sim_selftest.py"
