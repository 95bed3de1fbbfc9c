// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: afxdp-host plan's file parser (host/plan_parse.c).
 * The input is a plan file's text; every plan is freed (LeakSanitizer
 * checks the error paths), and a refusal's message must be a terminated
 * string that names the file. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[PLAN_ERR_LEN];
	struct host_plan p;
	int ret;

	memset(err, 'x', sizeof(err));
	ret = plan_parse((const char *)data, size, "fuzz.yaml", &p, err,
			 sizeof(err));
	if (strnlen(err, sizeof(err)) == sizeof(err))
		abort();
	if (ret == -EINVAL && strncmp(err, "fuzz.yaml:", 10))
		abort();
	if (!ret && !p.npfs && !p.ndoms)
		abort(); /* an empty plan is refused */
	for (size_t i = 0; !ret && i < p.npfs; i++)
		for (size_t a = 0; a < p.pfs[i].nvfio; a++)
			for (size_t b = 0; b < p.pfs[i].nkernel; b++)
				if (p.pfs[i].vfio[a] == p.pfs[i].kernel[b])
					abort(); /* one VF in both groups */
	plan_free(&p);
	return 0;
}
