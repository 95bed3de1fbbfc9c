# shellcheck shell=bash
# Sourced first by suites that measure loss under a stream: re-runs the
# suite on CPU 0 only, so that the agent's workers (workers.cpus=1 in the
# suite) have CPU 1 to themselves, as a deployment gives forwarding workers
# cores of their own. On 2 shared cores the start of a second agent took
# CPU from the running worker, whose RX ring then overflowed (measured).
if [ -z "${AFXDP_PINNED:-}" ] && [ "$(nproc)" -ge 2 ]; then
	export AFXDP_PINNED=1
	exec taskset -c 0 "$0" "$@"
fi
