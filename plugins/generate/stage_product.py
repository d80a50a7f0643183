"""Stage product: a cut-out placed on a backdrop with the shadows retouchers draw."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadInput
from packshot.core.image import check_canvas, quantize
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Float, Int

from .backdrop_params import BACKDROP_PARAMS, backdrop_spec


class StageProduct(Operation):
    id = "generate.stage_product"
    uses_seed = True  # the backdrop's grain is drawn from ctx.seed
    title = "Stage product"
    family = "generate"
    inputs = frozenset({"image", "mask", "reference"})
    description = ("Place a cut-out (RGBA, or an image with a mask) on a backdrop — the reference image, "
                   "or a generated one — with a contact shadow, a soft drop shadow from the light's "
                   "direction and an optional floor reflection.")
    params = (
        Float("x", 0.5, help="product centre, share of the canvas width"),
        Float("floor", 0.85, help="where the product stands, share of the canvas height"),
        Float("product_height", 0.6, minimum=0, maximum=1,
              help="product height, share of the canvas (0 = native size)"),
        Float("contact_shadow", 0.6, help="contact shadow strength"),
        Float("drop_shadow", 0.35, help="drop shadow strength"),
        Float("light_angle", 45.0, minimum=0, maximum=360, unit="°",
              help="direction the shadow falls (0 = right, 90 = down)"),
        Float("shadow_softness", 0.03, minimum=0, maximum=0.5, help="drop shadow blur, share of product height"),
        Float("shadow_distance", 0.04, minimum=0, maximum=0.5, help="drop shadow offset, share of product height"),
        Float("reflection", 0.0, help="floor reflection strength (0 = none)"),
        *BACKDROP_PARAMS,
        Int("width", 0, minimum=0, maximum=20000, unit="px", help="canvas width without a reference (0 = input's)"),
        Int("height", 0, minimum=0, maximum=20000, unit="px", help="canvas height without a reference (0 = input's)"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from .backdrops import render_backdrop
        from .staging import Staging, scaled_product, stage

        image = inputs.image
        if image.has_alpha and inputs.mask is None:
            rgba = image.as_float()
        elif inputs.mask is not None:
            rgba = np.concatenate([image.rgb(), inputs.mask[..., None]], axis=2)
        else:
            raise BadInput(f"{self.id} needs a cut-out: an RGBA image (cutout.remove_background) or a mask")
        if inputs.reference is not None:
            backdrop = inputs.reference.rgb()
        else:
            w, h = params["width"] or image.width, params["height"] or image.height
            check_canvas(w, h, self.id)
            backdrop = render_backdrop(h, w, backdrop_spec(params), np.random.default_rng(ctx.seed))
        ctx.progress(0.3, "staging")
        product = scaled_product(rgba, backdrop.shape[0], params["product_height"])
        s = Staging(x=params["x"], floor=params["floor"],
                    contact=params["contact_shadow"], drop=params["drop_shadow"],
                    light_angle=params["light_angle"], softness=params["shadow_softness"],
                    distance=params["shadow_distance"], reflection=params["reflection"])
        rgb, alpha = stage(backdrop, product, s)
        return Result(image.with_pixels(quantize(rgb, image.pixels.dtype)), mask=alpha)
