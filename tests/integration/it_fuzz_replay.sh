#!/bin/bash
# Every fuzz target replays its committed corpus (tests/fuzz/corpus/<name>):
# the inputs libFuzzer kept for coverage and every past finding. Built by
# plain gcc as check programs (tests/fuzz/replay.c), under ASan+UBSan in a
# --enable-sanitizers build, so CI needs no clang to keep findings fixed.
. "$(dirname "$0")/lib.sh"

corpus=$top_srcdir/tests/fuzz/corpus
# A libconfig 1.5 leak (not ours) is suppressed; see the file.
export LSAN_OPTIONS=suppressions=$top_srcdir/tests/fuzz/lsan.supp
for src in "$top_srcdir"/tests/fuzz/fuzz_*.c; do
	name=${src##*/fuzz_}
	name=${name%.c}
	[ "$name" = common ] && continue
	bin=$top_builddir/tests/fuzz/replay_$name
	if [ ! -x "$bin" ]; then
		ok 1 "$name: replay binary built"
		continue
	fi
	if [ ! -d "$corpus/$name" ]; then
		ok 1 "$name: corpus exists"
		continue
	fi
	n=$(find "$corpus/$name" -maxdepth 1 -type f | wc -l)
	if [ "$n" -eq 0 ]; then
		ok 1 "$name: corpus has inputs"
		continue
	fi
	# Scratch files of the targets go to this test's private directory.
	if out=$(cd "$WORK" && TMPDIR=$WORK "$bin" "$corpus/$name" 2>&1); then
		ok 0 "$name: $n inputs replayed clean"
	else
		ok 1 "$name: $n inputs replayed clean"
		# Name the input that failed and show the report.
		(cd "$WORK" && TMPDIR=$WORK REPLAY_VERBOSE=1 "$bin" "$corpus/$name" 2>&1) |
			tail -40 | sed 's/^/# /'
	fi
done
done_testing
