#!/usr/bin/env python3
"""Writes the seed RTM_NEWLINK messages of fuzz_sriov_netlink into
corpus/sriov_netlink/ (already in the repo; rerun after changing this).
Layouts from <linux/if_link.h>: IFLA_NUM_VF 21, IFLA_VFINFO_LIST 22 >
IFLA_VF_INFO 1 > IFLA_VF_MAC 1, _VLAN 2, _SPOOFCHK 4, _LINK_STATE 5,
_RATE 6, _TRUST 9, _VLAN_LIST 12 > IFLA_VF_VLAN_INFO 1."""
import os
import struct

def attr(t, payload, nested=False):
    n = 4 + len(payload)
    pad = (4 - n % 4) % 4
    return struct.pack("<HH", n, t | (0x8000 if nested else 0)) + payload + b"\0" * pad

def vf(i, mac, vlan=None, qinq=None, trust=None, spoof=None, ls=None, rate=None):
    a = attr(1, struct.pack("<I", i) + mac + b"\0" * (32 - len(mac)))
    if vlan is not None:
        a += attr(2, struct.pack("<III", i, vlan, 0))
    if qinq is not None:
        a += attr(12, attr(1, struct.pack("<III", i, qinq, 3) + struct.pack(">H", 0x88a8) + b"\0\0"), True)
    if trust is not None:
        a += attr(9, struct.pack("<II", i, trust))
    if spoof is not None:
        a += attr(4, struct.pack("<II", i, spoof))
    if ls is not None:
        a += attr(5, struct.pack("<II", i, ls))
    if rate is not None:
        a += attr(6, struct.pack("<III", i, *rate))
    return attr(1, a, True)

def msg(attrs):
    body = struct.pack("<BxHiII", 0, 1, 7, 0, 0) + attrs
    return struct.pack("<IHHII", 16 + len(body), 16, 0, 1, 0) + body

mac = bytes([2, 0, 0, 0, 0, 1])
seeds = {
    "no_vfs": msg(attr(3, b"eth0\0")),
    "two_vfs": msg(attr(21, struct.pack("<I", 2)) + attr(22,
        vf(0, mac, vlan=10, trust=1, spoof=0, ls=2, rate=(0, 1000)) +
        vf(1, bytes([2, 0, 0, 0, 0, 2]), qinq=20, trust=0xffffffff, spoof=1, ls=0), True)),
    "mac_only": msg(attr(21, struct.pack("<I", 1)) + attr(22, vf(0, mac), True)),
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "sriov_netlink")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
