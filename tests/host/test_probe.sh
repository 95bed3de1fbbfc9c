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

# jq-like access without jq: jget FILE 'python expression on j'
jget() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>&1; }
validate() {
	python3 -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
jsonschema.Draft7Validator(schema).validate(json.load(open(sys.argv[2])))
print("valid")' "$SCHEMA" "$1" 2>&1 | tail -3
}

if [ ! -x "$BIN" ]; then
	not_ok "afxdp-host built at $BIN"
	tap_done
	exit 1
fi

# --- this machine ---------------------------------------------------------
"$BIN" --json probe >"$TMP/host.json" 2>"$TMP/host.err"
assert_eq "probe --json exits 0" 0 $?
assert_eq "host JSON validates against probe.schema.json" valid \
	"$(validate "$TMP/host.json")"
assert_eq "e.cap.025 is named AF_XDP" AF_XDP \
	"$(jget "$TMP/host.json" 'j["capabilities"]["e.cap.025"]["name"]')"
if need_root "e.cap.025 supported on this host (root)"; then
	assert_eq "e.cap.025 supported on this host (XDP sockets, bpf, native XDP)" \
		True "$(jget "$TMP/host.json" 'j["capabilities"]["e.cap.025"]["supported"]')"
	assert_eq "AF_XDP socket created" True \
		"$(jget "$TMP/host.json" 'j["kernel"]["af_xdp_socket"]["creatable"]')"
	assert_eq "bpf() usable" True \
		"$(jget "$TMP/host.json" 'j["kernel"]["bpf_syscall"]["usable"]')"
fi
# Cross-check the evidence against the kernel, independently.
assert_eq "kernel release is uname -r" "$(uname -r)" \
	"$(jget "$TMP/host.json" 'j["kernel"]["release"]')"
if [ -r /proc/config.gz ]; then
	want=$(zcat /proc/config.gz | sed -n 's/^CONFIG_XDP_SOCKETS=\(.\)$/\1/p')
	assert_eq "CONFIG_XDP_SOCKETS matches /proc/config.gz" "${want:-n}" \
		"$(jget "$TMP/host.json" 'j["kernel"]["config"]["CONFIG_XDP_SOCKETS"]')"
else
	skip "CONFIG_XDP_SOCKETS matches /proc/config.gz" "no /proc/config.gz"
fi
want=$(ls /sys/class/net | grep -vx lo | sort | tr '\n' ' ')
assert_eq "netdevs are /sys/class/net without lo" "$want" \
	"$(jget "$TMP/host.json" '" ".join(sorted(d["name"] for d in j["netdevs"]))+" "')"
for d in /sys/class/net/*; do
	n=${d##*/}
	[ "$n" = lo ] && continue
	assert_eq "$n: MTU as in sysfs" "$(cat "$d/mtu")" \
		"$(jget "$TMP/host.json" "[d['mtu'] for d in j['netdevs'] if d['name']=='$n'][0]")"
	break
done
out=$("$BIN" probe 2>&1)
assert_match "human table names the verdict" '^e\.cap\.025 AF_XDP: (supported|not supported)' \
	"$(printf '%s\n' "$out" | grep '^e.cap.025')"
assert_match "human table has the netdev header" 'NETDEV +DRIVER +MTU' "$out"

# --- libvirt ---------------------------------------------------------------
"$BIN" -j -c test:///default probe --dev "$(jget "$TMP/host.json" 'j["netdevs"][0]["name"]')" \
	>"$TMP/lv.json" 2>/dev/null
assert_eq "libvirt test:///default reachable" "True test:///default" \
	"$(jget "$TMP/lv.json" 'j["host"]["libvirt"]["reachable"], j["host"]["libvirt"]["uri"]' | tr -d "(),'")"
"$BIN" -j -c nosuchdriver:///x probe >"$TMP/lv2.json" 2>/dev/null
assert_eq "unreachable libvirt URI: probe still exits 0" 0 $?
assert_eq "unreachable libvirt URI reported with an error" "False nosuchdriver:///x True" \
	"$(jget "$TMP/lv2.json" 'j["host"]["libvirt"]["reachable"], j["host"]["libvirt"]["uri"], bool(j["host"]["libvirt"]["error"])' | tr -d "(),'")"

# --- a fresh netns with a veth pair ---------------------------------------
if need_root "veth in a netns"; then
	ip netns add "$NS" &&
		ip -n "$NS" link add va mtu 1400 type veth peer name vb &&
		ip -n "$NS" link set va up && ip -n "$NS" link set vb up
	assert_eq "netns with veth pair created" 0 $?
	ip netns exec "$NS" "$BIN" -j probe >"$TMP/ns.json" 2>"$TMP/ns.err"
	assert_eq "probe in the netns exits 0" 0 $?
	assert_eq "netns JSON validates against the schema" valid \
		"$(validate "$TMP/ns.json")"
	assert_eq "netns: exactly va and vb (lo skipped)" "va vb" \
		"$(jget "$TMP/ns.json" '" ".join(d["name"] for d in j["netdevs"])')"
	va='[d for d in j["netdevs"] if d["name"]=="va"][0]'
	assert_eq "va: driver veth (from ethtool, no device link)" "veth ethtool" \
		"$(jget "$TMP/ns.json" "$va['driver'], $va['driver_source']" | tr -d "(),'")"
	assert_eq "va: ifindex as the kernel says" \
		"$(ip -n "$NS" -o link show va | cut -d: -f1)" \
		"$(jget "$TMP/ns.json" "$va['ifindex']")"
	assert_eq "va: MTU 1400" 1400 "$(jget "$TMP/ns.json" "$va['mtu']")"
	if [ "$(jget "$TMP/ns.json" 'j["kernel"]["netdev_genl"]["available"]')" = True ]; then
		assert_eq "va: XDP features from netdev genl" netdev-genl \
			"$(jget "$TMP/ns.json" "$va['xdp']['source']")"
		assert_eq "va: native XDP yes, zero-copy no" "True False" \
			"$(jget "$TMP/ns.json" "$va['xdp']['native'], $va['xdp']['zero_copy']" | tr -d "(),'")"
		assert_match "va: genl features include basic and redirect" \
			"basic.*redirect" "$(jget "$TMP/ns.json" "' '.join($va['xdp']['features'])")"
	else
		skip "va: XDP features from netdev genl" "kernel has no netdev genl family"
	fi
	assert_eq "va: channels from ethtool" True \
		"$(jget "$TMP/ns.json" "$va['channels']['current']['rx'] + $va['channels']['current']['combined'] >= 1")"
	assert_eq "netns: e.cap.025 supported thanks to the veth" True \
		"$(jget "$TMP/ns.json" 'j["capabilities"]["e.cap.025"]["supported"]')"
	ip netns exec "$NS" "$BIN" -j probe --dev va >"$TMP/ns1.json" 2>/dev/null
	assert_eq "--dev va probes va only" va \
		"$(jget "$TMP/ns1.json" '" ".join(d["name"] for d in j["netdevs"])')"
	ip netns exec "$NS" "$BIN" -j probe --dev lo >"$TMP/ns2.json" 2>/dev/null
	assert_eq "--dev lo alone: no native XDP, unsupported, still exit 0" "lo False" \
		"$(jget "$TMP/ns2.json" '" ".join(d["name"] for d in j["netdevs"]), j["capabilities"]["e.cap.025"]["supported"]' | tr -d "(),'")"
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
assert_eq "fake tree JSON validates against the schema" valid \
	"$(validate "$TMP/fake.json")"
pf='j["netdevs"][0]["sriov"]'
assert_eq "fake PF: 3/8 VFs split 1 vfio-pci, 1 kernel, 1 unbound" "3 8 1 1 1" \
	"$(jget "$TMP/fake.json" "$pf['numvfs'], $pf['totalvfs'], $pf['split']['vfio_pci'], $pf['split']['kernel'], $pf['split']['unbound']" | tr -d "(),")"
assert_eq "fake PF: per-VF bindings" "vfio-pci kernel none" \
	"$(jget "$TMP/fake.json" "' '.join(v['binding'] for v in $pf['vfs'])")"
assert_eq "fake PF: ice from the driver table, zero-copy" "driver-table True" \
	"$(jget "$TMP/fake.json" 'j["netdevs"][0]["xdp"]["source"], j["netdevs"][0]["zero_copy_available"]' | tr -d "(),'")"
assert_eq "fake tree: no netlink/ioctl of the real host" "False None" \
	"$(jget "$TMP/fake.json" 'j["kernel"]["netdev_genl"]["checked"], j["netdevs"][0]["channels"]' | tr -d "(),'")"
assert_eq "fake tree: IOMMU groups counted" 1 \
	"$(jget "$TMP/fake.json" 'j["host"]["iommu_groups"]["count"]')"

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
