// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the device-plugin protocol parser (guest/uds_proto.c).
 * The input is one received datagram. A request that parses is formatted
 * back and must re-parse to the same request; a refused one must still
 * name a valid command; the input read as a reply must parse only as one
 * of the replies' exact texts. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/uds_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[UDS_MSG_MAX + 1];
	struct uds_request a, b;
	enum uds_reply r;
	size_t len;
	int ret;

	ret = uds_proto_parse(data, size, &a);
	if ((unsigned int)a.cmd > UDS_CMD_FIN)
		abort();
	if (!ret) {
		if (a.cmd == UDS_CMD_UNKNOWN || size > UDS_MSG_MAX)
			abort();
		if (uds_proto_format_request(&a, text, sizeof(text), &len))
			abort();
		if (strlen(text) != len || len > size)
			abort();
		if (uds_proto_parse(text, len, &b) || memcmp(&a, &b, sizeof(a)))
			abort();
	} else if (ret == -EOPNOTSUPP || ret == -EMSGSIZE || ret == -ENOMSG ||
		   ret == -EBADMSG) {
		if (a.cmd != UDS_CMD_UNKNOWN)
			abort();
	} else if (ret != -EINVAL && ret != -ERANGE) {
		abort();
	}
	if (!uds_proto_parse_reply(data, size, &r)) {
		const char *s = uds_proto_reply_str(r);

		if (!s || memcmp(s, data, strlen(s)))
			abort();
	}
	return 0;
}
