#!/bin/bash
# afxdp-host probe for real: on this machine, in a fresh netns with a veth
# pair, on a fake SR-IOV sysfs tree; the JSON is validated against
# host/probe.schema.json every time. Bad input: exit 2 with a message.
# AFXDP_HOST overrides the binary (default: host/afxdp-host in the tree).
set -u
TOP=${AFXDP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib/tap.sh"
BIN=${AFXDP_HOST:-$TOP/host/afxdp-host}
SCHEMA=$TOP/host/probe.schema.json
TMP=$(mktemp -d /tmp/test_probe_sh.XXXXXX)
NS=afxdp-probe-$$
cleanup() {
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# python3 starts slowly on a loaded machine: one run per JSON file.
# jload FILE EXPR...: with the expression `valid`, validates FILE against
# the schema ("valid" or the error); then evaluates each Python expression
# on the JSON `j` into V[0..]; tuples print space-separated.
jload() {
	local f=$1
	shift
	mapfile -t V < <(python3 -c '
import json, sys
valid = "not checked"
try:
    j = json.load(open(sys.argv[2]))
    if "valid" in sys.argv[3:]:  # importing jsonschema takes seconds
        import jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft7Validator.check_schema(schema)
        jsonschema.Draft7Validator(schema).validate(j)
        valid = "valid"
except Exception as e:
    valid = "invalid: " + str(e).splitlines()[0]
for e in sys.argv[3:]:
    try:
        v = eval(e)
        print(" ".join(map(str, v)) if isinstance(v, tuple) else v)
    except Exception as x:
        print("error: %s (%s)" % (x, valid))' "$SCHEMA" "$f" "$@" 2>&1)
}

if [ ! -x "$BIN" ]; then
	not_ok "afxdp-host built at $BIN"
	tap_done
	exit 1
fi

# --- this machine ---------------------------------------------------------
"$BIN" --json probe >"$TMP/host.json" 2>"$TMP/host.err"
assert_eq "probe --json exits 0" 0 $?
want_nd=$(ls /sys/class/net | grep -vx lo | sort | tr '\n' ' ')
first=$(ls /sys/class/net | grep -vx lo | head -1)
cap='j["capabilities"]["e.cap.025"]'
jload "$TMP/host.json" valid "$cap['name']" "$cap['supported']" \
	'j["kernel"]["af_xdp_socket"]["creatable"]' \
	'j["kernel"]["bpf_syscall"]["usable"]' 'j["kernel"]["release"]' \
	'j["kernel"]["config"]["CONFIG_XDP_SOCKETS"]' \
	'" ".join(sorted(d["name"] for d in j["netdevs"]))+" "' \
	"[d['mtu'] for d in j['netdevs'] if d['name']=='$first'][0]"
assert_eq "host JSON validates against probe.schema.json" valid "${V[0]}"
assert_eq "e.cap.025 is named AF_XDP" AF_XDP "${V[1]}"
if need_root "e.cap.025 supported on this host (root)"; then
	assert_eq "e.cap.025 supported on this host (XDP sockets, bpf, native XDP)" \
		True "${V[2]}"
	assert_eq "AF_XDP socket created" True "${V[3]}"
	assert_eq "bpf() usable" True "${V[4]}"
fi
# Cross-check the evidence against the kernel, independently.
assert_eq "kernel release is uname -r" "$(uname -r)" "${V[5]}"
if [ -r /proc/config.gz ]; then
	want=$(zcat /proc/config.gz | sed -n 's/^CONFIG_XDP_SOCKETS=\(.\)$/\1/p')
	assert_eq "CONFIG_XDP_SOCKETS matches /proc/config.gz" "${want:-n}" "${V[6]}"
else
	skip "CONFIG_XDP_SOCKETS matches /proc/config.gz" "no /proc/config.gz"
fi
assert_eq "netdevs are /sys/class/net without lo" "$want_nd" "${V[7]}"
if [ -n "$first" ]; then
	assert_eq "$first: MTU as in sysfs" "$(cat "/sys/class/net/$first/mtu")" "${V[8]}"
fi
out=$("$BIN" probe 2>&1)
assert_match "human table names the verdict" '^e\.cap\.025 AF_XDP: (supported|not supported)' \
	"$(printf '%s\n' "$out" | grep '^e.cap.025')"
assert_match "human table has the netdev header" 'NETDEV +DRIVER +MTU' "$out"

# --- libvirt ---------------------------------------------------------------
lv='j["host"]["libvirt"]'
"$BIN" -j -c test:///default probe >"$TMP/lv.json" 2>/dev/null
jload "$TMP/lv.json" "$lv['reachable'], $lv['uri']"
assert_eq "libvirt test:///default reachable" "True test:///default" "${V[0]}"
"$BIN" -j -c nosuchdriver:///x probe >"$TMP/lv2.json" 2>/dev/null
assert_eq "unreachable libvirt URI: probe still exits 0" 0 $?
jload "$TMP/lv2.json" "$lv['reachable'], $lv['uri'], bool($lv['error'])"
assert_eq "unreachable libvirt URI reported with an error" \
	"False nosuchdriver:///x True" "${V[0]}"

# A libvirt socket that accepts and never answers: the probe gives up.
sock=$TMP/silent.sock
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(4)
c = s.accept()
time.sleep(30)' "$sock" &
silent=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.2; done
start=$(date +%s)
"$BIN" -j -c "qemu+unix:///system?socket=$sock" probe >"$TMP/lv3.json" 2>/dev/null
assert_eq "silent libvirt: probe still exits 0" 0 $?
assert_le "silent libvirt: gives up within ~5 s" 8 $(($(date +%s) - start))
kill "$silent" 2>/dev/null
wait "$silent" 2>/dev/null
jload "$TMP/lv3.json" "$lv['reachable'], $lv['error']"
assert_eq "silent libvirt: reported as a timeout" "False no answer within 5000 ms" "${V[0]}"

# --- a fresh netns with a veth pair ---------------------------------------
if need_root "veth in a netns"; then
	ip netns add "$NS" &&
		ip -n "$NS" link add va mtu 1400 type veth peer name vb &&
		ip -n "$NS" link set va up && ip -n "$NS" link set vb up
	assert_eq "netns with veth pair created" 0 $?
	ip netns exec "$NS" "$BIN" -j probe >"$TMP/ns.json" 2>"$TMP/ns.err"
	assert_eq "probe in the netns exits 0" 0 $?
	va='[d for d in j["netdevs"] if d["name"]=="va"][0]'
	jload "$TMP/ns.json" valid '" ".join(d["name"] for d in j["netdevs"])' \
		"$va['driver'], $va['driver_source']" "$va['ifindex']" \
		"$va['mtu']" 'j["kernel"]["netdev_genl"]["available"]' \
		"$va['xdp']['source']" \
		"$va['xdp']['native'], $va['xdp']['zero_copy']" \
		"' '.join($va['xdp']['features'] or [])" \
		"$va['channels']['current']['rx'] + $va['channels']['current']['combined'] >= 1" \
		"$cap['supported']"
	assert_eq "netns JSON validates against the schema" valid "${V[0]}"
	assert_eq "netns: exactly va and vb (lo skipped)" "va vb" "${V[1]}"
	assert_eq "va: driver veth (from ethtool, no device link)" "veth ethtool" "${V[2]}"
	assert_eq "va: ifindex as the kernel says" \
		"$(ip -n "$NS" -o link show va | cut -d: -f1)" "${V[3]}"
	assert_eq "va: MTU 1400" 1400 "${V[4]}"
	if [ "${V[5]}" = True ]; then
		assert_eq "va: XDP features from netdev genl" netdev-genl "${V[6]}"
		assert_eq "va: native XDP yes, zero-copy no" "True False" "${V[7]}"
		assert_match "va: genl features include basic and redirect" \
			"basic.*redirect" "${V[8]}"
	else
		skip "va: XDP features from netdev genl" "kernel has no netdev genl family"
	fi
	assert_eq "va: channels from ethtool" True "${V[9]}"
	assert_eq "netns: e.cap.025 supported thanks to the veth" True "${V[10]}"
	# veth: no zero-copy, so High Performance gets copy mode; its
	# multi-buffer is what the kernel's rx-sg bit says.
	hp='j["profiles"]["high-performance"]' genl=${V[5]}
	jload "$TMP/ns.json" "$hp['af_xdp_mode'], $hp['zero_copy_offered'], $hp['zero_copy_netdevs']" \
		"$va['xdp']['multi_buffer'] == ('rx-sg' in ($va['xdp']['features'] or [])), $va['xdp']['zero_copy_multi_buffer']" \
		"$hp['multi_buffer_offered'] == any(d['xdp']['multi_buffer'] for d in j['netdevs'])" \
		"[r for r in $cap['reasons'] if 'zero-copy' in r]"
	assert_eq "netns: High Performance AF_XDP in copy mode (veth has no zero-copy)" "copy False []" "$(echo "${V[0]}" | tr -d "(),'")"
	if [ "$genl" = True ]; then
		assert_eq "va: multi_buffer follows the genl rx-sg bit; zero-copy multi-buffer no" "True False" "$(echo "${V[1]}" | tr -d '(),')"
		assert_eq "netns: multi_buffer_offered follows the netdevs" True "${V[2]}"
	else
		skip "va: multi-buffer from netdev genl" "kernel has no netdev genl family"
	fi
	assert_eq "netns: the verdict says copy mode only" "['no network device offers AF_XDP zero-copy: copy mode only']" "${V[3]}"
	ip netns exec "$NS" "$BIN" -j probe --dev va >"$TMP/ns1.json" 2>/dev/null
	jload "$TMP/ns1.json" '" ".join(d["name"] for d in j["netdevs"])'
	assert_eq "--dev va probes va only" va "${V[0]}"
	ip netns exec "$NS" "$BIN" -j probe --dev lo >"$TMP/ns2.json" 2>/dev/null
	jload "$TMP/ns2.json" '" ".join(d["name"] for d in j["netdevs"]), '"$cap['supported']"
	assert_eq "--dev lo alone: no native XDP, unsupported, still exit 0" \
		"lo False" "${V[0]}"
fi

# --- fake sysfs tree: SR-IOV PF with a vfio-pci / iavf split ---------------
F=$TMP/sys
mkdir -p "$F/class/net/ens1f0/queues/rx-0" "$F/class/net/ens1f0/queues/tx-0" \
	"$F/devices/pf" "$F/bus/pci/drivers/ice" "$F/bus/pci/drivers/vfio-pci" \
	"$F/bus/pci/drivers/iavf" "$F/kernel/iommu_groups/7"
echo 1500 >"$F/class/net/ens1f0/mtu"
echo 2 >"$F/class/net/ens1f0/ifindex"
ln -s "$F/devices/pf" "$F/class/net/ens1f0/device"
ln -s "$F/bus/pci/drivers/ice" "$F/devices/pf/driver"
echo 8 >"$F/devices/pf/sriov_totalvfs"
echo 3 >"$F/devices/pf/sriov_numvfs"
for i in 0 1 2; do
	mkdir -p "$F/devices/0000:3b:01.$i"
	ln -s "$F/devices/0000:3b:01.$i" "$F/devices/pf/virtfn$i"
done
ln -s "$F/bus/pci/drivers/vfio-pci" "$F/devices/0000:3b:01.0/driver"
ln -s "$F/bus/pci/drivers/iavf" "$F/devices/0000:3b:01.1/driver"
"$BIN" -j --sysfs-root "$F" probe >"$TMP/fake.json" 2>/dev/null
assert_eq "fake tree: exit 0" 0 $?
pf='j["netdevs"][0]["sriov"]'
jload "$TMP/fake.json" valid \
	"$pf['numvfs'], $pf['totalvfs'], $pf['split']['vfio_pci'], $pf['split']['kernel'], $pf['split']['unbound']" \
	"' '.join(v['binding'] for v in $pf['vfs'])" \
	'j["netdevs"][0]["xdp"]["source"], j["netdevs"][0]["zero_copy_available"]' \
	'j["kernel"]["netdev_genl"]["checked"], j["netdevs"][0]["channels"]' \
	'j["host"]["iommu_groups"]["count"]'
assert_eq "fake tree JSON validates against the schema" valid "${V[0]}"
assert_eq "fake PF: 3/8 VFs split 1 vfio-pci, 1 kernel, 1 unbound" "3 8 1 1 1" "${V[1]}"
assert_eq "fake PF: per-VF bindings" "vfio-pci kernel none" "${V[2]}"
assert_eq "fake PF: ice from the driver table, zero-copy" "driver-table True" "${V[3]}"
assert_eq "fake tree: no netlink/ioctl of the real host" "False None" "${V[4]}"
assert_eq "fake tree: IOMMU groups counted" 1 "${V[5]}"

# --- bad input ------------------------------------------------------------
assert_rc "--dev nosuchdev: exit 2" 2 "$BIN" probe --dev nosuchdev
assert_match "--dev nosuchdev: names the device" "no network device 'nosuchdev'" "$OUT"
assert_rc "--dev with a path: exit 2" 2 "$BIN" probe --dev ../../kernel
assert_rc "probe --bogus: exit 2" 2 "$BIN" probe --bogus
assert_match "probe --bogus: usage hint" "afxdp-host probe --help" "$OUT"
assert_rc "probe with a stray argument: exit 2" 2 "$BIN" probe eth0
assert_rc "probe --dev without a name: exit 2" 2 "$BIN" probe --dev
assert_rc "probe --help: exit 0" 0 "$BIN" probe --help
assert_match "probe --help describes --dev" "--dev IFNAME" "$OUT"
assert_rc "unreadable sysfs root: exit 1" 1 "$BIN" --sysfs-root "$TMP/none" probe
assert_match "unreadable sysfs root: says why" "cannot list" "$OUT"

tap_done
