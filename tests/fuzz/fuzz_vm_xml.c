// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: afxdp-host's option-to-XML path (host/vm_cmd.c's
 * options on host/cmd.c, and host/vm_xml.c). The first byte picks the path:
 *
 *   even: the rest is argv for `afxdp-host vm xml`, NUL separated, run
 *         through the command layer like main.c would (options table ->
 *         checks -> rules -> a new <interface>); no libvirt connection is
 *         made for "xml".
 *   odd:  the next 4 bytes are a struct vm_iface_spec (driver, queues,
 *         rx queue size, MTU), the rest an XML text: as an <interface>
 *         snippet it goes through vm_xml_edit_iface() and vm_xml_diff()
 *         (`vm set --dry-run`); as a <domain> through the read, match,
 *         apply and serialise calls that `vm show/set` make.
 *
 * Run with -close_fd_mask=3: the CLI path prints its XML on stdout. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "host/cmd.h"
#include "host/vm_xml.h"
#include "util/log.h"

#define MAX_ARGS 32
#define MAX_IFACES 16

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(-1);
	xmlSetGenericErrorFunc(NULL, quiet);
	return 0;
}

static void fuzz_cli(const char *buf, size_t len)
{
	static const struct cmd_verb *const verbs[] = { &vm_verb, NULL };
	char *argv[MAX_ARGS + 4];
	int argc = 0;

	argv[argc++] = "afxdp-host";
	argv[argc++] = "vm";
	argv[argc++] = "xml";
	for (size_t i = 0; i < len && argc < MAX_ARGS + 3;) {
		argv[argc++] = (char *)buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	cmd_main("afxdp-host", verbs, argc, argv);
}

static void fuzz_domain(const char *text, const struct vm_iface_spec *spec)
{
	xmlNodePtr ifaces[MAX_IFACES];
	struct vm_domain_info info;
	struct vm_iface_info ii;
	struct vm_reasons why;
	xmlDocPtr doc;
	char *out = NULL;
	size_t n = 0;

	if (vm_xml_parse(text, &doc))
		return;
	vm_xml_domain_info(doc, &info);
	if (!vm_xml_interfaces(doc, ifaces, MAX_IFACES, &n)) {
		for (size_t i = 0; i < n; i++) {
			vm_xml_iface_info(ifaces[i], &ii);
			vm_xml_iface_match(ifaces[i], i, "0");
			vm_xml_iface_match(ifaces[i], i, "52:54:00:12:34:56");
			memset(&why, 0, sizeof(why));
			vm_xml_iface_apply(ifaces[i], spec, false, &why);
			memset(&why, 0, sizeof(why));
			vm_xml_iface_apply(ifaces[i], spec, true, &why);
			if (why.n > VM_REASON_MAX)
				abort();
		}
	}
	if (!vm_xml_doc_str(doc, &out))
		free(out);
	xmlFreeDoc(doc);
}

static void fuzz_edit(const uint8_t *p, const char *text)
{
	static const unsigned int rxq[] = { 0, 256, 512, 1024 };
	static const unsigned int mtu[] = { 0, 68, 1500, 4064 };
	struct vm_iface_spec spec = {
		.driver_name = p[0] & 1 ? "vhost" : "qemu",
		.queues = (unsigned int)p[1] + 1,
		.rx_queue_size = rxq[p[2] & 3],
		.mtu = mtu[p[3] & 3],
	};
	struct vm_reasons why = { 0 };
	char *out = NULL, *diff = NULL;
	bool changed = false;

	if (!vm_xml_edit_iface(text, &spec, &out, &changed, &why)) {
		if (!vm_xml_diff(text, out, "iface", &diff))
			free(diff);
		free(out);
	}
	fuzz_domain(text, &spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;

	if (size < 5 || size > 16384)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (!(data[0] & 1))
		fuzz_cli(buf + 1, size - 1);
	else
		fuzz_edit(data + 1, buf + 5);
	free(buf);
	return 0;
}
