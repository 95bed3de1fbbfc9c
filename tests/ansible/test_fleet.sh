#!/bin/bash
# ansible/fleet.yml over SSH against a simulated fleet on this machine:
# ten compute hosts, each a network namespace on a bridge with its own
# address and its own sshd (private config, host key, authorized key and
# known_hosts in the work directory, listening only on that address),
# its own fake sysfs tree (tests/ansible/fake_sysfs.sh) and libvirt
# test-driver domains (test:///FILE); the hosts share this tree's
# afxdp-host. Some hosts offer e.cap.025 and some do not; one is
# unreachable (no sshd), one has a probe that fails (its sysfs root is
# missing). ansible-playbook runs in a controller namespace, --forks 8.
# Checks: check mode changes nothing and shows the diff, the first run
# converges every reachable host, the second run has changed=0, the
# published files are what afxdp-host publish gives for that host, the
# fleet report (JSON by jq, Markdown by grep) lists every host right; a
# host that changes is the only one to change. Root; no network beyond
# the namespaces; nothing of the machine's sshd or /etc/ssh is used.
# TAP through tests/lib/tap.sh.
set -u
top=${AFXDP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
. "$top/tests/ansible/fake_sysfs.sh"
H=$top/host/afxdp-host
A=$top/ansible
work=$(mktemp -d /tmp/test_fleet.XXXXXX)
chmod 755 "$work"
tag=fleet$$
NSS=()
made_privsep=

# Every process in our namespaces is ours (sshd, its sessions, the ssh
# masters of the controller): end them, then the namespaces.
cleanup() {
	local ns pids
	for ns in "${NSS[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill $pids 2>/dev/null
	done
	for _ in $(seq 30); do
		pids=
		for ns in "${NSS[@]}"; do pids="$pids$(ip netns pids "$ns" 2>/dev/null)"; done
		[ -z "$pids" ] && break
		sleep 0.1
	done
	for ns in "${NSS[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$made_privsep" ] && rmdir /run/sshd 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

export ANSIBLE_LOCAL_TEMP=$work/ansible-local ANSIBLE_REMOTE_TEMP=$work/ansible-remote
export ANSIBLE_HOME=$work/ansible-home ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
export ANSIBLE_CONFIG=$A/ansible.cfg ANSIBLE_RETRY_FILES_ENABLED=0
export XDG_CACHE_HOME=$work/cache NO_COLOR=1 PY_COLORS=0

for tool in ansible-playbook ansible-lint yamllint jq ssh ssh-keygen /usr/sbin/sshd; do
	if ! command -v "$tool" >/dev/null; then
		not_ok "$tool installed (scripts/deps.sh test: ansible-core, ansible-lint, yamllint, jq, openssh-client, openssh-server)"
		tap_done
		exit 1
	fi
done
if [ ! -x "$H" ]; then
	not_ok "afxdp-host built at $H"
	tap_done
	exit 1
fi
diag "$(ansible-playbook --version 2>/dev/null | sed -n 1p), $(ansible-lint --version 2>/dev/null | sed -n 1p), $(yamllint --version)"

# ---- static checks (every YAML file of ansible/ and the project's rules) --
assert_rc "ansible-lint --profile production: site.yml, fleet.yml, the role" 0 \
	env -C "$top" ansible-lint --offline --profile production ansible/site.yml ansible/fleet.yml ansible/roles/afxdp_host
assert_match "ansible-lint passed the production profile" "Passed with production profile" "$OUT"
assert_rc "yamllint (the project's .yamllint, strict) over ansible/ and .yamllint" 0 \
	env -C "$top" yamllint --strict -c .yamllint ansible .yamllint
assert_match ".yamllint states its line length" "line-length:.*max: [0-9]+" "$(tr '\n' ' ' <"$top/.yamllint")"
assert_rc "ansible-playbook --syntax-check fleet.yml (example inventory)" 0 \
	ansible-playbook --syntax-check -i "$A/inventory/example.yml" "$A/fleet.yml"

if ! need_root "simulated fleet (network namespaces, sshd)"; then
	tap_done
	exit
fi

# ---- the fleet ---------------------------------------------------------
# NAME GROUP ADDRESS-SUFFIX KIND. Kinds: the fake tree each host gets
# (build_host below); "down" has no sshd, "broken" no sysfs tree.
HOSTS="c01:hp:11:ice-sriov c02:hp:12:ice c03:std:13:mlx5 c04:std:14:i40e-vfio
n05:std:15:ixgbevf-nolibvirt n06:std:16:r8169 n07:std:17:empty n08:std:18:unknown-sriov
pf09:std:19:broken down10:std:20:down"
NET=10.77.0
CTL=$tag-ctl
ssh_dir=$work/ssh
hosts_dir=$work/hosts
mkdir -p "$ssh_dir" "$hosts_dir"

# build_host NAME KIND: the host's fake tree, libvirt test-driver state and
# the directories a compute host already has (Nova's provider config and
# node_exporter's textfile directory; NFD's features.d is the role's job).
build_host() {
	local r=$hosts_dir/$1 kind=$2 s=$hosts_dir/$1/sys
	mkdir -p "$r/proc" "$r/etc/nova/provider_config" "$r/var/lib/prometheus/node-exporter" "$s/class/net"
	case $kind in
	ice-sriov) # zero-copy PF with 4 of 8 VFs: 0-1 on vfio-pci, 2-3 kernel
		fake_pf "$s" ens1f0 03 8 4 ice 4
		fake_vf "$s" 03 0 vfio-pci
		fake_vf "$s" 03 1 vfio-pci ;;
	ice) fake_nic "$s" ens1f0 03 ice 8 ;;
	mlx5)
		fake_nic "$s" enp59s0f0 03 mlx5_core 4
		fake_nic "$s" enp59s0f1 04 mlx5_core 4 ;;
	i40e-vfio) # every VF for DPDK guests: no kernel VF
		fake_pf "$s" ens2f0 03 16 2 i40e 4
		fake_vf "$s" 03 0 vfio-pci
		fake_vf "$s" 03 1 vfio-pci ;;
	ixgbevf-nolibvirt) fake_nic "$s" ens3 03 ixgbevf 2 ;; # native, no zero-copy
	r8169) fake_nic "$s" enp1s0 03 r8169 1 ;;            # XDP unknown
	empty) ;;                                            # no netdev
	unknown-sriov) fake_pf "$s" enp4s0 03 4 1 bnx2x_fake 2 ;;
	broken) rm -rf "$s" ;;
	esac
	cat >"$r/libvirt.xml" <<EOX
<node>
  <domain type='test'>
    <name>$1-guest1</name>
    <memory unit='KiB'>1048576</memory>
    <vcpu placement='static'>2</vcpu>
    <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>
    <devices>
      <interface type='ethernet'>
        <mac address='52:54:00:00:00:01'/>
        <target dev='tap0' managed='no'/>
        <model type='virtio'/>
        <driver name='qemu' queues='4' rx_queue_size='1024'>
          <guest csum='off' tso4='off' tso6='off' ecn='off' ufo='off'/>
        </driver>
      </interface>
    </devices>
  </domain>
</node>
EOX
}
uri_of() {
	case $2 in
	ixgbevf-nolibvirt) echo "test://$hosts_dir/$1/no-such-libvirt.xml" ;;
	*) echo "test://$hosts_dir/$1/libvirt.xml" ;;
	esac
}

# Keys: the controller's identity and one host key per host.
ssh-keygen -q -t ed25519 -N '' -C fleet-controller -f "$ssh_dir/id_ed25519"
cp "$ssh_dir/id_ed25519.pub" "$ssh_dir/authorized_keys"
cat >"$ssh_dir/config" <<EOC
Host *
  User root
  IdentityFile $ssh_dir/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $ssh_dir/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  PasswordAuthentication no
  ConnectTimeout 10
  LogLevel ERROR
EOC
: >"$ssh_dir/known_hosts"

# The privilege separation directory sshd insists on.
if [ ! -d /run/sshd ]; then
	mkdir -m 0755 /run/sshd && made_privsep=1
fi

setup_ok=1
ip netns add "$CTL" && NSS+=("$CTL") || setup_ok=
ip -n "$CTL" link set lo up
ip -n "$CTL" link add br0 type bridge
ip -n "$CTL" addr add "$NET.1/24" dev br0
ip -n "$CTL" link set br0 up
inv_hosts=
for spec in $HOSTS; do
	IFS=: read -r name group sfx kind <<<"$spec"
	ns=$tag-$name
	ip netns add "$ns" && NSS+=("$ns") || setup_ok=
	ip -n "$CTL" link add "v$name" type veth peer name eth0 netns "$ns" || setup_ok=
	ip -n "$CTL" link set "v$name" master br0 up
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "$NET.$sfx/24" dev eth0
	ip -n "$ns" link set eth0 up
	build_host "$name" "$kind"
	hv="ansible_host: $NET.$sfx, afxdp_libvirt_uri: \"$(uri_of "$name" "$kind")\""
	[ "$kind" = broken ] && hv="$hv, afxdp_probe_sysfs_root: \"$hosts_dir/$name/sys\""
	case $kind in ice-sriov) hv="$hv, afxdp_vm_domains: [{name: $name-guest1, scope: config}]" ;; esac
	inv_hosts="$inv_hosts$group $name: {$hv}"$'\n'
	[ "$kind" = down ] && continue
	d=$hosts_dir/$name
	ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$d/ssh_host_ed25519_key"
	echo "$NET.$sfx $(cut -d' ' -f1,2 "$d/ssh_host_ed25519_key.pub")" >>"$ssh_dir/known_hosts"
	cat >"$d/sshd_config" <<EOC
ListenAddress $NET.$sfx:22
HostKey $d/ssh_host_ed25519_key
PidFile $d/sshd.pid
AuthorizedKeysFile $ssh_dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
MaxStartups 64:30:128
MaxSessions 64
Subsystem sftp internal-sftp
LogLevel ERROR
EOC
	# A compute host's root runs its commands in a plain shell. bash
	# started by sshd reads ~/.bashrc, and this machine's (the CI kind)
	# runs "pyenv init" there: about 5x the playbook's wall time (140 s
	# instead of 26). The simulated hosts' sshd sees an empty one.
	ip netns exec "$ns" unshare -m --propagation private sh -c '
		rc=$(getent passwd root | cut -d: -f6)/.bashrc
		[ ! -f "$rc" ] || mount --bind /dev/null "$rc" || exit 1
		exec /usr/sbin/sshd -f "$1/sshd_config" -E "$1/sshd.log"' sh "$d" || setup_ok=
done
# Wait for every sshd to listen.
for spec in $HOSTS; do
	IFS=: read -r name group sfx kind <<<"$spec"
	[ "$kind" = down ] && continue
	for _ in $(seq 50); do
		ip netns exec "$tag-$name" ss -Htln "src $NET.$sfx" 2>/dev/null | grep -q ':22' && break
		sleep 0.1
	done
done
n_sshd=$(for spec in $HOSTS; do
	IFS=: read -r name _ sfx kind <<<"$spec"
	[ "$kind" = down ] || ip netns exec "$tag-$name" ss -Htln "src $NET.$sfx" | grep -c ':22'
done | awk '{ n += $1 } END { print n + 0 }')
if [ -n "$setup_ok" ] && [ "$n_sshd" = 9 ]; then
	ok "10 host namespaces on a bridge, 9 sshd listening on their own address"
else
	not_ok "fleet namespaces and sshd set up (listening: $n_sshd of 9)"
	for f in "$hosts_dir"/*/sshd.log; do diag_tail "$f" 5; done
	tap_done
	exit 1
fi
assert_rc "ssh from the controller namespace to c01 with the test's keys only" 0 \
	ip netns exec "$CTL" ssh -F "$ssh_dir/config" "$NET.11" true
assert_rc "sshd listens only on the host's address (not on 0.0.0.0)" 1 \
	sh -c "ip netns exec $tag-c01 ss -Htln | grep -E '(0.0.0.0|\*|\[::\]):22 '"

# ---- inventory and runner ----------------------------------------------
{
	cat <<EOY
all:
  children:
    afxdp_compute:
      vars:
        ansible_connection: ssh
        ansible_user: root
        ansible_ssh_common_args: "-F $ssh_dir/config"
        ansible_python_interpreter: /usr/bin/python3
        fleet_root: "$hosts_dir/{{ inventory_hostname }}"
        afxdp_install_from: none
        afxdp_install_runtime_packages: false
        afxdp_host_bin: "$H"
        afxdp_sysfs_root: "{{ fleet_root }}/sys"
        afxdp_proc_root: "{{ fleet_root }}/proc"
        afxdp_persist_root: "{{ fleet_root }}"
        afxdp_facts_dir: "{{ fleet_root }}/etc/ansible/facts.d"
        afxdp_publish_nova_dir: "{{ fleet_root }}/etc/nova/provider_config"
        afxdp_publish_nfd_dir: "{{ fleet_root }}/etc/kubernetes/node-feature-discovery/features.d"
        afxdp_publish_prom_dir: "{{ fleet_root }}/var/lib/prometheus/node-exporter"
        afxdp_publish_hostname: "{{ inventory_hostname }}.example.org"
      hosts:
EOY
	printf '%s' "$inv_hosts" | sed -n 's/^std /        /p'
	cat <<EOY
      children:
        afxdp_high_performance:
          hosts:
EOY
	printf '%s' "$inv_hosts" | sed -n 's/^hp /            /p'
} >"$work/inventory.yml"
report=$work/report
# play [ARGS]: the fleet playbook from the controller namespace; output in
# $OUT, exit status in $RC, wall time in $WALL.
play() {
	local t0 t1
	t0=$(date +%s.%N)
	OUT=$(ip netns exec "$CTL" ansible-playbook -i "$work/inventory.yml" "$A/fleet.yml" \
		--forks 8 -e "afxdp_fleet_report_dir=$report" "$@" 2>&1)
	RC=$?
	t1=$(date +%s.%N)
	WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	diag "ansible-playbook fleet.yml --forks 8 $* (exit $RC, wall time $WALL s)"
	printf '%s\n' "$OUT" >>"$work/ansible.log"
}
# recap FIELD HOST: a PLAY RECAP counter
recap() { printf '%s\n' "$OUT" | sed -n "s/^$2 *:.* $1=\([0-9]*\).*/\1/p" | tail -1; }
# sum_recap FIELD HOST...: the counter summed over HOSTS
sum_recap() {
	local f=$1 n=0 h v
	shift
	for h in "$@"; do
		v=$(recap "$f" "$h")
		n=$((n + ${v:-1000}))
	done
	echo "$n"
}
REACH="c01 c02 c03 c04 n05 n06 n07 n08"
# changed_hosts: the hosts whose recap says changed > 0, sorted.
changed_hosts() { printf '%s\n' "$OUT" | sed -n 's/^\([a-z0-9]*\) *:.* changed=[1-9].*/\1/p' | grep -vx localhost | sort | xargs; }
# hosts_state: every file of every host, with its mode, inode and mtime
# (a rewrite with the same content shows too).
hosts_state() {
	(cd "$hosts_dir" && find . -path '*/sys' -prune -o -printf '%p %y %m %i %T@ %l\n' | sort &&
		find . -path '*/sys' -prune -o -type f -exec sha256sum {} + | sort) | sha256sum | cut -d' ' -f1
}
sys_state() { for h in "$hosts_dir"/*/sys; do tree_hash "$h"; done | sha256sum; }
dump_fail() { printf '%s\n' "$OUT" | grep -E '^(fatal|failed|ERROR)|"msg"' | head -8 | sed 's/^/#   /'; }

# ---- check mode on the fresh fleet --------------------------------------
s0=$(hosts_state)
play --check --diff
assert_eq "check mode: the play completes; exit 2 names the hosts not ok" 2 "$RC"
assert_match "check mode: the report names the hosts not ok" "2 of 10 hosts not ok: down10, pf09" "$OUT"
assert_eq "check mode: every reachable host would change" "$REACH" "$(changed_hosts)"
assert_eq "check mode: no host file changed (trees, modes, inodes, mtimes)" "$s0" "$(hosts_state)"
assert_eq "check mode: no features.d created" "" "$(find "$hosts_dir" -name features.d)"
assert_match "check --diff: Nova file created with c01's traits" \
	"file $hosts_dir/c01/etc/nova/provider_config/afxdp-kit.yaml: create.*\+      name: 'c01.example.org'.*\+        - CUSTOM_AF_XDP_SRIOV_VF" \
	"$(printf '%s' "$OUT" | tr '\n' ' ')"
assert_match "check --diff: the textfile's gauges" \
	"\+afxdp_capability_supported\{capability=..e.cap.025..,name=..AF_XDP..\} 0" "$OUT"
assert_match "check mode: the report is written (it only describes)" '"hosts": 10' "$(cat "$report/fleet.json" 2>&1)"

# ---- first run: converge -------------------------------------------------
s_sys=$(sys_state)
play
assert_eq "first run: the play completes; exit 2 (2 hosts not ok)" 2 "$RC"
FIRST_WALL=$WALL
assert_eq "first run: every reachable host changed" "$REACH" "$(changed_hosts)"
assert_eq "first run: no reachable host failed" 0 "$(sum_recap failed $REACH)"
printf '%s\n' "$OUT" | sed -n '/^PLAY RECAP/,$p' | sed 's/^/#   /'
assert_eq "first run: the unreachable host ignored (ignore_unreachable), not failed" "1 0" \
	"$(recap ignored down10) $(recap failed down10)"
assert_eq "first run: the failed probe was rescued, not fatal to the play" "1 0" \
	"$(recap rescued pf09) $(recap failed pf09)"
assert_eq "first run: localhost only failed on purpose at the end" 1 "$(recap failed localhost)"
[ "$RC" = 2 ] || dump_fail
missing=
for h in $REACH; do
	for f in etc/nova/provider_config/afxdp-kit.yaml etc/kubernetes/node-feature-discovery/features.d/afxdp-kit \
		var/lib/prometheus/node-exporter/afxdp-kit.prom etc/ansible/facts.d/afxdp.fact; do
		[ -s "$hosts_dir/$h/$f" ] || missing="$missing $h/$f"
	done
done
assert_eq "first run: every reachable host has its 3 published files and its local fact" "" "$missing"
assert_eq "first run: nothing published on the failed and the unreachable host" "" \
	"$(find "$hosts_dir/pf09" "$hosts_dir/down10" -name 'afxdp-kit*')"

# The published files are what afxdp-host publish gives for that host.
same=0 differ=
for spec in $HOSTS; do
	IFS=: read -r name _ _ kind <<<"$spec"
	case $kind in broken | down) continue ;; esac
	e=$work/expect/$name
	mkdir -p "$e/nova" "$e/nfd" "$e/prom"
	"$H" --sysfs-root "$hosts_dir/$name/sys" --proc-root "$hosts_dir/$name/proc" \
		-c "$(uri_of "$name" "$kind")" publish --hostname "$name.example.org" \
		--nova-dir "$e/nova" --nfd-dir "$e/nfd" --prom-dir "$e/prom" >/dev/null 2>&1
	if cmp -s "$e/nova/afxdp-kit.yaml" "$hosts_dir/$name/etc/nova/provider_config/afxdp-kit.yaml" &&
		cmp -s "$e/nfd/afxdp-kit" "$hosts_dir/$name/etc/kubernetes/node-feature-discovery/features.d/afxdp-kit" &&
		cmp -s "$e/prom/afxdp-kit.prom" "$hosts_dir/$name/var/lib/prometheus/node-exporter/afxdp-kit.prom"; then
		same=$((same + 1))
	else
		differ="$differ $name"
	fi
done
assert_eq "published files byte-identical to afxdp-host publish run for each host (8 hosts)" "8:" "$same:$differ"
traits() { sed -n 's/^ *- \(CUSTOM_[A-Z_]*\)$/\1/p' "$hosts_dir/$1/etc/nova/provider_config/afxdp-kit.yaml" | xargs; }
assert_eq "c01 (ice, kernel VFs): all four traits" \
	"CUSTOM_CAP_AF_XDP CUSTOM_AF_XDP_ZEROCOPY CUSTOM_AF_XDP_VIRTIO_MQ CUSTOM_AF_XDP_SRIOV_VF" "$(traits c01)"
assert_eq "c04 (i40e, VFs on vfio-pci only): no SR-IOV VF trait" \
	"CUSTOM_CAP_AF_XDP CUSTOM_AF_XDP_ZEROCOPY CUSTOM_AF_XDP_VIRTIO_MQ" "$(traits c04)"
assert_eq "n05 (ixgbevf, libvirt unreachable): capability only" "CUSTOM_CAP_AF_XDP" "$(traits n05)"
assert_eq "n06 (r8169): no trait" "" "$(traits n06)"
assert_match "n06: NFD label false" "^afxdp.capable=false$" \
	"$(cat "$hosts_dir/n06/etc/kubernetes/node-feature-discovery/features.d/afxdp-kit")"

# ---- the fleet report ----------------------------------------------------
J=$report/fleet.json
M=$report/fleet.md
assert_eq "fleet.json: every inventory host, sorted" "c01 c02 c03 c04 down10 n05 n06 n07 n08 pf09" \
	"$(jq -r '.hosts[].host' "$J" | xargs)"
assert_eq "fleet.json: counts" '{"hosts":10,"not_ok":2,"ok":8,"supported":5}' "$(jq -cS .counts "$J")"
row() { jq -r --arg h "$1" '.hosts[] | select(.host == $h) | [.status, (.verdict // "-"), ([.nics[].name] | join(",")), (.zero_copy | join(",")), (.free_vfs // "-"), (.problems | join("; "))] | join(" | ")' "$J"; }
assert_eq "report c01" "ok | supported | ens1f0 | ens1f0 | 4 | " "$(row c01)"
assert_eq "report c03" "ok | supported | enp59s0f0,enp59s0f1 | enp59s0f0,enp59s0f1 | - | " "$(row c03)"
assert_eq "report c04: free VFs 16 - 2 on vfio-pci" "ok | supported | ens2f0 | ens2f0 | 14 | " "$(row c04)"
assert_match "report n05: supported, no zero-copy, libvirt unreachable" \
	"^ok \| supported \| ens3 \|  \| - \| libvirt not reachable \(test://.*no-such-libvirt.xml\)$" "$(row n05)"
assert_eq "report n06: not supported, why" "ok | not supported | enp1s0 |  | - | no netdev with native XDP" "$(row n06)"
assert_eq "report n07: no netdev" "ok | not supported |  |  | - | no netdev with native XDP" "$(row n07)"
assert_eq "report n08: unknown driver, 3 of 4 VFs free" "ok | not supported | enp4s0 |  | 3 | no netdev with native XDP" "$(row n08)"
assert_eq "report pf09: probe failed, with the tool's message" \
	"probe failed | - |  |  | - | probe exit 1: probe: cannot list $hosts_dir/pf09/sys/class/net: No such file or directory; probe failed: No such file or directory" "$(row pf09)"
assert_eq "report down10: unreachable, with its address" \
	"unreachable | - |  |  | - | not reachable over SSH ($NET.20)" "$(row down10)"
assert_eq "fleet.json: the probe JSON of each reached host (tool afxdp-host)" 8 \
	"$(jq '[.hosts[] | select(.probe.tool == "afxdp-host")] | length' "$J")"
assert_eq "fleet.json: c01's published traits" \
	'["CUSTOM_CAP_AF_XDP","CUSTOM_AF_XDP_ZEROCOPY","CUSTOM_AF_XDP_VIRTIO_MQ","CUSTOM_AF_XDP_SRIOV_VF"]' \
	"$(jq -c '.hosts[] | select(.host == "c01") | .traits' "$J")"
assert_match "fleet.md: header" "^\| host \| status \| verdict \| NICs \| zero-copy \| free VFs \| problems \|$" "$(cat "$M")"
assert_eq "fleet.md: one row per host" 10 "$(grep -cE '^\| (c|n|pf|down)[0-9]+ \|' "$M")"
assert_match "fleet.md: c01 row" "^\| c01 \| ok \| supported \| ens1f0 \| ens1f0 \| 4 \| - \|$" "$(cat "$M")"
assert_match "fleet.md: n06 row" "^\| n06 \| ok \| not supported \| enp1s0 \| no \| - \| no netdev with native XDP \|$" "$(cat "$M")"
assert_match "fleet.md: pf09 row" "^\| pf09 \| probe failed \| - \| - \| - \| - \| probe exit 1: probe: cannot list " "$(cat "$M")"
assert_match "fleet.md: down10 row" "^\| down10 \| unreachable \| - \| - \| - \| - \| not reachable over SSH \($NET.20\) \|$" "$(cat "$M")"
assert_match "fleet.md: summary line" "^10 hosts: 8 ok,$" "$(cat "$M")"
assert_eq "first run: the fake sysfs trees untouched" "$s_sys" "$(sys_state)"

# ---- second run: nothing to do -------------------------------------------
s1=$(hosts_state)
r1=$(cat "$J" "$M" | sha256sum)
cp "$J" "$work/fleet.1.json"
play
assert_eq "second run: exit 2 (the same 2 hosts not ok)" 2 "$RC"
assert_eq "second run: changed=0 on every host (PLAY RECAP)" 0 "$(sum_recap changed $REACH pf09 down10 localhost)"
assert_eq "second run: no file rewritten (inodes, mtimes)" "$s1" "$(hosts_state)"
assert_eq "second run: the same report" "$r1" "$(cat "$J" "$M" | sha256sum)" ||
	diff "$work/fleet.1.json" "$J" | head -20 | sed 's/^/#   /'
diag "fleet of 10 hosts, forks 8: first run $FIRST_WALL s, second run $WALL s"

# ---- a host that changes: check shows it, the run changes only it --------
# n06 gets an ice NIC (zero-copy): its verdict turns supported.
fake_nic "$hosts_dir/n06/sys" ens5 06 ice 4
play --check --diff
assert_eq "check after a host changed: only n06 would change" "n06" "$(changed_hosts)"
assert_match "check --diff: n06's Nova file gains the capability" \
	"file $hosts_dir/n06/etc/nova/provider_config/afxdp-kit.yaml: update.*\+        - CUSTOM_CAP_AF_XDP" \
	"$(printf '%s' "$OUT" | tr '\n' ' ')"
assert_match "check --diff: n06's NFD label flips" "-afxdp.capable=false.*\+afxdp.capable=true" \
	"$(printf '%s' "$OUT" | tr '\n' ' ')"
assert_eq "check after a host changed: no host file changed" "$s1" "$(hosts_state)"
play
assert_eq "run after a host changed: only n06 changed" "n06" "$(changed_hosts)"
assert_match "report: n06 now supported with zero-copy on ens5" "^ok \| supported \| enp1s0,ens5 \| ens5 \| - \| $" "$(row n06)"
assert_eq "report counts: 6 hosts offer AF_XDP" 6 "$(jq .counts.supported "$J")"
# Check mode on a converged host, the one that just took the change path
# (the second run already showed every host converged; a full play costs
# about a minute of make test's 20). The controller's report does change:
# it lists the hosts outside the limit as not run.
play --check --diff --limit 'n06,localhost'
assert_eq "check mode on the converged host: changed=0" 0 "$(sum_recap changed n06)"

# ---- --limit and afxdp_fleet_fail_on_problems=false ----------------------
play -e afxdp_fleet_fail_on_problems=false --limit 'c01,c02,down10,localhost'
assert_eq "fail_on_problems=false: exit 0 with an unreachable host" 0 "$RC"
assert_eq "--limit: the report still lists every host; those outside the limit as not run" \
	"c01:ok c02:ok c03:not run c04:not run down10:unreachable n05:not run n06:not run n07:not run n08:not run pf09:not run" \
	"$(jq -r '.hosts[] | .host + ":" + .status' "$J" | xargs)"

tap_done
