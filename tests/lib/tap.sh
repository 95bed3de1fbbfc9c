# shellcheck shell=bash
# Minimal TAP producer for the shell suites. Source it, call the asserts,
# end with tap_done. A skip under CI=true is reported as a failure by
# tests/run.sh, so skip only when a facility is truly absent.
TAP_N=0
TAP_FAILED=0

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() {
	TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }
diag() { echo "# $*"; }
# diag_tail FILE [N] [WHAT]: the last N (20) lines of FILE as diagnostics, so
# that a setup step that failed shows why (a daemon's log, a tool's output).
diag_tail() {
	local f=$1 n=${2:-20} what=${3:-$1}
	if [ -s "$f" ]; then
		diag "  last lines of $what:"
		tail -n "$n" "$f" | sed 's/^/#    | /'
	else
		diag "  $what: empty or missing"
	fi
}

# assert_eq DESC EXPECTED ACTUAL
assert_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"; diag "  expected: '$2'"; diag "  actual:   '$3'"; return 1; fi
}
# assert_ge DESC MIN ACTUAL
assert_ge() {
	if [ "$3" -ge "$2" ] 2>/dev/null; then ok "$1 ($3 >= $2)"; else
		not_ok "$1"; diag "  expected >= $2, got '$3'"; return 1; fi
}
# assert_le DESC MAX ACTUAL
assert_le() {
	if [ "$3" -le "$2" ] 2>/dev/null; then ok "$1 ($3 <= $2)"; else
		not_ok "$1"; diag "  expected <= $2, got '$3'"; return 1; fi
}
# assert_match DESC REGEX TEXT
assert_match() {
	if printf '%s' "$3" | grep -qE -- "$2"; then ok "$1"; else
		not_ok "$1"; diag "  /$2/ not in:"; printf '%s\n' "$3" | head -5 | sed 's/^/#    /'; return 1; fi
}
assert_no_match() {
	if printf '%s' "$3" | grep -qE -- "$2"; then
		not_ok "$1"; diag "  /$2/ unexpectedly in:"; printf '%s\n' "$3" | grep -E -- "$2" | head -3 | sed 's/^/#    /'
	else ok "$1"; fi
}
# assert_rc DESC EXPECTED_RC CMD...: runs CMD, output kept in $OUT
assert_rc() {
	local desc=$1 want=$2; shift 2
	OUT=$("$@" 2>&1); local rc=$?
	if [ "$rc" = "$want" ]; then ok "$desc"; else
		not_ok "$desc"; diag "  exit $rc, wanted $want: $*"; printf '%s\n' "$OUT" | tail -5 | sed 's/^/#    /'; return 1; fi
}
need_root() {
	if [ "$(id -u)" != 0 ]; then skip "$1" "needs root"; return 1; fi
}
tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
