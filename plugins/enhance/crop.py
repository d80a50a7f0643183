"""other.crop: keep a rectangle of the picture.

Pixels move exactly (no resampling), so a crop never softens a picture; metadata and bit
depth are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from packshot.core.context import Context
from packshot.core.errors import BadParameter
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Float, Numbers


def aspect_box(box: tuple[float, float, float, float], aspect: float, width: int,
               height: int) -> tuple[int, int, int, int]:
    """Pixel box (x0, y0, x1, y1) from a box in fractions of the picture, shrunk about its centre
    to ``aspect`` (width / height; 0 keeps the box's own shape)."""
    x0, y0, x1, y1 = box[0] * width, box[1] * height, box[2] * width, box[3] * height
    w, h = x1 - x0, y1 - y0
    if aspect > 0:
        if w / h > aspect:
            w = h * aspect
        else:
            h = w / aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left, top = round(cx - w / 2), round(cy - h / 2)
    return left, top, left + max(round(w), 1), top + max(round(h), 1)


class Crop(Operation):
    id = "other.crop"
    title = "Crop"
    family = "other"
    cheap = True  # a slice of the pixels: previewed live
    description = ("Keep a rectangle of the picture (exact pixels, no resampling). Draw it on the picture; "
                   "an aspect ratio (e.g. a shop's 1:1) shrinks it about its centre.")
    params = (
        Numbers("box", (0.0, 0.0, 1.0, 1.0), length=4, minimum=0.0, maximum=1.0,
                help="left, top, right, bottom as fractions of the picture (0..1)"),
        Float("aspect", 0.0, minimum=0.0, maximum=20.0, step=0.01,
              help="width / height of the result (1 for square); 0 keeps the drawn shape"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        image = inputs.image
        box = params["box"]
        if box[2] <= box[0] or box[3] <= box[1]:
            raise BadParameter(f"{self.id}: box {box} is empty: right must exceed left and bottom exceed top")
        ctx.progress(0.0, "cropping")
        x0, y0, x1, y1 = aspect_box(box, params["aspect"], image.width, image.height)
        x0, y0 = max(x0, 0), max(y0, 0)
        x1, y1 = min(x1, image.width), min(y1, image.height)
        out = image.with_pixels(image.pixels[y0:y1, x0:x1])
        ctx.progress(1.0, "cropped")
        return Result(out, report={"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0},
                      message=f"cropped to {x1 - x0} x {y1 - y0}")
