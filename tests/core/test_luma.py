"""Rec. 709 brightness: luma of encoded values, luminance of linear light."""

from __future__ import annotations

import numpy as np

from packshot.core.luma import luma, luminance


def test_greys_keep_their_level_and_green_outweighs_red_outweighs_blue():
    greys = np.linspace(0, 1, 11, dtype=np.float32)[:, None].repeat(4, axis=1)  # RGBA: alpha ignored
    greys[:, 3] = 0.0
    assert np.allclose(luma(greys), greys[:, 0], atol=1e-6)
    primaries = np.eye(3, dtype=np.float32)
    red, green, blue = luminance(primaries)
    assert green > red > blue and abs(float(red + green + blue) - 1.0) < 1e-6
    assert abs(float(red) - 0.2126) < 1e-6  # the Y of the sRGB red primary


def test_one_value_per_pixel_in_float32():
    rgb = np.random.default_rng(1).random((5, 7, 3), dtype=np.float32)
    out = luma(rgb)
    assert out.shape == (5, 7) and out.dtype == np.float32
