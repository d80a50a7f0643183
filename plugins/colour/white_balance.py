"""Automatic white balance: estimate the light's colour, then divide it out in linear light."""

from __future__ import annotations

from typing import Any

import numpy as np

from packshot.core.luma import luminance

from .colour_math import linear_to_srgb, srgb_to_linear
from .illuminant import CLIP

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
