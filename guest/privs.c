// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <cap-ng.h>
#include <linux/capability.h>

#include "guest/privs.h"
#include "util/log.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* CAP_CHOWN: a claim added on reload gives its pinned map to its
 * application's uid (guest/app_endpoint.c); claims need root, so it is
 * kept only when the agent stays root (no run.user). */
static const int kept[] = { CAP_NET_ADMIN, CAP_BPF, CAP_SYS_ADMIN,
			    CAP_CHOWN };

int privs_describe(char *buf, unsigned long len)
{
	char *s;

	capng_get_caps_process();
	s = capng_print_caps_text(CAPNG_PRINT_BUFFER, CAPNG_EFFECTIVE);
	snprintf(buf, len, "%s", s ? s : "none");
	free(s);
	return 0;
}

int privs_drop_after_setup(const char *user)
{
	struct passwd *pw = NULL;
	capng_select_t select;
	bool held[sizeof(kept) / sizeof(kept[0])];
	char caps[256];
	bool bound;
	int ret;

	if (capng_get_caps_process())
		return -EPERM;
	/* Not root or already minimal (systemd granted the set): nothing
	 * to drop beyond what we hold. */
	if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN) &&
	    !capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN))
		return 0;
	/* Changing the bounding set needs CAP_SETPCAP; under systemd the
	 * unit already bounds us (CapabilityBoundingSet=), so leave it. */
	bound = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		held[i] = capng_have_capability(CAPNG_EFFECTIVE,
						(unsigned int)kept[i]) &&
			  !(kept[i] == CAP_CHOWN && user && *user);
	select = bound ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS;
	capng_clear(select);
	/* Keep only what we hold: asking for more fails the whole apply.
	 * Not root: inheritable too, for the ambient set below. */
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (held[i])
			capng_update(CAPNG_ADD,
				     CAPNG_EFFECTIVE | CAPNG_PERMITTED |
					     (getuid() ? CAPNG_INHERITABLE : 0) |
					     (bound ? CAPNG_BOUNDING_SET : 0),
				     (unsigned int)kept[i]);
	if (user && *user) {
		pw = getpwnam(user);
		if (!pw) {
			pr_err("run.user '%s' does not exist; keeping uid %d",
			       user, (int)getuid());
			return -ENOENT;
		}
		ret = capng_change_id(
			(int)pw->pw_uid, (int)pw->pw_gid,
			CAPNG_DROP_SUPP_GRP |
				(bound ? CAPNG_CLEAR_BOUNDING : 0));
	} else {
		ret = capng_apply(select);
	}
	if (ret) {
		pr_warn("cannot drop capabilities (libcap-ng error %d)", ret);
		return -EPERM;
	}
	/* An unprivileged user (systemd's User= with AmbientCapabilities=)
	 * loses every capability across execve() unless it is ambient: the
	 * agent that `ctl upgrade` starts (guest/upgrade.h) needs these to
	 * adopt the program and later detach it. The same set the agent
	 * keeps, no more; root gets its capabilities back at exec anyway. */
	if (getuid())
		for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
			if (held[i] && kept[i] != CAP_CHOWN &&
			    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE,
				  (unsigned long)kept[i], 0, 0))
				pr_warn("capability %d not kept across exec (ctl upgrade may fail): %s",
					kept[i], strerror(errno));
	privs_describe(caps, sizeof(caps));
	pr_info("after setup: running as uid %d with capabilities %s",
		(int)getuid(), caps);
	return 0;
}
