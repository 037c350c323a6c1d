#!/usr/bin/env python3
"""Traffic for test_wgdp_router.sh: what ping, tracepath and traceroute cannot send. Every
command that receives prints one JSON object on stdout (or writes it to a file).

  tcp-sink ADDR PORT OUTFILE SECONDS   accepts one connection, reads it to EOF, writes
                                       {"bytes": N, "sha256": H} to OUTFILE (gives up after
                                       SECONDS)
  tcp-source ADDR PORT BYTES SECONDS   connects and sends BYTES random bytes, prints
                                       {"bytes", "sha256", "seconds"}; exit 1 past SECONDS
  tcp-accept ADDR PORT N SECONDS       accepts N connections, closes each (a listener for
                                       the SYN-ACKs of the MSS captures)
  tcp-connect ADDR PORT                one connection, one byte, closed
  udp-sink ADDR PORT SECONDS           receives for SECONDS, prints {"sizes": [...],
                                       "intact": K}: K datagrams with the pattern of their
                                       length (what udp-nodf sends)
  udp-nodf DST PORT SIZE COUNT         COUNT datagrams of SIZE bytes, 0.3 s apart, with path
                                       MTU discovery off (IP_PMTUDISC_DONT: DF clear, the
                                       kernel fragments at the link MTU)
  frames IFACE DSTMAC SRC DST PORT N   N Ethernet frames out of IFACE (raw AF_PACKET) to
                                       DSTMAC, each an IPv4/UDP datagram SRC -> DST:PORT
  arp-flood IFACE TARGET BASE N RATE   N broadcast ARP requests for TARGET, sender i with
                                       address BASE + i and MAC 02:a1:<i>, RATE a second;
                                       prints {"sent": N}
  spray BASE N RATE PORT               N UDP datagrams, to BASE + i, RATE a second; prints
                                       {"sent": N}
  mss-check CLIENT LAN V4 V6           reads tshark's "src ack mss" lines of the SYNs captured
                                       on the client's tunnel (CLIENT) and on the LAN host
                                       (LAN): every SYN and SYN-ACK that crossed wgdp carries
                                       MSS V4 (IPv4) or V6 (IPv6), and each of the four kinds
                                       (family x SYN/SYN-ACK) crossed each way; prints what is
                                       wrong, exit 1 if anything is
"""
import hashlib
import ipaddress
import json
import os
import socket
import struct
import sys
import time

IP_MTU_DISCOVER = getattr(socket, "IP_MTU_DISCOVER", 10)
IP_PMTUDISC_DONT = getattr(socket, "IP_PMTUDISC_DONT", 0)


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def listener(addr, port, seconds):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(8)
    s.settimeout(seconds)
    return s


def tcp_sink(addr, port, outfile, seconds):
    s = listener(addr, int(port), float(seconds))
    deadline = time.monotonic() + float(seconds)
    c, _ = s.accept()
    h, n = hashlib.sha256(), 0
    while True:
        c.settimeout(max(0.1, deadline - time.monotonic()))
        b = c.recv(1 << 16)
        if not b:
            break
        h.update(b)
        n += len(b)
    with open(outfile, "w") as f:
        json.dump({"bytes": n, "sha256": h.hexdigest()}, f)


def tcp_source(addr, port, nbytes, seconds):
    data = os.urandom(int(nbytes))
    t0 = time.monotonic()
    s = socket.create_connection((addr, int(port)), timeout=float(seconds))
    s.settimeout(float(seconds))
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(max(0.1, float(seconds) - (time.monotonic() - t0)))
    s.recv(1)  # the sink closes once it has read everything
    print(json.dumps({"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                      "seconds": round(time.monotonic() - t0, 3)}))


def tcp_accept(addr, port, n, seconds):
    s = listener(addr, int(port), float(seconds))
    for _ in range(int(n)):
        c, _ = s.accept()
        c.settimeout(2)
        try:
            c.recv(16)
        except OSError:
            pass
        c.close()


def tcp_connect(addr, port):
    s = socket.create_connection((addr, int(port)), timeout=5)
    s.sendall(b"x")
    s.close()


def pattern(size):
    return bytes((i * 7 + size) % 251 for i in range(size))


def udp_sink(addr, port, seconds):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    deadline = time.monotonic() + float(seconds)
    sizes, intact = [], 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        sizes.append(len(b))
        intact += b == pattern(len(b))
    print(json.dumps({"sizes": sizes, "intact": intact}))


def udp_nodf(dst, port, size, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
    for _ in range(int(count)):
        s.sendto(pattern(int(size)), (dst, int(port)))
        time.sleep(0.3)


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def raw_socket(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    return s, s.getsockname()[4]


def frames(iface, dstmac, src, dst, port, n):
    s, own = raw_socket(iface)
    payload = b"not for wgdp"
    udp = struct.pack("!HHHH", 40000, int(port), 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, socket.IPPROTO_UDP,
                     0, socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    frame = mac_bytes(dstmac) + own + struct.pack("!H", 0x0800) + ip + udp
    for _ in range(int(n)):
        s.send(frame)
        time.sleep(0.002)


def paced(n, rate, send_one):
    """Calls send_one(i) for i < n, rate a second, in slices of 1 ms."""
    t0, i = time.monotonic(), 0
    while i < n:
        due = min(n, int((time.monotonic() - t0) * rate) + 1)
        while i < due:
            send_one(i)
            i += 1
        time.sleep(0.001)


def arp_flood(iface, target, base, n, rate):
    s, _ = raw_socket(iface)
    base_ip = ipaddress.IPv4Address(base)
    tpa = socket.inet_aton(target)

    def one(i):
        sha = bytes([0x02, 0xA1]) + struct.pack("!I", i)
        spa = (base_ip + i).packed
        arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + sha + spa + b"\0" * 6 + tpa
        s.send(b"\xff" * 6 + sha + struct.pack("!H", 0x0806) + arp + b"\0" * 18)

    paced(int(n), float(rate), one)
    print(json.dumps({"sent": int(n)}))


def spray(base, n, rate, port):
    base_ip = ipaddress.ip_address(base)
    s = socket.socket(family(base), socket.SOCK_DGRAM)
    sent = 0

    def one(i):
        nonlocal sent
        try:
            s.sendto(b"anyone?", (str(base_ip + i), int(port)))
            sent += 1
        except OSError:  # an ICMP error reported on the socket: keep going
            pass

    paced(int(n), float(rate), one)
    print(json.dumps({"sent": sent}))


def mss_check(client, lan, v4, v6):
    want = {4: v4, 6: v6}
    lan_host = {"10.0.0.2", "fd00::2"}
    bad = []
    for side, path in (("client", client), ("LAN host", lan)):
        seen = {}
        for line in open(path):
            f = line.split()
            if len(f) < 2:
                continue
            src, ack, mss = f[0], f[1] in ("1", "True"), f[2] if len(f) > 2 else "none"
            if (side == "client") != (src in lan_host):
                continue  # sent from the side it was captured on: it did not cross wgdp
            kind = (6 if ":" in src else 4, "SYN-ACK" if ack else "SYN")
            seen.setdefault(kind, []).append(mss)
        for fam in (4, 6):
            for k in ("SYN", "SYN-ACK"):
                got = seen.get((fam, k))
                if not got:
                    bad.append(f"no IPv{fam} {k} captured at the {side}")
                elif any(m != want[fam] for m in got):
                    bad.append(f"IPv{fam} {k} at the {side} with MSS {','.join(got)}, "
                               f"wanted {want[fam]}")
                else:
                    print(f"IPv{fam} {k} at the {side}: MSS {','.join(got)}", file=sys.stderr)
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)


COMMANDS = {
    "tcp-sink": tcp_sink, "tcp-source": tcp_source, "tcp-accept": tcp_accept,
    "tcp-connect": tcp_connect, "udp-sink": udp_sink, "udp-nodf": udp_nodf, "frames": frames,
    "arp-flood": arp_flood, "spray": spray, "mss-check": mss_check,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
