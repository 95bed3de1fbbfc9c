#!/bin/bash
# make fresh-check: prove the install steps on a brand-new Debian 12 root,
# not on this (long-lived) machine, where a package installed by hand hides
# a missing install step.
#
# A minimal Debian 12 root (debootstrap --variant=minbase) is built once and
# cached outside the tree (FRESH_CACHE). Each run copies it, copies this
# tree's files (tracked and untracked-not-ignored) into it, and runs in it,
# in private mount and PID namespaces (chroot with its own /proc, /sys,
# /dev, /run, /tmp and bpffs), what a new user would:
#
#   1. apt-get install make   the one prerequisite of the README's commands
#   2. make deps-demo         the demo's tier alone: packages and seconds
#   3. make demo              build the agent and forward through it
#   4. make deps              every other tier
#   5. make                   the agent, the host tool, the test tools
#   6. make test-unit         the cmocka unit tests
#   7. sudo make demo         as a non-root user with sudo
#
# It prints each step's result and time, the demo tier's package count, and
# exits non-zero if any step failed. The copy is removed at the end unless
# FRESH_KEEP=1. Environment: FRESH_CACHE (default
# /var/cache/afxdp-kit/fresh-bookworm), FRESH_STEPS (e.g. "1 2 3" for a
# subset), DEBIAN_MIRROR (default: the one apt uses here).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${FRESH_CACHE:-/var/cache/afxdp-kit/fresh-bookworm}
steps=${FRESH_STEPS:-1 2 3 4 5 6 7}
suite=bookworm

die() {
	echo "fresh-check: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot, namespaces)"
command -v debootstrap >/dev/null || die "debootstrap is missing: make deps-fresh"

# ---- the cached pristine root -------------------------------------------
base=$cache/root
if [ ! -f "$base/.afxdp-fresh-done" ]; then
	mirror=$("$top/images/mirror.sh")
	mkdir -p "$cache"
	"$top/scripts/rm-root.sh" "$base.tmp" || die "cannot remove $base.tmp"
	echo "fresh-check: debootstrap --variant=minbase $suite (once; cached in $cache)"
	debootstrap --variant=minbase --merged-usr "$suite" "$base.tmp" "$mirror" \
		>"$cache/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }
	rm -rf "$base.tmp/var/cache/apt/archives/"*.deb "$base.tmp/var/lib/apt/lists/"*
	touch "$base.tmp/.afxdp-fresh-done"
	mv "$base.tmp" "$base"
fi

# ---- this run's copy ----------------------------------------------------
run=$(mktemp -d /var/tmp/afxdp-fresh.XXXXXX)
cleanup() {
	if [ "${FRESH_KEEP:-0}" = 1 ]; then
		echo "fresh-check: kept $run"
	else
		"$top/scripts/rm-root.sh" "$run"
	fi
}
trap cleanup EXIT
root=$run/root
cp -a "$base" "$root"
# A new Debian 12 machine has the release, its updates and security.
rm -f "$root/etc/apt/sources.list"
cp -a /etc/apt/sources.list* "$root/etc/apt/" 2>/dev/null || true
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
cp -L /etc/hosts "$root/etc/hosts"
hostname >"$root/etc/hostname"
mkdir -p "$root/src"
(cd "$top" && git ls-files -z -co --exclude-standard |
	tar --null -T - -cf -) | tar -C "$root/src" -xf -
echo "fresh-check: $(du -sh "$root" | cut -f1) root in $root; tree of $(cd "$top" && git describe --always --dirty)"

# ---- the steps, inside ----------------------------------------------------
# Written into the root and run there by the namespace's first process; each
# step's output goes to /fresh/N.log, its result to /fresh/results.
cat >"$root/fresh-steps.sh" <<'EOF'
#!/bin/bash
set -u
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cd /src
mkdir -p /fresh
step() {
	local n=$1 desc=$2 t0 rc
	shift 2
	case " $STEPS " in *" $n "*) ;; *) return 0 ;; esac
	t0=$(date +%s)
	echo "--- $n. $desc"
	"$@" >"/fresh/$n.log" 2>&1
	rc=$?
	printf '%s\t%s\t%s\t%s\n' "$n" "$rc" "$(($(date +%s) - t0))" "$desc" >>/fresh/results
	if [ "$rc" != 0 ]; then tail -n 25 "/fresh/$n.log" | sed 's/^/    | /'; fi
	grep -hE '^(deps \(|demo: |tests: )' "/fresh/$n.log" | sed 's/^/    /'
	return 0
}
sudo_demo() {
	apt-get install -y -q --no-install-recommends sudo >/dev/null &&
		{ id tester >/dev/null 2>&1 || useradd -m tester; } &&
		echo 'tester ALL=(ALL) NOPASSWD: ALL' >/etc/sudoers.d/tester &&
		chmod 0440 /etc/sudoers.d/tester &&
		su tester -c "cd /src && sudo -n make demo"
}
step 1 "apt-get install make" sh -c 'apt-get update -q && apt-get install -y -q --no-install-recommends make'
step 2 "make deps-demo" make deps-demo
step 3 "make demo" make demo
step 4 "make deps" make deps
step 5 "make" make -j2 all tests-build
step 6 "make test-unit" make test-unit
step 7 "sudo make demo (non-root user)" sudo_demo
EOF
chmod +x "$root/fresh-steps.sh"

echo "fresh-check: steps $steps"
t0=$(date +%s)
unshare --mount --pid --fork --propagation private -- env -i STEPS="$steps" \
	ROOT="$root" PATH=/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c '
	set -e
	# The root a mount point of its own, as on a real machine (ip netns
	# add runs "mount --make-rslave /").
	mount --bind "$ROOT" "$ROOT"
	mount -t proc proc "$ROOT/proc"
	mount -t sysfs sysfs "$ROOT/sys"
	mount -t bpf bpf "$ROOT/sys/fs/bpf"
	mount --rbind /dev "$ROOT/dev"
	mount -t tmpfs tmpfs "$ROOT/run"
	mount -t tmpfs tmpfs "$ROOT/tmp"
	exec chroot "$ROOT" /fresh-steps.sh' || true

# ---- the report -------------------------------------------------------------
res=$root/fresh/results
[ -s "$res" ] || die "no step ran (see above)"
total=0 bad=0
echo
echo "fresh-check: results (Debian 12 minbase root, $(($(date +%s) - t0)) s in all)"
while IFS=$'\t' read -r n rc secs desc; do
	total=$((total + 1))
	[ "$rc" = 0 ] || bad=$((bad + 1))
	printf '  %-36s %-6s %5s s\n' "$n. $desc" "$([ "$rc" = 0 ] && echo ok || echo "rc=$rc")" "$secs"
done <"$res"
grep -h '^deps (demo): [0-9]* packages' "$root/fresh/2.log" 2>/dev/null | sed 's/^/  /' || true
echo "fresh-check: $((total - bad)) passed, $bad failed"
[ "$bad" = 0 ]
