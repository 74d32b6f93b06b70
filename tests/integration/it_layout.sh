#!/bin/sh
# The architecture's layering rules (docs/ARCHITECTURE.md), checked on the
# sources: see tests/tools/check_layout.py.
PY=${PYTHON3:-$(command -v python3)}
if [ -z "$PY" ]; then
	echo "1..0 # SKIP python3 not found"
	exit 0
fi
top=${top_srcdir:-$(dirname "$0")/../..}
exec "$PY" "$top/tests/tools/check_layout.py" "$top/src"
