#!/usr/bin/env python3
"""perf/dataplane_ab.sh, tiny, with the same wgdp-perf as old and new: one tagged JSON line
per run and direction in old/new order, then one dataplane_ab summary per direction whose
figures follow from the runs. The figures themselves are not judged (an A/A ratio is noise).
Usage: check_dataplane_ab.py PATH_TO_dataplane_ab.sh PATH_TO_WGDP_PERF
"""
import json
import os
import statistics
import subprocess
import sys

script, perf = sys.argv[1], sys.argv[2]
failures = []


def check(what, cond):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


env = dict(os.environ, WGDP_BIN=perf, WGDP_NEW_BIN=perf)
rounds = 2
run = subprocess.run([script, "--rounds", str(rounds), "--duration-ms", "20", "--size", "64"],
                     capture_output=True, text=True, timeout=240, env=env)
check("exit status 0: " + run.stderr[-300:], run.returncode == 0)
records = []
for line in run.stdout.splitlines():
    try:
        records.append(json.loads(line))
    except json.JSONDecodeError:
        check("a JSON line: " + line, False)
runs = [r for r in records if r.get("bench") == "dataplane"]
summaries = [r for r in records if r.get("bench") == "dataplane_ab"]
check("runs before summaries", records[:len(runs)] == runs)
check(f"{rounds} rounds x old/new x 2 directions", len(runs) == rounds * 2 * 2)
order = [(r.get("round"), r.get("ab")) for r in runs]
want = [(k, side) for k in range(1, rounds + 1) for side in ("old", "new") for _ in range(2)]
check("alternating old, new, round by round: " + str(order), order == want)
check("every run at 64 bytes, 1 peer",
      all(r.get("size") == 64 and r.get("peers") == 1 for r in runs))
check("one summary per direction",
      sorted(s.get("dir", "") for s in summaries) == ["decrypt", "encrypt"])
keys = {"bench", "dir", "size", "peers", "rounds", "old_mpps", "new_mpps", "ratio", "cost_pct",
        "paired_ratio", "old_spread_pct", "new_spread_pct"}
for s in summaries:
    d = s.get("dir")
    check(f"{d}: fields", keys <= set(s))
    if not keys <= set(s):
        continue
    for side in ("old", "new"):
        med = statistics.median(r["mpps"] for r in runs if r["dir"] == d and r["ab"] == side)
        check(f"{d}: {side}_mpps is the median of its runs", abs(s[f"{side}_mpps"] - med) < 0.002)
    # The summary divides unrounded figures; the printed ones are rounded to 0.001 Mpps,
    # which moves a ratio of small figures (a sanitizer build) by more than 0.002.
    slack = 0.002 + s["ratio"] * 0.0006 * (1 / s["old_mpps"] + 1 / s["new_mpps"])
    check(f"{d}: ratio = new / old", abs(s["ratio"] - s["new_mpps"] / s["old_mpps"]) < slack)
    check(f"{d}: cost_pct = 100 (1 - ratio)", abs(s["cost_pct"] - 100 * (1 - s["ratio"])) < 0.02)
    check(f"{d}: rounds", s["rounds"] == rounds)

bad = subprocess.run([script, "--rounds", "0"], capture_output=True, text=True, env=env)
check("--rounds 0 refused with exit 2", bad.returncode == 2)
nobin = dict(os.environ, WGDP_NEW_BIN=perf)
nobin.pop("WGDP_BIN", None)
bad = subprocess.run([script], capture_output=True, text=True, env=nobin)
check("neither WGDP_BIN nor --base: exit 2 with a message",
      bad.returncode == 2 and "WGDP_BIN" in bad.stderr)
sys.exit(1 if failures else 0)
