# shellcheck shell=bash disable=SC2154
# (work, RAW, ROOT, die and log come from bench/run.sh, which sources this)
# Section guest: the agent inside the Debian 13 guest (trixie-backports
# 7.x kernel, QEMU TCG, two virtio-net NICs with iommu_platform), copy vs
# zero-copy in one boot: the vm-tests scenario zerocopy without its
# restarts measures the guest's busy CPU time per forwarded frame for each
# (vm-tests/scenarios/zerocopy.sh, cpu_per_frame). TCG makes the absolute
# numbers meaningless; the ratio is the result. BENCH_GUEST_ROUNDS boots
# (default 1, about 4 minutes each); the image is built and cached by
# make images-trixie on first use. In the same boot, after the agent,
# DPDK 24.11's testpmd with net_af_xdp (copy mode, io) forwards the same
# traffic between the same NICs (ZC_TESTPMD=1), measured the same way.
GUEST_ROUNDS=${BENCH_GUEST_ROUNDS:-1}

section_guest() {
	local r out c z t
	for r in $(seq "$GUEST_ROUNDS"); do
		log "guest: round $r/$GUEST_ROUNDS (a Debian 13 VM under TCG)"
		out=$work/guest-$r.tap
		VMT_GUESTS=trixie VMT_SCENARIOS=zerocopy VM_BACKENDS=qemu ZC_RESTARTS=0 ZC_TESTPMD=1 \
			"$ROOT/vm-tests/run.sh" >"$out" 2>&1 ||
			die "guest: the vm-test failed; its output:
$(grep -E '^(not ok|#)' "$out" | tail -n 15)"
		read -r c z < <(sed -nE 's/^# guest CPU per forwarded frame: copy ([0-9]+) ns, zero-copy ([0-9]+) ns.*/\1 \2/p' "$out")
		t=$(sed -nE 's/^# guest CPU per forwarded frame: testpmd copy ([0-9]+) ns.*/\1/p' "$out")
		[ -n "$c" ] && [ -n "$z" ] && [ -n "$t" ] || die "guest: no CPU per frame in the vm-test output"
		jq -nc --argjson r "$r" --argjson c "$c" --argjson z "$z" --argjson t "$t" \
			--arg k "$(sed -nE 's/^# image trixie: .*\((.*)\)$/\1/p' "$out")" '
			{section: "guest", label: "agent copy", peer: "agent", round: $r,
			 cpu_ns_per_pkt: $c, guest: $k},
			{section: "guest", label: "agent zero-copy", peer: "agent",
			 round: $r, cpu_ns_per_pkt: $z, guest: $k},
			{section: "guest", label: "testpmd copy", peer: "testpmd",
			 round: $r, cpu_ns_per_pkt: $t, guest: $k}' | tee -a "$RAW" |
			jq -r '"  guest \(.label): \(.cpu_ns_per_pkt) ns guest CPU/frame (TCG)"' >&2
	done
}
