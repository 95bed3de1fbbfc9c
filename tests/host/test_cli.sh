#!/bin/bash
# afxdp-host front end: --help, --version, exit codes of bad usage for the
# whole tool (every command answers --help with 0). No root needed.
set -u
TOP=${AFXDP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib/tap.sh"
BIN=${AFXDP_HOST:-$TOP/host/afxdp-host}

if [ ! -x "$BIN" ]; then
	not_ok "afxdp-host built at $BIN"
	tap_done
	exit 1
fi

assert_rc "--help: exit 0" 0 "$BIN" --help
assert_match "--help lists the commands" "probe.*" "$OUT"
for c in probe vm sriov publish plan; do
	assert_match "--help lists '$c'" "^  $c " "$OUT"
done
assert_match "--help lists the global options" "--sysfs-root DIR" "$OUT"
assert_rc "-h: exit 0" 0 "$BIN" -h
assert_rc "help: exit 0" 0 "$BIN" help
assert_rc "--version: exit 0" 0 "$BIN" --version
assert_eq "--version prints the VERSION file" "afxdp-host $(cat "$TOP/VERSION")" "$OUT"
assert_rc "-V: exit 0" 0 "$BIN" -V

assert_rc "no command: exit 2" 2 "$BIN"
assert_match "no command: says so, with a hint" "no command given.*|afxdp-host --help" "$OUT"
assert_rc "unknown command: exit 2" 2 "$BIN" frobnicate
assert_match "unknown command: named" "unknown command 'frobnicate'" "$OUT"
assert_match "unknown command: usage hint" "Try 'afxdp-host --help'" "$OUT"
assert_eq "unknown command: one message and one hint (2 lines)" 2 \
	"$(printf '%s\n' "$OUT" | wc -l)"
assert_rc "unknown global option: exit 2" 2 "$BIN" --frobnicate probe
assert_match "unknown global option: named" "frobnicate" "$OUT"
assert_rc "-c without URI: exit 2" 2 "$BIN" -c
assert_rc "--sysfs-root without DIR: exit 2" 2 "$BIN" --sysfs-root
assert_rc "empty --sysfs-root: exit 2" 2 "$BIN" --sysfs-root "" probe
assert_rc "unknown command after options: exit 2" 2 "$BIN" -j -v nosuch

# Every command answers --help with 0 and a usage line; bad options: 2.
for c in probe vm sriov publish plan; do
	assert_rc "$c --help: exit 0" 0 "$BIN" "$c" --help
	assert_match "$c --help: usage" "[Uu]sage:.*$c" "$OUT"
	assert_rc "$c --no-such-option: exit 2" 2 "$BIN" "$c" --no-such-option
done

# The man page renders without warnings and documents every command.
if command -v man >/dev/null; then
	warn=$(mktemp)
	page=$(MANWIDTH=80 man --warnings -l "$TOP/host/afxdp-host.8" 2>"$warn" | col -b)
	assert_eq "afxdp-host.8 renders without groff warnings" "" "$(cat "$warn")"
	rm -f "$warn"
	assert_match "afxdp-host.8 documents probe and e.cap.025" "e\.cap\.025" "$page"
	assert_match "afxdp-host.8 refers to the vm and sriov pages" \
		"afxdp-host-vm\(8\).*afxdp-host-sriov\(8\)" "$(printf '%s' "$page" | tr '\n' ' ')"
else
	skip "afxdp-host.8 renders" "man is not installed"
fi

# Every man page the kit ships (agent and host) is mandoc -Tlint clean, down
# to the style level (-Tlint implies -W all): no message at all.
if command -v mandoc >/dev/null; then
	pages=$(ls "$TOP"/guest/*.8 "$TOP"/host/*.8 2>/dev/null)
	assert_ge "man pages found for the lint" 4 "$(printf '%s\n' "$pages" | grep -c .)"
	for m in $pages; do
		assert_eq "$(basename "$m"): mandoc -Tlint reports nothing" "" \
			"$(mandoc -Tlint "$m" 2>&1)"
	done
else
	skip "man pages are mandoc -Tlint clean" "mandoc is not installed"
fi

tap_done
