"""colour.auto_white_balance: estimate the light's colour, then divide it out in linear light."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Choice

from .colour_math import angle_deg, srgb_to_linear
from .pixelwise import map_channels, opaque_rgb, working_copy
from .white_balance import METHODS, clipped_channels, estimate, gains_for, remove_cast


class AutoWhiteBalance(Operation):
    id = "colour.auto_white_balance"
    cheap = True  # fast enough on a screen-sized proxy for a live preview
    title = "Auto white balance"
    family = "colour"
    description = ("Remove a colour cast. 'auto' balances on the studio backdrop when the frame's "
                   "edges show one; otherwise it corrects half-way towards a grey-edge estimate.")
    params = (
        Choice("method", "auto", choices=METHODS,
               help="auto: backdrop if found, else half-strength grey-edge; gray_world: average is grey; "
                    "white_patch: brightest surfaces are white; shades_of_gray: Minkowski p=6; "
                    "gray_edge: average edge is grey; learning_based: OpenCV-contrib's trained model"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        ctx.progress(0.0, "measuring the light")
        linear = srgb_to_linear(working_copy(opaque_rgb(inputs.image)))
        illuminant, report = estimate(linear, params["method"])
        gains = gains_for(illuminant)
        clipped = clipped_channels(linear)
        image = map_channels(inputs.image, lambda rgb: remove_cast(rgb, gains, clipped), ctx, "balancing", 0.3)
        report.update({
            "illuminant_rgb": [round(float(v), 4) for v in illuminant],
            "cast_deg": round(angle_deg(illuminant, np.ones(3)), 2),
            "gains": [round(float(g), 4) for g in gains],
        })
        return Result(image, report=report, message=f"{report['method']}; cast {report['cast_deg']}°")
