// SPDX-License-Identifier: GPL-2.0
/* `afxdp-agent ctl status` for people: the status JSON summarised, a line
 * per port, queue and application. Absent members print as 0 or "?": an
 * agent of a later version may have moved them. */
#include <inttypes.h>
#include <stdio.h>
#include <json-c/json.h>

#include "guest/ctl_client.h"

static struct json_object *get(struct json_object *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = 0;

		while (path[n] && path[n] != '.' && n < sizeof(key) - 1) {
			key[n] = path[n];
			n++;
		}
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

static const char *str(struct json_object *o, const char *path)
{
	struct json_object *v = get(o, path);

	return v ? json_object_get_string(v) : "?";
}

static int64_t num(struct json_object *o, const char *path)
{
	return json_object_get_int64(get(o, path));
}

static void duration(double s, FILE *out)
{
	uint64_t t = (uint64_t)s;

	if (t >= 86400)
		fprintf(out, "%" PRIu64 "d", t / 86400);
	fprintf(out, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, t / 3600 % 24,
		t / 60 % 60, t % 60);
}

static void list(struct json_object *arr, const char *none, const char *sep,
		 FILE *out)
{
	size_t n = json_object_is_type(arr, json_type_array) ?
			   json_object_array_length(arr) :
			   0;

	if (!n)
		fputs(arr && !json_object_is_type(arr, json_type_array) ?
			      json_object_get_string(arr) :
			      none,
		      out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? sep : "",
			json_object_get_string(
				json_object_array_get_idx(arr, i)));
}

static void counters(struct json_object *o, FILE *out)
{
	fprintf(out,
		"rx %" PRId64 " tx %" PRId64 " completed %" PRId64
		" drops %" PRId64 " lost %" PRId64 " (%.0f/%.0f pps)\n",
		num(o, "rx_packets"), num(o, "tx_packets"),
		num(o, "tx_completed"),
		num(o, "drops") ?
			num(o, "drops") :
			num(o, "drops.tx_ring_full") + num(o, "drops.no_frame"),
		num(o, "lost"), json_object_get_double(get(o, "rx_pps")),
		json_object_get_double(get(o, "tx_pps")));
}

static size_t len(struct json_object *arr)
{
	return json_object_is_type(arr, json_type_array) ?
		       json_object_array_length(arr) :
		       0;
}

void ctl_print_status(struct json_object *j, FILE *out)
{
	struct json_object *a;

	fprintf(out, "afxdp-agent %s, pid %" PRId64 ", mode %s, up ",
		str(j, "agent.version"), num(j, "agent.pid"), str(j, "mode"));
	duration(json_object_get_double(get(j, "uptime_s")), out);
	if (num(j, "handovers") > 0) {
		/* Counters count from the data path's start, not ours. */
		fprintf(out, "; data path up ");
		duration(json_object_get_double(get(j, "data_path_uptime_s")),
			 out);
		fprintf(out, " through %" PRId64 " handover%s",
			num(j, "handovers"),
			num(j, "handovers") == 1 ? "" : "s");
	}
	fprintf(out, "\nconfig %s, control protocol %" PRId64 "\n",
		get(j, "agent.config") ? str(j, "agent.config") : "(none)",
		num(j, "agent.protocol"));
	fputs("filter: ", out);
	list(get(j, "config.filter"), "all", "; ", out);
	fprintf(out, " (unmatched: %s)\n", str(j, "config.unmatched"));
	a = get(j, "ports");
	for (size_t i = 0; i < len(a); i++) {
		struct json_object *p = json_object_array_get_idx(a, i);

		fprintf(out,
			"port %s: XDP %s%s, link %s; redirected %" PRId64
			" passed %" PRId64 " no_socket %" PRId64
			" forwarded %" PRId64 " dropped %" PRId64 "\n",
			str(p, "ifname"), str(p, "xdp_mode"),
			json_object_get_boolean(get(p, "multiprog")) ?
				" (dispatcher)" :
				"",
			json_object_get_boolean(get(p, "link_up")) ? "up" :
								     "down",
			num(p, "prog.redirected"), num(p, "prog.passed"),
			num(p, "prog.no_socket"), num(p, "prog.forwarded"),
			num(p, "prog.dropped"));
	}
	a = get(j, "queues");
	for (size_t i = 0; i < len(a); i++) {
		struct json_object *q = json_object_array_get_idx(a, i);

		fprintf(out, "  queue %s/%" PRId64 " %s: ", str(q, "ifname"),
			num(q, "queue"), str(q, "socket_mode"));
		counters(q, out);
	}
	if (get(j, "totals")) {
		fputs("total: ", out);
		counters(get(j, "totals"), out);
	}
	a = get(j, "apps");
	for (size_t i = 0; i < len(a); i++) {
		struct json_object *p = json_object_array_get_idx(a, i);

		fprintf(out, "app %s on %s queues ", str(p, "name"),
			str(p, "ifname"));
		list(get(p, "queues"), "all", ",", out);
		fprintf(out,
			" (%s %s): redirected %" PRId64 " passed %" PRId64
			" no_socket %" PRId64 "; exchanges served %" PRId64
			" refused %" PRId64 " failed %" PRId64 "\n",
			str(p, "endpoint"), str(p, "path"),
			num(p, "prog.redirected"), num(p, "prog.passed"),
			num(p, "prog.no_socket"), num(p, "exchanges.served"),
			num(p, "exchanges.refused"),
			num(p, "exchanges.failed"));
	}
}
