"""other.rotate: quarter turns and a mirror.

Pixels move exactly (no resampling), so turning never softens a picture; metadata and
bit depth are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Bool, Choice

QUARTER_TURNS = {"none": 0, "90° clockwise": -1, "90° counter-clockwise": 1, "180°": 2}


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
