"""Brightness from RGB with the Rec. 709 (sRGB) weights, named for what it is computed on.

*Luma* (Y') weighs the gamma-encoded values an image stores: cheap, and what detail and
noise measures want, since they work where the eye sees steps. *Luminance* (Y) weighs
linear light: what colour science wants (a light's intensity, a white balance that keeps
brightness). The weights are the same; the meaning of the result is not.
"""

from __future__ import annotations

import numpy as np

REC709 = np.array([0.2126, 0.7152, 0.0722], np.float32)


def luma(rgb: np.ndarray) -> np.ndarray:
    """Y' of gamma-encoded (sRGB) float RGB, one value per pixel (alpha ignored)."""
    return rgb[..., :3] @ REC709


def luminance(linear: np.ndarray) -> np.ndarray:
    """Y of linear-light RGB, one value per pixel (alpha ignored)."""
    return linear[..., :3] @ REC709
