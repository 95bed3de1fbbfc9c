# shellcheck shell=bash disable=SC2034
# (variables are shared across the sourced files)
# Upgrading the agent's package while it forwards (issue 18), in the
# Debian 13 image guest: the agent runs as the packaged systemd unit
# (afxdp-agent.service, user afxdp, ambient capabilities), frames flow
# from the in-tap to the out-tap, and `dpkg -i` installs the same build
# repackaged with a new version number. The postinst asks the running
# agent to upgrade (`afxdp-agent ctl upgrade`): the new binary takes the
# data path over and becomes the unit's main process. The host's sink
# must count every generated frame; the guest reports the unit's main PID
# before and after, the package version, who serves the control socket
# and from which file, and the unit's journal.

UP_N=${UP_N:-3000}
UP_RATE=${UP_RATE:-150}
UP_PORT=4000
UP_VERSION=0.1.0+vmtest1

# up_deb OUT: the image's agent package, repackaged with UP_VERSION.
up_deb() {
	local deb d
	deb=$(ls "$VMT_TOP"/build/deb/afxdp-agent_*_amd64.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || return 1
	d=$(mktemp -d "$VMT_WORK/deb.XXXXXX")
	dpkg-deb -R "$deb" "$d/pkg" &&
		sed -i "s/^Version: .*/Version: $UP_VERSION/" "$d/pkg/DEBIAN/control" &&
		dpkg-deb -b -Zxz "$d/pkg" "$1" >/dev/null
	local rc=$?
	rm -rf "$d"
	return $rc
}

up_guest_script() {
	cat <<'EOS'
up_conf() {
	mkdir -p /etc/afxdp-kit
	cat >/etc/afxdp-kit/afxdp-agent.yaml <<EOF
mode: fwd
ports:
  - ifname: eth0
    queues: all
  - ifname: eth1
    queues: all
xdp:
  filter: ["udp dport 4000"]
stats:
  interval_ms: 0
EOF
	chgrp afxdp /etc/afxdp-kit/afxdp-agent.yaml
	chmod 0640 /etc/afxdp-kit/afxdp-agent.yaml
}
unit_pid() { systemctl show -p MainPID --value afxdp-agent.service; }
served_by() {
	afxdp-agent ctl -c /etc/afxdp-kit/afxdp-agent.yaml version --json 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])' 2>/dev/null
}
guest_main() {
	nic_setup
	up_conf
	systemctl start afxdp-agent.service
	say "unit-started active=$(systemctl is-active afxdp-agent.service) pid=$(unit_pid) version=$(dpkg-query -W -f='${Version}' afxdp-agent)"
	say "traffic-please"
	sleep 6
	old=$(unit_pid)
	dpkg -i /root/afxdp-agent-new.deb >/root/dpkg.log 2>&1
	rc=$?
	sed 's/^/DPKG: /' /root/dpkg.log
	new=$(unit_pid)
	say "upgraded rc=$rc old=$old new=$new active=$(systemctl is-active afxdp-agent.service) version=$(dpkg-query -W -f='${Version}' afxdp-agent) served=$(served_by) exe=$(readlink /proc/$new/exe) old_alive=$(kill -0 $old 2>/dev/null && echo yes || echo no)"
	sleep 30
	systemctl stop afxdp-agent.service
	say "stopped active=$(systemctl is-active afxdp-agent.service) xdp=$(ip -j link show dev eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0].get("xdp", {}).get("prog", {}).get("id", "none"))')"
	journalctl -u afxdp-agent.service --no-pager -o cat | sed 's/^/JOURNAL: /' | tail -n 60
}
EOS
}

scn_upgrade() {
	VM_NAME="$VMT_PREFIX-$$-up"
	VM_NS=$VM_NAME VM_VCPUS=2 VM_QUEUES=2 VM_OFFLOADS=off VM_MEM_MB=1024
	local script="$VMT_WORK/run/$VM_NAME.scenario.sh" t0=$SECONDS deb line
	mkdir -p "$VMT_WORK/run"
	deb="$VMT_WORK/run/$VM_NAME.deb"
	up_deb "$deb" || { not_ok "the agent's package repackaged as $UP_VERSION"; return 1; }
	{
		up_guest_script
		# The new package travels in the scenario file (the seed).
		echo "base64 -d >/root/afxdp-agent-new.deb <<'EOB'"
		base64 "$deb"
		echo "EOB"
	} | guest_script "$script"
	net_setup "$VM_NS" "$VM_QUEUES" || { not_ok "host netns and multi-queue taps"; return 1; }
	vm_boot_with "$script" || { not_ok "guest started ($VM_BACKEND)"; return 1; }
	ok "guest started ($VMT_GUEST image, $VM_BACKEND, pid $VM_PID)"
	wait_console "$VM_CONSOLE" 'VMTEST: traffic-please' $((BOOT_TMO + 240)) "$VM_PID" || {
		not_ok "image guest booted, the agent unit started"; return 1; }
	line=$(console_val '^VMTEST: unit-started (.*)')
	assert_match "the packaged unit runs the agent" "active=active pid=[0-9]+ version=0\.1\.0" "$line"
	sink_start "$VM_NS" tout "$UP_PORT" "$VM_DIR/sink-up.json" || { not_ok "sink started"; return 1; }
	gen_run "$VM_NS" tin "$UP_N" "$UP_RATE" 16 "$UP_PORT" "$VM_DIR/gen-up.json"
	wait_console "$VM_CONSOLE" 'VMTEST: upgraded ' 120 "$VM_PID" || {
		not_ok "dpkg -i of the new package ran"; return 1; }
	sleep 3
	sink_stop
	line=$(console_val '^VMTEST: upgraded (.*)')
	diag "upgrade: $line"
	tr -d '\r' <"$VM_CONSOLE" | grep -E '^DPKG: ' | sed 's/^/    /' | while read -r l; do diag "$l"; done
	assert_match "dpkg -i of $UP_VERSION: exit 0, the package's version is new" \
		"rc=0 .*version=${UP_VERSION//+/\\+}" "$line"
	assert_match "the postinst's ctl upgrade: the new agent took over" \
		"upgrade: pid [0-9]+ took over" "$(tr -d '\r' <"$VM_CONSOLE" | grep '^DPKG: ')"
	local old new served
	old=$(sed -nE 's/.*old=([0-9]+) .*/\1/p' <<<"$line")
	new=$(sed -nE 's/.*new=([0-9]+) .*/\1/p' <<<"$line")
	served=$(sed -nE 's/.*served=([0-9]+) .*/\1/p' <<<"$line")
	assert_eq "the unit's main PID changed to the new agent, which serves the control socket" \
		"yes $new" "$([ -n "$new" ] && [ "$new" != "$old" ] && echo yes) $served"
	assert_match "the unit stayed active; the old agent is gone; the new one runs the installed file" \
		"active=active .*exe=/usr/sbin/afxdp-agent old_alive=no" "$line"
	assert_eq "generator sent $UP_N" "$UP_N" "$(json_get "$VM_DIR/gen-up.json" 'j["sent"]')"
	assert_eq "0 frames lost across the package upgrade: the sink counted all $UP_N" "$UP_N" \
		"$(json_get "$VM_DIR/sink-up.json" 'j["frames"]')"
	wait_console "$VM_CONSOLE" 'VMTEST: done rc=' 120 "$VM_PID"
	assert_match "systemctl stop after the upgrade: inactive, the program detached" \
		"active=inactive xdp=none" "$(console_val '^VMTEST: stopped (.*)')"
	assert_match "journal: the old agent handed over and named the new main process" \
		"upgrade: pid [0-9]+ is the unit's main process now" \
		"$(tr -d '\r' <"$VM_CONSOLE" | grep '^JOURNAL: ')"
	vm_wait_exit 60
	! console_has "$VM_CONSOLE" 'BUG: |Oops: |general protection fault'
	assert_eq "no kernel oops in the guest" 0 $?
	diag "upgrade scenario: $((SECONDS - t0)) s"
}
