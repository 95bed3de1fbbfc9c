#!/usr/bin/env python3
"""Turn the per-window JSON lines of bench/run.sh into the results JSON
and the Markdown summary: medians with min-max, ratios (from medians and
from windows paired by round), the issue's targets met/missed."""
import argparse
import json
from collections import OrderedDict

import report_tcp
import report_why
from report_stats import idle_med, med, stats

TARGET_THROUGHPUT = 1.2  # agent Mpps / testpmd io Mpps, at least
TARGET_CPU = 0.8  # agent CPU per packet / testpmd io's, at most
TARGET_P99_US = 200.0  # added p99 latency at 1 kpps, below
# Issue 19 (same run, ratios).
T19_VS_TESTPMD = 1.5  # agent Mpps / testpmd io, at least
T19_VS_OVS = 1.3  # agent Mpps / OVS afxdp, at least
T19_CPU = 0.65  # agent CPU per packet / testpmd io's, at most
T19_IDLE_CPU_0 = 1.0  # agent % of a core at 0 pps, at most
T19_IDLE_CPU_10K = 15.0  # ... at 10 kpps, at most
T19_VS_FLOOR = 1.2  # agent Mpps / the minimal libxdp loop (floor_fwd), at least


def group(windows, section):
    out = OrderedDict()
    for w in windows:
        if w.get("section") == section:
            out.setdefault(w["label"], []).append(w)
    return out


def summarize(ws):
    return {"mpps": stats([w.get("mpps") for w in ws]),
            "cpu_ns_per_pkt": stats([w.get("cpu_ns_per_pkt") for w in ws]),
            "offered_mpps": stats([w.get("offered_mpps") for w in ws]),
            "args": ws[0].get("args", "")}


def ratio(a, b):
    return a / b if a is not None and b else None


def paired(ga, gb, key):
    """Median of per-round ratios: windows of one round ran back to back,
    so the machine's load drifts less between them than across rounds."""
    r = [ratio(a.get(key), b.get(key)) for a, b in zip(ga, gb)]
    return stats(r)


def minus_base(w, base_by_round, key):
    """A latency percentile minus the same round's baseline."""
    b = base_by_round.get(w.get("round"), {})
    return w[key] - b[key] if key in b else None


def fmt(v, digits=3):
    return "-" if v is None else f"{v:.{digits}f}"


def rng(s, digits=3):
    if not s:
        return "-"
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}-{s['max']:.{digits}f})"


def verdict(ok):
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def idle_summary(windows):
    """Section idle: per label and rate, the CPU (% of a core) and the
    latency percentiles, the latter also minus the baseline (no
    forwarder) of the same rate and round; medians over rounds."""
    base = {}
    for w in windows:
        if w.get("section") == "idle" and w["label"] == "baseline":
            base[(w["rate_pps"], w.get("round"))] = w
    out = OrderedDict()
    for w in windows:
        if w.get("section") != "idle" or w["label"] == "baseline":
            continue
        out.setdefault(w["label"], OrderedDict()).setdefault(
            w["rate_pps"], []).append(w)
    res = OrderedDict()
    for label, rates in out.items():
        res[label] = OrderedDict()
        for rate, ws in sorted(rates.items()):
            def added(w, key):
                b = base.get((rate, w.get("round")), {})
                if key in w and key in b:
                    return w[key] - b[key]
                return None
            res[label][rate] = {
                "cpu_pct": stats([w.get("cpu_pct") for w in ws]),
                "p50_us": stats([w.get("lat_p50_us") for w in ws]),
                "p99_us": stats([w.get("lat_p99_us") for w in ws]),
                "added_p50_us": stats([added(w, "lat_p50_us") for w in ws]),
                "added_p99_us": stats([added(w, "lat_p99_us") for w in ws]),
                "received": sum(w.get("frames", 0) for w in ws),
                "sent": sum(w.get("sent", 0) for w in ws) if rate else 0,
                "args": ws[0].get("args", ""),
            }
    base_s = OrderedDict()
    for rate in sorted({k[0] for k in base}):
        ws = [w for k, w in base.items() if k[0] == rate]
        base_s[rate] = {"p50_us": stats([w.get("lat_p50_us") for w in ws]),
                        "p99_us": stats([w.get("lat_p99_us") for w in ws]),
                        "received": sum(w.get("frames", 0) for w in ws),
                        "sent": sum(w.get("sent", 0) for w in ws)}
    return res, base_s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meta", required=True)
    ap.add_argument("--windows", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--markdown", required=True)
    ap.add_argument("--profile")
    a = ap.parse_args()

    meta = json.load(open(a.meta))
    windows = [json.loads(line) for line in open(a.windows) if line.strip()]
    main_g = group(windows, "main")
    main_s = OrderedDict((k, summarize(v)) for k, v in main_g.items())
    sweep_s = OrderedDict((k, summarize(v))
                          for k, v in group(windows, "sweep").items())
    queue_s = OrderedDict((k, summarize(v))
                          for k, v in group(windows, "queues").items())
    gen_s = OrderedDict((k, {"mpps": stats([w["mpps"] for w in v])})
                        for k, v in group(windows, "gen").items())
    lat = group(windows, "latency")  # label -> one entry per round

    ratios = OrderedDict()
    pairs = [("agent", p) for p in ("floor", "testpmd-io", "testpmd-macswap",
                                      "ovs", "kernel")] + [("agent-b", "agent")]
    for x, peer in pairs:
        if x in main_g and peer in main_g:
            ratios[f"{x}/{peer}"] = {
                "mpps_of_medians": ratio(med(main_s, x, "mpps"),
                                         med(main_s, peer, "mpps")),
                "mpps_paired": paired(main_g[x], main_g[peer], "mpps"),
                "cpu_per_pkt_of_medians": ratio(
                    med(main_s, x, "cpu_ns_per_pkt"),
                    med(main_s, peer, "cpu_ns_per_pkt")),
                "cpu_per_pkt_paired": paired(main_g[x], main_g[peer],
                                             "cpu_ns_per_pkt"),
            }

    # Per round: each path's percentiles minus that round's baseline; then
    # medians over rounds (one delayed receiver spoils one round only).
    base_by_round = {w.get("round"): w for w in lat.get("baseline", [])}
    base = {"p50_us": stats([w.get("lat_p50_us") for w in lat.get("baseline", [])]),
            "p99_us": stats([w.get("lat_p99_us") for w in lat.get("baseline", [])]),
            "received": sum(w.get("frames", 0) for w in lat.get("baseline", [])),
            "sent": sum(w.get("sent", 0) for w in lat.get("baseline", []))}
    added = OrderedDict()
    for label, ws in lat.items():
        if label == "baseline":
            continue
        ws = [w for w in ws if "lat_p50_us" in w]
        if not ws:
            continue
        added[label] = {
            "p50_us": stats([w["lat_p50_us"] for w in ws]),
            "p99_us": stats([w["lat_p99_us"] for w in ws]),
            "received": sum(w.get("frames", 0) for w in ws),
            "sent": sum(w.get("sent", 0) for w in ws),
            "added_p50_us": stats([minus_base(w, base_by_round, "lat_p50_us")
                                   for w in ws]),
            "added_p99_us": stats([minus_base(w, base_by_round, "lat_p99_us")
                                   for w in ws]),
        }

    r_io = ratios.get("agent/testpmd-io", {})
    thr = r_io.get("mpps_of_medians")
    cpu = r_io.get("cpu_per_pkt_of_medians")
    p99 = (added.get("agent", {}).get("added_p99_us") or {}).get("median")
    # Without a forwarder the path must be well inside the target, else
    # the run cannot tell (a loaded machine delays the receiver itself).
    base_p99 = (base.get("p99_us") or {}).get("median")
    lat_ok = None
    if p99 is not None and base_p99 is not None and base_p99 < TARGET_P99_US:
        lat_ok = p99 < TARGET_P99_US
    targets = OrderedDict([
        ("throughput_vs_testpmd_io", {
            "target": f">= {TARGET_THROUGHPUT}x", "value": thr,
            "paired": (r_io.get("mpps_paired") or {}).get("median"),
            "verdict": verdict(None if thr is None else thr >= TARGET_THROUGHPUT)}),
        ("cpu_per_pkt_vs_testpmd_io", {
            "target": f"<= {TARGET_CPU}x", "value": cpu,
            "paired": (r_io.get("cpu_per_pkt_paired") or {}).get("median"),
            "verdict": verdict(None if cpu is None else cpu <= TARGET_CPU)}),
        ("p99_added_latency_us", {
            "target": f"< {TARGET_P99_US:g} us", "value": p99,
            "baseline_p99_us": base_p99,
            "verdict": (verdict(lat_ok) if lat_ok is not None or p99 is None
                        else "inconclusive (baseline p99 without a "
                        "forwarder is already above the target)")}),
    ])
    idle, idle_base = idle_summary(windows)

    def le(v, limit):
        return None if v is None else v <= limit

    r_ovs = ratios.get("agent/ovs", {})
    thr_ovs = r_ovs.get("mpps_of_medians")
    r_floor = ratios.get("agent/floor", {})
    thr_floor = r_floor.get("mpps_of_medians")
    tcp_s = report_tcp.summarize(windows)
    cpu0 = idle_med(idle, "agent", 0, "cpu_pct")
    cpu10k = idle_med(idle, "agent", 10000, "cpu_pct")
    p99_1k = idle_med(idle, "agent", 1000, "added_p99_us")
    base_1k = ((idle_base.get(1000) or {}).get("p99_us") or {}).get("median")
    lat19 = None
    if p99_1k is not None and base_1k is not None and base_1k < TARGET_P99_US:
        lat19 = p99_1k < TARGET_P99_US

    def theirs(rate):
        return ", ".join(
            f"{k} {idle_med(idle, k, rate, 'cpu_pct'):.1f}%"
            for k in idle if k != "agent" and
            idle_med(idle, k, rate, "cpu_pct") is not None)

    def their_p99(rate):
        return ", ".join(
            f"{k} {idle_med(idle, k, rate, 'added_p99_us'):.0f} us"
            for k in idle if k != "agent" and
            idle_med(idle, k, rate, "added_p99_us") is not None)

    targets19 = OrderedDict([
        ("fwd_vs_testpmd_io", {
            "wanted": T19_VS_TESTPMD,
            "target": f">= {T19_VS_TESTPMD}x", "value": thr,
            "paired": (r_io.get("mpps_paired") or {}).get("median"),
            "verdict": verdict(None if thr is None else thr >= T19_VS_TESTPMD)}),
        ("fwd_vs_ovs_afxdp", {
            "wanted": T19_VS_OVS,
            "target": f">= {T19_VS_OVS}x", "value": thr_ovs,
            "paired": (r_ovs.get("mpps_paired") or {}).get("median"),
            "verdict": verdict(None if thr_ovs is None
                               else thr_ovs >= T19_VS_OVS)}),
        ("fwd_vs_floor_libxdp_loop", {
            "wanted": T19_VS_FLOOR,
            "target": f">= {T19_VS_FLOOR}x", "value": thr_floor,
            "paired": (r_floor.get("mpps_paired") or {}).get("median"),
            "verdict": verdict(None if thr_floor is None
                               else thr_floor >= T19_VS_FLOOR)}),
        ("cpu_per_pkt_vs_testpmd_io", {
            "wanted": T19_CPU,
            "target": f"<= {T19_CPU}x", "value": cpu,
            "paired": (r_io.get("cpu_per_pkt_paired") or {}).get("median"),
            "verdict": verdict(le(cpu, T19_CPU))}),
        ("idle_cpu_pct_0pps", {
            "wanted": T19_IDLE_CPU_0,
            "target": f"<= {T19_IDLE_CPU_0:g}%", "value": cpu0,
            "others": theirs(0), "verdict": verdict(le(cpu0, T19_IDLE_CPU_0))}),
        ("idle_cpu_pct_10kpps", {
            "wanted": T19_IDLE_CPU_10K,
            "target": f"<= {T19_IDLE_CPU_10K:g}%", "value": cpu10k,
            "others": theirs(10000),
            "verdict": verdict(le(cpu10k, T19_IDLE_CPU_10K))}),
        ("idle_added_p99_us_1kpps", {
            "wanted": TARGET_P99_US,
            "target": f"< {TARGET_P99_US:g} us", "value": p99_1k,
            "baseline_p99_us": base_1k,
            # The in-kernel forwarder (threaded NAPI, sleeps between
            # frames too) shows what one wake-up per frame costs here.
            "others": their_p99(1000),
            "verdict": (verdict(lat19) if lat19 is not None or p99_1k is None
                        else "inconclusive (baseline p99 without a "
                        "forwarder is already above the target)")}),
    ])
    for k, t in report_tcp.targets(tcp_s, verdict).items():
        t["others"] = (f"agent {report_tcp._f(t['agent_gbps'])}, bridge "
                       f"{report_tcp._f(t['bridge_gbps'])} Gbit/s")
        targets19[k] = t
    profile = open(a.profile).read() if a.profile else None
    wake = report_why.wake_summary(windows)
    report_why.explain(targets19, main_s, idle, wake, tcp_s, profile)

    result = {"machine": meta, "main": main_s, "ratios": ratios,
              "generators": gen_s, "sweep": sweep_s, "queues": queue_s,
              "latency": {"baseline": base, "forwarders": added},
              "idle": {"baseline": idle_base, "forwarders": idle,
                       "wake": [dict(label=k[0], rate_pps=k[1], **v)
                                for k, v in wake.items()]},
              "tcp": [dict(zip(("offloads", "peer", "test"), k), **v)
                      for k, v in tcp_s.items()],
              "targets": targets, "targets_issue19": targets19,
              "profile_agent": profile,
              "windows": windows}
    with open(a.json, "w") as f:
        json.dump(result, f, indent=1)

    m = meta
    md = ["# afxdp-agent benchmark", "",
          f"- date: {m['date']}; kernel {m['kernel']}; CPU {m['cpu_model']}, "
          f"{m['cores']} cores",
          f"- load average at start {m['loadavg_start']}, at end "
          f"{m.get('loadavg_end', '?')} (a shared machine makes Mpps noisy; "
          "CPU time per packet is the stable metric)",
          f"- {m['agent_version']}; DPDK {m['dpdk_version']}",
          f"- {m['windows']} rounds of {m['window_seconds']} s windows, peers "
          "alternated A B C A B C; generator (BPF_PROG_RUN live frames, "
          f"64 B) on CPU {m['gen_cpu']}, forwarder on CPU {m['fwd_cpu']}"]
    if m.get("agent_b"):
        md.append(f"- agent-b: `{m['agent_b']}` {m.get('agent_b_note', '')}")
    md.append("")
    if main_s:
        md += ["## Throughput, 64-byte frames, veth copy mode", "",
               "| peer | Mpps median (min-max) | CPU ns/pkt median (min-max) "
               "| offered Mpps |",
               "|---|---|---|---|"]
        for k, s in main_s.items():
            md.append(f"| {k} | {rng(s['mpps'])} | {rng(s['cpu_ns_per_pkt'], 0)}"
                      f" | {fmt(s['offered_mpps'] and s['offered_mpps']['median'], 2)} |")
        md += ["", "CPU: on-CPU time of the forwarder's threads "
               "(/proc/PID/task/*/schedstat; the kernel peer: its threaded "
               "NAPI kthread) divided by packets counted at the sink. It "
               "includes softirq work done inline in the forwarder's "
               "syscalls (no IRQ time accounting in this kernel), not the "
               "in0 receive NAPI that runs on the generator's CPU.", "",
               "| ratio | Mpps (medians) | Mpps (paired by round) "
               "| CPU/pkt (medians) | CPU/pkt (paired) |",
               "|---|---|---|---|---|"]
        for k, r in ratios.items():
            md.append(f"| {k} | {fmt(r['mpps_of_medians'])} | "
                      f"{rng(r['mpps_paired'])} | "
                      f"{fmt(r['cpu_per_pkt_of_medians'])} | "
                      f"{rng(r['cpu_per_pkt_paired'])} |")
        md.append("")
    if gen_s:
        md += ["## Generators (alone, into a counting XDP program on in0)", "",
               "| generator | Mpps median (min-max) |", "|---|---|"]
        for k, s in gen_s.items():
            md.append(f"| {k} | {rng(s['mpps'])} |")
        md.append("")
    md += report_tcp.markdown(tcp_s, m)
    if lat:
        md += [f"## Latency at {m['latency_rate_pps']} pps "
               "(payload timestamps, one way)", "",
               f"{m.get('latency_rounds', 1)} rounds of "
               f"{m['latency_packets']} frames per path, paths back to back "
               "in each round. Percentiles: median over rounds (min-max). "
               "Added: per round, the path's percentile minus that round's "
               "baseline (same generator and receiver, no forwarder); "
               "median over rounds (min-max).", "",
               "| path | received/sent | p50 us | p99 us | added p50 us "
               "| added p99 us |", "|---|---|---|---|---|---|"]
        if base["p50_us"]:
            md.append(f"| baseline (no forwarder) | {base['received']}/"
                      f"{base['sent']} | {rng(base['p50_us'], 1)} | "
                      f"{rng(base['p99_us'], 1)} | | |")
        for k, v in added.items():
            md.append(f"| {k} | {v['received']}/{v['sent']} | "
                      f"{rng(v['p50_us'], 1)} | {rng(v['p99_us'], 1)} | "
                      f"{rng(v['added_p50_us'], 1)} | {rng(v['added_p99_us'], 1)} |")
        if any(((v["added_p99_us"] or {}).get("median") or 0) < 0 or
               ((v["added_p50_us"] or {}).get("median") or 0) < 0
               for v in added.values()) or (base_p99 or 0) >= TARGET_P99_US:
            md += ["", "The baseline itself has a long tail (or a forwarder "
                   "beats it): the receiver was delayed by other load on "
                   "this machine, so the added latencies are not reliable "
                   "in this run."]
        md.append("")
    if idle:
        md += [f"## CPU at low load ({m.get('idle_rounds', '?')} rounds of "
               f"{m.get('idle_seconds', '?')} s per rate)", "",
               "A txgen flow with timestamps at each rate through the "
               "forwarder to pktsink. CPU: the forwarder's threads' on-CPU "
               "time over the steady seconds, in % of one core (can exceed "
               "100 with several threads). Latency: one way, all frames; "
               "added = minus the same rate's baseline (no forwarder) of "
               "the same round. Medians over rounds (min-max).", "",
               "| forwarder | pps | CPU % | p50 us | p99 us | added p50 us "
               "| added p99 us | received/sent |",
               "|---|---|---|---|---|---|---|---|"]
        for rate, b in idle_base.items():
            md.append(f"| baseline (no forwarder) | {rate} | | "
                      f"{rng(b['p50_us'], 1)} | {rng(b['p99_us'], 1)} | | | "
                      f"{b['received']}/{b['sent']} |")
        for label, rates in idle.items():
            for rate, v in rates.items():
                md.append(f"| {label} | {rate} | {rng(v['cpu_pct'], 1)} | "
                          f"{rng(v['p50_us'], 1)} | {rng(v['p99_us'], 1)} | "
                          f"{rng(v['added_p50_us'], 1)} | "
                          f"{rng(v['added_p99_us'], 1)} | "
                          f"{v['received']}/{v['sent']} |")
        args = [f"{k}: `{v[next(iter(v))]['args']}`" for k, v in idle.items()]
        md += ["", "Peers: " + "; ".join(args) + ".", ""]
    if wake:
        md += ["Wake-ups with no forwarder, the same rounds, medians "
               "(min-max): `cyclictest` is a thread on the forwarder's CPU "
               "woken by its own timer every 1/rate s (SCHED_OTHER); "
               "`xwake-oneway` is one woken from the generator's CPU at "
               "that rate, `xwake-relay` the same passing the wake-up back "
               "to the generator's CPU (bench/tools/xwake): the path a "
               "forwarder that sleeps between frames pays per frame.", "",
               "| wake-up | rate /s | p50 us | p99 us | max us |",
               "|---|---|---|---|---|"]
        for (label, rate), v in wake.items():
            md.append(f"| {label} | {rate} | {rng(v['p50_us'], 0)} | "
                      f"{rng(v['p99_us'], 0)} | {rng(v['max_us'], 0)} |")
        md.append("")
    if sweep_s or queue_s:
        md += ["## Agent variants", "",
               "| variant | args | Mpps median (min-max) | CPU ns/pkt |",
               "|---|---|---|---|"]
        for k, s in list(sweep_s.items()) + list(queue_s.items()):
            md.append(f"| {k} | `{s['args']}` | {rng(s['mpps'])} | "
                      f"{rng(s['cpu_ns_per_pkt'], 0)} |")
        md += ["", "2q: two queues per veth, generator threads on both CPUs "
               "and one agent worker per queue on both CPUs (veth picks the "
               "receive queue by the sending CPU); on 2 cores the workers "
               "share their CPUs with the generator, and the receive NAPI "
               "of queue 1 (charged to the generator thread, not to the "
               "agent) runs on the same CPU as worker 1: its CPU/pkt is "
               "not comparable with 1q's.", ""]
    md += ["## Targets (issue 7)", "",
           "| target | wanted | measured | paired | verdict |",
           "|---|---|---|---|---|"]
    for k, t in targets.items():
        md.append(f"| {k} | {t['target']} | {fmt(t['value'], 2)} | "
                  f"{fmt(t.get('paired'), 2)} | {t['verdict']} |")
    md.append("")
    md += ["## Targets (issue 19)", "",
           "| target | wanted | measured | paired / peers | verdict |",
           "|---|---|---|---|---|"]
    for k, t in targets19.items():
        extra = t.get("others") or fmt(t.get("paired"), 2)
        if "baseline_p99_us" in t:
            extra = f"baseline p99 {fmt(t['baseline_p99_us'], 1)} us"
            if t.get("others"):
                extra += f"; added p99: {t['others']}"
        md.append(f"| {k} | {t['target']} | {fmt(t['value'], 2)} | "
                  f"{extra} | {t['verdict']} |")
    md.append("")
    whys = [(k, t["why"]) for k, t in targets19.items() if t.get("why")]
    if whys:
        md += ["Why the missed targets were missed (this run's numbers):", ""]
        md += [f"- **{k}**: {w}" for k, w in whys]
        md.append("")
    guest = group(windows, "guest")
    if guest:
        md += ["## Inside a guest (Debian 13, QEMU TCG: ratios only)", "",
               "| forwarder | guest CPU ns per frame, median (min-max) |",
               "|---|---|"]
        for k, ws in guest.items():
            md.append(f"| {k} | {rng(stats([w['cpu_ns_per_pkt'] for w in ws]), 0)} |")
        c = guest.get("agent copy")
        z = guest.get("agent zero-copy")
        if c and z:
            r = paired(c, z, "cpu_ns_per_pkt")
            md += ["", f"copy / zero-copy CPU per frame, paired by boot: "
                   f"{rng(r, 2)} (kernel {c[0].get('guest', '?')}).", ""]
        t = guest.get("testpmd copy")
        if c and t:
            r = paired(c, t, "cpu_ns_per_pkt")
            md += [f"agent copy / testpmd 24.11 net_af_xdp copy CPU per "
                   f"frame, same boot and traffic: {rng(r, 2)} (testpmd "
                   f"polls its core whatever the rate: the ratio depends "
                   f"on the offered rate).", ""]
    if profile:
        md += ["## Where the agent's CPU goes (perf record -e cpu-clock)", "",
               f"From `{a.profile.rsplit('/', 1)[-1]}`.", "",
               "```", profile.rstrip(), "```", ""]
    with open(a.markdown, "w") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
