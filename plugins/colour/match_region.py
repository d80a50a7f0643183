"""Match a product's colour to its physical sample, given as sRGB hex or CIE Lab.

The region's colour is what a colorimeter aperture would read: the mask-weighted mean of
linear light, in Lab (D65). The correction is a per-channel gain in linear light, which
changes the surface colour and keeps its shading and texture; it is repeated a few times
so that pixels clipped on the way do not leave the target short.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadInput
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Colour, Numbers

from .colour_math import delta_e2000, hex_to_rgb, lab_to_rgb, linear_to_srgb, rgb_to_lab, srgb_to_linear
from .pixelwise import map_pixels

ROUNDS = 4
MAX_GAIN = 64.0


def region_linear_mean(rgb: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean linear RGB of pixels (N x 3) with weights (N)."""
    lin = srgb_to_linear(rgb).reshape(-1, 3).astype(np.float64)
    w = weights.reshape(-1).astype(np.float64)
    return (lin * w[:, None]).sum(axis=0) / w.sum()


def linear_to_lab(linear: np.ndarray) -> np.ndarray:
    return rgb_to_lab(linear_to_srgb(np.asarray(linear, np.float32)))


def target_lab(params: Mapping[str, Any]) -> np.ndarray:
    if params["target_lab"]:
        return np.asarray(params["target_lab"], np.float64)
    return rgb_to_lab(hex_to_rgb(params["target"]))


class MatchRegion(Operation):
    id = "colour.match_region"
    title = "Match product colour"
    family = "colour"
    description = "Make the masked product's measured colour match a target (sRGB hex or CIE Lab); reports ΔE2000."
    inputs = frozenset({"image", "mask"})
    mask_required = True
    params = (
        Colour("target", "#808080", help="the physical sample's colour as sRGB #rrggbb"),
        Numbers("target_lab", (), length=3, minimum=-128, maximum=128,
                help="the sample's CIE L*a*b* (D65); when given it wins over 'target'"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        assert inputs.mask is not None  # mask_required: check_inputs refuses a run without one
        weights = np.clip(inputs.mask, 0.0, 1.0)
        if weights.sum() < 1.0:
            raise BadInput(f"{self.id}: the mask selects no pixels")
        target = target_lab(params)
        target_linear = srgb_to_linear(lab_to_rgb(target).astype(np.float32)).astype(np.float64)
        inside = weights > 0
        px, w = inputs.image.rgb()[inside], weights[inside]
        measured = region_linear_mean(px, w)
        before = float(delta_e2000(linear_to_lab(measured), target))
        gains = np.ones(3)
        for i in range(ROUNDS):
            ctx.progress(0.5 * i / ROUNDS, "matching colour")
            current = region_linear_mean(_apply(px, gains, w), w)
            gains = np.clip(gains * target_linear / np.maximum(current, 1e-6), 1 / MAX_GAIN, MAX_GAIN)
        image = map_pixels(inputs.image, lambda band, rows: _apply(band, gains, weights[rows]), ctx, "recolouring", 0.5)
        after = float(delta_e2000(linear_to_lab(region_linear_mean(image.rgb()[inside], w)), target))
        report = {"delta_e2000_before": round(before, 2), "delta_e2000_after": round(after, 2),
                  "target_lab": [round(float(v), 2) for v in target],
                  "gains": [round(float(g), 4) for g in gains]}
        return Result(image, report=report, message=f"ΔE2000 {before:.2f} -> {after:.2f}")


def _apply(rgb: np.ndarray, gains: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Gains blended in by the mask, so a soft mask edge fades the correction out."""
    lin = srgb_to_linear(rgb)
    w = weights[..., None].astype(np.float32)
    factor = 1.0 + w * (gains.astype(np.float32) - 1.0)
    return linear_to_srgb(np.clip(lin * factor, 0.0, 1.0))
