// SPDX-License-Identifier: GPL-2.0
/*
 * Stats rendering: text for people, JSON (json-c) for tools, Prometheus
 * text exposition for scrapers. Pure functions of a stats_report so they are
 * unit-tested without sockets; nothing here runs on the data path.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "guest/stats.h"
#include "guest/stats_out.h"

void stats_sum(const struct stats_report *r, struct xsk_counters *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (size_t i = 0; i < r->nr_queues; i++) {
		const struct xsk_counters *c = &r->queues[i].c;

		sum->rx_packets += c->rx_packets;
		sum->rx_bytes += c->rx_bytes;
		sum->tx_packets += c->tx_packets;
		sum->tx_bytes += c->tx_bytes;
		sum->tx_completed += c->tx_completed;
		sum->drop_tx_ring_full += c->drop_tx_ring_full;
		sum->drop_no_frame += c->drop_no_frame;
		sum->drop_teardown += c->drop_teardown;
		sum->fill_starved += c->fill_starved;
		sum->kicks += c->kicks;
		sum->csum_fixed += c->csum_fixed;
	}
}

uint64_t stats_drops(const struct xsk_counters *c)
{
	/* Frames received and never submitted; drop_teardown is a subset of
	 * tx_packets (submitted, never completed) and reported on its own. */
	return c->drop_tx_ring_full + c->drop_no_frame;
}

void stats_xs_sum(const struct stats_report *r, struct xdp_statistics *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (size_t i = 0; i < r->nr_queues; i++) {
		const struct xdp_statistics *x = &r->queues[i].xs;

		if (!r->queues[i].xs_valid)
			continue;
		sum->rx_dropped += x->rx_dropped;
		sum->rx_invalid_descs += x->rx_invalid_descs;
		sum->tx_invalid_descs += x->tx_invalid_descs;
		sum->rx_ring_full += x->rx_ring_full;
		sum->rx_fill_ring_empty_descs += x->rx_fill_ring_empty_descs;
		sum->tx_ring_empty_descs += x->tx_ring_empty_descs;
	}
}

void stats_loss(const struct xsk_counters *c, const struct xdp_statistics *xs,
		struct stats_loss *out)
{
	memset(out, 0, sizeof(*out));
	out->agent = stats_drops(c);
	if (xs) {
		out->rx_dropped = xs->rx_dropped;
		out->rx_ring_full = xs->rx_ring_full;
		out->tx_invalid = xs->tx_invalid_descs;
		out->fill_empty = xs->rx_fill_ring_empty_descs;
	}
	out->lost = out->agent + out->rx_dropped + out->rx_ring_full +
		    out->tx_invalid;
}

/* Loss over all sockets. */
static void total_loss(const struct stats_report *r, struct stats_loss *out)
{
	struct xdp_statistics xs;
	struct xsk_counters sum;

	stats_sum(r, &sum);
	stats_xs_sum(r, &xs);
	stats_loss(&sum, &xs, out);
}

static void queue_loss(const struct queue_snapshot *q, struct stats_loss *out)
{
	stats_loss(&q->c, q->xs_valid ? &q->xs : NULL, out);
}

/* Per-second rate of a counter; 0 without a previous report or when the
 * counter went backwards (socket re-created after a link flap). */
static double rate(uint64_t now, uint64_t before, double interval_s)
{
	if (interval_s <= 0 || now < before)
		return 0;
	return (double)(now - before) / interval_s;
}

struct rates {
	double rx_pps, tx_pps, rx_mbps, tx_mbps;
};

static void queue_rates(const struct stats_report *r, size_t i,
			struct rates *out)
{
	const struct xsk_counters *c = &r->queues[i].c, *p;

	memset(out, 0, sizeof(*out));
	if (!r->prev || r->interval_s <= 0)
		return;
	p = &r->prev[i].c;
	out->rx_pps = rate(c->rx_packets, p->rx_packets, r->interval_s);
	out->tx_pps = rate(c->tx_packets, p->tx_packets, r->interval_s);
	out->rx_mbps = rate(c->rx_bytes, p->rx_bytes, r->interval_s) * 8 / 1e6;
	out->tx_mbps = rate(c->tx_bytes, p->tx_bytes, r->interval_s) * 8 / 1e6;
}

static void total_rates(const struct stats_report *r, struct rates *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < r->nr_queues; i++) {
		struct rates q;

		queue_rates(r, i, &q);
		out->rx_pps += q.rx_pps;
		out->tx_pps += q.tx_pps;
		out->rx_mbps += q.rx_mbps;
		out->tx_mbps += q.tx_mbps;
	}
}

static const char *xdp_mode_str(const struct port_snapshot *p)
{
	return p->xdp_mode ? p->xdp_mode : "none";
}

int stats_format_text(const struct stats_report *r, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };
	struct xsk_counters sum;
	struct stats_loss tl;
	struct rates tr;

	if (!buf || !len)
		return -EINVAL;
	buf[0] = '\0';
	stats_sum(r, &sum);
	total_rates(r, &tr);
	total_loss(r, &tl);
	emit(&o,
	     "%s mode %s uptime %.1fs rx %" PRIu64 " tx %" PRIu64
	     " drops %" PRIu64 " lost %" PRIu64
	     " (drops + socket rx_dropped %" PRIu64 " rx_ring_full %" PRIu64
	     " tx_invalid %" PRIu64 ") fill_starved %" PRIu64
	     " fill_empty %" PRIu64 " rx_pps %.0f tx_pps %.0f\n",
	     r->final ? "final" : "stats", r->mode ? r->mode : "?", r->uptime_s,
	     sum.rx_packets, sum.tx_packets, tl.agent, tl.lost, tl.rx_dropped,
	     tl.rx_ring_full, tl.tx_invalid, sum.fill_starved, tl.fill_empty,
	     tr.rx_pps, tr.tx_pps);
	for (size_t i = 0; i < r->nr_ports; i++) {
		const struct port_snapshot *p = &r->ports[i];

		emit(&o,
		     "  port %s xdp %s%s link %s prog redirected %" PRIu64
		     " passed %" PRIu64 " no_socket %" PRIu64
		     " forwarded %" PRIu64 " dropped %" PRIu64 "\n",
		     p->ifname, xdp_mode_str(p),
		     p->multiprog ? " (multiprog)" : "",
		     p->link_up ? "up" : "down", p->prog[AFXDP_CNT_REDIRECTED],
		     p->prog[AFXDP_CNT_PASSED], p->prog[AFXDP_CNT_NO_SOCKET],
		     p->prog[AFXDP_CNT_FORWARDED], p->prog[AFXDP_CNT_DROPPED]);
	}
	for (size_t i = 0; i < r->nr_queues; i++) {
		const struct queue_snapshot *q = &r->queues[i];
		const struct xsk_counters *c = &q->c;
		struct stats_loss ql;
		struct rates qr;

		queue_rates(r, i, &qr);
		queue_loss(q, &ql);
		emit(&o,
		     "  %s/%u %s rx %" PRIu64 " tx %" PRIu64 " (%.0f/%.0f pps,"
		     " %.1f/%.1f Mbit/s) completed %" PRIu64
		     " drops tx_ring_full %" PRIu64 " no_frame %" PRIu64
		     " teardown %" PRIu64 " fill_starved %" PRIu64
		     " kicks %" PRIu64 " lost %" PRIu64,
		     q->ifname, q->queue, q->zero_copy ? "zc" : "copy",
		     c->rx_packets, c->tx_packets, qr.rx_pps, qr.tx_pps,
		     qr.rx_mbps, qr.tx_mbps, c->tx_completed,
		     c->drop_tx_ring_full, c->drop_no_frame, c->drop_teardown,
		     c->fill_starved, c->kicks, ql.lost);
		if (q->xs_valid)
			emit(&o,
			     " xdp rx_dropped %llu rx_invalid %llu tx_invalid %llu"
			     " rx_ring_full %llu fill_empty %llu tx_empty %llu",
			     (unsigned long long)q->xs.rx_dropped,
			     (unsigned long long)q->xs.rx_invalid_descs,
			     (unsigned long long)q->xs.tx_invalid_descs,
			     (unsigned long long)q->xs.rx_ring_full,
			     (unsigned long long)q->xs.rx_fill_ring_empty_descs,
			     (unsigned long long)q->xs.tx_ring_empty_descs);
		emit(&o, "\n");
	}
	stats_apps_text(r, &o);
	return finish(&o);
}

void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	/* json-c stores int64; counters never get near 2^63 */
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

static void add_double(struct json_object *o, const char *key, double v)
{
	json_object_object_add(o, key, json_object_new_double(v));
}

static struct json_object *xs_json(const struct xdp_statistics *x)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	add_u64(o, "rx_dropped", x->rx_dropped);
	add_u64(o, "rx_invalid_descs", x->rx_invalid_descs);
	add_u64(o, "tx_invalid_descs", x->tx_invalid_descs);
	add_u64(o, "rx_ring_full", x->rx_ring_full);
	add_u64(o, "rx_fill_ring_empty_descs", x->rx_fill_ring_empty_descs);
	add_u64(o, "tx_ring_empty_descs", x->tx_ring_empty_descs);
	return o;
}

static struct json_object *drops_json(const struct xsk_counters *c)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	add_u64(o, "tx_ring_full", c->drop_tx_ring_full);
	add_u64(o, "no_frame", c->drop_no_frame);
	add_u64(o, "teardown", c->drop_teardown);
	return o;
}

static struct json_object *loss_json(const struct stats_loss *l)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	add_u64(o, "agent", l->agent);
	add_u64(o, "rx_dropped", l->rx_dropped);
	add_u64(o, "rx_ring_full", l->rx_ring_full);
	add_u64(o, "tx_invalid_descs", l->tx_invalid);
	return o;
}

/* "lost" and "lost_by_cause" (see struct stats_loss). */
static void add_loss(struct json_object *o, const struct stats_loss *l)
{
	add_u64(o, "lost", l->lost);
	json_object_object_add(o, "lost_by_cause", loss_json(l));
}

static void counters_json(struct json_object *o, const struct xsk_counters *c,
			  const struct rates *rt)
{
	add_u64(o, "rx_packets", c->rx_packets);
	add_u64(o, "rx_bytes", c->rx_bytes);
	add_u64(o, "tx_packets", c->tx_packets);
	add_u64(o, "tx_bytes", c->tx_bytes);
	add_u64(o, "tx_completed", c->tx_completed);
	add_double(o, "rx_pps", rt->rx_pps);
	add_double(o, "tx_pps", rt->tx_pps);
	add_double(o, "rx_mbps", rt->rx_mbps);
	add_double(o, "tx_mbps", rt->tx_mbps);
	add_u64(o, "fill_starved", c->fill_starved);
	add_u64(o, "kicks", c->kicks);
	add_u64(o, "csum_fixed", c->csum_fixed);
}

struct json_object *stats_to_json(const struct stats_report *r)
{
	struct json_object *root, *ports, *queues, *totals, *o, *prog;
	struct xdp_statistics xs;
	struct xsk_counters sum;
	struct stats_loss loss;
	struct rates rt;

	root = json_object_new_object();
	ports = json_object_new_array();
	queues = json_object_new_array();
	totals = json_object_new_object();
	if (!root || !ports || !queues || !totals)
		goto err;
	json_object_object_add(
		root, "type",
		json_object_new_string(r->final ? "final" : "stats"));
	add_double(root, "uptime_s", r->uptime_s);
	add_double(root, "data_path_uptime_s", r->data_path_s);
	add_u64(root, "handovers", r->handovers);
	add_double(root, "interval_s", r->interval_s);
	json_object_object_add(root, "mode",
			       json_object_new_string(r->mode ? r->mode : "?"));
	for (size_t i = 0; i < r->nr_ports; i++) {
		const struct port_snapshot *p = &r->ports[i];

		o = json_object_new_object();
		prog = json_object_new_object();
		if (!o || !prog) {
			json_object_put(o);
			json_object_put(prog);
			goto err;
		}
		json_object_object_add(o, "ifname",
				       json_object_new_string(p->ifname));
		json_object_object_add(o, "xdp_mode",
				       json_object_new_string(xdp_mode_str(p)));
		json_object_object_add(o, "multiprog",
				       json_object_new_boolean(p->multiprog));
		json_object_object_add(o, "link_up",
				       json_object_new_boolean(p->link_up));
		add_u64(prog, "redirected", p->prog[AFXDP_CNT_REDIRECTED]);
		add_u64(prog, "passed", p->prog[AFXDP_CNT_PASSED]);
		add_u64(prog, "no_socket", p->prog[AFXDP_CNT_NO_SOCKET]);
		add_u64(prog, "forwarded", p->prog[AFXDP_CNT_FORWARDED]);
		add_u64(prog, "dropped", p->prog[AFXDP_CNT_DROPPED]);
		json_object_object_add(o, "prog", prog);
		json_object_array_add(ports, o);
	}
	for (size_t i = 0; i < r->nr_queues; i++) {
		const struct queue_snapshot *q = &r->queues[i];

		o = json_object_new_object();
		if (!o)
			goto err;
		queue_rates(r, i, &rt);
		json_object_object_add(o, "ifname",
				       json_object_new_string(q->ifname));
		json_object_object_add(o, "queue",
				       json_object_new_int64(q->queue));
		json_object_object_add(
			o, "socket_mode",
			json_object_new_string(q->zero_copy ? "zero-copy" :
							      "copy"));
		counters_json(o, &q->c, &rt);
		json_object_object_add(o, "drops", drops_json(&q->c));
		json_object_object_add(o, "xdp_stats",
				       q->xs_valid ? xs_json(&q->xs) : NULL);
		queue_loss(q, &loss);
		add_loss(o, &loss);
		json_object_array_add(queues, o);
	}
	stats_sum(r, &sum);
	total_rates(r, &rt);
	stats_xs_sum(r, &xs);
	stats_loss(&sum, &xs, &loss);
	counters_json(totals, &sum, &rt);
	add_u64(totals, "drops", stats_drops(&sum));
	json_object_object_add(totals, "drops_by_cause", drops_json(&sum));
	json_object_object_add(totals, "xdp_stats", xs_json(&xs));
	add_loss(totals, &loss);
	json_object_object_add(root, "ports", ports);
	json_object_object_add(root, "queues", queues);
	json_object_object_add(root, "totals", totals);
	if (r->nr_apps)
		json_object_object_add(root, "apps", stats_apps_json(r));
	return root;
err:
	json_object_put(root);
	json_object_put(ports);
	json_object_put(queues);
	json_object_put(totals);
	return NULL;
}

static void queue_sample(struct out *o, const char *name,
			 const struct queue_snapshot *q, const char *extra,
			 uint64_t v)
{
	emit(o, "afxdp_%s{ifname=\"", name);
	emit_label(o, q->ifname);
	emit(o, "\",queue=\"%u\"%s} %" PRIu64 "\n", q->queue,
	     extra ? extra : "", v);
}

static void port_sample(struct out *o, const char *name,
			const struct port_snapshot *p, uint64_t v)
{
	emit(o, "afxdp_%s{ifname=\"", name);
	emit_label(o, p->ifname);
	emit(o, "\"} %" PRIu64 "\n", v);
}

/* Queue counters, by offset so one loop renders them all. */
struct qmetric {
	const char *name, *help;
	size_t off;
	bool xs; /* in struct xdp_statistics, not xsk_counters */
};

#define QC(n, f, h)                                           \
	{                                                     \
		n, h, offsetof(struct xsk_counters, f), false \
	}
#define QX(n, f, h)                                            \
	{                                                      \
		n, h, offsetof(struct xdp_statistics, f), true \
	}

static const struct qmetric qmetrics[] = {
	QC("rx_packets_total", rx_packets,
	   "Frames received on the AF_XDP socket."),
	QC("rx_bytes_total", rx_bytes, "Bytes received on the AF_XDP socket."),
	QC("tx_packets_total", tx_packets, "Frames submitted to the TX ring."),
	QC("tx_bytes_total", tx_bytes, "Bytes submitted to the TX ring."),
	QC("tx_completed_total", tx_completed,
	   "Frames returned on the completion ring."),
	QC("fill_starved_total", fill_starved,
	   "Times the fill ring could not be topped up."),
	QC("kicks_total", kicks, "sendto() wakeups of the kernel."),
	QC("csum_fixed_total", csum_fixed,
	   "Partial TCP/UDP checksums (sender's TX offload) completed."),
	QX("xsk_rx_dropped_total", rx_dropped,
	   "XDP_STATISTICS rx_dropped of the socket."),
	QX("xsk_rx_invalid_descs_total", rx_invalid_descs,
	   "XDP_STATISTICS rx_invalid_descs of the socket."),
	QX("xsk_tx_invalid_descs_total", tx_invalid_descs,
	   "XDP_STATISTICS tx_invalid_descs of the socket."),
	QX("xsk_rx_ring_full_total", rx_ring_full,
	   "XDP_STATISTICS rx_ring_full of the socket."),
	QX("xsk_rx_fill_ring_empty_descs_total", rx_fill_ring_empty_descs,
	   "XDP_STATISTICS rx_fill_ring_empty_descs of the socket."),
	QX("xsk_tx_ring_empty_descs_total", tx_ring_empty_descs,
	   "XDP_STATISTICS tx_ring_empty_descs of the socket."),
};

int stats_format_prometheus(const struct stats_report *r, char *buf, size_t len)
{
	static const char *const prog_names[AFXDP_CNT_MAX] = {
		[AFXDP_CNT_REDIRECTED] = "prog_redirected_total",
		[AFXDP_CNT_PASSED] = "prog_passed_total",
		[AFXDP_CNT_NO_SOCKET] = "prog_no_socket_total",
		[AFXDP_CNT_FORWARDED] = "prog_forwarded_total",
		[AFXDP_CNT_DROPPED] = "prog_dropped_total",
	};
	static const char *const prog_help[AFXDP_CNT_MAX] = {
		[AFXDP_CNT_REDIRECTED] =
			"Frames the XDP program redirected to a socket.",
		[AFXDP_CNT_PASSED] =
			"Frames the XDP program passed to the kernel (no match).",
		[AFXDP_CNT_NO_SOCKET] =
			"Matching frames passed because their queue had no socket.",
		[AFXDP_CNT_FORWARDED] =
			"Frames no rule matched, redirected to the paired port in the kernel.",
		[AFXDP_CNT_DROPPED] =
			"Frames no rule matched, dropped (unmatched: drop).",
	};
	struct out o = { .buf = buf, .len = len };

	if (!buf || !len)
		return -EINVAL;
	buf[0] = '\0';
	head(&o, "uptime_seconds", "gauge", "Seconds since the agent started.");
	emit(&o, "afxdp_uptime_seconds %.3f\n", r->uptime_s);
	head(&o, "data_path_uptime_seconds", "gauge",
	     "Seconds since the first agent set the data path up; the counters count from then, across handovers.");
	emit(&o, "afxdp_data_path_uptime_seconds %.3f\n", r->data_path_s);
	head(&o, "handovers_total", "counter",
	     "Handover restarts the data path went through.");
	emit(&o, "afxdp_handovers_total %u\n", r->handovers);

	head(&o, "port_info", "gauge",
	     "XDP attach mode of a port (value always 1).");
	for (size_t i = 0; i < r->nr_ports; i++) {
		emit(&o, "afxdp_port_info{ifname=\"");
		emit_label(&o, r->ports[i].ifname);
		emit(&o, "\",xdp_mode=\"");
		emit_label(&o, xdp_mode_str(&r->ports[i]));
		emit(&o, "\",multiprog=\"%s\"} 1\n",
		     r->ports[i].multiprog ? "true" : "false");
	}
	head(&o, "link_up", "gauge", "1 when the port's link is up.");
	for (size_t i = 0; i < r->nr_ports; i++)
		port_sample(&o, "link_up", &r->ports[i], r->ports[i].link_up);
	for (int c = 0; c < AFXDP_CNT_MAX; c++) {
		head(&o, prog_names[c], "counter", prog_help[c]);
		for (size_t i = 0; i < r->nr_ports; i++)
			port_sample(&o, prog_names[c], &r->ports[i],
				    r->ports[i].prog[c]);
	}

	head(&o, "zero_copy", "gauge",
	     "1 when the socket runs in zero-copy mode, 0 in copy mode.");
	for (size_t i = 0; i < r->nr_queues; i++)
		queue_sample(&o, "zero_copy", &r->queues[i], NULL,
			     r->queues[i].zero_copy);
	for (size_t m = 0; m < sizeof(qmetrics) / sizeof(qmetrics[0]); m++) {
		const struct qmetric *qm = &qmetrics[m];

		head(&o, qm->name, "counter", qm->help);
		for (size_t i = 0; i < r->nr_queues; i++) {
			const struct queue_snapshot *q = &r->queues[i];
			const char *base = qm->xs ? (const char *)&q->xs :
						    (const char *)&q->c;

			if (qm->xs && !q->xs_valid)
				continue;
			queue_sample(&o, qm->name, q, NULL,
				     *(const uint64_t *)(base + qm->off));
		}
	}
	head(&o, "drops_total", "counter",
	     "Frames the agent dropped, by cause.");
	for (size_t i = 0; i < r->nr_queues; i++) {
		const struct queue_snapshot *q = &r->queues[i];

		queue_sample(&o, "drops_total", q, ",cause=\"tx_ring_full\"",
			     q->c.drop_tx_ring_full);
		queue_sample(&o, "drops_total", q, ",cause=\"no_frame\"",
			     q->c.drop_no_frame);
		queue_sample(&o, "drops_total", q, ",cause=\"teardown\"",
			     q->c.drop_teardown);
	}
	head(&o, "lost_total", "counter",
	     "Frames lost on the socket: agent drops (tx_ring_full, no_frame)"
	     " + XDP_STATISTICS rx_dropped + rx_ring_full + tx_invalid_descs.");
	for (size_t i = 0; i < r->nr_queues; i++) {
		struct stats_loss l;

		queue_loss(&r->queues[i], &l);
		queue_sample(&o, "lost_total", &r->queues[i], NULL, l.lost);
	}
	stats_apps_prometheus(r, &o);
	return finish(&o);
}
