/* SPDX-License-Identifier: GPL-2.0 */
/* afxdp-host publish: the probe's verdict as the files schedulers and
 * monitoring read (a Nova provider config, an NFD local feature file, a
 * Prometheus textfile) and the flavor extra specs that select those hosts.
 * The formatters are pure (report in, text out) so the unit tests check
 * them; publish_file.c writes a file atomically and only when it differs. */
#ifndef HOST_PUBLISH_H
#define HOST_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>

struct probe_report;

/* The facts published, each a Nova custom trait and an NFD label. */
enum publish_fact {
	PUB_CAP_AF_XDP, /* e.cap.025 offered (the probe's verdict) */
	PUB_ZEROCOPY, /* ... and a netdev has AF_XDP zero-copy */
	PUB_VIRTIO_MQ, /* ... and libvirt answers (multiqueue virtio-net) */
	PUB_SRIOV_VF, /* ... and kernel-bound VFs with IOMMU groups */
	PUB_NFACTS,
};

struct publish_facts {
	bool has[PUB_NFACTS];
};

/* The outputs, as --output names them. */
enum publish_output { PUB_OUT_NOVA, PUB_OUT_NFD, PUB_OUT_PROM, PUB_NOUTS };

/* Nova's identification of the resource provider: exactly one is set. */
struct publish_ident {
	const char *name;
	const char *uuid;
};

void publish_facts(const struct probe_report *rep, struct publish_facts *f);
/* "CUSTOM_CAP_AF_XDP", ... */
const char *publish_trait(enum publish_fact f);
/* "afxdp.capable", ... (NFD adds feature.node.kubernetes.io/) */
const char *publish_label(enum publish_fact f);
const char *publish_output_name(enum publish_output o);
/* The file each output writes in its directory. */
const char *publish_output_file(enum publish_output o);

/* os_traits' rule for custom traits: CUSTOM_ then [A-Z0-9_], at most 255
 * characters in all. */
bool publish_trait_valid(const char *name);
/* NFD's rule for a local feature's name without a prefix: a Kubernetes
 * label name (1-63 of [A-Za-z0-9._-], alphanumeric at both ends). */
bool publish_label_valid(const char *name);
/* An RFC 1123 host name (labels of [A-Za-z0-9-], 1-63 each, no '-' at
 * either end; 200 in all, as Nova's schema): 0 or -EINVAL. */
int publish_check_hostname(const char *name);
/* A UUID (8-4-4-4-12 hex digits) or Nova's "$COMPUTE_NODE": 0 or -EINVAL. */
int publish_check_uuid(const char *uuid);

/* The files' contents (malloc'd, NULL when out of memory). */
char *publish_nova_yaml(const struct publish_facts *f,
			const struct publish_ident *id);
char *publish_nfd(const struct publish_facts *f);
char *publish_prom(const struct probe_report *rep,
		   const struct publish_facts *f);
/* The flavor extra specs and image property, with comments. */
char *publish_extra_specs(const struct publish_facts *f);
/* Prometheus label value escaping (\\, \", \n) of s into out: 0 or
 * -ENOSPC. */
int publish_prom_escape(const char *s, char *out, size_t len);

/* A unified diff (3 lines of context) from old (NULL: no file) to new,
 * labelled with path. malloc'd; NULL when out of memory. */
char *publish_diff(const char *old, const char *new, const char *path);

/* The current content of path: 0 with *out NULL when there is no file,
 * 0 with the content, or -errno (-EISDIR, -EFBIG above 1 MiB). */
int publish_read(const char *path, char **out);
/* Writes content to a hidden temp file beside path (same directory, so
 * the rename is atomic; a name no consumer's glob matches), fsynced, mode
 * 0644. tmp gets its name. 0 or -errno, and then no temp file is left. */
int publish_stage(const char *path, const char *content, char *tmp,
		  size_t tmp_len);
/* Renames tmp over path and fsyncs the directory. 0 or -errno. */
int publish_commit(const char *tmp, const char *path);

#endif
