"""repair.detect_text: where the overlaid text is, as a mask to review before removing it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.operation import Inputs, Operation, Result

from .watermark import DETECTOR_PARAM, INSTALL_HINT, STROKE_PARAMS, TEXT_MODEL, brushed_region, find_text


class DetectText(Operation):
    id = "repair.detect_text"
    title = "Detect text / watermark"
    family = "repair"
    description = ("Mark overlaid text, price tags and watermarks (in the brushed area if a mask is "
                   "given) with an installed text detector or the built-in stroke search. The "
                   "picture is unchanged; edit the mask, then inpaint it.")
    params = (DETECTOR_PARAM, *STROKE_PARAMS)
    inputs = frozenset({"image", "mask"})
    models = (TEXT_MODEL,)
    install_hint = INSTALL_HINT

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        ctx.progress(0.0, "looking for text")
        found, report = find_text(inputs.image.rgb(), params, brushed_region(inputs, self.id), ctx)
        report["text_pixels"] = int(found.sum())
        ctx.progress(1.0, "found" if found.any() else "nothing found")
        message = f"no text found ({report['detector']})" if not found.any() else \
            f"{report['text_pixels']} text pixels found by {report['detector']}"
        return Result(inputs.image, mask=found.astype(np.float32), report=report, message=message)
