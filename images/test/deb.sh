#!/bin/bash
# images/test/deb.sh: the .deb packages (make deb) hold what the image and
# users rely on, lintian finds no error or warning in them, and the
# installed unit is hardened (systemd-analyze security <= 2.5). TAP through
# tests/lib/tap.sh; no VM, no root needed once the packages are built (make
# deb needs the build dependencies).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

for c in dpkg-deb dpkg-buildpackage systemd-analyze; do
	if ! command -v "$c" >/dev/null; then
		skip "packages" "$c not installed (make deps)"
		tap_done; exit 0
	fi
done

version=$(cat "$top/VERSION")
arch=$(dpkg --print-architecture)
agent=$top/build/deb/afxdp-agent_${version}_$arch.deb
host=$top/build/deb/afxdp-host_${version}_$arch.deb
log=$(mktemp)
if make -C "$top" --no-print-directory deb >"$log" 2>&1; then
	ok "make deb (dpkg-buildpackage -us -uc -b)"
else
	not_ok "make deb (dpkg-buildpackage -us -uc -b)"
	tail -n 15 "$log" | sed 's/^/#   /'
	rm -f "$log"; tap_done; exit 1
fi
rm -f "$log"

files() { dpkg-deb -c "$1" | awk '{print $6}' | sed 's|^\./|/|'; }
af=$(files "$agent")
for f in /usr/sbin/afxdp-agent /usr/share/man/man8/afxdp-agent.8.gz \
	/etc/afxdp-kit/afxdp-agent.yaml.example \
	/lib/systemd/system/afxdp-agent.service \
	/usr/lib/afxdp-kit/bpf/afxdp_steer.bpf.o; do
	assert_match "afxdp-agent ships $f" "^$f\$" "$af"
done
hf=$(files "$host")
for f in /usr/sbin/afxdp-host /usr/share/man/man8/afxdp-host.8.gz \
	/usr/share/afxdp-kit/probe.schema.json; do
	assert_match "afxdp-host ships $f" "^$f\$" "$hf"
done
assert_no_match "afxdp-host does not ship the agent" "afxdp-agent" "$hf"

dep=$(dpkg-deb -f "$agent" Depends)
assert_match "afxdp-agent depends on libxdp (shlibs)" "libxdp1" "$dep"
assert_match "afxdp-agent depends on adduser (postinst)" "adduser" "$dep"
assert_no_match "the agent does not pull libvirt" "libvirt" "$dep"

w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
dpkg-deb -x "$agent" "$w/root"
dpkg-deb -e "$agent" "$w/ctl"
unit=$w/root/lib/systemd/system/afxdp-agent.service
assert_no_match "the unit has no @...@ placeholder left" "@[A-Z]+@" "$(cat "$unit")"
assert_match "ExecStart runs the packaged binary with the /etc config" \
	"^ExecStart=/usr/sbin/afxdp-agent -c /etc/afxdp-kit/afxdp-agent.yaml$" "$(cat "$unit")"
assert_match "Type=notify" "^Type=notify$" "$(cat "$unit")"
assert_match "runs as the afxdp user" "^User=afxdp$" "$(cat "$unit")"
# The set guest/afxdp-agent.service.in justifies, nothing more.
caps="CAP_BPF CAP_NET_ADMIN CAP_NET_RAW CAP_PERFMON CAP_SYS_ADMIN"
assert_eq "AmbientCapabilities is the minimal set" "AmbientCapabilities=$caps" \
	"$(grep '^AmbientCapabilities=' "$unit")"
assert_eq "CapabilityBoundingSet is the minimal set" "CapabilityBoundingSet=$caps" \
	"$(grep '^CapabilityBoundingSet=' "$unit")"
assert_match "the postinst creates the afxdp system user" "adduser --system [^|]*afxdp >" \
	"$(tr -d '\\\n' <"$w/ctl/postinst")"
# Enabled only again on upgrade when the admin had enabled it, never started.
assert_no_match "the package does not start the unit (it needs a config)" \
	"deb-systemd-invoke (start|restart)|systemctl" "$(cat "$w/ctl/postinst")"
assert_eq "the unit is not stopped before an upgrade (no preinst stop)" "" \
	"$(grep -s 'deb-systemd-invoke stop' "$w/ctl/preinst")"
# An upgrade of a running agent: the handover to the new binary, and a
# restart of the unit, only if it runs, when that did not happen.
assert_match "upgrade: ctl upgrade of a running agent, else try-restart" \
	"ctl -c \"\\\$conf\" version.*then.*if ! afxdp-agent ctl -c \"\\\$conf\" upgrade; then.*deb-systemd-invoke try-restart afxdp-agent.service" \
	"$(tr -d '\n' <"$w/ctl/postinst")"
assert_match "the package enables the unit only if it was enabled" \
	"was-enabled 'afxdp-agent.service'; then.{0,80}deb-systemd-helper enable" "$(tr -d '\n' <"$w/ctl/postinst")"
ex=$(file -b "$w/root/usr/sbin/afxdp-agent")
assert_match "the agent is a PIE with full RELRO (hardening=+all)" "pie executable" "$ex"

# lintian: 0 errors and 0 warnings on every package the build produced (the
# dbgsym ones too). The BPF objects' binary-from-other-architecture is
# overridden in debian/afxdp-agent.lintian-overrides, with its reason.
if command -v lintian >/dev/null; then
	debs=$(ls "$top"/build/deb/*_"${version}"_"$arch".deb)
	# shellcheck disable=SC2086 # one word per package
	lint=$(lintian --fail-on error,warning $debs 2>&1)
	lint_rc=$?
	diag "lintian $(printf '%s\n' "$debs" | xargs -n1 basename | tr '\n' ' ')"
	printf '%s\n' "$lint" | grep -E '^[EW]: ' | sed 's/^/#   /'
	# Non-zero also when lintian itself could not check a package.
	assert_eq "lintian --fail-on error,warning exits 0" 0 "$lint_rc"
	assert_eq "lintian: 0 errors" 0 "$(printf '%s\n' "$lint" | grep -c '^E: ')"
	assert_eq "lintian: 0 warnings" 0 "$(printf '%s\n' "$lint" | grep -c '^W: ')"
	assert_match "afxdp-agent ships its lintian overrides" \
		"^/usr/share/lintian/overrides/afxdp-agent\$" "$af"
else
	skip "lintian: 0 errors, 0 warnings" "lintian not installed (make deps-vm)"
fi

# systemd 252 (Debian 12): --offline works on a unit file in the current
# directory.
score_line=$(cd "$w/root/lib/systemd/system" &&
	systemd-analyze security --offline=yes afxdp-agent.service 2>&1 | tail -n 1)
diag "$score_line"
score=$(printf '%s' "$score_line" | sed -n 's/.*: \([0-9.]*\) .*/\1/p')
ok_score=$(awk -v s="${score:-99}" 'BEGIN { print (s <= 2.5) ? "yes" : "no" }')
assert_eq "systemd-analyze security rates the unit <= 2.5 (got ${score:-?})" yes "$ok_score"

tap_done
