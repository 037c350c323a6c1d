#!/usr/bin/env python3
"""An 802.1Q switch in user space, for kernels without VLAN devices or bridge VLAN filtering.

usage: vlan_switch.py TRUNK VID:IFACE[,IFACE...] ...

Frames from an access interface of VLAN VID leave the trunk tagged with VID (and reach the
VLAN's other access interfaces untagged); tagged frames from the trunk reach the access
interfaces of their VLAN untagged. Untagged frames on the trunk, and VLANs not listed, are
dropped. No learning: every frame floods its VLAN, which a test's few hosts do not mind.

The kernel takes a received tag off before a packet socket sees the frame; it is read back
from PACKET_AUXDATA (struct tpacket_auxdata) and, when absent, from the frame itself.
"""
import select
import socket
import struct
import sys

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 1 << 4
AUXDATA = struct.Struct("=IIIHHHH")  # status, len, snaplen, mac, net, vlan_tci, vlan_tpid


def open_port(name):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((name, 0))
    return s


def receive(s):
    """The frame and the VLAN id it came with (0: untagged), or None for our own sends."""
    data, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(AUXDATA.size))
    if addr[2] == PACKET_OUTGOING:
        return None
    for level, kind, value in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(value) >= AUXDATA.size:
            status, _, _, _, _, tci, _ = AUXDATA.unpack_from(value)
            if status & TP_STATUS_VLAN_VALID:
                return data, tci & 0xFFF
    if len(data) >= 18 and data[12:14] == b"\x81\x00":
        vid = struct.unpack_from("!H", data, 14)[0] & 0xFFF
        return data[:12] + data[16:], vid
    return data, 0


def send(s, frame):
    try:
        s.send(frame)
    except OSError:
        pass  # a full queue drops the frame, as a switch would


def tagged(frame, vid):
    return frame[:12] + struct.pack("!HH", 0x8100, vid) + frame[12:]


def main():
    trunk = open_port(sys.argv[1])
    access = {}  # socket -> vid
    members = {}  # vid -> [socket]
    for spec in sys.argv[2:]:
        vid, names = spec.split(":")
        for name in names.split(","):
            s = open_port(name)
            access[s] = int(vid)
            members.setdefault(int(vid), []).append(s)
    print("vlan_switch: ready", flush=True)
    sockets = [trunk] + list(access)
    while True:
        for s in select.select(sockets, [], [])[0]:
            got = receive(s)
            if got is None:
                continue
            frame, vid = got
            if s is trunk:
                for out in members.get(vid, []):
                    send(out, frame)
                continue
            vid = access[s]
            send(trunk, tagged(frame, vid))
            for out in members[vid]:
                if out is not s:
                    send(out, frame)


if __name__ == "__main__":
    main()
