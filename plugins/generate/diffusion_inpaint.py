"""Generate around the product: diffusion inpainting that gives protected pixels back exactly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.image import quantize
from packshot.core.operation import Inputs, Result
from packshot.core.params import Choice, Float

from .diffusion_operation import DiffusionOperation
from .diffusion_run import MODEL_PARAMS, inpaint


class DiffusionInpaint(DiffusionOperation):
    id = "generate.diffusion_inpaint"
    title = "Generate around the product (diffusion inpainting)"
    inputs = frozenset({"image", "mask", "prompt"})
    mask_required = True
    description = ("Replace everything except the masked product with a scene from the prompt (or, with "
                   "'replace = inside_mask', only the masked area). Protected pixels come back exactly.")
    params = (*MODEL_PARAMS,
              Choice("replace", "outside_mask", choices=("outside_mask", "inside_mask"),
                     help="outside_mask keeps the product and paints the scene around it"),
              Float("strength", 1.0, minimum=0.01, maximum=1.0, help="how much the painted area may change"))

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        mask = inputs.mask
        assert mask is not None  # mask_required: check_inputs refuses a run without one
        repaint = 1.0 - mask if params["replace"] == "outside_mask" else mask
        rgb = inpaint(ctx, params, inputs.image.rgb(), repaint, inputs.prompt, params["strength"])
        pixels = quantize(rgb, inputs.image.pixels.dtype)
        keep = repaint <= 0
        pixels[keep] = inputs.image.pixels[..., :3][keep]
        return Result(inputs.image.with_pixels(_with_alpha(pixels, inputs.image)), mask=inputs.mask,
                      report={"model": params["model"]})


def _with_alpha(rgb_pixels: np.ndarray, like) -> np.ndarray:
    """Keep an RGBA input's alpha channel on the result."""
    if like.has_alpha:
        return np.concatenate([rgb_pixels, like.pixels[..., 3:4]], axis=2)
    return rgb_pixels
