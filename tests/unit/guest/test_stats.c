// SPDX-License-Identifier: GPL-2.0
/* guest/stats.c and guest/prom.c: sums, text, JSON (parsed back with
 * json-c), Prometheus text, and the /metrics endpoint over a real TCP
 * socket on 127.0.0.1. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <json-c/json.h>
#include <cmocka.h>

#include "guest/stats.h"

static struct port_snapshot ports[2];
static struct queue_snapshot cur[3], prev[3];

/* Two ports, three queues; prev is one second earlier. */
static struct stats_report make_report(bool with_prev)
{
	struct stats_report r = {
		.uptime_s = 12.5,
		.data_path_s = 3600.25,
		.handovers = 7,
		.interval_s = with_prev ? 2.0 : 0,
		.mode = "fwd",
		.ports = ports,
		.nr_ports = 2,
		.queues = cur,
		.prev = with_prev ? prev : NULL,
		.nr_queues = 3,
	};

	memset(ports, 0, sizeof(ports));
	memset(cur, 0, sizeof(cur));
	memset(prev, 0, sizeof(prev));
	strcpy(ports[0].ifname, "veth0");
	ports[0].xdp_mode = "native";
	ports[0].multiprog = false;
	ports[0].link_up = true;
	ports[0].prog[AFXDP_CNT_REDIRECTED] = 1000;
	ports[0].prog[AFXDP_CNT_PASSED] = 7;
	ports[0].prog[AFXDP_CNT_NO_SOCKET] = 3;
	ports[0].prog[AFXDP_CNT_FORWARDED] = 9;
	ports[0].prog[AFXDP_CNT_DROPPED] = 2;
	strcpy(ports[1].ifname, "veth1");
	ports[1].xdp_mode = "skb";
	ports[1].multiprog = true;
	ports[1].link_up = false;
	ports[1].prog[AFXDP_CNT_REDIRECTED] = 500;

	for (int i = 0; i < 3; i++) {
		struct xsk_counters *c = &cur[i].c;

		strcpy(cur[i].ifname, i < 2 ? "veth0" : "veth1");
		cur[i].queue = i < 2 ? (uint32_t)i : 0;
		cur[i].zero_copy = i == 1;
		c->rx_packets = 1000 * (i + 1);
		c->rx_bytes = 64000 * (i + 1);
		c->tx_packets = 900 * (i + 1);
		c->tx_bytes = 57600 * (i + 1);
		c->tx_completed = 890 * (i + 1);
		c->drop_tx_ring_full = 50 * (i + 1);
		/* rx = tx + ring_full + no_frame; teardown is part of tx */
		c->drop_no_frame = 50 * (i + 1);
		c->drop_teardown = 20 * (i + 1);
		c->fill_starved = i;
		c->kicks = 10 + i;
		c->csum_fixed = 5 + i;
		cur[i].xs_valid = i != 2;
		cur[i].xs.rx_dropped = 1 + i;
		cur[i].xs.rx_invalid_descs = 2 + i;
		cur[i].xs.tx_invalid_descs = 3 + i;
		cur[i].xs.rx_ring_full = 4 + i;
		cur[i].xs.rx_fill_ring_empty_descs = 5 + i;
		cur[i].xs.tx_ring_empty_descs = 6 + i;
		prev[i] = cur[i];
		/* 2 s ago: 200 fewer rx packets, 12800 fewer rx bytes */
		prev[i].c.rx_packets -= 200;
		prev[i].c.rx_bytes -= 12800;
		prev[i].c.tx_packets -= 100;
		prev[i].c.tx_bytes -= 25000;
	}
	return r;
}

static void test_sum_and_drops(void **state)
{
	struct stats_report r = make_report(false);
	struct xsk_counters sum;

	(void)state;
	stats_sum(&r, &sum);
	assert_int_equal(sum.rx_packets, 6000);
	assert_int_equal(sum.rx_bytes, 384000);
	assert_int_equal(sum.tx_packets, 5400);
	assert_int_equal(sum.tx_bytes, 345600);
	assert_int_equal(sum.tx_completed, 5340);
	assert_int_equal(sum.drop_tx_ring_full, 300);
	assert_int_equal(sum.drop_no_frame, 300);
	assert_int_equal(sum.drop_teardown, 120);
	assert_int_equal(sum.fill_starved, 3);
	assert_int_equal(sum.kicks, 33);
	assert_int_equal(sum.csum_fixed, 18);
	assert_int_equal(stats_drops(&sum), 600);
	/* the invariant the integration tests reconcile */
	assert_int_equal(sum.rx_packets, sum.tx_packets + stats_drops(&sum));
	r.nr_queues = 0;
	stats_sum(&r, &sum);
	assert_int_equal(sum.rx_packets, 0);
	assert_int_equal(stats_drops(&sum), 0);
}

/* lost = agent drops + the kernel's rx_dropped + rx_ring_full +
 * tx_invalid_descs; fill_empty is shown, never added. */
static void test_loss(void **state)
{
	struct xsk_counters c = { .rx_packets = 1000,
				  .tx_packets = 900,
				  .drop_tx_ring_full = 60,
				  .drop_no_frame = 40,
				  .drop_teardown = 25,
				  .fill_starved = 9 };
	struct xdp_statistics xs = { .rx_dropped = 7,
				     .rx_invalid_descs = 1000,
				     .tx_invalid_descs = 2,
				     .rx_ring_full = 62241,
				     .rx_fill_ring_empty_descs = 892,
				     .tx_ring_empty_descs = 5000 };
	struct stats_report r = make_report(false);
	struct xdp_statistics sum_xs;
	struct xsk_counters sum;
	struct stats_loss l;

	(void)state;
	/* the case: the agent dropped nothing, the socket did */
	stats_loss(&(struct xsk_counters){ .rx_packets = 5 }, &xs, &l);
	assert_int_equal(l.agent, 0);
	assert_int_equal(l.lost, 7 + 62241 + 2);
	assert_int_equal(l.fill_empty, 892);

	stats_loss(&c, &xs, &l);
	assert_int_equal(l.agent, 100);
	assert_int_equal(l.rx_dropped, 7);
	assert_int_equal(l.rx_ring_full, 62241);
	assert_int_equal(l.tx_invalid, 2);
	assert_int_equal(l.fill_empty, 892);
	/* teardown, rx_invalid_descs, tx_ring_empty_descs: not frames lost */
	assert_int_equal(l.lost, 100 + 7 + 62241 + 2);

	/* a socket without XDP_STATISTICS: the agent's drops only */
	stats_loss(&c, NULL, &l);
	assert_int_equal(l.lost, 100);
	assert_int_equal(l.rx_ring_full, 0);
	assert_int_equal(l.fill_empty, 0);

	/* totals: sockets without XDP_STATISTICS add none of theirs */
	stats_sum(&r, &sum);
	stats_xs_sum(&r, &sum_xs);
	assert_int_equal(sum_xs.rx_dropped, 1 + 2);
	assert_int_equal(sum_xs.rx_ring_full, 4 + 5);
	assert_int_equal(sum_xs.tx_invalid_descs, 3 + 4);
	assert_int_equal(sum_xs.rx_fill_ring_empty_descs, 5 + 6);
	stats_loss(&sum, &sum_xs, &l);
	assert_int_equal(l.lost, 600 + 3 + 9 + 7);
	/* the total is the sum of the sockets' losses */
	{
		uint64_t per_queue = 0;

		for (size_t i = 0; i < r.nr_queues; i++) {
			stats_loss(&r.queues[i].c,
				   r.queues[i].xs_valid ? &r.queues[i].xs :
							  NULL,
				   &l);
			per_queue += l.lost;
		}
		assert_int_equal(per_queue, 619);
	}
	r.nr_queues = 0;
	stats_xs_sum(&r, &sum_xs);
	stats_sum(&r, &sum);
	stats_loss(&sum, &sum_xs, &l);
	assert_int_equal(l.lost, 0);
}

static char *find_line(char *text, const char *start)
{
	for (char *l = text; l && *l;
	     l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, start, strlen(start)))
			return l;
	return NULL;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_text(void **state)
{
	struct stats_report r = make_report(true);
	char buf[4096], *l;
	int n;

	(void)state;
	n = stats_format_text(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(n, (int)strlen(buf));
	/* header, 2 ports, 3 queues */
	assert_int_equal(count_lines(buf), 6);
	/* 300 rx pps = 3 queues x 200 pkts / 2 s */
	assert_non_null(strstr(
		buf,
		"stats mode fwd uptime 12.5s rx 6000 tx 5400 drops 600 lost 619 (drops + socket rx_dropped 3 rx_ring_full 9 tx_invalid 7) fill_starved 3 fill_empty 11 rx_pps 300 tx_pps 150\n"));
	l = find_line(buf, "  port veth0 ");
	assert_non_null(l);
	assert_true(!strncmp(
		l,
		"  port veth0 xdp native link up prog redirected 1000 passed 7 no_socket 3 forwarded 9 dropped 2\n",
		strlen("  port veth0 xdp native link up prog redirected 1000 passed 7 no_socket 3 forwarded 9 dropped 2\n")));
	assert_non_null(strstr(
		buf,
		"  port veth1 xdp skb (multiprog) link down prog redirected 500 passed 0 no_socket 0 forwarded 0 dropped 0\n"));
	/* queue 0: 200 pkts and 12800 B over 2 s: 100 pps, 0.0512 Mbit/s;
	 * tx: 50 pps, 25000 B -> 0.1 Mbit/s */
	l = find_line(buf, "  veth0/0 copy ");
	assert_non_null(l);
	assert_non_null(strstr(
		l,
		"rx 1000 tx 900 (100/50 pps, 0.1/0.1 Mbit/s) completed 890 drops tx_ring_full 50 no_frame 50 teardown 20 fill_starved 0 kicks 10 lost 108 xdp rx_dropped 1 rx_invalid 2 tx_invalid 3 rx_ring_full 4 fill_empty 5 tx_empty 6\n"));
	l = find_line(buf, "  veth0/1 zc ");
	assert_non_null(l);
	/* no XDP_STATISTICS for the third socket: no xdp fields */
	l = find_line(buf, "  veth1/0 copy ");
	assert_non_null(l);
	assert_null(strstr(l, "xdp rx_dropped"));
	assert_non_null(strstr(l, " kicks 12 lost 300\n"));

	/* without a previous report the rates are 0 */
	r = make_report(false);
	r.final = true;
	assert_true(stats_format_text(&r, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(
		buf,
		"final mode fwd uptime 12.5s rx 6000 tx 5400 drops 600 lost 619 (drops + socket rx_dropped 3 rx_ring_full 9 tx_invalid 7) fill_starved 3 fill_empty 11 rx_pps 0 tx_pps 0\n"));
	assert_non_null(strstr(buf, "(0/0 pps, 0.0/0.0 Mbit/s)"));

	/* a counter that went backwards (socket re-created) rates as 0 */
	r = make_report(true);
	prev[0].c.rx_packets = 5000;
	assert_true(stats_format_text(&r, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(find_line(buf, "  veth0/0 "), "(0/50 pps"));

	/* too small: -ENOSPC, only whole lines kept */
	r = make_report(true);
	n = stats_format_text(&r, buf, 300);
	assert_int_equal(n, -ENOSPC);
	assert_true(strlen(buf) < 300);
	assert_true(strlen(buf) > 0);
	assert_int_equal(buf[strlen(buf) - 1], '\n');
	assert_int_equal(stats_format_text(&r, buf, 0), -EINVAL);
}

static int64_t jint(struct json_object *o, const char *path)
{
	char copy[128], *tok, *save = NULL;
	struct json_object *at = o;

	snprintf(copy, sizeof(copy), "%s", path);
	for (tok = strtok_r(copy, ".", &save); tok;
	     tok = strtok_r(NULL, ".", &save)) {
		struct json_object *next;

		if (json_object_is_type(at, json_type_array))
			next = json_object_array_get_idx(at, atoi(tok));
		else if (!json_object_object_get_ex(at, tok, &next))
			next = NULL;
		if (!next)
			fail_msg("no %s in JSON (at %s)", path, tok);
		at = next;
	}
	return json_object_get_int64(at);
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, key, &v));
	return v;
}

static void test_json(void **state)
{
	struct stats_report r = make_report(true);
	struct json_object *o, *back, *q, *p;
	const char *text;

	(void)state;
	o = stats_to_json(&r);
	assert_non_null(o);
	/* round trip through the text the agent prints */
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	assert_null(strchr(text, '\n'));
	back = json_tokener_parse(text);
	assert_non_null(back);
	json_object_put(o);

	assert_string_equal(json_object_get_string(jget(back, "type")),
			    "stats");
	assert_string_equal(json_object_get_string(jget(back, "mode")), "fwd");
	assert_true(json_object_get_double(jget(back, "uptime_s")) == 12.5);
	/* the data path's age and handovers (handover version 2) */
	assert_true(json_object_get_double(jget(back, "data_path_uptime_s")) ==
		    3600.25);
	assert_int_equal(json_object_get_int64(jget(back, "handovers")), 7);

	assert_int_equal(json_object_array_length(jget(back, "ports")), 2);
	p = json_object_array_get_idx(jget(back, "ports"), 0);
	assert_string_equal(json_object_get_string(jget(p, "ifname")), "veth0");
	assert_string_equal(json_object_get_string(jget(p, "xdp_mode")),
			    "native");
	assert_false(json_object_get_boolean(jget(p, "multiprog")));
	assert_true(json_object_get_boolean(jget(p, "link_up")));
	assert_int_equal(jint(back, "ports.0.prog.redirected"), 1000);
	assert_int_equal(jint(back, "ports.0.prog.passed"), 7);
	assert_int_equal(jint(back, "ports.0.prog.no_socket"), 3);
	assert_int_equal(jint(back, "ports.0.prog.forwarded"), 9);
	assert_int_equal(jint(back, "ports.0.prog.dropped"), 2);
	p = json_object_array_get_idx(jget(back, "ports"), 1);
	assert_true(json_object_get_boolean(jget(p, "multiprog")));
	assert_false(json_object_get_boolean(jget(p, "link_up")));
	assert_string_equal(json_object_get_string(jget(p, "xdp_mode")), "skb");

	assert_int_equal(json_object_array_length(jget(back, "queues")), 3);
	q = json_object_array_get_idx(jget(back, "queues"), 1);
	assert_string_equal(json_object_get_string(jget(q, "ifname")), "veth0");
	assert_int_equal(json_object_get_int(jget(q, "queue")), 1);
	assert_string_equal(json_object_get_string(jget(q, "socket_mode")),
			    "zero-copy");
	assert_int_equal(jint(back, "queues.1.rx_packets"), 2000);
	assert_int_equal(jint(back, "queues.1.rx_bytes"), 128000);
	assert_int_equal(jint(back, "queues.1.tx_packets"), 1800);
	assert_int_equal(jint(back, "queues.1.tx_bytes"), 115200);
	assert_int_equal(jint(back, "queues.1.tx_completed"), 1780);
	assert_true(json_object_get_double(jget(q, "rx_pps")) == 100.0);
	assert_true(json_object_get_double(jget(q, "tx_pps")) == 50.0);
	assert_int_equal(jint(back, "queues.1.drops.tx_ring_full"), 100);
	assert_int_equal(jint(back, "queues.1.drops.no_frame"), 100);
	assert_int_equal(jint(back, "queues.1.drops.teardown"), 40);
	assert_int_equal(jint(back, "queues.1.fill_starved"), 1);
	assert_int_equal(jint(back, "queues.1.kicks"), 11);
	assert_int_equal(jint(back, "queues.1.xdp_stats.rx_dropped"), 2);
	assert_int_equal(jint(back, "queues.1.xdp_stats.rx_invalid_descs"), 3);
	assert_int_equal(jint(back, "queues.1.xdp_stats.tx_invalid_descs"), 4);
	assert_int_equal(jint(back, "queues.1.xdp_stats.rx_ring_full"), 5);
	assert_int_equal(
		jint(back, "queues.1.xdp_stats.rx_fill_ring_empty_descs"), 6);
	assert_int_equal(jint(back, "queues.1.xdp_stats.tx_ring_empty_descs"),
			 7);
	q = json_object_array_get_idx(jget(back, "queues"), 0);
	assert_string_equal(json_object_get_string(jget(q, "socket_mode")),
			    "copy");
	/* no XDP_STATISTICS: null, not zeros */
	q = json_object_array_get_idx(jget(back, "queues"), 2);
	assert_null(jget(q, "xdp_stats"));
	assert_int_equal(jint(back, "queues.2.lost"), 300);
	assert_int_equal(jint(back, "queues.2.lost_by_cause.rx_ring_full"), 0);
	assert_int_equal(jint(back, "queues.1.lost"), 200 + 2 + 5 + 4);
	assert_int_equal(jint(back, "queues.1.lost_by_cause.agent"), 200);

	assert_int_equal(jint(back, "totals.rx_packets"), 6000);
	assert_int_equal(jint(back, "totals.tx_packets"), 5400);
	assert_int_equal(jint(back, "totals.tx_completed"), 5340);
	assert_int_equal(jint(back, "totals.drops"), 600);
	assert_int_equal(jint(back, "totals.drops_by_cause.tx_ring_full"), 300);
	assert_int_equal(jint(back, "totals.kicks"), 33);
	assert_int_equal(jint(back, "totals.csum_fixed"), 18);
	/* summed over the two sockets with XDP_STATISTICS: 1+2, 6+7 */
	assert_int_equal(jint(back, "totals.xdp_stats.rx_dropped"), 3);
	assert_int_equal(jint(back, "totals.xdp_stats.tx_ring_empty_descs"),
			 13);
	/* lost: agent drops + rx_dropped + rx_ring_full + tx_invalid_descs */
	assert_int_equal(jint(back, "totals.lost"), 600 + 3 + 9 + 7);
	assert_int_equal(jint(back, "totals.lost_by_cause.agent"), 600);
	assert_int_equal(jint(back, "totals.lost_by_cause.rx_dropped"), 3);
	assert_int_equal(jint(back, "totals.lost_by_cause.rx_ring_full"), 9);
	assert_int_equal(jint(back, "totals.lost_by_cause.tx_invalid_descs"),
			 7);
	/* the existing fields stay */
	assert_int_equal(jint(back, "totals.xdp_stats.rx_ring_full"), 9);
	assert_true(json_object_get_double(
			    jget(jget(back, "totals"), "rx_pps")) == 300.0);
	json_object_put(back);

	r = make_report(false);
	r.final = true;
	o = stats_to_json(&r);
	assert_string_equal(json_object_get_string(jget(o, "type")), "final");
	assert_true(json_object_get_double(jget(jget(o, "totals"), "rx_pps")) ==
		    0.0);
	json_object_put(o);
}

static void test_prometheus(void **state)
{
	struct stats_report r = make_report(true);
	char buf[16384];
	int n, samples = 0;

	(void)state;
	n = stats_format_prometheus(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(n, (int)strlen(buf));
	assert_non_null(strstr(buf, "# HELP afxdp_rx_packets_total "));
	assert_non_null(strstr(buf, "# TYPE afxdp_rx_packets_total counter\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_rx_packets_total{ifname=\"veth0\",queue=\"0\"} 1000\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_rx_packets_total{ifname=\"veth0\",queue=\"1\"} 2000\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_rx_packets_total{ifname=\"veth1\",queue=\"0\"} 3000\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_tx_bytes_total{ifname=\"veth1\",queue=\"0\"} 172800\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_drops_total{ifname=\"veth0\",queue=\"1\",cause=\"no_frame\"} 100\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_xsk_rx_ring_full_total{ifname=\"veth0\",queue=\"0\"} 4\n"));
	assert_non_null(strstr(
		buf, "\nafxdp_lost_total{ifname=\"veth0\",queue=\"1\"} 211\n"));
	assert_non_null(strstr(
		buf, "\nafxdp_lost_total{ifname=\"veth1\",queue=\"0\"} 300\n"));
	/* no XDP_STATISTICS on the third socket: no sample */
	assert_null(
		strstr(buf, "afxdp_xsk_rx_ring_full_total{ifname=\"veth1\""));
	assert_non_null(strstr(
		buf, "\nafxdp_zero_copy{ifname=\"veth0\",queue=\"1\"} 1\n"));
	assert_non_null(strstr(
		buf, "\nafxdp_prog_redirected_total{ifname=\"veth0\"} 1000\n"));
	assert_non_null(strstr(
		buf, "\nafxdp_prog_no_socket_total{ifname=\"veth0\"} 3\n"));
	assert_non_null(strstr(
		buf, "\nafxdp_prog_forwarded_total{ifname=\"veth0\"} 9\n"));
	assert_non_null(strstr(buf, "\nafxdp_link_up{ifname=\"veth1\"} 0\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_port_info{ifname=\"veth1\",xdp_mode=\"skb\",multiprog=\"true\"} 1\n"));
	assert_non_null(strstr(
		buf,
		"# TYPE afxdp_uptime_seconds gauge\nafxdp_uptime_seconds 12.500\n"));
	assert_non_null(strstr(
		buf,
		"# TYPE afxdp_data_path_uptime_seconds gauge\nafxdp_data_path_uptime_seconds 3600.250\n"));
	assert_non_null(strstr(
		buf,
		"# TYPE afxdp_handovers_total counter\nafxdp_handovers_total 7\n"));

	/* Every line is a comment or "name{labels} value"; every TYPE
	 * precedes its samples. */
	for (char *l = buf, *nl; *l; l = nl + 1) {
		char name[128];

		nl = strchr(l, '\n');
		assert_non_null(nl);
		if (*l == '#') {
			assert_true(!strncmp(l, "# HELP afxdp_", 13) ||
				    !strncmp(l, "# TYPE afxdp_", 13));
			continue;
		}
		assert_int_equal(sscanf(l, "%127[a-z_]", name), 1);
		{
			char type[160];

			snprintf(type, sizeof(type), "# TYPE %s ", name);
			assert_non_null(strstr(buf, type));
			assert_true(strstr(buf, type) < l);
		}
		assert_true(nl[-1] >= '0' && nl[-1] <= '9');
		samples++;
	}
	/* 1 uptime + 1 data path uptime + 1 handovers + 2 info + 2 link +
	 * 5x2 prog + 3 zc + 8x3 queue counters + 6x2 xsk stats + 3x3 drops
	 * + 3 lost */
	assert_int_equal(samples, 3 + 2 + 2 + 10 + 3 + 24 + 12 + 9 + 3);

	/* label values are escaped */
	strcpy(ports[0].ifname, "a\"b\\c");
	assert_true(stats_format_prometheus(&r, buf, sizeof(buf)) > 0);
	assert_non_null(
		strstr(buf, "afxdp_link_up{ifname=\"a\\\"b\\\\c\"} 1\n"));

	assert_int_equal(stats_format_prometheus(&r, buf, 64), -ENOSPC);
}

/* One HTTP request over a real socket; returns the whole response. */
static char *http(int port, const char *request)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	static char resp[65536];
	size_t pos = 0;
	ssize_t n;
	int fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(send(fd, request, strlen(request), 0),
			 (ssize_t)strlen(request));
	while ((n = recv(fd, resp + pos, sizeof(resp) - 1 - pos, 0)) > 0)
		pos += (size_t)n;
	resp[pos] = '\0';
	close(fd);
	return resp;
}

static void test_prom_server(void **state)
{
	struct stats_report r = make_report(true);
	struct prom_server *srv = NULL;
	char text[16384], *resp, *body;
	int port;

	(void)state;
	assert_int_equal(prom_server_start("127.0.0.1:0", &srv), 0);
	port = prom_server_port(srv);
	assert_true(port > 0 && port < 65536);

	/* before the first publish: an empty 200 */
	resp = http(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_true(!strncmp(resp, "HTTP/1.0 200 OK\r\n", 17));
	assert_non_null(strstr(resp, "Content-Length: 0\r\n"));

	assert_true(stats_format_prometheus(&r, text, sizeof(text)) > 0);
	prom_server_publish(srv, text);
	resp = http(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_true(!strncmp(resp, "HTTP/1.0 200 OK\r\n", 17));
	assert_non_null(
		strstr(resp, "Content-Type: text/plain; version=0.0.4"));
	body = strstr(resp, "\r\n\r\n");
	assert_non_null(body);
	assert_string_equal(body + 4, text);
	{
		char cl[64];

		snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n",
			 strlen(text));
		assert_non_null(strstr(resp, cl));
	}

	/* a newer rendering replaces the old one */
	prom_server_publish(srv, "afxdp_uptime_seconds 1\n");
	resp = http(port, "GET /metrics?x=1 HTTP/1.0\r\n\r\n");
	body = strstr(resp, "\r\n\r\n");
	assert_non_null(body);
	assert_string_equal(body + 4, "afxdp_uptime_seconds 1\n");

	resp = http(port, "GET / HTTP/1.0\r\n\r\n");
	assert_true(!strncmp(resp, "HTTP/1.0 404 Not Found\r\n", 24));
	resp = http(port, "GET /metricsx HTTP/1.0\r\n\r\n");
	assert_true(!strncmp(resp, "HTTP/1.0 404 ", 13));
	resp = http(port, "POST /metrics HTTP/1.0\r\n\r\n");
	assert_true(!strncmp(resp, "HTTP/1.0 404 ", 13));

	/* a client that connects and says nothing does not block stop */
	{
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons((uint16_t)port) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(
			connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		usleep(50000);
		prom_server_stop(srv);
		close(fd);
	}
	/* stopped: the port no longer accepts */
	{
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons((uint16_t)port) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(
			connect(fd, (struct sockaddr *)&sa, sizeof(sa)), -1);
		assert_int_equal(errno, ECONNREFUSED);
		close(fd);
	}
	prom_server_stop(NULL);
}

static void test_prom_server_errors(void **state)
{
	struct prom_server *a = NULL, *b = NULL;
	char listen[64];

	(void)state;
	assert_int_equal(prom_server_start("nonsense", &a), -EINVAL);
	assert_int_equal(prom_server_start("127.0.0.1:99999", &a), -EINVAL);
	assert_int_equal(prom_server_start("not-an-address:9100", &a), -EINVAL);
	assert_null(a);
	/* ":PORT" binds 127.0.0.1; a second bind of the same port fails */
	assert_int_equal(prom_server_start(":0", &a), 0);
	snprintf(listen, sizeof(listen), ":%d", prom_server_port(a));
	assert_int_equal(prom_server_start(listen, &b), -EADDRINUSE);
	assert_null(b);
	prom_server_stop(a);
	/* IPv6 loopback, if the host has it */
	if (prom_server_start("[::1]:0", &a) == 0) {
		assert_true(prom_server_port(a) > 0);
		prom_server_stop(a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum_and_drops),
		cmocka_unit_test(test_loss),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_prom_server),
		cmocka_unit_test(test_prom_server_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
