#!/usr/bin/env python3
"""Reads a systemd unit the way systemd would for one instance, so that a test can run the
unit's own command lines where PID 1 is not systemd.

    unit_cmd.py UNIT INSTANCE exec KEY     KEY's command (ExecStart, ExecReload), NUL-separated
    unit_cmd.py UNIT INSTANCE bounding     CapabilityBoundingSet in setpriv's form
    unit_cmd.py UNIT INSTANCE get KEY      KEY's value, specifiers resolved

What it understands is what wgdp@.service uses: line continuations, the %i/%I/%% specifiers,
an optional EnvironmentFile (leading "-") of KEY=VALUE lines, and in a command $VAR (split into
words at whitespace) and ${VAR} (one word); the command's prefix characters ("-", "@", "+",
"!", ":") are refused rather than half-honoured.
"""
import shlex
import sys


def read_unit(path):
    """[(section, key, value)] with continuation lines joined and comments dropped."""
    entries, section, pending = [], None, ""
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if not pending and line.lstrip().startswith(("#", ";")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = (pending + line).strip(), ""
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif "=" in line:
            key, value = line.split("=", 1)
            entries.append((section, key.strip(), value.strip()))
    return entries


def specifiers(text, instance):
    out, i = [], 0
    while i < len(text):
        if text[i] == "%" and i + 1 < len(text):
            c = text[i + 1]
            if c in "iI":
                out.append(instance)
            elif c == "%":
                out.append("%")
            else:
                sys.exit(f"unit_cmd.py: specifier %{c} not understood")
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def environment(entries, instance):
    env = {}
    for section, key, value in entries:
        if section != "Service" or key != "EnvironmentFile":
            continue
        path = specifiers(value, instance)
        optional = path.startswith("-")
        try:
            lines = open(path.lstrip("-"), encoding="utf-8").read().splitlines()
        except FileNotFoundError:
            if optional:
                continue
            raise
        for line in lines:
            line = line.strip()
            if not line or line.startswith(("#", ";")) or "=" not in line:
                continue
            k, v = line.split("=", 1)
            words = shlex.split(v, comments=False)
            env[k.strip()] = " ".join(words)
    return env


def command(value, instance, env):
    if value[:1] in "-@+!:":
        sys.exit(f"unit_cmd.py: command prefix {value[0]!r} not understood")
    argv = []
    for word in shlex.split(specifiers(value, instance)):
        if word.startswith("$") and not word.startswith("${"):
            argv.extend(env.get(word[1:], "").split())
            continue
        for k, v in env.items():
            word = word.replace("${" + k + "}", v)
        argv.append(word)
    return argv


def main():
    unit, instance, mode = sys.argv[1:4]
    entries = read_unit(unit)
    values = {key: value for _, key, value in entries}
    if mode == "exec":
        argv = command(values[sys.argv[4]], instance, environment(entries, instance))
        sys.stdout.write("".join(a + "\0" for a in argv))
    elif mode == "bounding":
        caps = values["CapabilityBoundingSet"].split()
        print(",".join(["-all"] + ["+" + c.lower().removeprefix("cap_") for c in caps]))
    elif mode == "get":
        print(specifiers(values[sys.argv[4]], instance))
    else:
        sys.exit(f"unit_cmd.py: unknown mode {mode}")


if __name__ == "__main__":
    main()
