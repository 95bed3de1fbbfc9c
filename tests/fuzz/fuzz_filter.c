// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the filter rule parser (guest/filter.c). The input is
 * up to AFXDP_MAX_RULES + 1 rules, one per line. Each rule that parses is
 * formatted back and must re-parse to the same rule (the canonical text
 * round trip the stats and logs rely on); then the lines are compiled
 * together, which must succeed exactly when every rule parsed. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/filter.h"
#include "util/log.h"

#define MAX_LINES (AFXDP_MAX_RULES + 1)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(-1);
	return 0;
}

static void check_round_trip(const char *line, bool *all_ok)
{
	struct afxdp_rule a, b;
	char err[256], text[FILTER_RULE_STR_LEN];

	memset(&a, 0, sizeof(a));
	if (filter_parse_rule(line, &a, err, sizeof(err))) {
		*all_ok = false;
		if (strnlen(err, sizeof(err)) == sizeof(err))
			abort();
		return;
	}
	/* FILTER_RULE_STR_LEN is documented as always enough. */
	if (filter_format_rule(&a, text, sizeof(text)))
		abort();
	memset(&b, 0, sizeof(b));
	if (filter_parse_rule(text, &b, err, sizeof(err)))
		abort();
	if (memcmp(&a, &b, sizeof(a)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct afxdp_filter *out;
	char *lines[MAX_LINES];
	char *buf, *p, *save = NULL;
	char err[256];
	bool all_ok = true;
	size_t n = 0;
	int ret;

	buf = malloc(size + 1);
	out = calloc(1, sizeof(*out));
	if (!buf || !out)
		goto out;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (p = strtok_r(buf, "\n", &save); p && n < MAX_LINES;
	     p = strtok_r(NULL, "\n", &save))
		lines[n++] = p;
	for (size_t i = 0; i < n; i++)
		check_round_trip(lines[i], &all_ok);
	ret = filter_compile(lines, n, out, err, sizeof(err));
	/* More rules than the map holds is the one other reason to fail. */
	if (!ret != (all_ok && n <= AFXDP_MAX_RULES))
		abort();
	if (!ret && out->nr_rules != (n ? n : 1))
		abort();
out:
	free(out);
	free(buf);
	return 0;
}
