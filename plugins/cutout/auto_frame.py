"""cutout.auto_frame: crop or pad around the product to an aspect and a fill."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadInput
from packshot.core.image import check_canvas, quantize
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Bool, Choice, Colour, Float, Int, Numbers
from packshot.core.resample import resize

from .framing import ANCHORS, MEASURES, cut_frame, fill_of, plan_frame, product_box


class AutoFrame(Operation):
    id = "cutout.auto_frame"
    uses_seed = True  # the backdrop fit samples pixels with ctx.seed
    title = "Auto-frame"
    family = "cutout"
    inputs = frozenset({"image", "mask"})
    description = ("Crop or pad around the product to a target aspect ratio so it fills a target "
                   "share of the frame (Amazon's main image: about 85 %), centred or standing on "
                   "a bottom margin. The product comes from the image's alpha, the mask, or the "
                   "built-in cut-out.")
    params = (
        Numbers("aspect", (1.0, 1.0), length=2, minimum=0.01, maximum=100,
                help="frame aspect as width, height (1,1 square; 1,1.44 Zalando)"),
        Float("fill", 0.85, minimum=0.05, maximum=1.0, help="share of the frame the product fills"),
        Choice("measure", "longest_side", choices=MEASURES,
               help="fill measured by the bounding box's longest side, or by its area"),
        Choice("anchor", "centre", choices=ANCHORS, help="centre the product, or stand it on a margin"),
        Float("margin", 0.05, minimum=0.0, maximum=0.45, help="bottom margin (anchor=bottom), share of height"),
        Int("size", 0, minimum=0, maximum=10000, unit="px", help="longest side of the output (0 = keep scale)"),
        Colour("background", "#ffffff", help="colour of added canvas (opaque images)"),
        Bool("extend_edges", False, help="fill added canvas by repeating the image's edge instead"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        image = inputs.image
        alpha, source = self._product_alpha(inputs, ctx)
        ctx.progress(0.85, "framing")
        aspect = params["aspect"][0] / params["aspect"][1]
        box = product_box(alpha)
        frame = plan_frame(box, aspect, params["fill"], params["measure"], params["anchor"], params["margin"])
        check_canvas(frame.width, frame.height, self.id)
        if image.has_alpha:
            fill_value = np.zeros(4)
        elif params["extend_edges"]:
            fill_value = None
        else:
            fill_value = np.asarray(Colour.to_rgb(params["background"]), float) * (image.max_value / 255)
        pixels = cut_frame(image.pixels, frame, fill_value)
        mask = cut_frame(alpha[..., None], frame, np.zeros(1))[..., 0]
        if params["size"]:
            pixels, mask = _resized(pixels, mask, params["size"], aspect)
        out = image.with_pixels(pixels)
        achieved = fill_of(product_box(mask), out.width, out.height, params["measure"])
        report = {"fill": round(achieved, 4), "size": f"{out.width}x{out.height}", "product_from": source}
        return Result(out, mask=mask.astype(np.float32), report=report)

    @staticmethod
    def _product_alpha(inputs: Inputs, ctx: Context) -> tuple[np.ndarray, str]:
        alpha = inputs.image.alpha()
        if alpha is not None and alpha.min() < 0.5:
            return alpha, "alpha"
        if inputs.mask is not None:
            return inputs.mask, "mask"
        from .studio_cutout import cut_out

        found = cut_out(inputs.image.pixels[..., :3], ctx.sub(0.0, 0.8))
        if not (found.alpha > 0.5).any():
            raise BadInput("cutout.auto_frame: no product found; pass a mask or a cut-out (RGBA) image")
        return found.alpha, "built-in cut-out"


def _resized(pixels: np.ndarray, mask: np.ndarray, longest: int, aspect: float) -> tuple[np.ndarray, np.ndarray]:
    """Both resampled to exactly the aspect, longest side ``longest``."""
    import cv2

    size = (longest, max(1, round(longest / aspect))) if aspect >= 1 else (max(1, round(longest * aspect)), longest)
    values = resize(pixels.astype(np.float32), size)
    top = 65535.0 if pixels.dtype == np.uint16 else 255.0
    out = quantize(values / top, pixels.dtype)
    return out, np.clip(cv2.resize(mask, size, interpolation=cv2.INTER_LINEAR), 0, 1)
