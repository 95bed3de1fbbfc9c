// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the handover state (guest/handover_state.c), which a
 * new agent reads from a memfd another process wrote. For a fixed shape
 * (2 workers, 2 UMEMs, 2 ports, 2 sockets, 8 frames of 2048 bytes): a
 * state that parses keeps every promise the pools rely on (each address a
 * frame of its worker's range, no frame twice, no more than a worker
 * has); a refused one has a message and leaves nothing allocated. Each
 * input is parsed as every version a running agent may speak. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/agent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *data, size_t size, uint32_t version)
{
	const struct handover_state shape = {
		.version = version,
		.nr_workers = 2,
		.nr_umems = 2,
		.nr_socks = 2,
		.nr_ports = 2,
		.nr_frames = 8,
		.frame_size = 2048,
	};
	struct handover_state st;
	char err[256] = "";
	uint8_t seen[2][16] = { { 0 } };

	if (handover_state_parse(data, size, &shape, &st, err, sizeof(err))) {
		if (!err[0] || st.pools)
			abort();
		return;
	}
	if (st.version != version)
		abort();
	for (uint32_t w = 0; w < 2; w++)
		for (uint32_t u = 0; u < 2; u++) {
			const struct handover_pool *p = &st.pools[w * 2 + u];

			if (p->nr_free > 8)
				abort();
			for (uint32_t i = 0; i < p->nr_free; i++) {
				uint64_t a = handover_pool_addr(p, i),
					 f = a / 2048;

				if (a % 2048 || f < w * 8 ||
				    f >= (w + 1) * 8 || seen[u][f])
					abort();
				seen[u][f] = 1;
			}
		}
	for (uint32_t i = 0; i < 2; i++)
		if (st.nic[i].ifname[IF_NAMESIZE - 1] ||
		    st.nic[i].driver[sizeof(st.nic[i].driver) - 1])
			abort();
	handover_state_free(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (uint32_t v = HANDOVER_VERSION_MIN; v <= HANDOVER_VERSION; v++)
		one(data, size, v);
	return 0;
}
