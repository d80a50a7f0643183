"""What every operation owes the people who run it, checked in one call.

Packshot's promises hold only if each operation keeps them: originals are never
modified, the same seed gives the same picture, 16-bit stays 16-bit, the ICC profile and
EXIF travel along, progress is reported and Cancel stops the run. :func:`check_operation`
runs an operation through the real job runner several times and lists every promise it
breaks, in words an author can act on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from packshot.core.errors import MissingModel
from packshot.core.image import Image, quantize
from packshot.core.operation import Inputs, Operation

from .images import studio_shot
from .runs import RunRecord, run_operation

ICC, EXIF = b"packshot-test-icc", b"Exif\x00\x00packshot-test"
HEAVY = ("torch", "cv2", "diffusers", "transformers", "onnxruntime", "skimage", "spandrel", "PySide6")
"""Libraries Packshot must not import at start-up: import them inside ``run``."""


class NeedsModel(Exception):
    """The operation cannot run here: its model weights are not installed."""


def sample_inputs(op: Operation, image: Image | None = None) -> Inputs:
    """An image (a synthetic studio shot unless given) plus the mask, reference and prompt the op takes."""
    if image is None:
        image = replace(studio_shot("bottle", 96, 128, seed=3).image, icc_profile=ICC, exif=EXIF)
    h, w = image.pixels.shape[:2]
    mask = None
    if "mask" in op.inputs:
        mask = np.zeros((h, w), np.float32)
        mask[h // 3: 2 * h // 3, w // 3: 2 * w // 3] = 1.0
    reference = studio_shot("mug", h, w, seed=4).image if "reference" in op.inputs else None
    prompt = "a glass bottle on a white studio backdrop" if "prompt" in op.inputs else None
    return Inputs(image, mask, reference, prompt)


def check_operation(op: Operation, params: Mapping[str, Any] | None = None, *, image: Image | None = None,
                    models: Any = None, timeout: float = 300.0) -> list[str]:
    """Every promise ``op`` breaks, as sentences (empty when it keeps them all).

    Raises :class:`NeedsModel` when the operation needs weights that are not installed.
    """
    inputs = sample_inputs(op, image)
    before = inputs.image.pixels.copy()

    def run(source: Inputs, **kwargs: Any) -> RunRecord:
        return run_operation(op, source, params, seed=7, models=models, timeout=timeout, **kwargs)

    first = run(inputs)
    if isinstance(first.error, MissingModel):
        raise NeedsModel(str(first.error))
    if first.result is None:
        return [f"fails on a {inputs.image.width}x{inputs.image.height} 8-bit RGB studio shot: {first.error}"]
    problems: list[str] = []
    if not np.array_equal(inputs.image.pixels, before):
        problems.append("modifies the pixels of the image it was given (originals must stay untouched)")
    out = first.result.image
    if (out.icc_profile, out.exif) != (inputs.image.icc_profile, inputs.image.exif):
        problems.append("drops the ICC profile or EXIF (build results with image.with_float / with_pixels)")
    if not np.array_equal(run(inputs).image.pixels, out.pixels):
        problems.append("gives a different picture for the same seed (draw randomness from ctx.rng)")
    if not op.uses_seed:
        other = run_operation(op, inputs, params, seed=8, models=models, timeout=timeout)
        if other.result is not None and not np.array_equal(other.result.image.pixels, out.pixels):
            problems.append("gives a different picture for another seed but does not declare uses_seed = True")
    own = [f for f, message in first.progress if message != "done"]
    if not own:
        problems.append("never reports progress, so Cancel cannot stop it (call ctx.progress per step)")
    if any(not 0.0 <= f <= 1.0 for f in first.fractions) or first.fractions != sorted(first.fractions):
        problems.append(f"reports progress outside 0..1 or going backwards: {first.fractions}")
    if own:
        cancelled = run(inputs, cancel_at=own[0])
        if cancelled.state != "cancelled" or cancelled.result is not None:
            problems.append(f"does not stop when cancelled (ended {cancelled.state})")
    sixteen = run(replace(inputs, image=inputs.image.with_pixels(quantize(inputs.image.as_float(), np.uint16))))
    if sixteen.result is None:
        problems.append(f"fails on a 16-bit image: {sixteen.error}")
    elif sixteen.result.image.pixels.dtype != np.uint16:
        problems.append("turns a 16-bit image into 8-bit (use image.with_float to keep the bit depth)")
    return problems


def heavy_imports(plugin: str) -> list[str]:
    """The :data:`HEAVY` libraries that loading the installed plugin ``plugin`` imports.

    Checked in a fresh interpreter that loads only that plugin (``PACKSHOT_ONLY_PLUGINS``)
    and calls all its hooks, as start-up does; it should be an empty list.
    """
    code = ("import json, sys; from packshot.core.plugin_host import load_plugins; h = load_plugins(disabled=()); "
            "h.operations(); h.model_catalogue(); h.export_presets(); "
            f"print(json.dumps({{'status': h.infos.get({plugin!r}) and h.infos[{plugin!r}].status, "
            f"'heavy': [m for m in {HEAVY!r} if m in sys.modules]}}))")
    env = {**os.environ, "PACKSHOT_ONLY_PLUGINS": plugin}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"loading plugin {plugin!r} failed: {proc.stderr.strip()[-2000:]}")
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    if found["status"] != "loaded":
        raise RuntimeError(f"plugin {plugin!r} is {found['status'] or 'not installed'}")
    return found["heavy"]
