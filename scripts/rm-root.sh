#!/bin/bash
# rm-root.sh DIR...: remove a root filesystem tree that debootstrap or a
# chroot built, even when a killed run left file systems mounted in it.
#
# debootstrap mounts proc (and sometimes sys, devpts) inside its target and
# unmounts them only when it ends normally. A build killed halfway leaves
# them mounted, and the next run's plain `rm -rf` then fails in seconds on
# "Device or resource busy" (CI of 2026-12-04: the Debian 13 root never
# rebuilt). Worse, a tree with a bind mount of the host's /dev or a host
# directory would lose the host's files to `rm -rf`.
#
# So: every mount at or below DIR is unmounted, deepest first (lazily when
# busy); if one is still there the tree is left alone and the exit is 1.
# The removal never crosses into another file system (--one-file-system),
# whatever appears there in between. A DIR that does not exist is fine.
# Exit: 0 removed (or absent), 1 a mount could not be undone or rm failed,
#       2 usage (no DIR, or DIR is / or not absolute).
set -u

die() { echo "rm-root: error: $*" >&2; exit "${2:-1}"; }
[ $# -gt 0 ] || die "usage: rm-root.sh DIR..." 2

# Mount points at or below $1, deepest first. /proc/self/mountinfo escapes
# blanks as \040; findmnt decodes them.
mounts_under() {
	findmnt -rn -o TARGET | awk -v d="$1" \
		'$0 == d || index($0, d "/") == 1' | sort -r
}

rc=0
for d in "$@"; do
	case $d in
	/*) ;;
	*) die "'$d' is not an absolute path" 2 ;;
	esac
	d=$(realpath -m -- "$d")
	[ "$d" != / ] || die "refusing to remove /" 2
	[ -e "$d" ] || continue
	while read -r m; do
		[ -n "$m" ] || continue
		m=$(printf '%b' "$m") # findmnt -r keeps \x20 escapes
		umount -- "$m" 2>/dev/null || umount -l -- "$m" 2>/dev/null ||
			echo "rm-root: cannot unmount $m" >&2
	done < <(mounts_under "$d")
	if [ -n "$(mounts_under "$d")" ]; then
		echo "rm-root: $d still has mounts; not removing it:" >&2
		mounts_under "$d" | sed 's/^/rm-root:   /' >&2
		rc=1
		continue
	fi
	rm -rf --one-file-system -- "$d" || rc=1
done
exit "$rc"
