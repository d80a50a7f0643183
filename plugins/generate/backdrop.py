"""Studio backdrop: a seeded procedural backdrop at any size."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.image import Image, check_canvas, quantize
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Int

from .backdrop_params import BACKDROP_PARAMS, backdrop_spec


def _opaque(image: Image, rgb: np.ndarray) -> Image:
    return image.with_pixels(quantize(rgb, image.pixels.dtype))


class Backdrop(Operation):
    id = "generate.backdrop"
    uses_seed = True  # the backdrop's grain is drawn from ctx.seed
    title = "Studio backdrop"
    family = "generate"
    description = ("Render a studio backdrop at any size, seeded: solid, linear or radial gradient, a lit "
                   "seamless sweep with fall-off and vignette, or paper, concrete, linen, marble or wood.")
    params = (*BACKDROP_PARAMS,
              Int("width", 0, minimum=0, maximum=20000, unit="px", help="0 = the input image's width"),
              Int("height", 0, minimum=0, maximum=20000, unit="px", help="0 = the input image's height"))

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from .backdrops import render_backdrop

        w = params["width"] or inputs.image.width
        h = params["height"] or inputs.image.height
        check_canvas(w, h, self.id)
        ctx.progress(0.1, "rendering backdrop")
        rgb = render_backdrop(h, w, backdrop_spec(params), np.random.default_rng(ctx.seed))
        return Result(_opaque(inputs.image, rgb))
