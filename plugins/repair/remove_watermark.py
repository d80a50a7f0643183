"""repair.remove_watermark: overlaid text found and inpainted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.operation import Inputs, Operation, Result

from .inpaint import METHOD_PARAM, inpaint_image
from .watermark import DETECTOR_PARAM, INSTALL_HINT, STROKE_PARAMS, TEXT_MODEL, brushed_region, find_text


class RemoveWatermark(Operation):
    id = "repair.remove_watermark"
    title = "Remove watermark / text"
    family = "repair"
    description = ("Find overlaid text, price tags and watermarks (in the brushed area if a mask "
                   "is given, else anywhere) with an installed text detector or the built-in "
                   "stroke search, and inpaint only them. What was found comes back as a mask.")
    params = (DETECTOR_PARAM, *STROKE_PARAMS, METHOD_PARAM)
    inputs = frozenset({"image", "mask"})
    models = (TEXT_MODEL,)
    install_hint = INSTALL_HINT

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        image = inputs.image
        region = brushed_region(inputs, self.id)
        ctx.progress(0.0, "looking for text")
        found, report = find_text(image.rgb(), params, region, ctx)
        report["text_pixels"] = int(found.sum())
        if found.any():
            image, fill_report = inpaint_image(image, found.astype(np.float32), params["method"],
                                               ctx.sub(0.2, 1.0))
            report.update(fill_report)
        message = f"no text found ({report['detector']})" if not found.any() else \
            f"removed {report['text_pixels']} text pixels found by {report['detector']}"
        return Result(image, mask=found.astype(np.float32), report=report, message=message)
