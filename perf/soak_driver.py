#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""perf/soak_driver.py: the clock of perf/soak.sh (which sets everything up and runs this).

Every second it samples the running wgdp: VmRSS from /proc/PID/status and the control
socket's stats (resources, peers, handshake counters), one JSON line each:

  {"bench":"soak","t":S,"rss_kib":K,"mbufs":N,"mbufs_in_use":N,"keypairs":N,"indexes":N,
   "staged":N,"stage_limit":N,"peers":N,"handshakes_completed":N,...}

Every --reload-every seconds it sends {"cmd":"reload","path":F}, the --reload files in turn
(perf/soak.sh: one peer more, then the config as it was), and every --roam-every seconds one
wireguard-go client gets another listen port (`wg set IFACE listen-port P`); each is a line
{"bench":"soak","event":"reload"|"roam",...}. The generator's own lines (rounds of
handshakes, floods, wgdp's exit) are passed on as {"bench":"soak","event":...,"t":S}.

At the end it stops the traffic (--traffic name:pid, SIGINT) and the generator (SIGTERM,
which stops wgdp and reports its exit status), then prints the summary line,
{"bench":"soak","summary":true,...}: the warm-up cut and, after it, the first/last/min/max and
least-squares slope (per minute) of every gauge, reloads ok/failed, floods, roams, ping and
iperf3 results, whether wgdp was alive and how it exited, and the failures, if any.

Bounds (after the warm-up; a failure each, exit status 1):
  - wgdp died, stopped answering its control socket, or did not exit 0 on SIGTERM;
  - a reload answered anything but ok (or did not add / remove the one peer);
  - RSS grew faster than --rss-slope-max KiB a minute (least squares);
  - mbufs_in_use did not come back to within --mbuf-tolerance of its floor in the last 30 s;
  - keypairs, indexes or rte_malloc_kib (what DPDK's heap has handed out, from telemetry's
    /eal/heap_info: a leak there shows even where RSS cannot): the mean of the last minute
    above the mean of the first minute after the warm-up by more than --gauge-growth-max of
    it (plus 16);
  - staged did not fall to 8 or fewer in the last 30 s.
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time


def emit(obj):
    print(json.dumps(obj, separators=(",", ":")), flush=True)


def ctl(path, req, timeout=5.0):
    """One request on wgdp's control socket; the answer (a dict) or None."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(path)
            s.sendall((json.dumps(req) + "\n").encode())
            buf = b""
            while b"\n" not in buf:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                buf += chunk
        return json.loads(buf.decode().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_split(pid):
    """(KiB resident in DPDK's memory, the mappings of 256 MiB or more; KiB in glibc's brk
    heap): where RSS grows, if it does."""
    big = heap = 0
    size, name = 0, ""
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                parts = line.split()
                if not parts:
                    continue
                if "-" in parts[0] and not parts[0].endswith(":"):
                    name = parts[5] if len(parts) > 5 else ""
                elif parts[0] == "Size:":
                    size = int(parts[1])
                elif parts[0] == "Rss:":
                    if size >= 256 * 1024:
                        big += int(parts[1])
                    elif name == "[heap]":
                        heap += int(parts[1])
    except (OSError, ValueError, IndexError):
        return None, None
    return big, heap


class Telemetry:
    """DPDK telemetry (/eal/heap_info): what rte_malloc has handed out, whether or not its
    pages are resident. None when the socket is not there."""

    def __init__(self, path):
        self.path, self.sock = path, None

    def heap(self):
        if not self.path:
            return None
        for _ in range(2):
            try:
                if self.sock is None:
                    self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                    self.sock.settimeout(2)
                    self.sock.connect(self.path)
                    self.sock.recv(4096)  # the greeting
                self.sock.send(b"/eal/heap_info,0")
                return json.loads(self.sock.recv(65536)).get("/eal/heap_info")
            except (OSError, ValueError):
                if self.sock:
                    self.sock.close()
                self.sock = None
        return None


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def slope_per_min(pts):
    """Least-squares slope of [(t seconds, v)], per minute; None under 2 points."""
    n = len(pts)
    if n < 2:
        return None
    mt = sum(t for t, _ in pts) / n
    mv = sum(v for _, v in pts) / n
    den = sum((t - mt) ** 2 for t, _ in pts)
    return None if den == 0 else sum((t - mt) * (v - mv) for t, v in pts) / den * 60


HS_KEYS = ("handshakes_completed", "initiations_received", "responses_sent",
           "cookie_replies_sent", "mac_invalid", "ratelimited", "initiations_sent",
           "keepalives_sent", "staged_sent", "staged_dropped", "staged_over_limit",
           "staged_expired", "queue_depth", "under_load")
GAUGES = ("rss_kib", "rss_dpdk_kib", "rss_heap_kib", "rte_malloc_kib", "rte_malloc_count",
          "mbufs_in_use", "keypairs", "indexes", "staged", "peers")


def sample(t, pid, st, tel):
    rec = {"bench": "soak", "t": round(t, 2), "rss_kib": rss_kib(pid)}
    rec["rss_dpdk_kib"], rec["rss_heap_kib"] = rss_split(pid)
    h = tel.heap() or {}
    rec["rte_malloc_kib"] = h.get("Alloc_size", 0) // 1024 if "Alloc_size" in h else None
    rec["rte_malloc_count"] = h.get("Alloc_count")
    res = st.get("resources", {})
    for k in ("mbufs", "mbufs_in_use", "keypairs", "indexes", "staged", "stage_limit"):
        rec[k] = res.get(k)
    rec["peers"] = st.get("peers")
    hs = st.get("handshake", {})
    for k in HS_KEYS:
        v = hs.get(k)
        rec[k] = int(v) if isinstance(v, bool) else v
    return rec


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--warmup", type=float, default=60)
    ap.add_argument("--socket", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--gen-out", required=True, help="the generator's JSON lines (a file)")
    ap.add_argument("--gen-pid", type=int, required=True)
    ap.add_argument("--reload", action="append", default=[], help="config files, in turn")
    ap.add_argument("--reload-every", type=float, default=30)
    ap.add_argument("--roam", nargs="*", default=[], metavar="NS:IFACE")
    ap.add_argument("--roam-every", type=float, default=40)
    ap.add_argument("--traffic", nargs="*", default=[], metavar="NAME:PID",
                    help="pingN / iperfN processes; their logs are LOGS/NAME.log")
    ap.add_argument("--logs", default=".")
    ap.add_argument("--telemetry", help="wgdp's DPDK telemetry socket (dpdk_telemetry.v2)")
    ap.add_argument("--info", nargs="*", default=[], metavar="K=V")
    ap.add_argument("--rss-slope-max", type=float, default=64.0, metavar="KIB_PER_MIN")
    ap.add_argument("--gauge-growth-max", type=float, default=0.05, metavar="FRACTION")
    ap.add_argument("--mbuf-tolerance", type=int, default=64)
    a = ap.parse_args(argv)

    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(1))
    start = time.time()
    pid = None
    while time.time() - start < 10 and not pid:
        try:
            pid = int(open(a.pidfile).read().split()[0])
        except (OSError, ValueError, IndexError):
            time.sleep(0.1)
    if not pid:
        print("soak_driver: no wgdp pid", file=sys.stderr)
        return 1
    info = dict(kv.split("=", 1) for kv in a.info if "=" in kv)
    tel = Telemetry(a.telemetry)
    emit({"bench": "soak", "event": "start", "t": 0, "unix": round(start, 3),
          "seconds": a.seconds, "warmup_s": a.warmup, "wgdp_pid": pid, **info})

    samples, events, failures = [], [], []
    gen_pos, gen_exit = 0, None
    reloads_ok = reloads_failed = roams = ctl_failures = 0
    next_sample, next_reload, next_roam = start, start + a.reload_every, start + a.roam_every
    reload_i = roam_i = 0
    roam_port = {}
    died_at = None

    def read_gen():
        nonlocal gen_pos, gen_exit
        try:
            with open(a.gen_out) as f:
                f.seek(gen_pos)
                while True:
                    line = f.readline()
                    if not line.endswith("\n"):
                        break
                    gen_pos = f.tell()
                    try:
                        r = json.loads(line)
                    except ValueError:
                        continue
                    if r.get("bench") != "soak_gen":
                        continue
                    r["bench"] = "soak"
                    r["t"] = round(r.get("unix", start) - start, 2)
                    events.append(r)
                    emit(r)
                    if r.get("event") == "wgdp_exit":
                        gen_exit = r
        except OSError:
            pass

    while True:
        now = time.time()
        if now - start >= a.seconds:
            break
        if stop:
            failures.append(f"interrupted at t={now - start:.0f} s")
            break
        read_gen()
        if now >= next_sample:
            next_sample += 1
            if not alive(pid):
                died_at = now - start
                failures.append(f"wgdp (pid {pid}) died at t={died_at:.0f} s")
                break
            st = ctl(a.socket, {"cmd": "stats"})
            if not st or not st.get("ok"):
                ctl_failures += 1
                if ctl_failures >= 5:
                    failures.append(f"the control socket did not answer {ctl_failures} times")
                    break
                continue
            rec = sample(now - start, pid, st, tel)
            if rec["rss_kib"] is None:
                continue
            rec["drops"] = st.get("drops", {})
            samples.append(rec)
            emit({k: v for k, v in rec.items() if k != "drops"})
        if a.reload and now >= next_reload:
            next_reload += a.reload_every
            f = a.reload[reload_i % len(a.reload)]
            plus = reload_i % len(a.reload) == 0 and len(a.reload) > 1
            ans = ctl(a.socket, {"cmd": "reload", "path": f}, timeout=30) or {}
            ok = ans.get("ok") is True and (len(a.reload) < 2 or (
                (ans.get("added"), ans.get("removed")) == ((1, 0) if plus else (0, 1))))
            ev = {"bench": "soak", "event": "reload", "t": round(now - start, 2), "ok": ok,
                  "file": os.path.basename(f), "answer": ans}
            events.append(ev)
            emit(ev)
            reload_i += 1
            if ok:
                reloads_ok += 1
            else:
                reloads_failed += 1
                failures.append(f"reload {reload_i} ({os.path.basename(f)}) answered {ans}")
        if a.roam and now >= next_roam:
            next_roam += a.roam_every
            ns, ifc = a.roam[roam_i % len(a.roam)].split(":", 1)
            port = 51821 + (roam_port.get(ifc, 51820) - 51820) % 40
            roam_port[ifc] = port
            r = subprocess.run(["ip", "netns", "exec", ns, "wg", "set", ifc, "listen-port",
                                str(port)], capture_output=True, text=True)
            ev = {"bench": "soak", "event": "roam", "t": round(now - start, 2), "iface": ifc,
                  "listen_port": port, "ok": r.returncode == 0}
            events.append(ev)
            emit(ev)
            roam_i += 1
            roams += r.returncode == 0
        try:
            time.sleep(max(0.02, min(next_sample, next_reload, next_roam) - time.time()))
        except InterruptedError:
            pass

    end_t = time.time() - start
    alive_at_end = died_at is None and alive(pid)

    # Stop the traffic and read what it says.
    traffic = {}
    for item in a.traffic:
        name, _, p = item.partition(":")
        try:
            os.kill(int(p), signal.SIGINT)
        except (OSError, ValueError):
            pass
    time.sleep(1.5)
    for item in a.traffic:
        name = item.partition(":")[0]
        try:
            text = open(os.path.join(a.logs, name + ".log")).read()
        except OSError:
            text = ""
        if name.startswith("ping"):
            m = re.search(r"(\d+) packets transmitted, (\d+) received", text)
            if m:
                sent, got = int(m.group(1)), int(m.group(2))
                traffic[name] = {"sent": sent, "received": got,
                                 "loss_pct": round(100 * (sent - got) / sent, 3) if sent else None}
        else:
            rates = re.findall(r"([\d.]+) ([KMG])bits/sec.*?(sender|receiver)", text)
            scale = {"K": 1e-3, "M": 1, "G": 1e3}
            got = {role: round(float(v) * scale[u], 3) for v, u, role in rates}
            m = re.findall(r"(\d+)\s+sender", text)
            traffic[name] = {"mbit_s": got.get("receiver", got.get("sender")),
                             "retransmits": int(m[-1]) if m else None,
                             "finished": "iperf Done" in text}

    # Stop the generator, which stops wgdp with SIGTERM and reports how it exited.
    try:
        os.kill(a.gen_pid, signal.SIGTERM)
    except OSError:
        pass
    deadline = time.time() + 20
    while time.time() < deadline and not gen_exit:
        read_gen()
        time.sleep(0.2)
    exit_status = gen_exit.get("status") if gen_exit else None
    if died_at is None and gen_exit and gen_exit.get("during_run"):
        failures.append(f"wgdp exited during the run: {gen_exit}")
    if exit_status is None:
        failures.append("no exit status of wgdp from the generator")
    elif exit_status != 0:
        failures.append(f"wgdp exited {exit_status} on SIGTERM")

    # The figures after the warm-up, and the bounds.
    post = [s for s in samples if s["t"] >= a.warmup]
    gauges = {}
    for g in GAUGES:
        pts = [(s["t"], s[g]) for s in post if isinstance(s.get(g), (int, float))]
        if not pts:
            continue
        vals = [v for _, v in pts]
        sl = slope_per_min(pts)
        gauges[g] = {"first": vals[0], "last": vals[-1], "min": min(vals), "max": max(vals),
                     "slope_per_min": None if sl is None else round(sl, 3)}

    def window_mean(g, lo, hi):
        v = [s[g] for s in post if lo <= s["t"] < hi and isinstance(s.get(g), (int, float))]
        return sum(v) / len(v) if v else None

    t_end = post[-1]["t"] if post else 0
    if not post or t_end - a.warmup < 60:
        failures.append(f"too few samples after the warm-up ({len(post)})")
    else:
        rss_slope = gauges["rss_kib"]["slope_per_min"]
        if rss_slope is not None and rss_slope > a.rss_slope_max:
            failures.append(f"RSS grew {rss_slope:.1f} KiB/min (bound {a.rss_slope_max})")
        floor = gauges["mbufs_in_use"]["min"]
        tail = [s["mbufs_in_use"] for s in post if s["t"] >= t_end - 30]
        gauges["mbufs_in_use"]["last_30s_min"] = min(tail)
        if min(tail) > floor + a.mbuf_tolerance:
            failures.append(f"mbufs_in_use: the last 30 s never below {min(tail)}, floor {floor}")
        for g in ("keypairs", "indexes", "rte_malloc_kib"):
            if g not in gauges:
                continue
            first = window_mean(g, a.warmup, a.warmup + 60)
            last = window_mean(g, t_end - 60, t_end + 1)
            if first is None or last is None:
                continue
            gauges[g]["first_minute_mean"] = round(first, 1)
            gauges[g]["last_minute_mean"] = round(last, 1)
            if last - first > a.gauge_growth_max * first + 16:
                failures.append(f"{g}: mean {first:.0f} in the first minute after the warm-up, "
                                f"{last:.0f} in the last")
        st_tail = [s["staged"] for s in post if s["t"] >= t_end - 30]
        if min(st_tail) > 8:
            failures.append(f"staged: never below {min(st_tail)} in the last 30 s")

    counters = {}
    if len(samples) >= 2:
        for k in ("handshakes_completed", "initiations_received", "responses_sent",
                  "cookie_replies_sent", "mac_invalid", "ratelimited", "initiations_sent",
                  "keepalives_sent", "staged_sent", "staged_dropped", "staged_over_limit",
                  "staged_expired"):
            a0, a1 = samples[0].get(k), samples[-1].get(k)
            if isinstance(a0, int) and isinstance(a1, int):
                counters[k] = a1 - a0
        d0, d1 = samples[0]["drops"], samples[-1]["drops"]
        counters["drops"] = {k: v - d0.get(k, 0) for k, v in sorted(d1.items())
                             if isinstance(v, int) and v - d0.get(k, 0)}
    floods = [e for e in events if e.get("event") == "flood"]
    rounds = [e for e in events if e.get("event") == "round"]
    summary = {
        "bench": "soak", "summary": True, "seconds": round(end_t, 1), "warmup_s": a.warmup,
        "interrupted": bool(stop),
        "samples": len(samples), "samples_after_warmup": len(post), **info,
        "wgdp_alive_at_end": alive_at_end, "wgdp_exit_status": exit_status,
        "reloads": reloads_ok + reloads_failed, "reloads_ok": reloads_ok,
        "reloads_failed": reloads_failed, "roams": roams, "floods": len(floods),
        "flood_kinds": sorted({f.get("flood") for f in floods}),
        "flood_frames": sum(f.get("frames", 0) for f in floods),
        "generator_rounds": len(rounds),
        "generator_handshakes": {"sent": sum(r.get("sent", 0) for r in rounds),
                                 "completed": sum(r.get("completed", 0) for r in rounds),
                                 "lost": sum(r.get("lost", 0) for r in rounds),
                                 "cookie_rounds": sum(r.get("cookie_rounds", 0) for r in rounds),
                                 "verify_failed": sum(r.get("verify_failed", 0) for r in rounds)},
        "control_socket_misses": ctl_failures,
        "gauges": gauges, "counters": counters, "traffic": traffic,
        "bounds": {"rss_slope_max_kib_per_min": a.rss_slope_max,
                   "gauge_growth_max": a.gauge_growth_max,
                   "mbuf_tolerance": a.mbuf_tolerance, "staged_last_30s_max": 8},
        "failures": failures, "ok": not failures,
    }
    emit(summary)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
