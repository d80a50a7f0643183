"""Levels and exposure: the tonal range lands where asked, and 16-bit keeps its precision."""

from __future__ import annotations

import numpy as np

from packshot.core.image import Image


def gradient16(lo: float = 0.2, hi: float = 0.7) -> Image:
    ramp = np.linspace(lo, hi, 4096, dtype=np.float64)
    pixels = (np.tile(ramp, (8, 1))[..., None].repeat(3, axis=2) * 65535 + 0.5).astype(np.uint16)
    return Image(pixels)


def test_auto_levels_keeps_sixteen_bit_precision(run_op):
    out = run_op("colour.auto_levels", gradient16()).image
    assert out.pixels.dtype == np.uint16
    values = out.pixels[..., 0].ravel()
    assert len(np.unique(values)) > 256  # an 8-bit detour would leave at most 256
    assert values.min() <= 100 and values.max() >= 65435  # the range now spans black to white
    assert np.all(np.diff(out.pixels[0, :, 0].astype(np.int64)) >= 0)  # still a monotone ramp


def test_auto_levels_stretches_a_flat_8bit_shot(run_op):
    rng = np.random.default_rng(0)
    dull = (0.3 + 0.4 * rng.random((64, 64, 3))).astype(np.float32)
    out = run_op("colour.auto_levels", dull).image.rgb()
    assert out.min() < 0.01 and out.max() > 0.99
    assert np.ptp(out) > np.ptp(dull) * 2


def test_exposure_one_stop_doubles_the_light_and_contrast_steepens_midtones(run_op):
    from packshot.plugins.colour.colour_math import srgb_to_linear

    out = run_op("colour.exposure", gradient16(0.1, 0.4), stops=1.0).image
    ratio = srgb_to_linear(out.rgb()) / srgb_to_linear(gradient16(0.1, 0.4).rgb())
    assert np.allclose(ratio, 2.0, rtol=0.01)
    assert len(np.unique(out.pixels[..., 0])) > 256
    mid = gradient16(0.4, 0.6)
    steeper = run_op("colour.exposure", mid, contrast=0.5).image.rgb()[0, :, 0]
    assert np.ptp(steeper) > np.ptp(mid.rgb()[0, :, 0]) * 1.2
