#!/bin/bash
# bench/tools/xwake: the cross-CPU wake-up relay that section idle runs
# beside the sleeping forwarders. One second at 1000/s gives a sample per
# wake-up; the relay (two wake-ups) is never faster than its first hop;
# bad arguments exit 2 with a usage line.
TOP=${AFXDP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib/tap.sh"
XWAKE=${XWAKE:-$TOP/build/obj/bench/tools/xwake}
if [ ! -x "$XWAKE" ]; then
	not_ok "xwake is built ($XWAKE missing: make tests-build builds it)"
	tap_done
	exit 1
fi
W=$(mktemp -d /tmp/afxdp-xwake.XXXXXX)
trap 'rm -rf "$W"' EXIT

ncpu=$(nproc)
if [ "$ncpu" -lt 2 ]; then
	skip "xwake relays between two CPUs" "this machine has $ncpu"
else
	"$XWAKE" -r 1000 -d 1 -f 0 -t 1 >"$W/out" 2>"$W/err"
	assert_eq "xwake -r 1000 -d 1 exits 0" 0 $?
	assert_eq "one JSON line" 1 "$(wc -l <"$W/out")"
	assert_eq "a sample per wake-up (1000/s for 1 s)" 1000 "$(jq .samples "$W/out")"
	assert_eq "every field is there" \
		"oneway_max_us oneway_p50_us oneway_p99_us relay_max_us relay_p50_us relay_p99_us samples" \
		"$(jq -r 'keys | join(" ")' "$W/out")"
	assert_eq "the relay's p50 is at least its first hop's" true \
		"$(jq '.relay_p50_us >= .oneway_p50_us' "$W/out")"
	assert_eq "p50 <= p99 <= max (relay)" true \
		"$(jq '.relay_p50_us <= .relay_p99_us and .relay_p99_us <= .relay_max_us' "$W/out")"
fi

for bad in "-r 0" "-r 100001" "-d x" "-f 1 -t 1" "extra"; do
	# shellcheck disable=SC2086
	"$XWAKE" $bad >"$W/out" 2>"$W/err"
	assert_eq "xwake $bad: exit 2" 2 $?
	assert_match "xwake $bad: says what is wrong" "usage: xwake|two CPUs" "$(cat "$W/err")"
done
tap_done
