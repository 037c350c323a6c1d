#!/usr/bin/env python3
"""perf/pktgen/wgdp.lua runs against a stand-in for pktgen's Lua library (pktgen_mock.lua):
it calls pktgen's functions in a working order (pcap on and ARP answering before start, stop
at the end), prints one well-formed JSON sample line a second and a summary, and its figures
follow from the counters (1 Mpps offered, 0.9 Mpps received, 1420-byte inner packets).
pktgen itself is not packaged for Debian 12: this checks the script, not pktgen.
Skips (77) without a Lua 5.3/5.4 interpreter.
Usage: check_pktgen_lua.py WGDP_LUA MOCK_LUA
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

script, mock = sys.argv[1:3]
lua = next((shutil.which(n) for n in ("lua5.4", "lua5.3", "lua") if shutil.which(n)), None)
if not lua:
    print("SKIP: no Lua interpreter (apt-get install lua5.3)")
    sys.exit(77)
failures = []


def check(what, cond):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


work = tempfile.mkdtemp(prefix="wgdp-lua-")
try:
    out = os.path.join(work, "out.jsonl")
    env = dict(os.environ, WGDP_DURATION="4", WGDP_OUT=out, WGDP_QUIT="1", WGDP_PEERS="1000",
               WGDP_SIZE="1420", WGDP_FAMILY="6")
    r = subprocess.run([lua, mock, script], capture_output=True, text=True, env=env, timeout=60)
    check("exit status 0: " + r.stderr[-300:], r.returncode == 0)
    calls = r.stderr.strip().split()
    order = [c.split("(")[0] for c in calls]
    check(f"calls in a working order: {' '.join(calls)}",
          "start" in order and order.index("pcap") < order.index("start")
          and order.index("process") < order.index("start") and order[-2:] == ["stop", "quit"]
          and "pcap(0,on)" in calls and "process(1,on)" in calls)
    lines = r.stdout.splitlines()
    recs = []
    for line in lines:
        try:
            recs.append(json.loads(line))
        except json.JSONDecodeError:
            check("a JSON line: " + line, False)
    file_recs = [json.loads(x) for x in open(out)] if os.path.exists(out) else []
    check("the same lines in WGDP_OUT", file_recs == recs)
    samples = [x for x in recs if x.get("kind") == "sample"]
    summary = [x for x in recs if x.get("kind") == "summary"]
    check("four samples and one summary", len(samples) == 4 and len(summary) == 1)
    for x in recs:
        check(f"{x.get('kind')} {x.get('t', '')}: bench, labels",
              x.get("bench") == "pktgen" and x.get("size") == "1420" and x.get("family") == 6
              and x.get("peers") == 1000 and x.get("dir") == "encrypt")
        check(f"{x.get('kind')} {x.get('t', '')}: figures",
              abs(x.get("offered_mpps", 0) - 1.0) < 1e-3 and abs(x.get("mpps", 0) - 0.9) < 1e-3
              and abs(x.get("ratio_to_offered", 0) - 0.9) < 1e-3
              and abs(x.get("gbps", 0) - 0.9 * 1420 * 8 / 1e3) < 0.01
              and abs(x.get("outer_gbps", 0) - 0.9 * 1490 * 8 / 1e3) < 0.01)
    env["WGDP_SIZE"] = "imix"
    r = subprocess.run([lua, mock, script], capture_output=True, text=True, env=env, timeout=60)
    last = json.loads(r.stdout.splitlines()[-1]) if r.stdout else {}
    check("imix: the mean inner length is 347.7",
          abs(last.get("mean_inner_len", 0) - 347.7) < 0.05)
    env["WGDP_SIZE"] = "huge"
    r = subprocess.run([lua, mock, script], capture_output=True, text=True, env=env, timeout=60)
    check("a bad WGDP_SIZE is refused before anything is sent",
          "bad WGDP_SIZE" in r.stdout and "start" not in r.stderr)
finally:
    shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failures else 0)
