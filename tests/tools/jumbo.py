#!/usr/bin/python3
"""jumbo.py: send and check large UDP/IPv4 frames, byte for byte.

  jumbo.py send IF --src-mac M --dst-mac M --src-ip A --dst-ip A --port P
                   --count N --size BYTES [--partial] [--burst B]
                   [--gap-ms MS]   (B frames, then a pause of MS)
  jumbo.py recv IF --port P --count N [--timeout S] [--ready FILE]

Every frame carries its sequence number and a payload derived from it
alone (a seeded PRNG), so the receiver can tell a frame that arrived
intact from one that was cut, shifted or mixed with another's bytes. With
--partial the sender leaves the UDP checksum as a sender with TX checksum
offload does (the folded pseudo-header sum): whoever forwards the frame
must complete it. The receiver checks the payload and the UDP checksum
and prints one JSON line. Independent of the agent: AF_PACKET only.
"""
import argparse
import json
import os
import random
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
HDR = 14 + 20 + 8


def csum(data, start=0):
    """RFC 1071 ones' complement sum, folded, not complemented."""
    if len(data) & 1:
        data += b"\0"
    s = start + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def payload_for(seq, n):
    return struct.pack("!Q", seq) + random.Random(seq).randbytes(n - 8)


def pseudo(src, dst, length):
    return csum(socket.inet_aton(src) + socket.inet_aton(dst) +
                struct.pack("!BBH", 0, 17, length))


def frame(a, seq):
    plen = a.size - HDR
    data = payload_for(seq, plen)
    ulen = 8 + plen
    ps = pseudo(a.src_ip, a.dst_ip, ulen)
    udp = struct.pack("!HHHH", 40000, a.port, ulen, 0) + data
    if a.partial:
        c = ps
    else:
        c = 0xFFFF & ~csum(udp, ps)
        c = c or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, seq & 0xFFFF,
                     0x4000, 64, 17, 0, socket.inet_aton(a.src_ip),
                     socket.inet_aton(a.dst_ip))
    ip = ip[:10] + struct.pack("!H", 0xFFFF & ~csum(ip)) + ip[12:]
    eth = (bytes.fromhex(a.dst_mac.replace(":", "")) +
           bytes.fromhex(a.src_mac.replace(":", "")) +
           struct.pack("!H", ETH_P_IP))
    return eth + ip + udp


def send(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.ifname, 0))
    for seq in range(a.count):
        s.send(frame(a, seq))
        if a.burst and (seq + 1) % a.burst == 0:
            time.sleep(a.gap_ms / 1000)
    print(json.dumps({"sent": a.count, "size": a.size}))
    return 0


def check(buf, port):
    """(seq, payload_ok, csum_ok) for a UDP/IPv4 frame to port, else None."""
    if len(buf) < HDR or struct.unpack("!H", buf[12:14])[0] != ETH_P_IP:
        return None
    ip = buf[14:34]
    if ip[9] != 17 or (ip[0] & 0xF) != 5:
        return None
    tot = struct.unpack("!H", ip[2:4])[0]
    udp = buf[34:14 + tot]
    if struct.unpack("!H", udp[2:4])[0] != port or len(udp) < 16:
        return None
    seq = struct.unpack("!Q", udp[8:16])[0]
    ulen = struct.unpack("!H", udp[4:6])[0]
    ok = ulen == len(udp) and udp[8:] == payload_for(seq, ulen - 8)
    src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
    good_sum = csum(udp, pseudo(src, dst, len(udp))) == 0xFFFF
    return seq, ok, good_sum


def recv(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((a.ifname, ETH_P_ALL))
    # SO_RCVBUFFORCE (root): rmem_max would hold only ~20 jumbo frames.
    s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)
    s.settimeout(0.5)
    if a.ready:
        open(a.ready, "w").close()
    seen = set()
    got = intact = sum_ok = dup = 0
    sizes = set()
    bad = []
    deadline = time.time() + a.timeout
    while got < a.count and time.time() < deadline:
        try:
            buf, addr = s.recvfrom(65536)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        r = check(buf, a.port)
        if r is None:
            continue
        seq, ok, good_sum = r
        got += 1
        sizes.add(len(buf))
        if seq in seen:
            dup += 1
        seen.add(seq)
        intact += ok
        sum_ok += good_sum
        if (not ok or not good_sum) and len(bad) < 5:
            bad.append({"seq": seq, "payload": ok, "csum": good_sum,
                        "len": len(buf)})
    print(json.dumps({"received": got, "intact": intact, "csum_ok": sum_ok,
                      "duplicates": dup, "distinct": len(seen),
                      "sizes": sorted(sizes), "bad": bad}))
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["send", "recv"])
    p.add_argument("ifname")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--size", type=int, default=9014)
    p.add_argument("--src-mac")
    p.add_argument("--dst-mac")
    p.add_argument("--src-ip")
    p.add_argument("--dst-ip")
    p.add_argument("--partial", action="store_true")
    p.add_argument("--burst", type=int, default=32)
    p.add_argument("--gap-ms", type=float, default=2)
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--ready")
    a = p.parse_args()
    if a.cmd == "send":
        if None in (a.src_mac, a.dst_mac, a.src_ip, a.dst_ip):
            p.error("send needs --src-mac --dst-mac --src-ip --dst-ip")
        if not HDR + 8 <= a.size <= 65535:
            p.error("--size must be %d..65535" % (HDR + 8))
        return send(a)
    return recv(a)


if __name__ == "__main__":
    sys.exit(main())
