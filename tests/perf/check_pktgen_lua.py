#!/usr/bin/env python3
"""perf/pktgen/wgdp.lua runs against a stand-in for pktgen's Lua library (pktgen_mock.lua):
it calls pktgen's functions in a working order (pcap on, ARP answering and port 1's flush
pings set up before start, a flush ping a sample, stop at the end), prints well-formed JSON
lines whose fields are the ones its header names, and its figures are the stand-in's true
rates (1 Mpps offered, 0.9 Mpps of 1420-byte inner packets encrypted, plus 45,000 control
frames a second on port 1 that WGDP_STATS_CMD's counters account for) although the stand-in's
counter refreshes drift between 0.9 and 1.2 s apart and the script's own calls take time:
the summary within 1%, each sample within 5%.
pktgen itself is not packaged for Debian 12: this checks the script, not pktgen
(perf/pktgen/emulate.sh runs it under a real pktgen).
Skips (77) without a Lua 5.3/5.4 interpreter.
Usage: check_pktgen_lua.py WGDP_LUA MOCK_LUA
"""
import json
import os
import re
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
TX, DATA, CTL = 1.0, 0.9, 0.045  # the stand-in's true rates, Mpps


def check(what, cond):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


def near(x, want, rel):
    return isinstance(x, (int, float)) and abs(x - want) <= rel * want


def header_fields():
    """The keys of the two output templates in the script's header comment."""
    templates, cur = {}, None
    for line in open(script):
        if not line.startswith("--"):
            break
        m = re.match(r'--\s+\{"bench":"pktgen","kind":"(\w+)"', line)
        if m:
            cur = templates.setdefault(m.group(1), [])
        elif cur is not None and not re.match(r'--\s{4}"', line):
            cur = None
        if cur is not None:
            cur.extend(re.findall(r'"(\w+)":', line))
    return templates


def run(env, seed):
    r = subprocess.run([lua, mock, script], capture_output=True, text=True, timeout=60,
                       env=dict(env, MOCK_SEED=str(seed)))
    recs = []
    for line in r.stdout.splitlines():
        try:
            recs.append(json.loads(line))
        except json.JSONDecodeError:
            check(f"seed {seed}: a JSON line: " + line, False)
    return r, recs


work = tempfile.mkdtemp(prefix="wgdp-lua-")
try:
    out = os.path.join(work, "out.jsonl")
    env = dict(os.environ, WGDP_DURATION="10", WGDP_OUT=out, WGDP_QUIT="1", WGDP_PEERS="1000",
               WGDP_SIZE="1420", WGDP_FAMILY="6", WGDP_STATS_CMD="wgdpctl-stand-in")
    tmpl = header_fields()
    check(f"the header names a sample and a summary: {sorted(tmpl)}",
          sorted(tmpl) == ["sample", "summary"])
    for seed in (1, 2, 3, 4, 5):
        if os.path.exists(out):
            os.unlink(out)
        r, recs = run(env, seed)
        check(f"seed {seed}: exit status 0: " + r.stderr[-300:].strip(), r.returncode == 0)
        calls = r.stderr.strip().split()
        order = [c.split("(")[0] for c in calls]

        def before(a, b):
            return a in order and b in order and order.index(a) < order.index(b)

        if seed == 1:
            check(f"calls in a working order: {' '.join(calls)}",
                  before("pcap", "start") and before("process", "start")
                  and before("set_mac", "start") and order[-2:] == ["stop", "quit"]
                  and "pcap(0,on)" in calls and "process(1,on)" in calls
                  and "set_ipaddr(1,src,192.0.2.2/24)" in calls)
        file_recs = [json.loads(x) for x in open(out)] if os.path.exists(out) else []
        check(f"seed {seed}: the same lines in WGDP_OUT", file_recs == recs)
        samples = [x for x in recs if x.get("kind") == "sample"]
        summary = [x for x in recs if x.get("kind") == "summary"]
        check(f"seed {seed}: {len(samples)} samples (8-12 for 10 s) and one summary",
              8 <= len(samples) <= 12 and len(summary) == 1)
        pings = calls.count("ping4(1)")
        check(f"seed {seed}: flush pings on port 1 while sampling ({pings}: one a poll)",
              40 * len(samples) <= pings <= 60 * len(samples) + 60)
        for x in recs:
            kind = x.get("kind")
            what = f"seed {seed}: {kind} {x.get('t', '')}"
            check(f"{what}: the fields the header names",
                  list(x.keys()) == tmpl.get(kind, []))
            check(f"{what}: bench, labels",
                  x.get("bench") == "pktgen" and x.get("size") == "1420" and x.get("family") == 6
                  and x.get("peers") == 1000 and x.get("dir") == "encrypt")
            rel = 0.01 if kind == "summary" else 0.05
            dt = x.get("duration_s", x.get("dt", 0))
            check(f"{what}: figures within {rel:.0%} of the true rates: "
                  f"offered {x.get('offered_mpps')} mpps {x.get('mpps')} "
                  f"ratio {x.get('ratio_to_offered')} gbps {x.get('gbps')} "
                  f"outer {x.get('outer_gbps')} over {dt} s",
                  near(x.get("offered_mpps"), TX, rel) and near(x.get("mpps"), DATA, rel)
                  and near(x.get("ratio_to_offered"), DATA / TX, rel)
                  and near(x.get("gbps"), DATA * 1420 * 8 / 1e3, rel)
                  and near(x.get("outer_gbps"), DATA * 1490 * 8 / 1e3, rel))
            check(f"{what}: rx_frames and control_frames are counts over dt",
                  near(x.get("rx_frames"), (DATA + CTL) * 1e6 * dt, rel)
                  and near(x.get("control_frames"), CTL * 1e6 * dt, rel))
        s = summary[0] if summary else {}
        check(f"seed {seed}: summary spans the samples ({s.get('duration_s')} s)",
              samples and abs(s.get("duration_s", 0) - samples[-1]["t"]) < 0.015
              and s.get("samples") == len(samples) and 9.5 <= s.get("duration_s", 0) <= 11.5)
        check(f"seed {seed}: summary rx_missed/rx_errors from port 1 (0: the stand-in's "
              "imissed does not move)", s.get("rx_missed") == 0 and s.get("rx_errors") == 0)
    # Without WGDP_STATS_CMD nothing is subtracted, and the summary says so
    env2 = dict(env, WGDP_STATS_CMD="")
    r, recs = run(env2, 1)
    last = recs[-1] if recs else {}
    check(f"without WGDP_STATS_CMD: control_frames null, mpps is port 1's frame rate "
          f"({last.get('mpps')})", "control_frames" in last and last["control_frames"] is None
          and near(last.get("mpps"), DATA + CTL, 0.01))
    env["WGDP_SIZE"] = "imix"
    r, recs = run(env, 1)
    last = recs[-1] if recs else {}
    check("imix: the mean inner length is 347.7",
          abs(last.get("mean_inner_len", 0) - 347.7) < 0.05)
    env["WGDP_SIZE"] = "huge"
    r = subprocess.run([lua, mock, script], capture_output=True, text=True, env=env, timeout=60)
    check("a bad WGDP_SIZE is refused before anything is sent",
          "bad WGDP_SIZE" in r.stdout and "start" not in r.stderr)
finally:
    shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failures else 0)
