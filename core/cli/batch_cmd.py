"""``packshot batch``: a recipe and an export preset over many files, resumable, with a report."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..batch import DEFAULT_TEMPLATE, BatchSpec, expand_inputs, run_batch
from ..context import CancelToken
from ..errors import BadInput
from ..export import find_preset, options_from_preset
from ..plugin_host import load_plugins
from ..recipe import load_recipe
from . import EXIT_INTERRUPTED
from .progress import ProgressLine

HELP = "apply a recipe and an export preset to many files (folders, globs), resumable after a crash"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="*", help="image files, folders or globs ('shoot/**/*.jpg')")
    p.add_argument("--out", type=Path, required=True, help="output folder (created if missing)")
    p.add_argument("--recipe", type=Path, help="recipe file (.toml or .json) to replay on every file")
    p.add_argument("--preset", help="export preset (see 'packshot presets'); default: same size, sRGB JPEG q90")
    p.add_argument("--name", default=DEFAULT_TEMPLATE,
                   help="output name template; fields {stem} {ext} {preset} {index} {parent} "
                        f"(default {DEFAULT_TEMPLATE})")
    p.add_argument("--recursive", "-r", action="store_true", help="look into sub-folders of folder inputs")
    p.add_argument("--from-library", action="store_true",
                   help="take the inputs from the library, filtered by --min-rating/--flag/--tag")
    p.add_argument("--min-rating", type=int, default=0, help="library selection: at least this many stars")
    p.add_argument("--flag", choices=["pick", "reject"], help="library selection: only this flag")
    p.add_argument("--tag", help="library selection: only files with this tag")
    p.add_argument("--format", help="override the preset's format (JPEG, PNG, WEBP, TIFF)")
    p.add_argument("--quality", type=int, help="override the preset's quality")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("--dry-run", action="store_true", help="list what would be written, write nothing")
    p.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    p.add_argument("--executor", choices=["local", "ray"], default="local",
                   help="run locally, or one Ray task per file (pip install 'packshot[ray]')")
    p.add_argument("--address", help="Ray cluster address (default: start a local Ray)")
    p.add_argument("--seed", type=int, default=0, help="random seed for recipe steps")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise BadInput(f"{args.out}: --out names a file; give a folder")
    presets = load_plugins().export_presets() if args.preset else []
    preset = find_preset(presets, args.preset) if args.preset else {"name": "export"}
    options = options_from_preset(preset, format=args.format, quality=args.quality)
    spec = BatchSpec(inputs=_inputs(args), out_dir=args.out, options=options, preset=preset["name"],
                     recipe=load_recipe(args.recipe) if args.recipe else None,
                     recipe_dir=args.recipe.parent.resolve() if args.recipe else None,
                     template=args.name, overwrite=args.overwrite, seed=args.seed)
    progress = ProgressLine(enabled=not args.quiet)
    token = CancelToken()
    with _ctrl_c_cancels(token):
        report = run_batch(spec, executor=args.executor, workers=args.workers, address=args.address,
                           on_progress=progress.count, dry_run=args.dry_run, cancel=token)
    progress.done()
    if args.from_library and not args.dry_run:
        _record_exports(report, preset["name"])
    if args.dry_run:
        for item in report.items:
            print(f"{item['status']:<13} {item['source']} -> {item['output']}")
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    for item in report.failed:
        print(f"failed: {item['source']}: {item['error']}", file=sys.stderr)
    s = report.summary()
    line = (f"{s['done']} written, {s['done-earlier']} already done, {s['skipped']} skipped, "
            f"{s['failed']} failed" + (f", {s['planned']} to write" if args.dry_run else "")
            + (f", {s['not-run']} not started (run the same command again to finish)" if report.cancelled else ""))
    print(line + (f"; report: {report.path}" if report.path else ""))
    return EXIT_INTERRUPTED if report.cancelled else report.exit_code


@contextmanager
def _ctrl_c_cancels(token: CancelToken) -> Iterator[None]:
    """Ctrl+C once: the files under way finish and are reported, nothing new starts.
    Twice: stop now (what was under way is redone by the next run)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame) -> None:
        if token.cancelled:
            raise KeyboardInterrupt
        token.cancel()
        # os.write, not print: the signal may land while the progress line is being written
        os.write(2, b"\npackshot: stopping after the files under way (Ctrl+C again to stop now)\n")

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _inputs(args: argparse.Namespace) -> list[Path]:
    if args.from_library:
        with _open_library() as lib:
            files = [r.path for r in lib.files(min_rating=args.min_rating, flag=args.flag, tag=args.tag)
                     if not r.error]
        files += expand_inputs(args.inputs, recursive=args.recursive, exclude=args.out) if args.inputs else []
        return sorted(set(files))
    if not args.inputs:
        raise BadInput("give input files, folders or globs (or --from-library)")
    files = expand_inputs(args.inputs, recursive=args.recursive, exclude=args.out)
    if not files and expand_inputs(args.inputs, recursive=args.recursive):
        raise BadInput(f"{args.out}: every input lies in the output folder, whose files a batch never reads; "
                       "choose another --out")
    return files


def _open_library():
    """The user's library; if it had to be restored or started anew, one line says so (its own
    warning, shown only with --verbose, would say it a second time)."""
    from ..library import Library

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lib = Library.open()
    if lib.recovered:
        print(f"packshot: warning: {' '.join(lib.recovered.split())}", file=sys.stderr)
    return lib


def _record_exports(report, preset: str) -> None:
    """Add what was written to each library file's export history."""
    with _open_library() as lib:
        for item in report.items:
            if item["status"] == "done":
                try:
                    lib.record_export(item["source"], item["output"], preset, item["bytes"])
                except BadInput:
                    continue
