# SPDX-License-Identifier: MIT
"""The address plan shared by mkpcap.py, mkconfig.py and the tests, and a small X25519.

Peer i (0-based) owns exactly two prefixes:

    IPv4  10.(1 + i // 65536).((i // 256) % 256).(i % 256)/32      i < 254 * 65536
    IPv6  fd00:1::/96 + i, i.e. fd00:1::<i as two 16-bit groups>/128

so peer 0 is 10.1.0.0/32 and fd00:1::/128, peer 300 is 10.1.1.44/32 and fd00:1::12c/128.
The inside LAN is 10.0.0.0/24 and fd00::/64: wgdp's inside port is .1 / ::1, the traffic
generator's port (the source of every inner packet) is .2 / ::2. The outside link is
192.0.2.0/24 and 2001:db8:1::/64: wgdp .1 / ::1, the generator's second port .2 / ::2.
"""
import ipaddress

MAX_PEERS = 254 * 65536

INSIDE_NET4 = "10.0.0.0/24"
INSIDE_NET6 = "fd00::/64"
WGDP_INSIDE4 = "10.0.0.1"
WGDP_INSIDE6 = "fd00::1"
GEN_INSIDE4 = "10.0.0.2"
GEN_INSIDE6 = "fd00::2"
WGDP_OUTSIDE4 = "192.0.2.1"
WGDP_OUTSIDE6 = "2001:db8:1::1"
GEN_OUTSIDE4 = "192.0.2.2"
GEN_OUTSIDE6 = "2001:db8:1::2"
PEER_BASE6 = int(ipaddress.IPv6Address("fd00:1::"))


def peer_addr4(i):
    """The IPv4 address (a str) peer i owns as a /32."""
    if not 0 <= i < MAX_PEERS:
        raise ValueError(f"peer index {i} out of range (0..{MAX_PEERS - 1})")
    return f"10.{1 + i // 65536}.{(i // 256) % 256}.{i % 256}"


def peer_addr6(i):
    """The IPv6 address (a str) peer i owns as a /128."""
    if not 0 <= i < MAX_PEERS:
        raise ValueError(f"peer index {i} out of range (0..{MAX_PEERS - 1})")
    return str(ipaddress.IPv6Address(PEER_BASE6 + i))


def peer_of_addr(addr):
    """The peer index owning addr (str), or None when no peer of this plan owns it."""
    a = ipaddress.ip_address(addr)
    if a.version == 4:
        b = a.packed
        if b[0] != 10 or b[1] < 1 or b[1] > 254:
            return None
        return (b[1] - 1) * 65536 + b[2] * 256 + b[3]
    i = int(a) - PEER_BASE6
    return i if 0 <= i < MAX_PEERS else None


# ---- X25519 (RFC 7748), enough to derive public keys; not constant-time, not for secrets
# that matter: these are benchmark peers. ----

_P = 2**255 - 19


def x25519(scalar, u):
    """X25519(scalar, u) for 32-byte strings, as RFC 7748 section 5 defines it."""
    k = bytearray(scalar)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    n = int.from_bytes(k, "little")
    x1 = int.from_bytes(u, "little") & ((1 << 255) - 1)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in range(254, -1, -1):
        bit = (n >> t) & 1
        if swap ^ bit:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, b = x2 + z2, x2 - z2
        aa, bb = a * a % _P, b * b % _P
        e = aa - bb
        c, d = x3 + z3, x3 - z3
        da, cb = d * a % _P, c * b % _P
        x3 = (da + cb) ** 2 % _P
        z3 = x1 * (da - cb) ** 2 % _P
        x2 = aa * bb % _P
        z2 = e * (aa + 121665 * e) % _P
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, _P - 2, _P) % _P).to_bytes(32, "little")


def clamp(key):
    """A private key as wg genkey leaves it (clamped)."""
    k = bytearray(key)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    return bytes(k)


def public_key(private):
    return x25519(private, (9).to_bytes(32, "little"))
