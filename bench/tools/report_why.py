"""Why a target of issue 19 was missed, from the same run's measurements.

The issue asks that a missed target stay in the report "with the profile
that explains it". For each MISSED verdict this module writes one
paragraph out of numbers the run measured: the in-kernel limit next to the
copy-mode forwarders, where the agent's CPU goes (perf), the machine's own
wake-up latency (cyclictest's local timer, xwake's cross-CPU relay) next
to the sleeping forwarders, how busy the agent's core is in the TCP runs. A number the run did not measure is left
out, never filled in from an earlier run."""
import re
from collections import OrderedDict

from report_stats import idle_med, med, stats

# "    19.91%  libc.so.6      [.] __memmove_avx512_unaligned_erms"
_PROFILE_LINE = re.compile(r"^\s*([0-9.]+)%\s+(\S+)\s+\[(.)\]\s+(\S+)")


def wake_summary(windows):
    """Section wake (bench/run.sh wake_one, xwake_one): per (label, rate),
    p50/p99/max median and range over rounds. Labels: cyclictest (a
    thread on the forwarder's CPU woken by its own timer), xwake-oneway
    (woken from the generator's CPU), xwake-relay (and passing the wake-up
    back: the forwarding path with nothing forwarded)."""
    groups = OrderedDict()
    for w in windows:
        if w.get("section") == "wake":
            key = (w["label"], w["rate_pps"])
            groups.setdefault(key, []).append(w)
    return OrderedDict(
        (key, {k: stats([w.get(k) for w in ws])
               for k in ("p50_us", "p99_us", "max_us")})
        for key, ws in sorted(groups.items()))


def profile_split(text):
    """(top symbols [(percent, symbol)], the kernel's share in percent of
    the listed symbols' samples) from the perf report that section
    profile keeps (symbols above 0.7%)."""
    top, kernel, listed = [], 0.0, 0.0
    for line in (text or "").splitlines():
        m = _PROFILE_LINE.match(line)
        if not m:
            if top:
                break  # the callers' part follows the first blank line
            continue
        pct, _dso, where, sym = float(m.group(1)), m.group(2), m.group(3), m.group(4)
        top.append((pct, sym))
        listed += pct
        if where == "k":
            kernel += pct
    return top, (kernel / listed * 100 if listed else 0.0)


def _fwd(main_s, peer, wanted, profile):
    """Throughput against PEER: how far the in-kernel redirect is."""
    a, k, p = (med(main_s, x, "mpps") for x in ("agent", "kernel", peer))
    if a is None or p is None:
        return None
    parts = []
    if k:
        reach = k / p
        parts.append(
            f"the agent forwards at {a / k:.2f}x the kernel's own XDP "
            f"redirect between the same veths ({k:.2f} Mpps, no AF_XDP "
            f"ring, no copy); a forwarder as fast as that limit would be "
            f"{reach:.2f}x {peer} ({p:.2f} Mpps)")
        if reach < wanted:
            parts.append(f"below the {wanted}x wanted: on this kernel and "
                         "veth copy mode no AF_XDP forwarder can reach it")
        elif reach < wanted * 1.05:
            parts.append(f"only a forwarder at that limit reaches the "
                         f"{wanted}x wanted")
    if profile[0]:
        parts.append(_profile_words(profile))
    return ("; ".join(parts) + ".") if parts else None


def _profile_words(profile):
    top, kernel = profile
    return (f"in the agent's profile {kernel:.0f}% of the samples are "
            f"kernel work its syscalls run (copy-mode TX, the sink veth's "
            f"NAPI), {100 - kernel:.0f}% its own process (top symbols: " +
            ", ".join(f"{s} {p:.1f}%" for p, s in top[:3]) + ")")


def _cpu(main_s, wanted, profile):
    a, t, k = (med(main_s, x, "cpu_ns_per_pkt")
               for x in ("agent", "testpmd-io", "kernel"))
    if a is None or t is None:
        return None
    if not k and not profile[0]:
        return None  # the two numbers alone explain nothing
    parts = [f"agent {a:.0f} ns/pkt, testpmd io {t:.0f}"]
    if k:
        parts.append(f"the kernel's redirect alone {k:.0f} ns/pkt "
                     f"({k / t:.2f}x testpmd's) on the forwarder's CPU")
    if profile[0]:
        parts.append(_profile_words(profile))
    return "; ".join(parts) + "."


def _p99(idle, wake, rate, wanted):
    def im(label, key):
        return idle_med(idle, label, rate, key)

    def wp99(label):
        return (wake.get((label, rate)) or {}).get("p99_us")

    parts = []
    w = wp99("cyclictest")
    if w:
        parts.append(
            f"a thread sleeping on the forwarder's CPU is woken by its own "
            f"timer with a p99 of {w['median']:.0f} us (cyclictest, every "
            f"{1e6 / rate:.0f} us, no forwarder; rounds "
            f"{w['min']:.0f}-{w['max']:.0f})")
    r = wp99("xwake-relay")
    if r:
        parts.append(
            f"woken from the other CPU and waking a thread back there, "
            f"the forwarding path with nothing forwarded, it takes "
            f"{r['median']:.0f} us at p99 (xwake relay; rounds "
            f"{r['min']:.0f}-{r['max']:.0f}), a floor for any forwarder "
            "that sleeps between frames"
            + (f", already above the {wanted:g} us wanted with nothing "
               "forwarded" if wanted and r["median"] >= wanted else ""))
    k = im("kernel", "p99_us")
    if k is not None:
        parts.append(f"the kernel's own sleeping forwarder (threaded NAPI, "
                     f"woken from the other CPU as the agent is) delivers "
                     f"at {k:.0f} us p99 end to end")
    a = im("agent", "p99_us")
    floors = [x for x in (r and r["median"], k) if x]
    if a is not None and floors:
        if a > 1.5 * max(floors):
            parts.append(f"the agent's {a:.0f} us end to end is beyond "
                         "both: this run does not explain that part of "
                         "its tail")
        else:
            parts.append(f"the agent's {a:.0f} us end to end is within "
                         "1.5x of them: its tail is the machine's wake-up, "
                         "which only a core that never sleeps avoids")
    for label in ("agent-fixed-spin", "testpmd-io", "ovs"):
        p, c = im(label, "added_p99_us"), im(label, "cpu_pct")
        if p is not None and c is not None:
            parts.append(f"{label} adds {p:.0f} us by polling at "
                         f"{c:.0f}% of a core")
    return ("; ".join(parts) + ".") if parts else None


def _tcp(tcp_s, off):
    a = tcp_s.get((off, "agent", "tcp")) or {}
    b = tcp_s.get((off, "bridge", "tcp")) or {}
    if a.get("gbps") is None or b.get("gbps") is None:
        return None
    parts = []
    if a.get("fwd_cpu_s_per_gb") is not None:
        busy = a["gbps"] / 8 * a["fwd_cpu_s_per_gb"] * 100
        parts.append(f"the agent's core is {busy:.0f}% busy at "
                     f"{a['gbps']:.2f} Gbit/s ({a['fwd_cpu_s_per_gb']:.2f} s "
                     "of CPU per GB)")
    if b.get("fwd_cpu_s_per_gb") is not None and b["fwd_cpu_s_per_gb"] < 0.01:
        parts.append("nothing was charged to the bridge's NAPI kthreads: "
                     "its work ran where this run does not measure it "
                     "(with the endpoints' TSO it receives whole 64 KB "
                     "skbs)")
    elif b.get("fwd_cpu_s_per_gb") is not None:
        parts.append(f"the bridge's NAPI kthreads were charged "
                     f"{b['fwd_cpu_s_per_gb']:.2f} s per GB: with GRO on it "
                     "moves merged skbs of up to 64 KB, one forwarding "
                     "decision for many segments, where an AF_XDP forwarder "
                     "receives, copies and sends every wire frame (XDP on "
                     "veth sees single frames)")
    return ("; ".join(parts) + ".") if parts else None


def explain(targets19, main_s, idle, wake, tcp_s, profile_text):
    """Sets t["why"] on every MISSED target that the run can explain."""
    profile = profile_split(profile_text)
    why = {
        "fwd_vs_testpmd_io": lambda w: _fwd(main_s, "testpmd-io", w, profile),
        "fwd_vs_ovs_afxdp": lambda w: _fwd(main_s, "ovs", w, profile),
        "fwd_vs_floor_libxdp_loop": lambda w: _fwd(main_s, "floor", w, profile),
        "cpu_per_pkt_vs_testpmd_io": lambda w: _cpu(main_s, w, profile),
        "idle_added_p99_us_1kpps": lambda w: _p99(idle, wake, 1000, w),
        "tcp_single_stream_vs_bridge_offloads_off": lambda w: _tcp(tcp_s, "off"),
        "tcp_single_stream_vs_bridge_offloads_gro": lambda w: _tcp(tcp_s, "gro"),
        "tcp_single_stream_vs_bridge_offloads_default":
            lambda w: _tcp(tcp_s, "default"),
    }
    for name, t in targets19.items():
        if t.get("verdict") != "MISSED" or name not in why:
            continue
        text = why[name](t.get("wanted"))
        if text:
            t["why"] = text
