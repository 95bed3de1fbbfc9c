/* SPDX-License-Identifier: GPL-2.0 */
/* What a libyaml node is, in the words both tools' YAML parsers (the
 * agent's config, the host's plan) use in their messages. */
#ifndef UTIL_YAML_KIND_H
#define UTIL_YAML_KIND_H

#include <yaml.h>

/* "a scalar", "a list", "a mapping" or "nothing". */
const char *yaml_node_kind(const yaml_node_t *n);

#endif
