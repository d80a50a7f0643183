"""Automatic white balance: estimate the light's colour, then divide it out in linear light."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.luma import luminance
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Choice

from .colour_math import angle_deg, linear_to_srgb, srgb_to_linear
from .illuminant import CLIP
from .pixelwise import map_channels, opaque_rgb, working_copy

METHODS = ("auto", "gray_world", "white_patch", "shades_of_gray", "gray_edge", "learning_based")

# Without a backdrop, the first-order grey-edge is the estimator that strayed least on
# real photographs (benchmarks/bench_white_balance.py). On colourful scenes every
# estimator errs by about as much as a typical cast, so auto corrects half-way in log
# chromaticity (the geometric mean of "as estimated" and "as shot"): that bounds the
# harm of a wrong estimate and, measured on skimage.data photographs, beats both full
# correction and leaving the cast.
AUTO_FALLBACK = "gray_edge"
AUTO_STRENGTH = 0.5
HIGHLIGHT_KNEE = 0.975  # linear level above which a clipped channel's gain rolls off, to 1 at CLIP


def gains_for(illuminant: np.ndarray) -> np.ndarray:
    """Linear-light channel gains that turn ``illuminant`` grey at the same luminance."""
    light = np.maximum(np.asarray(illuminant, np.float64), 1e-9)
    return (float(luminance(light)) / light).astype(np.float32)


def remove_cast(rgb: np.ndarray, gains: np.ndarray, clipped: np.ndarray | None = None) -> np.ndarray:
    """sRGB-encoded float RGB with linear-light ``gains`` applied.

    In a channel that was clipped (``clipped[c]``) and is turned down, the gain rolls off to
    1 over the top of the range: what was blown stays at the top, as it does in a raw
    converter, instead of turning into a tinted grey.
    """
    linear = srgb_to_linear(rgb)
    gains = np.broadcast_to(np.asarray(gains, np.float32), (3,))
    rolled = np.zeros(3, bool) if clipped is None else np.asarray(clipped) & (gains < 1)
    ramp = np.clip((linear - HIGHLIGHT_KNEE) / (CLIP - HIGHLIGHT_KNEE), 0.0, 1.0)
    ramp = ramp * ramp * (3 - 2 * ramp)
    effective = np.where(rolled, gains + (1 - gains) * ramp, gains)
    return linear_to_srgb(np.clip(linear * effective, 0.0, 1.0))


def clipped_channels(linear: np.ndarray, share: float = 0.002) -> np.ndarray:
    """Which channels reach the top in more than ``share`` of the pixels."""
    return (linear.reshape(-1, 3) >= CLIP).mean(axis=0) > share


def estimate(linear: np.ndarray, method: str) -> tuple[np.ndarray, dict[str, Any]]:
    """The light's colour (unit RGB, linear) by ``method``, and what was found on the way."""
    from .backdrop import find_backdrop
    from .illuminant import ESTIMATORS

    if method != "auto":
        return ESTIMATORS[method](linear), {"method": method}
    backdrop = find_backdrop(linear)
    if backdrop is not None:
        return backdrop.illuminant, {"method": "auto: neutral backdrop",
                                     "backdrop_share": round(backdrop.share, 3)}
    full = ESTIMATORS[AUTO_FALLBACK](linear)
    half = full**AUTO_STRENGTH
    return half / np.linalg.norm(half), {
        "method": f"auto: {AUTO_FALLBACK} at {AUTO_STRENGTH:g} strength (no neutral backdrop found)",
        "full_estimate_rgb": [round(float(v), 4) for v in full]}


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
