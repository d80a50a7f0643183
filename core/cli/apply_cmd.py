"""``packshot apply``: one operation, or a recipe of several, on one image."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .. import output_guard
from ..context import Context
from ..errors import BadInput, BadParameter
from ..image import from_array
from ..imageio import check_quality, format_for, image_writer, load_image
from ..jobs import execute
from ..mask import as_mask, load_mask
from ..models import open_store
from ..operation import Inputs
from ..params import parse_assignments
from ..plugin_host import load_plugins
from ..recipe import Recipe, apply_recipe, load_recipe, make_step
from ..settings import load_settings
from .progress import ProgressLine

HELP = "apply an operation or a recipe to an image and write the result"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", type=Path, help="image to edit (never modified)")
    p.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--op", help="operation id (see 'packshot ops')")
    what.add_argument("--recipe", type=Path, help="recipe file (.toml or .json) to replay")
    p.add_argument("--set", dest="assignments", action="append", default=[], metavar="NAME=VALUE",
                   help="set a parameter (repeatable)")
    p.add_argument("--mask", type=Path, help="mask image for operations that take one")
    p.add_argument("--reference", type=Path, help="reference image for operations that take one")
    p.add_argument("--prompt", help="text prompt for operations that take one")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same result)")
    p.add_argument("--quality", type=int, default=95, help="JPEG/WebP quality 1-100")
    p.add_argument("--save-mask", type=Path, help="also write the mask an operation produced")
    p.add_argument("--save-recipe", type=Path, help="also write the step(s) applied as a recipe")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    p.add_argument("--quiet", action="store_true", help="no progress line")


def run(args: argparse.Namespace) -> int:
    started = time.time()  # parts older than this, of dead writers, are stale
    recipe, protect, targets = _check_before_work(args)
    for folder in {t.parent for t in targets}:
        output_guard.remove_stale_parts(folder, older_than=started)
    host = load_plugins()
    settings = load_settings()
    image = load_image(args.input)
    mask = load_mask(args.mask, image.pixels.shape[:2]) if args.mask else None
    reference = load_image(args.reference) if args.reference else None
    progress = ProgressLine(enabled=not args.quiet)
    ctx = Context(seed=args.seed, device=settings.device, tile_size=settings.tile_size,
                  models=open_store(settings, host),
                  on_progress=progress.update, settings={"models_dir": str(settings.models_path)})
    produced_mask = None
    if recipe is None:
        op = host.operation(args.op)
        params = parse_assignments(op.params, args.assignments, where=op.id)
        result = execute(op, Inputs(image, mask, reference, args.prompt), params, ctx,
                         host.plugin_of(op.id).name)
        progress.done()
        out_image, produced_mask = result.image, result.mask
        _print_report(op.id, result.report, result.message)
        recorded = result.replay or {"op": op.id, "params": params}
        recipe = Recipe(steps=[make_step(host, recorded["op"], recorded["params"], args.seed,
                                         prompt=args.prompt)])
    else:
        base = args.recipe.parent
        out_image = apply_recipe(
            image, recipe, host, ctx, mask=mask, reference=reference, prompt=args.prompt,
            mask_loader=lambda name, shape: load_mask(_inside(base, name), shape),
            image_loader=lambda name: load_image(_inside(base, name)),
            on_step=lambda i, step, result: _print_report(step.op, result.report, result.message),
        )
        progress.done()
    writes = [(args.output, image_writer(out_image, args.output, quality=args.quality))]
    if args.save_mask:
        if produced_mask is None:
            raise BadInput(f"{args.op} produced no mask to save; nothing was written")
        writes.append((args.save_mask, image_writer(from_array(as_mask(produced_mask)), args.save_mask)))
    if args.save_recipe:
        data = recipe.encode(args.save_recipe)
        writes.append((args.save_recipe, lambda fh: fh.write(data)))
    output_guard.write_files(writes, protect=protect, overwrite=args.overwrite)
    print(f"wrote {args.output} ({out_image.width}x{out_image.height}, {out_image.bit_depth}-bit)")
    return 0


def _check_before_work(args: argparse.Namespace) -> tuple[Recipe | None, list[Path | None], list[Path]]:
    """Refuse now what would fail after the work: returns the recipe (if any), the files
    read (no output may replace one) and the files to write."""
    if args.op is not None and not args.op.strip():
        raise BadParameter("--op needs an operation id (see 'packshot ops')")
    if args.seed < 0:
        raise BadParameter(f"--seed must be 0 or more, got {args.seed}")
    if args.recipe and args.assignments:
        raise BadInput("--set applies to --op; edit the recipe file to change its parameters")
    if args.save_mask and args.recipe:
        raise BadInput("--save-mask works with --op (a recipe's steps do not hand back one mask)")
    recipe = load_recipe(args.recipe) if args.recipe else None
    protect = [args.input, args.mask, args.reference, args.recipe, *_files_named_by(recipe, args.recipe)]
    targets = output_guard.check_outputs([p for p in (args.output, args.save_mask, args.save_recipe) if p],
                                         protect=protect, overwrite=args.overwrite)
    format_for(args.output)
    if args.save_mask:
        format_for(args.save_mask)
    check_quality(args.quality)
    return recipe, protect, targets


def _files_named_by(recipe: Recipe | None, recipe_path: Path | None) -> list[Path]:
    """The masks and references a recipe's steps read: outputs must not replace them either."""
    if recipe is None or recipe_path is None:
        return []
    names = [n for step in recipe.steps for n in (step.mask, step.reference) if n]
    return [_inside(recipe_path.parent, n) for n in names]


def _inside(base: Path, name: str) -> Path:
    """A file a recipe names, resolved relative to the recipe's folder."""
    path = Path(name)
    return path if path.is_absolute() else base / path


def _print_report(op_id: str, report: dict, message: str) -> None:
    if message:
        print(f"{op_id}: {message}", file=sys.stderr)
    if report:
        print(f"{op_id}: {json.dumps(report, default=str)}", file=sys.stderr)
