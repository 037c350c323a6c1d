#!/usr/bin/env python3
"""Checks what `wgdp-perf handshake` printed against a real wgdp: every phase is there, the
handshakes really completed (responses consumed with Noise, counted by wgdp itself too), and
each flood reached the part of wgdp that should stop it. No timing is judged: benchmarks
print figures, tests check behaviour.

usage: check_perf_handshake.py OUTPUT PEERS
"""
import json
import sys

out, peers = sys.argv[1], int(sys.argv[2])
failures = []


def check(what, cond):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


lines = [json.loads(l) for l in open(out) if l.startswith("{")]
check("every line is a handshake figure", lines and all(r.get("bench") == "handshake" for r in lines))
by = {}
for r in lines:
    key = (r["kind"], r.get("pass") or r.get("load") or r.get("flood"))
    by[key] = r

floor = by.get(("floor", None))
check("the crypto floor is measured", floor is not None and floor["floor_us"] > 0)
path = by.get(("path", None))
check("the path round trip is measured (wgdp answered ICMP echo)",
      path is not None and path["echoes"] > 0)

cold = by.get(("capacity", "cold"))
check("the cold pass ran", cold is not None)
if cold:
    check("every peer completed one handshake", cold["completed"] == peers and cold["lost"] == 0)
    check("sampled responses authenticate", cold["verified"] > 0 and cold["verify_failed"] == 0)
    check("wgdp counted as many responses as we received",
          cold["wgdp"]["responses_sent"] == cold["completed"])

for load in ("light", "50%", "90%"):
    r = by.get(("latency", load))
    check(f"latency at {load} load ran", r is not None)
    if r:
        check(f"{load}: handshakes completed and verified",
              r["completed"] > 0 and r["verify_failed"] == 0)
        check(f"{load}: quantiles are ordered",
              all(a[1] is None or b[1] is None or a[1] <= b[1]
                  for a, b in zip(r["quantiles"], r["quantiles"][1:])))

floods = {f: by.get(("flood", f)) for f in ("none", "junk", "bad_mac1", "spoofed_mac1")}
for name, r in floods.items():
    check(f"flood {name} ran", r is not None)
    if r:
        check(f"{name}: the legitimate peers completed handshakes",
              r["completed"] > 0 and r["verify_failed"] == 0)
        if name != "none":
            check(f"{name}: the flood was sent", r["flood_pps"] > 0)
if floods["junk"]:
    check("junk is dropped by the workers as bad messages",
          floods["junk"]["wgdp"]["bad_message"] > 0)
if floods["bad_mac1"]:
    w = floods["bad_mac1"]["wgdp"]
    check("bad-mac1 initiations are refused at mac1 (control lcore or the workers' gate), "
          "never reach Noise",
          w["mac_invalid"] + w["mac1_invalid"] > 0 and
          w["initiations_received"] <= floods["bad_mac1"]["sent"] * 2)
if floods["spoofed_mac1"]:
    w = floods["spoofed_mac1"]["wgdp"]
    check("valid-mac1 floods put wgdp under load: cookie replies, not handshakes",
          w["worker_cookie_replies_sent"] + w["cookie_replies_sent"] > 0 and
          w["responses_sent"] <= floods["spoofed_mac1"]["sent"])

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
