"""``packshot render``: a picture with its edit stack, written to a new file.

The render comes from the render cache when the picture and its stack are unchanged
since the last render (here or in the window), so a second run only decodes and encodes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .. import output_guard
from ..context import Context
from ..errors import BadInput
from ..export import EXTENSIONS, encode, find_preset, options_from_preset, render
from ..imageio import check_quality, format_for, image_writer
from ..models import open_store
from ..plugin_host import load_plugins
from ..recipe import EditStack, load_sidecar, sidecar_path, step_file
from ..render import RenderEngine
from ..render_cache import DiskCache
from ..settings import load_settings
from .progress import ProgressLine

HELP = "render a picture with its edit stack (from the render cache when it is current)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("picture", type=Path, help="the edited picture (never modified)")
    p.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    p.add_argument("--size", type=int, metavar="PX",
                   help="proxy render: longest side at most PX pixels, 8-bit (a quick preview)")
    p.add_argument("--preset", help="export with this preset's size, format and rules (see 'packshot presets')")
    p.add_argument("--quality", type=int, default=95, help="JPEG/WebP quality 1-100 (without --preset)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    p.add_argument("--quiet", action="store_true", help="no progress line")


def run(args: argparse.Namespace) -> int:
    started = time.time()  # parts older than this, of dead writers, are stale
    output: Path = args.output
    fmt = format_for(output)
    check_quality(args.quality)
    if args.size is not None and not 16 <= args.size <= 65535:
        raise BadInput(f"--size {args.size}: expected 16 to 65535 pixels")
    stack = load_sidecar(args.picture)
    protect = [args.picture, sidecar_path(args.picture), *_files_named_by(args.picture, stack)]
    output_guard.check_outputs([output], protect=protect, overwrite=args.overwrite)
    output_guard.remove_stale_parts(output.parent, older_than=started)
    host = load_plugins()
    options = None
    if args.preset:
        options = options_from_preset(find_preset(host.export_presets(), args.preset))
        if fmt != options.format:
            raise BadInput(f"preset {args.preset!r} writes {options.format}; name the output "
                           f"*.{EXTENSIONS[options.format]}")
    settings = load_settings()
    progress = ProgressLine(enabled=not args.quiet)
    ctx = Context(device=settings.device, tile_size=settings.tile_size, models=open_store(settings, host),
                  on_progress=progress.update, settings={"models_dir": str(settings.models_path)})
    engine = RenderEngine(host, disk=DiskCache.default())
    image = engine.render(args.picture, stack, ctx, edge=args.size)
    progress.done()
    if options is not None:
        image, warnings = render(image, options)
        data, quality = encode(image, options)
        writer = lambda fh: fh.write(data)  # noqa: E731
        size = f"{image.width}x{image.height}, {options.format} q{quality}"
        for warning in warnings:
            print(f"{args.preset}: {warning}", file=sys.stderr)
    else:
        writer = image_writer(image, output, quality=args.quality)
        size = f"{image.width}x{image.height}, {image.bit_depth}-bit"
    output_guard.write_files([(output, writer)], protect=protect, overwrite=args.overwrite)
    steps = len(stack.recipe().steps) if stack is not None else 0
    how = ("no edits" if not steps else
           "from the render cache" if engine.calls == 0 else f"ran {engine.calls} of {steps} steps")
    print(f"wrote {output} ({size}; {how})")
    return 0


def _files_named_by(picture: Path, stack: EditStack | None) -> list[Path]:
    """The masks and references the picture's steps read: the output must not replace them."""
    if stack is None:
        return []
    return [step_file(picture, name) for step in stack.steps for name in (step.mask, step.reference) if name]
