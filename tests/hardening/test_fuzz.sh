#!/bin/bash
# The short fuzz of `make test`: every libFuzzer target of tests/fuzz/
# (config, filter, vm_xml, sriov_netlink, uds_proto, ctl_proto,
# handover_state, plan) runs its seed and regression inputs, then fuzzes
# for FUZZ_SECONDS (10) each: a guard against regressions within make
# test's 20 minutes. `make fuzz` is the long run (10 million executions per
# target). Binaries: `make fuzz-build` (part of `make test`'s build).
cd "$(dirname "$0")/../.." || exit 1
exec tests/fuzz/run.sh short "${FUZZ_SECONDS:-10}" config filter vm_xml \
	sriov_netlink uds_proto ctl_proto handover_state plan
