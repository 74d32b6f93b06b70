# Shared by the reliability tests (sourced right after tests/lib.sh).
#
# python3 may be a version manager's shim that costs most of a second per
# start; these tests start python often, so ask it once for the real
# interpreter behind it.
if [ -n "${PYTHON3:-}" ]; then
	real_python=$("$PYTHON3" -c 'import sys; print(sys.executable or "")' 2>/dev/null)
	[ -n "$real_python" ] && [ -x "$real_python" ] && PYTHON3=$real_python
	unset real_python
fi
