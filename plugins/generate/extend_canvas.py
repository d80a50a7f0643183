"""Extend canvas: a larger canvas whose new area continues the studio backdrop."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.image import check_canvas, quantize
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Float, Int, Text


class ExtendCanvas(Operation):
    id = "generate.extend_canvas"
    uses_seed = True  # the backdrop's grain is drawn from ctx.seed
    title = "Extend canvas"
    family = "generate"
    description = ("Enlarge the canvas to a size or aspect ratio, continuing the studio backdrop "
                   "seamlessly (its colour, light fall-off, shadows reaching the edge and grain). "
                   "The original pixels are kept exactly.")
    params = (
        Int("width", 0, minimum=0, maximum=20000, unit="px", help="target width (0 = from aspect)"),
        Int("height", 0, minimum=0, maximum=20000, unit="px", help="target height (0 = from aspect)"),
        Text("aspect", "1:1", pattern=r"\s*\d+(\.\d+)?\s*[:x/]\s*\d+(\.\d+)?\s*",
             help="target aspect as W:H when no size is given"),
        Float("anchor_x", 0.5, help="where the original sits horizontally (0 left, 1 right)"),
        Float("anchor_y", 0.5, help="where the original sits vertically (0 top, 1 bottom)"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from .extend import added_mask, continue_backdrop, parse_aspect, plan_canvas

        image = inputs.image
        place = plan_canvas(image.width, image.height, params["width"], params["height"],
                            parse_aspect(params["aspect"]), params["anchor_x"], params["anchor_y"])
        check_canvas(place.width, place.height, self.id)
        ctx.progress(0.2, "continuing the backdrop")
        pixels = np.empty((place.height, place.width, 3), image.pixels.dtype)
        pixels[place.top:place.top + image.height, place.left:place.left + image.width] = image.pixels[..., :3]
        for rows, cols, values in continue_backdrop(image.rgb(), place, np.random.default_rng(ctx.seed)):
            pixels[rows, cols] = quantize(values, pixels.dtype)
        return Result(image.with_pixels(pixels), mask=added_mask(place, image.height, image.width),
                      report={"size": f"{place.width}x{place.height}", "offset": [place.left, place.top]})
