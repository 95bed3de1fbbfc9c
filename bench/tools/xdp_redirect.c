// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_redirect: the in-kernel forwarding limit. Attaches redirect.bpf.o
 * (native XDP) on IN with DEVMAP slot 0 = OUT, waits for SIGTERM/SIGINT,
 * detaches. OUT's veth peer must carry an XDP program (veth only accepts
 * redirected frames then). Prints "ready" on stdout once attached.
 *
 *   xdp_redirect -o redirect.bpf.o -i IN -O OUT
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *obj_path = NULL, *in = NULL, *out = NULL;
	struct bpf_object *obj;
	struct bpf_program *prog;
	uint32_t key = 0, in_idx, out_idx;
	int opt, map_fd, err;

	while ((opt = getopt(argc, argv, "o:i:O:")) != -1) {
		switch (opt) {
		case 'o':
			obj_path = optarg;
			break;
		case 'i':
			in = optarg;
			break;
		case 'O':
			out = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: xdp_redirect -o OBJ -i IN -O OUT\n");
			return 2;
		}
	}
	if (!obj_path || !in || !out) {
		fprintf(stderr, "usage: xdp_redirect -o OBJ -i IN -O OUT\n");
		return 2;
	}
	in_idx = if_nametoindex(in);
	out_idx = if_nametoindex(out);
	if (!in_idx || !out_idx) {
		fprintf(stderr, "xdp_redirect: no interface %s\n",
			in_idx ? out : in);
		return 2;
	}
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "xdp_redirect: cannot load %s\n", obj_path);
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "redirect");
	map_fd = bpf_object__find_map_fd_by_name(obj, "tx_port");
	if (!prog || map_fd < 0 ||
	    bpf_map_update_elem(map_fd, &key, &out_idx, BPF_ANY)) {
		fprintf(stderr, "xdp_redirect: devmap setup failed\n");
		bpf_object__close(obj);
		return 1;
	}
	err = bpf_xdp_attach((int)in_idx, bpf_program__fd(prog),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		fprintf(stderr, "xdp_redirect: attach on %s: %s\n", in,
			strerror(-err));
		bpf_object__close(obj);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		pause();
	bpf_xdp_detach((int)in_idx, XDP_FLAGS_DRV_MODE, NULL);
	bpf_object__close(obj);
	return 0;
}
