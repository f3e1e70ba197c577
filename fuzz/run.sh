#!/bin/bash
# fuzz/run.sh [SECONDS] [TARGET...] -- build the libFuzzer targets
# (fuzz/build.sh, ASan + UBSan) and run each for SECONDS (default 60):
# first every input kept under fuzz/regress/<target>/ is replayed (a
# past finding must stay fixed), then libFuzzer runs from the committed
# seeds fuzz/corpus/<target>/ plus a scratch corpus of its own.  Prints
# one row per target (execs, exec/s, crashes); exits 1 on any finding
# (crash, sanitizer report, leak, timeout, out of memory), keeping the
# reproducer under the work directory.
#
# Environment: FP_FUZZ_WORK (work dir: build, scratch corpora, findings;
# default a fresh temporary dir, removed after a clean run), FP_FUZZ_JOBS
# (targets run at once, default 1), FP_FUZZ_MAX_LEN (16384),
# FP_FUZZ_RUNS (stop a target after that many executions, e.g. 10000000,
# or at SECONDS, whichever comes first).

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SECS=${1:-60}
[ $# -gt 0 ] && shift
case $SECS in
'' | *[!0-9]*) echo "usage: fuzz/run.sh [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac
JOBS=${FP_FUZZ_JOBS:-1}
MAXLEN=${FP_FUZZ_MAX_LEN:-16384}
RUNS=${FP_FUZZ_RUNS:--1}
case $RUNS in
-1) ;;
'' | *[!0-9]*) echo "fuzz: FP_FUZZ_RUNS must be a number of executions" >&2; exit 2 ;;
esac

if [ -n "${FP_FUZZ_WORK:-}" ]; then
	WORK=$FP_FUZZ_WORK
	KEEP=1
	mkdir -p "$WORK" || exit 1
else
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/oscp-fp-fuzz.XXXXXX") || exit 1
	KEEP=0
fi

"$HERE/build.sh" "$WORK/build" || { echo "fuzz: build failed" >&2; exit 1; }

if [ $# -gt 0 ]; then
	TARGETS="$*"
else
	TARGETS=$(cd "$HERE" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# One target: replay its regressions, then fuzz; writes results/<t>.
run_one() {
	local t=$1 bin=$WORK/build/fuzz_$1 log=$WORK/logs/$1.log
	local rc=0 execs rate nfind status=ok f t0=$SECONDS
	local dirs=("$WORK/corpus/$t")
	rm -rf "$WORK/artifacts/$t"
	mkdir -p "$WORK/corpus/$t" "$WORK/artifacts/$t"
	[ -d "$HERE/corpus/$t" ] && dirs+=("$HERE/corpus/$t")
	: >"$log"
	if [ -d "$HERE/regress/$t" ] && [ -n "$(ls -A "$HERE/regress/$t")" ]; then
		# Each file run once; any crash, leak or report fails.
		"$bin" -timeout=25 -artifact_prefix="$WORK/artifacts/$t/" \
		    "$HERE/regress/$t"/* >>"$log" 2>&1 || rc=$?
		[ "$rc" = 0 ] || status="regression"
		dirs+=("$HERE/regress/$t")
	fi
	if [ "$rc" = 0 ]; then
		"$bin" -max_total_time="$SECS" -runs="$RUNS" -print_final_stats=1 \
		    -timeout=25 -rss_limit_mb=2560 -max_len="$MAXLEN" \
		    -artifact_prefix="$WORK/artifacts/$t/" \
		    "${dirs[@]}" >>"$log" 2>&1 || { rc=$?; status="FINDING"; }
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	nfind=0
	for f in "$WORK/artifacts/$t"/*; do
		[ -e "$f" ] && nfind=$((nfind + 1))
	done
	[ "$rc" != 0 ] && [ "$nfind" = 0 ] && nfind=1
	printf '%s %s %s %s %s %s\n' "$t" "$((SECONDS - t0))" "${execs:-0}" \
	    "${rate:-0}" "$nfind" "$status" >"$WORK/results/$t"
}

mkdir -p "$WORK/logs" "$WORK/results"
rm -f "$WORK/results"/*
for t in $TARGETS; do
	[ -x "$WORK/build/fuzz_$t" ] || { echo "fuzz: no target $t" >&2; exit 2; }
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
	run_one "$t" &
done
wait

fail=0
printf '%-20s %8s %14s %10s %8s  %s\n' target seconds execs exec/s crashes result
for t in $TARGETS; do
	if [ ! -f "$WORK/results/$t" ]; then
		printf '%-20s %8s %14s %10s %8s  %s\n' "$t" "$SECS" - - - "did not run"
		fail=1
		continue
	fi
	read -r _ secs execs rate nfind status <"$WORK/results/$t"
	printf '%-20s %8s %14s %10s %8s  %s\n' "$t" "$secs" "$execs" "$rate" \
	    "$nfind" "$status"
	if [ "$status" != ok ]; then
		fail=1
		echo "  log: $WORK/logs/$t.log"
		grep -E 'ERROR|SUMMARY|invariant failed|runtime error' \
		    "$WORK/logs/$t.log" | head -n 5 | sed 's/^/  /'
		for f in "$WORK/artifacts/$t"/*; do
			[ -e "$f" ] && echo "  reproduce: $WORK/build/fuzz_$t $f"
		done
	fi
done
if [ "$fail" = 1 ]; then
	echo "fuzz: FINDINGS (work dir kept: $WORK)"
	exit 1
fi
[ "$KEEP" = 0 ] && rm -rf "$WORK"
echo "fuzz: $(echo "$TARGETS" | wc -w) targets, 0 crashes"
exit 0
