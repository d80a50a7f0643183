"""colour.apply_matrix: a recorded 3x3 colour-correction matrix, applied in linear light."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Numbers

from .colour_matrix import apply_matrix
from .pixelwise import map_pixels

IDENTITY = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)


class ApplyMatrix(Operation):
    id = "colour.apply_matrix"
    cheap = True  # fast enough on a screen-sized proxy for a live preview
    title = "Apply colour matrix"
    family = "colour"
    description = ("Apply a 3x3 colour-correction matrix in linear light; colour.calibrate_chart "
                   "records this step with the matrix it fitted, so a whole shoot replays it.")
    params = (
        Numbers("matrix", IDENTITY, length=9, minimum=-16.0, maximum=16.0,
                help="row-major 3x3 matrix acting on linear RGB"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        matrix = np.asarray(params["matrix"], np.float64).reshape(3, 3)
        image = map_pixels(inputs.image, lambda rgb, _: apply_matrix(rgb, matrix), ctx, "correcting colour")
        return Result(image, report={"matrix": [round(float(v), 6) for v in matrix.ravel()]})
