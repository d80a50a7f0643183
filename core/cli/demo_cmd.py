"""``packshot demo``: the main job on the bundled sample product photos, said step by step.

Used when no window can be opened, and as a first look at what Packshot does: each
sample gets the standard clean-up (white balance, levels, dust removal), is cut out from
its backdrop, and is exported as a shop's main image (``amazon-main`` unless ``--preset``
names another): pure white background, the product at the preset's fill. Each output is
then checked against that preset's rules, as ``packshot check --preset`` would. Existing
outputs are never replaced without ``--overwrite``.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import output_guard
from ..compliance import check_file
from ..context import Context
from ..errors import BadInput
from ..export import export_image, find_preset, options_from_preset
from ..imageio import load_image
from ..plugin_host import PluginHost, load_plugins
from ..recipe import Recipe, Step, apply_recipe
from ..resources import sample_images

HELP = "clean up the bundled sample photos, cut them out and export them as a shop's main image"
DEFAULT_PRESET = "amazon-main"

DEMO = Recipe(name="demo", steps=[
    Step(op="colour.auto_white_balance", params={"method": "auto"}),
    Step(op="colour.auto_levels"),
    Step(op="repair.remove_dust"),
    Step(op="cutout.remove_background"),
])
SAYS = {"colour.auto_white_balance": "balance white", "colour.auto_levels": "set levels",
        "repair.remove_dust": "remove dust", "cutout.remove_background": "cut out"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, help="output folder (default: a new temporary folder)")
    p.add_argument("--preset", default=DEFAULT_PRESET, help=f"shop preset to export for (default {DEFAULT_PRESET})")
    p.add_argument("--overwrite", action="store_true", help="replace outputs a previous run wrote")


def output_path(out: Path, source: Path, preset: str) -> Path:
    return out / f"{source.stem}_{preset}.jpg"


def run_demo(samples: Sequence[Path], out: Path, preset_name: str, *, host: PluginHost | None = None,
             overwrite: bool = False, say: Callable[[str], None] = print) -> list[bool]:
    """Clean up, cut out, export and check each sample; returns, for each output, that no rule failed.

    A check that cannot tell (a box shot square-on looks like a letterboxed photo) is said as
    such, and is not a failure.
    """
    host = host or load_plugins()
    preset = find_preset(host.export_presets(), preset_name)
    options = options_from_preset(preset)
    targets = [output_path(out, s, preset_name) for s in samples]
    output_guard.check_outputs(targets, protect=samples, overwrite=overwrite)  # before any work
    say(f"Packshot demo: {len(samples)} sample photo(s) -> {out}")
    say(f"  each one: {', '.join(SAYS[s.op] for s in DEMO.steps)}; exported for {preset_name} "
        f"({preset.get('title', preset_name)}) and checked against its rules")
    passed = []
    for source, target in zip(samples, targets):
        said: list[str] = []  # what each step did, in its own words

        def tell(i, step, result, said=said) -> None:
            said.append(result.message or SAYS[step.op])

        image = apply_recipe(load_image(source), DEMO, host, Context(), on_step=tell)
        written = export_image(image, target, options, overwrite=overwrite)
        check = check_file(written.path, preset)
        passed.append(not check.failed)
        if check.failed:
            verdict = "FAILS: " + "; ".join(check.reasons)
        elif check.doubts:
            verdict = "cannot tell, look at it: " + "; ".join(check.doubts)
        else:
            verdict = "passes"
        say(f"{source.name}: {'; '.join(said)} -> {target.name} ({written.width} x {written.height}); "
            f"{preset_name} check {verdict}")
    say(f"wrote {len(samples)} image(s) into {out}; check them again with: "
        f"packshot check --preset {preset_name} {out}/*.jpg")
    return passed


def run(args: argparse.Namespace) -> int:
    out = args.out or Path(tempfile.mkdtemp(prefix="packshot-demo-"))
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out}: --out names a file; give a folder")
    out.mkdir(parents=True, exist_ok=True)
    passed = run_demo(sample_images(), out, args.preset, overwrite=args.overwrite)
    return 0 if all(passed) else 1
