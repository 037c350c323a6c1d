#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkconfig.py: a wgdp JSON config with N peers on the address plan mkpcap.py sends to.

Peer i owns 10.(1 + i div 65536).((i div 256) mod 256).(i mod 256)/32 and fd00:1::/96 + i
as a /128 (perf/pktgen/wgdp_scheme.py). Ports: 0 outside (192.0.2.1/24, 2001:db8:1::1/64),
1 inside (10.0.0.1/24, fd00::1/64); change them with --outside-port / --inside-port.

Keys. By default the peers' public keys are random 32-byte strings: decoys. wgdp accepts them
(it needs a peer's public key, never its private key), so such a config measures loading and
the allowed-ips lookups, but no peer can ever complete a handshake, and wgdp encrypts nothing
for a peer without a session: it stages the packets and sends initiations to nobody.
A throughput run needs peers with sessions: give --keys-dir DIR and mkconfig writes real key
pairs, DIR/peer-<i>.key (the private keys, mode 0600), DIR/server.pub (wgdp's public key) and
DIR/peers.tsv (index, key file, IPv4, IPv6, public key), which perf/pktgen/handshake.sh uses to
give every peer a session with wgdp-probe before the run (docs/performance.md).
Public keys are derived in Python (X25519, about 1 ms each): 100,000 peers take ~2 minutes.

The interface's private key is written inline (private_key) unless --private-key-file FILE
is given: then FILE gets the key (mode 0600) and the config names it.

Exit status: 0 on success, 1 when a file cannot be written, 2 for a usage error.
"""
import argparse
import base64
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wgdp_scheme as scheme  # noqa: E402

PROG = "mkconfig.py"


def b64(key):
    return base64.b64encode(key).decode()


def write_private(path, key):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(b64(key) + "\n")


def build(peers, rng, keys_dir, private_key_file, out_port, in_port, queues, families):
    server = scheme.clamp(rng(32))
    iface = {"name": "wgdp0", "listen_port": 51820, "mtu": 1420}
    if private_key_file:
        write_private(private_key_file, server)
        iface["private_key_file"] = os.path.abspath(private_key_file)
    else:
        iface["private_key"] = b64(server)
    cfg = {
        "interface": iface,
        "ports": [
            {"port": out_port, "role": "outside",
             "address": [scheme.WGDP_OUTSIDE4 + "/24", scheme.WGDP_OUTSIDE6 + "/64"],
             "queues": queues},
            {"port": in_port, "role": "inside",
             "address": [scheme.WGDP_INSIDE4 + "/24", scheme.WGDP_INSIDE6 + "/64"],
             "queues": queues},
        ],
        "peers": [],
        "limits": {"max_peers": max(1024, 2 * peers)},
    }
    tsv = []
    for i in range(peers):
        if keys_dir:
            priv = scheme.clamp(rng(32))
            pub = scheme.public_key(priv)
            kf = os.path.join(keys_dir, f"peer-{i}.key")
            write_private(kf, priv)
        else:
            pub, kf = rng(32), None
        allowed = []
        if 4 in families:
            allowed.append(scheme.peer_addr4(i) + "/32")
        if 6 in families:
            allowed.append(scheme.peer_addr6(i) + "/128")
        cfg["peers"].append({"public_key": b64(pub), "allowed_ips": allowed,
                             "name": f"bench-{i}"})
        if keys_dir:
            tsv.append(f"{i}\t{os.path.abspath(kf)}\t{scheme.peer_addr4(i)}\t"
                       f"{scheme.peer_addr6(i)}\t{b64(pub)}\n")
    if keys_dir:
        with open(os.path.join(keys_dir, "server.pub"), "w") as f:
            f.write(b64(scheme.public_key(server)) + "\n")
        with open(os.path.join(keys_dir, "peers.tsv"), "w") as f:
            f.write("# index\tprivate_key_file\tipv4\tipv6\tpublic_key\n")
            f.writelines(tsv)
    return cfg


def main(argv):
    ap = argparse.ArgumentParser(prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 description="Writes a wgdp config whose peers own the "
                                 "addresses mkpcap.py sends to.",
                                 epilog=__doc__.split("\n", 2)[2] + """
Examples:
  perf/pktgen/mkconfig.py --peers 1000 -o bench.json                  # decoy peers
  perf/pktgen/mkconfig.py --peers 1000 --keys-dir keys/ -o bench.json # peers that can handshake""")
    ap.add_argument("--peers", type=int, default=1000, help="number of peers (default 1000)")
    ap.add_argument("-o", "--output", metavar="FILE", required=True,
                    help="the config to write ('-' for stdout)")
    ap.add_argument("--keys-dir", metavar="DIR",
                    help="real key pairs: write the peers' private keys and peers.tsv here")
    ap.add_argument("--private-key-file", metavar="FILE",
                    help="write the interface key to FILE and name it in the config")
    ap.add_argument("--outside-port", type=int, default=0, help="outside ethdev port (default 0)")
    ap.add_argument("--inside-port", type=int, default=1, help="inside ethdev port (default 1)")
    ap.add_argument("--queues", type=int, default=1,
                    help="RX/TX queue pairs per port, one per worker lcore (default 1)")
    ap.add_argument("--family", choices=("4", "6", "both"), default="both",
                    help="allowed-ips of each peer: its IPv4 /32, its IPv6 /128 or both "
                    "(default both)")
    ap.add_argument("--seed", type=int,
                    help="reproducible keys from a seeded PRNG (tests only: such keys are "
                    "guessable)")
    a = ap.parse_args(argv)
    if not 1 <= a.peers <= scheme.MAX_PEERS:
        print(f"{PROG}: --peers is 1 to {scheme.MAX_PEERS}", file=sys.stderr)
        return 2
    if a.outside_port == a.inside_port or not (0 <= a.outside_port < 16 and
                                               0 <= a.inside_port < 16):
        print(f"{PROG}: --outside-port and --inside-port are two different ports 0-15",
              file=sys.stderr)
        return 2
    if not 1 <= a.queues <= 64:
        print(f"{PROG}: --queues is 1 to 64", file=sys.stderr)
        return 2
    if a.seed is not None:
        r = random.Random(a.seed)
        rng = r.randbytes
    else:
        rng = os.urandom
    families = {"4": (4,), "6": (6,), "both": (4, 6)}[a.family]
    try:
        if a.keys_dir:
            os.makedirs(a.keys_dir, exist_ok=True)
        cfg = build(a.peers, rng, a.keys_dir, a.private_key_file, a.outside_port, a.inside_port,
                    a.queues, families)
        text = json.dumps(cfg, indent=1) + "\n"
        if a.output == "-":
            sys.stdout.write(text)
        else:
            with open(a.output, "w") as f:
                f.write(text)
    except OSError as e:
        print(f"{PROG}: {e.filename}: {e.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
