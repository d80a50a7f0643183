"""``packshot train look``: learn the studio's look from before/after pairs.

torch loads only when training starts, so ``packshot --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import BadInput
from ..settings import load_settings
from .progress import ProgressLine

HELP = "learn a look (colour and tone) from before/after pairs or edited library pictures"


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    look = sub.add_parser("look", help="learn an adaptive 3D LUT look; apply it with colour.apply_look",
                          description="Learn an image-adaptive 3D LUT look (Zeng et al. 2020) from pairs "
                                      "matched by name (suffixes such as _edited, -edit, _final are ignored).")
    look.add_argument("--name", required=True, help="the look's name, as colour.apply_look look=NAME uses it")
    look.add_argument("--before", type=Path, help="folder of the shots as they came out")
    look.add_argument("--after", type=Path, help="folder of the same shots as edited")
    look.add_argument("--from-library", action="store_true",
                      help="learn from the library's marked pictures with saved edits (original vs edits)")
    look.add_argument("--rating", type=int, choices=range(1, 6), metavar="N",
                      help="with --from-library: pictures rated N stars or more (default: rated or picked)")
    look.add_argument("--library", type=Path, help="with --from-library: the library file (default: yours)")
    look.add_argument("--epochs", type=int, default=240, help="passes over the training pairs (default 240)")
    look.add_argument("--device", default="cpu", choices=("auto", "cpu", "cuda", "mps"),
                      help="where to train (default cpu; auto takes a GPU when there is one)")
    look.add_argument("--seed", type=int, default=0, help="same seed, same pairs: same look")
    look.add_argument("--val-split", type=float, default=0.2,
                      help="share of pairs held out to measure the look (default 0.2)")
    look.add_argument("--resume", action="store_true", help="go on from an interrupted training of NAME")
    look.add_argument("--overwrite", action="store_true", help="replace an existing look of this name")
    look.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from ..looks.store import check_free

    if args.from_library == bool(args.before or args.after):
        raise BadInput("give either --before DIR --after DIR, or --from-library")
    if not args.from_library and not (args.before and args.after):
        raise BadInput("give both --before DIR and --after DIR")
    if args.epochs < 1:
        raise BadInput(f"--epochs {args.epochs}: expected 1 or more")
    settings = load_settings()
    check_free(settings.models_path, args.name, overwrite=args.overwrite)
    from ..looks.learn import learn_look
    from ..looks.train import TrainOptions
    from ..models.devices import resolve_device

    options = TrainOptions(epochs=args.epochs, seed=args.seed, val_split=args.val_split,
                           device=resolve_device(args.device))
    bar = ProgressLine(enabled=not args.quiet)
    try:
        pairs = _library_pairs(args, bar) if args.from_library else _folder_pairs(args, bar)
        print(f"learning look {args.name!r} from {len(pairs)} pairs on {options.device}", file=sys.stderr)
        info, trained = learn_look(pairs, args.name, settings.models_path, options, overwrite=args.overwrite,
                                   resume=args.resume, progress=lambda d, t, m: bar.count(d, t, m))
    except KeyboardInterrupt:
        bar.done()
        print("packshot: interrupted; the training so far is kept: run the same command with --resume "
              "to go on", file=sys.stderr)
        return 130
    finally:
        bar.done()
    print(f"saved look {info.name!r} in {info.folder} ({len(trained.train)} training pairs, "
          f"{trained.seconds:.0f} s)")
    _print_figures(trained.figures, len(trained.validation))
    print(f"apply it: packshot apply IMAGE -o OUT --op colour.apply_look --set look={info.name}")
    return 0


def _folder_pairs(args: argparse.Namespace, bar: ProgressLine):
    from ..looks.pairs import load_pairs, match_folders

    matched = match_folders(args.before, args.after)
    for path in matched.lone_before:
        print(f"packshot: no after for {path.name} in {args.after}", file=sys.stderr)
    for path in matched.lone_after:
        print(f"packshot: no before for {path.name} in {args.before}", file=sys.stderr)
    if not matched.pairs:
        raise BadInput(f"no before/after pairs: no picture in {args.before} has a partner of the same name "
                       f"in {args.after}")
    total = len(matched.pairs)
    return load_pairs(matched.pairs, step=lambda i, name: bar.count(i, total, f"reading {name}"))


def _library_pairs(args: argparse.Namespace, bar: ProgressLine):
    from ..context import Context
    from ..library import Library
    from ..looks.library_pairs import library_pairs, marked_edits
    from ..plugin_host import load_plugins
    from ..render import RenderEngine
    from ..render_cache import DiskCache

    with Library.open(args.library) as library:
        paths = marked_edits(library, args.rating)
    marks = f"rated {args.rating} or more" if args.rating else "rated or picked"
    if not paths:
        raise BadInput(f"no before/after pairs: the library has no pictures {marks} with saved edits")
    engine = RenderEngine(load_plugins(), disk=DiskCache.default())
    pairs, left_out = library_pairs(paths, engine, Context(), step=lambda i, name: bar.count(i, len(paths), name))
    for path, why in left_out.items():
        print(f"packshot: left out {path.name}: {why}", file=sys.stderr)
    if not pairs:
        raise BadInput(f"no before/after pairs: none of the {len(paths)} pictures {marks} could be used")
    return pairs


def _print_figures(figures: dict, count: int) -> None:
    if not figures:
        print("no pairs held out (--val-split 0): no validation figures")
        return
    print(f"validation on {count} held-out pairs:   PSNR (dB, higher is better)   ΔE2000 (lower is better)")
    for key, label in (("look", "this look"), ("global_lut", "one global 3D LUT"), ("no_change", "no change")):
        print(f"  {label:<20} {figures[key]['psnr']:>8.2f} {figures[key]['delta_e']:>24.2f}")
