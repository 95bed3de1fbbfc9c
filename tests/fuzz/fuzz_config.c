// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the agent's YAML configuration (guest/config.c).
 * The input is a config file's text; whatever parses is then validated,
 * and every config is freed (LeakSanitizer checks the error paths). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/config.h"
#include "util/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(-1); /* the parser logs nothing we need here */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agent_config cfg;
	char err[CFG_ERR_LEN];
	char *text;

	/* config_load_string takes a C string: cut at the first NUL. */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	config_init(&cfg);
	err[0] = '\0';
	if (!config_load_string(&cfg, text, err, sizeof(err))) {
		err[0] = '\0';
		config_validate(&cfg, err, sizeof(err));
	}
	/* Every message must be a terminated string within err. */
	if (strnlen(err, sizeof(err)) == sizeof(err))
		abort();
	config_free(&cfg);
	free(text);
	return 0;
}
