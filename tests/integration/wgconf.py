#!/usr/bin/env python3
"""A wg / wg-quick config file in a canonical form, for comparing two of them.

usage: wgconf.py FILE [KEY,KEY,...]

Prints the [Interface] section, then the [Peer] sections sorted by PublicKey; keys in lower
case and sorted within a section, AllowedIPs as one sorted list however many lines gave it,
comments and blank lines dropped. With KEYs, only those keys are kept (lower case), so a file
and what wgdp made of it compare on what both have.
"""
import sys


def sections(path):
    out = []
    with open(path, newline="") as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("["):
                out.append((line.replace(" ", "").lower(), {}))
                continue
            key, value = (x.strip() for x in line.split("=", 1))
            key = key.lower()
            if key == "allowedips":
                items = (x.strip() for x in value.split(","))
                out[-1][1].setdefault(key, set()).update(x for x in items if x)
            else:
                out[-1][1][key] = value
    return out


def canonical(path, keep):
    secs = sections(path)
    iface = [s for s in secs if s[0] == "[interface]"]
    peers = sorted((s for s in secs if s[0] == "[peer]"), key=lambda s: s[1].get("publickey", ""))
    lines = []
    for name, kv in iface + peers:
        lines.append(name)
        for key in sorted(kv):
            if keep and key not in keep:
                continue
            value = kv[key]
            lines.append("%s = %s" % (key, ", ".join(sorted(value)) if isinstance(value, set) else value))
    return "\n".join(lines)


if __name__ == "__main__":
    keep = set(sys.argv[2].split(",")) if len(sys.argv) > 2 else set()
    print(canonical(sys.argv[1], keep))
