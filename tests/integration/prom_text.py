"""Reads a Prometheus text exposition (as wgdpctl metrics and GET /metrics print it) into a
dict of series ("name{labels}") to value, for the tests to compare scrapes."""


def load(path):
    out = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        name, value = line.rsplit(" ", 1)
        out[name] = float(value)
    return out
