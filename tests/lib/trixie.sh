# shellcheck shell=bash
# Run applications from the Debian 13 root (scripts/trixie-root.sh: DPDK
# 24.11 testpmd with its AF_XDP PMD) inside a network namespace, as a
# given user with only the given capabilities, the way an unprivileged
# application uses the agent (issue 13). Source it from a suite; root only.
#
#   trixie_root                    build the root if missing, echo its path
#   trixie_run NS USER CAPS MEMLOCK [DIR...] -- CMD...
#   testpmd_start NAME NS USER CAPS MEMLOCK VDEV [TESTPMD_ARGS...]
#   testpmd_stop NAME              SIGINT, wait; sets TESTPMD_RC
#   testpmd_stat NAME PORT FIELD   a count from testpmd's final statistics
TRIXIE_TOP=${AFXDP_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TRIXIE_WORK=${TRIXIE_WORK:-${WORK:-$(mktemp -d /tmp/afxdp-trixie.XXXXXX)}}

trixie_root() {
	"$TRIXIE_TOP/scripts/trixie-root.sh" --print-path
}

# The private mount namespace's setup, run by sh inside it (after entering
# NS): the chroot is an overlay of the cached root on a tmpfs, so nothing a
# run writes (mount points, /tmp, /run, a passwd entry) reaches the cache,
# and concurrent runs do not see each other's files. Then /proc, a sysfs
# of NS (mounted after entering NS: sysfs shows the mounter's namespace),
# /dev (with /dev/shm), the bpffs, and DIRs bound at the same paths.
# Arguments: ROOT SCRATCH UID GID MEMLOCK CAPS NDIRS DIR... CMD...
# shellcheck disable=SC2016
TRIXIE_SETUP='
set -e
root=$1 scratch=$2 uid=$3 gid=$4 memlock=$5 caps=$6 n=$7
shift 7
mount -t tmpfs -o mode=0755 trixie "$scratch"
mkdir "$scratch/up" "$scratch/work" "$scratch/m"
mount -t overlay trixie -o "lowerdir=$root,upperdir=$scratch/up,workdir=$scratch/work" "$scratch/m"
m=$scratch/m
mount -t proc proc "$m/proc"
mount -t sysfs sysfs "$m/sys"
# The bpffs the caller sees (pins shared with the agent), else a new one.
if mountpoint -q /sys/fs/bpf; then
	mount --rbind /sys/fs/bpf "$m/sys/fs/bpf"
else
	mount -t bpf bpf "$m/sys/fs/bpf"
fi
mount --rbind /dev "$m/dev"
while [ "$n" -gt 0 ]; do
	mkdir -p "$m$1"
	mount --rbind "$1" "$m$1"
	shift
	n=$((n - 1))
done
if [ "$uid" != 0 ]; then
	grep -q "^[^:]*:[^:]*:$uid:" "$m/etc/passwd" ||
		echo "app$uid:x:$uid:$gid::/nonexistent:/usr/sbin/nologin" >>"$m/etc/passwd"
	grep -q "^[^:]*:[^:]*:$gid:" "$m/etc/group" || echo "app$gid:x:$gid:" >>"$m/etc/group"
fi
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/ LC_ALL=C.UTF-8
if [ "$memlock" = - ]; then
	pl=
else
	pl="/usr/bin/prlimit --memlock=$memlock:$memlock --"
fi
if [ "$caps" = all ] && [ "$uid" = 0 ]; then
	exec chroot "$m" $pl "$@"
fi
# Only CAPS stay: in the bounding set, and (for a non-root user, whose
# capabilities do not survive execve otherwise) inheritable and ambient.
if [ -z "$caps" ]; then
	set -- --inh-caps=-all --bounding-set=-all -- "$@"
else
	c=$(echo "$caps" | sed "s/^/+/; s/,/,+/g")
	set -- --inh-caps=-all,$c --ambient-caps=-all,$c --bounding-set=-all,$c -- "$@"
fi
exec chroot "$m" $pl /usr/bin/setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"
'

# trixie_argv NS USER CAPS MEMLOCK [DIR...] -- CMD...: the command line of
# trixie_run in the array TRIXIE_ARGV (for callers that need its pid: every
# step execs, so "${TRIXIE_ARGV[@]}" & gives CMD's own pid).
#   NS       network namespace (ip netns name), or - for the caller's own
#   USER     user name or uid[:gid] on the host; root keeps uid 0
#   CAPS     comma list of capabilities to keep (net_raw,ipc_lock), "" for
#            none, or all (root only: no change)
#   MEMLOCK  RLIMIT_MEMLOCK, soft and hard: bytes, with a K/M/G suffix
#            (binary), unlimited, or - to keep the caller's. Raising the
#            hard limit needs CAP_SYS_RESOURCE, which root may not have
#            (a container): prlimit then fails with EPERM
#   DIR      host paths bound into the root at the same path
trixie_argv() {
	local ns=$1 user=$2 caps=$3 memlock=$4 root uid gid scratch
	local dirs=() netns=()
	if [ $# -lt 5 ]; then
		echo "trixie_run: usage: NS USER CAPS MEMLOCK [DIR...] -- CMD..." >&2
		return 2
	fi
	shift 4
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		[ -e "$1" ] || { echo "trixie_run: no such path to bind: $1" >&2; return 2; }
		dirs+=("$1")
		shift
	done
	if [ "${1:-}" != -- ] || [ $# -lt 2 ]; then
		echo "trixie_run: usage: NS USER CAPS MEMLOCK [DIR...] -- CMD..." >&2
		return 2
	fi
	shift
	case $memlock in
	- | unlimited | *[0-9]) ;;
	*[0-9][Kk]) memlock=$((${memlock%?} << 10)) ;;
	*[0-9][Mm]) memlock=$((${memlock%?} << 20)) ;;
	*[0-9][Gg]) memlock=$((${memlock%?} << 30)) ;;
	*) echo "trixie_run: bad MEMLOCK '$memlock'" >&2; return 2 ;;
	esac
	case $user in
	[0-9]*:[0-9]*) uid=${user%%:*} gid=${user#*:} ;;
	*) uid=$(id -u "$user") && gid=$(id -g "$user") || return 2 ;;
	esac
	if [ "$caps" = all ] && [ "$uid" != 0 ]; then
		echo "trixie_run: CAPS=all only for root; name the capabilities" >&2
		return 2
	fi
	if [ "$ns" != - ]; then
		[ -e "/run/netns/$ns" ] || { echo "trixie_run: no netns $ns" >&2; return 2; }
		# Not ip netns exec: it remounts /sys and so hides the host's
		# bpffs, where the agent pins the maps the application opens.
		netns=(nsenter "--net=/run/netns/$ns")
	fi
	root=$(trixie_root) || return 1
	# The mount point of each run's tmpfs, mounted in the run's private
	# namespace only (the host sees it empty, so runs can share it); not
	# under TRIXIE_WORK, which a caller may bind into the root.
	scratch=${TRIXIE_MNT:-/run/afxdp-kit-trixie}
	mkdir -p "$scratch"
	TRIXIE_ARGV=(unshare -m --propagation private -- "${netns[@]}"
		/bin/sh -c "$TRIXIE_SETUP" trixie-run "$root" "$scratch" "$uid" "$gid"
		"$memlock" "$caps" "${#dirs[@]}" "${dirs[@]}" "$@")
}

# trixie_run NS USER CAPS MEMLOCK [DIR...] -- CMD...: run CMD from the root
# (see trixie_argv); its exit status is CMD's.
trixie_run() {
	trixie_argv "$@" || return
	"${TRIXIE_ARGV[@]}"
}

# testpmd_start NAME NS USER CAPS MEMLOCK VDEV [TESTPMD_ARGS...]: testpmd
# in the background on the port VDEV (and one more per word of
# TESTPMD_VDEVS), forwarding from the start
# (default rxonly; TESTPMD_ARGS are appended after testpmd's defaults
# below, so --forward-mode=io overrides). Output in $TRIXIE_WORK/NAME.out,
# pid in TESTPMD_PID. Returns 0 once the port is forwarding, 1 if testpmd
# exited (its output tells why). Without -i, testpmd forwards until it
# reads a byte or EOF on stdin, or gets SIGINT/SIGTERM: stdin is a FIFO
# kept open here, so it runs until testpmd_stop.
#
# EAL options that need no privilege: --no-huge (anonymous memory),
# -m (MB of it), --no-shconf (no shared config file; --in-memory is
# refused with --no-huge: "not compatible with --legacy-mem"), --no-pci,
# --no-telemetry (no socket). TESTPMD_VDEVS: more --vdev strings (ports
# 1..), TESTPMD_DIRS: host paths bound into the root (trixie_argv's DIR).
# --no-mlockall: testpmd's mlockall() of all its memory would count against
# RLIMIT_MEMLOCK too (and fails for a user without CAP_IPC_LOCK). Two lcores (TESTPMD_LCORES): the main one
# and one forwarding lcore, which polls (a busy CPU while it runs).
testpmd_start() {
	local name=$1 ns=$2 user=$3 caps=$4 memlock=$5 vdev=$6 fifo i
	shift 6
	fifo=$TRIXIE_WORK/$name.in
	rm -f "$fifo"
	mkfifo "$fifo"
	# Read-write: opening does not block, and testpmd never sees EOF.
	exec {TESTPMD_FD}<>"$fifo"
	# stdbuf: testpmd's stdout is a file, fully buffered, and readiness is
	# read from it while testpmd runs.
	trixie_argv "$ns" "$user" "$caps" "$memlock" ${TESTPMD_DIRS:-} -- \
		stdbuf -oL -eL dpdk-testpmd -l "${TESTPMD_LCORES:-0-1}" --no-huge -m "${TESTPMD_MEM:-256}" \
		--no-shconf --no-pci --no-telemetry --vdev "$vdev" \
		$(for v in ${TESTPMD_VDEVS:-}; do printf -- '--vdev %s ' "$v"; done) -- \
		--no-mlockall --forward-mode=rxonly --total-num-mbufs="${TESTPMD_MBUFS:-4096}" "$@" ||
		return
	"${TRIXIE_ARGV[@]}" <"$fifo" >"$TRIXIE_WORK/$name.out" 2>&1 &
	TESTPMD_PID=$!
	for i in $(seq 300); do
		grep -q "^Press enter to exit" "$TRIXIE_WORK/$name.out" 2>/dev/null && return 0
		kill -0 "$TESTPMD_PID" 2>/dev/null || break
		sleep 0.1
	done
	testpmd_stop "$name"
	return 1
}

# testpmd_stop NAME: SIGINT, so testpmd stops forwarding and prints its
# per-port and accumulated statistics before it exits; sets TESTPMD_RC.
testpmd_stop() {
	[ -n "${TESTPMD_PID:-}" ] || return 0
	kill -INT "$TESTPMD_PID" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$TESTPMD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$TESTPMD_PID" 2>/dev/null
	wait "$TESTPMD_PID"
	TESTPMD_RC=$?
	TESTPMD_PID=
	exec {TESTPMD_FD}>&-
	rm -f "$TRIXIE_WORK/$1.in"
}

# testpmd_stat NAME PORT FIELD: FIELD (RX-packets, RX-dropped, RX-total,
# TX-packets, TX-dropped, TX-total) from testpmd's last "Forward
# statistics for port PORT" block, or with PORT=all from its "Accumulated
# forward statistics for all ports". Prints nothing if there is none.
testpmd_stat() {
	awk -v port="$2" -v field="$3:" '
		/Forward statistics for port/ { cur = ($6 == port) ? 1 : 0; next }
		/Accumulated forward statistics for all ports/ { cur = (port == "all"); next }
		/^ *[+-]+ *$/ || /^ *$/ { cur = 0; next }
		cur { for (i = 1; i < NF; i++) if ($i == field) v = $(i + 1) }
		END { if (v != "") print v }' "$TRIXIE_WORK/$1.out"
}
