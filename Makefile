# afxdp-kit top-level Makefile.
#
#   make deps      install the Debian packages everything needs
#   make           build bpf/*.bpf.o, guest/afxdp-agent, host/afxdp-host,
#                  examples/afxdp-app
#   make demo      build and forward a real packet stream on veth/netns
#   make test      the whole test suite (unit, ASan/UBSan, BPF, netns, ...)
#   make vm-test   boot real guests under QEMU/libvirt
#   make bench     benchmarks against the peers (not in CI)
#   make install   PREFIX=/usr/local DESTDIR=
#
# Per-directory rules live in */Build.mk; this file only ties them together.

PREFIX ?= /usr/local
NPROC := $(shell nproc 2>/dev/null || echo 1)
DESTDIR ?=
BINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
BPFDIR ?= $(LIBDIR)/afxdp-kit/bpf
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
VERSION := $(shell cat VERSION)

# BUILD is the object directory; `make SAN=1 BUILD=build/asan` is the
# sanitizer variant that the tests also run.
BUILD ?= build/obj
SAN ?=
CC ?= gcc
CLANG ?= clang

# The agent runs inside small guests: it links only what it needs.
AGENT_PKGS := libxdp libbpf libmnl json-c yaml-0.1 libcap-ng libsystemd
HOST_PKGS := libbpf libmnl json-c libvirt libxml-2.0 yaml-0.1 zlib
PKGS := $(sort $(AGENT_PKGS) $(HOST_PKGS))
# One pkg-config call per package: the demo tier builds the agent without
# libvirt and libxml2 installed, and one missing package must not empty the
# flags of all the others.
PKG_CFLAGS := $(foreach p,$(PKGS),$(shell pkg-config --cflags $(p) 2>/dev/null))
PKG_LIBS := $(foreach p,$(PKGS),$(shell pkg-config --libs $(p) 2>/dev/null))
AGENT_LIBS := $(shell pkg-config --libs $(AGENT_PKGS) 2>/dev/null) -lpthread
HOST_LIBS := $(shell pkg-config --libs $(HOST_PKGS) 2>/dev/null) -lpthread

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -MMD -MP \
	-DAFXDP_VERSION='"$(VERSION)"' -DAFXDP_BPF_DIR='"$(BPFDIR)"' \
	-Ilib -I. $(PKG_CFLAGS)
ifneq ($(SAN),)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
LDSAN := -fsanitize=address,undefined
endif
ALL_LDFLAGS := $(LDFLAGS) $(LDSAN)
LIBS := $(PKG_LIBS) -lpthread

Q := $(if $(V),,@)

.PHONY: all agent deps deps-demo deps-test deps-vm deps-bench deps-fresh \
	install uninstall clean demo test test-unit vm-test bench fuzz soak \
	fresh-check trixie-root format check-format
all:

# Dependencies in tiers (scripts/deps.sh): each target installs only what
# its own job needs; `make deps` installs every tier.
deps:
	./scripts/deps.sh all
deps-demo deps-test deps-vm deps-bench deps-fresh:
	./scripts/deps.sh $(@:deps-%=%)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

include lib/Build.mk
include bpf/Build.mk
include guest/Build.mk
include examples/afxdp-app/Build.mk
include host/Build.mk
include tests/Build.mk
-include tests/fuzz/Build.mk
-include vm-tests/Build.mk
-include images/Build.mk
-include ansible/Build.mk
-include bench/Build.mk

# The demo needs only the agent and the XDP programs (no libvirt).
demo: deps-demo
	$(MAKE) --no-print-directory agent
	./scripts/demo.sh

# A minimal Debian 12 root, built once and cached outside the tree, in which
# the tiers are installed and the demo and the unit tests run: proves that
# the install steps are complete (scripts/fresh-check.sh).
fresh-check: deps-fresh
	./scripts/fresh-check.sh

# The Debian 13 root with DPDK 24.11 testpmd and its AF_XDP PMD, cached
# outside the tree, from which the issue 13 suites run applications
# (scripts/trixie-root.sh; `make test` builds it when missing).
trixie-root:
	./scripts/trixie-root.sh

format:
	clang-format -i $(shell git ls-files '*.c' '*.h')

check-format:
	clang-format --dry-run --Werror $(shell git ls-files '*.c' '*.h')

clean:
	rm -rf build $(CLEAN_FILES)

-include $(shell find build -name '*.d' 2>/dev/null)
