#!/usr/bin/env python3
"""wgdp-perf handshake --inproc: K=1 and K=2 handshake engines (the control lcore's and one on
an lcore of its own) answer initiations pre-built for 1,024 peers, fed through the workers'
steering, in this process. Each peer comes again only after ~80 ms: the 20 ms flood rule
never bites.

A short run: the figures are not judged (benchmarks print figures, tests check behaviour).
What is checked: one line for each K, well-formed; every peer's first handshake (the cold
pass) was answered and more after it; the responses checked with Noise (one in 8) all
verified; nothing was refused (no replay, flood or rate-limit refusal, no cookie reply: the
queues stay below under_load_queue); no engine ran out of reserved indexes; exit status 0.
Usage: check_perf_handshake_inproc.py PATH_TO_WGDP_PERF
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


cpus = sorted(os.sched_getaffinity(0))
main, other = cpus[0], cpus[-1]
cmd = [perf, "handshake", f"--lcores=0@{main},1@{other},2@{main}", "--no-huge", "--no-shconf",
       "--no-pci", "--no-telemetry", "-m", "512", "--file-prefix", f"wgdp-hsi-{os.getpid()}",
       "--log-level=lib.eal:warning", "--", "--inproc", "--peers", "1024", "--duration-ms",
       "300", "--rounds", "1", "--engines", "1,2"]
run = subprocess.run(cmd, capture_output=True, text=True, timeout=280)
check("exit status 0: " + run.stderr[-300:], run.returncode == 0)
lines = []
for line in run.stdout.splitlines():
    try:
        lines.append(json.loads(line))
    except json.JSONDecodeError:
        check("a JSON line: " + line, False)
check("one line for K=1 and one for K=2", [r.get("lcores") for r in lines] == [1, 2])
for r in lines:
    k = r.get("lcores")
    check(f"K={k}: a handshake line in process", r.get("bench") == "handshake" and
          r.get("mode") == "inproc" and r.get("peers") == 1024)
    check(f"K={k}: the cold pass answered, every peer", r.get("cold_s", 0) > 0 and
          r.get("cold_answered") == 1024)
    check(f"K={k}: handshakes after it", r.get("handshakes", 0) > 0 and r.get("per_s", 0) > 0)
    check(f"K={k}: responses verified, none failed",
          r.get("verified", 0) > 0 and r.get("verify_failed") == 0)
    check(f"K={k}: nothing refused, no cookie reply, no index pool empty",
          r.get("refused") == 0 and r.get("cookie_replies") == 0 and
          r.get("index_pool_empty") == 0)
    check(f"K={k}: the X25519 floor measured", r.get("floor_per_s", 0) > 0 and
          r.get("x25519_us", 0) > 0 and r.get("base_us", 0) > 0)
    check(f"K={k}: every initiation received was answered or still queued",
          r.get("received", 0) >= r.get("handshakes", 0) + 1024)
sys.exit(1 if failures else 0)
