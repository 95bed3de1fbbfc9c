# VM tests: boot real guests (QEMU TCG and libvirt) and check that
# afxdp-agent forwards inside them. Root; ~30 min on 2 cores.
#
#   make vm-test                         both backends, every scenario
#   make vm-test VM_BACKENDS=qemu        the faster plain-QEMU path only
#   make vm-test VMT_SCENARIOS=forward   a subset (see vm-tests/README.md)
#
# The closing line comes from tests/run.sh, like every other suite.
VM_TEST_ENV := $(if $(VM_BACKENDS),VM_BACKENDS="$(VM_BACKENDS)") \
	$(if $(VMT_SCENARIOS),VMT_SCENARIOS="$(VMT_SCENARIOS)")

.PHONY: vm-test
vm-test: deps-vm
	$(MAKE) --no-print-directory all
	$(MAKE) --no-print-directory vm-test-run
.PHONY: vm-test-run
vm-test-run:
	$(VM_TEST_ENV) tests/run.sh vm-tests/run.sh images/test/deb.sh \
		images/test/run.sh
