#!/usr/bin/env python3
"""Sequence-numbered UDP stream: proves that no packet is lost across a config change.

  udpseq.py send DST PORT RATE STOPFILE   sends datagrams "seq N" at RATE a second until
                                          STOPFILE exists, then prints how many it sent
  udpseq.py recv PORT OUTFILE             counts datagrams until 3 s pass without one
                                          (after the first), then writes
                                          "received N missing M max K" to OUTFILE
"""
import os
import socket
import sys
import time


def send(dst, port, rate, stopfile):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    seq, gap, t = 0, 1.0 / rate, time.monotonic()
    while not os.path.exists(stopfile):
        seq += 1
        s.sendto(b"seq %d" % seq, (dst, port))
        t += gap
        time.sleep(max(0.0, t - time.monotonic()))
    print(seq)


def recv(port, outfile):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    seen = set()
    s.settimeout(60)
    while True:
        try:
            data, _ = s.recvfrom(2048)
        except socket.timeout:
            break
        seen.add(int(data.split()[1]))
        s.settimeout(3)
    top = max(seen) if seen else 0
    with open(outfile, "w") as f:
        f.write("received %d missing %d max %d\n" % (len(seen), top - len(seen), top))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    else:
        recv(int(sys.argv[2]), sys.argv[3])
