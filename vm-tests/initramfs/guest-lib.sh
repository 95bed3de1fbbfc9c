# shellcheck shell=dash
# Guest-side helpers of the vm-tests scenarios, shared by the busybox
# initramfs (initramfs/init, PID 1) and the Debian image guests
# (guest/image-run.sh, run by cloud-init). Output goes to the console the
# host reads; marker lines start with "VMTEST: ".
#   VMT_AGENT_BIN  the agent (initramfs: /usr/local/sbin/afxdp-agent; the
#                  images' .deb: /usr/sbin/afxdp-agent)

VMT_AGENT_BIN=${VMT_AGENT_BIN:-/usr/local/sbin/afxdp-agent}

say() { echo "VMTEST: $*"; }

# The NICs are named by MAC, not probe order: eth0 = in, eth1 = out.
# Two passes through temporary names so a swap cannot collide.
nic_setup() {
	local dev mac i=0
	for dev in /sys/class/net/*; do
		dev=${dev##*/}
		[ "$dev" = lo ] && continue
		# A link that is up cannot be renamed (an image guest's may be).
		/sbin/ip link set dev "$dev" down
		/sbin/ip link set dev "$dev" name "vt$i" && i=$((i + 1))
	done
	for dev in /sys/class/net/vt*; do
		dev=${dev##*/}
		mac=$(cat "/sys/class/net/$dev/address")
		case "$mac" in
		"$VMT_MAC_IN") /sbin/ip link set dev "$dev" name eth0 ;;
		"$VMT_MAC_OUT") /sbin/ip link set dev "$dev" name eth1 ;;
		esac
	done
	/sbin/ip link set lo up
	/sbin/ip link set eth0 up && /sbin/ip addr add "$VMT_IP_IN/24" dev eth0
	/sbin/ip link set eth1 up && /sbin/ip addr add "$VMT_IP_OUT/24" dev eth1
	for dev in eth0 eth1; do
		say "nic $dev mac=$(cat /sys/class/net/$dev/address)" \
			"mtu=$(cat /sys/class/net/$dev/mtu)" \
			"queues=$(ls -d /sys/class/net/$dev/queues/rx-* | wc -l)"
	done
	/sbin/ethtool -l eth0 | sed 's/^/ETHTOOL: /'
	/sbin/ethtool -k eth0 | grep -E 'rx-checksum|generic-receive|large-rec' | sed 's/^/ETHTOOL: /'
}

# A management service outside the forwarding filter.
mgmt_up() {
	mkdir -p /www
	echo "afxvm-mgmt-ok" >/www/index.html
	if command -v httpd >/dev/null; then
		httpd -p 8080 -h /www
	else
		# The Debian images have python3 (cloud-init), not busybox.
		(cd /www && exec python3 -m http.server 8080 >/dev/null 2>&1) &
	fi
	say "mgmt up"
}

# run_agent ARGS: the agent's stdout goes straight to the console (a tty, so
# line-buffered); the host reads its JSON lines between the markers.
run_agent() {
	say "agent-start: $*"
	"$VMT_AGENT_BIN" "$@"
	local rc=$?
	say "agent-rc=$rc"
	return $rc
}

# Keep the guest up for N seconds (traffic window without the agent).
window() {
	say "window-open $1"
	sleep "$1"
	say "window-close"
}
