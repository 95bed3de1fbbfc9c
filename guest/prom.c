// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus endpoint: one thread accepts connections and answers
 * GET /metrics with the text the stats thread last published. Requests are
 * served one at a time and the connection closed (HTTP/1.0 style): scrapes
 * come every few seconds, so nothing more is worth its complexity. The stats
 * thread never blocks on a client: it only swaps a string under a mutex.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <netinet/in.h>

#include "guest/stats.h"
#include "util/log.h"
#include "util/parse.h"

/* How long a client may take to send its request line and headers. */
#define PROM_CLIENT_TIMEOUT_MS 2000
#define PROM_REQ_MAX 4096

struct prom_server {
	int fd;
	int stop_pipe[2]; /* written by prom_server_stop to wake the thread */
	int port;
	pthread_t thread;
	pthread_mutex_t lock;
	char *text; /* last published rendering, owned */
};

/* parse_host_port() wants a port in 1..65535; port 0 (ephemeral, used by the
 * tests) is accepted here by parsing the string with a stand-in port. */
static int split_listen(const char *listen, char *host, size_t host_len,
			uint16_t *port)
{
	size_t n = strlen(listen);
	char *tmp;
	int err;

	if (n >= 2 && !strcmp(listen + n - 2, ":0")) {
		tmp = strdup(listen);
		if (!tmp)
			return -ENOMEM;
		tmp[n - 1] = '1'; /* ":0" -> ":1" */
		err = parse_host_port(tmp, host, host_len, port);
		free(tmp);
		if (!err)
			*port = 0;
		return err;
	}
	return parse_host_port(listen, host, host_len, port);
}

static int bind_listen(const char *host, uint16_t port, int *out_fd,
		       int *out_port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICHOST |
					      AI_NUMERICSERV };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct addrinfo *ai;
	char service[8];
	int fd, one = 1, err;

	snprintf(service, sizeof(service), "%u", port);
	/* Numeric hosts only: no DNS lookup can stall the agent's start. */
	err = getaddrinfo(host, service, &hints, &ai);
	if (err) {
		pr_err("prometheus: cannot resolve %s: %s", host,
		       gai_strerror(err));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		err = -errno;
		pr_err("prometheus: cannot listen on %s:%u: %s", host, port,
		       strerror(-err));
		close(fd);
		goto out;
	}
	*out_port = ntohs(ss.ss_family == AF_INET6 ?
				  ((struct sockaddr_in6 *)&ss)->sin6_port :
				  ((struct sockaddr_in *)&ss)->sin_port);
	*out_fd = fd;
	err = 0;
out:
	freeaddrinfo(ai);
	return err;
}

static void send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* client gone: nothing to do */
		p += n;
		len -= (size_t)n;
	}
}

static void respond(int fd, const char *status, const char *body)
{
	char hdr[256];
	size_t blen = strlen(body);
	int n;

	n = snprintf(
		hdr, sizeof(hdr),
		"HTTP/1.0 %s\r\n"
		"Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		"Content-Length: %zu\r\n"
		"Connection: close\r\n\r\n",
		status, blen);
	send_all(fd, hdr, (size_t)n);
	send_all(fd, body, blen);
}

/* Reads until the end of the headers (or a full buffer). Returns false
 * when the client timed out, closed early or prom_server_stop() ran. */
static bool read_request(struct prom_server *srv, int fd, char *req, size_t len)
{
	size_t pos = 0;

	while (pos < len - 1) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = srv->stop_pipe[0],
					   .events = POLLIN } };
		ssize_t n;
		int r = poll(pfd, 2, PROM_CLIENT_TIMEOUT_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || pfd[1].revents)
			return false;
		n = recv(fd, req + pos, len - 1 - pos, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		pos += (size_t)n;
		req[pos] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			return true;
	}
	return true; /* headers too long: the request line is what counts */
}

static bool is_metrics(const char *req)
{
	static const char get[] = "GET /metrics";
	char next;

	if (strncmp(req, get, sizeof(get) - 1))
		return false;
	next = req[sizeof(get) - 1];
	return next == ' ' || next == '?' || next == '\r' || next == '\n';
}

static void serve(struct prom_server *srv, int fd)
{
	char req[PROM_REQ_MAX];
	char *text;

	if (!read_request(srv, fd, req, sizeof(req)))
		return;
	if (!is_metrics(req)) {
		respond(fd, "404 Not Found", "not found: try GET /metrics\n");
		return;
	}
	/* Copy under the lock, send without it: a slow client must not hold
	 * up prom_server_publish(). */
	pthread_mutex_lock(&srv->lock);
	text = strdup(srv->text ? srv->text : "");
	pthread_mutex_unlock(&srv->lock);
	if (!text) {
		respond(fd, "503 Service Unavailable", "out of memory\n");
		return;
	}
	respond(fd, "200 OK", text);
	free(text);
}

static void *prom_thread(void *arg)
{
	const struct timeval send_timeout = {
		.tv_sec = PROM_CLIENT_TIMEOUT_MS / 1000,
	};
	struct prom_server *srv = arg;

	for (;;) {
		struct pollfd pfd[2] = { { .fd = srv->fd, .events = POLLIN },
					 { .fd = srv->stop_pipe[0],
					   .events = POLLIN } };
		int fd;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("prometheus: poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		fd = accept4(srv->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			/* EMFILE and friends leave the connection pending:
			 * back off instead of spinning on it. */
			if (errno != EINTR && errno != ECONNABORTED)
				usleep(100 * 1000);
			continue;
		}
		/* A client that stops reading must not block the thread (and
		 * prom_server_stop) for long. */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout,
			   sizeof(send_timeout));
		serve(srv, fd);
		close(fd);
	}
	return NULL;
}

int prom_server_start(const char *listen, struct prom_server **out)
{
	struct prom_server *srv;
	sigset_t all, old;
	char host[64];
	uint16_t port;
	int err;

	if (!listen || !out)
		return -EINVAL;
	err = split_listen(listen, host, sizeof(host), &port);
	if (err) {
		pr_err("prometheus: bad listen address '%s' (want HOST:PORT)",
		       listen);
		return -EINVAL;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->fd = -1;
	if (pipe2(srv->stop_pipe, O_CLOEXEC)) {
		err = -errno;
		free(srv);
		return err;
	}
	pthread_mutex_init(&srv->lock, NULL);
	err = bind_listen(host, port, &srv->fd, &srv->port);
	if (err)
		goto err;
	/* Signals go to the main thread, never to this one. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&srv->thread, NULL, prom_thread, srv);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		goto err;
	pr_info("prometheus: serving /metrics on %s:%d", host, srv->port);
	*out = srv;
	return 0;
err:
	if (srv->fd >= 0)
		close(srv->fd);
	close(srv->stop_pipe[0]);
	close(srv->stop_pipe[1]);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
	return err;
}

int prom_server_port(const struct prom_server *srv)
{
	return srv ? srv->port : -EINVAL;
}

void prom_server_publish(struct prom_server *srv, const char *text)
{
	char *copy;

	if (!srv || !text)
		return;
	copy = strdup(text);
	if (!copy)
		return; /* keep serving the previous rendering */
	pthread_mutex_lock(&srv->lock);
	free(srv->text);
	srv->text = copy;
	pthread_mutex_unlock(&srv->lock);
}

void prom_server_stop(struct prom_server *srv)
{
	ssize_t n;

	if (!srv)
		return;
	do
		n = write(srv->stop_pipe[1], "x", 1);
	while (n < 0 && errno == EINTR);
	pthread_join(srv->thread, NULL);
	close(srv->fd);
	close(srv->stop_pipe[0]);
	close(srv->stop_pipe[1]);
	pthread_mutex_destroy(&srv->lock);
	free(srv->text);
	free(srv);
}
