#!/bin/bash
# Least privilege: what the agent holds after setup, as root and as a
# dedicated user (both "run.user" and the systemd unit's way: a user with
# ambient capabilities), where its metrics endpoint listens, and the
# systemd unit's exposure score.
. "$(dirname "$0")/lib.sh"
export TOPO_PREFIX=afxp$$
. "$TOP/scripts/topo.sh"
trap cleanup EXIT
require_root "least privilege suite"
TEST_USER=${TEST_USER:-afxdp-test}

# CAP_NET_ADMIN (12), CAP_SYS_ADMIN (21), CAP_BPF (39): guest/privs.c keeps
# them for teardown (detach, libxdp's pins); nothing else survives setup.
KEPT=$(printf '%016x' $(((1 << 12) | (1 << 21) | (1 << 39))))
# Root without run.user also keeps CAP_CHOWN (bit 0): the pins of
# application claims added on reload (guest/privs.c).
KEPT_ROOT=$(printf '%016x' $((0x$KEPT | 1)))
# The systemd unit's set, read from the unit: names for setpriv, a mask
# from <linux/capability.h>.
UNIT_IN=$TOP/guest/afxdp-agent.service.in
unit_names=$(sed -n 's/^AmbientCapabilities=//p' "$UNIT_IN")
UNIT_CAPS=$(echo "$unit_names" | tr ' ' '\n' | grep . |
	sed 's/^CAP_//' | tr 'A-Z' 'a-z' | sed 's/^/+/' | paste -sd,)
UNIT_MASK=0
for c in $unit_names; do
	n=$(sed -n "s/^#define $c[[:space:]]*\([0-9]*\)$/\1/p" /usr/include/linux/capability.h)
	UNIT_MASK=$((UNIT_MASK | (1 << n)))
done

# thread_field PID FIELD: "value" if every thread has the same, else all
thread_field() {
	for t in /proc/"$1"/task/*; do
		sed -n "s/^$2:\t*//p" "$t/status" | tr '\t' ' '
	done | sort -u | tr '\n' ' ' | sed 's/ $//'
}

topo_up 1

# 1. As root: every thread (main, workers) ends up with exactly the kept
#    set, effective = permitted = bounding, nothing inheritable or ambient.
start_agent root "$FWD_NS" -m fwd -i in0 -i out0 --interval 0
assert_eq "root: agent started" 0 $?
diag "threads: $(ls /proc/"$AGENT_PID"/task | wc -l)"
assert_ge "root: agent runs worker threads" 2 "$(ls /proc/"$AGENT_PID"/task | wc -l)"
assert_eq "root: CapEff of every thread is net_admin,sys_admin,bpf,chown" "$KEPT_ROOT" \
	"$(thread_field "$AGENT_PID" CapEff)"
assert_eq "root: CapPrm of every thread" "$KEPT_ROOT" "$(thread_field "$AGENT_PID" CapPrm)"
assert_eq "root: CapBnd of every thread" "$KEPT_ROOT" "$(thread_field "$AGENT_PID" CapBnd)"
assert_eq "root: no inheritable capability" 0000000000000000 \
	"$(thread_field "$AGENT_PID" CapInh)"
assert_eq "root: no ambient capability" 0000000000000000 \
	"$(thread_field "$AGENT_PID" CapAmb)"
assert_match "root: the log lists what remains" \
	"after setup: .*capabilities chown, net_admin, sys_admin, bpf" "$(cat "$WORK/root.log")"
assert_eq "root: no metrics endpoint unless asked" "" \
	"$(nsrun "$FWD_NS" ss -ltnH)"
forwards root 4200 1000
stop_agent
assert_eq "root: exit 0" 0 "$AGENT_RC"
assert_eq "root: teardown with the kept set detaches the program" none \
	"$(xdp_prog_on "$FWD_NS" in0)"

# 2. run.user: the agent sets up as root, then becomes the user.
CREATED_USER=
if ! id "$TEST_USER" >/dev/null 2>&1; then
	useradd --system --no-create-home --shell /usr/sbin/nologin "$TEST_USER"
	CREATED_USER=$TEST_USER
fi
uid=$(id -u "$TEST_USER")
start_agent user "$FWD_NS" -m fwd -i in0 -i out0 --interval 0 \
	--set run.user="$TEST_USER"
assert_eq "run.user: agent started" 0 $?
assert_eq "run.user: every thread runs as $TEST_USER" "$uid $uid $uid $uid" \
	"$(thread_field "$AGENT_PID" Uid)"
assert_eq "run.user: CapEff of every thread is the kept set" "$KEPT" \
	"$(thread_field "$AGENT_PID" CapEff)"
forwards user 4201 1000
stop_agent
assert_eq "run.user: exit 0" 0 "$AGENT_RC"
assert_eq "run.user: teardown as $TEST_USER detaches the program" none \
	"$(xdp_prog_on "$FWD_NS" in0)"

# 3. The systemd unit's way: started as the user with the unit's ambient
#    capabilities and bounding set (guest/afxdp-agent.service.in), after
#    its ExecStartPre's bpffs permissions and with /run/afxdp-agent the
#    user's (a private tmpfs, as its RuntimeDirectory= gives). The unit's
#    LimitMEMLOCK=infinity cannot be had here (no CAP_SYS_RESOURCE in this
#    sandbox: 8 MiB), so the UMEM is 2 MiB.
diag "unit: AmbientCapabilities=$unit_names"
assert_eq "unit: grants every capability the agent keeps" "$KEPT" \
	"$(printf '%016x' $((UNIT_MASK & 0x$KEPT)))"
gid=$(id -g "$TEST_USER")
ip netns exec "$FWD_NS" sh -c '
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	install -d -m 0770 -o root -g "$1" /sys/fs/bpf/xdp
	chgrp "$1" /sys/fs/bpf && chmod 0710 /sys/fs/bpf
	mkdir -p /run/afxdp-agent
	mount -t tmpfs -o mode=0750,uid="$2",gid="$3" tmpfs /run/afxdp-agent
	u=$2 g=$3 caps=$4
	shift 4
	exec setpriv --reuid="$u" --regid="$g" --init-groups \
		--inh-caps=-all,"$caps" --ambient-caps=-all,"$caps" \
		--bounding-set=-all,"$caps" "$@"' sh "$TEST_USER" "$uid" "$gid" "$UNIT_CAPS" \
	"$AGENT" -m fwd -i in0 -i out0 --interval 0 --stats json --frames 1024 \
	--frame-size 2048 --ring-size 256 >"$WORK/unit.json" 2>"$WORK/unit.log" &
AGENT_PID=$!
for _ in $(seq 100); do
	grep -q "after setup\|capabilities" "$WORK/unit.log" && break
	alive "$AGENT_PID" || break
	sleep 0.1
done
alive "$AGENT_PID"
assert_eq "unit: agent sets up as $TEST_USER with only the unit's capabilities" 0 $? ||
	sed 's/^/#   /' "$WORK/unit.log"
assert_eq "unit: runs as $TEST_USER" "$uid $uid $uid $uid" "$(thread_field "$AGENT_PID" Uid)"
diag "unit: CapEff after setup $(thread_field "$AGENT_PID" CapEff) (unit grants $(printf '%016x' $UNIT_MASK))"
assert_eq "unit: after setup every thread holds only net_admin,sys_admin,bpf" "$KEPT" \
	"$(thread_field "$AGENT_PID" CapEff)"
# Ambient: exactly the kept set and nothing more, so that the binary
# `ctl upgrade` starts (guest/upgrade.h) can adopt the program and detach
# it at its end; an unprivileged user loses everything else at exec.
assert_eq "unit: ambient = the kept set (for ctl upgrade), nothing more" "$KEPT" \
	"$(thread_field "$AGENT_PID" CapAmb)"
forwards unit 4202 1000
# ctl upgrade as the unit does it (postinst, as root, in the unit's
# namespaces): the new agent, started by the running one as the same user,
# has only the ambient set and must still adopt the program.
old=$AGENT_PID
out=$(nsenter --target "$old" --mount --net "$AGENT" ctl upgrade 2>&1)
assert_eq "unit: ctl upgrade: exit 0" 0 $? || diag "$out"
new=$(sed -nE 's/^upgrade: pid ([0-9]+) took over/\1/p' <<<"$out")
wait "$old"
assert_eq "unit: the old agent exited 0 after the handover" 0 $?
assert_eq "unit: the new agent runs as $TEST_USER" "$uid $uid $uid $uid" \
	"$(thread_field "$new" Uid)"
assert_eq "unit: the new agent holds the kept set, ambient too" "$KEPT $KEPT" \
	"$(thread_field "$new" CapEff) $(thread_field "$new" CapAmb)"
assert_match "unit: the new agent took the data path over" \
	"handover: data path taken over from pid $old" "$(cat "$WORK/unit.log")"
forwards unit-upgraded 4203 1000
kill -TERM "$new"
for _ in $(seq 100); do kill -0 "$new" 2>/dev/null || break; sleep 0.1; done
AGENT_PID=
assert_match "unit: the new agent stopped without errors" "afxdp-agent: info: stopped$" \
	"$(cat "$WORK/unit.log")"
assert_eq "unit: teardown as $TEST_USER detaches the program" none \
	"$(xdp_prog_on "$FWD_NS" in0)"
ip -n "$FWD_NS" link set in0 xdp off 2>/dev/null
ip -n "$FWD_NS" link set out0 xdp off 2>/dev/null
[ -n "$CREATED_USER" ] && userdel "$CREATED_USER" 2>/dev/null

# 4. Metrics: a bare ":PORT" listens on 127.0.0.1 only; an explicit
#    address is honoured.
port=$((20000 + $$ % 20000))
# The endpoint serves the last periodic report: --interval 200.
start_agent prom "$FWD_NS" -m fwd -i in0 -i out0 --interval 200 --prometheus ":$port"
sleep 0.5
assert_eq "prom: agent started with --prometheus :$port" 0 $?
listen=$(nsrun "$FWD_NS" ss -ltnH "sport = :$port" | awk '{print $4}')
assert_eq "prom: listens on 127.0.0.1:$port and nowhere else" "127.0.0.1:$port" "$listen"
body=$(nsrun "$FWD_NS" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; \
	printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3; timeout 5 cat <&3")
assert_match "prom: serves metrics on 127.0.0.1" "afxdp_[a-z_]+ " "$body"
assert_rc "prom: not reachable on the port's other address (10.77.0.2)" 1 \
	nsrun "$FWD_NS" bash -c "exec 3<>/dev/tcp/10.77.0.2/$port"
stop_agent
start_agent prom_any "$FWD_NS" -m fwd -i in0 -i out0 --interval 0 \
	--prometheus "0.0.0.0:$port"
assert_eq "prom: explicit 0.0.0.0:$port is honoured" "0.0.0.0:$port" \
	"$(nsrun "$FWD_NS" ss -ltnH "sport = :$port" | awk '{print $4}')"
stop_agent

# 5. The systemd unit's exposure score (offline: this machine's PID 1 is
#    not systemd), rendered as `make install` renders it.
sed 's|@BINDIR@|/usr/sbin|g; s|@SYSCONFDIR@|/etc|g' \
	"$TOP/guest/afxdp-agent.service.in" >"$WORK/afxdp-agent.service"
sec=$(systemd-analyze security --offline=true "$WORK/afxdp-agent.service" 2>&1)
score=$(echo "$sec" | sed -n 's/.*Overall exposure level for afxdp-agent.service: \([0-9.]*\).*/\1/p')
diag "systemd-analyze security: exposure $score ($(echo "$sec" | tail -1 | sed 's/.*: //'))"
assert_match "unit: systemd-analyze security gives a score" '^[0-9]+\.[0-9]$' "$score"
assert_rc "unit: exposure score $score <= 2.5 (--threshold=25)" 0 \
	systemd-analyze security --offline=true --threshold=25 "$WORK/afxdp-agent.service"

tap_done
