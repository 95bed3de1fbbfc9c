/* SPDX-License-Identifier: GPL-2.0 */
/* Strict value parsers shared by config files and command lines. All return
 * 0 or -errno (-EINVAL malformed, -ERANGE out of bounds). */
#ifndef UTIL_PARSE_H
#define UTIL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAC_STR_LEN 18

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_bool(const char *s, bool *out);
int parse_mac(const char *s, uint8_t mac[6]);
const char *format_mac(const uint8_t mac[6], char buf[MAC_STR_LEN]);
/* "N" or "N-M" (inclusive), both within [min, max], N <= M. */
int parse_u32_range(const char *s, uint32_t min, uint32_t max, uint32_t *lo,
		    uint32_t *hi);
/* "0,2,4-7" into a bitmap of max_bits; sets *count. */
int parse_u32_list(const char *s, uint32_t max_value, uint32_t *out,
		   size_t max_items, size_t *count);
/* "127.0.0.1:9100", "[::1]:9100" or ":9100" (host defaults to 127.0.0.1). */
int parse_host_port(const char *s, char *host, size_t host_len, uint16_t *port);

#endif
