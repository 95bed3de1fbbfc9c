#!/bin/bash
# afxdp-host vm end to end through the CLI, against libvirt's test driver:
# test:///default (one running domain "test") and tests/host/data/
# libvirt-test.xml (vm-ready: XDP-ready and running; vm-plain: shut off,
# one virtio and one e1000 interface; vm-old: pc-i440fx-1.5, MTU 9000).
# The test driver's state lives in each process, so every run starts from
# the file again: changes are checked through --json/--dry-run output of
# the same run, persistence across runs by the cmocka test_vm_libvirt.
# No root needed. AFXDP_HOST overrides the binary.
set -u
TOP=${AFXDP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib/tap.sh"
BIN=${AFXDP_HOST:-$TOP/host/afxdp-host}
FILE="test://$TOP/tests/host/data/libvirt-test.xml"
DEF=test:///default
NOVHOST=(--vhost-dev /nonexistent/vhost-net)

if [ ! -x "$BIN" ]; then
	not_ok "afxdp-host built at $BIN"
	tap_done
	exit 1
fi
for t in python3 xmllint; do
	if ! command -v $t >/dev/null; then
		# python3 reads the JSON, xmllint the XML (scripts/deps.sh).
		skip "vm suite" "$t not installed"
		tap_done
		exit 0
	fi
done
# jget JSON EXPR: a python expression on the parsed document `d`.
jget() { printf '%s' "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
# xget XML XPATH: string value through libxml2's xmllint.
xget() { printf '%s' "$1" | xmllint --xpath "$2" - 2>/dev/null; }

# --help everywhere.
assert_rc "vm --help: exit 0" 0 "$BIN" vm --help
HELP=$OUT
for s in xml set attach show; do
	assert_match "vm --help documents '$s'" "vm $s" "$HELP"
	assert_rc "vm $s --help: exit 0" 0 "$BIN" vm "$s" --help
done
assert_rc "vm without subcommand: exit 2" 2 "$BIN" vm
assert_rc "vm unknown subcommand: exit 2" 2 "$BIN" vm frob
assert_match "unknown subcommand named" "unknown subcommand 'frob'" "$OUT"

# vm xml: the snippet only, parsed back.
for v in 1 2 3 64; do
	X=$("$BIN" vm xml --vcpus $v --tap tap0 "${NOVHOST[@]}" 2>/dev/null)
	assert_eq "xml --vcpus $v: queues = 2 x vCPUs" $((2 * v)) \
		"$(xget "$X" 'string(/interface/driver/@queues)')"
done
assert_rc "xml --vcpus 200: exit 0" 0 "$BIN" vm xml --vcpus 200 --network default
assert_match "xml --vcpus 200: capped, and the cap explained" \
	"capped to the host limit 256.*tap" "$OUT"
X=$("$BIN" vm xml --vcpus 200 --network default 2>/dev/null)
assert_eq "xml --vcpus 200: queues 256" 256 "$(xget "$X" 'string(/interface/driver/@queues)')"
X=$("$BIN" vm xml --vcpus 8 --bridge br0 --max-queues 4 2>/dev/null)
assert_eq "xml --max-queues 4 caps 16 to 4" 4 "$(xget "$X" 'string(/interface/driver/@queues)')"

X=$("$BIN" vm xml --vcpus 2 --tap afx0 --mac 52:54:00:12:34:56 --mtu 1500 "${NOVHOST[@]}" 2>/dev/null)
assert_match "xml: stdout starts with <interface" "^<interface type=\"ethernet\">" "$X"
assert_eq "xml --tap: type ethernet" ethernet "$(xget "$X" 'string(/interface/@type)')"
assert_eq "xml --tap: target dev" afx0 "$(xget "$X" 'string(/interface/target/@dev)')"
assert_eq "xml --tap: managed='no'" no "$(xget "$X" 'string(/interface/target/@managed)')"
assert_eq "xml: model virtio" virtio "$(xget "$X" 'string(/interface/model/@type)')"
assert_eq "xml: driver qemu without vhost-net" qemu "$(xget "$X" 'string(/interface/driver/@name)')"
assert_eq "xml: rx_queue_size 1024" 1024 "$(xget "$X" 'string(/interface/driver/@rx_queue_size)')"
assert_eq "xml: guest offloads off" "off off off off off" \
	"$(for a in csum tso4 tso6 ecn ufo; do xget "$X" "string(/interface/driver/guest/@$a)"; echo; done | xargs)"
assert_eq "xml: mac" 52:54:00:12:34:56 "$(xget "$X" 'string(/interface/mac/@address)')"
assert_eq "xml: mtu" 1500 "$(xget "$X" 'string(/interface/mtu/@size)')"
X=$("$BIN" vm xml --vcpus 2 --network default --vhost-dev /dev/null 2>/dev/null)
assert_eq "xml: driver vhost when the vhost-net device exists" vhost \
	"$(xget "$X" 'string(/interface/driver/@name)')"
X=$("$BIN" vm xml --vcpus 2 --network default 2>/dev/null)
assert_eq "xml: no <mtu> unless asked" 0 "$(xget "$X" 'count(/interface/mtu)')"
J=$("$BIN" -j vm xml --vcpus 3 --network default)
assert_eq "xml --json: queues" 6 "$(jget "$J" 'd["queues"]')"
assert_match "xml --json: xml field" "<source network=\"default\"/>" "$(jget "$J" 'd["xml"]')"

# Bad usage: exit 2.
assert_rc "xml --mtu 4065: exit 2" 2 "$BIN" vm xml --vcpus 2 --network n --mtu 4065
assert_match "xml --mtu 4065: explained" "4064" "$OUT"
assert_rc "xml bad MAC: exit 2" 2 "$BIN" vm xml --vcpus 2 --network n --mac 52:54:00:zz:00:01
assert_match "bad MAC named" "bad MAC" "$OUT"
assert_rc "xml multicast MAC: exit 2" 2 "$BIN" vm xml --vcpus 2 --network n --mac 01:00:5e:00:00:01
assert_rc "xml --vcpus 0: exit 2" 2 "$BIN" vm xml --vcpus 0 --network n
assert_rc "xml --vcpus abc: exit 2" 2 "$BIN" vm xml --vcpus abc --network n
assert_rc "xml --queues 300: exit 2" 2 "$BIN" vm xml --vcpus 2 --network n --queues 300
assert_rc "xml --rx-queue-size 300: exit 2" 2 "$BIN" vm xml --vcpus 2 --network n --rx-queue-size 300
assert_rc "xml without a source: exit 2" 2 "$BIN" vm xml --vcpus 2
assert_rc "xml two sources: exit 2" 2 "$BIN" vm xml --vcpus 2 --network n --bridge b
assert_rc "xml without --vcpus: exit 2" 2 "$BIN" vm xml --network n
assert_rc "xml --machine pc-i440fx-1.5: exit 2" 2 "$BIN" vm xml --vcpus 2 --network n --machine pc-i440fx-1.5
assert_match "old machine type explained" "VIRTIO_F_VERSION_1" "$OUT"
assert_rc "set --vcpus (xml only): exit 2" 2 "$BIN" -c $DEF vm set test --vcpus 2

# vm show on test:///default.
assert_rc "show test: exit 0" 0 "$BIN" -c $DEF vm show test "${NOVHOST[@]}"
assert_match "show: vCPUs" "2 vCPUs" "$OUT"
assert_match "show: the interface is not XDP-ready and why" "not XDP-ready" "$OUT"
assert_match "show: reason model" "model unset -> virtio" "$OUT"
J=$("$BIN" -c $DEF -j vm show test "${NOVHOST[@]}")
assert_eq "show --json: vcpus" 2 "$(jget "$J" 'd["vcpus"]')"
assert_eq "show --json: one interface" 1 "$(jget "$J" 'len(d["interfaces"])')"
assert_eq "show --json: mac" aa:bb:cc:dd:ee:ff "$(jget "$J" 'd["interfaces"][0]["mac"]')"
assert_eq "show --json: xdp_ready false" False "$(jget "$J" 'd["interfaces"][0]["xdp_ready"]')"

# Errors.
assert_rc "unknown domain: exit 1" 1 "$BIN" -c $DEF vm show nosuch
assert_match "unknown domain: message" "domain 'nosuch' not found" "$OUT"
assert_rc "set unknown domain: exit 1" 1 "$BIN" -c $DEF vm set nosuch --config
assert_match "set unknown domain: message" "domain 'nosuch' not found" "$OUT"
assert_rc "unreachable URI: exit 1" 1 "$BIN" -c 'qemu+unix:///system?socket=/nonexistent' vm show x
assert_match "unreachable URI: libvirt's reason" "cannot connect.*nonexistent" "$OUT"
assert_no_match "libvirt's own error printing is silenced" "^libvirt:" "$OUT"
assert_rc "attach bad MAC: exit 2" 2 "$BIN" -c $DEF vm attach test --network default --mac xx
assert_rc "set --mtu 9000: exit 2" 2 "$BIN" -c $DEF vm set test --config --mtu 9000

# The domain file: an XDP-ready running domain is left alone.
J=$("$BIN" -c "$FILE" -j vm set vm-ready "${NOVHOST[@]}")
assert_eq "set vm-ready: exit 0, changed false" False "$(jget "$J" 'd["changed"]')"
assert_eq "set vm-ready: no diff" "" "$(jget "$J" 'd["diff"]')"
assert_rc "set vm-ready: says no change" 0 "$BIN" -c "$FILE" vm set vm-ready "${NOVHOST[@]}"
assert_match "set vm-ready: 'no change'" "^no change$" "$OUT"
assert_rc "show vm-ready: XDP-ready" 0 "$BIN" -c "$FILE" vm show vm-ready "${NOVHOST[@]}"
assert_match "show vm-ready: XDP-ready" ": XDP-ready" "$OUT"

# Driver queues can't change live.
assert_rc "set --live on a running domain that needs changes: exit 2" 2 \
	"$BIN" -c "$FILE" vm set vm-ready --queues 8 "${NOVHOST[@]}"
assert_match "live refusal explained" "can't change on a running domain.*--config" "$OUT"
J=$("$BIN" -c "$FILE" -j vm set vm-ready --queues 8 --config "${NOVHOST[@]}")
assert_eq "set --config on a running domain: changed" True "$(jget "$J" 'd["changed"]')"
assert_match "set --config: queues 4 -> 8" "queues 4 -> 8" "$(jget "$J" 'd["interfaces"][0]["changes"]')"

# vm-plain (shut off): current = config; dry run shows the diff.
assert_rc "dry run set vm-plain: exit 0" 0 "$BIN" -c "$FILE" -n vm set vm-plain "${NOVHOST[@]}"
assert_match "dry run: diff header" "^--- vm-plain interface 52:54:00:00:00:02 \(config\)" "$OUT"
assert_match "dry run: + driver line" "^\+  <driver name=\"qemu\" queues=\"6\" rx_queue_size=\"1024\">" "$OUT"
assert_match "dry run: says nothing changed" "nothing changed" "$OUT"
J=$("$BIN" -c "$FILE" -j -n vm set vm-plain "${NOVHOST[@]}")
assert_eq "dry run --json: dry_run true" True "$(jget "$J" 'd["dry_run"]')"
assert_eq "dry run --json: would change" True "$(jget "$J" 'd["changed"]')"
assert_eq "dry run --json: only the virtio interface" 1 "$(jget "$J" 'len(d["interfaces"])')"
J=$("$BIN" -c "$FILE" -j vm set vm-plain --iface 52:54:00:00:00:03 "${NOVHOST[@]}")
assert_match "set --iface e1000: converted to virtio" "model e1000 -> virtio" "$(jget "$J" 'd["interfaces"][0]["changes"]')"
assert_eq "set --iface: queues 6 for 3 vCPUs" 6 "$(jget "$J" 'd["interfaces"][0]["queues"]')"
assert_rc "set --iface no match: exit 1" 1 "$BIN" -c "$FILE" vm set vm-plain --iface nosuch
assert_rc "set --live on a shut-off domain: exit 1" 1 "$BIN" -c "$FILE" vm set vm-plain --live
assert_match "not running explained" "not running" "$OUT"

# vm-old: ancient machine type, jumbo MTU.
assert_rc "set vm-old: exit 2" 2 "$BIN" -c "$FILE" vm set vm-old --config
assert_match "set vm-old: machine type refused" "pc-i440fx-1.5 refused.*VIRTIO_F_VERSION_1" "$OUT"
J=$("$BIN" -c "$FILE" -j vm show vm-old)
assert_eq "show vm-old: machine_ok false" False "$(jget "$J" 'd["machine_ok"]')"
assert_match "show vm-old: MTU reason" "MTU 9000 above" "$(jget "$J" 'd["interfaces"][0]["reasons"]')"

# attach.
J=$("$BIN" -c "$FILE" -j -n vm attach vm-plain --tap afx1 "${NOVHOST[@]}")
assert_eq "attach dry run: would change" True "$(jget "$J" 'd["changed"]')"
assert_match "attach dry run: diff adds the tap" "\+  <target dev=\"afx1\" managed=\"no\"/>" "$(jget "$J" 'd["diff"]')"
J=$("$BIN" -c "$FILE" -j vm attach vm-plain --tap afx1 --mac 52:54:00:aa:00:01 "${NOVHOST[@]}")
assert_eq "attach --config: changed" True "$(jget "$J" 'd["changed"]')"
assert_eq "attach: scope config (domain shut off)" config "$(jget "$J" 'd["interfaces"][0]["scope"]')"
J=$("$BIN" -c "$FILE" -j vm attach vm-ready --tap tap0 --mac 52:54:00:00:00:01 "${NOVHOST[@]}")
assert_eq "attach an interface that is already there: no change" False "$(jget "$J" 'd["changed"]')"
assert_rc "attach a MAC in use by another source: exit 1" 1 \
	"$BIN" -c "$FILE" vm attach vm-plain --network other --mac 52:54:00:00:00:02
assert_rc "attach --live on the test driver: exit 1 (libvirt's reason)" 1 \
	"$BIN" -c "$FILE" vm attach vm-ready --bridge br0 --live
assert_match "attach --live: libvirt's reason" "not supported" "$OUT"

# --zero-copy: iommu on, a model QEMU lets take it, what stands in the way.
X=$("$BIN" vm xml --vcpus 2 --tap afx0 --zero-copy --machine q35 "${NOVHOST[@]}" 2>/dev/null)
assert_eq "xml --zero-copy (q35): iommu on" on "$(xget "$X" 'string(/interface/driver/@iommu)')"
assert_eq "xml --zero-copy (q35): model virtio (on a PCIe root port)" virtio \
	"$(xget "$X" 'string(/interface/model/@type)')"
assert_eq "xml --zero-copy: queues still 2 x vCPUs" 4 "$(xget "$X" 'string(/interface/driver/@queues)')"
assert_eq "xml --zero-copy: guest offloads still off" "off off off off off" \
	"$(for a in csum tso4 tso6 ecn ufo; do xget "$X" "string(/interface/driver/guest/@$a)"; echo; done | xargs)"
if command -v virt-xml-validate >/dev/null; then
	D=$(mktemp)
	for m in q35 pc; do
		X=$("$BIN" vm xml --vcpus 2 --tap afx0 --zero-copy --machine $m "${NOVHOST[@]}" 2>/dev/null)
		printf "<domain type='kvm'><name>t</name><memory>1048576</memory><vcpu>2</vcpu><os><type arch='x86_64' machine='%s'>hvm</type></os><devices>%s</devices></domain>\n" \
			"$m" "$X" >"$D"
		assert_rc "xml --zero-copy --machine $m: virt-xml-validate accepts the domain" 0 \
			virt-xml-validate "$D" domain
	done
	rm -f "$D"
else
	skip "virt-xml-validate on the zero-copy interface" "virt-xml-validate (libvirt-clients) not installed"
fi
X=$("$BIN" vm xml --vcpus 2 --tap afx0 --zero-copy "${NOVHOST[@]}" 2>/dev/null)
assert_eq "xml --zero-copy without --machine: virtio-non-transitional (any machine)" \
	virtio-non-transitional "$(xget "$X" 'string(/interface/model/@type)')"
assert_rc "xml --zero-copy --machine pc-q35-7.1: exit 0" 0 \
	"$BIN" vm xml --vcpus 2 --tap afx0 --zero-copy --machine pc-q35-7.1
assert_match "xml --zero-copy on pc-q35-7.1: the queue reset blocker" \
	"zero-copy blocker: machine type pc-q35-7.1 turns the virtio queue reset off" "$OUT"
J=$("$BIN" -j vm xml --vcpus 2 --tap afx0 --zero-copy --machine pc-q35-7.1)
assert_eq "xml --zero-copy --json: ready false on 7.1" False "$(jget "$J" 'd["zero_copy"]["ready"]')"
J=$("$BIN" -j vm xml --vcpus 2 --tap afx0 --machine pc-q35-7.1)
assert_eq "xml without --zero-copy: no zero_copy part" False "$(jget "$J" '"zero_copy" in d')"

J=$("$BIN" -c "$FILE" -j -n vm set vm-plain --zero-copy "${NOVHOST[@]}")
assert_match "set --zero-copy on i440fx 7.2: model -> virtio-non-transitional" \
	"model virtio -> virtio-non-transitional" "$(jget "$J" 'd["interfaces"][0]["changes"]')"
assert_match "set --zero-copy: diff sets iommu" '\+  <driver name="qemu" queues="6" rx_queue_size="1024" iommu="on">' "$(jget "$J" 'd["diff"]')"
assert_eq "set --zero-copy: nothing stands in the way" "True []" \
	"$(jget "$J" 'd["zero_copy"]["ready"], d["zero_copy"]["blockers"]' | tr -d '(),')"
J=$("$BIN" -c "$FILE" -j vm set vm-ready --zero-copy --config "${NOVHOST[@]}")
assert_eq "set --zero-copy on an XDP-ready q35 domain: only iommu changes" "['iommu unset -> on']" \
	"$(jget "$J" 'd["interfaces"][0]["changes"]')"
J=$("$BIN" -c "$FILE" -j vm set vm-zc-old --zero-copy --config "${NOVHOST[@]}")
assert_eq "set --zero-copy on vm-zc-old: already iommu on, no change" False "$(jget "$J" 'd["changed"]')"
assert_match "set --zero-copy on vm-zc-old: the machine type stands in the way" \
	"pc-q35-7.1 turns the virtio queue reset off" "$(jget "$J" 'd["zero_copy"]["blockers"]')"
assert_rc "set --zero-copy (text): exit 0" 0 "$BIN" -c "$FILE" vm set vm-zc-old --zero-copy --config "${NOVHOST[@]}"
assert_match "set --zero-copy (text): not ready and why" "zero-copy: not ready.*zero-copy blocker: machine type pc-q35-7.1" "$(echo $OUT)"
J=$("$BIN" -c "$FILE" -j vm set vm-zc-old --config "${NOVHOST[@]}")
assert_eq "set without --zero-copy keeps iommu on" False "$(jget "$J" 'd["changed"]')"
J=$("$BIN" -c "$FILE" -j vm show vm-zc-old "${NOVHOST[@]}")
assert_eq "show vm-zc-old: interface zero-copy-ready, iommu on" "True on" \
	"$(jget "$J" 'd["interfaces"][0]["zero_copy_ready"], d["interfaces"][0]["iommu"]' | tr -d "(),'")"
assert_eq "show vm-zc-old: domain not ready (machine type)" False "$(jget "$J" 'd["zero_copy"]["ready"]')"
assert_match "show vm-zc-old: vIOMMU noted" "vIOMMU intel" "$(jget "$J" 'd["zero_copy"]["notes"]')"
J=$("$BIN" -c "$FILE" -j vm show vm-ready "${NOVHOST[@]}")
assert_eq "show vm-ready: XDP-ready but not zero-copy-ready" "True False ['iommu unset -> on']" \
	"$(jget "$J" 'd["interfaces"][0]["xdp_ready"], d["interfaces"][0]["zero_copy_ready"], d["interfaces"][0]["zero_copy_reasons"]' | tr -d '(),')"
assert_rc "show vm-ready (text): exit 0" 0 "$BIN" -c "$FILE" vm show vm-ready "${NOVHOST[@]}"
assert_match "show (text): zero-copy reason per interface" "zero-copy: iommu unset -> on" "$OUT"

# Global options work before the verb, after the group and after the
# subcommand alike: same exit status, same JSON (issue 15).
same_json() { # DESC ARGS-BEFORE -- ARGS-AFTER
	local desc=$1 a b ra rb; shift
	local -a before=() after=()
	while [ "$1" != -- ]; do before+=("$1"); shift; done
	shift
	after=("$@")
	a=$("$BIN" "${before[@]}" 2>/dev/null); ra=$?
	b=$("$BIN" "${after[@]}" 2>/dev/null); rb=$?
	assert_eq "$desc: same exit status" "$ra" "$rb"
	assert_eq "$desc: same JSON" "$a" "$b"
	assert_match "$desc: JSON printed" '"domain"' "$b"
}
same_json "--json -n vm set / vm set --json -n" \
	-c "$FILE" --json -n vm set vm-plain "${NOVHOST[@]}" -- \
	-c "$FILE" vm set vm-plain --json -n "${NOVHOST[@]}"
same_json "--json vm set / vm set --json (changes)" \
	-c "$FILE" --json vm set vm-plain --config "${NOVHOST[@]}" -- \
	vm set vm-plain --config -c "$FILE" --json "${NOVHOST[@]}"
same_json "--json vm set / vm --json set (refused live)" \
	-c "$FILE" --json vm set vm-ready --queues 8 "${NOVHOST[@]}" -- \
	-c "$FILE" vm --json set vm-ready --queues 8 "${NOVHOST[@]}"
same_json "-j vm show / vm show -j (unknown domain)" \
	-c $DEF -j vm show nosuch -- -c $DEF vm show nosuch -j
same_json "-j vm attach / vm attach -j" \
	-c "$FILE" -j -n vm attach vm-plain --tap afx1 "${NOVHOST[@]}" -- \
	-c "$FILE" vm attach vm-plain --tap afx1 "${NOVHOST[@]}" -n -j

# --help of each subcommand comes from its option table: its own options
# only, and another subcommand's option is refused.
assert_rc "vm set --help: exit 0" 0 "$BIN" vm set --help
assert_match "vm set --help: usage names DOMAIN" "Usage: .*vm set \[OPTIONS\] DOMAIN" "$OUT"
assert_match "vm set --help: --iface from the table" "--iface SEL" "$OUT"
assert_no_match "vm set --help: no --vcpus (xml only)" "--vcpus" "$OUT"
assert_rc "vm show --queues (set/attach/xml only): exit 2" 2 "$BIN" -c $DEF vm show test --queues 3
assert_rc "vm xml --help: exit 0" 0 "$BIN" vm xml --help
assert_match "vm xml --help: --vcpus from the table" "--vcpus N" "$OUT"

# The man page renders.
if command -v man >/dev/null; then
	M=$(MANWIDTH=80 man -l "$TOP/host/afxdp-host-vm.8" 2>&1)
	assert_match "man page renders" "afxdp-host-vm" "$M"
	assert_match "man page documents the MTU limit" "4064" "$M"
else
	skip "man page renders" "man not installed"
fi
tap_done
