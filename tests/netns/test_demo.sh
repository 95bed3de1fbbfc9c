#!/bin/bash
# The README's first command: scripts/demo.sh (what `make demo` runs after
# building) exits 0 with "demo: OK" when frames were forwarded and
# reconciled, non-zero with one "demo: FAILED: ..." line otherwise, and
# leaves nothing behind (namespaces, XDP programs, processes, its work
# folder) on success, on failure and on Ctrl-C.
. "$(dirname "$0")/lib.sh"
trap cleanup EXIT
require_root "demo suite"

export TOPO_PREFIX=afxtd$$
. "$TOP/scripts/topo.sh"
# The demo's mktemp lands here, so a folder it leaves behind is seen.
DEMO_TMP=$WORK/tmp
mkdir -p "$DEMO_TMP"

xdp_progs() { bpftool -j prog show 2>/dev/null | jq '[.[] | select(.type == "xdp")] | length'; }
demo_procs() { pgrep -f "$TOP/guest/afxdp-agent" | wc -l; }

# assert_clean WHEN: nothing of the demo's is left.
assert_clean() {
	local when=$1 ns left progs
	ns=$(ip netns list | grep -c "^$TOPO_PREFIX" || true)
	assert_eq "$when: no namespace left" 0 "$ns"
	assert_eq "$when: no agent process left" 0 "$(demo_procs)"
	left=$(ls -A "$DEMO_TMP")
	assert_eq "$when: work folder removed" "" "$left"
	# Freed programs go away after an RCU grace period: give them a moment.
	for _ in $(seq 20); do
		progs=$(xdp_progs)
		[ "$progs" -le "$PROGS_BEFORE" ] && break
		sleep 0.1
	done
	assert_le "$when: no XDP program left loaded" "$PROGS_BEFORE" "$progs"
}

PROGS_BEFORE=$(xdp_progs)
DEMO=("$TOP/scripts/demo.sh")

# 1. Success: exit 0 and the reconciliation line.
out=$(TMPDIR=$DEMO_TMP COUNT=100000 RATE=50000 "${DEMO[@]}" 2>&1)
rc=$?
assert_eq "demo exits 0 when frames are forwarded and reconciled" 0 "$rc" ||
	printf '%s\n' "$out" | tail -n 5 | sed 's/^/#    /'
assert_match "demo prints what it forwarded" "^demo: OK: [0-9]+ of 100000 frames forwarded" "$out"
assert_match "demo prints the sink's independent count" "sink counted +[0-9]+" "$out"
assert_match "demo prints the lost total" "lost in all +[0-9]+" "$out"
assert_clean "after success"

# 2. Failure after the topology is up (the agent refuses its options):
# non-zero, one line saying why, and the same clean-up.
out=$(TMPDIR=$DEMO_TMP COUNT=1000 AGENT_ARGS=--no-such-option "${DEMO[@]}" 2>&1)
rc=$?
assert_eq "demo exits 1 when the agent cannot start" 1 "$rc"
assert_match "demo says why in one line" \
	"^demo: FAILED: the agent exited 2 before forwarding: .*no-such-option" "$out"
assert_clean "after failure"

# 3. Ctrl-C in the middle of the generation: the terminal sends SIGINT to
# the whole foreground process group. setsid gives the demo its own group;
# perl resets SIGINT to its default, which a background job of this shell
# would otherwise inherit as ignored (and bash cannot trap it then).
setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' env TMPDIR="$DEMO_TMP" \
	COUNT=100000000 RATE=20000 "${DEMO[@]}" >"$WORK/ctrlc.log" 2>&1 &
demo=$!
for _ in $(seq 200); do
	grep -q "^== generating" "$WORK/ctrlc.log" && break
	sleep 0.1
done
assert_match "demo reached the generation before Ctrl-C" "^== generating" "$(cat "$WORK/ctrlc.log")"
sleep 1
kill -INT -- "-$demo"
rc=0
wait "$demo" || rc=$?
assert_eq "demo exits 130 on Ctrl-C" 130 "$rc"
assert_match "demo says it was interrupted" "^demo: FAILED: interrupted" "$(cat "$WORK/ctrlc.log")"
assert_clean "after Ctrl-C"

# 4. Not root: refused before anything is created.
if id nobody >/dev/null 2>&1; then
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "${DEMO[@]}" 2>&1)
	rc=$?
	assert_eq "demo refuses to run without root (exit 2)" 2 "$rc"
	assert_match "demo says root is needed" "^demo: FAILED: run as root" "$out"
fi

tap_done
