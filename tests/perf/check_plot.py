#!/usr/bin/env python3
"""perf/plot turns each kind of wgdp-perf JSON line into its chart.

Synthetic lines of every kind it knows (dataplane, dataplane_flood, handshake latency / flood /
floor / capacity, perf/soak.sh's samples, events and summary), mixed with lines it must ignore, go in; the PNGs named in --help must come
out, each a real PNG (signature, IHDR first, the documented width and height, IEND last) and
printed on stdout. No usable line, a missing file and a bad option must fail with 1, 1 and 2.
Skips (77) when perf/plot finds no matplotlib.
Usage: check_plot.py PATH_TO_PLOT [KEEP_DIR]   (KEEP_DIR: also leave the PNGs there)
"""
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

plot = sys.argv[1]
keep = sys.argv[2] if len(sys.argv) > 2 else None
probe = subprocess.run([plot, "-o", tempfile.gettempdir()], input="", capture_output=True,
                       text=True, timeout=120)
if "needs matplotlib" in probe.stderr:
    print("SKIP: perf/plot finds no matplotlib (scripts/setup.sh installs python3-matplotlib)")
    sys.exit(77)

failures = []


def check(what, cond):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)
    return cond


def png_info(path):
    """(width, height) when path is a well-formed PNG by its chunks, else a reason string."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return "no PNG signature"
    pos, chunks, dims = 8, [], None
    while pos + 12 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if zlib.crc32(ctype + body) != crc:
            return f"bad CRC in {ctype!r}"
        if ctype == b"IHDR":
            dims = struct.unpack(">II", body[:8])
        chunks.append(ctype)
        pos += 12 + length
    if not chunks or chunks[0] != b"IHDR" or chunks[-1] != b"IEND" or b"IDAT" not in chunks:
        return f"chunks {chunks[:3]}...{chunks[-1:]}"
    return dims


def quantiles(median, spread):
    out = []
    for i in range(101):
        q = i / 100
        z = 0 if q in (0, 1) else math.sqrt(2) * erfinv(2 * q - 1)
        if q == 0:
            z = -3
        elif q == 1:
            z = 4
        out.append([q, round(median * math.exp(spread * z), 1)])
    out.insert(-1, [0.999, round(median * math.exp(spread * 3.1), 1)])
    return out


def erfinv(y):
    # Newton on erf: enough for test curves
    x = 0.0
    for _ in range(60):
        x -= (math.erf(x) - y) / (2 / math.sqrt(math.pi) * math.exp(-x * x))
    return x


lines = ["wgdp-perf: some text line", "{not json", json.dumps({"bench": "crypto", "x": 1})]
for d, base in (("encrypt", 1.0), ("decrypt", 0.9)):
    for peers in (1, 10000):
        for size, mpps, cmpps in ((64, 3.5, 5.5), (512, 2.3, 4.1), (1420, 1.4, 2.3)):
            m = mpps * base
            lines.append(json.dumps({"bench": "dataplane", "dir": d, "size": size,
                                     "peers": peers, "workers": 1, "arch": "avx512",
                                     "mpps": m, "gbps": m * size * 8 / 1e3,
                                     "crypto_mpps": cmpps, "crypto_gbps": cmpps * size * 8 / 1e3,
                                     "ratio_to_crypto": m / cmpps}))
        for size, mpps in ((64, 3.4), (1420, 1.3)):
            for fl, f in (("none", 1.0), ("handshake", 0.8)):
                lines.append(json.dumps({"bench": "dataplane_flood", "dir": d, "size": size,
                                         "flood": fl, "mpps": mpps * f,
                                         "gbps": mpps * f * size * 8 / 1e3}))
for load, offered, med in (("light", 100, 120), ("50%", 4000, 180), ("90%", 7500, 600)):
    q = quantiles(med, 0.3)
    lines.append(json.dumps({"bench": "handshake", "kind": "latency", "load": load,
                             "offered_hs_per_s": offered, "completed": 1000, "p50_us": med,
                             "p99_us": q[99][1], "p999_us": q[100][1], "quantiles": q}))
for fl, pps, med in (("none", 0, 120), ("junk", 1000000, 130), ("bad_mac1", 1000000, 140),
                     ("spoofed_mac1", 200000, 900)):
    q = quantiles(med, 0.35)
    lines.append(json.dumps({"bench": "handshake", "kind": "flood", "flood": fl,
                             "flood_pps": pps, "completed": 1000, "p50_us": med,
                             "p99_us": q[99][1], "p999_us": q[100][1], "quantiles": q}))
lines.append(json.dumps({"bench": "handshake", "kind": "floor", "floor_hs_per_s": 8700}))
lines.append(json.dumps({"bench": "handshake", "kind": "capacity", "hs_per_s": 8200,
                         "floor_hs_per_s": 8700}))
lines.append(json.dumps({"bench": "handshake", "kind": "something-new", "p50_us": 3}))
# perf/soak.sh: five minutes of samples, reloads (one refused), floods, a summary.
soak = [json.dumps({"bench": "soak", "event": "start", "t": 0, "warmup_s": 60, "seconds": 300})]
for sec in range(300):
    soak.append(json.dumps({"bench": "soak", "t": sec + 0.01, "rss_kib": 280000 + 50 * min(sec, 40),
                            "rss_dpdk_kib": 207000, "rss_heap_kib": 1800,
                            "rte_malloc_kib": 140000 + 60000 * (sec % 30 < 1),
                            "mbufs": 17152, "mbufs_in_use": 300 if sec % 60 < 2 else 3,
                            "keypairs": 2005 + sec % 3, "indexes": 2004, "staged": 0,
                            "stage_limit": 2144, "peers": 1004 + (sec // 30) % 2}))
    if sec and sec % 30 == 0:
        soak.append(json.dumps({"bench": "soak", "event": "reload", "t": sec,
                                "ok": sec != 150, "file": "wgdp-plus.json"}))
    if sec and sec % 60 == 0:
        soak.append(json.dumps({"bench": "soak", "event": "flood", "t": sec, "seconds": 2.0,
                                "flood": "junk", "frames": 200000}))
soak.append(json.dumps({"bench": "soak", "event": "round", "t": -1.5, "round": 0}))
soak.append(json.dumps({"bench": "soak", "summary": True, "warmup_s": 60, "ok": False,
                        "reloads_ok": 8, "reloads_failed": 1, "floods": 4,
                        "gauges": {"rss_kib": {"slope_per_min": 0.5}}}))
lines += soak

work = tempfile.mkdtemp(prefix="wgdp-plot-")
try:
    src = os.path.join(work, "results.jsonl")
    with open(src, "w") as f:
        f.write("\n".join(lines) + "\n")
    out = os.path.join(work, "img")
    r = subprocess.run([plot, "-o", out, src], capture_output=True, text=True, timeout=240)
    check("exit status 0: " + r.stderr[-400:], r.returncode == 0)
    want = {"dataplane-encrypt.png": (800, 500), "dataplane-decrypt.png": (800, 500),
            "dataplane-flood-encrypt.png": (800, 500), "dataplane-flood-decrypt.png": (800, 500),
            "handshake-load.png": (1200, 500), "handshake-flood.png": (1200, 500),
            "soak.png": (1200, 900)}
    printed = set(r.stdout.split())
    check("it prints the paths it wrote", printed == {os.path.join(out, n) for n in want})
    check("nothing else in the output dir", sorted(os.listdir(out)) == sorted(want)
          if os.path.isdir(out) else False)
    for name, dims in want.items():
        path = os.path.join(out, name)
        if not check(f"{name} exists, nonzero size",
                     os.path.exists(path) and os.path.getsize(path) > 1000):
            continue
        info = png_info(path)
        check(f"{name} is a well-formed PNG of {dims[0]}x{dims[1]}: {info}", info == dims)

    # only handshake lines, from stdin: only the handshake charts
    hs = "\n".join(line for line in lines
               if line.startswith('{"bench": "handshake"')) + "\n"
    out2 = os.path.join(work, "img2")
    r = subprocess.run([plot, "-o", out2], input=hs, capture_output=True, text=True,
                       timeout=240)
    check("stdin with handshake lines only: the two handshake charts",
          r.returncode == 0 and sorted(os.listdir(out2)) == ["handshake-flood.png",
                                                              "handshake-load.png"])
    # soak lines alone: the soak chart alone; its events alone are no data
    out4 = os.path.join(work, "img4")
    r = subprocess.run([plot, "-o", out4], input="\n".join(soak) + "\n", capture_output=True,
                       text=True, timeout=240)
    check("stdin with soak lines only: soak.png alone",
          r.returncode == 0 and os.listdir(out4) == ["soak.png"])
    r = subprocess.run([plot, "-o", os.path.join(work, "img5")],
                       input="\n".join(x for x in soak if '"event"' in x) + "\n",
                       capture_output=True, text=True, timeout=240)
    check("soak events without samples: no usable data", r.returncode == 1)
    # percentiles without a quantiles array still make a curve
    one = json.dumps({"bench": "handshake", "kind": "latency", "load": "light",
                      "offered_hs_per_s": 10, "completed": 5, "p50_us": 100, "p99_us": 300,
                      "p999_us": 900})
    out3 = os.path.join(work, "img3")
    r = subprocess.run([plot, "-o", out3, "-"], input=one + "\n", capture_output=True,
                       text=True, timeout=240)
    check("p50/p99/p999 alone make handshake-load.png",
          r.returncode == 0 and os.listdir(out3) == ["handshake-load.png"])

    # failures
    r = subprocess.run([plot, "-o", os.path.join(work, "none")],
                       input="\n".join(lines[:3]) + "\n", capture_output=True, text=True,
                       timeout=240)
    check("no usable data: exit 1 with a message, no dir filled",
          r.returncode == 1 and "no usable data" in r.stderr and not r.stdout
          and not os.path.exists(os.path.join(work, "none")))
    r = subprocess.run([plot, "-o", out, os.path.join(work, "missing.jsonl")],
                       capture_output=True, text=True, timeout=240)
    check("a missing input: exit 1 naming it",
          r.returncode == 1 and "missing.jsonl" in r.stderr)
    r = subprocess.run([plot, "--bogus"], capture_output=True, text=True, timeout=240)
    check("a bad option: exit 2", r.returncode == 2 and r.stderr)
    r = subprocess.run([plot, "--help"], capture_output=True, text=True, timeout=240)
    check("--help names every chart", r.returncode == 0 and all(n.split(".")[0].replace(
        "-encrypt", "") in r.stdout for n in want))
    if keep:
        os.makedirs(keep, exist_ok=True)
        for name in want:
            if os.path.exists(os.path.join(out, name)):
                shutil.copy(os.path.join(out, name), keep)
        shutil.copy(src, keep)
finally:
    shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failures else 0)
