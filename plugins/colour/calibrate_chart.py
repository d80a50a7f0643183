"""ColorChecker calibration: find the 24-patch chart, fit a correction, record it for replay.

OpenCV-contrib's ``mcc`` detector finds the chart with no model file. Where it cannot
(a chart too small, too oblique, half in shadow), the person can click the chart's four
outer corners instead, starting at the dark-skin patch and going clockwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadInput
from packshot.core.image import Image, quantize
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Numbers

from .chart_reference import COLUMNS, ROWS, reference_srgb
from .colour_matrix import apply_matrix, fit_matrix, mean_delta_e
from .pixelwise import map_pixels

SAMPLE = 0.5      # share of each patch's width sampled around its centre
CLIPPED = 0.98    # patches with a channel above this (or at black) carry no information
MIN_PATCHES = 9


def detect_patches(image: Image) -> np.ndarray | None:
    """The 24 patch quadrilaterals (24 x 4 x 2, chart order) found by ``cv2.mcc``, or None."""
    import cv2

    bgr = np.ascontiguousarray(quantize(image.rgb(), np.uint8)[..., ::-1])
    detector = cv2.mcc.CCheckerDetector_create()  # type: ignore[attr-defined]  # contrib, not in the stubs
    detector.setColorChartType(cv2.mcc.MCC24)
    if not detector.process(bgr, 1):
        return None
    quads = np.asarray(detector.getBestColorChecker().getColorCharts(), np.float64)
    return quads.reshape(COLUMNS * ROWS, 4, 2) if quads.size == COLUMNS * ROWS * 8 else None


def patches_from_corners(corners: tuple[float, ...]) -> np.ndarray:
    """Patch quadrilaterals from the chart's four outer corners (dark skin first, clockwise)."""
    import cv2

    unit = np.array([[0, 0], [COLUMNS, 0], [COLUMNS, ROWS], [0, ROWS]], np.float32)
    homography = cv2.getPerspectiveTransform(unit, np.asarray(corners, np.float32).reshape(4, 2))
    quads = []
    for r in range(ROWS):
        for c in range(COLUMNS):
            cell = np.array([[c, r], [c + 1, r], [c + 1, r + 1], [c, r + 1]], np.float32).reshape(-1, 1, 2)
            quads.append(cv2.perspectiveTransform(cell, homography).reshape(4, 2))
    return np.asarray(quads, np.float64)


def sample_patches(rgb: np.ndarray, quads: np.ndarray) -> np.ndarray:
    """The mean colour of the middle of each patch (24 x 3, float 0..1)."""
    import cv2

    h, w = rgb.shape[:2]
    means = []
    for quad in quads:
        centre = quad.mean(axis=0)
        inner = centre + SAMPLE * (quad - centre)
        x0, y0 = np.floor(inner.min(axis=0)).astype(int)
        x1, y1 = np.ceil(inner.max(axis=0)).astype(int) + 1
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 <= x0 or y1 <= y0:
            raise BadInput("colour.calibrate_chart: the chart's patches lie outside the image")
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillConvexPoly(mask, np.round(inner - [x0, y0]).astype(np.int32), 1)
        if not mask.any():
            mask[...] = 1
        means.append(rgb[y0:y1, x0:x1][mask.astype(bool)].mean(axis=0))
    return np.asarray(means, np.float64)


class CalibrateChart(Operation):
    id = "colour.calibrate_chart"
    title = "Calibrate with a ColorChecker"
    family = "colour"
    description = ("Find a 24-patch ColorChecker in this shot, fit a colour matrix to its published "
                   "values and record the correction as a replayable colour.apply_matrix step.")
    params = (
        Numbers("corners", (), length=8, minimum=0,
                help="optional: the chart's outer corners x1,y1,...,x4,y4 in pixels, starting at the "
                     "dark-skin patch and going clockwise, for when the detector cannot find it"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        ctx.progress(0.0, "looking for the chart")
        quads: np.ndarray | None
        if params["corners"]:
            quads, found_by = patches_from_corners(params["corners"]), "corners given"
        else:
            quads, found_by = detect_patches(inputs.image), "detector (cv2.mcc)"
            if quads is None:
                raise BadInput(f"{self.id}: no 24-patch ColorChecker found; make it larger in the frame, "
                               "or give its four corners with the 'corners' parameter")
        ctx.progress(0.3, "fitting the correction")
        measured = sample_patches(inputs.image.rgb(), quads)
        reference = reference_srgb()
        usable = (measured.max(axis=1) < CLIPPED) & (measured.min(axis=1) > 1.0 / 255)
        if usable.sum() < MIN_PATCHES:
            raise BadInput(f"{self.id}: only {int(usable.sum())} of 24 patches are neither blown out nor "
                           "black; expose the chart correctly and try again")
        matrix = fit_matrix(measured[usable], reference[usable])
        corrected = apply_matrix(measured.astype(np.float32), matrix)
        before = mean_delta_e(measured[usable], reference[usable])
        after = mean_delta_e(corrected[usable], reference[usable])
        image = map_pixels(inputs.image, lambda rgb, _: apply_matrix(rgb, matrix), ctx, "correcting", 0.6)
        flat = [round(float(v), 6) for v in matrix.ravel()]
        report = {"found_by": found_by, "patches_used": int(usable.sum()),
                  "mean_delta_e2000_before": round(before, 2), "mean_delta_e2000_after": round(after, 2),
                  "matrix": flat}
        return Result(image, report=report, replay={"op": "colour.apply_matrix", "params": {"matrix": flat}},
                      message=f"chart by {found_by}: mean ΔE2000 {before:.2f} -> {after:.2f}")
