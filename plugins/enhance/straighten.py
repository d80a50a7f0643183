"""other.straighten: a small turn to level a horizon or a shelf edge.

It resamples once (Lanczos through OpenCV, imported when it runs) and crops to the largest
upright rectangle inside the turned frame, so no empty corner is left, as Lightroom's
"constrain to image" does. Metadata and bit depth are kept.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Bool, Float

KERNEL_REACH = 4  # Lanczos reads 4 pixels around: crop that far inside the turned frame's edge


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
