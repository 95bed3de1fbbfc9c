# The .deb packages and the guest image.
#
#   make deb      dpkg-buildpackage -us -uc -b; the packages land in build/deb/
#   make images   images/out/afxdp-guest.qcow2 (+ vmlinuz, initrd.img) and
#                 images/out/seed-NAME.img for every images/seed/NAME/
#                 (Debian 12; the kernel is the build host's 6.1)
#   make images-trixie  the same in images/out/trixie/: Debian 13 with the
#                 trixie-backports 7.x kernel (vm-tests' zero-copy guest);
#                 the one .deb built here installs on both
#
# images/build.sh caches each stage by the hash of its inputs (package
# list, the .deb, the scripts, the kernel, the seed files), so `make
# images` after a no-op `make deb` does nothing.
DEB_OUT := build/deb
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
AGENT_DEB := $(DEB_OUT)/afxdp-agent_$(VERSION)_$(DEB_ARCH).deb
# Everything that goes into the packages.
DEB_INPUTS := $(shell git ls-files Makefile VERSION debian guest bpf lib host \
	2>/dev/null)

.PHONY: deb images images-bookworm images-trixie
deb: $(AGENT_DEB)

# dpkg-buildpackage writes into the parent directory: move exactly our
# files from there. nocheck: `make test` runs the unit tests.
$(AGENT_DEB): $(DEB_INPUTS)
	DEB_BUILD_OPTIONS="nocheck $(DEB_BUILD_OPTIONS)" dpkg-buildpackage -us -uc -b
	@mkdir -p $(DEB_OUT)
	for f in ../afxdp-agent_$(VERSION)_*.deb ../afxdp-host_$(VERSION)_*.deb \
		../afxdp-agent-dbgsym_$(VERSION)_*.deb ../afxdp-host-dbgsym_$(VERSION)_*.deb \
		../afxdp-kit_$(VERSION)_*.buildinfo ../afxdp-kit_$(VERSION)_*.changes; do \
		[ ! -e "$$f" ] || mv "$$f" $(DEB_OUT)/; done
	@touch $@

images: $(AGENT_DEB)
	images/build.sh --debs $(DEB_OUT)
images-bookworm: images
images-trixie: $(AGENT_DEB)
	images/build.sh --dist trixie --debs $(DEB_OUT)
