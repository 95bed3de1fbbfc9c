#!/bin/bash
# trixie-root.sh [--print-path] [--rebuild]: the Debian 13 (trixie) root in
# which DPDK 24.11's testpmd and other applications run against the agent
# (issue 13), while the host stays Debian 12. Debian 12's DPDK 22.11 has no
# use_cni/use_pinned_map/dp_path in its AF_XDP driver; 24.11 has all three.
#
# debootstrap --variant=minbase trixie with the packages below, into
# TRIXIE_CACHE/trixie-apps-HASH (default /var/cache/afxdp-kit), outside the
# tree so that every clone and CI run reuses it. HASH covers the package list
# and this script: a change builds a new root and removes the older ones.
# Built in a temporary directory and renamed when complete (.complete
# stamp), under flock so that concurrent callers wait for one build; a
# second run finds the stamp and only prints the path.
#
#   --print-path  print only the root's path on stdout (build it if missing)
#   --rebuild     build again even if the root is complete
# env: DEBIAN_MIRROR (default: the one apt uses, images/mirror.sh),
#      TRIXIE_CACHE (default /var/cache/afxdp-kit)
# Exit: 0 ok, 1 build failed (archive unreachable, debootstrap), 2 usage.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# Removes a root even with mounts a killed debootstrap left in it.
rm_root=$top/scripts/rm-root.sh
self=$top/scripts/trixie-root.sh
cache=${TRIXIE_CACHE:-/var/cache/afxdp-kit}
suite=trixie

# dpdk-dev: dpdk-testpmd (in Debian 13 the dpdk package keeps only the
# scripts); librte-net-af-xdp25: the AF_XDP PMD and librte-mempool-ring25:
# the default mempool handler, both plugins that EAL loads from its pmds
# directory and that nothing depends on (dpdk only recommends them);
# libxdp1/xdp-tools: the XSK library the PMD links and its tools; iproute2
# (ip), util-linux (setpriv, prlimit), libcap2-bin (capsh), procps (ps).
PACKAGES="dpdk dpdk-dev librte-net-af-xdp25 librte-mempool-ring25 libxdp1
 xdp-tools iproute2 util-linux libcap2-bin procps"

print_path=0 rebuild=0
for a in "$@"; do
	case $a in
	--print-path) print_path=1 ;;
	--rebuild) rebuild=1 ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "trixie-root: unknown argument '$a' (--print-path, --rebuild)" >&2; exit 2 ;;
	esac
done

log() { [ "$print_path" = 1 ] || echo "trixie-root: $*"; }
die() { echo "trixie-root: error: $*" >&2; exit 1; }

key=$({ echo "$suite $PACKAGES"; cat "$self"; } | sha256sum | cut -c1-12)
root=$cache/trixie-apps-$key

if [ "$rebuild" = 0 ] && [ -f "$root/.complete" ]; then
	log "root up to date"
	echo "$root"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "building the root needs root (debootstrap)"
command -v debootstrap >/dev/null || die "debootstrap is missing: make deps-test"
mkdir -p "$cache"

# One build at a time; a caller that waited finds the stamp below.
exec 9>"$cache/trixie-apps.lock"
flock 9
if [ "$rebuild" = 0 ] && [ -f "$root/.complete" ]; then
	log "root built by a concurrent run"
	echo "$root"
	exit 0
fi

mirror=$("$top/images/mirror.sh") || die "no Debian mirror (images/mirror.sh)"
# Fail in seconds with the URL rather than after debootstrap's retries.
wget -q -T 20 -t 2 -O /dev/null "$mirror/dists/$suite/InRelease" ||
	die "the Debian archive is unreachable: $mirror/dists/$suite/InRelease (set DEBIAN_MIRROR)"

tmp=$cache/.trixie-apps-$key.tmp
"$rm_root" "$tmp" || die "cannot remove the unfinished root $tmp"
# TRIXIE_KEEP_FAILED=1 keeps a failed build's directory to look into.
[ "${TRIXIE_KEEP_FAILED:-0}" = 1 ] || trap '"$rm_root" "$tmp"' EXIT
log "debootstrap --variant=minbase $suite from $mirror into $root (a few minutes)"
t0=$(date +%s)
blog=$cache/trixie-apps-debootstrap.log
if ! debootstrap --variant=minbase --include="$(echo $PACKAGES | tr ' ' ,)" \
	"$suite" "$tmp" "$mirror" >"$blog" 2>&1; then
	tail -n 20 "$blog" >&2
	die "debootstrap failed (log: $blog)"
fi
rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*
# Nothing of the build host's network identity stays in the root.
rm -f "$tmp/etc/hostname" "$tmp/etc/resolv.conf"

# The root must run what the suites need: testpmd, and its AF_XDP driver
# found in the plugin directory that EAL scans (RTE_EAL_PMD_PATH).
out=$(chroot "$tmp" dpdk-testpmd -h 2>&1) || { echo "$out" | tail -n 20 >&2; die "dpdk-testpmd -h fails in $tmp"; }
pmd=$(cd "$tmp" && ls usr/lib/*/dpdk/pmds-*/librte_net_af_xdp.so* 2>/dev/null | head -n 1)
[ -n "$pmd" ] || die "no librte_net_af_xdp.so in a dpdk/pmds-* directory of $tmp"
for t in setpriv prlimit capsh ip; do
	chroot "$tmp" sh -c "command -v $t" >/dev/null || die "$t missing in $tmp"
done
{
	echo "suite=$suite"
	echo "mirror=$mirror"
	echo "packages=$PACKAGES"
	echo "af_xdp_pmd=/$pmd"
	chroot "$tmp" dpkg-query -W -f='${Package}=${Version}\n' dpdk librte-net-af-xdp25 libxdp1
} >"$tmp/.complete"

"$rm_root" "$root" || die "cannot remove the old root $root"
mv "$tmp" "$root"
# Older roots of this name are dead weight, and so are unfinished builds of
# other versions of this script (killed runs; under the lock, none is live).
find "$cache" -maxdepth 1 -type d \( -name 'trixie-apps-*' ! -name "trixie-apps-$key" \
	-o -name '.trixie-apps-*.tmp' \) -exec "$rm_root" {} +
log "built in $(($(date +%s) - t0)) s, $(du -sh "$root" | cut -f1); AF_XDP PMD /$pmd"
echo "$root"
