#!/usr/bin/env python3
"""wgdp-perf dataplane moves every packet through the real worker pipeline and prints one
well-formed JSON line per direction, size and peer count, beside the crypto ceiling.

A short run: the figures are not judged (benchmarks print figures, tests check behaviour), but
the benchmark itself fails unless every packet it fed came out the other side, decrypted (the
inner packet forwarded inside) or encrypted (encapsulated outside).
Usage: check_perf_dataplane.py PATH_TO_WGDP_PERF
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


run = subprocess.run([perf, "dataplane", "--duration-ms", "20", "--sizes", "64,1420",
                      "--peers", "1,300"], capture_output=True, text=True, timeout=240)
check("exit status 0 (every packet came out): " + run.stderr[-300:], run.returncode == 0)
records = []
for line in run.stdout.splitlines():
    try:
        records.append(json.loads(line))
    except json.JSONDecodeError:
        check("a JSON line: " + line, False)
want = {(d, s, p) for d in ("decrypt", "encrypt") for s in (64, 1420) for p in (1, 300)}
got = {(r.get("dir"), r.get("size"), r.get("peers")) for r in records}
check("one line per direction, size and peer count", got == want and len(records) == len(want))
for r in records:
    keys = {"bench", "dir", "size", "peers", "workers", "arch", "mpps", "gbps", "crypto_mpps",
            "crypto_gbps", "ratio_to_crypto"}
    check(f"fields of {r.get('dir')}/{r.get('size')}/{r.get('peers')}", keys <= set(r))
    check("figures positive", all(r.get(k, 0) > 0 for k in ("mpps", "crypto_mpps")))
    if r.get("mpps") and r.get("crypto_mpps"):
        check("ratio is mpps / crypto_mpps",
              abs(r["ratio_to_crypto"] - r["mpps"] / r["crypto_mpps"]) < 0.01)
sys.exit(1 if failures else 0)
