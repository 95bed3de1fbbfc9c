#!/bin/bash
# The Debian 13 root (scripts/trixie-root.sh) runs DPDK 24.11's testpmd with
# its AF_XDP PMD on veth in a network namespace, and shows, independently of
# the agent, what an unprivileged DPDK application can and cannot do on this
# kernel (issue 13):
#   - as root, the plain net_af_xdp vdev loads its own XDP program and
#     receives every frame the generator sent;
#   - as a user with CAP_NET_RAW, the plain vdev fails: it cannot load an
#     XDP program (hence use_cni / use_pinned_map);
#   - the same user receives every frame with use_pinned_map on an XSKMAP
#     that root pinned and attached: an AF_XDP socket and an XSKMAP update
#     need no BPF privilege, only CAP_NET_RAW and locked memory;
#   - the UMEM that testpmd registers is measured against RLIMIT_MEMLOCK;
#   - an XSKMAP fd received over a Unix socket (use_cni's way) can be
#     updated by that user.
# Frames come from the kit's own generator (afxdp-agent -m txgen) in another
# namespace; testpmd's counts are its own final statistics.
. "$(dirname "$0")/lib.sh"
export TOPO_PREFIX=afxt$$
. "$TOP/scripts/topo.sh"
. "$TOP/tests/lib/trixie.sh"
USER_NR=nobody
FRAMES=10000
# 10 kpps: the XSK's ring holds 2048 frames, and testpmd's polling lcore
# shares 2 cores with the generator and whatever else runs.
RATE=10000
# Not under WORK: libbpf turns the dots of a pin path (mktemp's name) into
# underscores.
BPFFS=/tmp/afxdp-trixie-bpf$$
SERVER_PID=

suite_cleanup() {
	[ -n "${TESTPMD_PID:-}" ] && kill -KILL "$TESTPMD_PID" 2>/dev/null
	[ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null
	mountpoint -q "$BPFFS" && umount "$BPFFS"
	rmdir "$BPFFS" 2>/dev/null
	cleanup
}
trap suite_cleanup EXIT
require_root "trixie root suite"

# ---- (a) the root and testpmd in it -------------------------------------
t0=$(date +%s)
if ! ROOT=$(trixie_root); then
	not_ok "the trixie root builds (scripts/trixie-root.sh)"
	tap_done
	exit 1
fi
ok "the trixie root is there ($(($(date +%s) - t0)) s, $ROOT)"
diag "$(tr '\n' ' ' <"$ROOT/.complete")"
pmd=$(sed -n 's/^af_xdp_pmd=//p' "$ROOT/.complete")
assert_match "the AF_XDP PMD is in the root's plugin directory" \
	'/dpdk/pmds-[0-9.]+/librte_net_af_xdp\.so$' "$pmd"
assert_eq "  and the file is there" yes "$([ -f "$ROOT$pmd" ] && echo yes)"
# EAL init itself needs no privilege with --no-huge: no user, no capability.
assert_rc "dpdk-testpmd runs in the root with no capability at all" 0 \
	trixie_run - "$USER_NR" "" 8M -- dpdk-testpmd -v --no-huge -m 64 \
	--no-shconf --no-pci --no-telemetry -- --help
assert_match "it is DPDK 24.11" "RTE Version: 'DPDK 24\.11" "$OUT"

diag "kernel $(uname -r), kernel.unprivileged_bpf_disabled=$(cat /proc/sys/kernel/unprivileged_bpf_disabled)"
diag "RLIMIT_MEMLOCK here: soft $(ulimit -Sl) KiB, hard $(ulimit -Hl) KiB"
# CAP_SYS_RESOURCE (bit 24) is what raising a hard rlimit takes.
if [ $((0x$(awk '/^CapEff/ { print $2 }' /proc/self/status) >> 24 & 1)) = 1 ]; then
	can_raise=1
	diag "root has CAP_SYS_RESOURCE: RLIMIT_MEMLOCK can be raised for the app"
else
	can_raise=0
	diag "root lacks CAP_SYS_RESOURCE: no process here gets more than the hard RLIMIT_MEMLOCK"
fi

# ---- (b) root, plain vdev: DPDK loads its own XDP program ---------------
topo_up 1
vdev=net_af_xdp0,iface=in0,start_queue=0,queue_count=1
if testpmd_start plain "$FWD_NS" root all - "$vdev"; then
	ok "root: testpmd started on the plain net_af_xdp vdev"
	assert_match "root: DPDK attached its own XDP program to in0" \
		'xsk_def_prog|xdp_dispatcher' "$(xdp_prog_on "$FWD_NS" in0)"
	gen=$(txgen "$GEN_NS" gen0 --count $FRAMES --rate $RATE --dst-port 5000)
	assert_eq "generator sent $FRAMES frames" $FRAMES "$(echo "$gen" | jq .totals.tx_packets)"
	sleep 0.5
	testpmd_stop plain
	assert_eq "root: testpmd exits 0 on SIGINT" 0 "$TESTPMD_RC"
	assert_eq "root: testpmd port 0 received every frame" $FRAMES "$(testpmd_stat plain 0 RX-packets)" ||
		diag "testpmd RX-dropped (XSK ring full or no fill): $(testpmd_stat plain 0 RX-dropped)"
	assert_eq "root: accumulated RX equals port 0's" "$(testpmd_stat plain 0 RX-packets)" \
		"$(testpmd_stat plain all RX-packets)"
	assert_eq "root: testpmd removed its XDP program on exit" none "$(xdp_prog_on "$FWD_NS" in0)"
else
	not_ok "root: testpmd started on the plain net_af_xdp vdev"
	diag_tail "$WORK/plain.out" 30
fi

# ---- (c) CAP_NET_RAW only: the plain vdev cannot load its program -------
# CAP_IPC_LOCK too, so that the UMEM (before the program in DPDK's order)
# is not what stops it: the program load is.
if testpmd_start noprog "$FWD_NS" "$USER_NR" net_raw,ipc_lock 8M "$vdev"; then
	not_ok "$USER_NR (net_raw): the plain vdev is refused"
	testpmd_stop noprog
else
	ok "$USER_NR (net_raw): the plain vdev is refused"
	out=$(cat "$WORK/noprog.out")
	assert_match "  because libbpf cannot load a BPF program (EPERM)" \
		"Couldn't load trivial BPF program|BPF program load failed: Operation not permitted" "$out"
	assert_match "  and DPDK says it could not create the XSK" \
		"Failed to create xsk socket" "$out"
	assert_eq "  and no XDP program was left on in0" none "$(xdp_prog_on "$FWD_NS" in0)"
fi

# ---- (d) CAP_NET_RAW, use_pinned_map on root's XSKMAP -------------------
# Root loads libxdp's default XSK program with its xsks_map pinned in a
# bpffs that is bound into the root, and gives the map's pin to the user:
# BPF_OBJ_GET checks the pin's file permissions.
mkdir -p "$BPFFS"
mount -t bpf bpf "$BPFFS"
xskprog=/usr/lib/x86_64-linux-gnu/bpf/xsk_def_xdp_prog.o
bpftool prog load "$xskprog" "$BPFFS/prog" type xdp pinmaps "$BPFFS/maps" 2>"$WORK/bpftool.log"
ip -n "$FWD_NS" link set dev in0 xdpdrv pinned "$BPFFS/prog"
assert_eq "root attached xsk_def_prog with a pinned xsks_map" xsk_def_prog "$(xdp_prog_on "$FWD_NS" in0)" ||
	diag_tail "$WORK/bpftool.log"
map=$BPFFS/maps/xsks_map
chmod 0755 "$BPFFS/maps"
pvdev=net_af_xdp0,iface=in0,start_queue=0,queue_count=1,use_pinned_map=1,dp_path=$map
# The user reads files in WORK: testpmd's command file, the fake device
# plugin's socket and client below.
chmod 0755 "$WORK"
printf 'dump_mempool\n' >"$WORK/cmds"
chmod 0644 "$WORK/cmds"
export TESTPMD_DIRS="$WORK $BPFFS"

# The pin still root's (0600): the user cannot open it. DPDK 24.11 logs
# it (get_pinned_map's own message tests the fd for 0, not < 0, so only the
# caller's shows), but xsk_configure() then returns 0 (its ret is still the successful
# xsk_socket__create's) after deleting the socket, so the port starts
# anyway: an application's exit status does not tell, its log does.
if testpmd_start pinperm "$FWD_NS" "$USER_NR" net_raw,ipc_lock 8M "$pvdev" 2>/dev/null; then
	testpmd_stop pinperm 2>/dev/null
	diag "testpmd started anyway after the failed map open; exit status $TESTPMD_RC on SIGINT"
else
	diag "testpmd failed after the failed map open (it runs on a deleted socket: it may also start)"
fi
assert_match "$USER_NR: a root-only pin (0600) cannot be opened" \
	"Failed to retrieve pinned map fd" "$(cat "$WORK/pinperm.out")"
chown "$USER_NR" "$map"
if testpmd_start pinned "$FWD_NS" "$USER_NR" net_raw,ipc_lock 8M "$pvdev" \
	--cmdline-file="$WORK/cmds"; then
	ok "$USER_NR (net_raw,ipc_lock): testpmd started with use_pinned_map=1"
	gen=$(txgen "$GEN_NS" gen0 --count $FRAMES --rate $RATE --dst-port 5001)
	assert_eq "generator sent $FRAMES frames" $FRAMES "$(echo "$gen" | jq .totals.tx_packets)"
	sleep 0.5
	testpmd_stop pinned
	assert_eq "$USER_NR: testpmd exits 0 on SIGINT" 0 "$TESTPMD_RC"
	assert_eq "$USER_NR: testpmd port 0 received every frame through the pinned XSKMAP" \
		$FRAMES "$(testpmd_stat pinned 0 RX-packets)" ||
		diag "testpmd RX-dropped (XSK ring full or no fill): $(testpmd_stat pinned 0 RX-dropped)"
	assert_eq "$USER_NR: root's XDP program is still on in0 after testpmd" \
		xsk_def_prog "$(xdp_prog_on "$FWD_NS" in0)"
else
	not_ok "$USER_NR (net_raw,ipc_lock): testpmd started with use_pinned_map=1"
	diag_tail "$WORK/pinned.out" 30
fi

# ---- (e) RLIMIT_MEMLOCK: the UMEM is testpmd's mbuf pool ---------------
# DPDK registers the mbuf pool's memory as the UMEM; the kernel charges it
# to the user's locked memory unless the process has CAP_IPC_LOCK.
pool=$(awk '/^mempool <mb_pool_0>/ { p = 1 } p && /populated_size=/ { sub(/.*=/, ""); n = $0 }
	p && /avg bytes\/object=/ { sub(/.*=/, ""); print n, $0; exit }' "$WORK/pinned.out")
read -r nmbuf per_obj <<<"$pool"
if [ -n "$per_obj" ]; then
	umem=$(awk -v n="$nmbuf" -v b="$per_obj" 'BEGIN { printf "%d", n * b }')
	ok "testpmd's UMEM measured: $nmbuf mbufs x $per_obj B = $umem B ($((umem >> 10)) KiB)"
	diag "with --no-huge each mbuf takes a 4 KiB page (objects do not cross pages)"
	limit=$((8 << 20))
	if [ "$can_raise" = 1 ]; then limit=$((((umem >> 20) + 2) << 20)); fi
	if testpmd_start memlock "$FWD_NS" "$USER_NR" net_raw "$limit" "$pvdev"; then
		testpmd_stop memlock
		res=started
	else
		res=refused
	fi
	want=started
	[ "$umem" -gt "$limit" ] && want=refused
	assert_eq "net_raw only, RLIMIT_MEMLOCK $((limit >> 10)) KiB, UMEM $((umem >> 10)) KiB: $want" \
		"$want" "$res"
	[ "$res" = refused ] && assert_match "  refused by the UMEM registration (ENOBUFS)" \
		"Failed to create umem \[105\]" "$(cat "$WORK/memlock.out")"
	[ "$want" = refused ] &&
		diag "so here an unprivileged testpmd needs CAP_IPC_LOCK (or RLIMIT_MEMLOCK > $((umem >> 10)) KiB)"
else
	not_ok "testpmd's mempool dump (dump_mempool) has the pool's size"
fi
# The smallest pool testpmd accepts (> 1024 mbufs) and that the PMD can
# fill its fill queue from (2048 descriptors) exceeds 8 MiB with --no-huge.
if testpmd_start small "$FWD_NS" "$USER_NR" net_raw,ipc_lock 8M "$pvdev" --total-num-mbufs=1100; then
	not_ok "a pool smaller than the fill queue (1100 mbufs) is refused"
	testpmd_stop small
else
	assert_match "a pool smaller than the fill queue (1100 mbufs) is refused (the PMD reserves 2048)" \
		"Failed to configure xdp socket" "$(cat "$WORK/small.out")"
fi

# ---- (f) an XSKMAP fd received over a Unix socket (use_cni's way) -------
# Root opens the pinned map and passes the fd by SCM_RIGHTS; the user
# creates an AF_XDP socket and puts it in the map: BPF_MAP_UPDATE_ELEM on
# an fd it holds, no BPF capability.
cat >"$WORK/xskmap.py" <<'EOF'
import ctypes, errno, os, socket, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(321, cmd, buf, 128)  # __NR_bpf on x86_64
    return r if r >= 0 else -ctypes.get_errno()
if sys.argv[1] == "serve":  # serve PIN SOCKET
    path = ctypes.create_string_buffer(sys.argv[2].encode())
    fd = bpf(7, struct.pack("QII", ctypes.addressof(path), 0, 0))  # BPF_OBJ_GET
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(sys.argv[3])
    os.chmod(sys.argv[3], 0o777)
    srv.listen(1)
    for _ in range(2):
        c, _ = srv.accept()
        socket.send_fds(c, [b"map"], [fd])
        c.close()
else:  # client SOCKET
    c = socket.socket(socket.AF_UNIX)
    c.connect(sys.argv[2])
    _, fds, _, _ = socket.recv_fds(c, 16, 1)
    if not fds:
        print("no fd received"); sys.exit(1)
    try:
        xsk = socket.socket(44, socket.SOCK_RAW, 0)  # AF_XDP
    except OSError as e:
        print("socket:", errno.errorcode[e.errno]); sys.exit(1)
    key, val = ctypes.c_uint32(0), ctypes.c_uint32(xsk.fileno())
    r = bpf(2, struct.pack("IIQQQ", fds[0], 0, ctypes.addressof(key),
                           ctypes.addressof(val), 0))  # BPF_MAP_UPDATE_ELEM
    print("update:", "ok" if r == 0 else errno.errorcode[-r]); sys.exit(r != 0)
EOF
chmod 0644 "$WORK/xskmap.py"
/usr/bin/python3 "$WORK/xskmap.py" serve "$map" "$WORK/dp.sock" 2>"$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 50); do [ -S "$WORK/dp.sock" ] && break; sleep 0.1; done
assert_rc "$USER_NR (net_raw only): BPF_MAP_UPDATE_ELEM on a received XSKMAP fd" 0 \
	trixie_run "$FWD_NS" "$USER_NR" net_raw 8M "$WORK" -- python3 "$WORK/xskmap.py" client "$WORK/dp.sock"
assert_eq "  the update succeeded" "update: ok" "$OUT"
assert_rc "$USER_NR with no capability: no AF_XDP socket" 1 \
	trixie_run "$FWD_NS" "$USER_NR" "" 8M "$WORK" -- python3 "$WORK/xskmap.py" client "$WORK/dp.sock"
assert_eq "  refused with EPERM" "socket: EPERM" "$OUT"
wait "$SERVER_PID"
SERVER_PID=

tap_done
