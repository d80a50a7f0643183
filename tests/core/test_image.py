"""The Image accessors: the same values as a whole conversion, at the cost of what they return."""

from __future__ import annotations

import tracemalloc

import numpy as np

from packshot.core.image import Image, quantize, to_float


def _peak(fn):
    tracemalloc.start()
    try:
        out = fn()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_rgb_and_alpha_convert_only_the_channels_they_return():
    pixels = np.random.default_rng(3).integers(0, 65536, (500, 400, 4), dtype=np.uint16)
    image = Image(pixels)
    whole = pixels.astype(np.float32) / np.float32(65535)
    rgb, rgb_peak = _peak(image.rgb)
    alpha, alpha_peak = _peak(image.alpha)
    assert np.array_equal(rgb, whole[..., :3]) and np.array_equal(alpha, whole[..., 3])
    count = 500 * 400
    # converting all four channels first costs 32 bytes a pixel (16 for RGB, 16 for alpha)
    assert rgb_peak < count * 3 * 4 * 1.05, rgb_peak / count
    assert alpha_peak < count * 4 * 1.05, alpha_peak / count


def test_to_float_inverts_quantize_at_both_depths():
    for dtype, top in ((np.uint8, 255), (np.uint16, 65535)):
        levels = np.arange(0, top + 1, max(1, top // 255), dtype=dtype)
        assert np.array_equal(quantize(to_float(levels), dtype), levels)
        assert to_float(levels).dtype == np.float32 and float(to_float(levels).max()) == 1.0
