// SPDX-License-Identifier: GPL-2.0
/*
 * The handover's two payloads (guest/handover.h): the layout both agents
 * must agree on, and the state the running agent leaves at commit. The
 * state is bytes in a memfd; its parser trusts nothing (a fuzz target).
 *
 * State format, little-endian as the machine (both agents run on it):
 *   u32 magic, u32 version, u32 workers, u32 umems, u32 socks, u32 ports,
 *   u32 frames, u32 frame_size, u32 sizeof(struct nic_state)
 *   ports x struct nic_state
 *   socks x u32 outstanding
 *   version 2 on: u32 sizeof(struct xsk_counters), u32 handovers,
 *     u64 data path since, socks x struct xsk_counters
 *   workers x umems x (u32 nr_free, nr_free x u64 address)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest/agent.h"
#include "guest/handover.h"

#define STATE_MAGIC 0x4f484641u /* "AFHO" */
#define HDR_WORDS 9

int handover_layout(const struct agent *a, uint32_t version, char *buf,
		    size_t len)
{
	const struct agent_config *c = a->cfg;
	size_t off = 0;
	int n;

#define EMIT(...)                                                \
	do {                                                     \
		n = snprintf(buf + off, len - off, __VA_ARGS__); \
		if (n < 0 || (size_t)n >= len - off)             \
			return -ENOSPC;                          \
		off += (size_t)n;                                \
	} while (0)
	EMIT("handover %u\n", version);
	EMIT("mode %s\n", config_mode_name(c->mode));
	EMIT("workers %u\numems %u\n", a->nr_workers, a->nr_umems);
	EMIT("frame_size %u\nframes %u\n", c->frame_size, c->nr_frames);
	EMIT("rings %u %u %u %u\n", c->rx_size, c->tx_size, c->fill_size,
	     c->comp_size);
	EMIT("sizeof %zu %zu\n", sizeof(struct nic_state),
	     sizeof(struct xdp_desc));
	for (uint32_t i = 0; i < a->nr_ports; i++)
		EMIT("port %u %s %d umem %u\n", i, a->ports[i].ifname,
		     a->ports[i].ifindex,
		     (uint32_t)(a->ports[i].umem - a->umems));
	/* Sockets as create_sockets() makes them: port by port, queue i
	 * to worker i % workers. */
	for (uint32_t pi = 0, k = 0; pi < a->nr_ports; pi++)
		for (uint32_t qi = 0; qi < a->ports[pi].nr_queues; qi++, k++)
			EMIT("socket %u port %u queue %u worker %u\n", k, pi,
			     a->ports[pi].queues[qi], qi % a->nr_workers);
#undef EMIT
	return (int)off;
}

int handover_layout_compare(const char *mine, const char *theirs, char *msg,
			    size_t msg_len)
{
	const char *a = mine, *b = theirs;

	while (*a || *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		if (la != lb || memcmp(a, b, la)) {
			snprintf(
				msg, msg_len,
				"layouts differ: this agent has \"%.*s\", the running one \"%.*s\"",
				(int)(la > 80 ? 80 : la), a,
				(int)(lb > 80 ? 80 : lb), b);
			return -ESTALE;
		}
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
	return 0;
}

static int put(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0)
			return -errno;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Version 2's statistics, after the sockets' outstanding counts. */
static int put_stats(int fd, const struct agent *a)
{
	uint32_t w[2] = { sizeof(struct xsk_counters), a->handovers };
	int ret = put(fd, w, sizeof(w));

	if (!ret)
		ret = put(fd, &a->dp_since_ns, sizeof(a->dp_since_ns));
	for (uint32_t i = 0; !ret && i < a->nr_socks; i++)
		ret = put(fd, &a->socks[i].c, sizeof(a->socks[i].c));
	return ret;
}

/* The largest state a's shape can give (every frame free). */
static size_t state_max_size(const struct agent *a)
{
	return HDR_WORDS * sizeof(uint32_t) +
	       (size_t)a->nr_ports * sizeof(struct nic_state) +
	       (size_t)a->nr_socks * sizeof(uint32_t) + 2 * sizeof(uint32_t) +
	       sizeof(uint64_t) +
	       (size_t)a->nr_socks * sizeof(struct xsk_counters) +
	       (size_t)a->nr_workers * a->nr_umems *
		       (sizeof(uint32_t) +
			(size_t)a->cfg->nr_frames * sizeof(uint64_t));
}

int handover_state_memfd(const struct agent *a)
{
	int fd = memfd_create("afxdp-handover-state", MFD_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = fallocate(fd, 0, 0, (off_t)state_max_size(a));
	if (ret) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int handover_state_write(const struct agent *a, uint32_t version, int fd)
{
	const struct agent_config *c = a->cfg;
	uint32_t hdr[HDR_WORDS] = {
		STATE_MAGIC,  version,	     a->nr_workers,
		a->nr_umems,  a->nr_socks,   a->nr_ports,
		c->nr_frames, c->frame_size, sizeof(struct nic_state),
	};
	off_t end;
	int ret;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	ret = put(fd, hdr, sizeof(hdr));
	for (uint32_t i = 0; !ret && i < a->nr_ports; i++)
		ret = put(fd, &a->ports[i].nic, sizeof(a->ports[i].nic));
	for (uint32_t i = 0; !ret && i < a->nr_socks; i++)
		ret = put(fd, &a->socks[i].outstanding_tx, sizeof(uint32_t));
	if (!ret && version >= 2)
		ret = put_stats(fd, a);
	for (uint32_t w = 0; !ret && w < a->nr_workers; w++)
		for (uint32_t u = 0; !ret && u < a->nr_umems; u++) {
			const struct frame_pool *p = &a->workers[w].pools[u];

			ret = put(fd, &p->nr_free, sizeof(p->nr_free));
			if (!ret)
				ret = put(fd, p->addrs,
					  p->nr_free * sizeof(uint64_t));
		}
	if (ret)
		return ret;
	/* The reader takes the file's size as the state's. */
	end = lseek(fd, 0, SEEK_CUR);
	if (end < 0 || ftruncate(fd, end))
		return -errno;
	return 0;
}

struct reader {
	const unsigned char *p;
	size_t left;
};

static int take(struct reader *r, void *out, size_t n)
{
	if (r->left < n)
		return -EBADMSG;
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

#define BAD(...)                                     \
	do {                                         \
		snprintf(err, err_len, __VA_ARGS__); \
		handover_state_free(st);             \
		return -EBADMSG;                     \
	} while (0)

/* Counters are numbers from the previous agent, taken as they are: a
 * refusal here would come after the commit, when the previous agent has
 * stopped, and cost the data path for the sake of a statistic. */
static int parse_stats(struct reader *r, struct handover_state *st, char *err,
		       size_t err_len)
{
	uint32_t w[2];

	if (take(r, w, sizeof(w)) || take(r, &st->dp_since_ns, 8))
		BAD("state: cut in the statistics");
	if (w[0] != sizeof(struct xsk_counters))
		BAD("state: counters of %u bytes, expected %zu", w[0],
		    sizeof(struct xsk_counters));
	st->handovers = w[1];
	for (uint32_t i = 0; i < st->nr_socks; i++) {
		struct xsk_counters *c = &st->counters[i];

		if (take(r, c, sizeof(*c)))
			BAD("state: cut in socket %u's counters", i);
	}
	return 0;
}

int handover_state_parse(const void *buf, size_t len,
			 const struct handover_state *shape,
			 struct handover_state *st, char *err, size_t err_len)
{
	struct reader r = { buf, len };
	uint32_t hdr[HDR_WORDS];
	const uint32_t want[HDR_WORDS] = {
		STATE_MAGIC,	  shape->version,    shape->nr_workers,
		shape->nr_umems,  shape->nr_socks,   shape->nr_ports,
		shape->nr_frames, shape->frame_size, sizeof(struct nic_state),
	};
	static const char *const what[HDR_WORDS] = {
		"magic", "version", "workers",	  "umems",	    "sockets",
		"ports", "frames",  "frame size", "NIC state size",
	};
	uint64_t *seen = NULL; /* a bit per frame of every worker and UMEM */
	unsigned int shift;
	size_t nr_pools, nr_bits;

	memset(st, 0, sizeof(*st));
	if (shape->version < HANDOVER_VERSION_MIN ||
	    shape->version > HANDOVER_VERSION)
		BAD("state: version %u not spoken here", shape->version);
	if (take(&r, hdr, sizeof(hdr)))
		BAD("state: %zu bytes, shorter than its header", len);
	for (int i = 0; i < HDR_WORDS; i++)
		if (hdr[i] != want[i])
			BAD("state: %s %u, expected %u", what[i], hdr[i],
			    want[i]);
	if (!shape->nr_workers || !shape->nr_umems ||
	    shape->nr_ports > CFG_MAX_PORTS ||
	    shape->nr_socks > CFG_MAX_PORTS * CFG_MAX_QUEUES ||
	    shape->nr_umems > CFG_MAX_PORTS || !shape->frame_size ||
	    (shape->frame_size & (shape->frame_size - 1)) ||
	    shape->nr_workers > CFG_MAX_QUEUES)
		BAD("state: impossible shape");
	st->version = shape->version;
	st->nr_workers = shape->nr_workers;
	st->nr_umems = shape->nr_umems;
	st->nr_socks = shape->nr_socks;
	st->nr_ports = shape->nr_ports;
	st->nr_frames = shape->nr_frames;
	st->frame_size = shape->frame_size;
	for (uint32_t i = 0; i < st->nr_ports; i++) {
		if (take(&r, &st->nic[i], sizeof(st->nic[i])))
			BAD("state: cut in port %u", i);
		/* Strings from outside: terminated here, whatever came. */
		st->nic[i].ifname[sizeof(st->nic[i].ifname) - 1] = '\0';
		st->nic[i].driver[sizeof(st->nic[i].driver) - 1] = '\0';
	}
	for (uint32_t i = 0; i < st->nr_socks; i++) {
		if (take(&r, &st->outstanding[i], sizeof(uint32_t)))
			BAD("state: cut in socket %u", i);
		if (st->outstanding[i] >
		    (uint32_t)st->nr_frames * st->nr_workers)
			BAD("state: socket %u: %u frames in flight", i,
			    st->outstanding[i]);
	}
	if (st->version >= 2 && parse_stats(&r, st, err, err_len))
		return -EBADMSG;
	/* A power of two (checked above): shifts, not divisions, for the
	 * up to a million addresses checked inside the handover's gap. */
	shift = (unsigned int)__builtin_ctz(st->frame_size);
	nr_pools = (size_t)st->nr_workers * st->nr_umems;
	st->pools = calloc(nr_pools, sizeof(*st->pools));
	nr_bits = (size_t)st->nr_frames * st->nr_workers * st->nr_umems;
	seen = calloc(nr_bits / 64 + 1, sizeof(*seen));
	if (!st->pools || !seen) {
		free(seen);
		BAD("state: out of memory");
	}
	for (uint32_t w = 0; w < st->nr_workers; w++)
		for (uint32_t u = 0; u < st->nr_umems; u++) {
			struct handover_pool *p =
				&st->pools[w * st->nr_umems + u];

			if (take(&r, &p->nr_free, sizeof(p->nr_free)) ||
			    p->nr_free > st->nr_frames) {
				free(seen);
				BAD("state: worker %u UMEM %u: bad free count",
				    w, u);
			}
			if (r.left / sizeof(uint64_t) < p->nr_free) {
				free(seen);
				BAD("state: worker %u UMEM %u: cut", w, u);
			}
			p->addrs = r.p;
			r.p += (size_t)p->nr_free * sizeof(uint64_t);
			r.left -= (size_t)p->nr_free * sizeof(uint64_t);
			for (uint32_t i = 0; i < p->nr_free; i++) {
				uint64_t a = handover_pool_addr(p, i),
					 f = a >> shift;
				size_t bit;

				if ((a & (st->frame_size - 1)) ||
				    f < (uint64_t)w * st->nr_frames ||
				    f >= (uint64_t)(w + 1) * st->nr_frames) {
					free(seen);
					BAD("state: worker %u UMEM %u: address %llu is not one of its frames",
					    w, u, (unsigned long long)a);
				}
				bit = (size_t)u * st->nr_frames *
					      st->nr_workers +
				      f;
				if (seen[bit / 64] & (1ULL << (bit % 64))) {
					free(seen);
					BAD("state: worker %u UMEM %u: frame %llu twice",
					    w, u, (unsigned long long)a);
				}
				seen[bit / 64] |= 1ULL << (bit % 64);
			}
		}
	free(seen);
	if (r.left)
		BAD("state: %zu bytes after the end", r.left);
	return 0;
}

void handover_state_free(struct handover_state *st)
{
	free(st->pools); /* the addresses are the caller's buffer */
	st->pools = NULL;
}
