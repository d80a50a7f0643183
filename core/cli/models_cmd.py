"""``packshot models``: list, install and download model weights; list and remove trained looks."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..looks import list_looks, remove_look
from ..models import ModelStore, open_store
from ..models.catalogue import TASKS
from .progress import ProgressLine

HELP = "list, install or download model weights (models folder, checksums)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="every known model: installed, missing or corrupt")
    ls.add_argument("--family", help="only this family (enhance, repair, cutout, generate)")
    ls.add_argument("--installed", action="store_true", help="only installed models")
    ls.add_argument("--json", action="store_true", help="print JSON for scripts")
    inst = sub.add_parser("install", help="copy a weights file in after checking what it is")
    inst.add_argument("file", type=Path, help="weights file (.pth, .safetensors, .onnx, .pb, ...)")
    inst.add_argument("--name", help="catalogue name it must match, or the name of a custom model")
    inst.add_argument("--task", choices=TASKS,
                      help="file a custom model under this task (default: what it was trained for; "
                           "ONNX files need it)")
    inst.add_argument("--rank", type=int,
                      help="a custom model's quality rank among its task's models, for 'auto' "
                           "(higher wins; catalogue ranks are in 'packshot models list')")
    dl = sub.add_parser("download", help="download a catalogue model (resumes, verifies)")
    dl.add_argument("name", help="model name from 'packshot models list'")
    dl.add_argument("--quiet", action="store_true", help="no progress bar")
    rm = sub.add_parser("remove", help="delete a trained look (packshot train look) from the models folder")
    rm.add_argument("name", help="look name from 'packshot models list'")


def run(args: argparse.Namespace) -> int:
    store = open_store()
    actions = {"list": _list, "install": _install, "download": _download, "remove": _remove}
    return actions[args.action](store, args)


def _list(store: ModelStore, args: argparse.Namespace) -> int:
    rows = store.statuses(family=args.family)
    if args.installed:
        rows = [r for r in rows if r.installed]
    looks = list_looks(store.folder) if args.family in (None, "colour") else []
    if args.json:
        print(json.dumps([{**r.entry.describe(), "state": r.state, "path": str(r.path),
                           "detail": r.detail} for r in rows]
                         + [{"name": k.name, "family": "colour", "task": "look", "state": "installed",
                             "path": str(k.folder), **k.description} for k in looks], indent=2, default=str))
        return 0
    print(f"models folder: {store.folder}")
    for r in sorted(rows, key=lambda r: (r.entry.family, r.entry.task, -r.entry.rank, r.entry.name)):
        e = r.entry
        size = _size(e.size)
        flags = "custom" if e.custom else ("" if e.verified else "unverified")
        detail = f" ({r.detail})" if r.detail and r.state != "installed" else ""
        print(f"  {r.state:<9} {e.name:<28} {e.family:<8} {e.task:<8} x{e.scale} "
              f"{e.architecture:<10} rank {e.rank:<3} {size:>9}  {e.licence:<14} {flags}{detail}")
    for k in looks:
        print(f"  {'installed':<9} {k.name:<28} {'colour':<8} {'look':<8} {k.summary()}")
    missing = [r for r in rows if r.state != "installed" and r.entry.url]
    if missing:
        print(f"\ninstall one: packshot models download NAME  (e.g. {missing[0].entry.name})")
    return 0


def _install(store: ModelStore, args: argparse.Namespace) -> int:
    entry = store.install(args.file, name=args.name, task=args.task, rank=args.rank)
    kind = "custom model" if entry.custom else "model"
    if entry.custom:
        check = "checksum recorded"
    elif entry.sha256:
        check = "checksum verified"
    else:
        check = "no published checksum: architecture, scale and channels checked"
    print(f"installed {kind} {entry.name!r} ({entry.architecture}, x{entry.scale}) for "
          f"{entry.task} as {store.folder / entry.file}; {check}")
    return 0


def _download(store: ModelStore, args: argparse.Namespace) -> int:
    entry = store.entry(args.name)
    bar = ProgressLine(enabled=not args.quiet)
    resumed = store.partial_download(args.name)

    def progress(done: int, total: int) -> None:
        fraction = done / total if total else 0.0
        bar.update(fraction, f"{entry.file} {done / 1e6:.1f} MB")

    try:
        path = store.download(args.name, progress=progress)
    finally:
        bar.done()
    note = " (resumed)" if resumed else ""
    print(f"downloaded {entry.name!r} to {path}{note}; "
          f"{'checksum verified' if entry.sha256 else 'no checksum in the catalogue to verify'}")
    return 0


def _remove(store: ModelStore, args: argparse.Namespace) -> int:
    print(f"removed look {args.name!r} ({remove_look(store.folder, args.name)})")
    return 0


def _size(n: int) -> str:
    if not n:
        return "size ?"
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"
