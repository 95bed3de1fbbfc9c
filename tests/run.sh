#!/bin/bash
# Runs test executables that speak TAP (cmocka binaries with
# CMOCKA_MESSAGE_OUTPUT=TAP, shell suites using tests/lib/tap.sh) and prints
# one closing line: "tests: N passed, N failed, N skipped".
# A skip is a failure when CI=true: CI has root, netns, QEMU and libvirt.
set -u
cd "$(dirname "$0")/.."
export CMOCKA_MESSAGE_OUTPUT=TAP
export AFXDP_TOP=$PWD
export AFXDP_BPF_DIR=${AFXDP_BPF_DIR:-$PWD/bpf}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
logdir=${TEST_LOG_DIR:-build/test-logs}
mkdir -p "$logdir"
pass=0 fail=0 skip=0
failed=()

for t in "$@"; do
	name=$(echo "$t" | sed 's|/|_|g')
	log="$logdir/$name.log"
	echo "=== $t"
	start=$(date +%s)
	"$t" >"$log" 2>&1
	rc=$?
	# cmocka 1.1 writes a skip as "not ok N # SKIP": not a failure.
	p=$(grep -E '^ok [0-9]+' "$log" | grep -cvE '# *(SKIP|skip)')
	s=$(grep -cE '^(not )?ok [0-9]+.*# *(SKIP|skip)' "$log")
	f=$(grep -E '^not ok [0-9]+' "$log" | grep -cvE '# *(SKIP|skip)')
	grep -E '^(not ok|ok [0-9]+.*# *SKIP|# )' "$log" | sed 's/^/    /'
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# Crashed or failed outside a test point: count it, show the tail.
		f=1
		echo "    not ok - $t exited $rc outside a test point"
		tail -n 20 "$log" | sed 's/^/    | /'
	fi
	if [ $((p + f + s)) -eq 0 ]; then
		f=1
		echo "    not ok - $t ran no test point"
	fi
	if [ "${CI:-}" = true ] && [ "$s" -gt 0 ]; then
		echo "    not ok - $s skip(s) under CI=true count as failures"
		f=$((f + s))
		s=0
	fi
	echo "    $t: $p passed, $f failed, $s skipped ($(($(date +%s) - start)) s)"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	[ "$f" -gt 0 ] && failed+=("$t")
done
[ ${#failed[@]} -gt 0 ] && echo "failed suites: ${failed[*]} (logs in $logdir)"
echo "tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
