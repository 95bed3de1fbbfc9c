// SPDX-License-Identifier: GPL-2.0
/*
 * afxdp-agent configuration: the cross-field checks, once every source
 * (defaults, file, command line) has been applied. Each key's own value was
 * checked when it was set; here are the rules between keys, and the checks
 * of a configuration built in code, whose fields nobody checked.
 */
#include <errno.h>
#include <string.h>

#include "guest/config_int.h"
#include "util/errmsg.h"
#include "util/parse.h"
#include "util/xdp_mtu.h"

static bool pow2_in(uint32_t v)
{
	return v >= 64 && v <= 16384 && !(v & (v - 1));
}

/* mode none: the applications' interfaces only, no ports of the agent's
 * own; every other mode: its ports, and applications beside them. */
static int check_ports(const struct agent_config *cfg, char *err, size_t len)
{
	if (cfg->mode == MODE_NONE) {
		if (cfg->nr_ports)
			return errmsg(
				err, len, -EINVAL,
				"ports: mode none has no workers of its own, so no ports (the applications' interfaces are in apps), got %zu",
				cfg->nr_ports);
		if (!cfg->nr_apps)
			return errmsg(
				err, len, -EINVAL,
				"apps: mode none needs at least one application");
		return 0;
	}
	if (!cfg->nr_ports)
		return errmsg(
			err, len, -EINVAL,
			"ports: at least one port is required (-i IFNAME)");
	if (cfg->nr_ports > CFG_MAX_PORTS)
		return errmsg(err, len, -EINVAL, "ports: at most %d ports",
			      CFG_MAX_PORTS);
	if (cfg->mode == MODE_FWD && cfg->nr_ports != 2)
		return errmsg(err, len, -EINVAL,
			      "ports: mode fwd needs exactly 2 ports, got %zu",
			      cfg->nr_ports);
	for (size_t i = 0; i < cfg->nr_ports; i++) {
		const struct port_config *p = &cfg->ports[i];

		if (!p->ifname[0] ||
		    strnlen(p->ifname, IF_NAMESIZE) >= IF_NAMESIZE)
			return errmsg(
				err, len, -EINVAL,
				"ports.%zu.ifname: must be 1..%d characters", i,
				IF_NAMESIZE - 1);
		if (p->nr_queues > CFG_MAX_QUEUES)
			return errmsg(err, len, -EINVAL,
				      "ports.%zu.queues: at most %d", i,
				      CFG_MAX_QUEUES);
		for (size_t j = 0; j < p->nr_queues; j++) {
			if (p->queues[j] >= AFXDP_MAX_QUEUES)
				return errmsg(
					err, len, -EINVAL,
					"ports.%zu.queues: queue %u out of 0..%d",
					i, p->queues[j], AFXDP_MAX_QUEUES - 1);
			for (size_t k = 0; k < j; k++)
				if (p->queues[k] == p->queues[j])
					return errmsg(
						err, len, -EINVAL,
						"ports.%zu.queues: queue %u listed twice",
						i, p->queues[j]);
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(cfg->ports[j].ifname, p->ifname))
				return errmsg(
					err, len, -EINVAL,
					"ports.%zu.ifname: %s is already ports.%zu",
					i, p->ifname, j);
	}
	return 0;
}

uint32_t config_batch(const struct agent_config *cfg)
{
	uint32_t b = cfg->mode == MODE_TXGEN ? CFG_DEFAULT_TXGEN_BATCH :
					       CFG_DEFAULT_FWD_BATCH;
	const uint32_t rings[] = { cfg->rx_size, cfg->tx_size, cfg->fill_size,
				   cfg->comp_size };

	if (cfg->batch_size)
		return cfg->batch_size;
	for (size_t i = 0; i < sizeof(rings) / sizeof(rings[0]); i++)
		if (rings[i] && rings[i] < b)
			b = rings[i];
	return b;
}

int config_validate(const struct agent_config *cfg, char *err, size_t len)
{
	const struct {
		const char *name;
		uint32_t v;
	} rings[] = {
		{ "socket.rx_size", cfg->rx_size },
		{ "socket.tx_size", cfg->tx_size },
		{ "socket.fill_size", cfg->fill_size },
		{ "socket.comp_size", cfg->comp_size },
	};
	uint32_t max_payload, batch;
	int ret;

	if ((unsigned int)cfg->mode > MODE_NONE)
		return errmsg(err, len, -EINVAL, "mode: invalid value %d",
			      cfg->mode);
	ret = check_ports(cfg, err, len);
	if (ret)
		return ret;
	ret = config_check_claims(cfg, err, len);
	if (ret)
		return ret;
	/* Forwarding the rest needs a pair to forward it to. */
	if (cfg->unmatched == AFXDP_UNMATCHED_FORWARD && cfg->mode != MODE_FWD)
		return errmsg(
			err, len, -EINVAL,
			"xdp.unmatched: forward needs mode fwd (two ports), not %s",
			config_mode_name(cfg->mode));
	if (cfg->fail_open == AFXDP_UNMATCHED_FORWARD && cfg->mode != MODE_FWD)
		return errmsg(
			err, len, -EINVAL,
			"xdp.fail_open: forward needs mode fwd (two ports), not %s",
			config_mode_name(cfg->mode));
	if (cfg->frame_size != 2048 && cfg->frame_size != 4096)
		return errmsg(err, len, -EINVAL,
			      "socket.frame_size: must be 2048 or 4096, got %u",
			      cfg->frame_size);
	for (size_t i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		if (!pow2_in(rings[i].v))
			return errmsg(
				err, len, -EINVAL,
				"%s: must be a power of two in 64..16384, got %u",
				rings[i].name, rings[i].v);
		if (cfg->batch_size && cfg->batch_size > rings[i].v)
			return errmsg(err, len, -EINVAL,
				      "socket.batch: %u is larger than %s %u",
				      cfg->batch_size, rings[i].name,
				      rings[i].v);
	}
	/* 0 is unset (config_batch()); the option itself takes 1..512. */
	if (cfg->batch_size > 512)
		return errmsg(err, len, -EINVAL,
			      "socket.batch: must be 1..512, got %u",
			      cfg->batch_size);
	if ((uint64_t)cfg->nr_frames < (uint64_t)cfg->fill_size + cfg->tx_size)
		return errmsg(
			err, len, -EINVAL,
			"socket.frames: %u is less than socket.fill_size + socket.tx_size (%llu)",
			cfg->nr_frames,
			(unsigned long long)cfg->fill_size + cfg->tx_size);
	/* The kernel takes 32 (its default) up to the TX ring size. */
	if (cfg->tx_budget && (cfg->tx_budget < CFG_MIN_TX_BUDGET ||
			       cfg->tx_budget > cfg->tx_size))
		return errmsg(
			err, len, -EINVAL,
			"socket.tx_budget: must be 0 (the TX ring size) or %u..socket.tx_size (%u), got %u",
			CFG_MIN_TX_BUDGET, cfg->tx_size, cfg->tx_budget);
	max_payload = cfg->frame_size - CFG_FRAME_HEADROOM;
	batch = config_batch(cfg);
	if (cfg->multi_buffer && batch < CFG_MB_MAX_BUFS)
		return errmsg(
			err, len, -EINVAL,
			"socket.batch: %u is too small for socket.multi_buffer (a frame can take %u buffers, the kernel's limit)",
			batch, CFG_MB_MAX_BUFS);
	/* With multi-buffer the driver's XDP limit decides (checked when
	 * the program is attached, with the kernel's reason). */
	if (!cfg->multi_buffer &&
	    cfg->mtu > xdp_mtu_max_for_frame(cfg->frame_size))
		return errmsg(
			err, len, -EINVAL,
			"nic.mtu: %u does not fit socket.frame_size %u (at most %u; larger frames need socket.multi_buffer)",
			cfg->mtu, cfg->frame_size,
			xdp_mtu_max_for_frame(cfg->frame_size));
	if (cfg->nr_cpus > CFG_MAX_CPUS)
		return errmsg(err, len, -EINVAL, "workers.cpus: at most %d",
			      CFG_MAX_CPUS);
	if (cfg->nr_filter_rules > AFXDP_MAX_RULES)
		return errmsg(err, len, -EINVAL, "xdp.filter: at most %d rules",
			      AFXDP_MAX_RULES);
	if (cfg->prometheus_listen[0]) {
		char host[64];
		uint16_t port;

		if (parse_host_port(cfg->prometheus_listen, host, sizeof(host),
				    &port))
			return errmsg(
				err, len, -EINVAL,
				"stats.prometheus: must be HOST:PORT, got %s",
				cfg->prometheus_listen);
	}
	/* Relative paths would depend on the directory the agent and its
	 * clients happen to start in. */
	if (cfg->ctl_socket[0] && cfg->ctl_socket[0] != '/')
		return errmsg(
			err, len, -EINVAL,
			"ctl.socket: must be an absolute path or empty (no control socket), got %s",
			cfg->ctl_socket);
	if (cfg->mode == MODE_TXGEN) {
		const struct txgen_config *t = &cfg->txgen;

		if (t->frame_size < CFG_MIN_FRAME ||
		    t->frame_size > max_payload)
			return errmsg(
				err, len, -EINVAL,
				"txgen.size: must be %d..%u with socket.frame_size %u, got %u",
				CFG_MIN_FRAME, max_payload, cfg->frame_size,
				t->frame_size);
		if (!t->flows || (uint32_t)t->src_port + t->flows - 1 > 65535)
			return errmsg(
				err, len, -EINVAL,
				"txgen.flows: src_port %u + %u flows runs past port 65535",
				t->src_port, t->flows);
	}
	return 0;
}
