# Shared by the reliability tests (sourced right after tests/integration/lib.sh).
#
# python3 may be a version manager's shim that costs most of a second per
# start; these tests start python often, so ask it once for the real
# interpreter behind it.
if [ -n "${PYTHON3:-}" ]; then
	real_python=$("$PYTHON3" -c 'import sys; print(sys.executable or "")' 2>/dev/null)
	[ -n "$real_python" ] && [ -x "$real_python" ] && PYTHON3=$real_python
	unset real_python
fi

# TLSFLEET_TEST_KEEP=DIR keeps a copy of the test's scratch directory (its
# outputs, screens, simulator logs) as DIR/<test name>, for reading later.
keep_work() {
	[ -n "${TLSFLEET_TEST_KEEP:-}" ] || return 0
	mkdir -p "$TLSFLEET_TEST_KEEP" && rm -rf "$TLSFLEET_TEST_KEEP/$(basename "$0" .sh)" &&
		cp -a "$WORK" "$TLSFLEET_TEST_KEEP/$(basename "$0" .sh)" 2>/dev/null
	return 0
}

# sanitizer_clean DIR...: no AddressSanitizer, LeakSanitizer or UBSan report
# in any file under DIR. A sanitizer build exits 1 on an error, which some
# tests expect for other reasons, so the reports themselves are looked for.
sanitizer_clean() {
	! grep -r -l -a -E 'ERROR: (Address|Leak)Sanitizer|AddressSanitizer:DEADLYSIGNAL|runtime error:' "$@" 2>/dev/null |
		grep -q .
}

# A sanitizer build: libconfig 1.5 leaks lexer memory on some syntax errors
# (outside tlsfleet; see tests/fuzz/lsan.supp, which these tests share).
export LSAN_OPTIONS="suppressions=$top_srcdir/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
