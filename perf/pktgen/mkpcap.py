#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkpcap.py: pcap files of inside traffic for a traffic generator (pktgen-dpdk) to replay
into wgdp's inside port, so that wgdp encrypts it towards its peers.

Every frame is Ethernet + IPv4 or IPv6 + UDP + payload, with a valid IPv4 header checksum and
a valid UDP checksum, from the generator's inside address (10.0.0.2 / fd00::2) to an address
one of the peers owns (the plan of perf/pktgen/wgdp_scheme.py, the one mkconfig.py writes).

SIZE is the IP packet length (IPv4 total length, or 40 + IPv6 payload length): the inner
packet wgdp encrypts, as `wgdp-perf dataplane --sizes` counts it. 1420 is a full-MTU inner
packet for wgdp's default mtu; 64 is a 64-byte IP packet. The Ethernet frame in the pcap is
SIZE + 14 bytes (no FCS; padded with zeros to the 60-byte minimum when shorter); on the wire
it is SIZE + 18 with the FCS, SIZE + 38 with preamble and inter-frame gap. pktgen's own "size"
is the frame with FCS, i.e. SIZE + 18.

IMIX is the simple 7:4:1 IMIX with tunnel-sized packets: in every 12 packets, 7 of 64 bytes,
4 of 576 and 1 of 1420 (IP lengths), interleaved 64,576,64,64,576,64,1420,64,576,64,64,576;
the mean IP packet is 347.7 bytes. --count must then be a multiple of 12.

Flows: packet k belongs to flow k mod FLOWS; flow f goes to peer f mod PEERS, from UDP source
port 10000 + (f div PEERS) to destination port 5001, so FLOWS >= PEERS reaches every peer and
FLOWS > PEERS adds 5-tuples (RSS entropy for several wgdp workers).
"""
import argparse
import ipaddress
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wgdp_scheme as scheme  # noqa: E402

PROG = "mkpcap.py"
IMIX_PATTERN = (64, 576, 64, 64, 576, 64, 1420, 64, 576, 64, 64, 576)
SIZES_ALL = ("64", "512", "1420", "imix")
DST_PORT = 5001
SRC_PORT_BASE = 10000
MAX_SIZE = 9000
DEFAULT_DST_MAC = "02:00:00:00:00:01"
DEFAULT_SRC_MAC = "02:00:00:00:00:02"


class UsageError(Exception):
    pass


def csum(data):
    """The Internet checksum (RFC 1071) of data, as the 16-bit value to store."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def min_size(family):
    # IP header + UDP header + 8 bytes of payload (flow and sequence numbers)
    return (20 if family == 4 else 40) + 8 + 8


def parse_mac(text):
    parts = text.split(":")
    if len(parts) != 6 or not all(len(p) == 2 for p in parts):
        raise UsageError(f"not a MAC address (xx:xx:xx:xx:xx:xx): {text}")
    try:
        return bytes(int(p, 16) for p in parts)
    except ValueError:
        raise UsageError(f"not a MAC address (xx:xx:xx:xx:xx:xx): {text}") from None


def sizes_for(size_arg, family):
    """The size cycle for --size: a tuple of IP lengths."""
    if size_arg == "imix":
        sizes = IMIX_PATTERN
    else:
        try:
            n = int(size_arg)
        except ValueError:
            raise UsageError(f"--size wants a number or imix, not {size_arg}") from None
        sizes = (n,)
    for n in sizes:
        if not min_size(family) <= n <= MAX_SIZE:
            raise UsageError(f"--size {n}: an IPv{family} packet here is "
                             f"{min_size(family)} to {MAX_SIZE} bytes")
    return sizes


def frame(k, flow, size, family, peers, dst_mac, src_mac, src_ip):
    """Frame k (bytes) of flow `flow`: Ethernet + IP + UDP, the IP packet `size` bytes."""
    peer = flow % peers
    sport = SRC_PORT_BASE + flow // peers
    if family == 4:
        ip_hdr_len, ethertype = 20, 0x0800
        dst = ipaddress.IPv4Address(scheme.peer_addr4(peer)).packed
    else:
        ip_hdr_len, ethertype = 40, 0x86DD
        dst = ipaddress.IPv6Address(scheme.peer_addr6(peer)).packed
    udp_len = size - ip_hdr_len
    payload = struct.pack("!II", flow, k) + bytes((k + j) & 0xFF for j in range(udp_len - 16))
    udp = struct.pack("!HHHH", sport, DST_PORT, udp_len, 0) + payload
    if family == 4:
        pseudo = src_ip + dst + struct.pack("!BBH", 0, 17, udp_len)
    else:
        pseudo = src_ip + dst + struct.pack("!I3xB", udp_len, 17)
    c = csum(pseudo + udp) or 0xFFFF  # 0 means "no checksum" for IPv4 and is invalid for IPv6
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    if family == 4:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, size, k & 0xFFFF, 0x4000, 64, 17, 0,
                          src_ip, dst)
        ip = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    else:
        ip = struct.pack("!IHBB16s16s", 0x60000000, udp_len, 17, 64, src_ip, dst)
    f = dst_mac + src_mac + struct.pack("!H", ethertype) + ip + udp
    return f + bytes(max(0, 60 - len(f)))


def write_pcap(path, family, sizes, peers, flows, count, dst_mac, src_mac, src_ip):
    """Writes a classic pcap (microsecond, Ethernet) file; returns what it holds."""
    hist = {}
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for k in range(count):
            size = sizes[k % len(sizes)]
            f = frame(k, k % flows, size, family, peers, dst_mac, src_mac, src_ip)
            out.write(struct.pack("<IIII", k // 1000000, k % 1000000, len(f), len(f)))
            out.write(f)
            hist[size] = hist.get(size, 0) + 1
    return {"file": os.path.basename(path), "family": family, "count": count,
            "peers": peers, "flows": flows, "sizes": {str(s): n for s, n in sorted(hist.items())}}


def main(argv):
    ap = argparse.ArgumentParser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Writes pcap files of inside traffic (Ethernet/IP/UDP to the peers' "
        "allowed-ips) for pktgen-dpdk to replay into wgdp's inside port.",
        epilog=__doc__.split("\n", 2)[2] + """
Examples:
  perf/pktgen/mkpcap.py --family 4 --size 1420 --peers 1000 -o v4-1420.pcap
  perf/pktgen/mkpcap.py --all pcaps/ --peers 1000 --dst-mac 3c:fd:fe:aa:bb:cc

Exit status: 0 on success, 1 when a file cannot be written, 2 for a usage error.""")
    ap.add_argument("--family", choices=("4", "6"), default="4", help="IPv4 or IPv6 (default 4)")
    ap.add_argument("--size", default="64", metavar="N|imix",
                    help="IP packet length in bytes, or imix (default 64)")
    ap.add_argument("--peers", type=int, default=1000,
                    help="peers 0..N-1 of mkconfig.py's plan receive traffic (default 1000)")
    ap.add_argument("--flows", type=int, help="distinct 5-tuples (default: PEERS)")
    ap.add_argument("--count", type=int,
                    help="packets in the file (default: max(FLOWS, 1200), rounded up to a "
                    "multiple of 12 for imix)")
    ap.add_argument("--dst-mac", default=DEFAULT_DST_MAC,
                    help="destination MAC: set to wgdp's inside port MAC as wgdp prints it at "
                    "start ('port 1 (inside): xx:xx:..') or `show port info` in testpmd "
                    f"(default {DEFAULT_DST_MAC}, a placeholder)")
    ap.add_argument("--src-mac", default=DEFAULT_SRC_MAC,
                    help=f"source MAC: the generator port's (default {DEFAULT_SRC_MAC})")
    ap.add_argument("--src-ip", help=f"inner source address (default {scheme.GEN_INSIDE4} / "
                    f"{scheme.GEN_INSIDE6}, on wgdp's inside LAN)")
    ap.add_argument("-o", "--output", metavar="FILE", help="the pcap file to write")
    ap.add_argument("--all", metavar="DIR",
                    help="write the full set instead: DIR/inside-v{4,6}-{64,512,1420,imix}.pcap "
                    "and DIR/manifest.json")
    a = ap.parse_args(argv)
    try:
        if (a.output is None) == (a.all is None):
            raise UsageError("give exactly one of -o FILE and --all DIR")
        if not 1 <= a.peers <= scheme.MAX_PEERS:
            raise UsageError(f"--peers is 1 to {scheme.MAX_PEERS}")
        flows = a.peers if a.flows is None else a.flows
        if not 1 <= flows <= a.peers * 50000:
            raise UsageError("--flows is 1 to 50000 x PEERS (UDP source ports per peer)")
        if a.count is not None and a.count < 1:
            raise UsageError("--count must be positive")
        dst_mac, src_mac = parse_mac(a.dst_mac), parse_mac(a.src_mac)
        jobs = []
        if a.all:
            for fam in (4, 6):
                for s in SIZES_ALL:
                    jobs.append((os.path.join(a.all, f"inside-v{fam}-{s}.pcap"), fam, s))
        else:
            jobs.append((a.output, int(a.family), a.size))
        plan = []
        for path, fam, size_arg in jobs:
            sizes = sizes_for(size_arg, fam)
            count = a.count if a.count is not None else max(flows, 1200)
            if len(sizes) > 1:
                if a.count is None:
                    count = -(-count // len(sizes)) * len(sizes)
                elif count % len(sizes):
                    raise UsageError(f"--count must be a multiple of {len(sizes)} for imix "
                                     "(7:4:1 in every 12 packets)")
            src_text = a.src_ip or (scheme.GEN_INSIDE4 if fam == 4 else scheme.GEN_INSIDE6)
            try:
                src = ipaddress.ip_address(src_text)
            except ValueError:
                raise UsageError(f"--src-ip: not an address: {src_text}") from None
            if src.version != fam:
                if a.all:
                    src = ipaddress.ip_address(scheme.GEN_INSIDE4 if fam == 4
                                               else scheme.GEN_INSIDE6)
                else:
                    raise UsageError(f"--src-ip {src_text} is not IPv{fam}")
            if max(sizes) > 1420:
                print(f"{PROG}: note: {max(sizes)}-byte packets exceed wgdp's default mtu "
                      "(1420); set interface.mtu to match", file=sys.stderr)
            plan.append((path, fam, sizes, count, src.packed, size_arg))
    except UsageError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    manifest = []
    try:
        if a.all:
            os.makedirs(a.all, exist_ok=True)
        for path, fam, sizes, count, src, size_arg in plan:
            info = write_pcap(path, fam, sizes, a.peers, flows, count, dst_mac, src_mac, src)
            info["size"] = size_arg
            manifest.append(info)
            print(path)
        if a.all:
            with open(os.path.join(a.all, "manifest.json"), "w") as f:
                json.dump({"size_means": "IP packet length", "imix": list(IMIX_PATTERN),
                           "dst_mac": a.dst_mac, "src_mac": a.src_mac, "files": manifest},
                          f, indent=1)
                f.write("\n")
    except OSError as e:
        print(f"{PROG}: {e.filename}: {e.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
