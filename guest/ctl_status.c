// SPDX-License-Identifier: GPL-2.0
/* The status and version bodies of the control protocol (ctl_status.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "guest/ctl_proto.h"
#include "guest/ctl_status.h"
#include "util/json.h"

static struct json_object *agent_json(const struct agent_config *cfg,
				      const char *config_path)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_add_str(o, "version", AFXDP_VERSION);
	json_add_int(o, "protocol", CTL_PROTO_VERSION);
	json_add_int(o, "pid", getpid());
	json_add_int(o, "uid", getuid());
	json_add_str(o, "config", config_path);
	json_add_str(o, "control_socket", cfg->ctl_socket);
	return o;
}

/* A port's configured queues: "all" (every channel) or the list. */
static struct json_object *queues_json(const struct port_config *p)
{
	struct json_object *a;

	if (!p->nr_queues)
		return json_object_new_string("all");
	a = json_object_new_array();
	for (size_t i = 0; a && i < p->nr_queues; i++)
		json_object_array_add(a, json_object_new_int64(p->queues[i]));
	return a;
}

static struct json_object *config_json(const struct agent_config *cfg)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ports = json_object_new_array();
	struct json_object *filter = json_object_new_array();

	if (!o || !ports || !filter) {
		json_object_put(o);
		json_object_put(ports);
		json_object_put(filter);
		return NULL;
	}
	json_add_str(o, "mode", config_mode_name(cfg->mode));
	for (size_t i = 0; i < cfg->nr_ports; i++) {
		struct json_object *p = json_object_new_object();

		if (!p)
			continue;
		json_add_str(p, "ifname", cfg->ports[i].ifname);
		json_object_object_add(p, "queues",
				       queues_json(&cfg->ports[i]));
		json_object_array_add(ports, p);
	}
	json_object_object_add(o, "ports", ports);
	/* No rule: every frame of the bound queues ("all"). */
	for (size_t i = 0; i < cfg->nr_filter_rules; i++)
		json_object_array_add(
			filter, json_object_new_string(cfg->filter_rules[i]));
	json_object_object_add(o, "filter", filter);
	json_add_str(o, "unmatched",
		     config_enum_name("xdp.unmatched", (int)cfg->unmatched));
	json_add_str(o, "fail_open",
		     config_enum_name("xdp.fail_open", (int)cfg->fail_open));
	json_add_str(o, "xdp_mode",
		     config_enum_name("xdp.mode", (int)cfg->xdp_mode));
	json_add_str(o, "zero_copy",
		     config_enum_name("socket.zero_copy", (int)cfg->zero_copy));
	json_add_str(o, "umem",
		     config_enum_name("socket.umem", (int)cfg->umem));
	json_object_object_add(o, "busy_poll",
			       json_object_new_boolean(cfg->busy_poll));
	json_add_int(o, "stats_interval_ms", cfg->stats_interval_ms);
	json_add_str(o, "stats_format",
		     config_enum_name("stats.format", (int)cfg->stats_format));
	return o;
}

struct json_object *ctl_status_json(const struct stats_report *rep,
				    const struct agent_config *cfg,
				    const char *config_path)
{
	struct json_object *j = stats_to_json(rep), *a, *c;

	if (!j)
		return NULL;
	a = agent_json(cfg, config_path);
	c = config_json(cfg);
	if (!a || !c) {
		json_object_put(a);
		json_object_put(c);
		json_object_put(j);
		return NULL;
	}
	json_add_str(j, "type", "status");
	json_object_object_add(j, "agent", a);
	json_object_object_add(j, "config", c);
	return j;
}

char *ctl_version_json(void)
{
	struct json_object *o = json_object_new_object();
	char *s;

	if (!o)
		return NULL;
	json_add_str(o, "version", AFXDP_VERSION);
	json_add_int(o, "protocol", CTL_PROTO_VERSION);
	json_add_int(o, "pid", getpid());
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}
