#!/bin/bash
# afxdp-host publish, checked by the real consumers: Nova's own provider
# config loader (Debian's python3-nova) and os_traits, Nova's flavor extra
# spec validators, prometheus-node-exporter's textfile collector scraped
# over HTTP, and NFD's features.d rules. On this machine (libvirt's test
# driver) and on fake sysfs trees (an SR-IOV PF, a netdev whose name needs
# escaping, a host without AF_XDP). Idempotence, --dry-run, JSON, bad input.
# AFXDP_HOST overrides the binary (default: host/afxdp-host in the tree).
set -u
TOP=${AFXDP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib/tap.sh"
BIN=${AFXDP_HOST:-$TOP/host/afxdp-host}
# Debian's python3, which has python3-nova (a python3 earlier in PATH may
# be another one).
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/test_publish_sh.XXXXXX)
NE_PID=
cleanup() {
	[ -n "$NE_PID" ] && kill "$NE_PID" 2>/dev/null && wait "$NE_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

if [ ! -x "$BIN" ]; then
	not_ok "afxdp-host built at $BIN"
	tap_done
	exit 1
fi
N=$TMP/nova F=$TMP/features.d P=$TMP/textfile
mkdir -p "$N" "$F" "$P"
DIRS=(--nova-dir "$N" --nfd-dir "$F" --prom-dir "$P")
LV=(-c test:///default)

# py FILE... : runs Python code from stdin, from / (a directory named nova
# in the working directory would shadow the package).
py() { (cd / && "$PY" - "$@" 2>&1); }
# no_temp: no temp file left in the output directories.
no_temp() {
	assert_eq "$1: no temp file left" "" "$(find "$N" "$F" "$P" -name '.*' -type f)"
}
mtimes() { stat -c '%i %y' "$N/afxdp-kit.yaml" "$F/afxdp-kit" "$P/afxdp-kit.prom" 2>&1; }

# expected TRAITS from a probe JSON, independently of publish's code: the
# capability, then zero-copy, libvirt, kernel-bound VFs with IOMMU groups.
expected_traits() {
	py "$1" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
t = []
if j["capabilities"]["e.cap.025"]["supported"]:
    t.append("CUSTOM_CAP_AF_XDP")
    if any(d["zero_copy_available"] for d in j["netdevs"]):
        t.append("CUSTOM_AF_XDP_ZEROCOPY")
    if j["host"]["libvirt"]["reachable"]:
        t.append("CUSTOM_AF_XDP_VIRTIO_MQ")
    if j["host"]["iommu_groups"]["count"] and any(
            d["sriov"] and d["sriov"]["split"]["kernel"] for d in j["netdevs"]):
        t.append("CUSTOM_AF_XDP_SRIOV_VF")
print(" ".join(t))
EOF
}

# nova_traits NAME: Nova's loader, with CONF.compute.provider_config_location
# pointed at $N as nova-compute does; the traits of provider NAME (or
# "ignored" when Nova says it ignores it for having none), or the exception.
nova_traits() {
	py "$N" "$1" <<'EOF' | grep -v 'eventlet monkey patching'
import logging, sys
warnings = []
class Keep(logging.Handler):
    def emit(self, r):
        warnings.append(r.getMessage())
logging.getLogger("nova.compute.provider_config").addHandler(Keep())
from nova import conf
CONF = conf.CONF
CONF([], project="nova", default_config_files=[])
CONF.set_override("provider_config_location", sys.argv[1], group="compute")
from nova.compute import provider_config
try:
    cfg = provider_config.get_provider_configs(
        CONF.compute.provider_config_location)
except Exception as e:
    print("rejected: %s: %s" % (type(e).__name__, e))
    sys.exit(0)
p = cfg.get(sys.argv[2])
ignored = any(sys.argv[2] in w and "will be ignored" in w for w in warnings)
print(" ".join(p["traits"]["additional"]) if p else
      "ignored" if ignored and not cfg else
      "other providers: %s, warnings: %s" % (sorted(cfg), warnings))
EOF
}

# os_traits' rules for every trait in the Nova file: custom, normalized
# form of itself, at most 255 characters, not a standard trait.
os_traits_check() {
	py "$N/afxdp-kit.yaml" <<'EOF'
import sys, yaml, os_traits
y = yaml.safe_load(open(sys.argv[1]))
bad = []
n = 0
for p in y["providers"]:
    for t in p.get("traits", {}).get("additional", []):
        n += 1
        if not (os_traits.is_custom(t) and len(t) <= 255
                and os_traits.normalize_name(t[len("CUSTOM_"):]) == t
                and t not in os_traits.get_traits()):
            bad.append(t)
print("bad: %s" % bad if bad else "valid %d" % n)
EOF
}

# nfd_labels: $F/afxdp-kit parsed by NFD's local source rules (comments,
# "# +" directives, name=value, a bare name is "true") and each label
# checked as Kubernetes checks one (name and value: 63 characters of
# [A-Za-z0-9._-], alphanumeric at both ends; the value may be empty), with
# NFD's default prefix. Prints "name=value" sorted, or the problems.
nfd_labels() {
	py "$F" <<'EOF'
import os, re, sys
d = sys.argv[1]
rx = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
labels, bad = {}, []
for fn in sorted(os.listdir(d)):
    if fn.startswith("."):
        continue  # NFD skips hidden files
    path = os.path.join(d, fn)
    if os.path.getsize(path) > 65536:
        bad.append("%s: over NFD's 64 KiB" % fn)
    for line in open(path).read().split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("# +"):
                bad.append("directive: " + line)
            continue
        k, _, v = line.partition("=")
        v = v if "=" in line else "true"
        if "/" in k:
            bad.append("prefixed: " + k)
        if not (rx.match(k) and len(k) <= 63):
            bad.append("name: " + k)
        if v and not (rx.match(v) and len(v) <= 63):
            bad.append("value: " + v)
        labels["feature.node.kubernetes.io/" + k] = v
if bad:
    print("bad: %s" % bad)
else:
    print(" ".join("%s=%s" % kv for kv in sorted(labels.items())))
EOF
}

# want_labels TRAITS: the labels the facts give.
want_labels() {
	local t=" $1 " out="" l
	for l in capable:CAP_AF_XDP sriov-vf:AF_XDP_SRIOV_VF virtio-mq:AF_XDP_VIRTIO_MQ \
		zerocopy:AF_XDP_ZEROCOPY; do
		case $t in *" CUSTOM_${l#*:} "*) v=true ;; *) v=false ;; esac
		out="$out feature.node.kubernetes.io/afxdp.${l%%:*}=$v"
	done
	echo "${out# }"
}

# --- this machine (libvirt's test driver answers) ---------------------------
"$BIN" -j "${LV[@]}" probe >"$TMP/probe.json" 2>/dev/null
assert_eq "probe --json exits 0" 0 $?
want=$(expected_traits "$TMP/probe.json")
diag "traits the probe's evidence supports here: ${want:-none}"
assert_rc "publish: exit 0" 0 "$BIN" "${LV[@]}" publish --hostname compute-1 "${DIRS[@]}"
assert_match "publish: three files created" "made 3 change\(s\)" "$OUT"
assert_match "publish: names the verdict and traits" "^e\.cap\.025 AF_XDP: (supported|not supported); traits:" "$OUT"
no_temp "first publish"
assert_eq "Nova's loader accepts the file; provider compute-1 has the traits" \
	"${want:-ignored}" "$(nova_traits compute-1)"
if need_root "this host offers e.cap.025 (root)"; then
	assert_match "this host: CUSTOM_CAP_AF_XDP and CUSTOM_AF_XDP_VIRTIO_MQ (libvirt answers)" \
		"^CUSTOM_CAP_AF_XDP .*CUSTOM_AF_XDP_VIRTIO_MQ" "$want"
fi
assert_match "os_traits: every trait is a valid custom trait" "^valid [0-9]+$" "$(os_traits_check)"
assert_eq "features.d parses by NFD's rules into the same facts" \
	"$(want_labels "$want")" "$(nfd_labels)"
assert_eq "Nova file mode 0644" 644 "$(stat -c %a "$N/afxdp-kit.yaml")"

# --- node_exporter's textfile collector, on a port of our own ---------------
NE=/usr/bin/prometheus-node-exporter
port=$(py <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
EOF
)
# scrape: the exporter's /metrics into $TMP/metrics.
scrape() { curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" >"$TMP/metrics"; }
if [ ! -x "$NE" ]; then
	not_ok "prometheus-node-exporter installed (scripts/deps.sh test)"
else
	"$NE" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$P" \
		>"$TMP/ne.log" 2>&1 &
	NE_PID=$!
	for _ in $(seq 50); do scrape && break; sleep 0.2; done
	assert_eq "node_exporter serves /metrics on 127.0.0.1:$port" 0 $?
	[ -s "$TMP/metrics" ] || diag_tail "$TMP/ne.log"
	m=$(cat "$TMP/metrics")
	assert_match "node_exporter: textfile read without error" \
		'^node_textfile_scrape_error 0$' "$m"
	# Compare every sample with the probe JSON.
	cmp=$(py "$TMP/probe.json" "$TMP/metrics" "$want" <<'EOF'
import json, re, sys
j = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
traits = sys.argv[3].split()
from prometheus_client.parser import text_string_to_metric_families as fam
got = {}
help_ = {}
bad = []
checked = 0
for f in fam(text):
    if f.name.startswith("afxdp_"):
        help_[f.name] = (f.type, bool(f.documentation))
        for s in f.samples:
            got[(s.name, tuple(sorted(s.labels.items())))] = s.value
def want(metric_, value_, **labels):
    global checked
    checked += 1
    k = (metric_, tuple(sorted(labels.items())))
    if got.get(k) != value_:
        bad.append("%s%s: want %s, got %s" % (metric_, labels, value_, got.get(k)))
want("afxdp_capability_supported",
     float(j["capabilities"]["e.cap.025"]["supported"]),
     capability="e.cap.025", name="AF_XDP")
for t, l in [("CUSTOM_CAP_AF_XDP", "afxdp.capable"),
             ("CUSTOM_AF_XDP_ZEROCOPY", "afxdp.zerocopy"),
             ("CUSTOM_AF_XDP_VIRTIO_MQ", "afxdp.virtio-mq"),
             ("CUSTOM_AF_XDP_SRIOV_VF", "afxdp.sriov-vf")]:
    want("afxdp_trait", float(t in traits), trait=t, label=l)
for d in j["netdevs"]:
    lab = dict(netdev=d["name"], driver=d["driver"] or "")
    for key, metric in [("native", "afxdp_netdev_xdp_native"),
                        ("zero_copy", "afxdp_netdev_xdp_zero_copy")]:
        if d["xdp"][key] is not None:
            want(metric, float(d["xdp"][key]), **lab)
    want("afxdp_netdev_rx_queues", float(d["queues"]["rx"]), **lab)
    if d["sriov"]:
        want("afxdp_netdev_sriov_totalvfs", float(d["sriov"]["totalvfs"]), **lab)
        want("afxdp_netdev_sriov_kernel_vfs",
             float(d["sriov"]["split"]["kernel"]), **lab)
for name, (typ, doc) in help_.items():
    if typ != "gauge" or not doc:
        bad.append("%s: type %s, HELP %s" % (name, typ, doc))
print("\n".join(bad) if bad else "match: %d netdevs, %d samples" % (len(j["netdevs"]), checked))
EOF
)
	nnd=$(ls /sys/class/net | grep -vxc lo)
	assert_match "node_exporter's gauges equal the probe JSON (gauges with HELP)" \
		"^match: $nnd netdevs, [0-9]+ samples$" "$cmp"
	diag "$cmp"
fi

# --- idempotence ----------------------------------------------------------
before=$(mtimes)
assert_rc "second publish: exit 0" 0 "$BIN" "${LV[@]}" publish --hostname compute-1 "${DIRS[@]}"
assert_match "second publish: no change" "^no change$" "$(printf '%s\n' "$OUT" | tail -1)"
assert_eq "second publish: inodes and mtimes unchanged" "$before" "$(mtimes)"

# --- JSON -----------------------------------------------------------------
"$BIN" -j "${LV[@]}" publish --hostname compute-1 "${DIRS[@]}" >"$TMP/pub.json"
assert_eq "publish --json: exit 0" 0 $?
r=$(py "$TMP/pub.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
print(j["command"], j["changed"], j["dry_run"], len(j["changes"]),
      " ".join(f["output"] + ":" + f["status"] for f in j["files"]),
      j["e.cap.025"]["name"], "|", " ".join(j["traits"]))
EOF
)
assert_eq "JSON: command, changed, dry_run, changes, files, traits" \
	"publish False False 0 nova:unchanged nfd:unchanged prom:unchanged AF_XDP | $want" "$r"

# --- --dry-run --------------------------------------------------------------
sum=$(cat "$N/afxdp-kit.yaml" "$F/afxdp-kit" "$P/afxdp-kit.prom" | md5sum)
assert_rc "--dry-run with another --hostname: exit 0" 0 \
	"$BIN" -n "${LV[@]}" publish --hostname compute-2 "${DIRS[@]}"
assert_match "--dry-run shows the diff" \
	"^--- $N/afxdp-kit.yaml.*-      name: 'compute-1' \+      name: 'compute-2'" \
	"$(printf '%s' "$OUT" | tr '\n' ' ')"
assert_match "--dry-run: says nothing changed" "dry run, nothing changed; would make 1 change" "$OUT"
assert_eq "--dry-run: files unchanged" "$sum" \
	"$(cat "$N/afxdp-kit.yaml" "$F/afxdp-kit" "$P/afxdp-kit.prom" | md5sum)"
assert_eq "--dry-run: mtimes unchanged" "$before" "$(mtimes)"
no_temp "--dry-run"
"$BIN" -j -n "${LV[@]}" publish --hostname compute-2 "${DIRS[@]}" >"$TMP/dry.json"
r=$(py "$TMP/dry.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
c = j["changes"][0]
print(j["changed"], j["dry_run"], len(j["changes"]), c["output"], c["action"],
      "+      name: 'compute-2'" in c["diff"])
EOF
)
assert_eq "--dry-run --json: would change the Nova file, with its diff" \
	"True True 1 nova update True" "$r"

# --- --output, --node-uuid ------------------------------------------------
uuid=0b5e2a2c-7f1d-4c1e-9a63-3f2b6c8d9e01
assert_rc "--output nova --node-uuid: exit 0" 0 \
	"$BIN" "${LV[@]}" publish --output nova --node-uuid "$uuid" "${DIRS[@]}"
assert_match "--output nova: only the Nova file" "made 1 change.*nova $N/afxdp-kit.yaml: update" \
	"$(printf '%s' "$OUT" | tr '\n' ' ')"
assert_eq "Nova's loader: provider identified by the UUID" "${want:-ignored}" "$(nova_traits "$uuid")"
assert_eq "the other files untouched" "$before" "$(mtimes | sed 1d | sed "1i$(printf '%s\n' "$before" | head -1)")"

# --- extra specs: Nova's own flavor extra spec validators -------------------
assert_rc "--print-extra-specs: exit 0" 0 "$BIN" "${LV[@]}" publish --print-extra-specs "${DIRS[@]}"
specs=$(printf '%s\n' "$OUT" | grep -v '^#')
assert_match "extra specs require CUSTOM_CAP_AF_XDP and multiqueue" \
	"trait:CUSTOM_CAP_AF_XDP=required.*hw:vif_multiqueue_enabled=true" \
	"$(printf '%s' "$specs" | tr '\n' ' ')"
assert_match "extra specs say 2 x vCPUs and afxdp-host vm" "2 x vCPUs.*afxdp-host vm set" \
	"$(printf '%s' "$OUT" | tr '\n' ' ')"
v=$(py $specs <<'EOF' | grep -v 'eventlet monkey patching'
import sys
from nova.api.validation.extra_specs import validators
n = 0
for line in sys.argv[1:]:
    k, v = line.split("=", 1)
    validators.validate(k, v)  # raises on an unknown key or bad value
    n += 1
print("valid %d" % n)
EOF
)
assert_eq "Nova's extra spec validators accept every printed spec" "valid 3" "$v"
assert_eq "--print-extra-specs writes nothing" "$(mtimes | sed 1d)" "$(printf '%s\n' "$before" | sed 1d)"

# --- fake sysfs: an SR-IOV PF with a kernel VF, a name that needs escaping --
S=$TMP/sys
weird='we"ird\x'
mkdir -p "$S/class/net/ens1f0/queues/rx-0" "$S/class/net/$weird/queues/rx-0" \
	"$S/devices/pf" "$S/devices/pf2" "$S/bus/pci/drivers/ice" \
	"$S/bus/pci/drivers/vfio-pci" "$S/bus/pci/drivers/iavf" "$S/kernel/iommu_groups/7"
for nd in ens1f0 "$weird"; do
	echo 1500 >"$S/class/net/$nd/mtu"
done
echo 2 >"$S/class/net/ens1f0/ifindex"
echo 3 >"$S/class/net/$weird/ifindex"
ln -s "$S/devices/pf" "$S/class/net/ens1f0/device"
ln -s "$S/devices/pf2" "$S/class/net/$weird/device"
ln -s "$S/bus/pci/drivers/ice" "$S/devices/pf/driver"
ln -s "$S/bus/pci/drivers/ice" "$S/devices/pf2/driver"
echo 8 >"$S/devices/pf/sriov_totalvfs"
echo 2 >"$S/devices/pf/sriov_numvfs"
for i in 0 1; do
	mkdir -p "$S/devices/0000:3b:01.$i"
	ln -s "$S/devices/0000:3b:01.$i" "$S/devices/pf/virtfn$i"
done
ln -s "$S/bus/pci/drivers/vfio-pci" "$S/devices/0000:3b:01.0/driver"
ln -s "$S/bus/pci/drivers/iavf" "$S/devices/0000:3b:01.1/driver"
"$BIN" -j --sysfs-root "$S" probe >"$TMP/fake.json" 2>/dev/null
fwant=$(expected_traits "$TMP/fake.json")
diag "fake tree: traits the evidence supports: ${fwant:-none}"
if need_root "fake SR-IOV tree offers e.cap.025 (root)"; then
	assert_eq "fake tree: capability, zero-copy (ice), SR-IOV VF" \
		"CUSTOM_CAP_AF_XDP CUSTOM_AF_XDP_ZEROCOPY CUSTOM_AF_XDP_SRIOV_VF" "$fwant"
fi
assert_rc "fake tree: publish exit 0" 0 "$BIN" --sysfs-root "$S" publish --hostname compute-1 "${DIRS[@]}"
assert_match "fake tree: all three files updated" "made 3 change\(s\).*update.*update.*update" \
	"$(printf '%s' "$OUT" | tr '\n' ' ')"
no_temp "fake tree publish"
assert_eq "fake tree: Nova's loader yields the SR-IOV traits" "${fwant:-ignored}" "$(nova_traits compute-1)"
assert_match "fake tree: os_traits accepts them" "^valid [0-9]+$" "$(os_traits_check)"
assert_eq "fake tree: features.d by NFD's rules" "$(want_labels "$fwant")" "$(nfd_labels)"
if [ -n "$NE_PID" ]; then
	scrape
	m=$(cat "$TMP/metrics")
	assert_match "node_exporter: the escaped netdev name, as exposition format escapes it" \
		'^afxdp_netdev_xdp_native\{driver="ice",netdev="we\\"ird\\\\x"\} 1$' "$m"
	assert_match "node_exporter: the PF's VFs for AF_XDP" \
		'^afxdp_netdev_sriov_kernel_vfs\{driver="ice",netdev="ens1f0"\} 1$' "$m"
	assert_match "node_exporter: still no textfile error" '^node_textfile_scrape_error 0$' "$m"
fi

# --- a host without AF_XDP: Nova still accepts the file -------------------
E=$TMP/empty
mkdir -p "$E/class/net"
assert_rc "no netdevs: publish exit 0" 0 "$BIN" --sysfs-root "$E" publish --hostname compute-1 "${DIRS[@]}"
assert_match "no netdevs: not supported, no traits" "not supported; traits: \(none\)" "$OUT"
assert_eq "no netdevs: Nova's loader accepts the file (and ignores a provider without traits)" \
	ignored "$(nova_traits compute-1)"
assert_eq "no netdevs: every NFD label false" "$(want_labels "")" "$(nfd_labels)"

# --- bad input: exit 2 or 1, a message, nothing written, no temp file --------
sum=$(cat "$N/afxdp-kit.yaml" "$F/afxdp-kit" "$P/afxdp-kit.prom" | md5sum)
unchanged() {
	assert_eq "$1: files unchanged" "$sum" \
		"$(cat "$N/afxdp-kit.yaml" "$F/afxdp-kit" "$P/afxdp-kit.prom" | md5sum)"
	no_temp "$1"
}
assert_rc "bad --hostname: exit 2" 2 "$BIN" publish --hostname 'bad_host!' "${DIRS[@]}"
assert_match "bad --hostname: named, with the rule" "bad --hostname 'bad_host!' \(a host name" "$OUT"
unchanged "bad --hostname"
assert_rc "bad --node-uuid: exit 2" 2 "$BIN" publish --node-uuid 1234 "${DIRS[@]}"
assert_rc "--hostname and --node-uuid: exit 2" 2 "$BIN" publish --hostname a --node-uuid "$uuid" "${DIRS[@]}"
assert_match "--hostname and --node-uuid: says not both" "not both" "$OUT"
assert_rc "bad --output: exit 2" 2 "$BIN" publish --output nova,bogus "${DIRS[@]}"
assert_match "bad --output: names the choices" "bad --output 'nova,bogus' \(nova, nfd, prom" "$OUT"
assert_rc "unknown option: exit 2" 2 "$BIN" publish --bogus
assert_match "unknown option: named" "bogus" "$OUT"
"$BIN" -j publish --bogus >"$TMP/bad.json" 2>/dev/null
r=$(py "$TMP/bad.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
print(j["command"], j["changed"], bool(j["error"]))
EOF
)
assert_eq "unknown option with --json: a JSON error object" "publish False True" "$r"
assert_rc "missing directory: exit 2" 2 "$BIN" publish --hostname compute-1 \
	"${DIRS[@]}" --prom-dir "$TMP/nonexistent"
assert_match "missing directory: named" "prom-dir $TMP/nonexistent: No such file or directory; nothing written" "$OUT"
unchanged "missing directory"
assert_rc "broken probe (no sysfs): exit 1" 1 "$BIN" --sysfs-root "$TMP/nonexistent" \
	publish --hostname compute-1 "${DIRS[@]}"
assert_match "broken probe: says nothing was written" "the probe failed.*nothing written" "$OUT"
unchanged "broken probe"
# Read-only directories (root is not stopped by modes; a read-only mount
# stops everyone). The prom directory alone read-only: the Nova and NFD
# files, which would change, must not be written either.
if need_root "read-only directory (bind mount)"; then
	out=$(unshare -m sh -c 'mount -o bind,ro "$1" "$1" && shift && "$@"' sh "$P" \
		"$BIN" "${LV[@]}" publish --hostname compute-9 "${DIRS[@]}" 2>&1)
	assert_eq "read-only prom dir: exit 1" 1 $?
	assert_match "read-only prom dir: names the file and the error" \
		"cannot write $P/afxdp-kit.prom: Read-only file system; nothing written" "$out"
	unchanged "read-only prom dir"
fi
# As an unprivileged user on a directory it may not write.
if need_root "unwritable directory (as nobody)" && command -v setpriv >/dev/null; then
	U=$TMP/u
	mkdir -p "$U/bin" "$U/nova"
	cp "$BIN" "$U/bin/"
	chmod 755 "$TMP" "$U" "$U/bin" "$U/nova"
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$U/bin/afxdp-host" publish --output nova --hostname x --nova-dir "$U/nova" 2>&1)
	assert_eq "unwritable dir (nobody): exit 1" 1 $?
	assert_match "unwritable dir: Permission denied, nothing written" \
		"cannot write $U/nova/afxdp-kit.yaml: Permission denied; nothing written" "$out"
	assert_eq "unwritable dir: empty, no temp file" "" "$(ls -A "$U/nova")"
fi

tap_done
