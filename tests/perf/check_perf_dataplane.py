#!/usr/bin/env python3
"""wgdp-perf dataplane moves every packet through the real worker pipeline and prints one
well-formed JSON line per direction, size and peer count, beside the crypto ceiling.

A short run: the figures are not judged (benchmarks print figures, tests check behaviour), but
the benchmark itself fails unless every packet it fed came out the other side, decrypted (the
inner packet forwarded inside) or encrypted (encapsulated outside). With --tenants 4, on its
own tenant's VLAN (decrypted) or from its own tenant's listen port (encrypted) too.
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
check("one tenant by default", all(r.get("tenants") == 1 for r in records))
for r in records:
    keys = {"bench", "dir", "size", "peers", "tenants", "workers", "arch", "mpps", "gbps",
            "crypto_mpps", "crypto_gbps", "ratio_to_crypto"}
    check(f"fields of {r.get('dir')}/{r.get('size')}/{r.get('peers')}", keys <= set(r))
    check("figures positive", all(r.get(k, 0) > 0 for k in ("mpps", "crypto_mpps")))
    if r.get("mpps") and r.get("crypto_mpps"):
        # The ratio divides unrounded figures; the printed ones are rounded to 0.001 Mpps,
        # which moves a ratio of small figures (1420 B in a sanitizer build) by more.
        slack = 0.01 + r["ratio_to_crypto"] * 0.0006 * (1 / r["mpps"] + 1 / r["crypto_mpps"])
        check("ratio is mpps / crypto_mpps",
              abs(r["ratio_to_crypto"] - r["mpps"] / r["crypto_mpps"]) < slack)

# Several interfaces: the peers spread over them, each on its own VLAN and listen port.
run = subprocess.run([perf, "dataplane", "--duration-ms", "20", "--sizes", "64",
                      "--peers", "300", "--tenants", "1,4"],
                     capture_output=True, text=True, timeout=240)
check("--tenants 1,4: exit status 0 (every packet came out, on its tenant's link): " +
      run.stderr[-300:], run.returncode == 0)
try:
    records = [json.loads(line) for line in run.stdout.splitlines()]
except json.JSONDecodeError:
    records = []
got = sorted((r.get("tenants"), r.get("dir")) for r in records)
check("--tenants 1,4: a line per tenant count and direction: " + str(got),
      got == [(t, d) for t in (1, 4) for d in ("decrypt", "encrypt")])
check("--tenants 1,4: figures positive", all(r.get("mpps", 0) > 0 for r in records))

bad = subprocess.run([perf, "dataplane", "--flood", "--tenants", "1,4"], capture_output=True,
                     text=True, timeout=60)
check("--flood with several tenants refused (exit 2, says why)",
      bad.returncode == 2 and "--tenants" in bad.stderr)
bad = subprocess.run([perf, "dataplane", "--tenants", "0"], capture_output=True, text=True,
                     timeout=60)
check("--tenants 0 refused (exit 2)", bad.returncode == 2)
sys.exit(1 if failures else 0)
