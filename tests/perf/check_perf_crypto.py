#!/usr/bin/env python3
"""wgdp-perf crypto prints the figures its --help promises, as well-formed JSON lines.

A short run (figures are not judged here: benchmarks print figures, tests check behaviour).
Usage: check_perf_crypto.py PATH_TO_WGDP_PERF
"""
import json
import subprocess
import sys

perf = sys.argv[1]
failures = []


def check(what, cond):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


sizes = [64, 1420, "imix"]
run = subprocess.run([perf, "crypto", "--duration-ms", "20", "--arch", "all",
                      "--sizes", ",".join(map(str, sizes))],
                     capture_output=True, text=True, timeout=120)
check("exit status 0", run.returncode == 0)
lines = [l for l in run.stdout.splitlines() if l.strip()]
records = []
for line in lines:
    try:
        records.append(json.loads(line))
    except json.JSONDecodeError:
        check("line is JSON: " + line[:60], False)
check("prints something", len(records) > 0)

aead = [r for r in records if r.get("bench") == "aead"]
for size in sizes:
    for direction in ("encrypt", "decrypt"):
        for impl in ("ipsec-mb", "libsodium"):
            got = [r for r in aead if r["size"] == size and r["dir"] == direction
                   and r["impl"] == impl]
            check(f"{impl} {direction} {size}", len(got) >= 1)
            for r in got:
                check(f"{impl} {direction} {size} has positive gbps and cycles_per_byte",
                      r["gbps"] > 0 and r["cycles_per_byte"] > 0 and isinstance(r["arch"], str))
# The 8-lane paths, where the CPU has AVX2 (every x86-64 CPU this project meets does).
if any(r["arch"].endswith("-x8") for r in aead):
    for size in sizes:
        for impl in ("x8+ipsec-mb", "x8"):
            got = [r for r in aead if r["size"] == size and r["impl"] == impl]
            check(f"{impl} at {size}, both directions",
                  {r["dir"] for r in got} == {"encrypt", "decrypt"}
                  and all(r["gbps"] > 0 and r["cycles_per_packet"] > 0 for r in got))
speedups = [r for r in records if r.get("bench") == "aead_speedup"]
check("a speedup line per batch line",
      len(speedups) == len([r for r in aead if r["impl"] != "libsodium"]))
x = [r for r in records if r.get("bench") == "x25519"]
check("x25519 ops_per_s", len(x) == 1 and x[0]["ops_per_s"] > 0 and x[0]["impl"] == "libsodium")

h = subprocess.run([perf, "crypto", "--help"], capture_output=True, text=True)
check("--help exits 0 and documents --duration-ms", h.returncode == 0 and "--duration-ms" in h.stdout)
bad = subprocess.run([perf, "crypto", "--sizes", "99999"], capture_output=True, text=True)
check("an out-of-range size is refused", bad.returncode != 0 and bad.stdout == "")
bad = subprocess.run([perf, "crypto", "--arch", "neon"], capture_output=True, text=True)
check("an unknown arch is refused", bad.returncode != 0)
sys.exit(1 if failures else 0)
