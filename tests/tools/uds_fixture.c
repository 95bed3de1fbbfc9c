// SPDX-License-Identifier: GPL-2.0
/*
 * uds_fixture: stands in for the agent's application support in tests of
 * AF_XDP applications (examples/afxdp-app). It creates an XSKMAP, attaches
 * a tiny XDP program to IF that redirects every frame to the map at its
 * rx queue (frames on a queue without a socket go to the kernel), and
 * hands the map out with the real device-plugin server (guest/uds_server.h)
 * at --socket, or pins it at --pin, owned by --uid. Runs until SIGINT or
 * SIGTERM, then detaches and prints the server's counters as one JSON line.
 *
 *   uds_fixture -i IF (-s PATH | -p PATH) -u UID [-n] [-q N] [-r READY]
 *
 * -n answers /host_nak to every /connect (a claim this peer may not have).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>

#include "guest/uds_server.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct fixture {
	const char *ifname;
	int map_fd;
	int host_nak;
};

static int fx_connect(void *ctx, const struct uds_peer *peer, const char *name)
{
	struct fixture *fx = ctx;

	(void)peer;
	(void)name;
	return fx->host_nak ? -EACCES : 0;
}

/* Only the interface the program is attached to has a map: any other
 * name gets /fd_nak, as the agent answers for an interface it does not
 * manage. */
static int fx_map_fd(void *ctx, const struct uds_peer *peer, const char *ifname)
{
	struct fixture *fx = ctx;

	(void)peer;
	return strcmp(ifname, fx->ifname) ? -ENODEV : fx->map_fd;
}

/*
 * return bpf_redirect_map(&map, ctx->rx_queue_index, XDP_PASS);
 * Written as instructions so the fixture needs no BPF object of its own
 * (the objects in bpf/ are installed; this program is for tests only).
 */
static int load_redirect(int map_fd)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_W,
		  .dst_reg = BPF_REG_2,
		  .src_reg = BPF_REG_1,
		  .off = offsetof(struct xdp_md, rx_queue_index) },
		{ .code = BPF_LD | BPF_DW | BPF_IMM,
		  .dst_reg = BPF_REG_1,
		  .src_reg = BPF_PSEUDO_MAP_FD,
		  .imm = map_fd },
		{ 0 }, /* second half of the 64-bit load */
		/* The low bits of the flags are the action when the key has
		 * no socket: pass, never drop. */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		  .dst_reg = BPF_REG_3,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect_map },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "fixture_redir", "GPL", insns,
			     sizeof(insns) / sizeof(insns[0]), NULL);
}

static void usage(void)
{
	fprintf(stderr, "usage: uds_fixture -i IF (-s SOCKET | -p PIN_PATH) "
			"-u UID [-n] [-q QUEUES] [-r READY_FILE]\n");
}

int main(int argc, char **argv)
{
	struct fixture fx = { .map_fd = -1 };
	const char *sock_path = NULL, *pin = NULL, *ready = NULL;
	unsigned long queues = 64;
	struct uds_server *srv = NULL;
	struct uds_server_stats st = { 0 };
	struct uds_server_opts so = { 0 };
	uid_t uid = (uid_t)-1;
	int opt, prog_fd, ifindex, err, ret = 1;

	while ((opt = getopt(argc, argv, "i:s:p:u:nq:r:")) != -1) {
		switch (opt) {
		case 'i':
			fx.ifname = optarg;
			break;
		case 's':
			sock_path = optarg;
			break;
		case 'p':
			pin = optarg;
			break;
		case 'u':
			uid = (uid_t)strtoul(optarg, NULL, 10);
			break;
		case 'n':
			fx.host_nak = 1;
			break;
		case 'q':
			queues = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			ready = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!fx.ifname || !sock_path == !pin || uid == (uid_t)-1 || !queues ||
	    queues > 1024) {
		usage();
		return 2;
	}
	ifindex = (int)if_nametoindex(fx.ifname);
	if (!ifindex) {
		fprintf(stderr, "uds_fixture: no interface %s\n", fx.ifname);
		return 2;
	}
	fx.map_fd = bpf_map_create(BPF_MAP_TYPE_XSKMAP, "fixture_xsks", 4, 4,
				   (__u32)queues, NULL);
	if (fx.map_fd < 0) {
		fprintf(stderr, "uds_fixture: XSKMAP: %s\n", strerror(errno));
		return 1;
	}
	prog_fd = load_redirect(fx.map_fd);
	if (prog_fd < 0) {
		fprintf(stderr, "uds_fixture: XDP program: %s\n",
			strerror(errno));
		return 1;
	}
	err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		fprintf(stderr, "uds_fixture: attach to %s: %s\n", fx.ifname,
			strerror(-err));
		return 1;
	}
	if (pin) {
		/* DPDK's use_pinned_map opens the map as the application's
		 * user: the pin must belong to it. */
		if (bpf_obj_pin(fx.map_fd, pin) || chown(pin, uid, (gid_t)-1)) {
			fprintf(stderr, "uds_fixture: pin %s: %s\n", pin,
				strerror(errno));
			pin = NULL;
			goto out;
		}
	} else {
		so.path = sock_path;
		so.uids = &uid;
		so.nr_uids = 1;
		so.on_connect = fx_connect;
		so.get_xsk_map_fd = fx_map_fd;
		so.ctx = &fx;
		err = uds_server_open(&so, &srv);
		if (err) {
			fprintf(stderr, "uds_fixture: %s: %s\n", sock_path,
				strerror(-err));
			goto out;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (f)
			fclose(f);
	}
	while (!stop) {
		struct pollfd pfd = { .fd = srv ? uds_server_fd(srv) : -1,
				      .events = POLLIN };

		if (poll(&pfd, 1, 100) > 0)
			uds_server_serve_one(srv);
	}
	ret = 0;
out:
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (pin)
		unlink(pin);
	if (srv) {
		uds_server_get_stats(srv, &st);
		uds_server_close(srv);
	}
	printf("{\"served\":%llu,\"fds_sent\":%llu,\"refused\":%llu,"
	       "\"failed\":%llu,\"naks\":%llu}\n",
	       (unsigned long long)st.served, (unsigned long long)st.fds_sent,
	       (unsigned long long)st.refused, (unsigned long long)st.failed,
	       (unsigned long long)st.naks);
	return ret;
}
