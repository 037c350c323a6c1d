#!/usr/bin/env python3
"""Floods a WireGuard port with what an attacker can send without keys: random junk of random
lengths, and well-formed 148-byte initiations (type 1, zero reserved bytes) whose contents and
mac1 are random. Prints how many datagrams it sent as JSON.

usage: flood.py HOST PORT SECONDS
"""
import json
import os
import socket
import sys
import time

host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
family = socket.AF_INET6 if ":" in host else socket.AF_INET
sock = socket.socket(family, socket.SOCK_DGRAM)
sock.setblocking(False)
pool = []
for i in range(256):
    if i % 2:
        pool.append(bytes([1, 0, 0, 0]) + os.urandom(144))
    else:
        pool.append(os.urandom(1 + (i * 37) % 1400))
sent = dropped = 0
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    for msg in pool:
        try:
            sock.sendto(msg, (host, port))
            sent += 1
        except BlockingIOError:
            dropped += 1
print(json.dumps({"sent": sent, "local_drops": dropped, "seconds": seconds}))
