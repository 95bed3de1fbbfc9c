#!/usr/bin/env python3
"""Traffic for the VM tests, on a tap in the test's namespace.

gen:  sends COUNT Ethernet/IPv4/UDP frames through an AF_PACKET socket at
      a fixed rate, source ports cycled over FLOWS (the tap hashes flows
      onto its queues). Prints {"sent": N, "errors": N, "seconds": S}.
sink: counts the IPv4/UDP frames with the given destination port received
      on the device (frames leaving the guest). Prints {"frames": N,
      "other": N} on SIGTERM/SIGINT or after --idle seconds of silence.
csum: watches the TCP/UDP frames the host sends out of a tap (towards the
      guest) until SIGTERM/SIGINT, then prints {"l4": N, "partial": N,
      "as_partial": N, "dropped": N}: partial = frames the kernel flagged
      "checksum not ready" (TP_STATUS_CSUMNOTREADY: left to the device),
      as_partial = frames whose checksum field equals the folded
      pseudo-header sum (what a partial checksum holds, and what a
      complete one holds by chance about once in 65535 frames: the agent
      cannot tell those apart and counts them in csum_fixed, rewriting the
      same value), dropped = frames the capture socket lost.
"""
import argparse
import json
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_STATISTICS = 6
TP_STATUS_CSUMNOTREADY = 1 << 3


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(a, sport, seq):
    payload = struct.pack("!4sQ", b"AFXV", seq).ljust(a.size - 42, b"\0")
    udp_len = 8 + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, seq & 0xFFFF,
                     0, 64, 17, 0, socket.inet_aton(a.src_ip),
                     socket.inet_aton(a.dst_ip))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    udp = struct.pack("!HHHH", sport, a.dport, udp_len, 0)
    src = mac(a.src_mac) if a.src_mac else a.dev_mac
    return mac(a.dst_mac) + src + b"\x08\x00" + ip + udp + payload


def gen(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.dev, 0))
    a.dev_mac = s.getsockname()[4]
    frames = [frame(a, a.sport + i % a.flows, i) for i in range(a.flows)]
    sent = errors = 0
    gap = 1.0 / a.rate if a.rate else 0
    t0 = time.monotonic()
    for i in range(a.count):
        if gap:
            delay = t0 + i * gap - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        try:
            s.send(frames[i % a.flows])
            sent += 1
        except OSError:
            errors += 1
    json.dump({"sent": sent, "errors": errors,
               "seconds": round(time.monotonic() - t0, 3)}, sys.stdout)
    print()
    return 0 if errors == 0 else 1


def sink(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((a.dev, ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.settimeout(0.2)
    counts = {"frames": 0, "other": 0}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    if a.ready:
        open(a.ready, "w").close()
    last = time.monotonic()
    while not stop:
        try:
            data, addr = s.recvfrom(65536)
        except socket.timeout:
            if a.idle and time.monotonic() - last > a.idle:
                break
            continue
        except InterruptedError:
            continue
        if addr[2] == PACKET_OUTGOING:
            continue
        last = time.monotonic()
        ok = (len(data) >= 42 and data[12:14] == b"\x08\x00"
              and data[23] == 17)
        if ok:
            ihl = (data[14] & 0xF) * 4
            off = 14 + ihl
            ok = len(data) >= off + 8 and \
                struct.unpack("!H", data[off + 2:off + 4])[0] == a.dport
        counts["frames" if ok else "other"] += 1
    json.dump(counts, sys.stdout)
    print()
    return 0


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def l4_csum_field(data):
    """(field, folded pseudo-header sum) of an untagged IPv4/IPv6 TCP or
    UDP frame, None for anything else (fragments, extension headers)."""
    et = data[12:14]
    if et == b"\x08\x00" and len(data) >= 34 and data[14] >> 4 == 4:
        ihl = (data[14] & 0xF) * 4
        tot, frag = struct.unpack("!H2xH", data[16:22])
        proto, addrs, l4 = data[23], data[26:34], 14 + ihl
        l4_len = tot - ihl
        if frag & 0x3FFF or l4_len < 0:
            return None
    elif et == b"\x86\xdd" and len(data) >= 54 and data[14] >> 4 == 6:
        l4_len = struct.unpack("!H", data[18:20])[0]
        proto, addrs, l4 = data[20], data[22:54], 54
    else:
        return None
    if proto == 6 and l4_len >= 20:
        off = l4 + 16
    elif proto == 17 and l4_len >= 8:
        off = l4 + 6
    else:
        return None
    field = struct.unpack("!H", data[off:off + 2])[0]
    if proto == 17 and field == 0 and len(addrs) == 8:
        return None  # IPv4 UDP without a checksum
    words = struct.unpack("!%dH" % (len(addrs) // 2), addrs)
    psum = sum(words) + (l4_len >> 16) + (l4_len & 0xFFFF) + proto
    return field, fold(psum)


def csum_watch(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((a.dev, ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    # SO_RCVBUFFORCE (root): TCP bursts must not overflow the capture.
    s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)
    s.settimeout(0.2)
    counts = {"l4": 0, "partial": 0, "as_partial": 0}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)  # reset the counters
    if a.ready:
        open(a.ready, "w").close()
    while not stop:
        try:
            data, anc, _, addr = s.recvmsg(128, socket.CMSG_SPACE(20))
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if addr[2] != PACKET_OUTGOING:
            continue
        r = l4_csum_field(data)
        if r is None:
            continue
        counts["l4"] += 1
        for level, typ, val in anc:
            if level == SOL_PACKET and typ == PACKET_AUXDATA and \
                    struct.unpack("=I", val[:4])[0] & TP_STATUS_CSUMNOTREADY:
                counts["partial"] += 1
        if r[0] == r[1]:
            counts["as_partial"] += 1
    counts["dropped"] = struct.unpack(
        "=II", s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))[1]
    json.dump(counts, sys.stdout)
    print()
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--dev", required=True)
    g.add_argument("--count", type=int, required=True)
    g.add_argument("--rate", type=float, default=500)
    g.add_argument("--flows", type=int, default=16)
    g.add_argument("--size", type=int, default=64)
    g.add_argument("--dst-mac", required=True)
    g.add_argument("--src-mac")
    g.add_argument("--src-ip", default="10.99.0.1")
    g.add_argument("--dst-ip", required=True)
    g.add_argument("--sport", type=int, default=10000)
    g.add_argument("--dport", type=int, default=4000)
    k = sub.add_parser("sink")
    k.add_argument("--dev", required=True)
    k.add_argument("--dport", type=int, default=4000)
    k.add_argument("--ready")
    k.add_argument("--idle", type=float, default=0)
    c = sub.add_parser("csum")
    c.add_argument("--dev", required=True)
    c.add_argument("--ready")
    a = p.parse_args()
    return {"gen": gen, "sink": sink, "csum": csum_watch}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
