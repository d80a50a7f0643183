"""The everyday chain: raw studio shot -> cut-out -> staged on a new backdrop -> framed for a shop."""

from __future__ import annotations

import numpy as np

from packshot.core.context import Context
from packshot.core.image import from_array
from packshot.core.synthetic import studio_shot


def test_raw_shot_to_framed_marketplace_image(run_op):
    rgb, truth = studio_shot(240, 320, shape="bottle", colour=(0.2, 0.3, 0.6), seed=9)
    shot = from_array((rgb * 65535).astype(np.uint16))  # a 16-bit studio file
    cut = run_op("cutout.remove_background", shot).image
    assert cut.has_alpha and cut.bit_depth == 16
    backdrop = run_op("generate.backdrop", shot, {"style": "paper", "width": 600, "height": 600},
                      ctx=Context(seed=2)).image
    staged = run_op("generate.stage_product", cut, {"product_height": 0, "floor": 0.8}, reference=backdrop)
    solid = cut.pixels[..., 3] == 65535
    rows, cols = np.nonzero(cut.pixels[..., 3] > 0)
    crop = cut.pixels[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    placed = staged.mask >= 1.0
    assert placed.sum() == solid.sum()
    assert np.array_equal(staged.image.pixels[placed], crop[crop[..., 3] == 65535][:, :3])
    framed = run_op("cutout.auto_frame", staged.image, {"fill": 0.85, "size": 500}, mask=staged.mask)
    assert framed.image.size == (500, 500) and framed.image.bit_depth == 16
    assert abs(framed.report["fill"] - 0.85) <= 0.01
