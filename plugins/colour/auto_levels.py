"""colour.auto_levels: where black and white sit, from percentiles of all channels together.

All arithmetic is in float32 and the result is written back at the image's own depth,
so a 16-bit file keeps its thousands of levels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadParameter
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Float

from .pixelwise import map_channels, opaque_rgb, working_copy


def stretch(rgb: np.ndarray, black: float, white: float) -> np.ndarray:
    return np.clip((rgb - black) / (white - black), 0.0, 1.0)


class AutoLevels(Operation):
    id = "colour.auto_levels"
    cheap = True  # fast enough on a screen-sized proxy for a live preview
    title = "Auto levels"
    family = "colour"
    description = "Set black and white points from percentiles of all channels together (colours keep their balance)."
    params = (
        Float("black_percentile", 0.1, minimum=0.0, maximum=20.0, unit="%",
              help="share of values allowed to become pure black"),
        Float("white_percentile", 99.9, minimum=80.0, maximum=100.0, unit="%",
              help="values above this percentile become pure white"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        lo_p, hi_p = params["black_percentile"], params["white_percentile"]
        if lo_p >= hi_p:
            raise BadParameter(f"{self.id}: black_percentile ({lo_p:g}) must be below white_percentile ({hi_p:g})")
        ctx.progress(0.0, "measuring levels")
        sample = working_copy(opaque_rgb(inputs.image))
        if inputs.image.has_alpha:
            sample = sample[sample.max(axis=2) > 0]
        black, white = (float(v) for v in np.percentile(sample, [lo_p, hi_p]))
        report = {"black": round(black, 5), "white": round(white, 5)}
        if white - black < 1.0 / 255:
            return Result(inputs.image, report=report, message="flat image: levels left as they were")
        image = map_channels(inputs.image, lambda rgb: stretch(rgb, black, white), ctx, "setting levels", 0.2)
        return Result(image, report=report, message=f"black {black:.3f}, white {white:.3f}")
