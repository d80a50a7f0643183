"""Running per-pixel colour transforms band by band, with progress and cancellation.

Colour corrections touch every pixel independently, so a large image is processed in
horizontal bands: memory stays bounded and a cancel takes effect within one band.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from packshot.core.context import Context
from packshot.core.image import Image, quantize
from packshot.core.resample import fit_within, shrink

BAND_PIXELS = 1 << 20  # about one megapixel per band


def map_pixels(image: Image, transform: Callable[[np.ndarray, slice], np.ndarray], ctx: Context,
               message: str, start: float = 0.0) -> Image:
    """Apply ``transform(rgb_band, rows)`` (float RGB 0..1 -> float RGB) to ``image`` band by band.

    ``rows`` is the band's slice of the image, for transforms that follow a mask. Alpha and
    bit depth are kept; progress runs from ``start`` to 1 across the bands.
    """
    rgb = image.rgb()
    out = np.empty_like(rgb)
    rows = max(1, BAND_PIXELS // max(image.width, 1))
    for top in range(0, image.height, rows):
        ctx.progress(start + (1 - start) * top / image.height, message)
        band = slice(top, top + rows)
        out[band] = transform(rgb[band], band)
    return image.with_float(out)


def map_channels(image: Image, curve: Callable[[np.ndarray], np.ndarray], ctx: Context,
                 message: str, start: float = 0.0) -> Image:
    """Apply a per-channel tone curve (float N x 3 -> N x 3) through lookup tables.

    Every stored level (256, or 65536 for 16-bit) is evaluated once, so a white balance
    or levels change costs one table lookup per pixel, with no precision lost.
    """
    top = image.max_value
    levels = np.repeat((np.arange(top + 1, dtype=np.float32) / np.float32(top))[:, None], 3, axis=1)
    table = quantize(curve(levels), image.pixels.dtype)
    out = image.pixels.copy()
    rows = max(1, BAND_PIXELS // max(image.width, 1))
    for first in range(0, image.height, rows):
        ctx.progress(start + (1 - start) * first / image.height, message)
        band = out[first:first + rows]
        for c in range(3):
            band[..., c] = table[band[..., c], c]
    return image.with_pixels(out)


def working_copy(rgb: np.ndarray, max_side: int = 1024) -> np.ndarray:
    """A smaller copy for measuring statistics; area averaging keeps colours honest."""
    return shrink(rgb, fit_within(rgb.shape, max_side))


def opaque_rgb(image: Image) -> np.ndarray:
    """Float RGB where transparent pixels are set to black, which every statistic here ignores."""
    rgb = image.rgb()
    alpha = image.alpha()
    if alpha is not None:
        rgb = np.where(alpha[..., None] < 0.5, 0.0, rgb).astype(np.float32)
    return rgb
