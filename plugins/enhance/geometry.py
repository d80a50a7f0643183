"""Crop, rotate and straighten: the framing every shop picture gets before its export.

Crop and quarter-turn rotation move pixels exactly (no resampling), so they never soften
a picture; straightening resamples once (Lanczos through OpenCV, imported when it runs)
and crops to the largest upright rectangle inside the turned frame, so no empty corner is
left, as Lightroom's "constrain to image" does. Metadata and bit depth are kept.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadParameter
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Bool, Choice, Float, Numbers

KERNEL_REACH = 4  # Lanczos reads 4 pixels around: crop that far inside the turned frame's edge
QUARTER_TURNS = {"none": 0, "90° clockwise": -1, "90° counter-clockwise": 1, "180°": 2}


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


class Rotate(Operation):
    id = "other.rotate"
    title = "Rotate and flip"
    family = "other"
    cheap = True  # pixels moved, not computed: previewed live
    description = "Turn by quarter turns and mirror, moving pixels exactly (no resampling)."
    params = (
        Choice("turn", "90° clockwise", choices=tuple(QUARTER_TURNS), help="quarter turns"),
        Bool("flip", False, help="mirror left to right (after turning)"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        ctx.progress(0.0, "turning")
        pixels = np.rot90(inputs.image.pixels, QUARTER_TURNS[params["turn"]])
        if params["flip"]:
            pixels = pixels[:, ::-1]
        ctx.progress(1.0, "turned")
        out = inputs.image.with_pixels(pixels)
        return Result(out, message=f"{params['turn']}" + (", mirrored" if params["flip"] else "")
                      + f": {out.width} x {out.height}")


def inscribed_size(width: int, height: int, degrees: float) -> tuple[int, int]:
    """The largest upright rectangle, of the picture's own aspect, inside it turned by ``degrees``."""
    a = math.radians(abs(degrees))
    if a == 0:
        return width, height
    sin, cos = math.sin(a), math.cos(a)
    scale = min(width / (width * cos + height * sin), height / (width * sin + height * cos))
    return max(int(width * scale), 1), max(int(height * scale), 1)


class Straighten(Operation):
    id = "other.straighten"
    title = "Straighten"
    family = "other"
    description = ("Turn by a small angle to level a horizon or a shelf edge; the frame is cropped to "
                   "the largest upright rectangle so no empty corner shows.")
    params = (
        Float("angle", 0.0, minimum=-45.0, maximum=45.0, step=0.1, unit="°",
              help="positive turns counter-clockwise"),
        Bool("crop", True, help="crop away the empty corners (off: keep the frame, corners transparent or white)"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        import cv2

        image, angle = inputs.image, params["angle"]
        ctx.progress(0.0, "straightening")
        if angle == 0:
            return Result(image, message="angle 0: unchanged")
        values = image.as_float()
        h, w = values.shape[:2]
        matrix = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), angle, 1.0)
        border = (0.0,) * values.shape[2] if image.has_alpha else (1.0,) * values.shape[2]
        turned = cv2.warpAffine(values, matrix, (w, h), flags=cv2.INTER_LANCZOS4,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=border)
        ctx.check_cancelled()
        if params["crop"]:
            cw, ch = (max(v - 2 * KERNEL_REACH, 1) for v in inscribed_size(w, h, angle))
            x0, y0 = (w - cw) // 2, (h - ch) // 2
            turned = turned[y0:y0 + ch, x0:x0 + cw]
        ctx.progress(1.0, "straightened")
        out = image.with_float(np.clip(turned, 0.0, 1.0))  # the whole RGB(A), at the picture's depth
        return Result(out, report={"angle": angle}, message=f"turned {angle:g}°: {out.width} x {out.height}")
