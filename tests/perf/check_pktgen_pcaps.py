#!/usr/bin/env python3
"""The pktgen kit's pcaps and config, checked with tools that did not write them.

mkconfig.py writes a config (real key pairs, and decoys); wgdp's own config parser
(config_check, lib/config) must accept it, and wgdpctl pubkey must agree with its public keys.
mkpcap.py --all writes the eight pcaps; tshark reads each back: the packet count, every IP
length (and for imix the 7:4:1 mix in its order), the protocol stack, IPv4 header and UDP
checksums (tshark verifying them, no expert info at all), MACs, the source address, and every
destination inside the allowed-ips the config gives some peer, every peer reached. The checks
are shown to fail on a corrupted pcap and on a corrupted config.
Skips (77) without tshark.
Usage: check_pktgen_pcaps.py PKTGEN_DIR CONFIG_CHECK WGDPCTL
"""
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile

pktgen_dir, config_check, wgdpctl = sys.argv[1:4]
sys.path.insert(0, pktgen_dir)
import wgdp_scheme as scheme  # noqa: E402

mkpcap = os.path.join(pktgen_dir, "mkpcap.py")
mkconfig = os.path.join(pktgen_dir, "mkconfig.py")
if not shutil.which("tshark"):
    print("SKIP: tshark is not installed (scripts/setup.sh installs it)")
    sys.exit(77)

PEERS, FLOWS = 37, 74
DST_MAC, SRC_MAC = "3c:fd:fe:01:02:03", "3c:fd:fe:0a:0b:0c"
IMIX = [64, 576, 64, 64, 576, 64, 1420, 64, 576, 64, 64, 576]
failures = []


def check(what, cond):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)
    return cond


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, **kw)


FIELDS = ["frame.protocols", "frame.len", "eth.dst", "eth.src", "ip.len", "ip.src", "ip.dst",
          "ip.checksum.status", "ipv6.plen", "ipv6.src", "ipv6.dst", "udp.srcport",
          "udp.dstport", "udp.length", "udp.checksum.status", "_ws.expert.severity"]


def tshark_rows(path):
    args = ["tshark", "-n", "-r", path, "-o", "ip.check_checksum:TRUE",
            "-o", "udp.check_checksum:TRUE", "-T", "fields", "-E", "separator=/t",
            "-E", "occurrence=a"]
    for f in FIELDS:
        args += ["-e", f]
    r = run(*args)
    if r.returncode != 0:
        check(f"tshark reads {path}: {r.stderr[-300:]}", False)
        return []
    return [dict(zip(FIELDS, line.split("\t"))) for line in r.stdout.splitlines()]


def frame_problems(row, family, networks):
    """What is wrong with one frame (a list of strings, empty when nothing)."""
    bad = []
    want_stack = "eth:ethertype:ip:udp:data" if family == 4 else "eth:ethertype:ipv6:udp:data"
    if row["frame.protocols"] != want_stack:
        bad.append(f"stack {row['frame.protocols']}")
    if row["_ws.expert.severity"]:
        bad.append(f"expert info {row['_ws.expert.severity']}")
    if row["udp.checksum.status"] != "1":
        bad.append(f"UDP checksum status {row['udp.checksum.status']}")
    if row["eth.dst"] != DST_MAC or row["eth.src"] != SRC_MAC:
        bad.append(f"MACs {row['eth.dst']} {row['eth.src']}")
    if family == 4:
        if row["ip.checksum.status"] != "1":
            bad.append(f"IPv4 checksum status {row['ip.checksum.status']}")
        src, dst = row["ip.src"], row["ip.dst"]
        want_src = scheme.GEN_INSIDE4
    else:
        src, dst = row["ipv6.src"], row["ipv6.dst"]
        want_src = scheme.GEN_INSIDE6
    if src != want_src:
        bad.append(f"source {src}")
    try:
        a = ipaddress.ip_address(dst)
        owner = next((i for i, nets in networks.items() if any(a in n for n in nets)), None)
    except ValueError:
        owner = None
    if owner is None:
        bad.append(f"destination {dst} in no peer's allowed-ips")
    return bad


def ip_len(row, family):
    return int(row["ip.len"]) if family == 4 else 40 + int(row["ipv6.plen"] or -40)


work = tempfile.mkdtemp(prefix="wgdp-pktgen-")
try:
    # ---- the config ----
    cfg_path = os.path.join(work, "bench.json")
    keys = os.path.join(work, "keys")
    r = run(mkconfig, "--peers", str(PEERS), "--keys-dir", keys, "--seed", "7",
            "-o", cfg_path)
    check("mkconfig.py --keys-dir exits 0: " + r.stderr, r.returncode == 0)
    r = run(config_check, cfg_path)
    check(f"wgdp's config parser accepts it: {r.stdout.strip()} {r.stderr.strip()}",
          r.returncode == 0 and f"ok: {PEERS} peers, {2 * PEERS} allowed-ips" in r.stdout)
    cfg = json.load(open(cfg_path))
    networks = {i: [ipaddress.ip_network(p) for p in peer["allowed_ips"]]
                for i, peer in enumerate(cfg["peers"])}
    check("each peer owns its /32 and /128 of the plan",
          all(networks[i] == [ipaddress.ip_network(scheme.peer_addr4(i) + "/32"),
                              ipaddress.ip_network(scheme.peer_addr6(i) + "/128")]
              for i in range(PEERS)))
    rows = [line.split("\t") for line in open(os.path.join(keys, "peers.tsv"))
            if not line.startswith("#")]
    check("peers.tsv has a line a peer", len(rows) == PEERS)
    agree = 0
    for i in (0, 1, PEERS - 1):
        key = open(rows[i][1]).read()
        pub = run(wgdpctl, "pubkey", input=key).stdout.strip()
        agree += pub == rows[i][4].strip() == cfg["peers"][i]["public_key"]
    check("wgdpctl pubkey agrees with mkconfig's X25519 public keys", agree == 3)
    pub = run(wgdpctl, "pubkey", input=cfg["interface"]["private_key"] + "\n").stdout.strip()
    check("server.pub is the interface's public key",
          pub == open(os.path.join(keys, "server.pub")).read().strip())
    check("private key files are 0600",
          os.stat(rows[0][1]).st_mode & 0o777 == 0o600)
    decoy = os.path.join(work, "decoy.json")
    r = run(mkconfig, "--peers", "2000", "-o", decoy)
    r2 = run(config_check, decoy)
    check(f"a 2000-peer decoy config is accepted: {r2.stdout.strip()} {r2.stderr.strip()}",
          r.returncode == 0 and r2.returncode == 0 and "ok: 2000 peers" in r2.stdout)
    # the validator is really judging: break one prefix
    broken = json.load(open(cfg_path))
    broken["peers"][3]["allowed_ips"][0] = "10.1.0.300/32"
    bad_path = os.path.join(work, "broken.json")
    json.dump(broken, open(bad_path, "w"))
    r = run(config_check, bad_path)
    check(f"a broken config is refused with its path: {r.stderr.strip()}",
          r.returncode == 1 and "peers[3].allowed_ips[0]" in r.stderr)

    # ---- the pcaps ----
    out = os.path.join(work, "pcaps")
    r = run(mkpcap, "--all", out, "--peers", str(PEERS), "--flows", str(FLOWS),
            "--dst-mac", DST_MAC, "--src-mac", SRC_MAC)
    check("mkpcap.py --all exits 0: " + r.stderr, r.returncode == 0)
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    names = sorted(f["file"] for f in manifest["files"])
    want_names = sorted(f"inside-v{fam}-{s}.pcap" for fam in (4, 6)
                        for s in ("64", "512", "1420", "imix"))
    check("the eight files of the set", names == want_names and
          all(os.path.exists(os.path.join(out, n)) for n in want_names))
    for fam in (4, 6):
        for s in ("64", "512", "1420", "imix"):
            name = f"inside-v{fam}-{s}.pcap"
            path = os.path.join(out, name)
            frames = tshark_rows(path)
            check(f"{name}: 1200 packets (the default count)", len(frames) == 1200)
            if not frames:
                continue
            lens = [ip_len(f, fam) for f in frames]
            if s == "imix":
                check(f"{name}: IP lengths follow the 7:4:1 pattern",
                      lens == IMIX * (len(frames) // 12))
                check(f"{name}: 700 x 64, 400 x 576, 100 x 1420",
                      [lens.count(n) for n in (64, 576, 1420)] == [700, 400, 100])
            else:
                check(f"{name}: every IP length is {s}", set(lens) == {int(s)})
            check(f"{name}: frame length = IP length + 14",
                  all(int(f["frame.len"]) == max(60, n + 14) for f, n in zip(frames, lens)))
            check(f"{name}: UDP length = IP length - IP header",
                  all(int(f["udp.length"]) == n - (20 if fam == 4 else 40)
                      for f, n in zip(frames, lens)))
            problems = [(i, p) for i, f in enumerate(frames) for p in frame_problems(f, fam,
                                                                                       networks)]
            check(f"{name}: stack, checksums, MACs, addresses of every frame"
                  + (f" (frame {problems[0][0]}: {problems[0][1]}, {len(problems)} problems)"
                     if problems else ""), not problems)
            dsts = {f["ip.dst"] if fam == 4 else f["ipv6.dst"] for f in frames}
            owners = {scheme.peer_of_addr(d) for d in dsts}
            check(f"{name}: every one of the {PEERS} peers is reached",
                  owners == set(range(PEERS)))
            tuples = {(f["ip.dst"] or f["ipv6.dst"], f["udp.srcport"]) for f in frames}
            check(f"{name}: {FLOWS} flows", len(tuples) == FLOWS)

    # ---- the checks themselves can fail ----
    src = os.path.join(out, "inside-v4-64.pcap")
    data = bytearray(open(src, "rb").read())
    data[24 + 16 + 14 + 10] ^= 0x01  # frame 0: IPv4 header checksum
    data[24 + 16 + 78 + 16 + 14 + 20 + 6] ^= 0x01  # frame 1: UDP checksum
    bad = os.path.join(work, "corrupt.pcap")
    open(bad, "wb").write(bytes(data))
    frames = tshark_rows(bad)
    p0 = frame_problems(frames[0], 4, networks) if frames else []
    p1 = frame_problems(frames[1], 4, networks) if len(frames) > 1 else []
    check(f"a corrupted IPv4 checksum is caught: {p0}",
          any("IPv4 checksum" in p for p in p0))
    check(f"a corrupted UDP checksum is caught: {p1}", any("UDP checksum" in p for p in p1))
    outsider = dict(frames[2]) if len(frames) > 2 else {}
    outsider["ip.dst"] = scheme.peer_addr4(PEERS)  # the next peer, not in this config
    check("a destination outside every peer's allowed-ips is caught",
          bool(outsider) and any("allowed-ips" in p
                                 for p in frame_problems(outsider, 4, networks)))

    # ---- usage errors ----
    r = run(mkpcap, "-o", os.path.join(work, "x.pcap"), "--size", "imix", "--count", "13")
    check("imix with a count not a multiple of 12 is a usage error (2)",
          r.returncode == 2 and "multiple of 12" in r.stderr)
    r = run(mkpcap, "-o", os.path.join(work, "x.pcap"), "--family", "6", "--size", "50")
    check("a 50-byte IPv6 packet is a usage error (2)", r.returncode == 2 and r.stderr)
    r = run(mkpcap, "-o", os.path.join(work, "x.pcap"), "--dst-mac", "02:00:00:00:01")
    check("a bad MAC is a usage error (2)", r.returncode == 2 and "MAC" in r.stderr)
    r = run(mkpcap, "-o", os.path.join(work, "none", "x.pcap"))
    check("an unwritable file is exit 1", r.returncode == 1 and r.stderr)
finally:
    shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failures else 0)
