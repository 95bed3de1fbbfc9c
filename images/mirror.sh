#!/bin/sh
# Print the Debian mirror URL that apt on this machine already uses for
# the main archive (deb822 .sources or one-line sources.list), so that no
# host name is hard-coded. Override with DEBIAN_MIRROR=URL.
set -eu
if [ -n "${DEBIAN_MIRROR:-}" ]; then
	echo "$DEBIAN_MIRROR"
	exit 0
fi
etc=${APT_ETC:-/etc/apt}
url=$(
	{
		# deb822: URIs: lines (first one whose URL ends in /debian)
		cat "$etc"/sources.list.d/*.sources 2>/dev/null |
			awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }'
		# one-line format: deb [opts] URL suite components
		cat "$etc"/sources.list "$etc"/sources.list.d/*.list 2>/dev/null |
			awk '$1 == "deb" { for (i = 2; i <= NF; i++)
				if ($i ~ /^[a-z+]+:\/\//) { print $i; break } }'
	} | grep -E '/debian/?$' | head -n 1
)
if [ -z "$url" ]; then
	echo "mirror.sh: no Debian main archive in $etc; set DEBIAN_MIRROR" >&2
	exit 1
fi
echo "$url"
