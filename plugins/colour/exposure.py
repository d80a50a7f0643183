"""colour.exposure: how bright (in stops, in linear light) and how contrasty.

All arithmetic is in float32 and the result is written back at the image's own depth,
so a 16-bit file keeps its thousands of levels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Float

from .colour_math import linear_to_srgb, srgb_to_linear
from .pixelwise import map_channels


def contrast_curve(x: np.ndarray, amount: float) -> np.ndarray:
    """A symmetric S-curve about mid-grey that keeps black and white fixed; 0 is the identity."""
    if amount == 0:
        return x
    k = float(np.exp(amount))
    x = np.clip(x, 0.0, 1.0)
    a, b = x**k, (1.0 - x) ** k
    return a / np.maximum(a + b, 1e-12)


class Exposure(Operation):
    id = "colour.exposure"
    cheap = True  # fast enough on a screen-sized proxy for a live preview
    title = "Exposure and contrast"
    family = "colour"
    description = "Brighten or darken in stops (in linear light, as a camera would), then add or remove contrast."
    params = (
        Float("stops", 0.0, minimum=-5.0, maximum=5.0, step=0.1, unit="EV", help="+1 doubles the light"),
        Float("contrast", 0.0, minimum=-1.0, maximum=1.0, step=0.05,
              help="S-curve strength; negative flattens"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        gain = np.float32(2.0 ** params["stops"])
        amount = params["contrast"]

        def transform(rgb: np.ndarray) -> np.ndarray:
            return contrast_curve(linear_to_srgb(np.clip(srgb_to_linear(rgb) * gain, 0.0, 1.0)), amount)

        image = map_channels(inputs.image, transform, ctx, "exposing")
        return Result(image, report={"gain": float(gain), "contrast": amount})
