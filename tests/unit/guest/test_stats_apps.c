// SPDX-License-Identifier: GPL-2.0
/* guest/stats_apps.c through the public renderers of guest/stats.c: the
 * applications' part of a report with 0, 1 and 2 claims, as text (one
 * exact line per application), JSON (parsed back with json-c) and
 * Prometheus (families, label escaping, values), and what a buffer too
 * small for it keeps (only whole lines, a prefix of the full rendering). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <cmocka.h>

#include "guest/stats.h"

#define BIG 5000000000ULL /* above 2^32: the counters are 64-bit */

static struct app_snapshot apps[2];
static struct port_snapshot port;
static struct queue_snapshot queue;

/* One agent port and queue beside nr_apps applications: "dp" on eth1
 * queues 2,3 (cni), and one whose name needs Prometheus escaping on eth2
 * queue 0 (pinned). */
static struct stats_report make_report(size_t nr_apps)
{
	struct stats_report r = {
		.uptime_s = 3.0,
		.mode = "fwd",
		.ports = &port,
		.nr_ports = 1,
		.queues = &queue,
		.nr_queues = 1,
		.apps = nr_apps ? apps : NULL,
		.nr_apps = nr_apps,
	};

	memset(apps, 0, sizeof(apps));
	memset(&port, 0, sizeof(port));
	memset(&queue, 0, sizeof(queue));
	strcpy(port.ifname, "eth0");
	port.xdp_mode = "native";
	port.prog[AFXDP_CNT_REDIRECTED] = 11;
	strcpy(queue.ifname, "eth0");
	queue.c.rx_packets = 11;

	strcpy(apps[0].name, "dp");
	strcpy(apps[0].ifname, "eth1");
	apps[0].endpoint = "cni";
	strcpy(apps[0].path, "/tmp/afxdp_dp/eth1/afxdp.sock");
	apps[0].queues[0] = 2;
	apps[0].queues[1] = 3;
	apps[0].nr_queues = 2;
	apps[0].prog[AFXDP_CNT_REDIRECTED] = BIG;
	apps[0].prog[AFXDP_CNT_PASSED] = 17;
	apps[0].prog[AFXDP_CNT_NO_SOCKET] = 4;
	/* counters afxdp_steer never sets for an application: not shown */
	apps[0].prog[AFXDP_CNT_FORWARDED] = 999;
	apps[0].prog[AFXDP_CNT_DROPPED] = 998;
	apps[0].ex.served = 2;
	apps[0].ex.fds_sent = 2;
	apps[0].ex.refused = 1;
	apps[0].ex.failed = 3;
	apps[0].ex.naks = 5;

	strcpy(apps[1].name, "we\"ird\\app");
	strcpy(apps[1].ifname, "eth2");
	apps[1].endpoint = "pinned";
	strcpy(apps[1].path, "/sys/fs/bpf/eth2/xsks_map");
	apps[1].queues[0] = 0;
	apps[1].nr_queues = 1;
	apps[1].prog[AFXDP_CNT_PASSED] = 6;
	return r;
}

static const char *const line0 =
	"  app dp eth1 queues 2,3 cni /tmp/afxdp_dp/eth1/afxdp.sock prog redirected 5000000000 passed 17 no_socket 4 exchanges served 2 fds_sent 2 refused 1 failed 3 naks 5\n";
static const char *const line1 =
	"  app we\"ird\\app eth2 queues 0 pinned /sys/fs/bpf/eth2/xsks_map prog redirected 0 passed 6 no_socket 0 exchanges served 0 fds_sent 0 refused 0 failed 0 naks 0\n";

static int count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_text(void **state)
{
	struct stats_report r;
	char buf[4096];
	const char *apps_at;
	int n;

	(void)state;
	/* none: no app line at all */
	r = make_report(0);
	n = stats_format_text(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_null(strstr(buf, " app "));
	/* header, port, queue */
	assert_int_equal(count_str(buf, "\n"), 3);

	/* one: its line last, exactly */
	r = make_report(1);
	n = stats_format_text(&r, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_int_equal(count_str(buf, "\n"), 4);
	apps_at = strstr(buf, "  app ");
	assert_non_null(apps_at);
	assert_string_equal(apps_at, line0);

	/* two: in report order, after the agent's own lines */
	r = make_report(2);
	n = stats_format_text(&r, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_int_equal(count_str(buf, "\n"), 5);
	apps_at = strstr(buf, "  app ");
	assert_non_null(apps_at);
	assert_true(apps_at > strstr(buf, "  eth0/0 "));
	assert_int_equal(strncmp(apps_at, line0, strlen(line0)), 0);
	assert_string_equal(apps_at + strlen(line0), line1);

	/* an application of every queue the NIC has, 64 three-digit queues:
	 * the list is complete, not cut */
	r = make_report(1);
	apps[0].nr_queues = 64;
	for (uint32_t i = 0; i < 64; i++)
		apps[0].queues[i] = 192 + i;
	n = stats_format_text(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, " queues 192,193,194,"));
	assert_non_null(strstr(buf, ",254,255 cni "));
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no key %s in %s", key, json_object_to_json_string(o));
	return v;
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	assert_true(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

/* The agent prints the object on one line: parse that text back. */
static struct json_object *round_trip(const struct stats_report *r)
{
	struct json_object *o = stats_to_json(r), *back;

	assert_non_null(o);
	back = json_tokener_parse(
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	assert_non_null(back);
	return back;
}

static void test_json(void **state)
{
	struct stats_report r;
	struct json_object *back, *arr, *a, *v;

	(void)state;
	/* none: no "apps" key, the rest as before */
	r = make_report(0);
	back = round_trip(&r);
	assert_false(json_object_object_get_ex(back, "apps", &v));
	assert_true(json_object_object_get_ex(back, "queues", &v));
	json_object_put(back);

	r = make_report(2);
	back = round_trip(&r);
	arr = jget(back, "apps");
	assert_true(json_object_is_type(arr, json_type_array));
	assert_int_equal(json_object_array_length(arr), 2);

	a = json_object_array_get_idx(arr, 0);
	assert_string_equal(json_object_get_string(jget(a, "name")), "dp");
	assert_string_equal(json_object_get_string(jget(a, "ifname")), "eth1");
	assert_string_equal(json_object_get_string(jget(a, "endpoint")), "cni");
	assert_string_equal(json_object_get_string(jget(a, "path")),
			    "/tmp/afxdp_dp/eth1/afxdp.sock");
	v = jget(a, "queues");
	assert_int_equal(json_object_array_length(v), 2);
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(v, 0)),
			 2);
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(v, 1)),
			 3);
	v = jget(a, "prog");
	assert_int_equal(json_object_object_length(v), 3);
	assert_true(jint(v, "redirected") == (int64_t)BIG);
	assert_int_equal(jint(v, "passed"), 17);
	assert_int_equal(jint(v, "no_socket"), 4);
	v = jget(a, "exchanges");
	assert_int_equal(json_object_object_length(v), 5);
	assert_int_equal(jint(v, "served"), 2);
	assert_int_equal(jint(v, "fds_sent"), 2);
	assert_int_equal(jint(v, "refused"), 1);
	assert_int_equal(jint(v, "failed"), 3);
	assert_int_equal(jint(v, "naks"), 5);

	/* JSON needs no escaping by us: the name comes back as it was */
	a = json_object_array_get_idx(arr, 1);
	assert_string_equal(json_object_get_string(jget(a, "name")),
			    "we\"ird\\app");
	assert_string_equal(json_object_get_string(jget(a, "endpoint")),
			    "pinned");
	assert_int_equal(json_object_array_length(jget(a, "queues")), 1);
	assert_int_equal(jint(jget(a, "prog"), "passed"), 6);
	assert_int_equal(jint(jget(a, "prog"), "redirected"), 0);
	assert_int_equal(jint(jget(a, "exchanges"), "served"), 0);
	json_object_put(back);

	/* one application with no queue resolved yet: an empty list */
	r = make_report(1);
	apps[0].nr_queues = 0;
	back = round_trip(&r);
	arr = jget(back, "apps");
	assert_int_equal(json_object_array_length(arr), 1);
	a = json_object_array_get_idx(arr, 0);
	assert_int_equal(json_object_array_length(jget(a, "queues")), 0);
	json_object_put(back);
}

static const char *const families[] = {
	"app_redirected_total", "app_passed_total",   "app_no_socket_total",
	"app_exchanges_total",	"app_fds_sent_total",
};

/* Every sample line of metric afxdp_<name> follows its # TYPE line with
 * no other metric in between (the exposition format's grouping). */
static void assert_grouped(const char *buf, const char *name, int samples)
{
	char type[96], sample[96];
	const char *p, *end;
	int n = 0;

	snprintf(type, sizeof(type), "# TYPE afxdp_%s counter\n", name);
	snprintf(sample, sizeof(sample), "afxdp_%s{", name);
	p = strstr(buf, type);
	assert_non_null(p);
	p += strlen(type);
	for (end = p; *end && !strncmp(end, sample, strlen(sample)); n++)
		end = strchr(end, '\n') + 1;
	assert_int_equal(n, samples);
	assert_int_equal(count_str(buf, sample), samples);
}

static void test_prometheus(void **state)
{
	struct stats_report r;
	char buf[16384], help[96], type[96];
	int n;

	(void)state;
	r = make_report(0);
	n = stats_format_prometheus(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_null(strstr(buf, "afxdp_app_"));

	r = make_report(2);
	n = stats_format_prometheus(&r, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	for (size_t m = 0; m < sizeof(families) / sizeof(families[0]); m++) {
		snprintf(help, sizeof(help), "# HELP afxdp_%s ", families[m]);
		snprintf(type, sizeof(type), "# TYPE afxdp_%s counter\n",
			 families[m]);
		assert_int_equal(count_str(buf, help), 1);
		assert_int_equal(count_str(buf, type), 1);
		/* HELP right before TYPE, on one line */
		assert_non_null(strchr(strstr(buf, help), '\n'));
		assert_ptr_equal(strchr(strstr(buf, help), '\n') + 1,
				 strstr(buf, type));
		/* exchanges: served, refused, failed per application */
		assert_grouped(buf, families[m],
			       !strcmp(families[m], "app_exchanges_total") ? 6 :
									     2);
	}
	assert_non_null(strstr(
		buf,
		"\nafxdp_app_redirected_total{app=\"dp\",ifname=\"eth1\"} 5000000000\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_app_passed_total{app=\"dp\",ifname=\"eth1\"} 17\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_app_no_socket_total{app=\"dp\",ifname=\"eth1\"} 4\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_app_exchanges_total{app=\"dp\",ifname=\"eth1\",result=\"served\"} 2\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_app_exchanges_total{app=\"dp\",ifname=\"eth1\",result=\"refused\"} 1\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_app_exchanges_total{app=\"dp\",ifname=\"eth1\",result=\"failed\"} 3\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_app_fds_sent_total{app=\"dp\",ifname=\"eth1\"} 2\n"));
	/* quote and backslash escaped in the label value */
	assert_non_null(strstr(
		buf,
		"\nafxdp_app_passed_total{app=\"we\\\"ird\\\\app\",ifname=\"eth2\"} 6\n"));
	assert_non_null(strstr(
		buf,
		"\nafxdp_app_redirected_total{app=\"we\\\"ird\\\\app\",ifname=\"eth2\"} 0\n"));
	assert_null(strstr(buf, "app=\"we\"ird"));
	/* the agent's own families are still there, once */
	assert_int_equal(count_str(buf, "# TYPE afxdp_prog_redirected_total "),
			 1);
	/* counters that are not the application's: never exported */
	assert_null(strstr(buf, " 999\n"));
	assert_null(strstr(buf, " 998\n"));
	/* the escaping covers a newline too (the format's third escape) */
	r = make_report(1);
	strcpy(apps[0].name, "a\nb");
	assert_true(stats_format_prometheus(&r, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "{app=\"a\\nb\",ifname=\"eth1\"} 17\n"));
}

/* Every buffer size from 1 byte to the full rendering: -ENOSPC, and what
 * is kept is the longest prefix of whole lines that fits (or one line
 * less, see below); one byte more than the text (its NUL): the whole
 * text. */
static void check_sizes(int (*render)(const struct stats_report *, char *,
				      size_t),
			const struct stats_report *r)
{
	char full[16384], *buf;
	int n;

	n = render(r, full, sizeof(full));
	assert_true(n > 0);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	for (size_t len = 1; len <= (size_t)n + 1; len++) {
		size_t kept, want = 0;
		int ret;

		memset(buf, 'x', len);
		ret = render(r, buf, len);
		kept = strnlen(buf, len);
		assert_true(kept < len);
		if (len == (size_t)n + 1) {
			assert_int_equal(ret, n);
			assert_string_equal(buf, full);
			continue;
		}
		assert_int_equal(ret, -ENOSPC);
		for (size_t i = 0; i < len - 1; i++)
			if (full[i] == '\n')
				want = i + 1;
		/* a metric's # HELP and # TYPE lines go in together: a
		 * HELP line that fits without its TYPE line is left out */
		if (kept != want &&
		    !(kept < want && !strncmp(full + kept, "# HELP ", 7) &&
		      strchr(full + kept, '\n') == full + want - 1))
			fail_msg("len %zu: kept %zu bytes, want %zu", len, kept,
				 want);
		assert_memory_equal(buf, full, kept);
	}
	free(buf);
}

static void test_enospc(void **state)
{
	struct stats_report r = make_report(2);

	(void)state;
	check_sizes(stats_format_text, &r);
	check_sizes(stats_format_prometheus, &r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_enospc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
