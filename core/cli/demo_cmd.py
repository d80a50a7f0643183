"""``packshot demo``: the main job on the bundled sample product photos.

Used when no window can be opened: balance white and set levels on each sample, and
write the results into a folder it names.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from ..context import Context
from ..errors import BadInput
from ..imageio import load_image, save_image
from ..plugin_host import load_plugins
from ..recipe import Recipe, Step, apply_recipe
from ..resources import sample_images

HELP = "run the standard clean-up on the bundled sample photos and write the results"

DEMO = Recipe(name="demo", steps=[
    Step(op="colour.auto_white_balance", params={"method": "auto"}),
    Step(op="colour.auto_levels"),
])


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, help="output folder (default: a new temporary folder)")


def run(args: argparse.Namespace) -> int:
    out = args.out or Path(tempfile.mkdtemp(prefix="packshot-demo-"))
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out}: --out names a file; give a folder")
    out.mkdir(parents=True, exist_ok=True)
    host = load_plugins()
    samples = sample_images()
    for path in samples:
        image = load_image(path)
        result = apply_recipe(image, DEMO, host, Context())
        target = out / f"{path.stem}_edited{path.suffix}"
        save_image(result, target)
        print(f"{path.name} -> {target}")
    print(f"wrote {len(samples)} image(s) into {out}")
    return 0
