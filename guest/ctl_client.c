// SPDX-License-Identifier: GPL-2.0
/*
 * `afxdp-agent ctl [-s PATH | -c FILE] [--pid PID] COMMAND`: one request
 * to a running agent's control socket, its answer on stdout, the exit
 * status saying whose fault a failure is (1 the agent's, 2 ours: usage,
 * the socket, permissions, protocol version).
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <json-c/json.h>

#include "guest/config.h"
#include "guest/ctl_client.h"
#include "guest/ctl_proto.h"
#include "guest/uds_server.h"
#include "util/parse.h"

enum { CTL_OK = 0, CTL_AGENT = 1, CTL_USAGE = 2 };

struct ctl_opts {
	const char *socket, *config;
	long pid; /* 0: any */
	uint32_t timeout_ms;
	bool json;
	enum ctl_cmd cmd;
};

static int fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Polling during an upgrade: connection failures are expected. */
static bool quiet;

static int fail(int code, const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return code;
	fputs("afxdp-agent ctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: afxdp-agent ctl [OPTIONS] status [--json] | reload | version [--json] | upgrade\n"
		"Ask a running afxdp-agent over its control socket (ctl.socket).\n\n"
		"  -s, --socket PATH   the agent's control socket (default %s)\n"
		"  -c, --config FILE   take the socket from FILE's ctl.socket\n"
		"      --pid PID       refuse a socket served by another process\n"
		"  -t, --timeout MS    wait this long for the answer (default 10000)\n"
		"  -j, --json          status and version as JSON\n\n"
		"Exit status: 0 ok, 1 the agent failed (e.g. reload: bad file),\n"
		"2 usage, no agent at the socket, permission denied, or an agent\n"
		"of another control protocol version.\n",
		CFG_CTL_SOCKET_DEFAULT);
}

/* -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct ctl_opts *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "pid", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t v;
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "s:c:t:jh", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 's':
			o->socket = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'p':
			if (parse_u32(optarg, 1, 0x7fffffff, &v))
				return fail(
					CTL_USAGE,
					"--pid: expected a process id, got '%s'",
					optarg);
			o->pid = v;
			break;
		case 't':
			if (parse_u32(optarg, 1, 3600000, &v))
				return fail(
					CTL_USAGE,
					"--timeout: expected 1..3600000 ms, got '%s'",
					optarg);
			o->timeout_ms = v;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			usage(stdout);
			return CTL_OK;
		default:
			return fail(
				CTL_USAGE,
				"option '%s': unknown or missing its argument (see --help)",
				argv[optind - 1]);
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return fail(CTL_USAGE,
			    optind == argc ?
				    "which command? (status, reload, version, upgrade)" :
				    "one command at a time");
	}
	o->cmd = ctl_cmd_from_name(argv[optind]);
	if (o->cmd == CTL_CMD_COUNT)
		return fail(CTL_USAGE,
			    "unknown command '%s' (status, reload, version, upgrade)",
			    argv[optind]);
	if (o->json && (o->cmd == CTL_CMD_RELOAD || o->cmd == CTL_CMD_UPGRADE))
		return fail(CTL_USAGE, "%s has no --json output",
			    ctl_cmd_name(o->cmd));
	if (o->socket && o->config)
		return fail(CTL_USAGE, "--socket or --config, not both");
	return -1;
}

/* The socket path: --socket, the file's ctl.socket, or the default. */
static int socket_path(const struct ctl_opts *o, char *buf, size_t len)
{
	struct agent_config cfg;
	char err[CFG_ERR_LEN];
	int code = -1;

	if (o->socket) {
		snprintf(buf, len, "%s", o->socket);
		return -1;
	}
	config_init(&cfg);
	if (o->config && config_load_file(&cfg, o->config, err, sizeof(err)))
		code = fail(CTL_USAGE, "%s", err);
	else if (!cfg.ctl_socket[0])
		code = fail(CTL_USAGE,
			    "%s sets no control socket (ctl.socket is empty)",
			    o->config);
	else
		snprintf(buf, len, "%s", cfg.ctl_socket);
	config_free(&cfg);
	return code;
}

static int connect_to(const char *path, const struct ctl_opts *o, int *out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cr = { 0 };
	socklen_t cl = sizeof(cr);
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(CTL_USAGE, "%s: path too long", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(CTL_AGENT, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = errno;
		close(fd);
		if (err == ENOENT)
			return fail(
				CTL_USAGE,
				"no control socket at %s: is the agent running, with ctl.socket set to this path?",
				path);
		if (err == EACCES || err == EPERM)
			return fail(
				CTL_USAGE,
				"permission denied on %s: the control socket is for root and the agent's own user",
				path);
		if (err == ECONNREFUSED)
			return fail(
				CTL_USAGE,
				"nobody serves %s (left by an agent that is gone, or not a socket)",
				path);
		if (err == EPROTOTYPE)
			return fail(
				CTL_USAGE,
				"%s is not a control socket (not SOCK_SEQPACKET)",
				path);
		return fail(CTL_USAGE, "cannot connect to %s: %s", path,
			    strerror(err));
	}
	/* A UNIX server's credentials are those of its listen() call. */
	if (o->pid && (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) ||
		       cr.pid != (pid_t)o->pid)) {
		close(fd);
		return fail(
			CTL_USAGE,
			"%s is served by pid %d, not by pid %ld: another agent's socket",
			path, (int)cr.pid, o->pid);
	}
	*out = fd;
	return -1;
}

/* The reply datagram (NUL-terminated in *buf) or the exit status. */
static int exchange(int fd, const char *path, const struct ctl_opts *o,
		    char **buf, size_t *len)
{
	char req[CTL_REQ_MAX + 1];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int ret;

	ret = ctl_proto_format_request(CTL_PROTO_VERSION, o->cmd, NULL, req,
				       sizeof(req));
	if (ret < 0)
		return fail(CTL_USAGE, "cannot format the request");
	/* A failed send is not the end: a server that refuses us answers
	 * and closes at once, and its answer is still to be read. */
	uds_send(fd, req, (size_t)ret, -1, 0);
	do {
		ret = poll(&pfd, 1, (int)o->timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret == 0)
		return fail(CTL_AGENT, "%s: no answer within %u ms", path,
			    o->timeout_ms);
	*buf = malloc(CTL_REPLY_MAX + 1);
	if (!*buf)
		return fail(CTL_AGENT, "out of memory");
	n = recv(fd, *buf, CTL_REPLY_MAX + 1, MSG_DONTWAIT | MSG_TRUNC);
	/* Closed with our request unread: the kernel reports the reset
	 * before the answer queued behind it. */
	if (n < 0 && errno == ECONNRESET)
		n = recv(fd, *buf, CTL_REPLY_MAX + 1, MSG_DONTWAIT | MSG_TRUNC);
	if (n <= 0)
		return fail(
			CTL_USAGE,
			"%s: closed without an answer: not an afxdp-agent control socket?",
			path);
	if (n > CTL_REPLY_MAX)
		return fail(CTL_USAGE,
			    "%s: an answer of %zd bytes, more than %d", path, n,
			    CTL_REPLY_MAX);
	(*buf)[n] = '\0';
	*len = (size_t)n;
	return -1;
}

static int show(const struct ctl_opts *o, const struct ctl_reply *rep)
{
	struct json_object *j;
	const char *body = rep->body ? rep->body : "";

	if (o->cmd == CTL_CMD_RELOAD || o->json) {
		printf("%.*s%s", (int)rep->body_len, body,
		       rep->body_len && body[rep->body_len - 1] == '\n' ? "" :
									  "\n");
		return CTL_OK;
	}
	j = json_tokener_parse(body);
	if (!j || !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		return fail(CTL_AGENT, "the agent's answer is not JSON");
	}
	if (o->cmd == CTL_CMD_VERSION) {
		struct json_object *v, *p, *pid;

		json_object_object_get_ex(j, "version", &v);
		json_object_object_get_ex(j, "protocol", &p);
		json_object_object_get_ex(j, "pid", &pid);
		printf("afxdp-agent ctl %s (control protocol %d)\n"
		       "agent %s (control protocol %d), pid %d\n",
		       AFXDP_VERSION, CTL_PROTO_VERSION,
		       v ? json_object_get_string(v) : "?",
		       p ? json_object_get_int(p) : 0,
		       pid ? json_object_get_int(pid) : 0);
	} else {
		ctl_print_status(j, stdout);
	}
	json_object_put(j);
	return CTL_OK;
}

/* The pid serving path, or 0. */
static long served_by(const char *path, const struct ctl_opts *o)
{
	struct ctl_opts v = *o;
	struct ctl_reply rep;
	struct json_object *j, *pid;
	char *buf = NULL;
	size_t len = 0;
	long ret = 0;
	int fd = -1;

	v.cmd = CTL_CMD_VERSION;
	v.pid = 0;
	v.timeout_ms = 1000;
	quiet = true;
	if (connect_to(path, &v, &fd) < 0 && exchange(fd, path, &v, &buf, &len) < 0 &&
	    !ctl_proto_parse_reply(buf, len, &rep) && rep.ok) {
		j = json_tokener_parse(rep.body ? rep.body : "");
		if (j && json_object_object_get_ex(j, "pid", &pid))
			ret = json_object_get_int64(pid);
		json_object_put(j);
	}
	quiet = false;
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

static bool gone(long pid)
{
	return kill((pid_t)pid, 0) && errno == ESRCH;
}

/* upgrade: the new agent is started; wait until it serves the socket and
 * the old one is gone (success), or it is gone (the old carries on). */
static int wait_upgrade(const char *path, const struct ctl_opts *o,
			const struct ctl_reply *rep)
{
	struct json_object *j = json_tokener_parse(rep->body ? rep->body : "");
	struct json_object *p = NULL, *f = NULL;
	long child = 0, from = 0;
	int waited = 0, limit = (int)(o->timeout_ms < 30000 ? 30000 : o->timeout_ms);

	if (j && json_object_object_get_ex(j, "pid", &p) &&
	    json_object_object_get_ex(j, "from", &f)) {
		child = json_object_get_int64(p);
		from = json_object_get_int64(f);
	}
	json_object_put(j);
	if (child <= 0 || from <= 0)
		return fail(CTL_AGENT, "upgrade: the agent's answer names no pid");
	printf("upgrade: pid %ld started to take over from pid %ld\n", child,
	       from);
	for (; waited < limit; waited += 50) {
		if (gone(from) && served_by(path, o) == child) {
			printf("upgrade: pid %ld took over\n", child);
			return CTL_OK;
		}
		if (gone(child))
			return fail(CTL_AGENT,
				    "upgrade: pid %ld exited without taking over; pid %ld carries on (its log says why)",
				    child, from);
		poll(NULL, 0, 50);
	}
	return fail(CTL_AGENT, "upgrade: pid %ld did not take over within %d ms",
		    child, limit);
}

int ctl_main(int argc, char **argv)
{
	struct ctl_opts o = { .timeout_ms = 10000 };
	struct ctl_reply rep;
	char path[CFG_APP_PATH_LEN], *buf = NULL;
	size_t len = 0;
	int fd = -1, code;

	code = parse_args(argc, argv, &o);
	if (code < 0)
		code = socket_path(&o, path, sizeof(path));
	if (code < 0)
		code = connect_to(path, &o, &fd);
	if (code < 0)
		code = exchange(fd, path, &o, &buf, &len);
	if (code >= 0)
		goto out;
	if (ctl_proto_parse_reply(buf, len, &rep))
		code = fail(
			CTL_USAGE,
			"%s: not an afxdp-agent control socket (unexpected answer)",
			path);
	else if (rep.ok && o.cmd == CTL_CMD_UPGRADE)
		code = wait_upgrade(path, &o, &rep);
	else if (rep.ok)
		code = show(&o, &rep);
	else if (!strcmp(rep.errname, "EPROTO") && rep.speaks &&
		 rep.speaks != CTL_PROTO_VERSION)
		code = fail(
			CTL_USAGE,
			"the agent at %s speaks control protocol %u, this afxdp-agent ctl speaks %d: use the ctl of the agent's version",
			path, rep.speaks, CTL_PROTO_VERSION);
	else if (!strcmp(rep.errname, "EACCES"))
		code = fail(CTL_USAGE, "%s: permission denied by the agent: %s",
			    path, rep.message);
	else
		code = fail(CTL_AGENT, "%s failed: %s (%s)",
			    ctl_cmd_name(o.cmd), rep.message, rep.errname);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return code;
}
