#!/usr/bin/env python3
"""wgdp-perf dataplane --flood runs the real control loop on a second lcore while the worker
forwards data with handshake initiations mixed in, and prints, beside each data figure, one
dataplane_flood line per flood kind ("none" included) with the share of the data rate kept.

A short run: the figures are not judged (benchmarks print figures, tests check behaviour).
What is checked: the lines are well-formed; every flood packet is accounted for (queued for
the control lcore or dropped by the worker); the control lcore really worked on the flood
(initiations or cookie replies for valid mac1s, mac1 failures for bad ones, nothing for
frames to another port, which the worker drops); and the benchmark
exits 0, which it does only if every data packet came out and every mbuf (cookie replies
included) went back to its pool. With one CPU, the benchmark must refuse clearly: skipped.
Usage: check_perf_dataplane_flood.py PATH_TO_WGDP_PERF
"""
import json
import os
import subprocess
import sys

perf = sys.argv[1]
failures = []


def check(what, cond):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


cmd = [perf, "dataplane", "--flood", "--flood-kinds", "handshake,bad_mac1,wrong_port",
       "--flood-ratio",
       "8", "--duration-ms", "20", "--sizes", "64", "--peers", "1,300"]
if len(os.sched_getaffinity(0)) < 2:
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    check("one CPU: refused with exit status 2", run.returncode == 2)
    check("one CPU: says it needs two lcores", "needs two lcores" in run.stderr)
    print("skipped: the flood run needs two CPUs")
    sys.exit(1 if failures else 77)

run = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
check("exit status 0 (all data out, flood accounted, no mbuf lost): " + run.stderr[-300:],
      run.returncode == 0)
records = []
for line in run.stdout.splitlines():
    try:
        records.append(json.loads(line))
    except json.JSONDecodeError:
        check("a JSON line: " + line, False)
floods = [r for r in records if r.get("bench") == "dataplane_flood"]
plain = [r for r in records if r.get("bench") == "dataplane"]
kinds = ("none", "handshake", "bad_mac1", "wrong_port")
want = {(d, 64, p, k) for d in ("decrypt", "encrypt") for p in (1, 300) for k in kinds}
got = {(r.get("dir"), r.get("size"), r.get("peers"), r.get("flood")) for r in floods}
check("one dataplane_flood line per direction, size, peer count and flood kind",
      got == want and len(floods) == len(want))
check("the dataplane lines are still there", len(plain) == 4)
keys = {"bench", "dir", "size", "peers", "tenants", "flood", "flood_ratio", "flood_pps", "mpps",
        "gbps", "kept", "ns_per_flood_pkt", "flood_in", "hs_to_control", "hs_queue_drops",
        "flood_dropped", "worker_cookie_replies", "worker_mac1_drops",
        "initiations_received", "cookie_replies_sent", "mac_invalid", "ctl_out",
        "backlog_left"}
none_mpps = {(r["dir"], r["peers"]): r["mpps"] for r in floods if r.get("flood") == "none"}
for r in floods:
    what = f"{r.get('dir')}/{r.get('peers')}/{r.get('flood')}"
    check(f"fields of {what}", keys <= set(r))
    if not keys <= set(r):
        continue
    check(f"{what}: data figure positive", r["mpps"] > 0)
    ref = none_mpps.get((r["dir"], r["peers"]))
    if ref:
        check(f"{what}: kept is mpps / mpps without flood", abs(r["kept"] - r["mpps"] / ref) < 0.01)
    if r["flood"] == "none":
        check(f"{what}: no flood, nothing for the control lcore",
              r["flood_in"] == 0 and r["flood_pps"] == 0 and r["hs_to_control"] == 0)
        continue
    check(f"{what}: flood_pps > 0", r["flood_pps"] > 0 and r["flood_in"] > 0)
    check(f"{what}: flood in = to the control lcore + answered or dropped by the worker",
          r["flood_in"] == r["hs_to_control"] + r["worker_cookie_replies"] + r["flood_dropped"])
    check(f"{what}: the gate's mac1 drops are among the drops",
          r["worker_mac1_drops"] <= r["flood_dropped"])
    check(f"{what}: handshake queue drops are among the drops",
          r["hs_queue_drops"] <= r["flood_dropped"])
    handled = r["initiations_received"] + r["cookie_replies_sent"] + r["mac_invalid"]
    check(f"{what}: the control lcore handled no more than it was given",
          handled + r["backlog_left"] <= r["hs_to_control"])
    if r["flood"] == "handshake":
        check(f"{what}: the flood was processed (initiations, or cookie replies by the worker's "
              "gate or the control lcore), none of it refused at mac1",
              r["initiations_received"] + r["cookie_replies_sent"] +
              r["worker_cookie_replies"] > 0 and
              r["mac_invalid"] == 0 and r["worker_mac1_drops"] == 0)
        # Not an equality: ctl_out also holds the control lcore's own timer traffic to the
        # bench's peers (which never answer), and ctl_tx_full what did not fit.
        check(f"{what}: cookie replies came out through the worker",
              r["cookie_replies_sent"] == 0 or r["ctl_out"] > 0)
    elif r["flood"] == "wrong_port":
        check(f"{what}: the worker dropped it all, nothing for the control lcore",
              r["flood_dropped"] == r["flood_in"] and r["hs_to_control"] == 0 and
              handled == 0 and r["worker_mac1_drops"] == 0)
    else:
        # The control lcore checks mac1; the worker's gate does only while it is behind.
        check(f"{what}: all of it refused at mac1, by the control lcore or the worker's gate",
              r["mac_invalid"] + r["worker_mac1_drops"] > 0 and
              r["initiations_received"] == 0 and r["cookie_replies_sent"] == 0 and
              r["worker_cookie_replies"] == 0)
sys.exit(1 if failures else 0)
