#!/usr/bin/env python3
"""Plays systemd's side of sd_notify for one service: owns the NOTIFY_SOCKET datagram socket
and logs every message, one line each ("READY=1 | STATUS=..."), flushed at once.

    notify_listen.py SOCKET CHECK_CMD...

The moment READY=1 arrives it runs CHECK_CMD (e.g. wgdpctl -s CTL stats) and logs
"check: rc=N": a service is ready only if what it serves answers then. It exits after
STOPPING=1, or after 120 s.
"""
import os
import socket
import subprocess
import sys


def main():
    path, check = sys.argv[1], sys.argv[2:]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if os.path.exists(path):
        os.unlink(path)
    sock.bind(path)
    sock.settimeout(120)
    print("listening", flush=True)
    try:
        while True:
            msg = sock.recv(4096).decode("utf-8", "replace")
            fields = msg.strip().split("\n")
            print(" | ".join(fields), flush=True)
            if "READY=1" in fields:
                rc = subprocess.run(check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    timeout=10).returncode
                print(f"check: rc={rc}", flush=True)
            if "STOPPING=1" in fields:
                return 0
    except socket.timeout:
        print("timeout", flush=True)
        return 1
    finally:
        os.unlink(path)


if __name__ == "__main__":
    sys.exit(main())
