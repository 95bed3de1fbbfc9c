// SPDX-License-Identifier: GPL-2.0
/*
 * afxdp-agent: command line, signals, the stats loop and the process
 * lifecycle (sd_notify, privilege drop). The data path lives in agent.c,
 * fwd_loop.c and txgen.c.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <systemd/sd-daemon.h>

#include "guest/agent.h"
#include "guest/privs.h"
#include "util/log.h"

enum exit_code { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

enum long_only {
	OPT_XDP_MODE = 256,
	OPT_ZC,
	OPT_FRAME_SIZE,
	OPT_FRAMES,
	OPT_RING_SIZE,
	OPT_BATCH,
	OPT_UMEM,
	OPT_BUSY_POLL,
	OPT_POLL_TIMEOUT,
	OPT_IDLE_SPIN,
	OPT_CPUS,
	OPT_WORKERS,
	OPT_CHANNELS,
	OPT_MTU,
	OPT_INTERVAL,
	OPT_PROMETHEUS,
	OPT_SIZE,
	OPT_RATE,
	OPT_COUNT,
	OPT_SRC_MAC,
	OPT_DST_MAC,
	OPT_SRC_IP,
	OPT_DST_IP,
	OPT_SRC_PORT,
	OPT_DST_PORT,
	OPT_FLOWS,
	OPT_TIMESTAMP,
	OPT_SET,
	OPT_LOG_LEVEL,
	OPT_CHECK,
	OPT_UNMATCHED,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "mode", required_argument, NULL, 'm' },
	{ "interface", required_argument, NULL, 'i' },
	{ "queues", required_argument, NULL, 'q' },
	{ "filter", required_argument, NULL, 'f' },
	{ "stats", required_argument, NULL, 's' },
	{ "duration", required_argument, NULL, 'd' },
	{ "log-file", required_argument, NULL, 'l' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "xdp-mode", required_argument, NULL, OPT_XDP_MODE },
	{ "zero-copy", required_argument, NULL, OPT_ZC },
	{ "frame-size", required_argument, NULL, OPT_FRAME_SIZE },
	{ "frames", required_argument, NULL, OPT_FRAMES },
	{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "umem", required_argument, NULL, OPT_UMEM },
	{ "busy-poll", no_argument, NULL, OPT_BUSY_POLL },
	{ "poll-timeout", required_argument, NULL, OPT_POLL_TIMEOUT },
	{ "idle-spin", required_argument, NULL, OPT_IDLE_SPIN },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "channels", required_argument, NULL, OPT_CHANNELS },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "prometheus", required_argument, NULL, OPT_PROMETHEUS },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "src-mac", required_argument, NULL, OPT_SRC_MAC },
	{ "dst-mac", required_argument, NULL, OPT_DST_MAC },
	{ "src-ip", required_argument, NULL, OPT_SRC_IP },
	{ "dst-ip", required_argument, NULL, OPT_DST_IP },
	{ "src-port", required_argument, NULL, OPT_SRC_PORT },
	{ "dst-port", required_argument, NULL, OPT_DST_PORT },
	{ "flows", required_argument, NULL, OPT_FLOWS },
	{ "timestamp", no_argument, NULL, OPT_TIMESTAMP },
	{ "set", required_argument, NULL, OPT_SET },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "unmatched", required_argument, NULL, OPT_UNMATCHED },
	{ 0 }
};

/* Long options that are one config key each. */
static const struct {
	int opt;
	const char *key;
} opt_keys[] = {
	{ 'm', "mode" },
	{ 's', "stats.format" },
	{ 'd', "run.duration_s" },
	{ 'l', "log.file" },
	{ OPT_XDP_MODE, "xdp.mode" },
	{ OPT_ZC, "socket.zero_copy" },
	{ OPT_FRAME_SIZE, "socket.frame_size" },
	{ OPT_FRAMES, "socket.frames" },
	{ OPT_RING_SIZE, "socket.ring_size" },
	{ OPT_BATCH, "socket.batch" },
	{ OPT_POLL_TIMEOUT, "socket.poll_timeout_ms" },
	{ OPT_IDLE_SPIN, "socket.idle_spin_us" },
	{ OPT_UMEM, "socket.umem" },
	{ OPT_CPUS, "workers.cpus" },
	{ OPT_WORKERS, "workers.count" },
	{ OPT_CHANNELS, "nic.channels" },
	{ OPT_MTU, "nic.mtu" },
	{ OPT_INTERVAL, "stats.interval_ms" },
	{ OPT_PROMETHEUS, "stats.prometheus" },
	{ OPT_SIZE, "txgen.size" },
	{ OPT_RATE, "txgen.rate_pps" },
	{ OPT_COUNT, "txgen.count" },
	{ OPT_SRC_MAC, "txgen.src_mac" },
	{ OPT_DST_MAC, "txgen.dst_mac" },
	{ OPT_SRC_IP, "txgen.src_ip" },
	{ OPT_DST_IP, "txgen.dst_ip" },
	{ OPT_SRC_PORT, "txgen.src_port" },
	{ OPT_DST_PORT, "txgen.dst_port" },
	{ OPT_FLOWS, "txgen.flows" },
	{ OPT_LOG_LEVEL, "log.level" },
	{ OPT_UNMATCHED, "xdp.unmatched" },
	{ 'f', "filter" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: afxdp-agent [OPTIONS]\n"
		"Forward, reflect, drop or generate packets over AF_XDP sockets.\n\n"
		"  -c, --config FILE       YAML configuration (see afxdp-agent(8))\n"
		"  -m, --mode MODE         fwd | macswap | rxdrop | txgen\n"
		"  -i, --interface IF      a port (repeat: fwd takes two, in then out)\n"
		"  -q, --queues LIST       queues on every port: all | 0,2-3\n"
		"  -f, --filter RULE       steer only matching frames (repeat), e.g.\n"
		"                          'udp dport 4000-4010'; the rest: --unmatched\n"
		"      --unmatched WHERE   kernel (default) | forward (fwd: to the other\n"
		"                          port inside XDP) | drop\n"
		"      --xdp-mode M        auto | native | skb\n"
		"      --zero-copy M       auto | on | off\n"
		"      --frame-size N      2048 | 4096\n"
		"      --frames N          UMEM frames per worker\n"
		"      --ring-size N       size of all four rings\n"
		"      --batch N           descriptors per batch\n"
		"      --umem M            auto | shared | per-port\n"
		"      --busy-poll         SO_PREFER_BUSY_POLL + SO_BUSY_POLL_BUDGET\n"
		"      --poll-timeout MS   idle wait in poll(); 0 busy-spins\n"
		"      --idle-spin US      poll this long after the last frame before\n"
		"                          sleeping (default 2000; 0: sleep at once)\n"
		"      --cpus LIST         pin workers to these CPUs\n"
		"      --workers N         worker threads (default: one per queue)\n"
		"      --channels N        set combined channels first\n"
		"      --mtu N             set the MTU first\n"
		"  -s, --stats FMT         text | json | none\n"
		"      --interval MS       stats period (0: final report only)\n"
		"      --prometheus H:P    metrics endpoint (default host 127.0.0.1)\n"
		"  -d, --duration S        stop after S seconds\n"
		"  txgen: --size N --rate PPS --count N --src-mac M --dst-mac M\n"
		"         --src-ip A --dst-ip A --src-port P --dst-port P --flows N\n"
		"         --timestamp\n"
		"      --set KEY=VALUE     any configuration key\n"
		"  -l, --log-file FILE     log here (SIGHUP reopens it)\n"
		"      --log-level L       error | warn | info | debug\n"
		"  -v, --verbose           --log-level debug\n"
		"      --check             validate the configuration and exit\n"
		"  -h, --help              this text\n"
		"  -V, --version           version\n\n"
		"Exit status: 0 ok, 1 runtime failure, 2 bad usage, configuration\n"
		"or an environment the agent refuses (nothing is changed).\n");
}

static const char *key_for(int opt)
{
	for (size_t i = 0; i < sizeof(opt_keys) / sizeof(opt_keys[0]); i++)
		if (opt_keys[i].opt == opt)
			return opt_keys[i].key;
	return NULL;
}

struct cli {
	const char *config_path;
	bool check_only;
};

/* Pass 1 finds -c so the file comes before every override (pass 2). */
static int parse_cli(int argc, char **argv, struct agent_config *cfg,
		     struct cli *cli)
{
	char err[CFG_ERR_LEN];
	const char *queues = NULL;
	unsigned int nr_ports = 0;
	const char *shortopts = "c:m:i:q:f:s:d:l:vhV";
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, long_opts, NULL)) !=
	       -1) {
		if (opt == 'c')
			cli->config_path = optarg;
	}
	if (cli->config_path) {
		ret = config_load_file(cfg, cli->config_path, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "afxdp-agent: %s\n", err);
			return EXIT_USAGE;
		}
	}
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, long_opts, NULL)) !=
	       -1) {
		const char *key = key_for(opt), *val = optarg;
		char kv[512];

		switch (opt) {
		case 'c':
			continue;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		case 'V':
			printf("afxdp-agent %s\n", AFXDP_VERSION);
			exit(EXIT_OK);
		case 'v':
			key = "log.level";
			val = "debug";
			break;
		case 'i':
			/* The first -i replaces the file's ports, later ones
			 * append, so --set ports.N.KEY can follow. */
			if (nr_ports)
				snprintf(kv, sizeof(kv), "ports.%u.ifname",
					 nr_ports);
			key = nr_ports ? kv : "ports";
			nr_ports++;
			break;
		case 'q':
			queues = optarg;
			continue;
		case OPT_BUSY_POLL:
			key = "socket.busy_poll";
			val = "true";
			break;
		case OPT_TIMESTAMP:
			key = "txgen.timestamp";
			val = "true";
			break;
		case OPT_CHECK:
			cli->check_only = true;
			continue;
		case OPT_SET: {
			const char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg) {
				fprintf(stderr,
					"afxdp-agent: --set: expected KEY=VALUE, got '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			snprintf(kv, sizeof(kv), "%.*s", (int)(eq - optarg),
				 optarg);
			key = kv;
			val = eq + 1;
			break;
		}
		case '?':
			if (optopt)
				fprintf(stderr,
					"afxdp-agent: option -%c: unknown or missing its argument (see --help)\n",
					optopt);
			else
				fprintf(stderr,
					"afxdp-agent: option '%s': unknown or missing its argument (see --help)\n",
					argv[optind - 1]);
			return EXIT_USAGE;
		default:
			break;
		}
		if (!key)
			continue;
		ret = config_set(cfg, key, val, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "afxdp-agent: %s\n", err);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"afxdp-agent: unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	if (queues &&
	    config_set(cfg, "ports.*.queues", queues, err, sizeof(err))) {
		fprintf(stderr, "afxdp-agent: --queues: %s\n", err);
		return EXIT_USAGE;
	}
	if (config_validate(cfg, err, sizeof(err))) {
		fprintf(stderr, "afxdp-agent: %s\n", err);
		return EXIT_USAGE;
	}
	return -1; /* go on */
}

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

struct reporter {
	struct agent *agent;
	struct port_snapshot ports[CFG_MAX_PORTS];
	struct queue_snapshot *cur, *prev;
	bool have_prev;
	double last_t;
	struct prom_server *prom;
	char *buf;
	size_t buf_len;
};

/* Snapshot, print (unless !print: a metrics-only refresh), publish. */
static void report(struct reporter *r, double uptime, bool final, bool print)
{
	struct agent *a = r->agent;
	struct stats_report rep = {
		.uptime_s = uptime,
		.interval_s = r->have_prev ? uptime - r->last_t : 0,
		.mode = config_mode_name(a->cfg->mode),
		.final = final,
		.ports = r->ports,
		.nr_ports = a->nr_ports,
		.queues = r->cur,
		.prev = r->have_prev ? r->prev : NULL,
		.nr_queues = a->nr_socks,
	};
	struct queue_snapshot *tmp;

	agent_snapshot(a, r->ports, r->cur);
	if (!print) {
		/* nothing on stdout */
	} else if (a->cfg->stats_format == STATS_JSON) {
		struct json_object *j = stats_to_json(&rep);

		printf("%s\n", json_object_to_json_string_ext(
				       j, JSON_C_TO_STRING_PLAIN));
		json_object_put(j);
	} else if (a->cfg->stats_format == STATS_TEXT &&
		   stats_format_text(&rep, r->buf, r->buf_len) >= 0) {
		fputs(r->buf, stdout);
	}
	fflush(stdout);
	if (r->prom && stats_format_prometheus(&rep, r->buf, r->buf_len) >= 0)
		prom_server_publish(r->prom, r->buf);
	tmp = r->prev;
	r->prev = r->cur;
	r->cur = tmp;
	r->have_prev = true;
	r->last_t = uptime;
}

/* SIGHUP: reopen the log (rotation) and re-read the stats settings from
 * the config file; the data path is not touched. */
static void reload(struct agent_config *cfg, const char *path)
{
	struct agent_config fresh;
	char err[CFG_ERR_LEN];
	int ret = log_reopen();

	if (ret)
		pr_err("cannot reopen the log file: %s", strerror(-ret));
	if (!path) {
		pr_info("SIGHUP: log reopened");
		return;
	}
	config_init(&fresh);
	if (config_load_file(&fresh, path, err, sizeof(err))) {
		pr_err("SIGHUP: %s; keeping the current stats settings", err);
	} else {
		cfg->stats_interval_ms = fresh.stats_interval_ms;
		cfg->stats_format = fresh.stats_format;
		pr_info("SIGHUP: log reopened, stats every %u ms as %s",
			cfg->stats_interval_ms,
			cfg->stats_format == STATS_JSON ? "json" :
			cfg->stats_format == STATS_TEXT ? "text" :
							  "none");
	}
	config_free(&fresh);
}

/* Returns the exit code. */
static int run(struct agent *a, struct agent_config *cfg, const char *path)
{
	struct reporter r = { .agent = a, .buf_len = 1 << 20 };
	struct timespec t0, tick = { 0, 50 * 1000 * 1000 };
	double next_report, next_publish = 0;
	int ret, code = EXIT_OK;

	r.cur = calloc(a->nr_socks, sizeof(*r.cur));
	r.prev = calloc(a->nr_socks, sizeof(*r.prev));
	r.buf = malloc(r.buf_len);
	if (!r.cur || !r.prev || !r.buf) {
		code = EXIT_FAIL;
		goto out;
	}
	/* Capabilities are per thread: drop them before any thread starts. */
	ret = privs_drop_after_setup(cfg->run_user);
	if (ret) {
		pr_err("cannot drop privileges: %s; not starting",
		       strerror(-ret));
		code = EXIT_FAIL;
		goto out;
	}
	if (cfg->prometheus_listen[0]) {
		ret = prom_server_start(cfg->prometheus_listen, &r.prom);
		if (ret) {
			pr_err("cannot serve metrics on %s: %s",
			       cfg->prometheus_listen, strerror(-ret));
			code = EXIT_FAIL;
			goto out;
		}
	}
	ret = agent_start_workers(a);
	if (ret) {
		pr_err("cannot start workers: %s", strerror(-ret));
		code = EXIT_FAIL;
		goto out;
	}
	sd_notify(0, "READY=1");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	next_report = cfg->stats_interval_ms / 1000.0;
	while (!got_stop) {
		double up;

		nanosleep(&tick, NULL);
		up = since(&t0);
		if (got_hup) {
			got_hup = 0;
			reload(cfg, path);
			next_report = up + cfg->stats_interval_ms / 1000.0;
		}
		if (cfg->stats_interval_ms && up >= next_report) {
			report(&r, up, false, true);
			next_report += cfg->stats_interval_ms / 1000.0;
			if (next_report < up)
				next_report =
					up + cfg->stats_interval_ms / 1000.0;
		} else if (r.prom && !cfg->stats_interval_ms &&
			   up >= next_publish) {
			/* No periodic report: keep the metrics fresh. */
			report(&r, up, false, false);
			next_publish = up + 1.0;
		}
		if (cfg->duration_s && up >= cfg->duration_s)
			break;
		if (cfg->mode == MODE_TXGEN && agent_workers_done(a))
			break;
		for (uint32_t i = 0; i < a->nr_ports; i++) {
			/* A deleted port: stop with an error (documented
			 * policy) rather than spin on dead sockets. */
			if (if_nametoindex(a->ports[i].ifname) !=
			    (unsigned int)a->ports[i].ifindex) {
				pr_err("%s disappeared (deleted or renamed): stopping",
				       a->ports[i].ifname);
				code = EXIT_FAIL;
				got_stop = 1;
			}
		}
	}
	sd_notify(0, "STOPPING=1");
	agent_stop_workers(a);
	for (uint32_t i = 0; i < a->nr_workers; i++)
		if (a->workers[i].error) {
			pr_err("worker %u failed: %s", i,
			       strerror(-a->workers[i].error));
			code = EXIT_FAIL;
		}
	report(&r, since(&t0), true, true);
out:
	if (r.prom)
		prom_server_stop(r.prom);
	free(r.cur);
	free(r.prev);
	free(r.buf);
	return code;
}

static int refused(int err)
{
	switch (err) {
	case -EINVAL:
	case -ENODEV:
	case -EEXIST:
	case -EBUSY:
	case -EMSGSIZE:
	case -ERANGE:
	case -EOPNOTSUPP:
		return EXIT_USAGE;
	default:
		return EXIT_FAIL;
	}
}

int main(int argc, char **argv)
{
	struct agent_config cfg;
	struct agent agent;
	struct cli cli = { 0 };
	struct log_opts lo = { .prog = "afxdp-agent" };
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512];
	int ret, code;

	config_init(&cfg);
	code = parse_cli(argc, argv, &cfg, &cli);
	if (code >= 0)
		goto out_cfg;
	if (cli.check_only) {
		printf("afxdp-agent: configuration is valid\n");
		code = EXIT_OK;
		goto out_cfg;
	}
	lo.level = cfg.log_level;
	lo.path = cfg.log_file[0] ? cfg.log_file : NULL;
	ret = log_init(&lo);
	if (ret) {
		fprintf(stderr, "afxdp-agent: cannot open log file %s: %s\n",
			cfg.log_file, strerror(-ret));
		code = EXIT_USAGE;
		goto out_cfg;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (cfg.run_user[0] && !getpwnam(cfg.run_user)) {
		pr_err("run.user: no user '%s' on this system", cfg.run_user);
		code = EXIT_USAGE;
		goto out_log;
	}
	ret = agent_setup(&agent, &cfg, err, sizeof(err));
	if (ret) {
		pr_err("%s", err);
		code = refused(ret);
		goto out_log;
	}
	code = run(&agent, &cfg, cli.config_path);
	if (agent_teardown(&agent) && code == EXIT_OK)
		code = EXIT_FAIL; /* something of ours could not be removed */
	pr_info("stopped%s", code ? " with errors" : "");
out_log:
	log_close();
out_cfg:
	config_free(&cfg);
	return code;
}
