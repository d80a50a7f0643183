"""``packshot ops``: every operation with family, tier and parameters."""

from __future__ import annotations

import argparse
import json

from ..plugin_host import load_plugins

HELP = "list operations with their family, tier and parameters"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--family", help="only this family (colour, enhance, repair, ...)")


def run(args: argparse.Namespace) -> int:
    host = load_plugins()
    ops = sorted(host.operations().values(), key=lambda o: (o.family, o.id))
    if args.family:
        ops = [o for o in ops if o.family == args.family]
    if args.json:
        rows = [{**o.describe(), "plugin": host.plugin_of(o.id).name} for o in ops]
        print(json.dumps(rows, indent=2, default=str))
        return 0
    family = None
    for op in ops:
        if op.family != family:
            family = op.family
            print(f"\n[{family}]")
        print(f"  {op.id:<34} {op.tier:<9} {op.title}")
        if op.install_hint and op.tier == "model":
            print(f"      needs: {op.install_hint}")
        for p in op.params:
            print(f"      {_param_line(p)}")
            if p.help:
                print(f"          {p.help}")
    for info in host.failures():
        print(f"\n(plugin {info.name!r} failed to load: {info.error})")
    return 0


def _param_line(p) -> str:
    d = p.describe()
    if "choices" in d:
        allowed = "|".join(d["choices"])
    elif "minimum" in d:
        unit = f" {d['unit']}" if d.get("unit") else ""
        allowed = f"{d['minimum']:g}..{d['maximum']:g}{unit}"
    else:
        allowed = d["kind"]
    default = d["default"] if d["default"] not in ("", [], ()) else "(none)"
    return f"{p.name:<20} {allowed:<28} default {default}"
