"""``packshot plugins``: loaded plugins, versions, and why any failed."""

from __future__ import annotations

import argparse
import json

from ..errors import BadInput
from ..plugin_host import load_plugins
from ..settings import load_settings, save_settings

HELP = "list plugins (built-in and installed), enable or disable one"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--disable", metavar="NAME", help="disable a plugin (remembered)")
    p.add_argument("--enable", metavar="NAME", help="enable a disabled plugin")


def run(args: argparse.Namespace) -> int:
    if args.disable or args.enable:
        return _toggle(args.disable, args.enable)
    host = load_plugins()
    infos = host.plugins()
    if args.json:
        print(json.dumps([i.describe() for i in infos], indent=2))
        return 0
    for info in infos:
        origin = "built-in" if info.builtin else (info.distribution or "external")
        print(f"{info.name:<20} {info.version:<10} {origin:<16} {info.status:<9} "
              f"{len(info.operations)} operation(s)")
        if info.error:
            print(f"    error: {info.error}")
    return 0


def _toggle(disable: str | None, enable: str | None) -> int:
    settings = load_settings()
    known = {i.name for i in load_plugins(disabled=()).plugins()}
    name = disable or enable
    if name not in known:
        raise BadInput(f"no plugin named {name!r} (known: {', '.join(sorted(known))})")
    disabled = set(settings.disabled_plugins)
    if disable:
        disabled.add(disable)
    else:
        disabled.discard(enable)
    settings.disabled_plugins = sorted(disabled)
    save_settings(settings)
    print(f"plugin {name!r} {'disabled' if disable else 'enabled'}")
    return 0
