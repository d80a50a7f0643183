"""``packshot presets``: the export presets installed, with their figures and sources."""

from __future__ import annotations

import argparse
import json

from ..export import find_preset, options_from_preset
from ..plugin_host import load_plugins

HELP = "list export presets (shop rules and web sizes), or show one in full"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="show this preset in full")
    p.add_argument("--json", action="store_true", help="print as JSON")


def run(args: argparse.Namespace) -> int:
    presets = load_plugins().export_presets()
    if args.name:
        preset = find_preset(presets, args.name)
        print(json.dumps(preset, indent=2, ensure_ascii=False, default=str))
        return 0
    if args.json:
        print(json.dumps(presets, indent=2, ensure_ascii=False, default=str))
        return 0
    for preset in sorted(presets, key=lambda p: p["name"]):
        o = options_from_preset(preset)
        size = f"{o.width or '-'}x{o.height or '-'} {o.fit}" + (f" fill {o.fill:.0%}" if o.fill else "")
        limit = f" <= {o.max_bytes / 1e6:g} MB" if o.max_bytes else ""
        print(f"{preset['name']:<18} {size:<24} {o.format} q{o.quality}{limit}  {preset.get('title', '')}")
        print(f"{'':<18} source: {preset.get('source', '?')}")
        print(f"{'':<18} {preset.get('confidence', '')}  [plugin {preset.get('plugin', '?')}]")
    return 0
