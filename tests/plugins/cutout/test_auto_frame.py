"""Auto-frame hits the target fill and aspect, from alpha, a mask, or the built-in cut-out."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.image import from_array
from packshot.core.synthetic import shape_alpha, studio_shot


def _rgba(h=300, w=500, shape="bottle"):
    alpha = shape_alpha(h, w, shape)
    rgb = np.full((h, w, 3), 0.3, np.float32)
    return from_array(np.concatenate([rgb, alpha[..., None]], axis=2)), alpha


def _fill(mask, measure="longest_side"):
    rows = np.nonzero((mask > 0.5).any(axis=1))[0]
    cols = np.nonzero((mask > 0.5).any(axis=0))[0]
    bw, bh = cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1
    h, w = mask.shape
    return bw * bh / (w * h) if measure == "area" else max(bw / w, bh / h)


@pytest.mark.parametrize(("fill", "measure", "aspect"), [
    (0.85, "longest_side", (1, 1)), (0.6, "longest_side", (1, 1.44)), (0.3, "area", (4, 3))])
def test_fill_and_aspect_hit_within_one_percent(run_op, fill, measure, aspect):
    image, _ = _rgba()
    result = run_op("cutout.auto_frame", image, {"fill": fill, "measure": measure, "aspect": aspect})
    out = result.image
    assert abs(out.width / out.height - aspect[0] / aspect[1]) < 0.01
    assert abs(_fill(out.alpha(), measure) - fill) <= 0.01
    assert abs(result.report["fill"] - fill) <= 0.01


def test_output_size_and_bottom_margin(run_op):
    image, _ = _rgba()
    result = run_op("cutout.auto_frame", image, {"fill": 0.85, "size": 1000, "anchor": "bottom", "margin": 0.1})
    out = result.image
    assert out.size == (1000, 1000)
    assert abs(_fill(out.alpha()) - 0.85) <= 0.01
    rows = np.nonzero((out.alpha() > 0.5).any(axis=1))[0]
    assert abs((1000 - 1 - rows[-1]) / 1000 - 0.1) <= 0.01


def test_opaque_shot_with_mask_pads_with_colour(run_op):
    rgb, alpha = studio_shot(200, 300, shape="box")
    image = from_array(rgb)
    before = image.pixels.copy()
    out = run_op("cutout.auto_frame", image, {"fill": 0.3, "background": "#ff0000"}, mask=alpha).image
    assert abs(_fill(run_op("cutout.auto_frame", image, {"fill": 0.3}, mask=alpha).mask) - 0.3) <= 0.01
    assert tuple(out.pixels[0, 0]) == (255, 0, 0)
    assert np.array_equal(image.pixels, before)  # the original is untouched


def test_opaque_shot_without_mask_uses_the_builtin_cutout(run_op):
    rgb, alpha = studio_shot(240, 320, shape="ball", colour=(0.2, 0.3, 0.6))
    result = run_op("cutout.auto_frame", rgb, {"fill": 0.85})
    assert result.report["product_from"] == "built-in cut-out"
    assert abs(_fill(result.mask) - 0.85) <= 0.01
