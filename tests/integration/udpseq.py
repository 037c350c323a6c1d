#!/usr/bin/env python3
"""Sequence-numbered UDP stream: proves that no packet is lost across a config change.

  udpseq.py send DST PORT RATE STOPFILE   sends datagrams "seq N" at RATE a second until
                                          STOPFILE exists, then prints how many it sent
  udpseq.py recv PORT OUTFILE             counts datagrams until 3 s pass without one
                                          (after the first), then writes
                                          "received N missing M max K" to OUTFILE and a
                                          second line "gap_ms G after S": the longest time
                                          between two datagrams, and the seq before it
  udpseq.py burst PORT COUNT PAUSE DST...  sends COUNT datagrams back to back to each DST
                                          in turn, PAUSE seconds between destinations,
                                          then prints how many it sent
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
    last, gap, gap_after, seq = None, 0.0, 0, 0
    while True:
        try:
            data, _ = s.recvfrom(2048)
        except socket.timeout:
            break
        now = time.monotonic()
        if last is not None and now - last > gap:
            gap, gap_after = now - last, seq
        last = now
        seq = int(data.split()[1])
        seen.add(seq)
        s.settimeout(3)
    top = max(seen) if seen else 0
    with open(outfile, "w") as f:
        f.write("received %d missing %d max %d\n" % (len(seen), top - len(seen), top))
        f.write("gap_ms %d after %d\n" % (gap * 1000, gap_after))


def burst(port, count, pause, dsts):
    socks = {}
    sent = 0
    for dst in dsts:
        fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
        s = socks.setdefault(fam, socket.socket(fam, socket.SOCK_DGRAM))
        for seq in range(1, count + 1):
            s.sendto(b"burst %d" % seq, (dst, port))
            sent += 1
        time.sleep(pause)
    print(sent)


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    elif sys.argv[1] == "burst":
        burst(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5:])
    else:
        recv(int(sys.argv[2]), sys.argv[3])
