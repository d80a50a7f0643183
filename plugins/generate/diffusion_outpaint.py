"""Extend canvas by outpainting: a diffusion model paints the new area over the backdrop continuation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.image import check_canvas, quantize
from packshot.core.operation import Inputs, Result
from packshot.core.params import Float, Int, Text

from .diffusion_operation import DiffusionOperation
from .diffusion_run import MODEL_PARAMS, inpaint


class DiffusionOutpaint(DiffusionOperation):
    id = "generate.diffusion_outpaint"
    title = "Extend canvas (diffusion outpainting)"
    inputs = frozenset({"image", "prompt"})
    description = ("Enlarge the canvas to a size or aspect and let a diffusion model paint the new area, "
                   "starting from the built-in backdrop continuation. The original pixels are kept exactly.")
    params = (*MODEL_PARAMS,
              Int("width", 0, minimum=0, maximum=20000, unit="px", help="target width (0 = from aspect)"),
              Int("height", 0, minimum=0, maximum=20000, unit="px", help="target height (0 = from aspect)"),
              Text("aspect", "1:1", pattern=r"\s*\d+(\.\d+)?\s*[:x/]\s*\d+(\.\d+)?\s*", help="target aspect W:H"),
              Float("anchor_x", 0.5, help="where the original sits horizontally"),
              Float("anchor_y", 0.5, help="where the original sits vertically"),
              Float("strength", 0.9, minimum=0.01, maximum=1.0, help="how far the new area may leave the fill"))

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from .extend import extend_backdrop, parse_aspect, plan_canvas

        image = inputs.image
        place = plan_canvas(image.width, image.height, params["width"], params["height"],
                            parse_aspect(params["aspect"]), params["anchor_x"], params["anchor_y"])
        check_canvas(place.width, place.height, self.id)
        start, added = extend_backdrop(image.rgb(), place, np.random.default_rng(ctx.seed))
        rgb = inpaint(ctx.sub(0.05, 1.0), params, start, added, inputs.prompt, params["strength"])
        pixels = quantize(rgb, image.pixels.dtype)
        pixels[place.top:place.top + image.height, place.left:place.left + image.width] = image.pixels[..., :3]
        return Result(image.with_pixels(pixels), mask=added, report={"size": f"{place.width}x{place.height}"})
