// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -EINVAL;
	/* Decimal or 0x hex. Not base 0: its octal turns "010" into 8 and
	 * rejects "08", a trap in config files. */
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!isxdigit((unsigned char)s[2]))
			return -EINVAL;
		v = strtoull(s + 2, &end, 16);
	} else {
		v = strtoull(s, &end, 10);
	}
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int err = parse_u64(s, min, max, &v);

	if (!err)
		*out = (uint32_t)v;
	return err;
}

int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t tmp[6];
	char sep;

	/* Exactly xx:xx:xx:xx:xx:xx (or all '-' separators), nothing else. */
	if (!s || strlen(s) != 17)
		return -EINVAL;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[i * 3]), lo = hexval(s[i * 3 + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < 5 && s[i * 3 + 2] != sep)
			return -EINVAL;
		tmp[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, tmp, 6);
	return 0;
}

const char *format_mac(const uint8_t mac[6], char buf[MAC_STR_LEN])
{
	snprintf(buf, MAC_STR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

int parse_u32_range(const char *s, uint32_t min, uint32_t max, uint32_t *lo,
		    uint32_t *hi)
{
	char buf[64];
	char *dash;
	uint32_t a, b;
	int err;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (!dash) {
		err = parse_u32(buf, min, max, &a);
		if (err)
			return err;
		*lo = *hi = a;
		return 0;
	}
	*dash = '\0';
	err = parse_u32(buf, min, max, &a);
	if (!err)
		err = parse_u32(dash + 1, min, max, &b);
	if (err)
		return err;
	if (a > b)
		return -ERANGE;
	*lo = a;
	*hi = b;
	return 0;
}

int parse_u32_list(const char *s, uint32_t max_value, uint32_t *out,
		   size_t max_items, size_t *count)
{
	char *copy, *tok, *next;
	size_t n = 0;
	int err = 0;

	if (!s || !*s)
		return -EINVAL;
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	/* strsep, not strtok: an empty item ("1,,2", "1,") is an error, not
	 * something to skip silently. */
	for (next = copy; (tok = strsep(&next, ","));) {
		uint32_t lo, hi;

		err = parse_u32_range(tok, 0, max_value, &lo, &hi);
		if (err)
			break;
		for (uint32_t v = lo; v <= hi; v++) {
			if (n == max_items) {
				err = -E2BIG;
				goto out;
			}
			out[n++] = v;
		}
	}
out:
	free(copy);
	if (!err && !n)
		err = -EINVAL;
	if (!err)
		*count = n;
	return err;
}

int parse_host_port(const char *s, char *host, size_t host_len, uint16_t *port)
{
	const char *colon, *h = s;
	size_t hlen;
	uint32_t p;
	int err;

	if (!s || !*s)
		return -EINVAL;
	colon = strrchr(s, ':');
	if (!colon)
		return -EINVAL;
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
		h = s + 1;
		hlen -= 2;
	}
	if (hlen >= host_len)
		return -ERANGE;
	err = parse_u32(colon + 1, 1, 65535, &p);
	if (err)
		return err;
	if (hlen == 0)
		snprintf(host, host_len, "127.0.0.1");
	else
		snprintf(host, host_len, "%.*s", (int)hlen, h);
	*port = (uint16_t)p;
	return 0;
}
