#!/usr/bin/env python3
"""The route announcer of one wgdp box behind ECMP anycast (docs/scale-out.md).

Runs in the box's network namespace next to its BGP speaker (FRR's bgpd with
`redistribute kernel`) and turns what wgdp's control socket says into kernel routes, which
the speaker announces:

- the anycast address(es), while `health` answers "serving": a box that is draining
  (SIGTERM with --drain-ms), stopped or hung has its anycast route withdrawn, and the
  routers move its peers' flows to the other boxes;
- every peer's allowed-ips, so that traffic to a peer comes back through the box that
  holds its session: the route's metric, which FRR carries as the MED, is lower the more
  recent the peer's handshake here, and the highest for a peer without a session (then the
  routers spread it over the boxes, and whichever gets it initiates a handshake if it knows
  the peer's endpoint).

The routes are blackhole routes in the box's own table: the kernel there forwards nothing
(wgdp's ports have no kernel addresses); they are only what the speaker reads.

  cluster-announce.py --socket /run/wgdp/wgdp0.sock --anycast 203.0.113.1/32
"""
import argparse
import json
import signal
import socket
import subprocess
import sys
import time

# zebra keeps the administrative distance in the top byte of a kernel route's metric: the
# MED it announces is the low 24 bits.
ANYCAST_METRIC = 10
NO_SESSION_METRIC = 16000000
# A session's metric falls as its handshake's unix time grows, so the box with the latest
# handshake has the lowest MED. It wraps every 2^23 s (97 days): for the few minutes around a
# wrap, two boxes' sessions with one peer may be ordered the wrong way.
SESSION_SPAN = 2**23
REJECT_AFTER_TIME = 180  # s: a session older than this carries nothing (whitepaper 6.1)


def session_metric(handshake):
    return SESSION_SPAN - 1 - handshake % SESSION_SPAN


def ask(path, request, timeout):
    """One request line to wgdp's control socket, its answer decoded."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(json.dumps(request).encode() + b"\n")
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = s.recv(1 << 16)
            if not chunk:
                raise ConnectionError("no answer")
            answer += chunk
    return json.loads(answer)


GONE = {}  # wanted()'s answer for a box that is leaving or gone: nothing, at once


def wanted(args):
    """The routes this box should announce now (prefix -> metric): GONE when wgdp said it
    is not serving or nobody listens on its socket, None when it did not answer in time
    (why in args.why)."""
    try:
        health = ask(args.socket, {"cmd": "health"}, args.timeout)
        if health.get("state") != "serving":
            args.why = "wgdp says %s" % health.get("state")
            return GONE
        show = ask(args.socket, {"cmd": "show"}, args.timeout)
    except (ConnectionRefusedError, FileNotFoundError) as e:
        args.why = "wgdp is gone: %s" % e
        return GONE
    except (OSError, ValueError) as e:
        args.why = "no answer: %s" % (e or type(e).__name__)
        return None
    routes = {prefix: ANYCAST_METRIC for prefix in args.anycast}
    now = time.time()
    for peer in show.get("peers", []):
        hs = peer.get("latest_handshake", 0)
        metric = session_metric(hs) if hs and now - hs < REJECT_AFTER_TIME else NO_SESSION_METRIC
        for prefix in peer.get("allowed_ips", []):
            if ":" not in prefix:  # the demo's BGP carries IPv4 only
                routes[prefix] = min(metric, routes.get(prefix, NO_SESSION_METRIC))
    return routes


def ip_route(verb, prefix, metric):
    subprocess.run(["ip", "route", verb, "blackhole", prefix, "metric", str(metric)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def sync(have, want):
    """Makes the kernel's routes want, touching only what changed; returns want."""
    for prefix, metric in have.items():
        if want.get(prefix) != metric:
            ip_route("del", prefix, metric)
    for prefix, metric in want.items():
        if have.get(prefix) != metric:
            ip_route("add", prefix, metric)
    return dict(want)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--socket", required=True, help="wgdp's control socket")
    ap.add_argument("--anycast", action="append", required=True,
                    help="the anycast prefix to announce while serving (repeatable)")
    ap.add_argument("--interval", type=float, default=0.2, help="seconds between checks")
    ap.add_argument("--timeout", type=float, default=2.0, help="seconds a check may take")
    ap.add_argument("--fails", type=int, default=3,
                    help="checks in a row without an answer before the routes are withdrawn")
    ap.add_argument("--log", help="append route changes here, with timestamps")
    args = ap.parse_args()

    have, failed = {}, 0
    args.why = ""
    log = open(args.log, "a", buffering=1) if args.log else None

    def stop(*_):
        sync(have, {})
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        want = wanted(args)
        failed = failed + 1 if want is None else 0
        if want is None:
            # A slow answer is not a death: a big reload holds the control thread, which
            # shares its CPU with the main lcore (seconds, on a busy host). A box that says
            # it drains, or whose socket nobody listens on, is believed at once.
            want = have if failed < args.fails else {}
        anycast_before = any(p in have for p in args.anycast)
        have = sync(have, want)
        anycast_now = any(p in have for p in args.anycast)
        if log and anycast_before != anycast_now:
            log.write("%.3f %s\n" % (time.time(), "announce" if anycast_now
                                      else "withdraw (%s)" % args.why))
        time.sleep(args.interval)


if __name__ == "__main__":
    main()
