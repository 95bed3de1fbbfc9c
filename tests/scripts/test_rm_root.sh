#!/bin/bash
# scripts/rm-root.sh removes a root filesystem tree that a killed debootstrap
# or chroot left with file systems mounted in it (CI of 2026-12-04: a proc
# mount left in the unfinished Debian 13 root made every later build fail on
# "Device or resource busy"), and never deletes what a bind mount shows of
# the host.
TOP=${AFXDP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib/tap.sh"
RM_ROOT=$TOP/scripts/rm-root.sh
W=$(mktemp -d /tmp/afxdp-rmroot.XXXXXX)
SLEEPER=
cleanup() {
	[ -n "$SLEEPER" ] && kill "$SLEEPER" 2>/dev/null
	findmnt -rn -o TARGET | grep "^$W" | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT
if [ "$(id -u)" != 0 ]; then
	skip "rm-root suite" "needs root (mounts)"
	tap_done
	exit 0
fi
mounts_under() { findmnt -rn -o TARGET | grep -c "^$1" ; }

# A root as a killed build leaves it: proc, a tmpfs with files, a mount point
# with a blank in its name, and a bind mount of a "host" directory.
R=$W/root.tmp
mkdir -p "$R/proc" "$R/var/tmp" "$R/with space" "$R/host" "$R/etc" "$W/hostdir"
echo keep >"$W/hostdir/precious"
echo x >"$R/etc/hostname"
mount -t proc proc "$R/proc"
mount -t tmpfs tmpfs "$R/var/tmp" && echo y >"$R/var/tmp/file"
mount -t tmpfs tmpfs "$R/with space"
mount --bind "$W/hostdir" "$R/host"
assert_eq "the test root has 4 mounts" 4 "$(mounts_under "$R")"
assert_rc "plain rm -rf fails on it (the CI failure)" 1 rm -rf "$R/proc"

assert_rc "rm-root removes it" 0 "$RM_ROOT" "$R"
assert_eq "no mount left below it" 0 "$(mounts_under "$R")"
assert_rc "the tree is gone" 1 test -e "$R"
assert_eq "the bind-mounted host directory keeps its files" keep \
	"$(cat "$W/hostdir/precious" 2>&1)"

# A mount still in use (a process's working directory) is detached lazily.
B=$W/busy
mkdir -p "$B/m"
mount -t tmpfs tmpfs "$B/m"
(cd "$B/m" && exec sleep 60) &
SLEEPER=$!
sleep 0.2
assert_rc "a busy mount: rm-root detaches it and removes the tree" 0 "$RM_ROOT" "$B"
assert_rc "the busy tree is gone" 1 test -e "$B"
kill "$SLEEPER" 2>/dev/null; SLEEPER=

# Several trees in one call, one of them absent (find -exec ... {} +).
mkdir -p "$W/a/x" "$W/b"
assert_rc "two trees and an absent one in one call" 0 "$RM_ROOT" "$W/a" "$W/b" "$W/none"
assert_rc "both are gone" 1 test -e "$W/a" -o -e "$W/b"

# Bad input: a clear error and exit 2, nothing removed.
mkdir -p "$W/rel"
assert_rc "no argument: exit 2" 2 "$RM_ROOT"
assert_match "  with a usage line" "usage: rm-root.sh DIR" "$OUT"
assert_rc "a relative path: exit 2" 2 "$RM_ROOT" rel
assert_match "  naming it" "'rel' is not an absolute path" "$OUT"
assert_rc "/ (also as /..//): exit 2" 2 "$RM_ROOT" /..//
assert_match "  refused" "refusing to remove /" "$OUT"
assert_rc "nothing was removed by the refused calls" 0 test -d "$W/rel"
tap_done
