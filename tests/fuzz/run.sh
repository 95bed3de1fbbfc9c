#!/bin/bash
# Runs the libFuzzer targets built by tests/fuzz/Build.mk and speaks TAP.
#
#   run.sh short SECONDS TARGET...   each target for SECONDS (make test)
#   run.sh long RUNS TARGET...       each target until RUNS executions
#
# Per target: first every file of tests/fuzz/corpus/TARGET/ is run once
# (the seeds, and the reproducer of every crash ever found: regression
# tests), then the fuzzer mutates from a working corpus in build/fuzz/
# that grows across runs. A crash leaves its input in
# build/fuzz/crashes/TARGET/; copy it into the seed corpus with the fix.
set -u
TOP=${AFXDP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$TOP" || exit 1
. tests/lib/tap.sh
mode=$1 amount=$2
shift 2
FUZZ_BUILD=${FUZZ_BUILD:-build/fuzz}
# The CLI path prints XML: -close_fd_mask=3 silences the target's stdout
# and stderr while libFuzzer and the sanitizers keep reporting.
# -timeout is wall-clock: 30 s leaves room for a loaded, shared machine
# (no input of these parsers takes a tenth of that).
common=(-close_fd_mask=3 -max_len=4096 -timeout="${FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048
	-print_final_stats=1)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=0
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1

for t in "$@"; do
	bin=$FUZZ_BUILD/fuzz_$t
	seeds=tests/fuzz/corpus/$t
	work=$FUZZ_BUILD/corpus/$t
	crashes=$FUZZ_BUILD/crashes/$t
	log=$FUZZ_BUILD/$t.$mode.log
	if [ ! -x "$bin" ]; then
		not_ok "$t: $bin is built (make fuzz-build)"
		continue
	fi
	mkdir -p "$work" "$crashes"
	nseeds=$(find "$seeds" -type f | wc -l)
	if "$bin" "${common[@]}" "$seeds"/* >"$log.regress" 2>&1; then
		ok "$t: all $nseeds seed/regression inputs run clean"
	else
		not_ok "$t: a seed/regression input fails"
		grep -E 'ERROR|SUMMARY|Running:' "$log.regress" | tail -5 | sed 's/^/#   /'
	fi
	if [ "$mode" = long ]; then
		limit=(-runs="$amount")
	else
		limit=(-max_total_time="$amount")
	fi
	start=$(date +%s)
	"$bin" "${common[@]}" "${limit[@]}" -artifact_prefix="$crashes/" \
		"$work" "$seeds" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
	diag "$t: ${execs:-?} executions in $secs s (${rate:-?}/s), ${cov:-cov: ?}, corpus $(find "$work" -type f | wc -l) inputs"
	if [ "$rc" -eq 0 ]; then
		ok "$t: ${execs:-?} executions, no crash, leak or timeout"
	else
		not_ok "$t: fuzzer stopped with exit $rc (log $log)"
		grep -E 'ERROR|SUMMARY|Test unit written|artifact' "$log" | tail -6 | sed 's/^/#   /'
	fi
	if [ "$mode" = long ]; then
		assert_ge "$t: reached the execution target" "$amount" "${execs:-0}"
	fi
done
tap_done
