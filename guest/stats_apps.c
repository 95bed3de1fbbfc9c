// SPDX-License-Identifier: GPL-2.0
/*
 * The applications' counters in each rendering: per claim, what
 * afxdp_steer did with the frames on its queues (redirected to its socket,
 * passed because its filter did not select them, or matched with no socket
 * there yet) and how its endpoint's exchanges ended.
 */
#include <inttypes.h>
#include <stdio.h>
#include <json-c/json.h>

#include "guest/stats.h"
#include "guest/stats_out.h"

static void queue_list(char *buf, size_t len, const struct app_snapshot *a)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i < a->nr_queues && pos < len; i++) {
		int n = snprintf(buf + pos, len - pos, "%s%u", i ? "," : "",
				 a->queues[i]);

		if (n < 0)
			return;
		pos += (size_t)n;
	}
}

void stats_apps_text(const struct stats_report *r, struct out *o)
{
	for (size_t i = 0; i < r->nr_apps; i++) {
		const struct app_snapshot *a = &r->apps[i];
		char q[CFG_MAX_QUEUES * 4];

		queue_list(q, sizeof(q), a);
		emit(o,
		     "  app %s %s queues %s %s %s prog redirected %" PRIu64
		     " passed %" PRIu64 " no_socket %" PRIu64
		     " exchanges served %" PRIu64 " fds_sent %" PRIu64
		     " refused %" PRIu64 " failed %" PRIu64 " naks %" PRIu64
		     "\n",
		     a->name, a->ifname, q, a->endpoint, a->path,
		     a->prog[AFXDP_CNT_REDIRECTED], a->prog[AFXDP_CNT_PASSED],
		     a->prog[AFXDP_CNT_NO_SOCKET], a->ex.served, a->ex.fds_sent,
		     a->ex.refused, a->ex.failed, a->ex.naks);
	}
}

struct json_object *stats_apps_json(const struct stats_report *r)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < r->nr_apps; i++) {
		const struct app_snapshot *a = &r->apps[i];
		struct json_object *o = json_object_new_object();
		struct json_object *q = json_object_new_array();
		struct json_object *prog = json_object_new_object();
		struct json_object *ex = json_object_new_object();

		if (!o || !q || !prog || !ex) {
			json_object_put(o);
			json_object_put(q);
			json_object_put(prog);
			json_object_put(ex);
			json_object_put(arr);
			return NULL;
		}
		json_object_object_add(o, "name",
				       json_object_new_string(a->name));
		json_object_object_add(o, "ifname",
				       json_object_new_string(a->ifname));
		for (uint32_t k = 0; k < a->nr_queues; k++)
			json_object_array_add(q,
					      json_object_new_int64(a->queues[k]));
		json_object_object_add(o, "queues", q);
		json_object_object_add(o, "endpoint",
				       json_object_new_string(a->endpoint));
		json_object_object_add(o, "path",
				       json_object_new_string(a->path));
		add_u64(prog, "redirected", a->prog[AFXDP_CNT_REDIRECTED]);
		add_u64(prog, "passed", a->prog[AFXDP_CNT_PASSED]);
		add_u64(prog, "no_socket", a->prog[AFXDP_CNT_NO_SOCKET]);
		json_object_object_add(o, "prog", prog);
		add_u64(ex, "served", a->ex.served);
		add_u64(ex, "fds_sent", a->ex.fds_sent);
		add_u64(ex, "refused", a->ex.refused);
		add_u64(ex, "failed", a->ex.failed);
		add_u64(ex, "naks", a->ex.naks);
		json_object_object_add(o, "exchanges", ex);
		json_object_array_add(arr, o);
	}
	return arr;
}

static void sample(struct out *o, const char *name,
		   const struct app_snapshot *a, const char *extra, uint64_t v)
{
	emit(o, "afxdp_%s{app=\"", name);
	emit_label(o, a->name);
	emit(o, "\",ifname=\"");
	emit_label(o, a->ifname);
	emit(o, "\"%s} %" PRIu64 "\n", extra ? extra : "", v);
}

void stats_apps_prometheus(const struct stats_report *r, struct out *o)
{
	static const struct {
		const char *name, *help;
		int cnt;
	} prog[] = {
		{ "app_redirected_total",
		  "Frames steered to the application's socket.",
		  AFXDP_CNT_REDIRECTED },
		{ "app_passed_total",
		  "Frames on the application's queues its filter did not select (to the kernel).",
		  AFXDP_CNT_PASSED },
		{ "app_no_socket_total",
		  "Frames the application's filter selected on a queue where it had no socket (to the kernel).",
		  AFXDP_CNT_NO_SOCKET },
	};

	if (!r->nr_apps)
		return;
	for (size_t m = 0; m < sizeof(prog) / sizeof(prog[0]); m++) {
		head(o, prog[m].name, "counter", prog[m].help);
		for (size_t i = 0; i < r->nr_apps; i++)
			sample(o, prog[m].name, &r->apps[i], NULL,
			       r->apps[i].prog[prog[m].cnt]);
	}
	head(o, "app_exchanges_total", "counter",
	     "Device-plugin exchanges on the application's endpoint, by result.");
	for (size_t i = 0; i < r->nr_apps; i++) {
		const struct app_snapshot *a = &r->apps[i];

		sample(o, "app_exchanges_total", a, ",result=\"served\"",
		       a->ex.served);
		sample(o, "app_exchanges_total", a, ",result=\"refused\"",
		       a->ex.refused);
		sample(o, "app_exchanges_total", a, ",result=\"failed\"",
		       a->ex.failed);
	}
	head(o, "app_fds_sent_total", "counter",
	     "XSKMAP file descriptors handed to the application.");
	for (size_t i = 0; i < r->nr_apps; i++)
		sample(o, "app_fds_sent_total", &r->apps[i], NULL,
		       r->apps[i].ex.fds_sent);
}
