#!/bin/bash
# libFuzzer campaigns for the targets in tests/fuzz (what `make fuzz` runs).
#
#   run.sh [TARGET...]        default: every tests/fuzz/fuzz_*.c
#
# Environment:
#   FUZZ_SECONDS  run time per target (default 600)
#   FUZZ_BUILD    build and work directory (default ./fuzz-build); it gets a
#                 clang ASan+UBSan+fuzzer build of libtlsfleet.a, the target
#                 binaries, logs/<target>.log and artifacts/<target>/
#   FUZZ_MERGE    1 (default): replace tests/fuzz/corpus/<target> by a
#                 minimal set (libFuzzer -merge=1) covering it, the run's
#                 new inputs and the seeds, plus every regress-* file; 0: don't
#   CC            default clang (needs -fsanitize=fuzzer: clang + compiler-rt)
#   FUZZ_ARGS     extra libFuzzer flags (e.g. -dict=... or -jobs=...)
#   FUZZ_BUILD_ONLY=1  build the targets, run nothing
#   FUZZ_TMPDIR   where the targets' scratch files go (default /dev/shm)
#
# Each target runs at nice 19 from the committed corpus plus the seeds of
# seed.sh; new inputs go to $FUZZ_BUILD/work/<target> first. The summary
# line per target gives run time, executions, exec/s, cov/ft (libFuzzer's
# edge and feature counts) and findings (crash/leak/timeout/oom files in
# artifacts/<target>/; the log has the report). Exit status 1 on findings.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fuzzdir=$top/tests/fuzz
seconds=${FUZZ_SECONDS:-600}
build=${FUZZ_BUILD:-$PWD/fuzz-build}
merge=${FUZZ_MERGE:-1}
cc=${CC:-clang}
sanflags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

mkdir -p "$build" || exit 2
build=$(cd "$build" && pwd)

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$fuzzdir"/fuzz_*.c; do
		n=${f##*/fuzz_}
		n=${n%.c}
		[ "$n" = common ] || targets+=("$n")
	done
fi

# ---- build ----------------------------------------------------------------
# The library with coverage instrumentation (fuzzer-no-link), configured
# out of tree like any other build; only libtlsfleet.a is made.
if [ ! -f "$build/Makefile" ]; then
	echo "configuring clang fuzz build in $build"
	(cd "$build" && CC="$cc" CFLAGS="-g -O1 -fsanitize=fuzzer-no-link $sanflags" \
		LDFLAGS="$sanflags" "$top/configure" -q) || { echo "configure failed" >&2; exit 2; }
fi
nice -n 19 make -s -C "$build" libtlsfleet.a >/dev/null || { echo "build failed" >&2; exit 2; }

# The compile command and libraries exactly as the Makefile has them.
mkvar() {
	printf 'print-var:\n\t@echo $(%s)\n' "$1" |
		make -s -C "$build" -f Makefile -f - print-var
}
# COMPILE holds quoted -D values ("tlsfleet 0.1.0"): split it as the shell would.
eval "compile=($(mkvar COMPILE))"
eval "libs=($(mkvar TLSFLEET_LIBS))"

for t in "${targets[@]}"; do
	src=$fuzzdir/fuzz_$t.c
	bin=$build/fuzz_$t
	[ -f "$src" ] || { echo "no such target: $t ($src)" >&2; exit 2; }
	if [ ! -x "$bin" ] || [ -n "$(find "$src" "$fuzzdir/fuzz_common.c" "$fuzzdir/fuzz.h" \
		"$build/libtlsfleet.a" -newer "$bin" 2>/dev/null)" ]; then
		echo "building fuzz_$t"
		(cd "$build" && nice -n 19 "${compile[@]}" -fsanitize=fuzzer -I"$fuzzdir" -o "$bin.tmp" \
			"$src" "$fuzzdir/fuzz_common.c" libtlsfleet.a "${libs[@]}") &&
			mv "$bin.tmp" "$bin" || { echo "build of fuzz_$t failed" >&2; exit 2; }
	fi
done

# ---- campaigns ------------------------------------------------------------
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0
# The targets write their input to a scratch file (config, credentials,
# state file; statefile_save fsyncs): on tmpfs that costs nothing, on disk
# it held the state file target to ~170 exec/s.
if [ -z "${FUZZ_TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	FUZZ_TMPDIR=/dev/shm
fi
# A private TMPDIR per invocation, removed at the end: libFuzzer leaves by
# _exit() on a finding or a timeout, so the targets' atexit cleanup of
# their scratch directory does not always run.
seeds=
scratch=$(mktemp -d "${FUZZ_TMPDIR:-${TMPDIR:-/tmp}}/tlsfleet-fuzz-run.XXXXXX")
trap 'rm -rf "$scratch" ${seeds:+"$seeds"}' EXIT
export TMPDIR=$scratch
# Seeds per invocation: two run.sh may share a build directory.
seeds=$(mktemp -d "$build/seeds.XXXXXX")
"$fuzzdir/seed.sh" "$seeds" >/dev/null || { echo "seed.sh failed" >&2; exit 2; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$fuzzdir/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
	bin=$build/fuzz_$t
	work=$build/work/$t
	art=$build/artifacts/$t
	log=$build/logs/$t.log
	corpus=$fuzzdir/corpus/$t
	mkdir -p "$work" "$art" "${log%/*}" "$corpus"
	echo "fuzz_$t: ${seconds}s"
	stamp=$build/artifacts/.stamp-$t
	touch "$stamp"
	start=$SECONDS
	# shellcheck disable=SC2086
	nice -n 19 "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=20 \
		-rss_limit_mb=2048 -artifact_prefix="$art/" ${FUZZ_ARGS:-} \
		"$work" "$corpus" "$seeds/$t" >"$log" 2>&1
	rc=$?
	elapsed=$((SECONDS - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
	cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
	# Only this run's findings: artifacts of earlier runs stay for reference.
	found=$(find "$art" -type f -newer "$stamp" \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)
	if [ "$merge" = 1 ]; then
		# One merge of everything (committed corpus, this run's inputs,
		# seeds) into an empty directory keeps a minimal set with the
		# same coverage; past findings (regress-*) are kept regardless.
		fresh=$(mktemp -d "$build/merge.XXXXXX")
		if nice -n 19 "$bin" -merge=1 -rss_limit_mb=2048 -timeout=20 "$fresh" "$corpus" "$work" \
			"$seeds/$t" >"$build/logs/$t.merge.log" 2>&1; then
			cp -p "$corpus"/regress-* "$fresh"/ 2>/dev/null
			find "$corpus" -maxdepth 1 -type f -delete
			mv "$fresh"/* "$corpus"/
		else
			echo "fuzz_$t: merge failed, corpus unchanged; see $build/logs/$t.merge.log"
		fi
		rm -rf "$fresh"
	fi
	echo "fuzz_$t: seconds=$elapsed execs=${execs:-?} exec/s=${rate:-?} cov=${cov:-?} ft=${ft:-?}" \
		"corpus=$(find "$corpus" -type f | wc -l) findings=$found exit=$rc log=$log"
	if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
		status=1
		grep -m1 -E 'ERROR: |runtime error:|SUMMARY:' "$log" | sed "s/^/fuzz_$t: /"
	fi
done
exit $status
