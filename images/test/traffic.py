#!/usr/bin/env python3
"""Send UDP/IPv4 frames into one tap and count the marked ones that come
back out of another (AF_PACKET), run inside the taps' netns.

usage: traffic.py TX-TAP RX-TAP DST-MAC "DPORT:COUNT ..."
prints: sent=N received=M tx_tap_dropped=D
Frames are paced (the guest runs under TCG) and carry a marker, so frames
the guest's own kernel sends are not counted.
"""
import socket
import struct
import sys
import time

MARK = b"AFXDP-IMG-TEST"
ETH_P_ALL = 0x0003


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def frame(dst_mac, dport, seq):
    payload = MARK + struct.pack("!I", seq) + bytes(18)
    udp = struct.pack("!HHHH", 40000, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq & 0xFFFF,
                     0, 64, 17, 0, socket.inet_aton("198.51.100.1"),
                     socket.inet_aton("198.51.100.2"))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex(dst_mac.replace(":", "")) + \
        bytes.fromhex("020000000001") + struct.pack("!H", 0x0800)
    return eth + ip + udp


def tx_dropped(ifname):
    # /proc/net/dev is per network namespace (sysfs may be the host's).
    with open("/proc/net/dev") as f:
        for line in f:
            if line.strip().startswith(ifname + ":"):
                return int(line.split(":", 1)[1].split()[11])
    raise SystemExit("no interface " + ifname)


def main():
    tx_if, rx_if, dst = sys.argv[1:4]
    plan = [(int(p), int(n)) for p, n in
            (x.split(":") for x in sys.argv[4].split())]
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                       socket.htons(ETH_P_ALL))
    rx.bind((rx_if, 0))
    rx.setblocking(False)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((tx_if, 0))
    drop0 = tx_dropped(tx_if)

    received = 0

    def drain():
        nonlocal received
        while True:
            try:
                data, addr = rx.recvfrom(4096)
            except BlockingIOError:
                return
            # addr[2] == PACKET_OUTGOING: what the host itself sends.
            if addr[2] != socket.PACKET_OUTGOING and MARK in data:
                received += 1

    sent = seq = 0
    # Interleave the ports so that each flow sees the same conditions.
    queue = []
    longest = max(n for _, n in plan)
    for i in range(longest):
        for p, n in plan:
            if i < n:
                queue.append(p)
    for p in queue:
        tx.send(frame(dst, p, seq))
        seq += 1
        sent += 1
        time.sleep(0.01)
        drain()
    # Wait until nothing more arrives for 5 s (TCG is slow), 60 s at most.
    last, start = time.time(), time.time()
    n = received
    while time.time() - last < 5 and time.time() - start < 60:
        time.sleep(0.2)
        drain()
        if received != n:
            n, last = received, time.time()
    print("sent=%d received=%d tx_tap_dropped=%d" %
          (sent, received, tx_dropped(tx_if) - drop0))


if __name__ == "__main__":
    main()
