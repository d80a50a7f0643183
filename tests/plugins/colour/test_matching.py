"""Colour matching: a product region to its physical sample, a shot to a reference shot."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.synthetic import apply_cast, studio_shot
from packshot.plugins.colour.colour_math import delta_e2000, rgb_to_lab, srgb_to_linear


def measured_lab(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """What a colorimeter would read: the region's mean linear light, as Lab."""
    lin = srgb_to_linear(rgb)[mask > 0.5].mean(axis=0)
    encoded = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)
    return rgb_to_lab(encoded)


@pytest.mark.parametrize("target", [{"target": "#c8102e"}, {"target_lab": (55.0, 40.0, 30.0)}])
def test_region_match_brings_delta_e_below_two(run_op, target):
    rgb, alpha = studio_shot(120, 160, shape="bottle", colour=(0.75, 0.18, 0.12), seed=0)
    result = run_op("colour.match_region", rgb, mask=alpha, **target)
    goal = np.asarray(target["target_lab"]) if "target_lab" in target else \
        rgb_to_lab(np.array([0xc8, 0x10, 0x2e]) / 255)
    before = float(delta_e2000(measured_lab(rgb, alpha), goal))
    after = float(delta_e2000(measured_lab(result.image.rgb(), alpha), goal))
    assert before > 5 and after < 2.0, (before, after)
    assert result.report["delta_e2000_before"] == pytest.approx(before, rel=0.1)
    assert result.report["delta_e2000_after"] < 2.0
    outside = alpha == 0
    assert np.abs(result.image.rgb()[outside] - rgb[outside]).max() <= 1 / 255  # backdrop untouched


def test_region_match_needs_a_mask(run_op):
    from packshot.core.errors import BadInput

    with pytest.raises(BadInput, match="mask"):
        run_op("colour.match_region", np.zeros((8, 8, 3), np.float32))


@pytest.mark.parametrize("method", ["lab_statistics", "histogram"])
def test_reference_match_makes_a_shot_look_like_the_reference(run_op, method):
    import skimage.data as data

    reference = data.astronaut()[::2, ::2].astype(np.float32) / 255
    shot = apply_cast(reference * 0.8, (1.0, 0.86, 0.7))  # same scene, darker and warmer
    result = run_op("colour.match_reference", shot, reference=reference, method=method)
    ref_lab, shot_lab, out_lab = (rgb_to_lab(x) for x in (reference, shot, result.image.rgb()))
    before = float(np.mean(delta_e2000(shot_lab, ref_lab)))
    after = float(np.mean(delta_e2000(out_lab, ref_lab)))
    assert after < 0.7 * before, (before, after)  # pixel by pixel closer to the reference
    assert result.report["mean_delta_e2000_after"] < 1.0 < result.report["mean_delta_e2000_before"]


def test_reference_match_strength_zero_keeps_the_image(run_op):
    rgb, _ = studio_shot(40, 60, seed=1)
    ref, _ = studio_shot(40, 60, shape="mug", colour=(0.1, 0.3, 0.7), seed=2)
    out = run_op("colour.match_reference", rgb, reference=ref, strength=0.0).image.rgb()
    assert np.abs(out - rgb).max() <= 1.5 / 255
