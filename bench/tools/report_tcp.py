"""Section tcp of the bench report (bench/tcp.sh): iperf3 through each
forwarder, medians over rounds, the agent against the Linux bridge."""
import statistics
from collections import OrderedDict

T19_TCP_VS_BRIDGE = 0.8  # agent TCP single stream / Linux bridge, at least


def _med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(windows):
    """(offloads, peer, test) -> medians over rounds, and how many of the
    rounds worked."""
    runs = OrderedDict()
    for w in windows:
        if w.get("section") == "tcp":
            runs.setdefault((w["offloads"], w["peer"], w["test"]), []).append(w)
    out = OrderedDict()
    for key, ws in runs.items():
        ok = [w for w in ws if w.get("ok")]
        out[key] = {
            "runs": len(ws), "ok_runs": len(ok),
            "gbps": _med([w["gbps"] for w in ok]),
            "gbps_all": [round(w["gbps"], 3) for w in ws],
            "retransmits": _med([w.get("retransmits") for w in ok]),
            "lost_percent": _med([w.get("lost_percent") for w in ok]),
            "fwd_cpu_s_per_gb": _med([w.get("fwd_cpu_s_per_gb") for w in ok]),
            "sys_cpu_s_per_gb": _med([w.get("sys_cpu_s_per_gb") for w in ok]),
            "errors": sorted({w["error"] for w in ws if w.get("error")}),
        }
    return out


def targets(summary, verdict):
    """Issue 19: single-stream TCP through the agent >= 0.8x the bridge,
    with the endpoints' offloads off and at their defaults; also with GRO
    on the endpoints (`gro`) when the run measured it."""
    res = OrderedDict()
    measured = {k[0] for k in summary}
    for off in ("off", "gro", "default"):
        if off == "gro" and off not in measured:
            continue
        a = summary.get((off, "agent", "tcp"), {}).get("gbps")
        b = summary.get((off, "bridge", "tcp"), {}).get("gbps")
        r = a / b if a is not None and b else None
        res[f"tcp_single_stream_vs_bridge_offloads_{off}"] = {
            "wanted": T19_TCP_VS_BRIDGE,
            "target": f">= {T19_TCP_VS_BRIDGE}x", "value": r,
            "agent_gbps": a, "bridge_gbps": b,
            "verdict": verdict(None if r is None else r >= T19_TCP_VS_BRIDGE)}
    return res


def _f(v, d=2):
    return "-" if v is None else f"{v:.{d}f}"


def markdown(summary, meta):
    if not summary:
        return []
    md = ["## Real TCP and UDP through each forwarder (iperf3)", "",
          f"{meta.get('tcp_rounds', '?')} rounds of {meta.get('tcp_seconds', '?')} s "
          "per run; client and server on the generator's CPU, the forwarder on "
          "its own. Endpoint offloads `off`: `ethtool -K tx off` on both "
          "endpoints (complete checksums, no TSO); `gro`: `off` with GRO on "
          "the endpoints' veths (a physical NIC's receive default); "
          "`default`: veth's defaults (partial checksums, TSO). UDP at "
          f"{meta.get('tcp_udp_rate', '?')}bit/s, 1400-byte datagrams. CPU per "
          "GB received: the forwarder's threads (the bridge: its two threaded "
          "NAPI kthreads), and the whole machine (endpoints included). "
          "Medians over the rounds that worked.", "",
          "| offloads | forwarder | test | Gbit/s | retransmits | loss % | "
          "forwarder CPU s/GB | machine CPU s/GB | worked |",
          "|---|---|---|---|---|---|---|---|---|"]
    for (off, peer, test), s in summary.items():
        worked = f"{s['ok_runs']}/{s['runs']}"
        if s["errors"]:
            worked += " (" + "; ".join(e[:80] for e in s["errors"]) + ")"
        md.append(f"| {off} | {peer} | {test} | {_f(s['gbps'])} | "
                  f"{_f(s['retransmits'], 0)} | {_f(s['lost_percent'])} | "
                  f"{_f(s['fwd_cpu_s_per_gb'])} | {_f(s['sys_cpu_s_per_gb'])} | "
                  f"{worked} |")
    md.append("")
    return md
