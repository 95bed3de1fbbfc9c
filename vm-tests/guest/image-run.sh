#!/bin/bash
# Runs a vm-tests scenario inside a Debian image guest (images/build.sh
# --dist trixie): cloud-init's runcmd starts it once per instance from the
# test's NoCloud seed, which also wrote /etc/vmtest/guest-lib.sh and
# /etc/vmtest/scenario.sh. Like the initramfs init: everything to the
# serial console, guest_main from the scenario, then power off.
exec </dev/null >/dev/ttyS0 2>&1
# shellcheck disable=SC2034 # read by guest-lib.sh
VMT_AGENT_BIN=/usr/sbin/afxdp-agent
. /etc/vmtest/guest-lib.sh
say "image guest: Debian $(. /etc/os-release && echo "$VERSION_ID")" \
	"kernel $(uname -r) agent $(dpkg-query -W -f='${Version}' afxdp-agent)"
# libxdp pins its dispatcher in bpffs; systemd mounts it, a minimal boot may not.
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
rc=0
if . /etc/vmtest/scenario.sh; then
	say "ready"
	guest_main
	rc=$?
else
	say "no scenario"
	rc=99
fi
# The host also reads the console; this covers what scrolled elsewhere.
say "kernel-oops=$(dmesg | grep -cE 'BUG: |Oops: |general protection fault')"
# Warnings print below the console's loglevel: count them, show the first.
say "kernel-warn=$(dmesg | grep -c 'WARNING: ')"
dmesg | grep -m1 -A4 'WARNING: ' | sed 's/^/VMTEST: kernel-warning: /'
say "kernel-tainted=$(cat /proc/sys/kernel/tainted)"
say "done rc=$rc"
sync
poweroff -f
