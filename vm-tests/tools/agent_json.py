#!/usr/bin/env python3
"""Reads afxdp-agent JSON stats lines from a guest console log and prints
the value of a Python expression over the last report of a type.

  agent_json.py LOG [--type final|stats] [--journal] EXPR

--journal: LOG is a console that systemd's journal writes to (an image
guest's ttyS0): the reports are the lines "... afxdp-agent[PID]: {...}".

EXPR sees j (the report) and helpers: q(ifname) -> that port's queues,
port(ifname) -> that port's object, s(list, key) -> sum of key.
Exit 1 when no such report is on the console."""
import argparse
import json
import re
import sys

# The guest's CPU sampler (vm-tests/scenarios/zerocopy.sh, cpu_watch) writes
# to the same console as the agent, and the tty splits a long report into
# chunks: a sample line can land inside the agent's final JSON line
# (seen in a 2026-12-04 bench run). Its lines are taken out wherever they
# are, so the report is whole again.
SAMPLER = re.compile(r"VMTEST: cpu [0-9]+ [0-9]+\r?\n")
JOURNAL = re.compile(r"afxdp-agent\[[0-9]+\]: (\{.*)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("log")
    p.add_argument("expr")
    p.add_argument("--type", default="final")
    p.add_argument("--journal", action="store_true")
    a = p.parse_args()
    last = None
    with open(a.log, errors="replace") as f:
        text = SAMPLER.sub("", f.read())
        for line in text.splitlines():
            line = line.strip()
            if a.journal:
                m = JOURNAL.search(line)
                line = m.group(1) if m else ""
            if not line.startswith("{"):
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if obj.get("type") == a.type:
                last = obj
    if last is None:
        print("no %s report on the console" % a.type, file=sys.stderr)
        return 1
    env = {
        "j": last,
        "q": lambda n: [x for x in last.get("queues", []) if x.get("ifname") == n],
        "port": lambda n: next((x for x in last.get("ports", [])
                                if x.get("ifname") == n), {}),
        "s": lambda lst, k: sum(x.get(k, 0) for x in lst),
    }
    v = eval(a.expr, env)
    print(json.dumps(v) if isinstance(v, (dict, list, bool)) else v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
