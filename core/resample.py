"""Resampling pixel arrays: area averaging to shrink, Lanczos to enlarge.

Area averaging is the honest way down (each output pixel is the mean of what it covers,
so colours and noise statistics survive); Lanczos keeps edges crisp on the way up.
Sizes are (width, height), as OpenCV and Pillow take them. OpenCV is imported on first
use: start-up must not import it.
"""

from __future__ import annotations

import numpy as np


def fit_within(shape: tuple[int, ...], longest: int) -> tuple[int, int]:
    """The (width, height) of an array of ``shape`` scaled down so its longer side is at most
    ``longest``; its own size when it already fits (never enlarged)."""
    h, w = shape[:2]
    scale = longest / max(h, w)
    if scale >= 1:
        return w, h
    return max(1, round(w * scale)), max(1, round(h * scale))


def shrink(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``values`` area-averaged to ``size``; the same array when it has that size already."""
    import cv2

    if (values.shape[1], values.shape[0]) == tuple(size):
        return values
    return cv2.resize(values, tuple(size), interpolation=cv2.INTER_AREA)


def shrink_with_mask(values: np.ndarray, mask: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """``values`` and a boolean ``mask`` shrunk to ``size`` together; a shrunk pixel is in the
    mask when any part of it was, so a hole never closes by shrinking."""
    if (values.shape[1], values.shape[0]) == tuple(size):
        return values, mask
    return shrink(values, size), shrink(mask.astype(np.float32), size) > 0


def resize(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Float pixels at ``size``: area averaging when narrower, Lanczos otherwise; the
    channel axis is kept (an HxWx1 array stays three-dimensional)."""
    import cv2

    width, height = size
    shrinking = width < values.shape[1]
    out = cv2.resize(values, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LANCZOS4)
    return out.reshape(height, width, *values.shape[2:])
